"""Accessibility (WCAG 2.1 AA, GB/T 37668-2019) in a real Chromium against the real server.

axe-core (fetched from the npm registry by `make axe`, into tests/e2e/vendor/) scans every page
for every role in both languages and in the presentation view: no critical or serious violation,
one main landmark, all content in landmarks. The keyboard alone walks the upload path and the
view controls: a visible focus ring at every stop, the focus kept on a control after its change.
Each chart carries a name, a summary and a table of its figures that the keyboard opens.

One server for the module over a store of the sample county (2024-01..03, 2025-01..03). The
tests run in order; the upload, last, adds 2025-05.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from e2e.conftest import REPO, login, settle, shot

pytestmark = pytest.mark.browser

VENDOR = REPO / "tests" / "e2e" / "vendor"
PAGES = ("/", "/rankings", "/warnings", "/area", "/funnel", "/brief", "/upload", "/admin")
#: Pages that draw charts: wait for the first to be drawn before a scan.
CHART_PAGES = {"/rankings": "#ranking-chart", "/area": "#area-charts", "/funnel": "#funnel-chart"}
#: axe rules that fail a page whatever their impact (best practices the issue names).
ALWAYS = {"landmark-one-main", "region"}
#: A workbook with one inconsistency an analyst may accept: 城关镇 births 10 ≠ boys 6 + girls 5.
ACCEPTABLE_CSV = (
    "青川县2025年5月出生统计\n乡镇,出生人数,男,女\n城关镇,10,6,5\n白河镇,8,4,4\n东湖街道,8,4,4\n"
)

#: The element that shows where the focus is, and how: the focused element itself, else the
#: nearest of its three ancestors or its label that draws a ring (the upload zone around its
#: file input, the label of a segmented control's hidden radio). A ring counts when it is a solid
#: outline of 2px or more, or a box shadow, on an element that is seen (opacity over 0.5).
FOCUS_RING_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const seen = (e) => {
    const box = e.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return false;
    let opacity = 1;
    for (let n = e; n; n = n.parentElement) opacity *= parseFloat(getComputedStyle(n).opacity);
    return opacity > 0.5;
  };
  const ring = (e) => {
    const cs = getComputedStyle(e);
    const outline = cs.outlineStyle === 'solid' && parseFloat(cs.outlineWidth) >= 2;
    return outline || cs.boxShadow !== 'none';
  };
  const label = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null;
  const candidates = [el, label, el.parentElement, el.parentElement?.parentElement,
                      el.parentElement?.parentElement?.parentElement].filter(Boolean);
  for (const c of candidates) {
    if (seen(c) && ring(c)) {
      const cs = getComputedStyle(c);
      return {focused: el.id || el.tagName, ring: c.className.toString() || c.tagName,
              outline: `${cs.outlineWidth} ${cs.outlineStyle}`, shadow: cs.boxShadow};
    }
  }
  return {focused: el.id || el.tagName, ring: null};
}"""


#: The text of the focused element, trimmed.
ACTIVE_TEXT = "() => document.activeElement.textContent.trim()"


def axe_file() -> Path:
    found = sorted(VENDOR.glob("axe-core-*.min.js"))
    if not found:
        pytest.fail("axe-core is not installed: run `make axe` (make test does)")
    return found[-1]


def scan(page) -> list[str]:
    """axe-core over the page as it is: the violations that fail it, as 'rule (impact): nodes'."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # through the DevTools protocol: the app's CSP refuses an injected <script>
        page.evaluate(axe_file().read_text(encoding="utf-8"))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    assert result["testEngine"]["version"].startswith("4.")
    # the scan looked at the page: the rules that passed are many, not none
    assert len(result["passes"]) >= 15
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in ("critical", "serious") or v["id"] in ALWAYS
    ]


def open_page(page, server, path: str, query: str) -> None:
    page.goto(f"{server.base}{path}?{query}")
    settle(page)
    if path == "/area" and "present=1" in query:  # its first slide is the table, no chart
        page.wait_for_selector("#area-table")
    elif path in CHART_PAGES:
        page.wait_for_selector(f"{CHART_PAGES[path]} .main-svg")
    page.wait_for_selector("main h1")


def focus_ring(page) -> dict:
    ring = page.evaluate(FOCUS_RING_JS)
    assert ring is not None, "the focus is on no control"
    assert ring["ring"] is not None, f"no visible focus on {ring['focused']}"
    return ring


def pick_next_option(page) -> None:
    """In the focused select: open its list (ArrowDown: no list opens on focus alone), go one
    option down from the chosen one, choose it (keys only)."""
    listbox = page.locator("[role=listbox]:visible")
    if listbox.count() == 0:
        page.keyboard.press("ArrowDown")
        listbox.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")


def test_the_login_page_has_no_violation(browser, server):
    for lang, html_lang in (("zh", "zh-CN"), ("en", "en")):
        ctx = browser.new_context()
        try:
            page = ctx.new_page()
            page.goto(f"{server.base}/login?lang={lang}")
            assert page.locator("html").get_attribute("lang") == html_lang
            assert page.locator("main.login-card h1").count() == 1
            assert scan(page) == []
        finally:
            ctx.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("user", ["vic", "ana", "adm"])
def test_every_page_passes_axe_for_each_role(browser, server, user, lang):
    page = login(browser, server, user)
    try:
        found = {}
        for path in PAGES:
            open_page(page, server, path, f"period=2025-03&lang={lang}")
            assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
            assert page.locator("main").count() == 1
            assert page.locator(".skip-link").get_attribute("href") == "#main"
            found[path] = scan(page)
        assert found == {path: [] for path in PAGES}
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_presentation_view_passes_axe(browser, server, lang):
    page = login(browser, server, "ana")
    try:
        found = {}
        for path in PAGES:
            open_page(page, server, path, f"period=2025-03&present=1&lang={lang}")
            assert page.locator(".app.present").count() == 1
            assert page.locator(".controls:visible").count() == 0
            found[path] = scan(page)
        assert found == {path: [] for path in PAGES}
        page.goto(f"{server.base}/?period=2025-03&present=1&lang={lang}")
        settle(page)
        shot(page, f"a11y-present-{lang}")
    finally:
        page.context.close()


def test_the_normal_badge_reads_white_on_dark_blue(browser, server):
    page = login(browser, server, "vic")
    try:
        open_page(page, server, "/", "period=2025-03")
        badges = page.locator(".key-card .status-badge")
        colours = page.evaluate(
            """() => [...document.querySelectorAll('.status-badge')].map(b => {
                 const cs = getComputedStyle(b);
                 return [b.className, b.textContent.trim(), cs.color, cs.backgroundColor]; })"""
        )
        green = [c for c in colours if "status-green" in c[0]]
        assert green and all(c[2:] == ["rgb(255, 255, 255)", "rgb(33, 102, 172)"] for c in green)
        assert all(c[1] for c in colours)  # no empty badge
        # one badge on every card with a status; the cards without one carry none
        assert badges.count() == page.locator(".key-card:not(.status-edge-none)").count()
    finally:
        page.context.close()


def test_the_focus_stays_on_a_view_control_after_its_change(browser, server):
    page = login(browser, server, "vic")
    try:
        open_page(page, server, "/rankings", "period=2025-03&lang=zh")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.className") == "skip-link"
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main"

        page.keyboard.press("Tab")
        period = '{"name":"period","type":"q"}'
        assert page.evaluate("() => document.activeElement.id") == period
        focus_ring(page)
        pick_next_option(page)  # the list opens on the chosen 2025年3月; the next is 2025年2月
        page.wait_for_url(re.compile(r".*period=2025-02.*"))
        page.wait_for_function(
            "() => document.querySelector('.page-sub').innerText.startsWith('2025年2月')"
        )
        page.wait_for_function(f"() => document.activeElement.id === {period!r}")
        assert page.locator(f"[id='{period}']").input_value() == "2025年2月"
        assert page.locator("[role=listbox]:visible").count() == 0  # given back, not opened
        focus_ring(page)

        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.value") == "ytd"
        assert "mantine-SegmentedControl-label" in focus_ring(page)["ring"]
        page.keyboard.press("ArrowRight")
        page.wait_for_url(re.compile(r".*basis=month.*"))
        page.wait_for_function(
            "() => document.querySelector('.page-sub').innerText.endsWith('当月')"
        )
        page.wait_for_function(
            "() => document.activeElement.value === 'month'"
            " && document.activeElement.closest('.control-basis') !== null"
        )
        focus_ring(page)

        page.keyboard.press("Tab")
        indicator = '{"name":"indicator","type":"q"}'
        assert page.evaluate("() => document.activeElement.id") == indicator
        pick_next_option(page)  # after 出生人口性别比 comes 一孩出生性别比
        page.wait_for_url(re.compile(r".*indicator=srb_order1.*"))
        page.wait_for_selector(".page-rankings[data-indicator=srb_order1]")
        page.wait_for_function(f"() => document.activeElement.id === {indicator!r}")
        assert page.locator("[role=listbox]:visible").count() == 0  # a searchable one too
        focus_ring(page)

        # the chart's toolbar is one stop; the next is the toggle of the chart's table
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.className") == "modebar-btn"
        focus_ring(page)
        page.keyboard.press("ArrowRight")
        assert page.evaluate("() => document.activeElement.className") == "modebar-btn active"
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
        focus_ring(page)

        # the scorecard: Tab enters its column headers, the arrows move between them, the
        # next Tab leaves the grid for the indicator's definition, then the downloads (AG Grid
        # alone sends it round the headers)
        page.keyboard.press("Tab")
        assert page.evaluate(ACTIVE_TEXT) == "排名"  # short, with 综合排名 on hover
        focus_ring(page)
        page.keyboard.press("ArrowRight")
        assert page.evaluate(ACTIVE_TEXT) == "乡镇"
        page.keyboard.press("Tab")
        assert page.evaluate(ACTIVE_TEXT) == "指标说明：一孩出生性别比"
        focus_ring(page)
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.id") == "download-png"
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        assert page.evaluate("() => document.activeElement.closest('#scorecard') !== null")
    finally:
        page.context.close()


def test_tab_leaves_the_accounts_grid_for_the_forms(browser, server):
    page = login(browser, server, "adm")
    try:
        open_page(page, server, "/admin", "lang=zh")
        page.locator("#admin-accounts .ag-header-cell").first.focus()
        assert page.evaluate(ACTIVE_TEXT) == "用户名"
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.id") == "admin-new-name"
        focus_ring(page)
    finally:
        page.context.close()


def test_every_chart_has_a_name_a_summary_and_a_table_the_keyboard_opens(browser, server, table):
    page = login(browser, server, "vic")
    try:
        open_page(page, server, "/rankings", "period=2025-03&indicator=srb&lang=zh")
        chart = page.locator("#ranking-chart-figure")
        assert chart.get_attribute("aria-label") == "出生人口性别比(女=100) 2025年3月(累计)"
        summary_id = chart.get_attribute("aria-describedby")
        srb = table[table["indicator"] == "srb"].set_index("area")
        assert (srb.loc["东湖街道", "rank"], srb.loc["东湖街道", "value"]) == (1, 104.0)
        assert (srb.loc["双河乡", "rank"], srb.loc["双河乡", "value"]) == (12, 129.41)
        # three townships are too small to judge (不评价): not ranked, after the twelve ranked
        unranked = sorted(srb.index[srb["rank"].isna() & ~srb["is_total"]])
        assert unranked == sorted(["龙潭乡", "茶坪乡", "木鱼乡"])
        assert page.locator(f"#{summary_id}").inner_text() == (
            "条形图:15 个乡镇按排名从好到差排列。最好:东湖街道 104.00;最差:双河乡 129.41。"
            "青川县 108.59。"
        )
        rows = page.locator("#ranking-chart-data tbody tr")
        assert not rows.first.is_visible()
        page.locator("#ranking-chart-data summary").focus()
        page.keyboard.press("Enter")
        assert rows.first.is_visible()
        assert rows.count() == 16  # 15 townships and the county
        assert rows.nth(11).inner_text().split("\t")[:3] == ["12", "双河乡", "129.41"]
        assert [rows.nth(i).inner_text().split("\t")[1] for i in (12, 13, 14)] == [
            "龙潭乡",
            "茶坪乡",
            "木鱼乡",
        ]
        assert rows.nth(15).inner_text().split("\t")[:3] == ["全县", "青川县", "108.59"]

        open_page(page, server, "/funnel", "period=2025-03&indicator=srb&lang=en")
        funnel = page.locator("#funnel-chart-figure")
        assert funnel.get_attribute("aria-label").startswith(
            "Sex ratio at birth (boys per 100 girls): funnel plot Limits: exact binomial"
        )
        assert "Highest: 双河乡 129.41" in page.locator("#funnel-chart-summary").inner_text()
        assert page.locator("#funnel-chart-data tbody tr").count() == 15

        open_page(page, server, "/area", "period=2025-03&area=白河镇&lang=zh")
        # the township's months as one figure of small charts, named, described and tabled
        charts = page.locator("#area-charts-figure")
        assert charts.get_attribute("aria-label") == "白河镇 逐月走势（本年与上年，与全县对比）"
        assert (
            page.locator("#area-charts-summary")
            .inner_text()
            .startswith(
                "折线图：白河镇的 19 项指标逐月走势，每项一小图：2025年（实线）、2024年（点线）"
            )
        )
        assert charts.locator("details summary").count() == 1
        births = page.locator("#area-charts-data tbody tr").filter(
            # the table is closed, so by its text, not by its role
            has=page.locator("th", has_text=re.compile(r"^出生人数$"))
        )
        assert births.count() == 3  # January to March, this year beside last year
        assert births.nth(0).text_content() == "出生人数1月26人34人22人"  # closed: text only
    finally:
        page.context.close()


def test_keyboard_alone_walks_the_upload_path(browser, server, tmp_path: Path):
    workbook = tmp_path / "质量.csv"
    workbook.write_text(ACCEPTABLE_CSV, encoding="utf-8")
    page = login(browser, server, "ana")
    # take over the file dialog now, not as Enter is pressed (on a busy machine that is too late)
    page.on("filechooser", lambda _chooser: None)
    try:
        open_page(page, server, "/upload", "lang=zh")
        stops = []
        for _ in range(20):
            page.keyboard.press("Tab")
            stops.append(focus_ring(page))
            if page.evaluate("() => document.activeElement.type") == "file":
                break
        # skip link, seven pages, the language, sign out, then the file input
        assert len(stops) == 11 and stops[-1]["ring"].startswith("upload-drop")
        assert stops[-1]["outline"] == "3px solid"
        name = page.evaluate(
            """() => { const i = document.activeElement;
                 return document.getElementById(i.getAttribute('aria-labelledby')).textContent; }"""
        )
        assert name == "把月报表拖到这里,或点击选择文件"

        with page.expect_file_chooser(timeout=60_000) as chooser:
            page.keyboard.press("Enter")
        chooser.value.set_files(str(workbook))
        page.wait_for_selector("#upload-verdict", timeout=60_000)
        assert "B3 出生人数 10 ≠ C3 男 6 + D3 女 5" in page.locator(".preview").inner_text()
        # the check disabled the input while it ran; the focus came back to it
        page.wait_for_function("() => document.activeElement.type === 'file'")
        assert focus_ring(page)["ring"].startswith("upload-drop")
        shot(page, "a11y-upload-preview")
        assert scan(page) == []

        for _ in range(5):
            page.keyboard.press("Tab")
            focus_ring(page)
            if page.evaluate("() => document.activeElement.id") == "upload-accept":
                break
        assert page.evaluate("() => document.activeElement.id") == "upload-accept"
        page.keyboard.press("Space")
        assert page.locator("#upload-accept").is_checked()
        # ticking it enables the button (a round trip to the server: wait for it, not the clock)
        page.wait_for_function("() => !document.getElementById('upload-confirm').disabled")
        assert page.evaluate("() => document.activeElement.id") == "upload-accept"
        assert focus_ring(page)["outline"] == "3px solid"

        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.id") == "upload-confirm"
        focus_ring(page)
        page.keyboard.press("Enter")
        page.wait_for_selector("#upload-outcome", timeout=60_000)
        assert page.locator("#upload-outcome").inner_text() == (
            "已保存:第 3 次上传,质量.csv,统计期 2025-05。"
        )
        # the stored upload disables the button: the focus goes to what was stored
        page.wait_for_function("() => document.activeElement.id === 'upload-result'")
        assert focus_ring(page)["ring"] is not None
        history = page.locator("#history-table tbody tr").first.inner_text()
        assert "质量.csv" in history and "2025-05" in history and "是" in history
        assert scan(page) == []
    finally:
        page.context.close()
