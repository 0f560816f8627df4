"""Bytes → text for saved pages: HTTP charset → BOM → declared charset → strict UTF-8 → GB18030.

A declared charset that fails strict decoding falls through to the next candidate; replacement characters
are a last resort and are counted, never silent.
"""

from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from nianbao.settings import ConfigError
from transforms.errors import UndecodableError
from transforms.rulebook import compiled

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_TAG = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_CHARSET_ATTR = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_ERROR_HANDLER = "nianbao-count-replace"
_counter = threading.local()


@dataclass(slots=True, frozen=True)
class Decoded:
    """Decoded text, the codec that produced it, and how many characters had to be replaced (U+FFFD).

    ``utf8`` holds the input bytes when they are exactly ``text`` in UTF-8 (an HTML parser can take them
    as they are instead of encoding the text again).
    """

    text: str
    encoding: str
    replaced: int = 0
    utf8: bytes | None = field(default=None, repr=False, compare=False)


@dataclass(slots=True, frozen=True)
class _CharsetRules:
    aliases: dict[str, str]
    meta_scan_bytes: int
    max_replaced_share: float
    max_control_share: float


def _count_and_replace(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    _counter.n = getattr(_counter, "n", 0) + 1
    return "\ufffd", exc.end


codecs.register_error(_ERROR_HANDLER, _count_and_replace)


def _parse_rules(raw: Any) -> _CharsetRules:
    if not isinstance(raw, dict) or not isinstance(raw.get("aliases"), dict):
        raise ConfigError("config/charsets.yaml: expected a mapping with an 'aliases' mapping")
    try:
        return _CharsetRules(
            aliases={str(k).lower(): str(v) for k, v in raw["aliases"].items()},
            meta_scan_bytes=int(raw["meta_scan_bytes"]),
            max_replaced_share=float(raw["max_replaced_share"]),
            max_control_share=float(raw["max_control_share"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"config/charsets.yaml: missing or malformed setting {exc}") from exc


def _rules() -> _CharsetRules:
    return compiled("charsets.yaml", _parse_rules)


def codec_for(label: str | None) -> str | None:
    """The Python codec for a charset label or Content-Type value (gb2312/gbk → gb18030); None if unknown."""
    if not label:
        return None
    found = _CHARSET_PARAM.search(label)  # a whole Content-Type value: text/html; charset=GBK
    key = (found.group(1) if found else label).strip().strip("\"'").lower()
    name = _rules().aliases.get(key, key)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charsets(data: bytes) -> list[str]:
    """Charset labels the document itself declares (XML declaration, <meta>), in order of appearance."""
    return list(_declared_labels(data))


def _declared_labels(data: bytes) -> Iterator[str]:
    head = data[: _rules().meta_scan_bytes]
    xml = _XML_DECL.match(head)
    if xml:
        yield xml.group(1).decode("ascii")
    for tag in _META_TAG.finditer(head):
        found = _CHARSET_ATTR.search(tag.group(0))
        if found:
            yield found.group(1).decode("ascii")


def _codec_stream(data: bytes, http_charset: str | None) -> Iterator[tuple[str, int]]:
    """(codec, bytes to skip) in the order they are tried, repeats included; read lazily."""
    declared = codec_for(http_charset)
    if declared:
        yield declared, 0
    for bom, codec in _BOMS:
        if data.startswith(bom):
            yield codecs.lookup(codec).name, len(bom)
            break
    for label in _declared_labels(data):
        codec = codec_for(label)
        if codec:
            yield codec, 0
    yield "utf-8", 0
    yield "gb18030", 0


def _candidates(data: bytes, http_charset: str | None) -> list[tuple[str, int]]:
    """(codec, bytes to skip) in the order they are tried, without repeats."""
    ordered: dict[str, int] = {}
    for codec, skip in _codec_stream(data, http_charset):
        ordered.setdefault(codec, skip)
    return list(ordered.items())


def _utf8_decides(data: bytes, http_charset: str | None) -> bool:
    """True when bytes that are valid multi-byte UTF-8 end up as UTF-8 whatever the candidates before it do:
    every one of them is a legacy codec (which either fails or loses to the strict UTF-8 check below).
    Declarations after the first one naming UTF-8 are not read."""
    for codec, skip in _codec_stream(data, http_charset):
        if codec == "utf-8":
            return skip == 0
        if codec.startswith("utf-"):
            return False
    return False


def _is_utf8_with_multibyte(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _check_not_binary(data: bytes, codec: str, text: str, rules: _CharsetRules) -> None:
    """Too many control characters (NUL, ESC, …) mean binary data, whatever the codec said."""
    if codec.startswith(("utf-16", "utf-32")):
        controls = len(_CONTROL.findall(text))
    else:
        controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > max(2, rules.max_control_share * len(text)):
        raise UndecodableError(f"binary data: {controls} control characters in {len(text)} characters")


def decode_bytes(data: bytes, http_charset: str | None = None) -> Decoded:
    """Decode a page's bytes; raises UndecodableError when they are not text in any usable encoding.

    Multi-byte UTF-8 that decodes strictly wins over a legacy charset that also happens to decode it: a
    valid UTF-8 Chinese page is never GBK in practice, while pages declaring GB2312 are often UTF-8.
    """
    rules = _rules()
    if not data.isascii() and _utf8_decides(data, http_charset):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            _check_not_binary(data, "utf-8", text, rules)
            return Decoded(text=text, encoding="utf-8", replaced=0, utf8=data)
    candidates = _candidates(data, http_charset)
    for codec, skip in candidates:
        try:
            text = data[skip:].decode(codec)
        except UnicodeDecodeError:
            continue
        if codec != "utf-8" and not codec.startswith("utf-") and _is_utf8_with_multibyte(data[skip:]):
            codec, text = "utf-8", data[skip:].decode("utf-8")
        _check_not_binary(data, codec, text, rules)
        utf8 = data if codec == "utf-8" and not skip else None
        return Decoded(text=text, encoding=codec, replaced=0, utf8=utf8)
    best: Decoded | None = None
    for codec, skip in candidates:
        _counter.n = 0
        text = data[skip:].decode(codec, errors=_ERROR_HANDLER)
        if best is None or _counter.n < best.replaced:
            best = Decoded(text=text, encoding=codec, replaced=_counter.n)
    assert best is not None
    share = best.replaced / max(1, len(best.text))
    if share > rules.max_replaced_share:
        raise UndecodableError(
            f"not text in any supported encoding: best guess {best.encoding} leaves {best.replaced} "
            f"undecodable sequences ({share:.0%})"
        )
    _check_not_binary(data, best.encoding, best.text, rules)
    return best
