"""Synthetic batches of fictional 示例县-style reports (codes 99xxxx), built directly as frames.

Used by tests that need exact control over what is loaded, and by the warehouse benchmark.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import polars as pl

from transforms.frames import FACT_SCHEMA, QUANTITY_SCHEMA, REPORT_SCHEMA, SECTION_SCHEMA
from transforms.model import Page
from transforms.version import extractor_version
from warehouse.batch import FrameBatch

KIND = "law_based_government_annual_report"
CODES = (
    "reconsideration.applications",
    "reconsideration.accepted",
    "reconsideration.concluded",
    "litigation.cases",
    "litigation.lost",
    "normative_docs.reviewed",
    "enforcement.personnel",
    "enforcement.cases",
    "enforcement.fines",
    "mediation.disputes",
    "gov_service.items",
    "legal_education.events",
)
SECTIONS_PER_REPORT = 4


def fictional_region_codes(count: int) -> list[str]:
    """Codes in the reserved 99xxxx range; the first is 示例县 990121."""
    return ["990121", *[f"99{2000 + i:04d}" for i in range(count - 1)]]


def synthetic_batch(
    regions: Sequence[str],
    years: Sequence[int],
    facts_per_report: int = 12,
    kind: str = KIND,
    revision: int = 0,
    with_quantities: bool = True,
) -> FrameBatch:
    """One report per region and year with `facts_per_report` facts, one per code (CODES first, then
    synthetic.measure_N codes); `revision` changes every value and content hash."""
    keys = [(region, year) for region in regions for year in years]
    version = extractor_version()
    reports = pl.DataFrame(
        {
            "doc": range(len(keys)),
            "path": [f"synthetic/{region}/{year}-{kind}.txt" for region, year in keys],
            "ok": [True] * len(keys),
            "kind": [kind] * len(keys),
            "title": [f"示例县人民政府关于{year}年度法治政府建设情况的报告" for _, year in keys],
            "issuer": ["示例县人民政府"] * len(keys),
            "region_name": ["示例县"] * len(keys),
            "region_code": [region for region, _ in keys],
            "report_year": [year for _, year in keys],
            "published_at": [f"{year + 1}-03-0{1 + revision % 9}" for _, year in keys],
            "body": [f"示例县(虚构){year}年度报告,数字为合成数据。修订{revision}" for _, year in keys],
            "content_sha256": [_sha(region, year, kind, revision) for region, year in keys],
            "extractor_version": [version] * len(keys),
        }
    )
    reports = reports.select(
        [
            (pl.col(name) if name in reports.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in REPORT_SCHEMA.items()
        ]
    )
    docs = pl.DataFrame(
        {
            "doc": range(len(keys)),
            "region_number": [int(region) for region, _ in keys],
            "year": [year for _, year in keys],
        }
    )
    facts = _facts(docs, facts_per_report, revision)
    sections = (
        docs.join(pl.DataFrame({"ordinal": range(SECTIONS_PER_REPORT)}), how="cross")
        .with_columns(
            level=pl.lit(1),
            number=pl.col("ordinal").cast(pl.Utf8),
            title=pl.lit("示例章节"),
            start=pl.col("ordinal") * 100,
        )
        .select([pl.col(name).cast(dtype) for name, dtype in SECTION_SCHEMA.items()])
    )
    quantities = (
        facts.with_columns(
            ordinal=pl.int_range(pl.len()).over("doc"),
            text=pl.col("evidence"),
            start=pl.lit(0),
            end=pl.lit(4),
            sentence=pl.col("evidence"),
        ).select([pl.col(name).cast(dtype) for name, dtype in QUANTITY_SCHEMA.items()])
        if with_quantities
        else pl.DataFrame(schema=QUANTITY_SCHEMA)
    )
    return FrameBatch(reports, sections, quantities, facts)


_CAPTURE = """首页
政务公开
示例县人民政府关于{year}年度法治政府建设情况的报告
发布时间:{next}-03-0{day} 10:00 信息来源:示例县人民政府办公室
示例县人民政府关于{year}年度法治政府建设情况的报告
示例市人民政府:
  本页为虚构示例(示例县并不存在,数字均为合成数据)。{year}年,我县深入推进依法行政,现将有关情况报告如下:
  一、依法全面履行政府职能
  县政务服务大厅设置{windows}个综合受理窗口,进驻部门{depts}个。
  二、依法化解矛盾纠纷
  全年共收到行政复议申请{apps}件,受理行政复议案件{accepted}件;办理行政应诉案件{lit}件。
示例县人民政府
网站标识码:9900000000
"""


def synthetic_captures(years: Sequence[int], revision: int = 0) -> list[Page]:
    """Text captures of fictional 示例县 reports, one per year, with synthetic figures."""
    return [
        Page(
            name=f"synthetic/990121-{year}.txt",
            data=_CAPTURE.format(
                year=year,
                next=year + 1,
                day=1 + year % 9,
                windows=3 + year % 5,
                depts=15 + year % 11,
                apps=10 + (year + revision) % 13,
                accepted=5 + (year + revision) % 7,
                lit=1 + year % 4,
            ).encode("utf-8"),
        )
        for year in years
    ]


def _facts(docs: pl.DataFrame, per_report: int, revision: int) -> pl.DataFrame:
    slots = pl.DataFrame({"slot": range(per_report)})
    frame = docs.join(slots, how="cross").with_columns(
        code=pl.col("slot").replace_strict(
            dict(enumerate(CODES)),
            default=pl.format("synthetic.measure_{}", pl.col("slot")),
            return_dtype=pl.Utf8,
        ),
        scope=pl.lit(None, pl.Utf8),
        value=(
            (pl.col("region_number") * 37 + pl.col("year") * 11 + pl.col("slot") * 5 + revision) % 997 + 1
        ).cast(pl.Float64),
    )
    return (
        frame.with_columns(
            value_high=pl.lit(None, pl.Float64),
            unit=pl.lit("件"),
            qualifier=pl.lit(None, pl.Utf8),
            evidence=pl.format("合成数据{}件(修订{})", pl.col("value").cast(pl.Int64), pl.lit(revision)),
            start=pl.lit(None, pl.Int32),
            end=pl.lit(None, pl.Int32),
        )
        .with_columns(sentence=pl.col("evidence"))
        .select([pl.col(name).cast(dtype) for name, dtype in FACT_SCHEMA.items()])
    )


def _sha(region: str, year: int, kind: str, revision: int) -> str:
    return hashlib.sha256(f"{region}/{year}/{kind}/{revision}".encode()).hexdigest()
