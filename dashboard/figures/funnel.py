"""The funnel chart: each area's value against its denominator, with the limits of the county."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.style import (
    LINE_COLOUR,
    STATUS_STYLE,
    IndicatorInfo,
    _subtitle,
    _title,
    chart_title,
    default_catalog,
    format_amount,
    format_number,
    indicator_info,
    number_or_none,
    one_pass_figure,
    plain,
    plain_areas,
    records,
    trace,
    unit_label,
    view_max_areas,
)
from dashboard.figures.words import binomial_words
from indicators.catalog import Catalog
from indicators.funnel import funnel_note
from zhibiao.i18n import t
from zhibiao.vocabulary import STATUSES, clean_status, status_label, status_text

#: Where a point falls against the funnel, beyond the limits first (indicators.funnel.BANDS),
#: and how it is drawn: high orange, low blue (readable in red-green colour
#: blindness), paler between the 95% and 99.8% limits, grey within.
BAND_ORDER = ["high998", "low998", "high95", "low95", "in95"]
BAND_STYLE = {
    "high998": {"fill": "#D55E00", "symbol": "triangle-up"},
    "low998": {"fill": "#0072B2", "symbol": "triangle-down"},
    "high95": {"fill": "#F0A16B", "symbol": "triangle-up-open"},
    "low95": {"fill": "#7FB2D9", "symbol": "triangle-down-open"},
    "in95": {"fill": "#B0B0B0", "symbol": "circle"},
}

#: Share of the funnel's value span left empty below and above (names sit above points).
FUNNEL_PAD = 0.08


FUNNEL_PAD_TOP = 0.15


def funnel_figure(
    funnel: dict[str, Any],
    indicator: str,
    lang: str = "zh",
    *,
    catalog: Catalog | None = None,
) -> go.Figure:
    """Each area's value against its denominator, with the 95% and 99.8% limits (funnel).

    The x axis is named by what the denominator is (出生人数), the y axis shows the whole
    funnel over the denominators present; a sex ratio's y axis is logarithmic.

    Built in one pass (`style.one_pass_figure`): the limit lines, the point groups, the
    county's line and its label are plain data, made once."""
    known = catalog or default_catalog()
    x_title = binomial_words(known.get(indicator), known, lang)
    info = indicator_info(indicator, lang, catalog)
    points = plain_areas(pd.DataFrame(funnel.get("points", pd.DataFrame())))
    limits = funnel_limits_drawn(
        pd.DataFrame(funnel.get("limits", pd.DataFrame())), info, points.get("denominator")
    )
    centre = number_or_none(funnel.get("centre"))
    traces = _limit_lines(limits, lang)
    if "status" not in points:
        points = points.assign(status=None)
    points = points.assign(_status=[clean_status(s) or "none" for s in points["status"]])
    # colour by where a point falls against the funnel (a comparison with the county) when the
    # funnel says so; the status against the target is in the hover
    by_band = "band" in points and points["band"].notna().any()
    # many areas: every point drawn with WebGL, names on hover only
    many = len(points) > view_max_areas(catalog)
    groups = BAND_ORDER if by_band else [*STATUSES, "none"]
    column = "band" if by_band else "_status"
    for group_key in groups:
        group = points[points[column] == group_key]
        if group.empty:
            continue
        style = BAND_STYLE[group_key] if by_band else STATUS_STYLE[group_key]
        flagged = group_key != "in95" if by_band else group_key in ("red", "amber", "watch")
        flagged = flagged and not many
        names = [str(a) for a in group["area"]]
        name = t(f"funnel.band.{group_key}", lang) if by_band else status_text(group_key, lang)
        traces.append(
            trace(
                "scattergl" if many else "scatter",
                x=group["denominator"].to_numpy(),
                y=group["value"].to_numpy(),
                mode="markers+text" if flagged else "markers",
                name=name or plain(info.name),
                text=names if flagged else None,
                textposition="top center",
                textfont={"size": 14},
                marker={
                    "color": style["fill"],
                    "symbol": style["symbol"],
                    "size": 13,
                    "line": {"color": "#000000", "width": 1},
                },
                hovertext=_point_hovers(group, info, lang, by_band),
                hovertemplate="%{hovertext}<extra></extra>",
                customdata=names,  # a click opens the township
            )
        )
    phi = number_or_none(funnel.get("phi"))
    subtitle = _subtitle(points, lang)
    note = None
    if funnel.get("method"):  # which limits were drawn, and why (φ, τ², the test's p)
        note = funnel_note(funnel, lang)
    elif phi is not None and phi > 1:
        note = t("figures.funnel.overdispersion", lang, phi=f"{phi:.2f}")
    if note:
        subtitle = f"{subtitle} · {note}" if subtitle else note
    title = _title(info, lang, subtitle)
    title["text"] = t("figures.funnel.title", lang, indicator=chart_title(info, lang))
    log = info.unit == "ratio100"
    y_range = funnel_y_range(points, centre, limits, log=log, cap=info.axis_cap)
    yaxis: dict[str, Any] = {
        "title": {"text": unit_label(info.unit, lang) or t("figures.axis.value", lang)},
        "gridcolor": "#E5E5E5",
        "type": "log" if log else "linear",
    }
    if y_range:
        yaxis["range"] = [math.log10(v) for v in y_range] if log else y_range
    if log and y_range:
        ticks = log_ticks(*y_range)
        yaxis.update(tickvals=ticks, ticktext=[format_amount(v) for v in ticks])
    layout: dict[str, Any] = {
        "title": title,
        "height": 600,
        "margin": {"l": 70, "r": 40, "t": 110, "b": 70},
        "xaxis": {"title": {"text": x_title}, "gridcolor": "#E5E5E5"},
        "yaxis": yaxis,
    }
    if centre is not None:
        layout.update(_centre_line(centre, info, lang))
    return one_pass_figure(traces, layout)


def _limit_lines(limits: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    """The 99.8% and 95% limits, each a pair of dotted or dashed lines named once in the
    legend (plain traces)."""
    lines: list[dict[str, Any]] = []
    for low, high, key, dash in (
        ("low998", "high998", "figures.funnel.limit998", "dot"),
        ("low95", "high95", "figures.funnel.limit95", "dash"),
    ):
        name = t(key, lang)
        for column, show in ((high, True), (low, False)):
            if column in limits:
                lines.append(
                    trace(
                        "scatter",
                        x=limits["denominator"].to_numpy(),
                        y=limits[column].to_numpy(),
                        mode="lines",
                        name=name,
                        legendgroup=name,
                        showlegend=show,
                        line={"color": LINE_COLOUR, "dash": dash, "width": 1.5},
                        hoverinfo="skip",
                    )
                )
    return lines


def _point_hovers(group: pd.DataFrame, info: IndicatorInfo, lang: str, by_band: bool) -> list[str]:
    """Each point's hover: the area, its value and denominator, its band and its status."""
    return [
        "<br>".join(
            [
                f"<b>{row['area']}</b>",
                t("figures.hover.value", lang, value=format_number(row["value"], info.dp)),
                t(
                    "figures.hover.denominator",
                    lang,
                    denominator=format_amount(row["denominator"]),
                ),
                *([t(f"funnel.band.{row['band']}", lang)] if by_band else []),
                *(
                    [t("figures.hover.status", lang, status=status_label(row["_status"], lang))]
                    if row["_status"] != "none"
                    else []
                ),
            ]
        )
        for row in records(group, ["area", "value", "denominator", "band", "_status"])
    ]


def _centre_line(centre: float, info: IndicatorInfo, lang: str) -> dict[str, Any]:
    """The county's value across the plot and its label at the right end, above the line:
    what `fig.add_hline(…, annotation_position="top right")` makes, as plain layout."""
    return {
        "shapes": [
            {
                "type": "line",
                "xref": "x domain",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": centre,
                "y1": centre,
                "line": {"color": LINE_COLOUR, "width": 2},
            }
        ],
        "annotations": [
            {
                "text": t("figures.funnel.centre", lang, value=format_number(centre, info.dp)),
                "showarrow": False,
                "xref": "x domain",
                "x": 1,
                "xanchor": "right",
                "yref": "y",
                "y": centre,
                "yanchor": "bottom",
                "font": {"size": 14},
            }
        ],
    }


#: Ticks of a log axis: 1, 1.5, 2, 3, 5, 7 in each power of ten.
LOG_TICK_STEPS = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)


def log_ticks(low: float, high: float) -> list[float]:
    """Round values between `low` and `high` for a log axis (…, 50, 70, 100, 150, 200, …)."""
    ticks = []
    power = 10.0 ** math.floor(math.log10(max(low, 1e-9)))
    while power <= high:
        ticks += [step * power for step in LOG_TICK_STEPS if low <= step * power <= high]
        power *= 10
    return [round(v, 6) for v in ticks]


def funnel_limits_drawn(
    limits: pd.DataFrame, info: IndicatorInfo, denominators: Any = None
) -> pd.DataFrame:
    """The limit lines over the denominators present (the smallest area's to the largest's),
    from no lower than the indicator's minimum for judging on (srb: 20): below it an area is
    not judged (grey), and the limits there run off to thousands."""
    if "denominator" not in limits:
        return limits
    limits = limits.sort_values("denominator")
    present = pd.to_numeric(pd.Series(denominators, dtype="float64"), errors="coerce").dropna()
    low = float(present.min()) if len(present) else None
    if info.min_denominator is not None:
        low = max(low or 0.0, info.min_denominator)
    if low is not None:
        # from the last grid point at or below `low`, so the lines start at the smallest area
        before = limits[limits["denominator"] <= low]
        start = before["denominator"].iloc[-1] if len(before) else low
        limits = limits[limits["denominator"] >= start]
    return limits


def funnel_y_range(
    points: pd.DataFrame,
    centre: float | None,
    limits: pd.DataFrame,
    *,
    log: bool = False,
    cap: float | None = None,
) -> list[float] | None:
    """The value axis of a funnel: every point, the county value and the whole funnel drawn
    (both 99.8% limits over the denominators present), padded; never below 0 nor past `cap`
    (100 for a share). On a `log` axis (a sex ratio, where the limits are not symmetric) the
    padding is a share of the axis's log span."""
    values = [number_or_none(v) for v in points.get("value", [])]
    extent = [v for v in values if v is not None and math.isfinite(v)]
    if centre is not None:
        extent.append(centre)
    for column in ("low998", "high998", "low95", "high95"):
        for value in limits.get(column, []):
            value = number_or_none(value)
            if value is not None and math.isfinite(value) and (value > 0 or not log):
                extent.append(value)
    if not extent:
        return None
    low, high = min(extent), max(extent)
    if log:
        low = max(low, 1e-3)
        span = math.log10(high / low) or 0.1
        return [low / 10 ** (span * FUNNEL_PAD), high * 10 ** (span * FUNNEL_PAD_TOP)]
    span = (high - low) or max(abs(high) * 0.1, 1.0)
    bottom = max(low - span * FUNNEL_PAD, 0.0) if low >= 0 else low - span * FUNNEL_PAD
    top = high + span * FUNNEL_PAD_TOP
    if cap is not None and high <= cap:
        top = min(top, cap + span * FUNNEL_PAD)
    return [bottom, top]
