"""Second-reader probes of issue 8: synthetic 示例县 captures and saved pages in the styles of
portals of provinces outside dev and dev-b (山东, 河南, 湖北, 四川, 福建, 广西, 云南, 辽宁, 黑龙江,
山西, 内蒙古, 甘肃, 新疆, 海南, 江西, 上海, 宁夏). Each states the metadata a reader of the page
writes by ../shared/spec/gold-format.md (null when the page does not state it), where the body
starts, and header or chrome words that must not reach the body."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from transforms.document import read_document
from transforms.model import Page

PROBE = Path(__file__).resolve().parent / "fixtures" / "probe"
FIELDS = (
    "title",
    "issuer",
    "published_at",
    "source",
    "doc_number",
    "signer",
    "signed_on",
    "report_year",
    "region_code",
)
COUNTY = "990121"
LAW_2023 = "示例县人民政府关于2023年度法治政府建设情况的报告"

CASES: dict[str, tuple[dict, str, tuple[str, ...]]] = {
    # 山东: accessibility bar, crumb, a two-column index table (成文日期 is signed_on, 发布机构
    # the source when no 来源)
    "sd_index_table_law.txt": (
        dict(
            title=LAW_2023,
            issuer="示例县人民政府",
            published_at="2024-03-25",
            source="示例县人民政府办公室",
            signed_on="2024-03-20",
            report_year=2023,
        ),
        "示例市人民政府：",
        ("长者模式", "索引号", "有效性", "字号", "关闭窗口"),
    ),
    # 河南: a bare 政府工作报告, the byline, then the delivery line and the speaker line
    "hn_work_report_dash.txt": (
        dict(
            title="政府工作报告",
            issuer="示例县人民政府",
            published_at="2024-01-18T09:12:33",
            source="示例县人民政府办公室",
            signer="李某某",
            signed_on="2024-01-10",
            report_year=2023,
        ),
        "各位代表：",
        ("李某某", "第四次会议上", "字体", "浏览次数"),
    ),
    # 湖北: a department's 信息公开年报 with an 作者 byline (not the source)
    "hb_disclosure_author.txt": (
        dict(
            title="示例县人民政府办公室2023年政府信息公开工作年度报告",
            issuer="示例县人民政府办公室",
            published_at="2024-01-26",
            source="示例县人民政府办公室",
            report_year=2023,
        ),
        "本报告依据《中华人民共和国政府信息公开条例》编制",
        ("作者", "浏览量", "字体", "您当前的位置"),
    ),
    # 四川: a 县司法局 report; 收藏/打印/关闭 bar
    "sc_department_law.txt": (
        dict(
            title="示例县司法局关于2023年度法治政府建设工作情况的报告",
            issuer="示例县司法局",
            published_at="2024-02-28T15:20",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，县司法局在县委、县政府的坚强领导下",
        ("收藏", "阅读次数", "部门信息"),
    ),
    # 福建: the unlabelled date beside 来源 is the publication date; print/close after the text
    "fj_date_beside_source.txt": (
        dict(
            title="示例县2023年法治政府建设年度报告",
            published_at="2024-03-15T16:30",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县深入践行习近平法治思想",
        ("字体", "【打印】", "关闭窗口", "政务公开 >"),
    ),
    # 广西: one label per row, a 标题 row repeating the title
    "gx_titled_index_table.txt": (
        dict(
            title="示例县人民政府关于2023年法治政府建设情况的报告",
            issuer="示例县人民政府",
            published_at="2024-03-29",
            source="示例县人民政府",
            signed_on="2024-03-27",
            report_year=2023,
        ),
        "示例市人民政府：",
        ("标题", "索引号", "主题分类", "成文日期", "门户网站"),
    ),
    # 云南: the whole page on one line, 发布日期 and 信息来源
    "yn_one_line_law.txt": (
        dict(
            title="示例县2023年法治政府建设情况报告",
            published_at="2024-03-18",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县在示例市委、市政府的正确领导下",
        ("首页", "发布日期", "浏览次数"),
    ),
    # 辽宁: a body-only beginning that opens with a section heading; region and year from the text
    "ln_body_only_heading.txt": (
        dict(report_year=2023),
        "一、2023年度推进法治政府建设的主要举措和成效",
        (),
    ),
    # 黑龙江: the title broken over two lines; a bare 日期 label
    "hlj_split_title.txt": (
        dict(
            title=LAW_2023,
            issuer="示例县人民政府",
            published_at="2024-03-12",
            source="示例县人民政府",
            report_year=2023,
        ),
        "示例市人民政府：",
        ("建设情况的报告", "【打印】", "通知公告"),
    ),
    # 山西: a 信息公开年报 with the footer block (主办/承办, 网站标识码, another province's ICP
    # and 公网安备, 技术支持)
    "sx_disclosure_footer.txt": (
        dict(
            title="示例县2023年政府信息公开工作年度报告",
            published_at="2024-01-30",
            source="示例县人民政府办公室",
            report_year=2023,
        ),
        "本年度报告根据《中华人民共和国政府信息公开条例》",
        ("主办单位", "网站标识码", "ICP", "技术支持", "字号"),
    ),
    # 内蒙古: a Mongolian-script language toggle above the site name
    "nmg_mongolian_toggle.txt": (
        dict(
            title="示例县人民政府2023年度法治政府建设工作报告",
            issuer="示例县人民政府",
            published_at="2024-02-20",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县人民政府坚持把法治政府建设作为全局性工作",
        ("ᠮᠣᠩᠭᠣᠯ", "蒙古文", "打印本页", "长者模式"),
    ),
    # 甘肃: a red-header document: issuer line, 文号 line, title; the signature block gives signed_on
    "gs_red_header_signed.txt": (
        dict(
            title="示例县人民政府关于2023年度法治政府建设工作情况的报告",
            issuer="示例县人民政府",
            published_at="2024-03-06T10:00",
            source="示例县政府办",
            doc_number="示政报〔2024〕5号",
            signed_on="2024-03-01",
            report_year=2023,
        ),
        "示例市人民政府：",
        ("示政报", "发布时间"),
    ),
    # 新疆: a Uyghur-script language toggle; 作者 byline
    "xj_uyghur_toggle.txt": (
        dict(
            title="示例县2023年法治政府建设年度报告",
            published_at="2024-03-30T10:23:12",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县以铸牢中华民族共同体意识为主线",
        ("ئۇيغۇرچە", "汉文", "作者", "字体"),
    ),
    # 海南: letter-spaced labels each above its value; 发布机构 is issuer (the title names none) and source
    "hi_label_value_rows.txt": (
        dict(
            title="示例县2023年政府信息公开工作年度报告",
            issuer="示例县人民政府办公室",
            published_at="2024-01-19",
            source="示例县人民政府办公室",
            report_year=2023,
        ),
        "根据《中华人民共和国政府信息公开条例》规定，现公布",
        ("索 引 号", "46099-0012", "标 题", "主 题 词", "政府信息公开年报"),
    ),
    # 江西: the delivery line in brackets, the speaker line names only the office
    "jx_work_report_parenthesised.txt": (
        dict(
            title="示例县人民政府工作报告",
            issuer="示例县人民政府",
            published_at="2024-01-15",
            source="示例县政府办",
            signer="张某某",
            signed_on="2024-01-08",
            report_year=2023,
        ),
        "各位代表：",
        ("张某某", "第四次会议上", "发布时间"),
    ),
    # 上海: 索取号 instead of 索引号, 公开类别; share and scan prompts
    "sh_request_number.txt": (
        dict(
            title=LAW_2023,
            issuer="示例县人民政府",
            published_at="2024-03-22",
            source="示例县人民政府",
            report_year=2023,
        ),
        "2023年，示例县人民政府深入贯彻落实",
        ("索取号", "公开类别", "分享到", "扫一扫", "重点领域"),
    ),
    # a city's report: 您现在的位置 with » crumbs, 文章来源 and 更新时间 on one line with print/close
    "yangban_city_law.txt": (
        dict(
            title="样板市人民政府关于2022年度法治政府建设情况的报告",
            issuer="样板市人民政府",
            published_at="2023-03-28",
            source="样板市司法局",
            report_year=2022,
            region_code="990200",
        ),
        "2022年，样板市坚持以习近平法治思想为指导",
        ("您现在的位置", "打印本页", "文章来源"),
    ),
    # a city department's report; the date printed as 年月日 时分
    "shili_city_department.txt": (
        dict(
            title="示例市司法局2022年度法治政府建设情况报告",
            issuer="示例市司法局",
            published_at="2023-02-15T09:30",
            source="示例市司法局",
            report_year=2022,
            region_code="990100",
        ),
        "2022年，市司法局围绕全市中心工作",
        ("发布时间", "信息公开 >"),
    ),
    # the headline is the column's name; the opening sentence names the report (现公布X): X is the title
    "column_headline_opening_title.txt": (
        dict(
            title="示例县人民政府2023年政府信息公开工作年度报告",
            issuer="示例县人民政府",
            published_at="2024-01-31",
            source="示例县人民政府办公室",
            report_year=2023,
        ),
        "根据《中华人民共和国政府信息公开条例》要求，现公布",
        ("政府信息公开年报", "发布时间"),
    ),
    # a department report whose byline starts with 作者
    "author_first_department.txt": (
        dict(
            title="示例县应急管理局2023年法治政府建设工作报告",
            issuer="示例县应急管理局",
            published_at="2024-01-05",
            source="示例县应急管理局",
            report_year=2023,
        ),
        "今年以来，县应急管理局坚持依法行政",
        ("作者", "浏览次数", "部门动态"),
    ),
    # print/close printed above the title; 信息来源 before 发布时间
    "print_close_top_law.txt": (
        dict(
            title="示例县2023年度法治政府建设情况报告",
            published_at="2024-03-19T09:05",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县坚持把法治建设融入经济社会发展全过程",
        ("打印本页", "信息来源"),
    ),
    # a 政府工作报告 whose delivery line carries no date; the date on its own line below it
    "work_report_date_line_separate.txt": (
        dict(
            title="政府工作报告",
            issuer="示例县人民政府",
            published_at="2024-01-22",
            source="示例县人民政府办公室",
            signer="王某某",
            signed_on="2024-01-15",
            report_year=2023,
        ),
        "各位代表：",
        ("王某某", "第一次会议上", "发布日期"),
    ),
    # 山东 again, the index table and the text on one line
    "one_line_index_shandong.txt": (
        dict(
            title="示例县司法局2022年法治政府建设工作情况报告",
            issuer="示例县司法局",
            published_at="2023-03-14",
            source="示例县司法局",
            signed_on="2023-03-10",
            report_year=2022,
        ),
        "2022年，县司法局坚持以习近平法治思想为指导",
        ("索引号", "主题分类", "成文日期"),
    ),
    # 宁夏: a column tag in 【】 before the title
    "ningxia_style_site_tag.txt": (
        dict(
            title="示例县2023年法治政府建设情况报告",
            published_at="2024-03-08",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县紧扣建设法治政府目标",
        ("【法治政府】", "字体"),
    ),
    # 河南: a GBK page (declared gb2312), TRS editor body, another province's ICP in the footer
    "henan_gbk_disclosure.html": (
        dict(
            title="示例县2023年政府信息公开工作年度报告",
            published_at="2024-01-20",
            source="示例县人民政府办公室",
            report_year=2023,
        ),
        "本报告根据《中华人民共和国政府信息公开条例》要求",
        ("点击数", "ICP", "当前位置"),
    ),
    # 福建: <title> is only the site's name; the headline is a div; the date beside 来源 unlabelled
    "fujian_sitename_title.html": (
        dict(
            title="示例县2023年法治政府建设年度报告",
            published_at="2024-03-15T16:30",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县深入践行习近平法治思想",
        ("分享到", "关闭窗口", "ICP"),
    ),
    # 云南: an xxgk table with 标题 and 文号; 发布机构 the source (no 来源)
    "yunnan_xxgk_docnum.html": (
        dict(
            title=LAW_2023,
            issuer="示例县人民政府",
            published_at="2024-02-29",
            source="示例县人民政府办公室",
            doc_number="示政报〔2024〕7号",
            signed_on="2024-02-26",
            report_year=2023,
        ),
        "示例市人民政府：",
        ("索引号", "滇ICP", "请输入关键词"),
    ),
    # 四川: a 政府工作报告 article with the delivery and speaker lines as centred paragraphs
    "sichuan_work_report.html": (
        dict(
            title="政府工作报告",
            issuer="示例县人民政府",
            published_at="2024-01-19T10:20",
            source="示例县人民政府办公室",
            signer="陈某某",
            signed_on="2024-01-11",
            report_year=2023,
        ),
        "各位代表：",
        ("陈某某", "第四次会议上", "收藏"),
    ),
    # 辽宁: <title> says 详细信息; the title only in the headline div; text lines split by <br>
    "liaoning_headline_only.html": (
        dict(
            title="示例县2023年度法治政府建设情况报告",
            published_at="2024-03-21",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县坚持以习近平法治思想为根本遵循",
        ("浏览次数", "辽ICP", "English"),
    ),
    # 黑龙江: a 信息公开年报 with ArticleTitle/PubDate meta tags and 字号/打印本页 on the info line
    "hlj_disclosure_meta.html": (
        dict(
            title="示例县2023年政府信息公开工作年度报告",
            published_at="2024-01-25T14:02",
            source="示例县人民政府办公室",
            report_year=2023,
        ),
        "本报告是根据《中华人民共和国政府信息公开条例》要求",
        ("打印本页", "黑ICP", "智能问答"),
    ),
    # round two (written after the first round's fixes, run before any fix of its own)
    # 青海: 年月日 with seconds; 【大 中 小】 alone
    "qh_chinese_date_seconds.txt": (
        dict(
            title="示例县2023年法治政府建设情况报告",
            published_at="2024-03-20T10:30:00",
            source="示例县人民政府",
            report_year=2023,
        ),
        "2023年，示例县坚持以习近平法治思想为指导",
        ("【大 中 小】", "发布时间"),
    ),
    # 西藏: a Tibetan-script language toggle; a bare 时间 label
    "xz_tibetan_toggle.txt": (
        dict(
            title="示例县人民政府2023年法治政府建设年度报告",
            issuer="示例县人民政府",
            published_at="2024-03-11",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县人民政府深入贯彻落实法治政府建设实施纲要",
        ("བོད་ཡིག", "汉文"),
    ),
    # the title printed only in the index table's 标 题 row
    "sd_title_only_in_index.txt": (
        dict(
            title="示例县人民政府关于2022年度法治政府建设情况的报告",
            issuer="示例县人民政府",
            published_at="2023-03-06",
            source="示例县人民政府",
            signed_on="2023-03-02",
            report_year=2022,
        ),
        "示例市人民政府：",
        ("标 题", "索 引 号", "成文日期"),
    ),
    # the year in brackets after a 信息公开 title
    "disclosure_year_in_brackets.txt": (
        dict(
            title="示例县人民政府政府信息公开工作年度报告（2023年度）",
            issuer="示例县人民政府",
            published_at="2024-01-29",
            source="示例县人民政府办公室",
            report_year=2023,
        ),
        "本报告由示例县人民政府办公室根据",
        ("年度报告", "信息来源"),
    ),
    # 文号 on the byline line
    "doc_number_in_byline.txt": (
        dict(
            title=LAW_2023,
            issuer="示例县人民政府",
            published_at="2024-02-01",
            source="县政府办",
            doc_number="示政〔2024〕8号",
            report_year=2023,
        ),
        "示例市人民政府：",
        ("文号", "发布时间"),
    ),
    # index cells separated by tabs, label and value in turn, one cell empty
    "tab_cells_index.txt": (
        dict(
            title="示例县司法局2023年法治政府建设工作报告",
            issuer="示例县司法局",
            published_at="2024-03-08",
            source="示例县司法局",
            signed_on="2024-03-04",
            report_year=2023,
        ),
        "2023年，县司法局以法治政府示范创建为抓手",
        ("索引号", "主题分类", "发布日期"),
    ),
    # the county government's office issuing the report
    "office_issuer_law.txt": (
        dict(
            title="示例县人民政府办公室关于2023年度法治政府建设情况的报告",
            issuer="示例县人民政府办公室",
            published_at="2024-01-30T16:02",
            source="示例县人民政府办公室",
            report_year=2023,
        ),
        "2023年，县政府办公室在县委、县政府的领导下",
        ("当前位置", "发布时间"),
    ),
    # a portal group's masthead naming province, city and county
    "portal_group_three_levels.txt": (
        dict(
            title="示例县2023年法治政府建设情况报告",
            published_at="2024-03-15",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县全面推进严格规范公正文明执法",
        ("示例省人民政府", "发布日期"),
    ),
    # joint issuers on the title's line, a space between them
    "joint_issuers_one_line.txt": (
        dict(
            title="中共示例县委 示例县人民政府关于2023年度法治建设工作情况的报告",
            issuer="中共示例县委 示例县人民政府",
            published_at="2024-03-25",
            source="示例县委依法治县办",
            report_year=2023,
        ),
        "示例市委全面依法治市委员会：",
        ("发布时间",),
    ),
    # a share bar above the title, 打印本页 on the byline
    "share_bar_above_title.txt": (
        dict(
            title="示例县2023年度法治政府建设年度报告",
            published_at="2024-02-26",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县以建设法治政府示范县为目标",
        ("分享到", "打印本页"),
    ),
    # an eye-care colour picker on the byline
    "eye_care_color_picker.txt": (
        dict(
            title="示例县2023年法治政府建设工作报告",
            published_at="2024-03-01",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县严格落实党政主要负责人",
        ("视力保护色", "字体"),
    ),
    # a date with slashes; 作者 between the date and 来源
    "slash_date.txt": (
        dict(
            title="示例县2023年法治政府建设情况报告",
            published_at="2024-03-15",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县以提升行政执法质量为重点",
        ("作者", "发布日期"),
    ),
    # each byline field in its own brackets
    "bracketed_labels.txt": (
        dict(
            title="示例县2023年法治政府建设情况报告",
            published_at="2024-03-15",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县持续推进行政复议体制改革",
        ("发布时间", "字号"),
    ),
    # the text opens with the sentence that introduces the report
    "preface_sentence_start.txt": (
        dict(
            title=LAW_2023,
            issuer="示例县人民政府",
            published_at="2024-03-18",
            source="示例县司法局",
            report_year=2023,
        ),
        "按照《法治政府建设与责任落实督察工作规定》要求",
        ("发布时间",),
    ),
    # 广西: an index box of dt/dd pairs above the headline
    "dl_dt_index.html": (
        dict(
            title=LAW_2023,
            issuer="示例县人民政府",
            published_at="2024-03-07",
            source="示例县人民政府",
            doc_number="示政报〔2024〕2号",
            signed_on="2024-03-05",
            report_year=2023,
        ),
        "示例市人民政府：",
        ("索引号", "桂ICP"),
    ),
    # 湖北: the h1 and <title> are the column's name; the title is a bold centred first paragraph
    "headline_column_strong_title.html": (
        dict(
            title="示例县2023年法治政府建设情况报告",
            published_at="2024-03-27T09:15",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县认真贯彻落实上级关于法治政府建设的决策部署",
        ("浏览次数", "鄂ICP"),
    ),
    # 上海: ivs_title / ivs_content ids with ArticleTitle meta
    "ivs_content_meta.html": (
        dict(
            title="示例县2023年法治政府建设情况报告",
            published_at="2024-03-22",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县坚持依法行政和改革创新相结合",
        ("分享", "沪ICP"),
    ),
    # round three (document numbers, signers and signing dates, the weakest fields on unseen captures)
    # a document number on its own line below the title
    "docnum_below_title.txt": (
        dict(
            title=LAW_2023,
            issuer="示例县人民政府",
            published_at="2024-03-12",
            source="示例县人民政府办公室",
            doc_number="示政报〔2024〕9号",
            report_year=2023,
        ),
        "示例市人民政府：",
        ("示政报",),
    ),
    # a document number in square brackets and a 签发人 line above the title
    "docnum_square_signer.txt": (
        dict(
            title="示例县人民政府关于2023年度法治政府建设工作情况的报告",
            issuer="示例县人民政府",
            published_at="2024-03-04",
            source="示例县人民政府办公室",
            doc_number="示政发[2024]15号",
            signer="刘某某",
            report_year=2023,
        ),
        "示例市人民政府：",
        ("示政发", "签发人"),
    ),
    # a document number with its year in round brackets, below the byline
    "docnum_round_brackets.txt": (
        dict(
            title=LAW_2023,
            issuer="示例县人民政府",
            published_at="2024-02-27",
            source="县政府办",
            doc_number="示政报（2024）4号",
            report_year=2023,
        ),
        "示例市人民政府：",
        ("示政报",),
    ),
    # 文号 with 第 in an index table
    "docnum_with_di_index.txt": (
        dict(
            title=LAW_2023,
            issuer="示例县人民政府",
            published_at="2024-03-13",
            source="示例县人民政府办公室",
            doc_number="示政字〔2024〕第6号",
            signed_on="2024-03-11",
            report_year=2023,
        ),
        "示例市人民政府：",
        ("文号", "索引号"),
    ),
    # the document number and a letter-spaced 签 发 人 on one line
    "docnum_signer_one_line.txt": (
        dict(
            title="示例县人民政府关于2023年度法治政府建设工作的报告",
            issuer="示例县人民政府",
            published_at="2024-03-07T09:20",
            source="示例县司法局",
            doc_number="示府报〔2024〕12号",
            signer="孙某某",
            report_year=2023,
        ),
        "示例市人民政府：",
        ("示府报", "签 发 人"),
    ),
    # the signing date in Chinese numerals under the signing body
    "signature_chinese_numerals.txt": (
        dict(
            title=LAW_2023,
            issuer="示例县人民政府",
            published_at="2024-03-09",
            source="示例县司法局",
            signed_on="2024-03-05",
            report_year=2023,
        ),
        "示例市人民政府：",
        ("发布时间",),
    ),
    # a delivery line dated in Chinese numerals
    "work_report_chinese_numeral_delivery.txt": (
        dict(
            title="政府工作报告",
            issuer="示例县人民政府",
            published_at="2024-01-17",
            source="示例县人民政府办公室",
            signer="周某某",
            signed_on="2024-01-10",
            report_year=2023,
        ),
        "各位代表：",
        ("周某某", "会议上"),
    ),
    # an acting head (代县长) speaking
    "work_report_acting_head.txt": (
        dict(
            title="政府工作报告",
            issuer="示例县人民政府",
            published_at="2024-01-16",
            source="示例县人民政府办公室",
            signer="吴某某",
            signed_on="2024-01-09",
            report_year=2023,
        ),
        "各位代表：",
        ("吴某某", "会议上"),
    ),
    # a 政府工作报告 titled with its session year (it covers the year before)
    "work_report_session_year_title.txt": (
        dict(
            title="2024年示例县人民政府工作报告",
            issuer="示例县人民政府",
            published_at="2024-01-22",
            source="示例县人民政府办公室",
            report_year=2023,
        ),
        "各位代表：",
        ("发布时间",),
    ),
    # a title opening with 关于 names no issuer
    "title_opens_with_guanyu.txt": (
        dict(
            title="关于示例县2023年法治政府建设情况的报告",
            published_at="2024-03-21",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县全面落实行政执法责任制",
        ("发布时间",),
    ),
    # an index table with 发文机关 and 发文字号 cells (label and value in turn)
    "fawenzihao_table.html": (
        dict(
            title=LAW_2023,
            issuer="示例县人民政府",
            published_at="2024-03-18",
            source="示例县人民政府",
            doc_number="示政报〔2024〕11号",
            signed_on="2024-03-14",
            report_year=2023,
        ),
        "示例市人民政府：",
        ("发文字号", "鲁ICP"),
    ),
    # round four (site chrome above and below the text: every chrome line written is checked)
    # a banner with date and weather, login, a search box and a menu; the footer's links, badge and counter
    "top_menu_weather_search.txt": (
        dict(
            title="示例县2023年法治政府建设情况报告",
            published_at="2024-03-20",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县聚焦法治政府建设目标任务",
        (
            "星期三",
            "登录",
            "请输入关键字",
            "走进示例",
            "网站地图",
            "党政机关",
            "访客",
        ),
    ),
    # correction/print/close buttons, related reports (titles like this one), previous/next links
    "related_links_tail.txt": (
        dict(
            title="示例县2023年度法治政府建设情况报告",
            published_at="2024-03-02",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县将法治政府建设纳入",
        (
            "我要纠错",
            "相关阅读",
            "2022年度法治政府",
            "2021年度法治政府",
            "上一篇",
            "下一篇",
        ),
    ),
    # editor, reviewer and proofreader lines
    "editor_lines.txt": (
        dict(
            title="示例县2023年法治政府建设年度报告",
            published_at="2024-03-06",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县坚持法治政府建设与营商环境",
        (
            "责任编辑",
            "审核：",
            "校对",
        ),
    ),
    # sponsor, address and maintainer lines
    "contact_footer.txt": (
        dict(
            title="示例县2023年法治政府建设情况报告",
            published_at="2024-03-28",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县严格落实法治政府建设年度报告制度",
        (
            "主办：",
            "邮编",
            "运维单位",
        ),
    ),
    # the site's media accounts and IPv6 badge
    "media_badges.txt": (
        dict(
            title="示例县2023年法治政府建设工作报告",
            published_at="2024-03-14",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县全面加强法治政府建设",
        (
            "政务微博",
            "政务新媒体",
            "IPv6",
        ),
    ),
    # screen-reader, Q&A and script toggles; a font and background-colour bar
    "reader_tools.txt": (
        dict(
            title="示例县2023年法治政府建设情况报告",
            published_at="2024-03-23",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县扎实推进法治政府建设",
        (
            "读屏专用",
            "智能问答",
            "繁體",
            "背景色",
        ),
    ),
    # round five (the shapes real captures have: blank lines between lines, ASCII punctuation, pipe cells)
    # an index table flattened to label: | value | cells with 文号 and 成文日期
    "pipe_table_docnum.txt": (
        dict(
            title=LAW_2023,
            issuer="示例县人民政府",
            published_at="2024-03-25",
            source="示例县人民政府",
            doc_number="示政字〔2024〕6号",
            signed_on="2024-03-20",
            report_year=2023,
        ),
        "示例市人民政府:",
        ("索引号", "主题分类", "成文日期"),
    ),
    # the delivery line broken after 人民代表大会, blank lines between
    "delivery_broken_after_congress.txt": (
        dict(
            title="政府工作报告",
            issuer="示例县人民政府",
            published_at="2024-01-19T11:02",
            source="示例县人民政府办公室",
            signer="郑某某",
            signed_on="2024-01-12",
            report_year=2023,
        ),
        "各位代表:",
        ("郑某某", "第三次会议上", "发布时间"),
    ),
    # a date printed with dots
    "dotted_date.txt": (
        dict(
            title="示例县2023年法治政府建设情况报告",
            published_at="2024-03-15",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年,示例县坚持依法行政",
        ("发布时间",),
    ),
    # 发布日期 and 来源 printed under the text
    "byline_below_text.txt": (
        dict(
            title="示例县2023年度法治政府建设工作报告",
            published_at="2024-03-19",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年,示例县统筹推进法治政府建设",
        ("发布日期", "来源:"),
    ),
    # a one-line page holding a pipe-cell index table (文号: 无 states none)
    "one_line_pipe_table.txt": (
        dict(
            title="示例县司法局2023年法治政府建设工作报告",
            issuer="示例县司法局",
            published_at="2024-03-08",
            source="示例县司法局",
            signed_on="2024-03-06",
            report_year=2023,
        ),
        "2023年,县司法局坚持以习近平法治思想为指导",
        ("索引号", "当前位置", "发布时间"),
    ),
    # a 信息公开 report's body-only beginning: the year from its 统计期限 sentence
    "body_only_disclosure.txt": (dict(report_year=2023), "一、总体情况", ()),
    # spaces after the colons; print and close buttons in spaced brackets
    "spaced_colon_print_brackets.txt": (
        dict(
            title="示例县人民政府关于2023年法治政府建设情况的报告",
            issuer="示例县人民政府",
            published_at="2024-03-26",
            source="示例县司法局",
            report_year=2023,
        ),
        "示例市人民政府:",
        ("打印", "当前位置", "发布时间"),
    ),
    # round six (HTML templates: the weakest kind in rounds one and two)
    # an info line of unlabelled spans: the date is the publication date, the office no source
    "unlabelled_byline_spans.html": (
        dict(
            title="示例县2023年法治政府建设情况报告",
            published_at="2024-03-15",
            report_year=2023,
        ),
        "2023年，示例县紧紧围绕法治政府建设目标",
        ("浏览",),
    ),
    # the text opens with the document number and the title printed again
    "docnum_title_in_content.html": (
        dict(
            title=LAW_2023,
            issuer="示例县人民政府",
            published_at="2024-03-12T09:00",
            source="示例县人民政府办公室",
            doc_number="示政报〔2024〕3号",
            report_year=2023,
        ),
        "示例市人民政府：",
        ("示政报",),
    ),
    # byline fields as list items; a share bar and a font bar above the text
    "li_byline_share.html": (
        dict(
            title="示例县2023年法治政府建设年度报告",
            issuer="示例县司法局",
            published_at="2024-03-10",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县把法治政府建设作为全面依法治县的重点任务",
        ("字体", "分享到", "浏览次数"),
    ),
    # an index table whose label cells have no colon, a 标题 row among them
    "colonless_table_rows.html": (
        dict(
            title=LAW_2023,
            issuer="示例县人民政府",
            published_at="2024-03-21",
            source="示例县人民政府",
            doc_number="示政报〔2024〕13号",
            signed_on="2024-03-19",
            report_year=2023,
        ),
        "示例市人民政府：",
        ("索引号", "主题分类"),
    ),
    # a pager under the text
    "pagination_disclosure.html": (
        dict(
            title="示例县2023年政府信息公开工作年度报告",
            published_at="2024-01-28",
            source="示例县人民政府办公室",
            report_year=2023,
        ),
        "本报告根据《中华人民共和国政府信息公开条例》要求编制",
        ("第1页", "下一页", "尾页"),
    ),
    # the headline holds the title, the delivery line and the speaker, split by <br>
    "h1_with_br_delivery.html": (
        dict(
            title="政府工作报告",
            issuer="示例县人民政府",
            published_at="2024-01-18",
            source="示例县人民政府办公室",
            signer="冯某某",
            signed_on="2024-01-11",
            report_year=2023,
        ),
        "各位代表：",
        ("冯某某", "会议上"),
    ),
    # round seven (regions: 白鹭区 is a district of both 示例市 990102 and 样板市 990202)
    # the masthead names the city
    "bailu_masthead_city.txt": (
        dict(
            title="白鹭区2023年法治政府建设情况报告",
            published_at="2024-03-18",
            source="白鹭区司法局",
            report_year=2023,
            region_code="990202",
        ),
        "2023年，白鹭区坚持以习近平法治思想为指导",
        ("样板市白鹭区人民政府",),
    ),
    # the text names the city
    "bailu_city_in_body.txt": (
        dict(
            title="白鹭区2023年法治政府建设情况报告",
            published_at="2024-03-19",
            source="白鹭区司法局",
            report_year=2023,
            region_code="990102",
        ),
        "2023年，白鹭区在示例市委、市政府的坚强领导下",
        (),
    ),
    # nothing tells the two apart: no region, never a silent pick
    "bailu_no_clue.txt": (
        dict(
            title="白鹭区2023年法治政府建设情况报告",
            published_at="2024-03-20",
            source="白鹭区司法局",
            report_year=2023,
            region_code=None,
        ),
        "2023年，白鹭区深入推进依法行政",
        (),
    ),
    # a city department titled by its short name (市司法局) under the city's masthead
    "city_department_short_name.txt": (
        dict(
            title="市司法局2023年法治政府建设工作报告",
            issuer="市司法局",
            published_at="2024-02-22",
            source="示例市司法局",
            report_year=2023,
            region_code="990100",
        ),
        "2023年，市司法局认真履行统筹推进全市法治政府建设职责",
        ("部门信息",),
    ),
    # another district named in the text does not move the report
    "neighbour_named_in_body.txt": (
        dict(
            title="示例县2023年法治政府建设情况报告",
            published_at="2024-03-27",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县与样板市白鹭区建立跨区域行政执法协作机制",
        (),
    ),
    # round eight (title forms)
    # a wide space inside the title, kept as printed; wide spaces after the byline's values
    "title_with_inner_space.txt": (
        dict(
            title="示例县人民政府\u3000关于2023年度法治政府建设情况的报告",
            issuer="示例县人民政府",
            published_at="2024-03-08",
            source="示例县司法局",
            report_year=2023,
        ),
        "示例市人民政府：",
        ("发布时间",),
    ),
    # a 政府工作报告（摘要）with its delivery and speaker lines
    "work_report_summary.txt": (
        dict(
            title="政府工作报告（摘要）",
            issuer="示例县人民政府",
            published_at="2024-01-12",
            source="示例县融媒体中心",
            signer="褚某某",
            signed_on="2024-01-09",
            report_year=2023,
        ),
        "各位代表：",
        ("褚某某", "会议上"),
    ),
    # a date in brackets before the title on its line: not part of the title, and (beside no 来源 or counter)
    # not the page's info-line date
    "leading_date_title.txt": (
        dict(
            title="示例县2023年法治政府建设情况报告",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县持续深化法治政府建设",
        ("[2024-03-15]",),
    ),
    # 信息来源：本站 is the value as printed
    "source_this_site.txt": (
        dict(
            title="示例县2023年法治政府建设情况报告",
            published_at="2024-03-29",
            source="本站",
            report_year=2023,
        ),
        "2023年，示例县坚持依法行政",
        ("信息来源",),
    ),
    # a township government's report: the county's code (townships have none of their own)
    "township_government.txt": (
        dict(
            title="示例县城关镇人民政府2023年法治政府建设工作报告",
            issuer="示例县城关镇人民政府",
            published_at="2024-02-29",
            source="示例县城关镇",
            report_year=2023,
        ),
        "2023年，城关镇人民政府认真落实法治政府建设各项任务",
        ("发布时间",),
    ),
    # the party committee's rule-of-law office issuing
    "party_committee_office.txt": (
        dict(
            title="中共示例县委全面依法治县委员会办公室关于2023年度法治建设工作的报告",
            issuer="中共示例县委全面依法治县委员会办公室",
            published_at="2024-03-05",
            source="示例县委依法治县办",
            report_year=2023,
        ),
        "2023年，县委依法治县办统筹推进法治示例建设",
        ("发布时间",),
    ),
    # the masthead, then a title over three lines starting with the same name
    "three_line_title_law.txt": (
        dict(
            title=LAW_2023,
            issuer="示例县人民政府",
            published_at="2024-03-16",
            source="示例县司法局",
            report_year=2023,
        ),
        "示例市人民政府：",
        ("情况的报告", "发布时间"),
    ),
    # round nine (HTML titles and subtitles)
    # <title> and ArticleTitle are the column's name; the headline holds the title
    "meta_title_column_name.html": (
        dict(
            title="示例县2023年法治政府建设年度报告",
            published_at="2024-03-13T10:05",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县认真落实法治政府建设责任",
        ("当前位置",),
    ),
    # an old table layout: <title> the site's name, the title a bold cell, the text one cell of <br> lines
    "table_layout_td_zoom.html": (
        dict(
            title="示例县2023年度法治政府建设情况报告",
            published_at="2024-03-15",
            source="示例县司法局",
            report_year=2023,
        ),
        "2023年，示例县坚持以习近平法治思想为指导",
        ("点击", "版权所有", "您现在的位置"),
    ),
    # a 政府工作报告 whose delivery and speaker lines sit in their own block between headline and byline
    "work_report_subtitle_div.html": (
        dict(
            title="政府工作报告",
            issuer="示例县人民政府",
            published_at="2024-01-15T10:30",
            source="示例县人民政府办公室",
            signer="卫某某",
            signed_on="2024-01-08",
            report_year=2023,
        ),
        "各位代表：",
        ("卫某某", "会议上"),
    ),
    # the text repeats the title over two centred lines
    "two_line_title_in_content.html": (
        dict(
            title=LAW_2023,
            issuer="示例县人民政府",
            published_at="2024-03-04",
            source="示例县人民政府办公室",
            report_year=2023,
        ),
        "示例市人民政府：",
        ("关于2023年度法治政府建设情况的报告",),
    ),
}


def _same(value: object) -> object:
    """A value as ../shared/tools/score.py compares it: NFKC, without whitespace (years stay numbers)."""
    if not isinstance(value, str):
        return value
    return "".join(unicodedata.normalize("NFKC", value).split())


def _read(name: str):
    return read_document(Page(name=name, data=(PROBE / name).read_bytes()))


def test_every_probe_file_has_a_case():
    assert sorted(p.name for p in PROBE.iterdir() if p.suffix in {".txt", ".html"}) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_metadata_as_a_reader_writes_it(name):
    expected, _, _ = CASES[name]
    report = _read(name)
    assert report.ok, report.error
    stated = {key: _same(getattr(report.metadata, key)) for key in FIELDS}
    wanted = {key: _same(expected.get(key)) for key in FIELDS}
    wanted["region_code"] = expected.get("region_code", COUNTY)
    assert stated == wanted


@pytest.mark.parametrize("name", sorted(CASES))
def test_body_starts_at_the_report_text_without_header_or_chrome(name):
    _, first, leaks = CASES[name]
    report = _read(name)
    lines = report.body.split("\n")
    assert lines[0].startswith(first), lines[:2]
    for leak in leaks:
        assert not any(leak in line for line in lines), (leak, [line for line in lines if leak in line])
