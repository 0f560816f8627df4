"""Chinese and Arabic numerals to numbers: 十三, 二百三十五, 一万零五十, 1.2万, 3万4千, 三点五亿, 二〇一九."""

from __future__ import annotations

import re
from itertools import repeat

# Digit characters, simplified, traditional and financial forms.
CN_DIGITS: dict[str, int] = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "一": 1,
    "壹": 1,
    "幺": 1,
    "二": 2,
    "贰": 2,
    "貳": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "叁": 3,
    "參": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "陸": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
# Multipliers inside a 万 group.
SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
# Group multipliers.
WAN_CHARS = frozenset("万萬")
YI_CHARS = frozenset("亿億")

# The characters of a numeral with no Arabic digit: each one is a token of its own (none is a \d).
CHINESE_CHARS = frozenset(CN_DIGITS) | frozenset(SMALL_UNITS) | WAN_CHARS | YI_CHARS
ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_TOKEN = re.compile(rf"(?P<arabic>{ARABIC})|(?P<char>.)", re.S)
# A Chinese decimal: whole part, 点, digits read one by one, then an optional scale (三点五亿 = 3.5亿).
_DECIMAL = re.compile(
    r"(?P<whole>[^点點]+)[点點](?P<frac>[〇零○一二三四五六七八九]+)(?P<scale>[万萬]?[亿億]?)"
)


def parse_number(text: str) -> float | None:
    """The value of a numeral (Chinese, Arabic or mixed, with 万/亿 groups); None if it is not one.

    Never raises. A run of bare Chinese digits (二〇一九) reads positionally, as digits are written.
    """
    text = text.strip()
    if not text:
        return None
    if all(ch in CN_DIGITS for ch in text) and len(text) > 1:
        return float("".join(str(CN_DIGITS[ch]) for ch in text))
    decimal = _DECIMAL.fullmatch(text)
    if decimal is not None:
        whole = parse_number(decimal["whole"])
        if whole is None:
            return None
        fraction = float("0." + "".join(str(CN_DIGITS[ch]) for ch in decimal["frac"]))
        scale = (1e4 if any(ch in WAN_CHARS for ch in decimal["scale"]) else 1.0) * (
            1e8 if any(ch in YI_CHARS for ch in decimal["scale"]) else 1.0
        )
        return round((whole + fraction) * scale, 6)
    total = 0.0  # completed 亿 groups
    wan = 0.0  # completed 万 group (inside the current 亿 group)
    small = 0.0  # sum of 十/百/千 terms in the current 万 group
    pending: float | None = None
    seen = False
    # (Arabic run, None) or (None, character) tokens; a Chinese numeral without the regex (most of them).
    tokens = (
        zip(repeat(None), text)
        if CHINESE_CHARS.issuperset(text)
        else (match.group("arabic", "char") for match in _TOKEN.finditer(text))
    )
    for arabic, ch in tokens:
        if arabic is not None:
            if pending is not None:
                return None
            pending = float(arabic.replace(",", ""))
            seen = True
        elif ch in CN_DIGITS:
            if CN_DIGITS[ch] == 0:
                if pending is not None:
                    return None
                seen = True
                continue
            if pending is not None:
                return None
            pending = float(CN_DIGITS[ch])
            seen = True
        elif ch in SMALL_UNITS:
            small += (1.0 if pending is None else pending) * SMALL_UNITS[ch]
            pending = None
            seen = True
        elif ch in WAN_CHARS:
            group = 1.0 if small == 0 and pending is None else small + (pending or 0.0)
            wan += group * 1e4
            small, pending = 0.0, None
            seen = True
        elif ch in YI_CHARS:
            group = 1.0 if wan == 0 and small == 0 and pending is None else wan + small + (pending or 0.0)
            total += group * 1e8
            wan, small, pending = 0.0, 0.0, None
            seen = True
        else:
            return None
    if not seen:
        return None
    # Round away binary noise from scaled decimals (12.3456万 → 123456, not 123456.00000000001).
    return round(total + wan + small + (pending or 0.0), 6)
