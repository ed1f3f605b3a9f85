"""Change on the same period last year is tested, not read from its sign (issue 10).

Shares: Newcombe's (1998, method 10) interval of the difference, and the p-value at which that
interval reaches 0; counts: the exact conditional Poisson test (a binomial test of this year's
share of the two years' total). Significance level: the catalog's change_alpha (0.05).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy.stats import binom, norm

from indicators.engine import compute
from zhibiao.config import Settings

SETTINGS = Settings(county="样县", year_start_month=1)
Z = 1.959964


def rows(area: str, period: str, **fields: float) -> list[dict]:
    return [
        {"area": area, "is_total": False, "period": period, "basis": "ytd", "field": f,
         "value": float(v), "sheet": "", "cell": "", "row": 0}
        for f, v in fields.items()
    ]  # fmt: skip


def figure(now: dict, before: dict, indicator: str) -> dict:
    v = pd.DataFrame(rows("甲乡", "2024-03", **now) + rows("甲乡", "2023-03", **before))
    t = compute(v, "2024-03", "ytd", settings=SETTINGS)
    return t[(t["area"] == "甲乡") & (t["indicator"] == indicator)].iloc[0].to_dict()


def wilson(x: int, n: int) -> tuple[float, float]:
    centre = (x + Z * Z / 2) / (n + Z * Z)
    half = Z / (n + Z * Z) * math.sqrt(x * (n - x) / n + Z * Z / 4)
    return centre - half, centre + half


def test_compliance_180_of_200_against_190_of_200_is_not_a_fall():
    row = figure(
        {"births": 200, "out_of_policy": 20}, {"births": 200, "out_of_policy": 10}, "compliance"
    )
    # the sign says 下降 5 个百分点 …
    assert (row["value"], row["previous"], row["change"]) == (90.00, 95.00, -5.00)
    # … Newcombe by hand: Wilson 95% of 180/200 is 0.85059–0.93433, of 190/200 0.91042–0.97262;
    # d = −0.05; low = −0.05 − sqrt((0.9 − 0.85059)² + (0.97262 − 0.95)²) = −0.10434,
    # high = −0.05 + sqrt((0.93433 − 0.9)² + (0.95 − 0.91042)²) = +0.00239: it holds 0
    l1, u1 = wilson(180, 200)
    l0, u0 = wilson(190, 200)
    low = -0.05 - math.sqrt((0.9 - l1) ** 2 + (u0 - 0.95) ** 2)
    high = -0.05 + math.sqrt((u1 - 0.9) ** 2 + (0.95 - l0) ** 2)
    assert (round(low * 100, 2), round(high * 100, 2)) == (-10.43, 0.24)
    assert (row["change_low"], row["change_high"]) == (-10.43, 0.24)
    # the interval reaches 0 at z = 1.8751: p = 2 × P(Z > 1.8751) = 0.061 > 0.05
    assert round(row["change_p"], 3) == 0.061
    assert (row["change_dir"], row["change_method"]) == ("flat", "newcombe")
    # the other usual tests agree it is not significant: the score (pooled z) test
    # 0.05 / sqrt(0.925 × 0.075 × 2/200) = 1.8983, p = 0.0577; the p ≈ 0.064 is the
    # Wald test of the log ratio of the out-of-policy shares, ln 2 / sqrt(1/20 − 1/200 +
    # 1/10 − 1/200) = 1.8526, p = 0.0639
    score = 0.05 / math.sqrt(0.925 * 0.075 * 2 / 200)
    assert round(2 * norm.sf(score), 4) == 0.0577
    wald = math.log(2) / math.sqrt(1 / 20 - 1 / 200 + 1 / 10 - 1 / 200)
    assert round(2 * norm.sf(wald), 3) == 0.064


def test_a_clear_fall_in_compliance_is_down():
    row = figure(
        {"births": 200, "out_of_policy": 40}, {"births": 200, "out_of_policy": 10}, "compliance"
    )
    # 160/200 against 190/200: 80% vs 95%, Newcombe's upper end −0.0891 < 0
    assert row["change"] == -15.00 and row["change_dir"] == "down"
    assert row["change_p"] < 0.001 and row["change_high"] < 0


def test_births_by_the_conditional_poisson_test():
    # 300 births against 290: given 590, this year's share is Binomial(590, ½) when the rates
    # are equal; p = 2 × P(X ≥ 300) = 0.711. The Clopper–Pearson 95% interval of the share,
    # 0.46733–0.54953, as a change of 590 × (2π − 1): −38.55 … +58.45 births
    row = figure({"births": 300}, {"births": 290}, "births")
    assert row["change"] == 10
    assert round(row["change_p"], 3) == round(2 * binom.sf(299, 590, 0.5), 3) == 0.711
    assert (row["change_low"], row["change_high"]) == (-39, 58)
    assert (row["change_dir"], row["change_method"]) == ("flat", "poisson_conditional")
    # 400 against 300: p = 2 × P(X ≥ 400 | 700, ½) = 0.00018: up
    up = figure({"births": 400}, {"births": 300}, "births")
    assert up["change_dir"] == "up" and round(up["change_p"], 5) == 0.00018


def test_birth_rate_conditions_on_the_populations():
    # 60 births in 10,000 people against 40 in 10,000: π0 = ½, P(X ≥ 60 | 100, ½) × 2 = 0.057
    row = figure(
        {"births": 60, "population": 10000}, {"births": 40, "population": 10000}, "birth_rate"
    )
    assert (row["value"], row["change"]) == (6.00, 2.00)
    assert round(row["change_p"], 3) == round(2 * binom.sf(59, 100, 0.5), 3) == 0.057
    assert row["change_dir"] == "flat" and row["change_low"] < 0 < row["change_high"]
    # the same births in a population grown to 15,000: the rate did not rise (4.00‰):
    # π0 = 15000/25000 = 0.6, P(X ≥ 60 | 100, 0.6) = 0.543
    grown = figure(
        {"births": 60, "population": 15000}, {"births": 40, "population": 10000}, "birth_rate"
    )
    assert grown["change"] == 0.00 and grown["change_dir"] == "flat"
    assert grown["change_p"] == pytest.approx(min(1, 2 * binom.cdf(60, 100, 0.6)))


def test_sex_ratio_change_is_tested_on_the_share_of_boys():
    # 140:100 (140.00) against 105:100 (105.00): shares 0.58333 and 0.51220
    row = figure(
        {"births_male": 140, "births_female": 100},
        {"births_male": 105, "births_female": 100},
        "srb",
    )
    # Newcombe on the shares: d = 0.07114, interval −0.02138 … 0.16222 (holds 0), p = 0.132;
    # as a change of the ratio, last year's share fixed: g(0.51220 + d) − g(0.51220) with
    # g(p) = p/(1 − p) × 100: −8.61 … +102.14
    assert row["change"] == 35.00 and row["change_method"] == "newcombe"
    assert round(row["change_p"], 3) == 0.132 and row["change_dir"] == "flat"
    assert (row["change_low"], row["change_high"]) == (-8.61, 102.14)
    # no previous year, no test
    v = pd.DataFrame(rows("甲乡", "2024-03", births_male=10, births_female=10))
    t = compute(v, "2024-03", "ytd", settings=SETTINGS)
    srb = t[(t["area"] == "甲乡") & (t["indicator"] == "srb")].iloc[0]
    assert srb["change_dir"] is None and math.isnan(srb["change_p"])
