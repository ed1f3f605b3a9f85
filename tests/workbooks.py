"""Report workbooks for tests: write many layouts of township reports into a folder.

    from workbooks import LAYOUTS, TOWNS, write_report
    path = write_report(tmp_path / "示例县2024年1-3月.xlsx", LAYOUTS["flat"], TOWNS["flat"],
                        title="示例县2024年1-3月出生统计")

A layout is a header band (rows of labels, merges) and the field each data column stands for.
Rows are sequences `[area, v1, v2, …]` in the layout's column order (any cell may be text,
`—`, a formula `=B4+C4` saved without its value, …). The writer adds a title, preamble lines,
a column-number row, a total row and notes below as asked. `.xlsx` files are written with
openpyxl, `.csv` files in the encoding asked (utf-8, utf-8-sig, gbk, gb18030).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from loaders import load
from loaders.types import LoadResult


@dataclass(frozen=True)
class Layout:
    """A header band: rows of labels (column A is the area column) and merged ranges.

    merges are A1 ranges relative to the band's first row (`B1:D1`). fields: the canonical
    field of each column after the area (None where the column is a ratio or not a field).
    """

    name: str
    header: tuple[tuple[Any, ...], ...]
    fields: tuple[str | None, ...]
    merges: tuple[str, ...] = ()

    @property
    def width(self) -> int:
        return 1 + len(self.fields)


@dataclass
class Sheet:
    """A sheet to write: its cells row by row (None = empty) and merged A1 ranges."""

    name: str
    cells: list[list[Any]]
    merges: list[str] = field(default_factory=list)


LAYOUTS: dict[str, Layout] = {
    # one header row
    "flat": Layout(
        "flat",
        (("乡镇", "出生人数", "男", "女", "政策外出生"),),
        ("births", "births_male", "births_female", "out_of_policy"),
    ),
    # three rows, merged across and down, a sex pair under each birth order, 其中 groups,
    # fees by stage and quantity, a ratio the form computes
    "merged": Layout(
        "merged",
        (
            (
                "乡镇名称",
                "出生人数",
                None,
                None,
                "按孩次分",
                None,
                None,
                None,
                None,
                None,
                "不符合政策生育",
                None,
                None,
                "政策符合率(%)",
                "社会抚养费",
                None,
                None,
                None,
            ),
            (
                None,
                "合计",
                "其中",
                None,
                "一孩",
                None,
                "二孩",
                None,
                "三孩及以上",
                None,
                "一孩",
                "二孩",
                "多孩",
                None,
                "征收人数",
                None,
                "金额(万元)",
                None,
            ),
            (
                None,
                None,
                "男",
                "女",
                "男",
                "女",
                "男",
                "女",
                "男",
                "女",
                None,
                None,
                None,
                None,
                "应缴",
                "实缴",
                "应征",
                "已征",
            ),
        ),
        (
            "births",
            "births_male",
            "births_female",
            "births_o1_male",
            "births_o1_female",
            "births_o2_male",
            "births_o2_female",
            "births_o3_male",
            "births_o3_female",
            "out_of_policy_o1",
            "out_of_policy_o2",
            "out_of_policy_o3",
            None,
            "fee_persons_due",
            "fee_persons_paid",
            "fee_amount_due",
            "fee_amount_paid",
        ),
        (
            "A1:A3",
            "B1:D1",
            "B2:B3",
            "C2:D2",
            "E1:J1",
            "E2:F2",
            "G2:H2",
            "I2:J2",
            "K1:M1",
            "K2:K3",
            "L2:L3",
            "M2:M3",
            "N1:N3",
            "O1:R1",
            "O2:P2",
            "Q2:R2",
        ),
    ),
    # in-policy births by order (其中:计划内), late reports with 其中政策外, fees in 元 by header
    "in_policy": Layout(
        "in_policy",
        (
            ("地区", "一孩", None, "二孩", None, "补报往年出生", None, "征收金额(元)", None),
            (
                None,
                "小计",
                "其中:计划内",
                "小计",
                "其中:计划内",
                "小计",
                "其中政策外",
                "应缴",
                "实缴",
            ),
        ),
        (
            "births_o1",
            "in_policy_o1",
            "births_o2",
            "in_policy_o2",
            "late_reports",
            "late_reports_out_of_policy",
            "fee_amount_due",
            "fee_amount_paid",
        ),
        ("A1:A2", "B1:C1", "D1:E1", "F1:G1", "H1:I1"),
    ),
    # stocks and marriages; labels with column numbers
    "stocks": Layout(
        "stocks",
        (("乡(镇)", "出生合计（1）", "男（2）", "女（3）", "女性初婚人数(4)", "年末总人口⑤"),),
        ("births", "births_male", "births_female", "first_marriages_female", "population"),
    ),
}

#: Townships of a county, per layout, consistent with every rule (write the figures down in
#: tests from here). The total rows are the column sums.
TOWNS: dict[str, list[list[Any]]] = {
    "flat": [
        ["城关镇", 120, 64, 56, 3],
        ["河口镇", 85, 44, 41, 2],
        ["柳林乡", 40, 22, 18, 0],
        ["石桥乡", 31, 15, 16, 1],
    ],
    "merged": [
        # births m f | o1 m f | o2 m f | o3 m f | oop o1 o2 o3 | rate | fee persons due paid, amounts due paid (万元)
        ["城关镇", 120, 64, 56, 40, 35, 22, 19, 2, 2, 0, 3, 1, 96.67, 6, 4, 12.5, 8.25],
        ["河口镇", 85, 44, 41, 30, 28, 13, 12, 1, 1, 1, 1, 1, 96.47, 4, 2, 8.0, 4.1],
        ["柳林乡", 40, 22, 18, 15, 12, 7, 6, 0, 0, 0, 0, 0, 100.0, 0, 0, 0, 0],
        ["石桥乡", 31, 15, 16, 10, 11, 5, 5, 0, 0, 0, 1, 0, 96.77, 2, 1, 3.2, 1.6],
    ],
    "in_policy": [
        ["城关镇", 75, 75, 41, 38, 5, 1, 125000, 82500],
        ["河口镇", 58, 57, 25, 24, 3, 0, 80000, 41000],
        ["柳林乡", 27, 27, 13, 13, 0, 0, 0, 0],
    ],
    "stocks": [
        ["城关镇", 120, 64, 56, 88, 52000],
        ["河口镇", 85, 44, 41, 61, 38000],
        ["柳林乡", 40, 22, 18, 25, 21000],
    ],
}


def total_row(
    rows: Sequence[Sequence[Any]], label: str = "合计", layout: Layout | None = None
) -> list[Any]:
    """The column sums of numeric rows, labelled (ratio columns, field None, left empty)."""
    out: list[Any] = [label]
    fields = layout.fields if layout else ()
    for i, values in enumerate(list(zip(*rows, strict=True))[1:]):
        if i < len(fields) and fields[i] is None:
            out.append(None)
        elif all(isinstance(v, int | float) for v in values):
            total = sum(values)
            out.append(round(total, 4) if isinstance(total, float) else total)
        else:
            out.append(None)
    return out


def _pad(row: Sequence[Any], width: int) -> list[Any]:
    return list(row) + [None] * (width - len(row))


def _shift(a1_range: str, rows: int) -> str:
    from openpyxl.utils.cell import range_boundaries

    c0, r0, c1, r1 = range_boundaries(a1_range)
    return f"{get_column_letter(c0)}{r0 + rows}:{get_column_letter(c1)}{r1 + rows}"


def report_sheet(
    layout: Layout,
    rows: Sequence[Sequence[Any]],
    *,
    name: str = "Sheet1",
    title: str | None = None,
    preamble: Sequence[str | Sequence[Any]] = (),
    column_numbers: bool = False,
    total: str | None = "last",
    total_label: str = "合计",
    notes: Sequence[str] = (),
    blank_before_notes: bool = True,
) -> Sheet:
    """One report sheet: title (merged across), preamble lines, header band, a column-number
    row, the rows, the total row (first, last or none), a blank line and the notes."""
    width = layout.width
    cells: list[list[Any]] = []
    merges: list[str] = []
    if title is not None:
        cells.append(_pad([title], width))
        merges.append(f"A1:{get_column_letter(width)}1")
    for line in preamble:
        cells.append(_pad([line] if isinstance(line, str) else list(line), width))
    top = len(cells)
    for header_row in layout.header:
        cells.append(_pad(header_row, width))
    merges += [_shift(m, top) for m in layout.merges]
    if column_numbers:
        cells.append(["甲", *range(1, width)])
    body = [_pad(r, width) for r in rows]
    if total == "first":
        body.insert(0, total_row(rows, total_label, layout))
    elif total == "last":
        body.append(total_row(rows, total_label, layout))
    cells += body
    if notes:
        if blank_before_notes:
            cells.append([None] * width)
        cells += [_pad([n], width) for n in notes]
    return Sheet(name, cells, merges)


def write_workbook(path: Path, sheets: Sequence[Sheet]) -> Path:
    """Write sheets to .xlsx (openpyxl). A text cell starting with `=` is a formula saved
    without a cached value (openpyxl never computes one)."""
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.name)
        for row in sheet.cells:
            ws.append(list(row))
        for merged in sheet.merges:
            ws.merge_cells(merged)
    path = Path(path)
    book.save(path)
    return path


def write_csv(path: Path, cells: Sequence[Sequence[Any]], encoding: str = "utf-8") -> Path:
    """Write rows as CSV in `encoding` (gbk, gb18030, utf-8, utf-8-sig)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in cells:
        writer.writerow(["" if v is None else v for v in row])
    path = Path(path)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_report(
    path: Path,
    layout: Layout | str,
    rows: Sequence[Sequence[Any]] | None = None,
    *,
    title: str | None = None,
    sheet: str = "Sheet1",
    encoding: str = "utf-8",
    **options: Any,
) -> Path:
    """Write one report (one sheet, or a CSV when the path ends in .csv); see report_sheet.

    layout: a Layout or the name of one in LAYOUTS; rows default to TOWNS[layout name].
    """
    if isinstance(layout, str):
        layout = LAYOUTS[layout]
    rows = TOWNS[layout.name] if rows is None else rows
    made = report_sheet(layout, rows, name=sheet, title=title, **options)
    path = Path(path)
    if path.suffix.lower() == ".csv":
        return write_csv(path, made.cells, encoding)
    return write_workbook(path, [made])


def _fill(sheet: Worksheet, rows: Sequence[Sequence[Any]]) -> None:
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row, 1):
            if v is not None:
                sheet.cell(r, c, v)


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[Any]],
    merges: tuple[str, ...] = (),
    *,
    title: str | None = None,
    more: tuple[tuple[str, Sequence[Sequence[Any]], bool], ...] = (),
) -> Path:
    """An .xlsx from rows (None = empty) and merged ranges; its first sheet is named `title`
    (openpyxl's default name when None); more: further (name, rows, hidden) sheets."""
    book = Workbook()
    sheet = book.active
    if title is not None:
        sheet.title = title
    _fill(sheet, rows)
    for m in merges:
        sheet.merge_cells(m)
    for name, extra, hidden in more:
        other = book.create_sheet(name)
        _fill(other, extra)
        if hidden:
            other.sheet_state = "hidden"
    book.save(path)
    return path


# -- reading what load() returned ----------------------------------------------------------


def load_file(path: Path, **options: Any) -> LoadResult:
    """load() on a fixture file, under its own name."""
    return load(path.read_bytes(), path.name, **options)


def value(
    result: LoadResult,
    area: str,
    field: str,
    basis: str | None = None,
    *,
    period: str | None = None,
) -> float:
    """The one value of an area's field (of the basis and the period given)."""
    v = result.values
    hit = v[(v["area"] == area) & (v["field"] == field)]
    if basis:
        hit = hit[hit["basis"] == basis]
    if period:
        hit = hit[hit["period"] == period]
    assert len(hit) == 1, (area, field, basis, period, hit)
    return float(hit["value"].iloc[0])


def cell(result: LoadResult, area: str, field: str) -> str:
    """The address of an area's field."""
    v = result.values
    return str(v[(v["area"] == area) & (v["field"] == field)]["cell"].iloc[0])


def codes(result: LoadResult, severity: str | None = None) -> list[str]:
    """The codes of the findings (of one severity when given)."""
    return [f.code for f in result.findings if severity is None or f.severity == severity]


def cells_of(result: LoadResult, code: str) -> list[str]:
    """The cell addresses of every finding with `code`."""
    return [c.cell for f in result.findings if f.code == code for c in f.cells]
