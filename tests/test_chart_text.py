"""Each chart in words (dashboard/figures/alternative.py): name, summary and table, read from the
hand-made table of tests/figure_table.py, whose figures its docstring lists."""

from __future__ import annotations

import pandas as pd
from figure_table import CATALOG, indicator_table

from dashboard import figures


def test_the_ranking_in_words_best_to_worst_with_the_county_last():
    table = indicator_table()
    fig = figures.ranking_bar(table, "srb", "zh", catalog=CATALOG)
    text = figures.ranking_text(fig, table, "srb", "zh", catalog=CATALOG)
    assert text.name == "出生人口性别比(女=100) 2024年6月(累计)"
    assert text.summary == (
        "条形图:5 个乡镇按排名从好到差排列。最好:城关镇 104.00;最差:八字桥乡 212.00。"
        "尤溪县 112.50。"
    )
    assert text.columns == ["排名", "乡镇", "数值", "分子 / 分母", "状态"]
    assert text.rows == [
        ["1", "城关镇", "104.00", "260 / 250", "√ 正常"],
        ["2", "新阳镇", "106.00", "9 / 8.5", "○ 不评价"],
        ["3", "西城镇", "110.00", "110 / 100", "△ 待观察"],
        ["4", "梅仙镇", "96.00", "96 / 100", "▲ 需关注"],
        ["5", "八字桥乡", "212.00", "212 / 100", "▲▲ 显著异常"],
        ["", "台溪乡", "无数据", "", ""],
        ["全县", "尤溪县", "112.50", "900 / 800", "▲ 需关注"],
    ]
    assert text.row_header == 1  # the area names each row


def test_the_worst_of_a_ranking_is_ranked_not_an_area_left_unassessed():
    table = indicator_table()
    unassessed = (table["indicator"] == "srb") & (table["area"] == "新阳镇")
    table.loc[unassessed, "rank"] = None  # 不评价: not ranked, drawn after the ranked areas
    fig = figures.ranking_bar(table, "srb", "zh", catalog=CATALOG)
    text = figures.ranking_text(fig, table, "srb", "zh", catalog=CATALOG)
    assert [row[1] for row in text.rows][:5] == ["城关镇", "西城镇", "梅仙镇", "八字桥乡", "新阳镇"]
    assert text.rows[4] == ["", "新阳镇", "106.00", "9 / 8.5", "○ 不评价"]
    assert "最好:城关镇 104.00;最差:八字桥乡 212.00。" in text.summary


def test_the_ranking_in_english_with_units():
    table = indicator_table()
    fig = figures.ranking_bar(table, "compliance", "en", catalog=CATALOG)
    text = figures.ranking_text(fig, table, "compliance", "en", catalog=CATALOG)
    assert text.summary == (
        "Bar chart: 5 townships from best to worst. Best: 城关镇 98.00%; worst: 八字桥乡 72.00%. "
        "尤溪县: 88.40%."
    )
    assert [row[1] for row in text.rows] == [
        "城关镇",
        "西城镇",
        "新阳镇",
        "梅仙镇",
        "八字桥乡",
        "台溪乡",
        "尤溪县",
    ]
    assert text.rows[0] == ["1", "城关镇", "98.00%", "490 / 500", "√ Normal"]


def test_the_funnel_in_words_names_the_flagged_and_the_ends():
    points = pd.DataFrame(
        {
            "area": ["城关镇", "八字桥乡", "梅仙镇"],
            "value": [98.0, 72.0, 85.0],
            "denominator": [500.0, 100.0, 100.0],
            "status": ["green", "red", "watch"],
        }
    )
    drawn = {"centre": 88.4, "points": points, "limits": pd.DataFrame(), "phi": 1.8}
    fig = figures.funnel_figure(drawn, "compliance", "zh", catalog=CATALOG)
    text = figures.funnel_text(fig, drawn, "compliance", "zh", catalog=CATALOG)
    assert text.name == "政策符合率(%) 漏斗图 已按过度离散调整(φ = 1.80)"
    assert text.summary == (
        "漏斗图:3 个乡镇的政策符合率(纵轴)对其分母(横轴),全县 88.40%,虚线为 95% 与 99.8% "
        "控制限。显著异常:八字桥乡。待观察:梅仙镇。最高:城关镇 98.00%;最低:八字桥乡 72.00%。"
    )
    assert text.columns == ["乡镇", "分母", "数值", "状态"]
    assert text.rows == [
        ["城关镇", "500", "98.00%", "√ 正常"],
        ["梅仙镇", "100", "85.00%", "△ 待观察"],
        ["八字桥乡", "100", "72.00%", "▲▲ 显著异常"],
    ]


def test_the_township_charts_in_words_each_indicator_by_month():
    lines = {
        "srb": {"this": {1: 104.0, 2: 110.0}, "last": {1: 101.0, 3: 99.0}, "county": {1: 105.0}}
    }
    months = [f"M{m}" for m in range(1, 13)]
    text = figures.area_charts_text(
        "八字桥乡 by month",
        lines,
        "八字桥乡",
        "en",
        catalog=CATALOG,
        month_labels=months,
        year_labels={"this": "2025", "last": "2024"},
    )
    assert text.name == "八字桥乡 by month"
    assert text.summary == (
        "Line charts: 八字桥乡, 1 indicators by month, one small chart each: 2025 (solid), 2024 "
        "(dotted) and the county (dashed; per township for counts)."
    )
    assert text.columns == ["Indicator", "Month", "2025", "2024", "County"]
    assert text.rows == [
        ["Sex ratio at birth", "M1", "104.00", "101.00", "105.00"],
        ["Sex ratio at birth", "M2", "110.00", "", ""],
        ["Sex ratio at birth", "M3", "", "99.00", ""],
    ]


def test_a_chart_without_values_says_so():
    table = indicator_table()
    empty = table[table["area"] == "台溪乡"]
    fig = figures.ranking_bar(empty, "srb", "zh", catalog=CATALOG)
    text = figures.ranking_text(fig, empty, "srb", "zh", catalog=CATALOG)
    assert text.summary == "没有可以作图的数据。"
    # no area has a denominator: no numerator / denominator column
    assert text.columns == ["排名", "乡镇", "数值", "状态"]
    assert text.rows == [["", "台溪乡", "无数据", ""]]
