"""The store on SQLite and PostgreSQL: revisions, refusals, quality notes, accounts, audit,
the original files and adding their column to an older database."""

from __future__ import annotations

import hashlib
import threading
from decimal import Decimal

import pandas as pd
import pytest
import sqlalchemy as sa

from loaders.types import VALUE_COLUMNS, CellRef, Finding, LoadResult
from store import Store
from store.models import VALUE_SCALE, Upload, values


def _result(
    rows: list[tuple[str, bool, str, str, str, float, str]],
    *,
    file: str = "a.xlsx",
    sha: str = "a" * 64,
    findings: list[Finding] | None = None,
    accepted: bool = False,
    county: str | None = "青川县",
) -> LoadResult:
    """rows: (area, is_total, period, basis, field, value, cell)."""
    frame = pd.DataFrame(
        [
            {
                "area": a,
                "is_total": tot,
                "period": p,
                "basis": b,
                "field": f,
                "value": v,
                "sheet": "Sheet1",
                "cell": c,
                "row": i,
            }
            for i, (a, tot, p, b, f, v, c) in enumerate(rows)
        ],
        columns=VALUE_COLUMNS,
    )
    return LoadResult(
        file=file,
        sha256=sha,
        values=frame,
        findings=findings or [],
        county=county,
        kind="xlsx",
        periods=sorted(set(frame["period"])),
        bases=sorted(set(frame["basis"])),
        fields=sorted(set(frame["field"])),
        accepted=accepted,
    )


def _count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()


def test_a_revision_replaces_its_period_and_history_keeps_both(db_url):
    store = Store(db_url)
    store.create()
    store.create()  # idempotent
    a = _result(
        [
            ("全县", True, "2025-03", "ytd", "births", 300, "B6"),
            ("城关镇", False, "2025-03", "ytd", "births", 120, "B7"),
            ("柳河乡", False, "2025-03", "ytd", "births", 180, "B8"),
            ("城关镇", False, "2025-03", "ytd", "fee_amount_paid", 1.2345, "T7"),
        ],
        file="A.xlsx",
        sha="a" * 64,
    )
    b = _result(
        [
            ("合计", True, "2025-03", "ytd", "births", 305, "B20"),
            ("城关镇", False, "2025-03", "ytd", "births", 125, "B8"),
            ("柳河乡", False, "2025-03", "ytd", "births", 180, "B9"),
        ],
        file="B.xlsx",
        sha="b" * 64,
        county=None,
    )
    id_a = store.save_upload(a, user="analyst", size=1234)
    id_b = store.save_upload(b, user="admin")
    assert id_b > id_a

    current = store.values("2025-03")
    assert list(current.columns) == [*VALUE_COLUMNS, "upload_id", "file"]
    # B's 3 births rows (the total row counts once, whatever its label); A's fee amount is
    # of the period B replaced whole, so it is no longer served
    assert len(current) == 3
    births = current[current["field"] == "births"].set_index("area")["value"].to_dict()
    assert births == {"合计": 305.0, "城关镇": 125.0, "柳河乡": 180.0}
    assert set(current["upload_id"]) == {id_b} and set(current["file"]) == {"B.xlsx"}
    assert current[current["area"] == "城关镇"]["cell"].tolist() == ["B8"]
    assert current["value"].dtype == float

    hist = store.history("城关镇", "2025-03", "ytd", "births")
    assert hist["value"].tolist() == [120.0, 125.0]
    assert hist["file"].tolist() == ["A.xlsx", "B.xlsx"]
    assert hist["user"].tolist() == ["analyst", "admin"]
    assert all(m.tzinfo is not None for m in hist["uploaded_at"])

    assert store.values("2025-04").empty
    assert store.periods() == ["2025-03"]
    assert store.county() == "青川县"  # B names none; A is the latest that does

    ups = store.uploads()
    assert [u["id"] for u in ups] == [id_b, id_a]
    assert ups[1]["size"] == 1234 and ups[1]["values"] == 4 and ups[0]["values"] == 3
    assert ups[0]["status"] == "stored" and ups[0]["user"] == "admin"
    assert store.find_upload("b" * 64) == id_b and store.find_upload("c" * 64) is None
    assert store.upload(999) is None


def test_values_are_exact_decimals_of_six_places(db_url):
    # NUMERIC(20, 6) (VALUE_SCALE): amounts to 0.000001 万元. A float column would give back
    # 0.1 + 0.2 as 0.30000000000000004 and 12.3456789 with all seven decimals.
    assert VALUE_SCALE == 6
    store = Store(db_url)
    store.save_upload(
        _result(
            [
                ("城关镇", False, "2025-01", "ytd", "fee_amount_due", 12.3456789, "S7"),
                ("城关镇", False, "2025-01", "ytd", "fee_amount_paid", 0.1 + 0.2, "T7"),
                ("城关镇", False, "2025-01", "ytd", "births", 1234567890123.25, "B7"),
            ]
        ),
        user="u",
    )
    with store.engine.connect() as conn:
        stored = dict(conn.execute(sa.select(values.c.field, values.c.value)).all())
    assert stored == {
        "fee_amount_due": Decimal("12.345679"),
        "fee_amount_paid": Decimal("0.300000"),
        "births": Decimal("1234567890123.250000"),
    }
    assert store.values().set_index("field")["value"].to_dict() == {
        "fee_amount_due": 12.345679,
        "fee_amount_paid": 0.3,
        "births": 1234567890123.25,
    }


def test_current_reads_each_figure_once_as_codes_and_exact_numbers(db_url):
    store = Store(db_url)
    first = _result(
        [
            ("全县", True, "2025-03", "ytd", "births", 300, "B6"),
            ("城关镇", False, "2025-03", "ytd", "births", 120, "B7"),
            ("城关镇", False, "2025-03", "ytd", "fee_amount_paid", 1.5, "T7"),
            ("柳河乡", False, "2025-02", "ytd", "births", 90, "B8"),
        ],
        sha="e" * 64,
    )
    second = _result(
        [
            ("合计", True, "2025-03", "ytd", "births", 305, "B20"),
            ("城关镇", False, "2025-03", "ytd", "births", 125, "B8"),
            ("城关镇", False, "2025-03", "ytd", "fee_amount_due", 0.000001, "S8"),
            ("城关镇", False, "2025-03", "ytd", "fee_amount_paid", 1234567.891234, "T8"),
        ],
        file="b.xlsx",
        sha="f" * 64,
    )
    store.save_upload(first, user="u")
    id_2 = store.save_upload(second, user="u")

    now = store.current(["2025-03"])
    assert list(now.columns) == [
        "area", "is_total", "period", "basis", "field", "value", "row", "upload_id"
    ]  # fmt: skip
    for column in ("area", "period", "basis", "field"):
        assert isinstance(now[column].dtype, pd.CategoricalDtype)
    got = {
        (a, f): (v, u)
        for a, f, v, u in zip(
            now["area"], now["field"], now["value"], now["upload_id"], strict=True
        )
    }
    # the second upload is the revision of 2025-03: its rows only, the total once (its label),
    # the exact decimals as written
    assert got == {
        ("合计", "births"): (305.0, id_2),
        ("城关镇", "births"): (125.0, id_2),
        ("城关镇", "fee_amount_due"): (0.000001, id_2),
        ("城关镇", "fee_amount_paid"): (1234567.891234, id_2),
    }
    assert list(now["area"].cat.categories) == ["合计", "城关镇"]  # 柳河乡 is only in 2025-02
    assert len(store.current()) == 5  # and 柳河乡's 2025-02
    assert store.current(["2025-03"], fields=["births"], bases=["ytd"])["value"].sum() == 430
    assert store.current(["2025-04"]).empty
    # values() reads through the same rule, in its order, with where each figure came from
    listed = store.values("2025-03")
    assert listed["area"].tolist() == ["合计", "城关镇", "城关镇", "城关镇"]
    assert listed["cell"].tolist() == ["B20", "B8", "S8", "T8"]
    assert listed["file"].tolist() == ["b.xlsx"] * 4


def test_refused_file_stores_nothing(db_url):
    store = Store(db_url)
    store.create()
    good = _result([("城关镇", False, "2025-01", "ytd", "births", 10, "B7")])
    store.save_upload(good, user="u")
    before = (_count(store, "uploads"), _count(store, "values"), _count(store, "audit"))
    error = Finding(
        severity="error",
        code="load.sum_mismatch",
        file="bad.xlsx",
        sheet="Sheet1",
        cells=(CellRef(cell="B7", value=11, label="出生人数", area="城关镇", field="births"),),
        acceptable=True,
    )
    bad = _result(
        [("城关镇", False, "2025-02", "ytd", "births", 11, "B7")],
        file="bad.xlsx",
        findings=[error],
    )
    assert not bad.ok
    with pytest.raises(ValueError):
        store.save_upload(bad, user="u")
    empty = _result([], file="empty.xlsx")
    with pytest.raises(ValueError):
        store.save_upload(empty, user="u")
    after = (_count(store, "uploads"), _count(store, "values"), _count(store, "audit"))
    assert after == before == (1, 1, 1)
    assert store.periods() == ["2025-01"]


def test_accepted_errors_and_derived_mismatch_become_quality_notes(db_url):
    store = Store(db_url)
    accepted = Finding(
        severity="error",
        code="load.sum_mismatch",
        file="a.xlsx",
        sheet="Sheet1",
        cells=(
            CellRef(cell="B7", value=11, label="出生人数", area="城关镇", field="births"),
            CellRef(cell="C7", value=5, label="男", area="城关镇", field="births_male"),
        ),
        acceptable=True,
        period="2025-02",
        basis="ytd",
    )
    derived = Finding(
        severity="warning",
        code="load.derived_mismatch",
        file="a.xlsx",
        cells=(
            CellRef(
                cell="J8", value=97.5, label="政策符合率(%)", area="柳河乡", field="out_of_policy"
            ),
        ),
    )
    unrecognised = Finding(severity="warning", code="load.unrecognised_column", file="a.xlsx")
    res = _result(
        [
            ("城关镇", False, "2025-02", "ytd", "births", 11, "B7"),
            ("城关镇", False, "2025-02", "ytd", "births_male", 5, "C7"),
            ("柳河乡", False, "2025-02", "ytd", "births", 40, "B8"),
        ],
        findings=[accepted, derived, unrecognised],
        accepted=True,
    )
    assert res.ok
    uid = store.save_upload(res, user="analyst")
    up = store.upload(uid)
    assert up is not None and up["accepted_inconsistent"] is True
    assert [f["code"] for f in up["findings"]] == [
        "load.sum_mismatch",
        "load.derived_mismatch",
        "load.unrecognised_column",
    ]
    assert up["warnings"] == 2 and up["accepted_errors"] == 1

    q = store.quality()
    assert list(q.columns) == ["area", "period", "basis", "field", "finding"]
    got = sorted(zip(q["area"], q["field"], q["finding"].map(lambda f: f["code"]), strict=True))
    assert got == [
        ("城关镇", "births", "load.sum_mismatch"),
        ("城关镇", "births_male", "load.sum_mismatch"),
        ("柳河乡", "out_of_policy", "load.derived_mismatch"),
    ]
    assert set(q["period"]) == {"2025-02"} and set(q["basis"]) == {"ytd"}

    # a clean revision of the same period replaces the values: the notes go with them
    store.save_upload(
        _result(
            [
                ("城关镇", False, "2025-02", "ytd", "births", 5, "B7"),
                ("城关镇", False, "2025-02", "ytd", "births_male", 5, "C7"),
                ("柳河乡", False, "2025-02", "ytd", "births", 40, "B8"),
            ],
            sha="d" * 64,
        ),
        user="analyst",
    )
    assert store.quality().empty


def test_users_add_authenticate_and_refuse_duplicates(db_url):
    store = Store(db_url)
    user = store.add_user("王芳", "analyst", "s3cret-密码")
    assert user["name"] == "王芳" and user["role"] == "analyst" and user["active"] is True
    assert store.authenticate("王芳", "s3cret-密码")["role"] == "analyst"
    assert store.authenticate("王芳", "wrong") is None
    assert store.authenticate("nobody", "s3cret-密码") is None
    with pytest.raises(ValueError):
        store.add_user("王芳", "viewer", "other")
    with pytest.raises(ValueError):
        store.add_user("李四", "superuser", "x")
    with pytest.raises(ValueError):
        store.add_user("李四", "viewer", "")
    assert [u["name"] for u in store.users()] == ["王芳"]

    store.set_password("王芳", "new-pass")
    assert store.authenticate("王芳", "s3cret-密码") is None
    assert store.authenticate("王芳", "new-pass")["name"] == "王芳"
    store.set_active("王芳", False)
    assert store.authenticate("王芳", "new-pass") is None
    with pytest.raises(ValueError):
        store.set_password("nobody", "x")

    with store.engine.connect() as conn:
        hashes = conn.execute(sa.text("SELECT password_hash FROM users")).scalars().all()
    assert len(hashes) == 1
    assert hashes[0].startswith("scrypt:") and "new-pass" not in hashes[0]
    assert "s3cret" not in hashes[0]


def test_audit_log_newest_first(db_url):
    store = Store(db_url)
    store.audit("admin", "login", {"ip": "127.0.0.1"})
    store.audit("admin", "export", {"format": "pptx", "period": "2025-10"})
    log = store.audit_log(10)
    assert [e["action"] for e in log] == ["export", "login"]
    assert log[0]["detail"] == {"format": "pptx", "period": "2025-10"}
    assert log[0]["at"].tzinfo is not None
    assert len(store.audit_log(1)) == 1


def test_sqlite_is_wal_and_takes_concurrent_writers(sqlite_url):
    stores = [Store(sqlite_url) for _ in range(3)]
    stores[0].create()
    with stores[0].engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
    failures: list[BaseException] = []

    def write(k: int) -> None:
        try:
            for i in range(5):
                res = _result(
                    # each writer its own year: a revision replaces its whole period
                    [
                        (
                            f"乡{k}",
                            False,
                            f"{2025 + k}-{i + 1:02d}",
                            "ytd",
                            "births",
                            k * 10 + i,
                            "B7",
                        )
                    ],
                    sha=f"{k}{i}".ljust(64, "0"),
                )
                stores[k].save_upload(res, user=f"u{k}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert failures == []
    assert len(stores[0].uploads()) == 15
    assert sorted(stores[0].values()["value"]) == [k * 10.0 + i for k in range(3) for i in range(5)]


# --- the original file of each upload -----------------------------------------------------------

#: Every byte value, NUL and 0xFF included, twice: a file no text column would keep intact.
ORIGINAL = bytes(range(256)) * 2


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_original_bytes_round_trip_exactly_and_listing_never_loads_them(db_url):
    store = Store(db_url)
    store.create()
    rows = [("城关镇", False, "2025-01", "ytd", "births", 10.0, "B5")]
    name = "青川县2025年1月 人口.xlsx"
    kept = store.save_upload(
        _result(rows, file=name, sha=_sha(ORIGINAL)), user="ana", data=ORIGINAL
    )
    bare = store.save_upload(_result(rows, file="b.xlsx", sha="b" * 64), user="ana")

    file, data = store.original(kept)
    assert file == name
    assert data == ORIGINAL and len(data) == 512
    assert _sha(data) == store.upload(kept)["sha256"] == _sha(ORIGINAL)
    assert store.upload(kept)["size"] == 512  # filled from the bytes
    assert store.original(bare) is None  # stored without its bytes
    assert store.original(999) is None and store.original(2**70) is None

    listed = store.uploads()
    assert [(u["id"], u["has_original"]) for u in listed] == [(bare, False), (kept, True)]
    assert all(not any(isinstance(v, bytes) for v in u.values()) for u in listed)
    assert "original" not in listed[0] and "original" not in store.upload(kept)
    assert Upload.__mapper__.attrs["original"].deferred is True


def test_bytes_that_are_not_the_file_read_store_nothing(db_url):
    store = Store(db_url)
    store.create()
    rows = [("城关镇", False, "2025-01", "ytd", "births", 10.0, "B5")]
    with pytest.raises(ValueError):
        store.save_upload(_result(rows, sha=_sha(b"other")), user="ana", data=ORIGINAL)
    assert _count(store, "uploads") == 0 and _count(store, "values") == 0


#: The uploads table as it was before files were kept (plain SQL; the id column per dialect).
OLD_UPLOADS = """
CREATE TABLE uploads (
    id {id},
    file VARCHAR(500) NOT NULL,
    sha256 VARCHAR(64) NOT NULL,
    size BIGINT,
    "user" VARCHAR(200) NOT NULL,
    uploaded_at TIMESTAMP WITH TIME ZONE NOT NULL,
    kind VARCHAR(20) NOT NULL,
    county VARCHAR(200),
    periods JSON NOT NULL,
    bases JSON NOT NULL,
    fields JSON NOT NULL,
    status VARCHAR(20) NOT NULL,
    accepted_inconsistent BOOLEAN NOT NULL,
    findings JSON NOT NULL,
    n_values INTEGER NOT NULL
)
"""
OLD_ROW = """
INSERT INTO uploads (file, sha256, size, "user", uploaded_at, kind, county, periods, bases,
    fields, status, accepted_inconsistent, findings, n_values)
VALUES ('旧表.xlsx', 'c', 1234, '王芳', CURRENT_TIMESTAMP, 'xlsx', '青川县', '["2024-12"]',
    '["ytd"]', '["births"]', 'stored', FALSE, '[]', 0)
"""


def test_create_adds_the_original_column_to_a_database_made_before_it(db_url):
    engine = sa.create_engine(db_url)
    serial = "INTEGER PRIMARY KEY" if db_url.startswith("sqlite") else "SERIAL PRIMARY KEY"
    with engine.begin() as conn:
        conn.execute(sa.text(OLD_UPLOADS.format(id=serial)))
        conn.execute(sa.text(OLD_ROW))
    columns = {c["name"] for c in sa.inspect(engine).get_columns("uploads")}
    assert len(columns) == 15 and "original" not in columns
    engine.dispose()

    store = Store(db_url)
    store.create()
    store.create()  # a second time changes nothing
    columns = {c["name"] for c in sa.inspect(store.engine).get_columns("uploads")}
    assert len(columns) == 17 and {"original", "kept_areas"} <= columns

    [old] = store.uploads()
    assert (old["id"], old["file"], old["user"], old["size"]) == (1, "旧表.xlsx", "王芳", 1234)
    assert old["has_original"] is False and store.original(1) is None

    rows = [("城关镇", False, "2025-01", "ytd", "births", 10.0, "B5")]
    new = store.save_upload(_result(rows, sha=_sha(ORIGINAL)), user="ana", data=ORIGINAL)
    assert new == 2 and store.original(new) == ("a.xlsx", ORIGINAL)
    assert store.values()["value"].tolist() == [10.0]
    store.dispose()


OLD_USERS = """
CREATE TABLE users (
    id {id}, name VARCHAR(200) NOT NULL UNIQUE, role VARCHAR(20) NOT NULL,
    password_hash VARCHAR(500) NOT NULL, created_at TIMESTAMP, active BOOLEAN NOT NULL
)
"""


def test_every_account_change_and_logout_raise_the_session_version(db_url):
    engine = sa.create_engine(db_url)
    serial = "INTEGER PRIMARY KEY" if db_url.startswith("sqlite") else "SERIAL PRIMARY KEY"
    with engine.begin() as conn:  # a users table from before sessions had versions
        conn.execute(sa.text(OLD_USERS.format(id=serial)))
    engine.dispose()
    store = Store(db_url)
    store.create()
    store.create()
    assert "session_version" in {c["name"] for c in sa.inspect(store.engine).get_columns("users")}
    store.add_user("ana", "analyst", "analyst-pw-1")
    store.add_user("vic", "viewer", "viewer-pw-1")
    assert store.get_user("ana")["session_version"] == 0
    store.set_password("ana", "analyst-pw-2")
    store.set_role("ana", "viewer")
    store.set_active("ana", False)
    store.set_active("ana", True)
    store.end_sessions("ana")
    store.end_sessions("nobody")  # changes nothing, raises nothing
    assert store.get_user("ana")["session_version"] == 5
    assert store.get_user("vic")["session_version"] == 0
    store.dispose()


def test_sign_in_attempts_are_counted_to_the_limit_then_refused_until_the_lock_ends(db_url):
    store = Store(db_url)
    store.create()
    now = 1_000_000.0
    taken = [store.take_attempt("user:ana", 3, 60, 600, now=now + i) for i in range(5)]
    # three counted, the third locking the key for 600 s from then (t+2): 599 and 598 s left
    assert taken == [0.0, 0.0, 0.0, 599.0, 598.0]
    assert store.take_attempt("user:vic", 3, 60, 600, now=now) == 0.0
    assert store.take_attempt("user:ana", 3, 60, 600, now=now + 602) == 0.0
    # within a window, giving one back lets one more through; clearing forgets them all
    store.give_back_attempt("user:vic")
    assert [store.take_attempt("user:vic", 2, 60, 600, now=now + 1) for _ in range(3)] == [
        0.0,
        0.0,
        600.0,
    ]
    store.clear_attempts("user:vic")
    assert store.take_attempt("user:vic", 2, 60, 600, now=now + 2) == 0.0
    # a window that ended starts over
    assert store.take_attempt("addr:x", 2, 60, 600, now=now) == 0.0
    assert store.take_attempt("addr:x", 2, 60, 600, now=now + 61) == 0.0
    assert store.take_attempt("addr:x", 2, 60, 600, now=now + 62) == 0.0
    store.dispose()
