"""The catalog as data: expressions, an indicator added by a catalog file alone, area aliases."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest

from indicators.catalog import ExpressionError, load_catalog, parse_expression
from indicators.engine import compute
from zhibiao.config import Settings
from zhibiao.datafiles import data_text

CORE = [
    "births", "out_of_policy", "birth_rate", "srb", "srb_order1", "srb_order2", "srb_order3",
    "compliance", "compliance_order1", "compliance_order2", "compliance_order3", "multi_rate",
    "late_reports", "late_out_of_policy_share", "first_marriages", "first_marriage_rate",
    "fee_coverage", "fee_amount_rate", "fee_collected",
]  # fmt: skip


def rows(area: str, period: str, row: int = 0, **fields: float) -> list[dict]:
    return [
        {"area": area, "is_total": False, "period": period, "basis": "ytd", "field": f,
         "value": float(v), "sheet": "", "cell": "", "row": row}
        for f, v in fields.items()
    ]  # fmt: skip


def test_default_catalog_holds_the_core_indicators_in_order():
    cat = load_catalog()
    assert [i.key for i in cat.indicators] == CORE
    assert cat.table_keys()[-1] == "composite"
    srb = cat.get("srb")
    assert (srb.numerator, srb.denominator, srb.unit, srb.factor, srb.dp) == (
        "births_male", "births_female", "ratio100", 100, 2
    )  # fmt: skip
    assert (srb.direction, srb.reference, srb.range_low, srb.range_high) == ("range", 105, 103, 107)
    assert (srb.status_rule, srb.count_based, srb.min_denominator) == ("interval", True, 20)
    assert cat.get("compliance").numerator == "births - out_of_policy"
    assert cat.get("fee_coverage").limits == {"green": 90, "amber": 70}
    assert cat.get("fee_amount_rate").limits == {"green": 70, "amber": 50}
    assert cat.get("births").status_rule is None
    assert cat.setting("z95") == 1.959964 and cat.setting("z998") == 3.090232


def test_expressions_parse_without_eval():
    e = parse_expression("births - (out_of_policy + 2) - -1")
    assert e.fields == ["births", "out_of_policy"]
    values = {"births": Fraction(10), "out_of_policy": Fraction(3)}
    assert e.evaluate(values.get) == 6  # 10 − 5 + 1
    assert parse_expression("a").evaluate({}.get) is None  # a missing field: no value, not 0
    for bad in ["__import__('os')", "a * b", "a +", "(a", "a b", ""]:
        with pytest.raises(ExpressionError):
            parse_expression(bad)


def test_an_indicator_added_through_the_catalog_file_alone(tmp_path):
    text = data_text("indicators.toml")
    text += """
[[indicator]]
key = "boys_share"
zh = "男孩占比"
en = "Share of boys"
numerator = "births_male"
denominator = "births_male + births_female"
unit = "percent"
dp = 1
direction = "range"
reference = 51.2
count_based = true
"""
    path = tmp_path / "indicators.toml"
    path.write_text(text, "utf-8")
    cat = load_catalog(path)
    v = pd.DataFrame(
        rows("甲乡", "2024-03", 0, births_male=60, births_female=50)
        + rows("乙乡", "2024-03", 1, births_male=49, births_female=51)
    )
    t = compute(v, "2024-03", "ytd", catalog=cat, settings=Settings())
    got = t[t["indicator"] == "boys_share"].set_index("area")
    # 60/110 = 54.5454… → 54.5; 49/100 = 49.0; county 109/210 = 51.904… → 51.9
    assert got.loc["甲乡", "value"] == 54.5
    assert got.loc["乙乡", "value"] == 49.0
    assert got.loc["合计", "value"] == 51.9
    # |54.5 − 51.2| = 3.3 > |49.0 − 51.2| = 2.2
    assert (got.loc["乙乡", "rank"], got.loc["甲乡", "rank"]) == (1, 2)
    assert got.loc["甲乡", "low95"] < 54.5 < got.loc["甲乡", "high95"]
    assert t["indicator"].drop_duplicates().tolist()[-2:] == ["boys_share", "composite"]


def test_renamed_and_merged_areas_compare_with_last_year(tmp_path):
    text = data_text("indicators.toml")
    (tmp_path / "indicators.toml").write_text(text, "utf-8")
    (tmp_path / "area_aliases.csv").write_text(
        "old_name,new_name\n老街乡,新街镇\n上村乡,合并镇\n下村乡,合并镇\n", "utf-8"
    )
    cat = load_catalog(tmp_path / "indicators.toml")
    assert cat.aliases == {"老街乡": "新街镇", "上村乡": "合并镇", "下村乡": "合并镇"}
    v = pd.DataFrame(
        rows("老街乡", "2023-03", 0, births=40)
        + rows("上村乡", "2023-03", 1, births=15)
        + rows("下村乡", "2023-03", 2, births=20)
        + rows("新街镇", "2024-03", 0, births=44)
        + rows("合并镇", "2024-03", 1, births=30)
    )
    t = compute(v, "2024-03", "ytd", catalog=cat, settings=Settings())
    births = t[t["indicator"] == "births"].set_index("area")
    assert (births.loc["新街镇", "previous"], births.loc["新街镇", "change"]) == (40, 4)
    # merged: 15 + 20 = 35 last year, 30 now
    assert (births.loc["合并镇", "previous"], births.loc["合并镇", "change"]) == (35, -5)
    assert (births.loc["合计", "previous"], births.loc["合计", "value"]) == (75, 74)
