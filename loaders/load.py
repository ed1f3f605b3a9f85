"""The loader's public entry point: bytes of one report file → LoadResult (values and findings).

`load` reads the file through the guarded reader (loaders/sandbox.py, a child process) and
hands its grids to `load_grids`, which does the rest: each sheet's table, the county, each
sheet's period and basis, and the tidy values frame.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from loaders.guard import check_names
from loaders.period import Period, find_period, parse_period_option
from loaders.table import SheetResult, find_county, header_without_area, parse_sheet
from loaders.types import VALUE_COLUMNS, CellRef, Finding, Grid, LoadResult, finding
from zhibiao.config import Settings, load_settings
from zhibiao.fields import in_catalog_order
from zhibiao.text import clean_file_name, quoted
from zhibiao.vocabulary import BASES

TEXT_KINDS = ("csv", "html")
#: Findings about one cell each that are grouped into one finding (all their cells) when a
#: column (or a sheet, for blank rows) holds at least GROUP_FROM of them.
GROUPED_CODES = (
    "load.not_a_number",
    "load.negative_value",
    "load.fractional_count",
    "load.formula_no_value",
    "load.derived_formula_no_value",
    "load.derived_not_number",
    "load.unit_mismatch",
    "load.blank_row_skipped",
)
GROUP_FROM = 4


def load(
    data: bytes,
    filename: str,
    *,
    period: str | None = None,
    basis: str | None = None,
    accept_inconsistent: bool = False,
    settings: Settings | None = None,
) -> LoadResult:
    """Read one report file and make of it a tidy values frame with its findings.

    period (`YYYY-MM`) and basis (`ytd`/`month`) override what the file says, with a warning
    where they contradict it. accept_inconsistent: the analyst accepts consistency violations.
    `ok` on the result means no blocking error and some values.
    """
    from loaders.sandbox import read_workbook

    settings = settings or load_settings()
    filename = clean_file_name(filename)
    sha256 = hashlib.sha256(data).hexdigest()
    if check_names(filename, []):
        return load_grids([], filename, sha256=sha256)  # refused before anything is read
    read = read_workbook(data, filename, settings.limits)
    return load_grids(
        read.grids,
        filename,
        kind=read.kind,
        reader_findings=list(read.findings),
        sha256=sha256,
        period=period,
        basis=basis,
        accept_inconsistent=accept_inconsistent,
        settings=settings,
    )


@dataclass
class _Sheet:
    result: SheetResult
    found: Period
    period: str | None = None
    basis: str = "ytd"


def _options(period: str | None, basis: str | None, file: str) -> tuple[str | None, list[Finding]]:
    findings: list[Finding] = []
    parsed = None
    if period is not None:
        parsed = parse_period_option(period)
        if parsed is None:
            findings.append(finding("load.bad_period_option", file=file, params={"value": period}))
    if basis is not None and basis not in BASES:
        findings.append(finding("load.bad_basis_option", file=file, params={"value": basis}))
    return parsed, findings


def _stem(filename: str) -> str:
    return os.path.splitext(os.path.basename(filename))[0]


def read_sheets(
    grids: list[Grid], file: str, county: str | None, kind: str = ""
) -> tuple[list[SheetResult], list[Finding]]:
    """Each sheet's table; a sheet without one is skipped with a note (or refused, when it has
    field labels but no area column). Hidden sheets (often an older report kept out of
    sight) are skipped with a note, unless no visible sheet holds a table."""
    visible = [g for g in grids if not g.hidden]
    results, findings = _read_each(visible, file, county, kind)
    hidden = [g for g in grids if g.hidden]
    if hidden and not results:
        more, found = _read_each(hidden, file, county, kind)
        return more, findings + found
    findings += [
        finding("load.hidden_sheet_skipped", file=file, sheet=g.name or None) for g in hidden
    ]
    return results, findings


def _read_each(
    grids: list[Grid], file: str, county: str | None, kind: str
) -> tuple[list[SheetResult], list[Finding]]:
    results: list[SheetResult] = []
    findings: list[Finding] = []
    for grid in grids:
        result = parse_sheet(grid, file=file, county=county, text_cells=kind in TEXT_KINDS)
        if result is not None:
            results.append(result)
            findings += result.findings
            continue
        missing_area = header_without_area(grid, file)
        if missing_area is not None:
            findings.append(missing_area)
        else:
            findings.append(finding("load.sheet_skipped", file=file, sheet=grid.name or None))
    return results, findings


def _contradiction(
    what: str, given: str, found: str | None, source: str, file: str, sheet: str | None
) -> list[Finding]:
    """A warning when the file names another `what` (period, basis) than the one given."""
    if not found or found == given:
        return []
    return [
        finding(
            f"load.{what}_contradiction",
            file=file,
            sheet=sheet,
            params={"given": given, "found": found, "source": source},
        )
    ]


def assign_periods(
    sheets: list[SheetResult],
    file: str,
    *,
    period: str | None,
    basis: str | None,
    year_start_month: int,
) -> tuple[list[_Sheet], list[Finding]]:
    """Each sheet's period and basis; one sheet per month makes each a month of its own."""
    findings: list[Finding] = []
    out = [
        _Sheet(s, s.column_period or find_period([*s.preamble, s.sheet, _stem(file)]))
        for s in sheets
    ]
    months = {s.found.period for s in out if s.found.period}
    default_basis = "month" if len(out) > 1 and len(months) > 1 else "ytd"
    for s in out:
        sheet = s.result.sheet or None
        s.period = s.found.period
        s.basis = s.found.basis or default_basis
        if period is not None:
            findings += _contradiction(
                "period", period, s.found.period, s.found.source, file, sheet
            )
            s.period = period
        if basis is not None:
            findings += _contradiction("basis", basis, s.found.basis, s.found.source, file, sheet)
            s.basis = basis
        if s.period is None and not s.result.out_of_scope:
            findings.append(
                finding(
                    "load.no_period", file=file, sheet=sheet, params={"sheet_name": s.result.sheet}
                )
            )
        start = s.found.range_start
        if s.basis == "ytd" and start is not None and start != year_start_month and period is None:
            findings.append(
                finding(
                    "load.ytd_start_mismatch",
                    file=file,
                    sheet=sheet,
                    params={
                        "start": start,
                        "year_start": year_start_month,
                        "source": s.found.source,
                    },
                )
            )
    return out, findings


def values_frame(sheets: list[_Sheet]) -> pd.DataFrame:
    """The tidy frame (VALUE_COLUMNS) of every sheet that has a period, built a column at a
    time from the records (no object per value)."""
    columns: dict[str, list[Any]] = {name: [] for name in VALUE_COLUMNS}
    for s in sheets:
        if not s.period:
            continue
        records = s.result.records
        columns["area"] += [r.area for r in records]
        columns["is_total"] += [r.is_total for r in records]
        columns["period"] += [s.period] * len(records)
        columns["basis"] += [r.basis or s.basis for r in records]
        columns["field"] += [r.field for r in records]
        columns["value"] += [float(r.value) for r in records]
        columns["sheet"] += [s.result.sheet] * len(records)
        columns["cell"] += [r.cell for r in records]
        columns["row"] += [r.row for r in records]
    frame = pd.DataFrame(columns, columns=VALUE_COLUMNS)
    return frame.astype(
        {
            "area": str,
            "is_total": bool,
            "period": str,
            "basis": str,
            "field": str,
            "value": float,
            "sheet": str,
            "cell": str,
            "row": int,
        }
    )


def duplicate_periods(values: pd.DataFrame, file: str) -> list[Finding]:
    """The same area, period, basis and field reported on two sheets (twice on one sheet is
    a duplicate area, found by the sheet itself)."""
    findings: list[Finding] = []
    keys = ["area", "period", "basis", "field"]
    dup = values[values.duplicated(keys, keep=False) & (values["cell"] != "")]
    for (area, period, basis, field), group in dup.groupby(keys, sort=False):
        cells = tuple(
            CellRef(
                cell=r.cell,
                value=r.value,
                label=field,
                sheet=r.sheet or None,
                area=area,
                field=field,
            )
            for r in group.itertuples(index=False)
        )
        if len(cells) > 1 and group["sheet"].nunique() > 1:
            findings.append(
                finding(
                    "load.duplicate_period",
                    file=file,
                    sheet=cells[0].sheet,
                    cells=cells,
                    params={"area": area, "period": period, "basis": basis, "field": field},
                    period=period,
                    basis=basis,
                )
            )
    return findings


def group_repeated(findings: list[Finding]) -> list[Finding]:
    """Findings of one code about the cells of one column (`I8`, `I9`, `I10` … not a number)
    as one finding naming all their cells, with the first one's params and their count."""
    keyed: dict[tuple[str, str, str | None, str], list[Finding]] = {}
    for f in findings:
        if f.code in GROUPED_CODES:
            key = (f.severity, f.code, f.sheet, str(f.params.get("label", "")))
            keyed.setdefault(key, []).append(f)
    out: list[Finding] = []
    done: set[int] = set()
    for f in findings:
        key = (f.severity, f.code, f.sheet, str(f.params.get("label", "")))
        group = keyed.get(key, []) if f.code in GROUPED_CODES else []
        if len(group) < GROUP_FROM:
            out.append(f)
            continue
        if id(group[0]) in done:
            continue
        done.add(id(group[0]))
        first = group[0]
        out.append(
            replace(
                first,
                cells=tuple(c for g in group for c in g.cells),
                params={**first.params, "count": len(group), "grouped": True},
            )
        )
    return out


def load_grids(
    grids: list[Grid],
    filename: str,
    *,
    kind: str = "",
    reader_findings: list[Finding] | None = None,
    sha256: str = "",
    period: str | None = None,
    basis: str | None = None,
    accept_inconsistent: bool = False,
    settings: Settings | None = None,
) -> LoadResult:
    """The grids of one file (as the reader made them) → LoadResult."""
    settings = settings or load_settings()
    file = clean_file_name(filename)
    findings = list(reader_findings or [])
    refused = check_names(file, grids)
    if refused:
        # Nothing is parsed under a name the store cannot keep.
        return LoadResult(quoted(file), sha256, values_frame([]), findings + refused, kind=kind)
    period, found = _options(period, basis, file)
    findings += found
    file_county = find_county([_stem(file)])
    sheets, found = read_sheets(grids, file, file_county, kind) if grids else ([], [])
    findings += found
    blocked = any(f.severity == "error" for f in findings)
    if not sheets and not blocked:
        findings.append(finding("load.no_header", file=file))
    placed, found = assign_periods(
        sheets, file, period=period, basis=basis, year_start_month=settings.year_start_month
    )
    findings += found
    values = values_frame(placed)
    findings += duplicate_periods(values, file)
    findings = group_repeated(findings)
    for f in findings:
        if f.period is None and f.sheet is not None:
            s = next((p for p in placed if (p.result.sheet or None) == f.sheet), None)
            if s is not None:
                f.period, f.basis = s.period, s.basis
    county = next((s.county for s in sheets if s.county), None) or settings.county
    return LoadResult(
        file=file,
        sha256=sha256,
        values=values,
        findings=findings,
        county=county,
        kind=kind,
        periods=sorted(values["period"].unique()),
        bases=sorted(values["basis"].unique()),
        fields=in_catalog_order(values["field"].unique()),
        accepted=accept_inconsistent,
        parents={
            r.area: r.parent for s in placed if s.period for r in s.result.records if r.parent
        },
    )
