"""read_document on capture bytes: kinds, sections, and ok=False with a one-line reason for non-reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from transforms.document import read_document
from transforms.model import Page
from transforms.report_kind import not_a_report_reason, report_kind

CAPTURES = Path(__file__).resolve().parent / "fixtures" / "captures"


def read(name: str, data: bytes | None = None):
    return read_document(Page(name=name, data=data if data is not None else (CAPTURES / name).read_bytes()))


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("nav_block_law.txt", "law_based_government_annual_report"),
        ("breadcrumb_disclosure.txt", "gov_info_disclosure_annual_report"),
        ("work_report.txt", "government_work_report"),
        ("traditional_law.txt", "law_based_government_annual_report"),
        ("body_only_law.txt", "law_based_government_annual_report"),
    ],
)
def test_reports_are_read_with_their_kind(name, kind):
    report = read(name)
    assert report.ok and report.error is None
    assert report.kind == kind
    assert report.sections and report.sections[0].level == 1
    assert report.content_sha256 and len(report.content_sha256) == 64


@pytest.mark.parametrize(
    ("name", "reason_part"),
    [
        ("empty_chrome_only.txt", "no report text"),
        ("list_page.txt", "no report text"),
        ("page_not_found.txt", "error page"),
    ],
)
def test_non_reports_fail_with_a_one_line_reason(name, reason_part):
    report = read(name)
    assert not report.ok
    assert reason_part in report.error
    assert "\n" not in report.error
    assert report.body == "" and report.sections == []


def test_an_empty_file_is_not_a_report():
    report = read("empty.txt", b"")
    assert not report.ok and report.error


def test_binary_data_is_undecodable():
    report = read("binary.bin", bytes(range(256)) * 20)
    assert not report.ok and report.error


def test_a_gbk_capture_reads_like_the_utf8_one():
    text = (CAPTURES / "nav_block_law.txt").read_text(encoding="utf-8")
    utf8, gbk = read("a.txt", text.encode("utf-8")), read("b.txt", text.encode("gb18030"))
    assert gbk.ok and gbk.encoding != "utf-8"
    assert (gbk.metadata, gbk.body) == (utf8.metadata, utf8.body)


def test_replaced_characters_are_reported_as_a_warning():
    data = (CAPTURES / "nav_block_law.txt").read_bytes()
    cut = data.index("2021年,我县".encode())
    report = read("damaged.txt", data[:cut] + b"\xff" + data[cut:])
    assert report.ok
    assert report.replaced_chars >= 1
    assert any("replaced" in w for w in report.warnings)


def test_kind_from_title_then_from_the_body():
    assert report_kind("示例县2022年政府信息公开工作年度报告", "") == "gov_info_disclosure_annual_report"
    assert report_kind(None, "本报告根据《中华人民共和国政府信息公开条例》编制。法治政府建设…") == (
        "gov_info_disclosure_annual_report"
    )
    assert report_kind(None, "2022年,示例县全面推进法治政府建设。") == "law_based_government_annual_report"
    work = "各位代表:\n现在,我代表县人民政府,向大会报告政府工作"
    assert report_kind(None, work) == "government_work_report"
    assert report_kind("示例县召开春耕生产动员会", "会议要求各乡镇抓好春耕。") == "other"


def test_an_article_of_no_known_kind_is_kept_as_other_with_a_warning():
    text = (
        "示例县召开春耕生产动员会\n3月1日,示例县召开春耕生产动员会。会议要求各乡镇抓好春耕生产,"
        "确保粮食播种面积稳定。会议还部署了农资供应、农机调度和技术服务等工作,要求各部门密切配合,"
        "及时解决春耕生产中遇到的困难和问题。\n"
    )
    report = read("news.txt", text.encode())
    assert report.ok and report.kind == "other"
    assert report.warnings


def test_short_text_and_link_lists_are_not_reports():
    assert "too little text" in not_a_report_reason(None, "示例县2022年报告。见附件。", "other")
    links = "\n".join(f"示例县第{i}期工作简报 2022-0{i}-01" for i in range(1, 9))
    assert "no sentences" in not_a_report_reason(None, links, "other")
