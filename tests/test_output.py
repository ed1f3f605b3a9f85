"""Outputs: docs/cli.md's JSON records, the wide CSV and xlsx, and reasons in words."""

from __future__ import annotations

import io
import json

import pandas as pd
from openpyxl import load_workbook

from indicators.engine import compute
from indicators.output import (
    RECORD_KEYS,
    reason,
    to_records,
    to_wide,
    write_csv,
    write_xlsx,
)
from zhibiao.config import Settings


def rows(area: str, period: str, row: int, **fields: float) -> list[dict]:
    return [
        {"area": area, "is_total": False, "period": period, "basis": "ytd", "field": f,
         "value": float(v), "sheet": "", "cell": "", "row": row}
        for f, v in fields.items()
    ]  # fmt: skip


def bazi_table() -> pd.DataFrame:
    # docs/cli.md's example: 八字桥乡 53 boys, 25 girls (212.00); last year 47 and 26 (180.77)
    v = pd.DataFrame(
        rows("八字桥乡", "2013-10", 0, births_male=53, births_female=25)
        + rows("八字桥乡", "2012-10", 0, births_male=47, births_female=26)
        + rows("=1+1", "2013-10", 1, births_male=20, births_female=20)
    )
    return compute(v, "2013-10", "ytd", settings=Settings(county="示例县"))


def test_json_record_matches_cli_example():
    records = to_records(bazi_table())
    srb = [r for r in records if r["area"] == "八字桥乡" and r["indicator"] == "srb"][0]
    assert list(srb) == RECORD_KEYS
    assert srb == {
        "period": "2013-10",
        "basis": "ytd",
        "area": "八字桥乡",
        "is_total": False,
        "indicator": "srb",
        "value": 212.0,
        "previous": 180.77,
        "change": 31.23,
        "numerator": 53,
        "denominator": 25,
        # 78 births: the Clopper–Pearson interval (Wilson's was 132.35–339.6)
        "low95": 129.44,
        "high95": 356.02,
        "rank": 2,  # |212 − 105| is farther than |100 − 105|
        # P(X ≥ 53 | 78, 107/207) = 0.0026: under 2.5%, not under 0.1% (the 99.8% lower
        # end is 99.90 < 107)
        "status": "amber",
        "quality": [],
        # how they were found: 78 births, under exact_below (10,000)
        "interval_method": "clopper_pearson",
        "status_method": "clopper_pearson",
        # 212.00 against 180.77 (47:26): the share of boys 0.6795 against 0.6438, Newcombe's
        # interval −0.1130 … 0.1832 holds 0 (p = 0.643): not significant; as a change of the
        # ratio with last year's share held, g(0.6438 + d) − g(0.6438): −67.62 … +297.32
        "change_p": 0.6434,
        "change_low": -67.62,
        "change_high": 297.32,
        "change_dir": "flat",
        "change_method": "newcombe",
    }
    json.dumps(records, ensure_ascii=False)  # serialisable as it is


def test_records_order_rounding_and_nulls():
    records = to_records(bazi_table())
    # county first, then the areas in report order; indicators in catalog order
    assert [r["area"] for r in records[::20]] == ["示例县", "八字桥乡", "=1+1"]
    assert records[0]["is_total"] is True and records[0]["indicator"] == "births"
    births = records[0]
    # births are derived from boys + girls (53 + 25 + 20 + 20 = 118), a count: integer value,
    # denominator null; last year only 八字桥乡 reported (47 + 26 = 73)
    assert (births["value"], births["numerator"], births["denominator"]) == (118, 118, None)
    assert births["rank"] is None and births["status"] is None
    assert (births["previous"], births["change"]) == (73, 45)
    fee = [r for r in records if r["indicator"] == "fee_coverage"][0]
    assert fee["value"] is None and fee["low95"] is None and fee["status"] is None


def test_reason_in_words():
    t = bazi_table()
    row = t[(t["area"] == "八字桥乡") & (t["indicator"] == "srb")].iloc[0].to_dict()
    assert reason(row) == "八字桥乡 出生人口性别比 212.00(95%区间 129–356),高于正常上限 107"
    assert reason(row, "en") == (
        "八字桥乡 Sex ratio at birth 212.00 (95% interval 129–356), above the normal upper limit 107"
    )
    green = t[(t["area"] == "=1+1") & (t["indicator"] == "srb")].iloc[0].to_dict()
    assert green["status"] == "watch"  # 100.00 < 103 with 40 births
    assert reason(green).endswith("低于正常下限 103,但95%区间包含正常范围,请核查数据")


def test_low_srb_reason_asks_for_a_data_check():
    v = pd.DataFrame(rows("甲乡", "2024-03", 0, births_male=458, births_female=542))
    t = compute(v, "2024-03", "ytd", settings=Settings())
    row = t[(t["area"] == "甲乡") & (t["indicator"] == "srb")].iloc[0].to_dict()
    assert row["status"] == "red"
    assert reason(row).endswith(",低于正常下限 103,请核查数据")


def test_wide_table_one_row_per_area():
    wide = to_wide(bazi_table())
    assert wide["地区"].tolist() == ["示例县", "八字桥乡", "=1+1"]
    assert wide.loc[1, "出生人口性别比"] == 212.0
    assert wide.loc[1, "出生人口性别比 排名"] == 2
    assert wide.loc[1, "出生人口性别比 状态"] == "需关注"
    assert wide.loc[2, "出生人口性别比 状态"] == "待观察"
    assert "出生率(‰)" in wide.columns
    en = to_wide(bazi_table(), "en")
    assert en.columns[0] == "Area" and "Sex ratio at birth status" in en.columns


def test_csv_has_bom_and_is_formula_safe(tmp_path):
    out = tmp_path / "t.csv"
    write_csv(bazi_table(), out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("地区,出生人数,")
    assert "\n'=1+1," in text


def test_xlsx_status_colours_words_and_text_not_formula(tmp_path):
    out = tmp_path / "t.xlsx"
    write_xlsx(bazi_table(), out)
    ws = load_workbook(out).active
    assert ws["A1"].value == "地区"
    assert ws["A3"].value == "八字桥乡"
    # the area named "=1+1" is text, not a formula
    assert ws["A4"].value == "'=1+1"
    assert ws["A4"].data_type == "s"
    headers = [c.value for c in ws[1]]
    col = headers.index("出生人口性别比 状态") + 1
    status_cell = ws.cell(row=4, column=col)
    assert status_cell.value == "待观察"
    assert status_cell.fill.patternType == "lightUp"  # hatched: readable in black and white
    amber = ws.cell(row=3, column=col)
    assert amber.value == "需关注"
    assert amber.fill.fgColor.rgb == "00F5B041"
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_boys_only_is_shown_as_what_it_is():
    # 25 boys and 0 girls: no ratio (m/0), shown as 全部为男孩 25:0; the interval keeps its
    # lower end: the 95% Clopper–Pearson lower end of 25/25 is 0.025^(1/25) = 0.862815, as a
    # sex ratio 0.862815/0.137185 × 100 = 628.94; the upper end is open. Judged from it:
    # P(X ≥ 25 | 25, 107/207) = (107/207)^25 = 6.8e-8 < 0.1%: red.
    from indicators.warnings import warning_rows

    v = pd.DataFrame(
        rows("甲乡", "2024-03", 0, births_male=25, births_female=0)
        + rows("乙乡", "2024-03", 1, births_male=50, births_female=50)
    )
    t = compute(v, "2024-03", "ytd", settings=Settings())
    row = t[(t["area"] == "甲乡") & (t["indicator"] == "srb")].iloc[0].to_dict()
    share = 0.025 ** (1 / 25)
    assert row["low95"] == round(share / (1 - share) * 100, 2) == 628.94
    assert pd.isna(row["value"]) and pd.isna(row["high95"])
    assert (107 / 207) ** 25 < 0.001
    assert (row["status"], row["reason_code"]) == ("red", "reason.above_high")
    assert reason(row) == "甲乡 出生人口性别比 全部为男孩 25:0(95%区间 629 以上),高于正常上限 107"
    assert reason(row, "en") == (
        "甲乡 Sex ratio at birth all boys, 25:0 (95% interval from 629),"
        " above the normal upper limit 107"
    )
    warned = [w for w in warning_rows(t) if w["area"] == "甲乡" and w["indicator"] == "srb"]
    assert warned[0]["value"] == "全部为男孩 25:0"
    # and the briefing names it so
    from indicators.brief import briefing

    text = briefing(t, settings=Settings(county="样县", year_start_month=1))
    assert (
        "性别比超出正常范围（103–107）的乡镇有：甲乡 全部为男孩 25:0（95%区间 629 以上）。"
        "另有 1 个乡镇低于 103，但差异不显著：乙乡。"
    ) in text


def test_out_of_policy_rate_with_its_count_beside():
    # 甲乡 6 of 120 births out of policy (5.00 per 100), 乙乡 3 of 20 (15.00): the smaller
    # count ranks worse; the wide table and the ranking bars show the count beside the rate
    from dashboard.figures.ranking import _bar_text
    from dashboard.figures.style import indicator_info

    v = pd.DataFrame(
        rows("甲乡", "2024-03", 0, births=120, out_of_policy=6)
        + rows("乙乡", "2024-03", 1, births=20, out_of_policy=3)
    )
    t = compute(v, "2024-03", "ytd", settings=Settings(county="样县"))
    oop = t[t["indicator"] == "out_of_policy"].set_index("area")
    assert oop.loc["甲乡", ["value", "numerator", "rank"]].tolist() == [5.00, 6, 1]
    assert oop.loc["乙乡", ["value", "numerator", "rank"]].tolist() == [15.00, 3, 2]
    wide = to_wide(t)
    cols = ["政策外出生率(%)", "政策外出生率 人数", "政策外出生率 排名"]
    # the county (9 of 140 = 6.43) has no rank
    assert wide[cols[:2]].values.tolist() == [[6.43, 9], [5.00, 6], [15.00, 3]]
    assert wide[cols[2]].tolist()[1:] == [1, 2] and pd.isna(wide[cols[2]].iloc[0])
    info = indicator_info("out_of_policy", "zh")
    assert _bar_text(oop.loc["乙乡"], info, "zh") == "15.00（3人）"


def test_not_assessed_is_not_ranked_and_comes_last():
    # a month's sex ratios: 甲 53:50 (106.00), 乙 60:50 (120.00), 丙 40:40 (100.00); 丁 4:6
    # (66.67) and 戊 5:5 (100.00) have under 20 births: 不评价, so no rank (before, 66.67 was
    # ranked 15th and 100 4th in a county's chart and xlsx); they follow the ranked areas
    from dashboard.figures.ranking import rank_order

    counts = {"甲": (53, 50), "乙": (60, 50), "丙": (40, 40), "丁": (4, 6), "戊": (5, 5)}
    v = pd.DataFrame(
        [
            r
            for i, (area, (m, f)) in enumerate(counts.items())
            for r in rows(area, "2024-03", i, births_male=m, births_female=f)
        ]
    )
    t = compute(v, "2024-03", "ytd", settings=Settings(county="样县"))
    srb = t[(t["indicator"] == "srb") & ~t["is_total"]]
    got = {r["area"]: (r["value"], r["status"], r["rank"]) for r in srb.to_dict("records")}
    # |106 − 105| = 1, |100 − 105| = 5, |120 − 105| = 15
    assert {a: got[a][2] for a in ("甲", "丙", "乙")} == {"甲": 1, "丙": 2, "乙": 3}
    assert got["丁"][:2] == (66.67, "grey") and got["戊"][:2] == (100.00, "grey")
    assert pd.isna(got["丁"][2]) and pd.isna(got["戊"][2])
    assert rank_order(srb, "range")["area"].tolist()[:3] == ["甲", "丙", "乙"]
    assert set(rank_order(srb, "range")["area"].tolist()[3:]) == {"丁", "戊"}
    out = io.BytesIO()
    write_xlsx(t, out)
    sheet = load_workbook(out).active
    header = [c.value for c in sheet[1]]
    col = header.index("出生人口性别比 排名")
    ranks = {row[0].value: row[col].value for row in sheet.iter_rows(min_row=3)}
    assert ranks == {"甲": 1, "乙": 3, "丙": 2, "丁": None, "戊": None}
