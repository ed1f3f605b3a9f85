"""The rows of one table as areas: villages summed into townships, group rows told from their
members, and a first or last row that is the sum of the others recognised as the total.

A data row (DataRow) carries its area, the figures it reports by basis and field, and what is
known of its place: the village it stands for (a table at village grain), the division code
beside it. Nothing here reads cells; table.py builds the rows and checks them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from loaders.cells import normalise_label, simplified, synonyms
from loaders.rules import Figure, Row, check_total, render_figure, tolerance
from loaders.types import CellRef, Finding, finding

_ZERO = Figure(0.0, "", "")
_CELL = re.compile(r"^([A-Z]+)(\d+)$")
#: a cell range stored with a value fits the store's cell column
_MAX_CELL = 20


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
    village: str = ""  # the village of a table at village grain ('' = the row is a township)
    village_cell: str = ""
    code: str = ""  # the division code of the row (a code column, or a code before the name)
    parent: str = ""  # the group row (a county) the area belongs to
    checked: bool = False  # its row rules were checked already (on its villages)


# ---------------------------------------------------------------- villages


def cell_range(cells: list[str]) -> str:
    """`D2`, `D3`, `D4` → `D2:D4`: the cells of one column on consecutive rows as a range;
    '' when they are not consecutive or the range does not fit the store's cell column."""
    found = [_CELL.match(c) for c in cells if c]
    if not found or any(m is None for m in found):
        return ""
    columns = {m[1] for m in found if m}
    numbers = [int(m[2]) for m in found if m]
    if len(columns) != 1 or numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        return ""
    column = columns.pop()
    text = (
        f"{column}{numbers[0]}"
        if len(numbers) == 1
        else f"{column}{numbers[0]}:{column}{numbers[-1]}"
    )
    return text if len(text) <= _MAX_CELL else ""


def _sum_figures(parts: list[Figure]) -> Figure:
    first = parts[0]
    return Figure(
        sum(p.value for p in parts),
        cell_range([p.cell for p in parts]),
        first.label,
        formula="+".join(p.cell for p in parts[:3]) + ("+…" if len(parts) > 3 else ""),
        parts=tuple(parts),
        field=first.field,
    )


def duplicate_finding(
    name: str, first: str, again: str, file: str, sheet: str, area: str | None = None
) -> Finding:
    """An area (or a township's village) reported twice: both cells."""
    area = area or name
    return finding(
        "load.duplicate_area",
        file=file,
        sheet=sheet,
        cells=(
            CellRef(cell=first, value=name, label=name, sheet=sheet, area=area),
            CellRef(cell=again, value=name, label=name, sheet=sheet, area=area),
        ),
        params={"area": name},
    )


def villages_into_townships(
    rows: list[DataRow], file: str, sheet: str
) -> tuple[list[DataRow], list[Finding]]:
    """Rows at village grain → one row a township, each figure the sum of its villages'.

    A village named twice in its township is a duplicate area; a row of the township with no
    village is the township's own figure, checked against its villages (a group row).
    """
    findings: list[Finding] = []
    order: list[str] = []
    members: dict[str, list[DataRow]] = {}
    own: dict[str, DataRow] = {}
    seen: dict[tuple[str, str], str] = {}
    for row in rows:
        if not row.village:
            own.setdefault(row.area, row)
            if row.area not in order:
                order.append(row.area)
            continue
        key = (row.area, row.village)
        if key in seen:
            name = f"{row.area} {row.village}"
            findings.append(
                duplicate_finding(name, seen[key], row.village_cell, file, sheet, row.area)
            )
            continue
        seen[key] = row.village_cell
        if row.area not in order:
            order.append(row.area)
        members.setdefault(row.area, []).append(row)
    out: list[DataRow] = []
    for area in order:
        villages = members.get(area, [])
        if not villages:
            out.append(own[area])
            continue
        summed = _summed_row(area, villages)
        if area in own:
            findings += check_group(own[area], [summed], file, sheet)
        out.append(summed)
    return out, findings


def _summed_row(area: str, villages: list[DataRow]) -> DataRow:
    figures: dict[str, Row] = {}
    # in the order the villages give them (a set's order changes from one process to the next)
    for basis in dict.fromkeys(b for v in villages for b in v.figures):
        names = dict.fromkeys(n for v in villages for n in v.figures.get(basis, {}))
        figures[basis] = {
            name: _sum_figures(
                [v.figures[basis][name] for v in villages if name in v.figures.get(basis, {})]
            )
            for name in names
        }
    first = villages[0]
    return DataRow(area, first.cell, figures, refined=first.refined, checked=True)


# ---------------------------------------------------------------- groups


@cache
def _code_pattern() -> re.Pattern[str]:
    least = int(synonyms()["area"]["code_min_digits"])
    return re.compile(r"^\d{" + str(least) + r",}$")


def is_division_code(value: object) -> bool:
    """A division code: digits only, at least `code_min_digits` of them (`09007`, `0900701`)."""
    text = str(value).strip() if value is not None else ""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    return bool(_code_pattern().match(text))


def _level(code: str) -> tuple[int, int]:
    """How fine a code is: longer is finer; of one length, fewer trailing pairs of zeros is
    finer (`130100` above `130102`, `68000` above `6800100`)."""
    zeros = len(code) - len(code.rstrip("0"))
    return (len(code), -(zeros // 2))


def _contains(group: str, member: str) -> bool:
    """`member` lies inside `group`: it starts with the group's code less its trailing zero
    pairs, and is finer."""
    stem = group
    while stem.endswith("00") and len(stem) > 2:
        stem = stem[:-2]
    return member.startswith(stem) and _level(member) > _level(group)


def find_groups(rows: list[DataRow]) -> dict[int, list[int]]:
    """Group rows and their members (indexes into rows): a row whose division code contains
    the codes of the rows after it (a county `09007` above its townships `0900701` …), or, with
    no codes, whose name (a county's, a city's: 县 市 区 旗 州 盟 省) begins the names of at
    least two rows right after it (`連江縣` above `連江縣南竿鄉`); a group label above the rows it groups (`市辖区` above the districts of its
    city). Members are the rows that are not groups themselves."""
    groups: dict[int, list[int]] = {}
    coded = all(row.code for row in rows) and len(rows) > 1
    labelled = {normalise_label(k): v for k, v in synonyms()["area"]["group_labels"].items()}
    suffixes = set(synonyms()["area"]["county_suffixes"]) | {"州", "盟", "省"}
    for i, row in enumerate(rows[:-1]):
        suffix = labelled.get(normalise_label(row.area))
        if suffix:  # 市辖区 above the districts (区) of its city
            members: list[int] = []
            for j in range(i + 1, len(rows)):
                if not simplified(rows[j].area).endswith(suffix):
                    break
                members.append(j)
            if members:
                groups[i] = members
                continue
        members = []
        for j in range(i + 1, len(rows)):
            other = rows[j]
            if coded:
                inside = _contains(row.code, other.code)
            else:
                inside = (
                    len(other.area) > len(row.area)
                    and other.area.startswith(row.area)
                    and simplified(row.area)[-1:] in suffixes
                )
            if not inside:
                break
            members.append(j)
        if (coded and members) or len(members) >= 2:
            groups[i] = members
    return {g: [m for m in ms if m not in groups] for g, ms in groups.items()}


def check_group(group: DataRow, members: list[DataRow], file: str, sheet: str) -> list[Finding]:
    """A group row (a county above its townships) equals the sum of its members, field by
    field, basis by basis: an acceptable error, as the total row's."""
    findings: list[Finding] = []
    for basis, figures in group.figures.items():
        areas = [(m.area, m.figures.get(basis, {})) for m in members]
        findings += check_total(figures, group.area, areas, file=file, sheet=sheet, scope="group")
    return findings


def split_groups(rows: list[DataRow], file: str, sheet: str) -> tuple[list[DataRow], list[Finding]]:
    """The member rows (each with its group as parent), and a finding for each group that
    does not equal the sum of its members."""
    groups = find_groups(rows)
    findings: list[Finding] = []
    for g, members in groups.items():
        for m in members:
            rows[m].parent = rows[m].parent or rows[g].area
        findings += check_group(rows[g], [rows[m] for m in members], file, sheet)
    return [row for i, row in enumerate(rows) if i not in groups], findings


# ---------------------------------------------------------------- the total row


def adds_up(parts: list[DataRow], whole: DataRow) -> bool:
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


def total_by_sum(rows: list[DataRow]) -> int | None:
    """The first (or else the last) row when it reports every field the others do and equals
    their sum, not zero, over at least `total_by_sum_min_rows` others: the total row, whatever
    its label (`china` above the provinces)."""
    least = int(synonyms()["area"]["total_by_sum_min_rows"])
    if len(rows) - 1 < least:
        return None
    for i in (0, len(rows) - 1):
        row, others = rows[i], rows[:i] + rows[i + 1 :]
        names = {(b, n) for r in others for b, fig in r.figures.items() for n in fig}
        mine = {(b, n) for b, fig in row.figures.items() for n in fig}
        if not names or names != mine:
            continue
        if all(f.value == 0 for fig in row.figures.values() for f in fig.values()):
            continue
        if adds_up(others, row):
            return i
    return None


def total_note(row: DataRow, file: str, sheet: str) -> Finding:
    ref = CellRef(cell=row.cell, value=row.area, label=row.area, sheet=sheet, area=row.area)
    shown = [render_figure(f) for fig in row.figures.values() for f in fig.values()][:1]
    return finding(
        "load.total_by_sum",
        file=file,
        sheet=sheet,
        cells=(ref,),
        params={"area": row.area, "figure": shown[0] if shown else ""},
    )


def village_note(townships: int, villages: int, cell: str, file: str, sheet: str) -> Finding:
    return finding(
        "load.villages_summed",
        file=file,
        sheet=sheet,
        cells=(CellRef(cell=cell, sheet=sheet),),
        params={"villages": villages, "townships": townships},
    )
