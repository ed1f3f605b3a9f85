"""The header band of one sheet, in small steps over its grid (in the spirit of unpivotr's behead).

Skip the preamble, find the area column by its label, find the first data row below it, take
the rows between as the header band, fill merged cells across and down, build each column's
path top to bottom, skip a row of column numbers, and end the data rows at a note/signature
line, at a blank line that nothing of the table follows, or at another header. A blank spacer
row inside the table (after the total, between groups of areas) is skipped; an area label and
its numbers on two rows are one row, and so is a name wrapped over two rows (`城关镇东城` /
`社区`). A second area label on the header row (`地区 … 地区`) is a second panel of the same
table, read beside the first. Nothing here guesses a rectangle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from loaders.cells import (
    a1,
    cell_kind,
    coerce_number,
    has_han,
    is_blank,
    is_english,
    nfkc,
    normalise_label,
    simplified,
    synonyms,
)
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
    #: a data row whose area label stands on the row above it (value row → label row)
    label_rows: dict[int, int] = field(default_factory=dict)
    #: rows inside the table holding numbers but no area label
    orphans: list[int] = field(default_factory=list)
    village_col: int | None = None  # a second area column (村, 村里): the rows are villages
    code_col: int | None = None  # a column of division codes (代码)
    period_col: int | None = None  # a column of each row's statistical month (统计年月)
    #: area labels carried down a table of villages whose township is written once (row → label)
    areas: dict[int, Any] = field(default_factory=dict)
    #: a data row whose area name is written over two rows (row → the two rows of its name,
    #: top first): `城关镇东城` on one row, `社区` on the next, the numbers on one of them
    wrapped: dict[int, tuple[int, int]] = field(default_factory=dict)


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


@cache
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
        kind = cell_kind(value)
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


def is_title_line(values: list[Any]) -> bool:
    """A row holding one label alone, long as a title is (`各乡镇出生人数统计`): a title above
    the header, even when its words are measures, never a group label of the header."""
    labels = {normalise_label(v) for v in values if not is_blank(v)}
    limit = int(synonyms()["header"]["title_length"])
    return len(labels) == 1 and len(next(iter(labels))) >= limit


def header_top(filled: list[list[Any]], area_row: int, area_col: int) -> int:
    """Extend the band upward over rows of group labels above an unmerged area label."""
    top = area_row
    while top > 0:
        row = filled[top - 1]
        if (
            not is_blank(_cell(filled, top - 1, area_col))
            or is_preamble_line(row)
            or is_title_line(row)
        ):
            break
        labels = [normalise_label(v) for v in row if not is_blank(v)]
        if not labels or path_tokens(labels).empty:
            break
        top -= 1
    return top


def has_numbers(values: list[Any], area_col: int) -> bool:
    """A cell other than the area's holds a number (a dash is no number here)."""
    return any(
        c != area_col
        and not is_blank(v)
        and coerce_number(v).kind != "text"
        and coerce_number(v).kind != "zero_mark"
        for c, v in enumerate(values)
    )


def is_blank_line(values: list[Any]) -> bool:
    return all(is_blank(v) for v in values)


def _ends_table(cells: list[list[Any]], r: int, area_col: int) -> bool:
    """A note or signature line (`注：`, `填报人：`), or a line whose first text holds a colon."""
    row = cells[r]
    if is_data_like(row, area_col):
        return False
    leading = next((normalise_label(v) for v in row if not is_blank(v)), "")
    return any(leading.startswith(m) for m in _markers("end_markers")) or ":" in leading


def _is_table_row(cells: list[list[Any]], r: int, area_col: int) -> bool:
    """A row that carries the table on after a blank spacer line: an area with numbers, or an
    area label whose numbers stand on the next row."""
    area = _cell(cells, r, area_col)
    if not is_plausible_name(area) or normalise_label(area) in area_labels():
        return False
    if is_data_like(cells[r], area_col):
        return True
    below = r + 1
    return (
        below < len(cells)
        and is_blank(_cell(cells, below, area_col))
        and has_numbers(cells[below], area_col)
    )


def _next_filled(cells: list[list[Any]], r: int) -> int | None:
    while r < len(cells):
        if not is_blank_line(cells[r]):
            return r
        r += 1
    return None


def find_data_rows(
    cells: list[list[Any]], first: int, area_col: int
) -> tuple[list[int], int, dict[int, int], list[int]]:
    """Data rows from the first one to a note/signature line, or to a blank line that no row of
    the table follows; and the end, the label rows of rows whose area stands above its numbers,
    and the rows with numbers but no area inside the table."""
    rows: list[int] = []
    label_rows: dict[int, int] = {}
    orphans: list[int] = []
    r = first
    while r < len(cells):
        row = cells[r]
        area = _cell(cells, r, area_col)
        if is_blank_line(row):
            after = _next_filled(cells, r)
            if after is None or not _is_table_row(cells, after, area_col):
                break
            r = after
            continue
        if is_blank(area):
            above = rows[-1] if rows else None
            if (
                above == r - 1
                and above not in label_rows
                and not has_numbers(cells[above], area_col)
            ):
                rows[-1] = r  # the label on the row above, its numbers on this one
                label_rows[r] = above
                r += 1
                continue
            after = _next_filled(cells, r + 1)
            if (
                has_numbers(row, area_col)
                and after is not None
                and _is_table_row(cells, after, area_col)
            ):
                orphans.append(r)
                r += 1
                continue
            break
        if _ends_table(cells, r, area_col):
            break
        if normalise_label(area) in area_labels() and r > first:
            break  # another header: a second table
        rows.append(r)
        r += 1
    return rows, r, label_rows, orphans


@cache
def _name_units() -> tuple[str, ...]:
    """The unit words an area name ends with, longest first."""
    units = {normalise_label(u) for u in synonyms()["area"]["name_units"]}
    return tuple(sorted(units, key=len, reverse=True))


def _unit_at_end(label: str) -> str:
    return next((u for u in _name_units() if label.endswith(u)), "")


def _is_name_head(value: Any) -> bool:
    """An area label that is no whole name: it ends with no unit word (`城关镇东城`), and is
    no total, `其中` part, group label (`市辖区`) or heading ending with a colon."""
    if not is_plausible_name(value):
        return False
    raw = nfkc(str(value)).strip()
    label = normalise_label(value)
    return not (
        raw.endswith(":")
        or label in _no_name_heads()
        or label.startswith(_part_prefixes())
        or _unit_at_end(label)
    )


@cache
def total_labels() -> frozenset[str]:
    """The labels of a report's own total row (`合计`, `全国`), normalised."""
    return frozenset(normalise_label(x) for x in synonyms()["area"]["total"])


@cache
def _no_name_heads() -> frozenset[str]:
    """Labels that never begin a name: the totals and the group labels (`市辖区`)."""
    groups = synonyms()["area"]["group_labels"]
    return total_labels() | {normalise_label(x) for x in groups}


@cache
def _part_prefixes() -> tuple[str, ...]:
    return tuple(normalise_label(p) for p in synonyms()["area"]["strip_prefixes"])


def _is_name_tail(value: Any) -> bool:
    """An area label that only ends a name begun on the row above: a unit word alone (`社区`,
    `区`), never a name on its own. (Told by its characters alone, simplified: a CJK unit is
    what NFKC leaves it.)"""
    if not isinstance(value, str):
        return False
    return simplified("".join(value.split())) in _name_units() and is_plausible_name(value)


def _only_label(cells: list[list[Any]], r: int, area_col: int) -> bool:
    return all(is_blank(v) for c, v in enumerate(cells[r]) if c != area_col)


def join_wrapped_names(
    cells: list[list[Any]], rows: list[int], area_col: int, taken: set[int]
) -> tuple[list[int], dict[int, tuple[int, int]]]:
    """An area name written over two adjacent data rows is one row: a label that is no whole
    name (`城关镇东城`) above one that only ends it (`社区`), the numbers on one of the two rows
    and nothing but the label on the other. The row of the numbers stays, with both rows of
    its name; a group row, a total, a blank spacer row or a whole name is never joined.

    taken: rows whose label is already another row's (a label above its numbers)."""
    wrapped: dict[int, tuple[int, int]] = {}
    kept: list[int] = []
    i = 0
    while i < len(rows):
        top = rows[i]
        bottom = rows[i + 1] if i + 1 < len(rows) else None
        if (
            bottom == top + 1
            and _is_name_tail(_cell(cells, bottom, area_col))
            and top not in taken
            and bottom not in taken
            and _is_name_head(_cell(cells, top, area_col))
        ):
            upper, lower = _only_label(cells, top, area_col), _only_label(cells, bottom, area_col)
            if upper != lower:
                figures = top if lower else bottom
                wrapped[figures] = (top, bottom)
                kept.append(figures)
                i += 2
                continue
        kept.append(top)
        i += 1
    return kept, wrapped


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
        if any(has_han(label) for label in path):  # `总人口 / Total Population`: one label
            path = [label for label in path if not is_english(label)]
        columns.append(Column(c, path, cell))
    return columns


def _labelled_columns(filled: list[list[Any]], row: int, labels: frozenset[str]) -> list[int]:
    return [c for c, v in enumerate(filled[row]) if normalise_label(v) in labels]


def _label_set(section: str, key: str) -> frozenset[str]:
    return frozenset(normalise_label(x) for x in synonyms()[section][key])


def _special_column(
    filled: list[list[Any]], band: list[int], area_col: int, section: str, key: str
) -> int | None:
    """The first column (not the area's) whose header band holds a label of `section.key`."""
    labels = _label_set(section, key)
    for r in band:
        for c in _labelled_columns(filled, r, labels):
            if c != area_col:
                return c
    return None


Prepared = tuple[list[list[Any]], dict[tuple[int, int], tuple[int, int]], tuple[int, int] | None]


def prepare(grid: Grid) -> Prepared:
    """The filled cells of a sheet, the origins of its merged cells, and its area header."""
    filled, origin = filled_cells(grid)
    return filled, origin, find_area_header([list(r) for r in grid.cells], filled)


def read_table(grid: Grid, prepared: Prepared | None = None) -> Table | None:
    """Locate the table of one sheet, or None when the sheet has no area column with data.

    prepared: what `prepare` made of this grid already."""
    filled, origin, found = prepared or prepare(grid)
    cells = [list(r) for r in grid.cells]
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
    village_col = _special_column(filled, band, area_col, "area", "village_labels")
    areas = merged_area_labels(cells, filled, origin, first, area_col)
    areas |= carry_areas_down(cells, first, area_col, village_col)
    data_rows, end, label_rows, orphans = find_data_rows(cells, first, area_col)
    data_rows = blank_townships + data_rows
    wrapped: dict[int, tuple[int, int]] = {}
    if village_col is None:
        taken = set(label_rows) | set(label_rows.values()) | set(areas)
        data_rows, wrapped = join_wrapped_names(cells, data_rows, area_col, taken)
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
        label_rows=label_rows,
        orphans=orphans,
        village_col=village_col,
        areas=areas,
        wrapped=wrapped,
        code_col=_special_column(filled, band, area_col, "area", "code_labels"),
        period_col=_special_column(filled, band, area_col, "period", "column_labels"),
    )


def merged_area_labels(
    cells: list[list[Any]],
    filled: list[list[Any]],
    origin: dict[tuple[int, int], tuple[int, int]],
    first: int,
    area_col: int,
) -> dict[int, Any]:
    """A label merged across the area column from a cell before it on the same row (`合计`
    over 序号 and 乡镇): written into the area column. Changes `cells` in place and returns the
    labels by row."""
    found: dict[int, Any] = {}
    for r in range(first, len(cells)):
        top, left = origin.get((r, area_col), (r, area_col))
        if top == r and left < area_col and is_blank(_cell(cells, r, area_col)):
            cells[r][area_col] = filled[r][area_col]
            found[r] = filled[r][area_col]
    return found


def carry_areas_down(
    cells: list[list[Any]], first: int, area_col: int, village_col: int | None
) -> dict[int, Any]:
    """In a table of villages, a township written once above its villages (or merged down):
    its name carried down to each village row below it with a blank township cell. Changes
    `cells` in place (for finding the data rows) and returns the carried labels by row."""
    carried: dict[int, Any] = {}
    if village_col is None:
        return carried
    current: Any = None
    for r in range(first, len(cells)):
        area, village = _cell(cells, r, area_col), _cell(cells, r, village_col)
        if not is_blank(area):
            current = area
        elif current is not None and is_plausible_name(village) and has_numbers(cells[r], area_col):
            cells[r][area_col] = current
            carried[r] = current
        elif is_blank_line(cells[r]):
            current = None
    return carried


def panel_starts(prepared: Prepared) -> list[int]:
    """The columns where the panels of a table set side by side begin (`地区 … 地区 …` on one
    header row): [area column] for a table of one panel, [] for no table."""
    filled, origin, found = prepared
    if found is None:
        return []
    row, col = found
    label = normalise_label(filled[row][col])
    starts = [col]
    for c in range(col + 1, len(filled[row])):
        if normalise_label(filled[row][c]) == label and origin.get((row, c), (row, c)) == (row, c):
            starts.append(c)
    return starts


def panel_grid(grid: Grid, start: int, stop: int) -> Grid:
    """The grid with every cell outside columns [start, stop) blanked: one panel, at the
    addresses of the sheet."""
    cells = [[v if start <= c < stop else None for c, v in enumerate(row)] for row in grid.cells]
    merges = [m for m in grid.merges if start <= m[1] and m[3] < stop]
    formulas = [(r, c) for r, c in grid.formulas_without_value if start <= c < stop]
    return Grid(grid.name, cells, merges, formulas, grid.hidden, list(grid.preamble))


def read_tables(grid: Grid) -> list[Table]:
    """The table of one sheet, as one Table a panel (most sheets: one); [] for no table.

    The preamble of a later panel (the lines above the whole table) is its first panel's.
    """
    prepared = prepare(grid)
    starts = panel_starts(prepared)
    if len(starts) < 2:
        table = read_table(grid, prepared) if starts else None
        return [table] if table is not None else []
    width = max((len(r) for r in grid.cells), default=0)
    tables: list[Table] = []
    first_preamble: list[str] | None = None
    for start, stop in zip(starts, [*starts[1:], width], strict=True):
        table = read_table(panel_grid(grid, 0 if not tables else start, stop))
        if table is None:
            continue
        if first_preamble is None:
            first_preamble = table.preamble
        else:
            table.preamble = first_preamble
        tables.append(table)
    return tables


def looks_like_header_without_area(
    grid: Grid,
) -> tuple[int, list[str], list[tuple[str, str]]] | None:
    """A row of two or more labels that resolve to fields, on a sheet with no area column.

    Returns its row, the cells of those labels (so the error can name them; a merged label
    once, a title row never) and the columns that could be the area column: (cell, label) of
    at most five columns whose cells below are names, not numbers.
    """
    from loaders.resolve import resolve_path

    filled, origin = filled_cells(grid)
    limit = int(synonyms()["header"]["scan_rows"])
    for r in range(min(len(filled), limit)):
        if is_title_line(filled[r]):
            continue
        hits = [
            a1(r, c)
            for c, v in enumerate(filled[r])
            if not is_blank(v)
            and origin.get((r, c), (r, c)) == (r, c)
            and resolve_path([str(v)]) is not None
        ]
        if len(hits) >= 2:
            return r, hits, name_columns(grid.cells, filled, r)
    return None


def name_columns(
    cells: list[list[Any]], filled: list[list[Any]], row: int
) -> list[tuple[str, str]]:
    """(cell, label) of the columns below a header row whose cells are mostly names (text,
    not numbers): the columns an analyst may mean as the area column; at most five."""
    found: list[tuple[str, str]] = []
    width = max((len(r) for r in cells[row : row + 30]), default=0)
    for c in range(width):
        values = [_cell(cells, r, c) for r in range(row + 1, min(len(cells), row + 31))]
        values = [v for v in values if not is_blank(v)]
        names = [v for v in values if is_plausible_name(v)]
        if values and len(names) * 2 > len(values):
            label = next(
                (
                    str(_cell(filled, r, c)).strip()
                    for r in range(row, -1, -1)
                    if not is_blank(_cell(filled, r, c))
                ),
                "",
            )
            found.append((a1(row, c), label))
        if len(found) == int(synonyms()["header"]["candidate_columns"]):
            break
    return found
