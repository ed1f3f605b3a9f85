"""load() on plausible county forms the other loader tests do not cover, and on hostile files:
unmerged group headers, form metadata, a 序号 column, 其中 rows, line breaks in labels, 本月 and
累计 side by side, periods in many spellings, numbers in many guises, hidden sheets, a second
table, WPS rich text, error cells, .xls, HTML and SpreadsheetML exports, and hostile packages.
Every figure below is written down by hand from the fixture.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
import workbooks
import xlwt
from hostile import (
    XML_DECL,
    sheet_xml,
    write_township_xlsx,
    write_xls_with_error_cells,
    write_xlsx_parts,
)
from openpyxl import Workbook
from workbooks import cell, cells_of, codes, load_file, value, write_csv

from loaders import load

N = None


def write_xlsx(
    path: Path,
    rows: list[list[Any]],
    merges: tuple[str, ...] = (),
    title: str = "Sheet1",
    more: tuple[tuple[str, list[list[Any]], bool], ...] = (),
) -> Path:
    """An .xlsx whose first sheet is Sheet1 (as the forms of this file are)."""
    return workbooks.write_xlsx(path, rows, merges, title=title, more=more)


# ---------------------------------------------------------------- 1. unmerged group headers


def test_unmerged_group_label_carries_right_over_its_sub_labels(tmp_path):
    # 出生人数 and 一孩 sit in the first cell of their group (centre across selection)
    path = write_xlsx(
        tmp_path / "示例县2023年1-9月出生.xlsx",
        [
            ["示例县2023年1-9月出生统计", N, N, N, N, N, N, N],
            ["乡镇", "出生人数", N, N, "一孩", N, N, "政策外出生"],
            [N, "合计", "男", "女", "合计", "男", "女", N],
            ["东镇", 10, 6, 4, 7, 4, 3, 1],
            ["西乡", 5, 2, 3, 5, 2, 3, 0],
            ["合计", 15, 8, 7, 12, 6, 6, 1],
        ],
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert value(result, "东镇", "births") == 10
    assert value(result, "东镇", "births_male") == 6
    assert value(result, "东镇", "births_o1") == 7
    assert value(result, "东镇", "births_o1_female") == 3
    assert cell(result, "西乡", "births_o1_male") == "F5"
    assert value(result, "西乡", "out_of_policy") == 0
    assert value(result, "合计", "births_o1") == 12
    assert "load.duplicate_field" not in codes(result)


def test_csv_two_header_rows_with_blank_cells_after_group_labels(tmp_path):
    path = write_csv(
        tmp_path / "示例县2023年1-9月.csv",
        [
            ["乡镇", "出生人数", "", "", "一孩", ""],
            ["", "合计", "男", "女", "男", "女"],
            ["东镇", "10", "6", "4", "4", "3"],
            ["西乡", "5", "2", "3", "2", "3"],
        ],
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert value(result, "东镇", "births_o1_male") == 4
    assert value(result, "东镇", "births_o1_female") == 3
    assert value(result, "东镇", "births_o1") == 7  # derived from its sex pair
    assert value(result, "西乡", "births_female") == 3
    assert cell(result, "西乡", "births_o1_female") == "F4"


def test_group_label_does_not_carry_over_a_column_without_sub_label(tmp_path):
    # 出生人数 over B:C only; D has its own label one row down in a vertical merge
    path = write_xlsx(
        tmp_path / "示例县2023年9月.xlsx",
        [
            ["乡镇", "出生人数", N, "备注"],
            [N, "男", "女", N],
            ["东镇", 6, 4, 12345],
        ],
        merges=("D1:D2", "A1:A2"),
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert value(result, "东镇", "births_male") == 6
    assert value(result, "东镇", "births") == 10  # derived
    assert sorted(result.fields) == ["births", "births_female", "births_male"]


# ---------------------------------------------------------------- 2. form metadata, column numbers


def test_title_metadata_period_line_unit_filler_and_column_numbers(tmp_path):
    path = write_xlsx(
        tmp_path / "report.xlsx",
        [
            ["示例县人口出生情况统计表", N, N, N, N],
            [N, N, N, N, N],
            [N, N, N, "表  号：卫计统1表", N],
            [N, N, N, "制表机关：示例县卫生健康局", N],
            ["2023年1-9月", N, N, "批准文号：国统制〔2020〕1号", N],
            ["填报单位（盖章）：", N, N, N, N],
            ["乡镇", "出生人数", "男", "女", "政策外出生"],
            ["甲", 1, 2, 3, 4],
            ["东镇", 10, 6, 4, 1],
            ["西乡", 5, 2, 3, 0],
            ["单位负责人：", N, "填报人：", N, N],
        ],
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert result.periods == ["2023-09"] and result.bases == ["ytd"]
    assert value(result, "东镇", "births") == 10
    assert value(result, "西乡", "births_female") == 3
    assert cell(result, "西乡", "out_of_policy") == "E10"
    assert len(result.values[result.values["field"] == "births"]) == 2


# ---------------------------------------------------------------- 3. area column not first


def test_serial_number_column_before_the_area_column(tmp_path):
    path = write_xlsx(
        tmp_path / "示例县2023年1-9月.xlsx",
        [
            ["序号", "乡镇", "出生人数", "男", "女", "代码"],
            [1, "东镇", 10, 6, 4, 101],
            [2, "西乡", 5, 2, 3, 102],
            [N, "合计", 15, 8, 7, N],
        ],
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert value(result, "东镇", "births") == 10
    assert cell(result, "东镇", "births") == "C2"
    assert value(result, "合计", "births_male") == 8
    assert set(result.values["area"]) == {"东镇", "西乡", "合计"}
    # 序号 is skipped silently; the numeric 代码 column is unrecognised: a warning only
    assert cells_of(result, "load.unrecognised_column") == ["F1"]
    assert codes(result, "error") == []


def test_blank_township_row_right_under_the_header_is_a_data_row_skipped(tmp_path):
    rows = [
        ["示例县2023年1-9月"],
        ["乡镇", "出生人数", N, N, N],
        [N, "合计", "男", "女", N],
        ["八字桥乡", N, N, N, N],
        ["东镇", 10, 6, 4, 7],
        ["西乡", 5, 2, 3, 8],
    ]
    merges = ("A2:A3", "B2:D2")
    for path in (
        write_xlsx(tmp_path / "t.xlsx", rows, merges),
        write_csv(tmp_path / "t.csv", rows),
    ):
        result = load_file(path)
        assert result.ok, result.findings
        assert sorted(codes(result, "warning")) == [
            "load.blank_row_skipped",
            "load.unrecognised_column",
        ]
        assert cells_of(result, "load.blank_row_skipped") == ["A4"]
        # the band ends at row 3: a column with no label is named at its lowest header row
        assert cells_of(result, "load.unrecognised_column") == ["E3"]
        assert set(result.values["area"]) == {"东镇", "西乡"}
        assert value(result, "东镇", "births") == 10
        assert cell(result, "东镇", "births") == "B5"
        assert value(result, "西乡", "births_female") == 3
        assert cell(result, "西乡", "births_female") == "D6"


def test_blank_township_rows_and_a_blank_row_between_header_and_data(tmp_path):
    rows = [
        ["乡镇", "出生人数", "男", "女"],
        ["八字桥乡", N, "", N],
        [N, N, N, N],
        ["南镇", N, N, N],
        ["东镇", 10, 6, 4],
        ["西乡", 5, 2, 3],
    ]
    result = load_file(write_xlsx(tmp_path / "示例县2023年1-9月.xlsx", rows))
    assert result.ok, result.findings
    assert cells_of(result, "load.blank_row_skipped") == ["A2", "A4"]
    assert codes(result, "warning") == ["load.blank_row_skipped"] * 2
    assert value(result, "东镇", "births_male") == 6
    assert cell(result, "东镇", "births_male") == "C5"
    assert value(result, "西乡", "births") == 5


@pytest.mark.parametrize("merged", [False, True], ids=["one_row", "two_rows"])
def test_fully_blank_row_between_header_and_data_reads_the_same_values(tmp_path, merged):
    header = (
        [["乡镇", "出生人数", N, N], [N, "合计", "男", "女"]]
        if merged
        else [["乡镇", "出生人数", "男", "女"]]
    )
    merges = ("A2:A3", "B2:D2") if merged else ()
    data = [["东镇", 10, 6, 4], ["西乡", 5, 2, 3], ["合计", 15, 8, 7]]
    title = [["示例县2023年1-9月"]]
    plain = load_file(write_xlsx(tmp_path / "plain.xlsx", title + header + data, merges))
    gap = load_file(write_xlsx(tmp_path / "gap.xlsx", title + header + [[N] * 4] + data, merges))
    for result in (plain, gap):
        assert result.ok, result.findings
        assert result.findings == []
        assert len(result.values) == 9
    columns = ["area", "is_total", "period", "basis", "field", "value", "row"]
    assert plain.values[columns].equals(gap.values[columns])
    assert value(gap, "东镇", "births") == 10 and value(gap, "合计", "births_female") == 7
    below = 4 if merged else 3  # the data's first row without the blank row
    assert cell(plain, "东镇", "births") == f"B{below}"
    assert cell(gap, "东镇", "births") == f"B{below + 1}"
    assert cell(gap, "西乡", "births_male") == f"C{below + 2}"


# ---------------------------------------------------------------- 4. area and total labels


@pytest.mark.parametrize("total", ["全县合计", "总  计", "示例县", "合 计"])
def test_total_row_first_after_a_blank_row_and_area_spellings(tmp_path, total):
    path = write_xlsx(
        tmp_path / "2023年1-9月.xlsx",
        [
            ["乡镇", "出生人数", "男", "女"],
            [N, N, N, N],
            [total, 15, 8, 7],
            ["其中:东城街道办事处", 6, 4, 2],
            ["  西乡 ", 5, 2, 3],
            ["南\u3000镇\u3000", 4, 2, 2],
        ],
    )
    result = load_file(path)
    assert result.ok, result.findings
    areas = result.values[~result.values["is_total"]]["area"].unique().tolist()
    assert areas == ["东城街道办事处", "西乡", "南镇"]
    totals = result.values[result.values["is_total"]]
    assert totals["area"].unique().tolist() == [total.replace(" ", "")]
    assert value(result, "东城街道办事处", "births") == 6
    assert float(totals[totals["field"] == "births"]["value"].iloc[0]) == 15
    assert cell(result, "南镇", "births_female") == "D6"


def test_total_row_that_disagrees_names_its_cells(tmp_path):
    path = write_xlsx(
        tmp_path / "2023年1-9月.xlsx",
        [["乡镇", "出生人数"], ["总  计", 16], ["东镇", 10], ["西乡", 5]],
    )
    result = load_file(path)
    assert not result.ok
    assert "load.total_mismatch" in codes(result, "error")
    assert {"B2", "B3", "B4"} <= set(cells_of(result, "load.total_mismatch"))


# ---------------------------------------------------------------- 5. labels with breaks and units


def test_labels_with_line_breaks_units_and_fee_wording(tmp_path):
    path = write_xlsx(
        tmp_path / "示例县2023年1-9月.xlsx",
        [
            ["单位：人、万元", N, N, N, N, N, N, N, N],
            [
                "乡镇",
                "出生\n人数",
                "男（人）",
                "女（人）",
                "政策\n符合率\n(%)",
                "社会抚养费征收情况",
            ]
            + [N, N, N],
            [N, N, N, N, N, "应征收人数", "应征收金额", "实际征收人数", "已征收金额"],
            ["东镇", 10, 6, 4, 90.0, 3, 4.5, 2, 1.5],
            ["西乡", 5, 2, 3, 100.0, 1, 0.8, 1, 0.8],
        ],
        merges=("A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:I2"),
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert value(result, "东镇", "births") == 10
    assert value(result, "东镇", "births_male") == 6
    assert value(result, "东镇", "fee_persons_due") == 3
    assert value(result, "东镇", "fee_amount_due") == 4.5
    assert value(result, "东镇", "fee_persons_paid") == 2
    assert value(result, "东镇", "fee_amount_paid") == 1.5
    assert cell(result, "西乡", "fee_amount_paid") == "I5"
    assert "compliance" not in result.fields  # a ratio: checked, never stored
    assert codes(result, "warning") == []


def test_amount_in_yuan_from_its_header_with_a_line_break(tmp_path):
    path = write_xlsx(
        tmp_path / "示例县2023年1-9月.xlsx",
        [
            ["乡镇", "社会抚养费", N],
            [N, "应征收\n金额（元）", "已征收金额\n（元）"],
            ["东镇", "1177951.50", 50000],
        ],
        merges=("A1:A2", "B1:C1"),
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert value(result, "东镇", "fee_amount_due") == pytest.approx(117.79515)
    assert value(result, "东镇", "fee_amount_paid") == 5.0


# ---------------------------------------------------------------- 6. month and ytd in one sheet


def test_month_and_ytd_blocks_side_by_side(tmp_path):
    path = write_xlsx(
        tmp_path / "示例县2023年10月.xlsx",
        [
            ["示例县2023年10月出生统计", N, N, N, N, N, N],
            ["乡镇", "本月", N, N, "本年累计", N, N],
            [N, "出生人数", "男", "女", "出生人数", "男", "女"],
            ["东镇", 2, 1, 1, 10, 6, 4],
            ["西乡", 1, 0, 1, 5, 2, 3],
        ],
        merges=("A2:A3", "B2:D2", "E2:G2"),
        title="10月",
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert result.periods == ["2023-10"]
    assert result.bases == ["month", "ytd"]
    assert value(result, "东镇", "births", "month") == 2
    assert value(result, "东镇", "births", "ytd") == 10
    assert value(result, "西乡", "births_female", "ytd") == 3
    assert cell(result, "西乡", "births_male") in ("C5", "F5")
    assert len(result.values) == 12


def test_sheet_named_for_the_month_whose_title_says_year_to_date(tmp_path):
    path = write_xlsx(
        tmp_path / "月报.xlsx",
        [["示例县2023年1-10月出生统计"], ["乡镇", "出生人数"], ["东镇", 30]],
        title="10月",
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert result.periods == ["2023-10"] and result.bases == ["ytd"]
    assert result.county == "示例县"


# ---------------------------------------------------------------- 7. periods


@pytest.mark.parametrize(
    ("line", "period", "basis"),
    [
        ("2023年10月份", "2023-10", "month"),
        ("二〇二三年十月", "2023-10", "month"),
        ("二〇二三年一至十月", "2023-10", "ytd"),
        ("2023.10", "2023-10", "ytd"),
        ("2023-10", "2023-10", "ytd"),
        ("2023/1-10", "2023-10", "ytd"),
        ("2023年 截至10月底", "2023-10", "ytd"),
        ("2023年1至10月累计", "2023-10", "ytd"),
        ("2023年十二月", "2023-12", "month"),
    ],
)
def test_period_spellings(tmp_path, line, period, basis):
    path = write_xlsx(
        tmp_path / "报表.xlsx",
        [["示例县出生统计表"], [line], ["乡镇", "出生人数"], ["东镇", 3]],
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert (result.periods, result.bases) == ([period], [basis])


def test_month_from_file_name_year_from_title(tmp_path):
    path = write_xlsx(
        tmp_path / "10月报表(终).xlsx",
        [["示例县2023年出生统计"], ["乡镇", "出生人数"], ["东镇", 3]],
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert result.periods == ["2023-10"]


def test_december_report_dated_in_january_is_last_years_december(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet["A1"] = "示例县12月出生统计"
    sheet["A2"] = "报出日期："
    import datetime as dt

    sheet["B2"] = dt.date(2024, 1, 5)  # a real date cell
    sheet.append(["乡镇", "出生人数"])
    sheet.append(["东镇", 40])
    path = tmp_path / "月报.xlsx"
    book.save(path)
    result = load_file(path)
    assert result.ok, result.findings
    assert result.periods == ["2023-12"]
    assert value(result, "东镇", "births") == 40


def test_month_named_without_any_year_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "10月报表(终).xlsx", [["乡镇", "出生人数"], ["东镇", 3]])
    result = load_file(path)
    assert codes(result, "error") == ["load.no_period"]


# ---------------------------------------------------------------- 8. numbers


def test_numbers_in_many_guises(tmp_path):
    path = write_xlsx(
        tmp_path / "示例县2023年1-9月.xlsx",
        [
            ["单位：人、元", N, N, N, N, N],
            ["乡镇", "出生人数", "男", "女", "出生性别比", "社会抚养费已征收金额"],
            ["东镇", "1,234", "６３４", " 600 ", 105.67, "1177951.50"],
            ["西乡", "12.0", "", "12", "", "0"],
            ["南镇", 0, "—", N, N, N],
        ],
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert value(result, "东镇", "births") == 1234
    assert value(result, "东镇", "births_male") == 634
    assert value(result, "东镇", "births_female") == 600
    assert value(result, "东镇", "fee_amount_paid") == pytest.approx(117.79515)
    assert value(result, "西乡", "births") == 12
    assert value(result, "西乡", "births_male") == 0
    assert value(result, "南镇", "births_female") == 0
    assert "load.derived_mismatch" not in codes(result)  # 634/600 = 105.67


def test_fraction_with_a_percent_format_in_a_ratio_column(tmp_path):
    book = Workbook()
    sheet = book.active
    for row in (
        ["示例县2023年1-9月"],
        ["乡镇", "出生人数", "政策内出生", "政策符合率"],
        ["东镇", 28, 27, 0.9643],
        ["西乡", 10, 9, 0.5],
    ):
        sheet.append(row)
    sheet["D3"].number_format = "0.00%"
    sheet["D4"].number_format = "0.00%"
    path = tmp_path / "r.xlsx"
    book.save(path)
    result = load_file(path)
    assert result.ok, result.findings
    assert value(result, "东镇", "in_policy") == 27
    # 0.9643 agrees with 27/28 = 96.43 %; 0.5 disagrees with 9/10 = 90 %: a warning at D4
    assert cells_of(result, "load.derived_mismatch")[0] == "D4"
    assert codes(result, "warning") == ["load.derived_mismatch"]


def test_count_with_a_fraction_and_na_are_errors_naming_their_cells(tmp_path):
    path = write_xlsx(
        tmp_path / "示例县2023年1-9月.xlsx",
        [["乡镇", "出生人数", "男", "女"], ["东镇", "12.5", 6, 4], ["西乡", "N/A", 2, 3]],
    )
    result = load_file(path)
    assert not result.ok
    assert cells_of(result, "load.fractional_count") == ["B2"]
    assert cells_of(result, "load.not_a_number") == ["B3"]


# ---------------------------------------------------------------- 9. hidden sheets, second table


def test_hidden_sheet_with_an_older_report_is_skipped_with_a_note(tmp_path):
    old = [["示例县2023年1-8月"], ["乡镇", "出生人数"], ["东镇", 8], ["西乡", 4]]
    path = write_xlsx(
        tmp_path / "月报.xlsx",
        [["示例县2023年1-9月"], ["乡镇", "出生人数"], ["东镇", 10], ["西乡", 5]],
        title="9月",
        more=(("8月", old, True),),
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert result.periods == ["2023-09"]
    assert value(result, "东镇", "births") == 10
    hidden = [f for f in result.findings if f.code == "load.hidden_sheet_skipped"]
    assert [(f.severity, f.sheet) for f in hidden] == [("note", "8月")]


def test_hidden_sheet_that_is_the_only_table_is_read(tmp_path):
    only = [["示例县2023年1-8月"], ["乡镇", "出生人数"], ["东镇", 8]]
    path = write_xlsx(
        tmp_path / "月报.xlsx",
        [["填报说明：本表按月报送。"]],
        title="说明",
        more=(("数据", only, True),),
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert result.periods == ["2023-08"] and value(result, "东镇", "births") == 8


def test_second_table_below_the_first_is_a_warning_and_never_mixed(tmp_path):
    path = write_xlsx(
        tmp_path / "月报.xlsx",
        [
            ["示例县2023年1-9月出生统计"],
            ["乡镇", "出生人数"],
            ["东镇", 10],
            ["西乡", 5],
            [N, N],
            ["2022年1-9月（去年同期）"],
            ["乡镇", "出生人数"],
            ["东镇", 9],
            ["西乡", 7],
        ],
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert result.periods == ["2023-09"]
    assert value(result, "东镇", "births") == 10
    assert len(result.values) == 2
    assert cells_of(result, "load.second_table") == ["A7"]


# ---------------------------------------------------------------- 10. WPS and raw OOXML


SHARED = (
    f'{XML_DECL}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<si><t>乡镇</t></si>"
    '<si><r><rPr><b/></rPr><t>出</t></r><r><t xml:space="preserve">生</t></r><r><t>人数</t></r></si>'
    "<si><t>东镇</t></si>"
    "<si><r><t>性别</t></r><r><t>比</t></r></si>"
    "<si><t>男</t></si><si><t>女</t></si>"
    "</sst>"
)


def test_wps_rich_text_shared_strings_inline_strings_and_error_cells(tmp_path):
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>示例县2023年1-9月</t></is></c></row>'
        '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c>'
        '<c r="C2" t="s"><v>4</v></c><c r="D2" t="s"><v>5</v></c><c r="E2" t="s"><v>3</v></c></row>'
        '<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3"><f>SUM(C3:D3)</f><v>10</v></c>'
        '<c r="C3"><v>6</v></c><c r="D3"><v>4</v></c><c r="E3" t="e"><v>#DIV/0!</v></c></row>'
        '<row r="4"><c r="A4" t="inlineStr"><is><r><t>西</t></r><r><t>乡</t></r></is></c>'
        '<c r="B4"><v>0</v></c><c r="C4"><v>0</v></c><c r="D4"><v>0</v></c>'
        '<c r="E4" t="e"><v>#DIV/0!</v></c></row>'
    )
    xml = sheet_xml({}, raw_cells=rows)
    path = write_xlsx_parts(tmp_path / "wps.xlsx", [("Sheet1", xml)], shared_strings=SHARED)
    result = load_file(path)
    assert result.ok, result.findings
    assert value(result, "东镇", "births") == 10  # the formula's cached value
    assert value(result, "西乡", "births_male") == 0
    assert sorted(cells_of(result, "load.derived_not_number")) == ["E3", "E4"]
    assert set(codes(result, "warning")) == {"load.derived_not_number"}


def test_error_cell_in_a_count_column_is_an_error_naming_it(tmp_path):
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>示例县2023年1-9月</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>乡镇</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>出生人数</t></is></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>东镇</t></is></c><c r="B3"><v>4</v></c></row>'
        '<row r="4"><c r="A4" t="inlineStr"><is><t>西乡</t></is></c>'
        '<c r="B4" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
    )
    path = write_xlsx_parts(tmp_path / "e.xlsx", [("Sheet1", sheet_xml({}, raw_cells=rows))])
    result = load_file(path)
    assert not result.ok
    assert cells_of(result, "load.not_a_number") == ["B4"]


@pytest.mark.parametrize("as_formulas", [False, True], ids=["typed", "formula"])
def test_xls_error_cell_in_a_count_column_is_an_error_naming_it(tmp_path, as_formulas):
    rows = [["示例县2023年1-9月"], ["乡镇", "出生人数", "男", "女"], ["东镇", 10, 6, 4]]
    rows.append(["西乡", None, 2, 3])
    path = write_xls_with_error_cells(
        tmp_path / "e.xls", rows, {(3, 1): "#DIV/0!"}, as_formulas=as_formulas
    )
    result = load_file(path)
    assert not result.ok
    assert cells_of(result, "load.not_a_number") == ["B4"]
    assert [f.cells[0].value for f in result.findings if f.code == "load.not_a_number"] == [
        "#DIV/0!"
    ]


@pytest.mark.parametrize("as_formulas", [False, True], ids=["typed", "formula"])
def test_xls_error_cell_in_a_sex_ratio_column_is_a_warning(tmp_path, as_formulas):
    rows = [
        ["示例县2023年1-9月"],
        ["乡镇", "出生人数", "男", "女", "性别比"],
        ["东镇", 10, 6, 4, 150],
        ["西乡", 5, 0, 5],
    ]
    path = write_xls_with_error_cells(
        tmp_path / "r.xls", rows, {(3, 4): "#DIV/0!"}, as_formulas=as_formulas
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert result.kind == "xls"
    assert value(result, "西乡", "births_female") == 5
    assert value(result, "东镇", "births_male") == 6
    assert cells_of(result, "load.derived_not_number") == ["E4"]
    assert codes(result, "warning") == ["load.derived_not_number"]


# ---------------------------------------------------------------- 11. .xls, HTML, SpreadsheetML


def test_xls_with_a_three_row_merged_header(tmp_path):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("9月")
    sheet.write_merge(0, 0, 0, 6, "示例县2023年1-9月出生情况")
    sheet.write_merge(1, 3, 0, 0, "乡镇")
    sheet.write_merge(1, 1, 1, 6, "出生人数")
    sheet.write_merge(2, 2, 1, 2, "一孩")
    sheet.write_merge(2, 2, 3, 4, "二孩")
    sheet.write_merge(2, 2, 5, 6, "多孩")
    for c in range(3):
        sheet.write(3, 1 + 2 * c, "男")
        sheet.write(3, 2 + 2 * c, "女")
    for r, row in enumerate([["东镇", 3, 2, 2, 1, 1, 0], ["西乡", 1, 1, 0, 2, 0, 0]], 4):
        for c, v in enumerate(row):
            sheet.write(r, c, v)
    path = tmp_path / "9月.xls"
    book.save(str(path))
    result = load_file(path)
    assert result.ok, result.findings
    assert result.kind == "xls"
    assert value(result, "东镇", "births_o1_male") == 3
    assert value(result, "东镇", "births_o3_male") == 1
    assert value(result, "东镇", "births") == 9  # derived: 3+2+2+1+1+0
    assert value(result, "西乡", "births_male") == 1
    assert cell(result, "西乡", "births_o2_male") == "D6"


HTML = """<html><head><meta charset="utf-8"></head><body>
<table width="100%"><tr><td>
 <div>示例县2023年1-9月出生情况</div>
 <table border="1">
  <tr><th rowspan="2">乡&nbsp;镇</th><th colspan="3"><span><b>出生</b>人数</span></th></tr>
  <tr><th>合计</th><th>男</th><th><span>女</span></th></tr>
  <tr><td>东镇&nbsp;</td><td>10</td><td>6</td><td><span>4</span></td></tr>
  <tr><td>西乡</td><td>5</td><td>&nbsp;2</td><td>3</td></tr>
 </table>
</td></tr></table>
</body></html>
"""


def test_html_export_nested_in_a_layout_table(tmp_path):
    path = tmp_path / "导出.xls"
    path.write_text(HTML, encoding="utf-8")
    result = load_file(path)
    assert result.ok, result.findings
    assert result.kind == "html"
    assert value(result, "东镇", "births") == 10
    assert value(result, "西乡", "births_male") == 2
    assert value(result, "西乡", "births_female") == 3


XML2003 = """<?xml version="1.0" encoding="UTF-8"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="Sheet1"><Table>
  <Row><Cell><Data ss:Type="String">示例县2023年1-9月</Data></Cell></Row>
  <Row><Cell><Data ss:Type="String">乡镇</Data></Cell><Cell><Data ss:Type="String">出生人数</Data></Cell>
   <Cell><Data ss:Type="String">男</Data></Cell><Cell><Data ss:Type="String">女</Data></Cell></Row>
  <Row><Cell><Data ss:Type="String">东镇</Data></Cell><Cell><Data ss:Type="String">10</Data></Cell>
   <Cell><Data ss:Type="String"> 6 </Data></Cell><Cell><Data ss:Type="String">4</Data></Cell></Row>
 </Table></Worksheet>
</Workbook>
"""


def test_spreadsheetml_with_numbers_typed_as_strings(tmp_path):
    path = tmp_path / "导出2003.xls"
    path.write_text(XML2003, encoding="utf-8")
    result = load_file(path)
    assert result.ok, result.findings
    assert result.kind == "xml2003"
    assert (value(result, "东镇", "births"), value(result, "东镇", "births_male")) == (10, 6)


# ---------------------------------------------------------------- 12. hostile files


def test_shared_strings_cell_bomb_is_refused_quickly(tmp_path):
    strings = "<si><t>a</t></si>" * 5_000_000
    sst = f'{XML_DECL}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    sst += strings + "</sst>"
    xml = sheet_xml({}, raw_cells='<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    path = write_xlsx_parts(tmp_path / "sst.xlsx", [("S", xml)], shared_strings=sst)
    result = load_file(path)
    assert codes(result) == ["read.zip_bomb"]


def test_million_empty_rows_are_not_a_used_range_and_scan_fast(tmp_path):
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>示例县2023年1-9月</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>乡镇</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>出生人数</t></is></c></row>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>东镇</t></is></c><c r="B3"><v>4</v></c></row>'
    ) + "".join(f'<row r="{r}"/>' for r in range(4, 1_000_004))
    # stored, not deflated: no ratio to trip, the guard must scan it all
    path = write_xlsx_parts(
        tmp_path / "rows.xlsx",
        [("Sheet1", sheet_xml({}, raw_cells=rows))],
        compression=zipfile.ZIP_STORED,
    )
    result = load_file(path)
    assert result.ok, result.findings
    assert value(result, "东镇", "births") == 4


def test_deeply_nested_xml_is_refused_or_read_never_hangs(tmp_path):
    depth = 100_000
    nested = "<x>" * depth + "</x>" * depth
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>乡镇</t></is></c></row>'
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>东镇</t></is>{nested}</c></row>'
    )
    path = write_xlsx_parts(tmp_path / "deep.xlsx", [("S", sheet_xml({}, raw_cells=rows))])
    result = load_file(path)
    assert codes(result) == ["read.corrupt"]  # the reader gives up on it, in the child


def test_zip_member_with_a_path_traversal_name_is_never_extracted(tmp_path):
    path = write_township_xlsx(tmp_path, towns=2)
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("../../evil", "owned")
    result = load_file(path)
    assert result.ok, result.findings
    assert value(result, "第1镇", "births") == 30
    assert not (tmp_path.parent / "evil").exists() and not Path("evil").exists()


def test_zip_with_a_duplicate_member_is_refused(tmp_path):
    path = write_township_xlsx(tmp_path, towns=2)
    with pytest.warns(UserWarning), zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml({"A200000": 1}))
    result = load_file(path)
    assert codes(result) == ["read.zip_duplicate"]
    assert result.findings[0].params["member"] == "xl/worksheets/sheet1.xml"


def test_csv_of_one_200_mb_line_is_refused_by_size_before_reading(tmp_path):
    data = b"1," * (100 * 1024 * 1024)
    result = load(data, "big.csv")
    assert codes(result) == ["read.too_large"]


def test_csv_with_ten_thousand_columns_is_refused_naming_the_first_cell_beyond(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("乡镇," + ",".join(["出生人数"] * 9_999) + "\n东镇," + ",".join(["1"] * 9_999))
    result = load_file(path)
    assert codes(result) == ["read.range_too_large"]
    assert result.findings[0].params["max_cols"] == 1000


def test_word_document_named_xlsx_is_not_a_spreadsheet(tmp_path):
    path = tmp_path / "报表.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", f"{XML_DECL}<Types/>")
        z.writestr("word/document.xml", f"{XML_DECL}<document>出生人数</document>")
        z.writestr("_rels/.rels", f"{XML_DECL}<Relationships/>")
    result = load_file(path)
    assert codes(result) == ["read.not_spreadsheet"]
