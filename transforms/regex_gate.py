"""Whole-line matching against an alternation of many config regexes, skipping the branches a line cannot
match.

Most branches need a keyword (关闭窗口, 版权所有, ICP备 …): a line holding none of the keywords of such
branches is tried against the other branches only. The keywords are read off each regex's parse tree (one
of them occurs in every string the regex matches), so the answer is the alternation's own; a keyword that
ordinary prose holds (one Chinese character, a digit) would let most lines through, and its branch is
always tried.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate
from re import _constants as _sre  # the standard library's regex parser (Python 3.11+)
from re import _parser as _parse
from typing import Any

import numpy as np

from transforms.rulebook import any_of
from transforms.textmap import BMP, bmp_code_points

_MAX_STRINGS = 64  # a fixed part spelling more strings than this is not used as a keyword
_COMMON = re.compile(r"[\u4e00-\u9fff\s0-9A-Za-z.,:;%/()\-，。、；：？！“”‘’（）《》【】—％]")
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT)


class GatedAlternation:
    """``fullmatch(line)``: whether any of ``patterns`` matches the whole line (as one alternation would).

    A line is tried against the branches whose keywords it holds and the branches that have none."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.keywords: dict[str, tuple[int, ...]] = {}  # keyword → the gated branches (indices) needing it
        self._patterns = list(patterns)
        always: list[str] = []
        for n, pattern in enumerate(patterns):
            found = _keywords(pattern)
            if found is None or not all(map(_rare, found)):
                always.append(pattern)
            else:
                for word in found:
                    self.keywords[word] = (*self.keywords.get(word, ()), n)
        self.full = re.compile(any_of(patterns))
        self._always = always
        self._scan = KeywordScan(self.keywords) if self.keywords else None
        self._rest = re.compile(any_of(always)) if always else None
        self._tried: dict[frozenset[int], re.Pattern[str]] = {}

    def fullmatch(self, line: str, found: frozenset[str] | None = None) -> bool:
        """``found``: the keywords the line holds, when the caller has scanned it for a superset of
        this alternation's keywords."""
        if found is None:
            found = self._scan.found(line) if self._scan is not None else _NONE
        if found:
            branches = frozenset(n for word in found for n in self.keywords.get(word, ()))
            if branches:
                pattern = self._tried.get(branches)
                if pattern is None:
                    chosen = [self._patterns[n] for n in sorted(branches)]
                    pattern = self._tried[branches] = re.compile(any_of([*chosen, *self._always]))
                return pattern.fullmatch(line) is not None
        return self._rest is not None and self._rest.fullmatch(line) is not None


_NONE: frozenset[str] = frozenset()


class KeywordScan:
    """``found(text)``: every one of ``words`` that the text holds, found in one pass (none, mostly).

    ``found_in_lines`` reads a whole page's lines at once with numpy: the positions where a word's first two
    characters stand (or a one-character word) are picked out of the page's code points by table look-ups,
    and only those few are compared with the words. The regex scan of ``found`` tries its branches one by
    one at every place a word's first character stands, which in prose is about one character in eight."""

    def __init__(self, words: Iterable[str]) -> None:
        self._words = frozenset(words)
        self._trie = re.compile(_trie(set(self._words)))  # the longest word starting where it matches
        self._one_line = not any("\n" in word for word in self._words)  # no word spans two lines
        # (a word opening outside the Basic Multilingual Plane is left to the regex)
        plain = self._one_line and all(word and ord(word[0]) < BMP - 1 for word in self._words)
        self._pairs = _PairTable(self._words) if plain else None

    def found_in_lines(self, lines: Sequence[str], start: int = 0) -> dict[int, frozenset[str]]:
        """found(line) of every line from ``start`` on that holds a word, by line index: one pass over the
        lines joined."""
        if self._pairs is None:
            return {i: words for i in range(start, len(lines)) if (words := self.found(lines[i]))}
        text = "\n".join(lines[start:])
        hits = self._pairs.hits(text)
        if not hits:
            return {}
        ends = list(accumulate(len(line) + 1 for line in lines[start:]))  # where each line's next starts
        out: dict[int, set[str]] = {}
        for at, words in hits:
            out.setdefault(start + bisect_right(ends, at), set()).update(words)
        return {i: frozenset(found) for i, found in out.items()}

    def found(self, text: str) -> frozenset[str]:
        match = self._trie.search(text)
        if match is None:
            return _NONE
        words = self._words
        out: set[str] = set()
        while match is not None:
            longest = match.group()
            # the words that are prefixes of the longest one start here too
            out.update(longest[:n] for n in range(1, len(longest) + 1) if longest[:n] in words)
            match = self._trie.search(text, match.start() + 1)
        return frozenset(out)


_ONE_CHAR, _PAIR_START = 2, 1  # flags of a code point in _PairTable's table


class _PairTable:
    """Where in a text any of a set of words (none holding a newline) starts: the positions whose character
    is a one-character word, or whose two characters open a longer word, found with numpy over the text's
    code points; each such position is then compared with the words opening there."""

    def __init__(self, words: frozenset[str]) -> None:
        self._flags = np.zeros(BMP, dtype=np.uint8)  # by code point: _ONE_CHAR | _PAIR_START
        self._by_pair: dict[str, tuple[str, ...]] = {}
        for word in sorted(words):
            first = ord(word[0])
            if len(word) == 1:
                self._flags[first] |= _ONE_CHAR
            else:
                self._flags[first] |= _PAIR_START
                self._by_pair[word[:2]] = (*self._by_pair.get(word[:2], ()), word)
        self._ones = frozenset(word for word in words if len(word) == 1)
        self._keys = np.array(sorted(_pair_key(pair) for pair in self._by_pair), dtype=np.int64)

    def hits(self, text: str) -> list[tuple[int, list[str]]]:
        """(position, the words starting there) at each position of ``text`` where a word starts, in order."""
        padded = text + "\n"  # (a newline starts no word: each position has a next character to read)
        codes = bmp_code_points(padded)
        if codes is not None:
            flags = self._flags.take(codes)
        else:  # a character beyond U+FFFF, which starts no word: read as U+FFFF
            codes = np.frombuffer(padded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            flags = self._flags.take(codes, mode="clip")
        at = flags.nonzero()[0]
        if not at.size:
            return []
        keep = (flags.take(at) & _ONE_CHAR) != 0
        if self._keys.size:
            keys = (codes.take(at).astype(np.int64) << 21) | codes.take(at + 1)
            keep |= self._keys.take(self._keys.searchsorted(keys), mode="clip") == keys
        out: list[tuple[int, list[str]]] = []
        for position in at[keep].tolist():
            words = [
                w
                for w in self._by_pair.get(text[position : position + 2], ())
                if text.startswith(w, position)
            ]
            if text[position] in self._ones:
                words.append(text[position])
            if words:
                out.append((position, words))
        return out


def _pair_key(pair: str) -> int:
    return (ord(pair[0]) << 21) | ord(pair[1])


class GatedPattern:
    """``search(text)`` and ``sub(repl, text)``: one regex's, skipped when the text holds none of the keywords
    every match of it holds.

    ``common_keywords``: gate on keywords ordinary prose holds too (digits, brackets), for a regex whose own
    scan costs more than looking for them (one trying a branch of spaces at every position)."""

    def __init__(self, pattern: str, common_keywords: bool = False) -> None:
        self.pattern = re.compile(pattern)
        found = _keywords(pattern)
        gated = found and (common_keywords or all(map(_rare, found)))
        self._gate = re.compile(_trie(found)) if gated else None

    def search(self, text: str) -> re.Match[str] | None:
        if self._gate is not None and self._gate.search(text) is None:
            return None
        return self.pattern.search(text)

    def sub(self, repl: str, text: str) -> str:
        if self._gate is not None and self._gate.search(text) is None:
            return text
        return self.pattern.sub(repl, text)


class FirstCharSearch:
    """``search(text)``: one regex's search through a long text (a whole page), tried only where one of the
    few characters its matches start with stands, and only where one of the strings they start with stands
    there (主办 / 版权所有, when the regex opens with a few fixed strings): str.find reaches those characters
    faster than the regex engine's own scan, and str.startswith turns away a common first character (主 of
    主要) without starting the regex. A regex whose matches start with one known character, or with any of
    many, and a short text (where such characters stand close together) are searched as they are.
    """

    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern)
        first = leading_chars(pattern)
        self._first = tuple(sorted(first)) if first and 1 < len(first) <= _MAX_FIND_CHARS else None
        starts = leading_strings(pattern) or frozenset()
        # the strings a match starting with each first character starts with (the character alone when the
        # regex's opening spells no fixed strings)
        self._starts = {
            char: tuple(sorted(s for s in starts if s[0] == char)) or (char,) for char in self._first or ()
        }

    def search(self, text: str) -> re.Match[str] | None:
        if self._first is None or len(text) < _FIND_MIN_CHARS:
            return self.pattern.search(text)
        best: re.Match[str] | None = None
        for char in self._first:  # the leftmost match: the first match starting with each character, then the
            starts = self._starts[char]  # leftmost of those
            end = best.start() if best is not None else len(text)
            at = text.find(char, 0, end)
            while at >= 0:
                if text.startswith(starts, at):
                    match = self.pattern.match(text, at)  # (what search(text) finds first at this position)
                    if match is not None:
                        best = match
                        break
                at = text.find(char, at + 1, end)
        return best


_MAX_FIND_CHARS = 8
_FIND_MIN_CHARS = 10_000
_ZERO_WIDTH = (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT)
_MAX_LEADING = 256  # a class of more characters than this is not spelled out


def leading_chars(pattern: str) -> frozenset[str] | None:
    """The characters every match of ``pattern`` starts with (None when a match may be empty, may start with
    a character of a large or negated class, or the pattern reads case-insensitively)."""
    items = _case_sensitive_items(pattern)
    if items is None:
        return None
    first, optional = _leading_sequence(items)
    return frozenset(first) if first and not optional else None


def required_strings(pattern: str) -> frozenset[str] | None:
    """Strings one of which every match of ``pattern`` holds (None when none are found, or the pattern reads
    case-insensitively)."""
    found = _keywords(pattern)
    return frozenset(found) if found else None


def leading_strings(pattern: str) -> frozenset[str] | None:
    """Strings one of which every match of ``pattern`` starts with: what its opening items spell while they
    are few fixed strings ((?:主办单位|版权所有)\\s* → 主办单位, 版权所有); None when the pattern opens with
    no such item (or reads case-insensitively)."""
    items = _case_sensitive_items(pattern)
    if items is None:
        return None
    strings: set[str] = {""}
    for op, av in items:
        if op in _ZERO_WIDTH:
            if strings == {""}:
                continue  # an anchor or a look-around before the first character reads none
            break
        longer = _joined(strings, _fixed(op, av))
        if longer is None:
            break
        strings = longer
    return None if "" in strings else frozenset(strings)


def _case_sensitive_items(pattern: str) -> list[tuple[Any, Any]] | None:
    """The top-level parse items of ``pattern`` (None when it does not parse or reads case-insensitively)."""
    try:
        parsed = _parse.parse(pattern)
    except re.error:
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    return list(parsed)


def _leading_item(op: Any, av: Any) -> tuple[set[str] | None, bool]:
    """(first characters, whether the item may match the empty string) of one parse item."""
    if op is _sre.LITERAL:
        return {chr(av)}, False
    if op is _sre.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is _sre.LITERAL:
                chars.add(chr(value))
            elif kind is _sre.RANGE and value[1] - value[0] < _MAX_LEADING:
                chars |= {chr(c) for c in range(value[0], value[1] + 1)}
            else:
                return None, False
        return chars, False
    if op is _sre.SUBPATTERN:
        _, add_flags, _, sub = av
        if add_flags & re.IGNORECASE:
            return None, False
        return _leading_sequence(list(sub))
    if op is _sre.BRANCH:
        union: set[str] = set()
        optional = False
        for branch in av[1]:
            first, empty = _leading_sequence(list(branch))
            if first is None:
                return None, False
            union |= first
            optional = optional or empty
        return union, optional
    if op in _REPEATS:
        low, _, sub = av
        first, empty = _leading_sequence(list(sub))
        return first, empty or low == 0
    return None, False


def _leading_sequence(items: list[tuple[Any, Any]]) -> tuple[set[str] | None, bool]:
    """_leading_item for a sequence: the first characters, and whether all of it may match nothing."""
    chars: set[str] = set()
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue  # an anchor or a look-around reads no character
        first, optional = _leading_item(op, av)
        if first is None:
            return None, False
        chars |= first
        if not optional:
            return chars, False
    return chars, True


def _trie(words: set[str]) -> str:
    """A regex finding any of ``words``, branching one character at a time (a flat alternation of a few
    hundred words tries each of them wherever one of their first characters stands)."""
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _branches(tree)


def _branches(node: dict[str, dict]) -> str:
    options = [re.escape(char) + _branches(below) for char, below in sorted(node.items()) if char]
    if not options:
        return ""
    if "" in node:  # a word ends here: what follows is optional
        return f"(?:{'|'.join(options)})?"
    return options[0] if len(options) == 1 else f"(?:{'|'.join(options)})"


def _rare(keyword: str) -> bool:
    """A keyword ordinary report prose seldom holds: two characters or more (not only digits), or one that is
    neither a Chinese character, an ASCII letter or digit, nor common punctuation."""
    if len(keyword) >= 2:
        return not keyword.isdigit()
    return _COMMON.fullmatch(keyword) is None


def _keywords(pattern: str) -> set[str] | None:
    """Strings one of which occurs in every match of ``pattern`` (None when no such set is found)."""
    items = _case_sensitive_items(pattern)
    return None if items is None else _required(items)


def _required(items: list[tuple[Any, Any]]) -> set[str] | None:
    """For a sequence of parse items: the most telling set of strings, one of which every match holds."""
    found: list[set[str]] = []
    run: set[str] = {""}  # the strings the fixed items read so far in a row spell
    for op, av in items:
        fixed = _fixed(op, av)
        longer = _joined(run, fixed)
        if longer is not None:
            run = longer
            continue
        if run != {""}:
            found.append(run)
        run = {""}
        if fixed is not None:
            run = fixed
            continue
        needed = _needed(op, av)
        if needed:
            found.append(needed)
    if run != {""}:
        found.append(run)
    found = [s for s in found if "" not in s]
    if not found:
        return None
    return max(found, key=lambda s: (all(map(_rare, s)), min(map(len, s)), -len(s)))


def _needed(op: Any, av: Any) -> set[str] | None:
    """Strings one of which every match of a single (not fixed) item holds."""
    if op is _sre.SUBPATTERN:
        _, add_flags, _, sub = av
        return None if add_flags & re.IGNORECASE else _required(list(sub))
    if op is _sre.BRANCH:
        sets = [_required(list(branch)) for branch in av[1]]
        return set().union(*sets) if all(sets) else None
    if op in _REPEATS:
        low, _, sub = av
        if low < 1:
            return None
        fixed = _fixed_sequence(list(sub))
        if fixed is None:
            return _required(list(sub))
        strings = fixed  # the first repeats in a row spell one of the products ([.·…]{3,}: ..., .·…, …)
        for _ in range(low - 1):
            longer = _joined(strings, fixed)
            if longer is None:
                break
            strings = longer
        return strings
    return None


def _fixed(op: Any, av: Any) -> set[str] | None:
    """The strings a parse item matches when they are few and fixed (a letter, a small class of letters, a
    group or alternation of such), else None."""
    if op is _sre.LITERAL:
        return {chr(av)}
    if op is _sre.IN:
        if len(av) <= 8 and all(kind is _sre.LITERAL for kind, _ in av):
            return {chr(value) for _, value in av}
        return None
    if op is _sre.SUBPATTERN:
        _, add_flags, _, sub = av
        return None if add_flags & re.IGNORECASE else _fixed_sequence(list(sub))
    if op in _REPEATS:
        low, high, sub = av
        fixed = _fixed_sequence(list(sub))
        if low != high or fixed is None or len(fixed) ** low > _MAX_STRINGS:
            return None
        strings = {""}
        for _ in range(low):
            strings = {a + b for a in strings for b in fixed}
        return strings
    if op is _sre.BRANCH:
        options: set[str] = set()
        for branch in av[1]:
            strings = _fixed_sequence(list(branch))
            if strings is None:
                return None
            options |= strings
        return options if len(options) <= _MAX_STRINGS else None
    return None


def _fixed_sequence(items: list[tuple[Any, Any]]) -> set[str] | None:
    strings: set[str] | None = {""}
    for op, av in items:
        strings = _joined(strings, _fixed(op, av))
        if strings is None:
            return None
    return strings


def _joined(strings: set[str], fixed: set[str] | None) -> set[str] | None:
    """Each of ``strings`` followed by each of ``fixed`` (None: ``fixed`` is None, or they would spell more
    than _MAX_STRINGS strings)."""
    if fixed is None or len(strings) * len(fixed) > _MAX_STRINGS:
        return None
    return {a + b for a in strings for b in fixed}
