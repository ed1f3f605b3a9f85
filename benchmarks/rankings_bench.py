"""The rankings page at scale: its callback on the server, and its first load in Chromium.

- rankings callback: the page router's callback for /rankings (POSTed as the browser does,
  logged in, the indicator table already computed and cached by a first request), its JSON
  answer included / the same bar chart built in one plotly pass and `to_json`
  (`floors.ranking_figure`); `drawn`: the page drawn again each time (the kept pages emptied;
  the table and the scorecard's rows stay kept), `kept`: the page a worker keeps, as every
  request after the first gets it.
- rankings page in Chromium: the real server (gunicorn) over the same store, the time from
  asking for /rankings to a drawn bar chart, table cached / the floor figure as a static
  plotly page opened from disk in the same browser.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))

import floors  # noqa: E402
from dashboard_fixtures import PASSWORDS, log_in, page_body, post_callback  # noqa: E402

PERIOD = "2025-10"
INDICATOR = "srb"
SEARCH = f"?period={PERIOD}&basis=ytd&indicator={INDICATOR}"
#: Seconds the browser waits for a chart before the step is written down as not drawn.
BROWSER_SECONDS = 200


def rankings_rows(scale: str, work: Any, folder: Path, repeat: int, row: Callable) -> list:
    from run import timed

    from dashboard.app import create_app
    from dashboard.cache import TableCache
    from dashboard.state import PAGE_LIMIT
    from zhibiao.tables import indicator_table

    db = folder / "table.db"
    url = f"sqlite:///{db}"
    store = work.fill(url, ["2024-10", "2025-10"]) if not db.exists() else None
    if store is not None:
        store.dispose()
    app = create_app({"db_url": url, "secret_key": "bench-secret-0123456789abcdef"})
    app_store = app.server.extensions["zhibiao"].store
    if app_store.get_user("ana") is None:
        app_store.add_user("ana", "analyst", PASSWORDS["ana"])
    client = app.server.test_client()
    log_in(client, "ana")
    body = page_body("/rankings", SEARCH)

    def callback() -> int:
        response = post_callback(client, body)
        if response.status_code != 200:
            raise RuntimeError(f"rankings callback: {response.status_code}")
        return len(response.data)

    callback()  # computes and caches the table
    table = indicator_table(app_store, PERIOD, "ytd")
    app_state = app.server.extensions["zhibiao"]

    def drawn() -> int:
        app_state.pages = TableCache(PAGE_LIMIT)  # the page drawn again (its rows are kept)
        return callback()

    got = timed(drawn, repeat)
    kept = timed(callback, repeat)
    base = timed(lambda: len(floors.ranking_figure(table, INDICATOR)), repeat)
    out = [
        row(scale, "rankings callback, drawn", got[:2], base[:2], bytes=got[2]),
        row(scale, "rankings callback, kept", kept[:2], base[:2], bytes=kept[2]),
    ]
    out += browser_rows(scale, url, folder, table, row)
    return out


def browser_rows(scale: str, url: str, folder: Path, table: Any, row: Callable) -> list:
    """The first load of the rankings page in Chromium / of a static page of the floor figure."""
    try:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        from playwright.sync_api import sync_playwright
    except ImportError:
        return []
    from e2e.conftest import (
        CHROMIUM,
        CHROMIUM_ARGS,
        Server,
        free_port,
        login,
        stop_server,
        wait_for,
    )

    port = free_port()
    log = folder / "server.log"
    code = f"from dashboard.server import serve; serve('127.0.0.1', {port}, {url!r}, workers=1)"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", url, proc, log)
    static = folder / "floor.html"
    static.write_text(floors.ranking_html(table, INDICATOR), encoding="utf-8")
    # drawn: the chart has its bar paths (not "the first path visible": a sex ratio of exactly
    # 105 is a bar of no length from the 105 the bars start at, and never visible)
    chart = "() => document.querySelectorAll('#ranking-chart .bars path').length > 0"
    floor_chart = "() => document.querySelectorAll('.js-plotly-plot .bars path').length > 0"
    wait = BROWSER_SECONDS * 1000
    try:
        wait_for(f"{server.base}/login", proc, log)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = login(browser, server, "ana")
            mine, drawn = float(BROWSER_SECONDS), False
            try:
                page.goto(f"{server.base}/rankings{SEARCH}")  # the table is computed, cached
                page.wait_for_function(chart, timeout=wait)
                t0 = time.perf_counter()
                page.goto(f"{server.base}/rankings{SEARCH}")
                page.wait_for_function(chart, timeout=wait)
                mine, drawn = time.perf_counter() - t0, True
            except PlaywrightTimeout:
                page = login(browser, server, "ana")
            # as the app's page: the second load is timed (40,000 bars take minutes to load)
            page.goto(static.as_uri(), timeout=wait)
            page.wait_for_function(floor_chart, timeout=wait)
            t0 = time.perf_counter()
            page.reload(timeout=wait)
            page.wait_for_function(floor_chart, timeout=wait)
            floor = time.perf_counter() - t0
            browser.close()
    finally:
        stop_server(server)
    step = "rankings page in Chromium (wall)"
    return [row(scale, step, (mine, mine), (floor, floor), drawn=drawn)]
