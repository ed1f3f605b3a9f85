"""A two-level area table (issue 9.3): the finer level stored with its parent, on SQLite and
PostgreSQL, through `zhibiao ingest`; and the parent column added to an older database.

The fixture is a city's table: two counties (codes of 5 digits), each right above its three
townships (codes of 7 digits); every figure below is written down from its cells."""

from __future__ import annotations

import sqlalchemy as sa
from old_schema import old_database
from workbooks import write_xlsx

from store import Store
from zhibiao.cli import main

N = None

TWO_LEVELS = [
    ["某市2024年3月各乡镇出生人数", N, N, N, N],
    ["代码", "区域", "出生人数", "男", "女"],
    ["51081", "东山县", 60, 31, 29],
    ["5108101", "东山县城关镇", 25, 13, 12],
    ["5108102", "东山县柳河乡", 20, 10, 10],
    ["5108103", "东山县石桥镇", 15, 8, 7],
    ["51082", "西河县", 45, 24, 21],
    ["5108201", "西河县河口镇", 12, 7, 5],
    ["5108202", "西河县白马乡", 18, 9, 9],
    ["5108203", "西河县新集镇", 15, 8, 7],
]

#: township → (its county, births, boys, girls), as written in TWO_LEVELS
TOWNSHIPS = {
    "东山县城关镇": ("东山县", 25, 13, 12),
    "东山县柳河乡": ("东山县", 20, 10, 10),
    "东山县石桥镇": ("东山县", 15, 8, 7),
    "西河县河口镇": ("西河县", 12, 7, 5),
    "西河县白马乡": ("西河县", 18, 9, 9),
    "西河县新集镇": ("西河县", 15, 8, 7),
}


def test_townships_are_stored_with_their_county_as_parent(db_url, tmp_path, capsys):
    path = write_xlsx(tmp_path / "某市2024年3月.xlsx", TWO_LEVELS)
    assert main(["ingest", str(path), "--db", db_url, "--lang", "en"]) == 0
    assert "stored (upload 1)" in capsys.readouterr().out
    store = Store(db_url)
    assert store.area_parents("2024-03") == {a: p for a, (p, *_) in TOWNSHIPS.items()}
    frame = store.values("2024-03")
    assert not frame["is_total"].any()  # the county rows are groups, not areas nor totals
    got = {
        area: tuple(
            frame.loc[(frame["area"] == area) & (frame["field"] == f), "value"].item()
            for f in ("births", "births_male", "births_female")
        )
        for area in TOWNSHIPS
    }
    assert got == {a: tuple(float(v) for v in vs) for a, (_, *vs) in TOWNSHIPS.items()}
    assert set(frame["area"]) == set(TOWNSHIPS)
    assert store.area_parents("2024-04") == {}
    store.dispose()


def test_an_area_of_a_one_level_table_has_no_parent(db_url, tmp_path, capsys):
    rows = [
        ["2024年3月各乡镇出生人数", N],
        ["乡镇", "出生人数"],
        ["合计", 9],
        ["城关镇", 5],
        ["柳河乡", 4],
    ]
    path = write_xlsx(tmp_path / "a.xlsx", rows)
    assert main(["ingest", str(path), "--db", db_url]) == 0
    capsys.readouterr()
    store = Store(db_url)
    assert store.area_parents("2024-03") == {"城关镇": None, "柳河乡": None}
    with store.engine.connect() as conn:
        parents = conn.execute(sa.text('SELECT DISTINCT parent FROM "values"')).scalars().all()
    assert parents == [None]  # the total row too
    store.dispose()


def test_a_later_revision_gives_the_parents_of_its_own_table(db_url, tmp_path, capsys):
    path = write_xlsx(tmp_path / "某市2024年3月.xlsx", TWO_LEVELS)
    assert main(["ingest", str(path), "--db", db_url]) == 0
    flat = [["2024年3月各乡镇出生人数", N], ["乡镇", "出生人数"], ["东山县城关镇", 26]]
    again = write_xlsx(tmp_path / "某市2024年3月补报.xlsx", flat)
    assert main(["ingest", str(again), "--db", db_url]) == 0
    capsys.readouterr()
    store = Store(db_url)
    # the revision replaces the whole period: only its township is served, with no parent
    assert store.area_parents("2024-03") == {"东山县城关镇": None}
    store.dispose()


def test_create_adds_the_parent_column_to_an_older_database(db_url, tmp_path, capsys):
    old_database(db_url, [("旧表.xlsx", "2024-02")], [(1, "东山县城关镇", False, "births", 20)])
    columns = {c["name"] for c in sa.inspect(sa.create_engine(db_url)).get_columns("values")}
    assert "parent" not in columns and len(columns) == 11

    store = Store(db_url)
    store.create()
    store.create()  # a second time changes nothing
    columns = {c["name"] for c in sa.inspect(store.engine).get_columns("values")}
    assert "parent" in columns and len(columns) == 13
    assert store.area_parents("2024-02") == {"东山县城关镇": None}  # stored before parents

    path = write_xlsx(tmp_path / "某市2024年3月.xlsx", TWO_LEVELS)
    # five townships the old database never saw: accepted as the jurisdiction's own
    assert main(["ingest", str(path), "--db", db_url, "--accept-inconsistent"]) == 0
    capsys.readouterr()
    assert store.area_parents("2024-03")["西河县白马乡"] == "西河县"
    assert store.area_parents("2024-02") == {"东山县城关镇": None}
    store.dispose()
