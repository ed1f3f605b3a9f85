"""Plain logic behind the township page (/area): which township needs attention, the table of
its current figures, and its months against last year's and the county's.

No Dash here: frames in, plain values out, so tests and the page PNG call the same functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from dashboard.figures.style import (
    STATUS_STYLE,
    change_interval_text,
    change_unit_label,
    format_amount,
    format_number,
    indicator_info,
    number_or_none,
    p_text,
    period_label,
    value_text,
)
from dashboard.state import cached_parents, cached_values, per_revision
from indicators.levels import ALL, Scoped, scoped
from indicators.periods import parse_period, year_start
from indicators.trend import area_trends
from indicators.trends import year_figures
from zhibiao.i18n import t
from zhibiao.vocabulary import STATUSES, WARNING_STATUSES, clean_status, status_text

#: How the statuses weigh when choosing the township that needs attention: one red outweighs
#: any number of ambers, one amber any number of watches.
_WORST_FIRST = {s: i for i, s in enumerate(STATUSES)}


def _areas(table: pd.DataFrame) -> pd.DataFrame:
    return table[~table["is_total"].fillna(False).astype(bool)]


def attention_order(table: pd.DataFrame) -> list[str]:
    """The areas, the one needing attention most first: most red figures, then most amber,
    then most watch, then the report's order."""
    rows = _areas(table)
    rows = rows[rows["indicator"] != "composite"]
    counts: dict[str, list[int]] = {}
    order: dict[str, int] = {}
    for area, status, position in zip(rows["area"], rows["status"], rows["order"], strict=True):
        entry = counts.setdefault(str(area), [0] * len(WARNING_STATUSES))
        order.setdefault(str(area), int(position))
        status = clean_status(status)
        if status in WARNING_STATUSES:
            entry[WARNING_STATUSES.index(status)] += 1
    return sorted(counts, key=lambda a: ([-n for n in counts[a]], order[a]))


def attention_area(table: pd.DataFrame) -> str | None:
    """The township the page opens on when none is asked: the worst by its statuses."""
    found = attention_order(table)
    return found[0] if found else None


def status_counts(table: pd.DataFrame, area: str) -> dict[str, int]:
    """How many of the area's figures are red, amber, watch (the composite is no warning)."""
    rows = table[(table["area"] == area) & (table["indicator"] != "composite")]
    found = [clean_status(s) for s in rows["status"]]
    return {s: found.count(s) for s in WARNING_STATUSES}


def change_words(
    change: Any, unit: str, dp: int, lang: str, direction: Any = None, p: Any = None
) -> str:
    """The change on last year as a signed number and unit ('+85人', '−1.25个百分点'), with the
    word of its test (the indicator table's change_dir): 显著上升 or 显著下降 only when the test
    finds it significant, 基本持平 when not; no word where there is no test."""
    number = number_or_none(change)
    if number is None:
        return t("area.no_previous", lang)
    sign = "+" if number > 0 else ("−" if number < 0 else "±")
    text = f"{sign}{format_number(abs(number), dp)}{change_unit_label(unit, lang)}"
    if direction in ("up", "down", "flat"):
        chance = number_or_none(p)
        key = f"area.change_{direction}"
        return t(key, lang, change=text, p=f"{chance:.3f}" if chance is not None else "—")
    return text


def _county_of(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["is_total"].fillna(False).astype(bool)]


def comparison_text(rows: pd.DataFrame, info: Any, lang: str) -> str:
    """What the area is compared with: the county's rate, or for a sum (births, amounts) the
    county's figure per township."""
    county = _county_of(rows)
    if county.empty:
        return ""
    total = number_or_none(county["value"].iloc[0])
    if total is None:
        return ""
    if info.is_sum:
        n = int(pd.to_numeric(_areas(rows)["value"], errors="coerce").notna().sum())
        if not n:
            return ""
        return t(
            "area.per_area",
            lang,
            value=format_number(total / n, max(1, info.dp)),
            total=format_amount(total),
            n=n,
        )
    return t("area.county_rate", lang, value=value_text(total, info, lang))


def rank_text(row: dict[str, Any], n: int, lang: str) -> str:
    """'3 / 15(2–6)': the rank among the areas ranked, with its 95% interval when there is one."""
    rank = number_or_none(row.get("rank"))
    if rank is None:
        return ""
    low, high = number_or_none(row.get("rank_low")), number_or_none(row.get("rank_high"))
    if low is not None and high is not None:
        return t("area.rank_interval", lang, rank=int(rank), n=n, low=int(low), high=int(high))
    return t("area.rank", lang, rank=int(rank), n=n)


def interval_text(row: dict[str, Any], dp: int, lang: str) -> str:
    low, high = number_or_none(row.get("low95")), number_or_none(row.get("high95"))
    if low is None or high is None:
        return ""
    return t("area.interval", lang, low=format_number(low, dp), high=format_number(high, dp))


def trend_texts(trend: dict[str, Any] | None, lang: str) -> tuple[str, str]:
    """The trend cell and its hover from a row of `indicators.trend.area_trends`:
    ('上升（P = 0.0015）', 'χ² 趋势检验：2024年2月 至 2024年6月 共 5 期单月数据，χ² = 10.10…');
    ('', '') where the indicator is not tested (amounts)."""
    if trend is None or trend.get("direction") is None:
        return "", ""
    direction = str(trend["direction"])
    periods = tuple(trend.get("periods") or ())
    p = number_or_none(trend.get("p"))
    words = {
        "word": t(f"area.trend.{direction}", lang),
        "n": len(periods),
        "first": period_label(periods[0], lang) if periods else "",
        "last": period_label(periods[-1], lang) if periods else "",
        "level": f"{100 * float(trend['level']):g}",
        "alpha": f"{1 - float(trend['level']):g}",
        "p": p_text(p, 4) if p is not None else "",  # four decimals: the test is at 0.002
        "chi2": format_number(trend.get("chi2"), 2),
    }
    if direction == "too_few":
        return t("area.trend.cell_periods", lang, **words), t(
            "area.trend.title_too_few", lang, **words
        )
    if p is None:  # no variance: every period alike (no events, or all of them)
        return str(words["word"]), t("area.trend.title_untested", lang, **words)
    return t("area.trend.cell", lang, **words), t("area.trend.title", lang, **words)


def area_rows(
    table: pd.DataFrame,
    area: str,
    lang: str,
    *,
    catalog: Any = None,
    trends: pd.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """The area's current figures, one row per indicator with a value (catalog order, the
    composite last): indicator, name, value (with unit), status (key), status_text (mark and
    word), rank ('3 / 15(2–6)'), interval (95%), change (signed, with the word of its test)
    and change_title (its interval and p, the hover), trend (上升 / 下降 / 无显著变化 / 期数不足
    over the last periods, from `trends` = `area_trends`) and trend_title (its periods and p),
    county (what it is compared with)."""
    mine_trends: dict[str, dict[str, Any]] = {}
    if trends is not None and not trends.empty:
        part = trends[(trends["area"] == area) & ~trends["is_total"].astype(bool)]
        mine_trends = {str(r["indicator"]): r for r in part.to_dict("records")}
    out = []
    for key, rows in table.groupby("indicator", sort=False):
        mine = rows[rows["area"] == area]
        if mine.empty:
            continue
        row = mine.iloc[0].to_dict()
        info = indicator_info(key, lang, catalog)
        if number_or_none(row.get("value")) is None:
            continue
        ranked = int(pd.to_numeric(_areas(rows)["rank"], errors="coerce").notna().sum())
        status = clean_status(row.get("status"))
        trend, trend_title = trend_texts(mine_trends.get(str(key)), lang)
        out.append(
            {
                "indicator": key,
                "name": info.name,
                "value": value_text(row.get("value"), info, lang),
                "status": status,
                "status_text": status_text(status, lang),
                "rank": rank_text(row, ranked, lang),
                "interval": interval_text(row, info.dp, lang),
                "change": change_words(
                    row.get("change"),
                    info.unit,
                    info.dp,
                    lang,
                    row.get("change_dir"),
                    row.get("change_p"),
                )
                if key != "composite"
                else "",
                "change_title": change_interval_text(row, info, lang),
                "trend": trend,
                "trend_title": trend_title,
                "county": comparison_text(rows, info, lang) if key != "composite" else "",
            }
        )
    return out


def year_lines(figures: pd.DataFrame, area: str, indicator: str, info: Any) -> dict[str, Any]:
    """One indicator's months for the small chart: {'this': {month: value}, 'last': {…},
    'county': {month: the county's rate, or its figure per township for a sum}} (months
    without data are absent, so the chart breaks there instead of joining)."""
    rows = figures[figures["indicator"] == indicator]
    out: dict[str, dict[int, float]] = {"this": {}, "last": {}, "county": {}}
    for year in ("this", "last"):
        part = rows[(rows["year"] == year) & (rows["area"] == area) & ~rows["is_total"]]
        out[year] = {
            int(m): float(v) for m, v in zip(part["month"], part["value"], strict=True) if v == v
        }
    county = rows[(rows["year"] == "this") & rows["is_total"]]
    for month, value, n in zip(county["month"], county["value"], county["n_areas"], strict=True):
        if value != value or (info.is_sum and not n):
            continue
        out["county"][int(month)] = float(value) / int(n) if info.is_sum else float(value)
    return out


def month_labels(year_start_month: int, lang: str) -> list[str]:
    """The 12 months of a statistical year in order, by their calendar names ('1月' / 'Jan')."""
    return [t(f"area.months.m{(year_start_month - 1 + i) % 12 + 1}", lang) for i in range(12)]


def year_labels(period: str, year_start_month: int, lang: str) -> dict[str, str]:
    """The two statistical years' names: {'this': '2025年', 'last': '2024年'} (a year starting
    in another month than January spans two: '2024–2025年')."""
    first_year = parse_period(year_start(period, year_start_month))[0]
    out = {}
    for key, year in (("this", first_year), ("last", first_year - 1)):
        if year_start_month == 1:
            out[key] = t("area.year", lang, year=year)
        else:
            out[key] = t("area.year_span", lang, first=year, last=year + 1)
    return out


#: The columns of the township's table, in order (message keys area.col.*).
TABLE_COLUMNS = (
    "name",
    "value",
    "status_text",
    "rank",
    "interval",
    "change",
    "trend",
    "county",
)
#: Their widths in the picture (relative).
PICTURE_WIDTHS = [2.6, 1.2, 1.3, 1.5, 1.6, 2.4, 2.3, 2.6]
#: The hover of a column's cells (a row's key), on the page.
CELL_TITLES = {"change": "change_title", "trend": "trend_title"}


def picture_table(rows: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """The township's table for the one-picture PNG: header, rows of texts, cell fills (the
    status cell in its colour, so the picture reads like the page)."""
    header = [t(f"area.col.{c}", lang) for c in TABLE_COLUMNS]
    body = [[r[c] for c in TABLE_COLUMNS] for r in rows]
    fills = []
    for r in rows:
        status = r["status"]
        fill = STATUS_STYLE[status]["fill"] if status else "#FFFFFF"
        fills.append([fill if c == "status_text" else "#FFFFFF" for c in TABLE_COLUMNS])
    return {"header": header, "rows": body, "fills": fills, "widths": PICTURE_WIDTHS}


def _kept_per_upload(
    app_state: Any,
    key: tuple,
    period: str,
    scope: str,
    total: str,
    make: Callable[[Scoped], pd.DataFrame],
) -> pd.DataFrame:
    """make(the stored values of the scope, its catalog and total: `indicators.levels`), kept
    per worker under `key`, the scope and the store's revision, as the indicator tables are.
    The values are the months the period's views read (`state.cached_values`, shared with its
    indicator tables): a trend looks back over these months only (two statistical years and
    the one before)."""

    def made() -> pd.DataFrame:
        values = cached_values(app_state, period)
        return make(
            scoped(values, app_state.catalog, cached_parents(app_state, period), scope, total)
        )

    found: pd.DataFrame = per_revision(app_state, (*key, scope), made)
    return found


def cached_year_figures(
    app_state: Any, period: str, basis: str, total: str, scope: str = ALL
) -> pd.DataFrame:
    """`indicators.trends.year_figures` of a period, basis and scope, kept per worker until
    new data."""
    return _kept_per_upload(
        app_state,
        ("years", period, basis),
        period,
        scope,
        total,
        lambda view: year_figures(
            view.values,
            period,
            basis,
            catalog=view.catalog,
            settings=app_state.settings,
            total=view.total or total,
        ),
    )


def cached_area_trends(app_state: Any, period: str, total: str, scope: str = ALL) -> pd.DataFrame:
    """`indicators.trend.area_trends` of every area of the scope up to a period, over single
    months (the page's basis aside: year-to-date figures overlap), kept per worker until new
    data."""
    return _kept_per_upload(
        app_state,
        ("area_trends", period),
        period,
        scope,
        total,
        lambda view: area_trends(
            view.values,
            period,
            "month",
            catalog=view.catalog,
            settings=app_state.settings,
            total=view.total or total,
        ),
    )


def area_view(
    table: pd.DataFrame,
    figures: pd.DataFrame,
    area: str,
    period: str,
    lang: str,
    *,
    catalog: Any = None,
    year_start_month: int = 1,
    trends: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Everything the township page and its picture show: rows (area_rows, with `trends`),
    lines (for each indicator with a row and months), month and year labels, status counts."""
    rows = area_rows(table, area, lang, catalog=catalog, trends=trends)
    mine = figures[(figures["area"] == area) | figures["is_total"]]
    by_indicator = dict(tuple(mine.groupby("indicator", sort=False)))
    lines = {}
    for row in rows:
        key = row["indicator"]
        if key not in by_indicator:
            continue
        found = year_lines(by_indicator[key], area, key, indicator_info(key, lang, catalog))
        if found["this"] or found["last"]:
            lines[key] = found
    return {
        "rows": rows,
        "lines": lines,
        "months": month_labels(year_start_month, lang),
        "years": year_labels(period, year_start_month, lang),
        "counts": status_counts(table, area),
    }
