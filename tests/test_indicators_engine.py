"""The indicator table of a small county written out by hand: every figure checkable."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy.stats import beta

from indicators.columns import INDICATOR_COLUMNS
from indicators.engine import available_periods, compute, series
from zhibiao.config import Settings

FIELDS = [
    "births", "births_male", "births_female",
    "births_o1_male", "births_o1_female", "births_o2_male", "births_o2_female",
    "births_o3_male", "births_o3_female",
    "out_of_policy", "out_of_policy_o1", "out_of_policy_o2", "out_of_policy_o3",
    "population", "late_reports", "late_reports_out_of_policy", "first_marriages_female",
    "fee_persons_due", "fee_persons_paid", "fee_amount_due", "fee_amount_paid",
]  # fmt: skip

# 2024-03, year to date. Amounts in 万元.
NOW = {
    "东镇": [110, 60, 50, 40, 35, 18, 14, 2, 1, 11, 1, 7, 3, 20000, 4, 1, 30, 10, 9, 20.0, 15.0],
    "西镇": [200, 100, 100, 70, 70, 28, 28, 2, 2, 5, 0, 2, 3, 40000, 10, 5, 60, 20, 15, 40.0, 20.0],
    "南乡": [40, 21, 19, 15, 14, 6, 5, 0, 0, 2, 0, 2, 0, 10000, 0, 0, 12, 4, 1, 8.0, 2.0],
    "北乡": [50, 25, 25, 20, 20, 5, 5, 0, 0, 0, 0, 0, 0, 10000, 2, 0, 5, 5, 3, 10.0, 4.5],
}
# 2023-03, year to date: births by sex only. 南乡 did not report; 旧乡 no longer exists.
BEFORE = {
    "东镇": {"births": 100, "births_male": 50, "births_female": 50},
    "西镇": {"births": 210, "births_male": 110, "births_female": 100},
    "北乡": {"births": 50, "births_male": 25, "births_female": 25},
    "旧乡": {"births": 30, "births_male": 15, "births_female": 15},
}
SETTINGS = Settings(county=None, year_start_month=1)


def frame(period: str, basis: str, areas: dict, total: dict | None = None) -> list[dict]:
    rows = []
    for i, (area, vals) in enumerate(areas.items()):
        pairs = zip(FIELDS, vals, strict=True) if isinstance(vals, list) else vals.items()
        for fld, v in pairs:
            rows.append(
                {"area": area, "is_total": False, "period": period, "basis": basis,
                 "field": fld, "value": float(v), "sheet": "s", "cell": "B2", "row": i}
            )  # fmt: skip
    for fld, v in (total or {}).items():
        rows.append(
            {"area": "全县", "is_total": True, "period": period, "basis": basis,
             "field": fld, "value": float(v), "sheet": "s", "cell": "B9", "row": 99}
        )  # fmt: skip
    return rows


def values() -> pd.DataFrame:
    # the total row says 999 births: it is kept as reported, never used for the county
    rows = frame("2024-03", "ytd", NOW, total={"births": 999})
    rows += frame("2023-03", "ytd", BEFORE)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return compute(values(), "2024-03", "ytd", settings=SETTINGS, county="样县")


def fig(table: pd.DataFrame, area: str, indicator: str) -> dict:
    rows = table[(table["area"] == area) & (table["indicator"] == indicator)]
    assert len(rows) == 1, (area, indicator)
    return rows.iloc[0].to_dict()


def nan(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def test_columns_order_and_shape(table):
    assert list(table.columns) == INDICATOR_COLUMNS
    # county + 4 areas, 19 indicators + composite
    assert len(table) == 5 * 20
    assert table["area"].drop_duplicates().tolist() == ["样县", "东镇", "西镇", "南乡", "北乡"]
    assert table["order"].drop_duplicates().tolist() == [0, 1, 2, 3, 4]
    assert table[table["is_total"]]["area"].unique().tolist() == ["样县"]


# (area, indicator): value, numerator, denominator
EXPECTED = {
    ("样县", "births"): (400, 400, None),  # 110+200+40+50, not the total row's 999
    ("东镇", "births"): (110, 110, None),
    ("样县", "out_of_policy"): (4.50, 18, 400),  # per 100 births: 18/400
    ("样县", "birth_rate"): (5.00, 400, 80000),
    ("东镇", "birth_rate"): (5.50, 110, 20000),
    ("南乡", "birth_rate"): (4.00, 40, 10000),
    ("东镇", "srb"): (120.00, 60, 50),
    ("西镇", "srb"): (100.00, 100, 100),
    ("南乡", "srb"): (110.53, 21, 19),  # 2100/19 = 110.526…
    ("样县", "srb"): (106.19, 206, 194),  # 20600/194 = 106.185…, summed counts
    ("东镇", "srb_order1"): (114.29, 40, 35),
    ("东镇", "srb_order3"): (200.00, 2, 1),
    ("南乡", "srb_order3"): (None, 0, 0),  # denominator 0: no value
    ("东镇", "compliance"): (90.00, 99, 110),
    ("样县", "compliance"): (95.50, 382, 400),
    ("东镇", "compliance_order1"): (98.67, 74, 75),  # in-policy = 75 − 1
    ("东镇", "compliance_order2"): (78.13, 25, 32),  # 78.125 rounds half up
    ("东镇", "compliance_order3"): (0.00, 0, 3),
    # second births: 东 32 (7 out), 西 56 (2), 南 11 (2), 北 10 (0): 98 in policy of 109
    ("样县", "compliance_order2"): (89.91, 98, 109),  # 9800/109 = 89.908…
    ("东镇", "multi_rate"): (2.73, 3, 110),
    ("样县", "multi_rate"): (1.75, 7, 400),
    ("样县", "late_reports"): (16, 16, None),
    ("东镇", "late_out_of_policy_share"): (25.00, 1, 4),
    ("南乡", "late_out_of_policy_share"): (None, 0, 0),
    ("样县", "late_out_of_policy_share"): (37.50, 6, 16),
    ("样县", "first_marriages"): (107, 107, None),
    ("样县", "first_marriage_rate"): (1.34, 107, 80000),  # 1.3375 half up
    ("东镇", "fee_coverage"): (90.00, 9, 10),
    ("样县", "fee_coverage"): (71.79, 28, 39),
    ("北乡", "fee_amount_rate"): (45.00, 4.5, 10.0),
    ("样县", "fee_amount_rate"): (53.21, 41.5, 78.0),
    ("样县", "fee_collected"): (41.50, 41.5, None),
}


@pytest.mark.parametrize(("key", "expected"), list(EXPECTED.items()), ids=lambda v: str(v))
def test_values_numerators_denominators(table, key, expected):
    row = fig(table, *key)
    value, num, den = expected
    assert nan(row["value"]) if value is None else row["value"] == pytest.approx(value, abs=1e-9)
    assert row["numerator"] == pytest.approx(num)
    assert nan(row["denominator"]) if den is None else row["denominator"] == pytest.approx(den)


def test_exact_value_is_unrounded(table):
    assert fig(table, "南乡", "srb")["value_exact"] == pytest.approx(2100 / 19)


def test_previous_year_and_change(table):
    dong = fig(table, "东镇", "births")
    assert (dong["previous"], dong["change"]) == (100, 10)
    xi = fig(table, "西镇", "births")
    assert (xi["previous"], xi["change"]) == (210, -10)
    bei = fig(table, "北乡", "births")
    assert (bei["previous"], bei["change"]) == (50, 0)
    # 南乡 has no figure last year: null previous and change
    nan_ = fig(table, "南乡", "births")
    assert nan(nan_["previous"]) and nan(nan_["change"])
    # the county last year on today's list of areas (旧乡 left out): 100 + 210 + 50 = 360
    county = fig(table, "样县", "births")
    assert (county["previous"], county["change"]) == (360, 40)
    # srb: 东镇 100.00 → 120.00; county 185/175 = 105.714… → 106.185…, change 0.471… → 0.47
    assert fig(table, "东镇", "srb")["change"] == 20.00
    srb = fig(table, "样县", "srb")
    assert (srb["previous"], srb["change"]) == (105.71, 0.47)
    # compliance was not reported last year
    assert nan(fig(table, "样县", "compliance")["previous"])


def test_area_gone_this_year_is_not_listed(table):
    # this year's areas and the county; 旧乡 reported only last year
    assert list(dict.fromkeys(table["area"])) == ["样县", "东镇", "西镇", "南乡", "北乡"]


def test_statuses(table):
    status = {(r["area"], r["indicator"]): r["status"] for r in table.to_dict("records")}
    # sex ratio: every area off the normal range but none certain; the county inside
    assert status[("东镇", "srb")] == "watch"  # 120.00 > 107, 95% interval reaches 107
    assert status[("西镇", "srb")] == "watch"  # 100.00 < 103
    assert status[("样县", "srb")] == "green"  # 106.19
    assert status[("东镇", "srb_order3")] == "grey"  # 2 + 1 third births < 20
    assert status[("南乡", "srb_order1")] == "watch"  # 15/14 = 107.14 > 107, 29 births
    assert status[("东镇", "compliance")] == "green"  # exactly 90.00: on the good side
    assert status[("北乡", "compliance_order3")] == "grey"  # no third births
    # fees are judged like the other rates, on persons due (exact binomial tails):
    assert status[("东镇", "fee_coverage")] == "green"  # 90.00 ≥ 90
    # 15/20 = 75.00 < 90 but P(X ≤ 15 | 20, 0.9) = 0.043 > 2.5%: not shown to be under 90
    assert status[("西镇", "fee_coverage")] == "watch"
    # 3/5 = 60.00: P(X ≤ 3 | 5, 0.7) = 0.47 (not under 70 at 99.8%), P(X ≤ 3 | 5, 0.9) = 0.081
    assert status[("北乡", "fee_coverage")] == "watch"
    assert status[("南乡", "fee_coverage")] == "grey"  # 4 persons due < 5
    assert status[("南乡", "fee_amount_rate")] == "grey"  # grey by persons due, too
    # 28/39 = 71.79: P(X ≤ 28 | 39, 0.9) = 0.0012 < 2.5%; against 70: 0.65
    assert status[("样县", "fee_coverage")] == "amber"
    assert status[("样县", "births")] is None  # no status rule
    assert status[("东镇", "multi_rate")] is None


def test_grey_keeps_its_value_but_is_not_ranked(table):
    # not assessed (不评价) means not ranked: 南乡 (4 persons due) keeps its 25.00 but the
    # other three are ranked among themselves: 东镇 90.00, 西镇 75.00, 北乡 60.00
    nan_ = fig(table, "南乡", "fee_coverage")
    assert (nan_["value"], nan_["status"]) == (25.00, "grey")
    assert nan(nan_["rank"]) and nan(nan_["rank_low"]) and nan(nan_["rank_high"])
    ranks = {a: fig(table, a, "fee_coverage")["rank"] for a in ("东镇", "西镇", "北乡")}
    assert ranks == {"东镇": 1, "西镇": 2, "北乡": 3}
    assert all(fig(table, a, "fee_coverage")["rank_high"] <= 3 for a in ranks)


def test_ranks(table):
    def ranks(indicator):
        part = table[(table["indicator"] == indicator) & ~table["is_total"]]
        return dict(zip(part["area"], part["rank"].tolist(), strict=True))

    # range: |v − 105| = 15, 5, 5.53, 5 → 西镇 and 北乡 tie for 1st
    assert ranks("srb") == {"东镇": 4, "西镇": 1, "南乡": 3, "北乡": 1}
    assert ranks("compliance") == {"东镇": 4, "西镇": 2, "南乡": 3, "北乡": 1}
    # lower is better: 南乡 and 北乡 0.00, 西镇 2.00, 东镇 2.73
    assert ranks("multi_rate") == {"东镇": 4, "西镇": 3, "南乡": 1, "北乡": 1}
    # out of policy is ranked by its rate per 100 births, lower first: 北乡 0/50 = 0.00,
    # 西镇 5/200 = 2.50, 南乡 2/40 = 5.00, 东镇 11/110 = 10.00 (by the count 西镇's 5 would
    # rank below 南乡's 2)
    assert ranks("out_of_policy") == {"东镇": 4, "西镇": 2, "南乡": 3, "北乡": 1}
    # no value, no rank (南乡 has no late reports)
    assert ranks("late_out_of_policy_share") == {"东镇": 2, "西镇": 3, "南乡": pd.NA, "北乡": 1}
    # direction none: no ranks
    assert set(ranks("births").values()) == {pd.NA}
    # the county is never ranked
    assert table[table["is_total"]]["rank"].isna().all()


def test_composite_score(table):
    part = table[table["indicator"] == "composite"]
    got = {r["area"]: (r["value"], r["rank"]) for r in part.to_dict("records")}
    # weights srb 2, compliance 2, multi_rate 1, late share 1, fee coverage 1, fee amount 1;
    # rank-percentile scores 100 × (n − rank)/(n − 1), weighted mean over what the area has
    # a rank for. 南乡 is not assessed on either fee (4 persons due): the fees rank three
    # areas (东 100, 西 50, 北 0) and 南乡's score leaves them out:
    # 东镇 (0·2 + 0·2 + 0 + 50 + 100 + 100)/8 = 31.25 → 31.3
    # 西镇 (100·2 + 66.67·2 + 33.33 + 0 + 50 + 50)/8 = 466.67/8 = 58.33 → 58.3
    # 南乡 (33.33·2 + 33.33·2 + 100)/5 (no late share, no fees) = 233.33/5 = 46.67 → 46.7
    # 北乡 (100·2 + 100·2 + 100 + 100 + 0 + 0)/8 = 75.0
    assert got["东镇"] == (31.3, 4)
    assert got["西镇"] == (58.3, 2)
    assert got["南乡"] == (46.7, 3)
    assert got["北乡"] == (75.0, 1)
    assert nan(got["样县"][0]) and nan(got["样县"][1])


def test_intervals_only_for_count_based(table):
    srb = fig(table, "东镇", "srb")
    # Clopper–Pearson 95% on 60/110 (under 10,000 births), mapped through p/(1−p)×100:
    # low = Beta⁻¹(0.025; 60, 51), high = Beta⁻¹(0.975; 61, 50)
    low, high = beta.ppf(0.025, 60, 51), beta.ppf(0.975, 61, 50)
    expected = (round(low / (1 - low) * 100, 2), round(high / (1 - high) * 100, 2))
    assert (srb["low95"], srb["high95"]) == expected == (81.07, 178.29)
    assert srb["interval_method"] == "clopper_pearson"
    assert nan(fig(table, "东镇", "multi_rate")["status_method"])
    # the amount rate of fees: an interval on persons due (15/20 万元 of 10 persons: x = 7.5)
    amount = fig(table, "东镇", "fee_amount_rate")
    low, high = beta.ppf(0.025, 7.5, 3.5), beta.ppf(0.975, 8.5, 2.5)
    assert (amount["low95"], amount["high95"]) == (round(low * 100, 2), round(high * 100, 2))
    assert not nan(fig(table, "东镇", "fee_coverage")["low95"])


def test_rank_intervals_for_count_based_ratios(table):
    row = fig(table, "东镇", "compliance")
    assert 1 <= row["rank_low"] <= row["rank"] <= row["rank_high"] <= 4
    assert nan(fig(table, "东镇", "births")["rank_low"])


def test_no_rank_intervals_above_the_catalogs_number_of_areas(table):
    """rank_intervals_max_areas: with 4 areas and a limit of 3, no rank intervals at all;
    the values and ranks stay as they are."""
    import dataclasses

    from indicators.catalog import load_catalog

    catalog = load_catalog()
    assert catalog.setting("rank_intervals_max_areas") == 20000
    few = dataclasses.replace(catalog, settings={**catalog.settings, "rank_intervals_max_areas": 3})
    plain = compute(values(), "2024-03", "ytd", settings=SETTINGS, county="样县", catalog=few)
    assert plain["rank_low"].isna().all() and plain["rank_high"].isna().all()
    assert table["rank_low"].notna().sum() > 0
    # the composite score's interval comes from the same draws: none either
    composite = plain["indicator"] == "composite"
    assert plain.loc[composite, ["low95", "high95"]].isna().all().all()
    pd.testing.assert_frame_equal(
        plain.loc[~composite].drop(columns=["rank_low", "rank_high"]),
        table.loc[~composite].drop(columns=["rank_low", "rank_high"]),
    )
    same = ["area", "value", "rank", "status"]
    pd.testing.assert_frame_equal(plain.loc[composite, same], table.loc[composite, same])
    assert (
        plain.loc[~plain["is_total"], "area"].nunique(),
        few.setting("rank_intervals_max_areas"),
    ) == (4, 3)


def test_quality_notes_touch_their_figures():
    note = {"severity": "warning", "code": "sum_mismatch", "file": "a.xlsx"}
    quality = pd.DataFrame(
        [
            {
                "area": "东镇",
                "period": "2024-03",
                "basis": "ytd",
                "field": "births_male",
                "finding": note,
            },
            {
                "area": "东镇",
                "period": "2023-03",
                "basis": "ytd",
                "field": "births",
                "finding": {"code": "old"},
            },
        ]
    )
    t = compute(values(), "2024-03", "ytd", settings=SETTINGS, quality=quality)
    assert fig(t, "东镇", "srb")["quality"] == [note]
    assert fig(t, "合计", "srb")["quality"] == [note]  # the county is touched by any area
    assert fig(t, "西镇", "srb")["quality"] == []
    assert fig(t, "东镇", "fee_coverage")["quality"] == []
    # births can fall back to male + female, so a note on births_male touches it too
    assert fig(t, "东镇", "births")["quality"] == [note]
    assert fig(t, "东镇", "compliance")["quality"] == [note]


def test_county_named_from_settings_else_total():
    t = compute(values(), "2024-03", "ytd", settings=Settings(county="尤溪县"))
    assert t["area"].iloc[0] == "尤溪县"
    t = compute(values(), "2024-03", "ytd", settings=SETTINGS)
    assert t["area"].iloc[0] == "合计"


def test_missing_field_gives_no_value_not_zero():
    rows = frame(
        "2024-03", "ytd", {"甲乡": {"births": 10}, "乙乡": {"births": 20, "births_male": 11}}
    )
    t = compute(pd.DataFrame(rows), "2024-03", "ytd", settings=SETTINGS)
    assert nan(fig(t, "甲乡", "srb")["value"])
    assert nan(fig(t, "乙乡", "srb")["value"])  # no girls reported
    assert nan(fig(t, "甲乡", "fee_coverage")["value"])
    assert fig(t, "合计", "births")["value"] == 30


def test_available_periods_and_series():
    v = values()
    assert available_periods(v) == ["2023-03", "2024-03"]
    s = series(v, "births", "东镇", "ytd", settings=SETTINGS)
    assert s.to_dict("records")[1] == {
        "period": "2024-03", "value": 110.0, "county_value": 400.0, "previous_year_value": 100.0
    }  # fmt: skip
    assert s["value"].tolist()[0] == 100.0
    county = series(v, "srb", None, "ytd", settings=SETTINGS)
    # each period's county over that period's areas: 2023-03 with 旧乡, 200/190 = 105.263…
    assert county["value"].tolist() == [105.26, 106.19]
    assert county["previous_year_value"].tolist()[1] == 105.71  # on today's areas


def test_birth_rate_has_byars_interval(table):
    # 东镇: 110 births in 20,000 people, 5.50‰. Byars (z = 1.959964):
    # lower: 1/(9·110) = 0.0010101, z/(3√110) = 0.0622917, 1 − both = 0.9366982,
    #        cubed × 110 = 90.4048 births → 4.52‰
    # upper: O + 1 = 111: 1/(9·111) = 0.0010010, z/(3√111) = 0.0620106,
    #        (1 − 0.0010010 + 0.0620106)³ × 111 = 132.5809 births → 6.63‰
    # (exact Poisson from χ² quantiles: 90.4066 and 132.5797)
    row = fig(table, "东镇", "birth_rate")
    assert row["value"] == 5.50
    assert (row["low95"], row["high95"]) == (4.52, 6.63)
    assert row["interval_method"] == "byars"
    assert row["status"] is None and nan(row["rank"])
    for key in ("first_marriage_rate", "birth_rate"):
        assert fig(table, "样县", key)["interval_method"] == "byars"
    # a count has no interval
    assert nan(fig(table, "东镇", "births")["low95"])


def test_composite_score_interval_from_the_same_draws():
    # only the sex ratio has figures, so the score is its rank-percentile score alone,
    # 100 × (5 − rank)/4, and in every draw the same of the draw's srb rank: the score's
    # interval and the composite's rank interval are the srb rank interval's, read through it
    counts = {
        "甲": (10250, 9750), "乙": (10480, 9520), "丙": (10910, 9090),
        "丁": (12000, 8000), "戊": (12010, 7990),
    }  # fmt: skip
    rows = frame("2024-03", "ytd", {a: {"births_male": m, "births_female": f}
                                    for a, (m, f) in counts.items()})  # fmt: skip
    t = compute(pd.DataFrame(rows), "2024-03", "ytd", settings=SETTINGS)
    for area in counts:
        srb, comp = fig(t, area, "srb"), fig(t, area, "composite")
        assert (comp["rank_low"], comp["rank_high"]) == (srb["rank_low"], srb["rank_high"])
        assert comp["low95"] == 100 * (5 - srb["rank_high"]) / 4
        assert comp["high95"] == 100 * (5 - srb["rank_low"]) / 4
        assert comp["interval_method"] == "rank_draws"
    # |v − 105|: 甲 0.13, 乙 5.08, 丙 15.02, 丁 45.00, 戊 45.31 from 20,000 births each: the
    # first four are told apart from the next; 丁 (150.00) and 戊 (150.31) cannot be
    apart = {a: fig(t, a, "composite")["apart_from_next"] for a in counts}
    assert apart == {"甲": True, "乙": True, "丙": True, "丁": False, "戊": None}
    assert (fig(t, "丁", "composite")["rank_low"], fig(t, "戊", "composite")["rank_high"]) == (4, 5)
