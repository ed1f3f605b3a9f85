"""The guard and the sandbox: hostile files are refused with the exact finding (and the cell
or sheet it concerns), nothing of them is read, and a child that overruns or dies becomes a
finding while the parent goes on."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import hostile

from loaders.sandbox import ReadResult, read_workbook, run_in_child
from loaders.types import Finding
from zhibiao.config import Limits
from zhibiao.i18n import t

LIMITS = Limits()


def refused(path: Path, limits: Limits = LIMITS, name: str | None = None) -> Finding:
    """The one finding that refused the file; no grids came back."""
    result = read_workbook(path.read_bytes(), name or path.name, limits)
    assert result.grids == []
    assert len(result.findings) == 1, result.findings
    (finding,) = result.findings
    assert finding.severity == "error"
    assert finding.file == (name or path.name)
    for lang in ("zh", "en"):  # the message renders with what the finding carries
        text = t(f"finding.{finding.code}", lang, file=finding.file, **finding.params)
        assert finding.file in text
    return finding


def accepted(path: Path, limits: Limits = LIMITS) -> ReadResult:
    result = read_workbook(path.read_bytes(), path.name, limits)
    assert result.findings == [], result.findings
    return result


# ----------------------------------------------------------------------------- by content


def test_png_named_xlsx_is_not_a_spreadsheet(tmp_path: Path) -> None:
    assert refused(hostile.write_png(tmp_path)).code == "read.not_spreadsheet"


def test_pdf_and_random_bytes_are_not_spreadsheets(tmp_path: Path) -> None:
    pdf = tmp_path / "report.xls"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    assert refused(pdf).code == "read.not_spreadsheet"
    noise = tmp_path / "noise.csv"
    noise.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(4096)))
    assert refused(noise).code == "read.not_spreadsheet"


def test_empty_and_blank_files_are_refused_as_empty(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert refused(empty).code == "read.empty"
    blank = tmp_path / "blank.csv"
    blank.write_bytes(b"\xef\xbb\xbf\r\n  \r\n")
    assert refused(blank).code == "read.empty"
    commas = tmp_path / "commas.csv"
    commas.write_bytes(b",,,\r\n,,,\r\n")
    assert refused(commas).code == "read.empty"


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    assert refused(hostile.write_not_a_workbook_zip(tmp_path)).code == "read.not_spreadsheet"


def test_truncated_zip_is_corrupt(tmp_path: Path) -> None:
    assert refused(hostile.write_truncated_zip(tmp_path)).code == "read.corrupt"


def test_encrypted_ooxml_in_ole_is_refused_as_encrypted(tmp_path: Path) -> None:
    assert refused(hostile.write_encrypted_ooxml(tmp_path)).code == "read.encrypted"


def test_xls_with_vba_project_is_refused_as_macro(tmp_path: Path) -> None:
    assert refused(hostile.write_xls_with_macros(tmp_path)).code == "read.macro"


def test_ole_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    assert refused(hostile.write_word_ole(tmp_path)).code == "read.not_spreadsheet"


def test_html_without_a_table_is_not_a_spreadsheet(tmp_path: Path) -> None:
    page = tmp_path / "page.xls"
    page.write_text("<html><body><p>登录已过期</p></body></html>", encoding="utf-8")
    assert refused(page).code == "read.not_spreadsheet"


# ----------------------------------------------------------------------------- OOXML guard


def test_zip_bomb_is_refused_before_reading(tmp_path: Path) -> None:
    path = hostile.write_zip_bomb(tmp_path, megabytes=300)
    assert path.stat().st_size < 2 * 1024 * 1024
    finding = refused(path)
    assert finding.code == "read.zip_bomb"
    assert finding.params["member"] == "xl/media/zeros.bin"
    assert finding.params["size_mb"] == 300.0
    assert finding.params["ratio"] > 100


def test_uncompressed_total_beyond_the_cap(tmp_path: Path) -> None:
    path = hostile.write_township_xlsx(tmp_path)
    finding = refused(path, replace(LIMITS, uncompressed_bytes=2000))
    assert finding.code == "read.unzipped_too_large"
    assert finding.params["limit_mb"] == 0.0


def test_file_beyond_the_size_cap(tmp_path: Path) -> None:
    path = hostile.write_township_xlsx(tmp_path)
    finding = refused(path, replace(LIMITS, file_bytes=1024))
    assert finding.code == "read.too_large"
    assert finding.params["limit_mb"] == 0.0


def test_lying_dimension_alone_is_not_refused(tmp_path: Path) -> None:
    (grid,) = accepted(hostile.write_lying_dimension(tmp_path)).grids
    assert grid.cells == [["乡镇", "出生"], ["东镇", 12]]


def test_real_cell_at_xfd1048576_is_refused_naming_it(tmp_path: Path) -> None:
    finding = refused(hostile.write_far_cell(tmp_path, "XFD1048576"))
    assert finding.code == "read.range_too_large"
    assert finding.sheet == "数据"
    assert finding.params["cell"] == "XFD1048576"
    assert (finding.params["rows"], finding.params["cols"]) == (1048576, 16384)
    assert finding.cells[0].cell == "XFD1048576" and finding.cells[0].sheet == "数据"
    assert "XFD1048576" in t("finding.read.range_too_large", "zh", file="f", **finding.params)


def test_empty_inline_string_far_away_counts_as_a_cell(tmp_path: Path) -> None:
    # calamine makes a cell of it (and would allocate the whole range), so the guard counts it
    far = '<row r="900000"><c r="A900000" t="inlineStr"><is><t></t></is></c></row>'
    styled = '<row r="1048576"><c r="XFD1048576" s="1"/></row>'
    path = hostile.write_xlsx_parts(
        tmp_path / "styled.xlsx", [("S", hostile.sheet_xml({"A1": 1}, raw_cells=far))]
    )
    assert refused(path).params["cell"] == "A900000"
    harmless = hostile.write_xlsx_parts(
        tmp_path / "harmless.xlsx", [("S", hostile.sheet_xml({"A1": 1}, raw_cells=styled))]
    )
    assert accepted(harmless).grids[0].cells == [[1]]


def test_1001_columns_refused_1000_accepted(tmp_path: Path) -> None:
    finding = refused(hostile.write_wide_row(tmp_path, 1001))
    assert (finding.code, finding.sheet, finding.params["cell"]) == (
        "read.range_too_large",
        "数据",
        "ALM1",
    )
    grids = accepted(hostile.write_wide_row(tmp_path, 1000, name="ok.xlsx")).grids
    assert len(grids[1].cells[0]) == 1000 and grids[1].cells[0][999] == 1


def test_100001_rows_refused_100000_accepted(tmp_path: Path) -> None:
    finding = refused(hostile.write_sparse_far_row(tmp_path, 100_001))
    assert (finding.code, finding.sheet, finding.params["cell"]) == (
        "read.range_too_large",
        "数据",
        "A100001",
    )
    grids = accepted(hostile.write_sparse_far_row(tmp_path, 100_000, name="ok.xlsx")).grids
    assert len(grids[1].cells) == 100_000 and grids[1].cells[99_999] == [1]


def test_60_sheets_refused(tmp_path: Path) -> None:
    finding = refused(hostile.write_many_sheets(tmp_path, 60))
    assert finding.code == "read.too_many_sheets"
    assert finding.params == {"count": 60, "limit": 50}
    assert len(accepted(hostile.write_many_sheets(tmp_path, 50, "ok.xlsx")).grids) == 50


def test_billion_laughs_refused(tmp_path: Path) -> None:
    finding = refused(hostile.write_billion_laughs(tmp_path))
    assert finding.code == "read.xml_entities"
    assert finding.params["part"] == "xl/worksheets/sheet1.xml"


def test_external_entity_refused(tmp_path: Path) -> None:
    finding = refused(hostile.write_xxe(tmp_path))
    assert finding.code == "read.xml_entities"
    assert finding.params["part"] == "xl/worksheets/sheet1.xml"


def test_doctype_in_shared_strings_refused(tmp_path: Path) -> None:
    finding = refused(hostile.write_doctype_shared_strings(tmp_path))
    assert finding.code == "read.xml_entities"
    assert finding.params["part"] == "xl/sharedStrings.xml"


def test_doctype_in_a_sheet_part_not_named_xml_refused(tmp_path: Path) -> None:
    path = hostile.write_xlsx_parts(
        tmp_path / "renamed.xlsx",
        [("Sheet1", hostile.sheet_xml({"A1": 1}))],
        extra_parts={"xl/worksheets/data.bin": hostile.BILLION_LAUGHS + "<worksheet/>"},
    )
    finding = refused(path)
    assert (finding.code, finding.params["part"]) == ("read.xml_entities", "xl/worksheets/data.bin")


def test_xlsm_with_vba_project_refused_and_without_it_read(tmp_path: Path) -> None:
    finding = refused(hostile.write_vba_xlsm(tmp_path))
    assert (finding.code, finding.params["part"]) == ("read.macro", "xl/vbaProject.bin")
    result = accepted(hostile.write_vba_xlsm(tmp_path, "plain.xlsm", with_project=False))
    assert result.grids[0].cells == [["乡镇", "出生"], ["东镇", 7]]


# ----------------------------------------------------------------------------- text kinds


def test_spreadsheetml_with_doctype_refused(tmp_path: Path) -> None:
    path = hostile.write_xml2003_report(
        tmp_path, prolog='<!DOCTYPE Workbook [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    )
    assert refused(path).code == "read.xml_entities"


def test_csv_rows_beyond_the_cap_name_the_first_row_too_many(tmp_path: Path) -> None:
    path = hostile.write_csv_report(tmp_path)  # five rows
    finding = refused(path, replace(LIMITS, rows=4))
    assert (finding.code, finding.sheet, finding.params["cell"]) == (
        "read.range_too_large",
        "",
        "D5",
    )
    assert len(accepted(path, replace(LIMITS, rows=5)).grids[0].cells) == 5


def test_html_colspan_beyond_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "wide.xls"
    path.write_text(
        '<table><tr><td>乡镇</td><td colspan="100000" rowspan="100000">x</td></tr></table>',
        encoding="utf-8",
    )
    finding = refused(path)
    assert (finding.code, finding.sheet, finding.params["cell"]) == (
        "read.range_too_large",
        "表1",
        "EQXE100000",  # column 100,001: 5·26³ + 17·26² + 24·26 + 5
    )


def test_spreadsheetml_index_beyond_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "far.xls"
    path.write_text(
        '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="月报">'
        '<Table><Row ss:Index="200000"><Cell ss:Index="3"><Data ss:Type="Number">1</Data>'
        "</Cell></Row></Table></Worksheet></Workbook>",
        encoding="utf-8",
    )
    finding = refused(path)
    assert (finding.sheet, finding.params["cell"]) == ("月报", "C200000")


def test_xls_range_capped_after_reading(tmp_path: Path) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("表一").write(9, 2, 5)
    path = tmp_path / "ten.xls"
    book.save(str(path))
    finding = refused(path, replace(LIMITS, rows=9))
    assert (finding.code, finding.sheet, finding.params["cell"]) == (
        "read.range_too_large",
        "表一",
        "C10",
    )


# ----------------------------------------------------------------------------- the sandbox


def test_child_past_its_time_is_killed_and_reported(tmp_path: Path) -> None:
    limits = replace(LIMITS, child_seconds=2.0)
    started = time.monotonic()
    message = run_in_child(hostile.child_sleeps, b"x", "slow.xlsx", limits)
    elapsed = time.monotonic() - started
    assert elapsed < 2.0 + 8.0
    assert message["grids"] == []
    (finding,) = message["findings"]
    assert (finding["code"], finding["file"], finding["params"]) == (
        "read.timeout",
        "slow.xlsx",
        {"seconds": 2.0},
    )


def test_child_past_its_memory_is_reported(tmp_path: Path) -> None:
    limits = replace(LIMITS, child_memory_bytes=640 * 1024 * 1024)
    message = run_in_child(hostile.child_allocates, b"x", "hog.xlsx", limits)
    (finding,) = message["findings"]
    assert (finding["code"], finding["params"]) == ("read.memory", {"limit_mb": 640.0})


def test_child_that_crashes_is_reported(tmp_path: Path) -> None:
    message = run_in_child(hostile.child_crashes, b"x", "boom.xlsx", LIMITS)
    (finding,) = message["findings"]
    assert finding["code"] == "read.crashed"
    assert finding["params"] == {"reason": str(-11)}


def test_calamine_out_of_memory_is_a_finding_and_the_parent_goes_on(tmp_path: Path) -> None:
    # 100,000 rows × 1,000 columns is within the caps but needs gigabytes once read
    path = hostile.write_far_cell(tmp_path, "ALL100000")
    finding = refused(path, replace(LIMITS, child_memory_bytes=640 * 1024 * 1024))
    assert finding.code == "read.memory"
    good = accepted(hostile.write_township_xlsx(tmp_path, towns=3))
    assert good.grids[0].cells[4] == ["第1镇", 30, 16, 14]
