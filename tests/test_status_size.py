"""Statuses hold their nominal rates at every size (issue 10).

For each judged rate indicator of the catalog, every binomial n from its minimum count to
2,000 and every possible count x = 0..n is judged by the real status code
(`indicators.status.judge_arrays`), and the exact binomial probability of each x at the limit
is summed over the x judged red, and over those judged amber or red. The one-sided rates
must stay within the nominal 0.1% (red: the 99.8% interval's tail) and 5% (amber or red).
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache

import numpy as np
import pytest
from scipy.stats import binom

from indicators.catalog import Indicator, load_catalog
from indicators.exact import SCALE, round_half_up_ints
from indicators.status import FigureArrays, judge_arrays, status_tests

CATALOG = load_catalog()
SETTINGS = status_tests(CATALOG)
N_MAX = 2000
RED, AMBER_OR_RED = 0.001, 0.05


#: Counts x whose probability at the limit is under this, at either end, are left out: their
#: mass (at most 2 × 1e-15 for each n) cannot move a rate at the fifth decimal.
NEGLIGIBLE = 1e-15


def every_count(ind: Indicator, n_min: int, n_max: int, share: float | None = None):
    """Rows for every n in n_min..n_max and x in 0..n (with a share: the x with a probability
    that matters at that share): n, x and `judge_arrays` of the figures."""
    ns = np.arange(n_min, n_max + 1)
    if share is None:
        lo, hi = np.zeros_like(ns), ns
    else:
        lo = np.maximum(binom.ppf(NEGLIGIBLE, ns, share).astype(int) - 1, 0)
        hi = np.minimum(binom.isf(NEGLIGIBLE, ns, share).astype(int) + 1, ns)
    width = hi - lo + 1
    n = np.repeat(ns, width)
    x = np.arange(n.size) - np.repeat(np.cumsum(width) - width, width) + np.repeat(lo, width)
    xs = (x.astype(np.int64) * SCALE).astype(object)
    ns_ = (n.astype(np.int64) * SCALE).astype(object)
    num, den = (xs, ns_ - xs) if ind.interval_kind == "odds" else (xs, ns_)  # boys, girls
    has = np.ones(n.size, dtype=bool)
    ok = np.asarray(den != 0, dtype=bool)
    whole = round_half_up_ints(np.where(ok, num * ind.factor, 0), np.where(ok, den, 1), ind.dp)
    bn, has_bn = (ns_, has) if ind.binomial_n else (None, None)
    figs = FigureArrays(num, has, den, has, ns_, has, whole, ok, SCALE, bn, has_bn)
    return n, x, judge_arrays(ind, figs, SETTINGS)


@cache
def rates_at(key: str, share: float) -> dict[str, np.ndarray]:
    """P(status, reason) at the true share for every n from the minimum count to N_MAX:
    {"n": n, (status, reason): probability per n}."""
    ind = CATALOG.get(key)
    n_min = int(ind.min_denominator or 1)
    n, x, judged = every_count(ind, n_min, N_MAX, share)
    pmf = binom.pmf(x, n, share)
    out: dict = {"n": np.arange(n_min, N_MAX + 1)}
    for status in ("red", "amber"):
        for reason in set(judged.code[judged.status == status].tolist()):
            hit = (judged.status == status) & (judged.code == reason)
            out[(status, reason)] = np.bincount(
                n - n_min, weights=pmf * hit, minlength=N_MAX - n_min + 1
            )
    return out


def rate(rates: dict, status: str, reason: str) -> np.ndarray:
    return rates.get((status, reason), np.zeros(len(rates["n"])))


def share_of(ind: Indicator, limit: float) -> float:
    lim = Fraction(str(limit))
    return float(lim / (ind.factor + lim) if ind.interval_kind == "odds" else lim / ind.factor)


CASES = []
for _ind in CATALOG.indicators:
    if _ind.status_rule == "interval" and _ind.direction == "range":
        CASES.append((_ind.key, _ind.range_high, "reason.above_high", "reason.above_high"))
        CASES.append((_ind.key, _ind.range_low, "reason.below_low", "reason.below_low"))
    elif _ind.status_rule == "interval" and _ind.target is not None:
        stem = "below_target" if _ind.direction == "higher" else "above_target"
        CASES.append((_ind.key, _ind.target, f"reason.{stem}", f"reason.{stem}"))
    elif _ind.status_rule == "limits" and _ind.interval_kind is not None:
        # red is judged against the red limit, amber against the green one
        CASES.append((_ind.key, _ind.limits["amber"], "reason.limit_red", None))
        CASES.append((_ind.key, _ind.limits["green"], None, "reason.limit_amber"))


def test_every_judged_rate_is_enumerated():
    keys = {c[0] for c in CASES}
    assert keys == {
        "srb", "srb_order1", "srb_order2", "srb_order3",
        "compliance", "compliance_order1", "compliance_order2", "compliance_order3",
        "fee_coverage", "fee_amount_rate",
    }  # fmt: skip
    assert ("srb", 107, "reason.above_high", "reason.above_high") in CASES
    assert ("srb", 103, "reason.below_low", "reason.below_low") in CASES


@pytest.mark.parametrize(("key", "limit", "red_reason", "amber_reason"), CASES)
def test_nominal_rates_hold_at_every_n(key, limit, red_reason, amber_reason):
    ind = CATALOG.get(key)
    rates = rates_at(key, share_of(ind, limit))
    ns = rates["n"]
    if red_reason:
        red = rate(rates, "red", red_reason)
        worst = int(np.argmax(red))
        assert red.max() <= RED, f"{key} at {limit}: red {red[worst]:.5f} at n = {ns[worst]}"
        assert red.max() > RED / 2  # the test has power: its size comes near the nominal
    if amber_reason:
        red_reason_too = "reason.limit_red" if ind.status_rule == "limits" else amber_reason
        either = rate(rates, "amber", amber_reason) + rate(rates, "red", red_reason_too)
        worst = int(np.argmax(either))
        assert either.max() <= AMBER_OR_RED, (
            f"{key} at {limit}: amber or red {either[worst]:.4f} at n = {ns[worst]}"
        )
        assert either.max() > 0.025 / 2


def wilson_rates(n: int, share: float, z: float) -> float:
    """P(the Wilson interval lies wholly below share) under share: the old rule."""
    x = np.arange(n + 1)
    d = x - n * share
    beyond = (d * d > z * z * n * share * (1 - share)) & (d < 0)
    return float(binom.pmf(x[beyond], n, share).sum())


def test_the_measured_figures_of_the_old_rule_and_the_new():
    rates = rates_at("compliance", 0.9)
    at = {
        int(n): (r, e)
        for n, r, e in zip(
            rates["n"],
            rate(rates, "red", "reason.below_target"),
            rate(rates, "red", "reason.below_target") + rate(rates, "amber", "reason.below_target"),
            strict=True,
        )
    }
    # the Wilson score rule: compliance at a true 90%, n = 24: red 0.75% (7.5× 0.1%);
    # n = 22: amber or red 6.2%
    assert round(wilson_rates(24, 0.9, 3.090232), 4) == 0.0075
    assert round(wilson_rates(22, 0.9, 1.959964), 3) == 0.062
    # now (Clopper–Pearson below 10,000): red at n = 24 is P(X ≤ 15) = 0.00032 (x = 16 has
    # P(X ≤ 16) = 0.0017 > 0.001); amber or red at n = 22 is P(X ≤ 16) = 0.0182 (x = 17:
    # P(X ≤ 17) = 0.062 > 0.025)
    assert binom.cdf(15, 24, 0.9) < 0.001 < binom.cdf(16, 24, 0.9)
    assert at[24][0] == pytest.approx(binom.cdf(15, 24, 0.9))
    assert binom.cdf(16, 22, 0.9) < 0.025 < binom.cdf(17, 22, 0.9)
    assert at[22][1] == pytest.approx(binom.cdf(16, 22, 0.9))
    assert round(at[24][0], 5) == 0.00032 and round(at[22][1], 4) == 0.0182


def test_fee_coverage_at_five_persons_due():
    # the old rule judged 5 persons due on the value: at a true 90%, red (under 70%: 0–3 paid)
    # 8.1%, amber (4 paid, 80%) 32.8%. Now: with 5 persons even 0 paid is not below 70% at
    # 99.8% (P(X = 0 | 0.7) = 0.00243 > 0.001), and amber needs P(X ≤ x | 0.9) < 2.5%:
    # x ≤ 2 (P(X ≤ 2) = 0.00856; x = 3: 0.0815)
    fee = CATALOG.get("fee_coverage")
    n, x, judged = every_count(fee, 5, 5)
    assert judged.status.tolist() == ["amber", "amber", "amber", "watch", "watch", "green"]
    assert binom.cdf(0, 5, 0.7) > 0.001
    assert binom.cdf(2, 5, 0.9) < 0.025 < binom.cdf(3, 5, 0.9)
    amber = binom.cdf(2, 5, 0.9)
    assert round(amber, 5) == 0.00856  # amber or red at a true 90%, against 41% before
