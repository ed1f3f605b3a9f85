"""The rankings page of a province: 1,500 townships in Chromium, on the real server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dashboard_fixtures import add_many_areas

from .conftest import Server, login, shot, start_server, stop_server

VIEW = "?period=2025-10&basis=ytd&indicator=compliance"
#: The bars the chart draws: the catalog's ranking_ends (10) best and 10 worst.
ENDS = 20
#: Main bars (not the clear ones carrying the labels) and the rows the grid has drawn.
COUNT_JS = """() => ({
  bars: [...document.querySelectorAll('#ranking-chart .barlayer .point path')]
    .filter(p => p.style.fillOpacity !== '0')  // not the clear bars carrying the labels
    .map(p => p.getBoundingClientRect()).filter(b => b.width > 0 && b.height > 0).length,
  ticks: [...document.querySelectorAll('#ranking-chart .ytick text')].map(t => t.textContent),
  rows: document.querySelectorAll('#ranking-grid .ag-center-cols-container .ag-row').length,
})"""


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    started = start_server(tmp_path_factory.mktemp("province"))
    try:
        add_many_areas(started.db_url, 1500)
        yield started
    finally:
        stop_server(started)


def test_rankings_of_1500_townships_draws_the_ends_and_finds_any_township(browser, province):
    page = login(browser, province, "ana")
    try:
        page.goto(province.base + "/rankings" + VIEW)
        page.wait_for_selector("#ranking-chart .barlayer .point path", timeout=180_000)
        page.wait_for_selector("#ranking-grid .ag-row", timeout=60_000)
        found = page.evaluate(COUNT_JS)
        assert found["bars"] == ENDS
        assert found["ticks"][0] == "1  第000镇" and "⋯" in found["ticks"]
        # the grid holds all 1,500 and draws only the rows in view
        assert 0 < found["rows"] < 200
        assert page.locator("#ranking-ends").inner_text().startswith("共 1500 个乡镇")
        shot(page, "rankings-1500")

        # township 742 (compliance 58, the 43rd of each hundred) is found and put in view
        page.locator(".control-area input").first.fill("第742镇")
        page.get_by_role("option", name="第742镇", exact=False).first.click()
        page.wait_for_url("**area=*", timeout=30_000)
        page.wait_for_selector("#ranking-found", timeout=120_000)
        page.wait_for_function(
            "() => document.querySelectorAll('#ranking-chart .ytick text').length > 21"
        )
        found = page.evaluate(COUNT_JS)
        assert found["bars"] == ENDS + 1
        text = page.locator("#ranking-found").inner_text()
        assert text.startswith("第742镇:58.00,排名:第")
        assert any("第742镇" in tick for tick in found["ticks"])
        shot(page, "rankings-1500-search")
    finally:
        page.context.close()
