"""The bundled sample site of the FICTIONAL county 示例县: every resource built deterministically in memory.

Reports from `cms_switch_year` on sit in a TRS-style column with paginated list pages; older ones in a
Hanweb-style column whose list is CDATA inside <script type="text/xml">; `gbk_years` are served in GBK.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

from flows import sample_attachments as attachments
from flows import sample_pages as pages

DEFAULT_YEARS = (2019, 2020, 2022, 2023, 2024)  # 2021 is missing on purpose: the YoY table shows a gap


@dataclass(frozen=True, slots=True)
class Resource:
    """One file the sample server answers with."""

    body: bytes
    content_type: str
    last_modified: str

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


# A resource that depends on the request: (method, query and form fields) → answer, None to refuse (405)
Dynamic = Callable[[str, Mapping[str, str]], Resource | None]


@dataclass(frozen=True, slots=True)
class SampleSite:
    """Path → resource, plus where each year's report lives (for tests and the demo's explanations).
    `dynamic` paths (a CMS's list API) answer by method and parameters."""

    resources: dict[str, Resource]
    report_paths: dict[int, str] = field(default_factory=dict)
    notice_paths: tuple[str, ...] = ()
    dynamic: dict[str, Dynamic] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SampleSiteSpec:
    years: tuple[int, ...] = DEFAULT_YEARS
    gbk_years: tuple[int, ...] = (2020,)
    cms_switch_year: int = 2021
    page_size: int = 3
    robots_disallow: tuple[str, ...] = ("/admin/",)
    attachments: tuple[tuple[int, str], ...] = ()  # (year, pdf|docx|ofd): report page links the document
    disclosure: tuple[tuple[int, str], ...] = ()  # (year, html|pdf|docx|ofd): 信息公开年报 column entries


DEMO_SPEC = SampleSiteSpec(
    attachments=((2019, "docx"), (2022, "pdf"), (2024, "ofd")), disclosure=((2022, "pdf"), (2023, "html"))
)


def _http_date(year: int, month: int, day: int) -> str:
    return format_datetime(datetime(year, month, day, 9, 30, tzinfo=UTC), usegmt=True)


def _html(text: str, day: tuple[int, int, int], charset: str = "utf-8") -> Resource:
    codec = "gbk" if charset in ("gbk", "gb2312") else charset
    return Resource(text.encode(codec), f"text/html; charset={charset}", _http_date(*day))


NOTICES = ("关于开展法治宣传教育月活动的通知", "示例县行政执法人员名单公示", "关于征求规范性文件意见的公告")


def build_sample_site(spec: SampleSiteSpec | None = None) -> SampleSite:
    """Every page of the sample site; the same spec always gives the same bytes."""
    spec = spec or SampleSiteSpec()
    resources: dict[str, Resource] = {}
    report_paths: dict[int, str] = {}
    notice_paths: list[str] = []
    trs_items: list[tuple[str, str, str]] = []
    hanweb_items: list[tuple[str, str, str]] = []
    for year in sorted(spec.years, reverse=True):
        y, m, d = pub = pages.published_on(year)
        when = f"{y}-{m:02d}-{d:02d}"
        title = pages.report_title(year)
        notice_title = f"{NOTICES[year % len(NOTICES)]}（{y}年）"
        if year >= spec.cms_switch_year:
            path = f"/fzzf/{y}{m:02d}/t{y}{m:02d}{d:02d}_{year}01.html"
            resources[path] = _html(pages.trs_report_page(year), pub)
            notice = f"/fzzf/{y}{m:02d}/t{y}{m:02d}{d:02d}_{year}02.html"
            trs_items += [
                (path.removeprefix("/fzzf/"), title, when),
                (notice.removeprefix("/fzzf/"), notice_title, when),
            ]
        else:
            charset = "gbk" if year in spec.gbk_years else "utf-8"
            path = f"/art/{y}/{m}/{d}/art_9901_{year}01.html"
            resources[path] = _html(
                pages.hanweb_report_page(year, "gb2312" if charset == "gbk" else charset), pub, charset
            )
            notice = f"/art/{y}/{m}/{d}/art_9901_{year}02.html"
            hanweb_items += [(path, title, when), (notice, notice_title, when)]
        resources[notice] = _html(pages.notice_page(notice_title, when), pub)
        report_paths[year] = path
        notice_paths.append(notice)
    for year, fmt in spec.attachments:
        document = attachments.attachment_path(report_paths[year], year, fmt)
        pub = pages.published_on(year)
        resources[report_paths[year]] = _html(attachments.attachment_page(year, document, fmt), pub)
        resources[document] = Resource(
            attachments.report_document(year, fmt), attachments.DOCUMENT_TYPE, _http_date(*pub)
        )
    last = pages.published_on(max(spec.years)) if spec.years else (2025, 1, 1)
    for path, (body, content_type) in attachments.disclosure_resources(spec.disclosure).items():
        resources[path] = Resource(body, content_type, _http_date(*last))
    chunks = [trs_items[i : i + spec.page_size] for i in range(0, len(trs_items), spec.page_size)] or [[]]
    for number, chunk in enumerate(chunks):
        name = "/fzzf/index.html" if number == 0 else f"/fzzf/index_{number}.html"
        resources[name] = _html(pages.trs_list_page(chunk, number, len(chunks)), last)
    resources["/col/col9901/index.html"] = _html(pages.hanweb_list_page(hanweb_items), last)
    columns = [("/fzzf/index.html", "法治政府建设"), ("/col/col9901/index.html", "法治政府建设（旧栏目）")]
    resources["/index.html"] = _html(pages.home_page(columns), last)
    resources["/"] = resources["/index.html"]
    robots = f"# {pages.COUNTY}: a FICTIONAL county, a sample site for nianbao\nUser-agent: *\n" + "".join(
        f"Disallow: {p}\n" for p in spec.robots_disallow
    )
    resources["/robots.txt"] = Resource(robots.encode(), "text/plain; charset=utf-8", _http_date(*last))
    return SampleSite(resources, report_paths, tuple(notice_paths))
