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
from typing import Any

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


def trend_directions(
    n_periods: Any, p: Any, rise: Any, level: float = 0.998, min_periods: int = MIN_PERIODS
) -> np.ndarray:
    """What each test found (DIRECTIONS): too_few under `min_periods` periods; increasing or
    decreasing (by the sign of T) when p < 1 − level; else no_change (also when untestable)."""
    p = np.asarray(p, dtype=float)
    rise = np.asarray(rise, dtype=float)
    out = np.full(p.shape, "no_change", dtype=object)
    significant = np.isfinite(p) & (p < 1 - level)
    out[significant & (rise > 0)] = "increasing"
    out[significant & ~(rise > 0)] = "decreasing"
    out[np.asarray(n_periods) < min_periods] = "too_few"
    return out


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
    direction = trend_directions(counts.size, p, rise, level, min_periods).item()
    return Trend(direction, periods, chi2, p)


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
    years. One pass over the periods and one test per indicator (`chi2_trend` on a periods ×
    areas matrix) serve every area, so a page caches it per period."""
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
    place: dict[str, int] = {total: 0}  # every area met, the county first
    done: list[str] = []  # the periods read, the latest first
    # per indicator and period read: (places, counts, sizes) of the areas with the figure
    read: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {
        i.key: [] for i, _ in tested
    }
    have = {ind.key: np.zeros(0, dtype=np.int64) for ind, _ in tested}
    for p in candidates:
        if done and all(len(h) == len(place) and (h >= count).all() for h in have.values()):
            break  # every area has its periods: the older ones are not needed
        fields = period_arrays(va, p, basis, catalog, flows, needed, ysm)
        size = len(fields.areas)
        if size == 0:
            continue
        done.append(p)
        places = np.array(
            [0, *(place.setdefault(a, len(place)) for a in fields.areas)], dtype=np.int64
        )
        for ind, kind in tested:
            num, has_num, den, _, _, _ = _figure_arrays(ind, fields.fields, size)
            sizes = _trend_sizes(ind, kind, num, den)
            ok = has_num & np.asarray(sizes > 0, dtype=bool)
            read[ind.key].append(
                (
                    places[ok],
                    np.array([x / SCALE for x in num[ok]], dtype=float),
                    np.array([n / SCALE for n in sizes[ok]], dtype=float),
                )
            )
            found = np.zeros(len(place), dtype=np.int64)
            found[: len(have[ind.key])] = have[ind.key]
            found[places[ok]] += 1
            have[ind.key] = found
    names = list(place)
    is_total = np.arange(len(names)) == 0
    # months scored by their distance from the oldest read (a shift leaves the test unchanged)
    months = np.array([_month_number(p) for p in done], dtype=float)
    scores = months - months.min() if months.size else months
    parts: list[pd.DataFrame] = []
    for ind, kind in tested:
        counts = np.zeros((len(done), len(names)))
        sizes = np.zeros((len(done), len(names)))
        valid = np.zeros((len(done), len(names)), dtype=bool)
        for k, (places, x, n) in enumerate(read[ind.key]):
            counts[k, places], sizes[k, places], valid[k, places] = x, n, True
        keep = valid & (np.cumsum(valid, axis=0) <= count)  # the latest `count` of each area
        chi2, p, rise = chi2_trend(
            np.where(keep, counts, 0.0), np.where(keep, sizes, 0.0), kind, scores
        )
        n_periods = keep.sum(axis=0)
        few = n_periods < count
        parts.append(
            pd.DataFrame(
                {
                    "indicator": ind.key,
                    "area": names,
                    "is_total": is_total,
                    "direction": trend_directions(n_periods, p, rise, level, count),
                    "periods": [
                        tuple(done[k] for k in np.flatnonzero(keep[:, a])[::-1])
                        for a in range(len(names))
                    ],
                    "chi2": np.where(few, np.nan, chi2),
                    "p": np.where(few, np.nan, p),
                    "level": level,
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=TREND_COLUMNS)
    return pd.concat(parts, ignore_index=True)[TREND_COLUMNS]


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
