"""A synthetic archive of realistic report pages (30–100 KB of HTML in the sample site's TRS and Hanweb
styles, UTF-8 and GBK), generated deterministically from the page number; never committed.

Each page is the report of one fictional county: its code is one of warehouse.synthetic's reserved 99xxxx
codes, added to a temporary copy of config/ (regions_extra.yaml) so that region look-ups know it; the page
text says 本县 and the county comes as a hint, as the manifest of `nianbao load` gives it. Figures come from
bench.bench_transform's seeded sentence generator (about 3 quantities per 1,000 characters).
"""

from __future__ import annotations

import html
import random
import shutil
from pathlib import Path

import yaml

from bench.bench_transform import Synth
from flows.sample_pages import FICTION_NOTICE, SITE_NAME
from transforms.model import Hints, Page
from warehouse.synthetic import fictional_region_codes

YEARS = tuple(range(2015, 2025))
KINDS = (
    ("law_based_government_annual_report", "本县人民政府关于{year}年度法治政府建设情况的报告"),
    ("government_work_report", "{year}年本县人民政府工作报告"),
    ("gov_info_disclosure_annual_report", "本县{year}年政府信息公开工作年度报告"),
)
_TAKEN = {"990000", "990100", "990121", "990102", "990200", "990202"}


def region_codes(pages: int) -> list[str]:
    """Enough fictional county codes for `pages` distinct (region, kind, year) identities."""
    per_region = len(YEARS) * len(KINDS)
    wanted = -(-pages // per_region)
    codes = [c for c in fictional_region_codes(wanted + len(_TAKEN) + 1) if c not in _TAKEN]
    return codes[:wanted]


def fictional_config(pages: int, into: Path) -> Path:
    """A copy of config/ whose regions_extra.yaml also lists the fictional counties of the archive."""
    from nianbao.settings import config_dir

    shutil.copytree(config_dir(), into, dirs_exist_ok=True)
    path = into / "regions_extra.yaml"
    extra = yaml.safe_load(path.read_text(encoding="utf-8"))
    extra["regions"] += [
        {"code": code, "name": f"虚构{n}号县", "level": "county", "parent": "990100"}
        for n, code in enumerate(region_codes(pages))
    ]
    path.write_text(yaml.safe_dump(extra, allow_unicode=True), encoding="utf-8")
    return into


def page_hints(number: int, codes: list[str]) -> Hints:
    """What the manifest says about page `number`: its county, kind and year."""
    region, rest = divmod(number, len(YEARS) * len(KINDS))
    return Hints(region_code=codes[region], kind=KINDS[rest % len(KINDS)][0], year=YEARS[rest // len(KINDS)])


def page(number: int, codes: list[str]) -> Page:
    """Page `number`: its identity from the number (region, kind, year), its size drawn in 30–100 KB."""
    rng = random.Random(number)
    hints = page_hints(number, codes)
    title = dict(KINDS)[hints.kind].format(year=hints.year)
    charset = "gbk" if number % 3 == 0 else "utf-8"
    target = rng.randint(30_000, 100_000)
    body_bytes = target * rng.randint(25, 55) // 100
    text = Synth(number).report(number).decode("utf-8").split("\n")[4:]  # its own head lines dropped
    paragraphs = [*text]
    while sum(len(p) for p in paragraphs) * 3 < body_bytes:
        paragraphs += text
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    markup = (_hanweb if charset == "gbk" else _trs)(title, hints.year, body, charset, rng)
    chrome = _chrome(rng, max(0, target - len(markup.encode(charset))))
    data = markup.replace("<!--chrome-->", chrome).encode(charset, errors="replace")
    return Page(name=f"synthetic/{number:06d}.html", data=data, http_charset=None, hints=hints)


def _chrome(rng: random.Random, size: int) -> str:
    """Navigation, link lists, a script and inline styles: what real portal pages carry around the text."""
    parts, total = [], 0
    while total < size:
        n = rng.randint(1, 9999)
        kind = rng.choice((0, 1, 2, 3))  # the same draw as choosing among the four pieces; only one is built
        if kind == 0:
            piece = f'<li><a href="/col/col{n}/index.html" target="_blank">政务公开栏目{n}</a></li>'
        elif kind == 1:
            piece = (
                f'<li><a href="/art/{n}.html" title="关于印发工作方案的通知{n}">'
                f"关于印发工作方案的通知{n}</a><span>2024-0{1 + n % 9}-1{n % 10}</span></li>"
            )
        elif kind == 2:
            piece = f".nav-item-{n}{{float:left;width:{n % 200}px;line-height:36px;color:#{n % 999:03d};}}"
        else:
            piece = f"var column_{n} = {{id: {n}, url: '/col/col{n}/index.html', visible: true}};"
        parts.append(piece)
        total += len(piece.encode("utf-8"))
    return "\n".join(parts)


def _trs(title: str, year: int, body: str, charset: str, rng: random.Random) -> str:
    when = f"{year + 1}-03-{rng.randint(1, 28):02d} 09:30"
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="{charset}">\n'
        f"<title>{html.escape(title)}_{SITE_NAME}</title>\n"
        f'<meta name="ArticleTitle" content="{html.escape(title)}">\n<meta name="PubDate" content="{when}">\n'
        "<style><!--chrome--></style>\n</head>\n<body>\n"
        '<div class="header"><a href="../index.html">首页</a> <a href="index.html">法治政府建设</a></div>\n'
        '<div class="crumb">当前位置：<a href="../index.html">首页</a> &gt; 政务公开</div>\n'
        f'<div class="article">\n<h1>{html.escape(title)}</h1>\n'
        f'<div class="info">发布时间：{when}　来源：县政府办公室</div>\n'
        f'<div class="TRS_Editor">\n{body}\n</div>\n</div>\n'
        f'<div class="footer"><p>{FICTION_NOTICE}</p></div>\n</body>\n</html>\n'
    )


def _hanweb(title: str, year: int, body: str, charset: str, rng: random.Random) -> str:
    when = f"{year + 1}-04-{rng.randint(1, 28):02d}"
    return (
        f'<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; '
        f'charset={charset}">\n<title>{html.escape(title)}</title>\n</head>\n<body>\n'
        '<table class="nav"><tr><td><a href="/index.html">网站首页</a></td></tr></table>\n'
        '<div class="menu"><ul><!--chrome--></ul></div>\n'
        f'<table class="article"><tr><td class="title">{html.escape(title)}</td></tr>\n'
        f'<tr><td class="info">发布日期：{when}　信息来源：县政府办公室</td></tr>\n'
        f'<tr><td><div id="zoom">\n{body}</div></td></tr></table>\n'
        f'<div class="footer"><p>{FICTION_NOTICE}</p></div>\n</body>\n</html>\n'
    )
