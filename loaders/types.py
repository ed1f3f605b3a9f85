"""The loader's contract: the grid a reader makes, findings, and the tidy frame it hands on.

Every other layer depends on these types only, never on how a file was read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any, Literal

import pandas as pd

from zhibiao.datafiles import data_toml

Severity = Literal["error", "warning", "note"]
Basis = Literal["ytd", "month"]

#: Columns of the tidy values frame (one row per reported or derived value).
#: area: str        township name as reported (the total row keeps its label)
#: is_total: bool   the report's own total row (county), kept as a reported figure
#: period: str      'YYYY-MM', the calendar month the figure runs to
#: basis: str       'ytd' (year to date) or 'month' (that month alone)
#: field: str       canonical field (data/fields.toml)
#: value: float     counts as whole numbers, amounts in 万元
#: sheet: str       sheet name ('' for CSV)
#: cell: str        A1 address of the source cell ('' for a derived value)
#: row: int         order of the area in the report (0 = first data row)
VALUE_COLUMNS = ["area", "is_total", "period", "basis", "field", "value", "sheet", "cell", "row"]


@dataclass
class Grid:
    """One sheet as read: a full rectangle from A1 (no leading rows or columns dropped).

    cells[r][c] is str, int, float, bool or None (0-based; A1 is cells[0][0]).
    merges are inclusive 0-based (r0, c0, r1, c1). formulas_without_value lists
    (r, c) of formula cells that carry no cached value (never read as 0). hidden: the
    workbook hides the sheet (read only when no visible sheet holds a table). preamble: text
    the reader found outside the cells (an HTML page's title above its table), read before
    the lines above the header.
    """

    name: str
    cells: list[list[Any]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    formulas_without_value: list[tuple[int, int]] = field(default_factory=list)
    hidden: bool = False
    preamble: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class CellRef:
    """A cell a finding speaks of, with what it held and what it meant."""

    cell: str
    value: Any = None
    label: str = ""
    sheet: str | None = None
    area: str | None = None
    field: str | None = None


@dataclass(kw_only=True)
class Finding:
    """An error, warning or note, as a value; rendered in the user's language at the edge.

    code is a message key under `finding.` in data/messages/<lang>/load.toml or read.toml;
    params fill its placeholders. severity and acceptable (a consistency violation an analyst
    may accept, --accept-inconsistent; anything else that is an error refuses the file) are
    the code's, from data/findings.toml: build one with `finding(code, …)`.
    """

    severity: Severity
    code: str
    file: str
    sheet: str | None = None
    cells: tuple[CellRef, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    rule: str | None = None
    acceptable: bool = False
    period: str | None = None
    basis: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Finding:
        raw = dict(raw)
        raw["cells"] = tuple(CellRef(**c) for c in raw.get("cells", ()))
        return cls(**raw)


@cache
def finding_kinds() -> dict[str, dict[str, Any]]:
    """data/findings.toml flattened: code (`load.sum_mismatch`) → {severity, acceptable}."""
    raw = data_toml("findings.toml")
    return {f"{group}.{code}": spec for group, codes in raw.items() for code, spec in codes.items()}


def finding(
    code: str,
    *,
    file: str,
    sheet: str | None = None,
    cells: tuple[CellRef, ...] = (),
    params: dict[str, Any] | None = None,
    rule: str | None = None,
    period: str | None = None,
    basis: str | None = None,
) -> Finding:
    """A finding of `code`, with the severity and acceptability data/findings.toml gives it
    (KeyError for a code it does not list)."""
    kind = finding_kinds()[code]
    return Finding(
        severity=kind["severity"],
        code=code,
        file=file,
        sheet=sheet,
        cells=tuple(cells),
        params=dict(params or {}),
        rule=rule,
        acceptable=bool(kind.get("acceptable", False)),
        period=period,
        basis=basis,
    )


@dataclass
class LoadResult:
    """What the loader makes of one file."""

    file: str
    sha256: str
    values: pd.DataFrame  # VALUE_COLUMNS
    findings: list[Finding]
    county: str | None = None
    kind: str = ""  # xlsx, xls, csv, html, xml2003
    periods: list[str] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    accepted: bool = False  # the analyst accepted its consistency violations
    #: area → the group row it was reported under (a county above its townships)
    parents: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def blocking(self) -> list[Finding]:
        """Errors that refuse the file: all of them, less the accepted consistency ones."""
        return [f for f in self.errors if not (self.accepted and f.acceptable)]

    @property
    def ok(self) -> bool:
        return not self.blocking and not self.values.empty
