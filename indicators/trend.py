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
from fractions import Fraction

import numpy as np
import pandas as pd

from zhibiao.config import Settings, load_settings

from .catalog import Catalog, Indicator, load_catalog
from .engine import area_figure, available_periods, county_figure, period_fields
from .periods import ValueIndex, parse_period
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
    settings = settings or load_settings()
    ind = catalog.get(indicator)
    kind = trend_kind(ind)
    if kind is None:
        return Trend(None)
    count = max(MIN_PERIODS, int(catalog.settings.get("trend_periods", MIN_PERIODS)))
    level = float(catalog.settings.get("trend_level", 0.998))
    idx = ValueIndex(values)
    needed = catalog.touched_fields(ind)
    found: list[tuple[str, Fraction, Fraction]] = []
    for period in reversed(available_periods(values)):
        if len(found) == count:
            break
        if found and basis == "ytd" and parse_period(period)[1] != parse_period(found[0][0])[1]:
            continue
        fields, _ = period_fields(idx, period, basis, catalog, settings.year_start_month, needed)
        figs = [area_figure(ind, v) for v in fields.values()]
        fig = county_figure(ind, figs) if area is None else None
        if area is not None and area in fields:
            fig = area_figure(ind, fields[area])
        if fig is None or fig.num is None:
            continue
        if kind == "proportion":
            size = fig.den
            if fig.den is not None and ind.interval_kind == "odds":
                size = fig.num + fig.den
        else:
            size = fig.den if ind.is_rate else Fraction(1)
        if size is None or size <= 0:
            continue
        found.insert(0, (period, fig.num, size))
    periods = tuple(p for p, _, _ in found)
    scores = np.array([_month_number(p) for p in periods], dtype=float)
    scores = scores - scores[0] if scores.size else scores
    return trend_test(
        np.array([float(x) for _, x, _ in found]),
        np.array([float(n) for _, _, n in found]),
        kind,
        scores=scores,
        level=level,
        periods=periods,
    )
