"""The indicator table of a period: figures per area and for the county, previous year, change,
intervals, statuses, ranks, the composite score and the quality notes touching each figure.

Counts are summed first and every ratio computed exactly (Fractions); rounding half up to the
indicator's decimals happens once, at the end. The county figure is Σ numerators / Σ
denominators over its areas (the areas that have the figure), never an average of rates and
never the report's own total row.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd

from zhibiao.config import Settings, load_settings

from .catalog import Catalog, Expr, Indicator, load_catalog
from .columns import INDICATOR_COLUMNS
from .exact import exact_float, round_half_up, rounded_float
from .periods import ValueIndex, periods_needed, previous_year, resolve_period
from .ranks import composite_scores, rank_indicator, rank_interval_table
from .stats import odds_per_hundred, wilson_interval
from .status import Judgement, binomial_counts, judge

Fields = dict[str, Fraction | None]


@cache
def field_flows() -> dict[str, bool]:
    """Canonical field → flow (adds up over months) from data/fields.toml."""
    text = resources.files("zhibiao.data").joinpath("fields.toml").read_text("utf-8")
    return {name: bool(spec.get("flow", True)) for name, spec in tomllib.loads(text).items()}


# ---------------------------------------------------------------------------- field values


def field_lookup(raw: Fields, derived: dict[str, list[Expr]]) -> Callable[[str], Fraction | None]:
    """A lookup of an area's field that falls back to the catalog's derived fields (first
    alternative with a value; an alternative leading back to a field being derived is skipped)."""

    def get(name: str, stack: tuple[str, ...] = ()) -> Fraction | None:
        value = raw.get(name)
        if value is not None:
            return value
        for expr in derived.get(name, []):
            if any(f in stack or f == name for f in expr.fields):
                continue
            value = expr.evaluate(lambda f: get(f, (*stack, name)))
            if value is not None:
                return value
        return None

    return get


def complete_fields(raw: Fields, catalog: Catalog, needed: set[str]) -> Fields:
    """The area's fields with the derived ones filled in where the report left them out."""
    get = field_lookup(raw, catalog.derived)
    names = set(raw) | needed
    return {name: get(name) for name in names}


def merge_aliases(areas: dict[str, Fields], order: dict[str, int], aliases: dict[str, str]):
    """Rename areas by the alias table; several old names merged into one new name add up
    (a field any of them lacks gives the merged area no value for it)."""
    merged: dict[str, Fields] = {}
    merged_order: dict[str, int] = {}
    for area, values in areas.items():
        name = aliases.get(area, area)
        if name not in merged:
            merged[name] = dict(values)
            merged_order[name] = order.get(area, 0)
            continue
        target = merged[name]
        for fld in set(target) | set(values):
            a, b = target.get(fld), values.get(fld)
            target[fld] = None if a is None or b is None else a + b
        merged_order[name] = min(merged_order[name], order.get(area, 0))
    return merged, merged_order


def needed_fields(catalog: Catalog) -> set[str]:
    names: set[str] = set()
    for ind in catalog.indicators:
        names |= catalog.touched_fields(ind)
    return names


def period_fields(
    idx: ValueIndex,
    period: str,
    basis: str,
    catalog: Catalog,
    year_start_month: int,
    needed: set[str] | None = None,
) -> tuple[dict[str, Fields], dict[str, int]]:
    """Each area's complete, alias-merged fields for a period and basis, and the row order."""
    resolved = resolve_period(idx, period, basis, field_flows(), year_start_month)
    needed = needed_fields(catalog) if needed is None else needed
    completed = {a: complete_fields(v, catalog, needed) for a, v in resolved.fields.items()}
    return merge_aliases(completed, resolved.order, catalog.aliases)


# ---------------------------------------------------------------------------- figures


@dataclass
class Figure:
    """One area's (or the county's) figure of one indicator, exact."""

    num: Fraction | None = None
    den: Fraction | None = None
    min_of: Fraction | None = None

    def value(self, ind: Indicator) -> Fraction | None:
        if self.num is None:
            return None
        if not ind.is_rate:
            return self.num * ind.factor
        if self.den is None or self.den == 0:
            return None
        return self.num / self.den * ind.factor


def area_figure(ind: Indicator, values: Fields) -> Figure:
    """Numerator, denominator and grey-count of one area (None where a field is missing)."""

    def lookup(name: str) -> Fraction | None:
        return values.get(name)

    den_expr, min_expr = ind.denominator_expr, ind.min_of_expr
    num = ind.numerator_expr.evaluate(lookup)
    den = den_expr.evaluate(lookup) if den_expr else None
    if den_expr is not None and (num is None or den is None):
        num = den = None
    return Figure(num, den, min_expr.evaluate(lookup) if min_expr else None)


def county_figure(ind: Indicator, figures: list[Figure]) -> Figure:
    """Σ numerators and Σ denominators over the areas that have the figure."""
    have = [f for f in figures if f.num is not None]
    if not have:
        return Figure()
    num = sum((f.num for f in have), Fraction(0))
    den = sum((f.den for f in have), Fraction(0)) if ind.is_rate else None
    mins = [f.min_of for f in have if f.min_of is not None]
    return Figure(num, den, sum(mins, Fraction(0)) if mins else None)


def interval(ind: Indicator, fig: Figure, z: float) -> tuple[float, float]:
    """The Wilson interval of a count-based ratio in the indicator's unit; nan otherwise."""
    x, n = binomial_counts(ind, fig.num, fig.den)
    if ind.interval_kind is None or x is None or n is None or n <= 0 or fig.den == 0:
        return (math.nan, math.nan)
    low, high = wilson_interval(float(x), float(n), z)
    if ind.interval_kind == "odds":
        low = odds_per_hundred(low) * ind.factor / 100
        high = odds_per_hundred(high) * ind.factor / 100
    else:
        low, high = low * ind.factor, high * ind.factor
    return tuple(v if math.isfinite(v) else math.nan for v in (low, high))  # type: ignore[return-value]


# ---------------------------------------------------------------------------- quality


def _note_dict(finding: Any) -> dict:
    return finding.to_dict() if hasattr(finding, "to_dict") else dict(finding)


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v == ""


def quality_notes(
    quality: pd.DataFrame | None,
    period: str,
    basis: str,
    aliases: dict[str, str],
) -> list[tuple[str | None, str | None, dict]]:
    """(area after aliases or None, field or None, note) of the notes of this period and basis."""
    if quality is None or quality.empty:
        return []
    out = []
    for row in quality.to_dict("records"):
        if not _blank(row.get("period")) and str(row["period"]) != period:
            continue
        if not _blank(row.get("basis")) and str(row["basis"]) != basis:
            continue
        area = None if _blank(row.get("area")) else aliases.get(str(row["area"]), str(row["area"]))
        fld = None if _blank(row.get("field")) else str(row["field"])
        out.append((area, fld, _note_dict(row["finding"])))
    return out


def notes_touching(
    notes: list[tuple[str | None, str | None, dict]], area: str | None, fields: set[str]
) -> list[dict]:
    """Notes of the area (any area for the county, area None) on any of the fields, once each."""
    found: list[dict] = []
    for note_area, note_field, note in notes:
        if area is not None and note_area is not None and note_area != area:
            continue
        if note_field is not None and note_field not in fields:
            continue
        if note not in found:
            found.append(note)
    return found


# ---------------------------------------------------------------------------- the table


def available_periods(values: pd.DataFrame) -> list[str]:
    """Periods with data, sorted."""
    if values is None or values.empty:
        return []
    return sorted({str(p) for p in values["period"].dropna().unique()})


def county_name(county: str | None, settings: Settings, catalog: Catalog) -> str:
    """The county total's name: the report's county, else the settings', else 合计."""
    return county or settings.county or str(catalog.setting("total_name"))


@dataclass
class _Row:
    area: str
    is_total: bool
    order: int
    indicator: str
    figure: Figure
    value: Fraction | None
    previous: Fraction | None
    data: dict[str, Any] = field(default_factory=dict)


def _figures(
    ind: Indicator, areas: list[str], fields: dict[str, Fields]
) -> tuple[dict[str, Figure], Figure]:
    per_area = {a: area_figure(ind, fields[a]) if a in fields else Figure() for a in areas}
    return per_area, county_figure(ind, list(per_area.values()))


def compute(
    values: pd.DataFrame,
    period: str,
    basis: str = "ytd",
    *,
    catalog: Catalog | None = None,
    settings: Settings | None = None,
    quality: pd.DataFrame | None = None,
    county: str | None = None,
) -> pd.DataFrame:
    """The indicator table (INDICATOR_COLUMNS) of one period and basis, county first."""
    catalog = catalog or load_catalog()
    settings = settings or load_settings()
    ysm = settings.year_start_month
    idx = ValueIndex(values, periods_needed(period, ysm))
    now, order = period_fields(idx, period, basis, catalog, ysm)
    before, _ = period_fields(idx, previous_year(period), basis, catalog, ysm)
    areas = sorted(now, key=lambda a: (order.get(a, 0), a))
    total = county_name(county, settings, catalog)
    z95 = float(catalog.setting("z95"))
    z998 = float(catalog.setting("z998"))
    notes = quality_notes(quality, period, basis, catalog.aliases)

    records: list[dict[str, Any]] = []
    ranks_by_ind: dict[str, pd.Series] = {}
    for ind in catalog.indicators:
        figs, county_fig = _figures(ind, areas, now)
        prev_figs, county_prev = _figures(ind, areas, before)
        touched = catalog.touched_fields(ind)
        rows: list[dict[str, Any]] = []
        for name, is_total, pos, fig, prev in [(total, True, 0, county_fig, county_prev)] + [
            (a, False, i + 1, figs[a], prev_figs[a]) for i, a in enumerate(areas)
        ]:
            exact = fig.value(ind)
            prev_exact = prev.value(ind)
            rounded = round_half_up(exact, ind.dp)
            low95, high95 = interval(ind, fig, z95)
            low998, high998 = interval(ind, fig, z998)
            verdict: Judgement = judge(ind, rounded, fig.num, fig.den, z95, z998, fig.min_of)
            params = dict(verdict.reason_params)
            if verdict.reason_code and ind.status_rule == "interval":
                params.update({"low95": low95, "high95": high95})
            change = None if exact is None or prev_exact is None else exact - prev_exact
            rows.append(
                {
                    "period": period,
                    "basis": basis,
                    "area": name,
                    "is_total": is_total,
                    "order": pos,
                    "indicator": ind.key,
                    "value": rounded_float(exact, ind.dp),
                    "value_exact": exact_float(exact),
                    "previous": rounded_float(prev_exact, ind.dp),
                    "change": rounded_float(change, ind.dp),
                    "numerator": exact_float(fig.num),
                    "denominator": exact_float(fig.den),
                    "low95": rounded_float(low95, ind.dp),
                    "high95": rounded_float(high95, ind.dp),
                    "low998": rounded_float(low998, ind.dp),
                    "high998": rounded_float(high998, ind.dp),
                    "status": verdict.status,
                    "reason_code": verdict.reason_code,
                    "reason_params": params,
                    "quality": notes_touching(notes, None if is_total else name, touched),
                }
            )
        frame = pd.DataFrame(rows)
        area_part = frame[~frame["is_total"]].set_index("area")
        ranks = rank_indicator(area_part["value"], ind)
        ranks_by_ind[ind.key] = ranks
        intervals = rank_interval_table(
            area_part["numerator"], area_part["denominator"], ind, catalog
        )
        for row in rows:
            if row["is_total"]:
                row["rank"] = row["rank_low"] = row["rank_high"] = pd.NA
            else:
                row["rank"] = ranks.get(row["area"], pd.NA)
                has_rank = not pd.isna(row["rank"])
                row["rank_low"] = intervals.at[row["area"], "rank_low"] if has_rank else pd.NA
                row["rank_high"] = intervals.at[row["area"], "rank_high"] if has_rank else pd.NA
        records.extend(rows)

    records.extend(_composite_rows(catalog, ranks_by_ind, period, basis, total, areas))
    return _table(records, catalog)


def _composite_rows(
    catalog: Catalog,
    ranks_by_ind: dict[str, pd.Series],
    period: str,
    basis: str,
    total: str,
    areas: list[str],
) -> list[dict[str, Any]]:
    """The composite score of each area (and an empty row for the county), with its rank."""
    comp = catalog.composite
    scores = composite_scores(ranks_by_ind, catalog)
    rounded = pd.Series({a: rounded_float(scores.get(a), comp.dp) for a in areas}, dtype=float)
    ranks = rank_indicator(rounded, comp) if areas else pd.Series(dtype="Int64")
    rows = []
    for name, is_total, pos in [(total, True, 0)] + [
        (a, False, i + 1) for i, a in enumerate(areas)
    ]:
        score = None if is_total else scores.get(name)
        rows.append(
            {
                "period": period,
                "basis": basis,
                "area": name,
                "is_total": is_total,
                "order": pos,
                "indicator": comp.key,
                "value": rounded_float(score, comp.dp),
                "value_exact": exact_float(score),
                "previous": math.nan,
                "change": math.nan,
                "numerator": math.nan,
                "denominator": math.nan,
                "low95": math.nan,
                "high95": math.nan,
                "low998": math.nan,
                "high998": math.nan,
                "rank": pd.NA if is_total else ranks.get(name, pd.NA),
                "rank_low": pd.NA,
                "rank_high": pd.NA,
                "status": None,
                "reason_code": None,
                "reason_params": {},
                "quality": [],
            }
        )
    return rows


def _table(records: list[dict[str, Any]], catalog: Catalog) -> pd.DataFrame:
    """Records as the indicator table: typed columns, county first, indicators in catalog order."""
    if not records:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in INDICATOR_COLUMNS})
    table = pd.DataFrame(records, columns=INDICATOR_COLUMNS)
    keys = {k: i for i, k in enumerate(catalog.table_keys())}
    table["_k"] = table["indicator"].map(keys)
    table = table.sort_values(["order", "_k"], kind="stable").drop(columns="_k")
    for col in ("rank", "rank_low", "rank_high"):
        table[col] = pd.array(table[col].tolist(), dtype="Int64")
    for col in ("status", "reason_code"):
        table[col] = table[col].astype(object).where(table[col].notna(), None)
    table["is_total"] = table["is_total"].astype(bool)
    table["order"] = table["order"].astype(int)
    return table.reset_index(drop=True)


# ---------------------------------------------------------------------------- series


def series(
    values: pd.DataFrame,
    indicator: str,
    area: str | None,
    basis: str,
    *,
    catalog: Catalog | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """One row per period with data: period, value, county_value, previous_year_value (rounded;
    the area's, or the county's when area is None)."""
    catalog = catalog or load_catalog()
    settings = settings or load_settings()
    ind = catalog.get(indicator)
    if ind.key == catalog.composite.key:
        raise ValueError("the composite score has no series")
    idx = ValueIndex(values)
    needed = catalog.touched_fields(ind)
    known: dict[str, tuple[dict[str, Fields], dict[str, int]]] = {}

    def fields_of(p: str) -> dict[str, Fields]:
        if p not in known:
            known[p] = period_fields(idx, p, basis, catalog, settings.year_start_month, needed)
        return known[p][0]

    rows = []
    for period in available_periods(values):
        now, before = fields_of(period), fields_of(previous_year(period))
        areas = list(now)
        figs, county_fig = _figures(ind, areas, now)
        prev_figs, county_prev = _figures(ind, areas, before)
        if area is None:
            mine, prev = county_fig, county_prev
        else:
            mine = figs.get(area, Figure())
            prev = prev_figs.get(area, Figure())
        rows.append(
            {
                "period": period,
                "value": rounded_float(mine.value(ind), ind.dp),
                "county_value": rounded_float(county_fig.value(ind), ind.dp),
                "previous_year_value": rounded_float(prev.value(ind), ind.dp),
            }
        )
    return pd.DataFrame(rows, columns=["period", "value", "county_value", "previous_year_value"])
