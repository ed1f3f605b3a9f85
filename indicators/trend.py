"""Is an area's indicator rising or falling? The χ² test for trend over its last periods, as
the Fingertips profiles test a trend: at 99.8%, over five or more periods (docs/statistics.md).

Shares (and the sex ratio, on its share of boys) by the Cochran–Armitage test; counts and
rates per thousand by the score test for a log-linear trend in a Poisson count (plain counts
have exposure 1). Months are scored by their distance from the first, so a missing month does
not squeeze the line. Year to date figures overlap from month to month, so on that basis the
periods are the same month of successive years.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from zhibiao.config import Settings, load_settings

from .arrays import ValueArrays, period_arrays
from .catalog import Catalog, Indicator, load_catalog
from .engine import _figure_arrays, available_periods, field_flows
from .exact import SCALE
from .periods import parse_period, periods_needed
from .stats import chi2_trend

#: What a trend test found (message keys trend.*).
DIRECTIONS = ("increasing", "decreasing", "no_change", "too_few")
#: The fewest periods a trend is tested over (Fingertips: five).
MIN_PERIODS = 5


@dataclass(frozen=True)
class Trend:
    """direction (DIRECTIONS; None: the indicator is not tested, e.g. an amount), the periods
    tested, the χ² statistic and its p-value (nan when not tested)."""

    direction: str | None
    periods: tuple[str, ...] = ()
    chi2: float = math.nan
    p: float = math.nan


def trend_kind(ind: Indicator) -> str | None:
    """'proportion', 'poisson' or None (no test: amounts, the amount rate, the score)."""
    if ind.binomial_n:
        return None
    if ind.interval_kind in ("proportion", "odds"):
        return "proportion"
    if ind.interval_kind == "poisson" or (not ind.is_rate and ind.unit == "count"):
        return "poisson"
    return None


def trend_test(
    counts: np.ndarray,
    sizes: np.ndarray,
    kind: str,
    *,
    scores: np.ndarray | None = None,
    level: float = 0.998,
    min_periods: int = MIN_PERIODS,
    periods: tuple[str, ...] = (),
) -> Trend:
    """The trend of counts (successes, or events) of sizes (trials, or exposures) per period:
    increasing or decreasing when the two-sided test rejects at `level`, else no_change;
    too_few under `min_periods` periods."""
    counts = np.asarray(counts, dtype=float)
    if counts.size < min_periods:
        return Trend("too_few", periods)
    chi2, p, rise = chi2_trend(counts, sizes, kind, scores)
    if not math.isfinite(p):
        return Trend("no_change", periods)
    if p < 1 - level:
        return Trend("increasing" if rise > 0 else "decreasing", periods, chi2, p)
    return Trend("no_change", periods, chi2, p)


def _month_number(period: str) -> int:
    year, month = parse_period(period)
    return year * 12 + month


#: The columns of `area_trends`: one row per tested indicator and area (the county first);
#: level is the catalog's trend_level the direction was judged at.
TREND_COLUMNS = ["indicator", "area", "is_total", "direction", "periods", "chi2", "p", "level"]


def _trend_sizes(ind: Indicator, kind: str, num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """The trials (a share: the denominator; the sex ratio: boys + girls) or the exposure (a
    rate per thousand: the population; a plain count: 1) of each row, in SCALE."""
    if kind == "proportion":
        return num + den if ind.interval_kind == "odds" else den
    if ind.is_rate:
        return den
    return np.full(len(num), SCALE, dtype=object)


def area_trends(
    values: pd.DataFrame,
    period: str,
    basis: str = "month",
    *,
    catalog: Catalog | None = None,
    settings: Settings | None = None,
    total: str = "",
    indicators: list[str] | None = None,
) -> pd.DataFrame:
    """The trend of every area and of the county (named `total`) for every tested indicator
    (or those named), over the last `trend_periods` (catalog, at least 5) periods up to and
    including `period` that have its figure (TREND_COLUMNS; periods a tuple of 'YYYY-MM'). On
    the month basis the periods are single months; year to date, the same month of successive
    years. One pass over the periods serves every area, so a page caches it per period."""
    catalog = catalog or load_catalog()
    settings = settings or load_settings()
    ysm = settings.year_start_month
    count = max(MIN_PERIODS, int(catalog.settings.get("trend_periods", MIN_PERIODS)))
    level = float(catalog.settings.get("trend_level", 0.998))
    tested = [
        (ind, kind)
        for ind in catalog.indicators
        if (indicators is None or ind.key in indicators) and (kind := trend_kind(ind))
    ]
    month = parse_period(period)[1]
    candidates = [
        p
        for p in reversed(available_periods(values))
        if p <= period and (basis != "ytd" or parse_period(p)[1] == month)
    ]
    needed_periods: set[str] = set()
    for p in candidates:
        needed_periods |= periods_needed(p, ysm)
    va = ValueArrays(values, needed_periods)
    needed = set().union(*(catalog.touched_fields(ind) for ind, _ in tested)) if tested else set()
    flows = field_flows()
    # (indicator, area) → [(period, count, size)], the latest period last
    found: dict[tuple[str, str], list[tuple[str, float, float]]] = {}
    areas: dict[str, bool] = {}  # every area met, in order; True for the county
    for p in candidates:
        full = all(len(f) >= count for f in found.values())
        if found and full and len(found) == len(areas) * len(tested):
            break  # every area has its periods: the older ones are not needed
        fields = period_arrays(va, p, basis, catalog, flows, needed, ysm)
        size = len(fields.areas)
        if size == 0:
            continue
        names = [total, *fields.areas]
        areas.setdefault(total, True)
        for name in fields.areas:
            areas.setdefault(name, False)
        for ind, kind in tested:
            num, has_num, den, _, _, _ = _figure_arrays(ind, fields.fields, size)
            sizes = _trend_sizes(ind, kind, num, den)
            for i in np.flatnonzero(has_num):
                n = sizes[i]
                series = found.setdefault((ind.key, names[i]), [])
                if n > 0 and len(series) < count:
                    series.insert(0, (p, num[i] / SCALE, n / SCALE))
    cols: dict[str, list] = {c: [] for c in TREND_COLUMNS}
    for ind, kind in tested:
        for name, is_total in areas.items():
            series = found.get((ind.key, name), [])
            periods = tuple(p for p, _, _ in series)
            scores = np.array([_month_number(p) for p in periods], dtype=float)
            trend = trend_test(
                np.array([float(x) for _, x, _ in series]),
                np.array([float(n) for _, _, n in series]),
                kind,
                scores=scores - scores[0] if scores.size else scores,
                level=level,
                periods=periods,
            )
            for c, v in zip(
                TREND_COLUMNS,
                (ind.key, name, is_total, trend.direction, periods, trend.chi2, trend.p, level),
                strict=True,
            ):
                cols[c].append(v)
    return pd.DataFrame(cols, columns=TREND_COLUMNS)


def area_trend(
    values: pd.DataFrame,
    indicator: str,
    area: str | None,
    basis: str = "month",
    *,
    catalog: Catalog | None = None,
    settings: Settings | None = None,
) -> Trend:
    """The trend of one area's (the county's when area is None) indicator over its stored
    periods: the last `trend_periods` (catalog, at least 5) that have its figure."""
    catalog = catalog or load_catalog()
    if trend_kind(catalog.get(indicator)) is None:
        return Trend(None)
    periods = available_periods(values)
    if not periods:
        return Trend("too_few")
    table = area_trends(
        values, periods[-1], basis, catalog=catalog, settings=settings, indicators=[indicator]
    )
    is_total = table["is_total"].astype(bool)
    rows = table[is_total] if area is None else table[(table["area"] == area) & ~is_total]
    if rows.empty:
        return Trend("too_few")
    row = rows.iloc[0]
    return Trend(row["direction"], row["periods"], float(row["chi2"]), float(row["p"]))
