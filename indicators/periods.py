"""Periods: calendar months, the statistical year, and each area's field values for a period and basis.

`YYYY-MM` names a calendar month. The statistical year starts in `year_start_month`; year to
date runs from its first month through the period. Flows add up over months; stocks never do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

import pandas as pd

from .exact import to_fraction

Key = tuple[str, str, str, str]  # area, period, basis, field


def parse_period(period: str) -> tuple[int, int]:
    """'2024-03' → (2024, 3)."""
    year, month = period.split("-")
    y, m = int(year), int(month)
    if not 1 <= m <= 12:
        raise ValueError(f"bad period {period!r}")
    return y, m


def format_period(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def shift_months(period: str, months: int) -> str:
    """The calendar month `months` after (negative: before) `period`."""
    y, m = parse_period(period)
    index = y * 12 + (m - 1) + months
    return format_period(index // 12, index % 12 + 1)


def previous_year(period: str) -> str:
    """The same calendar month one year earlier."""
    return shift_months(period, -12)


def is_year_start(period: str, year_start_month: int = 1) -> bool:
    """True when `period` is the first month of its statistical year."""
    return parse_period(period)[1] == year_start_month


def year_start(period: str, year_start_month: int = 1) -> str:
    """The first month of the statistical year `period` belongs to."""
    y, m = parse_period(period)
    return format_period(y if m >= year_start_month else y - 1, year_start_month)


def year_months(period: str, year_start_month: int = 1) -> list[str]:
    """The months of the statistical year from its start through `period`."""
    return list(_year_months(period, year_start_month))


@lru_cache(maxsize=1024)
def _year_months(period: str, year_start_month: int) -> tuple[str, ...]:
    first = year_start(period, year_start_month)
    months = [first]
    while months[-1] != period:
        months.append(shift_months(months[-1], 1))
    return tuple(months)


@dataclass
class PeriodFields:
    """Each area's field values for one period and basis, exact, plus the report's row order."""

    period: str
    basis: str
    fields: dict[str, dict[str, Fraction | None]] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)


class ValueIndex:
    """The tidy values frame (areas only, total rows left out) as a lookup by key; only the
    given periods when `periods` is set."""

    def __init__(self, values: pd.DataFrame, periods: set[str] | None = None) -> None:
        frame = values
        if periods is not None:
            frame = frame[frame["period"].astype(str).isin(periods)]
        if "is_total" in frame.columns:
            frame = frame[~frame["is_total"].astype(bool)]
        self.lookup: dict[Key, Fraction | None] = {}
        self.by_period: dict[str, dict[str, set[str]]] = {}
        self.rows: dict[tuple[str, str], int] = {}
        areas = frame["area"].astype(str).tolist()
        periods = frame["period"].astype(str).tolist()
        bases = frame["basis"].astype(str).tolist()
        fields_ = frame["field"].astype(str).tolist()
        vals = frame["value"].tolist()
        rows = frame["row"].tolist() if "row" in frame.columns else [0] * len(areas)
        for a, p, b, f, v, r in zip(areas, periods, bases, fields_, vals, rows, strict=True):
            self.lookup[(a, p, b, f)] = to_fraction(v)
            self.by_period.setdefault(p, {}).setdefault(a, set()).add(f)
            try:
                row = int(r)
            except (TypeError, ValueError):
                row = 0
            key = (p, a)
            self.rows[key] = min(self.rows.get(key, row), row)

    def reported(self, area: str, period: str, basis: str, fld: str) -> Fraction | None:
        return self.lookup.get((area, period, basis, fld))

    def periods(self) -> list[str]:
        return sorted(self.by_period)


def _other(basis: str) -> str:
    return "month" if basis == "ytd" else "ytd"


def ytd_value(
    idx: ValueIndex, area: str, period: str, fld: str, year_start_month: int
) -> Fraction | None:
    """Year to date of a flow: as reported, else the year to date of the month before plus the
    month's own report (so the sum of the reported months when only months were reported);
    None when any month of the statistical year is missing."""
    total = Fraction(0)
    for month in reversed(_year_months(period, year_start_month)):
        reported = idx.reported(area, month, "ytd", fld)
        if reported is not None:
            return total + reported
        single = idx.reported(area, month, "month", fld)
        if single is None:
            return None
        total += single
    return total


def month_value(
    idx: ValueIndex, area: str, period: str, fld: str, year_start_month: int
) -> Fraction | None:
    """A single month of a flow: as reported, else ytd(M) − ytd(M−1) (for the first month of
    the statistical year, the month is its year to date); None when either is missing."""
    reported = idx.reported(area, period, "month", fld)
    if reported is not None:
        return reported
    this_ytd = idx.reported(area, period, "ytd", fld)
    if this_ytd is None:
        return None
    if is_year_start(period, year_start_month):
        return this_ytd
    before = ytd_value(idx, area, shift_months(period, -1), fld, year_start_month)
    return None if before is None else this_ytd - before


def stock_value(idx: ValueIndex, area: str, period: str, basis: str, fld: str) -> Fraction | None:
    """A stock (population): the figure reported for the period, on either basis."""
    value = idx.reported(area, period, basis, fld)
    return value if value is not None else idx.reported(area, period, _other(basis), fld)


def resolve_period(
    idx: ValueIndex,
    period: str,
    basis: str,
    flows: dict[str, bool],
    year_start_month: int = 1,
) -> PeriodFields:
    """Every area reporting in `period` (either basis) with each of its fields for the basis.

    A field unknown to fields.toml is treated as a flow.
    """
    out = PeriodFields(period=period, basis=basis)
    for area, reported_fields in idx.by_period.get(period, {}).items():
        values: dict[str, Fraction | None] = {}
        for fld in sorted(reported_fields):
            if not flows.get(fld, True):
                values[fld] = stock_value(idx, area, period, basis, fld)
            elif basis == "ytd":
                values[fld] = ytd_value(idx, area, period, fld, year_start_month)
            else:
                values[fld] = month_value(idx, area, period, fld, year_start_month)
        out.fields[area] = values
        out.order[area] = idx.rows.get((period, area), 0)
    return out


def periods_needed(period: str, year_start_month: int = 1) -> set[str]:
    """Every month a period's figures and last year's can read: both statistical years so far."""
    months = set(year_months(period, year_start_month))
    months |= set(year_months(previous_year(period), year_start_month))
    return months
