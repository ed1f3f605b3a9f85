"""The figures made in one pass without plotly's property checks (`style.one_pass_figure`, or a
plain figure dict) are what plotly's checks make of them: each is built again with validation
and must give the same JSON, over the sample county's tables and the hand-made funnels of
tests/test_figures.py, in Chinese and English."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from dashboard_fixtures import filled_store
from figure_table import CATALOG

from dashboard import figures, township
from dashboard.views import funnel_indicators
from indicators.catalog import load_catalog
from indicators.funnel import funnel
from indicators.trends import year_figures
from zhibiao.tables import indicator_table

LANGS = ["zh", "en"]
BOLD = "<b>乙</b>镇 & 丙"


def assert_passes_checks(fig: go.Figure | dict[str, Any]) -> dict[str, Any]:
    """The figure as the browser gets it equals the same figure built with plotly's checks
    (which raise on a misspelt property or a wrong value); returns that JSON."""
    if isinstance(fig, go.Figure):
        sent = json.loads(fig.to_json())
        checked = go.Figure(fig.to_plotly_json())
    else:  # a dict goes to dcc.Graph and the renderer as it is, encoded without checks
        sent = json.loads(pio.to_json(fig, validate=False))
        checked = go.Figure(fig)
    assert json.loads(checked.to_json()) == sent
    assert sent["layout"]["template"]["layout"]["paper_bgcolor"] == "white"
    return sent


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The sample county (15 townships; 2024-01..03 and 2025-01..03) as the pages read it."""
    url = f"sqlite:///{tmp_path_factory.mktemp('one_pass') / 'zhibiao.db'}"
    store = filled_store(url)
    try:
        table = indicator_table(store, "2025-03", "ytd")
        years = year_figures(store.values(), "2025-03", "ytd", total="青川县")
    finally:
        store.dispose()
    return {"table": table, "years": years}


# --- the funnel ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_funnel_of_the_sample_county_passes_plotlys_checks(sample, lang):
    catalog = load_catalog()
    keys = [k for k in funnel_indicators(catalog) if k in set(sample["table"]["indicator"])]
    assert len(keys) == 14  # every funnel indicator of the catalog is in the sample's table
    kinds = set()
    for key in keys:
        drawn = funnel(sample["table"], key, catalog)
        sent = assert_passes_checks(figures.funnel_figure(drawn, key, lang, catalog=catalog))
        points = [tr for tr in sent["data"] if tr["mode"] != "lines"]
        assert sum(len(tr["customdata"]) for tr in points) == 15  # the 15 townships
        kinds.add(sent["layout"]["yaxis"]["type"])
    assert kinds == {"log", "linear"}  # the sex ratios on a log axis, the rest linear
    # a sex ratio's points with whole-number denominators (as counts come) and a name in markup
    drawn = funnel(sample["table"], "srb", catalog)
    points = drawn["points"].assign(denominator=drawn["points"]["denominator"].astype("int64"))
    points.loc[points.index[0], "area"] = BOLD
    fig = figures.funnel_figure({**drawn, "points": points}, "srb", lang, catalog=catalog)
    sent = assert_passes_checks(fig)
    assert any("乙&lt;/b&gt;镇 &amp; 丙" in str(tr.get("customdata")) for tr in sent["data"])


def _hand_made_funnels() -> list[tuple[str, dict[str, Any]]]:
    """Funnels like those of tests/test_figures.py: limits over four denominators and points of
    each warning status, a name with markup; 200 areas (WebGL, no names drawn); points
    without a status, limits or a county."""
    limits = pd.DataFrame(
        {
            "denominator": [40.0, 120.0, 300.0, 600.0],
            "low95": [78.0, 84.0, 88.0, 90.0],
            "high95": [99.0, 97.0, 95.5, 94.5],
            "low998": [66.0, 77.0, 84.5, 87.5],
            "high998": [100.0, 99.5, 97.5, 96.5],
        }
    )
    points = pd.DataFrame(
        {
            "area": ["东湖街道", "龙门镇", BOLD, "石桥乡"],
            "value": [96.5, 70.0, 83.0, 88.0],
            "denominator": [600.0, 120.0, 90.0, 45.0],
            "status": ["green", "red", "amber", "watch"],
        }
    )
    many = pd.DataFrame(
        {
            "area": [f"第{i:03d}镇" for i in range(200)],
            "value": [90.0 + i % 10 for i in range(200)],
            "denominator": [100.0 + i for i in range(200)],
            "status": ["red" if i % 50 == 0 else "green" for i in range(200)],
        }
    )
    return [
        ("compliance", {"centre": 88.4, "points": points, "limits": limits, "phi": 1.8}),
        ("compliance", {"centre": 95.0, "points": many, "limits": pd.DataFrame()}),
        ("compliance", {"points": points.drop(columns="status")}),
        ("compliance", {}),
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_the_hand_made_funnels_pass_plotlys_checks(lang):
    found = []
    for key, drawn in _hand_made_funnels():
        fig = figures.funnel_figure(drawn, key, lang, catalog=CATALOG)
        sent = assert_passes_checks(fig)
        found.append(([tr["type"] for tr in sent["data"]], sent["layout"].get("shapes", [])))
    # four limit lines and four status groups (red, amber, watch, green), the county line
    assert found[0][0] == ["scatter"] * 8 and found[0][1][0]["y0"] == 88.4
    assert found[1][0] == ["scattergl"] * 2  # 200 areas: red and green, drawn with WebGL
    assert found[2] == (["scatter"], [])  # one group of points, no county line
    assert found[3] == ([], [])


def test_the_funnel_county_line_is_what_add_hline_makes():
    drawn = _hand_made_funnels()[0][1]
    fig = figures.funnel_figure(drawn, "compliance", "zh", catalog=CATALOG)
    by_plotly = go.Figure()
    by_plotly.add_hline(
        y=88.4,
        line={"color": "#333333", "width": 2},
        annotation_text="全县 88.40",  # the county's value, to the catalog's 2 decimals
        annotation_position="top right",
        annotation_font={"size": 14},
    )
    made = json.loads(fig.to_json())["layout"]
    wanted = json.loads(by_plotly.to_json())["layout"]
    assert made["shapes"] == wanted["shapes"] and made["annotations"] == wanted["annotations"]


# --- the township's small charts -----------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_township_charts_and_picture_pass_plotlys_checks(sample, lang):
    table, years = sample["table"], sample["years"]
    area = township.attention_area(table)
    assert area is not None
    view = township.area_view(table, years, area, "2025-03", lang)
    labels = {"month_labels": view["months"], "year_labels": view["years"]}
    assert len(view["lines"]) == 19  # every indicator of the sample has months
    charts = figures.area_charts(view["lines"], area, lang, **labels)
    sent = assert_passes_checks(charts)
    assert sent["layout"]["xaxis19"]["anchor"] == "y19"
    picture = figures.area_charts(
        view["lines"], area, lang, **labels, table=township.picture_table(view["rows"], lang)
    )
    sent = assert_passes_checks(picture)
    rows = sent["data"][0]["cells"]["values"][0]
    assert sent["data"][0]["type"] == "table" and len(rows) == 20  # and the composite
    escaped = figures.area_charts(view["lines"], BOLD, lang, **labels, columns=2)
    assert assert_passes_checks(escaped)["layout"]["title"]["text"].startswith(
        "&lt;b&gt;乙&lt;/b&gt;镇 &amp; 丙"
    )
