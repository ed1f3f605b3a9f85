"""The rankings page of many townships (more than the catalog's view_max_areas, 60): the best
and the worst on the chart, a search box over all of them, the full ranking in a grid."""

from __future__ import annotations

import json

import pytest
from dashboard_fixtures import (
    add_many_areas,
    app_config,
    callback_body,
    callback_spec,
    csrf,
    filled_store,
    log_in,
    page_body,
)

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
    # the grids hold no rows in the page: they ask for the rows in view
    grid = find(body, "ranking-grid")["props"]
    assert grid["rowModelType"] == "infinite" and "rowData" not in grid
    assert find(body, "scorecard")["props"]["rowModelType"] == "infinite"
    ends = find(body, "ranking-ends")["props"]["children"]
    assert ends.startswith("共 100 个乡镇")
    search = find(body, {"type": "q", "name": "area"})["props"]
    assert len(search["data"]) == 100 and search["data"][42]["label"] == "43 第042镇"


def rows_asked(client, grid: str, start: int, end: int, sort: list | None = None) -> dict:
    """The block of rows `grid` gets when it asks, scrolled to `start`, from the rankings page."""
    spec = callback_spec(client, f"{grid}.getRowsResponse")
    request = {"startRow": start, "endRow": end, "sortModel": sort or []}
    body = callback_body(spec, {f"{grid}.getRowsRequest": request})
    response = client.post(
        "/_dash-update-component",
        json=body,
        headers={"X-CSRFToken": csrf(client), "Referer": f"http://localhost/rankings{VIEW}"},
    )
    assert response.status_code == 200, response.text
    return response.json["response"][grid]["getRowsResponse"]


def test_the_grids_get_the_rows_in_view_a_block_at_a_time(many):
    _, client, _ = many
    block = rows_asked(client, "ranking-grid", 0, 100)
    assert block["rowCount"] == 100 and len(block["rowData"]) == 100
    assert [r["rank"] for r in block["rowData"][:3]] == [1, 2, 3]
    row = block["rowData"][49]
    assert (row["area"], row["value_text"][:5]) == ("第049镇", "51.00")
    # sorted as the grid asks: by value, lowest first
    low = rows_asked(client, "ranking-grid", 0, 2, [{"colId": "value", "sort": "asc"}])
    assert [r["area"] for r in low["rowData"]] == ["第099镇", "第098镇"]
    # the scorecard of 2025-10: the county first, then the 100 townships
    card = rows_asked(client, "scorecard", 100, 200)
    assert card["rowCount"] == 101 and len(card["rowData"]) == 1
    first = rows_asked(client, "scorecard", 0, 1)["rowData"][0]
    assert first["area"] == "青川县" and first["rank"] is None


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
