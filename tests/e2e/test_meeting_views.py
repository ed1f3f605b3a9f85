"""What leaders and analysts see, in Chromium against the real server: the township page, the
click-through (and Back), the presentation view on one 16:9 screen, the upload verdict, the
reporting status and the definitions; a screenshot of every page at 1366×768 and 1920×1080 in
both languages (docs/screenshots/ with ZHIBIAO_SCREENSHOTS=1)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from dashboard import township
from e2e.conftest import login, shot
from store import Store

pytestmark = pytest.mark.browser

SIZES = [(1366, 768), (1920, 1080)]
#: Three inconsistencies an analyst may accept: boys + girls ≠ births in three rows (the total
#: row adds up, and no figure is smaller than the stored 2025-03's year to date).
THREE = (
    "青川县2025年1-4月出生统计\n乡镇,出生人数,男,女\n城关镇,400,200,202\n白河镇,300,150,149\n"
    "东湖街道,300,150,149\n合计,1000,500,500\n"
)


@pytest.fixture(scope="module")
def analyst(browser, server):
    page = login(browser, server, "ana")
    yield page
    page.context.close()


def settle(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")


def open_page(page, server, path: str, ready: str) -> None:
    page.goto(server.base + path)
    page.wait_for_selector(ready, timeout=60_000)
    settle(page)


# --- the township page ---------------------------------------------------------------------------


def test_the_township_page_opens_on_the_one_that_needs_attention(analyst, server, table):
    worst = township.attention_area(table)
    open_page(analyst, server, "/area?period=2025-03", "#area-charts .main-svg")
    assert analyst.locator(".page-area").get_attribute("data-area") == worst
    rows = analyst.locator("#area-table tbody tr")
    assert rows.count() == len(township.area_rows(table, worst, "zh")) == 20
    births = analyst.locator("#area-table tr[data-indicator=births] td").all_inner_texts()
    county = table[table["is_total"] & (table["indicator"] == "births")]["value"].iloc[0]
    assert births[-1] == f"乡镇平均 {county / 15:.1f}（全县 {county:.0f} ÷ 15）"
    # every chart drawn: 19 indicators with a value, each with this year's line
    assert analyst.locator("#area-charts .cartesianlayer .subplot").count() == 19
    text = analyst.locator("#area-charts .legendtext").all_text_contents()
    assert text == ["2024年", "全县（总量指标为乡镇平均）", "2025年"]


def test_the_township_png_is_the_whole_page(analyst, server):
    response = analyst.request.get(
        server.base + f"/download/png?period=2025-03&basis=ytd&chart=area&area={quote('白河镇')}"
    )
    assert response.status == 200
    data = response.body()
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width == 3200 and height > 2 * 2000  # the table and 19 charts, not one chart


# --- click-through -------------------------------------------------------------------------------


def click_on(page, element) -> None:
    """Click the middle of a chart's bar or point (plotly's drag layer lies over them)."""
    page.wait_for_timeout(1000)  # plotly binds its events once the chart is drawn
    box = element.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.wait_for_timeout(200)
    page.mouse.click(x, y)


def test_a_bar_leads_to_the_township_and_back_returns(analyst, server):
    open_page(
        analyst,
        server,
        "/rankings?period=2025-03&indicator=compliance",
        "#ranking-chart .bars path",
    )
    click_on(analyst, analyst.locator("#ranking-chart .bars path").first)
    analyst.wait_for_url(
        re.compile(r".*/area\?period=2025-03&basis=ytd&indicator=compliance&area=.*")
    )
    analyst.wait_for_selector("#area-table tr.chosen")
    assert analyst.locator("#area-table tr.chosen").get_attribute("data-indicator") == "compliance"
    analyst.go_back()
    analyst.wait_for_url(
        re.compile(r".*/rankings\?period=2025-03(&basis=ytd)?&indicator=compliance$")
    )
    analyst.wait_for_selector("#ranking-chart .bars path")


def test_a_funnel_point_a_scorecard_row_and_a_warning_lead_there_too(analyst, server):
    open_page(analyst, server, "/funnel?period=2025-03&indicator=srb", "#funnel-chart .points path")
    click_on(analyst, analyst.locator("#funnel-chart .scatterlayer .points path").last)
    analyst.wait_for_url(re.compile(r".*/area\?.*indicator=srb&area=.*"))
    analyst.go_back()
    analyst.wait_for_url(re.compile(r".*/funnel\?period=2025-03(&basis=ytd)?&indicator=srb$"))

    open_page(analyst, server, "/rankings?period=2025-03", "#scorecard .ag-row")
    row = analyst.locator("#scorecard .ag-center-cols-container .ag-row[row-index='3']")
    row.locator("[col-id=fee_coverage]").click()
    analyst.wait_for_url(
        re.compile(r".*/area\?period=2025-03(&basis=ytd)?&indicator=fee_coverage&area=.*")
    )

    open_page(analyst, server, "/warnings?period=2025-03&watch=1", "#warnings-table")
    link = analyst.locator("#warnings-table a.area-link").first
    name = link.inner_text()
    link.click()
    analyst.wait_for_url(re.compile(r".*/area\?.*area=" + re.escape(quote(name)) + ".*"))
    analyst.wait_for_selector(f".page-area[data-area='{name}']")


# --- presentation view ---------------------------------------------------------------------------

PRESENTED = [
    ("/", 2),
    ("/rankings", 2),
    ("/warnings?watch=1&", 5),  # 38 warnings with the watch ones, eight a slide
    ("/area", 5),  # the table, then 19 charts six a slide
    ("/funnel", 1),
    ("/brief", 1),
]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_each_slide_of_the_presentation_view_fits_one_screen(analyst, server, size):
    analyst.set_viewport_size({"width": size[0], "height": size[1]})
    try:
        for path, slides in PRESENTED:
            for number in range(1, slides + 1):
                sep = "" if path.endswith("&") else "?"
                url = f"{path}{sep}period=2025-03&present=1&slide={number}"
                open_page(analyst, server, url, ".page-title")
                analyst.wait_for_timeout(300)
                height = analyst.evaluate("document.documentElement.scrollHeight")
                width = analyst.evaluate("document.documentElement.scrollWidth")
                assert (width, height) == size, url
                pager = analyst.locator("#present-pager .pager-count")
                if slides > 1:
                    assert pager.inner_text() == f"{number} / {slides}", url
                else:
                    assert pager.count() == 0
                if number == 1:
                    name = path.split("?")[0].strip("/") or "overview"
                    shot(analyst, f"present-{name}-{size[0]}x{size[1]}")
    finally:
        analyst.set_viewport_size({"width": 1600, "height": 900})


# --- the upload page -----------------------------------------------------------------------------


def test_inconsistencies_are_one_verdict_and_the_button_says_what_it_does(
    analyst, server, tmp_path: Path
):
    csv = tmp_path / "三项不一致.csv"
    csv.write_text(THREE, encoding="utf-8")
    open_page(analyst, server, "/upload", "#upload-file")
    analyst.set_input_files("#upload-file input[type=file]", str(csv))
    analyst.wait_for_selector("#upload-verdict", timeout=60_000)
    verdict = analyst.locator("#upload-verdict").inner_text()
    assert verdict.startswith("发现 3 项不一致（见上，可以接受）")
    assert "检查通过" not in analyst.locator(".preview").inner_text()
    errors = analyst.locator("#upload-errors li").all_inner_texts()
    assert errors[0] == (
        "三项不一致.csv：B3 出生人数 400 ≠ C3 男 200 + D3 女 202 = 402（城关镇）：请核对 B3、C3、D3"
    )
    button = analyst.locator("#upload-confirm")
    assert button.inner_text() == "接受 3 项不一致并保存" and button.is_disabled()
    shot(analyst, "upload-verdict")
    analyst.locator("#upload-accept").check()
    analyst.wait_for_function("() => !document.querySelector('#upload-confirm').disabled")
    button.click()
    analyst.wait_for_selector("#upload-outcome", timeout=60_000)
    assert analyst.locator("#upload-outcome").inner_text() == (
        "已保存:第 3 次上传,三项不一致.csv,统计期 2025-04。"
    )
    store = Store(server.db_url)
    try:
        latest = store.uploads()[0]
        assert (latest["file"], latest["accepted_inconsistent"]) == ("三项不一致.csv", True)
    finally:
        store.dispose()


def test_the_upload_page_shows_the_reporting_status(analyst, server):
    open_page(analyst, server, "/upload?period=2025-03", "#reporting-table")
    assert analyst.locator("#reporting-table tbody tr").count() == 15
    summary = analyst.locator("#reporting-summary").inner_text()
    assert summary.startswith("已报 15 / 15 个乡镇")
    header = analyst.locator("#reporting-table thead th").all_inner_texts()
    assert header[3:] == [f"{m}月" for m in range(1, 13)]


# --- definitions ---------------------------------------------------------------------------------


def test_the_definition_opens_under_the_chart(analyst, server):
    open_page(
        analyst, server, "/rankings?period=2025-03&indicator=compliance", "#definition-compliance"
    )
    panel = analyst.locator("#definition-compliance")
    panel.locator("summary").click()
    text = panel.inner_text()
    assert "计算方法" in text and "(出生人数 − 政策外出生) ÷ 出生人数 × 100" in text
    assert "标准来源" in text and "精确二项（Clopper–Pearson） 95% 与 99.8% 区间" in text


# --- screenshots ---------------------------------------------------------------------------------

PAGES = [
    ("overview", "/?period=2025-03", "#key-cards"),
    ("rankings", "/rankings?period=2025-03", "#ranking-chart .main-svg"),
    ("warnings", "/warnings?period=2025-03&watch=1", "#warnings-table"),
    ("area", "/area?period=2025-03", "#area-charts .main-svg"),
    ("funnel", "/funnel?period=2025-03", "#funnel-chart .main-svg"),
    ("upload", "/upload?period=2025-03", "#reporting-table"),
    ("brief", "/brief?period=2025-03", "#brief-text"),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_page_at_both_sizes_in_both_languages(analyst, server, lang, size):
    analyst.set_viewport_size({"width": size[0], "height": size[1]})
    try:
        for name, path, ready in PAGES:
            open_page(analyst, server, f"{path}&lang={lang}", ready)
            width = analyst.evaluate("document.documentElement.scrollWidth")
            assert width == size[0], (name, width)  # nothing wider than the screen
            shot(analyst, f"{name}-{lang}-{size[0]}x{size[1]}")
    finally:
        analyst.set_viewport_size({"width": 1600, "height": 900})
