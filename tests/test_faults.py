"""Faults the analyst must see: a store that cannot write says so in the page, nothing stored.

The confirm of a file the database refuses answers 200 with a sentence saying what happened
and that nothing was stored, never a bare 500: a township name longer than its column (SQLite
and PostgreSQL; the loader refuses it first, the store again if a result reaches it), a full
disk (SQLite, simulated by `PRAGMA max_page_count` at the database's current size, packed by
VACUUM: SQLite then refuses to grow it with SQLITE_FULL, as on a full disk), and a read-only
database (PostgreSQL with default_transaction_read_only; the SQLite file chmod'ed read-only is
in tests/e2e/test_faults_web.py, run by a real server).
"""

from __future__ import annotations

import sys
from pathlib import Path

import hostile
import pandas as pd
import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))

from dashboard_fixtures import (  # noqa: E402
    app_config,
    confirm_body,
    confirm_outcome,
    filled_app,
    log_in,
    post_callback,
    store_of,
    township_report,
)

from dashboard.app import create_app  # noqa: E402
from loaders.types import VALUE_COLUMNS, LoadResult  # noqa: E402
from store import Store, StoreError  # noqa: E402
from zhibiao import ingest  # noqa: E402
from zhibiao.samples import COUNTY  # noqa: E402

TITLE = f"{COUNTY}2025年1-6月出生情况月报表"
#: Township names of 247 characters (the column holds 200): 35 times 7, the number, 镇.
LONG_NAME = "很长的乡镇名称" * 35 + "{}镇"


def confirm(client, workbook: Path, user: str = "ana") -> tuple[int, str]:
    """POST the confirm of `workbook` as the page would; the status and the outcome's text."""
    response = post_callback(client, confirm_body(client, workbook, user))
    if response.status_code != 200:
        return response.status_code, response.text
    return 200, confirm_outcome(response.json)


def uploads_and_values(store) -> tuple[int, int]:
    with store.engine.connect() as conn:
        return (
            conn.execute(sa.text("SELECT COUNT(*) FROM uploads")).scalar_one(),
            conn.execute(sa.text('SELECT COUNT(*) FROM "values"')).scalar_one(),
        )


def test_a_township_name_longer_than_its_column_is_refused_in_words(db_url, tmp_path: Path):
    """Through the page the loader refuses the name first (naming its cell); the confirm says
    the file was refused, with nothing stored."""
    app = filled_app(tmp_path, db_url)
    client = app.server.test_client()
    log_in(client, "ana")
    store = store_of(app)
    before = uploads_and_values(store)
    path = hostile.write_township_xlsx(
        tmp_path, "长名.xlsx", 3, title=TITLE, sheet="6月", town_name=LONG_NAME
    )
    assert confirm(client, path) == (200, "文件有错误,不能保存;请修改后重新上传。")
    assert uploads_and_values(store) == before


def test_the_store_refuses_a_name_longer_than_its_column_in_words(db_url):
    """A result that reaches the store with an over-long township name (built by hand, as a
    caller other than the loader could) is refused before any write, on both databases (SQLite
    would have kept it whole, PostgreSQL refused it with a bare error)."""
    store = Store(db_url)
    store.create()
    name = LONG_NAME.format(1)
    rows = [
        {"area": "城关镇", "is_total": False, "period": "2025-06", "basis": "ytd",
         "field": "births", "value": 30.0, "sheet": "6月", "cell": "B4", "row": 0},
        {"area": name, "is_total": False, "period": "2025-06", "basis": "ytd",
         "field": "births", "value": 31.0, "sheet": "6月", "cell": "B5", "row": 1},
    ]  # fmt: skip
    values = pd.DataFrame(rows, columns=VALUE_COLUMNS)
    result = LoadResult(
        file="长名.xlsx",
        sha256="c" * 64,
        values=values,
        findings=[],
        county=COUNTY,
        kind="xlsx",
        periods=["2025-06"],
        bases=["ytd"],
        fields=["births"],
    )
    with pytest.raises(StoreError) as refused:
        store.save_upload(result, user="ana")
    assert ingest.fault_text(refused.value, "zh") == (
        "乡镇名称“很长的乡镇名称很长的乡镇名称很长的乡镇名…”有 247 个字,"
        "超过数据库允许的 200 个字(位置:工作表 6月 第 5 行);没有保存任何数据。请改短后重新上传。"
    )
    assert ingest.fault_text(refused.value, "en") == (
        "The township name “很长的乡镇名称很长的乡镇名称很长的乡镇名…” has 247 characters, more "
        "than the 200 the database allows (sheet 6月, row 5); nothing was stored. Shorten it "
        "and upload again."
    )
    assert uploads_and_values(store) == (0, 0)
    store.dispose()


def test_a_full_disk_is_said_and_nothing_stored(sqlite_url, tmp_path: Path):
    app = filled_app(tmp_path, sqlite_url)
    client = app.server.test_client()
    log_in(client, "ana")
    store = store_of(app)
    before = uploads_and_values(store)
    with store.engine.connect() as conn:
        # packed first: rows fitting in the free room of half-filled pages would need no new one
        conn.exec_driver_sql("VACUUM")
        pages = conn.execute(sa.text("PRAGMA page_count")).scalar_one()

    def full(dbapi_connection, _record) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    sa.event.listen(store.engine, "connect", full)
    store.engine.dispose()
    path = township_report(tmp_path, "六月.xlsx", 15, title=TITLE, sheet="6月")
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
    # sign-in attempts are still counted (in the process): after 5 wrong passwords the right
    # one is refused too
    guesser = app.server.test_client()
    for _ in range(5):
        assert log_in(guesser, "vic", "wrong-password").status_code != 302
    assert log_in(guesser, "vic").status_code != 302
    assert log_in(app.server.test_client(), "adm").status_code == 302
    store = store_of(app)
    before = uploads_and_values(store)
    path = township_report(tmp_path, "六月.xlsx", 15, title=TITLE, sheet="6月")
    status, text = confirm(client, path)
    assert status == 200
    assert text == "数据库只读,无法写入;没有保存任何数据。请联系管理员。"
    assert uploads_and_values(store) == before
    # neither the login nor the confirm could be audited: the last entry is the fixture's
    assert [e["action"] for e in store.audit_log(1)] == ["user.add"]
