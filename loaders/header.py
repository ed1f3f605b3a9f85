"""The header band of one sheet, in small steps over its grid (in the spirit of unpivotr's behead).

Skip the preamble, find the area column by its label, find the first data row below it, take
the rows between as the header band, fill merged cells across and down, build each column's
path top to bottom, skip a row of column numbers, and end the data rows at the first blank area
cell or a note/signature line. Nothing here guesses a rectangle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from loaders.cells import a1, coerce_number, is_blank, nfkc, normalise_label, synonyms
from loaders.resolve import area_labels, path_tokens
from loaders.types import Grid

_YEAR = re.compile(r"(19|20)\d{2}")
_INTEGER = re.compile(r"^\d{1,3}$")


@dataclass
class Column:
    """One column of the table: its header path (normalised labels, top to bottom)."""

    col: int
    path: list[str]
    cell: str  # A1 of the lowest header cell that holds a label ('' when none)

    @property
    def label(self) -> str:
        return self.path[-1] if self.path else ""


@dataclass
class Table:
    """Where the table of one sheet is: area column, header band, data rows, text around it."""

    sheet: str
    area_col: int
    area_cell: str
    header_rows: list[int]
    data_rows: list[int]
    columns: list[Column]
    preamble: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    second_table: str = ""  # A1 of the area label of another table below this one ('' = none)


def filled_cells(grid: Grid) -> tuple[list[list[Any]], dict[tuple[int, int], tuple[int, int]]]:
    """A copy of the cells with every merged range holding its top-left value; and origins."""
    width = max((len(r) for r in grid.cells), default=0)
    cells = [list(r) + [None] * (width - len(r)) for r in grid.cells]
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    for r0, c0, r1, c1 in grid.merges:
        if r0 >= len(cells):
            continue
        value = cells[r0][c0] if c0 < width else None
        for r in range(r0, min(r1, len(cells) - 1) + 1):
            for c in range(c0, min(c1, width - 1) + 1):
                cells[r][c] = value
                origin[(r, c)] = (r0, c0)
    return cells, origin


def _cell(cells: list[list[Any]], r: int, c: int) -> Any:
    if r < len(cells) and c < len(cells[r]):
        return cells[r][c]
    return None


def row_line(cells: list[list[Any]], r: int) -> str:
    """The non-blank cells of a row joined by a space, repeats (from merges) dropped."""
    seen: list[str] = []
    for value in cells[r] if r < len(cells) else []:
        if is_blank(value):
            continue
        text = str(value).strip()
        if text not in seen:
            seen.append(text)
    return " ".join(seen)


def _markers(key: str) -> list[str]:
    return [normalise_label(x) for x in synonyms()["header"][key]]


def is_column_number_row(values: list[Any]) -> bool:
    """A row of column numbers under the header: 甲 乙 1 2 3 … (or （1） （2）)."""
    markers = set(_markers("column_markers"))
    seen = [normalise_label(v) or nfkc(str(v)).strip() for v in values if not is_blank(v)]
    seen = [s.strip("()").removesuffix(".0") for s in seen]
    if len(seen) < 2:
        return False
    numbers = [int(s) for s in seen if _INTEGER.match(s)]
    others = [s for s in seen if not _INTEGER.match(s)]
    return all(o in markers for o in others) and numbers == sorted(numbers) and bool(numbers)


def is_plausible_name(value: Any) -> bool:
    """An area cell that can name a township: text, not a number, label or column marker."""
    if is_blank(value) or isinstance(value, int | float):
        return False
    label = normalise_label(value)
    if not label or label in area_labels() or label in set(_markers("column_markers")):
        return False
    if coerce_number(value).is_number:
        return False
    return any(ch.isalpha() for ch in label)


def is_data_like(values: list[Any], area_col: int) -> bool:
    """Other cells mostly numeric or dash-like, with at least one of them present."""
    numeric = text = 0
    for c, value in enumerate(values):
        if c == area_col or is_blank(value):
            continue
        kind = coerce_number(value).kind
        if kind == "text":
            text += 1
        else:
            numeric += 1
    return numeric >= 1 and numeric >= text


def find_first_data_row(cells: list[list[Any]], area_row: int, area_col: int) -> int | None:
    """First row below the area label whose area cell names a place and whose cells are numbers."""
    limit = int(synonyms()["header"]["max_band_rows"])
    for r in range(area_row + 1, min(len(cells), area_row + 1 + limit)):
        row = cells[r]
        if is_plausible_name(_cell(cells, r, area_col)) and is_data_like(row, area_col):
            return r
    return None


def is_blank_area_row(cells: list[list[Any]], r: int, area_col: int, area_label: str) -> bool:
    """A township's row with every other cell blank (nothing reported): its area cell names a
    place, and does not merely finish the area column's label on a line of its own (乡镇 / 名称)."""
    area = _cell(cells, r, area_col)
    if not is_plausible_name(area) or normalise_label(area_label + str(area)) in area_labels():
        return False
    return all(is_blank(v) for c, v in enumerate(cells[r]) if c != area_col)


def blank_rows_before_data(
    cells: list[list[Any]], area_row: int, area_col: int, first: int
) -> tuple[int, list[int]]:
    """Step up from the first data row over blank rows and blank township rows: where the
    header band ends, and the blank township rows in between (data rows, read as blank).

    A blank row between the header and the data belongs to neither; a township row with no
    figures belongs to the data, never to the header.
    """
    label = str(_cell(cells, area_row, area_col) or "")
    end = first
    townships: list[int] = []
    for r in range(first - 1, area_row, -1):
        if is_blank_area_row(cells, r, area_col, label):
            townships.insert(0, r)
        elif row_line(cells, r) != "":
            break
        end = r
    return end, townships


def find_area_header(cells: list[list[Any]], filled: list[list[Any]]) -> tuple[int, int] | None:
    """The (row, column) of the area column's label that has data rows below it."""
    labels = area_labels()
    limit = int(synonyms()["header"]["scan_rows"])
    for r in range(min(len(filled), limit)):
        for c, value in enumerate(filled[r]):
            if normalise_label(value) not in labels:
                continue
            if r > 0 and normalise_label(_cell(filled, r - 1, c)) == normalise_label(value):
                continue  # inside a vertical merge: its top was tried already
            if find_first_data_row(cells, r, c) is not None:
                return r, c
    return None


def is_preamble_line(values: list[Any]) -> bool:
    """A line above the header that is a title, unit line, form metadata or date."""
    markers = _markers("preamble_markers")
    for value in values:
        label = normalise_label(value)
        if not label:
            continue
        if _YEAR.search(label) or any(m in label for m in markers):
            return True
    return False


def header_top(filled: list[list[Any]], area_row: int, area_col: int) -> int:
    """Extend the band upward over rows of group labels above an unmerged area label."""
    top = area_row
    while top > 0:
        row = filled[top - 1]
        if not is_blank(_cell(filled, top - 1, area_col)) or is_preamble_line(row):
            break
        labels = [normalise_label(v) for v in row if not is_blank(v)]
        if not labels or path_tokens(labels).empty:
            break
        top -= 1
    return top


def find_data_rows(cells: list[list[Any]], first: int, area_col: int) -> tuple[list[int], int]:
    """Data rows from the first one to a blank area cell or a note/signature line; and the end."""
    ends = _markers("end_markers")
    rows: list[int] = []
    r = first
    while r < len(cells):
        row = cells[r]
        area = _cell(cells, r, area_col)
        if is_blank(area):
            break
        if not is_data_like(row, area_col):
            leading = next((normalise_label(v) for v in row if not is_blank(v)), "")
            if any(leading.startswith(m) for m in ends) or ":" in leading:
                break
        rows.append(r)
        r += 1
    return rows, r


def carry_groups_right(filled: list[list[Any]], band: list[int], area_col: int) -> None:
    """An unmerged group label (centred across selection, a CSV or HTML export) carries to the
    right over the blank cells after it, within the header band, where the row below has a
    label, until the next label (unpivotr's up-left). Rows are filled bottom up, so a group
    over groups carries as far as the groups below it reach."""
    for upper, lower in reversed(list(zip(band, band[1:], strict=False))):
        carry: Any = None
        for c in range(len(filled[upper])):
            value = filled[upper][c]
            if c == area_col:
                carry = None
            elif not is_blank(value):
                carry = value
            elif carry is not None and not is_blank(_cell(filled, lower, c)):
                filled[upper][c] = carry
            else:
                carry = None


def build_columns(
    filled: list[list[Any]],
    origin: dict[tuple[int, int], tuple[int, int]],
    band: list[int],
    area_col: int,
) -> list[Column]:
    """Each column's path: labels top to bottom, repeats from vertical merges dropped."""
    width = max((len(filled[r]) for r in band), default=0)
    columns: list[Column] = []
    for c in range(width):
        if c == area_col:
            continue
        path: list[str] = []
        cell = ""
        for r in band:
            label = normalise_label(_cell(filled, r, c))
            if not label:
                continue
            r0, c0 = origin.get((r, c), (r, c))
            cell = a1(r0, c0)
            if not path or path[-1] != label:
                path.append(label)
        columns.append(Column(c, path, cell))
    return columns


def read_table(grid: Grid) -> Table | None:
    """Locate the table of one sheet, or None when the sheet has no area column with data."""
    filled, origin = filled_cells(grid)
    cells = [list(r) for r in grid.cells]
    found = find_area_header(cells, filled)
    if found is None:
        return None
    area_row, area_col = found
    first = find_first_data_row(cells, area_row, area_col)
    assert first is not None
    top = header_top(filled, area_row, area_col)
    band_end, blank_townships = blank_rows_before_data(cells, area_row, area_col, first)
    band = [
        r
        for r in range(top, band_end)
        if not is_column_number_row(filled[r]) and row_line(filled, r) != ""
    ]
    data_rows, end = find_data_rows(cells, first, area_col)
    data_rows = blank_townships + data_rows
    carry_groups_right(filled, band, area_col)
    below = find_area_header(cells[end:], filled[end:])
    return Table(
        sheet=grid.name,
        area_col=area_col,
        area_cell=a1(area_row, area_col),
        header_rows=band,
        data_rows=data_rows,
        columns=build_columns(filled, origin, band, area_col),
        preamble=grid.preamble + [line for r in range(top) if (line := row_line(cells, r))],
        notes=[line for r in range(end, len(cells)) if (line := row_line(cells, r))],
        second_table=a1(below[0] + end, below[1]) if below else "",
    )


def looks_like_header_without_area(grid: Grid) -> tuple[int, list[str]] | None:
    """A row of two or more labels that resolve to fields, on a sheet with no area column.

    Returns its row and the cells of those labels, so the error can name them.
    """
    from loaders.resolve import resolve_path

    filled, _ = filled_cells(grid)
    limit = int(synonyms()["header"]["scan_rows"])
    for r in range(min(len(filled), limit)):
        hits = [
            a1(r, c)
            for c, v in enumerate(filled[r])
            if not is_blank(v) and resolve_path([str(v)]) is not None
        ]
        if len(hits) >= 2:
            return r, hits
    return None
