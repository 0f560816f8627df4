"""Templates that pages of unseen provinces showed, as synthetic 示例县 captures: every metadata
field (null when the page does not state it), where the body starts, and no header or chrome line in
the body."""

from __future__ import annotations

from pathlib import Path

import pytest

from transforms.document import read_document
from transforms.model import METADATA_FIELDS, Page

UNSEEN = Path(__file__).resolve().parent / "fixtures" / "unseen"
COUNTY = dict(region_name="示例县", region_code="990121")

CASES = {
    # an unlabelled page-info block (index number, category, office, dates as bullets) printed above
    # the title: its date is the publication date; the office, printed without a label, is no issuer
    "info_block_title_law.txt": (
        dict(title="示例县2023年法治政府建设工作报告", report_year=2023, published_at="2024-03-18"),
        "2023年,县政府把法治政府建设列入",
        ("990121000123456789/2024-00031", "示例县司法局", "2024-03-18", "关怀版", "您当前位置"),
    ),
    # the headline, then the joint issuers and the title's tail one per line
    "joint_issuers_title_law.txt": (
        dict(
            title="中共示例县委示例县人民政府2023年法治政府建设情况报告",
            issuer="中共示例县委示例县人民政府",
            report_year=2023,
            published_at="2024-03-20",
        ),
        "2023年以来,示例县县委县政府同题共答",
        ("中共示例县委", "示例县人民政府", "日期", "首页"),
    ),
    # a letter-spaced 政府工作报告, its delivery line broken before the session, the speaker's line
    "work_report_letter_spaced.txt": (
        dict(
            title="政府工作报告",
            issuer="示例县人民政府",
            report_year=2023,
            signer="王某某",
            addressee="各位代表",
            signed_on="2024-01-12",
        ),
        "各位代表:",
        (
            "政府工作报告",
            "——2024年1月12日在示例县",
            "第十八届人民代表大会第三次会议上",
            "示例县人民政府代理县长 王某某",
        ),
    ),
    # index rows without colons and a letter-spaced 索 引 号; the delivery line with the speaker on it
    # (no dash); the delivery date wins over the index's 成文日期; 发布机构 is the issuer when nothing
    # else names one
    "work_report_index_speaker_inline.txt": (
        dict(
            title="2019年政府工作报告",
            issuer="县政府办",
            report_year=2018,
            published_at="2019-02-18T08:40",
            source="示例县政府网",
            signer="赵某某",
            addressee="各位代表",
            signed_on="2019-02-11",
        ),
        "各位代表:",
        ("索 引 号", "发布机构", "通讯员", "分享", "代县长"),
    ),
    # the whole page on one line
    "one_line_page_law.txt": (
        dict(
            title="示例县2022年法治政府建设年度报告",
            report_year=2022,
            published_at="2023-03-10T09:30",
            source="示例县司法局",
        ),
        "2022年,示例县坚持以习近平法治思想为指导",
        ("首页", "发布时间", "来源"),
    ),
    # a one-line page with a flattened index table: 发布机构 is the issuer (the title names none)
    "one_line_index_table_law.txt": (
        dict(
            title="示例县2022年法治政府建设年度报告",
            issuer="县司法局",
            report_year=2022,
            published_at="2023-03-10T09:30",
            source="示例县司法局",
            addressee="示例市人民政府",
            signed_on="2023-03-07",
        ),
        "示例市人民政府:",
        ("索引号", "成文日期", "首页", "来源"),
    ),
    # no title, no header: the year from the first sentence (the kind from its 法治 wording)
    "body_only_rule_of_law.txt": (dict(report_year=2023), "2023年,在市委、市政府的正确领导下", ()),
    # an index table in rows without colons: 发布机构 as source, 备注/文号 as doc_number, 生成日期 as
    # signed_on, the byline's 发布日期 with its time
    "spaced_index_rows_law.txt": (
        dict(
            title="示例县人民政府关于2022年度法治政府建设情况的报告",
            issuer="示例县人民政府",
            report_year=2022,
            published_at="2023-02-03T10:12:45",
            source="县府办",
            doc_number="示政发〔2023〕4号",
            signed_on="2023-02-03",
        ),
        "2022年以来,示例县围绕“办事不求人”目标",
        ("信息索引号", "备注/文号", "生成日期", "点击率", "附件"),
    ),
    # an index table flattened to label:|value| cells, the same values printed again unlabelled, no title
    "flattened_index_table_law.txt": (
        dict(
            issuer="县府办",
            report_year=2022,
            published_at="2023-03-07T16:05",
            source="县政府办",
            signed_on="2023-03-07",
        ),
        "2022年,示例县围绕示例市部署",
        ("索引号", "县府办", "主动公开", "访问次数", "信息来源", "当前位置"),
    ),
    # skip link, screen-reader and care-mode toggles; a table of contents repeating the headings
    "accessibility_toc_law.txt": (
        dict(
            title="示例县人民政府关于2023年度法治政府建设情况的报告",
            issuer="示例县人民政府",
            report_year=2023,
            published_at="2024-03-05",
            source="示例县司法局",
            addressee="示例市人民政府",
        ),
        "示例市人民政府:",
        ("跳转到主要内容", "启用读屏", "目录", "门户网站"),
    ),
    # a mirror site's disclaimer and its banner timestamp; the title wrapped in 【province】…(全文); the
    # info line's unlabelled date beside 来源 is the publication date
    "mirror_wrapped_title_law.txt": (
        dict(
            title="示例县人民政府关于2023年度法治政府建设情况的报告",
            issuer="示例县人民政府",
            report_year=2023,
            published_at="2024-04-02T08:15:20",
            source="示例县人民政府",
            addressee="示例市人民政府",
        ),
        "示例市人民政府:",
        ("免责声明", "发布于", "(全文)", "更新于"),
    ),
    # a bracketed document number printed before the title on its line
    "doc_number_title_law.txt": (
        dict(
            title="示例县人民政府关于2023年度法治政府建设情况的报告",
            issuer="示例县人民政府",
            report_year=2023,
            published_at="2024-03-01",
            doc_number="示政报〔2024〕3号",
            addressee="示例市人民政府",
        ),
        "示例市人民政府:",
        ("示政报",),
    ),
    # a slogan and a long index cell that read like sentences above a title broken mid-phrase
    "broken_title_slogan_law.txt": (
        dict(
            title="示例县2023年法治政府建设情况报告",
            report_year=2023,
            published_at="2024-03-26",
            source="示例县司法局",
        ),
        "2023年,示例县深入学习",
        ("建设法治示例", "内容概述", "建设情况报告"),
    ),
    # a term's report (换届) covers five years: no single report year
    "term_report_work.txt": (
        dict(title="2021年换届政府工作报告", published_at="2021-11-10"),
        "一、本届政府主要工作回顾",
        ("门户网站", "发布日期"),
    ),
}


def _read(name: str):
    return read_document(Page(name=name, data=(UNSEEN / name).read_bytes()))


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_metadata_field_and_null_when_unstated(name):
    expected, _, _ = CASES[name]
    report = _read(name)
    assert report.ok, report.error
    stated = {key: getattr(report.metadata, key) for key in METADATA_FIELDS}
    assert stated == {key: expected.get(key) for key in METADATA_FIELDS} | COUNTY


@pytest.mark.parametrize("name", sorted(CASES))
def test_body_starts_at_the_report_text_without_header_or_chrome(name):
    _, first, leaks = CASES[name]
    report = _read(name)
    lines = report.body.split("\n")
    assert lines[0].startswith(first)
    for leak in leaks:
        assert not any(leak in line for line in lines), (leak, lines[:3])


HTML_CASES = {
    # <title> is only the site's name and no heading prints a title: no title, no issuer
    "site_name_title_page.html": (
        dict(report_year=2023, published_at="2024-03-12", source="示例县司法局"),
        "2023年，示例县坚持",
    ),
    # <title> and the only heading are the column's name (法治政府建设年度报告): no title
    "column_name_title_page.html": (
        dict(report_year=2023, published_at="2024-03-15"),
        "2023年，示例县扎实推进",
    ),
    # a 政府工作报告 article whose text opens with the delivery and speaker lines: they give signed_on,
    # signer and issuer, and the text starts at the addressee
    "work_report_speaker_page.html": (
        dict(
            title="政府工作报告",
            issuer="示例县人民政府",
            report_year=2023,
            published_at="2024-01-20T09:00",
            source="示例县人民政府办公室",
            signer="王某某",
            addressee="各位代表",
            signed_on="2024-01-12",
        ),
        "各位代表：",
    ),
    # the heading prints the title, the delivery line and the speaker together; the signing body and date
    # share the last line
    "work_report_title_block_page.html": (
        dict(
            title="政府工作报告",
            issuer="示例县人民政府",
            report_year=2022,
            published_at="2023-01-16T10:30",
            source="示例县人民政府办公室",
            signer="王某某",
            addressee="各位代表",
            signed_on="2023-01-09",
        ),
        "各位代表：",
    ),
}


@pytest.mark.parametrize("name", sorted(HTML_CASES))
def test_html_title_is_never_the_site_or_column_name(name):
    expected, first = HTML_CASES[name]
    report = _read(name)
    assert report.ok, report.error
    stated = {key: getattr(report.metadata, key) for key in METADATA_FIELDS}
    assert stated == {key: expected.get(key) for key in METADATA_FIELDS} | COUNTY
    assert report.body.startswith(first)


@pytest.mark.parametrize(
    ("line", "values", "undated"),
    [
        # the page-info line's date printed before its labels is the unlabelled publication date
        ("2023-03-07 来源:示例县司法局 浏览次数:", {"source": "示例县司法局"}, "2023-03-07"),
        # a byline role printed with no name is not part of the value
        ("信息来源:示例县政府网 通讯员", {"source": "示例县政府网"}, None),
        # a flattened index table: label:|value| cells
        (
            "发布机构: | 县府办 | 成文日期: | 2023-03-07 |",
            {"publisher": "县府办", "signed_on": "2023-03-07"},
            None,
        ),
        # rows without colons, a letter-spaced label
        (
            "索 引 号 990121/2020-00088 成文日期 2020-12-24",
            {"index_number": "990121/2020-00088", "signed_on": "2020-12-24"},
            None,
        ),
        (
            "发文机关 示例县人民政府 成文日期 2023-01-05",
            {"publisher": "示例县人民政府", "signed_on": "2023-01-05"},
            None,
        ),
    ],
)
def test_header_lines_in_other_words(line, values, undated):
    from transforms.header_fields import parse_header_lines

    parsed = parse_header_lines([line])
    assert {k: v for k, v in parsed.values.items() if k != "index_info"} == values
    assert parsed.unlabeled_date == undated


@pytest.mark.parametrize(
    "line",
    [
        "跳转到主要内容",
        "启用读屏 | 关怀模式 | 无障碍",
        "关怀版",
        "切换到关怀版",
        "长辈版",
        "目录",
        "一、主要举措和成效……………3",
        "免责声明:本站收录的文章来源于网络,仅供参考",
        "分享至:",
        "下载附件",
        "点击率:125",
        "适老化无障碍服务",
        "打开手机扫一扫",
        "扫码查看手机版",
        "手机查看",
        "本网站支持IPv6",
        "当前位置 首页 政务公开",
        "首页·政务公开·法治政府建设",
        "您当前位置:首页/政务公开/法治政府建设",
        "推荐阅读",
    ],
)
def test_chrome_in_other_words(line):
    from transforms.capture_strip import is_chrome_line

    assert is_chrome_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "推行“扫码亮证”执法,覆盖执法人员1200名",
        "扫码办事",
        "全县无障碍设施改造完成56处。",
        "目录管理",
        "以上数据仅供参考。",
        "阿卜杜·热合曼·买买提",
    ],
)
def test_report_text_with_chrome_words_is_not_chrome(line):
    from transforms.capture_strip import is_chrome_line

    assert not is_chrome_line(line)


@pytest.mark.parametrize(
    ("title", "delivered", "kept"),
    [
        ("示例县人民政府门户网站", False, False),
        ("法治政府建设年度报告", False, False),
        ("政府信息公开工作年度报告", False, False),
        ("政府工作报告", False, False),
        ("政府工作报告", True, True),  # a bare 政府工作报告 with its delivery line printed
        ("示例县法治政府建设年度报告", False, True),  # names its region: a report's title
        ("2022年法治政府建设年度报告", False, True),  # names its year
    ],
)
def test_a_site_or_column_name_is_never_a_title(title, delivered, kept):
    from transforms.metadata import plausible_title

    assert (plausible_title(title, delivered) == title) is kept


@pytest.mark.parametrize(
    ("printed", "title"),
    [
        # in book-title marks; with its date after it; with its session year (part of it); a mirror's wrapping
        ("《示例县2022年法治政府建设情况报告》", "示例县2022年法治政府建设情况报告"),
        ("示例县2022年法治政府建设情况报告（2023年3月1日）", "示例县2022年法治政府建设情况报告"),
        ("示例县人民政府工作报告(2023年)", "示例县人民政府工作报告(2023年)"),
        ("【示例省】示例县2022年法治政府建设情况报告（全文）", "示例县2022年法治政府建设情况报告"),
    ],
)
def test_title_forms(printed, title):
    from transforms.capture_strip import strip_capture

    opening = "各位代表：\n现在，我代表县人民政府向大会报告工作，请予审议。"
    page = strip_capture(f"{printed}\n来源单位：示例县司法局\n{opening}")
    assert page.title_hint == title
    assert page.body_lines[0] == "各位代表："


def test_an_index_list_of_bulleted_labels_with_values_below():
    from transforms.capture_strip import strip_capture
    from transforms.header_fields import parse_header_lines

    page = strip_capture(
        "  • 发布机构:\n\n    县府办\n\n  • 成文日期:\n\n    2023-03-07\n\n  • 文号:\n\n  • 有效性:\n\n"
        "示例县2022年法治政府建设年度报告\n发布时间:2023-03-08 09:30\n"
        "2022年,示例县把法治要求贯穿政府工作各环节,行政决策、执法和服务更加规范。\n"
    )
    values = parse_header_lines(page.header_lines).values
    assert (values["publisher"], values["signed_on"], values["published_at"]) == (
        "县府办",
        "2023-03-07",
        "2023-03-08T09:30",
    )
    assert "doc_number" not in values
    assert page.body_lines[0].startswith("2022年,示例县")


@pytest.mark.parametrize(
    ("tail", "signature"),
    [
        (["……", "示例县人民政府", "2023年3月1日"], ("示例县人民政府", "2023-03-01")),
        (["……", "示例县人民政府 2023年3月1日"], ("示例县人民政府", "2023-03-01")),  # on one line
        (["……", "示例县司法局\u3000二〇二三年三月十日"], ("示例县司法局", "2023-03-10")),
        (["2023年3月1日,县政府召开常务会议。"], (None, None)),
    ],
)
def test_signing_block(tail, signature):
    from transforms.metadata import signature_of

    assert signature_of(tail) == signature
