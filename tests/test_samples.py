"""The sample county: every workbook loads cleanly and carries the generator's numbers."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from loaders import load
from zhibiao import samples as ms

EXPECTED_FILES = [
    "青川县2024年分月人口计生统计.xlsx",
    "青川县2024年1-12月出生情况统计.csv",
    *[f"青川县2025年1-{m}月人口计生统计月报表.xlsx" for m in range(1, 11)],
    "青川县2025年1-11月人口计生统计月报表(网报导出).xls",
]


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return ms.write_samples(tmp_path_factory.mktemp("samples"))


@pytest.fixture(scope="module")
def loaded(samples: list[Path]) -> dict[str, object]:
    return {p.name: load(p.read_bytes(), p.name) for p in samples}


def _births_by_hand(county: ms.County, year: int, months: range, area: str | None = None) -> int:
    """Σ of the generator's single-month births, summed here rather than by County.ytd."""
    areas = [area] if area else county.townships
    return sum(county.months[(year, m)][a]["births"] for m in months for a in areas)


def _figure(result, area: str, period: str, basis: str, field: str) -> float:
    v = result.values
    hit = v[(v["area"] == area) & (v["period"] == period) & (v["basis"] == basis)]
    hit = hit[hit["field"] == field]
    assert len(hit) == 1, (area, period, basis, field)
    return float(hit["value"].iloc[0])


def test_the_files_and_their_layouts(samples):
    assert [p.name for p in samples] == EXPECTED_FILES
    kinds = {p.suffix for p in samples}
    assert kinds == {".xlsx", ".csv", ".xls"}
    assert samples[1].read_bytes().decode("gbk").startswith("青川县2024年1-12月")
    assert samples[-1].read_bytes().lstrip().startswith(b"<html")


def test_every_sample_loads_without_errors(loaded):
    for name, result in loaded.items():
        assert result.ok, name
        assert result.errors == [], name
        assert result.county == "青川县", name
        areas = set(result.values.loc[~result.values["is_total"], "area"])
        assert len(areas) == 15, name
    monthly = loaded["青川县2024年分月人口计生统计.xlsx"]
    assert monthly.periods == [f"2024-{m:02d}" for m in range(1, 13)]
    assert monthly.bases == ["month"]
    assert loaded["青川县2024年1-12月出生情况统计.csv"].periods == ["2024-12"]
    assert loaded["青川县2024年1-12月出生情况统计.csv"].kind == "csv"
    report = loaded["青川县2025年1-6月人口计生统计月报表.xlsx"]
    assert (report.periods, report.bases, report.kind) == (["2025-06"], ["ytd"], "xlsx")
    html = loaded["青川县2025年1-11月人口计生统计月报表(网报导出).xls"]
    assert (html.periods, html.bases, html.kind) == (["2025-11"], ["ytd"], "html")


def test_county_births_match_the_generator(loaded):
    county = ms.generate()
    june = _births_by_hand(county, 2025, range(1, 7))
    # written down from the seed: 2024 had 3,582 births, January-October 2025 had 3,013
    assert _births_by_hand(county, 2024, range(1, 13)) == 3582
    assert _births_by_hand(county, 2025, range(1, 11)) == 3013
    report = loaded["青川县2025年1-6月人口计生统计月报表.xlsx"]
    total = report.values[report.values["is_total"] & (report.values["field"] == "births")]
    assert total["value"].tolist() == [june]
    assert total["area"].tolist() == ["全县"] and total["cell"].tolist() == ["B7"]
    # the first township's row is 8: 城关镇
    assert _figure(report, "城关镇", "2025-06", "ytd", "births") == _births_by_hand(
        county, 2025, range(1, 7), "城关镇"
    )

    monthly = loaded["青川县2024年分月人口计生统计.xlsx"]
    march = _births_by_hand(county, 2024, range(3, 4), "木鱼乡")
    assert _figure(monthly, "木鱼乡", "2024-03", "month", "births") == march

    csv = loaded["青川县2024年1-12月出生情况统计.csv"]
    assert _figure(csv, "总计", "2024-12", "ytd", "births") == _births_by_hand(
        county, 2024, range(1, 13)
    )
    html = loaded["青川县2025年1-11月人口计生统计月报表(网报导出).xls"]
    assert _figure(html, "全县合计", "2025-11", "ytd", "births") == _births_by_hand(
        county, 2025, range(1, 12)
    )


def test_amounts_arrive_in_wan_yuan(loaded):
    county = ms.generate()
    paid = sum(county.months[(2025, m)]["茶坪乡"]["fee_amount_paid"] for m in range(1, 11))
    report = loaded["青川县2025年1-10月人口计生统计月报表.xlsx"]
    assert _figure(report, "茶坪乡", "2025-10", "ytd", "fee_amount_paid") == pytest.approx(
        paid / 10_000, abs=1e-9
    )
    html = loaded["青川县2025年1-11月人口计生统计月报表(网报导出).xls"]
    due = sum(county.months[(2025, m)]["茶坪乡"]["fee_amount_due"] for m in range(1, 12))
    assert _figure(html, "茶坪乡", "2025-11", "ytd", "fee_amount_due") == pytest.approx(
        due / 10_000, abs=1e-9
    )


def test_the_county_has_the_shape_the_demo_needs():
    county = ms.generate()
    assert len(county.townships) == 15
    kinds = {name[-2:] if name.endswith("街道") else name[-1] for name in county.townships}
    assert kinds == {"镇", "乡", "街道"}
    pops = county.population[2024]
    assert min(pops.values()) >= 7_500 and max(pops.values()) <= 62_000

    def year(area: str, y: int = 2024) -> dict[str, int]:
        return county.ytd(y, 12, area)

    def srb(row: dict[str, int]) -> float:
        return 100 * row["births_male"] / row["births_female"]

    def compliance(row: dict[str, int]) -> float:
        oop = sum(row[f"out_of_policy_o{i}"] for i in (1, 2, 3))
        return 100 * (row["births"] - oop) / row["births"]

    assert 30 <= year("木鱼乡")["births"] <= 50  # the small township: about 40 a year
    assert srb(year("马鞍镇")) > 120 and srb(year("双河乡")) > 120
    assert 108 < srb(year("城关镇")) < 113  # the large one, slightly high
    assert compliance(year("凤凰镇")) < 90  # the weak one
    others = [compliance(year(a)) for a in county.townships if a != "凤凰镇"]
    assert min(others) >= 90 and max(others) <= 98.5
    tea = year("茶坪乡")
    assert tea["fee_amount_paid"] / tea["fee_amount_due"] < 0.5  # weak fee collection
    for key in ("births", "fee_persons_due", "fee_amount_due"):
        assert county.ytd(2025, 10)[key] >= county.ytd(2025, 9)[key]


def test_samples_are_byte_for_byte_reproducible(tmp_path, samples):
    again = ms.write_samples(tmp_path / "again")

    def digest(p: Path) -> str:
        return hashlib.sha256(p.read_bytes()).hexdigest()

    assert [digest(p) for p in again] == [digest(p) for p in samples]
