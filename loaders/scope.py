"""What a table is when it is no township report, and the columns recognised and not stored.

A table whose rows are ages or years, a table of rates only, a time series with the years
across its columns (a data-portal export) is refused with one sentence saying what it is and
what zhibiao needs. Columns of measures zhibiao does not store (deaths, households, ages …)
and rates are noted, one note per kind.
"""

from __future__ import annotations

import re
from typing import Any

from loaders.cells import a1, coerce_number, is_blank, normalise_label, synonyms
from loaders.header import Column, Table, filled_cells
from loaders.resolve import Resolved
from loaders.types import CellRef, Finding, Grid, finding

_YEAR_LABEL = re.compile(r"^(?P<y>(?:19|20)\d{2})(?:年(?:度|份)?)?$")
_AGE = re.compile(r"^\d{1,3}(?:[-~至]\d{1,3})?(?:岁|周岁)?(?:以上|以下|及以上)?$")
#: the fewest year columns (distinct years) that make a time series across the columns
_YEARS_ACROSS = 3
#: the fewest rows, and the share of them, that make a column of ages or years
_LEAST_ROWS = 5
_SHARE = 0.8
_SHOWN = 3


def _labels(key: str) -> frozenset[str]:
    return frozenset(normalise_label(x) for x in synonyms()["header"][key])


def year_columns(columns: list[Column]) -> list[tuple[int, str]]:
    """(year, header cell) of each column whose header names a year (`1990`, `2010年`)."""
    found: list[tuple[int, str]] = []
    for column in columns:
        for label in column.path:
            match = _YEAR_LABEL.match(label)
            if match:
                found.append((int(match["y"]), column.cell))
                break
    return found


def is_portal_export(preamble: list[str]) -> bool:
    """A preamble line naming the indicator (`指标：年末总人口`) of a data-portal export."""
    markers = [normalise_label(m) for m in synonyms()["header"]["portal_markers"]]
    return any(normalise_label(line).startswith(m) for line in preamble for m in markers)


def out_of_scope(
    grid: Grid, table: Table, columns: list[Column], resolved: list[Resolved], file: str
) -> Finding | None:
    """The error refusing a table that is no report of counts by area, or None.

    Years across the columns (a data-portal export when its preamble names the indicator; a
    table of rates by year when its columns are rates), or only rates and no count.
    """
    years = year_columns(columns)
    distinct = sorted({y for y, _ in years})
    stored = any(r.field and not r.derived for r in resolved)
    rates = [c.cell for c, r in zip(columns, resolved, strict=True) if r.unstored == "rate"]
    if len(distinct) >= _YEARS_ACROSS:
        if is_portal_export(table.preamble):
            kind = "portal_export"
        elif rates and not stored:
            kind = "rates_by_year"
        else:
            kind = "years_across"
        cells = [cell for _, cell in years]
    elif rates and not stored:
        kind, cells = "rates_only", rates
    else:
        return None
    params: dict[str, Any] = {"count": len(cells)}
    if distinct:
        params |= {"first": distinct[0], "last": distinct[-1]}
    refs = tuple(CellRef(cell=c, sheet=grid.name) for c in cells if c)
    return finding(
        f"load.out_of_scope_{kind}", file=file, sheet=grid.name, cells=refs, params=params
    )


def _column_kind(grid: Grid, row: int, col: int) -> str:
    """What the cells below a header cell are: `ages`, `years` or ''."""
    seen: list[Any] = []
    for r in range(row + 1, min(len(grid.cells), row + 1 + 60)):
        value = grid.cells[r][col] if col < len(grid.cells[r]) else None
        if not is_blank(value):
            seen.append(value)
    if len(seen) < _LEAST_ROWS:
        return ""
    texts = [normalise_label(v) for v in seen]
    years = sum(1 for t in texts if _YEAR_LABEL.match(t))
    ages = sum(
        1
        for v, t in zip(seen, texts, strict=True)
        if _AGE.match(t) and (coerce_number(v).value or 0) <= 120
    )
    for kind, hits in (("years", years), ("ages", ages)):
        if hits >= _SHARE * len(seen):
            return kind
    return ""


def rows_not_areas(grid: Grid, row: int, file: str) -> Finding | None:
    """The error refusing a table whose rows are ages or years (by the label above them, or
    by what they hold), or None. row: the table's header row."""
    filled, origin = filled_cells(grid)
    line = filled[row] if row < len(filled) else []
    for col, value in enumerate(line):
        if is_blank(value):
            continue
        top, left = origin.get((row, col), (row, col))
        label = normalise_label(value)
        if label in _labels("age_labels"):
            kind = "ages"
        elif label in _labels("year_labels"):
            kind = "years"
        else:
            kind = _column_kind(grid, row, col)
        if kind:
            return rows_finding(kind, grid, a1(top, left), label, file)
        break  # only the first labelled column says what the rows are
    return None


def unstored_notes(
    columns: list[Column], resolved: list[Resolved], sheet: str, file: str
) -> list[Finding]:
    """One note for each kind of column recognised and not stored (deaths, households, ages,
    rates …), naming its columns."""
    kinds: dict[str, list[Column]] = {}
    for column, res in zip(columns, resolved, strict=True):
        if res.unstored:
            kinds.setdefault(res.unstored, []).append(column)
    notes: list[Finding] = []
    for kind, found in kinds.items():
        labels = ["/".join(c.path) for c in found]
        shown = "、".join(labels[:_SHOWN]) + ("…" if len(labels) > _SHOWN else "")
        notes.append(
            finding(
                "load.unstored_columns",
                file=file,
                sheet=sheet or None,
                cells=tuple(
                    CellRef(cell=c.cell, value=label, label=label, sheet=sheet)
                    for c, label in zip(found, labels, strict=True)
                ),
                params={"kind_key": f"load.unstored.{kind}", "count": len(found), "labels": shown},
            )
        )
    return notes


def rows_not_areas_anywhere(grid: Grid, file: str) -> Finding | None:
    """On a sheet with no table of areas: a column headed by an age or year label (`年份`)
    whose cells below are ages or years refuses the sheet as out of scope; else None."""
    labels = {"ages": _labels("age_labels"), "years": _labels("year_labels")}
    limit = int(synonyms()["header"]["scan_rows"])
    for r, line in enumerate(grid.cells[:limit]):
        for c, value in enumerate(line):
            label = normalise_label(value)
            kind = next((k for k, found in labels.items() if label in found), "")
            if kind and _column_kind(grid, r, c) == kind:
                return rows_finding(kind, grid, a1(r, c), label, file)
    return None


def rows_finding(kind: str, grid: Grid, cell: str, label: str, file: str) -> Finding:
    """The error refusing a table whose rows are `kind` (ages, years), at its label's cell."""
    ref = CellRef(cell=cell, label=label, sheet=grid.name)
    return finding(f"load.out_of_scope_rows_{kind}", file=file, sheet=grid.name, cells=(ref,))
