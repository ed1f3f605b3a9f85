"""The scope of a two-level table in the browser (issue 11: every page can group or filter by
the parent): the 范围 control, chosen by keyboard alone, draws the parents' bars, then one
parent's townships against it; the page passes axe-core with the control on it.

The store is the sample county's plus a city's table of 2026-03 (`test_area_parents.TWO_LEVELS`
with its title moved to that month and county): two parents, each above three townships."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_area_parents import TWO_LEVELS
from workbooks import write_xlsx

from e2e.conftest import Server, login, start_server, stop_server
from e2e.test_accessibility import open_page, pick_next_option, scan
from zhibiao.cli import main

pytestmark = pytest.mark.slow

SCOPE = '{"name":"scope","type":"q"}'


def add_two_levels(db: Path) -> None:
    rows = [list(r) for r in TWO_LEVELS]
    rows[0][0] = "青川县2026年3月各乡镇出生人数"  # the sample county's own database
    path = write_xlsx(db.parent / "青川县2026年3月.xlsx", rows)
    # six townships the county never reported: taken in knowingly, as an administrator would
    args = ["ingest", str(path), "--db", f"sqlite:///{db}", "--accept-inconsistent"]
    assert main(args) == 0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    started = start_server(tmp_path_factory.mktemp("levels"), prepare=add_two_levels)
    try:
        yield started
    finally:
        stop_server(started)


def bar_names(page) -> list[str]:
    """The names on the ranking chart's category axis, top to bottom as drawn."""
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('#ranking-chart .ytick text'))"
        ".map(t => t.textContent)"
    )


def test_the_scope_is_chosen_by_keyboard_and_redraws_the_ranking(browser, server):
    page = login(browser, server, "vic")
    try:
        open_page(page, server, "/rankings", "period=2026-03&basis=month&indicator=srb&lang=zh")
        assert "东山县城关镇" in " ".join(bar_names(page))
        assert scan(page) == []
        control = page.locator(f"[id='{SCOPE}']")
        assert control.input_value() == "全部乡镇"
        control.focus()
        pick_next_option(page)  # after 全部乡镇 comes 按上级汇总
        page.wait_for_url(re.compile(r".*scope=parents.*"))
        page.wait_for_function(f"() => document.activeElement.id === {SCOPE!r}")
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('#ranking-chart .ytick text'))"
            ".every(t => !t.textContent.includes('镇') && !t.textContent.includes('乡'))"
        )
        names = " ".join(bar_names(page))
        assert "东山县" in names and "西河县" in names
        assert control.input_value() == "按上级汇总"
        assert scan(page) == []

        pick_next_option(page)  # then 东山县所辖
        page.wait_for_url(re.compile(r".*scope=in%3A.*"))
        page.wait_for_function(
            "() => document.querySelector('#ranking-chart') !== null && "
            "Array.from(document.querySelectorAll('#ranking-chart .ytick text'))"
            ".some(t => t.textContent.includes('东山县城关镇'))"
        )
        names = " ".join(bar_names(page))
        assert "西河县" not in names
        assert control.input_value() == "东山县所辖"
        # the navigation carries the scope to the next page
        href = page.locator("a.nav-link[href^='/warnings']").get_attribute("href")
        assert "scope=in%3A" in href
    finally:
        page.context.close()
