"""Synthetic report text and HTML pages of the FICTIONAL county 示例县 (990121), generated deterministically.

Every figure is made up from a seeded generator; every page says that the site and its figures are fictional.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass

COUNTY = "示例县"
CITY = "示例市"
PROVINCE = "示例省"
GOVERNMENT = f"{COUNTY}人民政府"
SITE_NAME = f"{GOVERNMENT}（虚构示例站点）"
FICTION_NOTICE = (
    f"本站为虚构示例站点：{PROVINCE}、{CITY}、{COUNTY}均不存在，"
    "页面中的数字均为合成数据，仅用于演示 nianbao 数据管道。"
)


@dataclass(frozen=True, slots=True)
class SampleFigures:
    """One year's synthetic figures; the report text states each of them."""

    year: int
    reconsideration_accepted: int
    reconsideration_upheld: int
    reconsideration_revoked: int
    litigation_cases: int
    wage_deposit_wan: float
    training_rate: int
    trainees: int
    township_committees: int
    village_committees: int
    community_committees: int
    service_items: int
    windows: int
    normative_reviewed: int
    legal_advisors: int


def figures_for(year: int) -> SampleFigures:
    """The figures of one year: a seeded random walk around a slowly growing trend."""
    rng = random.Random(f"{COUNTY}-{year}")
    t = max(0, year - 2010)
    accepted = 6 + t + rng.randint(0, 4)
    revoked = rng.randint(0, 2)
    return SampleFigures(
        year=year,
        reconsideration_accepted=accepted,
        reconsideration_upheld=accepted - revoked - rng.randint(0, 1),
        reconsideration_revoked=revoked,
        litigation_cases=9 + rng.randint(0, 2 * t + 3),
        wage_deposit_wan=round(1800 + 260 * t + rng.uniform(-120, 180), 1),
        training_rate=min(99, 86 + t // 2 + rng.randint(0, 3)),
        trainees=420 + 15 * t + rng.randint(0, 40),
        township_committees=11,
        village_committees=180 + rng.randint(0, 12),
        community_committees=12 + t // 3,
        service_items=350 + 18 * t + rng.randint(0, 20),
        windows=18 + t // 2,
        normative_reviewed=20 + rng.randint(0, 15),
        legal_advisors=8 + t // 3,
    )


def report_title(year: int) -> str:
    return f"{GOVERNMENT}关于{year}年度法治政府建设情况的报告"


def report_paragraphs(year: int) -> list[str]:
    """The body of the year's 法治政府建设情况报告, paragraph by paragraph (synthetic text)."""
    f = figures_for(year)
    pub = year + 1
    return [
        f"{CITY}人民政府：",
        f"{year}年，我县坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实党中央、国务院关于法治政府建设的"
        f"决策部署，扎实推进依法行政，法治政府建设取得新进展。现将{year}年度有关情况报告如下：",
        "一、依法全面履行政府职能",
        "（一）深化政务服务改革",
        f"一是推进“一窗受理、集成服务”。县政务服务中心设置综合受理窗口{f.windows}个，"
        f"进驻政务服务事项{f.service_items}项，群众办事实现“只进一扇门”。",
        "二是持续优化营商环境。围绕企业开办、工程建设项目审批等重点领域精简材料、压缩时限，"
        "推行告知承诺和容缺受理，企业和群众办事更加便捷。",
        "（二）保障农民工工资支付",
        f"严格落实农民工工资保证金制度，截至{year}年底，已累计收缴农民工工资保证金{f.wage_deposit_wan}万元，"
        "对欠薪问题做到有报必接、有案必查、有欠必追。",
        "二、完善依法行政制度体系",
        "（一）加强规范性文件管理",
        f"全年审核县政府及部门规范性文件{f.normative_reviewed}件，做到应审必审、有件必备。",
        "（二）发挥法律顾问作用",
        f"县政府聘请法律顾问{f.legal_advisors}名，重大行政决策、重要合同均经法律顾问审查把关。",
        "三、推进严格规范公正文明执法",
        f"举办全县行政执法人员专题培训班，{f.trainees}名行政执法人员参加培训，参训率达{f.training_rate}%。"
        "全面落实行政执法公示、执法全过程记录、重大执法决定法制审核制度。",
        "四、依法化解社会矛盾纠纷",
        f"{year}年，受理行政复议案件{f.reconsideration_accepted}件，其中决定维持{f.reconsideration_upheld}件，"
        f"决定撤销{f.reconsideration_revoked}件。办理行政应诉案件{f.litigation_cases}件，未出现县政府败诉案件。",
        f"全县建立乡镇人民调解委员会{f.township_committees}个，村人民调解委员会{f.village_committees}个，"
        f"社区人民调解委员会{f.community_committees}个，人民调解组织实现全覆盖。",
        "五、存在的问题和下一步打算",
        "一是部分部门对法治政府建设重视不够，工作进展不平衡。二是基层执法人员能力有待提升。"
        f"{pub}年，我县将继续加强行政执法队伍建设，推动法治政府建设再上新台阶。",
        GOVERNMENT,
        f"{pub}年3月{8 + year % 7}日",
        f"（本报告为虚构示例，{COUNTY}并不存在，数字均为合成数据。）",
    ]


def published_on(year: int) -> tuple[int, int, int]:
    """When the year's report was put online (the spring after the year)."""
    return year + 1, 3, 12 + year % 9


def _chrome_head(title: str, charset: str, meta: dict[str, str]) -> str:
    metas = "\n".join(f'<meta name="{k}" content="{html.escape(v)}">' for k, v in meta.items())
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="{charset}">\n'
        f"<title>{html.escape(title)}_{SITE_NAME}</title>\n{metas}\n</head>\n"
    )


def _footer() -> str:
    return (
        f'<div class="footer"><p>主办：{GOVERNMENT}办公室（虚构）</p><p>{FICTION_NOTICE}</p>'
        "<p>网站标识码：0000000000 示ICP备00000000号</p></div>"
    )


def trs_report_page(year: int) -> str:
    """A TRS-style article page (meta tags, breadcrumb, .TRS_Editor container)."""
    title = report_title(year)
    y, m, d = published_on(year)
    meta = {
        "ArticleTitle": title,
        "PubDate": f"{y}-{m:02d}-{d:02d} 09:30",
        "ContentSource": f"{COUNTY}司法局",
        "SiteName": SITE_NAME,
        "ColumnName": "法治政府建设",
        "Description": FICTION_NOTICE,
    }
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in report_paragraphs(year))
    return (
        _chrome_head(title, "utf-8", meta)
        + '<body>\n<div class="header"><a href="../index.html">首页</a> <a href="index.html">法治政府建设</a>'
        ' <a href="#">无障碍</a> <a href="#">简体</a>|<a href="#">繁体</a></div>\n'
        '<div class="crumb">当前位置：<a href="../index.html">首页</a> &gt; 法治政府建设</div>\n'
        f'<div class="article">\n<h1>{html.escape(title)}</h1>\n'
        f'<div class="info">发布时间：{y}-{m:02d}-{d:02d} 09:30　来源：{COUNTY}司法局</div>\n'
        f'<div class="TRS_Editor">\n{body}\n</div>\n'
        '<div class="tools">【打印】【关闭】</div>\n</div>\n' + _footer() + "\n</body>\n</html>\n"
    )


def hanweb_report_page(year: int, charset: str) -> str:
    """A Hanweb-style article page (#zoom container, 字体大中小 toolbar)."""
    title = report_title(year)
    y, m, d = published_on(year)
    meta = {
        "ArticleTitle": title,
        "PubDate": f"{y}-{m:02d}-{d:02d}",
        "ContentSource": f"{GOVERNMENT}办公室",
        "SiteName": SITE_NAME,
        "ColumnName": "法治政府建设（旧栏目）",
    }
    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in report_paragraphs(year))
    return (
        _chrome_head(title, charset, meta)
        + '<body>\n<table class="nav"><tr><td><a href="/index.html">网站首页</a></td>'
        '<td><a href="/col/col9901/index.html">法治政府建设</a></td></tr></table>\n'
        '<div class="position">您所在的位置：<a href="/index.html">首页</a> &gt; 法治政府建设</div>\n'
        f'<table class="article"><tr><td class="title">{html.escape(title)}</td></tr>\n'
        f'<tr><td class="info">发布日期：{y}-{m:02d}-{d:02d}　信息来源：{GOVERNMENT}办公室　'
        '【字体：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】</td></tr>\n'
        f'<tr><td><div id="zoom">\n{body}</div></td></tr></table>\n' + _footer() + "\n</body>\n</html>\n"
    )


def notice_page(title: str, when: str) -> str:
    """A page that is not a report (a notice); discovery should skip it by its title."""
    meta = {"ArticleTitle": title, "PubDate": when, "SiteName": SITE_NAME}
    return (
        _chrome_head(title, "utf-8", meta) + f"<body><h1>{html.escape(title)}</h1>"
        f'<div class="TRS_Editor"><p>{html.escape(title)}，详见附件。（虚构示例）</p></div>'
        + _footer()
        + "</body></html>\n"
    )


def home_page(columns: list[tuple[str, str]]) -> str:
    links = "".join(f'<li><a href="{href}">{html.escape(name)}</a></li>' for href, name in columns)
    return (
        _chrome_head("首页", "utf-8", {"SiteName": SITE_NAME}) + f"<body><h1>{SITE_NAME}</h1>"
        f"<p>{FICTION_NOTICE}</p><ul>{links}</ul>" + _footer() + "</body></html>\n"
    )


def trs_list_page(items: list[tuple[str, str, str]], page: int, pages: int) -> str:
    """A TRS list page: <li><a title=…>…</a><span>date</span>, createPageHTML pagination, 下一页 link."""
    rows = "\n".join(
        f'<li><a href="{href}" title="{html.escape(t)}" target="_blank">{html.escape(t)}</a>'
        f"<span>{when}</span></li>"
        for href, t, when in items
    )
    nav = []
    if page > 0:
        nav.append(f'<a href="{"index.html" if page == 1 else f"index_{page - 1}.html"}">上一页</a>')
    if page + 1 < pages:
        nav.append(f'<a href="index_{page + 1}.html">下一页</a>')
    return (
        _chrome_head("法治政府建设", "utf-8", {"SiteName": SITE_NAME, "ColumnName": "法治政府建设"})
        + '<body><div class="crumb">当前位置：<a href="../index.html">首页</a> &gt; 法治政府建设</div>\n'
        f'<ul class="list">\n{rows}\n</ul>\n<div class="page">{" ".join(nav)}</div>\n'
        f'<script>createPageHTML({pages}, {page}, "index", "html");</script>\n'
        + _footer()
        + "</body></html>\n"
    )


def hanweb_list_page(items: list[tuple[str, str, str]]) -> str:
    """A Hanweb column: records held as CDATA inside <script type="text/xml">, rendered by JavaScript."""
    records = "\n".join(
        f'<record><![CDATA[<li><a href="{href}" title="{html.escape(t)}" target="_blank">{html.escape(t)}</a>'
        f"<span>{when}</span></li>]]></record>"
        for href, t, when in items
    )
    return (
        _chrome_head("法治政府建设（旧栏目）", "utf-8", {"SiteName": SITE_NAME})
        + '<body><div class="position">您所在的位置：<a href="/index.html">首页</a></div>\n'
        '<div id="div9901"><script type="text/xml"><datastore>\n'
        f"<nextgroup><![CDATA[]]></nextgroup>\n<recordset>\n{records}\n</recordset>\n</datastore></script>"
        "</div>\n" + _footer() + "</body></html>\n"
    )


def not_found_page() -> str:
    """What many government sites serve for a missing article — with status 200."""
    return (
        _chrome_head("页面不存在", "utf-8", {"SiteName": SITE_NAME})
        + "<body><div class='error'><h1>页面不存在</h1><p>抱歉，您访问的页面不存在或已被删除！</p>"
        "<p><a href='/index.html'>返回首页</a></p></div>" + _footer() + "</body></html>\n"
    )
