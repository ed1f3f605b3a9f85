"""Status boundaries: just inside and just outside each interval and limit.

The counts were found from the Wilson formula (z = 1.959964 at 95%, 3.090232 at 99.8%) and
are stated beside each case; each test also recomputes the interval end it relies on.
"""

from __future__ import annotations

import pandas as pd
import pytest

from indicators.engine import compute
from indicators.stats import srb_interval, wilson_interval
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
        # 95% lower end 106.62 < 107; value 120.75 > 107
        (547, 453, "watch", "reason.above_high_watch"),
        # 95% lower end 107.05 > 107; 99.8% lower end 99.66
        (548, 452, "amber", "reason.above_high"),
        # 99.8% lower end 106.68 < 107
        (565, 435, "amber", "reason.above_high"),
        # 99.8% lower end 107.11 > 107
        (566, 434, "red", "reason.above_high"),
        # 95% upper end 103.25 > 103; value 91.20 < 103
        (477, 523, "watch", "reason.below_low_watch"),
        # 95% upper end 102.83 < 103
        (476, 524, "amber", "reason.below_low"),
        # 99.8% upper end 103.19 > 103
        (459, 541, "amber", "reason.below_low"),
        # 99.8% upper end 102.78 < 103
        (458, 542, "red", "reason.below_low"),
        # 107.00 exactly is inside the normal range 103–107; so is 103.00
        (107, 100, "green", None),
        (103, 100, "green", None),
        # 19 births: too few; 20 births: judged
        (10, 9, "grey", "reason.too_few"),
        (10, 10, "watch", "reason.below_low_watch"),
    ],
)
def test_srb_status_boundaries(boys, girls, status, reason):
    row = judged({"births_male": boys, "births_female": girls}, "srb")
    assert (row["status"], row["reason_code"]) == (status, reason)


def test_the_srb_boundary_counts_are_what_the_formula_says():
    assert srb_interval(547, 453, Z95)[0] < 107 < srb_interval(548, 452, Z95)[0]
    assert srb_interval(565, 435, Z998)[0] < 107 < srb_interval(566, 434, Z998)[0]
    assert srb_interval(476, 524, Z95)[1] < 103 < srb_interval(477, 523, Z95)[1]
    assert srb_interval(458, 542, Z998)[1] < 103 < srb_interval(459, 541, Z998)[1]


@pytest.mark.parametrize(
    ("in_policy", "births", "status"),
    [
        (172, 200, "watch"),  # 86.00 < 90, 95% upper end 90.13 ≥ 90
        (171, 200, "amber"),  # 95% upper end 89.71 < 90, 99.8% upper 91.57
        (167, 200, "amber"),  # 99.8% upper end 90.04 ≥ 90
        (166, 200, "red"),  # 99.8% upper end 89.65 < 90
        (180, 200, "green"),  # 90.00 exactly meets the target
        (8, 9, "grey"),  # 9 births < 10
        (9, 10, "green"),  # 10 births: judged
    ],
)
def test_compliance_status_boundaries(in_policy, births, status):
    row = judged({"births": births, "out_of_policy": births - in_policy}, "compliance")
    assert row["status"] == status


def test_the_compliance_boundary_counts_are_what_the_formula_says():
    assert wilson_interval(171, 200, Z95)[1] < 0.9 < wilson_interval(172, 200, Z95)[1]
    assert wilson_interval(166, 200, Z998)[1] < 0.9 < wilson_interval(167, 200, Z998)[1]


@pytest.mark.parametrize(
    ("paid", "due", "status", "reason"),
    [
        (9, 10, "green", None),  # 90.00
        (899, 1000, "amber", "reason.limit_amber"),  # 89.90
        (89995, 100000, "green", None),  # 89.995 rounds to 90.00: limits judge the rounded value
        (7, 10, "amber", "reason.limit_amber"),  # 70.00
        (699, 1000, "red", "reason.limit_red"),  # 69.90
        (0, 4, "grey", "reason.too_few"),  # 4 persons due < 5
        (0, 5, "red", "reason.limit_red"),  # 5 persons due: judged
    ],
)
def test_fee_coverage_limits(paid, due, status, reason):
    row = judged({"fee_persons_paid": paid, "fee_persons_due": due}, "fee_coverage")
    assert (row["status"], row["reason_code"]) == (status, reason)


def test_fee_amount_rate_is_grey_by_persons_due():
    fields = {
        "fee_persons_due": 4,
        "fee_persons_paid": 1,
        "fee_amount_due": 10.0,
        "fee_amount_paid": 1.0,
    }
    row = judged(fields, "fee_amount_rate")
    assert (row["value"], row["status"]) == (10.00, "grey")
    fields["fee_persons_due"] = 5
    assert judged(fields, "fee_amount_rate")["status"] == "red"  # 10.00 < 50


def test_county_gets_a_status_too():
    t = compute(
        one_area({"births_male": 566, "births_female": 434}), "2024-06", "ytd", settings=SETTINGS
    )
    county = t[t["is_total"] & (t["indicator"] == "srb")].iloc[0]
    assert county["status"] == "red"
    assert county["reason_params"]["limit"] == 107
