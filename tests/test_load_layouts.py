"""load(): the family of report layouts, each through the guarded reader, with figures by hand."""

from __future__ import annotations

import pytest
from workbooks import (
    LAYOUTS,
    TOWNS,
    Sheet,
    cell,
    codes,
    load_file,
    report_sheet,
    value,
    write_csv,
    write_report,
    write_workbook,
)

from loaders.types import VALUE_COLUMNS


def test_one_row_header_with_title_unit_line_and_total_last(tmp_path):
    path = write_report(
        tmp_path / "births.xlsx",
        "flat",
        title="示例县2024年1-3月出生统计",
        preamble=["填报单位(盖章):示例县卫健局", "单位:人"],
    )
    r = load_file(path)
    assert r.ok, r.findings
    assert list(r.values.columns) == VALUE_COLUMNS
    assert r.county == "示例县"
    assert r.periods == ["2024-03"] and r.bases == ["ytd"]
    assert r.kind == "xlsx"
    # title A1, preamble A2:A3, header A4, towns A5:A8, total A9
    assert value(r, "城关镇", "births") == 120
    assert cell(r, "城关镇", "births") == "B5"
    assert value(r, "石桥乡", "out_of_policy") == 1
    assert cell(r, "石桥乡", "out_of_policy") == "E8"
    total = r.values[r.values["is_total"]]
    assert set(total["area"]) == {"合计"}
    assert float(total[total["field"] == "births"]["value"].iloc[0]) == 276
    assert list(r.values[r.values["field"] == "births"]["row"]) == [0, 1, 2, 3, 4]
    assert r.fields == ["births", "births_male", "births_female", "out_of_policy"]
    assert codes(r, "error") == [] and codes(r, "warning") == []


def test_three_row_merged_header_with_sex_pairs_and_qizhong_groups(tmp_path):
    path = write_report(
        tmp_path / "report.xlsx",
        "merged",
        title="示例县2024年1-10月人口计生统计月报表",
        preamble=["单位:人、万元"],
    )
    r = load_file(path)
    assert r.ok, [f.code for f in r.findings]
    assert r.periods == ["2024-10"] and r.bases == ["ytd"]
    # header rows 3-5, data from row 6
    assert value(r, "城关镇", "births") == 120 and cell(r, "城关镇", "births") == "B6"
    assert value(r, "城关镇", "births_male") == 64 and cell(r, "城关镇", "births_male") == "C6"
    assert (
        value(r, "河口镇", "births_o2_female") == 12
        and cell(r, "河口镇", "births_o2_female") == "H7"
    )
    assert value(r, "河口镇", "births_o3_male") == 1
    assert (
        value(r, "城关镇", "out_of_policy_o3") == 1
        and cell(r, "城关镇", "out_of_policy_o3") == "M6"
    )
    # derived blocks: order totals from their sexes, out of policy from its orders (cell '')
    assert value(r, "城关镇", "births_o1") == 75 and cell(r, "城关镇", "births_o1") == ""
    assert value(r, "城关镇", "out_of_policy") == 4 and cell(r, "城关镇", "out_of_policy") == ""
    assert value(r, "合计", "out_of_policy") == 8
    # fees in 万元 from the header
    assert value(r, "城关镇", "fee_amount_paid") == 8.25
    assert value(r, "合计", "fee_amount_due") == pytest.approx(23.7)
    assert value(r, "石桥乡", "fee_persons_paid") == 1
    # the ratio is recognised, checked, never stored
    assert "compliance" not in r.fields
    assert codes(r, "warning") == []


def test_header_with_column_number_row_and_spaced_area_label(tmp_path):
    layout = LAYOUTS["flat"]
    spaced = type(layout)(
        "spaced",
        (("地　　区", "本　期　出　生　人　数", "男 孩", "女 孩", "计划外"),),
        layout.fields,
    )
    path = write_report(
        tmp_path / "示例县2024年5月.xlsx",
        spaced,
        TOWNS["flat"],
        title="出生统计月报",
        column_numbers=True,
    )
    r = load_file(path)
    assert r.ok, [f.code for f in r.findings]
    # title A1, header A2, column numbers A3 (甲 1 2 3 4), data from A4
    assert cell(r, "城关镇", "births") == "B4"
    assert value(r, "河口镇", "births_female") == 41
    assert value(r, "柳林乡", "out_of_policy") == 0
    # period and county from the file name; a bare 5月 is that month alone
    assert r.periods == ["2024-05"] and r.bases == ["month"]
    assert r.county == "示例县"


def test_labels_with_column_numbers_and_stocks(tmp_path):
    path = write_report(tmp_path / "x.xlsx", "stocks", title="示例县2023年1-12月人口统计")
    r = load_file(path)
    assert r.ok, [f.code for f in r.findings]
    assert value(r, "城关镇", "births_male") == 64
    assert value(r, "河口镇", "first_marriages_female") == 61
    assert value(r, "柳林乡", "population") == 21000
    assert value(r, "合计", "population") == 111000
    assert r.periods == ["2023-12"]


def test_total_row_first_named_after_the_county(tmp_path):
    path = write_report(
        tmp_path / "a.xlsx",
        "flat",
        title="示例县2024年1-2月出生统计",
        total="first",
        total_label="示例县",
    )
    r = load_file(path)
    assert r.ok
    total = r.values[r.values["is_total"]]
    assert set(total["area"]) == {"示例县"}
    assert set(total["row"]) == {0}
    assert float(total[total["field"] == "births"]["value"].iloc[0]) == 276
    assert cell(r, "示例县", "births") == "B3"
    assert value(r, "城关镇", "births") == 120 and cell(r, "城关镇", "births") == "B4"


def test_county_total_row_names_the_county_when_nothing_else_does(tmp_path):
    path = write_report(
        tmp_path / "births.xlsx",
        "flat",
        title="2024年1-3月出生统计",
        total="last",
        total_label="青山县合计",
    )
    r = load_file(path)
    assert r.ok
    assert r.county == "青山县"
    assert set(r.values[r.values["is_total"]]["area"]) == {"青山县合计"}


def test_notes_and_signature_lines_below_the_table_are_not_areas(tmp_path):
    path = write_report(
        tmp_path / "a.xlsx",
        "flat",
        title="示例县2024年1-3月出生统计",
        notes=[
            "注:出生人数含政策外出生。",
            "单位负责人:张三    审核人:李四    填报人:王五",
            "报出日期:2024年4月3日",
        ],
    )
    r = load_file(path)
    assert r.ok
    assert sorted(set(r.values["area"])) == sorted(["城关镇", "河口镇", "柳林乡", "石桥乡", "合计"])
    # the date in the notes is not the period
    assert r.periods == ["2024-03"]


def test_signature_line_right_below_the_total(tmp_path):
    path = write_report(
        tmp_path / "a.xlsx",
        "flat",
        title="示例县2024年1-3月出生统计",
        notes=["负责人:张三", "联系电话:12345678"],
        blank_before_notes=False,
    )
    r = load_file(path)
    assert r.ok
    assert len(set(r.values["area"])) == 5


def test_text_numbers_full_width_thousands_and_dashes(tmp_path):
    rows = [
        ["城关镇", "１２０", "64", " 56 ", "—"],
        ["河口镇", "1,085", "544", "541", "-"],
        ["柳林乡", "40", "22", "18", "/"],
        ["石桥乡", "31", "15", "16", "无"],
        ["北坡乡", "1，002", "500", "502", None],
    ]
    path = write_report(
        tmp_path / "a.xlsx", "flat", rows, title="示例县2024年1-3月出生统计", total=None
    )
    r = load_file(path)
    assert r.ok, [f.code for f in r.findings]
    assert value(r, "城关镇", "births") == 120
    assert value(r, "河口镇", "births") == 1085
    assert value(r, "北坡乡", "births") == 1002
    assert value(r, "北坡乡", "out_of_policy") == 0
    notes = {(f.code, f.params["label"]): f for f in r.findings if f.severity == "note"}
    # one note per column, not one per cell
    assert notes[("load.text_numbers", "出生人数")].params["count"] == 5
    assert notes[("load.blank_as_zero", "政策外出生")].params["count"] == 5
    assert notes[("load.blank_as_zero", "政策外出生")].params["where"] == "E3, E4, E5, E6, E7"


def test_yuan_in_unit_line_converted_to_wan(tmp_path):
    layout = LAYOUTS["merged"]
    plain = type(layout)(
        "plain",
        (
            layout.header[0],
            tuple("金额" if x == "金额(万元)" else x for x in layout.header[1]),
            layout.header[2],
        ),
        layout.fields,
        layout.merges,
    )
    rows = [r[:16] + [r[16] * 10000, r[17] * 10000] for r in TOWNS["merged"]]
    path = write_report(
        tmp_path / "a.xlsx", plain, rows, title="示例县2024年1-3月统计", preamble=["单位:人、元"]
    )
    r = load_file(path)
    assert r.ok, [f.code for f in r.findings]
    assert value(r, "城关镇", "fee_amount_due") == 12.5
    assert value(r, "河口镇", "fee_amount_paid") == pytest.approx(4.1)
    assert "load.unit_assumed" not in codes(r)


def test_yuan_in_header_beats_wan_in_unit_line(tmp_path):
    path = write_report(
        tmp_path / "a.xlsx", "in_policy", title="示例县2024年1-6月统计", preamble=["单位:人、万元"]
    )
    r = load_file(path)
    assert r.ok, [f.code for f in r.findings]
    assert value(r, "城关镇", "fee_amount_due") == 12.5
    assert value(r, "城关镇", "fee_amount_paid") == 8.25
    assert value(r, "合计", "fee_amount_due") == 20.5


def test_amount_without_unit_is_taken_as_wan_with_a_warning(tmp_path):
    layout = LAYOUTS["merged"]
    plain = type(layout)(
        "plain",
        (
            layout.header[0],
            tuple("金额" if x == "金额(万元)" else x for x in layout.header[1]),
            layout.header[2],
        ),
        layout.fields,
        layout.merges,
    )
    path = write_report(tmp_path / "a.xlsx", plain, TOWNS["merged"], title="示例县2024年1-3月统计")
    r = load_file(path)
    assert r.ok
    warned = [f for f in r.findings if f.code == "load.unit_assumed"]
    assert [c.cell for f in warned for c in f.cells] == ["Q4", "R4"]
    assert value(r, "城关镇", "fee_amount_due") == 12.5


def test_in_policy_gives_out_of_policy_by_order_late_reports_refined(tmp_path):
    path = write_report(tmp_path / "a.xlsx", "in_policy", title="示例县2024年1-6月统计")
    r = load_file(path)
    assert r.ok, [f.code for f in r.findings]
    assert value(r, "城关镇", "in_policy_o2") == 38
    assert (
        value(r, "城关镇", "out_of_policy_o2") == 3 and cell(r, "城关镇", "out_of_policy_o2") == ""
    )
    assert value(r, "河口镇", "out_of_policy_o1") == 1
    assert value(r, "合计", "in_policy_o1") == 159
    assert value(r, "城关镇", "late_reports_out_of_policy") == 1
    assert value(r, "河口镇", "late_reports") == 3
    assert value(r, "柳林乡", "fee_amount_due") == 0


def test_one_sheet_per_month_and_a_notes_sheet(tmp_path):
    sheets = []
    for month, scale in ((1, 1), (2, 2), (3, 3)):
        rows = [[a, *(v * scale for v in vals)] for a, *vals in TOWNS["flat"]]
        sheets.append(
            report_sheet(LAYOUTS["flat"], rows, name=f"{month}月", title=f"{month}月各乡镇出生统计")
        )
    sheets.append(Sheet("填报说明", [["各乡镇于次月3日前报送上月数。"]]))
    path = write_workbook(tmp_path / "示例县2024年分月出生统计.xlsx", sheets)
    r = load_file(path)
    assert r.ok, [f.code for f in r.findings]
    assert r.periods == ["2024-01", "2024-02", "2024-03"]
    assert r.bases == ["month"]
    assert value(r, "合计", "births", period="2024-01") == 276
    assert value(r, "合计", "births", period="2024-02") == 552
    assert value(r, "城关镇", "births", period="2024-03") == 360
    assert set(r.values[r.values["period"] == "2024-02"]["sheet"]) == {"2月"}
    skipped = [f for f in r.findings if f.code == "load.sheet_skipped"]
    assert [(f.severity, f.sheet) for f in skipped] == [("note", "填报说明")]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_csv_in_chinese_encodings(tmp_path, encoding):
    made = report_sheet(
        LAYOUTS["flat"], TOWNS["flat"], title="2024年3月 出生人口统计(累计)", total=None
    )
    path = write_csv(tmp_path / "示例县2024年3月出生统计.csv", made.cells, encoding)
    r = load_file(path)
    assert r.ok, [f.code for f in r.findings]
    assert r.kind == "csv"
    assert r.periods == ["2024-03"] and r.bases == ["ytd"]  # 累计 in the title
    assert value(r, "河口镇", "births_male") == 44
    assert cell(r, "河口镇", "births_male") == "C4"
    assert set(r.values["sheet"]) == {""}
    assert not any(f.code == "load.text_numbers" for f in r.findings)


def test_period_from_sheet_name_and_year_from_file_name(tmp_path):
    made = report_sheet(LAYOUTS["flat"], TOWNS["flat"], name="3月", title="各乡镇出生统计")
    path = write_workbook(tmp_path / "2024年出生统计.xlsx", [made])
    r = load_file(path)
    assert r.ok
    assert r.periods == ["2024-03"] and r.bases == ["month"]


@pytest.mark.parametrize(
    ("title", "period", "basis"),
    [
        ("示例县2024年1-10月出生统计", "2024-10", "ytd"),
        ("示例县2024年1至10月出生统计", "2024-10", "ytd"),
        ("示例县2024年1～7月出生统计", "2024-07", "ytd"),
        ("示例县2024年1—4月出生统计", "2024-04", "ytd"),
        ("示例县2024年10月出生统计", "2024-10", "month"),
        ("示例县2024年10月累计出生统计", "2024-10", "ytd"),
        ("示例县2024年本月出生统计(2024年6月)", "2024-06", "month"),
    ],
)
def test_period_and_basis_from_the_title(tmp_path, title, period, basis):
    r = load_file(write_report(tmp_path / "a.xlsx", "flat", title=title))
    assert r.ok
    assert (r.periods, r.bases) == ([period], [basis])


def test_period_option_overrides_with_a_contradiction_warning(tmp_path):
    path = write_report(tmp_path / "a.xlsx", "flat", title="示例县2024年1-3月出生统计")
    r = load_file(path, period="2024-04")
    assert r.ok
    assert r.periods == ["2024-04"]
    warned = [f for f in r.findings if f.code == "load.period_contradiction"]
    assert [(f.severity, f.params["given"], f.params["found"]) for f in warned] == [
        ("warning", "2024-04", "2024-03")
    ]
    r = load_file(path, period="2024-03", basis="month")
    assert r.periods == ["2024-03"] and r.bases == ["month"]
    assert codes(r, "warning") == ["load.basis_contradiction"]


def test_period_given_for_a_file_that_names_none(tmp_path):
    path = write_report(tmp_path / "births.xlsx", "flat", title="出生统计")
    r = load_file(path, period="2024-02")
    assert r.ok
    assert r.periods == ["2024-02"] and r.bases == ["ytd"]
    assert codes(r, "warning") == []


def test_header_label_says_month_and_ytd_columns(tmp_path):
    layout = type(LAYOUTS["flat"])(
        "two_bases",
        (("乡镇", "出生人数", None), (None, "本月", "累计")),
        ("births", "births"),
        ("A1:A2", "B1:C1"),
    )
    rows = [["城关镇", 12, 120], ["河口镇", 9, 85]]
    r = load_file(
        write_report(tmp_path / "a.xlsx", layout, rows, title="示例县2024年3月出生统计", total=None)
    )
    assert r.ok, [f.code for f in r.findings]
    v = r.values.set_index(["area", "basis"])["value"]
    assert v[("城关镇", "month")] == 12 and v[("城关镇", "ytd")] == 120
