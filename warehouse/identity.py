"""Which page a report identity (region_code, kind, report_year) keeps, inside a batch and against the file.

Two different pages claiming one identity keep the later-published one (ties: the larger content hash, so
the outcome never depends on input order); a page seen again under the same input name replaces itself.
A page that loses is recorded against the page the warehouse keeps in the end (never against a batch
winner that itself lost to the loaded report).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from transforms.report_kind import OTHER
from warehouse.summary import RejectRow

IDENTITY = ("region_code", "kind", "report_year")
CANDIDATE_COLUMNS = ("doc", "report_id", "path", "url", "content_sha256", "extractor_version", "published_at")


@dataclass(slots=True)
class BatchResolution:
    """One winner per identity, the inputs that failed, the pages that lost to their batch's winner
    (path, report_id, published_at), and how many copies were dropped (identical content, or an earlier
    copy of the same input name)."""

    winners: pl.DataFrame
    rejects: list[RejectRow]
    identical: int
    losers: pl.DataFrame


@dataclass(slots=True)
class Decision:
    """Winners against the reports already loaded: what to write (doc, report_id, path, url, replacing),
    what is unchanged, what loses."""

    write: pl.DataFrame
    loaded: int
    replaced: int
    skipped: int
    rejects: list[RejectRow]


def report_id() -> pl.Expr:
    """'region_code:kind:report_year', readable in SQL and stable across loads."""
    return pl.concat_str(
        [pl.col("region_code"), pl.col("kind"), pl.col("report_year").cast(pl.Utf8)], separator=":"
    )


def resolve_batch(reports: pl.DataFrame) -> BatchResolution:
    """Failed, unidentifiable and non-report ('other' kind) inputs become rejects; duplicates inside the
    batch are resolved."""
    rejects = [
        RejectRow(path, "extract", error or "not a report")
        for path, error in reports.filter(~pl.col("ok")).select("path", "error").iter_rows()
    ]
    ok = reports.filter(pl.col("ok"))
    for path in ok.filter(pl.col("kind") == OTHER).get_column("path"):
        rejects.append(RejectRow(path, "identity", f"not a report of a known kind (kind '{OTHER}')"))
    ok = ok.filter(pl.col("kind").is_null() | (pl.col("kind") != OTHER))
    unidentified = ok.filter(pl.any_horizontal([pl.col(c).is_null() for c in IDENTITY]))
    for row in unidentified.select("path", *IDENTITY).iter_rows(named=True):
        missing = ", ".join(c for c in IDENTITY if row[c] is None)
        reason = f"cannot identify the report: no {missing} (identity is {', '.join(IDENTITY)})"
        rejects.append(RejectRow(row["path"], "identity", reason))
    identified = ok.filter(pl.all_horizontal([pl.col(c).is_not_null() for c in IDENTITY]))
    candidates = (  # one input name given twice: its later copy supersedes the earlier
        identified.with_columns(report_id=report_id())
        .select(CANDIDATE_COLUMNS)
        .sort("doc")
        .unique(["report_id", "path"], keep="last", maintain_order=True)
        .sort(
            ["report_id", "published_at", "content_sha256", "path"],
            descending=[False, True, True, True],
            nulls_last=True,
        )
    )
    winners = candidates.unique("report_id", keep="first", maintain_order=True)
    losers = candidates.join(winners.select("doc"), on="doc", how="anti").join(
        winners.select("report_id", kept_path="path", kept_sha="content_sha256", kept_pub="published_at"),
        on="report_id",
    )
    same = pl.col("content_sha256") == pl.col("kept_sha")
    identical = identified.height - candidates.height + losers.filter(same).height
    losers = losers.filter(~same).select("path", "report_id", "published_at")
    return BatchResolution(winners.sort("doc"), rejects, identical, losers)


def decide(winners: pl.DataFrame, existing: pl.DataFrame, losers: pl.DataFrame | None = None) -> Decision:
    """Compare each winner with the loaded report of its identity (e_input, e_sha, e_version, e_pub);
    `losers` (path, report_id, published_at) lost inside the batch and are recorded against the page kept."""
    joined = winners.join(existing, on="report_id", how="left")
    known = pl.col("e_sha").is_not_null()
    unchanged = (
        known
        & (pl.col("content_sha256") == pl.col("e_sha"))
        & (pl.col("extractor_version") == pl.col("e_version"))
    )
    pub, e_pub = pl.col("published_at").fill_null(""), pl.col("e_pub").fill_null("")
    newer = (pub > e_pub) | ((pub == e_pub) & (pl.col("content_sha256") > pl.col("e_sha")))
    joined = joined.with_columns(
        outcome=pl.when(~known)
        .then(pl.lit("load"))
        .when(unchanged)
        .then(pl.lit("skip"))
        .when((pl.col("path") == pl.col("e_input")) | newer)
        .then(pl.lit("replace"))
        .otherwise(pl.lit("lose"))
    )
    rejects = []
    for row in joined.filter(pl.col("outcome") == "lose").iter_rows(named=True):
        rejects.append(
            RejectRow(
                row["path"],
                "duplicate",
                duplicate_reason(row["report_id"], row["e_input"], row["e_pub"], row["published_at"]),
            )
        )
    displaced = joined.filter((pl.col("outcome") == "replace") & (pl.col("path") != pl.col("e_input")))
    for row in displaced.iter_rows(named=True):
        rejects.append(
            RejectRow(
                row["e_input"],
                "duplicate",
                duplicate_reason(row["report_id"], row["path"], row["published_at"], row["e_pub"]),
            )
        )
    if losers is not None and losers.height:
        loaded_kept = pl.col("outcome").is_in(["lose", "skip"])  # the loaded report stays
        kept = joined.select(
            "report_id",
            kept_path=pl.when(loaded_kept).then("e_input").otherwise("path"),
            kept_pub=pl.when(loaded_kept).then("e_pub").otherwise("published_at"),
        )
        for row in losers.join(kept, on="report_id").iter_rows(named=True):
            rejects.append(
                RejectRow(
                    row["path"],
                    "duplicate",
                    duplicate_reason(
                        row["report_id"], row["kept_path"], row["kept_pub"], row["published_at"]
                    ),
                )
            )
    count = dict(joined.group_by("outcome").len().iter_rows())
    write = joined.filter(pl.col("outcome").is_in(["load", "replace"]))
    return Decision(
        write=write.select("doc", "report_id", "path", "url", replacing=pl.col("outcome") == "replace"),
        loaded=count.get("load", 0),
        replaced=count.get("replace", 0),
        skipped=count.get("skip", 0),
        rejects=rejects,
    )


def duplicate_reason(rid: str, kept: str, kept_pub: str | None, this_pub: str | None) -> str:
    if (kept_pub or "") != (this_pub or ""):
        return (
            f"same report {rid} as {kept}, which was published later "
            f"({kept_pub or 'no date'} vs {this_pub or 'no date'}); kept that one"
        )
    return (
        f"same report {rid} as {kept}, published at the same time ({this_pub or 'no date'}); "
        "kept that one (ties go to the larger content hash)"
    )
