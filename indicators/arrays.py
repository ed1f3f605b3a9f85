"""Every area's fields of a period and basis as arrays of exact integers (units of 0.000001).

The same rules as `periods` and `engine.complete_fields` / `merge_aliases`, applied to all areas
at once: the values frame is read once into one (area × field) matrix per month and basis;
year to date, single months and stocks are resolved with masks; derived fields fill the gaps;
renamed and merged areas add up. Values are Python ints in object arrays (never overflow).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .catalog import Catalog, Expr
from .exact import SCALE, scaled_int64
from .periods import _other, _year_months, is_year_start, shift_months

Pair = tuple[np.ndarray, np.ndarray]  # values (object ints, 0 where missing), present mask


@dataclass
class AreaFields:
    """Areas (after aliases) with their row order and each needed field as a Pair."""

    areas: list[str]
    order: np.ndarray
    fields: dict[str, Pair]


def _row_numbers(rows: pd.Series) -> np.ndarray:
    """int(row) of each row number, 0 where it is not a number (as ValueIndex reads it)."""
    if rows.dtype.kind in "iub" and not rows.isna().any():
        return rows.to_numpy().astype(np.int64)
    if rows.dtype.kind == "f":
        f = rows.to_numpy(dtype=float)
        return np.where(np.isfinite(f), np.trunc(np.where(np.isfinite(f), f, 0.0)), 0).astype(
            np.int64
        )
    out = []
    for r in rows.tolist():
        try:
            out.append(int(r))
        except (TypeError, ValueError):
            out.append(0)
    return np.array(out, dtype=np.int64)


def column_codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of a text column and the names they stand for: a categorical's own (the
    store hands them over; no strings are factorised again, unused names dropped), else
    factorised as text."""
    if isinstance(column.dtype, pd.CategoricalDtype) and not column.isna().any():
        codes = column.cat.codes.to_numpy()
        names = column.cat.categories
        used = np.bincount(codes[codes >= 0], minlength=len(names)) > 0
        if used.all():
            return codes.astype(np.int64), pd.Index([str(n) for n in names], dtype=object)
        renumber = np.cumsum(used) - 1
        return renumber[codes].astype(np.int64), pd.Index(
            [str(n) for n in names[used]], dtype=object
        )
    return pd.factorize(column.astype(str))


def _kept_rows(
    values: pd.DataFrame, periods: set[str] | None
) -> tuple[pd.DataFrame, tuple[np.ndarray, pd.Index]]:
    """The rows of areas (total rows left out) of the periods asked for (all when None), and
    their period codes and names."""
    keep = np.ones(len(values), dtype=bool)
    if "is_total" in values.columns:
        keep &= ~values["is_total"].astype(bool).to_numpy()
    column = values["period"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        if periods is not None:
            wanted = np.array([str(p) in periods for p in column.cat.categories] + [False])
            keep &= wanted[codes]
    elif periods is not None:
        keep &= column.astype(str).isin(periods).to_numpy()
    frame = values if keep.all() else values[keep]
    return frame, column_codes(frame["period"])


class ValueArrays:
    """The values frame (areas only, total rows left out; only `periods` when set) as one
    (area × field) matrix of exact integers per month and basis; the last row of a key counts."""

    def __init__(self, values: pd.DataFrame, periods: set[str] | None = None) -> None:
        frame, (p_codes, period_names) = _kept_rows(values, periods)
        a_codes, self.area_names = column_codes(frame["area"])
        f_codes, field_names = column_codes(frame["field"])
        b_codes, basis_names = column_codes(frame["basis"])
        self.field_index = {str(f): i for i, f in enumerate(field_names)}
        self.period_index = {str(p): i for i, p in enumerate(period_names)}
        n_a, n_f, n_b = len(self.area_names), len(field_names), len(basis_names)
        self.pb_index = {
            (str(p), str(b)): i * n_b + j
            for i, p in enumerate(period_names)
            for j, b in enumerate(basis_names)
        }
        scaled, ok = scaled_int64(frame["value"].to_numpy())
        key = ((p_codes.astype(np.int64) * n_b + b_codes) * n_a + a_codes) * n_f + f_codes
        size = len(period_names) * n_b * n_a * n_f
        last = self._last_rows(key, size)
        self.values = np.zeros(size, dtype=scaled.dtype)
        self.present = np.zeros(size, dtype=bool)
        self.values[key[last]] = scaled[last]
        self.present[key[last]] = ok[last]
        shape = (len(period_names) * n_b, n_a, n_f)
        self.values = self.values.reshape(shape)
        self.present = self.present.reshape(shape)
        n_p = len(period_names)
        self.listed = np.zeros((n_p, n_a), dtype=bool)
        self.listed[p_codes, a_codes] = True
        rows = (
            _row_numbers(frame["row"])
            if "row" in frame.columns
            else np.zeros(len(frame), dtype=np.int64)
        )
        self.row = np.full((n_p, n_a), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(self.row, (p_codes, a_codes), rows)
        self.n_areas = n_a

    @staticmethod
    def _last_rows(key: np.ndarray, size: int) -> np.ndarray:
        """Positions of the last row of each key (all rows when no key repeats)."""
        if key.size == 0:
            return np.zeros(0, dtype=np.int64)
        counts = np.bincount(key, minlength=size)
        if counts.max() <= 1:
            return np.arange(key.size)
        repeated = counts[key] > 1
        single = np.flatnonzero(~repeated)
        rep = np.flatnonzero(repeated)
        _, first_of_reversed = np.unique(key[rep][::-1], return_index=True)
        return np.concatenate([single, rep[::-1][first_of_reversed]])

    def reported(self, period: str, basis: str, fld: str) -> Pair:
        pb = self.pb_index.get((period, basis))
        f = self.field_index.get(fld)
        if pb is None or f is None:
            return np.zeros(self.n_areas, dtype=object), np.zeros(self.n_areas, dtype=bool)
        return self.values[pb, :, f].astype(object), self.present[pb, :, f]


def ytd_arrays(va: ValueArrays, period: str, fld: str, year_start_month: int) -> Pair:
    """periods.ytd_value of every area."""
    n = va.n_areas
    total = np.zeros(n, dtype=object)
    out = np.zeros(n, dtype=object)
    done = np.zeros(n, dtype=bool)
    ok = np.zeros(n, dtype=bool)
    for month in reversed(_year_months(period, year_start_month)):
        ytd, has_ytd = va.reported(month, "ytd", fld)
        take = ~done & has_ytd
        out[take] = total[take] + ytd[take]
        ok |= take
        done |= take
        single, has_single = va.reported(month, "month", fld)
        done |= ~done & ~has_single  # a month missing: no value
        add = ~done & has_single
        total[add] = total[add] + single[add]
    rest = ~done
    out[rest], ok[rest] = total[rest], True
    return out, ok


def month_arrays(va: ValueArrays, period: str, fld: str, year_start_month: int) -> Pair:
    """periods.month_value of every area."""
    single, has_single = va.reported(period, "month", fld)
    out, ok = single.copy(), has_single.copy()
    ytd, has_ytd = va.reported(period, "ytd", fld)
    need = ~ok & has_ytd
    if is_year_start(period, year_start_month):
        out[need], ok[need] = ytd[need], True
        return out, ok
    before, has_before = ytd_arrays(va, shift_months(period, -1), fld, year_start_month)
    need &= has_before
    out[need] = ytd[need] - before[need]
    ok |= need
    return out, ok


def stock_arrays(va: ValueArrays, period: str, basis: str, fld: str) -> Pair:
    """periods.stock_value of every area."""
    mine, has_mine = va.reported(period, basis, fld)
    other, has_other = va.reported(period, _other(basis), fld)
    return np.where(has_mine, mine, other), has_mine | has_other


def evaluate_arrays(expr_tree: tuple, lookup, size: int) -> Pair:
    """Expr.evaluate over arrays: missing wherever any field it reads is missing."""
    kind = expr_tree[0]
    if kind == "num":
        scaled = expr_tree[1] * SCALE
        if scaled.denominator != 1:
            raise ValueError(f"{expr_tree[1]} is finer than 0.000001")
        return np.full(size, int(scaled), dtype=object), np.ones(size, dtype=bool)
    if kind == "field":
        return lookup(expr_tree[1])
    if kind == "neg":
        v, ok = evaluate_arrays(expr_tree[1], lookup, size)
        return -v, ok
    left, lok = evaluate_arrays(expr_tree[1], lookup, size)
    right, rok = evaluate_arrays(expr_tree[2], lookup, size)
    both = lok & rok
    value = left + right if kind == "add" else left - right
    return np.where(both, value, 0), both


def complete_arrays(
    raw: dict[str, Pair], derived: dict[str, list[Expr]], needed: set[str], size: int
) -> dict[str, Pair]:
    """engine.complete_fields over arrays: derived fields fill in where the report left out."""
    memo: dict[tuple[str, tuple[str, ...]], Pair] = {}
    missing = (np.zeros(size, dtype=object), np.zeros(size, dtype=bool))

    def get(name: str, stack: tuple[str, ...]) -> Pair:
        if (name, stack) in memo:
            return memo[(name, stack)]
        value, ok = raw.get(name, missing)
        value, ok = value.copy(), ok.copy()
        for expr in derived.get(name, []):
            if ok.all():
                break
            if any(f in stack or f == name for f in expr.fields):
                continue
            ev, eok = evaluate_arrays(expr.tree, lambda f: get(f, (*stack, name)), size)
            fill = ~ok & eok
            value[fill] = ev[fill]
            ok |= fill
        memo[(name, stack)] = (value, ok)
        return value, ok

    return {name: get(name, ()) for name in needed}


def merge_alias_arrays(
    names: list[str], order: np.ndarray, fields: dict[str, Pair], aliases: dict[str, str]
) -> AreaFields:
    """engine.merge_aliases over arrays: renamed areas take their new name, several merged into
    one add up (any of them lacking a field gives none), the order is the smallest."""
    new = [aliases.get(a, a) for a in names]
    codes, uniques = pd.factorize(pd.Series(new, dtype=object))
    if len(uniques) == len(new):
        return AreaFields(list(new), order, fields)
    m = len(uniques)
    merged_order = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(merged_order, codes, order)
    first = np.unique(codes, return_index=True)[1]
    counts = np.bincount(codes, minlength=m)
    out: dict[str, Pair] = {}
    for name, (value, ok) in fields.items():
        v, o = value[first].copy(), ok[first].copy()
        for g in np.flatnonzero(counts > 1):
            members = np.flatnonzero(codes == g)
            o[g] = bool(ok[members].all())
            v[g] = sum(value[members].tolist()) if o[g] else 0
        out[name] = (v, o)
    return AreaFields([str(u) for u in uniques], merged_order, out)


def period_arrays(
    va: ValueArrays,
    period: str,
    basis: str,
    catalog: Catalog,
    flows: dict[str, bool],
    needed: set[str],
    year_start_month: int,
) -> AreaFields:
    """Each area's complete, alias-merged fields for a period and basis (engine.period_fields)."""
    p = va.period_index.get(period)
    if p is None:
        return AreaFields([], np.zeros(0, dtype=np.int64), {})
    rows = np.flatnonzero(va.listed[p])
    raw: dict[str, Pair] = {}
    for fld in needed:
        if fld not in va.field_index:
            continue
        if not flows.get(fld, True):
            value, ok = stock_arrays(va, period, basis, fld)
        elif basis == "ytd":
            value, ok = ytd_arrays(va, period, fld, year_start_month)
        else:
            value, ok = month_arrays(va, period, fld, year_start_month)
        raw[fld] = (value[rows], ok[rows])
    completed = complete_arrays(raw, catalog.derived, needed, len(rows))
    names = [str(va.area_names[i]) for i in rows]
    return merge_alias_arrays(names, va.row[p, rows], completed, catalog.aliases)
