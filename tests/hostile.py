"""Fixture builders: write legitimate and hostile report files into a folder, for any test.

Each `write_*` function takes a folder (a pathlib.Path) and returns the path it wrote.
Workbooks are built by hand with the stdlib `zipfile` where the XML itself is the point
(lying dimensions, entities, formulas without cached values), with openpyxl or xlwt otherwise.
"""

from __future__ import annotations

import struct
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


# ----------------------------------------------------------------------------- cell helpers


def column_letters(col: int) -> str:
    """1 → A, 27 → AA, 16384 → XFD."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_xml(ref: str, value: object) -> str:
    """One `<c>` element: numbers as `<v>`, text inline (no shared strings needed)."""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def sheet_xml(
    cells: dict[str, object],
    dimension: str | None = None,
    merges: list[str] | None = None,
    raw_cells: str = "",
) -> str:
    """A worksheet part from {"C7": 150, …}; raw_cells is appended verbatim to the last row."""
    rows: dict[int, list[str]] = {}
    for ref, value in cells.items():
        row = int("".join(ch for ch in ref if ch.isdigit()))
        rows.setdefault(row, []).append(cell_xml(ref, value))
    body = "".join(
        f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(rows.items(), key=lambda x: x[0])
    )
    if raw_cells:
        body += raw_cells
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    merge = ""
    if merges:
        merge = f'<mergeCells count="{len(merges)}">' + "".join(
            f'<mergeCell ref="{m}"/>' for m in merges
        )
        merge += "</mergeCells>"
    return (
        f'{XML_DECL}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{dim}'
        f"<sheetData>{body}</sheetData>{merge}</worksheet>"
    )


# ----------------------------------------------------------------------------- hand-built xlsx


def write_xlsx_parts(
    path: Path,
    sheets: list[tuple[str, str]],
    extra_parts: dict[str, bytes | str] | None = None,
    extra_types: str = "",
    main_type: str = WORKBOOK_TYPE,
    shared_strings: str | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A minimal OOXML workbook from (sheet name, worksheet XML) pairs, written by hand."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_TYPE}"/>'
        for i in range(1, len(sheets) + 1)
    )
    if shared_strings is not None:
        overrides += (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
    content_types = (
        f'{XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main_type}"/>'
        f"{overrides}{extra_types}</Types>"
    )
    root_rels = (
        f'{XML_DECL}<Relationships xmlns="{PKG_REL_NS}">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    sheet_entries = "".join(
        f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, (name, _) in enumerate(sheets, start=1)
    )
    workbook = (
        f'{XML_DECL}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f"<sheets>{sheet_entries}</sheets></workbook>"
    )
    wb_rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    if shared_strings is not None:
        wb_rels += (
            f'<Relationship Id="rId{len(sheets) + 1}" Type="{REL_NS}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
    wb_rels_xml = f'{XML_DECL}<Relationships xmlns="{PKG_REL_NS}">{wb_rels}</Relationships>'
    with zipfile.ZipFile(path, "w", compression) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", wb_rels_xml)
        for i, (_, xml) in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        if shared_strings is not None:
            z.writestr("xl/sharedStrings.xml", shared_strings)
        for name, content in (extra_parts or {}).items():
            z.writestr(name, content)
    return path


def write_township_xlsx(
    folder: Path,
    name: str = "townships.xlsx",
    towns: int = 15,
    *,
    title: str = "示例县2024年1-3月出生情况月报表",
    sheet: str = "3月",
    boys: int = 16,
    town_name: str = "第{}镇",
    names: Sequence[str] = (),
) -> Path:
    """A legitimate report: a merged title, a two-row header and `towns` rows plus a total.

    Township i (from 1) is `names[i - 1]` (while there are names), else `town_name` with i,
    with `boys` boys and 13 + i girls: births `boys` + 13 + i, the total row their sums.
    """
    cells: dict[str, object] = {"A1": title}
    cells.update({"A3": "乡镇", "B3": "出生人数", "B4": "合计", "C4": "男", "D4": "女"})
    for i in range(towns):
        row = 5 + i
        girls = 14 + i
        cells.update(
            {
                f"A{row}": names[i] if i < len(names) else town_name.format(i + 1),
                f"B{row}": boys + girls,
                f"C{row}": boys,
                f"D{row}": girls,
            }
        )
    total = 5 + towns
    cells.update(
        {
            f"A{total}": "合计",
            f"B{total}": sum(boys + 14 + i for i in range(towns)),
            f"C{total}": boys * towns,
            f"D{total}": sum(14 + i for i in range(towns)),
        }
    )
    xml = sheet_xml(cells, dimension=f"A1:D{total}", merges=["A1:D1", "A3:A4", "B3:D3"])
    return write_xlsx_parts(folder / name, [(sheet, xml)])


# ----------------------------------------------------------------------------- hostile xlsx


def write_zip_bomb(folder: Path, name: str = "bomb.xlsx", megabytes: int = 300) -> Path:
    """A workbook whose one sheet part is `megabytes` MB of zeros (a few hundred KB zipped)."""
    path = folder / name
    write_xlsx_parts(path, [("Sheet1", sheet_xml({"A1": 1}))])
    chunk = b"0" * (1024 * 1024)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z,
        z.open("xl/media/zeros.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(megabytes):
            member.write(chunk)
    return path


def write_lying_dimension(folder: Path, name: str = "lying.xlsx") -> Path:
    """`<dimension ref="A1:XFD1048576">` over a sheet that holds three cells (legitimate)."""
    xml = sheet_xml({"A1": "乡镇", "B1": "出生", "A2": "东镇", "B2": 12}, "A1:XFD1048576")
    return write_xlsx_parts(folder / name, [("Sheet1", xml)])


def write_far_cell(folder: Path, ref: str, name: str = "far.xlsx", sheet: str = "数据") -> Path:
    """A sheet holding a real value at `ref` (e.g. XFD1048576) next to a value in A1."""
    xml = sheet_xml({"A1": "乡镇", ref: 1}, dimension=f"A1:{ref}")
    return write_xlsx_parts(folder / name, [("封面", sheet_xml({"A1": "x"})), (sheet, xml)])


def write_many_sheets(folder: Path, count: int = 60, name: str = "sheets.xlsx") -> Path:
    """A workbook of `count` one-cell sheets."""
    sheets = [(f"S{i}", sheet_xml({"A1": i})) for i in range(1, count + 1)]
    return write_xlsx_parts(folder / name, sheets)


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
)


def write_billion_laughs(folder: Path, name: str = "laughs.xlsx") -> Path:
    """A worksheet part that declares nested entities and uses the outermost one."""
    xml = (
        BILLION_LAUGHS + f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    return write_xlsx_parts(folder / name, [("Sheet1", xml)])


def write_xxe(folder: Path, name: str = "xxe.xlsx") -> Path:
    """A worksheet part that pulls /etc/passwd in through an external entity."""
    xml = (
        '<?xml version="1.0"?>\n<!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
    )
    return write_xlsx_parts(folder / name, [("Sheet1", xml)])


def write_doctype_shared_strings(folder: Path, name: str = "sst.xlsx") -> Path:
    """A harmless-looking sheet whose sharedStrings.xml carries a DOCTYPE."""
    sst = (
        '<?xml version="1.0"?>\n<!DOCTYPE sst>\n'
        f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>乡镇</t></si></sst>'
    )
    xml = (
        f'{XML_DECL}<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">'
        '<c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    )
    return write_xlsx_parts(folder / name, [("Sheet1", xml)], shared_strings=sst)


def write_vba_xlsm(folder: Path, name: str = "macro.xlsm", with_project: bool = True) -> Path:
    """An .xlsm; with_project adds xl/vbaProject.bin and its content type."""
    extra: dict[str, bytes | str] = {}
    types = ""
    if with_project:
        extra["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
        types = '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
    xml = sheet_xml({"A1": "乡镇", "B1": "出生", "A2": "东镇", "B2": 7})
    return write_xlsx_parts(folder / name, [("Sheet1", xml)], extra, types, XLSM_TYPE)


def write_formula_without_value(folder: Path, name: str = "formula.xlsx") -> Path:
    """B2 = 5, C2 = 7, D2 = B2+C2 with no cached value, E2 = B2*2 with cached value 10."""
    raw = (
        '<row r="2"><c r="B2"><v>5</v></c><c r="C2"><v>7</v></c>'
        '<c r="D2"><f>B2+C2</f></c><c r="E2"><f>B2*2</f><v>10</v></c></row>'
    )
    xml = sheet_xml({"B1": "男", "C1": "女", "D1": "合计", "E1": "双倍"}, raw_cells=raw)
    return write_xlsx_parts(folder / name, [("Sheet1", xml)])


def write_truncated_zip(folder: Path, name: str = "truncated.xlsx") -> Path:
    """The first half of a legitimate workbook."""
    whole = write_township_xlsx(folder, "whole.xlsx").read_bytes()
    path = folder / name
    path.write_bytes(whole[: len(whole) // 2])
    return path


def write_png(folder: Path, name: str = "picture.xlsx") -> Path:
    """A tiny PNG image under a workbook's name."""
    import zlib

    def chunk(tag: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(tag + body)
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )
    path = folder / name
    path.write_bytes(png)
    return path


def write_not_a_workbook_zip(folder: Path, name: str = "photos.xlsx") -> Path:
    """A zip archive of two text files: not a workbook."""
    path = folder / name
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
        z.writestr("data/notes.txt", "乡镇")
    return path


# ----------------------------------------------------------------------------- OLE2 (CFB) files

_FREE, _END, _FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_SECTOR = 512


def _dir_entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
    """One 128-byte directory entry (kind 1 storage, 2 stream, 5 root), all entries black."""
    encoded = (name + "\x00").encode("utf-16-le")
    return (
        encoded.ljust(64, b"\x00")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", _FREE, right, child)
        + b"\x00" * 16
        + struct.pack("<I", 0)
        + b"\x00" * 16
        + struct.pack("<IQ", start, size)
    )


def build_cfb(streams: dict[str, bytes], storages: tuple[str, ...] = ()) -> bytes:
    """A compound file (OLE2) holding `streams` and empty `storages` under the root.

    Every stream is padded to at least 4,096 bytes so it lives in regular sectors (no mini
    stream); siblings are chained through right pointers, which readers accept.
    """
    names = list(storages) + list(streams)
    bodies = [b""] * len(storages) + [
        data.ljust(max(4096, len(data)), b"\x00") for data in streams.values()
    ]
    data_sectors = [(len(b) + _SECTOR - 1) // _SECTOR for b in bodies]
    dir_entries = 1 + len(names)
    dir_sectors = (dir_entries * 128 + _SECTOR - 1) // _SECTOR
    total = dir_sectors + sum(data_sectors)
    fat_sectors = 1
    while fat_sectors * 128 < total + fat_sectors:
        fat_sectors += 1
    fat = [_FATSECT] * fat_sectors
    dir_start = len(fat)
    fat += [dir_start + i + 1 for i in range(dir_sectors - 1)] + [_END]
    starts = []
    for count in data_sectors:
        if count == 0:
            starts.append(_END)
            continue
        first = len(fat)
        starts.append(first)
        fat += [first + i + 1 for i in range(count - 1)] + [_END]
    fat += [_FREE] * (fat_sectors * 128 - len(fat))
    entries = _dir_entry("Root Entry", 5, 1 if names else _FREE, _FREE, _END, 0)
    for i, name in enumerate(names):
        kind = 1 if i < len(storages) else 2
        right = i + 2 if i + 1 < len(names) else _FREE
        size = len(bodies[i]) if kind == 2 else 0
        entries += _dir_entry(name, kind, _FREE, right, starts[i] if kind == 2 else 0, size)
    entries = entries.ljust(dir_sectors * _SECTOR, b"\x00")
    # empty unused entries must be all zeros with FREE pointers
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<I", 0)  # directory sectors (0 for version 3)
        + struct.pack("<I", fat_sectors)
        + struct.pack("<I", dir_start)
        + struct.pack("<I", 0)  # transaction signature
        + struct.pack("<I", 4096)  # mini stream cutoff
        + struct.pack("<II", _END, 0)  # mini FAT
        + struct.pack("<II", _END, 0)  # DIFAT
        + b"".join(struct.pack("<I", i) for i in range(fat_sectors))
        + struct.pack("<I", _FREE) * (109 - fat_sectors)
    )
    body = b"".join(struct.pack("<I", v) for v in fat)
    body += entries
    for data in bodies:
        if data:
            body += data.ljust(((len(data) + _SECTOR - 1) // _SECTOR) * _SECTOR, b"\x00")
    return header + body


def write_encrypted_ooxml(folder: Path, name: str = "secret.xlsx") -> Path:
    """What Excel writes for a password-protected workbook: an OLE2 file with the two streams."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b"<encryption/>"
    package = struct.pack("<Q", 5000) + bytes(range(256)) * 20
    path = folder / name
    path.write_bytes(build_cfb({"EncryptionInfo": info, "EncryptedPackage": package}))
    return path


def write_xls_with_macros(folder: Path, name: str = "macro.xls") -> Path:
    """A legacy workbook's OLE2 file with a `_VBA_PROJECT_CUR` storage beside its Workbook."""
    path = folder / name
    path.write_bytes(build_cfb({"Workbook": b"\x09\x08\x10\x00"}, ("_VBA_PROJECT_CUR",)))
    return path


def write_word_ole(folder: Path, name: str = "letter.xls") -> Path:
    """An OLE2 file that is not a workbook (a Word document's main stream)."""
    path = folder / name
    path.write_bytes(build_cfb({"WordDocument": b"\xec\xa5"}))
    return path


# ----------------------------------------------------------------------------- text formats


def write_sparse_far_row(folder: Path, rows: int = 100_001, name: str = "rows.xlsx") -> Path:
    """One header cell in A1 and one value at A{rows}: cheap to build, far to reach."""
    return write_far_cell(folder, f"A{rows}", name)


def write_wide_row(folder: Path, columns: int = 1_001, name: str = "cols.xlsx") -> Path:
    """One header cell in A1 and one value in the `columns`th column of row 1."""
    return write_far_cell(folder, f"{column_letters(columns)}1", name)


TOWNSHIP_ROWS = [
    ["示例县2024年1-3月出生情况", None, None, None],
    ["乡镇", "出生人数", "男", "女"],
    ["东镇", "30", "16", "14"],
    ["西乡", "25", "12", "13"],
    ["合计", "55", "28", "27"],
]


def write_csv_report(
    folder: Path, encoding: str = "utf-8", delimiter: str = ",", name: str = "report.csv"
) -> Path:
    """TOWNSHIP_ROWS as delimited text in `encoding` ("utf-8-sig" writes a BOM)."""
    lines = [delimiter.join(value or "" for value in row) for row in TOWNSHIP_ROWS]
    path = folder / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


HTML_REPORT = """<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>导出</title><style>td {{ border: 1px }}</style></head><body>
<table border="1">
<caption>出生情况</caption>
<tr><th rowspan="2">乡　镇</th><th colspan="3">出生<br>人数</th></tr>
<tr><th>合计</th><th>男</th><th>女</th></tr>
<tr><td>东镇</td><td x:num="30">30</td><td>16</td><td>14</td></tr>
<tr><td>西乡</td><td x:num="1234.5">1,234.5</td><td>&nbsp;</td><td>
  13 </td></tr>
</table>
<p>说明</p>
<table><tr><td>填报人</td><td>张三</td></tr></table>
</body></html>
"""


def write_html_report(folder: Path, charset: str = "utf-8", name: str = "export.xls") -> Path:
    """What a web system exports under an .xls name: two HTML tables, spans in the first."""
    path = folder / name
    path.write_bytes(HTML_REPORT.format(charset=charset).encode(charset))
    return path


XML2003_REPORT = """<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
 xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="3月">
  <Table>
   <Row><Cell ss:MergeAcross="3"><Data ss:Type="String">示例县2024年3月</Data></Cell></Row>
   <Row ss:Index="3"><Cell ss:MergeDown="1"><Data ss:Type="String">乡镇</Data></Cell>
    <Cell ss:MergeAcross="2"><Data ss:Type="String">出生人数</Data></Cell></Row>
   <Row><Cell ss:Index="2"><Data ss:Type="String">合计</Data></Cell>
    <Cell><Data ss:Type="String">男</Data></Cell><Cell><Data ss:Type="String">女</Data></Cell></Row>
   <Row><Cell><Data ss:Type="String">东镇</Data></Cell><Cell><Data ss:Type="Number">30</Data></Cell>
    <Cell ss:Index="4"><Data ss:Type="Number">14.5</Data></Cell></Row>
  </Table>
 </Worksheet>
 <Worksheet ss:Name="说明">
  <Table><Row><Cell ss:Index="3"><Data ss:Type="String">注</Data></Cell></Row></Table>
 </Worksheet>
</Workbook>
"""


def write_xml2003_report(folder: Path, name: str = "export2003.xls", prolog: str = "") -> Path:
    """SpreadsheetML 2003 with MergeAcross, MergeDown and ss:Index gaps; prolog is inserted
    after the XML declaration (a DOCTYPE, for the hostile variant)."""
    text = XML2003_REPORT.replace("?>\n", "?>\n" + prolog, 1) if prolog else XML2003_REPORT
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- child hooks


def child_sleeps(data: bytes, filename: str, limits: object) -> dict:
    """A test-only child body that never finishes in time."""
    time.sleep(600)
    return {}


def child_allocates(data: bytes, filename: str, limits: object) -> dict:
    """A test-only child body that asks for far more memory than its limit."""
    hog = [bytearray(64 * 1024 * 1024) for _ in range(64)]
    return {"kind": str(len(hog))}


def child_crashes(data: bytes, filename: str, limits: object) -> dict:
    """A test-only child body that dies without a word (as a segfaulting parser would)."""
    import os
    import signal

    os.kill(os.getpid(), signal.SIGSEGV)
    return {}


# ----------------------------------------------------------------------------- legacy .xls

#: The BIFF code of each error text ([MS-XLS] 2.5.97 BErr); xlwt's own table misnumbers #VALUE!.
BIFF_ERROR_CODES = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#N/A": 0x2A}


def write_xls_with_error_cells(
    path: Path,
    rows: list[list[object]],
    errors: dict[tuple[int, int], str],
    *,
    as_formulas: bool = False,
    sheet: str = "Sheet1",
) -> Path:
    """A BIFF8 .xls of `rows` (None = empty) with error cells at 0-based (row, col).

    An error is written as Excel stores a typed-in or pasted error (a BOOLERR record), or, with
    as_formulas, as the formula `1/0` whose cached result is that error (a FORMULA record,
    patched after xlwt, which caches no result).
    """
    import xlwt
    from xlwt import CompoundDoc

    book = xlwt.Workbook(encoding="utf-8")
    page = book.add_sheet(sheet)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                page.write(r, c, v)
    for (r, c), text in errors.items():
        if as_formulas:
            page.write(r, c, xlwt.Formula("1/0"))
        else:
            page.row(r).set_cell_error(c, BIFF_ERROR_CODES[text])
    stream = bytearray(book.get_biff_data())
    pos = 0
    while pos + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, pos)
        if kind == 0x0006:  # FORMULA: row, col, xf, then the 8-byte cached result
            r, c = struct.unpack_from("<HH", stream, pos + 4)
            code = BIFF_ERROR_CODES[errors[(r, c)]]
            stream[pos + 10 : pos + 18] = bytes([2, 0, code, 0, 0, 0, 0xFF, 0xFF])
        pos += 4 + size
    with path.open("wb") as out:
        CompoundDoc.XlsDoc().save(out, bytes(stream))
    return path
