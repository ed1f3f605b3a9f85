"""The thread that keeps a worker's tables of the latest period ready (dashboard.warm): after
start and after each new upload, the latest period's year-to-date table is made before any
page asks for it, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time

from dashboard_fixtures import app_config, county_result, filled_store

from dashboard.app import create_app
from dashboard.state import state_of
from dashboard.warm import start_warming, warm


def table_keys(app_state) -> list[tuple]:
    keys = app_state.tables.keys()  # a snapshot (TableCache is not iterable)
    return [k for k in keys if isinstance(k, tuple) and k[0] == "table"]


def test_warming_makes_the_latest_periods_table_for_the_revision(tmp_path, db_url):
    filled_store(db_url).dispose()  # 2024-01..03 and 2025-01..03: the latest is 2025-03
    app_state = state_of(create_app(app_config(tmp_path, db_url)).server)
    assert table_keys(app_state) == []
    revision = warm(app_state)
    assert revision == app_state.store.revision() == 2
    assert table_keys(app_state) == [("table", "2025-03", "ytd", "all", 2)]
    # what a page then reads is the same table, not made again
    from dashboard.state import cached_table

    kept = cached_table(app_state, "2025-03", "ytd")
    assert kept is app_state.tables.get(("table", "2025-03", "ytd", "all", 2))
    births = kept[(kept["indicator"] == "births") & kept["is_total"]]["value"].item()
    assert births > 0


def test_a_new_upload_is_warmed_by_the_thread(tmp_path, db_url):
    store = filled_store(db_url)
    app_state = state_of(create_app(app_config(tmp_path, db_url)).server)
    stop = threading.Event()
    thread = start_warming(app_state, every=0.2, stop=stop)
    try:
        wait_for(lambda: ("table", "2025-03", "ytd", "all", 2) in table_keys(app_state))
        store.save_upload(county_result(2025, range(4, 5)), user="ana")  # another worker: 2025-04
        wait_for(lambda: ("table", "2025-04", "ytd", "all", 3) in table_keys(app_state))
    finally:
        stop.set()
        thread.join(5)
        store.dispose()
    assert not thread.is_alive()


def wait_for(check, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not warmed in time"
        time.sleep(0.1)
