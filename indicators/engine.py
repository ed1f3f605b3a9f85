"""The indicator table of a period: figures per area and for the county, previous year, change,
intervals, statuses, ranks, the composite score and the quality notes touching each figure.

Counts are summed first and every ratio computed exactly (integers of 0.000001 for every area
at once in `compute`, Fractions in the one-figure helpers `series` uses); rounding half up to
the indicator's decimals happens once, at the end. The county figure is Σ numerators / Σ
denominators over its areas (the areas that have the figure), never an average of rates and
never the report's own total row.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from zhibiao.config import Settings, load_settings
from zhibiao.fields import field_catalog

from .arrays import AreaFields, ValueArrays, evaluate_arrays, period_arrays
from .catalog import Catalog, Expr, Indicator, load_catalog
from .columns import INDICATOR_COLUMNS, OBJECT_COLUMNS, TEXT_COLUMNS
from .exact import (
    SCALE,
    int_ratio_floats,
    round_half_up_ints,
    rounded_float,
    rounded_floats,
    rounded_floats_of_ints,
)
from .periods import ValueIndex, periods_needed, previous_year, resolve_period
from .ranks import (
    CompositeDraws,
    RankDraws,
    composite_score_arrays,
    rank_indicator,
    rank_interval_table,
)
from .stats import (
    benjamini_hochberg,
    binomial_intervals,
    byars_intervals,
    newcombe_interval,
    newcombe_p_values,
    odds_per_hundred_array,
    poisson_conditional_test,
)
from .status import Binomial, FigureArrays, StatusTests, binomial_arrays, judge_arrays, status_tests

Fields = dict[str, Fraction | None]


@cache
def field_flows() -> dict[str, bool]:
    """Canonical field → flow (adds up over months) from data/fields.toml."""
    return {name: bool(spec.get("flow", True)) for name, spec in field_catalog().items()}


# ---------------------------------------------------------------------------- field values


def field_lookup(raw: Fields, derived: dict[str, list[Expr]]) -> Callable[[str], Fraction | None]:
    """A lookup of an area's field that falls back to the catalog's derived fields (first
    alternative with a value; an alternative leading back to a field being derived is skipped)."""

    def get(name: str, stack: tuple[str, ...] = ()) -> Fraction | None:
        value = raw.get(name)
        if value is not None:
            return value
        for expr in derived.get(name, []):
            if any(f in stack or f == name for f in expr.fields):
                continue
            value = expr.evaluate(lambda f: get(f, (*stack, name)))
            if value is not None:
                return value
        return None

    return get


def complete_fields(raw: Fields, catalog: Catalog, needed: set[str]) -> Fields:
    """The area's fields with the derived ones filled in where the report left them out."""
    get = field_lookup(raw, catalog.derived)
    names = set(raw) | needed
    return {name: get(name) for name in names}


def merge_aliases(areas: dict[str, Fields], order: dict[str, int], aliases: dict[str, str]):
    """Rename areas by the alias table; several old names merged into one new name add up
    (a field any of them lacks gives the merged area no value for it)."""
    merged: dict[str, Fields] = {}
    merged_order: dict[str, int] = {}
    for area, values in areas.items():
        name = aliases.get(area, area)
        if name not in merged:
            merged[name] = dict(values)
            merged_order[name] = order.get(area, 0)
            continue
        target = merged[name]
        for fld in set(target) | set(values):
            a, b = target.get(fld), values.get(fld)
            target[fld] = None if a is None or b is None else a + b
        merged_order[name] = min(merged_order[name], order.get(area, 0))
    return merged, merged_order


def needed_fields(catalog: Catalog) -> set[str]:
    names: set[str] = set()
    for ind in catalog.indicators:
        names |= catalog.touched_fields(ind)
    return names


def period_fields(
    idx: ValueIndex,
    period: str,
    basis: str,
    catalog: Catalog,
    year_start_month: int,
    needed: set[str] | None = None,
) -> tuple[dict[str, Fields], dict[str, int]]:
    """Each area's complete, alias-merged fields for a period and basis, and the row order."""
    resolved = resolve_period(idx, period, basis, field_flows(), year_start_month)
    needed = needed_fields(catalog) if needed is None else needed
    completed = {a: complete_fields(v, catalog, needed) for a, v in resolved.fields.items()}
    return merge_aliases(completed, resolved.order, catalog.aliases)


# ---------------------------------------------------------------------------- figures


@dataclass
class Figure:
    """One area's (or the county's) figure of one indicator, exact."""

    num: Fraction | None = None
    den: Fraction | None = None
    min_of: Fraction | None = None

    def value(self, ind: Indicator) -> Fraction | None:
        if self.num is None:
            return None
        if not ind.is_rate:
            return self.num * ind.factor
        if self.den is None or self.den == 0:
            return None
        return self.num / self.den * ind.factor


def labels_where(mask: np.ndarray, label: str | np.ndarray) -> np.ndarray:
    """An object array: `label` (one, or one per element) where `mask` holds, None elsewhere."""
    mask = np.asarray(mask, dtype=bool)
    out = np.full(mask.shape, None, dtype=object)
    out[mask] = np.broadcast_to(np.asarray(label, dtype=object), mask.shape)[mask]
    return out


def area_figure(ind: Indicator, values: Fields) -> Figure:
    """Numerator, denominator and grey-count of one area (None where a field is missing)."""

    def lookup(name: str) -> Fraction | None:
        return values.get(name)

    den_expr, min_expr = ind.denominator_expr, ind.min_of_expr
    num = ind.numerator_expr.evaluate(lookup)
    den = den_expr.evaluate(lookup) if den_expr else None
    if den_expr is not None and (num is None or den is None):
        num = den = None
    return Figure(num, den, min_expr.evaluate(lookup) if min_expr else None)


def county_figure(ind: Indicator, figures: list[Figure]) -> Figure:
    """Σ numerators and Σ denominators over the areas that have the figure."""
    have = [f for f in figures if f.num is not None]
    if not have:
        return Figure()
    num = _present_sum(f.num for f in have)
    den = _present_sum(f.den for f in have) if ind.is_rate else None
    mins = [f.min_of for f in have if f.min_of is not None]
    return Figure(num, den, _present_sum(mins) if mins else None)


def _present_sum(parts: Iterable[Fraction | None]) -> Fraction:
    """Σ of the parts that are there (a rate's figure has both parts or neither)."""
    return sum((p for p in parts if p is not None), Fraction(0))


# ---------------------------------------------------------------------------- quality


def _note_dict(finding: Any) -> dict:
    return finding.to_dict() if hasattr(finding, "to_dict") else dict(finding)


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v == ""


def quality_notes(
    quality: pd.DataFrame | None,
    period: str,
    basis: str,
    aliases: dict[str, str],
) -> list[tuple[str | None, str | None, dict]]:
    """(area after aliases or None, field or None, note) of the notes of this period and basis."""
    if quality is None or quality.empty:
        return []
    out = []
    for row in quality.to_dict("records"):
        if not _blank(row.get("period")) and str(row["period"]) != period:
            continue
        if not _blank(row.get("basis")) and str(row["basis"]) != basis:
            continue
        area = None if _blank(row.get("area")) else aliases.get(str(row["area"]), str(row["area"]))
        fld = None if _blank(row.get("field")) else str(row["field"])
        out.append((area, fld, _note_dict(row["finding"])))
    return out


def notes_touching(
    notes: list[tuple[str | None, str | None, dict]], area: str | None, fields: set[str]
) -> list[dict]:
    """Notes of the area (any area for the county, area None) on any of the fields, once each."""
    found: list[dict] = []
    for note_area, note_field, note in notes:
        if area is not None and note_area is not None and note_area != area:
            continue
        if note_field is not None and note_field not in fields:
            continue
        if note not in found:
            found.append(note)
    return found


# ---------------------------------------------------------------------------- the table


def available_periods(values: pd.DataFrame) -> list[str]:
    """Periods with data, sorted."""
    if values is None or values.empty:
        return []
    return sorted({str(p) for p in values["period"].dropna().unique()})


def county_name(county: str | None, settings: Settings, catalog: Catalog) -> str:
    """The county total's name: the report's county, else the settings', else 合计."""
    return county or settings.county or str(catalog.setting("total_name"))


def _figures(
    ind: Indicator, areas: list[str], fields: dict[str, Fields]
) -> tuple[dict[str, Figure], Figure]:
    per_area = {a: area_figure(ind, fields[a]) if a in fields else Figure() for a in areas}
    return per_area, county_figure(ind, list(per_area.values()))


def compute(
    values: pd.DataFrame,
    period: str,
    basis: str = "ytd",
    *,
    catalog: Catalog | None = None,
    settings: Settings | None = None,
    quality: pd.DataFrame | None = None,
    county: str | None = None,
) -> pd.DataFrame:
    """The indicator table (INDICATOR_COLUMNS) of one period and basis, county first.

    Every area at once: fields as arrays of exact integers, ratios as integer pairs rounded half
    up in integers, statuses by the exact score inequality in integers (see `arrays`,
    `exact.round_half_up_ints`, `status.judge_arrays`)."""
    catalog = catalog or load_catalog()
    settings = settings or load_settings()
    ysm = settings.year_start_month
    va = ValueArrays(values, periods_needed(period, ysm))
    needed = needed_fields(catalog)
    now = period_arrays(va, period, basis, catalog, field_flows(), needed, ysm)
    before = period_arrays(va, previous_year(period), basis, catalog, field_flows(), needed, ysm)
    sorted_idx = sorted(range(len(now.areas)), key=lambda i: (int(now.order[i]), now.areas[i]))
    areas = [now.areas[i] for i in sorted_idx]
    now_fields = {f: (v[sorted_idx], ok[sorted_idx]) for f, (v, ok) in now.fields.items()}
    before_fields = _aligned(before, areas)
    total = county_name(county, settings, catalog)
    tests = status_tests(catalog)
    notes = quality_notes(quality, period, basis, catalog.aliases)

    columns: list[dict[str, Any]] = []
    ranks_by_ind: dict[str, pd.Series] = {}
    composite_draws = CompositeDraws(catalog, len(areas))
    for ind in catalog.indicators:
        cols, ranks, drawn = _indicator_columns(
            ind, catalog, areas, now_fields, before_fields, tests, notes
        )
        ranks_by_ind[ind.key] = ranks
        composite_draws.add(ind, ranks.to_numpy(dtype=float, na_value=np.nan), drawn)
        columns.append(cols)
    _control_false_discoveries(columns, catalog, len(areas))
    columns.append(_composite_columns(catalog, ranks_by_ind, areas, composite_draws))
    return _assemble(columns, catalog, period, basis, total, areas)


def fdr_applies(catalog: Catalog, areas: int) -> bool:
    """Whether red is also held to the false-discovery rate: catalog `fdr` on, off, or auto
    (on when the period has more than fdr_min_areas areas)."""
    mode = str(catalog.settings.get("fdr", "auto"))
    if mode not in ("on", "off", "auto"):
        raise ValueError(f"unknown fdr setting {mode!r}")
    return mode == "on" or (
        mode == "auto" and areas > int(catalog.settings.get("fdr_min_areas", 50))
    )


def _control_false_discoveries(columns: list[dict[str, Any]], catalog: Catalog, areas: int) -> None:
    """Benjamini–Hochberg over the period's red tests (every figure judged by a test, the
    county's included) at fdr_q: a red whose test is not among the discoveries becomes amber
    (its 95% interval still lies beyond the limit), marked fdr in its reason_params."""
    if not fdr_applies(catalog, areas):
        return
    p = np.concatenate([c["p_value"] for c in columns])
    keep = benjamini_hochberg(p, float(catalog.settings.get("fdr_q", 0.05)))
    start = 0
    for c in columns:
        size = len(c["p_value"])
        mine = keep[start : start + size]
        start += size
        for i in np.flatnonzero(np.array([s == "red" for s in c["status"]], dtype=bool) & ~mine):
            c["status"][i] = "amber"
            c["reason_params"][i] = {**c["reason_params"][i], "fdr": True}


def _aligned(fields: AreaFields, areas: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Another period's fields on this period's list of areas (missing where absent)."""
    pos = {a: i for i, a in enumerate(fields.areas)}
    where = np.array([pos.get(a, -1) for a in areas], dtype=np.int64)
    have = where >= 0
    take = np.where(have, where, 0)
    out = {}
    for name, (v, ok) in fields.fields.items():
        if len(v) == 0:
            out[name] = (np.zeros(len(areas), dtype=object), np.zeros(len(areas), dtype=bool))
        else:
            out[name] = (np.where(have, v[take], 0), have & ok[take])
    return out


def _figure_arrays(ind: Indicator, fields: dict, size: int) -> tuple[np.ndarray, ...]:
    """area_figure of every area and county_figure on top (row 0): num, has_num, den, has_den,
    min_of, has_min, as integers of SCALE."""
    missing = (np.zeros(size, dtype=object), np.zeros(size, dtype=bool))

    def lookup(name: str):
        return fields.get(name, missing)

    num, has_num = evaluate_arrays(ind.numerator_expr.tree, lookup, size)
    if ind.denominator_expr is not None:
        den, has_den = evaluate_arrays(ind.denominator_expr.tree, lookup, size)
        both = has_num & has_den
        num, den = np.where(both, num, 0), np.where(both, den, 0)
        has_num, has_den = both, both.copy()
    else:
        den, has_den = np.zeros(size, dtype=object), np.zeros(size, dtype=bool)
    if ind.min_of_expr is not None:
        mins, has_min = evaluate_arrays(ind.min_of_expr.tree, lookup, size)
    else:
        mins, has_min = np.zeros(size, dtype=object), np.zeros(size, dtype=bool)
    # the county: sums over the areas that have the figure
    c_has = bool(has_num.any())
    c_num = sum(num[has_num].tolist()) if c_has else 0
    c_den = sum(den[has_num].tolist()) if c_has and ind.is_rate else 0
    m_in = has_num & has_min
    c_has_min = c_has and bool(m_in.any())
    c_min = sum(mins[m_in].tolist()) if c_has_min else 0

    def top(c: Any, arr: np.ndarray) -> np.ndarray:
        out = np.empty(size + 1, dtype=arr.dtype)
        out[0], out[1:] = c, arr
        return out

    return (
        top(c_num, num),
        top(c_has, has_num),
        top(c_den, den),
        top(c_has and ind.is_rate, has_den),
        top(c_min, mins),
        top(c_has_min, has_min),
    )


def _value_pairs(ind: Indicator, num, has_num, den) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Figure.value of each row as an exact ratio p/q (q > 0) and its mask."""
    if not ind.is_rate:
        return num * ind.factor, np.full(len(num), SCALE, dtype=object), has_num.copy()
    ok = has_num & np.asarray(den != 0, dtype=bool)
    p = np.where(ok, num * ind.factor, 0)
    q = np.where(ok, den, 1)
    neg = np.asarray(q < 0, dtype=bool)
    return np.where(neg, -p, p), np.where(neg, -q, q), ok


def _binomial_n_arrays(ind: Indicator, fields: dict, size: int, has_num: np.ndarray):
    """The catalog's `binomial_n` of every row (county on top: the sum over the areas that
    have the figure), as integers of SCALE; None when the indicator names none."""
    if ind.binomial_n_expr is None:
        return None, None
    missing = (np.zeros(size, dtype=object), np.zeros(size, dtype=bool))
    bn, has = evaluate_arrays(ind.binomial_n_expr.tree, lambda f: fields.get(f, missing), size)
    inside = has_num[1:] & has
    c_has = bool(inside.any())
    top_bn = np.empty(size + 1, dtype=object)
    top_bn[0], top_bn[1:] = (sum(bn[inside].tolist()) if c_has else 0), bn
    top_has = np.empty(size + 1, dtype=bool)
    top_has[0], top_has[1:] = c_has, has
    return top_bn, top_has


def _interval_arrays(ind: Indicator, b: Binomial, z: float, tests: StatusTests):
    """The interval of every row in the indicator's unit, by the method that judges it (exact
    below `exact_below`, Wilson from there), and that method's name; nan and None otherwise."""
    size = len(b.ok)
    nan = np.full(size, np.nan)
    if ind.interval_kind is None:
        return nan, nan.copy(), np.full(size, None, dtype=object)
    x_f = np.where(b.ok, b.x_f, np.nan)
    n_f = np.where(b.ok, b.n_f, np.nan)
    if ind.interval_kind == "poisson":  # a count over a population: Byars' interval
        low, high = byars_intervals(x_f, z)
        low, high = low / n_f * ind.factor, high / n_f * ind.factor
        method = labels_where(np.isfinite(low), "byars")
    elif ind.interval_kind == "odds":
        low, high, method = binomial_intervals(x_f, n_f, z, tests.exact_below, tests.exact_method)
        low = odds_per_hundred_array(low) * ind.factor / 100
        high = odds_per_hundred_array(high) * ind.factor / 100
    else:
        low, high, method = binomial_intervals(x_f, n_f, z, tests.exact_below, tests.exact_method)
        low, high = low * ind.factor, high * ind.factor
    low = np.where(b.ok & np.isfinite(low), low, np.nan)
    high = np.where(b.ok & np.isfinite(high), high, np.nan)
    method = labels_where(b.ok, method)
    return low, high, method


def _notes_column(
    notes: list[tuple[str | None, str | None, dict]], areas: list[str], touched: set[str]
) -> list[list[dict]]:
    """notes_touching of the county (row 0) and of every area."""
    mine = [n for n in notes if n[1] is None or n[1] in touched]
    county = notes_touching(mine, None, touched)
    if not mine:
        return [county] + [[] for _ in areas]
    shared = notes_touching([n for n in mine if n[0] is None], "", touched)
    own = {n[0] for n in mine if n[0] is not None}
    out = [county]
    for a in areas:
        out.append(notes_touching(mine, a, touched) if a in own else list(shared))
    return out


def _indicator_columns(
    ind: Indicator,
    catalog: Catalog,
    areas: list[str],
    now: dict,
    before: dict,
    tests: StatusTests,
    notes: list[tuple[str | None, str | None, dict]],
) -> tuple[dict[str, Any], pd.Series, RankDraws | None]:
    """The columns of one indicator (county first, then the areas), the areas' ranks and their
    simulated ranks (for the composite score's interval)."""
    size = len(areas)
    num, has_num, den, has_den, mins, has_min = _figure_arrays(ind, now, size)
    pnum, phas, pden, _, _, _ = _figure_arrays(ind, before, size)
    p, q, ok = _value_pairs(ind, num, has_num, den)
    pp, pq, pok = _value_pairs(ind, pnum, phas, pden)
    whole = round_half_up_ints(np.where(ok, p, 0), q, ind.dp)
    value = rounded_floats_of_ints(whole, ok, ind.dp)
    prev_whole = round_half_up_ints(np.where(pok, pp, 0), pq, ind.dp)
    both = ok & pok
    cp = np.where(both, p * pq - pp * q, 0)
    cq = np.where(both, q * pq, 1)
    change = rounded_floats_of_ints(round_half_up_ints(cp, cq, ind.dp), both, ind.dp)
    ones = np.full(size + 1, SCALE, dtype=object)
    bn, has_bn = _binomial_n_arrays(ind, now, size, has_num)
    figs = FigureArrays(num, has_num, den, has_den, mins, has_min, whole, ok, SCALE, bn, has_bn)
    binomial = binomial_arrays(ind, figs)
    low95, high95, interval_method = _interval_arrays(ind, binomial, tests.z95, tests)
    low998, high998, _ = _interval_arrays(ind, binomial, tests.z998, tests)
    judged = judge_arrays(ind, figs, tests)
    status, code, params = judged.status, judged.code, judged.params
    if ind.interval_kind is not None:
        for i in np.flatnonzero(np.array([c is not None for c in code], dtype=bool)):
            if code[i] != "reason.too_few":
                params[i].update({"low95": float(low95[i]), "high95": float(high95[i])})
    numerator = int_ratio_floats(num, ones, has_num)
    cols: dict[str, Any] = {
        "value": value,
        "value_exact": int_ratio_floats(p, q, ok),
        "previous": rounded_floats_of_ints(prev_whole, pok, ind.dp),
        "change": change,
        "numerator": numerator,
        "denominator": int_ratio_floats(den, ones, has_den),
        "low95": rounded_floats(low95, ind.dp),
        "high95": rounded_floats(high95, ind.dp),
        "low998": rounded_floats(low998, ind.dp),
        "high998": rounded_floats(high998, ind.dp),
        "status": status,
        "reason_code": code,
        "reason_params": params,
        "quality": _notes_column(notes, areas, catalog.touched_fields(ind)),
        "interval_method": interval_method,
        "status_method": judged.method,
        "p_value": judged.p_red,
        "red_size": judged.red_size,
    }
    cols.update(
        _change_columns(ind, catalog, (num, has_num, den), (pnum, phas, pden), both, np.sign(cp))
    )
    cols["apart_from_next"] = np.full(size + 1, None, dtype=object)
    ranks, drawn = _rank_columns(ind, catalog, areas, cols, binomial)
    return cols, ranks, drawn


def _change_columns(
    ind: Indicator,
    catalog: Catalog,
    now: tuple[np.ndarray, np.ndarray, np.ndarray],
    before: tuple[np.ndarray, np.ndarray, np.ndarray],
    both: np.ndarray,
    sign: np.ndarray,
) -> dict[str, np.ndarray]:
    """Whether the change on last year is significant (docs/statistics.md): shares by Newcombe's
    interval of the difference (and the p-value that goes with it), sex ratios by the same on
    the share of boys, counts and rates per thousand by the exact conditional Poisson test.
    change_p, the change's interval (change_low, change_high, in the indicator's unit, at the
    catalog's change_alpha), change_dir (up, down, flat: not significant; None: no test) and
    change_method."""
    size = len(both)
    alpha = float(catalog.settings.get("change_alpha", 0.05))
    z = float(norm.isf(alpha / 2))
    ones = np.full(size, SCALE, dtype=object)
    num, _, den = now
    pnum, _, pden = before
    a = int_ratio_floats(num, ones, both)
    b = int_ratio_floats(pnum, ones, both)
    with np.errstate(divide="ignore", invalid="ignore"):  # rows without a test give nan
        p, low, high, method = _change_test(ind, num, den, pnum, pden, a, b, both, z)
    tested = both & np.isfinite(p)
    direction = np.full(size, None, dtype=object)
    significant = tested & (np.nan_to_num(p, nan=1.0) < alpha)
    direction[tested] = "flat"
    direction[significant & (sign > 0)] = "up"
    direction[significant & (sign < 0)] = "down"
    finite = tested & np.isfinite(low) & np.isfinite(high)
    return {
        "change_p": np.where(tested, p, np.nan),
        "change_low": rounded_floats(np.where(finite, low, np.nan), ind.dp),
        "change_high": rounded_floats(np.where(finite, high, np.nan), ind.dp),
        "change_dir": direction,
        "change_method": labels_where(tested, method),
    }


def _change_test(ind: Indicator, num, den, pnum, pden, a, b, both, z: float):
    """(p, low, high, method) of `_change_columns`, before the masks."""
    size = len(both)
    ones = np.full(size, SCALE, dtype=object)
    kind = ind.interval_kind
    nan = np.full(size, np.nan)
    if kind in ("proportion", "odds") and not ind.binomial_n:
        n1 = int_ratio_floats(num + den if kind == "odds" else den, ones, both)
        n0 = int_ratio_floats(pnum + pden if kind == "odds" else pden, ones, both)
        p = newcombe_p_values(a, n1, b, n0)
        d_low, d_high = newcombe_interval(a, n1, b, n0, z)
        if kind == "odds":  # the share's interval as a change of the sex ratio
            share0 = b / n0
            low = odds_per_hundred_array(share0 + d_low) - odds_per_hundred_array(share0)
            high = odds_per_hundred_array(share0 + d_high) - odds_per_hundred_array(share0)
            return p, low, high, "newcombe"
        return p, d_low * ind.factor, d_high * ind.factor, "newcombe"
    if kind == "poisson" or (not ind.is_rate and ind.unit == "count"):
        e1 = int_ratio_floats(den, ones, both) if kind == "poisson" else np.ones(size)
        e0 = int_ratio_floats(pden, ones, both) if kind == "poisson" else np.ones(size)
        p, pi_low, pi_high = poisson_conditional_test(a, b, e1, e0, z)
        total = a + b  # the share π of the two years' total, as a change in the unit
        low = (total * pi_low / e1 - total * (1 - pi_low) / e0) * ind.factor
        high = (total * pi_high / e1 - total * (1 - pi_high) / e0) * ind.factor
        return p, low, high, "poisson_conditional"
    return nan, nan, nan, None


def _rank_columns(
    ind: Indicator, catalog: Catalog, areas: list[str], cols: dict[str, Any], binomial: Binomial
) -> tuple[pd.Series, RankDraws | None]:
    """rank, rank_low, rank_high of the county (none) and every area, into `cols`; the areas'
    ranks. A figure not assessed (grey, 不评价) is not ranked: the others are ranked among
    themselves, and its rank interval is left out of their draws too."""
    assessed = np.array([s != "grey" for s in cols["status"][1:]], dtype=bool)
    value = np.where(assessed, cols["value"][1:], np.nan)
    ranks = rank_indicator(pd.Series(value, index=areas, dtype=float), ind)
    rank = ranks.to_numpy(dtype=float, na_value=np.nan)
    has_rank = ~np.isnan(rank)
    rank_num, rank_den = cols["numerator"][1:], cols["denominator"][1:]
    if ind.binomial_n:  # drawn as x of n
        rank_num, rank_den = binomial.x_f[1:], binomial.n_f[1:]
    rank_num = np.where(assessed, rank_num, np.nan)
    intervals, drawn = rank_interval_table(
        pd.Series(rank_num, index=areas), pd.Series(rank_den, index=areas), ind, catalog
    )
    nan = np.array([np.nan])
    cols["rank"] = np.concatenate([nan, rank])
    for col in ("rank_low", "rank_high"):
        got = intervals[col].to_numpy(dtype=float, na_value=np.nan)
        cols[col] = np.concatenate([nan, np.where(has_rank, got, np.nan)])
    return ranks, drawn


def _composite_columns(
    catalog: Catalog,
    ranks_by_ind: dict[str, pd.Series],
    areas: list[str],
    composite_draws: CompositeDraws,
) -> dict[str, Any]:
    """The composite score of each area (nothing for the county, row 0), its rank, and from the
    simulated ranks the score's interval (low95, high95), the rank interval and whether the
    area can be told apart from the one ranked next below (apart_from_next)."""
    comp = catalog.composite
    p, q, ok = composite_score_arrays(
        {k: r.to_numpy(dtype=float, na_value=np.nan) for k, r in ranks_by_ind.items()},
        catalog,
        len(areas),
    )
    whole = round_half_up_ints(np.where(ok, p, 0), q, comp.dp)
    value = rounded_floats_of_ints(whole, ok, comp.dp)
    ranks = rank_indicator(pd.Series(value, index=areas, dtype=float), comp)
    size = len(areas) + 1
    nan = np.full(size, np.nan)
    rank = ranks.to_numpy(dtype=float, na_value=np.nan)
    drawn = composite_draws.result(rank, np.arange(len(areas)))
    has = np.isfinite(drawn["low"])

    def top(values: np.ndarray, fill: Any = np.nan) -> np.ndarray:
        return np.concatenate([np.array([fill], dtype=values.dtype), values])

    return {
        "value": np.concatenate([[np.nan], value]),
        "value_exact": np.concatenate([[np.nan], int_ratio_floats(p, q, ok)]),
        "previous": nan,
        "change": nan,
        "numerator": nan,
        "denominator": nan,
        "low95": top(rounded_floats(drawn["low"], comp.dp)),
        "high95": top(rounded_floats(drawn["high"], comp.dp)),
        "low998": nan,
        "high998": nan,
        "rank": top(rank),
        "rank_low": top(np.where(np.isnan(rank), np.nan, drawn["rank_low"])),
        "rank_high": top(np.where(np.isnan(rank), np.nan, drawn["rank_high"])),
        "status": np.full(size, None, dtype=object),
        "reason_code": np.full(size, None, dtype=object),
        "reason_params": [{} for _ in range(size)],
        "quality": [[] for _ in range(size)],
        "interval_method": top(labels_where(has, "rank_draws"), None),
        "status_method": np.full(size, None, dtype=object),
        "change_p": nan,
        "change_low": nan,
        "change_high": nan,
        "change_dir": np.full(size, None, dtype=object),
        "change_method": np.full(size, None, dtype=object),
        "p_value": nan,
        "red_size": nan,
        "apart_from_next": top(drawn["apart"], None),
    }


def _interleave(parts: list[Any], dtype: Any) -> np.ndarray:
    """Columns of several indicators (each county first, then the areas) as one column ordered
    by area, then indicator."""
    stacked = np.empty((len(parts), len(parts[0])), dtype=dtype)
    for i, part in enumerate(parts):
        if dtype is object and isinstance(part, list):
            stacked[i, :] = np.array(part + [None], dtype=object)[:-1]
        else:
            stacked[i, :] = part
    return stacked.T.reshape(-1)


def _assemble(
    columns: list[dict[str, Any]],
    catalog: Catalog,
    period: str,
    basis: str,
    total: str,
    areas: list[str],
) -> pd.DataFrame:
    """The indicator table from each indicator's columns: county first, indicators in order."""
    keys = catalog.table_keys()
    rows = len(areas) + 1
    n = rows * len(keys)
    names = np.array([total, *areas], dtype=object)
    data: dict[str, Any] = {
        "period": np.full(n, period, dtype=object),
        "basis": np.full(n, basis, dtype=object),
        "area": np.repeat(names, len(keys)),
        "is_total": np.repeat(np.arange(rows) == 0, len(keys)),
        "order": np.repeat(np.arange(rows), len(keys)).astype(int),
        "indicator": np.tile(np.array(keys, dtype=object), rows),
    }
    for col in INDICATOR_COLUMNS:
        if col in data:
            continue
        obj = col in OBJECT_COLUMNS
        data[col] = _interleave([c[col] for c in columns], object if obj else float)
    table = pd.DataFrame(data, columns=INDICATOR_COLUMNS)
    for col in TEXT_COLUMNS:  # None stays None (not a string column's NaN)
        table[col] = pd.Series(data[col], dtype=object)
    for col in ("rank", "rank_low", "rank_high"):
        missing = np.isnan(data[col])
        whole = np.where(missing, 0, data[col]).astype(np.int64)
        table[col] = pd.arrays.IntegerArray(whole, missing)
    return table


# ---------------------------------------------------------------------------- series


def series(
    values: pd.DataFrame,
    indicator: str,
    area: str | None,
    basis: str,
    *,
    catalog: Catalog | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """One row per period with data: period, value, county_value, previous_year_value (rounded;
    the area's, or the county's when area is None)."""
    catalog = catalog or load_catalog()
    settings = settings or load_settings()
    ind = catalog.get(indicator)
    if ind.key == catalog.composite.key:
        raise ValueError("the composite score has no series")
    idx = ValueIndex(values)
    needed = catalog.touched_fields(ind)
    known: dict[str, tuple[dict[str, Fields], dict[str, int]]] = {}

    def fields_of(p: str) -> dict[str, Fields]:
        if p not in known:
            known[p] = period_fields(idx, p, basis, catalog, settings.year_start_month, needed)
        return known[p][0]

    rows = []
    for period in available_periods(values):
        now, before = fields_of(period), fields_of(previous_year(period))
        areas = list(now)
        figs, county_fig = _figures(ind, areas, now)
        prev_figs, county_prev = _figures(ind, areas, before)
        if area is None:
            mine, prev = county_fig, county_prev
        else:
            mine = figs.get(area, Figure())
            prev = prev_figs.get(area, Figure())
        rows.append(
            {
                "period": period,
                "value": rounded_float(mine.value(ind), ind.dp),
                "county_value": rounded_float(county_fig.value(ind), ind.dp),
                "previous_year_value": rounded_float(prev.value(ind), ind.dp),
            }
        )
    return pd.DataFrame(rows, columns=["period", "value", "county_value", "previous_year_value"])
