"""The trend chart of one area and indicator over the periods."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.style import (
    BAND_COLOUR,
    LABEL_BACKGROUND,
    LINE_COLOUR,
    STATUS_STYLE,
    _base_layout,
    _reference_lines,
    chart_title,
    indicator_info,
    plain,
    unit_label,
    wrap_title,
)
from indicators.catalog import Catalog
from zhibiao.i18n import t

#: Title size of a trend chart (two of them share a row on the area page).
TREND_TITLE_SIZE = 22


def trend_figure(
    series: pd.DataFrame,
    indicator: str,
    area: str,
    lang: str = "zh",
    *,
    catalog: Catalog | None = None,
) -> go.Figure:
    """One area's indicator by month, with the county line and last year's line."""
    info = indicator_info(indicator, lang, catalog)
    area = plain(area)
    frame = series.sort_values("period")
    periods = [str(p) for p in frame["period"]]
    fig = go.Figure()
    lines = (
        ("previous_year_value", t("figures.trend.last_year", lang), "#8C8C8C", "dot", 2),
        ("county_value", t("figures.trend.county", lang), LINE_COLOUR, "dash", 2),
        ("value", str(area), STATUS_STYLE["green"]["fill"], "solid", 3.5),
    )
    for column, name, colour, dash, width in lines:
        if column not in frame:
            continue
        fig.add_trace(
            go.Scatter(
                x=periods,
                y=frame[column],
                mode="lines+markers",
                name=name,
                line={"color": colour, "dash": dash, "width": width},
                marker={"size": 8 if column == "value" else 6},
                hovertemplate=f"{name} %{{x}}: %{{y:.{info.dp}f}}<extra></extra>",
            )
        )
    for mark in _reference_lines(info, lang):
        if mark["kind"] == "band":
            fig.add_hrect(
                y0=mark["low"],
                y1=mark["high"],
                fillcolor=BAND_COLOUR,
                opacity=0.15,
                layer="below",
                line_width=0,
                annotation_text=mark["text"],
                annotation_position="top left",
                annotation_font={"size": 14, "color": BAND_COLOUR},
                annotation_bgcolor=LABEL_BACKGROUND,
            )
        else:
            fig.add_hline(
                y=mark["value"],
                line={"color": mark["colour"], "dash": mark["dash"], "width": 1.5},
                annotation_text=mark["text"],
                annotation_position="top left",
                annotation_font={"size": 14, "color": mark["colour"]},
                annotation_bgcolor=LABEL_BACKGROUND,
            )
    _base_layout(fig)
    title: dict[str, Any] = {
        "text": wrap_title(
            t("figures.trend.title", lang, area=area, indicator=chart_title(info, lang)),
            TREND_TITLE_SIZE,
        ),
        "x": 0.01,
        "xanchor": "left",
        "font": {"size": TREND_TITLE_SIZE},
    }
    extra = TREND_TITLE_SIZE * 1.3 * title["text"].count("<br>")
    fig.update_layout(
        title=title, height=480 + extra, margin={"l": 70, "r": 40, "t": 100 + extra, "b": 60}
    )
    fig.update_xaxes(type="category", title={"text": t("figures.axis.period", lang)})
    fig.update_yaxes(
        title={"text": unit_label(info.unit, lang) or t("figures.axis.value", lang)},
        gridcolor="#E5E5E5",
    )
    return fig
