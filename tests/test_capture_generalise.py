"""Captures in other provinces' site templates: every metadata field, the body's ends, no chrome in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from transforms.capture_strip import strip_capture
from transforms.document import read_document
from transforms.model import METADATA_FIELDS, Page
from transforms.sections import find_sections

CAPTURES = Path(__file__).resolve().parent / "fixtures" / "captures"
# Chrome and header words that never belong in a report body.
LEAKS = (
    "索引号",
    "发布机构",
    "发布日期",
    "发布时间",
    "来源：",
    "点击数",
    "浏览次数",
    "字体",
    "打印",
    "关闭",
    "分享",
    "扫一扫",
    "上一篇",
    "下一篇",
    "相关链接",
    "附件",
    "主办",
    "承办",
    "技术支持",
    "版权所有",
    "ICP备",
    "公网安备",
    "网站标识码",
    "网站地图",
    "联系我们",
    "无障碍",
    "长者模式",
    "English",
    "当前位置",
    "首页",
    "今天是",
    "星期",
    "政府门户网站",
    "——",
    "县长 ",
    "欢迎访问",
    "传真",
    "访客",
    "电子邮箱",
    "链接",
    "二维码",
    "相关文档",
    "|",
)

CASES = {
    # index table printing each label above its value; 成文日期 and 发布日期 both present
    "index_label_value_lines_law.txt": (
        dict(
            title="佛山市南海区人民政府关于2022年法治政府建设情况的报告",
            issuer="佛山市南海区人民政府",
            region_name="南海区",
            region_code="440605",
            report_year=2022,
            published_at="2023-03-28",
            source="佛山市南海区人民政府",
            doc_number="南府报〔2023〕5号",
            addressee="佛山市人民政府",
            signed_on="2023-03-20",
        ),
        "佛山市人民政府：",
        "2023年3月20日",
    ),
    # 来源 作者 发布时间 点击数 byline, an attachment line under the text
    "byline_author_attachment_law.txt": (
        dict(
            title="德清县2021年度法治政府建设情况报告",
            region_name="德清县",
            region_code="330521",
            report_year=2021,
            published_at="2022-02-15T09:30",
            source="德清县司法局",
        ),
        "2021年，我县以法治政府建设示范创建为抓手，持续推进依法行政，法治政府建设取得新成效。",
        "持续推动法治政府建设向纵深发展。",
    ),
    # issuer on one line, 政府信息公开工作年度报告 on the next; the year only as "2022年度" in the body
    "split_issuer_title_disclosure.txt": (
        dict(
            title="郫都区人民政府办公室政府信息公开工作年度报告",
            issuer="郫都区人民政府办公室",
            region_name="郫都区",
            region_code="510117",
            report_year=2022,
            published_at="2023-01-30",
            source="郫都区人民政府办公室",
        ),
        "根据《中华人民共和国政府信息公开条例》规定，现公布2022年度郫都区人民政府办公室"
        "政府信息公开工作年度报告。",
        "详见下表。",
    ),
    # a bare 政府工作报告 title, its delivery subtitle (the date is signed_on) and the 县长 line (the
    # signer); the region only in the masthead
    "work_report_subtitle_only.txt": (
        dict(
            title="政府工作报告",
            region_name="新安县",
            region_code="410323",
            report_year=2020,
            published_at="2021-01-20",
            source="新安县人民政府办公室",
            addressee="各位代表",
            signer="李某某",
            signed_on="2021-01-10",
        ),
        "各位代表：",
        "今年是“十四五”开局之年。",
    ),
    # a county renamed and recoded (县→区) after the dataset was compiled: its old name gets the new code
    "renamed_county_law.txt": (
        dict(
            title="凤翔县人民政府关于2019年度法治政府建设工作情况的报告",
            issuer="凤翔县人民政府",
            region_name="凤翔县",
            region_code="610305",
            report_year=2019,
            published_at="2020-03-02T16:20",
            source="县司法局",
            addressee="宝鸡市人民政府",
            signed_on="2020-02-28",
        ),
        "宝鸡市人民政府：",
        "2020年2月28日",
    ),
    "renamed_district_law.txt": (
        dict(
            title="凤翔区人民政府关于2022年度法治政府建设工作情况的报告",
            issuer="凤翔区人民政府",
            region_name="凤翔区",
            region_code="610305",
            report_year=2022,
            published_at="2023-03-02",
        ),
        "2022年，我区认真贯彻落实法治政府建设实施纲要，依法行政水平不断提升。",
        "基层执法人员素质有待提高，执法规范化水平仍需提升。",
    ),
    # the first paragraph names the city (as the leading body) and two neighbouring counties
    "neighbour_counties_law.txt": (
        dict(
            title="2022年度法治政府建设情况报告",
            region_name="德清县",
            region_code="330521",
            report_year=2022,
            published_at="2023-02-10",
            source="县司法局",
        ),
        "2022年，在湖州市委、市政府的正确领导下，我县与安吉县、长兴县协同推进长三角法治一体化，法治政府建设取得"
        "明显成效。德清县全年共审查行政规范性文件15件。",
        "法治宣传的针对性还需加强。",
    ),
    # nothing but the site's name says whose report it is
    "site_name_only_law.txt": (
        dict(
            title="关于2022年度法治政府建设情况的报告",
            region_name="湖州市",
            region_code="330500",
            report_year=2022,
            published_at="2023-03-01",
        ),
        "2022年，我市坚持以习近平法治思想为指导，统筹推进法治政府建设各项工作，现将有关情况报告如下：",
        "持续深化法治政府建设。",
    ),
    # the index table on two lines, labels separated by spaces; 文号：无 states no number
    "index_one_line_disclosure.txt": (
        dict(
            title="嵩明县人民政府办公室2021年政府信息公开工作年度报告",
            issuer="嵩明县人民政府办公室",
            region_name="嵩明县",
            region_code="530127",
            report_year=2021,
            published_at="2022-01-26",
            source="嵩明县人民政府办公室",
            signed_on="2022-01-25",
        ),
        "本年度报告根据《中华人民共和国政府信息公开条例》要求编制，全文包括总体情况、主动公开政府信息情况等内容。",
        "全年共受理依申请公开12件。",
    ),
    # a title broken after "关于2020年度"
    "title_open_head_law.txt": (
        dict(
            title="永靖县人民政府关于2020年度法治政府建设工作情况的报告",
            issuer="永靖县人民政府",
            region_name="永靖县",
            region_code="622923",
            report_year=2020,
            published_at="2021-03-15",
            source="永靖县人民政府办公室",
            addressee="临夏州人民政府",
            signed_on="2021-03-10",
        ),
        "临夏州人民政府：",
        "2021年3月10日",
    ),
    # no date anywhere on the page: published_at stays null
    "banner_no_date_law.txt": (
        dict(
            title="土默特左旗2022年法治政府建设年度报告",
            region_name="土默特左旗",
            region_code="150121",
            report_year=2022,
        ),
        "2022年，土默特左旗围绕法治政府建设目标任务，稳步推进各项工作，现将有关情况报告如下。",
        "个别部门依法行政意识有待提高。",
    ),
    # no year stated: report_year is null, not the year before publication
    "no_year_disclosure.txt": (
        dict(
            title="新安县人民政府政府信息公开工作年度报告",
            issuer="新安县人民政府",
            region_name="新安县",
            region_code="410323",
            published_at="2022-01-28",
        ),
        "本报告根据《中华人民共和国政府信息公开条例》要求，由新安县人民政府办公室编制。",
        "详见统计表。",
    ),
    # tab-separated index rows (发文日期 is neither the publication date nor, as the gold reads pages printing
    # only it, the signing date); the site's address and phone under the footer links are not the report's
    # contact
    "index_tabs_footer_contact_law.txt": (
        dict(
            title="2021年南海区法治政府建设年度报告",
            issuer="佛山市南海区司法局",
            region_name="南海区",
            region_code="440605",
            report_year=2021,
            published_at="2022-03-28T10:30:15",
            source="南海区司法局",
        ),
        "2021年，南海区全面贯彻落实党中央、国务院关于法治政府建设的决策部署，各项工作取得新进展。",
        "持续提升依法行政水平。",
    ),
    "footer_contact_lines_law.txt": (
        dict(
            title="嵩明县2022年度法治政府建设情况报告",
            region_name="嵩明县",
            region_code="530127",
            report_year=2022,
            published_at="2023-03-28",
            source="县司法局",
        ),
        "2022年，嵩明县深入学习贯彻习近平法治思想，全面推进法治政府建设，取得了积极成效。",
        "依法行政能力仍需提升。",
    ),
    # a session-year title: the report covers the year before
    "work_report_session_year.txt": (
        dict(
            title="2023年政府工作报告",
            region_name="郫都区",
            region_code="510117",
            report_year=2022,
            addressee="各位代表",
            signer="张某",
            signed_on="2023-01-06",
        ),
        "各位代表：",
        "今年是全面贯彻落实党的二十大精神的开局之年。",
    ),
    # region and session year stated only by the delivery subtitle
    "work_report_region_in_subtitle.txt": (
        dict(
            title="政府工作报告",
            region_name="德清县",
            region_code="330521",
            report_year=2021,
            addressee="各位代表",
            signed_on="2022-01-05",
        ),
        "各位代表：",
        "确保高质量发展走在前列。",
    ),
    # a county's report on the city's site, sourced to a city office: the issuer's region wins
    "city_site_county_report_law.txt": (
        dict(
            title="新安县人民政府关于2021年度法治政府建设工作情况的报告",
            issuer="新安县人民政府",
            region_name="新安县",
            region_code="410323",
            report_year=2021,
            published_at="2022-03-21",
            source="洛阳市司法局",
            addressee="洛阳市人民政府",
            signed_on="2022-03-15",
        ),
        "洛阳市人民政府：",
        "2022年3月15日",
    ),
    # a department's report under an index table with 信息名称 and 生成日期 (the document's date: signed_on)
    "index_name_department_disclosure.txt": (
        dict(
            title="德清县交通运输局2022年政府信息公开工作年度报告",
            issuer="德清县交通运输局",
            region_name="德清县",
            region_code="330521",
            report_year=2022,
            signed_on="2023-01-20",
            source="德清县交通运输局",
            contact_phone="0572-8880000",
        ),
        "本报告依据《中华人民共和国政府信息公开条例》编制。本报告中使用数据统计期限为2022年1月1日至12月31日。"
        "如对本报告有疑问，请与县交通运输局办公室联系（联系电话：0572-8880000）。",
        "见下表。",
    ),
    # the date in parentheses under the title, an 作者/来源/阅读次数 byline
    "date_below_title_law.txt": (
        dict(
            title="凤翔区2022年法治政府建设情况报告",
            region_name="凤翔区",
            region_code="610305",
            report_year=2022,
            published_at="2023-02-27",
            source="凤翔区司法局",
        ),
        "2022年，凤翔区坚持以习近平新时代中国特色社会主义思想为指导，深入推进依法行政，"
        "法治政府建设取得新成效。",
        "少数干部法治意识不强。",
    ),
    # issuer / 关于…政府信息公开 / 工作情况的报告 on three lines
    "three_line_title_disclosure.txt": (
        dict(
            title="新安县人民政府办公室关于2022年度政府信息公开工作情况的报告",
            issuer="新安县人民政府办公室",
            region_name="新安县",
            region_code="410323",
            report_year=2022,
            published_at="2023-01-18T17:05",
        ),
        "本报告依据《中华人民共和国政府信息公开条例》编制，内容包括总体情况、主动公开政府信息情况等。",
        "公开质量有待提高。",
    ),
    # 本文链接, a QR-code prompt, a 相关文档 list and a bar menu under the text; a banner date with weekday
    "link_qr_related_docs_law.txt": (
        dict(
            title="德清县2022年法治政府建设情况报告",
            region_name="德清县",
            region_code="330521",
            report_year=2022,
            published_at="2023-03-29T08:45",
            source="本网",
        ),
        "2022年，德清县坚持以习近平法治思想为指导，扎实推进法治政府建设，各项工作取得明显成效。",
        "部分乡镇法治力量薄弱。",
    ),
    # a bare date above the title is the site's banner, not the publication date
    "bare_banner_date_law.txt": (
        dict(
            title="德清县2022年法治政府建设情况报告",
            region_name="德清县",
            region_code="330521",
            report_year=2022,
        ),
        "2022年，德清县坚持以习近平法治思想为指导，扎实推进法治政府建设，各项工作取得明显成效。",
        "部分乡镇法治力量薄弱，行政执法规范化水平仍需提升。",
    ),
    # issuer line above "关于…的报告", document number and 签发人 lines, contact and 抄送 under the signature
    "signed_document_law.txt": (
        dict(
            title="成都市郫都区人民政府关于2021年法治政府建设工作情况的报告",
            issuer="成都市郫都区人民政府",
            region_name="郫都区",
            region_code="510117",
            report_year=2021,
            published_at="2022-03-30",
            doc_number="郫府〔2022〕12号",
            signer="王某某",
            addressee="成都市人民政府",
            signed_on="2022-03-25",
            contact_person="李某",
            contact_phone="028-87930000",
            cc="区委依法治区办",
        ),
        "成都市人民政府：",
        "抄送：区委依法治区办。",
    ),
    # a year and a signing date in Chinese numerals (二〇二二年度, 二〇二三年三月十日); "一." headings
    "chinese_numeral_dates_law.txt": (
        dict(
            title="嵩明县人民政府关于二〇二二年度法治政府建设情况的报告",
            issuer="嵩明县人民政府",
            region_name="嵩明县",
            region_code="530127",
            report_year=2022,
            doc_number="嵩政报〔2023〕8号",
            addressee="昆明市人民政府",
            signed_on="2023-03-10",
        ),
        "昆明市人民政府：",
        "二〇二三年三月十日",
    ),
    # the city's portal carries a county's report: the county the body is about wins over the site's city
    "city_site_county_body_law.txt": (
        dict(
            title="2022年度法治政府建设情况报告",
            region_name="新安县",
            region_code="410323",
            report_year=2022,
            published_at="2023-03-20",
        ),
        "2022年，新安县坚持以习近平法治思想为指导，在洛阳市率先完成行政执法“三项制度”全覆盖，"
        "法治政府建设取得新成效。",
        "执法力量仍显不足。",
    ),
    # a portal group's masthead (province, prefecture, county sites) and a body naming no region
    "portal_group_masthead_law.txt": (
        dict(
            title="2022年度法治政府建设情况报告", region_name="永靖县", region_code="622923", report_year=2022
        ),
        "2022年，我县坚持以习近平法治思想为指导，扎实推进法治政府建设，取得新成效。",
        "基层法治力量仍显不足，需进一步加强。",
    ),
}


def _read(name: str):
    return read_document(Page(name=name, data=(CAPTURES / name).read_bytes()))


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_metadata_field_and_null_when_unstated(name):
    expected, _, _ = CASES[name]
    report = _read(name)
    assert report.ok, report.error
    stated = {key: getattr(report.metadata, key) for key in METADATA_FIELDS}
    assert stated == {key: expected.get(key) for key in METADATA_FIELDS}


@pytest.mark.parametrize("name", sorted(CASES))
def test_body_is_the_report_text_only(name):
    _, first, last = CASES[name]
    lines = _read(name).body.split("\n")
    assert lines[0] == first
    assert lines[-1] == last
    leaked = [(word, line) for line in lines for word in LEAKS if word in line]
    assert leaked == []


def test_index_labels_above_their_values_become_header_lines():
    page = strip_capture((CAPTURES / "index_label_value_lines_law.txt").read_text(encoding="utf-8"))
    assert "发布日期：2023-03-28" in page.header_lines
    assert "成文日期：2023-03-20" in page.header_lines
    assert "发布机构：佛山市南海区人民政府" in page.header_lines
    # 主题词 has no value: the title below it is not taken as one
    assert not any(line.startswith("主题词") for line in page.header_lines)
    assert page.title_hint == "佛山市南海区人民政府关于2022年法治政府建设情况的报告"


def test_masthead_is_the_site_name_not_the_body():
    page = strip_capture((CAPTURES / "site_name_only_law.txt").read_text(encoding="utf-8"))
    assert page.meta_tags == {"sitename": "湖州市人民政府门户网站"}
    assert "湖州市人民政府门户网站" not in page.body_lines


def test_work_report_subtitle_and_speaker_are_header_lines():
    page = strip_capture((CAPTURES / "work_report_subtitle_only.txt").read_text(encoding="utf-8"))
    assert page.title_hint == "政府工作报告"
    assert "——2021年1月10日在新安县第十五届人民代表大会第五次会议上" in page.header_lines
    assert "县长 李某某" in page.header_lines


def test_a_column_name_alone_is_still_not_a_title():
    text = "首页 > 政务公开\n政府信息公开年度报告\n2021年，我县主动公开政府信息1200条，办理申请30件。\n"
    page = strip_capture(text)
    assert page.title_hint is None


def test_a_bar_menu_ending_the_page_is_dropped_but_table_rows_stay():
    text = (
        "德清县2022年政府信息公开工作年度报告\n2022年，县政府主动公开政府信息1200条，办理申请30件。\n"
        "信息内容 | 新制作数量 | 现行有效件数\n规章 | 0 | 3\n首页 | 政务公开 | 政务服务 | 互动交流\n"
    )
    assert strip_capture(text).body_lines == [
        "2022年，县政府主动公开政府信息1200条，办理申请30件。",
        "信息内容 | 新制作数量 | 现行有效件数",
        "规章 | 0 | 3",
    ]


def test_level_one_headings_numbered_with_a_dot_are_sections():
    body = "一.总体情况\n2022年，主动公开信息120条。\n（一）主动公开\n二. 存在问题\n一.5个百分点的增幅。"
    assert [(s.level, s.number, s.title) for s in find_sections(body)] == [
        (1, "一", "总体情况"),
        (2, "一", "主动公开"),
        (1, "二", "存在问题"),
    ]


@pytest.mark.parametrize(
    ("name", "reason_part"), [("page_removed.txt", "error page"), ("report_list_page.txt", "no report text")]
)
def test_removed_and_list_pages_are_not_reports(name, reason_part):
    report = _read(name)
    assert not report.ok and reason_part in report.error
    assert all(getattr(report.metadata, key) is None for key in METADATA_FIELDS)


def test_a_unit_recoded_after_the_dataset_keeps_one_code_for_all_its_names():
    from transforms.regions import all_regions

    rows = [r for r in all_regions() if r.code == "610305"]
    assert {r.name for r in rows if r.valid_to is None} == {"凤翔区"}
    assert "凤翔县" in {r.name for r in rows if r.valid_to == 2021}
    assert not any(r.code == "610322" for r in all_regions())


def test_an_empty_label_does_not_swallow_the_first_sentence():
    text = (
        "示例县人民政府\n示例县2022年法治政府建设情况报告\n来源：\n2022年，我县扎实推进法治政府建设。\n"
        "一、主要工作\n"
    )
    page = strip_capture(text)
    assert page.body_lines == ["2022年，我县扎实推进法治政府建设。", "一、主要工作"]
    assert page.header_lines == ["示例县2022年法治政府建设情况报告", "来源："]
