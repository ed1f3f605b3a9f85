"""The pages kept per worker (dashboard.pages._common.cached_page): a page is served again only
to a request that would have drawn the same page, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from dashboard_fixtures import (
    app_config,
    county_result,
    csrf,
    empty_app,
    filled_store,
    log_in,
    store_of,
)
from dashboard_fixtures import (
    render_page as render,
)

from dashboard.app import create_app
from dashboard.auth import LANG_COOKIE
from dashboard.state import state_of

#: The pages whose content is kept.
PAGES = ("/", "/rankings", "/warnings", "/area", "/funnel", "/brief")


def kept_pages(app) -> list:
    """The pages this app (one worker) keeps: each page kept for every role once (its key has
    no role), each kept for one role (the role last in its key) unless it is also kept for all."""
    keys = state_of(app.server).pages.keys()  # a snapshot (TableCache is not iterable)
    for_all = [k for k in keys if k[0] == "page" and len(k) == 6]
    return for_all + [k for k in keys if len(k) == 7 and k[:6] not in for_all]


@pytest.fixture
def filled_url(db_url: str) -> str:
    filled_store(db_url).dispose()
    return db_url


def test_a_page_kept_for_one_role_is_not_shown_to_another(tmp_path: Path, db_url: str):
    # no data: an analyst is pointed to the upload page, a viewer is told whom to ask
    app, analyst, viewer = empty_app(tmp_path, db_url)
    first = render(analyst, "/rankings")
    assert "前往上传" in first and '"href": "/upload?lang=zh"' in first
    seen = render(viewer, "/rankings")
    assert "请联系统计分析人员上传月报表。" in seen and "/upload" not in seen
    again = render(analyst, "/rankings")
    assert again == first
    assert [k[-1] for k in kept_pages(app)] == ["analyst", "viewer"]  # one per role


def test_a_page_that_does_not_read_the_user_is_kept_once_for_every_role(
    tmp_path: Path, filled_url: str
):
    app = create_app(app_config(tmp_path, filled_url))
    clients = {name: app.server.test_client() for name in ("ana", "vic", "adm")}
    for name, client in clients.items():
        log_in(client, name)
    pages = [render(client, "/rankings") for client in clients.values()]
    assert '"data-indicator": "srb"' in pages[0]
    assert pages == [pages[0]] * 3
    (kept,) = kept_pages(app)
    assert kept[:2] == ("page", "dashboard.pages.rankings") and len(kept) == 6


def test_a_page_kept_in_one_language_is_not_served_in_the_other(tmp_path: Path, filled_url: str):
    app = create_app(app_config(tmp_path, filled_url))
    client = app.server.test_client()
    log_in(client, "ana")
    client.set_cookie(LANG_COOKIE, "zh")
    zh = render(client, "/warnings")
    client.set_cookie(LANG_COOKIE, "en")
    en = render(client, "/warnings")
    assert "预警" in zh and "预警" not in en
    assert "Warnings" in en and "Warnings" not in zh
    # the language of the URL's query too
    assert "Warnings" in render(client, "/warnings", "?lang=en")
    assert "预警" in render(client, "/warnings", "?lang=zh")


def test_a_new_upload_shows_at_once_on_every_worker(tmp_path: Path, filled_url: str):
    # two apps on one database are two workers (or two hosts)
    first = create_app(app_config(tmp_path / "one", filled_url))
    second = create_app(app_config(tmp_path / "two", filled_url))
    clients = [first.server.test_client(), second.server.test_client()]
    for client in clients:
        log_in(client, "ana")
        before = render(client, "/")
        assert "数据来源:青川县2025年1-3月.xlsx" in before
        assert render(client, "/") == before  # kept
    store_of(first).save_upload(county_result(2025, range(1, 5)), user="ana")
    for client in clients:
        after = render(client, "/")
        assert "数据来源:青川县2025年1-4月.xlsx" in after
        assert "数据来源:青川县2025年1-3月.xlsx" not in after


def test_the_query_chooses_the_kept_page(tmp_path: Path, filled_url: str):
    app = create_app(app_config(tmp_path, filled_url))
    client = app.server.test_client()
    log_in(client, "ana")
    month = render(client, "/", "?period=2024-02&basis=month")
    assert "2024年2月 · 当月" in month
    latest = render(client, "/", "?period=2025-03")
    assert "2024年2月 · 当月" not in latest and "2025年3月 · 累计" in latest
    srb = render(client, "/rankings")
    compliance = render(client, "/rankings", "?indicator=compliance")
    assert '"data-indicator": "srb"' in srb and '"data-indicator": "srb"' not in compliance
    assert '"data-indicator": "compliance"' in compliance
    assert len(kept_pages(app)) == 4


def test_nothing_of_the_user_is_kept_in_a_page(tmp_path: Path, filled_url: str):
    app = create_app(app_config(tmp_path, filled_url))
    viewer = app.server.test_client()
    log_in(viewer, "vic")
    token = csrf(viewer)
    for path in PAGES:
        render(viewer, path)
    kept = state_of(app.server).pages
    text = "".join(kept.get(k).decode() for k in kept_pages(app))
    assert len(kept_pages(app)) == len(PAGES)
    assert "vic" not in text and token not in text
