"""strip_html on synthetic 示例县 pages: known CMS containers, the density fallback, traps, non-articles."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.decode import decode_bytes
from transforms.errors import NotAReportError
from transforms.html_strip import looks_like_html, strip_html
from transforms.model import StrippedPage
from transforms.parse_budget import check_parse_budget

HTML = Path(__file__).resolve().parent / "fixtures" / "html"

PARAGRAPHS = [
    "2023年，示例县人民政府坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党中央、国务院关于"
    "法治政府建设的决策部署，现将有关情况报告如下。",
    "一、主要工作及成效",
    "（一）依法全面履行政府职能。深化“放管服”改革，全年取消和下放行政审批事项12项，政务服务事项网上可办率"
    "达到98.5%。",
    "（二）健全依法行政制度体系。全年审查县政府规范性文件8件，合法性审查率100%，清理规章和规范性文件35件。",
    "（三）严格规范公正文明执法。全县共办理行政处罚案件1234件，组织执法人员培训6期，培训420人次。",
    "二、存在的不足",
    "一是法治宣传的针对性还不够强；二是基层执法力量仍较薄弱。",
    "三、下一步工作安排",
    "2024年，我县将继续深入推进法治政府建设，为示例县高质量发展提供坚实法治保障。",
]
TABLE_ROWS = ["指标\t2022年\t2023年", "行政复议案件（件）\t15\t18", "行政诉讼案件（件）\t9\t7"]
SIGNATURE = ["示例县人民政府", "2024年1月20日"]
TITLE = "示例县人民政府关于2023年法治政府建设情况的报告"
CHROME = [
    "首页",
    "搜索",
    "今天是",
    "当前位置",
    "分享到",
    "微信",
    "相关链接",
    "打印本页",
    "关闭窗口",
    "网站标识码",
    "ICP备",
    "热点新闻",
    "相关新闻",
    "字号",
    "栏目导航",
    "广告",
]


def strip_fixture(name: str, **kwargs: object) -> StrippedPage:
    text = decode_bytes((HTML / name).read_bytes()).text
    return strip_html(text, **kwargs)  # type: ignore[arg-type]


def assert_no_chrome(page: StrippedPage) -> None:
    body = "\n".join(page.body_lines)
    leaked = [word for word in CHROME if word in body]
    assert not leaked, f"chrome in body: {leaked}"


def test_trs_page_body_is_the_article_with_table_rows() -> None:
    page = strip_fixture("trs_article.html")
    assert page.body_lines == PARAGRAPHS[:5] + TABLE_ROWS + PARAGRAPHS[5:] + SIGNATURE
    assert page.is_html and page.title_hint == TITLE
    assert_no_chrome(page)


def test_trs_page_meta_tags_are_lowercased() -> None:
    meta = strip_fixture("trs_article.html").meta_tags
    assert meta["articletitle"] == TITLE
    assert meta["pubdate"] == "2024-01-25 09:30"
    assert meta["contentsource"] == "示例县司法局"
    assert meta["sitename"] == "示例县人民政府"
    assert meta["siteidcode"] == "9901210001"
    assert meta["columnname"] == "法治政府建设"
    assert meta["url"].endswith("t20240125_100001.html")
    assert {"keywords", "description"} <= meta.keys()


def test_stale_alt_attributes_never_reach_the_byline() -> None:
    header = strip_fixture("trs_article.html").header_lines
    assert header == ["时间：2024-01-25 09:30 来源：示例县司法局"]
    assert "2017-11-08" not in " ".join(header) and "县政府办公室" not in " ".join(header)


def test_hanweb_page_with_cms_comment_markers() -> None:
    page = strip_fixture("hanweb_article.html")
    assert page.body_lines == PARAGRAPHS + SIGNATURE
    assert page.header_lines == ["发布日期：2024-01-26 浏览次数： 信息来源：示例县人民政府"]
    assert page.meta_tags["pubdate"] == "2024-01-26 10:05"
    assert "siteidcode" not in page.meta_tags  # an empty meta value is no value
    assert not any("$[" in line or "ZJEG" in line for line in page.body_lines)
    assert_no_chrome(page)


def test_unknown_template_keeps_paragraphs_split_across_containers() -> None:
    page = strip_fixture("unknown_template.html")
    assert page.body_lines == PARAGRAPHS + TABLE_ROWS + SIGNATURE
    assert page.header_lines == ["发布时间：2024-01-27 08:00:00 来源：示例县融媒体中心 作者：张三"]
    assert page.title_hint == TITLE
    assert_no_chrome(page)


@pytest.mark.parametrize("name", ["trs_article.html", "hanweb_article.html", "stray_html_close.html"])
def test_density_fallback_finds_the_same_body_as_the_container_table(name: str) -> None:
    with_table = strip_fixture(name)
    without = strip_fixture(name, use_known_containers=False)
    assert without.body_lines == with_table.body_lines
    assert without.header_lines == with_table.header_lines


def test_stray_early_html_close_does_not_lose_the_body() -> None:
    page = strip_fixture("stray_html_close.html")
    assert page.body_lines == PARAGRAPHS
    assert page.title_hint == TITLE
    assert page.meta_tags["firstpublishedtime"] == "2024-01-28-10:00:00"


@pytest.mark.parametrize(
    "name", ["gbk_declared_gb2312.html", "utf8_declared_gb2312.html", "gbk_declared_utf8.html"]
)
def test_pages_in_any_encoding_give_the_same_body(name: str) -> None:
    page = strip_fixture(name)
    assert page.body_lines[0] == "示例县二〇二三年度报告：朱镕基路社区、堃字片区共完成改造项目3个。"
    assert page.body_lines[1:] == PARAGRAPHS[:3]


def _big_page(text_paragraphs: list[str]) -> str:
    """~400 KB of navigation, scripts and link lists around a few hundred characters of text."""
    links = "".join(f'<li><a href="/col/{i}.html">示例县栏目{i:04d}</a></li>' for i in range(3000))
    script = "<script>var cfg = {" + ",".join(f'"k{i}": "{"值" * 20}"' for i in range(1200)) + "};</script>"
    paragraphs = "".join(f"<p>{p}</p>" for p in text_paragraphs)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{TITLE}_示例县人民政府</title>"
        f"{script}</head><body><div class='menu'><ul>{links}</ul></div>"
        f"<div class='main'><h1>{TITLE}</h1><div class='con'>{paragraphs}</div></div>"
        f"<div class='links'><ul>{links}</ul></div></body></html>"
    )


def test_400kb_page_with_a_few_hundred_characters_of_text() -> None:
    wanted = [PARAGRAPHS[0], PARAGRAPHS[2], PARAGRAPHS[8]]
    html = _big_page(wanted)
    assert len(html.encode("utf-8")) > 400_000
    assert sum(len(p) for p in wanted) < 400
    page = strip_html(html)
    assert page.body_lines == wanted
    assert page.title_hint == TITLE


def test_host_override_picks_its_own_container(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = Path(__file__).resolve().parents[1] / "config"
    for source in config.glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    rules = (tmp_path / "containers.yaml").read_text(encoding="utf-8")
    rules = rules.replace("hosts:\n", 'hosts:\n  "www.shili.example.gov.cn": ["#special-body"]\n', 1)
    (tmp_path / "containers.yaml").write_text(rules, encoding="utf-8")
    monkeypatch.setenv("NIANBAO_CONFIG", str(tmp_path))
    html = (
        "<html><body><div class='TRS_Editor'><p>模板默认位置的文字，示例县的提要。</p></div>"
        "<div id='special-body'><p>示例县站点专用容器中的正文，共计3段。</p></div></body></html>"
    )
    assert strip_html(html, url="http://www.shili.example.gov.cn/a/1.html").body_lines == [
        "示例县站点专用容器中的正文，共计3段。"
    ]
    assert strip_html(html, url="http://other.example.gov.cn/a/1.html").body_lines == [
        "模板默认位置的文字，示例县的提要。"
    ]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("hanweb_list.html", "list page: 15 records"),
        ("list_page.html", "list page"),
        ("not_found.html", "页面不存在"),
        ("empty.html", "no text content"),
    ],
)
def test_pages_that_are_not_reports(name: str, reason: str) -> None:
    with pytest.raises(NotAReportError) as err:
        strip_fixture(name)
    assert reason in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("text", ["", "   \n\t  ", "<html><body></body></html>"])
def test_empty_documents_are_not_reports(text: str) -> None:
    with pytest.raises(NotAReportError):
        strip_html(text)


def test_looks_like_html() -> None:
    for name in ("trs_article.html", "hanweb_article.html", "unknown_template.html", "not_found.html"):
        assert looks_like_html(decode_bytes((HTML / name).read_bytes()).text), name
    assert looks_like_html("<!-- saved from url=(0042)http://www.shili.example.gov.cn/ -->\n<html><body>")
    assert not looks_like_html("示例县人民政府\n发布时间：2024-01-25\n" + "\n".join(PARAGRAPHS))
    assert not looks_like_html("一、主要工作：推进<依法行政>，全年办理案件12件。")


def test_text_straight_in_body_with_br_lines() -> None:
    html = "<html><body>" + "<br>".join(PARAGRAPHS[:3]) + "<br></body></html>"
    assert strip_html(html).body_lines == PARAGRAPHS[:3]


def test_preformatted_report_keeps_its_lines() -> None:
    html = "<html><body><div class='main'><pre>" + "\n".join(PARAGRAPHS) + "\n</pre></div></body></html>"
    assert strip_html(html).body_lines == PARAGRAPHS


def test_inline_markup_inside_a_paragraph_stays_one_line() -> None:
    html = (
        "<div class='wz'><p><span>全县共办理</span><strong>行政处罚案件</strong>"
        "<font color=red>1234件</font>，<a href='/x'>详见附表</a>。</p>"
        "<p>" + PARAGRAPHS[0] + "</p></div>"
    )
    assert strip_html(html).body_lines == ["全县共办理行政处罚案件1234件，详见附表。", PARAGRAPHS[0]]


XXGK_BODY = [
    "本报告根据《中华人民共和国政府信息公开条例》要求，由示例县人民政府办公室编制。全文包括总体情况、主动公开"
    "政府信息情况等内容。",
    "一、总体情况",
    "2023年，示例县人民政府办公室认真贯彻落实政府信息公开工作要求，全年主动公开政府信息2356条，受理依申请公开"
    "21件。",
    "二、主动公开政府信息情况",
    "第二十条第（一）项",
    "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
    "规章\t0\t0\t0",
    "行政规范性文件\t6\t2\t41",
    "三、收到和处理政府信息公开申请情况",
    "本年新收政府信息公开申请数量\t21",
    "上年结转政府信息公开申请数量\t2",
    "四、存在的主要问题及改进情况",
    "一是公开内容的规范性有待提升；二是解读回应的形式还不够丰富。2024年将进一步加强培训。",
]


def test_disclosure_report_with_metadata_table_and_statistics_tables() -> None:
    page = strip_fixture("xxgk_report.html")
    assert page.body_lines == XXGK_BODY
    assert page.header_lines == [  # one field per line: index-table cells pair up as label + value
        "索引号：000014349/2024-00012",
        "主题分类：综合政务",
        "发布机构：示例县人民政府办公室",
        "成文日期：2024-01-15",
        "文号：示政办〔2024〕3号",
        "发布日期：2024-01-18",
    ]
    assert page.title_hint == "示例县人民政府办公室2023年政府信息公开工作年度报告"
    assert_no_chrome(page)


def test_trailing_tables_after_the_last_paragraph_stay_in_the_body() -> None:
    html = (HTML / "xxgk_report.html").read_text(encoding="utf-8")
    last_block = html.index('<div class="zwnr-text"><p>四、')
    html = html[:last_block] + html[html.index("</div>", last_block) + len("</div>") :]
    assert strip_html(html).body_lines == XXGK_BODY[:-2]


def test_chrome_matched_by_several_rules_and_nested_is_removed_once() -> None:
    html = (
        "<html><body><nav class='bshare-custom' hidden style='display:none'><div hidden>导航</div>"
        "<script>x()</script></nav>"
        "<footer class='social-share'><p style='display: none'>页脚</p></footer>"
        "<div class='wz'><p>" + PARAGRAPHS[0] + "</p><p style='DISPLAY:NONE'>隐藏的模板文字。</p></div>"
        "</body></html>"
    )
    assert strip_html(html).body_lines == [PARAGRAPHS[0]]


_FRAGMENTS = st.sampled_from(
    [
        "<div>",
        "</div>",
        "<p>",
        "</p>",
        "<table><tr><td>",
        "</td></tr></table>",
        "<a href='/x'>",
        "</a>",
        "<span style='display:none'>",
        "</span>",
        "<nav class='menu share'>",
        "</nav>",
        "<br>",
        "</html>",
        "<script>var a='<p>x</p>';</script>",
        "<!-- 文章正文 begin -->",
        "<h1 class='title'>",
        "</h1>",
        "<pre>",
        "</pre>",
        "<font color=red>",
        "</font>",
        "<div id='zoom'>",
        "<li>",
        "<ul class='footer'>",
        "发布日期：2024-01-25",
        "来源：示例县司法局",
        "页面不存在",
        "。",
        "，",
        "\n",
        *PARAGRAPHS,
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=60))
def test_any_markup_gives_a_page_or_a_not_a_report_reason(fragments: list[str]) -> None:
    html = "<html><head><title>示例县</title></head><body>" + "".join(fragments)
    try:
        page = strip_html(html)
    except NotAReportError as err:
        assert str(err) and "\n" not in str(err)
        return
    assert page.body_lines and all(line.strip() == line and line for line in page.body_lines)


def _outcome(html: str, **kwargs: object) -> StrippedPage | str:
    try:
        return strip_html(html, **kwargs)  # type: ignore[arg-type]
    except NotAReportError as err:
        return str(err)


@pytest.mark.parametrize("name", sorted(p.name for p in HTML.glob("*.html")))
def test_the_tag_names_of_the_parse_budget_change_no_page(name: str) -> None:
    """strip_html leaves out the walks for elements of names the page does not hold (the names the parse
    budget's counting read): every fixture page comes out as without them."""
    html = decode_bytes((HTML / name).read_bytes()).text
    names = check_parse_budget(html)
    assert names is not None
    assert _outcome(html, tag_names=names) == _outcome(html)


@settings(max_examples=100, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=60))
def test_the_tag_names_change_no_markup(fragments: list[str]) -> None:
    html = "<html><head><title>示例县</title></head><body>" + "".join(fragments)
    assert _outcome(html, tag_names=check_parse_budget(html)) == _outcome(html)
