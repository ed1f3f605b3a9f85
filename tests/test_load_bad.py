"""Bad reports: each refused (or warned about) with the exact finding code and cell addresses.

Most build the sheet as a Grid (what the reader hands over) and call load_grids; those that
need the reader (formulas without a cached value, a file that is no spreadsheet) go through
load() with a file written by tests/workbooks.py.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from workbooks import LAYOUTS, report_sheet, write_report

from loaders import load
from loaders.describe import describe
from loaders.load import load_grids
from loaders.rules import check_areas_missing, check_ytd_not_shrinking
from loaders.types import VALUE_COLUMNS, Grid, LoadResult
from zhibiao.config import Settings

FLAT = ("乡镇", "出生人数", "男", "女", "政策外出生")
TITLE = "示例县2024年1-10月出生统计"


def flat_grid(rows: list[list[Any]], *, name: str = "10月", title: str | None = TITLE) -> Grid:
    """Title row 1 (if any), header row 2, data from row 3."""
    cells: list[list[Any]] = [[title, None, None, None, None]] if title else []
    cells.append(list(FLAT))
    cells += [list(r) for r in rows]
    return Grid(name, cells, [(0, 0, 0, 4)] if title else [])


GOOD = [
    ["城关镇", 120, 64, 56, 3],
    ["河口镇", 85, 44, 41, 2],
    ["柳林乡", 40, 22, 18, 0],
    ["合计", 245, 130, 115, 5],
]


def run(grid_or_grids: Grid | list[Grid], **options: Any) -> LoadResult:
    grids = grid_or_grids if isinstance(grid_or_grids, list) else [grid_or_grids]
    return load_grids(grids, "a.xlsx", kind="xlsx", **options)


def only(result: LoadResult, code: str):
    hits = [f for f in result.findings if f.code == code]
    assert len(hits) == 1, [(f.code, [c.cell for c in f.cells]) for f in result.findings]
    return hits[0]


def cells_of(finding) -> list[str]:
    return [c.cell for c in finding.cells]


def errors(result: LoadResult) -> list[str]:
    return [f.code for f in result.errors]


def test_the_good_report_loads():
    r = run(flat_grid(GOOD))
    assert r.ok and errors(r) == []
    assert len(r.values) == 16


def test_male_plus_female_not_total():
    rows = [list(r) for r in GOOD]
    rows[0][1:4] = [420, 226, 195]
    rows[3][1:4] = [545, 292, 254]
    r = run(flat_grid(rows))
    found = [f for f in r.findings if f.code == "load.sum_mismatch"]
    # the township's row, and so the total row (545 ≠ 292 + 254)
    assert [cells_of(f) for f in found] == [["B3", "C3", "D3"], ["B6", "C6", "D6"]]
    f = found[0]
    assert (f.severity, f.rule, f.acceptable) == ("error", "births_sex", True)
    assert cells_of(f) == ["B3", "C3", "D3"]
    assert [c.value for c in f.cells] == [420, 226, 195]
    assert describe(f) == (
        "a.xlsx：10月!B3 出生人数 420 ≠ C3 男 226 + D3 女 195 = 421（城关镇）：请核对 B3、C3、D3"
    )
    assert (
        describe(f, "en")
        == "a.xlsx: 10月!B3 出生人数 420 ≠ C3 男 226 + D3 女 195 = 421 (城关镇): check B3, C3, D3"
    )
    assert not r.ok


def test_consistency_violations_may_be_accepted():
    rows = [list(r) for r in GOOD]
    rows[0][1:4] = [420, 226, 195]
    rows[3][1:4] = [545, 292, 254]
    r = run(flat_grid(rows), accept_inconsistent=True)
    assert errors(r) == ["load.sum_mismatch", "load.sum_mismatch"]
    assert r.accepted and r.ok


def test_total_row_not_sum_of_areas():
    rows = [list(r) for r in GOOD]
    rows[3][1] = 246
    r = run(flat_grid(rows))
    f = only(r, "load.total_mismatch")
    assert cells_of(f) == ["B6", "B3", "B4", "B5"]
    assert f.params["sum"] == "245"
    assert describe(f) == (
        "a.xlsx：10月!B6 出生人数 246 ≠ 各乡镇之和 245：B3 城关镇 120 + B4 河口镇 85 + B5 柳林乡 40"
    )
    # the total row's own male + female = total fails too, at the same row
    assert cells_of(only(r, "load.sum_mismatch")) == ["B6", "C6", "D6"]
    assert not r.ok


def test_duplicate_area():
    rows = [list(r) for r in GOOD]
    rows[2][0] = "城关镇"
    r = run(flat_grid(rows))
    f = only(r, "load.duplicate_area")
    assert cells_of(f) == ["A3", "A5"]
    assert f.acceptable is False and not r.ok


def test_not_a_number():
    rows = [list(r) for r in GOOD] + []
    rows.insert(3, ["石桥乡", 10, 5, "abc", 0])
    rows[4] = ["合计", 255, 135, 120, 5]
    r = run(flat_grid(rows))
    f = only(r, "load.not_a_number")
    assert cells_of(f) == ["D6"] and f.cells[0].value == "abc"
    assert describe(f) == (
        "a.xlsx：10月!D6 女 abc：石桥乡的“女”不是数字（“abc”），已拒收。请填数字，零可填 0 或留空。"
    )
    assert not r.ok


def test_negative_count():
    rows = [list(r) for r in GOOD]
    rows[2][4] = -1
    rows[3][4] = 4
    r = run(flat_grid(rows))
    assert cells_of(only(r, "load.negative_value")) == ["E5"]
    assert not r.ok


def test_fractional_count():
    rows = [list(r) for r in GOOD]
    rows[1][4] = 2.5
    r = run(flat_grid(rows))
    assert cells_of(only(r, "load.fractional_count")) == ["E4"]
    assert not r.ok


def test_out_of_policy_more_than_births():
    rows = [list(r) for r in GOOD]
    rows[2][4] = 41
    rows[3][4] = 46
    r = run(flat_grid(rows))
    f = only(r, "load.exceeds")
    assert f.rule == "out_of_policy_le_births"
    assert cells_of(f) == ["E5", "B5"]
    assert describe(f) == (
        "a.xlsx：10月!E5 政策外出生 41 > B5 出生人数 40（柳林乡，部分不能大于总数）：请核对 E5、B5"
    )
    assert not r.ok


def merged_grid(row: list[Any]) -> Grid:
    """The `merged` layout (title, header rows 2-4) with one township in row 5."""
    sheet = report_sheet(LAYOUTS["merged"], [row], name="10月", title=TITLE, total=None)
    merges = []
    from openpyxl.utils.cell import range_boundaries

    for m in sheet.merges:
        c0, r0, c1, r1 = range_boundaries(m)
        merges.append((r0 - 1, c0 - 1, r1 - 1, c1 - 1))
    return Grid("10月", sheet.cells, merges)


TOWN = ["城关镇", 120, 64, 56, 40, 35, 22, 19, 2, 2, 0, 3, 1, 96.67, 6, 4, 12.5, 8.25]


def test_merged_good_row_loads():
    r = run(merged_grid(TOWN))
    assert r.ok, [(f.code, cells_of(f)) for f in r.findings]


def test_out_of_policy_of_an_order_more_than_its_births():
    row = list(TOWN)
    row[12] = 5  # 多孩 out of policy 5 > 2 + 2 third births
    row[13] = 93.33
    r = run(merged_grid(row))
    f = only(r, "load.exceeds")
    assert f.rule == "out_of_policy_o3_le_births"
    # the births of that order are the sum of its sex pair: both cells named
    assert cells_of(f) == ["M5", "I5", "J5"]
    assert describe(f) == (
        "a.xlsx：10月!M5 多孩 5 > (I5+J5) 多孩出生 4（城关镇，部分不能大于总数）：请核对 M5、I5、J5"
    )


def test_fee_persons_collected_more_than_due():
    row = list(TOWN)
    row[15] = 7
    r = run(merged_grid(row))
    f = only(r, "load.exceeds")
    assert f.rule == "fee_persons_paid_le_due"
    assert cells_of(f) == ["P5", "O5"]


def test_fee_amount_collected_more_than_due():
    row = list(TOWN)
    row[17] = 12.51
    r = run(merged_grid(row))
    f = only(r, "load.exceeds")
    assert f.rule == "fee_amount_paid_le_due"
    assert cells_of(f) == ["R5", "Q5"]
    assert [c.value for c in f.cells] == [12.51, 12.5]


def test_fee_amount_within_tolerance_is_not_an_error():
    row = list(TOWN)
    row[17] = 12.504
    r = run(merged_grid(row))
    assert errors(r) == []


def test_males_by_order_not_adding_to_male_births():
    row = list(TOWN)
    row[4] = 41  # 一孩男 41: 41 + 22 + 2 ≠ 64 (and the orders ≠ births)
    row[5] = 34
    r = run(merged_grid(row))
    f = next(f for f in r.findings if f.rule == "births_male_orders")
    assert f.code == "load.sum_mismatch"
    assert cells_of(f) == ["C5", "E5", "G5", "I5"]
    assert not r.ok


def test_derived_ratio_disagrees_is_a_warning():
    row = list(TOWN)
    row[13] = 96.6  # counts give 96.67 (116 / 120); 96.6 is off by more than 0.05
    r = run(merged_grid(row))
    f = only(r, "load.derived_mismatch")
    assert f.severity == "warning" and f.acceptable
    assert cells_of(f)[0] == "N5"
    assert (f.cells[0].area, f.cells[0].field) == ("城关镇", "compliance")
    assert set(cells_of(f)[1:]) == {"B5", "K5", "L5", "M5"}
    assert f.params["computed"] == "96.67"
    assert r.ok


def test_derived_ratio_within_half_a_shown_unit():
    row = list(TOWN)
    row[13] = 96.7  # one decimal shown: 96.667 is within 0.05
    assert not any(f.code == "load.derived_mismatch" for f in run(merged_grid(row)).findings)


def orders_grid(rows: list[list[Any]]) -> Grid:
    header = ["乡镇", "出生人数", "一孩", "二孩", "多孩", "补报往年出生", "其中政策外"]
    return Grid("Sheet1", [[TITLE], header, *rows], [])


def test_orders_not_adding_to_births():
    r = run(orders_grid([["城关镇", 120, 70, 40, 5, 3, 1]]))
    f = only(r, "load.sum_mismatch")
    assert f.rule == "births_orders"
    assert cells_of(f) == ["B3", "C3", "D3", "E3"]
    assert not r.ok


def test_late_out_of_policy_more_than_late_reports():
    r = run(orders_grid([["城关镇", 120, 75, 40, 5, 3, 4]]))
    f = only(r, "load.exceeds")
    assert f.rule == "late_out_of_policy_le_late"
    assert cells_of(f) == ["G3", "F3"]


def test_in_policy_more_than_births_of_its_order():
    header = [["地区", "一孩", None], [None, "小计", "其中:计划内"]]
    grid = Grid("Sheet1", [[TITLE], *header, ["城关镇", 75, 76]], [(1, 0, 2, 0), (1, 1, 1, 2)])
    r = run(grid)
    f = next(f for f in r.findings if f.rule == "in_policy_o1_le_births")
    assert f.code == "load.exceeds"
    assert cells_of(f) == ["C4", "B4"]


def test_out_of_policy_total_disagrees_with_its_orders():
    header = [
        ["乡镇", "政策外出生", "不符合政策生育", None, None],
        [None, None, "一孩", "二孩", "多孩"],
    ]
    grid = Grid(
        "Sheet1",
        [[TITLE], *header, ["城关镇", 5, 1, 2, 1]],
        [(1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 1, 4)],
    )
    r = run(grid)
    f = only(r, "load.sum_mismatch")
    assert f.rule == "out_of_policy_orders"
    assert cells_of(f) == ["B4", "C4", "D4", "E4"]


def test_no_area_column():
    grid = Grid("Sheet1", [[TITLE], ["名称", "出生人数", "男", "女"], ["城关镇", 120, 64, 56]])
    r = run(grid)
    f = only(r, "load.no_area_column")
    assert cells_of(f) == ["B2", "C2", "D2"]
    assert errors(r) == ["load.no_area_column"]
    assert not r.ok


def test_no_header_anywhere():
    r = run([Grid("填报说明", [["各乡镇于次月3日前报送。"]]), Grid("Sheet2", [])])
    assert errors(r) == ["load.no_header"]
    assert [f.code for f in r.findings if f.severity == "note"] == ["load.sheet_skipped"] * 2
    assert not r.ok


def test_no_period():
    r = run(flat_grid(GOOD, name="Sheet1", title="各乡镇出生统计"))
    f = only(r, "load.no_period")
    assert f.sheet == "Sheet1"
    assert not r.ok
    assert describe(f).startswith("a.xlsx：工作表“Sheet1”：标题、表名和文件名中都没有找到报表期")


def test_bad_period_and_basis_options():
    r = run(flat_grid(GOOD), period="2024-13", basis="quarter")
    assert errors(r) == ["load.bad_period_option", "load.bad_basis_option"]
    assert not r.ok


def test_two_columns_to_one_field():
    grid = Grid(
        "Sheet1",
        [[TITLE], ["乡镇", "出生人数", "男", "女", "出生数"], ["城关镇", 120, 64, 56, 120]],
    )
    r = run(grid)
    f = only(r, "load.duplicate_field")
    assert cells_of(f) == ["B2", "E2"]
    assert not r.ok


def test_total_row_in_the_middle():
    rows = [GOOD[0], GOOD[3], GOOD[1], GOOD[2]]
    r = run(flat_grid(rows))
    f = only(r, "load.total_row_misplaced")
    assert cells_of(f) == ["A4"]
    assert not r.ok


def test_same_period_on_two_sheets():
    r = run([flat_grid(GOOD, name="表一"), flat_grid(GOOD, name="表二")])
    dup = [f for f in r.findings if f.code == "load.duplicate_period"]
    assert len(dup) == 16
    first = next(f for f in dup if f.params["area"] == "城关镇" and f.params["field"] == "births")
    assert [(c.sheet, c.cell) for c in first.cells] == [("表一", "B3"), ("表二", "B3")]
    assert not r.ok


def test_unrecognised_column_is_a_warning_with_its_cell():
    grid = Grid(
        "Sheet1",
        [[TITLE], ["乡镇", "出生人数", "男", "女", "流动人口登记"], ["城关镇", 120, 64, 56, 7]],
    )
    r = run(grid)
    f = only(r, "load.unrecognised_column")
    assert f.severity == "warning" and cells_of(f) == ["E2"]
    assert r.ok


def test_population_total_not_sum_of_areas():
    header = ["乡镇", "户籍人口"]
    grid = Grid("S", [[TITLE], header, ["城关镇", 52000], ["河口镇", 38000], ["全县", 91000]])
    r = run(grid)
    f = only(r, "load.total_mismatch")
    assert cells_of(f) == ["B5", "B3", "B4"]
    assert not r.ok


def test_formula_without_cached_value_in_a_count_column(tmp_path):
    rows = [["城关镇", "=C4+D4", 64, 56, 3], ["河口镇", 85, 44, 41, 2]]
    path = write_report(
        tmp_path / "示例县2024年1-3月.xlsx",
        "flat",
        rows,
        title=TITLE,
        total=None,
        preamble=["单位:人"],
    )
    r = load(path.read_bytes(), path.name)
    f = only(r, "load.formula_no_value")
    assert f.severity == "error" and cells_of(f) == ["B4"]
    assert not r.ok
    # never read as 0: the cell has no value at all
    v = r.values
    assert v[(v["area"] == "城关镇") & (v["cell"] == "B4")].empty
    # (births is still known as male + female, a derived value without a cell)
    births = v[(v["area"] == "城关镇") & (v["field"] == "births")]
    assert list(births["value"]) == [120.0] and list(births["cell"]) == [""]


def test_not_a_spreadsheet_is_refused_by_the_reader(tmp_path):
    r = load(b"%PDF-1.4 not a workbook", "示例县2024年1-3月.xlsx")
    assert r.errors and all(f.code.startswith("read.") for f in r.errors)
    assert not r.ok and r.values.empty
    assert describe(r.errors[0]).startswith("示例县2024年1-3月.xlsx")


def frame(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "area": a,
                "is_total": False,
                "period": p,
                "basis": "ytd",
                "field": f,
                "value": v,
                "sheet": "S",
                "cell": "B3",
                "row": 0,
            }
            for a, p, f, v in rows
        ],
        columns=VALUE_COLUMNS,
    )


def test_ytd_smaller_than_the_month_before():
    previous = frame(
        [("城关镇", "2024-02", "births", 80.0), ("城关镇", "2024-02", "population", 52000.0)]
    )
    new = frame(
        [("城关镇", "2024-03", "births", 75.0), ("城关镇", "2024-03", "population", 51000.0)]
    )
    found = check_ytd_not_shrinking(new, previous, file="a.xlsx")
    assert [(f.code, f.acceptable, cells_of(f)) for f in found] == [
        ("load.ytd_shrinking", True, ["B3"])
    ]
    assert found[0].params["previous"] == "80"
    # a new statistical year starts from zero
    jan = frame([("城关镇", "2024-01", "births", 5.0)])
    dec = frame([("城关镇", "2023-12", "births", 900.0)])
    assert check_ytd_not_shrinking(jan, dec) == []
    # with the year starting in October, September → October is a new year too
    oct_ = frame([("城关镇", "2024-10", "births", 5.0)])
    sep = frame([("城关镇", "2024-09", "births", 900.0)])
    assert check_ytd_not_shrinking(oct_, sep, year_start_month=10) == []
    assert len(check_ytd_not_shrinking(oct_, sep, year_start_month=1)) == 1


def test_area_missing_that_was_present_last_month():
    previous = frame([("城关镇", "2024-02", "births", 80.0), ("河口镇", "2024-02", "births", 60.0)])
    new = frame([("城关镇", "2024-03", "births", 95.0)])
    found = check_areas_missing(new, previous, file="a.xlsx")
    assert [(f.code, f.severity, f.params["area"]) for f in found] == [
        ("load.area_missing", "warning", "河口镇")
    ]


def test_ytd_range_not_starting_the_statistical_year_is_a_warning():
    r = run(flat_grid(GOOD, title="示例县2024年4-6月出生统计"))
    f = only(r, "load.ytd_start_mismatch")
    assert (f.severity, f.params["start"], f.params["year_start"]) == ("warning", 4, 1)
    assert r.ok and r.periods == ["2024-06"]
    october = Settings(year_start_month=10)
    r = run(flat_grid(GOOD, title="示例县2023年10-3月出生统计"), settings=october)
    assert r.periods == ["2024-03"] and not any(
        f.code == "load.ytd_start_mismatch" for f in r.findings
    )


def test_every_finding_reads_in_both_languages_naming_the_file():
    bad = [list(r) for r in GOOD]
    bad[0][1:5] = [420, 226, 195, "abc"]
    bad[1][4] = -2
    bad[2][0] = "城关镇"
    grids = [
        flat_grid(bad),
        flat_grid(GOOD, name="表二", title="各乡镇出生统计"),
        Grid("说明", [["填报说明"]]),
        Grid("名单", [["名称", "出生人数", "男"], ["城关镇", 1, 1]]),
        merged_grid([*TOWN[:13], 90.0, *TOWN[14:]]),
    ]
    r = run(grids, period="2024-13")
    assert len({f.code for f in r.findings}) >= 8
    for f in r.findings:
        for lang in ("zh", "en"):
            text = describe(f, lang)
            assert text.startswith("a.xlsx"), text
            assert "{" not in text, text
