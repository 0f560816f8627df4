"""Length-preserving text for matching: full-width forms to ASCII and traditional characters to simplified.

Offsets into the mapped text are offsets into the original body, since every character maps to exactly one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import numpy as np

from transforms.jionlp_data import jionlp_dictionary_file

# Where jionlp's maintained traditional→simplified table's choice is not the usual modern form.
_OVERRIDES = {"餘": "余", "瀋": "沈", "鍾": "钟"}
# Characters the table maps although they are standard simplified characters too (覆盖, 显著, 乾坤): kept.
_KEEP = frozenset("覆著乾")


@cache
def _simplified() -> dict[str, str]:
    """Traditional character → simplified character, one to one."""
    table: dict[str, str] = {}
    for line in jionlp_dictionary_file("tra2sim_char.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1 and len(parts[1]) == 1 and parts[0] != parts[1]:
            table[parts[0]] = parts[1]
    table.update(_OVERRIDES)
    for ch in _KEEP:
        table.pop(ch, None)
    return table


@cache
def _translation() -> dict[str, str]:
    table: dict[str, str] = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
    for space in "\u00a0\u2002\u2003\u2009\u202f\u3000":  # no-break, en, em, thin and ideographic spaces
        table[space] = " "
    table.update(_simplified())
    return table


@cache
def _mapped_chars() -> re.Pattern[str]:
    # A character class of every mapped character: on mostly simplified text, regex substitution touches
    # only the few characters that change, where str.translate would look up every one (≈10× slower).
    return re.compile("[" + "".join(re.escape(ch) for ch in sorted(_translation())) + "]")


def _replace(match: re.Match[str]) -> str:
    return _translation()[match.group()]


def match_text(body: str) -> str:
    """The body as rules see it: same length, full-width folded, simplified characters."""
    return _mapped_chars().sub(_replace, body)


@cache
def _traditional_chars() -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(ch) for ch in sorted(_simplified())) + "]")


def _simplify(match: re.Match[str]) -> str:
    return _simplified()[match.group()]


BMP = 0x10000  # code points below this are one UTF-16 code unit each
# From this length on, a text is first looked through with numpy for any traditional character (most pages
# have none): a table look-up per character, where the regex's search tests each against its large class.
_LOOK_FIRST_CHARS = 1000


@cache
def _traditional_table() -> np.ndarray:
    """By code point below U+10000: whether to_simplified maps the character."""
    table = np.zeros(BMP, dtype=np.bool_)
    table[[ord(ch) for ch in _simplified() if ord(ch) < BMP]] = True
    return table


def to_simplified(text: str) -> str:
    """Traditional characters mapped to simplified ones, one to one (same length); nothing else changes."""
    if len(text) >= _LOOK_FIRST_CHARS:
        codes = bmp_code_points(text)  # (a text with characters beyond U+FFFF is left to the regex)
        if codes is not None and not _traditional_table().take(codes).any():
            return text
    return _traditional_chars().sub(_simplify, text)


def bmp_code_points(text: str) -> np.ndarray | None:
    """The text's code points as a uint16 array, for table look-ups with numpy; None when a character is
    beyond U+FFFF (two UTF-16 code units, so the positions would no longer be the text's)."""
    units = text.encode("utf-16-le", "surrogatepass")
    return np.frombuffer(units, dtype=np.uint16) if len(units) == 2 * len(text) else None


def to_simplified_lines(lines: list[str]) -> list[str]:
    """to_simplified of each line, in one pass over the lines joined (no mapped character is a newline)."""
    joined = "\n".join(lines)
    if joined.count("\n") != len(lines) - 1:  # a line holding a newline of its own
        return [to_simplified(line) for line in lines]
    return to_simplified(joined).split("\n") if lines else []


def traditional_forms(chars: Iterable[str]) -> frozenset[str]:
    """The characters to_simplified maps to one of ``chars``, with ``chars`` themselves: what a text may hold
    where its simplified form holds one of them."""
    wanted = set(chars)
    return frozenset(wanted | {t for t, s in _simplified().items() if s in wanted})
