"""Statuses (red, amber, watch, green, grey) and their reasons, as docs/indicators.md
and docs/statistics.md say.

A count-based ratio is judged by a one-sided test of its binomial counts against each limit:
exact (Clopper–Pearson, or mid-p where the catalog says) while the binomial n is under the
catalog's `exact_below`, the score test (the one the Wilson interval inverts) from there on.
Red when the test rejects at the 99.8% interval's tail (0.1%), amber at the 95% interval's
tail (2.5%): so an interval lies wholly on the bad side exactly when its test rejects. The
score test is done exactly, in integers; comparisons of a value with a limit use the rounded
value, as the leader sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from .catalog import Catalog, Indicator
from .exact import int_ratio_floats
from .stats import (
    EXACT_METHODS,
    binomial_p_above,
    binomial_p_below,
    exact_test_size,
    one_sided_tail,
    score_p_values,
)

#: status_method of a figure judged too small (grey) and of one judged on its value alone.
MIN_COUNT, POINT_VALUE = "min_count", "point_value"
#: status_method of the score test (what the Wilson interval inverts).
SCORE = "wilson_score"


def _number(value: float | int | None) -> float | int | None:
    """A limit as written in the catalog: 107 stays 107, 92.5 stays 92.5."""
    if value is None:
        return None
    f = float(value)
    return int(f) if f.is_integer() else f


def limit_share(ind: Indicator, limit: float) -> Fraction:
    """A limit in the indicator's unit as the binomial share p0 (exact)."""
    lim = Fraction(str(limit))
    if ind.interval_kind == "odds":
        return lim / (ind.factor + lim)
    return lim / ind.factor


@dataclass(frozen=True)
class StatusTests:
    """How statuses are tested (catalog settings z95, z998, exact_below, exact_method)."""

    z95: float
    z998: float
    exact_below: float = 0.0
    exact_method: str = "clopper_pearson"

    def __post_init__(self) -> None:
        if self.exact_method not in EXACT_METHODS:
            raise ValueError(f"unknown exact_method {self.exact_method!r}")


def status_tests(catalog: Catalog) -> StatusTests:
    return StatusTests(
        z95=float(catalog.setting("z95")),
        z998=float(catalog.setting("z998")),
        exact_below=float(catalog.settings.get("exact_below", 0)),
        exact_method=str(catalog.settings.get("exact_method", "clopper_pearson")),
    )


# ---------------------------------------------------------------------------- arrays


@dataclass
class FigureArrays:
    """Figures of many areas of one indicator, exact: integers of `scale` (object arrays of
    int, 0 where missing) with masks; `whole` is the rounded value in units of 10^-dp;
    `bn` the binomial n of an indicator whose catalog names one (`binomial_n`)."""

    num: np.ndarray
    has_num: np.ndarray
    den: np.ndarray
    has_den: np.ndarray
    min_of: np.ndarray
    has_min: np.ndarray
    whole: np.ndarray
    has_value: np.ndarray
    scale: int
    bn: np.ndarray | None = None
    has_bn: np.ndarray | None = None


@dataclass
class Judged:
    """`judge_arrays` of every figure: status, reason code and params, the method that judged
    it (status_method), the one-sided p-value of its red test and that test's size: the
    chance it says red when the figure sits exactly on the limit (nan where none)."""

    status: np.ndarray
    code: np.ndarray
    params: list[dict[str, Any]]
    method: np.ndarray
    p_red: np.ndarray = field(default_factory=lambda: np.zeros(0))
    red_size: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass
class Binomial:
    """The binomial behind a count-based ratio: x = xp/xq successes in n trials, all integers
    of `scale` (x and n), and the rows where it exists; x_f and n_f as floats of counts."""

    xp: np.ndarray
    xq: np.ndarray
    n: np.ndarray
    ok: np.ndarray
    x_f: np.ndarray
    n_f: np.ndarray


def _floats(values: np.ndarray, ok: np.ndarray, scale: int) -> np.ndarray:
    return int_ratio_floats(values, np.full(len(values), scale, dtype=object), ok)


def binomial_arrays(ind: Indicator, f: FigureArrays) -> Binomial:
    """x and n of each row: boys of boys + girls for a sex ratio, the numerator of the
    denominator for a share, and for an indicator with a `binomial_n` (the amount rate of
    fees: persons due) n = that count and x = the rate × n."""
    size = len(f.num)
    if ind.binomial_n and f.bn is not None and f.has_bn is not None:
        ok = f.has_num & f.has_den & f.has_bn & np.asarray(f.den > 0, dtype=bool)
        ok &= np.asarray(f.bn > 0, dtype=bool)
        xp = np.where(ok, f.num * f.bn, 0)
        xq = np.where(ok, f.den, 1)
        n = np.where(ok, f.bn, 0)
        x_f = int_ratio_floats(xp, xq * f.scale, ok)
        return Binomial(xp, xq, n, ok, x_f, _floats(n, ok, f.scale))
    n = f.num + f.den if ind.interval_kind == "odds" else f.den
    ok = f.has_num & f.has_den & np.asarray(n > 0, dtype=bool)
    xp = np.where(ok, f.num, 0)
    n = np.where(ok, n, 0)
    return Binomial(
        xp, np.ones(size, dtype=object), n, ok, _floats(xp, ok, f.scale), _floats(n, ok, f.scale)
    )


def _grey_count_arrays(ind: Indicator, f: FigureArrays) -> tuple[np.ndarray, np.ndarray]:
    if ind.min_of:
        return f.min_of, f.has_min
    if ind.interval_kind == "odds":
        return f.num + f.den, f.has_num & f.has_den
    return f.den, f.has_den


def _score_beyond(side: str, b: Binomial, p0: Fraction, z: Fraction, s: int) -> np.ndarray:
    """The score test rejects p0 on `side` at z (the Wilson interval of x/n lies wholly on that
    side of p0), exactly: (x − n·p0)² > z²·n·p0(1 − p0) with x on that side, in integers."""
    a, q = p0.numerator, p0.denominator
    c, e = z.numerator, z.denominator
    xq = np.where(b.ok, b.xq, 1)
    n = np.where(b.ok, b.n, 1)
    diff = np.where(b.ok, b.xp, 0) * q - n * a * xq
    on_side = diff > 0 if side == "above" else diff < 0
    score = diff * diff * (e * e) > (c * c * a * (q - a) * s) * n * xq * xq
    return np.asarray(on_side, dtype=bool) & np.asarray(score, dtype=bool) & b.ok


def side_p_values(
    side: str, b: Binomial, p0: Fraction, settings: StatusTests
) -> tuple[np.ndarray, np.ndarray]:
    """One-sided p-value of each row against p0 on `side` (exact where n < exact_below, the
    score test's elsewhere; nan where there is no binomial) and the mask of exact rows."""
    exact = b.ok & (np.nan_to_num(b.n_f, nan=np.inf) < settings.exact_below)
    score = b.ok & ~exact
    p = np.full(len(b.ok), np.nan)
    if exact.any():
        test = binomial_p_above if side == "above" else binomial_p_below
        p[exact] = test(b.x_f[exact], b.n_f[exact], float(p0), settings.exact_method == "mid_p")
    if score.any():
        p[score] = score_p_values(b.x_f[score], b.n_f[score], float(p0), side)
    return p, exact


def side_rejects(
    side: str, b: Binomial, p0: Fraction, z: float, p: np.ndarray, exact: np.ndarray, scale: int
) -> np.ndarray:
    """The one-sided test at the tail of z rejects p0 on `side`: the exact p-value under the
    tail, or (from exact_below on) the score inequality, in integers."""
    rejects = exact & (np.nan_to_num(p, nan=1.0) < one_sided_tail(z))
    score = b.ok & ~exact
    if score.any():
        rejects |= _score_beyond(side, b, p0, Fraction(str(z)), scale) & score
    return rejects


def red_test_size(
    side: str, b: Binomial, p0: Fraction, exact: np.ndarray, settings: StatusTests
) -> np.ndarray:
    """The size of each row's red test at its n (the chance of red exactly at the limit): the
    Clopper–Pearson test's exact size, the nominal tail for mid-p and the score test."""
    tail = one_sided_tail(settings.z998)
    out = np.where(b.ok, tail, np.nan)
    if settings.exact_method == "clopper_pearson" and exact.any():
        out[exact] = exact_test_size(b.n_f[exact], float(p0), side, tail)
    return out


def test_method(ind: Indicator, b: Binomial, settings: StatusTests) -> np.ndarray:
    """status_method of each row judged by a test: the exact method or the score test."""
    exact = b.ok & (np.nan_to_num(b.n_f, nan=np.inf) < settings.exact_below)
    out = np.full(len(b.ok), None, dtype=object)
    out[exact] = settings.exact_method
    out[b.ok & ~exact] = SCORE
    return out


def _sides(ind: Indicator) -> list[tuple[str, float | None, str]]:
    """(bad side, limit, reason stem) of an interval-judged indicator."""
    if ind.direction == "range":
        return [("above", ind.range_high, "above_high"), ("below", ind.range_low, "below_low")]
    if ind.direction == "higher" and ind.target is not None:
        return [("below", ind.target, "below_target")]
    if ind.direction == "lower" and ind.target is not None:
        return [("above", ind.target, "above_target")]
    return []


def _parts(value: float | str) -> tuple[int, int]:
    frac = Fraction(str(value))
    return frac.numerator, frac.denominator


def judge_arrays(ind: Indicator, f: FigureArrays, settings: StatusTests) -> Judged:
    """The status of every figure of one indicator at once (status, reason_code,
    reason_params, status_method, the red test's p-value)."""
    size = len(f.num)
    status = np.full(size, None, dtype=object)
    code = np.full(size, None, dtype=object)
    method = np.full(size, None, dtype=object)
    p_red = np.full(size, np.nan)
    red_size = np.full(size, np.nan)
    limit_of = np.full(size, None, dtype=object)
    if ind.status_rule not in ("interval", "limits"):
        return Judged(status, code, [{} for _ in range(size)], method, p_red, red_size)
    open_ = np.ones(size, dtype=bool)
    count, has_count = _grey_count_arrays(ind, f)
    grey = np.zeros(size, dtype=bool)
    if ind.min_denominator is not None:
        mp, mq = _parts(ind.min_denominator)
        grey = has_count & np.asarray(count * mq < mp * f.scale, dtype=bool)
    status[grey], code[grey], method[grey] = "grey", "reason.too_few", MIN_COUNT
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

    tested = ind.interval_kind is not None
    if tested:
        b = binomial_arrays(ind, f)
        judged = open_ & b.ok
        method[judged] = test_method(ind, b, settings)[judged]
    if ind.status_rule == "interval" and tested:
        open_ &= b.ok
        sides = _sides(ind)
        for side, limit, stem in sides:
            if limit is None:
                continue
            p0 = limit_share(ind, limit)
            p, exact = side_p_values(side, b, p0, settings)
            p_red = np.fmin(p_red, p)
            red_size = np.fmax(red_size, red_test_size(side, b, p0, exact, settings))
            red = side_rejects(side, b, p0, settings.z998, p, exact, f.scale)
            decide(red, "red", f"reason.{stem}", limit)
            amber = side_rejects(side, b, p0, settings.z95, p, exact, f.scale)
            decide(amber, "amber", f"reason.{stem}", limit)
        open_ &= f.has_value
        for side, limit, stem in sides:
            if limit is None:
                continue
            op = ">" if side == "above" else "<"
            decide(value_vs(limit, op), "watch", f"reason.{stem}_watch", limit)
        decide(np.ones(size, dtype=bool), "green", None)
    elif ind.status_rule == "limits" and tested:
        # red: the 99.8% interval wholly beyond the red limit (limits.amber); amber: the 95%
        # interval wholly beyond the green limit; watch: only the value beyond the green limit
        open_ &= b.ok
        green, amber_limit = ind.limits["green"], ind.limits["amber"]
        lower = ind.direction == "lower"
        side, suffix = ("above", "_high") if lower else ("below", "")
        p0_red, p0_green = limit_share(ind, amber_limit), limit_share(ind, green)
        p_red, exact = side_p_values(side, b, p0_red, settings)
        red_size = red_test_size(side, b, p0_red, exact, settings)
        red = side_rejects(side, b, p0_red, settings.z998, p_red, exact, f.scale)
        decide(red, "red", f"reason.limit_red{suffix}", amber_limit)
        p_green, _ = side_p_values(side, b, p0_green, settings)
        amber = side_rejects(side, b, p0_green, settings.z95, p_green, exact, f.scale)
        decide(amber, "amber", f"reason.limit_amber{suffix}", green)
        open_ &= f.has_value
        decide(
            value_vs(green, ">" if lower else "<"), "watch", f"reason.limit_watch{suffix}", green
        )
        decide(np.ones(size, dtype=bool), "green", None)
    elif ind.status_rule == "limits":
        open_ &= f.has_value
        method[open_] = POINT_VALUE
        green, amber_limit = ind.limits["green"], ind.limits["amber"]
        lower = ind.direction == "lower"
        suffix = "_high" if lower else ""
        decide(value_vs(green, "<=" if lower else ">="), "green", None)
        decide(
            value_vs(amber_limit, "<=" if lower else ">="),
            "amber",
            f"reason.limit_amber{suffix}",
            green,
        )
        decide(np.ones(size, dtype=bool), "red", f"reason.limit_red{suffix}", amber_limit)
    method[np.array([s is None for s in status], dtype=bool)] = None
    params: list[dict[str, Any]] = [{} for _ in range(size)]
    minimum = _number(ind.min_denominator)
    for i in np.flatnonzero(grey):
        params[i] = {"n": _number(int(count[i]) / f.scale), "min": minimum}
    for i in np.flatnonzero(np.array([v is not None for v in limit_of], dtype=bool)):
        params[i] = {"limit": _number(limit_of[i])}
    judged = np.array([st not in (None, "grey") for st in status], dtype=bool)
    return Judged(
        status,
        code,
        params,
        method,
        np.where(judged, p_red, np.nan),
        np.where(judged, red_size, np.nan),
    )
