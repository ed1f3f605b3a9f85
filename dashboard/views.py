"""Plain logic behind the pages: which view the URL asks for, and the rows each page shows.

No Dash here: every function takes frames, dicts and a language and returns plain values, so
tests call them directly (importing a page module needs an app; importing this never does)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from dashboard import figures
from dashboard.definitions import short_name
from dashboard.figures.style import records
from indicators import levels
from indicators.catalog import Catalog
from indicators.levels import ALL as ALL_SCOPE
from loaders.describe import describe
from loaders.types import Finding, LoadResult
from zhibiao.config import DEFAULT_TIMEZONE, local_time
from zhibiao.fields import field_label
from zhibiao.i18n import LANGS, t
from zhibiao.vocabulary import BASES, STATUS_MARKS, STATUSES

PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


#: How many warnings the overview shows.
OVERVIEW_WARNINGS = 5


COMPOSITE = "composite"


@dataclass(frozen=True)
class ViewQuery:
    """The view a URL asks for, checked against what exists."""

    period: str | None
    basis: str
    indicator: str | None
    area: str | None
    lang: str
    present: bool
    #: Which areas the view shows (`indicators.levels`): every one, the parents, one parent's.
    scope: str = ALL_SCOPE


def _first_valid(value: Any, allowed: Sequence[str], default: str | None) -> str | None:
    return value if isinstance(value, str) and value in allowed else default


def resolve_query(
    args: Mapping[str, Any],
    periods: Sequence[str],
    indicators: Sequence[str] = (),
    areas: Sequence[str] = (),
    *,
    default_indicator: str | None = None,
    default_lang: str = "zh",
) -> ViewQuery:
    """Read period, basis, indicator, area, lang, present; fall back to what exists.

    Without a (known) period: the latest period with data. Unknown indicator or area: the
    first one (or `default_indicator` when it exists).
    """
    period = args.get("period")
    if not (isinstance(period, str) and PERIOD_RE.match(period) and period in periods):
        period = max(periods) if periods else None
    fallback_indicator = (
        default_indicator
        if default_indicator in indicators
        else (indicators[0] if indicators else None)
    )
    return ViewQuery(
        period=period,
        basis=_first_valid(args.get("basis"), BASES, BASES[0]) or BASES[0],
        indicator=_first_valid(args.get("indicator"), indicators, fallback_indicator),
        area=_first_valid(args.get("area"), areas, areas[0] if areas else None),
        lang=_first_valid(args.get("lang"), LANGS, default_lang) or default_lang,
        present=str(args.get("present", "")).lower() in ("1", "true", "yes"),
    )


def with_scope(query: ViewQuery, asked: Any, parents: Mapping[str, str | None]) -> ViewQuery:
    """The query with the scope asked for when the view's period offers it, else every area."""
    return replace(query, scope=levels.valid_scope(asked, parents))


def scope_options(parents: Mapping[str, str | None], lang: str) -> list[tuple[str, str]]:
    """The scopes a period offers, labelled; empty for a table of one level (no control)."""
    offered = levels.scopes(parents)
    if len(offered) < 2:
        return []
    return [
        (
            s,
            t("ui.scope.in", lang, parent=levels.scope_parent(s))
            if levels.scope_parent(s)
            else t(f"ui.scope.{s}", lang),
        )
        for s in offered
    ]


def _is_total(table: pd.DataFrame) -> pd.Series:
    return table["is_total"].fillna(False).astype(bool)


def areas_of(table: pd.DataFrame) -> list[str]:
    """The areas (not the county), in the report's order."""
    rows = table[~_is_total(table)].sort_values("order", kind="stable")
    return [str(a) for a in pd.unique(rows["area"])]


def county_name(table: pd.DataFrame) -> str | None:
    rows = table[_is_total(table)]
    return str(rows["area"].iloc[0]) if not rows.empty else None


def indicators_of(table: pd.DataFrame, *, with_composite: bool = False) -> list[str]:
    """Indicator keys in the table's (catalog) order."""
    # pd.unique keeps the order of first appearance, without boxing every row in Python
    keys = [str(k) for k in pd.unique(table["indicator"].to_numpy())]
    return keys if with_composite else [k for k in keys if k != COMPOSITE]


def ranked_indicators(table: pd.DataFrame, catalog: Catalog) -> list[str]:
    """Indicators with a direction (those a ranking means something for)."""
    keys = []
    for key in indicators_of(table):
        info = figures.indicator_info(key, "zh", catalog)
        if info.direction != "none":
            keys.append(key)
    return keys


def catalog_keys(catalog: Catalog) -> list[str]:
    """Every indicator key of the catalog, then the composite score."""
    return [i.key for i in catalog.indicators] + [catalog.composite.key]


def funnel_indicators(catalog: Catalog) -> list[str]:
    """Ratios of counts (shares, sex ratios, rates per thousand): those a funnel plot is drawn
    for (indicators.funnel)."""
    return [i.key for i in catalog.indicators if i.interval_kind and not i.binomial_n]


def value_text(value: Any, dp: int, lang: str) -> str:
    text = figures.format_number(value, dp)
    return text if text else t("ui.common.no_value", lang)


def county_value(table: pd.DataFrame, indicator: str) -> float | None:
    """The county's figure of one indicator (None when it has none)."""
    rows = table[_is_total(table) & (table["indicator"] == indicator)]
    return figures.number_or_none(rows["value"].iloc[0]) if not rows.empty else None


#: The columns of the indicator table the scorecard reads.
SCORECARD_COLUMNS = (
    "area", "is_total", "order", "indicator", "value", "status", "rank",
    "low95", "high95", "rank_low", "rank_high", "apart_from_next",
)  # fmt: skip


def scorecard(
    table: pd.DataFrame, lang: str, *, catalog: Catalog | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The scorecard, areas × indicators: (rows, column definitions for dash-ag-grid).

    Each row: area, rank (composite rank), composite (score), and per indicator `<key>` (the
    number, for sorting), `<key>__text` (value with the status mark) and `<key>__status`.
    The county comes first (no rank); areas follow in composite-rank order. Headers are the
    short names (`short.*`), the full name on hover; rank and area are pinned on the left.
    """
    keys = indicators_of(table)
    wide: dict[str, dict[str, Any]] = {}
    infos = {key: figures.indicator_info(key, lang, catalog) for key in keys}
    for row in records(table, SCORECARD_COLUMNS):
        area = str(row["area"])
        entry = wide.setdefault(
            area,
            {
                "area": area,
                "is_total": bool(row["is_total"]),
                "order": int(row["order"]),
                "rank": None,
                COMPOSITE: None,
            },
        )
        key = row["indicator"]
        if key == COMPOSITE:
            entry[COMPOSITE] = figures.number_or_none(row["value"])
            rank = row["rank"]
            entry["rank"] = None if rank is pd.NA or pd.isna(rank) else int(rank)
            entry.update(composite_uncertainty(row, lang))
            continue
        info = infos.get(key) or figures.indicator_info(key, lang, catalog)
        status = figures.clean_status(row["status"])
        text = value_text(row["value"], info.dp, lang)
        if status:
            text = f"{text} {STATUS_MARKS[status]}"
        entry[key] = figures.number_or_none(row["value"])
        entry[f"{key}__text"] = text
        entry[f"{key}__status"] = status
        entry[f"{key}__label"] = figures.status_label(status, lang)
    rows = sorted(
        wide.values(),
        key=lambda r: (not r["is_total"], r["rank"] is None, r["rank"] or 0, r["order"]),
    )
    return rows, scorecard_columns(keys, lang, catalog)


def scorecard_columns(
    keys: Sequence[str], lang: str, catalog: Catalog | None, scope: str = ALL_SCOPE
) -> list[dict]:
    """The scorecard grid's columns: rank and area pinned on the left, the composite score, then
    each indicator; short headers (`short.*`), the full name on hover. The area column is
    headed 上级区域 when the rows are the parents (`scope`)."""
    composite = figures.indicator_info(COMPOSITE, lang, catalog).name
    columns: list[dict[str, Any]] = [
        {
            "field": "rank",
            "headerName": short_name("rank", lang, t("ui.scorecard.rank", lang)),
            "headerTooltip": t("ui.scorecard.rank", lang),
            "pinned": "left",
            "width": 76,
        },
        {
            "field": "area",
            "headerName": t(
                "ui.scope.parent_area" if scope == levels.PARENTS else "ui.scorecard.area", lang
            ),
            "pinned": "left",
            "width": 124,
        },
        {
            "field": COMPOSITE,
            "headerName": short_name(COMPOSITE, lang, composite),
            "headerTooltip": composite,
            "width": 96,
            "valueFormatter": {
                "function": f"params.data == null ? '' : params.data['{COMPOSITE}__text']"
            },
            "tooltipField": f"{COMPOSITE}__tip",
        },
    ]
    for key in keys:
        info = figures.indicator_info(key, lang, catalog)
        columns.append(
            {
                "field": key,
                "headerName": short_name(key, lang, info.name),
                "headerTooltip": info.name,
                "width": 104,
                "wrapHeaderText": True,
                "autoHeaderHeight": True,
                "valueFormatter": {
                    "function": f"params.data == null ? '' : params.data['{key}__text']"
                },
                "tooltipField": f"{key}__label",
                "cellClassRules": status_class_rules(key),
                "type": "numericColumn",
            }
        )
    return columns


def composite_uncertainty(row: Any, lang: str) -> dict[str, Any]:
    """The composite score's text (`62.5 ≈` when it cannot be told apart from the area ranked
    next below) and its tooltip (the 95% interval and rank interval from the rank draws)."""
    value = figures.number_or_none(row["value"])
    text = "" if value is None else f"{value:.1f}"
    tip = ""
    low, high = figures.number_or_none(row.get("low95")), figures.number_or_none(row.get("high95"))
    r_low, r_high = (
        figures.number_or_none(row.get("rank_low")),
        figures.number_or_none(row.get("rank_high")),
    )
    if None not in (low, high, r_low, r_high):
        tip = t(
            "ui.scorecard.composite_tip",
            lang,
            low=f"{low:.1f}",
            high=f"{high:.1f}",
            rank_low=int(r_low or 0),
            rank_high=int(r_high or 0),
        )
    if row.get("apart_from_next") is False:
        text = f"{text} ≈"
        tip = (
            f"{tip};{t('ui.scorecard.not_apart', lang)}"
            if tip
            else t("ui.scorecard.not_apart", lang)
        )
    return {f"{COMPOSITE}__text": text, f"{COMPOSITE}__tip": tip}


def status_class_rules(key: str) -> dict[str, str]:
    """ag-grid cell class rules by status; null is tested first (in JS, null < 70 is true)."""
    field = f"params.data['{key}__status']"
    return {
        f"status-{s}": f"params.data != null && {field} != null && {field} === '{s}'"
        for s in STATUSES
    }


def data_source(uploads: Sequence[Mapping[str, Any]], period: str | None) -> dict[str, Any] | None:
    """The latest upload that holds `period`: file, who, when (None when there is none)."""
    for item in uploads:
        if period is None or period in (item.get("periods") or []):
            return {
                "file": item.get("file", ""),
                "user": item.get("user", ""),
                "uploaded_at": item.get("uploaded_at"),
                "id": item.get("id"),
            }
    return None


def when_text(moment: Any, zone: ZoneInfo | str = DEFAULT_TIMEZONE) -> str:
    """A stored time (UTC) as 'YYYY-MM-DD HH:MM' in the county's time zone (a setting)."""
    if isinstance(moment, datetime):
        return local_time(moment, zone).strftime("%Y-%m-%d %H:%M")
    return str(moment or "")


def upload_preview(result: LoadResult, lang: str) -> dict[str, Any]:
    """What the upload page shows of a checked file.

    period(s), basis, areas, fields recognised (labels in `lang`; keys in `field_keys`), and every
    error and warning as one line naming the cells (a derived column's formulas without a saved
    result grouped into one line); `verdict`: 'ready' (no error), 'accept' (only errors an
    analyst may accept), 'refused' (an error that cannot be accepted, or nothing read), however
    the file was checked; `can_store` when the check let it through; `needs_accept` when only
    acceptable errors stand between the file and the store.
    """
    values = result.values
    areas: list[str] = []
    if values is not None and not values.empty:
        part = values[~values["is_total"].fillna(False).astype(bool)]
        areas = list(dict.fromkeys(part["area"].astype(str)))
    errors = [f for f in result.findings if f.severity == "error"]
    warnings = [f for f in result.findings if f.severity != "error"]
    unacceptable = [f for f in errors if not f.acceptable]
    has_values = values is not None and not values.empty
    if unacceptable or not has_values:
        verdict = "refused"
    elif errors:
        verdict = "accept"
    else:
        verdict = "ready"
    return {
        "file": result.file,
        "periods": list(result.periods),
        "bases": [t(f"ui.basis.{b}", lang) for b in result.bases],
        "areas": areas,
        "fields": [field_label(f, lang) for f in result.fields],
        "field_keys": list(result.fields),
        "values": 0 if values is None else len(values),
        "errors": [describe(f, lang) for f in errors],
        "warnings": finding_lines(warnings, lang),
        "verdict": verdict,
        "n_errors": len(errors),
        "can_store": bool(result.ok),
        "needs_accept": bool(errors)
        and not unacceptable
        and values is not None
        and not values.empty,
    }


#: A derived column's formula cells without a saved result (the loader groups them by column).
FORMULA_NO_VALUE = "load.derived_formula_no_value"


def cell_range(cells: Sequence[str]) -> str:
    """'Q6:Q21' for the cells Q6, Q7, …, Q21 of one column; else the cells listed."""
    parts = [re.match(r"^([A-Z]+)(\d+)$", c) for c in cells]
    if len(cells) > 1 and all(parts):
        columns = {m.group(1) for m in parts if m}
        rows = sorted(int(m.group(2)) for m in parts if m)
        if len(columns) == 1 and rows == list(range(rows[0], rows[-1] + 1)):
            column = columns.pop()
            return f"{column}{rows[0]}:{column}{rows[-1]}"
    return "、".join(cells)


def finding_lines(findings: Sequence[Finding], lang: str) -> list[str]:
    """Each finding as one line; a derived column's formula cells without a saved result (a
    warning: the ratio is computed again from the counts) as one line naming their range."""
    lines: list[str] = []
    for f in findings:
        if f.code != FORMULA_NO_VALUE:
            lines.append(describe(f, lang))
            continue
        cells = list(dict.fromkeys(c.cell for c in f.cells if c.cell))
        lines.append(
            t(
                "ui.upload.formula_group",
                lang,
                file=f.file,
                at=f"{f.sheet}!" if f.sheet else "",
                cells=cell_range(cells),
                label=str(f.params.get("label", "")),
                n=len(cells),
            )
        )
    return lines


def history_rows(
    uploads: Sequence[Mapping[str, Any]], lang: str, zone: ZoneInfo | str = DEFAULT_TIMEZONE
) -> list[dict[str, Any]]:
    """The history of uploads, newest first: who, when (in the county's `zone`), file,
    period(s), revision, and the link to the kept file (`href`, None for an upload stored before
    files were kept)."""
    rows = []
    for item in uploads:
        rows.append(
            {
                "id": item.get("id"),
                "user": item.get("user", ""),
                "when": when_text(item.get("uploaded_at"), zone),
                "file": item.get("file", ""),
                "periods": "、".join(item.get("periods") or [])
                if lang == "zh"
                else ", ".join(item.get("periods") or []),
                "values": item.get("values", 0),
                "accepted": t("ui.common.yes", lang) if item.get("accepted_inconsistent") else "",
                "href": original_href(item["id"]) if item.get("has_original") else None,
            }
        )
    return rows


#: Where the file of one upload is downloaded as it was uploaded (dashboard/app.py serves it).
ORIGINAL_PATH = "/download/original/{upload_id}"


def original_href(upload_id: int) -> str:
    """The link to the original file of one upload."""
    return ORIGINAL_PATH.format(upload_id=int(upload_id))


def revision_of(uploads: Sequence[Mapping[str, Any]], period: str) -> int:
    """How many uploads hold `period` (a new upload of a period is its next revision)."""
    return sum(1 for item in uploads if period in (item.get("periods") or []))


def notes_of(row: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The data-quality notes of one row of the indicator table (its `quality` column)."""
    notes = row.get("quality") if hasattr(row, "get") else None
    return [n for n in notes if isinstance(n, Mapping)] if isinstance(notes, list | tuple) else []


def note_key(note: Mapping[str, Any]) -> str:
    """One note's identity (the same finding reached through several figures counts once)."""
    return json.dumps(note, sort_keys=True, ensure_ascii=False, default=str)


def describe_note(note: Mapping[str, Any], lang: str) -> str:
    """The note as one line naming file, sheet and cells (`loaders.describe`)."""
    return describe(Finding.from_dict(dict(note)), lang)


def note_areas(note: Mapping[str, Any]) -> list[str]:
    """The areas a note's cells name (else its `area` parameter), in cell order."""
    areas = [str(c["area"]) for c in note.get("cells") or [] if c.get("area")]
    if not areas and (note.get("params") or {}).get("area"):
        areas = [str(note["params"]["area"])]
    return list(dict.fromkeys(areas))


def quality_mark(n: int, lang: str) -> str:
    """'※ 数据质量提示 2' for a figure with n notes; '' for none."""
    return t("ui.quality.mark", lang, n=n) if n else ""


def quality_rows(
    table: pd.DataFrame,
    lang: str,
    *,
    area: str | None = None,
    indicator: str | None = None,
    catalog: Catalog | None = None,
) -> list[dict[str, Any]]:
    """Every data-quality note of the table's figures, once each, in the report's order.

    `area` and `indicator` keep the notes of those figures (the county's figure carries every
    area's notes). Each row: area (the areas the note's cells name, else the figure's area),
    indicators (keys of the figures with a value it touches; all it touches when none has one),
    indicator_labels (names joined), text (the described finding), key (the note's identity).
    """
    if "quality" not in table:
        return []
    rows = table
    if area:
        rows = rows[rows["area"] == area]
    if indicator:
        rows = rows[rows["indicator"] == indicator]
    rows = rows.assign(_t=~_is_total(rows)).sort_values(["_t", "order"], kind="stable")
    order = {k: i for i, k in enumerate(indicators_of(table, with_composite=True))}
    found: dict[str, dict[str, Any]] = {}
    touched: dict[str, dict[str, list[str]]] = {}
    for record in records(rows):
        has_value = figures.number_or_none(record.get("value")) is not None
        for note in notes_of(record):
            key = note_key(note)
            if key not in found:
                found[key] = {"note": note, "area": str(record["area"])}
                touched[key] = {"valued": [], "all": []}
            kinds = ("valued", "all") if has_value else ("all",)
            for kind in kinds:
                if record["indicator"] not in touched[key][kind]:
                    touched[key][kind].append(record["indicator"])
    out = []
    sep = t("ui.quality.separator", lang)
    for key, item in found.items():
        keys = touched[key]["valued"] or touched[key]["all"]
        keys = sorted(keys, key=lambda k: order.get(k, len(order)))
        areas = note_areas(item["note"]) or [item["area"]]
        out.append(
            {
                "key": key,
                "area": sep.join(areas),
                "areas": areas,
                "indicators": keys,
                "indicator_labels": sep.join(
                    figures.indicator_info(k, lang, catalog).name for k in keys
                ),
                "text": describe_note(item["note"], lang),
            }
        )
    return out


def card_quality(table: pd.DataFrame, lang: str) -> dict[str, dict[str, Any]]:
    """The county figures' notes by indicator: {key: {n, mark, notes (described lines)}}.

    A figure without a value carries no mark (there is nothing beside which to show it).
    """
    out: dict[str, dict[str, Any]] = {}
    if "quality" not in table:
        return out
    county = table[_is_total(table)]
    for record in records(county):
        notes = notes_of(record)
        if notes and figures.number_or_none(record.get("value")) is not None:
            out[str(record["indicator"])] = {
                "n": len(notes),
                "mark": quality_mark(len(notes), lang),
                "notes": [describe_note(n, lang) for n in notes],
            }
    return out


def mark_scorecard_quality(
    rows: list[dict[str, Any]], table: pd.DataFrame, lang: str
) -> list[dict[str, Any]]:
    """Scorecard rows (from `scorecard`) with the note mark on each cell whose figure has notes.

    A marked cell's text ends in '※', its tooltip adds the notes' count, and `<key>__quality`
    holds the count (0 elsewhere, and for a cell without a value).
    """
    counts: dict[tuple[str, str], int] = {}
    if "quality" in table:
        for record in records(table, ("area", "indicator", "value", "quality")):
            n = len(notes_of(record))
            if n and figures.number_or_none(record.get("value")) is not None:
                counts[(str(record["area"]), str(record["indicator"]))] = n
    symbol = t("ui.quality.symbol", lang)
    out = []
    for row in rows:
        row = dict(row)
        for key in [k[: -len("__text")] for k in row if k.endswith("__text")]:
            n = counts.get((row["area"], key), 0)
            row[f"{key}__quality"] = n
            if n:
                row[f"{key}__text"] = f"{row[f'{key}__text']} {symbol}"
                label = row.get(f"{key}__label") or ""
                hover = t("ui.quality.hover", lang, n=n)
                row[f"{key}__label"] = f"{label} {hover}".strip()
        out.append(row)
    return out


# --- long rankings -------------------------------------------------------------------------


def ranked_areas(table: pd.DataFrame, indicator: str, catalog: Catalog | None) -> pd.DataFrame:
    """The areas with a value of one indicator, best first (the ranking chart's order)."""
    info = figures.indicator_info(indicator, "zh", catalog)
    rows = table[(table["indicator"] == indicator) & ~table["is_total"].astype(bool)]
    rows = rows[pd.to_numeric(rows["value"], errors="coerce").notna()]
    return figures.rank_order(rows, info.direction)


def chart_ends(names: Sequence[str], ends: int, searched: str | None) -> list[str]:
    """What a long ranking's chart draws: the best and the worst `ends` areas, and the one
    searched for wherever it stands."""
    last = list(names[-ends:]) if ends > 0 else []
    shown = list(dict.fromkeys([*names[:ends], *last]))
    if searched is not None and searched in names and searched not in shown:
        shown.append(searched)
    return shown


def _ends_text(low: Any, high: Any, dp: int) -> str:
    a, b = figures.number_or_none(low), figures.number_or_none(high)
    if a is None or b is None:
        return ""
    return f"{figures.format_number(a, dp)}–{figures.format_number(b, dp)}"


def rank_text(row: Mapping[str, Any], lang: str) -> str:
    """`排名:第5名(95%区间 第3–9名)`, or without the interval when it has none."""
    rank = figures.number_or_none(row.get("rank"))
    if rank is None:
        return ""
    low = figures.number_or_none(row.get("rank_low"))
    high = figures.number_or_none(row.get("rank_high"))
    if low is None or high is None:
        return t("figures.hover.rank", lang, rank=int(rank))
    return t("figures.hover.rank_interval", lang, rank=int(rank), low=int(low), high=int(high))


def found_text(ranked: pd.DataFrame, area: str, indicator: str, lang: str, catalog: Any) -> str:
    """The searched area's value, rank and rank interval, as one line."""
    rows = ranked[ranked["area"].astype(str) == area]
    if rows.empty:
        return ""
    row = rows.iloc[0].to_dict()
    info = figures.indicator_info(indicator, lang, catalog)
    value = value_text(row["value"], info.dp, lang)
    return t("ui.rankings.found", lang, area=area, value=value, rank=rank_text(row, lang))


def ranking_rows(
    ranked: pd.DataFrame, indicator: str, lang: str, catalog: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The full ranking of one indicator as grid rows, best first, and the grid's columns:
    rank, area, value (with its status mark), 95% interval, rank interval, status."""
    info = figures.indicator_info(indicator, lang, catalog)
    rows: list[dict[str, Any]] = []
    for row in records(ranked):
        rank = figures.number_or_none(row.get("rank"))
        status = figures.clean_status(row.get("status"))
        text = value_text(row["value"], info.dp, lang)
        rows.append(
            {
                "rank": None if rank is None else int(rank),
                "area": str(row["area"]),
                "value": figures.number_or_none(row["value"]),
                "value_text": f"{text} {STATUS_MARKS[status]}" if status else text,
                "interval95": _ends_text(row.get("low95"), row.get("high95"), info.dp),
                "rank_interval": _ends_text(row.get("rank_low"), row.get("rank_high"), 0),
                "status": figures.status_label(status, lang),
                "status_key": status,
            }
        )
    columns: list[dict[str, Any]] = [
        {"field": "rank", "headerName": t("ui.rankings.rank", lang), "width": 80},
        {"field": "area", "headerName": t("ui.scorecard.area", lang), "width": 150},
        {
            "field": "value",
            "headerName": t("ui.warnings.value", lang),
            "width": 130,
            "type": "numericColumn",
            "valueFormatter": {"function": "params.data == null ? '' : params.data.value_text"},
            "cellClassRules": {
                f"status-{s}": f"params.data != null && params.data.status_key === '{s}'"
                for s in STATUSES
            },
        },
        {"field": "interval95", "headerName": t("ui.rankings.interval95", lang), "width": 150},
        {"field": "rank_interval", "headerName": t("ui.rankings.rank_interval", lang)},
        {"field": "status", "headerName": t("ui.warnings.status", lang), "width": 110},
    ]
    return rows, columns


def rows_block(rows: Sequence[Mapping[str, Any]], request: Mapping[str, Any] | None) -> dict:
    """The block of grid rows an infinite AG Grid asks for (`getRowsRequest`: startRow, endRow,
    sortModel), sorted as asked (areas without a value last either way), and the row count."""
    request = request or {}
    ordered = list(rows)
    for sort in reversed(request.get("sortModel") or []):
        column, descending = sort.get("colId"), sort.get("sort") == "desc"
        have = [r for r in ordered if r.get(column) is not None]
        none = [r for r in ordered if r.get(column) is None]
        have.sort(key=lambda r: r[column], reverse=descending)
        ordered = have + none
    start = max(0, int(request.get("startRow") or 0))
    end = max(start, int(request.get("endRow") or start + 100))
    return {"rowData": ordered[start:end], "rowCount": len(ordered)}
