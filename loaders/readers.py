"""The readers: bytes (or decoded text) of one kind → a list of Grids with exact A1 addresses.

One reader a kind: OOXML and legacy .xls through python-calamine (opened by content), HTML
tables with the stdlib html.parser, SpreadsheetML 2003 with xml.etree, CSV with csv. Run them
only after the guard; they raise `Refusal` when what they read breaks a cap.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import struct
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import olefile
import python_calamine as calamine

from loaders.guard import Refusal, SheetCells, check_range, scan_cells, sheet_parts
from loaders.types import Grid
from zhibiao.config import Limits
from zhibiao.i18n import t

SS_NS = "urn:schemas-microsoft-com:office:spreadsheet"
_SPACES = re.compile(r"[ \t\r\n\f\xa0]+")

# BIFF record ids and error codes ([MS-XLS] 2.4.24 BoundSheet8, 2.4.127 Formula, 2.4.24
# BoolErr, 2.5.97 BErr): the cells calamine reads as blank.
BIFF_BOF, BIFF_EOF, BIFF_BOUNDSHEET = 0x0809, 0x000A, 0x0085
BIFF_BOOLERR, BIFF_FORMULA = 0x0205, 0x0006
BIFF8 = 0x0600
BIFF_ERRORS = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}


# ----------------------------------------------------------------------------- values


def plain_value(value: Any) -> Any:
    """A cell value as str, int, float, bool or None: blank → None, whole floats → int,
    dates and times → ISO strings (a midnight datetime → its date)."""
    if type(value) is float:  # most cells: a number, asked first
        return int(value) if value.is_integer() else value
    if value is None or value == "":
        return None
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def number_or_text(text: str) -> Any:
    """'150' → 150, '1.5' → 1.5, anything else unchanged."""
    try:
        return plain_value(float(text))
    except ValueError:
        return text


def rectangle(cells: dict[tuple[int, int], Any], rows: int, cols: int) -> list[list[Any]]:
    """A full rows × cols grid from A1 (0-based keys); unset cells are None."""
    grid: list[list[Any]] = [[None] * cols for _ in range(rows)]
    for (r, c), value in cells.items():
        grid[r][c] = value
    return grid


def pad(cells: list[list[Any]], rows: int, cols: int) -> list[list[Any]]:
    """Widen a grid in place to at least rows × cols (every row as long as the widest)."""
    width = max([cols] + [len(r) for r in cells])
    for row in cells:
        row.extend([None] * (width - len(row)))
    while len(cells) < rows:
        cells.append([None] * width)
    return cells


# ----------------------------------------------------------------------------- calamine


def read_ooxml(
    data: bytes, limits: Limits, scans: dict[str, SheetCells] | None = None
) -> list[Grid]:
    """An .xlsx/.xlsm workbook: every worksheet (hidden ones too) with formulas lacking a value,
    and error cells (`#DIV/0!`) holding their error text (calamine reads them as blank).
    `scans`: the guard's pass over each worksheet, when it made one."""
    formulas, errors = cells_calamine_misses(data, scans)
    grids = read_calamine(data, limits)
    for grid in grids:
        grid.formulas_without_value = formulas.get(grid.name, [])
        spots = grid.formulas_without_value
        if spots:
            pad(grid.cells, max(r for r, _ in spots) + 1, max(c for _, c in spots) + 1)
        put_error_cells(grid, errors.get(grid.name, {}))
    return grids


def read_xls(data: bytes, limits: Limits) -> list[Grid]:
    """A legacy .xls workbook (BIFF always stores a formula's value), with error cells
    (`#DIV/0!`, a BOOLERR record or a formula whose cached value is an error) holding their
    error text (calamine reads them as blank)."""
    grids = read_calamine(data, limits)
    errors = xls_error_cells(data)
    for grid in grids:
        put_error_cells(grid, errors.get(grid.name, {}))
    return grids


def put_error_cells(grid: Grid, marked: dict[tuple[int, int], str]) -> None:
    """Write each error cell's text into the grid (widened to reach it)."""
    if not marked:
        return
    pad(grid.cells, max(r for r, _ in marked) + 1, max(c for _, c in marked) + 1)
    for (r, c), text in marked.items():
        grid.cells[r][c] = text


def xls_error_cells(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Per worksheet name: the 0-based (row, col) of every error cell with its text, read from
    the BIFF8 records of the workbook stream ({} when the stream cannot be read)."""
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            stream = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if stream is None:
                return {}
            biff = ole.openstream(stream).read()
    except Exception:  # olefile raises many kinds on a damaged file; calamine reports it
        return {}
    if not is_biff8(biff):
        return {}  # BIFF5 and older spell sheet names otherwise; their error cells stay blank
    errors: dict[str, dict[tuple[int, int], str]] = {}
    for name, offset in biff_worksheets(biff):
        marked = biff_error_cells(biff, offset)
        if marked:
            errors[name] = marked
    return errors


def is_biff8(biff: bytes) -> bool:
    """The stream opens with a BIFF8 BOF record (version 0x0600)."""
    kind, body = next(biff_records(biff, 0), (None, b""))
    return kind == BIFF_BOF and len(body) >= 2 and struct.unpack_from("<H", body)[0] == BIFF8


def biff_records(biff: bytes, start: int) -> Iterator[tuple[int, bytes]]:
    """(record id, body) from `start` to the end of the stream (or a truncated record)."""
    pos = start
    while pos + 4 <= len(biff):
        kind, size = struct.unpack_from("<HH", biff, pos)
        body = biff[pos + 4 : pos + 4 + size]
        if len(body) < size:
            return
        yield kind, body
        pos += 4 + size


def biff_worksheets(biff: bytes) -> list[tuple[str, int]]:
    """The worksheets the globals substream lists: (name, offset of the sheet's BOF)."""
    sheets: list[tuple[str, int]] = []
    for kind, body in biff_records(biff, 0):
        if kind == BIFF_EOF:
            break
        if kind != BIFF_BOUNDSHEET or len(body) < 8:
            continue
        offset, sheet_type = struct.unpack_from("<I", body)[0], body[5]
        if sheet_type == 0:  # a worksheet (or dialog sheet); charts and macros are not read
            sheets.append((biff_short_string(body[6:]), offset))
    return sheets


def biff_short_string(raw: bytes) -> str:
    """A BIFF8 ShortXLUnicodeString: count, flags (bit 0: UTF-16), characters."""
    count, flags = raw[0], raw[1] if len(raw) > 1 else 0
    if flags & 1:
        return raw[2 : 2 + 2 * count].decode("utf-16-le", "replace")
    return raw[2 : 2 + count].decode("latin-1")


def biff_error_cells(biff: bytes, offset: int) -> dict[tuple[int, int], str]:
    """The error cells of the worksheet substream starting at `offset` (its BOF)."""
    marked: dict[tuple[int, int], str] = {}
    records = biff_records(biff, offset)
    if next(records, (None, b""))[0] != BIFF_BOF:
        return marked
    for kind, body in records:
        if kind in (BIFF_EOF, BIFF_BOF):
            break
        text = biff_error_text(kind, body)
        if text is not None:
            row, col = struct.unpack_from("<HH", body)
            marked[(row, col)] = text
    return marked


def biff_error_text(kind: int, body: bytes) -> str | None:
    """The error a BOOLERR or FORMULA record holds (`#DIV/0!`), or None when it holds none."""
    if kind == BIFF_BOOLERR and len(body) >= 8 and body[7] == 1:
        return BIFF_ERRORS.get(body[6], "#N/A")
    if kind == BIFF_FORMULA and len(body) >= 14 and body[6] == 2 and body[12:14] == b"\xff\xff":
        return BIFF_ERRORS.get(body[8], "#N/A")
    return None


def read_calamine(data: bytes, limits: Limits) -> list[Grid]:
    """Every worksheet through calamine, opened from the bytes (never by a file name)."""
    try:
        workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError as error:
        raise Refusal("read.encrypted") from error
    except calamine.CalamineError as error:
        raise Refusal("read.corrupt") from error
    grids = []
    for meta in workbook.sheets_metadata:
        if meta.typ != calamine.SheetTypeEnum.WorkSheet:
            continue
        try:
            sheet = workbook.get_sheet_by_name(meta.name)
        except calamine.PasswordError as error:
            raise Refusal("read.encrypted") from error
        except calamine.CalamineError as error:
            raise Refusal("read.corrupt", meta.name) from error
        grid = calamine_grid(sheet, meta.name, limits)
        grid.hidden = meta.visible != calamine.SheetVisibleEnum.Visible
        grids.append(grid)
    return grids


def calamine_grid(sheet: calamine.CalamineSheet, name: str, limits: Limits) -> Grid:
    """One calamine sheet as a Grid from A1, with its merged ranges."""
    merges = sorted((r0, c0, r1, c1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or [])
    end = sheet.end
    if end is not None:
        check_range(name, end[0] + 1, end[1] + 1, limits)
    rows = sheet.to_python(skip_empty_area=False) if end is not None else []
    cells = [[plain_value(v) for v in row] for row in rows]
    if merges:
        pad(cells, max(m[2] for m in merges) + 1, max(m[3] for m in merges) + 1)
    return Grid(name=name, cells=cells, merges=merges)


def formulas_without_value(data: bytes) -> dict[str, list[tuple[int, int]]]:
    """Sheet name → 0-based (row, col) of `<c>` holding an `<f>` but no (or an empty) `<v>`."""
    return cells_calamine_misses(data)[0]


def cells_calamine_misses(
    data: bytes, scans: dict[str, SheetCells] | None = None
) -> tuple[dict[str, list[tuple[int, int]]], dict[str, dict[tuple[int, int], str]]]:
    """Per sheet name: the 0-based (row, col) of formulas without a value, and the error cells
    (`t="e"`) with their text (`#DIV/0!`); one streamed pass over each worksheet part (none
    for a sheet `scans` already holds)."""
    formulas: dict[str, list[tuple[int, int]]] = {}
    errors: dict[str, dict[tuple[int, int], str]] = {}
    scans = scans or {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name, path in sheet_parts(archive):
            if path is None or path not in archive.NameToInfo:
                continue
            found = scans.get(name)
            if found is None:
                with archive.open(path) as member:
                    found = scan_cells(member, name, None)
            if found.formulas_without_value:
                formulas[name] = list(found.formulas_without_value)
            if found.errors:
                errors[name] = dict(found.errors)
    return formulas, errors


# ----------------------------------------------------------------------------- CSV


def read_csv(text: str, delimiter: str, limits: Limits) -> list[Grid]:
    """Delimited text: one Grid named "", every value a string (blank → None).

    Lines may end in \\r\\n, \\n or a bare \\r (old Mac exports); a web system's `="0012"`
    (a text formula that keeps leading zeros) is read as its text.
    """
    rows: list[list[Any]] = []
    try:
        lines = io.StringIO(text, newline=None)
        for line, record in enumerate(csv.reader(lines, delimiter=delimiter), 1):
            check_range("", line, max(len(record), 1), limits)
            rows.append([text_formula(value) or None for value in record])
    except csv.Error as error:
        raise Refusal("read.corrupt") from error
    while rows and not any(v is not None for v in rows[-1]):
        rows.pop()
    return [Grid(name="", cells=pad(rows, len(rows), 0))]


def text_formula(value: str) -> str:
    """`="0012"` → `0012` (a CSV export's way to keep text); anything else as it is."""
    if len(value) >= 3 and value.startswith('="') and value.endswith('"'):
        return value[2:-1].replace('""', '"')
    return value


# ----------------------------------------------------------------------------- HTML


class TableBuilder:
    """One HTML table being read: cells placed around rowspan/colspan, merges recorded."""

    def __init__(self, order: int, limits: Limits, lead: str = "") -> None:
        self.order = order
        self.limits = limits
        self.lead = lead  # the page's text just before the table (a title outside it)
        self.caption = ""
        self.cells: dict[tuple[int, int], Any] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.busy: dict[int, int] = {}  # column → last row a rowspan from above covers
        self.row = -1
        self.col = 0
        self.width = 0
        self.height = 0
        self.cell: tuple[int, int, dict[str, str | None]] | None = None
        self.parts: list[str] = []

    def start_row(self) -> None:
        self.finish_cell()
        self.row += 1
        self.col = 0

    def start_cell(self, attrs: dict[str, str | None]) -> None:
        self.finish_cell()
        if self.row < 0:
            self.start_row()
        while self.busy.get(self.col, -1) >= self.row:
            self.col += 1
        rowspan, colspan = span(attrs.get("rowspan")), span(attrs.get("colspan"))
        last_row, last_col = self.row + rowspan - 1, self.col + colspan - 1
        check_range(self.name(), last_row + 1, last_col + 1, self.limits)
        for c in range(self.col, last_col + 1):
            self.busy[c] = last_row
        if rowspan > 1 or colspan > 1:
            self.merges.append((self.row, self.col, last_row, last_col))
        self.height = max(self.height, last_row + 1)
        self.width = max(self.width, last_col + 1)
        self.cell = (self.row, self.col, attrs)
        self.parts = []
        self.col = last_col + 1

    def finish_cell(self) -> None:
        if self.cell is None:
            return
        row, col, attrs = self.cell
        text = _SPACES.sub(" ", "".join(self.parts)).strip()
        number = attrs.get("x:num")
        value: Any = text or None
        if number:
            parsed = number_or_text(number)
            value = parsed if not isinstance(parsed, str) else value
        if value is not None:
            self.cells[(row, col)] = value
        self.cell = None

    def name(self) -> str:
        return _SPACES.sub(" ", self.caption).strip() or t("read.table_name", n=self.order)

    def grid(self) -> Grid:
        self.finish_cell()
        height = max(self.height, self.row + 1)
        grid = Grid(self.name(), rectangle(self.cells, height, self.width), self.merges)
        grid.preamble = [self.lead] if self.lead else []
        return grid


def span(raw: str | None) -> int:
    """A rowspan/colspan attribute as a count ≥ 1 (0, junk or missing → 1)."""
    try:
        return max(int(str(raw).strip()), 1)
    except ValueError:
        return 1


class HtmlTables(HTMLParser):
    """Collects every `<table>` of an HTML page (nested ones as tables of their own)."""

    SKIPPED = {"script", "style", "head", "title"}

    def __init__(self, limits: Limits) -> None:
        super().__init__(convert_charrefs=True)
        self.limits = limits
        self.open: list[TableBuilder] = []
        self.done: list[TableBuilder] = []
        self.count = 0
        self.skipping = 0
        self.in_caption = False
        self.loose: list[str] = []  # text outside any table since the last one ended

    def lead_text(self) -> str:
        """The text just before a table that starts now: in the cell of a table around it
        (a layout table), else on the page since the previous table."""
        outer = self.open[-1] if self.open else None
        parts = outer.parts if outer is not None and outer.cell is not None else self.loose
        return _SPACES.sub(" ", " ".join(parts)).strip()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag == "table":
            self.count += 1
            self.open.append(TableBuilder(self.count, self.limits, self.lead_text()))
        elif not self.open:
            return
        elif tag == "tr":
            self.open[-1].start_row()
        elif tag in ("td", "th"):
            self.open[-1].start_cell(dict(attrs))
        elif tag == "caption":
            self.in_caption = True

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(self.skipping - 1, 0)
        elif not self.open:
            return
        elif tag == "table":
            self.done.append(self.open.pop())
            self.loose = []
        elif tag in ("td", "th"):
            self.open[-1].finish_cell()
        elif tag == "caption":
            self.in_caption = False

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if not self.open:
            self.loose.append(data)
            return
        table = self.open[-1]
        if self.in_caption:
            table.caption += data
        elif table.cell is not None:
            table.parts.append(data)

    def grids(self) -> list[Grid]:
        while self.open:
            self.done.append(self.open.pop())
        tables = sorted(self.done, key=lambda table: table.order)
        return [table.grid() for table in tables if table.cells or table.merges]


def read_html(text: str, limits: Limits) -> list[Grid]:
    """Every table of an HTML page as a Grid, named by its caption or 表1, 表2 …"""
    parser = HtmlTables(limits)
    parser.feed(text)
    parser.close()
    return parser.grids()


# ----------------------------------------------------------------------------- SpreadsheetML


def ss_attr(element: ET.Element, name: str) -> str | None:
    """An `ss:` attribute, also accepted without its namespace."""
    return element.get(f"{{{SS_NS}}}{name}", element.get(name))


def ss_int(element: ET.Element, name: str, default: int) -> int:
    raw = ss_attr(element, name)
    try:
        return int(raw) if raw is not None else default
    except ValueError:
        return default


def read_xml2003(text: str, limits: Limits) -> list[Grid]:
    """SpreadsheetML 2003: Worksheet → Table → Row (ss:Index) → Cell (ss:Index, ss:MergeAcross,
    ss:MergeDown) → Data (ss:Type). Check declarations before (the guard does)."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        raise Refusal("read.corrupt") from error
    return [xml2003_sheet(sheet, limits) for sheet in root.iter(f"{{{SS_NS}}}Worksheet")]


def xml2003_sheet(sheet: ET.Element, limits: Limits) -> Grid:
    name = ss_attr(sheet, "Name") or ""
    cells: dict[tuple[int, int], Any] = {}
    merges: list[tuple[int, int, int, int]] = []
    covered: dict[int, int] = {}  # column → last row a MergeDown from above covers
    height = width = 0
    row = -1
    for table in sheet.iter(f"{{{SS_NS}}}Table"):
        for row_element in table.iter(f"{{{SS_NS}}}Row"):
            row = ss_int(row_element, "Index", row + 2) - 1
            col = -1
            for cell in row_element.iter(f"{{{SS_NS}}}Cell"):
                index = ss_attr(cell, "Index")
                if index is None:
                    col += 1
                    while covered.get(col, -1) >= row:
                        col += 1
                else:
                    col = ss_int(cell, "Index", col + 2) - 1
                across = max(ss_int(cell, "MergeAcross", 0), 0)
                down = max(ss_int(cell, "MergeDown", 0), 0)
                check_range(name, row + down + 1, col + across + 1, limits)
                if across or down:
                    merges.append((row, col, row + down, col + across))
                    for c in range(col, col + across + 1):
                        covered[c] = max(covered.get(c, -1), row + down)
                value = xml2003_value(cell)
                if value is not None:
                    cells[(row, col)] = value
                height, width = max(height, row + down + 1), max(width, col + across + 1)
                col += across
            height = max(height, row + 1)
    return Grid(name, rectangle(cells, height, width), merges)


def xml2003_value(cell: ET.Element) -> Any:
    """A Cell's Data by its ss:Type (Number, Boolean, DateTime, String, Error)."""
    data = cell.find(f"{{{SS_NS}}}Data")
    if data is None:
        return None
    text = "".join(data.itertext())
    kind = ss_attr(data, "Type") or "String"
    if kind == "Number":
        return number_or_text(text.strip())
    if kind == "Boolean":
        return text.strip() in ("1", "true", "TRUE")
    if kind == "DateTime":
        try:
            return plain_value(dt.datetime.fromisoformat(text.strip()[:19]))
        except ValueError:
            return plain_value(text)
    return plain_value(text)
