"""Chrome removal on text captures: body start, chrome lines dropped, header lines and title set apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from transforms.capture_strip import clean_lines, is_chrome_line, strip_capture

CAPTURES = Path(__file__).resolve().parent / "fixtures" / "captures"


def strip(name: str):
    return strip_capture((CAPTURES / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("name", "first_line", "title"),
    [
        ("nav_block_law.txt", "示例市人民政府:", "示例县人民政府关于2021年度示例县法治政府建设情况的报告"),
        ("banner_date_law.txt", "2020年,示例县坚持", "2020年示例县法治政府建设情况报告"),
        ("accessibility_banner_law.txt", "2023年,示例县坚持", "示例县2023年度法治政府建设情况报告"),
        ("date_source_fontsize_law.txt", "2024年,示例县坚持", "示例县人民政府2024年法治政府建设年度情况报告"),
        (
            "breadcrumb_disclosure.txt",
            "根据《中华人民共和国政府信息公开条例》",
            "示例县司法局2022年政府信息公开工作年度报告",
        ),
        ("work_report.txt", "各位代表:", "示例县人民政府工作报告"),
        ("traditional_law.txt", "2022年,示例縣政府堅持", "示例縣2022年法治政府建設情況報告"),
        ("body_only_law.txt", "2022年,示例县政府坚持", None),
    ],
)
def test_body_starts_at_the_report_text_and_title_is_the_printed_one(name, first_line, title):
    page = strip(name)
    assert page.body_lines[0].startswith(first_line)
    assert page.title_hint == title
    assert page.is_html is False


@pytest.mark.parametrize(
    ("name", "chrome"),
    [
        (
            "nav_block_law.txt",
            ["关闭", "搜索", "示例县 示例市 示例新区 经济开发区", "县区、开发区", "(责任编辑:赵编辑) [纠错]"],
        ),
        (
            "banner_date_law.txt",
            ["今天是:2019年10月31日 星期三 农历十月初七", "您所在的位置:政务公开 > 工作报告"],
        ),
        ("accessibility_banner_law.txt", ["示例县人民政府 2019年12月3日星期二", "无障碍 简体| 繁体"]),
        ("date_source_fontsize_law.txt", ["分享:", "字号:"]),
        (
            "breadcrumb_disclosure.txt",
            [
                "网站首页 政府信息公开 互动交流",
                "示例县司法局>政府信息公开>信息公开工作年度报告",
                "网站标识码:9901210001 示ICP备00000000号",
            ],
        ),
    ],
)
def test_chrome_lines_never_reach_the_body_or_the_header(name, chrome):
    page = strip(name)
    kept = set(page.body_lines) | set(page.header_lines)
    for line in chrome:
        assert line not in kept


def test_header_lines_are_set_apart_and_the_repeated_title_dropped():
    page = strip("nav_block_law.txt")
    assert "发布时间:2022-03-04 14:24 信息来源:示例县人民政府办公室" in page.header_lines
    assert "示府〔2022〕7号" in page.header_lines
    assert "签发人:李示范" in page.header_lines
    title = "示例县人民政府关于2021年度示例县法治政府建设情况的报告"
    assert title not in page.body_lines
    assert not any(line.startswith(("发布时间", "签发人", "示府〔")) for line in page.body_lines)


def test_the_signing_block_and_cc_stay_in_the_body_but_footer_links_do_not():
    page = strip("nav_block_law.txt")
    assert page.body_lines[-3:] == [
        "示例县人民政府",
        "2022年2月28日",
        "(联系人:王示例,联系电话:0999-6089020)  抄送:市委依法治市办公室。",
    ]
    disclosure = strip("breadcrumb_disclosure.txt")
    assert not any(line.startswith(("上一篇", "下一篇")) for line in disclosure.body_lines)


def test_a_work_report_keeps_its_delivery_lines_out_of_the_body():
    page = strip("work_report.txt")
    assert page.body_lines[0] == "各位代表:"
    assert "人民代表大会第一次会议上" in page.header_lines
    assert "示例县人民政府县长" in page.header_lines
    assert "2022年示例县人民政府工作报告" in page.header_lines


def test_a_title_printed_over_two_lines_is_joined():
    text = "示例县人民政府\n\n关于2024年法治政府建设报告\n示例县坚持以习近平法治思想为指导,推进依法行政。\n"
    page = strip_capture(text)
    assert page.title_hint == "示例县人民政府关于2024年法治政府建设报告"
    assert page.body_lines == ["示例县坚持以习近平法治思想为指导,推进依法行政。"]


def test_a_column_name_ending_in_report_is_not_a_title():
    page = strip_capture("政府信息公开年度报告\n本报告依据《政府信息公开条例》编制,现予公布。\n")
    assert page.title_hint is None


def test_pages_without_report_text_have_an_empty_body():
    assert strip("empty_chrome_only.txt").body_lines == []
    assert strip("list_page.txt").body_lines == []


def test_clean_lines_trims_ideographic_and_no_break_spaces():
    assert clean_lines("\u3000\u3000第一行\xa0\xa0\r\n\n  \n第二行") == ["第一行", "第二行"]


@pytest.mark.parametrize(
    "line",
    [
        "【打印】【关闭】",
        "[打印本页] [关闭窗口]",
        "【字体：大 中 小】",
        "浏览次数:2012",
        "上一篇:示例县关于…的通知",
        "主办单位:示例县人民政府办公室",
        "地址:示例县人民路1号 邮编:990121 电话:0999-1234567",
    ],
)
def test_common_buttons_counters_and_footers_are_chrome(line):
    assert is_chrome_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "返回乡创业人员达到1200人,同比增长12%。",
        "一、总体情况",
        "示例县人民政府",
        "2022年2月28日",
        "(联系人:王示例,联系电话:0999-6089020)",
    ],
)
def test_report_lines_are_not_chrome(line):
    assert not is_chrome_line(line)


def test_an_index_table_header_is_metadata_and_footer_links_are_dropped():
    page = strip("index_table_disclosure.txt")
    assert page.title_hint == "示例县人民政府办公室2021年政府信息公开工作年度报告"
    assert page.body_lines[0].startswith("本报告依据")
    assert page.body_lines[-1] == "2021年,示例县人民政府办公室主动公开政府信息1280条。"
    assert "发布机构：示例县人民政府办公室" in page.header_lines
    assert "主题词：" in page.header_lines


def test_a_byline_printed_below_the_text_is_header_not_body():
    page = strip("byline_below_text_law.txt")
    assert page.body_lines[0].startswith("2022年,示例县坚持")
    assert page.body_lines[-1] == "(一)深化“放管服”改革。全年精简审批事项23项。"
    assert "发布日期：2023-02-15  来源：示例县司法局" in page.header_lines


def test_delivery_subtitles_and_speaker_lines_do_not_start_the_body():
    text = (
        "示例县人民政府工作报告\n——2022年1月10日在示例县第十届人民代表大会第一次会议上,\n"
        "示例县人民政府县长 张示例\n各位代表:\n现在,我代表县人民政府,向大会报告政府工作,请予审议。\n"
    )
    page = strip_capture(text)
    assert page.body_lines[0] == "各位代表:"


def test_table_rows_in_the_body_are_kept():
    page = strip("index_rows_disclosure.txt")
    assert page.body_lines[-2:] == ["指标 | 本年新制作数量 | 本年新公开数量", "规章 | 0 | 0"]
    assert not any("打印" in line or "字体" in line for line in page.body_lines)
