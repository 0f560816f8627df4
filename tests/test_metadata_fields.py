"""Metadata read from captures and from HTML-side StrippedPages: stated fields filled, unstated ones None."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from transforms.capture_strip import strip_capture
from transforms.metadata import addressee_of, issuer_of, read_metadata, report_year_of, signature_of, title_of
from transforms.model import Metadata, StrippedPage
from transforms.report_kind import report_kind

CAPTURES = Path(__file__).resolve().parent / "fixtures" / "captures"


def metadata_of(name: str) -> Metadata:
    page = strip_capture((CAPTURES / name).read_text(encoding="utf-8"))
    body = "\n".join(page.body_lines)
    return read_metadata(page, page.body_lines, report_kind(title_of(page, body), body))


def stated(metadata: Metadata) -> dict[str, object]:
    return {k: v for k, v in asdict(metadata).items() if v is not None}


def test_every_field_of_a_full_capture():
    assert stated(metadata_of("nav_block_law.txt")) == {
        "title": "示例县人民政府关于2021年度示例县法治政府建设情况的报告",
        "issuer": "示例县人民政府",
        "region_name": "示例县",
        "region_code": "990121",
        "report_year": 2021,
        "published_at": "2022-03-04T14:24",
        "source": "示例县人民政府办公室",
        "doc_number": "示府〔2022〕7号",
        "signer": "李示范",
        "addressee": "示例市人民政府",
        "signed_on": "2022-02-28",
        "contact_person": "王示例",
        "contact_phone": "0999-6089020",
        "cc": "市委依法治市办公室",
    }


def test_a_banner_date_is_never_the_publication_date():
    metadata = metadata_of("banner_date_law.txt")
    assert metadata.published_at == "2021-03-29T11:30:01"
    assert metadata.source == "司法局"
    metadata = metadata_of("accessibility_banner_law.txt")
    assert metadata.published_at == "2024-03-28T09:18"


def test_a_title_naming_only_a_region_has_no_issuer():
    metadata = metadata_of("banner_date_law.txt")
    assert metadata.issuer is None
    assert metadata.region_code == "990121"
    assert metadata_of("accessibility_banner_law.txt").issuer is None


def test_unstated_fields_stay_none():
    metadata = metadata_of("date_source_fontsize_law.txt")
    for name in ("doc_number", "signer", "signed_on", "addressee", "contact_person", "contact_phone", "cc"):
        assert getattr(metadata, name) is None
    body_only = metadata_of("body_only_law.txt")
    assert (body_only.title, body_only.issuer, body_only.published_at, body_only.source) == (None,) * 4


def test_a_body_only_capture_gets_region_and_year_from_its_text():
    metadata = metadata_of("body_only_law.txt")
    assert (metadata.region_code, metadata.report_year) == ("990121", 2022)


def test_a_work_report_covers_the_year_before_its_session():
    metadata = metadata_of("work_report.txt")
    assert metadata.title == "示例县人民政府工作报告"
    assert metadata.issuer == "示例县人民政府"
    assert metadata.report_year == 2021
    assert metadata.addressee == "各位代表"
    assert metadata.source is None


def test_a_traditional_chinese_page_resolves_its_region():
    metadata = metadata_of("traditional_law.txt")
    assert (metadata.region_name, metadata.region_code) == ("示例县", "990121")
    assert metadata.source == "示例縣人民政府"
    assert metadata.published_at == "2023-03-01T10:00"


def test_a_department_report_names_its_department_as_issuer():
    metadata = metadata_of("breadcrumb_disclosure.txt")
    assert metadata.issuer == "示例县司法局"
    assert metadata.region_code == "990121"
    assert metadata.published_at == "2023-01-09T09:38:32"
    assert metadata.contact_phone == "0999-6139361"


def test_the_region_in_the_site_menu_is_not_the_report_region():
    text = (
        "县区、开发区\n\n示例市 其他县 某某区\n\n搜索\n\n"
        "2021年,我县坚持依法行政,扎实推进法治政府建设,示例县政府全年审查规范性文件21件。\n"
    )
    page = strip_capture(text)
    metadata = read_metadata(page, page.body_lines, "law_based_government_annual_report")
    assert metadata.region_code == "990121"


def test_metadata_from_html_meta_tags_and_byline():
    page = StrippedPage(
        body_lines=["2022年,示例县深入推进法治政府建设,现将有关情况报告如下:", "一、主要举措和成效"],
        header_lines=["发布日期：2023-02-10 信息来源：示例县司法局"],
        meta_tags={
            "articletitle": "示例县人民政府2022年法治政府建设年度报告",
            "pubdate": "2023-02-11 08:30",
            "contentsource": "示例县人民政府办公室",
            "sitename": "示例县人民政府",
        },
        title_hint="示例县人民政府2022年法治政府建设年度报告",
        is_html=True,
    )
    metadata = read_metadata(page, page.body_lines, "law_based_government_annual_report")
    assert metadata.title == "示例县人民政府2022年法治政府建设年度报告"
    assert metadata.published_at == "2023-02-11T08:30"
    assert metadata.source == "示例县人民政府办公室"
    assert (metadata.issuer, metadata.region_code, metadata.report_year) == ("示例县人民政府", "990121", 2022)


def test_first_published_meta_tag_dates_a_page_without_a_byline():
    page = StrippedPage(
        body_lines=["2022年,示例县坚持依法行政。", "一、主要举措"],
        meta_tags={"firstpublishedtime": "2023-03-20-23:59:59"},
        title_hint="示例县2022年法治政府建设情况报告",
        is_html=True,
    )
    metadata = read_metadata(page, page.body_lines, "law_based_government_annual_report")
    assert metadata.published_at == "2023-03-20"


def test_byline_without_meta_tags_gives_date_and_source():
    page = StrippedPage(
        body_lines=["2022年,示例县坚持依法行政。"],
        header_lines=["发布日期：2016-11-22 信息来源：省发改委"],
        is_html=True,
    )
    metadata = read_metadata(page, page.body_lines, "law_based_government_annual_report")
    assert (metadata.published_at, metadata.source) == ("2016-11-22", "省发改委")


@pytest.mark.parametrize(
    ("title", "issuer"),
    [
        ("示例县人民政府关于2021年度法治政府建设情况的报告", "示例县人民政府"),
        ("中共示例县委 示例县人民政府 关于2025年度法治政府建设的报告", "中共示例县委 示例县人民政府"),
        ("示例县人民政府办公室2021年政府信息公开工作年度报告", "示例县人民政府办公室"),
        ("示例县人民政府工作报告", "示例县人民政府"),
        ("2020年示例县法治政府建设情况报告", None),
        ("示例县2023年度法治政府建设情况报告", None),
        (None, None),
    ],
)
def test_issuer_is_the_body_heading_the_title(title, issuer):
    assert issuer_of(title) == issuer


@pytest.mark.parametrize(
    ("title", "body", "kind", "header", "year"),
    [
        ("示例县2023年度法治政府建设情况报告", "", "law_based_government_annual_report", None, 2023),
        ("2022年示例县人民政府工作报告", "", "government_work_report", None, 2021),
        (
            None,
            "根据规定,现将2025年度法治政府建设情况报告如下。",
            "law_based_government_annual_report",
            None,
            2025,
        ),
        (
            None,
            "本年度报告中所列数据统计期限从2023年1月1日到12月31日止。",
            "gov_info_disclosure_annual_report",
            None,
            2023,
        ),
        (None, "各位代表:\n第一部分 2021年工作回顾", "government_work_report", ["发布日期:2022-01-20"], 2021),
        (
            None,
            "各位代表:\n过去五年,我们砥砺奋进。",
            "government_work_report",
            ["——2023年1月8日在示例县第十八届人民代表大会第二次会议上"],
            2022,
        ),
        # the publication date is not the year covered: a page that states no year has none
        (None, "我县坚持依法行政。", "law_based_government_annual_report", ["发布日期:2021-03-02"], None),
        (None, "2012年6月24日,新闻发布会举行。", "other", ["发布时间:2012-06-24"], None),
    ],
)
def test_report_year_is_the_year_covered(title, body, kind, header, year):
    assert report_year_of(title, body, kind, header) == year


def test_title_stated_in_the_opening_sentence():
    opening = "根据《条例》规定,现公布示例县2022年政府信息公开工作年度报告。本报告共六部分。"
    page = StrippedPage(body_lines=[opening])
    assert title_of(page, page.body_lines[0]) == "示例县2022年政府信息公开工作年度报告"


def test_addressee_and_signature():
    addressee = addressee_of(["中共示例市委、示例市人民政府:", "2025年,示例县坚持…"])
    assert addressee == "中共示例市委、示例市人民政府"
    assert addressee_of(["一、总体情况"]) is None
    assert addressee_of(["2025年,示例县坚持依法行政。"]) is None
    assert signature_of(["……", "示例县人民政府", "2022年2月28日"]) == ("示例县人民政府", "2022-02-28")
    assert signature_of(["2022年2月28日,县政府召开常务会议。"]) == (None, None)


def test_an_index_table_gives_publisher_as_source_and_issuer_and_its_document_date():
    metadata = metadata_of("index_table_disclosure.txt")
    assert metadata.source == "示例县人民政府办公室"
    assert metadata.published_at is None  # 生成日期 is the document's date, not the page's
    assert metadata.signed_on == "2022-01-20"
    assert metadata.issuer == "示例县人民政府办公室"
    assert (metadata.region_code, metadata.report_year) == ("990121", 2021)
    assert metadata.doc_number is None


def test_a_date_printed_alone_under_the_title_and_a_byline_below_the_text():
    metadata = metadata_of("byline_below_text_law.txt")
    assert metadata.published_at == "2023-02-15"
    assert metadata.source == "示例县司法局"
    page = strip_capture(
        "示例县2022年度法治政府建设情况报告\n2023-02-15 16:20\n"
        "2022年,示例县坚持依法行政,法治政府建设取得新成效。\n"
    )
    body = "\n".join(page.body_lines)
    metadata = read_metadata(page, page.body_lines, report_kind(title_of(page, body), body))
    assert metadata.published_at == "2023-02-15T16:20"


def test_index_table_rows_with_bars_and_spaced_colons():
    metadata = metadata_of("index_rows_disclosure.txt")
    assert metadata.title == "示例县2022年政府信息公开工作年度报告"
    assert metadata.published_at == "2023-01-28T09:12:27"
    assert metadata.source == "示例县政务服务数据管理局"
    assert metadata.signed_on == "2023-01-25"
    assert (metadata.region_code, metadata.report_year) == ("990121", 2022)


def test_a_hotline_in_the_text_is_not_the_contact_phone():
    lines = [
        "示例市人民政府:",
        "2021年,示例县设立投诉举报电话:0999-5555816,全年受理投诉12件。",
        "(联系人:王示例,联系电话:6089020)  抄送:市委依法治市办公室。",
    ]
    metadata = read_metadata(StrippedPage(body_lines=lines), lines, "law_based_government_annual_report")
    assert (metadata.contact_person, metadata.contact_phone) == ("王示例", "6089020")
    assert metadata.cc == "市委依法治市办公室"


def test_contact_lines_printed_in_traditional_characters_are_read():
    lines = [
        "示例市人民政府:",
        "2021年,示例县全年受理行政复议案件12件。",
        "(聯系人:王示例,聯系電話:6089020)",
    ]
    metadata = read_metadata(StrippedPage(body_lines=lines), lines, "law_based_government_annual_report")
    assert (metadata.contact_person, metadata.contact_phone) == ("王示例", "6089020")
    plain = read_metadata(StrippedPage(body_lines=lines[:2]), lines[:2], "law_based_government_annual_report")
    assert (plain.contact_person, plain.contact_phone, plain.cc) == (None, None, None)
