"""The worker's table cache under threads: many threads reading, adding and evicting at once
never see "dictionary changed size during iteration", and each key keeps its own value."""

from __future__ import annotations

import sys
import threading
import time

import pytest
from dashboard_fixtures import filled_app, log_in, page_body, post_callback

from dashboard.cache import TableCache

THREADS = 8
ROUNDS = 4000
KEYS = 40


def hammer(cache: TableCache) -> list[BaseException]:
    """THREADS threads each asking for ROUNDS keys out of KEYS, and listing the keys; the errors."""
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(offset: int) -> None:
        start.wait()
        try:
            for i in range(ROUNDS):
                key = ("table", "2025-03", "ytd", (offset + i) % KEYS)
                value = cache.get_or_make(key, lambda key=key: ("made", key))
                assert value == ("made", key)
                cache.keys()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=work, args=(n * 7,)) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(before)
    return errors


def test_threads_hammering_the_cache_raise_nothing_and_keep_the_bound():
    cache = TableCache(limit=16)
    catalog = cache.get_or_make("catalog", lambda: "the catalog", keep=True)
    assert hammer(cache) == []
    # 16 tables at most, and the kept catalog never evicted
    assert len(cache) == 17
    assert cache.get("catalog") == catalog == "the catalog"
    assert cache.keys()[0] == "catalog"


def test_the_oldest_table_is_dropped_first():
    cache = TableCache(limit=2)
    for n in (1, 2, 3):
        cache.put(("table", n), n)
    assert cache.keys() == [("table", 2), ("table", 3)]
    assert cache.get(("table", 1)) is None
    # a value already there wins over a second one made at the same time
    assert cache.put(("table", 3), "other") == 3


def test_the_app_keeps_its_tables_in_one_cache(tmp_path, sqlite_url):
    app = filled_app(tmp_path, sqlite_url)
    client = app.server.test_client()
    log_in(client, "vic")
    assert post_callback(client, page_body("/rankings", "?period=2025-03")).status_code == 200
    keys = app.server.extensions["zhibiao"].tables.keys()
    assert keys[0] == "catalog"
    # the periods with data, the period's parents (none: the scope control is left out), the
    # values its views read, the indicator table of every township, then the scorecard's rows
    # made from it (once per table and language)
    assert [k[:1] for k in keys[1:2]] == [("periods",)]
    assert [k[:2] for k in keys[2:4]] == [("parents", "2025-03"), ("values", "2025-03")]
    assert [k[:4] for k in keys[4:]] == [
        ("table", "2025-03", "ytd", "all"),
        ("scorecard", "2025-03", "ytd", "all"),
    ]
    # the page itself is kept apart, so that pages never evict tables
    pages = app.server.extensions["zhibiao"].pages.keys()
    assert {k[:2] for k in pages} == {("page", "dashboard.pages.rankings")}


def test_threads_missing_one_key_together_make_it_once():
    cache = TableCache()
    made: list[int] = []
    start = threading.Barrier(THREADS)
    answers: list[str] = []

    def make() -> str:
        made.append(1)
        time.sleep(0.2)  # long enough for every other thread to ask meanwhile
        return "the page"

    def ask() -> None:
        start.wait()
        answers.append(cache.get_or_make(("page", "/rankings"), make))

    threads = [threading.Thread(target=ask) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == ["the page"] * THREADS
    assert len(made) == 1


def test_when_making_fails_the_next_thread_makes_it():
    cache = TableCache()
    attempts: list[int] = []

    def fail_once() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("the database went away")
        return "the table"

    with pytest.raises(RuntimeError, match="the database went away"):
        cache.get_or_make("table", fail_once)
    assert cache.get_or_make("table", fail_once) == "the table"
    assert len(attempts) == 2
