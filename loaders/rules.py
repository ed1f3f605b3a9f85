"""Validation rules as data (data/rules.toml): derive block totals, check rows, totals and ratios.

A row is a dict field → Figure (the value with its cell and label). Rules apply only where all
their fields are present in that row. Every finding names each cell on both sides with its value.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from loaders.types import CellRef, Finding, finding
from zhibiao.datafiles import data_text
from zhibiao.fields import field_catalog

_TERM = re.compile(r"([+-])?\s*([a-z_0-9]+)")


@dataclass(frozen=True)
class Figure:
    """One value of a row: its number (万元 for amounts), cell ('' if derived) and label.

    formula: for a derived value, how it was made from cells (`E6+F6`), for messages only;
    rule: the rule that derived it.
    """

    value: float
    cell: str
    label: str
    formula: str = ""
    rule: str = ""
    parts: tuple[Figure, ...] = ()
    field: str = ""
    #: an amount the file gave in 元: its own figure (`999999 元`), shown beside the 万元
    shown: str = ""

    def leaves(self) -> list[Figure]:
        """The reported figures (with a cell) this one stands on: itself, or its parts'."""
        if self.cell:
            return [self]
        return [leaf for part in self.parts for leaf in part.leaves()]

    @property
    def where(self) -> str:
        return self.cell or (f"({self.formula})" if self.formula else "")


Row = dict[str, Figure]


@dataclass(frozen=True)
class Rule:
    id: str
    left: tuple[tuple[int, str], ...]
    operator: str
    right: tuple[tuple[int, str], ...]
    scope: str
    code: str
    derive: bool = False
    fields: frozenset[str] = frozenset()
    tolerance: float = 0.0


@dataclass(frozen=True)
class Ratio:
    field: str
    numerator: tuple[tuple[int, str], ...]
    denominator: tuple[tuple[int, str], ...]
    factor: float


def parse_expression(text: str) -> tuple[tuple[int, str], ...]:
    """`births_male + births_female - x` → ((1, births_male), (1, births_female), (-1, x))."""
    terms = []
    for sign, name in _TERM.findall(text):
        terms.append((-1 if sign == "-" else 1, name))
    return tuple(terms)


@cache
def _rules_file() -> dict[str, Any]:
    text = data_text("rules.toml")
    return tomllib.loads(text)


def is_amount(field: str) -> bool:
    return field_catalog().get(field, {}).get("kind") == "amount"


def is_flow(field: str) -> bool:
    return bool(field_catalog().get(field, {}).get("flow", True))


@cache
def load_rules() -> tuple[Rule, ...]:
    """The validation rules of data/rules.toml."""
    rules = []
    for raw in _rules_file()["rule"]:
        left = parse_expression(raw.get("left", ""))
        right = parse_expression(raw.get("right", ""))
        fields = frozenset(f for _, f in left + right)
        rules.append(
            Rule(
                id=raw["id"],
                left=left,
                operator=raw["operator"],
                right=right,
                scope=raw.get("scope", "row"),
                code=raw["code"],
                derive=bool(raw.get("derive", False)),
                fields=fields,
                tolerance=tolerance(set(fields)),
            )
        )
    return tuple(rules)


@cache
def load_ratios() -> tuple[Ratio, ...]:
    return tuple(
        Ratio(
            r["field"],
            parse_expression(r["numerator"]),
            parse_expression(r["denominator"]),
            float(r["factor"]),
        )
        for r in _rules_file().get("ratio", [])
    )


def tolerance(fields: set[str]) -> float:
    """Amounts within the amount tolerance (万元); counts exactly (up to float noise)."""
    tol = _rules_file()["tolerance"]
    if any(is_amount(f) for f in fields):
        return float(tol["amount"]) + 1e-9
    return float(tol["count"]) + 1e-9


def _sum(terms: tuple[tuple[int, str], ...], row: Row) -> float:
    return sum(sign * row[name].value for sign, name in terms)


def _holds(left: float, operator: str, right: float, tol: float) -> bool:
    if operator == "==":
        return abs(left - right) <= tol
    if operator == "<=":
        return left <= right + tol
    if operator == ">=":
        return left >= right - tol
    raise ValueError(operator)


def deriving_rules() -> list[Rule]:
    """The row rules that make a missing block total from its parts, in the catalog's order."""
    return [r for r in load_rules() if r.derive and r.scope == "row" and len(r.left) == 1]


def derive_totals(row: Row) -> Row:
    """Fill each missing block total from its parts (rules with `derive`), to a fixed point."""
    row = dict(row)
    changed = True
    while changed:
        changed = False
        for rule in deriving_rules():
            target = rule.left[0][1]
            if target in row or not all(name in row for _, name in rule.right):
                continue
            formula = "".join(
                ("+" if sign > 0 else "-") + (row[name].where or name) for sign, name in rule.right
            ).lstrip("+")
            parts = tuple(row[name] for _, name in rule.right)
            row[target] = Figure(
                _sum(rule.right, row), "", row_label(target), formula, rule.id, parts, target
            )
            changed = True
    return row


# ---------------------------------------------------------------------------- many rows at once


@dataclass
class Block:
    """The figures of many rows (one basis) as columns: field → value per row, NaN where a row
    lacks the field. The same arithmetic as the row functions, in the same order, so a rule
    holds for a row here exactly when it holds there."""

    size: int
    columns: dict[str, np.ndarray]

    @classmethod
    def of(cls, rows: list[Row]) -> Block:
        names = list(dict.fromkeys(name for row in rows for name in row))
        columns = {}
        for name in names:
            column = np.full(len(rows), np.nan)
            for i, row in enumerate(rows):
                fig = row.get(name)
                if fig is not None:
                    column[i] = fig.value
            columns[name] = column
        return cls(len(rows), columns)

    def present(self, name: str) -> np.ndarray:
        column = self.columns.get(name)
        return np.zeros(self.size, dtype=bool) if column is None else ~np.isnan(column)

    def total(self, terms: tuple[tuple[int, str], ...]) -> np.ndarray:
        """`_sum` of every row (NaN where a term is missing)."""
        acc: Any = 0
        for sign, name in terms:
            acc = acc + sign * self.columns.get(name, np.full(self.size, np.nan))
        return np.asarray(acc, dtype=float) * np.ones(self.size)


def derive_block(block: Block) -> list[tuple[str, str, np.ndarray]]:
    """`derive_totals` of every row at once: fills the block's missing block totals from their
    parts, to a fixed point; returns (rule id, target, rows it filled) in the order they fired
    (each row's derived fields come in this order, as in `derive_totals`)."""
    fired: list[tuple[str, str, np.ndarray]] = []
    changed = True
    while changed:
        changed = False
        for rule in deriving_rules():
            target = rule.left[0][1]
            fill = ~block.present(target)
            for _, name in rule.right:
                fill &= block.present(name)
            if not fill.any():
                continue
            column = block.columns.setdefault(target, np.full(block.size, np.nan))
            column[fill] = block.total(rule.right)[fill]
            fired.append((rule.id, target, fill))
            changed = True
    return fired


def rows_breaking_rules(block: Block, fired: list[tuple[str, str, np.ndarray]]) -> np.ndarray:
    """The rows (after `derive_block`) where some row rule does not hold: the only rows
    `check_row` can find anything in."""
    made: dict[tuple[str, str], np.ndarray] = {}
    for rule_id, target, mask in fired:
        key = (rule_id, target)
        made[key] = made[key] | mask if key in made else mask
    broken = np.zeros(block.size, dtype=bool)
    for rule in load_rules():
        if rule.scope != "row":
            continue
        applies = np.ones(block.size, dtype=bool)
        for name in rule.fields:
            applies &= block.present(name)
        if rule.derive:
            by_rule = made.get((rule.id, rule.left[0][1]))
            if by_rule is not None:
                applies &= ~by_rule
        if not applies.any():
            continue
        left, right = block.total(rule.left), block.total(rule.right)
        broken |= applies & ~_holds_all(left, rule.operator, right, rule.tolerance)
    return broken


def _holds_all(left: np.ndarray, operator: str, right: np.ndarray, tol: float) -> np.ndarray:
    """`_holds` of every row (NaN rows count as holding: the rule does not apply there)."""
    with np.errstate(invalid="ignore"):
        if operator == "==":
            out = np.abs(left - right) <= tol
        elif operator == "<=":
            out = left <= right + tol
        elif operator == ">=":
            out = left >= right - tol
        else:
            raise ValueError(operator)
    return out | np.isnan(left) | np.isnan(right)


def rows_breaking_ratios(block: Block, shown: list[dict[str, tuple[float, int, str, str]]]):
    """The rows whose shown ratio disagrees with their counts: the only rows `check_ratio` can
    find anything in."""
    broken = np.zeros(block.size, dtype=bool)
    for ratio in load_ratios():
        rows = [i for i, mine in enumerate(shown) if ratio.field in mine]
        if not rows:
            continue
        at = np.array(rows)
        value = np.array([shown[i][ratio.field][0] for i in rows], dtype=float)
        decimals = np.array([shown[i][ratio.field][1] for i in rows], dtype=float)
        num = block.total(ratio.numerator)[at]
        den = block.total(ratio.denominator)[at]
        with np.errstate(divide="ignore", invalid="ignore"):
            computed = ratio.factor * num / den
        # a hair inside `check_ratio`'s bound: a row on the edge is checked one by one
        half = (0.5 * 10**-decimals + 1e-9) * (1 - 1e-9)
        agree = (np.abs(value - computed) <= half) | (
            np.abs(value * ratio.factor - computed) <= half * ratio.factor
        )
        skip = np.isnan(num) | np.isnan(den) | (den == 0)
        broken[at[~skip & ~agree]] = True
    return broken


def total_holds(total: Row, block: Block, areas: np.ndarray) -> bool:
    """Whether `check_total` finds nothing: every reported field of the total row equals the
    sum of the areas' (the rows `areas` marks), each summed in row order as it does."""
    for rule in load_rules():
        if rule.scope != "total":
            continue
        for name, fig in total.items():
            column = block.columns.get(name)
            if not fig.cell or column is None or np.isnan(column[areas]).any():
                continue
            parts = column[areas]
            summed = float(np.add.accumulate(parts)[-1]) if parts.size else 0
            if not _holds(fig.value, rule.operator, summed, tolerance({name})):
                return False
    return True


def row_label(field: str) -> str:
    """A derived value's label: the field's Chinese name (the workbook's own wording)."""
    return str(field_catalog().get(field, {}).get("zh", field))


def render_figure(fig: Figure) -> str:
    """`B7 出生人数 420`: cell (or derivation), label, value; an amount with its unit, and the
    file's own figure first when it was given in 元 (`S9 已征金额 999999 元（99.9999 万元）`)."""
    parts = [p for p in (fig.where, fig.label, amount_text(fig.value, fig.field, fig.shown)) if p]
    return " ".join(parts)


def amount_text(value: float, field: str, shown: str = "") -> str:
    """A value as a message writes it: an amount in 万元 with its unit (after the file's own
    figure when that was in 元), a count as it is."""
    text = format_value(value)
    if not text or not field or not is_amount(field):
        return text
    return f"{shown}（{text} 万元）" if shown else f"{text} 万元"


def format_value(value: Any) -> str:
    """420.0 → `420`; 11.7795 → `11.7795`; text as it is."""
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return "" if value is None else str(value)


def _render_side(terms: tuple[tuple[int, str], ...], row: Row) -> str:
    out = ""
    for i, (sign, name) in enumerate(terms):
        text = render_figure(row[name])
        if i == 0:
            out = text if sign > 0 else f"− {text}"
        else:
            out += f" {'+' if sign > 0 else '−'} {text}"
    return out


_NEGATED = {"==": "≠", "<=": ">", ">=": "<"}


def figure_ref(
    fig: Figure, *, sheet: str | None, area: str, field: str, label: str | None = None
) -> CellRef:
    """The cell a figure was read from, with its value and label (or the label given)."""
    return CellRef(
        cell=fig.cell,
        value=fig.value,
        label=fig.label if label is None else label,
        sheet=sheet,
        area=area,
        field=fig.field or field,
    )


def _cell_refs(
    terms: tuple[tuple[int, str], ...], row: Row, sheet: str | None, area: str
) -> list[CellRef]:
    return [
        figure_ref(leaf, sheet=sheet, area=area, field=n)
        for _, n in terms
        for leaf in row[n].leaves()
    ]


def _broken(
    rule: Rule,
    file: str,
    sheet: str | None,
    cells: list[CellRef],
    area: str,
    left: str,
    right: str,
    **extra: str,
) -> Finding:
    """The error of a rule that does not hold: its sides as written, then any extra values."""
    return finding(
        rule.code,
        file=file,
        sheet=sheet,
        cells=tuple(cells),
        params={"area": area, "left": left, "right": right, **extra, "op": _NEGATED[rule.operator]},
        rule=rule.id,
    )


def check_row(row: Row, *, file: str, sheet: str | None, area: str) -> list[Finding]:
    """Every row rule whose fields are all present; a rule that made a value is not re-checked."""
    findings: list[Finding] = []
    for rule in load_rules():
        if rule.scope != "row" or not rule.fields <= row.keys():
            continue
        if rule.derive and row[rule.left[0][1]].rule == rule.id:
            continue
        left, right = _sum(rule.left, row), _sum(rule.right, row)
        if _holds(left, rule.operator, right, rule.tolerance):
            continue
        cells = _cell_refs(rule.left, row, sheet, area) + _cell_refs(rule.right, row, sheet, area)
        left_text, right_text = _render_side(rule.left, row), _render_side(rule.right, row)
        # the right side's sum when it has several terms (`C7 男 80 + D7 女 70 = 150`)
        summed = ""
        if len(rule.right) > 1:
            summed = f" = {amount_text(right, rule.right[0][1])}"
        findings.append(
            _broken(rule, file, sheet, cells, area, left_text, right_text, right_sum=summed)
        )
    return findings


#: A sum of more parts than this is written with its first and last ones only.
_PARTS_SHOWN = 10


def sum_text(parts: list[str]) -> str:
    """`a + b + c`; past _PARTS_SHOWN parts `a + b + c + … + z` (the cells stay listed on the
    finding)."""
    if len(parts) <= _PARTS_SHOWN:
        return " + ".join(parts)
    return " + ".join([*parts[:3], "…", parts[-1]])


def check_total(
    total: Row,
    total_area: str,
    areas: list[tuple[str, Row]],
    *,
    file: str,
    sheet: str | None,
    scope: str = "total",
) -> list[Finding]:
    """The total row equals the sum of the areas, for every reported field of the total row
    (scope `group`: a group row, a county above its townships, the sum of its members)."""
    findings: list[Finding] = []
    for rule in load_rules():
        if rule.scope != scope:
            continue
        for name, fig in total.items():
            if not fig.cell or not all(name in r for _, r in areas):
                continue
            parts = [(a, r[name]) for a, r in areas]
            summed = sum(p.value for _, p in parts)
            if _holds(fig.value, rule.operator, summed, tolerance({name})):
                continue
            right = sum_text(
                [" ".join(x for x in (p.where, a, format_value(p.value)) if x) for a, p in parts]
            )
            cells = [replace(figure_ref(fig, sheet=sheet, area=total_area, field=name), field=name)]
            cells += [
                figure_ref(leaf, sheet=sheet, area=a, field=name, label=a)
                for a, p in parts
                for leaf in p.leaves()
            ]
            left = render_figure(fig)
            total_sum = format_value(float(summed))
            findings.append(
                _broken(rule, file, sheet, cells, total_area, left, right, sum=total_sum)
            )
    return findings


def check_ratio(
    row: Row,
    shown: dict[str, tuple[float, int, str, str]],
    *,
    file: str,
    sheet: str | None,
    area: str,
) -> list[Finding]:
    """A ratio column (性别比, 符合率) against the counts of its row: a warning when they differ.

    shown: ratio field → (value, decimals shown, cell, label). Agreement within half a unit of
    the last shown decimal, on the percentage or the fraction scale.
    """
    findings: list[Finding] = []
    for ratio in load_ratios():
        if ratio.field not in shown:
            continue
        names = {n for _, n in ratio.numerator + ratio.denominator}
        if not names <= set(row):
            continue
        denominator = _sum(ratio.denominator, row)
        if denominator == 0:
            continue
        computed = ratio.factor * _sum(ratio.numerator, row) / denominator
        value, decimals, cell, label = shown[ratio.field]
        half = 0.5 * 10 ** (-decimals) + 1e-9
        if (
            abs(value - computed) <= half
            or abs(value * ratio.factor - computed) <= half * ratio.factor
        ):
            continue
        counts = [
            figure_ref(leaf, sheet=sheet, area=area, field=n)
            for n in sorted(names)
            for leaf in row[n].leaves()
        ]
        findings.append(
            finding(
                "load.derived_mismatch",
                file=file,
                sheet=sheet,
                cells=(
                    CellRef(
                        cell=cell,
                        value=value,
                        label=label,
                        sheet=sheet,
                        area=area,
                        field=ratio.field,
                    ),
                    *counts,
                ),
                params={
                    "area": area,
                    "left": " ".join((cell, label, format_value(value))),
                    "computed": f"{computed:.{max(decimals, 2)}f}",
                    "counts": ", ".join(render_figure(row[n]) for n in sorted(names)),
                },
                rule=ratio.field,
            )
        )
    return findings


def _statistical_year(period: str, year_start_month: int) -> int:
    year, month = int(period[:4]), int(period[5:7])
    return year if month >= year_start_month else year - 1


def _previous_month(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def check_ytd_not_shrinking(
    new: pd.DataFrame,
    previous: pd.DataFrame,
    *,
    year_start_month: int = 1,
    file: str = "",
) -> list[Finding]:
    """A year-to-date figure smaller than the month before's (same area, field, statistical year).

    new and previous are values frames (VALUE_COLUMNS); previous holds the latest stored values
    of the month before. Only ytd rows of flow fields count; the first month of a statistical
    year starts again from zero. Pure: the store or CLI calls it with what it keeps. Every row
    at once: the month before is matched by one join, the rules by field and by period are
    looked up once per name.
    """
    if new.empty or previous.empty:
        return []
    rows = new[new["basis"] == "ytd"]
    flows = {f: is_flow(f) for f in pd.unique(rows["field"].astype(str))}
    rows = rows[rows["field"].astype(str).map(flows).to_numpy(dtype=bool)]
    periods = {p: _previous_month(p) for p in pd.unique(rows["period"].astype(str))}
    same_year = {
        p: _statistical_year(b, year_start_month) == _statistical_year(p, year_start_month)
        for p, b in periods.items()
    }
    rows = rows[rows["period"].astype(str).map(same_year).to_numpy(dtype=bool)]
    if rows.empty:
        return []
    keys = pd.DataFrame(
        {
            "area": rows["area"].astype(str).to_numpy(),
            "period": rows["period"].astype(str).map(periods).to_numpy(),
            "field": rows["field"].astype(str).to_numpy(),
        }
    )
    prev = previous[previous["basis"] == "ytd"]
    old = pd.DataFrame(
        {
            "area": prev["area"].astype(str).to_numpy(),
            "period": prev["period"].astype(str).to_numpy(),
            "field": prev["field"].astype(str).to_numpy(),
            "old": prev["value"].to_numpy(dtype=float),
        }
    ).drop_duplicates(["area", "period", "field"], keep="last")
    matched = keys.merge(old, on=["area", "period", "field"], how="left")["old"].to_numpy()
    tol = keys["field"].map({f: tolerance({f}) for f in flows}).to_numpy(dtype=float)
    value = rows["value"].to_numpy(dtype=float)
    shrinking = ~np.isnan(matched) & ~(value >= matched - tol)
    return [
        _shrinking(r, float(o), periods[str(r.period)], file)
        for r, o in zip(rows[shrinking].itertuples(index=False), matched[shrinking], strict=True)
    ]


def _shrinking(r: Any, old: float, before: str, file: str) -> Finding:
    """The acceptable error of one year-to-date figure smaller than the month before's."""
    return finding(
        "load.ytd_shrinking",
        file=file,
        sheet=r.sheet or None,
        cells=(
            CellRef(
                cell=r.cell,
                value=r.value,
                label=row_label(r.field),
                sheet=r.sheet or None,
                area=r.area,
                field=r.field,
            ),
        ),
        params={
            "area": r.area,
            "field": row_label(r.field),
            "value": format_value(float(r.value)),
            "previous": format_value(old),
            "previous_period": before,
            "period_value": r.period,
        },
        rule="ytd_not_shrinking",
        period=r.period,
        basis="ytd",
    )


def check_areas_missing(
    new: pd.DataFrame, previous: pd.DataFrame, *, file: str = ""
) -> list[Finding]:
    """An area present in the previous month's stored values but absent from the new file."""
    if new.empty or previous.empty:
        return []
    have = set(new.loc[~new["is_total"], "area"].unique())
    gone = sorted(set(previous.loc[~previous["is_total"], "area"].unique()) - have)
    return [
        finding("load.area_missing", file=file, sheet=None, cells=(), params={"area": a})
        for a in gone
    ]
