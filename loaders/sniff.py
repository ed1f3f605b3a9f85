"""What a file is, told from its bytes alone (never its name), and how its text is encoded.

`sniff_kind` names the kind (xlsx, xls, csv, html, xml2003) or the reason to refuse it
(a `read.` finding code); `decode_text` and `sniff_delimiter` serve the text kinds.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

import olefile

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Formats that are certainly not a spreadsheet even though they might decode as text.
BINARY_MAGICS = (
    b"\x89PNG",
    b"%PDF",
    b"GIF8",
    b"\xff\xd8\xff",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
    b"Rar!",
    b"BM",
    b"PK\x05\x06",
    b"PK\x07\x08",
)
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Candidate CSV delimiters, in order of preference on a tie.
DELIMITERS = (",", "\t", ";", "，")
#: How much of a text file the sniffers look at.
SNIFF_CHARS = 64 * 1024
SNIFF_LINES = 30
SPREADSHEET_NS = "urn:schemas-microsoft-com:office:spreadsheet"
#: Control characters that never occur in a text report (tab, newlines, form feed and the
#: old DOS end-of-file mark excepted).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x19\x7f]")
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-]+)", re.I)
_XML_ENCODING = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_\-]+)[\"']")
_WORKBOOK_ROOT = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?Workbook\b")
#: Chinese encodings that GB18030 contains: decode them all as GB18030.
_GB_FAMILY = {"gb2312", "gbk", "cp936", "x-gbk", "gb18030", "euc-cn", "hz-gb-2312"}


@dataclass
class Sniffed:
    """The kind of a file, or why it is refused (`refusal` is a `read.` finding code)."""

    kind: str = ""
    refusal: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    text: str | None = None
    encoding: str | None = None


def sniff_kind(data: bytes) -> Sniffed:
    """Tell the kind of `data` from its content: zip, OLE2 compound file, or text."""
    if not data.strip():
        return Sniffed(refusal="read.empty")
    if data.startswith(ZIP_MAGIC):
        return sniff_zip(data)
    if data.startswith(OLE_MAGIC):
        return sniff_ole(data)
    if data.startswith(BINARY_MAGICS):
        return Sniffed(refusal="read.not_spreadsheet")
    return sniff_text(data)


def sniff_zip(data: bytes) -> Sniffed:
    """An OOXML workbook has a content-types part and xl/workbook.xml; other zips are refused."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return Sniffed(refusal="read.corrupt")
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return Sniffed(kind="xlsx")
    return Sniffed(refusal="read.not_spreadsheet")


def sniff_ole(data: bytes) -> Sniffed:
    """OLE2: an encrypted OOXML package, a legacy workbook (with or without macros), or other."""
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            entries = ole.listdir(streams=True, storages=True)
    except Exception:  # olefile raises many kinds on a damaged file
        return Sniffed(refusal="read.corrupt")
    top = {entry[0].lower() for entry in entries if entry}
    if {"encryptioninfo", "encryptedpackage"} & top:
        return Sniffed(refusal="read.encrypted")
    if {"_vba_project_cur", "_vba_project", "macros"} & top:
        return Sniffed(refusal="read.macro")
    if {"workbook", "book"} & top:
        return Sniffed(kind="xls")
    return Sniffed(refusal="read.not_spreadsheet")


def sniff_text(data: bytes) -> Sniffed:
    """Markup (an HTML table or SpreadsheetML 2003) or delimited text; else not a spreadsheet."""
    decoded = decode_text(data)
    if decoded is None:
        return Sniffed(refusal="read.not_spreadsheet")
    text, encoding = decoded
    if _CONTROL.search(text[:SNIFF_CHARS]):
        return Sniffed(refusal="read.not_spreadsheet")
    head = text.lstrip()[:SNIFF_CHARS]
    if not head:
        return Sniffed(refusal="read.empty")
    if not head.startswith("<"):
        return Sniffed(kind="csv", text=text, encoding=encoding)
    if SPREADSHEET_NS in head and _WORKBOOK_ROOT.search(head):
        kind = "xml2003"
    elif "<table" in text.lower():
        kind = "html"
    else:
        return Sniffed(refusal="read.not_spreadsheet")
    declared = declared_encoding(data, kind)
    if declared and declared.lower() not in encoding:
        text, encoding = decode_text(data, declared) or (text, encoding)
    return Sniffed(kind=kind, text=text, encoding=encoding)


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str] | None:
    """Decode by BOM, then the declared encoding, then UTF-8, then GB18030; None if none fits."""
    for bom, name in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                return None
    for name in candidate_encodings(declared):
        try:
            return data.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    return None


def candidate_encodings(declared: str | None) -> list[str]:
    """The encodings to try, in order: the declared one (GBK family read as GB18030) first."""
    names = ["utf-8", "gb18030"]
    if declared:
        name = declared.strip().lower()
        name = "gb18030" if name in _GB_FAMILY else name
        try:
            codecs.lookup(name)
        except LookupError:
            return names
        names = [name] + [n for n in names if n != name]
    return names


def declared_encoding(data: bytes, kind: str) -> str | None:
    """The encoding an HTML `<meta charset>` or an XML declaration names, if any."""
    head = data[:SNIFF_CHARS]
    pattern = _META_CHARSET if kind == "html" else _XML_ENCODING
    found = pattern.search(head)
    return found.group(1).decode("ascii") if found else None


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most of the first lines (comma on a tie or when none)."""
    lines = [line for line in text[:SNIFF_CHARS].splitlines() if line.strip()][:SNIFF_LINES]
    best, best_score = DELIMITERS[0], (0, 0)
    for delimiter in DELIMITERS:
        counts = [line.count(delimiter) for line in lines]
        score = (sum(1 for c in counts if c), sum(counts))
        if score > best_score:
            best, best_score = delimiter, score
    return best
