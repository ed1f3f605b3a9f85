"""A new revision replaces its whole period, on SQLite and PostgreSQL.

Store 2025-11 (year to date) with 15 townships, then a revision with 14: the 15th is no longer
served, and the county's births are the new file's own total. The analyst may keep named
townships from the previous revision (recorded). Two analysts replacing one period at once:
the second is told a newer revision was stored while they were checking, and nothing of their
file is stored. A database from before the rule serves what it served.
"""

from __future__ import annotations

import threading
from pathlib import Path

import hostile
import pytest
import sqlalchemy as sa
from old_schema import old_database

from indicators import engine
from indicators.catalog import load_catalog
from store import RevisionConflict, Store
from zhibiao import ingest
from zhibiao.config import load_settings

TITLE = "示例县2025年1-11月出生情况月报表"
PERIOD = "2025-11"


def fifteen_then_fourteen(folder: Path) -> tuple[Path, Path]:
    """Revision 1: townships 1–15 with 16 boys each (births 30…44, total 555).
    Revision 2: townships 1–14 with 20 boys each (births 34…47, total 567)."""
    first = hostile.write_township_xlsx(
        folder, "十一月.xlsx", 15, title=TITLE, sheet="11月", boys=16
    )
    second = hostile.write_township_xlsx(
        folder, "十一月(更正).xlsx", 14, title=TITLE, sheet="11月", boys=20
    )
    return first, second


def county_births(store: Store) -> float:
    """The county's births on the dashboard: the indicator table's county row."""
    table = engine.compute(
        store.values(),
        PERIOD,
        "ytd",
        catalog=load_catalog(),
        settings=load_settings(),
        quality=store.quality(),
        county=store.county(),
    )
    row = table[(table["indicator"] == "births") & table["is_total"]]
    return float(row["value"].iloc[0])


def served_births(store: Store) -> dict[str, float]:
    frame = store.values(PERIOD)
    part = frame[frame["field"] == "births"]
    return dict(zip(part["area"], part["value"], strict=True))


def stored(path: Path, store: Store, **commit) -> int:
    data = path.read_bytes()
    result = ingest.check(data, path.name, store)
    assert result.ok, [f.code for f in result.findings]
    return ingest.commit(result, store, user="ana", data=data, **commit)


def test_fourteen_townships_replace_fifteen(db_url, tmp_path: Path):
    first, second = fifteen_then_fourteen(tmp_path)
    store = Store(db_url)
    store.create()
    one = stored(first, store)
    assert county_births(store) == 555
    assert len(served_births(store)) == 16  # 15 townships and the total row

    two = stored(second, store)
    births = served_births(store)
    assert "第15镇" not in births
    assert len(births) == 15  # 14 townships and the total row
    assert births["合计"] == 567
    assert county_births(store) == 567  # Σ of the 14 townships, the new file's own total
    assert set(store.values(PERIOD)["upload_id"]) == {two}
    # the replaced revision stays in the history
    history = store.history("第15镇", PERIOD, "ytd", "births")
    assert history["value"].tolist() == [44.0] and history["upload_id"].tolist() == [one]
    assert store.history("第1镇", PERIOD, "ytd", "births")["value"].tolist() == [30.0, 34.0]
    detail = store.audit_log(1)[0]["detail"]
    assert detail["replaces"] == {f"{PERIOD} ytd": one} and detail["kept_areas"] == []
    store.dispose()


def test_the_analyst_keeps_a_named_township_from_the_previous_revision(db_url, tmp_path: Path):
    first, second = fifteen_then_fourteen(tmp_path)
    store = Store(db_url)
    store.create()
    one = stored(first, store)
    result = ingest.check(second.read_bytes(), second.name, store)
    assert store.dropped_areas(result) == ["第15镇"]
    # a township the new file reports, or one never stored, is not "kept"
    two = ingest.commit(
        result,
        store,
        user="ana",
        data=second.read_bytes(),
        keep=["第15镇", "第1镇", "无此镇"],
    )
    births = served_births(store)
    assert len(births) == 16
    assert births["第15镇"] == 44  # from revision 1
    assert births["第1镇"] == 34  # from revision 2
    assert births["合计"] == 567  # the new file's total row
    assert county_births(store) == 567 + 44  # Σ of the 15 townships served
    frame = store.values(PERIOD)
    assert frame.loc[frame["area"] == "第15镇", "upload_id"].unique().tolist() == [one]
    upload = store.upload(two)
    assert upload["kept_areas"] == ["第15镇"] and upload["file"] == "十一月(更正).xlsx"
    assert store.audit_log(1)[0]["detail"]["kept_areas"] == ["第15镇"]
    store.dispose()


def test_a_commit_checked_against_an_older_revision_is_refused(db_url, tmp_path: Path):
    first, second = fifteen_then_fourteen(tmp_path)
    store = Store(db_url)
    store.create()
    one = stored(first, store)
    # two analysts check their files against revision 1
    mine = ingest.check(second.read_bytes(), second.name, store)
    theirs = ingest.check(first.read_bytes(), "别人的.xlsx", store)
    seen_mine, seen_theirs = store.revisions(mine), store.revisions(theirs)
    assert seen_mine == seen_theirs == {f"{PERIOD} ytd": one}
    two = ingest.commit(theirs, store, user="王芳", data=first.read_bytes(), seen=seen_theirs)
    with pytest.raises(RevisionConflict) as refused:
        ingest.commit(mine, store, user="ana", data=second.read_bytes(), seen=seen_mine)
    assert (refused.value.period, refused.value.basis) == (PERIOD, "ytd")
    assert refused.value.stored["id"] == two and refused.value.stored["user"] == "王芳"
    # nothing of the refused file: three townships' worth of rows of revision 2 are served
    assert len(store.uploads()) == 2
    assert set(store.values(PERIOD)["upload_id"]) == {two}
    assert served_births(store)["合计"] == 555
    store.dispose()


def test_two_analysts_replacing_one_period_at_once_never_mix_files(db_url, tmp_path: Path):
    """Both checked against revision 1; they commit at the same moment, ten times over: one
    is stored whole, the other refused, and what is served is one file's rows."""
    first, second = fifteen_then_fourteen(tmp_path)
    store = Store(db_url)
    store.create()
    stored(first, store)
    files = {
        "a": hostile.write_township_xlsx(
            tmp_path, "甲.xlsx", 15, title=TITLE, sheet="11月", boys=21
        ),
        "b": hostile.write_township_xlsx(
            tmp_path, "乙.xlsx", 13, title=TITLE, sheet="11月", boys=22
        ),
    }
    checked = {k: ingest.check(p.read_bytes(), p.name, store) for k, p in files.items()}
    stores = {k: Store(db_url) for k in files}

    def commit(key: str, seen: dict, barrier: threading.Barrier, outcomes: dict) -> None:
        barrier.wait()
        try:
            ingest.commit(
                checked[key], stores[key], user=key, data=files[key].read_bytes(), seen=seen
            )
            outcomes[key] = "stored"
        except RevisionConflict:
            outcomes[key] = "refused"

    for trial in range(10):
        seen = store.revisions(checked["a"])
        outcomes: dict[str, str] = {}
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=commit, args=(k, seen, barrier, outcomes)) for k in files
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes.values()) == ["refused", "stored"], (trial, outcomes)
        winner = next(k for k, v in outcomes.items() if v == "stored")
        frame = store.values(PERIOD)
        assert set(frame["file"]) == {files[winner].name}, trial
        births = served_births(store)
        # 甲: 15 townships of 21 boys, total 21·15 + Σ14…28; 乙: 13 of 22, total 22·13 + Σ14…26
        total = {"a": 21 * 15 + sum(range(14, 29)), "b": 22 * 13 + sum(range(14, 27))}[winner]
        assert births["合计"] == total and len(births) == {"a": 16, "b": 14}[winner]
    assert len(store.uploads()) == 11
    for other in stores.values():
        other.dispose()
    store.dispose()


def test_a_database_from_before_serves_what_it_served(db_url):
    """Two old uploads of 2025-03: A with two townships and a fee amount, B with one township.
    Under the old rule (latest per figure) 3 rows were served; they still are, and the rows B
    superseded are marked replaced by B."""
    rows = [
        (1, "城关镇", False, "births", 120),
        (1, "柳河乡", False, "births", 180),
        (1, "城关镇", False, "fee_amount_paid", 1.5),
        (2, "城关镇", False, "births", 125),
    ]
    old_database(db_url, [("A.xlsx", "2025-03"), ("B.xlsx", "2025-03")], rows)

    store = Store(db_url)
    store.create()
    store.create()  # a second time changes nothing
    frame = store.values("2025-03")
    served = {(r.area, r.field): (r.value, r.upload_id) for r in frame.itertuples()}
    assert served == {
        ("城关镇", "births"): (125.0, 2),
        ("柳河乡", "births"): (180.0, 1),
        ("城关镇", "fee_amount_paid"): (1.5, 1),
    }
    with store.engine.connect() as conn:
        marked = conn.execute(
            sa.text('SELECT area, field, replaced_by FROM "values" WHERE replaced_by IS NOT NULL')
        ).all()
    assert [tuple(m) for m in marked] == [("城关镇", "births", 2)]
    store.dispose()
