"""Outputs of the indicator table: JSON records (docs/cli.md), the wide table for people (CSV, xlsx
with status colours, formula-safe) and the status reason in words."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from zhibiao.i18n import t

from .catalog import Catalog, Indicator, load_catalog
from .exact import round_half_up, rounded_float

#: Keys of a `table --format json` record, in order (docs/cli.md).
RECORD_KEYS = [
    "period",
    "basis",
    "area",
    "is_total",
    "indicator",
    "value",
    "previous",
    "change",
    "numerator",
    "denominator",
    "low95",
    "high95",
    "rank",
    "status",
    "quality",
    "interval_method",
    "status_method",
    "change_p",
    "change_low",
    "change_high",
    "change_dir",
    "change_method",
]

#: Decimals of a p-value in the records.
P_DP = 4

#: Decimals kept for numerators and denominators (amounts are held to 0.000001 万元).
AMOUNT_DP = 6

#: Status fills of the xlsx: (pattern colour, font colour, pattern, background). Readable in red-green colour
#: blindness and in black and white: dark red with white text, light amber, hatched pale
#: yellow for watch, light blue for normal, grey; the status word is always written beside.
STATUS_STYLE = {
    "red": ("C0392B", "FFFFFF", "solid", "C0392B"),
    "amber": ("F5B041", "000000", "solid", "F5B041"),
    "watch": ("D4AC0D", "000000", "lightUp", "FEF9E7"),
    "green": ("AED6F1", "000000", "solid", "AED6F1"),
    "grey": ("D5D8DC", "000000", "solid", "D5D8DC"),
}

#: Leading characters that make a spreadsheet read text as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def json_number(value: Any, dp: int) -> int | float | None:
    """A figure rounded half up to dp decimals: int when dp is 0, None when missing."""
    if _missing(value):
        return None
    d = round_half_up(float(value), dp)
    if d is None:
        return None
    return int(d) if dp == 0 else float(d)


def json_count(value: Any) -> int | float | None:
    """A numerator or denominator: int when whole, else rounded to AMOUNT_DP decimals."""
    if _missing(value):
        return None
    v = float(value)
    if math.isinf(v):
        return None
    return int(v) if v.is_integer() else rounded_float(v, AMOUNT_DP)


def _catalog_for(table: pd.DataFrame, catalog: Catalog | None) -> Catalog:
    return catalog or load_catalog()


def _dp(catalog: Catalog, key: str) -> int:
    try:
        return catalog.get(key).dp
    except KeyError:
        return 2


def to_records(table: pd.DataFrame, catalog: Catalog | None = None) -> list[dict]:
    """The table as docs/cli.md's JSON objects: rounded, null for missing, county first then the
    areas in report order, indicators in catalog order; with how each interval and status was
    found (interval_method, status_method) and whether the change on last year is significant
    (change_p, its interval change_low–change_high, change_dir, change_method), as
    docs/statistics.md says."""
    catalog = _catalog_for(table, catalog)
    keys = {k: i for i, k in enumerate(catalog.table_keys())}
    ordered = table.assign(_k=table["indicator"].map(keys).fillna(len(keys))).sort_values(
        ["order", "_k"], kind="stable"
    )
    out: list[dict] = []
    for row in ordered.to_dict("records"):
        dp = _dp(catalog, row["indicator"])
        rank = row.get("rank")
        status = row.get("status")
        quality = row.get("quality")
        out.append(
            {
                "period": str(row["period"]),
                "basis": str(row["basis"]),
                "area": str(row["area"]),
                "is_total": bool(row["is_total"]),
                "indicator": str(row["indicator"]),
                "value": json_number(row.get("value"), dp),
                "previous": json_number(row.get("previous"), dp),
                "change": json_number(row.get("change"), dp),
                "numerator": json_count(row.get("numerator")),
                "denominator": json_count(row.get("denominator")),
                "low95": json_number(row.get("low95"), dp),
                "high95": json_number(row.get("high95"), dp),
                "rank": None if _missing(rank) else int(rank),
                "status": None if _missing(status) else str(status),
                "quality": list(quality) if isinstance(quality, list | tuple) else [],
                "interval_method": _text(row.get("interval_method")),
                "status_method": _text(row.get("status_method")),
                "change_p": json_number(row.get("change_p"), P_DP),
                "change_low": json_number(row.get("change_low"), dp),
                "change_high": json_number(row.get("change_high"), dp),
                "change_dir": _text(row.get("change_dir")),
                "change_method": _text(row.get("change_method")),
            }
        )
    return out


def _text(value: Any) -> str | None:
    return None if _missing(value) else str(value)


def format_number(value: Any, dp: int, lang: str = "zh") -> str:
    """A figure as text with dp decimals (half up); the missing mark when there is none."""
    if _missing(value):
        return t("indicators.missing", lang)
    d = round_half_up(float(value), dp)
    return t("indicators.missing", lang) if d is None else format(d, "f")


#: Catalog unit → message key of its display name (figures.unit.*, figures.value_unit.*, …).
UNIT_KEYS = {
    "percent": "percent",
    "permille": "permille",
    "ratio100": "ratio100",
    "count": "count",
    "wan_yuan": "wan_yuan",
    "%": "percent",
    "‰": "permille",
    "×100": "ratio100",
    "万元": "wan_yuan",
    "score": "score",
}


def value_with_unit(value: Any, unit: str, dp: int, lang: str = "zh") -> str:
    """A figure with its unit as people write it: '72.00%', '120人'; the missing mark if none."""
    number = format_number(value, dp, lang)
    key = UNIT_KEYS.get(unit)
    if _missing(value) or key is None:
        return number
    return f"{number}{t(f'figures.value_unit.{key}', lang)}"


def all_boys(row: Mapping, ind: Indicator | None) -> int | float | None:
    """The boys of a sex ratio with boys and no girls (no value: m/0), else None."""
    if ind is None or ind.interval_kind != "odds" or not _missing(row.get("value")):
        return None
    num, den = row.get("numerator"), row.get("denominator")
    if num is None or den is None or _missing(num) or _missing(den):
        return None
    if float(den) != 0 or float(num) <= 0:
        return None
    return int(num) if float(num).is_integer() else float(num)


def figure_text(row: Mapping, ind: Indicator | None, lang: str = "zh", unit: bool = False) -> str:
    """A figure as people read it: its value (with the unit when `unit`), or for a sex ratio
    with boys only `全部为男孩 25:0`; the missing mark when there is none."""
    boys = all_boys(row, ind)
    if boys is not None:
        return t("indicators.all_boys", lang, boys=boys)
    dp = ind.dp if ind is not None else 2
    if unit and ind is not None:
        return value_with_unit(row.get("value"), ind.unit, dp, lang)
    return format_number(row.get("value"), dp, lang)


def format_limit(value: Any) -> str:
    """A limit as the catalog writes it: 107, 92.5."""
    if _missing(value):
        return ""
    return format(Decimal(repr(float(value))).normalize(), "f")


def reason(row: Mapping, lang: str = "zh", catalog: Catalog | None = None) -> str:
    """The status reason in words, e.g.
    `八字桥乡 出生人口性别比 212.00(95%区间 132–340),高于正常上限 107`; '' without a reason."""
    code = row.get("reason_code")
    if _missing(code) or not code:
        return ""
    catalog = catalog or load_catalog()
    ind: Indicator | None
    try:
        ind = catalog.get(str(row["indicator"]))
        name, reason_dp = ind.name(lang), ind.reason_dp
    except KeyError:
        ind, name, reason_dp = None, str(row["indicator"]), 0
    params = dict(row.get("reason_params") or {})
    clause_params = {
        k: (format_limit(v) if k in ("limit", "min", "n") else v) for k, v in params.items()
    }
    clause = t(str(code), lang, **clause_params)
    low = params.get("low95", row.get("low95"))
    high = params.get("high95", row.get("high95"))
    value = figure_text(row, ind, lang)
    words = {"area": row["area"], "name": name, "value": value, "clause": clause}
    if code == "reason.too_few" or _missing(low):
        return t("reason.sentence", lang, **words)
    if _missing(high):  # boys only: the interval has no upper end
        return t(
            "reason.sentence_interval_open", lang, low=format_number(low, reason_dp, lang), **words
        )
    return t(
        "reason.sentence_interval",
        lang,
        low=format_number(low, reason_dp, lang),
        high=format_number(high, reason_dp, lang),
        **words,
    )


def status_word(status: Any, lang: str = "zh") -> str:
    return "" if _missing(status) or not status else t(f"status.{status}", lang)


def _unit_suffix(ind: Indicator, lang: str) -> str:
    unit = t(f"indicators.unit.{ind.unit}", lang)
    if not unit or ind.unit == "count":
        return ""
    return t("indicators.col.unit", lang, unit=unit)


def wide_columns(catalog: Catalog, keys: list[str], lang: str) -> list[tuple[str, str, str]]:
    """(indicator key, part, header) of the wide table: value (and the count, for an indicator
    that shows it), rank, status per indicator."""
    cols: list[tuple[str, str, str]] = []
    for key in keys:
        ind = catalog.get(key)
        name = ind.name(lang)
        cols.append(
            (key, "value", t("indicators.col.value", lang, name=name, unit=_unit_suffix(ind, lang)))
        )
        if ind.show_count:
            cols.append((key, "count", t("indicators.col.count", lang, name=name)))
        if ind.direction != "none":
            cols.append((key, "rank", t("indicators.col.rank", lang, name=name)))
        if ind.status_rule:
            cols.append((key, "status", t("indicators.col.status", lang, name=name)))
    return cols


def _wide_keys(table: pd.DataFrame, catalog: Catalog) -> list[str]:
    present = set(table["indicator"])
    return [k for k in catalog.table_keys() if k in present]


def to_wide(table: pd.DataFrame, lang: str = "zh", catalog: Catalog | None = None) -> pd.DataFrame:
    """One row per area (county first): value, rank and status word per indicator, headers in
    the user's language."""
    catalog = _catalog_for(table, catalog)
    keys = _wide_keys(table, catalog)
    cols = wide_columns(catalog, keys, lang)
    area_header = t("indicators.col.area", lang)
    rows = []
    by_area = table.sort_values("order", kind="stable").groupby("order", sort=True)
    for _, part in by_area:
        cells: dict[str, Any] = {area_header: str(part["area"].iloc[0])}
        lookup = {r["indicator"]: r for r in part.to_dict("records")}
        for key, what, header in cols:
            r = lookup.get(key)
            if r is None:
                cells[header] = None
            elif what == "value":
                cells[header] = json_number(r["value"], catalog.get(key).dp)
            elif what == "rank":
                cells[header] = None if _missing(r["rank"]) else int(r["rank"])
            elif what == "count":
                cells[header] = json_count(r["numerator"])
            else:
                cells[header] = status_word(r["status"], lang) or None
        rows.append(cells)
    wide = pd.DataFrame(rows, columns=[area_header] + [c[2] for c in cols])
    for key, what, header in cols:
        if what == "rank" or catalog.get(key).dp == 0:
            wide[header] = pd.array(wide[header].tolist(), dtype="Int64")
    return wide


def formula_safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(
    table: pd.DataFrame, out: str | Path | IO, lang: str = "zh", catalog: Catalog | None = None
) -> None:
    """The wide table as CSV in UTF-8 with BOM (Excel opens it), formula-safe."""
    wide = to_wide(table, lang, catalog)
    wide = wide.map(formula_safe)
    wide.columns = [formula_safe(c) for c in wide.columns]
    if isinstance(out, str | Path):
        wide.to_csv(out, index=False, encoding="utf-8-sig")
    else:
        text = wide.to_csv(index=False)
        if hasattr(out, "mode") and "b" in getattr(out, "mode", ""):
            out.write(("\ufeff" + text).encode("utf-8"))
        else:
            out.write("\ufeff" + text)


def write_xlsx(
    table: pd.DataFrame, out: str | Path | IO, lang: str = "zh", catalog: Catalog | None = None
) -> None:
    """The wide table as xlsx: status cells filled in a colour-blind-safe palette with the
    status word, value cells filled alike; every text cell formula-safe."""

    catalog = _catalog_for(table, catalog)
    keys = _wide_keys(table, catalog)
    cols = wide_columns(catalog, keys, lang)
    wide = to_wide(table, lang, catalog)
    status_of = {
        (r["order"], r["indicator"]): r["status"]
        for r in table[["order", "indicator", "status"]].to_dict("records")
    }
    orders = sorted(set(table["order"]))
    wb = Workbook()
    ws = wb.active
    ws.title = str(table["period"].iloc[0]) if len(table) else "table"
    headers = list(wide.columns)
    for c, header in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=c, value=formula_safe(header))
        cell.data_type = "s"
        cell.font = Font(bold=True)
    for r, (order, values) in enumerate(zip(orders, wide.itertuples(index=False), strict=False), 2):
        for c, value in enumerate(values, start=1):
            v = None if _missing(value) else value
            cell = ws.cell(row=r, column=c, value=formula_safe(v))
            if isinstance(v, str):
                cell.data_type = "s"
            if c == 1:
                continue
            key, _what, _ = cols[c - 2]
            status = status_of.get((order, key))
            style = STATUS_STYLE.get(status) if isinstance(status, str) else None
            if style:
                fill, font, pattern, background = style
                cell.fill = PatternFill(patternType=pattern, fgColor=fill, bgColor=background)
                cell.font = Font(color=font, bold=status == "red")
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = 14
    for c in range(2, len(headers) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 12
    wb.save(out)
