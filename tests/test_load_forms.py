"""load() on workbooks laid out as Chinese county statistics forms really are: the classic
人口和计划生育统计月报表 header four rows deep, a sex pair under each order without totals,
`其中` groups, columns that carry their basis (本月/累计/上年同期), units and column numbers in
header cells, area cells with codes or the county's prefix, sub-total rows (其中：城镇), units
inside cells, web-system CSV exports, a TSV named .xls, duplicate, blank and dash-only rows.
Every figure below is written down by hand from the fixture (each town's parts add up to its
totals; the county row is the sum of the towns).
"""

from __future__ import annotations

from typing import Any

from workbooks import cell, cells_of, codes, load_file, value, write_xlsx

from loaders.types import LoadResult

N = None


def has(result: LoadResult, area: str, field: str) -> bool:
    v = result.values
    return bool(((v["area"] == area) & (v["field"] == field)).any())


def areas(result: LoadResult) -> list[str]:
    v = result.values
    return list(dict.fromkeys(v.loc[~v["is_total"], "area"]))


def total_area(result: LoadResult) -> str:
    v = result.values
    names = set(v.loc[v["is_total"], "area"])
    assert len(names) == 1, names
    return names.pop()


# ---------------------------------------------------------------- 1. the classic monthly form

# 乡镇 | 出生人数: 合计 男 女 | 按孩次分: 一孩, 二孩, 多孩 each 小计 男 女 其中/计划内 |
# 政策外出生: 合计 一孩 二孩 多孩 | 补报往年出生: 小计 其中政策外 |
# 社会抚养费: 应征收, 已征收 each 人数 金额(万元)
CLASSIC_HEADER = [
    ["乡镇", "出生人数", N, N, "按孩次分", *[N] * 11, "政策外出生", N, N, N]
    + ["补报往年出生", N, "社会抚养费", N, N, N],
    [N, "合计", "男", "女", "一孩", N, N, N, "二孩", N, N, N, "多孩", N, N, N]
    + ["合计", "一孩", "二孩", "多孩", "小计", "其中政策外", "应征收", N, "已征收", N],
    [N, N, N, N] + ["小计", "男", "女", "其中"] * 3 + [N] * 6 + ["人数", "金额(万元)"] * 2,
    [N, N, N, N] + [N, N, N, "计划内"] * 3 + [N] * 10,
]
CLASSIC_MERGES = (
    "A3:A6", "B3:D3", "E3:P3", "Q3:T3", "U3:V3", "W3:Z3",
    "B4:B6", "C4:C6", "D4:D6", "E4:H4", "I4:L4", "M4:P4",
    "Q4:Q6", "R4:R6", "S4:S6", "T4:T6", "U4:U6", "V4:V6", "W4:X4", "Y4:Z4",
    "E5:E6", "F5:F6", "G5:G6", "I5:I6", "J5:J6", "K5:K6", "M5:M6", "N5:N6", "O5:O6",
    "W5:W6", "X5:X6", "Y5:Y6", "Z5:Z6",
)  # fmt: skip
# births, m, f | o1 subtotal, m, f, in policy | o2 … | o3 … | out of policy total, o1, o2, o3 |
# late, late out of policy | due persons, due 万元, paid persons, paid 万元
CLASSIC_ROWS = [
    ["尤溪县", 170, 91, 79, 102, 55, 47, 102, 60, 31, 29, 57, 8, 5, 3, 1]
    + [10, 0, 3, 7, 4, 1, 10, 20.5, 7, 13.7],
    ["城关镇", 100, 54, 46, 60, 33, 27, 60, 35, 18, 17, 33, 5, 3, 2, 1]
    + [6, 0, 2, 4, 3, 1, 6, 12.5, 4, 8.2],
    ["西城镇", 50, 26, 24, 30, 16, 14, 30, 18, 9, 9, 17, 2, 1, 1, 0]
    + [3, 0, 1, 2, 1, 0, 3, 6.0, 3, 5.5],
    ["八字桥乡", 20, 11, 9, 12, 6, 6, 12, 7, 4, 3, 7, 1, 1, 0, 0]
    + [1, 0, 0, 1, 0, 0, 1, 2.0, 0, 0],
]


def classic_rows() -> list[list[Any]]:
    return [
        ["尤溪县2013年1-10月人口和计划生育统计月报表", *[N] * 25],
        ["填报单位：尤溪县卫生和计划生育局", *[N] * 20, "单位：人、万元", *[N] * 4],
        *CLASSIC_HEADER,
        *CLASSIC_ROWS,
        [N] * 26,
        ["单位负责人：", N, N, N, "填报人：", *[N] * 21],
    ]


def test_classic_monthly_form_four_header_rows(tmp_path):
    path = write_xlsx(tmp_path / "yx.xlsx", classic_rows(), ("A1:Z1", *CLASSIC_MERGES))
    result = load_file(path)
    assert result.ok, result.findings
    assert codes(result, "error") == []
    assert codes(result, "warning") == []
    assert result.periods == ["2013-10"] and result.bases == ["ytd"]
    assert total_area(result) == "尤溪县"
    assert areas(result) == ["城关镇", "西城镇", "八字桥乡"]
    # the county row, read from the values frame
    assert value(result, "尤溪县", "births") == 170
    assert cell(result, "尤溪县", "births") == "B7"
    assert value(result, "尤溪县", "births_male") == 91
    assert value(result, "尤溪县", "births_female") == 79
    assert round(100 * 91 / 79, 2) == 115.19  # srb of the county
    assert value(result, "尤溪县", "births_o1") == 102
    assert cell(result, "尤溪县", "births_o1") == "E7"
    assert value(result, "尤溪县", "births_o2_female") == 29
    assert value(result, "尤溪县", "in_policy_o1") == 102
    assert cell(result, "尤溪县", "in_policy_o2") == "L7"
    assert value(result, "尤溪县", "in_policy_o3") == 1
    assert value(result, "尤溪县", "out_of_policy") == 10
    assert value(result, "尤溪县", "out_of_policy_o3") == 7
    assert round(100 * (170 - 10) / 170, 2) == 94.12  # compliance of the county
    assert value(result, "尤溪县", "late_reports") == 4
    assert value(result, "尤溪县", "late_reports_out_of_policy") == 1
    assert value(result, "尤溪县", "fee_persons_due") == 10
    assert value(result, "尤溪县", "fee_amount_due") == 20.5
    assert value(result, "尤溪县", "fee_persons_paid") == 7
    assert cell(result, "尤溪县", "fee_amount_paid") == "Z7"
    assert value(result, "八字桥乡", "births_o3_male") == 1
    assert value(result, "八字桥乡", "in_policy_o2") == 7
    assert cell(result, "八字桥乡", "in_policy_o2") == "L10"
    assert value(result, "城关镇", "in_policy") == 60 + 33 + 1  # derived from the orders


# ---------------------------------------------------------------- 2. parts without totals


def test_sex_pair_under_each_order_without_any_total_derives_them_all(tmp_path):
    path = write_xlsx(
        tmp_path / "尤溪县2013年1-10月.xlsx",
        [
            ["乡镇", "一孩", N, "二孩", N, "多孩", N],
            [N, "男", "女", "男", "女", "男", "女"],
            ["城关镇", 5, 4, 3, 2, 1, 0],
            ["西城镇", 2, 3, 1, 1, 0, 0],
            ["合计", 7, 7, 4, 3, 1, 0],
        ],
        ("A1:A2", "B1:C1", "D1:E1", "F1:G1"),
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert codes(result, "error") == [] and codes(result, "warning") == []
    assert value(result, "城关镇", "births_o1") == 9
    assert value(result, "城关镇", "births_o2") == 5
    assert value(result, "城关镇", "births_o3") == 1
    assert value(result, "城关镇", "births_male") == 9
    assert value(result, "城关镇", "births_female") == 6
    assert value(result, "城关镇", "births") == 15
    assert cell(result, "城关镇", "births") == ""  # derived, no cell of its own
    assert value(result, "合计", "births") == 22
    assert value(result, "西城镇", "births_o3") == 0


def test_total_and_girls_only_never_invents_the_boys(tmp_path):
    path = write_xlsx(
        tmp_path / "尤溪县2013年1-10月.xlsx",
        [
            ["乡镇", "出生人数", "其中:女", "出生性别比"],
            ["城关镇", 100, 46, 117.39],
            ["西城镇", 50, 24, 108.33],
            ["合计", 150, 70, 114.29],
        ],
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert value(result, "城关镇", "births") == 100
    assert value(result, "城关镇", "births_female") == 46
    assert not has(result, "城关镇", "births_male")
    assert not has(result, "合计", "births_male")
    # no boys, no srb to check: neither a ratio warning nor a stored ratio
    assert "load.derived_mismatch" not in codes(result)
    assert not has(result, "合计", "srb")
    assert sorted(set(result.values["field"])) == ["births", "births_female"]


# ---------------------------------------------------------------- 3. 其中 refines the block before


def test_qizhong_columns_refine_births(tmp_path):
    path = write_xlsx(
        tmp_path / "尤溪县2013年1-10月.xlsx",
        [
            ["乡镇", "出生人数", "其中:男", "其中:政策外", "女性初婚人数"],
            ["城关镇", 100, 54, 6, 80],
            ["西城镇", 50, 26, 3, 41],
            ["合计", 150, 80, 9, 121],
        ],
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert codes(result, "warning") == []
    assert value(result, "城关镇", "births_male") == 54
    assert cell(result, "城关镇", "births_male") == "C2"
    assert value(result, "城关镇", "out_of_policy") == 6
    assert cell(result, "西城镇", "out_of_policy") == "D3"
    assert value(result, "合计", "first_marriages_female") == 121
    assert not has(result, "城关镇", "births_female")


# ---------------------------------------------------------------- 4. the basis in the header


def test_month_ytd_previous_year_and_change_columns(tmp_path):
    path = write_xlsx(
        tmp_path / "yx.xlsx",
        [
            ["尤溪县2013年10月人口和计划生育统计月报表", N, N, N, N, N],
            ["乡镇", "本月出生", "累计出生", "本年累计政策外出生", "上年同期出生", "增减%"],
            ["城关镇", 9, 100, 6, 110, -9.09],
            ["西城镇", 4, 50, 3, 40, 25.0],
            ["合计", 13, 150, 9, 150, 0.0],
        ],
        ("A1:F1",),
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert codes(result, "error") == []
    assert result.periods == ["2013-10"]
    assert value(result, "城关镇", "births", "month") == 9
    assert value(result, "城关镇", "births", "ytd") == 100
    assert value(result, "西城镇", "out_of_policy", "ytd") == 3
    assert cell(result, "西城镇", "out_of_policy") == "D4"
    # last year's column is never this year's births; the change column is ignored
    assert set(result.values["cell"].str[0]) == {"B", "C", "D"}
    assert len(result.values) == 3 * 3
    assert cells_of(result, "load.previous_year_column") == ["E2"]
    assert "load.unrecognised_column" not in codes(result)


# ---------------------------------------------------------------- 5. units and column numbers


def test_units_and_column_numbers_in_header_cells_and_a_unit_row(tmp_path):
    path = write_xlsx(
        tmp_path / "尤溪县2013年1-10月.xlsx",
        [
            ["乡镇", "出生人数（人）①", "男（人）②", "女（人）③", "社会抚养费", N, N],
            [N, N, N, N, "应征收人数④", "应征收金额(元)⑤", "已征收金额（元）⑥"],
            [N, "人", "人", "人", "人", "元", "元"],
            ["城关镇", 100, 54, 46, 6, 125000, 82000],
            ["西城镇", 50, 26, 24, 3, 60000, 55000],
            ["合计", 150, 80, 70, 9, 185000, 137000],
        ],
        ("A1:A3", "B1:B2", "C1:C2", "D1:D2", "E1:G1"),
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert codes(result, "error") == [] and codes(result, "warning") == []
    assert value(result, "城关镇", "births") == 100
    assert cell(result, "城关镇", "births") == "B4"  # the unit row is not data
    assert value(result, "西城镇", "births_female") == 24
    assert value(result, "城关镇", "fee_persons_due") == 6
    assert value(result, "城关镇", "fee_amount_due") == 12.5  # 125000 元 = 12.5 万元
    assert value(result, "合计", "fee_amount_paid") == 13.7
    assert areas(result) == ["城关镇", "西城镇"]


# ---------------------------------------------------------------- 6. area cells as written


def test_area_codes_and_county_prefixed_names(tmp_path):
    path = write_xlsx(
        tmp_path / "尤溪县2013年1-10月.xlsx",
        [
            ["尤溪县2013年1-10月出生统计表", N, N, N],
            ["乡镇", "出生人数", "男", "女"],
            ["350426 尤溪县", 170, 91, 79],
            ["350426001 城关镇", 100, 54, 46],
            ["尤溪县西城镇", 50, 26, 24],
            ["350426203　八字桥乡", 20, 11, 9],
        ],
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert codes(result, "error") == []
    assert total_area(result) == "尤溪县"
    assert areas(result) == ["城关镇", "尤溪县西城镇", "八字桥乡"]
    assert value(result, "尤溪县西城镇", "births") == 50
    assert cell(result, "八字桥乡", "births_female") == "D6"


def test_county_prefixed_township_first_is_not_the_total(tmp_path):
    path = write_xlsx(
        tmp_path / "尤溪县2013年1-10月.xlsx",
        [
            ["乡镇", "出生人数", "男", "女"],
            ["尤溪县城关镇", 100, 54, 46],
            ["尤溪县西城镇", 50, 26, 24],
            ["尤溪县", 150, 80, 70],
        ],
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert total_area(result) == "尤溪县"
    assert areas(result) == ["尤溪县城关镇", "尤溪县西城镇"]
    assert "load.total_row_misplaced" not in codes(result)


# ---------------------------------------------------------------- 7. 街道, 管委会, sub-totals

TOWNS_7 = [
    ["城关街道办事处", 40, 21, 19],
    ["西城镇", 25, 13, 12],
    ["经济开发区管委会", 10, 6, 4],
    ["八字桥乡", 5, 3, 2],
]


def test_subtotal_rows_after_a_first_total_are_skipped_with_a_note(tmp_path):
    path = write_xlsx(
        tmp_path / "尤溪县2013年1-10月.xlsx",
        [
            ["乡镇", "出生人数", "男", "女"],
            ["全县合计", 80, 43, 37],
            ["其中：城镇", 50, 27, 23],
            ["乡村", 30, 16, 14],
            *TOWNS_7,
        ],
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert codes(result, "error") == []
    assert areas(result) == ["城关街道办事处", "西城镇", "经济开发区管委会", "八字桥乡"]
    assert value(result, "经济开发区管委会", "births_male") == 6
    assert value(result, "全县合计", "births") == 80
    assert cells_of(result, "load.subtotal_row_skipped") == ["A3", "A4"]
    assert "城镇" not in set(result.values["area"])


def test_subtotal_rows_after_a_last_total_are_skipped_with_a_note(tmp_path):
    path = write_xlsx(
        tmp_path / "尤溪县2013年1-10月.xlsx",
        [
            ["乡镇", "出生人数", "男", "女"],
            *TOWNS_7,
            ["合计", 80, 43, 37],
            ["其中:城镇", 50, 27, 23],
            ["乡村", 30, 16, 14],
        ],
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert codes(result, "error") == []
    assert total_area(result) == "合计"
    assert len(areas(result)) == 4
    assert cells_of(result, "load.subtotal_row_skipped") == ["A7", "A8"]
    assert "乡村" not in set(result.values["area"])


# ---------------------------------------------------------------- 8. units inside cells


def test_units_inside_cells_are_stripped_when_they_fit_the_column(tmp_path):
    path = write_xlsx(
        tmp_path / "尤溪县2013年1-10月.xlsx",
        [
            ["单位：人、元", N, N, N],
            ["乡镇", "总人口", "出生人数", "社会抚养费已征收金额"],
            ["城关镇", "1.2万", "12人", "3,200元"],
            ["西城镇", 8500, 7, "0.18万元"],
            ["合计", "2.05万", "19人", 5000],
        ],
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert codes(result, "error") == []
    assert value(result, "城关镇", "population") == 12000
    assert value(result, "城关镇", "births") == 12
    assert value(result, "城关镇", "fee_amount_paid") == 0.32  # 3,200 元
    assert value(result, "西城镇", "fee_amount_paid") == 0.18  # written in 万元 in a 元 column
    assert value(result, "合计", "population") == 20500
    assert value(result, "合计", "fee_amount_paid") == 0.5
    notes = [f for f in result.findings if f.code == "load.unit_in_cells"]
    assert sorted(f.params["count"] for f in notes) == [2, 2, 2]


def test_unit_that_does_not_fit_the_column_is_an_error_naming_the_cell(tmp_path):
    path = write_xlsx(
        tmp_path / "尤溪县2013年1-10月.xlsx",
        [
            ["乡镇", "出生人数", "社会抚养费已征收金额(万元)"],
            ["城关镇", "12元", 0.3],
            ["西城镇", 7, "5人"],
            ["合计", 19, 0.3],
        ],
    )
    result = load_file(path)
    assert not result.ok
    assert cells_of(result, "load.unit_mismatch") == ["B2", "C3"]
    assert codes(result, "error") == ["load.unit_mismatch", "load.unit_mismatch"]


# ---------------------------------------------------------------- 9. web-system exports


def test_web_export_csv_with_formula_quoted_cells_and_cr_line_ends(tmp_path):
    lines = [
        "尤溪县2013年1-10月出生统计,,,,,",
        "乡镇代码,乡镇,出生人数,男,女,,",
        '="350426001",城关镇,="0012",="7",="5",,',
        '="350426002",西城镇,="0008",="3",="5",,',
        ",合计：,20,10,10,,",
    ]
    path = tmp_path / "export.csv"
    path.write_bytes("\r".join(lines).encode("utf-8") + b"\r")
    result = load_file(path)
    assert result.ok, result.findings
    assert codes(result, "error") == [] and codes(result, "warning") == []
    assert areas(result) == ["城关镇", "西城镇"]
    assert value(result, "城关镇", "births") == 12
    assert cell(result, "城关镇", "births") == "C3"
    assert value(result, "西城镇", "births_female") == 5
    assert total_area(result) == "合计"
    assert value(result, "合计", "births_male") == 10
    assert result.periods == ["2013-10"]


def test_tsv_under_an_xls_name(tmp_path):
    lines = [
        "尤溪县2013年1-10月出生统计",
        "乡镇\t出生人数\t男\t女",
        "城关镇\t12\t7\t5",
        "西城镇\t8\t3\t5",
        "尤溪县\t20\t10\t10",
    ]
    path = tmp_path / "出生统计.xls"
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    result = load_file(path)
    assert result.ok, result.findings
    assert result.kind == "csv"
    assert total_area(result) == "尤溪县"
    assert value(result, "西城镇", "births_male") == 3
    assert cell(result, "西城镇", "births_male") == "C4"


# ---------------------------------------------------------------- 10. duplicate, blank, dash rows


def test_township_twice_is_an_error_naming_both_cells(tmp_path):
    path = write_xlsx(
        tmp_path / "尤溪县2013年1-10月.xlsx",
        [
            ["乡镇", "出生人数", "男", "女"],
            ["城关镇", 12, 7, 5],
            ["西城镇", 8, 3, 5],
            ["城 关 镇", 12, 7, 5],
            ["合计", 32, 17, 15],
        ],
    )
    result = load_file(path)
    assert not result.ok
    assert codes(result, "error") == ["load.duplicate_area"]
    assert cells_of(result, "load.duplicate_area") == ["A2", "A4"]


def test_entirely_blank_township_row_is_skipped_with_a_warning(tmp_path):
    path = write_xlsx(
        tmp_path / "尤溪县2013年1-10月.xlsx",
        [
            ["乡镇", "出生人数", "男", "女"],
            ["城关镇", 12, 7, 5],
            ["八字桥乡", N, N, "  "],
            ["西城镇", 8, 3, 5],
            ["合计", 20, 10, 10],
        ],
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert codes(result, "error") == []
    assert codes(result, "warning") == ["load.blank_row_skipped"]
    assert cells_of(result, "load.blank_row_skipped") == ["A3"]
    assert areas(result) == ["城关镇", "西城镇"]
    assert value(result, "合计", "births") == 20


def test_row_of_dashes_is_zero_everywhere(tmp_path):
    path = write_xlsx(
        tmp_path / "尤溪县2013年1-10月.xlsx",
        [
            ["乡镇", "出生人数", "男", "女", "政策外出生"],
            ["城关镇", 12, 7, 5, 1],
            ["八字桥乡", "—", "—", "—", "—"],
            ["西城镇", 8, 3, 5, "—"],
            ["合计", 20, 10, 10, 1],
        ],
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert codes(result, "error") == [] and codes(result, "warning") == []
    assert areas(result) == ["城关镇", "八字桥乡", "西城镇"]
    assert value(result, "八字桥乡", "births") == 0
    assert value(result, "八字桥乡", "out_of_policy") == 0
    assert cell(result, "八字桥乡", "births_male") == "C3"
    assert len(result.values[result.values["area"] == "八字桥乡"]) == 4


def test_new_findings_read_in_both_languages(tmp_path):
    from loaders.describe import describe

    path = write_xlsx(
        tmp_path / "尤溪县2013年1-10月.xlsx",
        [
            ["乡镇", "出生人数", "上年同期出生", "总人口"],
            ["城关镇", "12元", 10, "1.2万"],
            ["八字桥乡", N, N, N],
            ["西城镇", 8, 9, "8500人"],
            ["合计", 20, 19, "2.05万"],
            ["其中：城镇", 12, 10, 12000],
            ["乡村", 8, 9, 8500],
        ],
    )
    result = load_file(path)
    assert sorted(codes(result)) == [
        "load.blank_row_skipped",
        "load.previous_year_column",
        "load.subtotal_row_skipped",
        "load.subtotal_row_skipped",
        "load.unit_in_cells",
        "load.unit_mismatch",
    ]
    zh = {f.code: describe(f, "zh") for f in result.findings}
    en = {f.code: describe(f, "en") for f in result.findings}
    assert "B2" in zh["load.unit_mismatch"] and "12元" in zh["load.unit_mismatch"]
    assert "单位与该列不符" in zh["load.unit_mismatch"]
    assert "does not fit the column" in en["load.unit_mismatch"]
    assert "C1" in zh["load.previous_year_column"] and "上年同期" in zh["load.previous_year_column"]
    assert "last year" in en["load.previous_year_column"]
    assert "A3" in en["load.blank_row_skipped"] and "八字桥乡" in en["load.blank_row_skipped"]
    assert "乡村" in zh["load.subtotal_row_skipped"]
    assert "3 numbers" in en["load.unit_in_cells"] and "D2, D4, D5" in en["load.unit_in_cells"]
