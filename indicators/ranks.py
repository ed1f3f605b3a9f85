"""Ranks (1 = best, ties share the better rank), rank intervals and the composite score.

Ranks use the rounded values a leader sees; the county is never ranked.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd

from .catalog import Catalog, Indicator
from .stats import rank_intervals, rank_values


def rank_indicator(rounded: pd.Series, ind: Indicator) -> pd.Series:
    """Competition ranks of the areas' rounded values by the indicator's direction; NA for
    `none` indicators and for areas without a value."""
    if ind.direction == "none":
        return pd.Series(pd.NA, index=rounded.index, dtype="Int64")
    return rank_values(rounded, ind.direction, ind.reference)


def rank_draws(areas: int, catalog: Catalog) -> int:
    """Draws for the rank intervals: `rank_draws`, fewer for very many areas so that draws ×
    areas stays within `rank_max_cells` (never under `rank_min_draws`)."""
    draws = int(catalog.setting("rank_draws"))
    cap = int(catalog.settings.get("rank_max_cells", draws * max(areas, 1)))
    floor = int(catalog.settings.get("rank_min_draws", 200))
    return max(floor, min(draws, cap // max(areas, 1)))


def rank_interval_table(
    num: pd.Series, den: pd.Series, ind: Indicator, catalog: Catalog
) -> pd.DataFrame:
    """rank_low, rank_high of each area (count-based ratios with a direction), else NA."""
    empty = pd.DataFrame(
        {
            "rank_low": pd.array([pd.NA] * len(num), dtype="Int64"),
            "rank_high": pd.array([pd.NA] * len(num), dtype="Int64"),
        },
        index=num.index,
    )
    if ind.interval_kind is None or ind.direction == "none":
        return empty
    out = rank_intervals(
        num.to_numpy(dtype=float),
        den.to_numpy(dtype=float),
        draws=rank_draws(len(num), catalog),
        seed=int(catalog.setting("rank_seed")),
        kind=ind.interval_kind,
        direction=ind.direction,
        reference=ind.reference,
        scale=ind.factor,
        level=float(catalog.settings.get("rank_level", 0.95)),
    )
    out.index = num.index
    return out


def rank_percentile_scores(ranks: pd.Series) -> dict[str, Fraction]:
    """100 × (n − rank)/(n − 1) for each ranked area (100 when only one is ranked)."""
    ranked = ranks.dropna()
    n = len(ranked)
    if n == 0:
        return {}
    if n == 1:
        return {str(ranked.index[0]): Fraction(100)}
    return {str(area): Fraction(100 * (n - int(r)), n - 1) for area, r in ranked.items()}


def composite_scores(ranks: dict[str, pd.Series], catalog: Catalog) -> dict[str, Fraction]:
    """The weighted mean, over the indicators an area has a rank for, of its rank-percentile
    scores (indicators with a direction and a positive weight; see data/indicators.toml)."""
    totals: dict[str, Fraction] = {}
    weights: dict[str, Fraction] = {}
    for ind in catalog.indicators:
        if ind.direction == "none" or ind.weight <= 0 or ind.key not in ranks:
            continue
        w = Fraction(str(ind.weight))
        for area, score in rank_percentile_scores(ranks[ind.key]).items():
            totals[area] = totals.get(area, Fraction(0)) + w * score
            weights[area] = weights.get(area, Fraction(0)) + w
    return {area: totals[area] / weights[area] for area in totals}


def composite_score_arrays(
    ranks: dict[str, np.ndarray], catalog: Catalog, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """composite_scores of every area as exact ratios p/q (object arrays of int, q > 0) and the
    mask of areas with a score; `ranks` holds each indicator's ranks as floats (nan: none)."""
    terms: list[tuple[int, int, int, np.ndarray, np.ndarray]] = []  # wp, wq, wq·sq, sp, ranked
    for ind in catalog.indicators:
        if ind.direction == "none" or ind.weight <= 0 or ind.key not in ranks:
            continue
        w = Fraction(str(ind.weight))
        r = ranks[ind.key]
        ranked = ~np.isnan(r)
        n = int(ranked.sum())
        if n == 0:
            continue
        rank = np.where(ranked, r, 0).astype(np.int64).astype(object)
        sp = np.full(size, 100, dtype=object) if n == 1 else 100 * (n - rank)
        sq = 1 if n == 1 else n - 1
        terms.append((w.numerator, w.denominator, w.denominator * sq, sp, ranked))
    zero = np.zeros(size, dtype=object)
    if not terms:
        return zero, np.ones(size, dtype=object), np.zeros(size, dtype=bool)
    big = math.lcm(*(t[2] for t in terms))
    small = math.lcm(*(t[1] for t in terms))
    total, weight = zero.copy(), zero.copy()
    has = np.zeros(size, dtype=bool)
    for wp, wq, wsq, sp, ranked in terms:
        total = total + np.where(ranked, wp * sp * (big // wsq), 0)
        weight = weight + np.where(ranked, wp * (small // wq), 0)
        has |= ranked
    q = np.where(has, weight * big, 1)
    return np.where(has, total * small, 0), q, has
