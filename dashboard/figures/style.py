"""What every chart shares: fonts and sizes, the status colours and marks, the catalog in a chart's terms
(`IndicatorInfo`), number and unit texts, titles and the base layout."""

from __future__ import annotations

import html
import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from indicators.catalog import Catalog, Indicator, load_catalog
from indicators.output import UNIT_KEYS, value_with_unit
from zhibiao.i18n import has, t
from zhibiao.vocabulary import STATUSES, clean_status, status_text

if TYPE_CHECKING:  # the pages' Dash, which the exports never load
    from dash import dcc

FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif'


#: Size of a downloaded chart (the modebar camera and the exports).
IMAGE_WIDTH = 1600


IMAGE_HEIGHT = 900


IMAGE_SCALE = 2


#: plotly.js locale names per interface language (zh-CN is served from assets/).
PLOTLY_LOCALES = {"zh": "zh-CN", "en": "en"}


#: Colour-blind-safe palette (ColorBrewer RdBu/PuOr family) with a word, a mark and a hatch.
#: Each status's text on its fill is at least 4.5:1 (WCAG 1.4.3): normal is RdBu's darkest blue
#: (white on it 5.9:1), and app.css's --red, --amber, --watch, --green, --grey are the same fills.
STATUS_STYLE: dict[str, dict[str, str]] = {
    "red": {"fill": "#B2182B", "text": "#FFFFFF", "pattern": "x", "symbol": "x"},
    "amber": {
        "fill": "#E08214",
        "text": "#000000",
        "pattern": "/",
        "symbol": "triangle-up",
    },
    "watch": {
        "fill": "#FDB863",
        "text": "#000000",
        "pattern": ".",
        "symbol": "square",
    },
    "green": {"fill": "#2166AC", "text": "#FFFFFF", "pattern": "", "symbol": "circle"},
    "grey": {
        "fill": "#BDBDBD",
        "text": "#000000",
        "pattern": "",
        "symbol": "circle-open",
    },
    "none": {"fill": "#5E7A94", "text": "#FFFFFF", "pattern": "", "symbol": "circle"},
}


LINE_COLOUR = "#333333"


BAND_COLOUR = "#1B7837"


LABEL_BACKGROUND = "rgba(255,255,255,0.85)"


def graph_config(lang: str, filename: str = "zhibiao") -> dcc.Graph.Config:
    """The `dcc.Graph(config=…)` for one language: no logo, no cloud, local modebar locale, and
    the camera button's image the size of a downloaded chart."""
    return {
        "displaylogo": False,
        "showSendToCloud": False,
        "locale": PLOTLY_LOCALES.get(lang, PLOTLY_LOCALES["zh"]),
        "toImageButtonOptions": {
            "format": "png",
            "filename": filename,
            "width": IMAGE_WIDTH,
            "height": IMAGE_HEIGHT,
            "scale": IMAGE_SCALE,
        },
    }


#: The config of a Chinese page's chart.
GRAPH_CONFIG = graph_config("zh")


def status_style(status: str | None) -> dict[str, str]:
    return STATUS_STYLE[clean_status(status) or "none"]


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
    show_count: bool = False
    #: the value is a sum over the area (a count or an amount, no denominator): the county's
    #: figure is the sum of the areas', so a chart compares an area with the per-area average
    is_sum: bool = False

    @property
    def axis_cap(self) -> float | None:
        """The largest value an axis need show when no value passes it (100 for a percentage)."""
        return AXIS_CAPS.get(self.unit)


#: Axis ends by unit: a share never passes 100%.
AXIS_CAPS = {"percent": 100.0}


#: Units of a sum over the area (no denominator).
SUM_UNITS = ("count", "wan_yuan")


def _field(entry: Indicator | None, name: str, default: Any = None) -> Any:
    return default if entry is None else getattr(entry, name, default)


@cache
def default_catalog() -> Catalog:
    """The project's indicator catalog (data/indicators.toml), read once per process."""
    return load_catalog()


def _catalog_entry(catalog: Catalog | None, key: str) -> Indicator | None:
    """The catalog entry of `key` (the project's catalog when none is given); else None."""
    try:
        return (catalog or default_catalog()).get(key)
    except KeyError:
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


def _limit_pairs(limits: Mapping[str, float] | None) -> tuple[tuple[str, float], ...]:
    """Fee limits as (status, threshold) pairs: ('green', 70), ('amber', 50)."""
    pairs = [(str(k), number_or_none(v)) for k, v in (limits or {}).items()]
    return tuple((name, value) for name, value in pairs if value is not None)


def indicator_info(indicator: str, lang: str, catalog: Catalog | None = None) -> IndicatorInfo:
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
        show_count=bool(_field(entry, "show_count", False)),
        is_sum=entry is not None and not entry.denominator and entry.unit in SUM_UNITS,
    )


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
    if number_or_none(value) is None:
        return ""
    return value_with_unit(value, info.unit, info.dp, lang)


def change_unit_label(unit: str, lang: str) -> str:
    key = UNIT_KEYS.get(unit)
    return t(f"figures.change_unit.{key}", lang) if key else unit


def p_text(p: float, dp: int = 3) -> str:
    """A p-value as the hovers write it, to `dp` decimals: '< 0.001', '= 0.061'."""
    return f"< {10**-dp:.{dp}f}" if p < 10**-dp else f"= {p:.{dp}f}"


def change_interval_text(row: Any, info: IndicatorInfo, lang: str) -> str:
    """The change on last year's interval and p-value from the indicator table's change_low,
    change_high, change_p ('变化的95%区间 -10.43 至 0.24个百分点，P = 0.061'; '' without a
    test): the hover of every change shown (cards, the township's table, the ranking)."""
    low, high = number_or_none(row.get("change_low")), number_or_none(row.get("change_high"))
    p = number_or_none(row.get("change_p"))
    if low is None or high is None or p is None:
        return ""
    return t(
        "figures.card.change_interval",
        lang,
        low=format_number(low, info.dp),
        high=format_number(high, info.dp),
        unit=change_unit_label(info.unit, lang),
        p=p_text(p),
    )


def period_label(period: str, lang: str) -> str:
    """'2024-06' → '2024年6月' / '2024-06'."""
    try:
        year, month = (int(part) for part in str(period).split("-")[:2])
    except ValueError:
        return str(period)
    return t("figures.period", lang, year=year, month=month)


def plain(text: Any) -> str:
    """Text from users or the county's catalog (an area, the county, an indicator name) as a
    chart shows it literally: plotly reads `<b>`, `<br>`, `<a href>`, `<sup>` and entities in
    every title, label, hover and annotation, so `&`, `<` and `>` go in as entities."""
    return html.escape(str(text), quote=False)


def plain_areas(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows (a copy) with each area name made `plain`: what a figure builder draws from."""
    if "area" not in rows or rows.empty:
        return rows
    return rows.assign(area=[plain(a) for a in rows["area"]])


def chart_title(info: IndicatorInfo, lang: str) -> str:
    """The chart's title (the indicator and its unit), plain for plotly."""
    unit = unit_label(info.unit, lang)
    if unit:
        return t("figures.title_unit", lang, indicator=plain(info.name), unit=unit)
    return t("figures.title", lang, indicator=plain(info.name))


def _subtitle(rows: pd.DataFrame, lang: str) -> str:
    if rows.empty or "period" not in rows or "basis" not in rows:
        return ""
    period, basis = rows["period"].iloc[0], rows["basis"].iloc[0]
    basis_key = f"figures.basis.{basis}"
    basis_text = t(basis_key, lang) if has(basis_key, lang) else str(basis)
    return t("figures.subtitle", lang, period=period_label(period, lang), basis=basis_text)


#: Room above a chart's title for the legend (pixels).
LEGEND_ROOM = 34


def _title(info: IndicatorInfo, lang: str, subtitle: str = "") -> dict[str, Any]:
    """The title and its subtitle, pinned under the legend at the top of the figure (not
    centred in the top margin, where the labels above the plot would run into them)."""
    title: dict[str, Any] = {"text": chart_title(info, lang)}
    if subtitle:
        # plotly's own subtitle: a <br> in the title would not keep to yanchor (plotly.js #6472)
        title["subtitle"] = {"text": subtitle, "font": {"size": 15, "color": "#555555"}}
    return {
        **title,
        "x": 0.01,
        "xanchor": "left",
        "y": 1,
        "yref": "container",
        "yanchor": "top",
        "pad": {"t": LEGEND_ROOM},
        "font": {"size": 24},
    }


@cache
def _template() -> dict[str, Any]:
    """plotly's `plotly_white` as plain data, read once: naming the template on a figure makes
    plotly copy and check all of it again (about 9 ms a figure)."""
    template: dict[str, Any] = pio.templates["plotly_white"].to_plotly_json()
    return template


def base_layout() -> dict[str, Any]:
    """The layout every chart starts from: white, the CJK font, the legend at the top right."""
    return {
        "template": _template(),
        "font": {"family": FONT_FAMILY, "size": 16, "color": "#222222"},
        "hoverlabel": {"font": {"family": FONT_FAMILY, "size": 15}},
        "paper_bgcolor": "#FFFFFF",
        "plot_bgcolor": "#FFFFFF",
        "legend": {
            "orientation": "h",
            "yref": "container",
            "yanchor": "top",
            "y": 0.995,
            "xanchor": "right",
            "x": 1,
            "font": {"size": 15},
        },
    }


def trace(kind: str, **props: Any) -> dict[str, Any]:
    """A trace as plain data (`kind`: bar, scatter…); a property given as None is left unset,
    as plotly's own constructors do."""
    return {"type": kind, **{k: v for k, v in props.items() if v is not None}}


def one_pass_figure(traces: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """A figure made at once from plain traces and layout over `base_layout`, without
    plotly's property checks, which cost a chart of 15 bars some 30 ms and grow with every
    entry: the figures are the code's own, and `tests/test_figures.py` (the ranking) and
    `tests/test_figures_one_pass.py` (the funnel, the township's charts) check each builder's
    figure against plotly's validation (same JSON) instead of every request."""
    return go.Figure(data=traces, layout={**base_layout(), **layout}, _validate=False)


def _drawn_value(row: pd.Series) -> float | None:
    exact = number_or_none(row.get("value_exact"))
    return exact if exact is not None else number_or_none(row.get("value"))


def records(table: pd.DataFrame, columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The table's rows as dicts (of only `columns`, those it has, when given), each column
    taken as a list at once: what `to_dict("records")` gives, without its work per cell (7 ms
    for the 16 rows of one indicator of the table, whose 33 columns it boxes one by one)."""
    present = list(table.columns) if columns is None else [c for c in columns if c in table]
    lists = [table[c].tolist() for c in present]
    return [dict(zip(present, values, strict=True)) for values in zip(*lists, strict=True)]


def quality_count(row: Any) -> int:
    """How many data-quality notes touch a row's figure (its `quality` column)."""
    notes = row.get("quality") if hasattr(row, "get") else None
    return len(notes) if isinstance(notes, list | tuple) else 0


def _county_row(rows: pd.DataFrame) -> pd.Series | None:
    if "is_total" not in rows:
        return None
    county = rows[rows["is_total"].fillna(False).astype(bool)]
    return None if county.empty else county.iloc[0]


def area_average(rows: pd.DataFrame) -> tuple[float, int] | None:
    """The county's figure per area of a sum (births, amounts): (county value ÷ areas with a
    value, how many areas). None when the county or every area lacks a value."""
    county = _county_row(rows)
    total = _drawn_value(county) if county is not None else None
    areas = _areas(rows)
    n = int(pd.to_numeric(areas["value"], errors="coerce").notna().sum()) if len(areas) else 0
    if total is None or n == 0:
        return None
    return total / n, n


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


def _legend_entries(statuses: list[str], lang: str) -> list[dict[str, Any]]:
    """Legend-only bars (plain traces), one per status present, with the hatch and the word."""
    return [
        trace(
            "bar",
            x=[None],
            y=[None],
            orientation="h",
            name=status_text(status, lang),
            marker={
                "color": STATUS_STYLE[status]["fill"],
                "pattern": {"shape": STATUS_STYLE[status]["pattern"], "fgcolor": "#FFFFFF"},
                "line": {"color": "#000000", "width": 0.5},
            },
            showlegend=True,
            hoverinfo="skip",
        )
        for status in STATUSES
        if status in statuses
    ]


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
TITLE_ROOM = 100


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


def view_max_areas(catalog: Any) -> int:
    """Above this many areas the pages draw for many (the catalog's `view_max_areas`): the
    rankings chart its ends, the funnel with WebGL and names on hover."""
    settings = getattr(catalog, "settings", None) or {}
    return int(settings.get("view_max_areas", 60))
