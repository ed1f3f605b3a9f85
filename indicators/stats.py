"""Statistics as small pure functions named for their method: intervals, funnels, rank intervals.

Every function here works on plain numbers (counts, proportions); none knows an indicator.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats
from scipy.stats import norm


def wilson_interval(x: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion x/n (Wilson 1927; Newcombe 1998, method 3).

    Returns (low, high) on the proportion scale; (nan, nan) when n is 0 or x is not in 0..n.
    """
    if n <= 0 or x < 0 or x > n:
        return (math.nan, math.nan)
    z2 = z * z
    centre = (x + z2 / 2) / (n + z2)
    half = z / (n + z2) * math.sqrt(x * (n - x) / n + z2 / 4)
    return (max(0.0, centre - half), min(1.0, centre + half))


def wilson_intervals(
    x: np.ndarray, n: np.ndarray, z: float | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """wilson_interval of each (x, n), element by element with the same float operations (so
    the same bits); nan where n is not positive or x is not in 0..n."""
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    good = (n > 0) & (x >= 0) & (x <= n)
    xs, ns = np.where(good, x, 0.0), np.where(good, n, 1.0)
    z2 = z * z
    centre = (xs + z2 / 2) / (ns + z2)
    half = z / (ns + z2) * np.sqrt(xs * (ns - xs) / ns + z2 / 4)
    low, high = centre - half, centre + half
    low = np.where(low > 0.0, low, 0.0)  # max(0.0, low)
    high = np.where(high < 1.0, high, 1.0)  # min(1.0, high)
    return np.where(good, low, np.nan), np.where(good, high, np.nan)


# ---------------------------------------------------------------------------- exact binomial


def one_sided_tail(z: float) -> float:
    """The one-sided tail of a two-sided interval with normal quantile z: P(Z > z).

    z = 1.959964 gives 0.025 (a 95% interval), z = 3.090232 gives 0.001 (99.8%)."""
    return float(norm.sf(z))


def _at_least(x: np.ndarray, n: np.ndarray, p0: float | np.ndarray) -> np.ndarray:
    """P(X ≥ x) for X ~ Binomial(n, p0), as the regularised incomplete beta I_p0(x, n − x + 1)
    (1 where x ≤ 0, 0 where x > n); a non-whole x gets the continuous extension."""
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    inside = (x > 0) & (x <= n)
    a = np.where(inside, x, 1.0)
    b = np.where(inside, n - x + 1, 1.0)
    got = special.betainc(a, b, np.broadcast_to(p0, a.shape))
    return np.where(x <= 0, 1.0, np.where(x > n, 0.0, got))


def _at_most(x: np.ndarray, n: np.ndarray, p0: float | np.ndarray) -> np.ndarray:
    """P(X ≤ x) for X ~ Binomial(n, p0), as I_(1−p0)(n − x, x + 1) (computed directly, so a
    small tail keeps its digits); 1 where x ≥ n, 0 where x < 0."""
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    inside = (x >= 0) & (x < n)
    a = np.where(inside, n - x, 1.0)
    b = np.where(inside, x + 1, 1.0)
    got = special.betainc(a, b, 1 - np.broadcast_to(p0, a.shape))
    return np.where(x >= n, 1.0, np.where(x < 0, 0.0, got))


def binomial_p_above(x, n, p0, mid_p: bool = False) -> np.ndarray:
    """One-sided p-value of x successes in n against a share p0, on the high side: P(X ≥ x),
    or with mid_p P(X > x) + ½P(X = x) = ½(P(X ≥ x) + P(X ≥ x + 1))."""
    upper = _at_least(x, n, p0)
    if not mid_p:
        return upper
    return (upper + _at_least(np.asarray(x, dtype=float) + 1, n, p0)) / 2


def binomial_p_below(x, n, p0, mid_p: bool = False) -> np.ndarray:
    """One-sided p-value on the low side: P(X ≤ x), or with mid_p ½(P(X ≤ x) + P(X ≤ x − 1))."""
    lower = _at_most(x, n, p0)
    if not mid_p:
        return lower
    return (lower + _at_most(np.asarray(x, dtype=float) - 1, n, p0)) / 2


def clopper_pearson_intervals(
    x: np.ndarray, n: np.ndarray, z: float
) -> tuple[np.ndarray, np.ndarray]:
    """Clopper–Pearson (1934) interval of each x/n, two-sided with tail P(Z > z) at each end:
    low = Beta⁻¹(tail; x, n − x + 1) (0 when x = 0), high = Beta⁻¹(1 − tail; x + 1, n − x)
    (1 when x = n). Its ends are the shares p0 at which the one-sided exact test's p-value
    equals the tail, so an end lies beyond a limit exactly when that test rejects.
    nan where n is not positive or x is not in 0..n."""
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    tail = one_sided_tail(z)
    good = (n > 0) & (x >= 0) & (x <= n)
    xs, ns = np.where(good, x, 0.5), np.where(good, n, 1.0)
    low = np.where(xs > 0, stats.beta.ppf(tail, np.maximum(xs, 1e-300), ns - xs + 1), 0.0)
    high = np.where(xs < ns, stats.beta.isf(tail, xs + 1, np.maximum(ns - xs, 1e-300)), 1.0)
    return np.where(good, low, np.nan), np.where(good, high, np.nan)


def _bisect_share(f, target: float, size: int, increasing: bool, steps: int = 60) -> np.ndarray:
    """The share p in [0, 1] where the vectorised f(p) crosses target, by bisection."""
    lo, hi = np.zeros(size), np.ones(size)
    for _ in range(steps):
        mid = (lo + hi) / 2
        above = f(mid) > target
        go_down = above if increasing else ~above
        hi = np.where(go_down, mid, hi)
        lo = np.where(go_down, lo, mid)
    return (lo + hi) / 2


def mid_p_intervals(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Mid-p exact interval (Lancaster 1961; Berry & Armitage 1995) of each x/n: the shares
    at which the one-sided mid-p value equals the tail P(Z > z), found by bisection (to 2^-60).
    low is 0 when x = 0, high is 1 when x = n; nan where n is not positive or x not in 0..n."""
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    tail = one_sided_tail(z)
    good = (n > 0) & (x >= 0) & (x <= n)
    xs, ns = np.where(good, x, 0.0), np.where(good, n, 1.0)
    size = xs.size
    low = _bisect_share(lambda p: binomial_p_above(xs, ns, p, True), tail, size, True)
    high = _bisect_share(lambda p: binomial_p_below(xs, ns, p, True), tail, size, False)
    low = np.where(xs > 0, low, 0.0)
    high = np.where(xs < ns, high, 1.0)
    return np.where(good, low, np.nan), np.where(good, high, np.nan)


def score_p_values(x, n, p0: float, side: str) -> np.ndarray:
    """One-sided p-value of the score test (the test the Wilson interval inverts) of x/n against
    p0: P(Z > (x − n·p0)/sqrt(n·p0(1 − p0))) on the high side, P(Z < …) on the low side."""
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = (x - n * p0) / np.sqrt(n * p0 * (1 - p0))
    return norm.sf(score) if side == "above" else norm.cdf(score)


#: Methods of the binomial interval and test by name (the catalog's `exact_method`).
EXACT_METHODS = ("clopper_pearson", "mid_p")


def binomial_intervals(
    x: np.ndarray, n: np.ndarray, z: float, exact_below: float, exact_method: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The interval of each x/n by the method that judges it: exact (Clopper–Pearson or mid-p)
    where n < exact_below, Wilson at and above; with the method's name per row (None where
    there is no interval)."""
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    if exact_method not in EXACT_METHODS:
        raise ValueError(f"unknown exact method {exact_method!r}")
    low, high = wilson_intervals(x, n, z)
    exact = np.isfinite(n) & (n < exact_below) & np.isfinite(low)
    if exact.any():
        method = clopper_pearson_intervals if exact_method == "clopper_pearson" else mid_p_intervals
        el, eh = method(x[exact], n[exact], z)
        low[exact], high[exact] = el, eh
    names = np.where(exact, exact_method, "wilson").astype(object)
    names[~np.isfinite(low)] = None
    return low, high, names


def byars_intervals(observed: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Byars' approximation (Breslow & Day 1987) to the exact Poisson interval of each count O:
    low = O·(1 − 1/(9O) − z/(3√O))³ (0 when O = 0), high = (O + 1)·(1 − 1/(9(O + 1)) +
    z/(3√(O + 1)))³, the interval public-health profiles give a rate (divide by the population).
    nan where O is missing or negative."""
    o = np.asarray(observed, dtype=float)
    good = np.isfinite(o) & (o >= 0)
    os_ = np.where(good, o, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = os_ * (1 - 1 / (9 * os_) - z / (3 * np.sqrt(os_))) ** 3
    low = np.where(os_ > 0, np.maximum(low, 0.0), 0.0)
    up = os_ + 1
    high = up * (1 - 1 / (9 * up) + z / (3 * np.sqrt(up))) ** 3
    return np.where(good, low, np.nan), np.where(good, high, np.nan)


# ---------------------------------------------------------------------------- change tests


def newcombe_interval(
    x1: np.ndarray, n1: np.ndarray, x0: np.ndarray, n0: np.ndarray, z: float | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's (1998, method 10) hybrid score interval of the difference of two shares
    d = x1/n1 − x0/n0: with each share's Wilson interval (l, u) at z,
    low = d − sqrt((p1 − l1)² + (u0 − p0)²), high = d + sqrt((u1 − p1)² + (p0 − l0)²)."""
    x1, n1, x0, n0 = (np.asarray(a, dtype=float) for a in (x1, n1, x0, n0))
    l1, u1 = wilson_intervals(x1, n1, z)
    l0, u0 = wilson_intervals(x0, n0, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p0 = x1 / n1, x0 / n0
        d = p1 - p0
        low = d - np.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
        high = d + np.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return low, high


def newcombe_p_values(
    x1: np.ndarray, n1: np.ndarray, x0: np.ndarray, n0: np.ndarray, steps: int = 60
) -> np.ndarray:
    """Two-sided p-value that goes with Newcombe's interval: 2·P(Z > z*), where z* is the z at
    which the interval's nearer end reaches 0 (found by bisection), so that the interval at
    level 1 − α excludes 0 exactly when p < α. 1 where the shares are equal; nan where a share
    has no denominator."""
    x1, n1, x0, n0 = (np.asarray(a, dtype=float) for a in (x1, n1, x0, n0))
    good = (n1 > 0) & (n0 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(good, x1 / np.where(good, n1, 1) - x0 / np.where(good, n0, 1), 0.0)
    x1g, n1g, x0g, n0g = (np.where(good, a, 1.0) for a in (x1, n1, x0, n0))
    lo, hi = np.zeros(d.size), np.full(d.size, 40.0)
    for _ in range(steps):
        mid = (lo + hi) / 2
        low, high = newcombe_interval(x1g, n1g, x0g, n0g, mid)
        apart = np.where(d > 0, low > 0, high < 0)  # still excludes 0 at this z
        lo = np.where(apart, mid, lo)
        hi = np.where(apart, hi, mid)
    p = 2 * norm.sf((lo + hi) / 2)
    p = np.where(d == 0, 1.0, p)
    return np.where(good, p, np.nan)


def poisson_conditional_test(
    a: np.ndarray, b: np.ndarray, e1: np.ndarray, e0: np.ndarray, z: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The exact conditional test of two Poisson counts a (exposure e1) and b (exposure e0)
    (Przyborowski & Wilenski 1940): given N = a + b, a is Binomial(N, π0) with
    π0 = e1/(e1 + e0) when the rates are equal. Returns the two-sided p-value
    min(1, 2·min(P(X ≤ a), P(X ≥ a))) and the Clopper–Pearson interval of π at z (its ends
    are where each one-sided p-value is the tail, so the interval excludes π0 exactly when the
    doubled one-sided test rejects). nan where N or an exposure is 0."""
    a, b, e1, e0 = (np.asarray(v, dtype=float) for v in (a, b, e1, e0))
    total = a + b
    good = (total > 0) & (e1 > 0) & (e0 > 0)
    ns = np.where(good, total, 1.0)
    xs = np.where(good, a, 0.0)
    pi0 = np.where(good, e1 / np.where(good, e1 + e0, 1.0), 0.5)
    below = binomial_p_below(xs, ns, pi0)
    above = binomial_p_above(xs, ns, pi0)
    p = np.minimum(1.0, 2 * np.minimum(below, above))
    low, high = clopper_pearson_intervals(xs, ns, z)
    return tuple(np.where(good, v, np.nan) for v in (p, low, high))  # type: ignore[return-value]


# ---------------------------------------------------------------------------- trends


def chi2_trend(
    counts: np.ndarray,
    sizes: np.ndarray,
    kind: str = "proportion",
    scores: np.ndarray | None = None,
) -> tuple[Any, Any, Any]:
    """χ² test for a linear trend over periods with scores t_i (default 0, 1, 2, …: consecutive
    periods), one degree of freedom. Returns (statistic, p-value, T): T > 0 is a rise.

    proportion (Cochran 1954; Armitage 1955): x_i of n_i, p̄ = Σx/Σn,
      T = Σ t_i (x_i − n_i p̄), Var T = p̄(1 − p̄) (Σ n_i t_i² − (Σ n_i t_i)²/N).
    poisson (counts O_i over exposures E_i; E_i = 1 for plain counts): e_i = O·E_i/ΣE,
      T = Σ t_i (O_i − e_i), Var T = Σ t_i² e_i − (Σ t_i e_i)²/O.
    (nan, nan, nan) when the variance is 0 (no events, or all of them).

    Two-dimensional counts and sizes (periods × series) test every column at once and give
    arrays; a period with size 0 (and count 0) adds nothing to any sum, so a column's missing
    periods are zeros. Both T and Var T are unchanged by adding a constant to the scores."""
    x = np.asarray(counts, dtype=float)
    n = np.asarray(sizes, dtype=float)
    t = np.arange(x.shape[0], dtype=float) if scores is None else np.asarray(scores, dtype=float)
    if x.ndim == 2 and t.ndim == 1:
        t = t[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "poisson":
            total = x.sum(axis=0)
            e = total * n / n.sum(axis=0)
            stat_t = np.sum(t * (x - e), axis=0)
            var = np.sum(t**2 * e, axis=0) - np.sum(t * e, axis=0) ** 2 / total
        else:
            big_n = n.sum(axis=0)
            p = x.sum(axis=0) / big_n
            stat_t = np.sum(t * (x - n * p), axis=0)
            var = p * (1 - p) * (np.sum(n * t**2, axis=0) - np.sum(n * t, axis=0) ** 2 / big_n)
        ok = var > 0  # NaN (no size, no events) is not
        chi2 = np.where(ok, stat_t**2 / np.where(ok, var, 1.0), np.nan)
    # χ² on one degree of freedom is Z²: P(χ² > c) = P(|Z| > √c) = erfc(√(c/2)), exactly
    p_value = special.erfc(np.sqrt(chi2 / 2))
    rise = np.where(ok, stat_t, np.nan)
    if x.ndim == 1:
        return (float(chi2), float(p_value), float(rise))
    return (chi2, p_value, rise)


# ---------------------------------------------------------------------------- many tests


def exact_test_size(n: np.ndarray, p0: float, side: str, tail: float) -> np.ndarray:
    """The probability that the one-sided exact (Clopper–Pearson) test rejects when the share
    is exactly p0: its size, at most `tail`. Low side: the test rejects x while P(X ≤ x) <
    tail, i.e. x < k = the tail-quantile, so the size is P(X ≤ k − 1); high side: x > j =
    the (1 − tail)-quantile, size P(X > j)."""
    n = np.floor(np.asarray(n, dtype=float))
    dist = stats.binom(n, p0)
    if side == "below":
        return dist.cdf(dist.ppf(tail) - 1)
    return dist.sf(dist.isf(tail))


def benjamini_hochberg(p: np.ndarray, q: float) -> np.ndarray:
    """Benjamini & Hochberg (1995): with the m p-values sorted, reject the k smallest where k is
    the largest with p_(k) ≤ k·q/m; controls the expected share of false discoveries at q.
    nan p-values take no part (never rejected)."""
    p = np.asarray(p, dtype=float)
    ok = np.isfinite(p)
    reject = np.zeros(p.size, dtype=bool)
    m = int(ok.sum())
    if m == 0:
        return reject
    idx = np.flatnonzero(ok)
    order = idx[np.argsort(p[ok], kind="stable")]
    passed = p[order] <= np.arange(1, m + 1) * q / m
    if passed.any():
        k = int(np.flatnonzero(passed).max())
        reject[order[: k + 1]] = True
    return reject


def odds_per_hundred_array(p: np.ndarray) -> np.ndarray:
    """odds_per_hundred of each share."""
    p = np.asarray(p, dtype=float)
    below = p < 1
    out = np.where(below, np.where(below, p, 0.0) / (1 - np.where(below, p, 0.0)) * 100, np.inf)
    return np.where(np.isnan(p), np.nan, out)


def odds_per_hundred(p: float) -> float:
    """Map a share p to the ratio p/(1−p)×100 (the sex ratio form); p = 1 gives infinity."""
    if math.isnan(p):
        return math.nan
    if p >= 1:
        return math.inf
    return p / (1 - p) * 100


def srb_interval(m: float, f: float, z: float) -> tuple[float, float]:
    """Interval of the sex ratio m/f×100: Wilson on p = m/(m+f), each end mapped through p/(1−p)×100."""
    low, high = wilson_interval(m, m + f, z)
    return (odds_per_hundred(low), odds_per_hundred(high))


def _score_statistic_exceeds(
    x: Fraction | int, n: Fraction | int, p0: Fraction, z: Fraction
) -> bool:
    """(x − n·p0)² > z²·n·p0·(1−p0): p0 lies outside the Wilson interval (exact, rational)."""
    return (x - n * p0) ** 2 > z * z * n * p0 * (1 - p0)


def wilson_lower_above(x: Fraction | int, n: Fraction | int, p0: Fraction, z: Fraction) -> bool:
    """True when the Wilson interval of x/n lies wholly above p0 (strictly), in exact arithmetic.

    The Wilson interval is the set of p0 the score test does not reject, so its lower end is
    above p0 exactly when x/n > p0 and (x − n·p0)² > z²·n·p0·(1−p0).
    """
    if n <= 0:
        return False
    return Fraction(x, n) > p0 and _score_statistic_exceeds(x, n, p0, z)


def wilson_upper_below(x: Fraction | int, n: Fraction | int, p0: Fraction, z: Fraction) -> bool:
    """True when the Wilson interval of x/n lies wholly below p0 (strictly), in exact arithmetic."""
    if n <= 0:
        return False
    return Fraction(x, n) < p0 and _score_statistic_exceeds(x, n, p0, z)


def funnel_limits(centre_p: float, n: float | np.ndarray, z: float, phi: float = 1.0) -> tuple:
    """Control limits of a funnel plot for a proportion, normal approximation (Spiegelhalter
    2005, section 3.2): centre_p ± z·sqrt(phi·p(1−p)/n), clipped to [0, 1]; phi > 1 widens them
    for over-dispersion. Returns (low, high), arrays when n is an array."""
    n_arr = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = z * np.sqrt(phi * centre_p * (1 - centre_p) / n_arr)
    low = np.clip(centre_p - half, 0.0, 1.0)
    high = np.clip(centre_p + half, 0.0, 1.0)
    if np.ndim(low) == 0:
        return (float(low), float(high))
    return (low, high)


def _interpolated_quantile(dist, level: float, size: np.ndarray) -> np.ndarray:
    """Spiegelhalter (2005), appendix A.1.1: r_p, the level-quantile of the count (the smallest
    r with F(r) ≥ level), less α = (F(r_p) − level)/(F(r_p) − F(r_p − 1)), divided by size:
    the limit moves smoothly between the whole counts instead of in steps."""
    r = dist.ppf(level)
    f_r = dist.cdf(r)
    f_below = dist.cdf(r - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(f_r > f_below, (f_r - level) / (f_r - f_below), 0.0)
    return (r - alpha) / size


def binomial_funnel_limit(p0: float, n: np.ndarray, level: float) -> np.ndarray:
    """The exact funnel limit of a proportion at the `level` quantile (0.001, 0.025, 0.975,
    0.999) for each sample size n, around the share p0 (Spiegelhalter 2005, A.1.1)."""
    n = np.asarray(n, dtype=float)
    return _interpolated_quantile(stats.binom(n, p0), level, n)


def poisson_funnel_limit(rate0: float, exposure: np.ndarray, level: float) -> np.ndarray:
    """The exact funnel limit of a rate (count / exposure, e.g. births / population) at the
    `level` quantile for each exposure, around rate0: the Poisson(rate0 × exposure) quantile
    with the same interpolation, divided by the exposure."""
    exposure = np.asarray(exposure, dtype=float)
    return _interpolated_quantile(stats.poisson(rate0 * exposure), level, exposure)


def pearson_z(kind: str, y: np.ndarray, size: np.ndarray, centre: float) -> np.ndarray:
    """Standardised Pearson residuals of each area's share or rate y against the centre:
    (y − p)/sqrt(p(1 − p)/n) for a proportion, (y − r)/sqrt(r/E) for a Poisson rate."""
    y, size = np.asarray(y, dtype=float), np.asarray(size, dtype=float)
    variance = centre / size if kind == "poisson" else centre * (1 - centre) / size
    return (y - centre) / np.sqrt(variance)


def stabilised(kind: str, y: np.ndarray | float) -> np.ndarray:
    """The variance-stabilising transform (Spiegelhalter 2012): asin(√p) for a proportion,
    whose variance is 1/(4n); √r for a Poisson rate, whose variance is 1/(4E)."""
    y = np.asarray(y, dtype=float)
    return np.sqrt(y) if kind == "poisson" else np.arcsin(np.sqrt(y))


def unstabilised(kind: str, t: np.ndarray) -> np.ndarray:
    """The inverse of `stabilised`, kept inside its range (0 ≤ asin√p ≤ π/2, √r ≥ 0)."""
    if kind == "poisson":
        return np.maximum(t, 0.0) ** 2
    return np.sin(np.clip(t, 0.0, np.pi / 2)) ** 2


def stabilised_z(kind: str, y: np.ndarray, size: np.ndarray, centre: float) -> np.ndarray:
    """z-scores on the variance-stabilising scale: (g(y) − g(centre))·2√n."""
    size = np.asarray(size, dtype=float)
    return (stabilised(kind, y) - stabilised(kind, centre)) * 2 * np.sqrt(size)


def winsorise(values: np.ndarray, share: float = 0.10) -> np.ndarray:
    """Pull the lowest and highest `share` of values in to the share-th and (1−share)-th percentiles."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return arr
    low, high = np.quantile(arr, [share, 1 - share])
    return np.clip(arr, low, high)


def dispersion_test(z: np.ndarray, share: float = 0.10) -> tuple[float, float]:
    """The over-dispersion factor and its test (Spiegelhalter 2005, section 3.2): the z-scores
    winsorised at `share` each end, phi = Σ z_w² / I, and the p-value of I·phi against χ² on
    I − 1 degrees of freedom (the centre is estimated from the same areas). (nan, nan) with
    fewer than 2 areas."""
    z = np.asarray(z, dtype=float)
    z = z[np.isfinite(z)]
    if z.size < 2:
        return (math.nan, math.nan)
    zw = winsorise(z, share)
    phi = float(np.sum(zw**2) / zw.size)
    return phi, float(stats.chi2.sf(zw.size * phi, zw.size - 1))


def overdispersion_phi(x: np.ndarray, n: np.ndarray, centre_p: float, share: float = 0.10) -> float:
    """Over-dispersion factor phi (Spiegelhalter 2005, section 3.2) of shares x/n around
    centre_p: `dispersion_test` of their Pearson residuals. Areas with n_i = 0 are left out;
    nan when fewer than 2 areas remain or the centre is 0 or 1."""
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    keep = n > 0
    x, n = x[keep], n[keep]
    if n.size < 2 or centre_p <= 0 or centre_p >= 1:
        return math.nan
    return dispersion_test(pearson_z("proportion", x / n, n, centre_p), share)[0]


def dersimonian_laird_tau2(phi: float, weights: np.ndarray) -> float:
    """The additive between-area variance (DerSimonian & Laird 1986, with the winsorised phi of
    Spiegelhalter 2012): τ² = max(0, (I·phi − (I − 1)) / (Σw − Σw²/Σw)), w_i = 1/s_i² the
    areas' precisions on the stabilised scale (4n)."""
    w = np.asarray(weights, dtype=float)
    w = w[np.isfinite(w)]
    if w.size < 2 or not math.isfinite(phi):
        return math.nan
    spread = w.sum() - (w**2).sum() / w.sum()
    return max(0.0, (w.size * phi - (w.size - 1)) / spread)


def rank_values(values: pd.Series, direction: str, reference: float | None = None) -> pd.Series:
    """Competition ranks ('min' method: 1, 2, 2, 4), 1 = best, NA where the value is missing.

    higher: highest first; lower: lowest first; range: closest to the reference first.
    """
    v = pd.to_numeric(values, errors="coerce").astype(float)
    if direction == "higher":
        key = -v
    elif direction == "lower":
        key = v
    elif direction == "range":
        key = (v - float(reference if reference is not None else 0.0)).abs()
        key = key.round(12)
    else:
        return pd.Series(pd.NA, index=values.index, dtype="Int64")
    ranks = key.rank(method="min", na_option="keep")
    return ranks.astype("Int64")


#: Draws × areas simulated at once by `rank_intervals` (8 MiB per float64 array).
RANK_CHUNK_CELLS = 1 << 20


def inverted_cdf_index(n: int, q: float) -> int:
    """Position, in n sorted values, of the q quantile by numpy's 'inverted_cdf' method (the
    same float operations as numpy: ceil of n·q − 1 done as floor + 1 when not whole, at least 0)."""
    index = n * q - 1
    below = math.floor(index)
    return max(0, below if index - below == 0 else below + 1)


def _sortable_keys(key: np.ndarray, shift: int) -> np.ndarray:
    """int64 keys in the order of the floats `key` (−0.0 as 0.0), their lowest `shift` bits
    replaced by the area's position: sorting them sorts by key, then position (as a stable
    sort), wherever the kept high bits of neighbouring keys differ."""
    bits = (key + 0.0).view(np.int64)  # + 0.0 turns −0.0 into 0.0
    bits = np.where(bits < 0, bits ^ np.int64(0x7FFF_FFFF_FFFF_FFFF), bits)
    bits >>= shift
    bits <<= shift
    bits |= np.arange(key.shape[1], dtype=np.int64)[None, :]
    return bits


def draw_ranks(key: np.ndarray) -> np.ndarray:
    """Rank of each area (column) within each draw (row): its position in a stable ascending
    sort of the row, from 1 (equal keys keep the areas' order). int32, the shape of key."""
    draws, areas = key.shape
    shift = max(1, (areas - 1).bit_length())
    packed = np.sort(_sortable_keys(key, shift), axis=1)
    high = packed >> shift
    order = packed & np.int64((1 << shift) - 1)
    # rows where neighbouring keys share their high bits (ties, near ties) or a key is nan:
    # the exact stable sort decides those
    unsure = (high[:, 1:] == high[:, :-1]).any(axis=1) | np.isnan(key).any(axis=1)
    if unsure.any():
        order[unsure] = np.argsort(key[unsure], axis=1, kind="stable")
    ranks = np.empty((draws, areas), dtype=np.int32)
    rows = np.arange(draws)[:, None]
    ranks[rows, order] = np.arange(1, areas + 1, dtype=np.int32)[None, :]
    return ranks


def _draw_keys(
    rng: np.random.Generator,
    a: np.ndarray,
    b: np.ndarray,
    draws: int,
    kind: str,
    direction: str,
    reference: float | None,
    scale: float,
) -> np.ndarray:
    """`draws` rows of simulated values of every area, as sort keys (smaller is better)."""
    p = rng.beta(a, b, size=(draws, a.size))
    if kind == "odds":
        p = np.minimum(p, 1 - 1e-12)
        v = p / (1 - p) * scale
    else:
        v = p * scale
    if direction == "higher":
        return -v
    if direction == "lower":
        return v
    return np.abs(v - float(reference or 0.0))


def simulated_ranks(
    num: np.ndarray,
    den: np.ndarray,
    draws: int = 2000,
    seed: int | tuple[int, ...] = 20240301,
    *,
    kind: str = "proportion",
    direction: str = "higher",
    reference: float | None = None,
    scale: float = 100.0,
    chunk_cells: int = RANK_CHUNK_CELLS,
) -> tuple[np.ndarray, np.ndarray]:
    """(idx, ranks): the positions of the areas with counts to draw, and their ranks (1 = best)
    in each of `draws` simulated draws (int32, draws × len(idx)).

    Each area's share is drawn from its Jeffreys posterior Beta(x + ½, n − x + ½), where
    for kind 'proportion' x = num and n = den, and for kind 'odds' (the sex ratio) x = num and
    n = num + den, the value being p/(1−p)×scale; equal values rank in the areas' order. Fixed
    seed. The draws are made and ranked `chunk_cells` cells at a time, in the one random
    stream, so the chunk size never changes a result."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    n = num + den if kind == "odds" else den
    ok = np.isfinite(num) & np.isfinite(n) & (n > 0) & (den > 0) & (num >= 0) & (num <= n)
    idx = np.flatnonzero(ok)
    if not idx.size or direction not in ("higher", "lower", "range"):
        return np.zeros(0, dtype=np.int64), np.zeros((draws, 0), dtype=np.int32)
    rng = np.random.default_rng(seed)
    a = num[idx] + 0.5
    b = n[idx] - num[idx] + 0.5
    ranks = np.empty((draws, idx.size), dtype=np.int32)
    step = max(1, chunk_cells // idx.size)
    for first in range(0, draws, step):
        rows = min(step, draws - first)
        key = _draw_keys(rng, a, b, rows, kind, direction, reference, scale)
        ranks[first : first + rows] = draw_ranks(key)
    return idx, ranks


def draw_quantiles(values: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """The (1 − level)/2 and (1 + level)/2 quantiles (inverted CDF) of each column of draws."""
    draws = values.shape[0]
    k_low = inverted_cdf_index(draws, (1 - level) / 2)
    k_high = inverted_cdf_index(draws, (1 + level) / 2)
    parted = np.partition(values, sorted({k_low, k_high}), axis=0)
    return parted[k_low], parted[k_high]


def rank_intervals(
    num: np.ndarray,
    den: np.ndarray,
    draws: int = 2000,
    seed: int | tuple[int, ...] = 20240301,
    *,
    level: float = 0.95,
    **options: Any,
) -> pd.DataFrame:
    """95% rank interval of each area from simulated draws of its counts (`simulated_ranks`,
    which `options` go to: kind, direction, reference, scale, chunk_cells): the (1−level)/2
    and (1+level)/2 quantiles (inverted CDF) of each area's ranks, as rank_low, rank_high
    (Int64; NA for an area without a value)."""
    idx, ranks = simulated_ranks(num, den, draws, seed, **options)
    low = np.full(len(np.asarray(num)), np.nan)
    high = np.full(len(np.asarray(num)), np.nan)
    if idx.size:
        low[idx], high[idx] = draw_quantiles(ranks, level)
    return pd.DataFrame(
        {
            "rank_low": pd.array(low, dtype="Int64"),
            "rank_high": pd.array(high, dtype="Int64"),
        }
    )
