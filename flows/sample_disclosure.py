"""The FICTIONAL county's 政府信息公开工作年度报告 with the national template's tables, in every form a site
publishes it: an HTML page with <table>s, a text capture with the tables flattened (one cell per line, or
`|` cells), and PDF/DOCX/OFD attachments (flows/sample_docs.py). Figures are synthetic, seeded by year, and
add up the way the template says — unless `wrong_total` asks for a table that does not.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass

from flows import sample_pages as pages
from flows.sample_docs import Block, Table

REQUEST_COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
RESULT_ROWS = (
    ("（一）予以公开", None),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    ("1.属于国家秘密", "（三）不予公开"),
    ("2.其他法律行政法规禁止公开", None),
    ("3.危及“三安全一稳定”", None),
    ("4.保护第三方合法权益", None),
    ("5.属于三类内部事务信息", None),
    ("6.属于四类过程性信息", None),
    ("7.属于行政执法案卷", None),
    ("8.属于行政查询事项", None),
    ("1.本机关不掌握相关政府信息", "（四）无法提供"),
    ("2.没有现成信息需要另行制作", None),
    ("3.补正后申请内容仍不明确", None),
    ("1.信访举报投诉类申请", "（五）不予处理"),
    ("2.重复申请", None),
    ("3.要求提供公开出版物", None),
    ("4.无正当理由大量反复申请", None),
    ("5.要求行政机关确认或重新出具已获取信息", None),
    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "（六）其他处理"),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", None),
    ("3.其他", None),
)


@dataclass(frozen=True, slots=True)
class DisclosureFigures:
    """One year's synthetic table figures: per row, one count per applicant column (总计 is their sum)."""

    proactive: dict[str, tuple[float, ...]]
    new: tuple[int, ...]
    carried_in: tuple[int, ...]
    results: tuple[tuple[int, ...], ...]  # in RESULT_ROWS order
    carried_over: tuple[int, ...]
    review: tuple[int, ...]  # 15 cells: 复议, 直接起诉, 复议后起诉 × (维持 纠正 其他 尚未审结 总计)


def disclosure_title(year: int) -> str:
    return f"{pages.GOVERNMENT}{year}年政府信息公开工作年度报告"


def disclosure_figures(year: int) -> DisclosureFigures:
    rng = random.Random(f"{pages.COUNTY}-disclosure-{year}")
    weights = (8, 3, 0, 0, 1, 1)
    new = tuple(rng.randint(0, 4 * w) for w in weights)
    carried_in = tuple(rng.randint(0, 1) if w else 0 for w in weights)
    results = [[0] * len(REQUEST_COLUMNS) for _ in RESULT_ROWS]
    carried_over = []
    for column in range(len(REQUEST_COLUMNS)):
        total_in = new[column] + carried_in[column]
        kept = min(total_in, rng.randint(0, 1))
        carried_over.append(kept)
        for _ in range(total_in - kept):
            results[rng.choice((0, 0, 0, 1, 2, 5, 10, 11, 14, 18))][column] += 1
    review = []
    for _ in range(3):
        parts = [rng.randint(0, 2), rng.randint(0, 1), 0, rng.randint(0, 1)]
        review += [*parts, sum(parts)]
    proactive = {
        "规章": (0, 0, 0),
        "行政规范性文件": (rng.randint(2, 9), rng.randint(0, 3), rng.randint(20, 40)),
        "行政许可": (rng.randint(300, 900),),
        "行政处罚": (rng.randint(80, 300),),
        "行政强制": (rng.randint(0, 12),),
        "行政事业性收费": (round(rng.uniform(5, 60), 2),),
    }
    return DisclosureFigures(
        proactive, new, carried_in, tuple(map(tuple, results)), tuple(carried_over), tuple(review)
    )


def _row(label: str, counts: tuple[int, ...], off_by: int = 0) -> list[str]:
    return [label, *map(str, counts), str(sum(counts) + off_by)]


def _number(value: float) -> str:
    return f"{value:g}"


def disclosure_tables(year: int, wrong_total: bool = False) -> tuple[Table, Table, Table]:
    """The three template tables as rows of cells (header rows included)."""
    f = disclosure_figures(year)
    p = f.proactive
    proactive: Table = [
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", *map(_number, p["规章"])],
        ["行政规范性文件", *map(_number, p["行政规范性文件"])],
        ["信息内容", "本年处理决定数量"],
        ["行政许可", _number(p["行政许可"][0])],
        ["信息内容", "本年处理决定数量"],
        ["行政处罚", _number(p["行政处罚"][0])],
        ["行政强制", _number(p["行政强制"][0])],
        ["信息内容", "本年收费金额（单位：万元）"],
        ["行政事业性收费", _number(p["行政事业性收费"][0])],
    ]
    handled = tuple(sum(r[c] for r in f.results) for c in range(len(REQUEST_COLUMNS)))
    requests: Table = [
        ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
        ["", "自然人", "法人或其他组织", "", "", "", "", "总计"],
        ["", "", *REQUEST_COLUMNS[1:], ""],
        _row("一、本年新收政府信息公开申请数量", f.new),
        _row("二、上年结转政府信息公开申请数量", f.carried_in),
        ["三、本年度办理结果"],
    ]
    for (label, group), counts in zip(RESULT_ROWS, f.results, strict=True):
        if group:
            requests.append([group])
        requests.append(_row(label, counts))
    requests += [
        _row("（七）总计", handled, 1 if wrong_total else 0),
        _row("四、结转下年度继续办理", f.carried_over),
    ]
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    review: Table = [
        ["行政复议", "", "", "", "", "行政诉讼", *[""] * 9],
        ["", "", "", "", "", "未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""],
        outcomes * 3,
        [str(v) for v in f.review],
    ]
    return proactive, requests, review


def disclosure_blocks(year: int, wrong_total: bool = False) -> list[Block]:
    """The whole report: title, paragraphs and the three tables in the template's order."""
    proactive, requests, review = disclosure_tables(year, wrong_total)
    f = disclosure_figures(year)
    received = sum(f.new)
    return [
        disclosure_title(year),
        f"本报告根据《中华人民共和国政府信息公开条例》编制，由总体情况、主动公开政府信息情况、收到和处理政府信息公开"
        f"申请情况、政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项组成。"
        f"所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。（本报告为虚构示例，数字均为合成数据。）",
        "一、总体情况",
        f"{year}年，{pages.COUNTY}人民政府认真贯彻落实政务公开工作部署，全年收到政府信息公开申请{received}件，"
        "均在法定期限内答复。",
        "二、主动公开政府信息情况",
        proactive,
        "三、收到和处理政府信息公开申请情况",
        requests,
        "四、政府信息公开行政复议、行政诉讼情况",
        review,
        "五、存在的主要问题及改进情况",
        "一是信息公开的及时性有待提高；二是政策解读形式还不够丰富。下一步将加强培训，提升公开质量。",
        "六、其他需要报告的事项",
        "本年度未收取信息处理费。",
        pages.GOVERNMENT,
        f"{year + 1}年1月{10 + year % 9}日",
    ]


def disclosure_html(year: int, wrong_total: bool = False) -> str:
    """A TRS-style article page holding the report with real <table>s."""
    title = disclosure_title(year)
    y, m, d = year + 1, 1, 20 + year % 7
    meta = {
        "ArticleTitle": title,
        "PubDate": f"{y}-{m:02d}-{d:02d} 10:00",
        "ContentSource": pages.GOVERNMENT,
        "SiteName": pages.SITE_NAME,
        "ColumnName": "政府信息公开年报",
        "Description": pages.FICTION_NOTICE,
    }
    parts = []
    for block in disclosure_blocks(year, wrong_total)[1:]:
        if isinstance(block, str):
            parts.append(f"<p>{html.escape(block)}</p>")
        else:
            rows = "".join(
                "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in block
            )
            parts.append(f'<table border="1"><tbody>{rows}</tbody></table>')
    return (
        pages._chrome_head(title, "utf-8", meta) + f'<body><div class="article"><h1>{html.escape(title)}</h1>'
        f'<div class="info">发布时间：{y}-{m:02d}-{d:02d} 10:00　来源：{pages.GOVERNMENT}</div>'
        f'<div class="TRS_Editor">{"".join(parts)}</div></div>' + pages._footer() + "</body></html>\n"
    )


def disclosure_text(year: int, form: str = "lines", wrong_total: bool = False) -> str:
    """A text capture: tables flattened one cell per line (`lines`) or as `| a | b |` rows (`pipes`)."""
    out = []
    for block in disclosure_blocks(year, wrong_total):
        if isinstance(block, str):
            out.append(block)
        elif form == "pipes":
            out.extend("| " + " | ".join(row) + " |" for row in block)
        else:
            out.extend(cell for row in block for cell in row if cell)
    return "\n".join(out) + "\n"
