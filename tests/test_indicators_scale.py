"""The indicator table of a synthetic county of 300 townships against a stored snapshot.

The snapshot (tests/data/indicators_scale_snapshot.json.gz) was first written by the engine as
it was before it was made fast (the exact, one figure at a time version), and written again
only when a method deliberately changed (each time named in the commit that did it: the exact
binomial statuses and intervals under `exact_below`, fees judged on persons due, …); every
value, rank, rank interval, status, reason and quality note of every row must stay the same. The county is
awkward on purpose: month-only reporters (year to date summed), a missing month, shrinking
year to date (negative months), derived fields (births from boys + girls, out of policy from
in policy), missing and NaN fields, zero girls, tiny areas, tied areas, amounts with 4
decimals, a duplicated row (the last one counts), renamed and merged areas, quality notes.

Write the snapshot again (only when the expected results really change):
`python tests/test_indicators_scale.py`.
"""

from __future__ import annotations

import gzip
import json
import math
import random
import shutil
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from indicators.catalog import Catalog, load_catalog
from indicators.columns import INDICATOR_COLUMNS
from indicators.engine import compute
from zhibiao.config import Settings
from zhibiao.datafiles import data_file
from zhibiao.vocabulary import STATUSES

SNAPSHOT = Path(__file__).parent / "data" / "indicators_scale_snapshot.json.gz"
AREAS = 300
MONTHS = [f"2023-{m:02d}" for m in range(10, 13)] + [
    f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)
]
MONTHS = [m for m in MONTHS if m <= "2025-03"]
#: (name, period, basis, year start month, catalog with aliases)
SCENARIOS = [
    ("ytd_jan", "2025-03", "ytd", 1, True),
    ("month_jan", "2025-03", "month", 1, False),
    ("ytd_oct", "2025-03", "ytd", 10, False),
    ("month_oct_start", "2024-10", "month", 10, True),
]
ALIASES = "old_name,new_name\n旧甲乡,新甲镇\n旧乙乡,新甲镇\n旧丙乡,乡镇0007\n"


def area_counts(rng: random.Random, size: int) -> dict[str, float]:
    """One month's figures of an area of about `size` births a month."""
    o = [rng.randint(0, size), rng.randint(0, max(size // 2, 0)), rng.randint(0, size // 6 + 1)]
    boys = [rng.randint(0, x) if x else 0 for x in o]
    girls = [x - b for x, b in zip(o, boys, strict=True)]
    oop = [rng.randint(0, x // 8) if x >= 8 else 0 for x in o]
    due = rng.randint(0, 6)
    paid = rng.randint(0, due)
    amount_due = rng.randint(0, 900_000) / 10_000
    out = {
        "births_male": float(sum(boys)),
        "births_female": float(sum(girls)),
        "births": float(sum(o)),
        "late_reports": float(rng.randint(0, 3)),
        "late_reports_out_of_policy": float(rng.randint(0, 1)),
        "first_marriages_female": float(rng.randint(0, size)),
        "fee_persons_due": float(due),
        "fee_persons_paid": float(paid),
        "fee_amount_due": amount_due,
        "fee_amount_paid": round(amount_due * rng.choice([0, 0.5, 0.7, 1]), 4),
    }
    for i, (b, g, x) in enumerate(zip(boys, girls, oop, strict=True), start=1):
        out[f"births_o{i}_male"] = float(b)
        out[f"births_o{i}_female"] = float(g)
        out[f"out_of_policy_o{i}"] = float(x)
    out["out_of_policy"] = float(sum(oop))
    return out


def add(acc: dict[str, float], month: dict[str, float]) -> dict[str, float]:
    return {k: acc.get(k, 0.0) + v for k, v in month.items()}


def synthetic_values(seed: int = 7) -> pd.DataFrame:
    """The values frame of the county (VALUE_COLUMNS), every month of MONTHS."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    names = [f"乡镇{a:04d}" for a in range(AREAS - 3)] + ["旧甲乡", "旧乙乡", "旧丙乡"]
    twin: dict[str, dict[str, float]] = {}
    for a, name in enumerate(names):
        kind = a % 9
        size = 0 if a % 37 == 0 else rng.choice([1, 2, 3, 5, 12, 40])
        population = float(rng.randint(500, 60_000)) if a % 23 else 0.0
        acc: dict[str, float] = {}
        year_start = {1: "-01", 10: "-10"}
        for period in MONTHS:
            month = twin.get(period) if kind == 4 and twin.get(period) else None
            month = month or area_counts(rng, size)
            if kind == 3 and a % 2 == 0:
                twin.setdefault(period, month)
            if period.endswith(year_start[1]):
                acc = {}
            acc = add(acc, month)
            if kind in (0, 3, 4):  # year to date, every field
                report, basis = dict(acc), "ytd"
            elif kind == 1:  # month only; one month missing for some
                if a % 4 == 1 and period == "2025-02":
                    continue
                report, basis = dict(month), "month"
            elif kind == 2:  # boys and girls only: births derived
                report = {k: v for k, v in acc.items() if k not in ("births", "out_of_policy")}
                basis = "ytd"
            elif kind == 5:  # in policy instead of out of policy
                report = {k: v for k, v in acc.items() if not k.startswith("out_of_policy")}
                for i in (1, 2, 3):
                    report[f"in_policy_o{i}"] = (
                        acc[f"births_o{i}_male"]
                        + acc[f"births_o{i}_female"]
                        - acc[f"out_of_policy_o{i}"]
                    )
                    del report[f"births_o{i}_male"]
                    report[f"births_o{i}"] = acc[f"births_o{i}_male"] + acc[f"births_o{i}_female"]
                report["births_o1_male"] = acc["births_o1_male"]
                basis = "ytd"
            elif kind == 6:  # ytd that shrinks now and then, and some NaN
                report = dict(acc)
                if period in ("2024-03", "2025-03"):
                    report["births_male"] = max(acc["births_male"] - 3, 0)
                    report["fee_amount_paid"] = math.nan
                basis = "ytd"
            elif kind == 7:  # both bases mixed: month reports, ytd in March
                report = dict(month) if not period.endswith("-03") else dict(acc)
                basis = "month" if not period.endswith("-03") else "ytd"
            else:  # tiny: zeros and no girls
                report = {k: 0.0 for k in acc}
                report["births_male"] = float(a % 5)
                report["births_o1_male"] = float(a % 5)
                basis = "ytd"
            report["population"] = population
            row = a if a % 11 else None
            for fld, v in report.items():
                rows.append(
                    {"area": name, "is_total": False, "period": period, "basis": basis,
                     "field": fld, "value": float(v), "sheet": "s", "cell": f"B{a}", "row": row}
                )  # fmt: skip
    # a duplicated row: the later one counts
    rows.append(
        {"area": "乡镇0009", "is_total": False, "period": "2025-03", "basis": "ytd",
         "field": "births_male", "value": 1.0, "sheet": "s", "cell": "B9", "row": 9}
    )  # fmt: skip
    for period in MONTHS:  # the report's own total row: never used
        rows.append(
            {"area": "全县", "is_total": True, "period": period, "basis": "ytd",
             "field": "births", "value": 99999.0, "sheet": "s", "cell": "B999", "row": 999}
        )  # fmt: skip
    return pd.DataFrame(rows)


def quality_frame() -> pd.DataFrame:
    note = {"severity": "warning", "code": "derived_mismatch", "file": "f.xlsx"}
    return pd.DataFrame(
        [
            {"area": "乡镇0003", "period": "2025-03", "basis": "ytd", "field": "births_male",
             "finding": dict(note, params={"n": 1})},
            {"area": None, "period": "2025-03", "basis": None, "field": "fee_amount_paid",
             "finding": dict(note, params={"n": 2})},
            {"area": "旧甲乡", "period": None, "basis": None, "field": None,
             "finding": dict(note, params={"n": 3})},
            {"area": "乡镇0005", "period": "2024-03", "basis": "ytd", "field": "births",
             "finding": dict(note, params={"n": 4})},
        ]
    )  # fmt: skip


def catalog_with_aliases(folder: Path) -> Catalog:
    src = data_file("indicators.toml")
    with resources.as_file(src) as path:
        shutil.copy(path, folder / "indicators.toml")
    (folder / "area_aliases.csv").write_text(ALIASES, encoding="utf-8")
    return load_catalog(folder / "indicators.toml")


def run_scenario(values: pd.DataFrame, scenario: tuple, folder: Path) -> pd.DataFrame:
    _, period, basis, ysm, aliases = scenario
    catalog = catalog_with_aliases(folder) if aliases else load_catalog()
    return compute(
        values,
        period,
        basis,
        catalog=catalog,
        settings=Settings(county=None, year_start_month=ysm),
        quality=quality_frame(),
        county="样县",
    )


def plain(value: Any) -> Any:
    """A cell as JSON: nan and NA as None, floats exact (repr), containers recursively."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else ("inf" if math.isinf(value) else value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "item"):
        return plain(value.item())
    return value


def table_rows(table: pd.DataFrame) -> list[list[Any]]:
    return [[plain(v) for v in row] for row in table[INDICATOR_COLUMNS].itertuples(index=False)]


def write_snapshot(folder: Path) -> None:
    values = synthetic_values()
    out = {"columns": INDICATOR_COLUMNS, "scenarios": {}}
    for scenario in SCENARIOS:
        out["scenarios"][scenario[0]] = table_rows(run_scenario(values, scenario, folder))
    SNAPSHOT.parent.mkdir(exist_ok=True)
    text = json.dumps(out, ensure_ascii=False, separators=(",", ":"))
    SNAPSHOT.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


@pytest.fixture(scope="module")
def snapshot() -> dict:
    return json.loads(gzip.decompress(SNAPSHOT.read_bytes()).decode("utf-8"))


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return synthetic_values()


@pytest.fixture(scope="module")
def tables(values, tmp_path_factory) -> dict[str, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("catalog")
    return {s[0]: run_scenario(values, s, folder) for s in SCENARIOS}


def test_snapshot_is_the_size_written_down(snapshot):
    # 300 reporting names, 3 of them merged into 1 new area (and one into 乡镇0007): 298
    # areas, the county first; 19 catalog indicators and the composite score
    assert snapshot["columns"] == INDICATOR_COLUMNS
    assert len(snapshot["scenarios"]["ytd_jan"]) == (298 + 1) * 20
    assert len(snapshot["scenarios"]["month_jan"]) == (300 + 1) * 20


@pytest.mark.parametrize("name", [s[0] for s in SCENARIOS])
def test_table_equals_snapshot(name, tables, snapshot):
    got = table_rows(tables[name])
    want = snapshot["scenarios"][name]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        if g != w:
            diff = {c: (a, b) for c, a, b in zip(INDICATOR_COLUMNS, g, w, strict=True) if a != b}
            raise AssertionError(f"{g[2]} {g[5]}: {diff}")


@pytest.mark.parametrize("name", [s[0] for s in SCENARIOS])
def test_rows_hold_their_invariants(name, tables):
    table = tables[name]
    catalog = load_catalog()
    assert list(table.columns) == INDICATOR_COLUMNS
    assert table["status"].dropna().isin(STATUSES).all()
    for col in ("status", "reason_code"):  # no status is None, never NaN
        assert all(v is None or isinstance(v, str) for v in table[col])
    county = table[table["is_total"]]
    assert county["rank"].isna().all()
    assert (county["order"] == 0).all()
    for ind in catalog.indicators:
        rows = table[(table["indicator"] == ind.key) & ~table["is_total"]]
        c = county[county["indicator"] == ind.key].iloc[0]
        have = rows[rows["numerator"].notna() & (rows["denominator"].notna() | (not ind.is_rate))]
        # the county is Σ numerators (and Σ denominators) over the areas that have the figure
        assert math.isclose(c["numerator"], math.fsum(have["numerator"]), rel_tol=1e-12)
        if ind.is_rate:
            assert math.isclose(c["denominator"], math.fsum(have["denominator"]), rel_tol=1e-12)
        # the value is the rounded exact value, within half a unit of the last decimal
        ok = rows["value"].notna()
        assert (
            (rows.loc[ok, "value"] - rows.loc[ok, "value_exact"]).abs() <= 0.5 * 10**-ind.dp + 1e-9
        ).all()
        # a value has a rank exactly when the indicator has a direction and the figure is
        # assessed (not grey, 不评价)
        ranked = rows["rank"].notna()
        assessed = (rows["status"] != "grey").to_numpy()
        assert (ranked == (ok & (ind.direction != "none") & assessed)).all()
        # equal rounded values share their rank
        for _, same in rows[ranked].groupby("value"):
            assert same["rank"].nunique() == 1


def test_hand_checked_rows(tables):
    t = tables["ytd_jan"]

    def row(area: str, indicator: str) -> dict:
        return t[(t["area"] == area) & (t["indicator"] == indicator)].iloc[0].to_dict()

    # 乡镇0008 is tiny (8 % 9 = 8): 3 boys (8 % 5), no girls: no sex ratio, grey
    srb = row("乡镇0008", "srb")
    assert srb["numerator"] == 3 and srb["denominator"] == 0 and math.isnan(srb["value"])
    assert srb["status"] == "grey" and srb["reason_code"] == "reason.too_few"
    assert {k: srb["reason_params"][k] for k in ("n", "min")} == {"n": 3, "min": 20}
    # the duplicated row: 乡镇0009 reported 1 boy last
    assert row("乡镇0009", "srb")["numerator"] == 1
    # the merged area exists, the old names do not
    assert set(t["area"]) >= {"新甲镇", "乡镇0007"} and "旧甲乡" not in set(t["area"])


def test_table_from_the_store_equals_snapshot(values, snapshot, tmp_path):
    """The county stored one upload a month on SQLite and read back (categorical codes, the
    latest revision, only the months the period needs) gives the very same table."""
    from indicators.periods import periods_needed
    from loaders.types import VALUE_COLUMNS, LoadResult
    from store import Store

    store = Store(f"sqlite:///{tmp_path / 'scale.db'}")
    stored = values.assign(row=values["row"].fillna(0).astype(int))[VALUE_COLUMNS]
    for period, frame in stored.groupby("period", sort=True):
        result = LoadResult(
            file=f"{period}.xlsx",
            sha256=f"{period}".ljust(64, "0"),
            values=frame.reset_index(drop=True),
            findings=[],
            periods=[str(period)],
            bases=sorted(set(frame["basis"])),
            fields=sorted(set(frame["field"])),
        )
        store.save_upload(result, user="u")
    name, period, basis, ysm, aliases = SCENARIOS[0]
    read = store.current(periods_needed(period, ysm))
    assert isinstance(read["area"].dtype, pd.CategoricalDtype)
    got = table_rows(run_scenario(read, SCENARIOS[0], tmp_path))
    assert got == snapshot["scenarios"][name]


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        write_snapshot(Path(tmp))
    print(SNAPSHOT.stat().st_size, "bytes written")
