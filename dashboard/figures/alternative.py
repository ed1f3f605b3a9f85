"""The text alternative of each chart (WCAG 1.1.1): its name, a summary in words and its figures as
a table, read from the same rows the chart draws, in the user's language.

The name is the chart's own title as plain text; the summary says what the chart shows and
names its ends (the best and worst areas of a ranking, the flagged and the highest and lowest
areas of a funnel, the latest, highest and lowest months of a trend).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.ranking import rank_order
from dashboard.figures.style import (
    _areas,
    _county_row,
    format_amount,
    indicator_info,
    number_or_none,
    records,
    value_text,
)
from zhibiao.i18n import t
from zhibiao.vocabulary import WARNING_STATUSES, clean_status, status_label, status_text


@dataclass(frozen=True)
class ChartText:
    """A chart in words: `name` (its title), `summary`, and `rows` under `columns`, the column
    `row_header` naming each row (the area, the month)."""

    name: str
    summary: str
    columns: list[str]
    rows: list[list[str]]
    row_header: int = 0


def figure_name(fig: go.Figure) -> str:
    """The chart's title as one line of plain text (line breaks become spaces, markup goes)."""
    text = str(fig.layout.title.text or "")
    subtitle = fig.layout.title.subtitle.text if fig.layout.title.subtitle else None
    if subtitle:  # plotly's own subtitle (figures.style._title), read as one line with the title
        text = f"{text} {subtitle}"
    text = re.sub(r"<br\s*/?>", " ", text)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()


def _join(items: list[str], lang: str) -> str:
    return t("figures.separator", lang).join(items)


def _named(area: Any, value: Any, info: Any, lang: str) -> str:
    return t("figures.alt.area_value", lang, area=area, value=value_text(value, info, lang))


def ranking_text(
    fig: go.Figure, table: pd.DataFrame, indicator: str, lang: str, *, catalog: Any = None
) -> ChartText:
    """The ranking chart (`ranking_bar` of the same table) in words: the areas best to worst
    with rank, value, numerator / denominator and status, the county last."""
    info = indicator_info(indicator, lang, catalog)
    rows = table[table["indicator"] == indicator]
    areas = _areas(rows)
    has_value = pd.to_numeric(areas["value"], errors="coerce").notna()
    ordered = rank_order(areas[has_value], info.direction)
    missing = areas[~has_value]
    county = _county_row(rows)
    with_fraction = "denominator" in rows and rows["denominator"].map(number_or_none).notna().any()

    def line(row: Any, rank: str) -> list[str]:
        value = value_text(row["value"], info, lang) or t("figures.alt.no_value", lang)
        cells = [rank, str(row["area"]), value]
        if with_fraction:
            numerator, denominator = (
                format_amount(row["numerator"]),
                format_amount(row["denominator"]),
            )
            cells.append(f"{numerator} / {denominator}" if denominator else "")
        return [*cells, status_text(row.get("status"), lang)]

    body = []
    for row in records(ordered):
        rank = number_or_none(row.get("rank"))
        body.append(line(row, "" if rank is None else str(int(rank))))
    body += [line(row, "") for row in records(missing)]
    if county is not None:
        body.append(line(county, t("figures.county", lang)))
    columns = [t(f"figures.alt.col.{k}", lang) for k in ("rank", "area", "value")]
    if with_fraction:
        columns.append(t("figures.alt.col.fraction", lang))
    columns.append(t("figures.alt.col.status", lang))

    if ordered.empty:
        summary = t("figures.alt.empty", lang)
    else:
        # the ends of the ranking: an area not assessed (不评价) has no rank and follows them
        ranked = ordered[ordered["rank"].map(number_or_none).notna()]
        ends = ranked if not ranked.empty else ordered
        best, worst = ends.iloc[0], ends.iloc[-1]
        summary = t(
            "figures.alt.ranking",
            lang,
            n=len(ordered),
            best=_named(best["area"], best["value"], info, lang),
            worst=_named(worst["area"], worst["value"], info, lang),
        )
        if county is not None and number_or_none(county["value"]) is not None:
            summary += t(
                "figures.alt.county",
                lang,
                county=county["area"],
                value=value_text(county["value"], info, lang),
            )
    return ChartText(figure_name(fig), summary, columns, body, row_header=1)


def funnel_text(
    fig: go.Figure, funnel: dict[str, Any], indicator: str, lang: str, *, catalog: Any = None
) -> ChartText:
    """The funnel chart (`funnel_figure` of the same funnel) in words: each area's denominator,
    value and status, the flagged areas, and the highest and lowest values."""
    info = indicator_info(indicator, lang, catalog)
    points = pd.DataFrame(funnel.get("points", pd.DataFrame()))
    if "status" not in points:
        points = points.assign(status=None)
    points = points.assign(_value=pd.to_numeric(points.get("value"), errors="coerce"))
    points = points.sort_values("_value", ascending=False, na_position="last", kind="stable")
    columns = [t(f"figures.alt.col.{k}", lang) for k in ("area", "denominator", "value", "status")]
    body = [
        [
            str(row["area"]),
            format_amount(row["denominator"]),
            value_text(row["value"], info, lang),
            status_text(row["status"], lang),
        ]
        for row in records(points, ["area", "denominator", "value", "status"])
    ]
    valued = points[points["_value"].notna()]
    if valued.empty:
        return ChartText(figure_name(fig), t("figures.alt.empty", lang), columns, body)
    statuses = [clean_status(s) for s in points["status"]]
    flagged = [
        t(
            "figures.alt.flagged",
            lang,
            status=status_label(status, lang),
            areas=_join(
                [str(a) for a, s in zip(points["area"], statuses, strict=True) if s == status], lang
            ),
        )
        for status in WARNING_STATUSES
        if status in statuses
    ]
    centre = number_or_none(funnel.get("centre"))
    high, low = valued.iloc[0], valued.iloc[-1]
    summary = t(
        "figures.alt.funnel",
        lang,
        n=len(valued),
        indicator=info.name,
        centre=value_text(centre, info, lang) if centre is not None else "",
        flagged="".join(flagged) if flagged else t("figures.alt.none_flagged", lang),
        high=_named(high["area"], high["value"], info, lang),
        low=_named(low["area"], low["value"], info, lang),
    )
    return ChartText(figure_name(fig), summary, columns, body)


def area_charts_text(
    title: str,
    lines: dict[str, dict[str, dict[int, float]]],
    area: str,
    lang: str,
    *,
    catalog: Any = None,
    month_labels: list[str],
    year_labels: dict[str, str],
) -> ChartText:
    """The township's small charts (`trend.area_charts` of the same lines) in words: for each
    indicator and month, this year's value, last year's and the county's."""
    columns = [
        t("figures.alt.col.indicator", lang),
        t("figures.alt.col.month", lang),
        year_labels["this"],
        year_labels["last"],
        t("figures.alt.col.county_value", lang),
    ]
    body = []
    for key, found in lines.items():
        info = indicator_info(key, lang, catalog)
        months = sorted(set(found.get("this", {})) | set(found.get("last", {})))
        for month in months:
            body.append(
                [
                    info.name,
                    month_labels[month - 1],
                    *[
                        value_text(found.get(part, {}).get(month), info, lang)
                        for part in ("this", "last", "county")
                    ],
                ]
            )
    if not body:
        return ChartText(title, t("figures.alt.empty", lang), columns, body)
    summary = t(
        "figures.alt.trend",
        lang,
        area=area,
        n=len(lines),
        this=year_labels["this"],
        last=year_labels["last"],
    )
    return ChartText(title, summary, columns, body)
