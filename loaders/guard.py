"""The guard: caps a file's size, zip members, macros, XML entity declarations, sheets and used
ranges before any parser runs, and the same caps on the grids a reader made.

Every check returns findings (`read.` codes); an empty list lets the file through.
"""

from __future__ import annotations

import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any
from xml.parsers import expat

from loaders.types import CellRef, Finding, Grid, finding
from zhibiao.config import Limits
from zhibiao.text import MAX_FILE_NAME, MAX_SHEET_NAME, quoted

#: Members whose content is XML (the only parts calamine parses).
XML_SUFFIXES = (".xml", ".rels", ".vml")
#: Markup that declares a document type or entities; refused in any XML part. Searched in
#: lower case, encoded as UTF-8 and as UTF-16 (either byte order).
DECLARATIONS = tuple(
    word.encode(encoding)
    for word in ("<!doctype", "<!entity")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
#: Parts whose presence means a macro project (VBA) or Excel 4.0 macro sheets.
MACRO_MARKERS = (b"vbaproject", b"macrosheet")
CHUNK = 1024 * 1024
XML_PEEK = 64
_OVERLAP = max(len(d) for d in DECLARATIONS)
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


class Refusal(Exception):
    """Raised inside a reader when a file must be refused mid-way; becomes one Finding."""

    def __init__(self, code: str, sheet: str | None = None, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.sheet = sheet
        self.params = params

    def finding(self, filename: str) -> Finding:
        return refusal(self.code, filename, self.sheet, **self.params)


def refusal(code: str, filename: str, sheet: str | None = None, **params: Any) -> Finding:
    """An error finding that refuses the file; a `cell` param is also named as a CellRef."""
    cells = (CellRef(cell=params["cell"], sheet=sheet),) if "cell" in params else ()
    if sheet is not None:
        params = {"sheet": sheet, **params}
    return finding(code, file=filename, sheet=sheet, cells=cells, params=params)


def check_names(file: str, grids: list[Grid]) -> list[Finding]:
    """Refuse a file whose name, or a sheet title of which, is longer than the store keeps
    (the message quotes the start of it)."""
    findings = []
    if len(file) > MAX_FILE_NAME:
        findings.append(
            refusal("read.file_name_too_long", quoted(file), n=len(file), limit=MAX_FILE_NAME)
        )
    for grid in grids:
        name = grid.name or ""
        if len(name) > MAX_SHEET_NAME:
            findings.append(
                refusal(
                    "read.sheet_name_too_long",
                    quoted(file),
                    quoted(name),
                    n=len(name),
                    limit=MAX_SHEET_NAME,
                )
            )
    return findings


def megabytes(size: int) -> float:
    """Bytes as megabytes, one decimal (for messages)."""
    return round(size / (1024 * 1024), 1)


# ----------------------------------------------------------------------------- addresses


def column_letters(col: int) -> str:
    """1-based column number → letters (1 → A, 16384 → XFD)."""
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_address(row: int, col: int) -> str:
    """1-based row and column → A1 address."""
    return f"{column_letters(col)}{row}"


def parse_address(ref: str) -> tuple[int, int] | None:
    """A1 address → 1-based (row, column); None if it is not one."""
    found = _REF.match(ref.strip())
    if not found:
        return None
    col = 0
    for ch in found.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(found.group(2)), col


# ----------------------------------------------------------------------------- every kind


def check_file_size(data: bytes, filename: str, limits: Limits) -> list[Finding]:
    """The file itself within limits.file_bytes."""
    if len(data) > limits.file_bytes:
        return [
            refusal(
                "read.too_large",
                filename,
                size_mb=megabytes(len(data)),
                limit_mb=megabytes(limits.file_bytes),
            )
        ]
    return []


def check_range(sheet: str, row: int, col: int, limits: Limits) -> None:
    """Raise a Refusal when a 1-based (row, col) lies beyond the row or column cap."""
    if row > limits.rows or col > limits.columns:
        raise Refusal(
            "read.range_too_large",
            sheet,
            cell=cell_address(row, col),
            rows=row,
            cols=col,
            max_rows=limits.rows,
            max_cols=limits.columns,
        )


def check_sheet_count(count: int, filename: str, limits: Limits) -> list[Finding]:
    if count > limits.sheets:
        return [refusal("read.too_many_sheets", filename, count=count, limit=limits.sheets)]
    return []


def check_grids(grids: list[Grid], filename: str, limits: Limits) -> list[Finding]:
    """The caps again on what a reader made (all kinds), and at least one value somewhere."""
    findings = check_sheet_count(len(grids), filename, limits)
    if findings:
        return findings
    for grid in grids:
        rows = len(grid.cells)
        cols = max((len(r) for r in grid.cells), default=0)
        try:
            check_range(grid.name, rows, cols, limits)
        except Refusal as refused:
            return [refused.finding(filename)]
    if not any(value is not None for grid in grids for row in grid.cells for value in row):
        return [refusal("read.empty", filename)]
    return []


def has_declarations(text: str) -> bool:
    """A DOCTYPE or ENTITY declaration anywhere in decoded XML text."""
    lowered = text.lower()
    return "<!doctype" in lowered or "<!entity" in lowered


def check_xml_text(text: str, filename: str) -> list[Finding]:
    """SpreadsheetML 2003 and other XML text: no document type, no entities."""
    return [refusal("read.xml_entities", filename)] if has_declarations(text) else []


# ----------------------------------------------------------------------------- OOXML


def guard_ooxml(
    data: bytes, filename: str, limits: Limits, scans: dict[str, SheetCells] | None = None
) -> list[Finding]:
    """All checks on an OOXML package, in order; the first refusal stops the rest. `scans`
    receives each worksheet's `scan_cells`, so the reader need not stream it again."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for check in (check_members, check_macros, check_xml_parts):
                findings = check(archive, filename, limits)
                if findings:
                    return findings
            findings = check_sheets(archive, filename, limits, scans)
            if findings:
                return findings
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        return [refusal("read.corrupt", filename)]
    except (RuntimeError, NotImplementedError):  # an encrypted member, an unknown compression
        return [refusal("read.corrupt", filename)]
    except ET.ParseError:
        return [refusal("read.corrupt", filename)]
    return []


def check_members(archive: zipfile.ZipFile, filename: str, limits: Limits) -> list[Finding]:
    """Declared sizes: no member inflating beyond the ratio cap (limits.zip_ratio_max), the sum
    within the cap; no member name twice (the guard and the reader could read different ones)."""
    total = 0
    seen: set[str] = set()
    for info in archive.infolist():
        name = info.filename.replace("\\", "/").lower()
        if name in seen:
            return [refusal("read.zip_duplicate", filename, member=info.filename)]
        seen.add(name)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.zip_ratio_min_bytes and ratio > limits.zip_ratio_max:
            return [
                refusal(
                    "read.zip_bomb",
                    filename,
                    member=info.filename,
                    size_mb=megabytes(info.file_size),
                    ratio=int(ratio),
                )
            ]
        total += info.file_size
    if total > limits.uncompressed_bytes:
        return [
            refusal(
                "read.unzipped_too_large",
                filename,
                size_mb=megabytes(total),
                limit_mb=megabytes(limits.uncompressed_bytes),
            )
        ]
    return []


def check_macros(archive: zipfile.ZipFile, filename: str, limits: Limits) -> list[Finding]:
    """A vbaProject part or macro sheets, by part name (content types are checked later)."""
    for name in archive.namelist():
        lowered = name.lower().encode("utf-8")
        if any(marker in lowered for marker in MACRO_MARKERS):
            return [refusal("read.macro", filename, part=name)]
    return []


def check_xml_parts(archive: zipfile.ZipFile, filename: str, limits: Limits) -> list[Finding]:
    """Stream every XML part: no DOCTYPE or ENTITY; no macro content type declared."""
    for info in archive.infolist():
        if info.is_dir() or not looks_like_xml(archive, info):
            continue
        with archive.open(info) as member:
            if stream_has_declarations(member):
                return [refusal("read.xml_entities", filename, part=info.filename)]
    types = archive.read("[Content_Types].xml").lower()
    if any(marker in types for marker in MACRO_MARKERS):
        return [refusal("read.macro", filename, part="[Content_Types].xml")]
    return []


def looks_like_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """An XML part by its name, or by its first bytes whatever its name (a part may be
    named anything in the relationships that point to it)."""
    if info.filename.lower().endswith(XML_SUFFIXES):
        return True
    with archive.open(info) as member:
        head = member.read(XML_PEEK)
    return head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00").startswith(b"<")


def stream_has_declarations(stream: IO[bytes]) -> bool:
    """Search a stream chunk by chunk (with overlap) for a declaration, in any case."""
    tail = b""
    while chunk := stream.read(CHUNK):
        window = tail + chunk.lower()
        if any(word in window for word in DECLARATIONS):
            return True
        tail = window[-_OVERLAP:]
    return False


def check_sheets(
    archive: zipfile.ZipFile,
    filename: str,
    limits: Limits,
    scans: dict[str, SheetCells] | None = None,
) -> list[Finding]:
    """Sheet count, then the used range each worksheet really holds (each sheet's scan kept
    in `scans`, by name, for the reader)."""
    parts = sheet_parts(archive)
    findings = check_sheet_count(len(parts), filename, limits)
    if findings:
        return findings
    for name, path in parts:
        if path is None or path not in archive.NameToInfo:
            continue
        try:
            with archive.open(path) as member:
                found = scan_cells(member, name, limits)
        except Refusal as refused:
            return [refused.finding(filename)]
        if scans is not None:
            scans[name] = found
    return []


def sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str | None]]:
    """(sheet name, worksheet part path) in workbook order; the path is None for chart and
    dialog sheets. Call only after check_xml_parts (the parts are parsed)."""
    workbook = ET.fromstring(archive.read("xl/workbook.xml"))
    targets = relationship_targets(archive, "xl/_rels/workbook.xml.rels", "xl")
    parts = []
    for element in workbook.iter():
        if local_name(element.tag) != "sheet":
            continue
        name = element.get("name", "")
        rel_id = next((v for k, v in element.attrib.items() if local_name(k) == "id"), None)
        target = targets.get(rel_id or "")
        is_worksheet = target is not None and target[1].endswith("/worksheet")
        parts.append((name, target[0] if target is not None and is_worksheet else None))
    return parts


def relationship_targets(
    archive: zipfile.ZipFile, rels_path: str, base: str
) -> dict[str, tuple[str, str]]:
    """Relationship id → (part path inside the zip, relationship type)."""
    if rels_path not in archive.NameToInfo:
        return {}
    rels = ET.fromstring(archive.read(rels_path))
    targets = {}
    for element in rels.iter():
        if local_name(element.tag) != "Relationship":
            continue
        target = element.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
        targets[element.get("Id", "")] = (posixpath.normpath(path), element.get("Type", ""))
    return targets


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@dataclass
class SheetCells:
    """What one streamed pass over a worksheet part finds: the 1-based (rows, columns) its cells
    really span (not its `<dimension>`), the 0-based (row, col) of formulas without a cached
    value, and the error cells (`t="e"`) with their text (`#DIV/0!`; `#N/A` when none)."""

    rows: int = 0
    cols: int = 0
    formulas_without_value: list[tuple[int, int]] = field(default_factory=list)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)


class _CellScan:
    """expat handlers for `scan_cells`: one call per tag, no element tree built.

    Positions follow `r` attributes, or the previous row/cell where one has none. A `<c>`
    counts when it holds anything (a value, a formula, inline text, even empty); a bare
    styled `<c s="1"/>` does not, as no reader makes a cell of it.
    """

    def __init__(self, sheet: str, limits: Limits | None) -> None:
        self.sheet, self.limits = sheet, limits
        self.found = SheetCells()
        self.row = self.col = 0
        self.in_cell = self.in_value = False
        self.kind: str | None = None
        self.children = 0
        self.formula = False
        self.value: list[str] = []
        self.has_value = False

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        name = tag.rsplit(":", 1)[-1]
        if self.in_cell:
            self.children += 1
            if name == "f":
                self.formula = True
            elif name == "v" and not self.has_value:
                self.in_value = self.has_value = True
            return
        if name == "c":
            where = parse_address(attrs.get("r", ""))
            if where:
                self.row, self.col = where
            else:
                self.col += 1
            self.in_cell, self.kind = True, attrs.get("t")
            self.children, self.formula, self.has_value = 0, False, False
            self.value = []
        elif name == "row":
            found = attrs.get("r")
            self.row = int(found) if found and found.isdigit() else self.row + 1
            self.col = 0

    def end(self, tag: str) -> None:
        if not self.in_cell:
            return
        name = tag.rsplit(":", 1)[-1]
        if name == "v":
            self.in_value = False
        elif name == "c":
            self.in_cell = False
            if self.children:
                self.cell()

    def text(self, data: str) -> None:
        if self.in_value:
            self.value.append(data)

    def cell(self) -> None:
        row, col, found = self.row, self.col, self.found
        if self.limits is not None:
            check_range(self.sheet, row, col, self.limits)
        if row > found.rows:
            found.rows = row
        if col > found.cols:
            found.cols = col
        value = "".join(self.value)
        if self.formula and not value:
            found.formulas_without_value.append((row - 1, col - 1))
        elif self.kind == "e":
            found.errors[(row - 1, col - 1)] = value.strip() if value else "#N/A"


def scan_cells(stream: IO[bytes], sheet: str, limits: Limits | None) -> SheetCells:
    """One streamed pass over a worksheet part (expat, nothing kept but what is found).

    Raises Refusal at the first cell beyond the caps (none when `limits` is None), naming it;
    ET.ParseError on bad XML.
    """
    scan = _CellScan(sheet, limits)
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.text
    try:
        parser.ParseFile(stream)
    except expat.ExpatError as error:
        raise ET.ParseError(str(error)) from error
    return scan.found
