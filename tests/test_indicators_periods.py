"""Periods: months from year-to-date differences, year to date from months, stocks, and a
statistical year that starts in October."""

from __future__ import annotations

import pandas as pd

from indicators.engine import compute
from indicators.periods import previous_year, year_months, year_start
from zhibiao.config import Settings


def rows(area: str, period: str, basis: str, **fields: float) -> list[dict]:
    return [
        {"area": area, "is_total": False, "period": period, "basis": basis, "field": f,
         "value": float(v), "sheet": "", "cell": "", "row": 0}
        for f, v in fields.items()
    ]  # fmt: skip


def value(table: pd.DataFrame, area: str, indicator: str) -> float:
    return table[(table["area"] == area) & (table["indicator"] == indicator)]["value"].iloc[0]


def test_statistical_year_helpers():
    assert year_months("2024-03") == ["2024-01", "2024-02", "2024-03"]
    assert year_start("2024-03", 10) == "2023-10"
    assert year_months("2024-01", 10) == ["2023-10", "2023-11", "2023-12", "2024-01"]
    assert year_months("2023-10", 10) == ["2023-10"]
    assert previous_year("2024-01") == "2023-01"


def test_month_from_ytd_differences():
    # year to date: Jan 30, Feb 55, Mar 90 → March alone 35, February 25, January 30
    v = pd.DataFrame(
        rows("甲乡", "2024-01", "ytd", births=30, births_male=16, births_female=14)
        + rows("甲乡", "2024-02", "ytd", births=55, births_male=29, births_female=26)
        + rows("甲乡", "2024-03", "ytd", births=90, births_male=48, births_female=42)
    )
    s = Settings(year_start_month=1)
    assert value(compute(v, "2024-03", "month", settings=s), "甲乡", "births") == 35
    assert value(compute(v, "2024-02", "month", settings=s), "甲乡", "births") == 25
    assert value(compute(v, "2024-01", "month", settings=s), "甲乡", "births") == 30
    # March alone: boys 19, girls 16 → 118.75
    assert value(compute(v, "2024-03", "month", settings=s), "甲乡", "srb") == 118.75


def test_ytd_from_summed_months_and_missing_month():
    v = pd.DataFrame(
        rows("甲乡", "2024-01", "month", births=30)
        + rows("甲乡", "2024-02", "month", births=25)
        + rows("甲乡", "2024-03", "month", births=35)
        + rows("乙乡", "2024-01", "month", births=10)
        + rows("乙乡", "2024-03", "month", births=12)  # February missing
    )
    t = compute(v, "2024-03", "ytd", settings=Settings(year_start_month=1))
    assert value(t, "甲乡", "births") == 90
    assert pd.isna(value(t, "乙乡", "births"))
    # the county sums the areas that have the figure
    assert value(t, "合计", "births") == 90


def test_reported_ytd_wins_over_summed_months():
    v = pd.DataFrame(
        rows("甲乡", "2024-01", "month", births=30)
        + rows("甲乡", "2024-02", "month", births=25)
        + rows("甲乡", "2024-02", "ytd", births=56)
    )
    assert value(compute(v, "2024-02", "ytd", settings=Settings()), "甲乡", "births") == 56


def test_stocks_never_add_up():
    # population is reported each month; year to date uses the figure of the period itself
    v = pd.DataFrame(
        rows("甲乡", "2024-01", "month", births=10, population=10000)
        + rows("甲乡", "2024-02", "month", births=20, population=10100)
    )
    t = compute(v, "2024-02", "ytd", settings=Settings())
    assert value(t, "甲乡", "births") == 30
    # 30 / 10100 × 1000 = 2.970297… → 2.97
    assert value(t, "甲乡", "birth_rate") == 2.97
    tm = compute(v, "2024-02", "month", settings=Settings())
    assert value(tm, "甲乡", "birth_rate") == 1.98  # 20/10100 × 1000 = 1.980198…


def test_statistical_year_starting_in_october():
    s = Settings(year_start_month=10)
    # October is the first month: its year to date is the month; November's month is the difference
    v = pd.DataFrame(
        rows("甲乡", "2023-09", "ytd", births=500)  # end of the previous statistical year
        + rows("甲乡", "2023-10", "ytd", births=40)
        + rows("甲乡", "2023-11", "ytd", births=70)
        + rows("甲乡", "2023-12", "month", births=20)
        + rows("甲乡", "2024-01", "month", births=25)
    )
    assert value(compute(v, "2023-10", "month", settings=s), "甲乡", "births") == 40
    assert value(compute(v, "2023-11", "month", settings=s), "甲乡", "births") == 30
    # year to date January 2024 = Oct–Nov 70 (reported) + Dec 20 + Jan 25 = 115
    assert value(compute(v, "2024-01", "ytd", settings=s), "甲乡", "births") == 115
