"""Ranks (1 = best, ties share the better rank), rank intervals and the composite score.

Ranks use the rounded values a leader sees; the county is never ranked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from .catalog import Catalog, Indicator
from .stats import draw_quantiles, draw_ranks, rank_values, simulated_ranks


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


def rank_intervals_wanted(areas: int, catalog: Catalog) -> bool:
    """Rank intervals are simulated for at most `rank_intervals_max_areas` areas (no limit
    when the catalog sets none)."""
    limit = catalog.settings.get("rank_intervals_max_areas")
    return limit is None or areas <= int(limit)


@dataclass
class RankDraws:
    """The simulated ranks of one indicator: `ranks` (draws × len(idx), 1 = best) of the areas
    at positions `idx`."""

    idx: np.ndarray
    ranks: np.ndarray


def rank_interval_table(
    num: pd.Series, den: pd.Series, ind: Indicator, catalog: Catalog
) -> tuple[pd.DataFrame, RankDraws | None]:
    """rank_low, rank_high of each area (count-based ratios with a direction), else NA; and the
    simulated ranks they come from (None without). Each indicator draws from its own random
    stream (the catalog's rank_seed and its place in the catalog), so that the indicators'
    draws are independent when the composite score adds them up."""
    empty = pd.DataFrame(
        {
            "rank_low": pd.array([pd.NA] * len(num), dtype="Int64"),
            "rank_high": pd.array([pd.NA] * len(num), dtype="Int64"),
        },
        index=num.index,
    )
    if ind.interval_kind is None or ind.direction == "none":
        return empty, None
    if not rank_intervals_wanted(len(num), catalog):
        return empty, None
    place = [i.key for i in catalog.indicators].index(ind.key)
    idx, ranks = simulated_ranks(
        num.to_numpy(dtype=float),
        den.to_numpy(dtype=float),
        draws=rank_draws(len(num), catalog),
        seed=(int(catalog.setting("rank_seed")), place),
        kind="odds" if ind.interval_kind == "odds" else "proportion",
        direction=ind.direction,
        reference=ind.reference,
        scale=ind.factor,
    )
    if not idx.size:
        return empty, None
    low = np.full(len(num), np.nan)
    high = np.full(len(num), np.nan)
    low[idx], high[idx] = draw_quantiles(ranks, float(catalog.settings.get("rank_level", 0.95)))
    out = pd.DataFrame(
        {"rank_low": pd.array(low, dtype="Int64"), "rank_high": pd.array(high, dtype="Int64")},
        index=num.index,
    )
    return out, RankDraws(idx, ranks)


class CompositeDraws:
    """The composite score in every simulated draw: each weighted indicator's rank-percentile
    scores from its simulated ranks (its point ranks where it has none), added up as
    `composite_scores` adds the point ranks. Gives the score's interval, the rank interval
    and whether each area can be told apart from the one ranked next below it."""

    def __init__(self, catalog: Catalog, size: int) -> None:
        self.wanted = rank_intervals_wanted(size, catalog)  # else no interval at all
        self.draws = rank_draws(size, catalog) if self.wanted else 1
        self.level = float(catalog.settings.get("rank_level", 0.95))
        self.total = np.zeros((self.draws, size))
        self.weight = np.zeros(size)

    def add(self, ind: Indicator, ranks: np.ndarray, drawn: RankDraws | None) -> None:
        """One indicator's point ranks (float, nan: not ranked) and simulated ranks."""
        if ind.direction == "none" or ind.weight <= 0 or not self.wanted:
            return
        ranked = ~np.isnan(ranks)
        n = int(ranked.sum())
        if n == 0:
            return
        where = np.flatnonzero(ranked)
        if drawn is not None and np.array_equal(where, drawn.idx):
            matrix: np.ndarray = drawn.ranks
        else:  # no draws: the point ranks in every draw
            matrix = ranks[where][None, :]
        score = np.full(matrix.shape, 100.0) if n == 1 else 100 * (n - matrix) / (n - 1)
        w = float(ind.weight)
        self.total[:, where] += w * score
        self.weight[where] += w

    def result(self, point_ranks: np.ndarray, order: np.ndarray) -> dict[str, np.ndarray]:
        """low, high (the score's interval at rank_level), rank_low, rank_high and
        apart_from_next (True / False; None for the last ranked and the unscored) per area;
        `point_ranks` are the composite's ranks (nan: none), `order` the areas' report order."""
        size = len(self.weight)
        scored = self.weight > 0
        low, high = np.full(size, np.nan), np.full(size, np.nan)
        rank_low, rank_high = np.full(size, np.nan), np.full(size, np.nan)
        apart = np.full(size, None, dtype=object)
        idx = np.flatnonzero(scored)
        if not idx.size:
            return {"low": low, "high": high, "rank_low": rank_low, "rank_high": rank_high,
                    "apart": apart}  # fmt: skip
        score = self.total[:, idx] / self.weight[idx]
        low[idx], high[idx] = draw_quantiles(score, self.level)
        rank_low[idx], rank_high[idx] = draw_quantiles(draw_ranks(-score), self.level)
        ranked = [i for i in idx if not np.isnan(point_ranks[i])]
        ranked.sort(key=lambda i: (point_ranks[i], order[i]))
        column = {a: j for j, a in enumerate(idx)}
        top = (1 + self.level) / 2
        for a, b in zip(ranked, ranked[1:], strict=False):
            share = float(np.mean(score[:, column[a]] > score[:, column[b]]))
            apart[a] = bool(share >= top or share <= 1 - top)
        return {"low": low, "high": high, "rank_low": rank_low, "rank_high": rank_high,
                "apart": apart}  # fmt: skip


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
