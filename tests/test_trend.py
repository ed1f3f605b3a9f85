"""The χ² test for trend (indicators/trend.py): worked by hand, then on stored series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

from indicators.stats import chi2_trend
from indicators.trend import area_trend, area_trends, trend_test
from zhibiao.config import Settings
from zhibiao.i18n import t

N = np.full(5, 100.0)


def test_cochran_armitage_by_hand():
    # compliance 80, 85, 88, 92, 95 of 100 in five months, scores t = 0..4:
    # p̄ = 440/500 = 0.88; T = Σ t (x − 100 × 0.88) = 0·(−8) + 1·(−3) + 2·0 + 3·4 + 4·7 = 37;
    # Var T = 0.88 × 0.12 × (100 × (0 + 1 + 4 + 9 + 16) − (100 × 10)²/500) = 0.1056 × 1000
    #       = 105.6; χ² = 37²/105.6 = 12.964, p = 0.00032 < 0.002: increasing at 99.8%
    stat, p, rise = chi2_trend(np.array([80, 85, 88, 92, 95]), N)
    assert (rise, round(stat, 3)) == (37.0, 12.964)
    assert p == pytest.approx(chi2.sf(12.964015, 1)) and round(p, 5) == 0.00032
    trend = trend_test(np.array([80, 85, 88, 92, 95]), N, "proportion")
    assert trend.direction == "increasing"
    assert t(f"trend.{trend.direction}", "zh") == "呈上升趋势(99.8% 水平显著)"
    # 90, 88, 91, 89, 90: T = 1.0, χ² = 0.011, p = 0.92
    flat = trend_test(np.array([90, 88, 91, 89, 90]), N, "proportion")
    assert flat.direction == "no_change" and round(flat.p, 2) == 0.92


def test_poisson_trend_by_hand_and_the_99_8_level():
    # births 100, 110, 120, 130, 140 a month (exposure 1 each): e = 600/5 = 120 each;
    # T = Σ t (O − 120) = 0 − 10 + 0 + 30 + 80 = 100; Var T = 120 × 30 − (120 × 10)²/600 = 1200;
    # χ² = 100²/1200 = 8.333, p = 0.0039: significant at 95% but not at 99.8%
    stat, p, rise = chi2_trend(np.array([100, 110, 120, 130, 140]), np.ones(5), "poisson")
    assert (rise, round(stat, 3), round(p, 4)) == (100.0, 8.333, 0.0039)
    births = trend_test(np.array([100, 110, 120, 130, 140]), np.ones(5), "poisson")
    assert births.direction == "no_change"
    # doubled (200 … 280): χ² = 16.667, p = 0.000045: increasing
    twice = trend_test(np.array([200, 220, 240, 260, 280]), np.ones(5), "poisson")
    assert twice.direction == "increasing" and round(twice.chi2, 3) == 16.667


def test_fewer_than_five_periods_are_not_tested():
    assert trend_test(np.array([80, 85, 88, 92]), N[:4], "proportion").direction == "too_few"


def stored(months: dict[str, dict[str, float]], area: str = "甲乡") -> pd.DataFrame:
    rows = [
        {"area": area, "is_total": False, "period": period, "basis": "month", "field": f,
         "value": float(v), "sheet": "", "cell": "", "row": 0}
        for period, fields in months.items()
        for f, v in fields.items()
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_area_trend_of_a_stored_series():
    # six months of 100 births; out of policy 3, 20, 15, 12, 8, 5: compliance 80 → 95 over
    # the last five (Jan is left out): the case worked by hand above
    oop = {"2024-01": 3, "2024-02": 20, "2024-03": 15, "2024-04": 12, "2024-05": 8, "2024-06": 5}
    values = stored({p: {"births": 100, "out_of_policy": x} for p, x in oop.items()})
    settings = Settings(year_start_month=1)
    trend = area_trend(values, "compliance", "甲乡", "month", settings=settings)
    assert trend.periods == ("2024-02", "2024-03", "2024-04", "2024-05", "2024-06")
    assert trend.direction == "increasing" and round(trend.chi2, 3) == 12.964
    # the county (the only area): the same; a missing month keeps its place on the line
    del oop["2024-04"]
    values = stored({p: {"births": 100, "out_of_policy": x} for p, x in oop.items()})
    gap = area_trend(values, "compliance", None, "month", settings=settings)
    assert gap.periods == ("2024-01", "2024-02", "2024-03", "2024-05", "2024-06")
    # an amount has no test
    assert area_trend(values, "fee_collected", "甲乡", "month", settings=settings).direction is None


def test_year_to_date_trend_takes_the_same_month_of_each_year():
    months = {f"{y}-{m:02d}": {"births": 10} for y in range(2019, 2025) for m in (1, 2, 3)}
    values = stored(months)
    trend = area_trend(values, "births", "甲乡", "ytd", settings=Settings(year_start_month=1))
    assert trend.periods == ("2020-03", "2021-03", "2022-03", "2023-03", "2024-03")
    assert trend.direction == "no_change"  # 30 births each March year to date


# --- every township at once (the township page's trend column) -----------------------------------

#: Six single months of 100 births in two townships: 甲乡's boys rise, 乙乡's do not.
BOYS = {"甲乡": [40, 45, 50, 55, 60, 65], "乙乡": [52, 50, 53, 52, 51, 53]}


def two_townships() -> pd.DataFrame:
    months = [f"2024-{m:02d}" for m in range(1, 7)]
    return pd.concat(
        [
            stored(
                {
                    p: {"births_male": b, "births_female": 100 - b}
                    for p, b in zip(months, boys, strict=True)
                },
                area,
            )
            for area, boys in BOYS.items()
        ],
        ignore_index=True,
    )


def test_every_township_s_trend_at_once_by_hand():
    # the sex ratio is tested on its share of boys, over the last five months (Feb–Jun):
    # 甲乡 45, 50, 55, 60, 65 of 100: p̄ = 275/500 = 0.55, T = Σ t (x − 55) = 0·(−10) + 1·(−5)
    #   + 2·0 + 3·5 + 4·10 = 50, Var T = 0.55 × 0.45 × (100 × 30 − (100 × 10)²/500) = 247.5,
    #   χ² = 50²/247.5 = 10.101, p = 0.0015 < 0.002: increasing at 99.8%
    # 乙乡 50, 53, 52, 51, 53: p̄ = 259/500 = 0.518, T = 1.2 + 0.4 − 2.4 + 4.8 = 4.0,
    #   Var T = 0.518 × 0.482 × 1000 = 249.676, χ² = 16/249.676 = 0.0641, p = 0.80: no change
    # the county (their sums, of 200): 95, 103, 107, 111, 118: T = 54, p̄ = 534/1000 = 0.534,
    #   Var T = 0.534 × 0.466 × (200 × 30 − 2000²/1000) = 497.688, χ² = 5.859, p = 0.0155
    found = area_trends(
        two_townships(), "2024-06", "month", settings=Settings(year_start_month=1), total="全县"
    )
    srb = found[found["indicator"] == "srb"].set_index("area")
    assert list(srb.index) == ["全县", "甲乡", "乙乡"] and list(srb["is_total"]) == [1, 0, 0]
    months = ("2024-02", "2024-03", "2024-04", "2024-05", "2024-06")
    assert all(p == months for p in srb["periods"])
    assert list(srb["direction"]) == ["no_change", "increasing", "no_change"]
    assert round(srb.loc["甲乡", "chi2"], 3) == 10.101
    assert srb.loc["甲乡", "p"] == pytest.approx(chi2.sf(50**2 / 247.5, 1), rel=1e-12)
    assert round(srb.loc["甲乡", "p"], 4) == 0.0015
    assert srb.loc["乙乡", "chi2"] == pytest.approx(16 / (0.518 * 0.482 * 1000))
    assert round(srb.loc["乙乡", "p"], 2) == 0.80
    assert srb.loc["全县", "chi2"] == pytest.approx(54**2 / (0.534 * 0.466 * 2000))
    # the same as one township's own test (area_trend)
    one = area_trend(two_townships(), "srb", "甲乡", "month", settings=Settings())
    assert (one.direction, one.periods) == ("increasing", months)
    assert one.p == pytest.approx(srb.loc["甲乡", "p"], rel=1e-12)
    # up to 2024-04 only four months: too few, no test
    early = area_trends(two_townships(), "2024-04", "month", settings=Settings(), total="全县")
    early = early[early["indicator"] == "srb"]
    assert set(early["direction"]) == {"too_few"} and early["p"].isna().all()
    assert early["periods"].map(len).tolist() == [4, 4, 4]
