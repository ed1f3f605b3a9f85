"""Faults the analyst must see: a store that cannot write says so in the page, nothing stored.

The confirm of a file the database refuses answers 200 with a sentence saying what happened
and that nothing was stored, never a bare 500: a township name longer than its column (SQLite
and PostgreSQL), a full disk (SQLite, simulated by `PRAGMA max_page_count` at the database's
current size: SQLite then refuses to grow it with SQLITE_FULL, as on a full disk), and a
read-only database (PostgreSQL with default_transaction_read_only; the SQLite file chmod'ed
read-only is in tests/e2e/test_faults_web.py, run by a real server).
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import hostile
import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))

from dashboard_fixtures import (  # noqa: E402
    app_config,
    callback_body,
    callback_spec,
    filled_app,
    log_in,
    post_callback,
    store_of,
)

from dashboard.app import create_app  # noqa: E402

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLE = "示例县2025年1-6月出生情况月报表"
#: Township names of 247 characters (the column holds 200): 35 times 7, the number, 镇.
LONG_NAME = "很长的乡镇名称" * 35 + "{}镇"


def confirm(client, workbook: Path, user: str = "ana") -> tuple[int, str]:
    """POST the confirm of `workbook` as the page would; the status and the outcome's text."""
    contents = f"data:{XLSX};base64," + base64.b64encode(workbook.read_bytes()).decode()
    body = callback_body(
        callback_spec(client, "upload-result"),
        {
            "upload-confirm.n_clicks": 1,
            "upload-file.contents": contents,
            "upload-file.filename": workbook.name,
            "upload-period.value": None,
            "upload-basis.value": "",
            "upload-accept.checked": False,
            "upload-lang.data": "zh",
            "session-user.data": user,
            "upload-seen.data": None,
            "upload-keep.value": [],
        },
    )
    response = post_callback(client, body)
    if response.status_code != 200:
        return response.status_code, response.text
    outcome = response.json["response"]["upload-result"]["children"]
    return 200, outcome["props"]["children"]


def uploads_and_values(store) -> tuple[int, int]:
    with store.engine.connect() as conn:
        return (
            conn.execute(sa.text("SELECT COUNT(*) FROM uploads")).scalar_one(),
            conn.execute(sa.text('SELECT COUNT(*) FROM "values"')).scalar_one(),
        )


def test_a_township_name_longer_than_its_column_is_said_and_nothing_stored(db_url, tmp_path: Path):
    app = filled_app(tmp_path, db_url)
    client = app.server.test_client()
    log_in(client, "ana")
    store = store_of(app)
    before = uploads_and_values(store)
    path = hostile.write_township_xlsx(
        tmp_path, "长名.xlsx", 3, title=TITLE, sheet="6月", town_name=LONG_NAME
    )
    status, text = confirm(client, path)
    assert status == 200
    # the first township (row 5) is the first value whose name is too long
    assert text == (
        "乡镇名称“很长的乡镇名称很长的乡镇名称很长的乡镇名…”有 247 个字,"
        "超过数据库允许的 200 个字(位置:工作表 6月 第 5 行);没有保存任何数据。请改短后重新上传。"
    )
    assert uploads_and_values(store) == before
    assert "长名.xlsx" not in [u["file"] for u in store.uploads()]


def test_a_full_disk_is_said_and_nothing_stored(sqlite_url, tmp_path: Path):
    app = filled_app(tmp_path, sqlite_url)
    client = app.server.test_client()
    log_in(client, "ana")
    store = store_of(app)
    before = uploads_and_values(store)
    with store.engine.connect() as conn:
        pages = conn.execute(sa.text("PRAGMA page_count")).scalar_one()

    def full(dbapi_connection, _record) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    sa.event.listen(store.engine, "connect", full)
    store.engine.dispose()
    path = hostile.write_township_xlsx(tmp_path, "六月.xlsx", 15, title=TITLE, sheet="6月")
    status, text = confirm(client, path)
    assert status == 200
    assert text == "数据库所在的磁盘已满,无法写入;没有保存任何数据。请联系管理员腾出空间后再试。"
    sa.event.remove(store.engine, "connect", full)
    store.engine.dispose()
    assert uploads_and_values(store) == before


@pytest.fixture
def pg_url(pg_cluster) -> str:
    return pg_cluster.new_database()


def test_a_read_only_postgresql_is_said_on_start_and_at_confirm(pg_url, tmp_path: Path):
    app = filled_app(tmp_path, pg_url)
    assert app.server.extensions["zhibiao"].read_only is False
    database = sa.engine.make_url(pg_url).database
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'ALTER DATABASE "{database}" SET default_transaction_read_only = on'))
    admin.dispose()
    store_of(app).engine.dispose()  # new connections are read-only from now on

    # a server started now says so
    fresh = create_app(app_config(tmp_path / "fresh", pg_url))
    assert fresh.server.extensions["zhibiao"].read_only is True

    client = app.server.test_client()
    response = log_in(client, "ana")  # the login's audit entry goes to the log instead
    assert response.status_code == 302 and response.headers["Location"] == "/"
    store = store_of(app)
    before = uploads_and_values(store)
    path = hostile.write_township_xlsx(tmp_path, "六月.xlsx", 15, title=TITLE, sheet="6月")
    status, text = confirm(client, path)
    assert status == 200
    assert text == "数据库只读,无法写入;没有保存任何数据。请联系管理员。"
    assert uploads_and_values(store) == before
    # neither the login nor the confirm could be audited: the last entry is the fixture's
    assert [e["action"] for e in store.audit_log(1)] == ["user.add"]
