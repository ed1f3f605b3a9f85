"""Variants of the sample county's reports for ingest and CLI tests (bad, shrinking, short)."""

from __future__ import annotations

import copy
from pathlib import Path

from openpyxl import load_workbook

from zhibiao import samples as ms

#: Layout (a): the county total is row 7, the townships follow in TOWNSHIPS order from row 8.
FIRST_AREA_ROW = 8


def area_row(name: str) -> int:
    """The sheet row of a township in layout (a)."""
    return FIRST_AREA_ROW + [t.name for t in ms.TOWNSHIPS].index(name)


def county() -> ms.County:
    """A fresh copy of the sample county (safe to change)."""
    return copy.deepcopy(ms.generate())


def report(folder: Path, month: int, change=None, year: int = 2025) -> Path:
    """Layout (a) for January–`month`, after `change(county)` if given."""
    c = county()
    if change is not None:
        change(c)
    folder.mkdir(parents=True, exist_ok=True)
    return ms.write_report(c, year, month, folder)


def scale_month(c: ms.County, year: int, month: int, area: str, factor: int) -> None:
    """Multiply every figure of one township-month (stays internally consistent)."""
    row = c.months[(year, month)][area]
    for key in row:
        row[key] *= factor


def merge_area(c: ms.County, gone: str, into: str) -> None:
    """`gone` no longer reports: its figures are reported by `into` (the county total holds)."""
    for months in c.months.values():
        for key, value in months[gone].items():
            months[into][key] += value
    for pop in c.population.values():
        pop[into] += pop.pop(gone)
    c.townships = [a for a in c.townships if a != gone]


def bump_boys(c: ms.County, year: int, month: int, area: str) -> None:
    """One more boy than the births: male + female ≠ total (an acceptable consistency error)."""
    c.months[(year, month)][area]["births_male"] += 1


def with_cell(path: Path, cell: str, value: object, name: str) -> Path:
    """A copy of a workbook with one cell overwritten (e.g. text where a number belongs)."""
    wb = load_workbook(path)
    wb.active[cell] = value
    out = path.with_name(name)
    wb.save(out)
    return out
