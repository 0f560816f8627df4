"""strip_html on county-site templates the first fixtures did not cover (synthetic 示例县 pages): 信息公开
index tables, report tables, split and flat paragraphs, widget/prev-next/related/footer chrome, GBK without a
declaration, site-name <title>s, Word-pasted TRS text, old table layouts, Ucap and Hanweb article pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from transforms.decode import decode_bytes
from transforms.html_strip import strip_html
from transforms.model import StrippedPage

HTML = Path(__file__).resolve().parent / "fixtures" / "html"

LAW_FIRST = (
    "2023年，示例县人民政府在县委的坚强领导下，深入学习贯彻习近平法治思想，扎实推进法治政府建设，"
    "现将有关情况报告如下。"
)
LAW_LAST = "2024年，我县将继续深入推进法治政府建设，为示例县高质量发展提供坚实法治保障。"
LAW_SECTIONS = ["一、主要工作及成效", "二、存在的不足", "三、下一步工作安排"]
GOV_FIRST = (
    "2023年，示例县人民政府坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实"
    "《中华人民共和国政府信息公开条例》，现将本年度政府信息公开工作情况报告如下。"
)
GOV_LAST = "本年度未收取信息处理费。"
INDEX_FIELDS = [
    "索引号：990121-000-2024-000012",
    "信息分类：政务公开年报",
    "发布机构：示例县人民政府办公室",
    "生成日期：2024-01-25",
    "文号：示政办〔2024〕3号",
    "主题词：信息公开 年度报告",
]
APPLICATIONS = [
    "一、本年新收政府信息公开申请数量\t45\t12\t57",
    "二、上年结转政府信息公开申请数量\t2\t0\t2",
    "三、本年度办理结果",
    "（一）予以公开\t30\t8\t38",
    "（二）部分公开\t5\t1\t6",
    "（三）不予公开\t3\t1\t4",
    "四、结转下年度继续办理\t1\t0\t1",
]
CHROME = [
    "首页",
    "今天是",
    "当前位置",
    "您现在的位置",
    "字体",
    "打印",
    "关闭",
    "分享到",
    "微信",
    "上一篇",
    "下一篇",
    "相关文章",
    "网站标识码",
    "ICP",
    "公网安备",
    "主办",
    "扫一扫",
    "栏目",
    "无障碍",
    "附件",
    ".docx",
    ".xlsx",
    "索引号",
    "信息分类",
    "主题词",
    "发布时间",
    "来源：",
    "浏览次数",
    "点击数",
]
BIG_SCRIPT_BYTES = 400_000


def strip_fixture(name: str) -> StrippedPage:
    data = (HTML / name).read_bytes()
    if b"/*COLUMN_DATA*/" in data:  # a 400 KB inline script, built here rather than stored
        item = '{"id":1,"name":"栏目","url":"/col/col1/index.html"},'.encode()
        data = data.replace(b"/*COLUMN_DATA*/", item * (BIG_SCRIPT_BYTES // len(item)))
    return strip_html(decode_bytes(data).text)


def assert_clean(page: StrippedPage) -> None:
    body = "\n".join(page.body_lines)
    leaked = [word for word in CHROME if word in body]
    assert not leaked, f"chrome in body: {leaked}"


@pytest.mark.parametrize("name", ["county_xxgk_index_table.html", "county_zwgk_index_density.html"])
def test_index_table_above_the_article_goes_to_header_lines_one_field_per_line(name: str) -> None:
    page = strip_fixture(name)
    assert page.header_lines == INDEX_FIELDS
    assert page.body_lines[0] == GOV_FIRST and page.body_lines[-1] == GOV_LAST
    assert page.title_hint == "示例县人民政府2023年政府信息公开工作年度报告"
    assert_clean(page)


def test_index_table_inside_the_content_box_with_a_site_name_title() -> None:
    page = strip_fixture("county_xxgk_notice_inside.html")
    assert page.title_hint == "示例县人民政府办公室关于印发示例县2024年政务公开工作要点的通知"
    assert page.header_lines == [
        "索 引 号：990121-001-2024-000045",
        "主题分类：政务公开",
        "发文机关：示例县人民政府办公室",
        "成文日期：2024年03月01日",
        "发文字号：示政办发〔2024〕5号",
        "发布日期：2024年03月04日",
    ]
    assert page.body_lines[0] == "各乡镇人民政府，县政府各部门："
    assert page.body_lines[-3:] == ["示例县人民政府办公室", "2024年3月1日", "（此件公开发布）"]
    assert_clean(page)


def test_annual_report_tables_stay_as_text_rows_between_the_paragraphs() -> None:
    page = strip_fixture("county_report_tables.html")
    body = page.body_lines
    assert body[0] == GOV_FIRST and body[-1] == GOV_LAST
    start = body.index("三、收到和处理政府信息公开申请情况")
    assert body[start + 3 : start + 3 + len(APPLICATIONS)] == APPLICATIONS
    assert "行政许可\t1523" in body and "2\t1\t3\t1\t1" in body
    assert body.index("二、主动公开政府信息情况") < start < body.index("四、存在的主要问题及改进情况")
    assert page.header_lines == ["发布时间：2024-01-28 10:20 来源：示例县人民政府办公室 浏览次数：125"]
    assert_clean(page)


def test_word_pasted_trs_report_keeps_paragraphs_and_table_rows() -> None:
    page = strip_fixture("county_trs_word_paste.html")
    assert page.body_lines[0] == GOV_FIRST and page.body_lines[-1] == GOV_LAST
    assert "规范性文件\t12\t12\t86" in page.body_lines
    assert page.header_lines == ["发布时间：2024-01-31 08:30 来源：示例县政务服务数据管理局"]
    assert_clean(page)


@pytest.mark.parametrize(
    "name",
    [
        "county_split_siblings.html",
        "county_flat_paragraphs.html",
        "county_ucap.html",
        "county_hanweb_zoom.html",
        "county_table_layout_br.html",
        "county_trs_sidebar_editor.html",
        "county_wrapper_container.html",
    ],
)
def test_every_paragraph_of_the_report_and_no_widget_or_related_links(name: str) -> None:
    page = strip_fixture(name)
    body = page.body_lines
    assert body[0] == LAW_FIRST
    assert all(section in body for section in LAW_SECTIONS)
    end = body.index(LAW_LAST)
    assert body[end + 1 :] in ([], ["示例县人民政府", body[-1]])  # at most the signature and its date
    assert page.title_hint and "报告" in page.title_hint
    assert_clean(page)


def test_byline_sibling_of_the_text_and_a_400_kb_script_with_a_long_left_nav() -> None:
    page = strip_fixture("county_big_script.html")
    assert page.title_hint == "示例县召开2024年法治政府建设工作推进会"
    assert page.header_lines == ["发布时间：2024-01-30 16:45 来源：示例县司法局 作者：县司法局"]
    assert page.body_lines[0].startswith("1月30日，示例县召开") and len(page.body_lines) == 3
    assert_clean(page)


def test_gbk_page_without_any_charset_declaration_and_a_site_name_title() -> None:
    data = (HTML / "county_gbk_nocharset.html").read_bytes()
    assert b"charset" not in data.lower()
    decoded = decode_bytes(data)
    assert decoded.encoding == "gb18030" and decoded.replaced == 0
    page = strip_html(decoded.text)
    # not the <title>, which is only 示例县人民政府门户网站
    assert page.title_hint == "示例县2023年国民经济和社会发展统计公报"
    assert page.header_lines == ["发布时间：2024-03-15 来源：示例县统计局 点击数："]
    assert page.body_lines[-1] == "年末全县户籍人口41.2万人，城镇化率达到52.3%，比上年提高1.1个百分点。"
    assert_clean(page)  # the attachment list (附件：1.….docx) is left out, as in text captures


def test_old_table_layout_declaring_gb2312_with_the_title_in_a_bold_cell() -> None:
    page = strip_fixture("county_table_layout_br.html")
    assert page.title_hint == "示例县2023年法治政府建设情况报告"  # <title> is only 示例县政府网
    assert page.header_lines == ["日期：2024-02-08 作者：县司法局 来源：示例县司法局"]
    assert page.body_lines[-2:] == ["示例县人民政府", "2024年2月8日"]


def test_known_container_pages_take_the_title_from_meta_or_the_heading() -> None:
    ucap = strip_fixture("county_ucap.html")
    assert ucap.meta_tags["siteidcode"] == "9901210001" and ucap.meta_tags["pubdate"] == "2024-02-06 09:00"
    assert ucap.title_hint == "示例县人民政府关于2023年法治政府建设情况的报告"
    hanweb = strip_fixture("county_hanweb_zoom.html")
    assert hanweb.title_hint == "示例县2023年度法治政府建设情况报告"
    assert hanweb.header_lines[0].startswith("发布日期：2024-01-26")


def test_a_recommended_reading_block_after_the_text_is_cut_with_the_editor_line() -> None:
    page = strip_fixture("county_recommend_block.html")
    assert page.body_lines[0] == LAW_FIRST and page.body_lines[-1] == LAW_LAST
    assert not any("推荐阅读" in line or "【详细】" in line for line in page.body_lines)


def test_index_table_without_colons_pairs_labels_with_values_and_keeps_empty_values_empty() -> None:
    page = strip_fixture("county_xxgk_colonless_index.html")
    assert page.header_lines == [  # 文号 is empty: no 文号 line
        "索引号：990121-002-2024-000003",
        "分类：年度报告",
        "发布机构：示例县人民政府办公室",
        "发文日期：2024-01-29",
        "主题词：年报",
    ]
    assert page.body_lines[0] == GOV_FIRST and page.body_lines[-1] == GOV_LAST
    assert_clean(page)


def test_an_article_carrying_a_hanweb_data_list_of_related_links_is_still_an_article() -> None:
    data = (HTML / "county_hanweb_zoom.html").read_bytes()
    assert data.count(b"<record>") >= 3  # as many records as a list page has
    page = strip_html(decode_bytes(data).text)
    assert page.body_lines[0] == LAW_FIRST and page.body_lines[-1] == LAW_LAST
