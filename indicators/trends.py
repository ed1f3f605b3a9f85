"""Every area's figure of every indicator over two statistical years, for the township page.

The statistical year of a period (its first month through the period) and the whole year before
it, month by month, as `compute` figures them (exact, the county Σ numerators / Σ denominators,
rounded half up once), but without intervals, statuses or ranks, so a page can draw the months
of 150 areas in well under a second. One call serves every area: the page caches it per period
and basis, and switching townships costs nothing.

| column    | meaning |
| ---       | --- |
| indicator | catalog key |
| year      | 'this' (the statistical year of the period) or 'last' (the one before) |
| month     | 1..12, the month's place in its statistical year |
| period    | 'YYYY-MM' |
| area      | township (the county row is named by `total`) |
| is_total  | the county row |
| value     | rounded to the indicator's decimals |
| n_areas   | on the county row: how many areas have a value (a sum's per-area average is value ÷ n) |

A month without data has no rows, so a line drawn from the frame never joins across it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zhibiao.config import Settings, load_settings

from .arrays import ValueArrays, period_arrays
from .catalog import Catalog, load_catalog
from .engine import _figure_arrays, _value_pairs, available_periods, field_flows, needed_fields
from .exact import round_half_up_ints, rounded_floats_of_ints
from .periods import periods_needed, previous_year, shift_months, year_start

YEAR_COLUMNS = ["indicator", "year", "month", "period", "area", "is_total", "value", "n_areas"]


def year_periods(period: str, year_start_month: int = 1) -> dict[str, list[str]]:
    """{'this': the months of period's statistical year through it, 'last': the 12 months of
    the year before}."""
    first = year_start(period, year_start_month)
    this = [first]
    while this[-1] != period:
        this.append(shift_months(this[-1], 1))
    before = previous_year(first)
    return {"this": this, "last": [shift_months(before, i) for i in range(12)]}


def periods_read(period: str, year_start_month: int = 1) -> set[str]:
    """Every month `year_figures` of `period` may read: the months of both statistical years
    around it, each with the months its own figures read (`periods.periods_needed`). It holds
    `periods_needed(period)`, so one read of these serves the period's indicator table too."""
    years = year_periods(period, year_start_month)
    out: set[str] = set()
    for p in [*years["this"], *years["last"]]:
        out |= periods_needed(p, year_start_month)
    return out


def year_figures(
    values: pd.DataFrame,
    period: str,
    basis: str = "ytd",
    *,
    catalog: Catalog | None = None,
    settings: Settings | None = None,
    total: str = "",
) -> pd.DataFrame:
    """Every area's and the county's figure of every indicator (not the composite) for each
    month with data of the two statistical years around `period` (YEAR_COLUMNS)."""
    catalog = catalog or load_catalog()
    settings = settings or load_settings()
    ysm = settings.year_start_month
    years = year_periods(period, ysm)
    have = set(available_periods(values))
    wanted = [(y, i + 1, p) for y, months in years.items() for i, p in enumerate(months)]
    wanted = [w for w in wanted if w[2] in have]
    needed_periods: set[str] = set()
    for _, _, p in wanted:
        needed_periods |= periods_needed(p, ysm)
    va = ValueArrays(values, needed_periods)
    needed = needed_fields(catalog)
    cols: dict[str, list] = {c: [] for c in YEAR_COLUMNS}
    for year, month, p in wanted:
        fields = period_arrays(va, p, basis, catalog, field_flows(), needed, ysm)
        size = len(fields.areas)
        if size == 0:
            continue
        names = np.array([total, *fields.areas], dtype=object)
        is_total = np.zeros(size + 1, dtype=bool)
        is_total[0] = True
        for ind in catalog.indicators:
            num, has_num, den, _, _, _ = _figure_arrays(ind, fields.fields, size)
            pv, qv, ok = _value_pairs(ind, num, has_num, den)
            whole = round_half_up_ints(np.where(ok, pv, 0), qv, ind.dp)
            n_areas = np.zeros(size + 1, dtype=np.int64)
            n_areas[0] = int(ok[1:].sum())
            cols["indicator"].append(np.full(size + 1, ind.key, dtype=object))
            cols["year"].append(np.full(size + 1, year, dtype=object))
            cols["month"].append(np.full(size + 1, month, dtype=np.int64))
            cols["period"].append(np.full(size + 1, p, dtype=object))
            cols["area"].append(names)
            cols["is_total"].append(is_total)
            cols["value"].append(rounded_floats_of_ints(whole, ok, ind.dp))
            cols["n_areas"].append(n_areas)
    if not cols["area"]:
        return pd.DataFrame(columns=YEAR_COLUMNS)
    return pd.DataFrame({c: np.concatenate(parts) for c, parts in cols.items()})
