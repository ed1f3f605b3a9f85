"""Many comparisons at once: Benjamini–Hochberg over the period's red tests, and how many reds
chance alone would give (issue 10)."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from indicators.catalog import load_catalog
from indicators.engine import compute
from indicators.stats import benjamini_hochberg
from indicators.warnings import chance_of_reds
from zhibiao.config import Settings
from zhibiao.datafiles import data_file


def test_benjamini_hochberg_by_hand():
    # m = 5, q = 0.05: the thresholds k × 0.01 are 0.01, 0.02, 0.03, 0.04, 0.05; sorted p
    # 0.001, 0.012, 0.025, 0.041, 0.2: the largest k with p_(k) ≤ k × 0.01 is 3 (0.025 ≤ 0.03;
    # 0.041 > 0.04), so the three smallest are discoveries, 0.012 included though over 0.01
    p = np.array([0.2, 0.012, 0.001, 0.041, 0.025, np.nan])
    assert benjamini_hochberg(p, 0.05).tolist() == [False, True, True, False, True, False]
    assert not benjamini_hochberg(np.array([0.02, 0.5]), 0.01).any()


def county(boys: list[int]) -> pd.DataFrame:
    """Areas of 1,000 births each with these boys."""
    rows = [
        {"area": f"乡{i:03d}", "is_total": False, "period": "2024-03", "basis": "ytd",
         "field": f, "value": float(v), "sheet": "", "cell": "", "row": i}
        for i, b in enumerate(boys)
        for f, v in (("births_male", b), ("births_female", 1000 - b))
    ]  # fmt: skip
    return pd.DataFrame(rows)


def catalog_with(folder: Path, setting: str, value: str):
    with resources.as_file(data_file("indicators.toml")) as path:
        text = path.read_text("utf-8")
    old = {"fdr": 'fdr = "auto"'}[setting]
    (folder / "indicators.toml").write_text(text.replace(old, f"{setting} = {value}"), "utf-8")
    with resources.as_file(data_file("area_aliases.csv")) as path:
        shutil.copy(path, folder / "area_aliases.csv")
    return load_catalog(folder / "indicators.toml")


def srb(table: pd.DataFrame, area: str) -> dict:
    return table[(table["area"] == area) & (table["indicator"] == "srb")].iloc[0].to_dict()


def test_a_lone_red_among_sixty_areas_is_held_back(tmp_path):
    # 59 areas at 517 boys of 1,000 (107/207 of 1,000 is 516.9: on the limit) and 乡059 with
    # 567: P(X ≥ 567 | 1000, 107/207) = 0.00083 < 0.001, red by itself. With 60 areas (> 50)
    # Benjamini–Hochberg runs over the 61 red tests (the county too): the smallest p must be
    # ≤ 1 × 0.05/61 = 0.00082, and 0.00083 is not, so 乡059 is amber (marked fdr)
    p = binom.sf(566, 1000, 107 / 207)
    assert 0.05 / 61 < p < 0.001
    table = compute(county([517] * 59 + [567]), "2024-03", "ytd", settings=Settings())
    lone = srb(table, "乡059")
    assert lone["p_value"] == pytest.approx(p)
    assert (lone["status"], lone["reason_params"]["fdr"]) == ("amber", True)
    # with fdr = "off" it stays red
    off = catalog_with(tmp_path, "fdr", '"off"')
    table_off = compute(
        county([517] * 59 + [567]), "2024-03", "ytd", settings=Settings(), catalog=off
    )
    assert srb(table_off, "乡059")["status"] == "red"
    # two such areas: p_(2) = 0.00083 ≤ 2 × 0.05/62 = 0.0016: both discoveries, both red
    two = compute(county([517] * 58 + [567, 567]), "2024-03", "ytd", settings=Settings())
    assert srb(two, "乡058")["status"] == srb(two, "乡059")["status"] == "red"
    # 50 areas or fewer: no FDR by default
    small = compute(county([517] * 49 + [567]), "2024-03", "ytd", settings=Settings())
    assert srb(small, "乡049")["status"] == "red"


def test_reds_expected_by_chance_alone():
    table = compute(county([517] * 59 + [567]), "2024-03", "ytd", settings=Settings())
    chance = chance_of_reds(table)
    # 61 red tests of the sex ratio (the orders have no figures): 60 areas of 1,000 births,
    # each test's size at its limit (high side at 107: P(X ≥ 567 | 1000, 107/207) = 0.000834;
    # low side at 103: P(X ≤ 458 | 1000, 103/203) = 0.000990; the larger counts), and the
    # county of 61,000 births, judged by the score test (nominal 0.001)
    high = binom.sf(566, 1000, 107 / 207)
    low = binom.cdf(458, 1000, 103 / 203)
    assert (round(high, 6), round(low, 6)) == (0.000834, 0.00099)
    assert chance.tests == 61
    assert chance.expected == pytest.approx(60 * max(high, low) + 0.001)
    assert round(chance.expected, 3) == 0.060
    assert chance.any_red == pytest.approx(1 - (1 - max(high, low)) ** 60 * (1 - 0.001))
    assert (chance.reds, chance.fdr, chance.held_back) == (0, True, 1)
