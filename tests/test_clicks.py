"""Click-through to the township page: a bar, a funnel point, a scorecard row, a warning, each
with the same period, basis, language and the indicator it was about."""

from __future__ import annotations

import json

import pytest
from dashboard_fixtures import (
    app_config,
    callback_body,
    filled_store,
    log_in,
    page_body,
    post_callback,
    sample_table,
)

from dashboard import clicks
from dashboard.app import create_app
from indicators.warnings import warning_rows
from zhibiao.vocabulary import WARNING_STATUSES

SEARCH = "?period=2025-02&basis=month&indicator=srb&lang=en&present=1"


def test_the_href_keeps_period_basis_language_and_names_area_and_indicator():
    href = clicks.area_href(SEARCH, "白河镇", "compliance")
    assert href == (
        "/area?period=2025-02&basis=month&indicator=compliance&area=%E7%99%BD%E6%B2%B3%E9%95%87"
        "&lang=en"
    )


def test_what_a_click_names():
    bar = {"points": [{"y": "白河镇", "x": 3.2, "customdata": 108.2}]}
    assert clicks.clicked_area(bar) == "白河镇"
    point = {"points": [{"x": 79, "y": 107.9, "customdata": "金竹乡"}]}
    assert clicks.clicked_area(point) == "金竹乡"
    line = {"points": [{"x": 40, "y": 150.0}]}  # a limit line: no township
    assert clicks.clicked_area(line) is None
    assert clicks.clicked_area(None) is None
    # names are drawn as plotly text, with entities: the click names the township itself
    assert clicks.clicked_area({"points": [{"y": "A&amp;B镇"}]}) == "A&B镇"
    cell = {"rowId": "白河镇", "colId": "fee_coverage", "value": 80.0}
    assert clicks.scorecard_target(cell, "srb") == ("白河镇", "fee_coverage")
    assert clicks.scorecard_target({"rowId": "白河镇", "colId": "area"}, "srb") == ("白河镇", "srb")
    county = {"rowId": clicks.COUNTY_ROW + "青川县", "colId": "srb"}
    assert clicks.scorecard_target(county, "srb") is None


#: The sample county's store of the module (set by the client fixture).
SAMPLE = ""


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    global SAMPLE
    tmp = tmp_path_factory.mktemp("clicks")
    url = f"sqlite:///{tmp / 'zhibiao.db'}"
    SAMPLE = f"sqlite:///{tmp / 'sample.db'}"
    filled_store(url).dispose()
    app = create_app(app_config(tmp, url))
    c = app.server.test_client()
    log_in(c, "vic")  # a viewer may click through: it changes nothing
    return c


def _href(client, source: str, values: dict) -> str:
    """POST the callback fed by component `source` with `values`; the href it answers."""
    deps = client.get("/_dash-dependencies").json
    spec = next(
        d
        for d in deps
        if any(i["id"] == source for i in d["inputs"]) and "url.pathname" in d["output"]
    )
    response = post_callback(client, callback_body(spec, values))
    assert response.status_code == 200, response.text
    found = response.json["response"]["url"]
    return found["pathname"] + found["search"]


def test_a_bar_a_point_and_a_scorecard_row_lead_to_the_township(client):
    search = "?period=2025-03&basis=ytd&indicator=compliance"
    bar = _href(
        client,
        "ranking-chart",
        {
            "ranking-chart.clickData": {"points": [{"y": "双河乡"}]},
            f"{clicks.RANKINGS_INDICATOR}.data": "compliance",
            "url.search": search,
        },
    )
    assert (
        bar
        == "/area?period=2025-03&basis=ytd&indicator=compliance&area=%E5%8F%8C%E6%B2%B3%E4%B9%A1"
    )
    point = _href(
        client,
        "funnel-chart",
        {
            "funnel-chart.clickData": {"points": [{"customdata": "马鞍镇"}]},
            f"{clicks.FUNNEL_INDICATOR}.data": "srb",
            "url.search": "?period=2025-03",
        },
    )
    assert point == "/area?period=2025-03&indicator=srb&area=%E9%A9%AC%E9%9E%8D%E9%95%87"
    row = _href(
        client,
        "scorecard",
        {
            "scorecard.cellClicked": {"rowId": "木鱼乡", "colId": "fee_coverage"},
            f"{clicks.RANKINGS_INDICATOR}.data": "srb",
            "url.search": search,
        },
    )
    assert row.startswith("/area?period=2025-03&basis=ytd&indicator=fee_coverage&area=")


def test_the_warnings_and_the_overview_link_each_township_to_its_page(client):
    def render(path: str, search: str) -> str:
        response = post_callback(client, page_body(path, search))
        return json.dumps(response.json, ensure_ascii=False)

    warnings = render("/warnings", "?period=2025-03&indicator=fee_coverage&watch=1")
    assert warnings.count('"className": "area-link"') == 3  # four warnings, one the county's
    link = "/area?period=2025-03&basis=ytd&indicator=fee_coverage&area=%E5%9F%8E%E5%85%B3%E9%95%87"
    assert f'"href": "{link}&lang=zh", "className": "area-link"' in warnings
    # the overview lists red and amber (none in the sample county): its list, given the county's
    # warning and three townships', links the townships and leaves the county's as text
    from dashboard.pages.overview import warning_list  # the page module, once the app exists

    every = warning_rows(sample_table(SAMPLE), "zh", statuses=WARNING_STATUSES)
    rows = [r for r in every if r["is_total"]][:1] + [r for r in every if not r["is_total"]][:3]
    shown = json.dumps(warning_list(rows, "zh", "?period=2025-03").to_plotly_json(), default=str)
    assert shown.count("area-link") == 3
