"""The FICTIONAL county 示例县's site in the styles of the big government CMSs, for onboarding tests.

Each variant publishes one 法治政府建设 report per year, with notices between them, in a column that pages:
- trs: createPageHTML(countPage, currentPage, "index", "html") and nothing else (no 下一页 links);
- hanweb: a /col/colNNN/ page whose datastore holds the first records; the rest only from the dataproxy,
  by POST with the column's form fields (hanweb_method="get": only by GET with page=n);
- json: a gkmlpt-style page whose script names a JSON list API (?page=n), the only place the items are;
- nav: plain 下一页 pages, reachable only through the 政府信息公开 menu (not from the home page); that
  menu also holds a 政府信息公开年报 column with one 政府信息公开工作年度报告 per year (disclosure_path).
Decoy columns (news, policy files) hold notices only. The same arguments always give the same bytes.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping
from typing import Literal

from flows import sample_pages as pages
from flows.sample_site import Dynamic, Resource, SampleSite, _html, _http_date

Variant = Literal["trs", "hanweb", "json", "nav"]
VARIANTS: tuple[Variant, ...] = ("trs", "hanweb", "json", "nav")
VARIANT_YEARS = tuple(range(2015, 2025))
HANWEB_COLUMN, HANWEB_WEBID, HANWEB_UNITID = "4521", "99", "30121"
DISCLOSURE_FOLDER = "/xxgk/xxgkndbg"
Item = tuple[str, str, str]  # href, title, date
Day = tuple[int, int, int]


def build_variant_site(
    variant: Variant,
    years: tuple[int, ...] = VARIANT_YEARS,
    page_size: int = 4,
    hanweb_method: Literal["post", "get"] = "post",
) -> SampleSite:
    """Every page of one variant; report_paths says where each year's report is."""
    resources: dict[str, Resource] = {}
    report_paths: dict[int, str] = {}
    items: list[Item] = []
    for year in sorted(years, reverse=True):
        y, m, d = pub = pages.published_on(year)
        when = f"{y}-{m:02d}-{d:02d}"
        report, notice = _article_paths(variant, year)
        page = pages.hanweb_report_page(year, "utf-8") if variant == "hanweb" else pages.trs_report_page(year)
        resources[report] = _html(page, pub)
        notice_title = f"关于做好{y}年行政执法统计工作的通知"
        resources[notice] = _html(pages.notice_page(notice_title, when), pub)
        report_paths[year] = report
        items += [(report, pages.report_title(year), when), (notice, notice_title, when)]
    last: Day = pages.published_on(max(years))
    news = [
        (f"/xwdt/{n}.html", f"示例县召开{2024 - n}年第{n % 4 + 1}次政府常务会议", "2025-01-05")
        for n in range(5)
    ]
    for href, title, when in news:
        resources[href] = _html(pages.notice_page(title, when), last)
    resources["/xwdt/index.html"] = _html(_plain_list("新闻动态", news, None), last)
    column, name = _COLUMNS[variant]
    dynamic: dict[str, Dynamic] = {}
    if variant == "trs":
        _paged(
            resources,
            items,
            page_size,
            last,
            lambda n: "index.html" if n == 0 else f"index_{n}.html",
            column.rsplit("/", 1)[0],
            lambda chunk, n, total: _trs_list(name, chunk, n, total),
        )
    elif variant == "nav":
        _paged(
            resources,
            items,
            page_size,
            last,
            lambda n: "list.html" if n == 0 else f"list_{n + 1}.html",
            column.rsplit("/", 1)[0],
            lambda chunk, n, total: _nav_list(name, chunk, n, total),
        )
        disclosures = []
        for year in sorted(years, reverse=True):
            resources[disclosure_path(year)] = _html(_disclosure_page(year), pages.published_on(year))
            disclosures.append((disclosure_path(year), disclosure_title(year), f"{year + 1}-01-20"))
        _paged(
            resources,
            disclosures,
            page_size,
            last,
            lambda n: "list.html" if n == 0 else f"list_{n + 1}.html",
            DISCLOSURE_FOLDER,
            lambda chunk, n, total: _nav_list("政府信息公开年报", chunk, n, total),
        )
    elif variant == "hanweb":
        resources[column] = _html(_hanweb_column(name, items[:page_size], len(items), page_size), last)
        dynamic["/module/web/jpage/dataproxy.jsp"] = _dataproxy(items, last, hanweb_method.upper())
    else:
        resources[column] = _html(_json_shell(name), last)
        dynamic["/gkmlpt/api/all/88"] = _json_api(items, page_size, last)
    menu = [("/xxgk/zcwj/list.html", "政策文件"), ("/xxgk/rsxx/list.html", "人事信息")]
    if variant in ("json", "nav"):
        menu.insert(1, (column, name))
    if variant == "nav":
        menu.append((f"{DISCLOSURE_FOLDER}/list.html", "政府信息公开年报"))
    for href, title in menu:
        if href not in resources:
            resources[href] = _html(_plain_list(title, news[:2], None), last)
    resources["/xxgk/index.html"] = _html(pages.home_page(menu), last)
    nav = [("/xwdt/index.html", "新闻动态"), ("/xxgk/index.html", "政府信息公开")]
    if variant in ("trs", "hanweb"):
        nav.append((column, name))
    resources["/index.html"] = resources["/"] = _html(pages.home_page(nav), last)
    robots = (
        f"# {pages.COUNTY}: a FICTIONAL county, sample site variant {variant}\n"
        "User-agent: *\nDisallow: /admin/\n"
    )
    resources["/robots.txt"] = Resource(robots.encode(), "text/plain; charset=utf-8", _http_date(*last))
    return SampleSite(resources, report_paths, dynamic=dynamic)


_COLUMNS: dict[str, tuple[str, str]] = {
    "trs": ("/zwgk/fzzf/index.html", "法治政府建设"),
    "hanweb": (f"/col/col{HANWEB_COLUMN}/index.html", "法治政府建设年度报告"),
    "json": ("/gkmlpt/fzzf/index.html", "法治政府建设年度报告"),
    "nav": ("/xxgk/fzzfndbg/list.html", "法治政府建设年度报告"),
}


def disclosure_path(year: int) -> str:
    """Where the nav variant publishes the year's 政府信息公开工作年度报告."""
    y = year + 1
    return f"{DISCLOSURE_FOLDER}/{y}01/t{y}0120_{year}3.html"


def disclosure_title(year: int) -> str:
    return f"{pages.GOVERNMENT}{year}年政府信息公开工作年度报告"


def _disclosure_page(year: int) -> str:
    """A short synthetic 政府信息公开工作年度报告 (figures made up from the year)."""
    active, requests = 900 + 37 * (year - 2010), 20 + year % 13
    paragraphs = [
        f"本报告根据《中华人民共和国政府信息公开条例》要求编制，包括总体情况、主动公开政府信息情况、收到和处理政府"
        f"信息公开申请情况等内容。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
        "一、总体情况",
        f"{year}年，{pages.COUNTY}人民政府主动公开政府信息{active}条，受理政府信息公开申请{requests}件，均在法定期限内答复。",
        "二、存在的主要问题及改进情况",
        "一是公开内容的及时性有待提高；二是政策解读的形式较为单一。下一步将加强培训，提升公开质量。",
        f"（本报告为虚构示例，{pages.COUNTY}并不存在，数字均为合成数据。）",
    ]
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    title = disclosure_title(year)
    return _page(title, f'<h1>{html.escape(title)}</h1>\n<div class="TRS_Editor">\n{body}\n</div>')


def _article_paths(variant: Variant, year: int) -> tuple[str, str]:
    y, m, d = pages.published_on(year)
    if variant == "hanweb":
        return (
            f"/art/{y}/{m}/{d}/art_{HANWEB_COLUMN}_{year}1.html",
            f"/art/{y}/{m}/{d}/art_{HANWEB_COLUMN}_{year}2.html",
        )
    if variant == "json":
        return f"/gkmlpt/content/2/{y}/post_{year}1.html", f"/gkmlpt/content/2/{y}/post_{year}2.html"
    stem = f"{'/zwgk/fzzf' if variant == 'trs' else '/xxgk/fzzfndbg'}/{y}{m:02d}/t{y}{m:02d}{d:02d}_{year}"
    return f"{stem}1.html", f"{stem}2.html"


def _paged(
    resources: dict[str, Resource],
    items: list[Item],
    size: int,
    last: Day,
    name: Callable[[int], str],
    folder: str,
    render: Callable[[list[Item], int, int], str],
) -> None:
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    for number, chunk in enumerate(chunks):
        resources[f"{folder}/{name(number)}"] = _html(render(chunk, number, len(chunks)), last)


def _rows(items: list[Item]) -> str:
    return "\n".join(
        f'<li><a href="{href}" title="{html.escape(t)}" target="_blank">{html.escape(t)}</a>'
        f"<span>{when}</span></li>"
        for href, t, when in items
    )


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}_{pages.SITE_NAME}</title>\n</head>\n<body>\n"
        '<div class="nav"><a href="/index.html">首页</a> '
        f'<a href="/xxgk/index.html">政府信息公开</a></div>\n{body}\n<div class="footer"><p>'
        f"{pages.FICTION_NOTICE}</p></div>\n</body>\n</html>\n"
    )


def _plain_list(title: str, items: list[Item], nav: str | None) -> str:
    rows = f'<ul class="list">\n{_rows(items)}\n</ul>'
    return _page(title, f"<h2>{html.escape(title)}</h2>\n{rows}\n{nav or ''}")


def _trs_list(title: str, items: list[Item], page: int, total: int) -> str:
    """A TRS column page: the pager is drawn by script only (no 下一页 link in the markup)."""
    script = (
        f"<script>\nvar currentPage = {page};//所在页从0开始\nvar countPage = {total}//共多少页\n"
        'createPageHTML(countPage, currentPage, "index", "html");\n</script>'
    )
    return _page(title, f'<ul class="list">\n{_rows(items)}\n</ul>\n<div class="page">{script}</div>')


def _nav_list(title: str, items: list[Item], page: int, total: int) -> str:
    """A plain column page: 上一页 / 下一页 links to list.html, list_2.html, …"""
    links = []
    if page > 0:
        links.append(f'<a href="{"list.html" if page == 1 else f"list_{page}.html"}">上一页</a>')
    if page + 1 < total:
        links.append(f'<a href="list_{page + 2}.html">下一页</a>')
    return _plain_list(title, items, f'<div class="page">共{total}页 {" ".join(links)}</div>')


def _records(items: list[Item]) -> str:
    return "\n".join(
        f'<record><![CDATA[<li><a href="{href}" title="{html.escape(t)}" target="_blank">'
        f"{html.escape(t)}</a><span>{when}</span></li>]]></record>"
        for href, t, when in items
    )


def _hanweb_column(title: str, first: list[Item], total: int, per_page: int) -> str:
    """A Hanweb column page: the first records in a datastore, the rest for jpage to fetch."""
    nextgroup = (
        f'<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid={HANWEB_WEBID}&path=/'
        f'&columnid={HANWEB_COLUMN}&unitid={HANWEB_UNITID}&webname=示例县&permissiontype=0"></a>'
    )
    jpage = (
        f"<script>$('#div{HANWEB_COLUMN}').jpage({{dataStore: 'datastore', perPage: {per_page}, "
        f"totalRecord: {total}, proxyUrl: '/module/web/jpage/dataproxy.jsp', "
        f"ajaxParam: {{col: 1, appid: 1, webid: {HANWEB_WEBID}, path: '/', columnid: {HANWEB_COLUMN}, "
        "sourceContentType: 1, "
        f"unitid: {HANWEB_UNITID}, webname: '示例县', permissiontype: 0}}}});</script>"
    )
    store = (
        f'<div id="div{HANWEB_COLUMN}"><script type="text/xml"><datastore>\n'
        f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n<recordset>\n{_records(first)}\n</recordset>\n"
        f"</datastore></script></div>\n{jpage}"
    )
    return _page(title, store)


def _dataproxy(items: list[Item], last: Day, accepted: str) -> Dynamic:
    """POST startrecord/endrecord with the column's form fields, or GET with page=n: one of them."""

    def answer(method: str, params: Mapping[str, str]) -> Resource | None:
        if method != accepted:
            return None
        known = (params.get("columnid"), params.get("webid"), params.get("unitid")) == (
            HANWEB_COLUMN,
            HANWEB_WEBID,
            HANWEB_UNITID,
        )
        per_page = int(params.get("perpage") or 4)
        if method == "GET":
            page = int(params.get("page") or 1)
            start, end = (page - 1) * per_page + 1, page * per_page
        else:
            start, end = int(params.get("startrecord") or 1), int(params.get("endrecord") or per_page)
        chosen = items[start - 1 : end] if known else []
        total = len(items) if known else 0
        xml = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<totalrecord>{total}</totalrecord>'
            f"\n<recordset>\n{_records(chosen)}\n</recordset>\n</datastore>\n"
        )
        return Resource(xml.encode(), "text/xml; charset=utf-8", _http_date(*last))

    return answer


def _json_shell(title: str) -> str:
    """A gkmlpt-style column page: the list is drawn from an API by script."""
    script = (
        '<div id="list"></div>\n<script>\nvar listApi = "/gkmlpt/api/all/88?page=1&sid=990121";\n'
        "fetch(listApi).then(function (r) { return r.json(); }).then(render);\n</script>"
    )
    return _page(title, f"<h2>{html.escape(title)}</h2>\n{script}")


def _json_api(items: list[Item], size: int, last: Day) -> Dynamic:
    def answer(method: str, params: Mapping[str, str]) -> Resource | None:
        if method != "GET":
            return None
        page = int(params.get("page") or 1)
        chunk = items[(page - 1) * size : page * size] if page >= 1 else []
        articles = [
            {"id": 1000 + n, "title": t, "url": href, "publish_date": when, "source": "示例县司法局"}
            for n, (href, t, when) in enumerate(chunk)
        ]
        body = json.dumps({"total": len(items), "page": page, "articles": articles}, ensure_ascii=False)
        return Resource(body.encode(), "application/json; charset=utf-8", _http_date(*last))

    return answer
