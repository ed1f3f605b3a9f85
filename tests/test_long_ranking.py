"""The rankings page of many townships (more than the catalog's view_max_areas, 60): the best
and the worst on the chart, a search box over all of them, the full ranking in a grid."""

from __future__ import annotations

import json

import pytest
from dashboard_fixtures import add_many_areas, app_config, csrf, filled_store, log_in, page_body

from dashboard import views
from dashboard.app import create_app
from indicators.catalog import load_catalog
from zhibiao.tables import indicator_table

VIEW = "?period=2025-10&basis=ytd&indicator=compliance"


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("many")
    url = f"sqlite:///{tmp / 'zhibiao.db'}"
    filled_store(url).dispose()
    add_many_areas(url, 100)
    app = create_app(app_config(tmp, url))
    client = app.server.test_client()
    log_in(client, "ana")
    return app, client, url


def page(client, search: str) -> dict:
    response = client.post(
        "/_dash-update-component",
        json=page_body("/rankings", search),
        headers={"X-CSRFToken": csrf(client)},
    )
    assert response.status_code == 200, response.text
    return response.json


def find(node, wanted_id):
    """The component with `wanted_id` in a rendered layout (depth first), or None."""
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == wanted_id:
            return node
        for value in node.values():
            got = find(value, wanted_id)
            if got is not None:
                return got
    elif isinstance(node, list):
        for value in node:
            got = find(value, wanted_id)
            if got is not None:
                return got
    return None


def test_the_chart_draws_the_best_and_the_worst_ten_and_the_grid_all_hundred(many):
    _, client, _ = many
    body = page(client, VIEW)
    figure = find(body, "ranking-chart")["props"]["figure"]
    bars = figure["data"][0]
    # township i has compliance 100 − i: 第000镇 is first, 第099镇 last
    assert bars["y"] == [f"第{i:03d}镇" for i in [*range(10), *range(90, 100)]]
    ticks = figure["layout"]["yaxis"]["ticktext"]
    assert ticks[:2] == ["1  第000镇", "2  第001镇"] and ticks[10] == "⋯"
    assert ticks[-1] == "100  第099镇"
    grid = find(body, "ranking-grid")["props"]
    assert len(grid["rowData"]) == 100
    assert [r["rank"] for r in grid["rowData"][:3]] == [1, 2, 3]
    assert grid["rowData"][49]["area"] == "第049镇" and grid["rowData"][49][
        "value_text"
    ].startswith("51.00")
    ends = find(body, "ranking-ends")["props"]["children"]
    assert ends.startswith("共 100 个乡镇")
    search = find(body, {"type": "q", "name": "area"})["props"]
    assert len(search["data"]) == 100 and search["data"][42]["label"] == "43 第042镇"


def test_a_searched_township_is_put_in_view_with_its_rank_and_interval(many):
    _, client, url = many
    body = page(client, VIEW + "&area=第042镇")
    figure = find(body, "ranking-chart")["props"]["figure"]
    names = figure["data"][0]["y"]
    assert len(names) == 21 and names[10] == "第042镇"
    assert "<b>43  第042镇</b>" in figure["layout"]["yaxis"]["ticktext"]
    found = find(body, "ranking-found")["props"]["children"]
    table = indicator_table(_store(url), "2025-10", "ytd")
    row = table[(table["area"] == "第042镇") & (table["indicator"] == "compliance")].iloc[0]
    assert found == (f"第042镇:58.00,排名:第43名(95%区间 第{row['rank_low']}–{row['rank_high']}名)")
    assert int(row["rank_low"]) <= 43 <= int(row["rank_high"])


def test_a_short_list_keeps_the_whole_chart(many):
    _, client, _ = many
    body = page(client, "?period=2025-03&basis=ytd&indicator=compliance")
    assert len(find(body, "ranking-chart")["props"]["figure"]["data"][0]["y"]) == 15
    assert find(body, "ranking-grid") is None and find(body, "ranking-ends") is None
    assert json.dumps(body).count("ranking-found") == 0


def test_chart_ends_never_repeat_an_area():
    names = [f"a{i}" for i in range(25)]
    assert views.chart_ends(names, 10, "a12") == names[:10] + names[-10:] + ["a12"]
    assert views.chart_ends(names, 10, "a3") == names[:10] + names[-10:]
    assert views.chart_ends(names[:15], 10, None) == names[:15]
    assert load_catalog().setting("view_max_areas") == 60


def _store(url: str):
    from store import Store

    return Store(url)
