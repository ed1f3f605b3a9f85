"""The ranking chart: one bar per area, best to worst, the county line and the reference marks."""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.cards import change_text
from dashboard.figures.style import (
    AXIS_PAD,
    BAND_COLOUR,
    BAR_LABEL_SIZE,
    LABEL_BACKGROUND,
    LABEL_GAP,
    LINE_COLOUR,
    PLANNED_PLOT_WIDTH,
    TITLE_ROOM,
    TOP_LABEL_GAP,
    TOP_LABEL_LANE,
    TOP_LABEL_SIZE,
    IndicatorInfo,
    _areas,
    _county_row,
    _drawn_value,
    _legend_entries,
    _reference_lines,
    _subtitle,
    _title,
    area_average,
    change_interval_text,
    format_amount,
    format_number,
    indicator_info,
    number_or_none,
    one_pass_figure,
    plain,
    plain_areas,
    quality_count,
    status_style,
    text_width,
    trace,
    unit_label,
)
from dashboard.figures.style import (
    records as row_records,
)
from indicators.catalog import Catalog
from zhibiao.i18n import t
from zhibiao.vocabulary import clean_status, status_label, status_text


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
    if number_or_none(row.get("change")) is not None:  # the change on last year, its interval
        lines.append(change_text(row.get("change"), info, lang, row.get("change_dir")))
        interval = change_interval_text(row, info, lang)
        if interval:
            lines.append(interval)
    notes = quality_count(row)
    if notes:
        lines.append(t("ui.quality.hover", lang, n=notes))
    return "<br>".join(lines)


def _bar_text(row: pd.Series, info: IndicatorInfo, lang: str) -> str:
    value = format_number(row["value"], info.dp)
    if info.show_count and value and number_or_none(row.get("numerator")) is not None:
        value = t(
            "figures.bar.with_count", lang, value=value, count=format_amount(row["numerator"])
        )
    mark = status_text(row.get("status"), lang)
    text = f"{value}  {mark}" if mark else value
    return f"{text} {t('ui.quality.symbol', lang)}" if quality_count(row) else text


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


def ranking_axis_range(
    values: list[float | None],
    labels: list[str],
    base: float,
    marks: list[dict[str, Any]],
    county: float | None,
    diverging: bool,
    plot_px: float = PLANNED_PLOT_WIDTH,
    label_at: list[float | None] | None = None,
) -> list[float]:
    """The value axis of a ranking: the data, the marks and room for every bar's label.

    Each label starts just right of its bar's right end (the value, or the base for a bar that
    runs left of it), or where `label_at` says (`label_starts`: past a reference line). Bars
    from 0 keep the axis at 0; diverging bars (from the reference) get the data and the normal
    range with a little padding, not 0. The axis is the shortest that holds every label at a
    plot `plot_px` wide (`capped_ticks` keeps a percentage's ticks at 100 or below, so the room
    for labels past 100 is blank, not 120%).
    """
    low, high = _axis_extent(values, base, marks, county)
    if not diverging:
        low = min(low, 0.0)
    pad_left = 0.0 if not diverging and low >= 0 else AXIS_PAD
    span = (high - low) or max(abs(high), 1.0)
    needed = [span / (1 - pad_left - AXIS_PAD)]
    starts = values if label_at is None else label_at
    for value, label in zip(starts, labels, strict=True):
        if value is None:
            continue
        share = (text_width(label, BAR_LABEL_SIZE) + LABEL_GAP) / plot_px
        needed.append((max(value, base) - low) / max(0.2, 1 - pad_left - share))
    axis = max(needed)
    start = low - pad_left * axis
    return [start, start + axis]


#: Pixels between a reference line and a label moved right of it.
LINE_CLEARANCE = 4


def label_starts(
    values: list[float | None],
    labels: list[str],
    start: float,
    lines: list[float],
    axis: list[float],
    plot_px: float = PLANNED_PLOT_WIDTH,
) -> list[float | None]:
    """Where each bar's label starts on the value axis: just right of the bar's right end (the
    bar's `start` for a bar that runs left of it), or, when its text would run across a
    reference line (the county, a target, a limit), just right of that line, so that no line
    strikes through a label."""
    unit = (axis[1] - axis[0]) / plot_px  # axis units a pixel
    out: list[float | None] = []
    for value, label in zip(values, labels, strict=True):
        if value is None:
            out.append(None)
            continue
        at = max(value, start)
        width = (text_width(label, BAR_LABEL_SIZE) + LABEL_GAP) * unit
        for x in sorted(lines):
            if at < x <= at + width:
                at = x + LINE_CLEARANCE * unit
        out.append(at)
    return out


#: Tick steps a capped axis may use, the smallest that gives at most `MAX_TICKS` ticks.
TICK_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000)
MAX_TICKS = 6


def capped_ticks(axis: list[float], cap: float | None, high: float) -> list[float] | None:
    """Ticks of a value axis that runs past `cap` (100 for a percentage) only to hold the bars'
    labels: every tick at or below the cap, none after it (None: the axis does not pass it, or a
    value does, and plotly's own ticks are right)."""
    if cap is None or axis[1] <= cap or high > cap:
        return None
    first = 0.0 if axis[0] < 0 <= cap else axis[0]  # ticks from 0, not from the padding
    span = cap - first
    step = next((s for s in TICK_STEPS if span / s <= MAX_TICKS), TICK_STEPS[-1])
    tick = math.ceil(first / step) * step
    ticks = []
    while tick <= cap + 1e-9:
        ticks.append(float(tick))
        tick += step
    return ticks


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


def _top_labels(labels: list[tuple[float, str, str]], axis: list[float]) -> tuple[list, int]:
    """Labels of the band, lines and county above the plot, never over a bar (annotations as
    plain dicts); and the rows they use."""
    lanes = top_label_lanes([(x, text) for x, text, _ in labels], axis)
    notes = [
        {
            "x": x,
            "xref": "x",
            "y": 1,
            "yref": "paper",
            "yanchor": "bottom",
            "yshift": 2 + lane * TOP_LABEL_LANE,
            "xanchor": "center",
            "text": text,
            "showarrow": False,
            "bgcolor": LABEL_BACKGROUND,
            "font": {"size": TOP_LABEL_SIZE, "color": colour},
        }
        for (x, text, colour), lane in zip(labels, lanes, strict=True)
    ]
    return notes, max(lanes, default=-1) + 1


#: Areas named in the note of areas without a value; more are counted.
MISSING_NAMED = 12
#: The category between the best and the worst when only the ends of a ranking are drawn.
GAP = "⋯"


def ranking_bar(
    table: pd.DataFrame,
    indicator: str,
    lang: str = "zh",
    *,
    catalog: Catalog | None = None,
    shown: Collection[str] | None = None,
    marked: str | None = None,
) -> go.Figure:
    """Horizontal bars of the areas for one indicator, rank 1 at the top.

    Bars are coloured by status, hatched for red and amber, and end in the value with the status
    mark and word; the county value, the normal range, the target and the fee limits are drawn
    in, their labels above the plot; hovering a bar gives value, numerator/denominator, 95%
    interval, rank and rank interval. Areas without a value are named under the chart.
    A `range` indicator's bars start at its reference (srb: 105) and diverge from it; the others
    start at 0.

    `shown`: draw only these areas (the rest keep their place in the ranking: ranks are the
    table's), a gap `⋯` where the ranking skips; `marked`: an area drawn with a heavy outline
    and its name in bold (the one searched for).

    Built in one pass: the bars, their labels (the `text` of a second, clear bar trace ending
    where each label starts), the reference lines as shapes and the labels above the plot
    as annotations are each made once, so the figure grows by one entry per area in its
    traces' arrays and by nothing else.
    """
    info = indicator_info(indicator, lang, catalog)
    rows = plain_areas(table[table["indicator"] == indicator])
    county = _county_row(rows)
    areas = _areas(rows)
    has_value = pd.to_numeric(areas["value"], errors="coerce").notna()
    missing = list(areas.loc[~has_value, "area"])
    ordered = rank_order(areas[has_value], info.direction)
    if shown is not None:
        wanted = {str(a) for a in shown}
        ordered = ordered[ordered["area"].astype(str).isin(wanted)]
    records = row_records(ordered)

    names = [str(r["area"]) for r in records]
    values = [_drawn_value(r) for r in records]
    statuses = [clean_status(r.get("status")) for r in records]
    styles = [status_style(s) for s in statuses]
    ranks = [number_or_none(r.get("rank")) for r in records]
    ticks = [
        f"{int(rank)}  {name}" if rank is not None else name
        for rank, name in zip(ranks, names, strict=True)
    ]
    if marked in names:
        at = names.index(marked)
        ticks[at] = f"<b>{ticks[at]}</b>"
    categories, tick_text = _with_gaps(names, ticks, ranks, shown is not None)
    diverging = info.direction == "range"
    base = bar_base(info)
    start = base if diverging else 0.0

    labels = [_bar_text(r, info, lang) for r in records]
    outline = [2.5 if name == marked else 0.5 for name in names]
    bars = trace(
        "bar",
        x=[None if v is None else v - base for v in values],
        base=[base] * len(values) if diverging else None,
        y=names,
        customdata=values,
        orientation="h",
        name=plain(info.name),
        showlegend=False,
        marker={
            "color": [s["fill"] for s in styles],
            "pattern": {
                "shape": [s["pattern"] for s in styles],
                "fgcolor": "#FFFFFF",
                "size": 9,
                "solidity": 0.35,
            },
            "line": {"color": "#000000", "width": outline},
        },
        text=labels,
        textposition="none",  # drawn by the label bars; kept here for readers of the data
        hovertext=[_hover_text(r, info, lang) for r in records],
        hovertemplate="%{hovertext}<extra></extra>",
    )
    marks = _reference_lines(info, lang)
    reference = _county_reference(rows, county, info, lang)
    shapes, top = _reference_shapes(marks, base if diverging else None)
    if reference is not None:
        shapes.append(_vline(reference[0], LINE_COLOUR, "longdash"))
        top.append((reference[0], reference[1], LINE_COLOUR))
    lines = [s["x0"] for s in shapes if s["type"] == "line" and s.get("layer") != "below"]
    county_x = reference[0] if reference else None
    # each label starts right of its bar, or right of a line it would cross: twice, as the
    # room the moved labels need widens the axis, and so each label's length in its units
    starts: list[float | None] = values
    for _ in range(2):
        axis = ranking_axis_range(values, labels, base, marks, county_x, diverging, label_at=starts)
        starts = label_starts(values, labels, start, lines, axis)
    axis = ranking_axis_range(values, labels, base, marks, county_x, diverging, label_at=starts)
    notes, lanes = _top_labels(top, axis)
    drawn = [v for v in values if v is not None]
    value_ticks = capped_ticks(axis, info.axis_cap, max(drawn) if drawn else 0.0)
    if missing:
        notes.append(_missing_note(missing, lang))
    layout = dict(
        title=_title(info, lang, _subtitle(rows, lang)),
        barmode="overlay",
        bargap=0.25,
        height=max(420, 150 + 34 * len(categories) + TOP_LABEL_LANE * max(0, lanes - 1)),
        margin={
            "l": 20,
            "r": 40,
            "t": TITLE_ROOM + TOP_LABEL_LANE * max(1, lanes),
            "b": 90 if missing else 60,
        },
        shapes=shapes,
        annotations=notes,
        xaxis={
            "range": axis,
            **({"tickmode": "array", "tickvals": value_ticks} if value_ticks else {}),
            "title": {"text": _axis_title(info, lang, base if diverging else None)},
            "showgrid": True,
            "gridcolor": "#E5E5E5",
            "zeroline": not diverging,
            "zerolinecolor": "#999999",
        },
        yaxis={
            "categoryorder": "array",
            "categoryarray": categories,
            "autorange": "reversed",
            "tickmode": "array",
            "tickvals": categories,
            "ticktext": tick_text,
            "automargin": True,
            "ticks": "",
        },
    )
    traces = [
        bars,
        *_legend_entries([s for s in statuses if s], lang),
        _label_bars(names, starts, labels, start),
    ]
    return one_pass_figure(traces, layout)


def _with_gaps(
    names: list[str], ticks: list[str], ranks: list[float | None], partial: bool
) -> tuple[list[str], list[str]]:
    """The y categories and their tick texts, with a `⋯` between two drawn areas whose ranks
    are not next to each other (only when part of the ranking is drawn)."""
    if not partial:
        return names, ticks
    categories: list[str] = []
    texts: list[str] = []
    for i, (name, tick) in enumerate(zip(names, ticks, strict=True)):
        before = ranks[i - 1] if i else None
        current = ranks[i]
        if i and current is not None and before is not None and current > before + 1:
            categories.append(GAP * (len(categories) + 1))  # each gap a category of its own
            texts.append(GAP)
        categories.append(name)
        texts.append(tick)
    return categories, texts


def _axis_title(info: IndicatorInfo, lang: str, base: float | None) -> str:
    """The value axis's title: the unit; for bars diverging from a reference, where they start
    (a sex ratio's bars start at 105)."""
    title = unit_label(info.unit, lang) or t("figures.axis.value", lang)
    if base is None:
        return title
    return t("figures.bar_base", lang, axis=title, value=format_amount(base))


def _label_bars(
    names: list[str],
    values: list[float | None],
    labels: list[str],
    start: float,
) -> dict[str, Any]:
    """Each bar's value, mark and word just right of its right end (the base for a bar that
    runs left of it): the text of a clear bar from `start` to there (a plain trace)."""
    ends = [None if v is None else max(v, start) - start for v in values]
    return trace(
        "bar",
        x=ends,
        base=[start] * len(ends) if start else None,
        y=names,
        orientation="h",
        text=labels,
        textposition="outside",
        cliponaxis=False,
        constraintext="none",
        textfont={"size": BAR_LABEL_SIZE, "color": "#222222"},
        marker={"color": "rgba(0,0,0,0)", "line": {"width": 0}},
        hoverinfo="skip",
        showlegend=False,
        name="labels",
    )


def _vline(x: float, colour: str, dash: str, layer: str = "above") -> dict[str, Any]:
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "layer": layer,
        "line": {"color": colour, "dash": dash, "width": 2},
    }


def _reference_shapes(
    marks: list[dict[str, Any]], reference: float | None
) -> tuple[list[dict[str, Any]], list[tuple[float, str, str]]]:
    """The normal range, the target and the limits as shapes, and their labels; the reference
    a range indicator's bars diverge from as a line below the bars."""
    shapes: list[dict[str, Any]] = []
    top: list[tuple[float, str, str]] = []
    for mark in marks:
        if mark["kind"] == "band":
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": mark["low"],
                    "x1": mark["high"],
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": BAND_COLOUR,
                    "opacity": 0.15,
                    "layer": "below",
                    "line": {"width": 0},
                }
            )
            top.append(((mark["low"] + mark["high"]) / 2, mark["text"], BAND_COLOUR))
        else:
            shapes.append(_vline(mark["value"], mark["colour"], mark["dash"]))
            top.append((mark["value"], mark["text"], mark["colour"]))
    if reference is not None:
        line = _vline(reference, BAND_COLOUR, "solid", layer="below")
        shapes.append(line)
    return shapes, top


def _missing_note(missing: list[Any], lang: str) -> dict[str, Any]:
    """The areas without a value, under the chart (the first MISSING_NAMED, then how many)."""
    sep = t("figures.separator", lang)
    named = sep.join(str(a) for a in missing[:MISSING_NAMED])
    if len(missing) > MISSING_NAMED:
        text = t("figures.no_value_more", lang, areas=named, n=len(missing))
    else:
        text = t("figures.no_value", lang, areas=named)
    return {
        "text": text,
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": 0,
        "yshift": -70,
        "xanchor": "left",
        "showarrow": False,
        "font": {"size": 13, "color": "#555555"},
    }


def _county_reference(
    rows: pd.DataFrame, county: pd.Series | None, info: IndicatorInfo, lang: str
) -> tuple[float, str] | None:
    """The line an area is compared with, and its label: the county's rate for a rate; for a
    sum (births, amounts) the county's figure per area, never the county's total (which would
    push every bar into the left fifth)."""
    if county is None:
        return None
    if info.is_sum:
        average = area_average(rows)
        if average is None:
            return None
        value, n = average
        text = t(
            "figures.area_average",
            lang,
            value=format_number(value, max(1, info.dp)),
            county=county["area"],
            total=format_amount(_drawn_value(county)),
            n=n,
        )
        return value, text
    drawn = _drawn_value(county)
    if drawn is None:
        return None
    text = t(
        "figures.county_line",
        lang,
        county=county["area"],
        value=format_number(county["value"], info.dp),
    )
    return drawn, text
