"""The readers through the public door (loaders/sandbox.read_workbook): each kind read by
content, with exact values at exact addresses, merged ranges and formulas without values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import xlwt
from hostile import (
    TOWNSHIP_ROWS,
    write_csv_report,
    write_formula_without_value,
    write_html_report,
    write_lying_dimension,
    write_township_xlsx,
    write_xls_with_error_cells,
    write_xml2003_report,
)

from loaders.readers import read_csv, read_html, read_xml2003
from loaders.sandbox import ReadResult, read_workbook
from loaders.sniff import sniff_delimiter, sniff_kind
from zhibiao.config import Limits

LIMITS = Limits()


def read(path: Path, name: str | None = None) -> ReadResult:
    result = read_workbook(path.read_bytes(), name or path.name, LIMITS)
    assert result.findings == [], result.findings
    return result


def write_openpyxl_workbook(folder: Path, name: str = "form.xlsx") -> Path:
    """C7 150.0, D7 1.5, E7 a date, F7 TRUE, G7 text; B3:D4 merged 出生; a hidden sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "10月"
    sheet["B3"] = "出生"
    sheet.merge_cells("B3:D4")
    sheet["C7"] = 150.0
    sheet["D7"] = 1.5
    sheet["E7"] = dt.date(2024, 3, 1)
    sheet["F7"] = True
    sheet["G7"] = "东镇"
    sheet["C8"] = "=C7*2"
    hidden = workbook.create_sheet("填报说明")
    hidden["A1"] = "注"
    hidden.sheet_state = "hidden"
    path = folder / name
    workbook.save(path)
    return path


# ----------------------------------------------------------------------------- OOXML


def test_xlsx_addresses_from_a1_with_empty_leading_rows_and_columns(tmp_path: Path) -> None:
    result = read(write_openpyxl_workbook(tmp_path))
    assert result.kind == "xlsx"
    assert [g.name for g in result.grids] == ["10月", "填报说明"]
    grid = result.grids[0]
    assert len(grid.cells) == 8 and all(len(row) == 7 for row in grid.cells)
    assert grid.cells[0] == [None] * 7
    assert grid.cells[6] == [None, None, 150, 1.5, "2024-03-01", True, "东镇"]
    assert type(grid.cells[6][2]) is int and type(grid.cells[6][3]) is float
    assert grid.cells[2][1] == "出生" and grid.cells[2][2] is None and grid.cells[3][1] is None
    assert grid.merges == [(2, 1, 3, 3)]
    # openpyxl writes a formula without a cached value: found, and left blank (never 0)
    assert grid.formulas_without_value == [(7, 2)]
    assert grid.cells[7][2] is None
    assert result.grids[1].cells == [["注"]]


def test_xlsx_township_report_merges_and_values(tmp_path: Path) -> None:
    result = read(write_township_xlsx(tmp_path, towns=15))
    (grid,) = result.grids
    assert grid.name == "3月"
    assert len(grid.cells) == 20 and len(grid.cells[0]) == 4
    assert grid.cells[0][0] == "示例县2024年1-3月出生情况月报表"
    assert grid.merges == [(0, 0, 0, 3), (2, 0, 3, 0), (2, 1, 2, 3)]
    assert grid.cells[3] == [None, "合计", "男", "女"]
    assert grid.cells[4] == ["第1镇", 30, 16, 14]
    assert grid.cells[18] == ["第15镇", 44, 16, 28]
    assert grid.cells[19] == ["合计", 555, 240, 315]


def test_formula_without_cached_value_is_reported_at_its_address(tmp_path: Path) -> None:
    (grid,) = read(write_formula_without_value(tmp_path)).grids
    assert grid.formulas_without_value == [(1, 3)]  # D2
    assert grid.cells[1] == [None, 5, 7, None, 10]  # E2 kept its cached 10


def test_lying_dimension_reads_the_real_cells(tmp_path: Path) -> None:
    (grid,) = read(write_lying_dimension(tmp_path)).grids
    assert grid.cells == [["乡镇", "出生"], ["东镇", 12]]


def test_xlsx_named_csv_is_read_as_a_workbook(tmp_path: Path) -> None:
    path = write_township_xlsx(tmp_path, name="report.csv", towns=2)
    result = read(path)
    assert result.kind == "xlsx"
    assert result.grids[0].cells[5] == ["第2镇", 31, 16, 15]


# ----------------------------------------------------------------------------- legacy .xls


def test_xls_written_by_xlwt_with_merges(tmp_path: Path) -> None:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("1-10月")
    sheet.write_merge(0, 0, 0, 3, "示例县2013年1-10月出生月报")
    sheet.write_merge(2, 3, 0, 0, "乡镇")
    sheet.write_merge(2, 2, 1, 3, "出生人数")
    for col, label in enumerate(["合计", "男", "女"], start=1):
        sheet.write(3, col, label)
    sheet.write(6, 2, 226)
    sheet.write(6, 3, 194.5)
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    sheet.write(7, 0, dt.date(2013, 11, 5), date_style)
    book.add_sheet("说明").write(0, 0, "注")
    path = tmp_path / "legacy.xls"
    book.save(str(path))

    result = read(path)
    assert result.kind == "xls"
    assert [g.name for g in result.grids] == ["1-10月", "说明"]
    grid = result.grids[0]
    assert grid.merges == [(0, 0, 0, 3), (2, 0, 3, 0), (2, 1, 2, 3)]
    assert grid.cells[0][0] == "示例县2013年1-10月出生月报" and grid.cells[0][1] is None
    assert grid.cells[3] == [None, "合计", "男", "女"]
    assert grid.cells[6] == [None, None, 226, 194.5]
    assert type(grid.cells[6][2]) is int
    assert grid.cells[7][0] == "2013-11-05"


def test_xls_error_cells_hold_their_text_typed_in_or_cached_by_a_formula(tmp_path: Path) -> None:
    rows = [["乡镇", "出生人数", "性别比"], ["东镇", 10], ["西乡", None, 120]]
    errors = {(1, 2): "#DIV/0!", (2, 1): "#N/A", (3, 4): "#REF!", (0, 3): "#VALUE!"}
    for as_formulas in (False, True):
        path = write_xls_with_error_cells(
            tmp_path / f"e{as_formulas}.xls", rows, errors, as_formulas=as_formulas
        )
        grid = read(path).grids[0]
        # calamine reads each of them as blank; the BIFF records give the text back
        assert grid.cells[1] == ["东镇", 10, "#DIV/0!", None, None]
        assert grid.cells[2] == ["西乡", "#N/A", 120, None, None]
        assert grid.cells[3] == [None, None, None, None, "#REF!"]  # beyond the used range
        assert grid.cells[0] == ["乡镇", "出生人数", "性别比", "#VALUE!", None]


def test_xls_error_cell_on_a_second_sheet_stays_on_that_sheet(tmp_path: Path) -> None:
    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("说明").write(0, 0, "注")
    page = book.add_sheet("9月")
    page.write(0, 0, "乡镇")
    page.row(1).set_cell_error(1, "#DIV/0!")
    path = tmp_path / "two.xls"
    book.save(str(path))
    notes, report = read(path).grids
    assert notes.cells == [["注"]]
    assert report.cells == [["乡镇", None], [None, "#DIV/0!"]]


# ----------------------------------------------------------------------------- CSV


def test_csv_in_every_encoding_reads_the_same_chinese_labels(tmp_path: Path) -> None:
    expected = [[v for v in row] for row in TOWNSHIP_ROWS]
    for encoding, reported in [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("gbk", "gb18030"),
        ("gb18030", "gb18030"),
    ]:
        path = write_csv_report(tmp_path, encoding, name=f"r-{encoding}.csv")
        result = read(path)
        assert (result.kind, result.encoding) == ("csv", reported), encoding
        (grid,) = result.grids
        assert grid.name == ""
        assert grid.cells == expected, encoding


def test_csv_gb18030_character_outside_gbk(tmp_path: Path) -> None:
    path = tmp_path / "rare.csv"
    path.write_bytes("乡镇,出生\n𠮷镇,3\n".encode("gb18030"))
    result = read(path)
    assert result.encoding == "gb18030"
    assert result.grids[0].cells == [["乡镇", "出生"], ["𠮷镇", "3"]]


def test_unicode_text_export_utf16_with_tabs(tmp_path: Path) -> None:
    path = tmp_path / "unicode.txt"
    path.write_bytes("乡镇\t出生\r\n东镇\t30\r\n".encode("utf-16"))
    result = read(path)
    assert (result.kind, result.encoding) == ("csv", "utf-16")
    assert result.grids[0].cells == [["乡镇", "出生"], ["东镇", "30"]]


def test_csv_full_width_comma_tab_and_semicolon_delimiters(tmp_path: Path) -> None:
    for delimiter in ["，", "\t", ";"]:
        path = write_csv_report(tmp_path, delimiter=delimiter, name="d.csv")
        assert sniff_delimiter(path.read_text("utf-8")) == delimiter
        (grid,) = read(path).grids
        assert grid.cells[2] == ["东镇", "30", "16", "14"], repr(delimiter)


def test_csv_named_xlsx_is_read_as_csv(tmp_path: Path) -> None:
    path = write_csv_report(tmp_path, "gbk", name="报表.xlsx")
    result = read(path)
    assert result.kind == "csv"
    assert result.grids[0].cells[4] == ["合计", "55", "28", "27"]


def test_csv_quoted_values_and_ragged_rows_pad_with_none() -> None:
    (grid,) = read_csv('标题\n"乡,镇",出生\n东镇,"1,234",x\n\n', ",", LIMITS)
    assert grid.cells == [["标题", None, None], ["乡,镇", "出生", None], ["东镇", "1,234", "x"]]


# ----------------------------------------------------------------------------- HTML


def test_html_table_with_rowspan_and_colspan(tmp_path: Path) -> None:
    result = read(write_html_report(tmp_path))
    assert result.kind == "html"
    first, second = result.grids
    assert first.name == "出生情况" and second.name == "表2"
    assert first.merges == [(0, 0, 1, 0), (0, 1, 0, 3)]
    assert first.cells == [
        ["乡　镇", "出生人数", None, None],
        [None, "合计", "男", "女"],
        ["东镇", 30, "16", "14"],
        ["西乡", 1234.5, None, "13"],
    ]
    assert second.cells == [["填报人", "张三"]]


def test_html_in_gbk_declared_by_meta_charset(tmp_path: Path) -> None:
    result = read(write_html_report(tmp_path, charset="gbk"))
    assert result.encoding == "gb18030"
    assert result.grids[0].cells[2][0] == "东镇"


def test_html_cell_covered_by_rowspan_is_skipped_in_later_rows() -> None:
    html = (
        "<table><tr><td>a</td><td rowspan=3>b</td><td>c</td></tr>"
        "<tr><td>d</td><td>e</td></tr><tr><td>f</td><td>g</td></tr></table>"
    )
    (grid,) = read_html(html, LIMITS)
    assert grid.name == "表1"
    assert grid.cells == [["a", "b", "c"], ["d", None, "e"], ["f", None, "g"]]
    assert grid.merges == [(0, 1, 2, 1)]


# ----------------------------------------------------------------------------- SpreadsheetML


def test_spreadsheetml_2003_with_merges_and_index_gaps(tmp_path: Path) -> None:
    result = read(write_xml2003_report(tmp_path))
    assert result.kind == "xml2003"
    main, notes = result.grids
    assert main.name == "3月" and notes.name == "说明"
    assert main.merges == [(0, 0, 0, 3), (2, 0, 3, 0), (2, 1, 2, 3)]
    assert main.cells == [
        ["示例县2024年3月", None, None, None],
        [None, None, None, None],
        ["乡镇", "出生人数", None, None],
        [None, "合计", "男", "女"],
        ["东镇", 30, None, 14.5],
    ]
    assert notes.cells == [[None, None, "注"]]


def test_spreadsheetml_merge_down_covers_cells_without_index() -> None:
    text = (
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="S"><Table>'
        '<Row><Cell ss:MergeDown="1"><Data ss:Type="String">乡镇</Data></Cell>'
        '<Cell><Data ss:Type="Boolean">1</Data></Cell></Row>'
        '<Row><Cell><Data ss:Type="DateTime">2024-03-01T00:00:00.000</Data></Cell></Row>'
        "</Table></Worksheet></Workbook>"
    )
    assert sniff_kind(text.encode()).kind == "xml2003"
    (grid,) = read_xml2003(text, LIMITS)
    assert grid.cells == [["乡镇", True], [None, "2024-03-01"]]
    assert grid.merges == [(0, 0, 1, 0)]
