"""Quantities and indicators for a batch of reports (being built)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from transforms.frames import FACT_SCHEMA, QUANTITY_SCHEMA
from transforms.model import Report


@dataclass(slots=True)
class FigureFrames:
    quantities: pl.DataFrame
    facts: pl.DataFrame


def measure_reports(reports: Sequence[Report]) -> FigureFrames:
    return FigureFrames(pl.DataFrame(schema=QUANTITY_SCHEMA), pl.DataFrame(schema=FACT_SCHEMA))
