"""A store belongs to one jurisdiction (issue 9): another county's workbook is refused with
both names, a file of mostly unknown areas too, a new township is a warning naming it."""

from __future__ import annotations

from county_variants import report
from workbooks import write_xlsx

from loaders.describe import describe
from store import Store
from zhibiao import ingest
from zhibiao import samples as ms

N = None


def _first_month(store: Store, tmp_path) -> None:
    jan = report(tmp_path / "jan", 1)
    assert ingest.ingest(jan.read_bytes(), jan.name, store, user="a").stored


def _other_county(tmp_path, title: str | None) -> bytes:
    rows = [
        [title, N, N, N],
        ["乡镇", "出生人数", "男", "女"],
        ["东镇", 10, 6, 4],
        ["西乡", 5, 2, 3],
        ["南镇", 7, 3, 4],
    ]
    if title is None:
        rows = rows[1:]
    return write_xlsx(tmp_path / "other.xlsx", rows).read_bytes()


def test_a_file_naming_another_county_is_refused_with_both_names(db_url, tmp_path):
    store = Store(db_url)
    _first_month(store, tmp_path)
    data = _other_county(tmp_path, "示例县2025年1-2月出生统计")
    done = ingest.ingest(data, "other.xlsx", store, user="a", accept_inconsistent=True)
    assert not done.stored
    [refused] = [f for f in done.result.blocking]
    assert refused.code == "load.other_jurisdiction" and not refused.acceptable
    assert refused.params == {"store": "青川县", "named": "示例县"}
    text = describe(refused)
    assert "示例县" in text and "青川县" in text
    assert len(store.uploads()) == 1


def test_a_file_of_mostly_unknown_areas_is_refused_unless_accepted(db_url, tmp_path):
    store = Store(db_url)
    _first_month(store, tmp_path)
    data = _other_county(tmp_path, None)
    done = ingest.ingest(data, "other.xlsx", store, user="a", period="2025-02")
    assert not done.stored
    [refused] = done.result.blocking
    assert refused.code == "load.unknown_areas" and refused.acceptable
    assert (refused.params["count"], refused.params["total"]) == (3, 3)
    assert refused.params["areas"] == "东镇、西乡、南镇"
    assert "青川县" in describe(refused)
    # the sentence holds whether the file is refused or an administrator accepts it
    assert "已拒收" not in describe(refused) and "不予载入" in describe(refused)
    # an administrator adds them deliberately
    accepted = ingest.ingest(
        data, "other.xlsx", store, user="admin", period="2025-02", accept_inconsistent=True
    )
    assert accepted.stored


def test_a_new_township_is_a_warning_naming_it(db_url, tmp_path):
    store = Store(db_url)
    _first_month(store, tmp_path)
    old = ms.TOWNSHIPS[-1].name

    def rename(c: ms.County) -> None:
        for months in c.months.values():
            months["新城镇"] = months.pop(old)
        for pop in c.population.values():
            pop["新城镇"] = pop.pop(old)
        c.townships = [("新城镇" if a == old else a) for a in c.townships]

    feb = report(tmp_path / "feb", 2, rename)
    done = ingest.ingest(feb.read_bytes(), feb.name, store, user="a")
    assert done.stored
    new = [f for f in done.result.findings if f.code == "load.new_area"]
    assert [(f.severity, f.params["area"]) for f in new] == [("warning", "新城镇")]
    assert "新乡镇：新城镇" in describe(new[0])
    missing = [f.params["area"] for f in done.result.findings if f.code == "load.area_missing"]
    assert missing == [old]


def test_the_same_county_in_traditional_characters_is_the_same(db_url, tmp_path):
    assert ingest.same_jurisdiction("青川县", "青川縣")
    assert ingest.same_jurisdiction("四川省青川县", "青川县")
    assert not ingest.same_jurisdiction("青川县", "示例县")
