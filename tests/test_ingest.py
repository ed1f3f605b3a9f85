"""The ingest service on SQLite and PostgreSQL: check against stored data, all or nothing."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
import sqlalchemy as sa
from county_variants import area_row, bump_boys, merge_area, report, scale_month

from loaders.types import VALUE_COLUMNS, LoadResult
from store import Store
from zhibiao import ingest
from zhibiao.cli import main


def _tables(store: Store) -> tuple[list, list]:
    """Every row of uploads and values, to compare before and after."""
    with store.engine.connect() as conn:
        ups = conn.execute(sa.text("SELECT * FROM uploads ORDER BY id")).all()
        vals = conn.execute(sa.text('SELECT * FROM "values" ORDER BY id')).all()
    return [tuple(r) for r in ups], [tuple(r) for r in vals]


def test_good_file_is_checked_then_committed(db_url, tmp_path):
    store = Store(db_url)
    path = report(tmp_path, 1)
    result = ingest.check(path.read_bytes(), path.name, store)
    assert result.ok and result.periods == ["2025-01"]
    assert store.uploads() == []  # check stores nothing
    upload_id = ingest.commit(result, store, user="analyst")
    up = store.upload(upload_id)
    assert up["file"] == path.name and up["user"] == "analyst" and up["values"] == 16 * 24
    assert store.county() == "青川县"


def test_refused_file_leaves_the_tables_exactly_as_before(db_url, tmp_path):
    store = Store(db_url)
    good = report(tmp_path / "good", 1)
    assert ingest.ingest(good.read_bytes(), good.name, store, user="a").stored
    before = _tables(store)
    assert len(before[0]) == 1 and len(before[1]) == 16 * 24

    bad = report(tmp_path / "bad", 2, lambda c: bump_boys(c, 2025, 2, "城关镇"))
    done = ingest.ingest(bad.read_bytes(), bad.name, store, user="a")
    assert not done.stored and done.upload_id is None
    row = area_row("城关镇")
    cells = {tuple(c.cell for c in f.cells) for f in done.result.blocking}
    assert ("B8", "C8", "D8") in cells and row == 8
    assert {f.code for f in done.result.blocking} == {"load.sum_mismatch"}
    with pytest.raises(ValueError):
        ingest.commit(done.result, store, user="a")
    assert _tables(store) == before


def test_ytd_smaller_than_the_stored_month_before_is_an_acceptable_error(db_url, tmp_path):
    store = Store(db_url)
    # January as first reported for 城关镇 was three times what February's ytd says
    jan = report(tmp_path / "jan", 1, lambda c: scale_month(c, 2025, 1, "城关镇", 3))
    assert ingest.ingest(jan.read_bytes(), jan.name, store, user="a").stored
    feb = report(tmp_path / "feb", 2)

    result = ingest.check(feb.read_bytes(), feb.name, store)
    assert not result.ok
    shrinking = [f for f in result.blocking if f.code == "load.ytd_shrinking"]
    assert shrinking and all(f.acceptable for f in shrinking)
    # 城关镇 and, for the small flows where it weighs most, the county total (row 7)
    assert {f.cells[0].area for f in shrinking} == {"城关镇", "全县"}
    births = [f for f in shrinking if f.cells[0].field == "births"]
    assert [f.cells[0].cell for f in births] == ["B8"]
    before = _tables(store)
    assert not ingest.ingest(feb.read_bytes(), feb.name, store, user="a").stored
    assert _tables(store) == before

    done = ingest.ingest(feb.read_bytes(), feb.name, store, user="a", accept_inconsistent=True)
    assert done.stored
    assert store.upload(done.upload_id)["accepted_inconsistent"] is True
    q = store.quality()
    town = q[(q["area"] == "城关镇") & (q["field"] == "births")]
    assert town["period"].tolist() == ["2025-02"]
    assert town["finding"].iloc[0]["code"] == "load.ytd_shrinking"


def test_area_missing_since_last_month_is_a_warning(db_url, tmp_path):
    store = Store(db_url)
    jan = report(tmp_path / "jan", 1)
    assert ingest.ingest(jan.read_bytes(), jan.name, store, user="a").stored
    feb = report(tmp_path / "feb", 2, lambda c: merge_area(c, "木鱼乡", "金竹乡"))
    done = ingest.ingest(feb.read_bytes(), feb.name, store, user="a")
    assert done.stored
    missing = [f for f in done.result.findings if f.code == "load.area_missing"]
    assert [(f.severity, f.params["area"], f.period) for f in missing] == [
        ("warning", "木鱼乡", "2025-02")
    ]
    stored = store.upload(done.upload_id)["findings"]
    assert [f["params"]["area"] for f in stored if f["code"] == "load.area_missing"] == ["木鱼乡"]


def test_a_store_interrupted_mid_transaction_keeps_nothing(db_url, tmp_path):
    store = Store(db_url)
    good = report(tmp_path, 1)
    assert ingest.ingest(good.read_bytes(), good.name, store, user="a").stored
    before = _tables(store)
    frame = pd.DataFrame(
        [
            ["城关镇", False, "2025-03", "ytd", "births", 5.0, "S", "B8", 0],
            ["柳河乡", False, "2025-03", "ytd", "births", 7.0, "S", "B9", "not a row number"],
        ],
        columns=VALUE_COLUMNS,
    )
    broken = LoadResult("x.xlsx", "f" * 64, frame, [], periods=["2025-03"], bases=["ytd"])
    assert broken.ok
    with pytest.raises(ValueError):
        ingest.commit(broken, store, user="a")
    assert _tables(store) == before


def test_ingest_and_commit_keep_the_file_byte_for_byte(db_url, tmp_path):
    store = Store(db_url)
    jan = report(tmp_path / "jan", 1)
    data = jan.read_bytes()
    done = ingest.ingest(data, jan.name, store, user="a")
    assert done.stored
    assert store.original(done.upload_id) == (jan.name, data)
    assert store.upload(done.upload_id)["size"] == len(data)

    feb = report(tmp_path / "feb", 2)
    data = feb.read_bytes()
    result = ingest.check(data, feb.name, store)
    upload_id = ingest.commit(result, store, user="a", data=data)
    name, kept = store.original(upload_id)
    assert name == feb.name and hashlib.sha256(kept).hexdigest() == result.sha256
    assert store.upload(upload_id)["size"] == len(data)
    assert [u["has_original"] for u in store.uploads()] == [True, True]


def test_the_cli_ingest_keeps_the_file(db_url, tmp_path, capsys):
    jan = report(tmp_path / "jan", 1)
    assert main(["ingest", str(jan), "--db", db_url, "--user", "王芳"]) == 0
    capsys.readouterr()
    store = Store(db_url)
    [up] = store.uploads()
    assert (up["id"], up["user"], up["size"]) == (1, "王芳", jan.stat().st_size)
    assert store.original(1) == (jan.name, jan.read_bytes())
    store.dispose()
