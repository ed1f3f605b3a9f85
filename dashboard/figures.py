"""The figure builders shared by the pages and the exports: ranking bars, funnel, trend, cards.

Every builder reads the indicator table (`indicators/columns.py`) or a frame the indicators
layer hands over, labels everything from the message catalogs (`figures.*`) and the indicator
catalog (names, unit, decimals, direction, range, target, limits), and never tells a status by
colour alone: each bar or point carries its status word and a mark, and red and amber bars are
hatched so a black-and-white printout still tells them apart.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from zhibiao.i18n import has, t

FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif'

#: Size of a downloaded chart (the modebar camera and the exports).
IMAGE_WIDTH = 1600
IMAGE_HEIGHT = 900
IMAGE_SCALE = 2

#: plotly.js locale names per interface language (zh-CN is served from assets/).
PLOTLY_LOCALES = {"zh": "zh-CN", "en": "en"}

GRAPH_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "showSendToCloud": False,
    "locale": PLOTLY_LOCALES["zh"],
    "toImageButtonOptions": {
        "format": "png",
        "filename": "zhibiao",
        "width": IMAGE_WIDTH,
        "height": IMAGE_HEIGHT,
        "scale": IMAGE_SCALE,
    },
}

#: Colour-blind-safe palette (ColorBrewer RdBu/PuOr family) with a word, a mark and a hatch.
STATUS_STYLE: dict[str, dict[str, str]] = {
    "red": {"fill": "#B2182B", "text": "#FFFFFF", "pattern": "x", "mark": "▲▲", "symbol": "x"},
    "amber": {
        "fill": "#E08214",
        "text": "#000000",
        "pattern": "/",
        "mark": "▲",
        "symbol": "triangle-up",
    },
    "watch": {
        "fill": "#FDB863",
        "text": "#000000",
        "pattern": ".",
        "mark": "△",
        "symbol": "square",
    },
    "green": {"fill": "#4393C3", "text": "#FFFFFF", "pattern": "", "mark": "√", "symbol": "circle"},
    "grey": {
        "fill": "#BDBDBD",
        "text": "#000000",
        "pattern": "",
        "mark": "○",
        "symbol": "circle-open",
    },
    "none": {"fill": "#5E7A94", "text": "#FFFFFF", "pattern": "", "mark": "", "symbol": "circle"},
}

#: Worst first: the order warnings and legends follow.
STATUS_ORDER = ["red", "amber", "watch", "green", "grey"]

#: The county figures the overview shows, in this order (those present in the table).
OVERVIEW_INDICATORS = [
    "births",
    "birth_rate",
    "srb",
    "compliance",
    "multi_rate",
    "out_of_policy",
    "fee_coverage",
    "fee_amount_rate",
    "fee_collected",
]

#: Catalog unit → message key of its display name (figures.unit.*, figures.change_unit.*).
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

#: Share of the funnel's value span left empty below and above (names sit above points).
FUNNEL_PAD = 0.08
FUNNEL_PAD_TOP = 0.15

LINE_COLOUR = "#333333"
BAND_COLOUR = "#1B7837"
LABEL_BACKGROUND = "rgba(255,255,255,0.85)"


def graph_config(lang: str, filename: str = "zhibiao") -> dict[str, Any]:
    """The `dcc.Graph(config=…)` for one language: no logo, no cloud, local modebar locale."""
    options = dict(GRAPH_CONFIG["toImageButtonOptions"], filename=filename)
    return {
        **GRAPH_CONFIG,
        "locale": PLOTLY_LOCALES.get(lang, PLOTLY_LOCALES["zh"]),
        "toImageButtonOptions": options,
    }


def clean_status(status: Any) -> str | None:
    """A status from the table as one of STATUS_ORDER, or None (no rule, NaN, unknown)."""
    return status if isinstance(status, str) and status in STATUS_ORDER else None


def status_label(status: str | None, lang: str) -> str:
    """The status word (显著异常 需关注 待观察 正常 不评价); '' for an indicator without a rule."""
    status = clean_status(status)
    return t(f"figures.status.{status}", lang) if status else ""


def status_text(status: str | None, lang: str) -> str:
    """The mark and the word together (`▲▲ 显著异常`), for labels that must print in grey."""
    status = clean_status(status)
    if status is None:
        return ""
    return f"{STATUS_STYLE[status]['mark']} {status_label(status, lang)}"


def status_style(status: str | None) -> dict[str, str]:
    return STATUS_STYLE[clean_status(status) or "none"]


# --- the indicator catalog ---------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInfo:
    """What a chart needs to know of one indicator (read from the catalog)."""

    key: str
    name: str
    unit: str
    dp: int
    direction: str
    reference: float | None
    range_low: float | None
    range_high: float | None
    target: float | None
    limits: tuple[tuple[str, float], ...]
    min_denominator: float | None = None


def _field(entry: Any, name: str, default: Any = None) -> Any:
    if entry is None:
        return default
    if isinstance(entry, Mapping):
        return entry.get(name, default)
    return getattr(entry, name, default)


@cache
def default_catalog() -> Any:
    """The project's indicator catalog (data/indicators.toml), read once per process."""
    from indicators.catalog import load_catalog

    return load_catalog()


def _catalog_entry(catalog: Any, key: str) -> Any:
    """The entry of `key` in a Catalog (`.get`), a mapping or a list of entries; else None."""
    if catalog is None:
        catalog = default_catalog()
    getter = getattr(catalog, "get", None)
    if callable(getter):
        try:
            found = getter(key)
        except KeyError:
            found = None
        if found is not None:
            return found
    entries = getattr(catalog, "indicators", catalog)
    if isinstance(entries, list | tuple):
        for entry in entries:
            if _field(entry, "key") == key:
                return entry
    return None


def number_or_none(value: Any) -> float | None:
    """A cell's value as a float; None when it is missing, NA, NaN or not a number."""
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _limit_pairs(limits: Any) -> tuple[tuple[str, float], ...]:
    """Fee limits as (status, threshold) pairs: ('green', 70), ('amber', 50)."""
    if limits is None:
        return ()
    if isinstance(limits, Mapping):
        pairs = [(str(k), number_or_none(v)) for k, v in limits.items()]
    elif isinstance(limits, list | tuple):
        pairs = [
            (name, number_or_none(v)) for name, v in zip(("green", "amber"), limits, strict=False)
        ]
    else:
        pairs = [(name, number_or_none(getattr(limits, name, None))) for name in ("green", "amber")]
    return tuple((name, value) for name, value in pairs if value is not None)


def indicator_info(indicator: str, lang: str, catalog: Any = None) -> IndicatorInfo:
    """The catalog entry of `indicator` in the terms a chart uses (name in `lang`)."""
    entry = _catalog_entry(catalog, indicator)
    name = _field(entry, lang) or _field(entry, "zh")
    if not name:
        message = f"figures.indicator.{indicator}"
        name = t(message, lang) if has(message, lang) else indicator
    dp = _field(entry, "dp", 2)
    return IndicatorInfo(
        key=indicator,
        name=str(name),
        unit=str(_field(entry, "unit", "score" if indicator == "composite" else "") or ""),
        dp=int(dp if dp is not None else 2),
        direction=str(_field(entry, "direction", "higher") or "none"),
        reference=number_or_none(_field(entry, "reference")),
        range_low=number_or_none(_field(entry, "range_low")),
        range_high=number_or_none(_field(entry, "range_high")),
        target=number_or_none(_field(entry, "target")),
        limits=_limit_pairs(_field(entry, "limits")),
        min_denominator=number_or_none(_field(entry, "min_denominator")),
    )


# --- text helpers ------------------------------------------------------------------------


def format_number(value: Any, dp: int) -> str:
    """`value` with `dp` decimals ('' when there is none). The table already rounded it."""
    number = number_or_none(value)
    return "" if number is None else f"{number:.{dp}f}"


def format_amount(value: Any) -> str:
    """A numerator or denominator: whole numbers without decimals, amounts with up to two."""
    number = number_or_none(value)
    if number is None:
        return ""
    if number == round(number):
        return f"{number:.0f}"
    return f"{number:.2f}".rstrip("0").rstrip(".")


def unit_label(unit: str, lang: str) -> str:
    key = UNIT_KEYS.get(unit)
    return t(f"figures.unit.{key}", lang) if key else unit


def value_text(value: Any, info: IndicatorInfo, lang: str) -> str:
    """The value with its unit as people write it: '72.00%', '120人', '212.00' ('' if none)."""
    number = format_number(value, info.dp)
    key = UNIT_KEYS.get(info.unit)
    return f"{number}{t(f'figures.value_unit.{key}', lang)}" if number and key else number


def change_unit_label(unit: str, lang: str) -> str:
    key = UNIT_KEYS.get(unit)
    return t(f"figures.change_unit.{key}", lang) if key else unit


def period_label(period: str, lang: str) -> str:
    """'2024-06' → '2024年6月' / '2024-06'."""
    try:
        year, month = (int(part) for part in str(period).split("-")[:2])
    except ValueError:
        return str(period)
    return t("figures.period", lang, year=year, month=month)


def chart_title(info: IndicatorInfo, lang: str) -> str:
    unit = unit_label(info.unit, lang)
    if unit:
        return t("figures.title_unit", lang, indicator=info.name, unit=unit)
    return t("figures.title", lang, indicator=info.name)


def _subtitle(rows: pd.DataFrame, lang: str) -> str:
    if rows.empty or "period" not in rows or "basis" not in rows:
        return ""
    period, basis = rows["period"].iloc[0], rows["basis"].iloc[0]
    basis_key = f"figures.basis.{basis}"
    basis_text = t(basis_key, lang) if has(basis_key, lang) else str(basis)
    return t("figures.subtitle", lang, period=period_label(period, lang), basis=basis_text)


def _title(info: IndicatorInfo, lang: str, subtitle: str = "") -> dict[str, Any]:
    text = chart_title(info, lang)
    if subtitle:
        text = f"{text}<br><span style='font-size:15px;color:#555'>{subtitle}</span>"
    return {"text": text, "x": 0.01, "xanchor": "left", "font": {"size": 24}}


def _base_layout(fig: go.Figure) -> None:
    fig.update_layout(
        template="plotly_white",
        font={"family": FONT_FAMILY, "size": 16, "color": "#222222"},
        hoverlabel={"font": {"family": FONT_FAMILY, "size": 15}},
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        legend={
            "orientation": "h",
            "yref": "container",
            "yanchor": "top",
            "y": 0.995,
            "xanchor": "right",
            "x": 1,
            "font": {"size": 15},
        },
    )


# --- ranking -----------------------------------------------------------------------------


def _drawn_value(row: pd.Series) -> float | None:
    exact = number_or_none(row.get("value_exact"))
    return exact if exact is not None else number_or_none(row.get("value"))


def rank_order(rows: pd.DataFrame, direction: str) -> pd.DataFrame:
    """The areas best → worst: by rank, then (no rank) by value in the indicator's direction."""
    work = rows.copy()
    work["_rank"] = pd.to_numeric(work["rank"], errors="coerce").astype("float64")
    values = pd.to_numeric(work["value"], errors="coerce").astype("float64")
    if direction == "lower":
        work["_key"] = values
    elif direction == "range":
        work["_key"] = values  # ranked rows carry their rank; unranked fall back to value
    else:
        work["_key"] = -values
    order_col = "order" if "order" in work else "_key"
    work = work.sort_values(["_rank", "_key", order_col], na_position="last", kind="stable")
    return work.drop(columns=["_rank", "_key"])


def _hover_text(row: pd.Series, info: IndicatorInfo, lang: str) -> str:
    lines = [f"<b>{row['area']}</b>"]
    lines.append(t("figures.hover.value", lang, value=format_number(row["value"], info.dp)))
    numerator, denominator = row.get("numerator"), row.get("denominator")
    if number_or_none(denominator) is not None:
        lines.append(
            t(
                "figures.hover.fraction",
                lang,
                numerator=format_amount(numerator),
                denominator=format_amount(denominator),
            )
        )
    elif number_or_none(numerator) is not None:
        lines.append(t("figures.hover.count", lang, numerator=format_amount(numerator)))
    low, high = number_or_none(row.get("low95")), number_or_none(row.get("high95"))
    if low is not None and high is not None:
        lines.append(
            t(
                "figures.hover.interval95",
                lang,
                low=format_number(low, info.dp),
                high=format_number(high, info.dp),
            )
        )
    rank = number_or_none(row.get("rank"))
    if rank is not None:
        rank_low, rank_high = (
            number_or_none(row.get("rank_low")),
            number_or_none(row.get("rank_high")),
        )
        if rank_low is not None and rank_high is not None:
            lines.append(
                t(
                    "figures.hover.rank_interval",
                    lang,
                    rank=int(rank),
                    low=int(rank_low),
                    high=int(rank_high),
                )
            )
        else:
            lines.append(t("figures.hover.rank", lang, rank=int(rank)))
    status = clean_status(row.get("status"))
    if status:
        lines.append(t("figures.hover.status", lang, status=status_label(status, lang)))
    notes = quality_count(row)
    if notes:
        lines.append(t("ui.quality.hover", lang, n=notes))
    return "<br>".join(lines)


def quality_count(row: Any) -> int:
    """How many data-quality notes touch a row's figure (its `quality` column)."""
    notes = row.get("quality") if hasattr(row, "get") else None
    return len(notes) if isinstance(notes, list | tuple) else 0


def _bar_text(row: pd.Series, info: IndicatorInfo, lang: str) -> str:
    value = format_number(row["value"], info.dp)
    mark = status_text(row.get("status"), lang)
    text = f"{value}  {mark}" if mark else value
    return f"{text} {t('ui.quality.symbol', lang)}" if quality_count(row) else text


def _county_row(rows: pd.DataFrame) -> pd.Series | None:
    if "is_total" not in rows:
        return None
    county = rows[rows["is_total"].fillna(False).astype(bool)]
    return None if county.empty else county.iloc[0]


def _areas(rows: pd.DataFrame) -> pd.DataFrame:
    if "is_total" not in rows:
        return rows
    return rows[~rows["is_total"].fillna(False).astype(bool)]


def _reference_lines(info: IndicatorInfo, lang: str) -> list[dict[str, Any]]:
    """What to draw beside the values: the normal range, the target, the fee limits."""
    marks: list[dict[str, Any]] = []
    dp = 0
    if info.range_low is not None and info.range_high is not None:
        marks.append(
            {
                "kind": "band",
                "low": info.range_low,
                "high": info.range_high,
                "text": t(
                    "figures.normal_range",
                    lang,
                    low=format_number(info.range_low, dp),
                    high=format_number(info.range_high, dp),
                ),
            }
        )
    if info.target is not None:
        marks.append(
            {
                "kind": "line",
                "value": info.target,
                "colour": BAND_COLOUR,
                "dash": "dash",
                "text": t("figures.target", lang, value=format_amount(info.target)),
            }
        )
    for name, value in info.limits:
        is_green = name == "green"
        marks.append(
            {
                "kind": "line",
                "value": value,
                "colour": BAND_COLOUR if is_green else STATUS_STYLE["red"]["fill"],
                "dash": "dash" if is_green else "dot",
                "text": t(
                    "figures.limit_green" if is_green else "figures.limit_red",
                    lang,
                    value=format_amount(value),
                ),
            }
        )
    return marks


def _legend_entries(fig: go.Figure, statuses: list[str], lang: str) -> None:
    """Legend-only bars, one per status present, with the hatch and the word."""
    for status in STATUS_ORDER:
        if status not in statuses:
            continue
        style = STATUS_STYLE[status]
        name = status_text(status, lang)
        fig.add_trace(
            go.Bar(
                x=[None],
                y=[None],
                orientation="h",
                name=name,
                marker={
                    "color": style["fill"],
                    "pattern": {"shape": style["pattern"], "fgcolor": "#FFFFFF"},
                    "line": {"color": "#000000", "width": 0.5},
                },
                showlegend=True,
                hoverinfo="skip",
            )
        )


#: Plot width (pixels) the room for labels is planned for: the ranking chart beside the
#: scorecard on a 1280-pixel projector (wider screens and the exports only gain room).
PLANNED_PLOT_WIDTH = 460
#: Font size of a bar's label and of the labels above the plot.
BAR_LABEL_SIZE = 15
TOP_LABEL_SIZE = 14
#: Height of one row of labels above the plot, and the gap kept between two labels (pixels).
TOP_LABEL_LANE = 22
TOP_LABEL_GAP = 10
#: Room for the title, its subtitle and the legend above the labels (pixels).
TITLE_ROOM = 92
#: Title size of a trend chart (two of them share a row on the area page).
TREND_TITLE_SIZE = 22
#: Share of the axis kept empty at each end, beyond the data and the labels.
AXIS_PAD = 0.03
#: Pixels between a bar's end and its label, and kept free after the label.
LABEL_GAP = 12


def text_width(text: str, size: float) -> float:
    """About how wide `text` is drawn at font `size` (pixels): CJK and marks full, Latin 0.6."""
    width = 0.0
    for char in str(text):
        wide = unicodedata.east_asian_width(char) in ("W", "F") or char in "√○△▲"
        width += size if wide else size * 0.6
    return width


def bar_base(info: IndicatorInfo) -> float:
    """Where bars start: the reference of a `range` indicator (e.g. srb 105), else 0."""
    if info.direction != "range":
        return 0.0
    if info.reference is not None:
        return info.reference
    if info.range_low is not None and info.range_high is not None:
        return (info.range_low + info.range_high) / 2
    return 0.0


def _axis_extent(
    values: list[float | None], base: float, marks: list[dict[str, Any]], county: float | None
) -> tuple[float, float]:
    """The smallest and largest value the axis must show (bars, base, reference marks)."""
    extent = [v for v in values if v is not None] + [base]
    for mark in marks:
        extent.extend([mark["low"], mark["high"]] if mark["kind"] == "band" else [mark["value"]])
    if county is not None:
        extent.append(county)
    return min(extent), max(extent)


def wrap_title(text: str, size: float, width_px: float = PLANNED_PLOT_WIDTH) -> str:
    """`text` broken into lines at spaces when it would run wider than `width_px` (a chart in
    half the screen of a projector: long English names), so no title is cut off."""
    if text_width(text, size) <= width_px:
        return text
    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_width(f"{lines[-1]} {word}", size) <= width_px:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return "<br>".join(lines)


def ranking_axis_range(
    values: list[float | None],
    labels: list[str],
    base: float,
    marks: list[dict[str, Any]],
    county: float | None,
    diverging: bool,
    plot_px: float = PLANNED_PLOT_WIDTH,
) -> list[float]:
    """The value axis of a ranking: the data, the marks and room for every bar's label.

    Each label starts just right of its bar's right end (the value, or the base for a bar that
    runs left of it). Bars from 0 keep the axis at 0; diverging bars (from the reference) get
    the data and the normal range with a little padding, not 0. The axis is the shortest that
    holds every label at a plot `plot_px` wide.
    """
    low, high = _axis_extent(values, base, marks, county)
    if not diverging:
        low = min(low, 0.0)
    pad_left = 0.0 if not diverging and low >= 0 else AXIS_PAD
    span = (high - low) or max(abs(high), 1.0)
    needed = [span / (1 - pad_left - AXIS_PAD)]
    for value, label in zip(values, labels, strict=True):
        if value is None:
            continue
        share = (text_width(label, BAR_LABEL_SIZE) + LABEL_GAP) / plot_px
        needed.append((max(value, base) - low) / max(0.2, 1 - pad_left - share))
    axis = max(needed)
    start = low - pad_left * axis
    return [start, start + axis]


def top_label_lanes(
    labels: list[tuple[float, str]], axis: list[float], plot_px: float = PLANNED_PLOT_WIDTH
) -> list[int]:
    """A row above the plot for each label (x, text) centred at x, so no two overlap."""
    scale = plot_px / ((axis[1] - axis[0]) or 1.0)
    lanes: list[list[tuple[float, float]]] = []
    found: list[int] = []
    for x, text in labels:
        centre = (x - axis[0]) * scale
        half = text_width(text, TOP_LABEL_SIZE) / 2 + TOP_LABEL_GAP / 2
        span = (centre - half, centre + half)
        for index, taken in enumerate(lanes):
            if all(span[1] <= a or span[0] >= b for a, b in taken):
                taken.append(span)
                found.append(index)
                break
        else:
            lanes.append([span])
            found.append(len(lanes) - 1)
    return found


def _top_labels(fig: go.Figure, labels: list[tuple[float, str, str]], axis: list[float]) -> int:
    """Labels of the band, lines and county above the plot, never over a bar; rows used."""
    lanes = top_label_lanes([(x, text) for x, text, _ in labels], axis)
    for (x, text, colour), lane in zip(labels, lanes, strict=True):
        fig.add_annotation(
            x=x,
            xref="x",
            y=1,
            yref="paper",
            yanchor="bottom",
            yshift=2 + lane * TOP_LABEL_LANE,
            xanchor="center",
            text=text,
            showarrow=False,
            bgcolor=LABEL_BACKGROUND,
            font={"size": TOP_LABEL_SIZE, "color": colour},
        )
    return max(lanes, default=-1) + 1


def ranking_bar(
    table: pd.DataFrame,
    indicator: str,
    lang: str = "zh",
    *,
    catalog: Any = None,
) -> go.Figure:
    """Horizontal bars of the areas for one indicator, rank 1 at the top.

    Bars are coloured by status, hatched for red and amber, and end in the value with the status
    mark and word; the county value, the normal range, the target and the fee limits are drawn
    in, their labels above the plot; hovering a bar gives value, numerator/denominator, 95%
    interval, rank and rank interval. Areas without a value are named under the chart.
    A `range` indicator's bars start at its reference (srb: 105) and diverge from it; the others
    start at 0.
    """
    info = indicator_info(indicator, lang, catalog)
    rows = table[table["indicator"] == indicator]
    county = _county_row(rows)
    areas = _areas(rows)
    has_value = pd.to_numeric(areas["value"], errors="coerce").notna()
    missing = list(areas.loc[~has_value, "area"])
    ordered = rank_order(areas[has_value], info.direction)

    names = [str(a) for a in ordered["area"]]
    values = [_drawn_value(row) for _, row in ordered.iterrows()]
    statuses = [clean_status(s) for s in ordered["status"]] if "status" in ordered else []
    styles = [status_style(s) for s in statuses] or [STATUS_STYLE["none"]] * len(names)
    ranks = [number_or_none(r) for r in ordered["rank"]]
    ticks = [
        f"{int(rank)}  {name}" if rank is not None else name
        for rank, name in zip(ranks, names, strict=True)
    ]
    diverging = info.direction == "range"
    base = bar_base(info)

    labels = [_bar_text(row, info, lang) for _, row in ordered.iterrows()]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=[None if v is None else v - base for v in values],
            base=[base] * len(values) if diverging else None,
            y=names,
            customdata=values,
            orientation="h",
            name=info.name,
            showlegend=False,
            marker={
                "color": [s["fill"] for s in styles],
                "pattern": {
                    "shape": [s["pattern"] for s in styles],
                    "fgcolor": "#FFFFFF",
                    "size": 9,
                    "solidity": 0.35,
                },
                "line": {"color": "#000000", "width": 0.5},
            },
            text=labels,
            textposition="none",
            hovertext=[_hover_text(row, info, lang) for _, row in ordered.iterrows()],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    _legend_entries(fig, [s for s in statuses if s], lang)
    _base_layout(fig)

    marks = _reference_lines(info, lang)
    county_value = _drawn_value(county) if county is not None else None
    axis = ranking_axis_range(values, labels, base, marks, county_value, diverging)
    fig.update_xaxes(
        range=axis,
        title={"text": unit_label(info.unit, lang) or t("figures.axis.value", lang)},
        showgrid=True,
        gridcolor="#E5E5E5",
        zeroline=not diverging,
        zerolinecolor="#999999",
    )
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=names,
        autorange="reversed",
        tickmode="array",
        tickvals=names,
        ticktext=ticks,
        automargin=True,
        ticks="",
    )
    top: list[tuple[float, str, str]] = []
    for mark in marks:
        if mark["kind"] == "band":
            fig.add_vrect(
                x0=mark["low"],
                x1=mark["high"],
                fillcolor=BAND_COLOUR,
                opacity=0.15,
                layer="below",
                line_width=0,
            )
            top.append(((mark["low"] + mark["high"]) / 2, mark["text"], BAND_COLOUR))
        else:
            fig.add_vline(
                x=mark["value"],
                line={"color": mark["colour"], "dash": mark["dash"], "width": 2},
            )
            top.append((mark["value"], mark["text"], mark["colour"]))
    if diverging:
        fig.add_vline(x=base, line={"color": BAND_COLOUR, "width": 2}, layer="below")
    if county_value is not None and county is not None:
        fig.add_vline(x=county_value, line={"color": LINE_COLOUR, "dash": "longdash", "width": 2})
        county_text = t(
            "figures.county_line",
            lang,
            county=county["area"],
            value=format_number(county["value"], info.dp),
        )
        top.append((county_value, county_text, LINE_COLOUR))
    lanes = _top_labels(fig, top, axis)
    if missing:
        fig.add_annotation(
            text=t(
                "figures.no_value",
                lang,
                areas=t("figures.separator", lang).join(str(a) for a in missing),
            ),
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            yshift=-70,
            xanchor="left",
            showarrow=False,
            font={"size": 13, "color": "#555555"},
        )
    fig.update_layout(
        title=_title(info, lang, _subtitle(rows, lang)),
        barmode="overlay",
        bargap=0.25,
        height=max(420, 150 + 34 * len(names) + TOP_LABEL_LANE * max(0, lanes - 1)),
        margin={
            "l": 20,
            "r": 40,
            "t": TITLE_ROOM + TOP_LABEL_LANE * max(1, lanes),
            "b": 90 if missing else 60,
        },
    )
    _bar_labels(fig, names, values, labels, base if diverging else 0.0)
    return fig


def _bar_labels(
    fig: go.Figure,
    names: list[str],
    values: list[float | None],
    labels: list[str],
    base: float,
) -> None:
    """Each bar's value, mark and word just right of its right end (the base for a bar that runs
    left of it), on a white ground over any line."""
    for name, value, label in zip(names, values, labels, strict=True):
        if value is None:
            continue
        fig.add_annotation(
            x=max(value, base),
            y=name,
            text=label,
            xanchor="left",
            xshift=4,
            showarrow=False,
            bgcolor=LABEL_BACKGROUND,
            font={"size": BAR_LABEL_SIZE, "color": "#222222"},
        )


# --- funnel ------------------------------------------------------------------------------


def funnel_figure(
    funnel: dict[str, Any],
    indicator: str,
    lang: str = "zh",
    *,
    catalog: Any = None,
) -> go.Figure:
    """Each area's value against its denominator, with the 95% and 99.8% limits (funnel)."""
    info = indicator_info(indicator, lang, catalog)
    fig = go.Figure()
    limits = funnel_limits_drawn(pd.DataFrame(funnel.get("limits", pd.DataFrame())), info)
    centre = number_or_none(funnel.get("centre"))
    for low, high, key, dash in (
        ("low998", "high998", "figures.funnel.limit998", "dot"),
        ("low95", "high95", "figures.funnel.limit95", "dash"),
    ):
        name = t(key, lang)
        for column, show in ((high, True), (low, False)):
            if column in limits:
                fig.add_trace(
                    go.Scatter(
                        x=limits["denominator"],
                        y=limits[column],
                        mode="lines",
                        name=name,
                        legendgroup=name,
                        showlegend=show,
                        line={"color": LINE_COLOUR, "dash": dash, "width": 1.5},
                        hoverinfo="skip",
                    )
                )
    if centre is not None:
        fig.add_hline(
            y=centre,
            line={"color": LINE_COLOUR, "width": 2},
            annotation_text=t("figures.funnel.centre", lang, value=format_number(centre, info.dp)),
            annotation_position="top right",
            annotation_font={"size": 14},
        )
    points = pd.DataFrame(funnel.get("points", pd.DataFrame()))
    if "status" not in points:
        points = points.assign(status=None)
    points = points.assign(_status=[clean_status(s) or "none" for s in points["status"]])
    for status in [*STATUS_ORDER, "none"]:
        group = points[points["_status"] == status]
        if group.empty:
            continue
        style = STATUS_STYLE[status]
        flagged = status in ("red", "amber", "watch")
        hover = [
            "<br>".join(
                [
                    f"<b>{row['area']}</b>",
                    t("figures.hover.value", lang, value=format_number(row["value"], info.dp)),
                    t(
                        "figures.hover.denominator",
                        lang,
                        denominator=format_amount(row["denominator"]),
                    ),
                    *(
                        [t("figures.hover.status", lang, status=status_label(status, lang))]
                        if status != "none"
                        else []
                    ),
                ]
            )
            for _, row in group.iterrows()
        ]
        fig.add_trace(
            go.Scatter(
                x=group["denominator"],
                y=group["value"],
                mode="markers+text" if flagged else "markers",
                name=status_text(status, lang) or info.name,
                text=[str(a) for a in group["area"]] if flagged else None,
                textposition="top center",
                textfont={"size": 14},
                marker={
                    "color": style["fill"],
                    "symbol": style["symbol"],
                    "size": 13,
                    "line": {"color": "#000000", "width": 1},
                },
                hovertext=hover,
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    _base_layout(fig)
    phi = number_or_none(funnel.get("phi"))
    subtitle = _subtitle(points, lang)
    if phi is not None and phi > 1:
        note = t("figures.funnel.overdispersion", lang, phi=f"{phi:.2f}")
        subtitle = f"{subtitle} · {note}" if subtitle else note
    title = _title(info, lang, subtitle)
    title["text"] = title["text"].replace(
        chart_title(info, lang), t("figures.funnel.title", lang, indicator=chart_title(info, lang))
    )
    fig.update_layout(
        title=title,
        height=600,
        margin={"l": 70, "r": 40, "t": 110, "b": 70},
    )
    fig.update_xaxes(title={"text": t("figures.axis.denominator", lang)}, gridcolor="#E5E5E5")
    fig.update_yaxes(
        title={"text": unit_label(info.unit, lang) or t("figures.axis.value", lang)},
        gridcolor="#E5E5E5",
        range=funnel_y_range(points, centre, limits),
    )
    return fig


def funnel_limits_drawn(limits: pd.DataFrame, info: IndicatorInfo) -> pd.DataFrame:
    """The limit lines from the indicator's minimum denominator for judging on (srb: 20).

    Below it an area is not judged (grey), and the limits there run off to thousands.
    """
    if "denominator" not in limits:
        return limits
    limits = limits.sort_values("denominator")
    if info.min_denominator is not None:
        limits = limits[limits["denominator"] >= info.min_denominator]
    return limits


def funnel_y_range(
    points: pd.DataFrame, centre: float | None, limits: pd.DataFrame
) -> list[float] | None:
    """The value axis of a funnel: every point, the county value and the 99.8% limits where the
    funnel is narrowest (the largest denominator), padded; the limit lines never set it."""
    values = [number_or_none(v) for v in points.get("value", [])]
    extent = [v for v in values if v is not None and math.isfinite(v)]
    if centre is not None:
        extent.append(centre)
    if not limits.empty:
        neck = limits.iloc[-1]
        for column in ("low998", "high998", "low95", "high95"):
            value = number_or_none(neck.get(column))
            if value is not None and math.isfinite(value):
                extent.append(value)
    if not extent:
        return None
    low, high = min(extent), max(extent)
    span = (high - low) or max(abs(high) * 0.1, 1.0)
    return [low - span * FUNNEL_PAD, high + span * FUNNEL_PAD_TOP]


# --- trend -------------------------------------------------------------------------------


def trend_figure(
    series: pd.DataFrame,
    indicator: str,
    area: str,
    lang: str = "zh",
    *,
    catalog: Any = None,
) -> go.Figure:
    """One area's indicator by month, with the county line and last year's line."""
    info = indicator_info(indicator, lang, catalog)
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
    title = {
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


# --- overview ----------------------------------------------------------------------------


def change_text(change: Any, info: IndicatorInfo, lang: str) -> str:
    """'比上年同期 +1.20个百分点' from the table's change (already in the indicator's unit)."""
    number = number_or_none(change)
    if number is None:
        return t("figures.card.no_previous", lang)
    sign = "+" if number > 0 else ("-" if number < 0 else "±")
    return t(
        "figures.card.change",
        lang,
        sign=sign,
        value=format_number(abs(number), info.dp),
        unit=change_unit_label(info.unit, lang),
    )


def overview_cards(table: pd.DataFrame, lang: str = "zh", *, catalog: Any = None) -> list[dict]:
    """The county's key figures for the overview, in OVERVIEW_INDICATORS order.

    Each card: indicator, label, value (text), unit (text), value_with_unit ('72.00%'),
    change (text), change_value
    (float or None), status (key or None), status_label (word, '' without a rule), mark, colour,
    quality (how many data-quality notes touch it), quality_mark ('※ 数据质量提示 2' or '').
    """
    county = table[table["is_total"].fillna(False).astype(bool)] if "is_total" in table else table
    present = list(dict.fromkeys(county["indicator"]))
    keys = [k for k in OVERVIEW_INDICATORS if k in present]
    cards: list[dict] = []
    for key in keys:
        row = county[county["indicator"] == key].iloc[0]
        info = indicator_info(key, lang, catalog)
        status = clean_status(row.get("status"))
        value = format_number(row.get("value"), info.dp)
        notes = quality_count(row) if value else 0  # no figure, nothing to warn beside
        cards.append(
            {
                "indicator": key,
                "label": info.name,
                "value": value or t("figures.card.no_value", lang),
                "unit": unit_label(info.unit, lang),
                "value_with_unit": value_text(row.get("value"), info, lang)
                or t("figures.card.no_value", lang),
                "change": change_text(row.get("change"), info, lang),
                "change_value": number_or_none(row.get("change")),
                "status": status,
                "status_label": status_label(status, lang),
                "mark": STATUS_STYLE[status]["mark"] if status else "",
                "colour": status_style(status)["fill"],
                "quality": notes,
                "quality_mark": t("ui.quality.mark", lang, n=notes) if notes else "",
            }
        )
    return cards
