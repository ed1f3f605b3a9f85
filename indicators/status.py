"""Statuses (red, amber, watch, green, grey) and their reasons, exactly as indicators.md says.

Interval tests are exact (the Wilson score inequality in Fractions); comparisons of a value
with a limit use the rounded value, as the leader sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

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
