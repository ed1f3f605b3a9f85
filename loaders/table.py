"""One sheet → values with their cells, and findings: columns, units, areas, total row, checks.

The period and basis are the workbook's business (load.py); a sheet gives its preamble lines
for them and, per column, a basis only when the header itself says 本月/累计.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np

from loaders.areas import (
    DataRow,
    adds_up,
    duplicate_finding,
    is_division_code,
    split_groups,
    total_by_sum,
    total_note,
    village_note,
    villages_into_townships,
)
from loaders.cells import (
    a1,
    coerce_number,
    column_letter,
    drop_english,
    has_han,
    is_blank,
    nfkc,
    normalise_label,
    synonyms,
)
from loaders.header import (
    Column,
    Table,
    looks_like_header_without_area,
    read_tables,
    total_labels,
)
from loaders.period import Period, statistical_month
from loaders.resolve import Resolved, is_rate_path, resolve_columns, title_measure, tokenise
from loaders.rules import (
    Block,
    Figure,
    Row,
    check_ratio,
    check_row,
    check_total,
    derive_block,
    derive_totals,
    field_catalog,
    format_value,
    is_amount,
    rows_breaking_ratios,
    rows_breaking_rules,
    total_holds,
)
from loaders.scope import out_of_scope, rows_not_areas, rows_not_areas_anywhere, unstored_notes
from loaders.types import CellRef, Finding, Grid, finding
from zhibiao.text import MAX_AREA_NAME, quoted

_YEAR = re.compile(r"(19|20)\d{2}")
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_SHOWN_CELLS = 5
_ACCEPTED_SHOWN = 8  # area labels an error about a missing area column quotes


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
    parent: str = ""  # the group row the area belongs to (a county above its townships)


@dataclass
class SheetResult:
    sheet: str
    records: list[Record]
    findings: list[Finding]
    preamble: list[str]
    notes: list[str]
    county: str | None = None
    fields: list[str] = field(default_factory=list)
    out_of_scope: bool = False  # refused as no township report: no period asked of it
    #: the period a column of statistical months gives (`統計年月` 10307 → 2014-07, month)
    column_period: Period | None = None


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
    (`350426001 城关镇`), a trailing colon (`合计：`), a leading `其中:` and the English of a
    bilingual name (`北  京 Beijing` → 北京) dropped."""
    name = re.sub(r"\s+", "", drop_english(nfkc(str(value))))
    name = _code_prefix().sub("", name).rstrip(":")
    for prefix in synonyms()["area"]["strip_prefixes"]:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
    return name


@cache
def _code_prefix() -> re.Pattern[str]:
    return re.compile(synonyms()["area"]["code_prefix"])


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


def _unit_lines(lines: list[str]) -> list[str]:
    """What follows the unit marker of each unit line (`单位:人、元` → `:人、元`)."""
    markers = [normalise_label(m) for m in synonyms()["unit"]["line_markers"]]
    found: list[str] = []
    for line in lines:
        text = normalise_label(line)
        at = min((text.find(m) for m in markers if m in text), default=-1)
        if at >= 0:
            found.append(text[at:])
    return found


def unit_of_lines(lines: list[str], kinds: frozenset[str] | None = None) -> str:
    """The unit a unit line states, of the kinds asked (amounts by default: `单位:人、元` →
    yuan; counts: `单位:万人` → wan_persons), or ''."""
    kinds = kinds if kinds is not None else frozenset(synonyms()["unit"]["divisor"])
    for text in _unit_lines(lines):
        units = [v for d, v in tokenise(text) if d == "unit" and v in kinds]
        if units:
            return units[-1]
    return ""


def rates_by_unit_line(lines: list[str]) -> bool:
    """A unit line naming a rate (`单位:‰`): every column of the table is a rate."""
    return any(is_rate_path([text]) for text in _unit_lines(lines))


def divisor(unit: str) -> float:
    return float(synonyms()["unit"]["divisor"][unit])


def multiplier(unit: str) -> float:
    """A count's unit (`(万人)`) → the persons one unit stands for; 1 for none."""
    return float(synonyms()["unit"]["multiplier"].get(unit, 1))


def count_unit(res: Resolved, sheet_unit: str) -> str:
    """The count unit of a column: its header's, else the unit line's."""
    units = synonyms()["unit"]["multiplier"]
    return res.unit if res.unit in units else sheet_unit


# ---------------------------------------------------------------- columns


def display_labels(columns: list[Column]) -> dict[int, str]:
    """A column's label in messages: its lowest label, or its whole path when that repeats."""
    counts = Counter(c.label for c in columns)
    return {c.col: (c.label if counts[c.label] == 1 else "/".join(c.path)) for c in columns}


def _has_data(grid: Grid, rows: list[int], col: int) -> bool:
    return any(col < len(grid.cells[r]) and not is_blank(grid.cells[r][col]) for r in rows)


def column_findings(
    grid: Grid,
    table: Table,
    resolved: list[Resolved],
    labels: dict[int, str],
    file: str,
    skip: frozenset[int] = frozenset(),
) -> tuple[list[tuple[Column, Resolved]], list[Finding]]:
    """The columns that carry a field; warnings for unrecognised ones, errors for duplicates.

    skip: columns that are no field by what they are (codes, villages, the statistical month,
    the area's name in English)."""
    findings: list[Finding] = []
    used: list[tuple[Column, Resolved]] = []
    bottom = table.header_rows[-1] if table.header_rows else 0
    for column, res in zip(table.columns, resolved, strict=True):
        if res.ignored or column.col in skip:
            continue
        if res.previous:
            label = "/".join(column.path)
            cell = column.cell or a1(bottom, column.col)
            ref = CellRef(cell=cell, value=label, label=label, sheet=grid.name)
            findings.append(
                finding(
                    "load.previous_year_column",
                    file=file,
                    sheet=grid.name,
                    cells=(ref,),
                    params={"label": label},
                )
            )
            continue
        if res.field is None:
            if column.path or _has_data(grid, table.data_rows, column.col):
                cell = column.cell or a1(bottom, column.col)
                label = "/".join(column.path)
                findings.append(
                    finding(
                        "load.unrecognised_column",
                        file=file,
                        sheet=grid.name,
                        cells=(CellRef(cell=cell, value=label, label=label, sheet=grid.name),),
                        params={"label": label},
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
                finding(
                    "load.duplicate_field",
                    file=file,
                    sheet=grid.name,
                    cells=tuple(
                        CellRef(
                            cell=c.cell,
                            value=labels[c.col],
                            label=labels[c.col],
                            sheet=grid.name,
                            field=res.field,
                        )
                        for c in (other, column)
                    ),
                    params={
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
                finding(
                    "load.unit_assumed",
                    file=file,
                    sheet=table.sheet,
                    cells=(
                        CellRef(
                            cell=column.cell,
                            value=labels[column.col],
                            label=labels[column.col],
                            sheet=table.sheet,
                            area=None,
                            field=res.field,
                        ),
                    ),
                    params={"label": labels[column.col]},
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
                    finding(
                        code,
                        file=file,
                        sheet=sheet,
                        cells=(),
                        params={"label": labels[col], "count": len(cells), "where": _shown(cells)},
                    )
                )
    return notes


def _cell_finding(
    code: str, *, file: str, sheet: str, cell: str, raw: Any, label: str, area: str, name: str
) -> Finding:
    """A finding about one data cell, naming it with what it held."""
    ref = CellRef(cell=cell, value=raw, label=label, sheet=sheet, area=area, field=name)
    params = {"area": area, "label": label, "value": "" if raw is None else str(raw)}
    return finding(code, file=file, sheet=sheet, cells=(ref,), params=params)


def _area_cell(grid: Grid, table: Table, r: int) -> tuple[Any, str]:
    """The area label of data row r and its address (on the row above when it stands there;
    carried down from the row above in a table of villages whose township is written once;
    both halves of a name wrapped over two rows, at the first one's address)."""
    if r in table.wrapped:
        top, bottom = table.wrapped[r]
        halves = (str(grid.cells[row][table.area_col]).strip() for row in (top, bottom))
        return "".join(halves), a1(top, table.area_col)
    label_row = table.label_rows.get(r, r)
    return table.areas.get(r, grid.cells[label_row][table.area_col]), a1(label_row, table.area_col)


def row_code(grid: Grid, table: Table, r: int, raw_area: Any) -> str:
    """The division code of a row: its code column's, or the one before its name."""
    if table.code_col is not None and table.code_col < len(grid.cells[r]):
        value = grid.cells[r][table.code_col]
        if is_division_code(value):
            return str(int(value)) if isinstance(value, float | int) else str(value).strip()
    found = _code_prefix().match(re.sub(r"\s+", "", nfkc(str(raw_area))))
    return found[0].rstrip("-_.:、") if found else ""


def read_rows(
    grid: Grid,
    table: Table,
    used: list[tuple[Column, Resolved]],
    units: dict[int, str],
    labels: dict[int, str],
    file: str,
) -> tuple[list[DataRow], list[Finding]]:
    """Each data row's figures (amounts in 万元, counts in persons) and shown ratios; and the
    cell findings. units: each column's unit (amount columns: 元/万元; counts: (万人) …)."""
    findings: list[Finding] = []
    tallies: dict[int, _ColumnTally] = {c.col: _ColumnTally() for c, _ in used}
    no_value = set(grid.formulas_without_value)
    amounts = {c.col: is_amount(res.field or "") for c, res in used}
    factors = {c.col: multiplier(units.get(c.col, "")) for c, _ in used}
    letters = {c.col: column_letter(c.col) for c, _ in used}
    scale = {c.col: divisor(units[c.col]) for c, _ in used if amounts[c.col]}
    rows: list[DataRow] = []
    sheet = grid.name
    field_cols = [c.col for c, _ in used]
    #: per column what its plain numbers need: (field, col, basis, letter, label, a plain
    #: number is read at once (not derived), its divisor (amounts) or None, its factor)
    plain = [
        (
            res.field or "",
            c.col,
            res.basis,
            letters[c.col],
            labels[c.col],
            not res.derived,
            scale[c.col] if amounts[c.col] else None,
            factors[c.col],
            res,
        )
        for c, res in used
    ]
    for r in table.data_rows:
        raw_area, area_cell = _area_cell(grid, table, r)
        row = DataRow(area_name(raw_area), area_cell, refined=is_refined(raw_area))
        row.code = row_code(grid, table, r, raw_area)
        line = grid.cells[r]
        if table.village_col is not None:
            village = line[table.village_col] if table.village_col < len(line) else None
            row.village = "" if is_blank(village) else area_name(village)
            row.village_cell = a1(r, table.village_col)
        area = f"{row.area} {row.village}".strip()
        if r in table.wrapped:
            findings.append(wrapped_note(grid, table, r, row.area, file))
        if is_blank_row(line, field_cols, r, no_value):
            ref = CellRef(cell=row.cell, value=area, label=area, sheet=sheet, area=area)
            findings.append(
                finding(
                    "load.blank_row_skipped",
                    file=file,
                    sheet=sheet,
                    cells=(ref,),
                    params={"area": area},
                )
            )
            continue
        number = str(r + 1)
        width = len(line)
        for name, col, basis, letter, label, direct, div, factor, res in plain:
            figures = row.figures.setdefault(basis, {})
            cell = letter + number
            raw = line[col] if col < width else None
            kind = type(raw)
            if (
                (kind is int or (kind is float and raw == raw))
                and direct
                and not (no_value and (r, col) in no_value)
            ):  # a plain number: what the general path below makes of it, without its detours
                value: float | None = float(raw or 0)
                if value is not None and value >= 0:
                    value = value / div if div is not None else whole_count(value, factor)
                    if value is not None:
                        figures[name] = Figure(value, cell, label, field=name)
                        continue
            at: dict[str, Any] = {"file": file, "sheet": sheet, "cell": cell, "raw": raw}
            at["label"] = label
            at |= {"area": area, "name": name}
            if (r, col) in no_value:
                code = "load.derived_formula_no_value" if res.derived else "load.formula_no_value"
                findings.append(_cell_finding(code, **at))
                continue
            got = coerce_number(raw)
            if got.kind == "text":
                code = "load.derived_not_number" if res.derived else "load.not_a_number"
                findings.append(_cell_finding(code, **at))
                continue
            if got.kind == "with_unit":
                fits = unit_fits(got.unit, amounts[col])
                if res.derived or not fits:
                    code = "load.derived_not_number" if res.derived else "load.unit_mismatch"
                    findings.append(_cell_finding(code, **at))
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
                findings.append(_cell_finding("load.negative_value", **at))
                continue
            shown = ""
            if not amounts[col]:
                whole = whole_count(value, factors[col] if got.kind != "with_unit" else 1.0)
                if whole is None:
                    findings.append(_cell_finding("load.fractional_count", **at))
                    continue
                value = whole
            else:
                unit = got.unit and "yuan" or units[col]
                shown = f"{format_value(value)} 元" if unit == "yuan" else ""
                value = value / divisor(unit)
            figures[name] = Figure(value, cell, label, field=name, shown=shown)
        rows.append(row)
    findings += tally_notes(tallies, labels, grid.name, file)
    return rows, findings


def wrapped_note(grid: Grid, table: Table, r: int, area: str, file: str) -> Finding:
    """A note that the name of row r was written over two rows and read as one."""
    refs = tuple(
        CellRef(cell=a1(row, table.area_col), value=grid.cells[row][table.area_col], area=area)
        for row in table.wrapped[r]
    )
    return finding(
        "load.wrapped_area", file=file, sheet=grid.name, cells=refs, params={"area": area}
    )


def whole_count(value: float, factor: float) -> float | None:
    """A count in persons (`123.4` in a column of 万人, factor 10000 → 1,234,000), or None
    when it is not a whole number of persons."""
    if factor == 1:
        return value if value.is_integer() else None
    scaled = value * factor
    whole = round(scaled)
    return float(whole) if abs(scaled - whole) < 1e-6 * factor else None


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
                finding(
                    "load.total_row_misplaced",
                    file=file,
                    sheet=sheet,
                    cells=(CellRef(cell=cell, value=area, label=area, sheet=sheet, area=area),),
                    params={"area": area},
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
        if adds_up(rest, rows[total]) and not adds_up([rows[i] for i in group], DataRow("", "")):
            return list(group)
    return []


def subtotal_notes(rows: list[DataRow], skipped: list[int], file: str, sheet: str) -> list[Finding]:
    return [
        finding(
            "load.subtotal_row_skipped",
            file=file,
            sheet=sheet,
            cells=(
                CellRef(
                    cell=rows[i].cell,
                    value=rows[i].area,
                    label=rows[i].area,
                    sheet=sheet,
                    area=rows[i].area,
                ),
            ),
            params={"area": rows[i].area},
        )
        for i in skipped
    ]


def duplicate_areas(rows: list[DataRow], total: int | None, file: str, sheet: str) -> list[Finding]:
    findings: list[Finding] = []
    first: dict[str, str] = {}
    for i, row in enumerate(rows):
        if i == total:
            continue
        if row.area in first:
            findings.append(duplicate_finding(row.area, first[row.area], row.cell, file, sheet))
        else:
            first[row.area] = row.cell
    return findings


# ---------------------------------------------------------------- the sheet


def long_areas(rows: list[DataRow], file: str, sheet: str) -> list[Finding]:
    """An error for each area name longer than the store keeps (the start of it quoted)."""
    findings = []
    for row in rows:
        if len(row.area) > MAX_AREA_NAME:
            shown = quoted(row.area)
            ref = CellRef(cell=row.cell, value=shown, sheet=sheet, area=shown)
            params = {"area": shown, "n": len(row.area), "limit": MAX_AREA_NAME}
            findings.append(
                finding("load.area_too_long", file=file, sheet=sheet, cells=(ref,), params=params)
            )
    return findings


def row_findings(row: DataRow, basis: str, file: str, sheet: str) -> tuple[Row, list[Finding]]:
    """One row's figures with its block totals derived, and the findings of its row rules and
    ratios (none again for a township summed from villages checked one by one)."""
    full = derive_totals(row.figures.get(basis, {}))
    if row.checked:
        return full, []
    area = f"{row.area} {row.village}".strip()
    found = check_row(full, file=file, sheet=sheet, area=area)
    found += check_ratio(full, row.shown.get(basis, {}), file=file, sheet=sheet, area=area)
    return full, found


def check_rows(
    rows: list[DataRow], total: int | None, file: str, sheet: str
) -> tuple[list[Record], list[Finding]]:
    """Derive each row's block totals, check its rules and ratios, the total against the areas;
    and the records (reported and derived values) of every row.

    Every row at once (`rules.Block`); only a row where a rule or a ratio does not hold, and
    the total when it does not add up, is gone through one by one (`row_findings`,
    `check_total`) to word its findings."""
    records: list[Record] = []
    findings: list[Finding] = []
    bases = sorted({b for row in rows for b in row.figures})
    for basis in bases:
        reported = [row.figures.get(basis, {}) for row in rows]
        shown = [row.shown.get(basis, {}) for row in rows]
        block = Block.of(reported)
        fired = derive_block(block)
        broken = rows_breaking_rules(block, fired) | rows_breaking_ratios(block, shown)
        for k in np.flatnonzero(broken):
            findings += row_findings(rows[k], basis, file, sheet)[1]
        derived: list[list[str]] = [[] for _ in rows]
        for _, target, mask in fired:
            for k in np.flatnonzero(mask):
                derived[k].append(target)
        for i, row in enumerate(rows):
            made = [(name, fig.value, fig.cell) for name, fig in reported[i].items()]
            made += [(name, float(block.columns[name][i]), "") for name in derived[i]]
            for name, value, cell in made:
                records.append(
                    Record(row.area, i == total, name, value, cell, i, basis or None, row.parent)
                )
        if total is not None:
            areas = np.arange(len(rows)) != total
            if not total_holds(reported[total], block, areas):
                full = derive_totals(reported[total])
                parts = [
                    (row.area, derive_totals(reported[i]))
                    for i, row in enumerate(rows)
                    if i != total
                ]
                findings += check_total(full, rows[total].area, parts, file=file, sheet=sheet)
    return records, findings


def _text_column(grid: Grid, rows: list[int], col: int) -> bool:
    """Every filled cell of the column on the data rows is text, not a number (names)."""
    seen = [grid.cells[r][col] for r in rows if col < len(grid.cells[r])]
    seen = [v for v in seen if not is_blank(v)]
    return bool(seen) and all(coerce_number(v).kind == "text" for v in seen)


def columns_to_skip(grid: Grid, table: Table) -> frozenset[int]:
    """Columns that are no field by what they hold: the village column, a column of division
    codes, the statistical month, and names in another language (`Region`: `Beijing`)."""
    skip = {c for c in (table.village_col, table.period_col) if c is not None}
    if table.code_col is not None and _codes_in(grid, table, table.code_col):
        skip.add(table.code_col)
    else:
        table.code_col = None
    for column in table.columns:
        if not any(has_han(label) for label in column.path) and _text_column(
            grid, table.data_rows, column.col
        ):
            skip.add(column.col)
    return frozenset(skip)


def _codes_in(grid: Grid, table: Table, col: int) -> bool:
    seen = [grid.cells[r][col] for r in table.data_rows if col < len(grid.cells[r])]
    seen = [v for v in seen if not is_blank(v)]
    return bool(seen) and all(is_division_code(v) for v in seen)


def column_period(grid: Grid, table: Table, file: str) -> tuple[Period | None, list[Finding]]:
    """The period a column of statistical months gives (`統計年月`: 10307 → 2014-07, the month
    alone): every row the same month, else an error naming two rows that differ."""
    col = table.period_col
    if col is None:
        return None, []
    months: dict[str, str] = {}
    for r in table.data_rows:
        raw = grid.cells[r][col] if col < len(grid.cells[r]) else None
        month = statistical_month(raw)
        if month is None:
            ref = CellRef(cell=a1(r, col), value=raw, label="", sheet=grid.name)
            params = {"value": "" if raw is None else str(raw)}
            return None, [
                finding(
                    "load.bad_period_cell", file=file, sheet=grid.name, cells=(ref,), params=params
                )
            ]
        months.setdefault(month, a1(r, col))
    if len(months) > 1:
        (one, a), (two, b) = list(months.items())[:2]
        refs = (
            CellRef(cell=a, value=one, label="", sheet=grid.name),
            CellRef(cell=b, value=two, label="", sheet=grid.name),
        )
        params = {"first": one, "second": two}
        return None, [
            finding(
                "load.period_column_mixed", file=file, sheet=grid.name, cells=refs, params=params
            )
        ]
    if not months:
        return None, []
    month, cell = next(iter(months.items()))
    basis = synonyms()["period"]["column_basis"]
    return Period(month, basis, None, f"{grid.name + '!' if grid.name else ''}{cell}"), []


@dataclass
class _Panel:
    """One panel of a sheet's table, resolved and read."""

    table: Table
    rows: list[DataRow]
    used: list[tuple[Column, Resolved]]
    resolved: list[Resolved]


def read_panel(
    grid: Grid, table: Table, file: str, text_cells: bool
) -> tuple[_Panel, list[Finding]]:
    """Resolve one panel's columns and read its rows (villages summed into townships)."""
    findings: list[Finding] = []
    context = title_measure(table.preamble)
    resolved = resolve_columns([c.path for c in table.columns], context)
    if rates_by_unit_line(table.preamble):
        resolved = [
            r if r.derived or r.ignored else replace(r, field=None, ignored=True, unstored="rate")
            for r in resolved
        ]
    labels = display_labels(table.columns)
    skip = columns_to_skip(grid, table)
    used, found = column_findings(grid, table, resolved, labels, file, skip)
    findings += found
    units, found = amount_units(used, table, labels, file)
    findings += found
    sheet_unit = unit_of_lines(table.preamble, frozenset(synonyms()["unit"]["multiplier"]))
    for column, res in used:
        if not is_amount(res.field or ""):
            units[column.col] = count_unit(res, sheet_unit)
    rows, found = read_rows(grid, table, used, units, labels, file)
    if text_cells:
        found = [f for f in found if f.code != "load.text_numbers"]
    findings += found
    findings += orphan_findings(grid, table, file)
    if table.village_col is not None:
        for row in rows:
            for basis in row.figures:
                findings += row_findings(row, basis, file, grid.name)[1]
        villages = sum(1 for row in rows if row.village)
        rows, found = villages_into_townships(rows, file, grid.name)
        findings += found
        if villages:
            cell = a1(table.header_rows[-1] if table.header_rows else 0, table.village_col)
            findings.append(village_note(len(rows), villages, cell, file, grid.name))
    return _Panel(table, rows, used, resolved), findings


def orphan_findings(grid: Grid, table: Table, file: str) -> list[Finding]:
    """An error for each row inside the table with numbers and no area label."""
    findings: list[Finding] = []
    for r in table.orphans:
        cells = tuple(
            CellRef(cell=a1(r, c), value=v, label="", sheet=grid.name)
            for c, v in enumerate(grid.cells[r])
            if not is_blank(v)
        )
        findings.append(
            finding(
                "load.row_without_area",
                file=file,
                sheet=grid.name,
                cells=cells,
                params={"row": r + 1, "area_cell": a1(r, table.area_col)},
            )
        )
    return findings


def parse_sheet(
    grid: Grid, *, file: str, county: str | None, text_cells: bool = False
) -> SheetResult | None:
    """One sheet → records and findings; None when the sheet holds no table (a notes sheet).

    text_cells: every cell is text by nature (CSV, HTML): no note about numbers stored as text.
    """
    tables = read_tables(grid)
    if not tables:
        return None
    table = tables[0]
    findings: list[Finding] = []
    if table.second_table and len(tables) == 1:
        ref = CellRef(cell=table.second_table, sheet=grid.name)
        findings.append(
            finding("load.second_table", file=file, sheet=grid.name, cells=(ref,), params={})
        )
    panels: list[_Panel] = []
    for one in tables:
        panel, found = read_panel(grid, one, file, text_cells)
        panels.append(panel)
        findings += found
    resolved = [r for p in panels for r in p.resolved]
    columns = [c for p in panels for c in p.table.columns]
    refused = out_of_scope(grid, table, columns, resolved, file)
    if refused is not None:
        result = SheetResult(grid.name, [], [refused], table.preamble, table.notes, county)
        result.out_of_scope = True
        return result
    findings += unstored_notes(columns, resolved, grid.name, file)
    period, found = column_period(grid, table, file)
    findings += found
    rows = [row for p in panels for row in p.rows]
    findings += long_areas(rows, file, grid.name)
    rows, found = split_groups(rows, file, grid.name)
    findings += found
    county = find_county(table.preamble) or county
    total, found = find_total(rows, county, file, grid.name)
    findings += found
    if total is None and not found:
        total = total_by_sum(rows)
        if total is not None:
            findings.append(total_note(rows[total], file, grid.name))
    if total is not None and county is None:
        county = county_from_total(rows[total].area)
    skipped = find_subtotals(rows, total)
    findings += subtotal_notes(rows, skipped, file, grid.name)
    rows = [row for i, row in enumerate(rows) if i not in skipped]
    findings += duplicate_areas(rows, total, file, grid.name)
    records, found = check_rows(rows, total, file, grid.name)
    findings += found
    fields = sorted({r.field for r in records})
    if not any(p.used for p in panels):
        findings.append(
            finding(
                "load.no_fields",
                file=file,
                sheet=grid.name,
                cells=(CellRef(cell=table.area_cell),),
                params={},
            )
        )
    result = SheetResult(grid.name, records, findings, table.preamble, table.notes, county, fields)
    result.column_period = period
    return result


def header_without_area(grid: Grid, file: str) -> Finding | None:
    """An error when a sheet has field labels but no area column label above its rows: what
    the rows are when they are ages or years (out of scope), else the columns that could be
    the area column and the labels that are accepted."""
    hit = looks_like_header_without_area(grid)
    if hit is None:
        return rows_not_areas_anywhere(grid, file)
    row, cells, candidates = hit
    refused = rows_not_areas(grid, row, file)
    if refused is not None:
        return refused
    params: dict[str, Any] = {
        "row": row + 1,
        "candidates": "、".join(f"{cell} {label}".strip() for cell, label in candidates),
        "accepted": "、".join(synonyms()["area"]["labels"][:_ACCEPTED_SHOWN]),
    }
    if not candidates:
        params["candidates_key"] = "load.no_candidates"
    return finding(
        "load.no_area_column",
        file=file,
        sheet=grid.name,
        cells=tuple(CellRef(cell=c) for c in cells),
        params=params,
    )
