"""decode_bytes: the charset order, fall-through on lying declarations, counted replacements, binary input."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.decode import codec_for, declared_charsets, decode_bytes
from transforms.errors import UndecodableError

HTML = Path(__file__).resolve().parent / "fixtures" / "html"
TEXT = "示例县二〇二三年度报告：朱镕基路社区完成改造项目3个。"


def test_gbk_page_declaring_gb2312_decodes_as_gb18030_and_keeps_chars_outside_gb2312() -> None:
    decoded = decode_bytes((HTML / "gbk_declared_gb2312.html").read_bytes())
    assert decoded.encoding == "gb18030"
    assert decoded.replaced == 0
    assert "二〇二三" in decoded.text and "朱镕基" in decoded.text and "堃" in decoded.text


def test_utf8_page_declaring_gb2312_is_read_as_utf8() -> None:
    decoded = decode_bytes((HTML / "utf8_declared_gb2312.html").read_bytes())
    assert decoded.encoding == "utf-8"
    assert "朱镕基路社区" in decoded.text and decoded.replaced == 0


def test_gbk_page_declaring_utf8_falls_through_to_gb18030() -> None:
    decoded = decode_bytes((HTML / "gbk_declared_utf8.html").read_bytes())
    assert decoded.encoding == "gb18030"
    assert "朱镕基路社区" in decoded.text and decoded.replaced == 0


def test_http_charset_comes_first() -> None:
    data = f"<html><head><meta charset='utf-8'></head><body>{TEXT}</body></html>".encode("gbk")
    decoded = decode_bytes(data, http_charset="GBK")
    assert decoded.encoding == "gb18030" and TEXT in decoded.text


def test_http_charset_that_fails_falls_through() -> None:
    decoded = decode_bytes(TEXT.encode("gb18030"), http_charset="utf-8")
    assert decoded.encoding == "gb18030" and decoded.text == TEXT


def test_http_charset_may_be_a_whole_content_type() -> None:
    assert codec_for("text/html; charset=GBK") == "gb18030"
    assert decode_bytes(TEXT.encode("gbk"), http_charset='text/html; charset="gb2312"').text == TEXT


def test_unknown_http_charset_is_ignored() -> None:
    assert decode_bytes(TEXT.encode("utf-8"), http_charset="x-no-such-charset").text == TEXT


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
)
def test_bom_decides_and_is_dropped(bom: bytes, codec: str) -> None:
    decoded = decode_bytes(bom + TEXT.encode(codec))
    assert decoded.text == TEXT
    assert decoded.encoding == codecs.lookup(codec).name


def test_meta_declarations_are_read_in_order() -> None:
    data = (
        b'<?xml version="1.0" encoding="GBK"?><html><head>'
        b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        b'<meta charset="utf-8"></head></html>'
    )
    assert declared_charsets(data) == ["GBK", "gb2312", "utf-8"]


@pytest.mark.parametrize("label", ["gb2312", "GB2312", "gbk", "x-gbk", "cp936", "GB_2312-80"])
def test_gb_labels_decode_as_gb18030(label: str) -> None:
    assert codec_for(label) == "gb18030"


def test_plain_utf8_without_declaration() -> None:
    decoded = decode_bytes(TEXT.encode("utf-8"))
    assert (decoded.text, decoded.encoding, decoded.replaced) == (TEXT, "utf-8", 0)


def test_unavoidable_replacement_is_counted() -> None:
    data = ("前文" * 200).encode("utf-8") + b"\xff" + ("后文" * 200).encode("utf-8")
    decoded = decode_bytes(data)
    assert decoded.replaced == 1
    assert decoded.text.count("\ufffd") == 1
    assert decoded.text.startswith("前文") and decoded.text.endswith("后文")


def test_empty_input_is_empty_text() -> None:
    assert decode_bytes(b"").text == ""


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
        bytes(range(256)) * 40,
        b"PK\x03\x04" + b"\x00\x14\x00\x08\x00" * 300,
    ],
)
def test_binary_data_is_undecodable_with_a_one_line_reason(data: bytes) -> None:
    with pytest.raises(UndecodableError) as err:
        decode_bytes(data)
    assert "\n" not in str(err.value) and str(err.value)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=300))
def test_any_utf8_text_round_trips(text: str) -> None:
    assert decode_bytes(text.encode("utf-8")).text == text


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_decode_or_raise_undecodable(data: bytes) -> None:
    try:
        decoded = decode_bytes(data)
    except UndecodableError:
        return
    assert decoded.replaced >= 0 and isinstance(decoded.text, str)
