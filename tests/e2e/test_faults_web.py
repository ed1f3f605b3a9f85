"""A read-only SQLite database under the real server (gunicorn, one worker), in a real Chromium.

The database file is chmod'ed read-only (and, in the second case, its folder too). The server
starts, says in its log that the database is read-only, lets the analyst log in (no Internal
Server Error: the login's audit entry goes to the log), serves the county's figures, says on
the upload page that uploads cannot be stored, and answers a confirm sent past the page with
the sentence that nothing was stored.

Root ignores file modes, so as root the server runs without the capabilities that let it
(setpriv drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH): it then sees the modes as anyone else.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_fixtures import confirm_outcome, confirm_values, township_report

from e2e.conftest import Server, login, post_callback, start_server, stop_server
from store import Store
from zhibiao.samples import COUNTY

pytestmark = pytest.mark.browser

#: The server runs as root without the right to ignore file modes.
AS_ANYONE = (
    ("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--") if os.geteuid() == 0 else ()
)
#: The sample county's births, January–March 2025 (tests/dashboard_fixtures.py).
COUNTY_BIRTHS = "874"


def served_before(db_file: Path) -> None:
    """What a database that was served has: its session secret."""
    store = Store(f"sqlite:///{db_file}")
    store.secret("session")
    store.dispose()


def file_read_only(db_file: Path) -> None:
    served_before(db_file)
    db_file.chmod(0o444)


def folder_read_only(db_file: Path) -> None:
    file_read_only(db_file)
    db_file.parent.chmod(0o555)


@pytest.fixture(scope="module", params=["file", "folder"])
def read_only_server(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp(f"read-only-{request.param}")
    prepare = file_read_only if request.param == "file" else folder_read_only
    started = start_server(folder, workers=1, prepare=prepare, wrapper=AS_ANYONE)
    try:
        yield started
    finally:
        stop_server(started)
        folder.chmod(0o755)
        (folder / "zhibiao.db").chmod(0o644)


def test_a_read_only_database_is_served_and_said(browser, read_only_server, tmp_path: Path):
    server = read_only_server
    page = browser.new_page()
    try:
        response = page.goto(server.base + "/login")
        assert response.status == 200
        assert "Internal Server Error" not in page.content()
    finally:
        page.context.close()
    analyst = login(browser, server, "ana")  # lands on the overview, logged in
    try:
        analyst.wait_for_selector("#card-births .card-value", timeout=60_000)
        assert analyst.locator("#card-births .card-value").inner_text() == COUNTY_BIRTHS
        analyst.goto(server.base + "/upload")
        analyst.wait_for_selector("#upload-read-only")
        assert analyst.locator("#upload-read-only").inner_text() == (
            "数据库目前只读:可以查看,但不能保存上传。请联系管理员。"
        )
        assert analyst.locator("#upload-file input[type=file]").is_disabled()
        # a confirm sent past the page gets the sentence, not a 500
        path = township_report(
            tmp_path, "六月.xlsx", 15, title=f"{COUNTY}2025年1-6月出生情况月报表", sheet="6月"
        )
        answer = post_callback(analyst, server, "upload-result", confirm_values(path))
        assert answer.status == 200
        outcome = confirm_outcome(answer.json())
        assert outcome == "数据库只读,无法写入;没有保存任何数据。请联系管理员。"
    finally:
        analyst.context.close()
    assert "The database is read-only" in server.log.read_text()
    store = Store(server.db_url)
    try:
        assert [u["file"] for u in store.uploads()] == [
            "青川县2025年1-3月.xlsx",
            "青川县2024年1-3月.xlsx",
        ]
    finally:
        store.dispose()
