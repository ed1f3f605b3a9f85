"""Statuses (red, amber, watch, green, grey) and their reasons, exactly as indicators.md says.

Interval tests are exact (the Wilson score inequality in Fractions); comparisons of a value
with a limit use the rounded value, as the leader sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from .catalog import Indicator
from .stats import wilson_lower_above, wilson_upper_below


@dataclass
class Judgement:
    """A status, the message key of its reason (`reason.*`) and the values for that message."""

    status: str | None = None
    reason_code: str | None = None
    reason_params: dict[str, Any] = field(default_factory=dict)


def _number(value: float | int | None) -> float | int | None:
    """A limit as written in the catalog: 107 stays 107, 92.5 stays 92.5."""
    if value is None:
        return None
    f = float(value)
    return int(f) if f.is_integer() else f


def binomial_counts(ind: Indicator, num: Fraction | None, den: Fraction | None) -> tuple:
    """(x, n) of the binomial behind a count-based ratio: boys of boys + girls, or num of den."""
    if num is None or den is None:
        return (None, None)
    if ind.interval_kind == "odds":
        return (num, num + den)
    return (num, den)


def limit_share(ind: Indicator, limit: float) -> Fraction:
    """A limit in the indicator's unit as the binomial share p0 (exact)."""
    lim = Fraction(str(limit))
    if ind.interval_kind == "odds":
        return lim / (ind.factor + lim)
    return lim / ind.factor


def grey_count(
    ind: Indicator, num: Fraction | None, den: Fraction | None, min_of: Fraction | None
) -> Fraction | None:
    """What 'too few' is judged on: `min_of` when the catalog names it, else the binomial n."""
    if ind.min_of:
        return min_of
    if ind.interval_kind:
        return binomial_counts(ind, num, den)[1]
    return den


def _is_grey(ind: Indicator, count: Fraction | None) -> bool:
    if ind.min_denominator is None:
        return False
    return count is not None and count < Fraction(str(ind.min_denominator))


def _grey(ind: Indicator, count: Fraction) -> Judgement:
    return Judgement(
        "grey",
        "reason.too_few",
        {"n": _number(float(count)), "min": _number(ind.min_denominator)},
    )


def judge_interval(
    ind: Indicator,
    rounded: Decimal | None,
    num: Fraction | None,
    den: Fraction | None,
    z95: float,
    z998: float,
    min_of: Fraction | None = None,
) -> Judgement:
    """Count-based ratios: red when the 99.8% interval lies wholly on the bad side of the limit,
    amber when the 95% does (not the 99.8%), watch when only the value does, else green;
    grey when too few. A range indicator (srb) has two bad sides, above range_high and below
    range_low."""
    count = grey_count(ind, num, den, min_of)
    if _is_grey(ind, count):
        return _grey(ind, count)
    x, n = binomial_counts(ind, num, den)
    if x is None or n is None or n <= 0:
        return Judgement()
    za, zr = Fraction(str(z95)), Fraction(str(z998))
    sides: list[tuple[str, float, str]] = []  # (side, limit, reason stem)
    if ind.direction == "range":
        sides = [("above", ind.range_high, "above_high"), ("below", ind.range_low, "below_low")]
    elif ind.direction == "higher" and ind.target is not None:
        sides = [("below", ind.target, "below_target")]
    elif ind.direction == "lower" and ind.target is not None:
        sides = [("above", ind.target, "above_target")]
    for side, limit, stem in sides:
        if limit is None:
            continue
        p0 = limit_share(ind, limit)
        beyond = wilson_lower_above if side == "above" else wilson_upper_below
        params = {"limit": _number(limit)}
        if beyond(x, n, p0, zr):
            return Judgement("red", f"reason.{stem}", params)
        if beyond(x, n, p0, za):
            return Judgement("amber", f"reason.{stem}", params)
    if rounded is None:
        return Judgement()
    value = Fraction(rounded)
    for side, limit, stem in sides:
        if limit is None:
            continue
        lim = Fraction(str(limit))
        if (side == "above" and value > lim) or (side == "below" and value < lim):
            return Judgement("watch", f"reason.{stem}_watch", {"limit": _number(limit)})
    return Judgement("green")


def judge_limits(
    ind: Indicator,
    rounded: Decimal | None,
    num: Fraction | None,
    den: Fraction | None,
    min_of: Fraction | None = None,
) -> Judgement:
    """Limit-based (fees): green on the good side of limits.green, amber between the limits,
    red beyond limits.amber; grey when `min_of` (persons due) is under min_denominator."""
    count = grey_count(ind, num, den, min_of)
    if _is_grey(ind, count):
        return _grey(ind, count)
    if rounded is None:
        return Judgement()
    value = Fraction(rounded)
    green = Fraction(str(ind.limits["green"]))
    amber = Fraction(str(ind.limits["amber"]))
    lower_is_better = ind.direction == "lower"
    good = value <= green if lower_is_better else value >= green
    fair = value <= amber if lower_is_better else value >= amber
    if good:
        return Judgement("green")
    suffix = "_high" if lower_is_better else ""
    if fair:
        return Judgement("amber", f"reason.limit_amber{suffix}", {"limit": _number(green)})
    return Judgement("red", f"reason.limit_red{suffix}", {"limit": _number(amber)})


def judge(
    ind: Indicator,
    rounded: Decimal | None,
    num: Fraction | None,
    den: Fraction | None,
    z95: float,
    z998: float,
    min_of: Fraction | None = None,
) -> Judgement:
    """The status of one figure by the indicator's status rule; None without a rule."""
    if ind.status_rule == "interval":
        return judge_interval(ind, rounded, num, den, z95, z998, min_of)
    if ind.status_rule == "limits":
        return judge_limits(ind, rounded, num, den, min_of)
    return Judgement()


# ---------------------------------------------------------------------------- arrays


@dataclass
class FigureArrays:
    """Figures of many areas of one indicator, exact: integers of `scale` (object arrays of
    int, 0 where missing) with masks; `whole` is the rounded value in units of 10^-dp."""

    num: np.ndarray
    has_num: np.ndarray
    den: np.ndarray
    has_den: np.ndarray
    min_of: np.ndarray
    has_min: np.ndarray
    whole: np.ndarray
    has_value: np.ndarray
    scale: int


def _parts(value: float | str) -> tuple[int, int]:
    frac = Fraction(str(value))
    return frac.numerator, frac.denominator


def _grey_count_arrays(ind: Indicator, f: FigureArrays) -> tuple[np.ndarray, np.ndarray]:
    if ind.min_of:
        return f.min_of, f.has_min
    if ind.interval_kind == "odds":
        return f.num + f.den, f.has_num & f.has_den
    return f.den, f.has_den


def _beyond(side: str, x, n, p0: Fraction, z: Fraction, s: int) -> np.ndarray:
    """wilson_lower_above / wilson_upper_below of x/s out of n/s, in integers."""
    a, b = p0.numerator, p0.denominator
    c, e = z.numerator, z.denominator
    diff = x * b - n * a
    on_side = diff > 0 if side == "above" else diff < 0
    score = diff * diff * (e * e) > (c * c * a * (b - a) * s) * n
    return np.asarray(on_side, dtype=bool) & np.asarray(score, dtype=bool)


def judge_arrays(
    ind: Indicator, f: FigureArrays, z95: float, z998: float
) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]]]:
    """`judge` of every figure at once (status, reason_code, reason_params), in integers."""
    size = len(f.num)
    status = np.full(size, None, dtype=object)
    code = np.full(size, None, dtype=object)
    limit_of = np.full(size, None, dtype=object)
    if ind.status_rule not in ("interval", "limits"):
        return status, code, [{} for _ in range(size)]
    open_ = np.ones(size, dtype=bool)
    count, has_count = _grey_count_arrays(ind, f)
    grey = np.zeros(size, dtype=bool)
    if ind.min_denominator is not None:
        mp, mq = _parts(ind.min_denominator)
        grey = has_count & np.asarray(count * mq < mp * f.scale, dtype=bool)
    status[grey], code[grey] = "grey", "reason.too_few"
    open_ &= ~grey
    ten = 10**ind.dp

    def decide(mask: np.ndarray, st: str, cd: str | None, limit: Any = None) -> None:
        nonlocal open_
        mask = mask & open_
        status[mask], code[mask], limit_of[mask] = st, cd, limit
        open_ &= ~mask

    def value_vs(limit: float, op: str) -> np.ndarray:
        lp, lq = _parts(limit)
        left, right = f.whole * lq, lp * ten
        res = {">": left > right, "<": left < right, ">=": left >= right, "<=": left <= right}
        return f.has_value & np.asarray(res[op], dtype=bool)

    if ind.status_rule == "interval":
        odds = ind.interval_kind == "odds"
        x = f.num
        n = f.num + f.den if odds else f.den
        valid = f.has_num & f.has_den & np.asarray(n > 0, dtype=bool)
        open_ &= valid
        za, zr = Fraction(str(z95)), Fraction(str(z998))
        sides: list[tuple[str, float, str]] = []
        if ind.direction == "range":
            sides = [("above", ind.range_high, "above_high"), ("below", ind.range_low, "below_low")]
        elif ind.direction == "higher" and ind.target is not None:
            sides = [("below", ind.target, "below_target")]
        elif ind.direction == "lower" and ind.target is not None:
            sides = [("above", ind.target, "above_target")]
        xs, ns = np.where(valid, x, 0), np.where(valid, n, 1)
        for side, limit, stem in sides:
            if limit is None:
                continue
            p0 = limit_share(ind, limit)
            decide(_beyond(side, xs, ns, p0, zr, f.scale), "red", f"reason.{stem}", limit)
            decide(_beyond(side, xs, ns, p0, za, f.scale), "amber", f"reason.{stem}", limit)
        open_ &= f.has_value
        for side, limit, stem in sides:
            if limit is None:
                continue
            op = ">" if side == "above" else "<"
            decide(value_vs(limit, op), "watch", f"reason.{stem}_watch", limit)
        decide(np.ones(size, dtype=bool), "green", None)
    else:
        open_ &= f.has_value
        green, amber = ind.limits["green"], ind.limits["amber"]
        lower = ind.direction == "lower"
        suffix = "_high" if lower else ""
        decide(value_vs(green, "<=" if lower else ">="), "green", None)
        decide(
            value_vs(amber, "<=" if lower else ">="), "amber", f"reason.limit_amber{suffix}", green
        )
        decide(np.ones(size, dtype=bool), "red", f"reason.limit_red{suffix}", amber)
    params: list[dict[str, Any]] = [{} for _ in range(size)]
    minimum = _number(ind.min_denominator)
    for i in np.flatnonzero(grey):
        params[i] = {"n": _number(int(count[i]) / f.scale), "min": minimum}
    for i in np.flatnonzero(np.array([v is not None for v in limit_of], dtype=bool)):
        params[i] = {"limit": _number(limit_of[i])}
    return status, code, params
