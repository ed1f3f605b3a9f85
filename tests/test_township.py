"""The township page (/area): the township it opens on, its table, its months (one line per
statistical year, never joined across a gap) and its one-picture PNG, on the sample county
(2024-01..03 and 2025-01..03) and hand-made tables."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from dashboard_fixtures import (
    app_config,
    county_result,
    filled_store,
    log_in,
    page_body,
    post_callback,
)

from dashboard import figures, township
from dashboard.app import create_app
from dashboard.render import png_size, stop_renderer
from indicators import engine
from indicators.trends import year_figures, year_periods
from store import Store
from zhibiao.tables import indicator_table


@pytest.fixture(scope="module", autouse=True)
def _renderer():
    yield
    stop_renderer()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("township")
    url = f"sqlite:///{tmp / 'zhibiao.db'}"
    store = filled_store(url)
    try:
        values = store.values()
        table = indicator_table(store, "2025-03", "ytd")
        years = year_figures(values, "2025-03", "ytd", total="青川县")
    finally:
        store.dispose()
    return {"url": url, "tmp": tmp, "values": values, "table": table, "years": years}


# --- the months ----------------------------------------------------------------------------------


def test_the_two_statistical_years_of_a_period():
    assert year_periods("2025-03") == {
        "this": ["2025-01", "2025-02", "2025-03"],
        "last": [f"2024-{m:02d}" for m in range(1, 13)],
    }
    # a year starting in October: 2025-03 is the 6th month of 2024-10..2025-09
    found = year_periods("2025-03", 10)
    assert found["this"] == ["2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03"]
    assert found["last"][0] == "2023-10" and found["last"][-1] == "2024-09"


def test_every_month_is_the_indicator_table_of_that_month(sample):
    years, values = sample["years"], sample["values"]
    assert sorted(set(years["period"])) == [
        "2024-01",
        "2024-02",
        "2024-03",
        "2025-01",
        "2025-02",
        "2025-03",
    ]
    for period in ("2024-02", "2025-02", "2025-03"):
        table = engine.compute(values, period, "ytd", county="青川县")
        mine = years[years["period"] == period]
        merged = mine.merge(
            table[table["indicator"] != "composite"][["area", "indicator", "value"]],
            left_on=["area", "indicator"],
            right_on=["area", "indicator"],
            suffixes=("", "_table"),
        )
        assert len(merged) == len(mine) == 16 * 19  # 15 townships and the county, 19 indicators
        same = (merged["value"] == merged["value_table"]) | (
            merged["value"].isna() & merged["value_table"].isna()
        )
        assert same.all(), merged[~same].head()
    county = years[(years["period"] == "2025-03") & years["is_total"]]
    births = county[county["indicator"] == "births"].iloc[0]
    assert (births["value"], births["n_areas"], births["year"], births["month"]) == (
        874.0,
        15,
        "this",
        3,
    )


def test_a_count_is_drawn_against_the_per_township_average(sample):
    info = figures.indicator_info("births", "zh")
    lines = township.year_lines(sample["years"], "白河镇", "births", info)
    table = sample["table"]
    own = table[(table["area"] == "白河镇") & (table["indicator"] == "births")]["value"].iloc[0]
    assert lines["this"][3] == own == 79.0
    assert lines["county"][3] == pytest.approx(874 / 15)  # not the county's 874
    assert sorted(lines["last"]) == [1, 2, 3]  # 2024 has January to March only
    rate = township.year_lines(
        sample["years"], "白河镇", "compliance", figures.indicator_info("compliance", "zh")
    )
    county = table[table["is_total"] & (table["indicator"] == "compliance")]["value"].iloc[0]
    assert rate["county"][3] == county  # a rate against the county's rate


def test_a_month_without_data_breaks_the_line(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'gap.db'}"
    store = Store(url)
    store.create()
    store.save_upload(county_result(2024, range(1, 4)), user="ana")
    store.save_upload(county_result(2025, range(3, 4)), user="ana")  # only March of 2025
    years = year_figures(store.values(), "2025-03", "ytd", total="青川县")
    store.dispose()
    info = figures.indicator_info("births", "zh")
    lines = township.year_lines(years, "白河镇", "births", info)
    assert list(lines["this"]) == [3] and sorted(lines["last"]) == [1, 2, 3]
    fig = figures.area_charts(
        {"births": lines},
        "白河镇",
        "zh",
        month_labels=township.month_labels(1, "zh"),
        year_labels={"this": "2025年", "last": "2024年"},
    )
    this = next(tr for tr in fig["data"] if tr["name"] == "2025年")
    assert this["x"] == [1, 2, 3] and this["y"][:2] == [None, None]
    last = next(tr for tr in fig["data"] if tr["name"] == "2024年")
    assert last["x"] == list(range(1, 13)) and last["y"][3:] == [None] * 9
    assert all(tr["connectgaps"] is False for tr in fig["data"])
    # each year its own line over months 1–12: the x axis is the month, never the period
    assert fig["layout"]["xaxis"]["range"] == [0.5, 12.5]
    assert fig["layout"]["xaxis"]["ticktext"] == ["1月", "3月", "6月", "9月", "12月"]


# --- which township, and its table ---------------------------------------------------------------


def _statuses(rows: dict[str, list[str | None]]) -> pd.DataFrame:
    records = [{"area": "全县", "is_total": True, "order": 0, "indicator": "x0", "status": "red"}]
    for order, (area, statuses) in enumerate(rows.items(), start=1):
        for i, status in enumerate(statuses):
            records.append(
                {
                    "area": area,
                    "is_total": False,
                    "order": order,
                    "indicator": f"x{i}",
                    "status": status,
                }
            )
    return pd.DataFrame(records)


def test_the_page_opens_on_the_township_that_needs_attention():
    table = _statuses(
        {
            "甲镇": ["amber"] + ["watch"] * 5,
            "乙乡": ["red", "green", None],
            "丙镇": ["watch", "watch"],
            "丁镇": ["amber"] + ["watch"] * 6 + ["grey"],
        }
    )
    # one red outweighs any ambers; then ambers; then watches; then the report's order
    assert township.attention_order(table) == ["乙乡", "丁镇", "甲镇", "丙镇"]
    assert township.attention_area(table) == "乙乡"


def test_the_table_answers_how_the_township_is_doing(sample):
    rows = {r["indicator"]: r for r in township.area_rows(sample["table"], "白河镇", "zh")}
    births = rows["births"]
    assert (births["value"], births["county"]) == ("79人", "乡镇平均 58.3（全县 874 ÷ 15）")
    table = sample["table"]
    srb = table[(table["area"] == "白河镇") & (table["indicator"] == "srb")].iloc[0]
    row = rows["srb"]
    assert row["value"] == f"{srb['value']:.2f}"
    assert row["status_text"] == "△ 待观察"
    ranked = int(table[(table["indicator"] == "srb") & ~table["is_total"]]["rank"].notna().sum())
    assert row["rank"] == (
        f"{int(srb['rank'])} / {ranked}（{int(srb['rank_low'])}–{int(srb['rank_high'])}）"
    )
    assert row["interval"] == f"{srb['low95']:.2f}–{srb['high95']:.2f}"
    # the change on last year as a signed number with its unit, no word of direction
    # the change on last year as a signed number with its unit, and the word of its test:
    # 显著上升 / 显著下降 only where the table's test says so, else 基本持平
    number = f"{'+' if srb['change'] > 0 else '−'}{abs(srb['change']):.2f}"
    assert srb["change_dir"] == "flat" and row["change"] == f"{number}，基本持平"
    for key, found in rows.items():
        figure = table[(table["area"] == "白河镇") & (table["indicator"] == key)].iloc[0]
        direction = figure.get("change_dir")
        up_or_down = "显著上升" in found["change"] or "显著下降" in found["change"]
        assert up_or_down == (direction in ("up", "down")), (key, found["change"], direction)
    assert "个百分点" in rows["compliance"]["change"]
    assert rows["composite"]["rank"].startswith(f"{rows['composite']['rank'].split()[0]} / 15")


# --- the page and its picture --------------------------------------------------------------------


def _render(client, search: str) -> str:
    response = post_callback(client, page_body("/area", search))
    assert response.status_code == 200
    return json.dumps(response.json, ensure_ascii=False)


def test_the_page_without_a_township_opens_on_the_worst(sample):
    app = create_app(app_config(sample["tmp"], sample["url"]))
    client = app.server.test_client()
    log_in(client, "ana")
    worst = township.attention_area(sample["table"])
    body = _render(client, "?period=2025-03")
    assert f'"data-area": "{worst}"' in body
    assert "未指定乡镇时，先显示最需要关注的乡镇" in body
    chosen = _render(client, "?period=2025-03&area=金竹乡&indicator=srb")
    assert '"data-area": "金竹乡"' in chosen
    assert '"className": "area-row row-' in chosen and ' chosen", "data-indicator": "srb"' in chosen


def test_the_page_png_is_the_table_and_every_chart_in_one_picture(sample):
    app = create_app(app_config(sample["tmp"], sample["url"]))
    client = app.server.test_client()
    log_in(client, "ana")
    response = client.get("/download/png?period=2025-03&basis=ytd&chart=area&area=白河镇")
    assert response.status_code == 200
    width, height = png_size(response.data)
    rows = township.area_rows(sample["table"], "白河镇", "zh")
    charts = len(rows) - 1  # every indicator with a value but the composite
    assert charts == 19
    expected = (
        figures.trend.HEAD_ROOM
        + 40  # the bottom margin
        + figures.trend.TABLE_HEAD_HEIGHT
        + figures.trend.TABLE_ROW_HEIGHT * len(rows)
        + 30
        + figures.trend.CHART_ROW_HEIGHT * -(-charts // 3)
    )
    assert (width, height) == (3200, 2 * expected)


# --- the trend over the last periods, the change's interval -------------------------------------


def _two_townships() -> pd.DataFrame:
    """Six single months (2024-01..06) of 100 births in two townships; 甲乡's boys rise 40,
    45, …, 65, 乙乡's stay at 52, 50, 53, 52, 51, 53."""
    boys = {"甲乡": [40, 45, 50, 55, 60, 65], "乙乡": [52, 50, 53, 52, 51, 53]}
    rows = [
        {"area": area, "is_total": False, "period": f"2024-{m:02d}", "basis": "month",
         "field": field, "value": float(v), "sheet": "", "cell": "", "row": 0}
        for area, series in boys.items()
        for m, b in enumerate(series, start=1)
        for field, v in (("births", 100), ("births_male", b), ("births_female", 100 - b))
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_the_trend_column_says_up_or_no_change_with_its_p():
    from indicators.trend import area_trends
    from zhibiao.config import Settings

    values = _two_townships()
    settings = Settings(year_start_month=1)
    table = engine.compute(values, "2024-06", "month", settings=settings, county="全县")
    trends = area_trends(values, "2024-06", "month", settings=settings, total="全县")
    rows = {
        area: {r["indicator"]: r for r in township.area_rows(table, area, "zh", trends=trends)}
        for area in ("甲乡", "乙乡")
    }
    # 甲乡, boys of 100 over Feb–Jun 45 … 65: T = 50, Var T = 0.55 × 0.45 × 1000 = 247.5,
    # χ² = 2500/247.5 = 10.10, P = 0.0015 (χ² on 1 df) < 0.002: 上升
    up = rows["甲乡"]["srb"]
    assert up["trend"] == "上升（P = 0.0015）"
    assert up["trend_title"] == (
        "χ² 趋势检验：2024年2月 至 2024年6月 共 5 期单月数据，χ² = 10.10，P = 0.0015；"
        "99.8% 水平显著（P < 0.002）才称上升或下降"
    )
    # 乙乡 50, 53, 52, 51, 53: T = 4, Var T = 0.518 × 0.482 × 1000 = 249.68, χ² = 0.064, P = 0.80
    assert rows["乙乡"]["srb"]["trend"] == "无显著变化（P = 0.8002）"
    en = {r["indicator"]: r for r in township.area_rows(table, "乙乡", "en", trends=trends)}
    assert en["srb"]["trend"] == "No significant change (P = 0.8002)"
    # births, a count: 100 each month, no change; the composite is not tested
    assert rows["甲乡"]["births"]["trend"] == "无显著变化（P = 1.0000）"
    assert rows["甲乡"]["composite"]["trend"] == ""
    # up to April: four months, too few
    early = area_trends(values, "2024-04", "month", settings=settings, total="全县")
    april = engine.compute(values, "2024-04", "month", settings=settings, county="全县")
    row = {r["indicator"]: r for r in township.area_rows(april, "甲乡", "zh", trends=early)}
    assert row["srb"]["trend"] == "期数不足（4 期）"
    assert row["srb"]["trend_title"] == "只有 4 期单月数据，至少 5 期才作趋势检验"


def test_the_page_shows_the_trend_column_and_the_change_s_interval(sample):
    from dashboard.figures.style import change_interval_text
    from indicators.trend import area_trends

    app = create_app(app_config(sample["tmp"], sample["url"]))
    client = app.server.test_client()
    log_in(client, "ana")
    body = _render(client, "?period=2025-03&basis=ytd&area=白河镇")
    assert '{"children": "近期趋势"}' in body and '{"children": "比上年同期"}' in body
    # the trend of single months: the last five of the six stored (2024-01..03, 2025-01..03)
    trends = area_trends(sample["values"], "2025-03", "month", total="青川县")
    mine = trends[(trends["area"] == "白河镇") & (trends["indicator"] == "srb")].iloc[0]
    assert mine["periods"] == ("2024-02", "2024-03", "2025-01", "2025-02", "2025-03")
    cell, title = township.trend_texts(mine.to_dict(), "zh")
    assert cell.split("（")[0] in ("上升", "下降", "无显著变化")
    assert title.startswith("χ² 趋势检验：2024年2月 至 2025年3月 共 5 期单月数据")
    assert f'"children": "{cell}", "className": null, "title": "{title}"' in body
    # the change cell carries its interval and p on hover
    table = sample["table"]
    srb = table[(table["area"] == "白河镇") & (table["indicator"] == "srb")].iloc[0]
    interval = change_interval_text(srb, figures.indicator_info("srb", "zh"), "zh")
    low, high = f"{srb['change_low']:.2f}", f"{srb['change_high']:.2f}"
    assert interval.startswith(f"变化的95%区间 {low} 至 {high}，P ")
    assert f'"title": "{interval}"' in body
    # the same trend column in English
    english = _render(client, "?period=2025-03&basis=ytd&area=白河镇&lang=en")
    assert '{"children": "Trend"}' in english
