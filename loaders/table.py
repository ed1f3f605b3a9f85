"""One sheet → values with their cells, and findings: columns, units, areas, total row, checks.

The period and basis are the workbook's business (load.py); a sheet gives its preamble lines
for them and, per column, a basis only when the header itself says 本月/累计.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from loaders.cells import a1, coerce_number, is_blank, nfkc, normalise_label, synonyms
from loaders.header import Column, Table, looks_like_header_without_area, read_table
from loaders.resolve import Resolved, resolve_columns, tokenise
from loaders.rules import (
    Figure,
    Row,
    check_ratio,
    check_row,
    check_total,
    derive_totals,
    field_catalog,
    is_amount,
    tolerance,
)
from loaders.types import CellRef, Finding, Grid
from zhibiao.text import MAX_AREA_NAME, quoted

_YEAR = re.compile(r"(19|20)\d{2}")
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_SHOWN_CELLS = 5
_ZERO = Figure(0.0, "", "")


@dataclass
class Record:
    """One value before its period is known."""

    area: str
    is_total: bool
    field: str
    value: float
    cell: str
    row: int
    basis: str | None = None  # from the header (本月/累计), else the sheet's


@dataclass
class SheetResult:
    sheet: str
    records: list[Record]
    findings: list[Finding]
    preamble: list[str]
    notes: list[str]
    county: str | None = None
    fields: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- county and total row


def county_from_text(text: str) -> str | None:
    """`示例县2024年1-3月…` → 示例县; `某某市示例县2024年…` → 示例县; None without one."""
    text = re.sub(r"\s+", "", nfkc(text))
    match = _YEAR.search(text)
    if not match:
        return None
    prefix = text[: match.start()]
    area = synonyms()["area"]
    if not prefix or prefix[-1] not in area["county_suffixes"]:
        return None
    cut = 0
    for parent in area["parent_suffixes"]:
        at = prefix.rfind(parent, 0, len(prefix) - 1)
        if at >= 0:
            cut = max(cut, at + len(parent))
    name = prefix[cut:]
    return name if len(name) >= 2 and _CJK.match(name) else None


def find_county(texts: list[str]) -> str | None:
    return next((c for t in texts if (c := county_from_text(t))), None)


def is_refined(value: Any) -> bool:
    """An area cell that begins with `其中` (`其中：城镇`)."""
    name = re.sub(r"\s+", "", nfkc(str(value)))
    return any(name.startswith(p) for p in synonyms()["area"]["strip_prefixes"])


def area_name(value: Any) -> str:
    """The area as reported, whitespace removed (`东　城` → 东城), a leading division code
    (`350426001 城关镇`), a trailing colon (`合计：`) and a leading `其中:` dropped."""
    name = re.sub(r"\s+", "", nfkc(str(value)))
    name = _code_prefix().sub("", name).rstrip(":")
    for prefix in synonyms()["area"]["strip_prefixes"]:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
    return name


@cache
def _code_prefix() -> re.Pattern[str]:
    return re.compile(synonyms()["area"]["code_prefix"])


@cache
def total_labels() -> frozenset[str]:
    return frozenset(normalise_label(x) for x in synonyms()["area"]["total"])


def is_total_label(label: str, county: str | None) -> bool:
    area = synonyms()["area"]
    name = normalise_label(label)
    if name in total_labels():
        return True
    if county and name in {county, *(county + s for s in area["total_suffixes"])}:
        return True
    for suffix in area["total_suffixes"]:
        stem = name.removesuffix(suffix)
        if stem != name and stem and stem[-1] in area["county_suffixes"]:
            return True
    return county_from_total(name) is not None


def county_from_total(label: str) -> str | None:
    """A total row named after its county (`示例县`, `示例县合计`) → the county."""
    area = synonyms()["area"]
    name = normalise_label(label)
    for suffix in area["total_suffixes"]:
        name = name.removesuffix(suffix)
    if len(name) >= 2 and name[-1] in area["total_row_county_suffixes"] and _CJK.match(name):
        return name
    return None


# ---------------------------------------------------------------- units


def unit_of_lines(lines: list[str]) -> str:
    """The amount unit a unit line states (`单位:人、元` → yuan), or ''."""
    markers = [normalise_label(m) for m in synonyms()["unit"]["line_markers"]]
    for line in lines:
        text = normalise_label(line)
        at = min((text.find(m) for m in markers if m in text), default=-1)
        if at < 0:
            continue
        units = [v for d, v in tokenise(text[at:]) if d == "unit"]
        if units:
            return units[-1]
    return ""


def divisor(unit: str) -> float:
    return float(synonyms()["unit"]["divisor"][unit])


# ---------------------------------------------------------------- columns


def display_labels(columns: list[Column]) -> dict[int, str]:
    """A column's label in messages: its lowest label, or its whole path when that repeats."""
    counts = Counter(c.label for c in columns)
    return {c.col: (c.label if counts[c.label] == 1 else "/".join(c.path)) for c in columns}


def _has_data(grid: Grid, rows: list[int], col: int) -> bool:
    return any(col < len(grid.cells[r]) and not is_blank(grid.cells[r][col]) for r in rows)


def column_findings(
    grid: Grid, table: Table, resolved: list[Resolved], labels: dict[int, str], file: str
) -> tuple[list[tuple[Column, Resolved]], list[Finding]]:
    """The columns that carry a field; warnings for unrecognised ones, errors for duplicates."""
    findings: list[Finding] = []
    used: list[tuple[Column, Resolved]] = []
    bottom = table.header_rows[-1] if table.header_rows else 0
    for column, res in zip(table.columns, resolved, strict=True):
        if res.ignored:
            continue
        if res.previous:
            label = "/".join(column.path)
            cell = column.cell or a1(bottom, column.col)
            ref = CellRef(cell, label, label, grid.name)
            findings.append(
                Finding(
                    "note", "load.previous_year_column", file, grid.name, (ref,), {"label": label}
                )
            )
            continue
        if res.field is None:
            if column.path or _has_data(grid, table.data_rows, column.col):
                cell = column.cell or a1(bottom, column.col)
                label = "/".join(column.path)
                findings.append(
                    Finding(
                        "warning",
                        "load.unrecognised_column",
                        file,
                        grid.name,
                        (CellRef(cell, label, label, grid.name),),
                        {"label": label},
                    )
                )
            continue
        used.append((column, res))
    first: dict[tuple[str, str], Column] = {}
    for column, res in used:
        key = (res.field or "", res.basis)
        if key in first:
            other = first[key]
            findings.append(
                Finding(
                    "error",
                    "load.duplicate_field",
                    file,
                    grid.name,
                    (
                        CellRef(
                            other.cell,
                            labels[other.col],
                            labels[other.col],
                            grid.name,
                            None,
                            res.field,
                        ),
                        CellRef(
                            column.cell,
                            labels[column.col],
                            labels[column.col],
                            grid.name,
                            None,
                            res.field,
                        ),
                    ),
                    {
                        "field": field_catalog()[res.field or ""]["zh"]
                        if res.field in field_catalog()
                        else res.field
                    },
                )
            )
        else:
            first[key] = column
    return used, findings


def amount_units(
    used: list[tuple[Column, Resolved]], table: Table, labels: dict[int, str], file: str
) -> tuple[dict[int, str], list[Finding]]:
    """Each amount column's unit: its header, else the unit line, else 万元 with a warning."""
    sheet_unit = unit_of_lines(table.preamble) or unit_of_lines(table.notes)
    units: dict[int, str] = {}
    findings: list[Finding] = []
    for column, res in used:
        if not res.field or not is_amount(res.field):
            continue
        unit = res.unit or sheet_unit
        if not unit:
            unit = "wan"
            findings.append(
                Finding(
                    "warning",
                    "load.unit_assumed",
                    file,
                    table.sheet,
                    (
                        CellRef(
                            column.cell,
                            labels[column.col],
                            labels[column.col],
                            table.sheet,
                            None,
                            res.field,
                        ),
                    ),
                    {"label": labels[column.col]},
                    acceptable=True,
                )
            )
        units[column.col] = unit
    return units, findings


# ---------------------------------------------------------------- rows


@dataclass
class _ColumnTally:
    """Cells of one column read leniently, for one note per column (not one per cell)."""

    text_numbers: list[str] = field(default_factory=list)
    zeros: list[str] = field(default_factory=list)
    with_unit: list[str] = field(default_factory=list)


def _shown(cells: list[str]) -> str:
    more = "…" if len(cells) > _SHOWN_CELLS else ""
    return ", ".join(cells[:_SHOWN_CELLS]) + more


def tally_notes(
    tallies: dict[int, _ColumnTally], labels: dict[int, str], sheet: str, file: str
) -> list[Finding]:
    notes: list[Finding] = []
    for col, tally in tallies.items():
        for code, cells in (
            ("load.text_numbers", tally.text_numbers),
            ("load.blank_as_zero", tally.zeros),
            ("load.unit_in_cells", tally.with_unit),
        ):
            if cells:
                notes.append(
                    Finding(
                        "note",
                        code,
                        file,
                        sheet,
                        (),
                        {"label": labels[col], "count": len(cells), "where": _shown(cells)},
                    )
                )
    return notes


Shown = dict[str, tuple[float, int, str, str]]


@dataclass
class DataRow:
    """One data row: its area and, per basis the header names ('' = the sheet's), the figures
    by field and the ratios it shows."""

    area: str
    cell: str
    figures: dict[str, Row] = field(default_factory=dict)
    shown: dict[str, Shown] = field(default_factory=dict)
    refined: bool = False  # the label began with `其中` (a part of the row before it)
    blank: bool = False  # every field cell of the row is empty


def _cell_finding(
    severity: str,
    code: str,
    file: str,
    sheet: str,
    cell: str,
    raw: Any,
    label: str,
    area: str,
    name: str,
) -> Finding:
    """A finding about one data cell, naming it with what it held."""
    ref = CellRef(cell, raw, label, sheet, area, name)
    params = {"area": area, "label": label, "value": "" if raw is None else str(raw)}
    return Finding(severity, code, file, sheet, (ref,), params)  # type: ignore[arg-type]


def read_rows(
    grid: Grid,
    table: Table,
    used: list[tuple[Column, Resolved]],
    units: dict[int, str],
    labels: dict[int, str],
    file: str,
) -> tuple[list[DataRow], list[Finding]]:
    """Each data row's figures (amounts in 万元) and shown ratios; and the cell findings."""
    findings: list[Finding] = []
    tallies: dict[int, _ColumnTally] = {c.col: _ColumnTally() for c, _ in used}
    no_value = set(grid.formulas_without_value)
    amounts = {c.col: is_amount(res.field or "") for c, res in used}
    rows: list[DataRow] = []
    sheet = grid.name
    for r in table.data_rows:
        raw_area = grid.cells[r][table.area_col]
        row = DataRow(area_name(raw_area), a1(r, table.area_col), refined=is_refined(raw_area))
        area = row.area
        line = grid.cells[r]
        if is_blank_row(line, [c.col for c, _ in used], r, no_value):
            ref = CellRef(row.cell, area, area, sheet, area)
            findings.append(
                Finding("warning", "load.blank_row_skipped", file, sheet, (ref,), {"area": area})
            )
            continue
        for column, res in used:
            name, col, basis = res.field or "", column.col, res.basis
            figures = row.figures.setdefault(basis, {})
            cell = a1(r, col)
            raw = line[col] if col < len(line) else None
            label = labels[col]
            if (r, col) in no_value:
                severity = "warning" if res.derived else "error"
                findings.append(
                    _cell_finding(
                        severity, "load.formula_no_value", file, sheet, cell, raw, label, area, name
                    )
                )
                continue
            got = coerce_number(raw)
            if got.kind == "text":
                code = "load.derived_not_number" if res.derived else "load.not_a_number"
                severity = "warning" if res.derived else "error"
                findings.append(
                    _cell_finding(severity, code, file, sheet, cell, raw, label, area, name)
                )
                continue
            if got.kind == "with_unit":
                fits = unit_fits(got.unit, amounts[col])
                if res.derived or not fits:
                    code = "load.derived_not_number" if res.derived else "load.unit_mismatch"
                    severity = "warning" if res.derived else "error"
                    findings.append(
                        _cell_finding(severity, code, file, sheet, cell, raw, label, area, name)
                    )
                    continue
                tallies[col].with_unit.append(cell)
            elif got.kind in ("text_number", "percent"):
                tallies[col].text_numbers.append(cell)
            elif got.kind in ("blank", "zero_mark"):
                tallies[col].zeros.append(cell)
            value = float(got.value or 0.0)
            if res.derived:
                if got.kind not in ("blank", "zero_mark"):
                    row.shown.setdefault(basis, {})[name] = (value, got.decimals, cell, label)
                continue
            if value < 0:
                findings.append(
                    _cell_finding(
                        "error", "load.negative_value", file, sheet, cell, raw, label, area, name
                    )
                )
                continue
            if not amounts[col] and not value.is_integer():
                findings.append(
                    _cell_finding(
                        "error", "load.fractional_count", file, sheet, cell, raw, label, area, name
                    )
                )
                continue
            if amounts[col]:
                value = value / divisor(got.unit and "yuan" or units[col])
            figures[name] = Figure(value, cell, label, field=name)
        rows.append(row)
    findings += tally_notes(tallies, labels, grid.name, file)
    return rows, findings


def is_blank_row(line: list[Any], cols: list[int], r: int, no_value: set[tuple[int, int]]) -> bool:
    """Every field cell of the row empty (a dash is a zero, a formula without value is not
    blank): a township that reported nothing, never read as zeros."""
    return bool(cols) and all(
        (c >= len(line) or is_blank(line[c])) and (r, c) not in no_value for c in cols
    )


def unit_fits(unit: str, amount: bool) -> bool:
    """A unit written in a cell fits its column: persons in a count column, 元 in an amount
    column; a bare 万 fits both (`1.2万` persons, or 1.2万 元)."""
    return unit == "any" or unit == ("yuan" if amount else "count")


def find_total(
    rows: list[DataRow], county: str | None, file: str, sheet: str
) -> tuple[int | None, list[Finding]]:
    """The index of the total row (first or last data row with a total label) and findings."""
    findings: list[Finding] = []
    flags = [is_total_label(row.area, county) for row in rows]
    total: int | None = None
    if flags and flags[0]:
        total = 0
    elif flags and flags[-1]:
        total = len(rows) - 1
    elif True in flags:
        last = len(flags) - 1 - flags[::-1].index(True)
        if rows[last + 1].refined:  # the last total, then its parts (其中：城镇, 乡村)
            total = last
    for i, flag in enumerate(flags):
        if flag and i != total:
            area, cell = rows[i].area, rows[i].cell
            findings.append(
                Finding(
                    "error",
                    "load.total_row_misplaced",
                    file,
                    sheet,
                    (CellRef(cell, area, area, sheet, area),),
                    {"area": area},
                )
            )
    return total, findings


def find_subtotals(rows: list[DataRow], total: int | None) -> list[int]:
    """Rows after the total that split it (`其中：城镇`, `乡村`), not townships.

    They start with a `其中` row right after the total. After a last total row, every row
    that follows is such a part. After a first total row, the parts are the shortest run from
    the `其中` row without which the townships add up to the total, field by field.
    """
    if total is None or total + 1 >= len(rows) or not rows[total + 1].refined:
        return []
    start = total + 1
    if total > 0:
        return list(range(start, len(rows)))
    others = range(start, len(rows))
    for end in range(start + 1, len(rows)):
        group = range(start, end)
        rest = [rows[i] for i in others if i not in group]
        if _adds_up(rest, rows[total]) and not _adds_up([rows[i] for i in group], DataRow("", "")):
            return list(group)
    return []


def _adds_up(parts: list[DataRow], whole: DataRow) -> bool:
    """The reported figures of `parts` add up to every reported figure of `whole`."""
    bases = {b for row in [whole, *parts] for b in row.figures}
    for basis in bases:
        names = {n for row in [whole, *parts] for n in row.figures.get(basis, {})}
        for name in names:
            want = whole.figures.get(basis, {}).get(name)
            got = sum(p.figures.get(basis, {}).get(name, _ZERO).value for p in parts)
            if abs((want.value if want else 0.0) - got) > tolerance({name}):
                return False
    return True


def subtotal_notes(rows: list[DataRow], skipped: list[int], file: str, sheet: str) -> list[Finding]:
    return [
        Finding(
            "note",
            "load.subtotal_row_skipped",
            file,
            sheet,
            (CellRef(rows[i].cell, rows[i].area, rows[i].area, sheet, rows[i].area),),
            {"area": rows[i].area},
        )
        for i in skipped
    ]


def duplicate_areas(rows: list[DataRow], total: int | None, file: str, sheet: str) -> list[Finding]:
    findings: list[Finding] = []
    first: dict[str, str] = {}
    for i, row in enumerate(rows):
        area, cell = row.area, row.cell
        if i == total:
            continue
        if area in first:
            findings.append(
                Finding(
                    "error",
                    "load.duplicate_area",
                    file,
                    sheet,
                    (
                        CellRef(first[area], area, area, sheet, area),
                        CellRef(cell, area, area, sheet, area),
                    ),
                    {"area": area},
                )
            )
        else:
            first[area] = cell
    return findings


# ---------------------------------------------------------------- the sheet


def long_areas(rows: list[DataRow], file: str, sheet: str) -> list[Finding]:
    """An error for each area name longer than the store keeps (the start of it quoted)."""
    findings = []
    for row in rows:
        if len(row.area) > MAX_AREA_NAME:
            shown = quoted(row.area)
            ref = CellRef(row.cell, shown, sheet=sheet, area=shown)
            params = {"area": shown, "n": len(row.area), "limit": MAX_AREA_NAME}
            findings.append(Finding("error", "load.area_too_long", file, sheet, (ref,), params))
    return findings


def check_rows(
    rows: list[DataRow], total: int | None, file: str, sheet: str
) -> tuple[list[Record], list[Finding]]:
    """Derive each row's block totals, check its rules and ratios, the total against the areas;
    and the records (reported and derived values) of every row."""
    records: list[Record] = []
    findings: list[Finding] = []
    bases = sorted({b for row in rows for b in row.figures})
    for basis in bases:
        areas: list[tuple[str, Row]] = []
        for i, row in enumerate(rows):
            full = derive_totals(row.figures.get(basis, {}))
            findings += check_row(full, file=file, sheet=sheet, area=row.area)
            findings += check_ratio(
                full, row.shown.get(basis, {}), file=file, sheet=sheet, area=row.area
            )
            if i != total:
                areas.append((row.area, full))
            for name, fig in full.items():
                records.append(
                    Record(row.area, i == total, name, fig.value, fig.cell, i, basis or None)
                )
        if total is not None:
            full = derive_totals(rows[total].figures.get(basis, {}))
            findings += check_total(full, rows[total].area, areas, file=file, sheet=sheet)
    return records, findings


def parse_sheet(
    grid: Grid, *, file: str, county: str | None, text_cells: bool = False
) -> SheetResult | None:
    """One sheet → records and findings; None when the sheet holds no table (a notes sheet).

    text_cells: every cell is text by nature (CSV, HTML): no note about numbers stored as text.
    """
    table = read_table(grid)
    if table is None:
        return None
    findings: list[Finding] = []
    if table.second_table:
        ref = CellRef(table.second_table, sheet=grid.name)
        findings.append(Finding("warning", "load.second_table", file, grid.name, (ref,), {}))
    resolved = resolve_columns([c.path for c in table.columns])
    labels = display_labels(table.columns)
    used, found = column_findings(grid, table, resolved, labels, file)
    findings += found
    units, found = amount_units(used, table, labels, file)
    findings += found
    rows, found = read_rows(grid, table, used, units, labels, file)
    if text_cells:
        found = [f for f in found if f.code != "load.text_numbers"]
    findings += found
    findings += long_areas(rows, file, grid.name)
    county = find_county(table.preamble) or county
    total, found = find_total(rows, county, file, grid.name)
    findings += found
    if total is not None and county is None:
        county = county_from_total(rows[total].area)
    skipped = find_subtotals(rows, total)
    findings += subtotal_notes(rows, skipped, file, grid.name)
    rows = [row for i, row in enumerate(rows) if i not in skipped]
    findings += duplicate_areas(rows, total, file, grid.name)
    records, found = check_rows(rows, total, file, grid.name)
    findings += found
    fields = sorted({r.field for r in records})
    if not used:
        findings.append(
            Finding("error", "load.no_fields", file, grid.name, (CellRef(table.area_cell),), {})
        )
    return SheetResult(grid.name, records, findings, table.preamble, table.notes, county, fields)


def header_without_area(grid: Grid, file: str) -> Finding | None:
    """An error when a sheet has field labels but no area column label above its rows."""
    hit = looks_like_header_without_area(grid)
    if hit is None:
        return None
    row, cells = hit
    return Finding(
        "error",
        "load.no_area_column",
        file,
        grid.name,
        tuple(CellRef(c) for c in cells),
        {"row": row + 1},
    )
