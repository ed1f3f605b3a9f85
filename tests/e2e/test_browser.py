"""The dashboard in a real Chromium against the real server (gunicorn, two workers).

One server for the module over a store of the sample county (2024-01..03, 2025-01..03). The
tests run in order: the pages first, then the uploads that add 2025-04.
"""

from __future__ import annotations

import base64
import re
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from e2e.conftest import login, post_callback, settle, shot
from store import Store
from zhibiao.samples import write_samples

pytestmark = pytest.mark.browser

BAD_CSV = "青川县2025年1-4月出生统计\n乡镇,出生人数,男,女\n城关镇,10,6,5\n白河镇,-3,0,0\n东湖街道,8,4,4\n合计,15,10,9\n"


@pytest.fixture(scope="module")
def analyst(browser, server):
    page = login(browser, server, "ana")
    yield page
    page.context.close()


def county(table, indicator: str) -> float:
    rows = table[table["is_total"] & (table["indicator"] == indicator)]
    return float(rows["value"].iloc[0])


def choose(page, name: str, option: str) -> None:
    """Pick `option` in the URL-bound select `name` (a Mantine select)."""
    page.locator(f".control-{name} input").first.click()
    page.get_by_role("option", name=option, exact=True).click()


def test_overview_shows_the_county_figures(analyst, server, table):
    analyst.goto(server.base + "/?period=2025-03")
    analyst.wait_for_selector("#card-births")
    settle(analyst)
    assert analyst.title() == "总览 · 乡镇指标看板"
    births = analyst.locator("#card-births .card-value").inner_text()
    assert float(births) == county(table, "births") == 874.0
    srb = analyst.locator("#card-srb .card-value").inner_text()
    assert srb == f"{county(table, 'srb'):.2f}" == "108.59"
    assert "待观察" in analyst.locator("[data-indicator=srb] .status-badge").inner_text()
    # counted from the table by the exact tests (docs/statistics.md): no red or amber figure,
    # 38 watch items, which the overview counts but does not list
    assert (
        "显著异常 0 项,需关注 0 项,待观察 38 项" in analyst.locator(".page-overview").inner_text()
    )
    assert analyst.locator(".warning-item").count() == 0
    assert "数据来源:青川县2025年1-3月.xlsx" in analyst.locator("#data-source").inner_text()
    shot(analyst, "overview")


def test_rankings_follow_the_indicator_and_period_in_the_url(analyst, server):
    analyst.goto(server.base + "/rankings?period=2025-03")
    analyst.wait_for_selector("#ranking-chart .main-svg")
    settle(analyst)
    assert analyst.locator(".page-rankings").get_attribute("data-indicator") == "srb"
    title = analyst.locator("#ranking-chart .gtitle").first.text_content()
    assert title.startswith("出生人口性别比")
    assert analyst.locator("#scorecard .ag-row").count() >= 10
    assert analyst.locator("#scorecard .ag-cell.status-watch").count() > 0
    # the composite score says when a township cannot be told apart from the next (≈)
    scores = analyst.locator("#scorecard .ag-row .ag-cell[col-id=composite]").all_inner_texts()
    assert any(text.endswith(" ≈") for text in scores)
    shot(analyst, "rankings")

    choose(analyst, "indicator", "政策符合率")
    analyst.wait_for_url(re.compile(r".*indicator=compliance.*"))
    analyst.wait_for_selector(".page-rankings[data-indicator=compliance]")
    settle(analyst)
    assert analyst.locator("#ranking-chart .gtitle").first.text_content().startswith("政策符合率")
    assert "period=2025-03" in analyst.url

    choose(analyst, "period", "2025年2月")
    analyst.wait_for_url(re.compile(r".*period=2025-02.*"))
    analyst.wait_for_function(
        "() => document.querySelector('.page-sub').innerText.startsWith('2025年2月')"
    )
    assert "indicator=compliance" in analyst.url
    assert "2025年2月" in analyst.locator("#ranking-chart .gtitle-subtitle").first.text_content()


def test_warnings_area_funnel_brief(analyst, server, table):
    # by default red and amber only (none in the sample county); the watch items are a count
    # with a switch that lists them
    analyst.goto(server.base + "/warnings?period=2025-03")
    analyst.wait_for_selector("#warnings-empty")
    settle(analyst)
    assert int(table["status"].isin(["red", "amber"]).sum()) == 0
    assert analyst.locator("#warnings-count").inner_text() == "共 0 项"
    assert analyst.locator("#watch-count").inner_text().startswith("另有待观察 38 项")
    analyst.locator("#watch-switch").click()
    analyst.wait_for_selector("#warnings-table")
    settle(analyst)
    n = int((table["status"] == "watch").sum())
    assert analyst.locator("#warnings-table tbody tr").count() == n == 38
    assert analyst.locator("#warnings-count").inner_text() == "共 38 项"
    assert "watch=1" in analyst.url
    shot(analyst, "warnings")

    analyst.goto(server.base + "/area?period=2025-03&area=白河镇")
    analyst.wait_for_selector("#area-charts .main-svg")
    settle(analyst)
    assert "白河镇" in analyst.locator("#area-charts .gtitle").first.text_content()
    shot(analyst, "area")

    analyst.goto(server.base + "/funnel?period=2025-03")
    analyst.wait_for_selector("#funnel-chart .main-svg")
    settle(analyst)
    shot(analyst, "funnel")

    analyst.goto(server.base + "/brief?period=2025-03")
    analyst.wait_for_selector("#brief-text")
    settle(analyst)
    assert "青川县" in analyst.locator("#brief-text").inner_text()
    shot(analyst, "brief")


def test_presentation_view_and_english(analyst, server):
    analyst.goto(server.base + "/rankings?period=2025-03&present=1")
    analyst.wait_for_selector("#ranking-chart .main-svg")
    settle(analyst)
    assert analyst.locator(".app-header").count() == 0
    assert analyst.locator(".controls").count() == 0
    shot(analyst, "present")
    analyst.goto(server.base + "/?period=2025-03&lang=en")
    analyst.wait_for_selector("#card-births")
    assert analyst.title() == "Overview · Township indicator dashboard"
    assert analyst.locator("#nav").inner_text().split()[:2] == ["Overview", "Rankings"]
    analyst.goto(server.base + "/?lang=zh")
    analyst.wait_for_selector("#card-births")


def test_downloads_png_and_pptx(analyst, server):
    png = analyst.request.get(
        server.base + "/download/png?period=2025-03&basis=ytd&chart=ranking&indicator=srb"
    )
    assert png.status == 200
    data = png.body()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (3200, 1800)
    pptx = analyst.request.get(server.base + "/download/pptx?period=2025-03&basis=ytd")
    assert pptx.status == 200
    with zipfile.ZipFile(BytesIO(pptx.body())) as z:
        slides = [n for n in z.namelist() if re.match(r"ppt/slides/slide\d+\.xml$", n)]
        assert len(slides) >= 3
        assert "青川县" in "".join(z.read(s).decode("utf-8") for s in slides)


def test_a_bad_workbook_shows_its_cells_and_stores_nothing(analyst, server, tmp_path: Path):
    bad = tmp_path / "坏表.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    analyst.goto(server.base + "/upload")
    analyst.wait_for_selector("#upload-file")
    analyst.set_input_files("#upload-file input[type=file]", str(bad))
    analyst.wait_for_selector("#upload-errors", timeout=60_000)
    errors = analyst.locator("#upload-errors li").all_inner_texts()
    # 4 in the file itself, 12 year-to-date figures smaller than the stored 2025-03
    assert len(errors) == 16
    assert (
        "坏表.csv：B3 出生人数 10：城关镇“出生人数”2025-04 累计数 10 小于上月（2025-03）累计数 150。"
        in errors
    )
    assert (
        errors[0]
        == "坏表.csv：B4 出生人数 -3：白河镇的“出生人数”为负数，人数和金额不能为负，已拒收。"
    )
    assert (
        errors[1]
        == "坏表.csv：B3 出生人数 10 ≠ C3 男 6 + D3 女 5 = 11（城关镇）：请核对 B3、C3、D3"
    )
    assert analyst.locator("#upload-confirm").is_disabled()
    shot(analyst, "upload-errors")
    store = Store(server.db_url)
    try:
        assert len(store.uploads()) == 2
        assert "2025-04" not in store.periods()
    finally:
        store.dispose()


def test_a_good_workbook_is_stored_and_appears_in_the_history(analyst, server, tmp_path: Path):
    april = next(p for p in write_samples(tmp_path / "s") if "2025年1-4月" in p.name)
    analyst.goto(server.base + "/upload")
    analyst.wait_for_selector("#upload-file")
    analyst.set_input_files("#upload-file input[type=file]", str(april))
    analyst.wait_for_selector("#upload-verdict", timeout=60_000)
    assert analyst.locator("#upload-verdict").inner_text() == "检查通过,可以保存。"
    assert "2025-04" in analyst.locator(".preview-facts").inner_text()
    assert "共 15 个" in analyst.locator(".preview-facts").inner_text()
    shot(analyst, "upload")
    analyst.click("#upload-confirm")
    analyst.wait_for_selector("#upload-outcome", timeout=60_000)
    assert analyst.locator("#upload-outcome").inner_text().startswith("已保存:第 3 次上传")
    first_row = analyst.locator("#history-table tbody tr").first.inner_text()
    assert april.name in first_row and "2025-04" in first_row and "ana" in first_row
    store = Store(server.db_url)
    try:
        assert [u["periods"] for u in store.uploads()][0] == ["2025-04"]
        assert store.periods()[-1] == "2025-04"
    finally:
        store.dispose()


def test_a_viewer_replaying_the_upload_is_refused_on_the_server(browser, server, tmp_path: Path):
    april = next(p for p in write_samples(tmp_path / "s") if "2025年1-4月" in p.name)
    viewer = login(browser, server, "vic")
    try:
        assert viewer.locator("#nav").inner_text().count("上传") == 0
        contents = "data:;base64," + base64.b64encode(april.read_bytes()).decode()
        response = post_callback(
            viewer,
            server,
            "upload-result",
            {
                "upload-confirm.n_clicks": 1,
                "upload-file.contents": contents,
                "upload-file.filename": "replay.xlsx",
                "upload-lang.data": "zh",
                "session-user.data": "ana",
            },
        )
        assert response.status == 403
        store = Store(server.db_url)
        try:
            assert len(store.uploads()) == 3
            assert all(u["file"] != "replay.xlsx" for u in store.uploads())
        finally:
            store.dispose()
    finally:
        viewer.context.close()


# --- layout checks: both languages, a projector, print -------------------------------------------

OVERLAP_JS = """(sel) => {
  const boxes = [...document.querySelectorAll(sel + ' .barlayer .point path')]
    .filter(p => p.style.fillOpacity !== '0')  // not the clear bars carrying the labels
    .map(p => p.getBoundingClientRect()).filter(b => b.width > 0 && b.height > 0);
  const labels = [...document.querySelectorAll(sel + ' .annotation, ' + sel + ' .bartext')]
    .map(a => ({text: a.textContent, box: a.getBoundingClientRect()}));
  const hit = (a, b) => a.left < b.right - 1 && b.left < a.right - 1
    && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const over = [];
  for (const l of labels) for (const b of boxes) if (hit(l.box, b)) over.push(l.text);
  return {bars: boxes.length, labels: labels.map(l => l.text), over};
}"""

WIDE_JS = """() => [...document.querySelectorAll('.page *')]
  .filter(e => !e.closest('.ag-root-wrapper'))  // the scorecard scrolls inside itself
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(e => e.className || e.tagName).slice(0, 5)"""


@pytest.mark.parametrize(
    ("lang", "title"), [("zh", "下载图表为PNG格式"), ("en", "Download plot as a PNG")]
)
def test_modebar_tooltips_speak_the_users_language(analyst, server, lang, title):
    analyst.goto(server.base + f"/rankings?period=2025-03&lang={lang}")
    analyst.wait_for_selector("#ranking-chart .main-svg")
    settle(analyst)
    analyst.hover("#ranking-chart .main-svg")
    camera = analyst.locator("#ranking-chart .modebar-btn").first
    camera.hover()
    assert camera.get_attribute("data-title") == title


@pytest.mark.parametrize("size", [(1600, 900), (1280, 720)])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_label_over_a_bar_and_nothing_wider_than_the_screen(analyst, server, lang, size):
    analyst.set_viewport_size({"width": size[0], "height": size[1]})
    try:
        for indicator in ("srb", "compliance"):
            analyst.goto(
                server.base + f"/rankings?period=2025-03&indicator={indicator}&lang={lang}"
            )
            analyst.wait_for_selector("#ranking-chart .main-svg")
            settle(analyst)
            found = analyst.evaluate(OVERLAP_JS, "#ranking-chart")
            assert found["bars"] == 15
            assert any(text.startswith("青川县") for text in found["labels"])
            assert found["over"] == []
        if size == (1280, 720):
            shot(analyst, f"rankings-1280-{lang}")
        for path in ("/", "/rankings", "/warnings", "/area", "/funnel", "/brief", "/upload"):
            analyst.goto(server.base + f"{path}?period=2025-03&lang={lang}")
            analyst.wait_for_selector(".page-head")
            settle(analyst)
            assert analyst.evaluate(WIDE_JS) == [], path
    finally:
        analyst.set_viewport_size({"width": 1600, "height": 900})


def test_english_pages_and_the_printed_presentation_view(analyst, server, tmp_path: Path):
    for path, name in (("/", "overview-en"), ("/funnel", "funnel-en"), ("/upload", "upload-en")):
        analyst.goto(server.base + f"{path}?period=2025-03&lang=en")
        analyst.wait_for_selector(".page-head")
        settle(analyst)
        shot(analyst, name)
    analyst.goto(server.base + "/rankings?period=2025-03&present=1&lang=zh")
    analyst.wait_for_selector("#ranking-chart .main-svg")
    settle(analyst)
    analyst.emulate_media(media="print")
    try:
        pdf = analyst.pdf(format="A4", landscape=True, print_background=True)
        assert pdf[:5] == b"%PDF-"
        # a slide a page: the chart alone on its A4 page, with the pager to the scorecard
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
        assert analyst.locator(".app-header").count() == 0
        assert analyst.locator("#present-pager .pager-count").text_content() == "1 / 2"
        shot(analyst, "present-print")
        analyst.goto(server.base + "/rankings?period=2025-03&present=1&lang=zh&slide=2")
        analyst.wait_for_selector("#scorecard .ag-row")
        settle(analyst)
        pdf = analyst.pdf(format="A4", landscape=True, print_background=True)
        # the scorecard's slide, whole (sixteen rows: the county and its fifteen townships), on
        # the A4 pages it needs; the screen's 16:9 fit is test_meeting_views' concern
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) in (1, 2)
        assert analyst.locator("#scorecard .ag-center-cols-container .ag-row").count() == 16
        assert analyst.locator("#ranking-chart").count() == 0
        analyst.goto(server.base + "/?period=2025-03&present=1&lang=zh")
        analyst.wait_for_selector("#card-births")
        settle(analyst)
        pdf = analyst.pdf(format="A4", landscape=True, print_background=True)
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # the overview on one page
    finally:
        analyst.emulate_media(media="screen")


# --- accounts ------------------------------------------------------------------------------------


def test_the_admin_adds_an_account_that_can_then_log_in(browser, server):
    admin = login(browser, server, "adm")
    try:
        assert admin.locator("#nav").inner_text().split()[-1] == "账号"
        admin.goto(server.base + "/admin")
        admin.wait_for_selector("#admin-accounts .ag-row")
        settle(admin)
        assert admin.title() == "账号 · 乡镇指标看板"
        assert admin.locator("#admin-accounts .ag-row").count() == 3
        admin.fill("#admin-new-name", "zhou")
        admin.locator(".control-new-role input").first.click()
        admin.get_by_role("option", name="分析", exact=True).click()
        admin.fill("#admin-new-password", "zhou-pw-2025")
        admin.fill("#admin-new-again", "zhou-pw-2025")
        admin.click("#admin-add")
        admin.wait_for_selector("#admin-add-outcome")
        assert admin.locator("#admin-add-outcome").inner_text() == "已创建账号 zhou（分析）。"
        admin.wait_for_selector("#admin-accounts .ag-row[row-id=zhou]")
        row = admin.locator("#admin-accounts .ag-row[row-id=zhou]").first.inner_text()
        assert "分析" in row and "启用" in row
        assert "管理员新建账号" in admin.locator("#audit-table tbody tr").first.inner_text()
        settle(admin)
        shot(admin, "admin")
    finally:
        admin.context.close()
    store = Store(server.db_url)
    try:
        assert store.get_user("zhou")["role"] == "analyst"
    finally:
        store.dispose()
    ctx = browser.new_context(viewport={"width": 1600, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(server.base + "/login")
        page.fill("#username", "zhou")
        page.fill("#password", "zhou-pw-2025")
        page.click("button[type=submit]")
        page.wait_for_url(server.base + "/")
        page.wait_for_selector("#nav")
        assert "zhou(分析)" in page.locator(".user-name").inner_text()
        assert "账号" not in page.locator("#nav").inner_text()
    finally:
        ctx.close()
