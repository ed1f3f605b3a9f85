"""Status boundaries: just inside and just outside each interval and limit.

Under 10,000 births (the catalog's exact_below) a status is the exact binomial test: red when
the one-sided p-value against the limit is under 0.1% (the tail of the 99.8% Clopper–Pearson
interval), amber under 2.5% (the 95% interval's). The counts were found from the binomial
distribution and are stated beside each case; each test also recomputes the tail it relies on.
From 10,000 on the Wilson score test judges (z = 1.959964 at 95%, 3.090232 at 99.8%).
"""

from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import binom

from indicators.engine import compute
from indicators.stats import srb_interval
from zhibiao.config import Settings

Z95, Z998 = 1.959964, 3.090232
SETTINGS = Settings(year_start_month=1)


def one_area(fields: dict[str, float]) -> pd.DataFrame:
    rows = [
        {"area": "甲乡", "is_total": False, "period": "2024-06", "basis": "ytd", "field": f,
         "value": float(v), "sheet": "", "cell": "", "row": 0}
        for f, v in fields.items()
    ]  # fmt: skip
    return pd.DataFrame(rows)


def judged(fields: dict[str, float], indicator: str) -> dict:
    t = compute(one_area(fields), "2024-06", "ytd", settings=SETTINGS)
    row = t[(t["area"] == "甲乡") & (t["indicator"] == indicator)].iloc[0]
    return row.to_dict()


@pytest.mark.parametrize(
    ("boys", "girls", "status", "reason"),
    [
        # P(X ≥ 548 | 1000, 107/207) = 0.0264 > 2.5%; value 121.24 > 107
        (548, 452, "watch", "reason.above_high_watch"),
        # P(X ≥ 549) = 0.0227 < 2.5%; 99.8%: P ≥ 0.001
        (549, 451, "amber", "reason.above_high"),
        # P(X ≥ 566) = 0.00103 > 0.1%
        (566, 434, "amber", "reason.above_high"),
        # P(X ≥ 567) = 0.00083 < 0.1%
        (567, 433, "red", "reason.above_high"),
        # P(X ≤ 476 | 1000, 103/203) = 0.0254 > 2.5%; value 90.84 < 103
        (476, 524, "watch", "reason.below_low_watch"),
        # P(X ≤ 475) = 0.0218 < 2.5%
        (475, 525, "amber", "reason.below_low"),
        # P(X ≤ 459) = 0.00122 > 0.1%
        (459, 541, "amber", "reason.below_low"),
        # P(X ≤ 458) = 0.00099 < 0.1%
        (458, 542, "red", "reason.below_low"),
        # 107.00 exactly is inside the normal range 103–107; so is 103.00
        (107, 100, "green", None),
        (103, 100, "green", None),
        # 19 births: too few; 20 births: judged
        (10, 9, "grey", "reason.too_few"),
        (10, 10, "watch", "reason.below_low_watch"),
        # 20,000 births: the Wilson score test. 10477 boys: the 95% Wilson interval's lower
        # end 107.007 > 107 (while the exact P(X ≥ 10477) = 0.02513 would not reject)
        (10476, 9524, "watch", "reason.above_high_watch"),
        (10477, 9523, "amber", "reason.above_high"),
        (10557, 9443, "red", "reason.above_high"),
    ],
)
def test_srb_status_boundaries(boys, girls, status, reason):
    row = judged({"births_male": boys, "births_female": girls}, "srb")
    assert (row["status"], row["reason_code"]) == (status, reason)
    if status != "grey":
        exact = boys + girls < 10000
        assert row["status_method"] == ("clopper_pearson" if exact else "wilson_score")
        assert row["interval_method"] == ("clopper_pearson" if exact else "wilson")


def test_the_srb_boundary_counts_are_what_the_binomial_says():
    above, below = 107 / 207, 103 / 203
    assert binom.sf(547, 1000, above) > 0.025 > binom.sf(548, 1000, above)
    assert binom.sf(565, 1000, above) > 0.001 > binom.sf(566, 1000, above)
    assert binom.cdf(476, 1000, below) > 0.025 > binom.cdf(475, 1000, below)
    assert binom.cdf(459, 1000, below) > 0.001 > binom.cdf(458, 1000, below)
    # the interval shown is the test's: the 95% Clopper–Pearson lower end of 549/1000 is
    # above 107 and of 548/1000 below it
    row = judged({"births_male": 549, "births_female": 451}, "srb")
    assert row["low95"] > 107 > judged({"births_male": 548, "births_female": 452}, "srb")["low95"]
    # Wilson at 20,000: 10477 boys is the first whose 95% lower end passes 107
    assert srb_interval(10476, 9524, Z95)[0] < 107 < srb_interval(10477, 9523, Z95)[0]
    assert srb_interval(10556, 9444, Z998)[0] < 107 < srb_interval(10557, 9443, Z998)[0]
    assert binom.sf(10476, 20000, above) > 0.025


@pytest.mark.parametrize(
    ("in_policy", "births", "status"),
    [
        (171, 200, "watch"),  # 85.50 < 90, P(X ≤ 171 | 200, 0.9) = 0.0271 > 2.5%
        (170, 200, "amber"),  # P(X ≤ 170) = 0.0163 < 2.5%, ≥ 0.1%
        (166, 200, "amber"),  # P(X ≤ 166) = 0.00154 ≥ 0.1%
        (165, 200, "red"),  # P(X ≤ 165) = 0.00078 < 0.1%
        (180, 200, "green"),  # 90.00 exactly meets the target
        (8, 9, "grey"),  # 9 births < 10
        (9, 10, "green"),  # 10 births: judged
        (6, 10, "amber"),  # P(X ≤ 6 | 10, 0.9) = 0.0128; Wilson would say red (0.0128 > 0.001)
    ],
)
def test_compliance_status_boundaries(in_policy, births, status):
    row = judged({"births": births, "out_of_policy": births - in_policy}, "compliance")
    assert row["status"] == status


def test_the_compliance_boundary_counts_are_what_the_binomial_says():
    assert binom.cdf(171, 200, 0.9) > 0.025 > binom.cdf(170, 200, 0.9)
    assert binom.cdf(166, 200, 0.9) > 0.001 > binom.cdf(165, 200, 0.9)
    assert 0.001 < binom.cdf(6, 10, 0.9) < 0.025


@pytest.mark.parametrize(
    ("paid", "due", "status", "reason"),
    [
        (9, 10, "green", None),  # 90.00
        (899, 1000, "watch", "reason.limit_watch"),  # 89.90: P(X ≤ 899 | 1000, 0.9) = 0.47
        (89995, 100000, "green", None),  # 89.995 rounds to 90.00: the value meets the line
        (7, 10, "watch", "reason.limit_watch"),  # 70.00: P(X ≤ 7 | 10, 0.9) = 0.070 > 2.5%
        (6, 10, "amber", "reason.limit_amber"),  # P(X ≤ 6 | 10, 0.9) = 0.0128 < 2.5%
        # 69.90 (red by its value before): red needs the 99.8% interval wholly under 70, and
        # P(X ≤ 699 | 1000, 0.7) = 0.48; under 90 it is certain: amber
        (699, 1000, "amber", "reason.limit_amber"),
        (0, 4, "grey", "reason.too_few"),  # 4 persons due < 5
        (0, 5, "amber", "reason.limit_amber"),  # 0 of 5: P(X = 0 | 0.7) = 0.0024 > 0.1%
        (0, 6, "red", "reason.limit_red"),  # 0 of 6: P(X = 0 | 0.7) = 0.00073 < 0.1%
        (600, 1000, "red", "reason.limit_red"),  # P(X ≤ 600 | 1000, 0.7) ≈ 5e-12
    ],
)
def test_fee_coverage_is_judged_like_the_other_rates(paid, due, status, reason):
    row = judged({"fee_persons_paid": paid, "fee_persons_due": due}, "fee_coverage")
    assert (row["status"], row["reason_code"]) == (status, reason)


def test_the_fee_boundary_counts_are_what_the_binomial_says():
    assert binom.cdf(7, 10, 0.9) > 0.025 > binom.cdf(6, 10, 0.9)
    assert binom.cdf(0, 5, 0.7) > 0.001 > binom.cdf(0, 6, 0.7)
    assert binom.cdf(699, 1000, 0.7) > 0.001


def test_fee_amount_rate_is_judged_on_persons_due():
    # 10.0 万元 due, 1.0 paid: 10.00%. With 4 persons due: grey; with 5 the rate is judged as
    # x = 10% × 5 = 0.5 of n = 5 persons: P(X ≤ 0.5 | 5, 0.5) (continuous extension,
    # I_0.5(4.5, 1.5)) = 0.0877 ≥ 0.1%, so not red; against the green line 70%:
    # P(X ≤ 0.5 | 5, 0.7) = I_0.3(4.5, 1.5) = 0.0100 < 2.5%: amber
    fields = {
        "fee_persons_due": 4,
        "fee_persons_paid": 1,
        "fee_amount_due": 10.0,
        "fee_amount_paid": 1.0,
    }
    row = judged(fields, "fee_amount_rate")
    assert (row["value"], row["status"]) == (10.00, "grey")
    fields["fee_persons_due"] = 5
    row = judged(fields, "fee_amount_rate")
    assert (row["status"], row["reason_code"]) == ("amber", "reason.limit_amber")
    assert row["status_method"] == "clopper_pearson"
    # 100 persons due, 10%: far under 50% at 99.8%: red
    fields["fee_persons_due"] = 100
    assert judged(fields, "fee_amount_rate")["status"] == "red"


def test_county_gets_a_status_too():
    t = compute(
        one_area({"births_male": 567, "births_female": 433}), "2024-06", "ytd", settings=SETTINGS
    )
    county = t[t["is_total"] & (t["indicator"] == "srb")].iloc[0]
    assert county["status"] == "red"
    assert county["reason_params"]["limit"] == 107
