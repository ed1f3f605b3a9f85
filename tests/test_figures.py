"""Figure builders (dashboard/figures/), the PNG renderer (dashboard/render.py) and the
plotly zh-CN locale asset, on the hand-made indicator table of tests/figure_table.py."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from figure_table import CATALOG, COUNTY, indicator_table
from PIL import Image, ImageChops

from dashboard import figures, township
from dashboard.definitions import binomial_words
from dashboard.figures import (
    GRAPH_CONFIG,
    STATUS_STYLE,
    capped_ticks,
    funnel_figure,
    graph_config,
    overview_cards,
    ranking_bar,
    status_label,
)
from dashboard.render import png_size, stop_renderer, to_png
from indicators.catalog import load_catalog

ASSET = Path(figures.__file__).parent.parent / "assets" / "plotly-locale-zh-cn.js"


@pytest.fixture(scope="module", autouse=True)
def _renderer():
    yield
    stop_renderer()


def _bar(fig: go.Figure) -> go.Bar:
    return fig.data[0]


def _label_trace(fig: go.Figure) -> go.Bar:
    """The clear bars whose text are the bar-end labels."""
    return next(trace for trace in fig.data if trace.name == "labels")


def _labels(fig: go.Figure) -> dict[str, str]:
    """Bar-end labels by area."""
    trace = _label_trace(fig)
    return dict(zip(trace.y, trace.text, strict=True))


# --- ranking -----------------------------------------------------------------------------


def test_ranking_orders_areas_best_to_worst_top_down():
    fig = ranking_bar(indicator_table(), "srb", "zh", catalog=CATALOG)
    bar = _bar(fig)
    assert list(bar.y) == ["城关镇", "新阳镇", "西城镇", "梅仙镇", "八字桥乡"]
    assert list(fig.layout.yaxis.categoryarray) == list(bar.y)
    assert fig.layout.yaxis.autorange == "reversed"  # the first category at the top
    assert list(fig.layout.yaxis.ticktext)[:2] == ["1  城关镇", "2  新阳镇"]
    assert list(bar.customdata) == [104.0, 106.0, 110.0, 96.0, 212.0]
    assert COUNTY not in bar.y and "台溪乡" not in bar.y  # county line, not a bar; no value


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.1's relative luminance of '#RRGGBB'."""
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(one: str, other: str) -> float:
    high, low = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_status_words_on_their_fills_pass_wcag_aa_contrast():
    # white on the old normal blue #4393C3 was 3.39:1; every badge needs 4.5:1 (WCAG 1.4.3)
    assert round(contrast_ratio("#FFFFFF", "#4393C3"), 2) == 3.39
    ratios = {
        status: round(contrast_ratio(STATUS_STYLE[status]["text"], STATUS_STYLE[status]["fill"]), 2)
        for status in ("red", "amber", "watch", "green", "grey")
    }
    assert ratios == {"red": 6.87, "amber": 7.37, "watch": 12.21, "green": 5.9, "grey": 11.18}


#: Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
DEUTERANOPIA = (
    (0.367322, 0.860646, -0.227968),
    (0.280085, 0.672501, 0.047413),
    (-0.011820, 0.042940, 0.968881),
)
PROTANOPIA = (
    (0.152286, 1.052583, -0.204868),
    (0.114503, 0.786281, 0.099216),
    (-0.003882, -0.048116, 1.051998),
)


def seen_lab(hex_colour: str, vision: tuple | None = None) -> tuple[float, float, float]:
    """CIELAB (D65) of '#RRGGBB' as seen with normal vision or through a Machado matrix."""
    rgb = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    rgb = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    if vision is not None:
        rgb = [
            min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True)))) for row in vision
        ]
    xyz_rows = ((0.4124, 0.3576, 0.1805), (0.2126, 0.7152, 0.0722), (0.0193, 0.1192, 0.9505))
    white = (0.95047, 1.0, 1.08883)
    x, y, z = (
        sum(m * c for m, c in zip(row, rgb, strict=True)) / w
        for row, w in zip(xyz_rows, white, strict=True)
    )
    f = [v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116 for v in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def test_the_normal_blue_stays_apart_from_every_status_in_colour_blind_eyes():
    # ΔE (CIE76) of normal's fill from each other status's, for normal vision, deuteranopia and
    # protanopia: the darker blue is further from them all than #4393C3 was (red 73 → 84 deut.)
    def apart(one: str, other: str, vision: tuple | None) -> int:
        a, b = seen_lab(one, vision), seen_lab(other, vision)
        return round(sum((p - q) ** 2 for p, q in zip(a, b, strict=True)) ** 0.5)

    blue = STATUS_STYLE["green"]["fill"]
    distances = {
        status: tuple(
            apart(blue, STATUS_STYLE[status]["fill"], v) for v in (None, DEUTERANOPIA, PROTANOPIA)
        )
        for status in ("red", "amber", "watch", "grey")
    }
    assert distances == {
        "red": (93, 84, 61),
        "amber": (114, 116, 104),
        "watch": (103, 108, 97),
        "grey": (55, 59, 52),
    }
    assert apart("#4393C3", STATUS_STYLE["red"]["fill"], DEUTERANOPIA) == 73


def test_page_status_colours_are_the_chart_fills():
    css = (Path(__file__).parents[1] / "dashboard" / "assets" / "app.css").read_text()
    for status in ("red", "amber", "watch", "green", "grey"):
        assert f"--{status}: {STATUS_STYLE[status]['fill'].lower()};" in css


def test_ranking_higher_is_better_order_and_missing_area_named():
    fig = ranking_bar(indicator_table(), "compliance", "zh", catalog=CATALOG)
    assert list(_bar(fig).y) == ["城关镇", "西城镇", "新阳镇", "梅仙镇", "八字桥乡"]
    texts = [a.text for a in fig.layout.annotations]
    assert "无数据:台溪乡" in texts


def test_ranking_bars_coloured_hatched_and_worded_by_status():
    fig = ranking_bar(indicator_table(), "srb", "zh", catalog=CATALOG)
    bar = _bar(fig)
    colours = list(bar.marker.color)
    assert colours == ["#2166AC", "#BDBDBD", "#FDB863", "#E08214", "#B2182B"]
    patterns = list(bar.marker.pattern.shape)
    assert patterns[4] == "x" and patterns[3] == "/"  # red and amber hatched
    assert patterns[0] == "" and patterns[1] == ""
    assert list(_label_trace(fig).text) == [
        "104.00  √ 正常",
        "106.00  ○ 不评价",
        "110.00  △ 待观察",
        "96.00  ▲ 需关注",
        "212.00  ▲▲ 显著异常",
    ]
    labels = _labels(fig)
    assert labels["八字桥乡"] == "212.00  ▲▲ 显著异常"
    assert labels["城关镇"] == "104.00  √ 正常"
    legend = [trace.name for trace in fig.data if trace.showlegend]
    assert legend == ["▲▲ 显著异常", "▲ 需关注", "△ 待观察", "√ 正常", "○ 不评价"]


def test_ranking_hover_has_fraction_interval_and_rank_interval():
    fig = ranking_bar(indicator_table(), "srb", "zh", catalog=CATALOG)
    hover = _bar(fig).hovertext[4]  # 八字桥乡
    assert "分子 / 分母:212 / 100" in hover
    assert "95%区间:132.00–340.00" in hover
    assert "排名:第5名(95%区间 第5–6名)" in hover
    assert "状态:显著异常" in hover


def test_srb_draws_the_normal_band_the_reference_and_the_county_line():
    fig = ranking_bar(indicator_table(), "srb", "zh", catalog=CATALOG)
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert [(r.x0, r.x1) for r in rects] == [(103.0, 107.0)]
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert [line.x0 for line in lines] == [105.0, 112.5]  # the reference, the county
    texts = [a.text for a in fig.layout.annotations]
    assert "正常范围 103–107" in texts
    assert "尤溪县 112.50" in texts


def test_range_bars_diverge_from_the_reference():
    fig = ranking_bar(indicator_table(), "srb", "zh", catalog=CATALOG)
    bar = _bar(fig)
    # each bar runs from 105 to its value: 104 is 1 to the left, 212 is 107 to the right
    assert list(bar.base) == [105.0] * 5
    assert list(bar.x) == [-1.0, 1.0, 5.0, -9.0, 107.0]
    assert [b + x for b, x in zip(bar.base, bar.x, strict=True)] == [104, 106, 110, 96, 212]
    low, high = fig.layout.xaxis.range
    # not from 0: the axis spans 96..212 and the band, padded, with room for 212's label
    assert 85 < low < 96 and 212 < high < 300
    assert fig.layout.xaxis.zeroline is False
    # order, colours, hatches and words are kept
    assert list(bar.y) == ["城关镇", "新阳镇", "西城镇", "梅仙镇", "八字桥乡"]
    assert list(bar.marker.pattern.shape)[3:] == ["/", "x"]
    # each label just right of its bar: at the value, or at 105 for a bar left of it (the
    # clear label bars end there, their text outside) — unless its text would run across the
    # county's line: then just right of that line (梅仙镇's, from 105, would cross it)
    labels = _label_trace(fig)
    ends = {y: b + x for y, b, x in zip(labels.y, labels.base, labels.x, strict=True)}
    [county_x] = [s.x0 for s in fig.layout.shapes if s.line.dash == "longdash"]
    unit = (high - low) / figures.PLANNED_PLOT_WIDTH  # axis units a pixel
    assert county_x > 105 and ends["梅仙镇"] == pytest.approx(county_x + 4 * unit)  # 4 px after
    assert ends["八字桥乡"] == 212.0
    assert labels.textposition == "outside"
    # the longest label fits after 212 at the planned width
    room = (high - 212) / (high - low) * figures.PLANNED_PLOT_WIDTH
    assert room >= figures.text_width("212.00  ▲▲ 显著异常", 15) == 171.0


def test_srb_103_and_129_look_different():
    table = indicator_table()
    srb = table["indicator"] == "srb"
    for area, value in (("城关镇", 103.0), ("八字桥乡", 129.0)):
        table.loc[srb & (table["area"] == area), ["value", "value_exact"]] = value
    fig = ranking_bar(table, "srb", "zh", catalog=CATALOG)
    low, high = fig.layout.xaxis.range
    lengths = {y: abs(x) for y, x in zip(_bar(fig).y, _bar(fig).x, strict=True)}
    assert (lengths["城关镇"], lengths["八字桥乡"]) == (2.0, 24.0)
    assert 90 < low < 96  # the axis starts near the data, so 24 reads 12 times 2


def test_bars_of_a_percentage_stop_their_ticks_at_100_and_keep_labels_after_the_bars():
    fig = ranking_bar(indicator_table(), "compliance", "zh", catalog=CATALOG)
    bar = _bar(fig)
    assert bar.base is None and list(bar.x) == [98.0, 93.5, 91.0, 85.0, 72.0]
    low, high = fig.layout.xaxis.range
    # the axis runs past 100 only to hold the labels; no tick says more than 100%
    assert low == 0 and high > 100
    assert list(fig.layout.xaxis.tickvals) == [0, 20, 40, 60, 80, 100]
    labels = _label_trace(fig)
    assert labels.textposition == "outside"
    # every label fits after its bar, inside the axis (at the planned 460 px)
    for end, text in zip(labels.x, labels.text, strict=True):
        assert end / high * 460 + 12 + figures.text_width(text, 15) <= 460 + 1, text


def test_capped_ticks_leave_the_axis_alone_when_a_value_passes_the_cap():
    assert capped_ticks([0, 130], 100, 120) is None  # a value of 120 (a wrong file) is shown
    assert capped_ticks([0, 90], 100, 80) is None
    assert capped_ticks([0, 118], 100, 98) == [0, 20, 40, 60, 80, 100]
    assert capped_ticks([-4, 112], 100, 90) == [0, 20, 40, 60, 80, 100]


def _srb_with_areas(n: int) -> pd.DataFrame:
    """srb for `n` areas named like 东城街道办事处 (7 characters), 100 + 2i, worst last."""
    table = indicator_table()
    srb = table[table["indicator"] == "srb"]
    template = srb[srb["area"] == "城关镇"].iloc[0]
    rows = [srb[srb["is_total"]].iloc[0]]
    for i in range(n):
        row = template.copy()
        row["area"], row["order"] = f"第{i + 1:02d}街道办事处", i + 1
        row["value"] = row["value_exact"] = 100.0 + 2 * i
        row["rank"], row["status"] = i + 1, "green"
        rows.append(row)
    return pd.DataFrame(rows).reset_index(drop=True)


@pytest.mark.parametrize("n", [15, 40])
def test_county_label_sits_above_the_plot_never_over_a_bar(n: int):
    fig = ranking_bar(_srb_with_areas(n), "srb", "zh", catalog=CATALOG)
    assert len(_bar(fig).y) == n
    county = next(a for a in fig.layout.annotations if a.text == "尤溪县 112.50")
    band = next(a for a in fig.layout.annotations if a.text == "正常范围 103–107")
    for label in (county, band):
        # in paper coordinates at the top edge of the plot, drawn upwards: outside every bar
        assert (label.xref, label.yref, label.y, label.yanchor) == ("x", "paper", 1, "bottom")
    # 112.5 and the band's middle 105 are close: the labels take two rows, not one place
    assert {county.yshift, band.yshift} == {2, 2 + figures.TOP_LABEL_LANE}
    assert fig.layout.margin.t == figures.TITLE_ROOM + 2 * figures.TOP_LABEL_LANE
    assert fig.layout.height == 150 + 34 * n + figures.TOP_LABEL_LANE


def test_top_labels_far_apart_share_a_row():
    lanes = figures.top_label_lanes([(0.0, "目标 90"), (50.0, "尤溪县 88.40")], [0.0, 100.0])
    assert lanes == [0, 0]
    lanes = figures.top_label_lanes([(50.0, "目标 90"), (52.0, "尤溪县 88.40")], [0.0, 100.0])
    assert lanes == [0, 1]


def test_compliance_target_and_fee_limits_drawn():
    table = indicator_table()
    target = ranking_bar(table, "compliance", "zh", catalog=CATALOG)
    assert sorted(s.x0 for s in target.layout.shapes) == [88.4, 90.0]
    assert "目标 90" in [a.text for a in target.layout.annotations]
    fees = ranking_bar(table, "fee_amount_rate", "zh", catalog=CATALOG)
    assert sorted(s.x0 for s in fees.layout.shapes) == [50.0, 60.0, 70.0]
    texts = [a.text for a in fees.layout.annotations]
    assert "正常线 70" in texts and "红线 50" in texts


def _objects(fig: go.Figure) -> int:
    return len(fig.layout.annotations) + len(fig.layout.shapes) + len(fig.data)


def test_ranking_objects_do_not_grow_with_the_areas_only_the_arrays_do():
    """At city scale: 150 and 300 areas make the same 8 plotly objects (the bars, their labels,
    one legend entry; the normal band, the reference and the county line; the band's and the
    county's labels above the plot); only the bars' arrays grow, one entry per area."""
    small = ranking_bar(_srb_with_areas(150), "srb", "zh", catalog=CATALOG)
    large = ranking_bar(_srb_with_areas(300), "srb", "zh", catalog=CATALOG)
    assert _objects(small) == _objects(large) == 3 + 3 + 2
    assert (len(_bar(small).y), len(_bar(large).y)) == (150, 300)
    assert (len(_label_trace(small).text), len(_label_trace(large).text)) == (150, 300)


def test_ranking_of_the_ends_keeps_ranks_marks_the_searched_area_and_shows_the_gaps():
    table = _srb_with_areas(100)
    names = [f"第{i:02d}街道办事处" for i in range(1, 101)]
    shown = names[:3] + names[-3:] + [names[49]]
    fig = ranking_bar(table, "srb", "zh", catalog=CATALOG, shown=shown, marked=names[49])
    assert list(_bar(fig).y) == names[:3] + [names[49]] + names[-3:]
    ticks = list(fig.layout.yaxis.ticktext)
    assert ticks == [
        "1  第01街道办事处",
        "2  第02街道办事处",
        "3  第03街道办事处",
        "⋯",
        "<b>50  第50街道办事处</b>",
        "⋯",
        "98  第98街道办事处",
        "99  第99街道办事处",
        "100  第100街道办事处",
    ]
    assert len(set(fig.layout.yaxis.categoryarray)) == 9  # two gaps, each its own place
    widths = list(_bar(fig).marker.line.width)
    assert widths[3] == 2.5 and set(widths[:3] + widths[4:]) == {0.5}


def test_english_labels_come_from_the_catalogs():
    fig = ranking_bar(indicator_table(), "srb", "en", catalog=CATALOG)
    assert fig.layout.title.text.startswith("Sex ratio at birth (boys per 100 girls)")
    assert _label_trace(fig).text[4] == "212.00  ▲▲ Significant"


def test_status_words():
    assert [status_label(s, "zh") for s in ("red", "amber", "watch", "green", "grey")] == [
        "显著异常",
        "需关注",
        "待观察",
        "正常",
        "不评价",
    ]
    assert status_label(None, "zh") == ""
    assert status_label(float("nan"), "zh") == ""
    assert {s["fill"] for s in STATUS_STYLE.values()} == {
        "#B2182B",
        "#E08214",
        "#FDB863",
        "#2166AC",
        "#BDBDBD",
        "#5E7A94",
    }


# --- config and locale -------------------------------------------------------------------


def test_graph_config_has_no_cloud_no_logo_and_a_local_locale():
    assert GRAPH_CONFIG["displaylogo"] is False
    assert GRAPH_CONFIG["showSendToCloud"] is False
    zh, en = graph_config("zh", "srb"), graph_config("en")
    assert zh["locale"] == "zh-CN" and en["locale"] == "en"
    assert zh["displaylogo"] is False and zh["showSendToCloud"] is False
    assert zh["toImageButtonOptions"] == {
        "format": "png",
        "filename": "srb",
        "width": 1600,
        "height": 900,
        "scale": 2,
    }


def test_locale_asset_is_the_published_zh_cn_locale_and_queues_itself():
    text = ASSET.read_text("utf-8")
    assert "MIT License" in text and "plotly.js-locales" in text
    assert "name: 'zh-CN'" in text and "moduleType: 'locale'" in text
    assert "'Download plot as a PNG': '下载图表为PNG格式'" in text
    # registered with plotly.js when it is loaded, else queued for it (Dash loads it lazily)
    assert "window.PlotlyLocales" in text and "Plotly.register" in text


# --- funnel, trend, cards ----------------------------------------------------------------


def test_funnel_figure_limits_and_points_by_status():
    limits = pd.DataFrame(
        {
            "denominator": [50.0, 100.0, 400.0],
            "low95": [80.0, 85.0, 92.0],
            "high95": [98.0, 96.0, 94.0],
            "low998": [70.0, 78.0, 89.0],
            "high998": [99.5, 99.0, 96.0],
        }
    )
    points = pd.DataFrame(
        {
            "area": ["城关镇", "八字桥乡", "梅仙镇"],
            "value": [98.0, 72.0, 85.0],
            "denominator": [500.0, 100.0, 100.0],
            "status": ["green", "red", "watch"],
        }
    )
    fig = funnel_figure(
        {"centre": 88.4, "points": points, "limits": limits, "phi": 1.8},
        "compliance",
        "zh",
        catalog=CATALOG,
    )
    names = [trace.name for trace in fig.data]
    assert names == ["99.8% 控制限"] * 2 + ["95% 控制限"] * 2 + [
        "▲▲ 显著异常",
        "△ 待观察",
        "√ 正常",
    ]
    red = fig.data[4]
    assert list(red.text) == ["八字桥乡"] and red.marker.symbol == "x"
    assert [s.y0 for s in fig.layout.shapes] == [88.4]
    assert "φ = 1.80" in fig.layout.title.subtitle.text


def test_funnel_points_coloured_by_where_they_fall_and_the_method_said():
    # the real funnel of ten townships (200 births each) whose compliance is over-dispersed
    from indicators.engine import compute
    from indicators.funnel import funnel
    from zhibiao.config import Settings

    in_policy = [150, 165, 170, 180, 180, 180, 190, 194, 196, 195]
    v = pd.DataFrame(
        [
            {"area": f"乡{i}", "is_total": False, "period": "2024-03", "basis": "ytd",
             "field": fld, "value": float(val), "sheet": "", "cell": "", "row": i}
            for i, x in enumerate(in_policy)
            for fld, val in (("births", 200), ("out_of_policy", 200 - x))
        ]
    )  # fmt: skip
    f = funnel(compute(v, "2024-03", "ytd", settings=Settings()), "compliance")
    fig = funnel_figure(f, "compliance", "zh")
    names = [trace.name for trace in fig.data if trace.mode != "lines"]
    # 乡0 (75%) lies between the 95% and 99.8% limits widened by φ = 7.48; the rest within
    assert names == ["低于95%控制限", "在95%控制限内"]
    low = [trace for trace in fig.data if trace.name == "低于95%控制限"][0]
    assert list(low.text) == ["乡0"]
    assert "需关注" in low.hovertext[0] or "显著异常" in low.hovertext[0]  # its status
    assert "控制限按 φ 放宽(Spiegelhalter 2005)" in fig.layout.title.subtitle.text


def test_funnel_limits_start_at_the_minimum_denominator_and_do_not_set_the_range():
    # srb-like limits that run off to ~7000 at small denominators (boys + girls = 5, 10)
    limits = pd.DataFrame(
        {
            "denominator": [5.0, 10.0, 20.0, 50.0, 160.0],
            "low95": [0.0, 20.0, 50.0, 75.0, 90.0],
            "high95": [2300.0, 600.0, 250.0, 160.0, 130.0],
            "low998": [0.0, 5.0, 30.0, 60.0, 80.0],
            "high998": [7000.0, 1500.0, 400.0, 200.0, 140.0],
        }
    )
    points = pd.DataFrame(
        {
            "area": ["城关镇", "金竹乡", "双河乡"],
            "value": [108.0, 125.0, 300.0],
            "denominator": [150.0, 25.0, 8.0],
            "status": ["watch", "watch", "grey"],
        }
    )
    assert CATALOG.get("srb").min_denominator == 20  # tests/data/figure_catalog.toml
    fig = funnel_figure(
        {"centre": 108.59, "points": points, "limits": limits, "phi": 1.0},
        "srb",
        "zh",
        catalog=CATALOG,
    )
    lines = [trace for trace in fig.data if trace.mode == "lines"]
    assert len(lines) == 4
    for line in lines:
        assert list(line.x) == [20.0, 50.0, 160.0]  # 5 and 10 are below the 20 births judged
    # the whole funnel drawn (limits 30..400 from 20 births on) and every point (108, 125,
    # 300), on a log axis: 30..400, 8% of the log span below and 15% above
    assert fig.layout.yaxis.type == "log"
    low, high = (10**v for v in fig.layout.yaxis.range)
    span = math.log10(400 / 30)
    assert (round(low, 4), round(high, 4)) == (
        round(30 / 10 ** (span * 0.08), 4),
        round(400 * 10 ** (span * 0.15), 4),
    )
    assert round(low, 1) == 24.4 and round(high) == 590
    # the x axis says what the limits are drawn against: boys + girls, not 分母 …
    assert fig.layout.xaxis.title.text == "出生男 + 出生女"
    # … which the project's catalog derives as births
    real = load_catalog()
    assert binomial_words(real.get("srb"), real, "zh") == "出生人数"
    assert binomial_words(real.get("srb_order2"), real, "en") == "Second births"
    assert binomial_words(real.get("fee_coverage"), real, "zh") == "社会抚养费应征人数"


def test_funnel_without_a_minimum_draws_every_limit():
    limits = pd.DataFrame(
        {"denominator": [50.0, 10.0], "low95": [80.0, 60.0], "high95": [96.0, 99.0]}
    )
    points = pd.DataFrame({"area": ["城关镇"], "value": [90.0], "denominator": [40.0]})
    fig = funnel_figure(
        {"centre": 88.0, "points": points, "limits": limits}, "compliance", "zh", catalog=CATALOG
    )
    # from the grid point at or below the smallest area's 40, to the largest
    assert [list(trace.x) for trace in fig.data if trace.mode == "lines"] == [[10.0, 50.0]] * 2
    # the whole funnel, 60..99 (the 95% limits at 10 and 50): 8% of the 39 span below, and
    # above no more than 100 + that 8%
    low, high = fig.layout.yaxis.range
    assert (round(low, 6), round(high, 6)) == (56.88, 103.12)
    assert fig.layout.yaxis.type == "linear"
    assert fig.layout.xaxis.title.text == "出生人数"


def test_overview_cards_county_figures_with_change_and_status():
    cards = overview_cards(indicator_table(), "zh", catalog=CATALOG)
    assert [c["indicator"] for c in cards] == ["srb", "compliance", "fee_amount_rate"]
    srb, compliance, fees = cards
    assert (srb["value"], srb["change"], srb["status_label"]) == (
        "112.50",
        "比上年同期 +4.50",
        "需关注",
    )
    assert compliance["value_with_unit"] == "88.40%"
    assert compliance["change"] == "比上年同期 -1.60个百分点"
    assert compliance["status_label"] == "待观察" and compliance["mark"] == "△"
    assert fees["change"] == "比上年同期 +1.50个百分点"


# --- PNG ---------------------------------------------------------------------------------


def _title_only(title: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        title={"text": title, "font": {"size": 60}},
        font={"family": figures.FONT_FAMILY},
        xaxis={"visible": False},
        yaxis={"visible": False},
        template="plotly_white",
    )
    return fig


def _image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("L")


def _ink(a: Image.Image, b: Image.Image) -> int:
    """Pixels that differ by more than a faint shade."""
    diff = ImageChops.difference(a, b).point(lambda v: 255 if v > 40 else 0)
    return diff.histogram()[255]


def test_png_has_the_signature_and_the_asked_size():
    fig = ranking_bar(indicator_table(), "srb", "zh", catalog=CATALOG)
    data = to_png(fig)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert png_size(data) == (3200, 1800)
    assert png_size(to_png(fig, width=800, height=450, scale=1)) == (800, 450)


def test_chinese_renders_as_glyphs_not_boxes():
    size = {"width": 800, "height": 200, "scale": 1}
    empty = _image(to_png(_title_only(""), **size))
    chinese = _image(to_png(_title_only("八字桥乡出生性别比"), **size))
    other = _image(to_png(_title_only("城关镇政策符合率高"), **size))
    tofu = _image(to_png(_title_only("\U000effff" * 9), **size))
    # the Chinese title puts ink on the page
    assert _ink(empty, chinese) > 3000
    # two different Chinese titles differ (real glyphs), while missing glyphs are all alike
    assert _ink(chinese, other) > 3000
    assert _ink(chinese, tofu) > 3000


def _wilson(x: int, n: int, z: float) -> tuple[float, float]:
    """Wilson's score interval, written out: (x + z²/2)/(n + z²) ± z/(n + z²)·√(x(n − x)/n + z²/4)."""
    centre = (x + z * z / 2) / (n + z * z)
    half = z / (n + z * z) * math.sqrt(x * (n - x) / n + z * z / 4)
    return centre - half, centre + half


def _newcombe(x1: int, n1: int, x0: int, n0: int, z: float) -> tuple[float, float]:
    """Newcombe's (1998, method 10) interval of p1 − p0 from the two Wilson intervals."""
    p1, p0 = x1 / n1, x0 / n0
    (l1, u1), (l0, u0) = _wilson(x1, n1, z), _wilson(x0, n0, z)
    d = p1 - p0
    return d - math.hypot(p1 - l1, u0 - p0), d + math.hypot(u1 - p1, p0 - l0)


def _change_table():
    """Compliance of 甲镇 180/200 this March against 190/200 a year before (乙镇 190/200 both
    years), as the engine figures it."""
    from indicators.engine import compute
    from zhibiao.config import Settings

    def rows(area: str, period: str, births: int, oop: int) -> list[dict]:
        return [
            {"area": area, "is_total": False, "period": period, "basis": "ytd", "field": f,
             "value": float(v), "sheet": "", "cell": "", "row": 0}
            for f, v in (("births", births), ("out_of_policy", oop))
        ]  # fmt: skip

    v = pd.DataFrame(
        rows("甲镇", "2024-03", 200, 20)
        + rows("甲镇", "2023-03", 200, 10)
        + rows("乙镇", "2024-03", 200, 10)
        + rows("乙镇", "2023-03", 200, 10)
    )
    return compute(v, "2024-03", "ytd", settings=Settings())


def test_the_change_carries_its_interval_on_every_hover():
    from scipy.optimize import brentq
    from scipy.stats import norm

    from dashboard.figures import overview_cards

    # compliance 180/200 against 190/200: d = −5 points. Newcombe at z = 1.959964:
    # Wilson 180/200 = 0.85059–0.93433, 190/200 = 0.91042–0.97262;
    # low = −0.05 − √((0.9 − 0.85059)² + (0.97262 − 0.95)²) = −0.10434,
    # high = −0.05 + √((0.93433 − 0.9)² + (0.95 − 0.91042)²) = +0.00240: −10.43 … 0.24 points,
    # 0 inside: not significant. P: the z* at which the upper end reaches 0, 2·(1 − Φ(z*)) =
    # 0.061 (the 0.064 once quoted was another test), so no word of a fall.
    z = 1.959964
    assert [round(v, 5) for v in (*_wilson(180, 200, z), *_wilson(190, 200, z))] == [
        0.85059,
        0.93433,
        0.91042,
        0.97262,
    ]
    low, high = _newcombe(180, 200, 190, 200, z)
    assert (round(100 * low, 2), round(100 * high, 2)) == (-10.43, 0.24)
    z_star = brentq(lambda q: _newcombe(180, 200, 190, 200, q)[1], 0.5, 3.0)
    p = 2 * norm.sf(z_star)
    assert (round(z_star, 3), round(p, 3)) == (1.875, 0.061)
    words = {
        "zh": (
            "比上年同期 -5.00个百分点，基本持平",
            f"变化的95%区间 {100 * low:.2f} 至 {100 * high:.2f}个百分点，P = {p:.3f}",
        ),
        "en": (
            "-5.00 pp on last year: about the same",
            f"95% interval of the change {100 * low:.2f} to {100 * high:.2f} pp, P = {p:.3f}",
        ),
    }
    assert words["zh"][1] == "变化的95%区间 -10.43 至 0.24个百分点，P = 0.061"
    table = _change_table()
    for lang, (change, interval) in words.items():
        # the ranking chart's hover: the change and its interval under the status
        bar = _bar(ranking_bar(table, "compliance", lang))
        hover = bar.hovertext[list(bar.y).index("甲镇")]
        assert f"<br>{change}<br>{interval}" in hover
        assert "显著" not in hover and "significant" not in hover
        # the township page's change cell: its interval as the title
        row = [r for r in township.area_rows(table, "甲镇", lang) if r["indicator"] == "compliance"]
        assert row[0]["change_title"] == interval
    # the overview card is the county's: 370/400 against 380/400, −2.50 points
    low, high = _newcombe(370, 400, 380, 400, z)
    p = 2 * norm.sf(brentq(lambda q: _newcombe(370, 400, 380, 400, q)[1], 0.5, 3.0))
    assert (round(100 * low, 2), round(100 * high, 2), round(p, 3)) == (-5.97, 0.90, 0.146)
    card = [c for c in overview_cards(table, "zh") if c["indicator"] == "compliance"][0]
    assert card["change"] == "比上年同期 -2.50个百分点，基本持平"
    assert card["change_interval"] == "变化的95%区间 -5.97 至 0.90个百分点，P = 0.146"
    card = [c for c in overview_cards(table, "en") if c["indicator"] == "compliance"][0]
    assert card["change"] == "-2.50 pp on last year: about the same"
    assert card["change_interval"] == "95% interval of the change -5.97 to 0.90 pp, P = 0.146"


def test_a_funnel_of_many_townships_draws_every_point_with_webgl():
    """Above view_max_areas (60) every point is drawn, as WebGL, names on hover only."""
    points = pd.DataFrame(
        {
            "area": [f"第{i:03d}镇" for i in range(200)],
            "value": [90.0 + i % 10 for i in range(200)],
            "denominator": [100.0 + i for i in range(200)],
            "status": ["red" if i % 50 == 0 else "green" for i in range(200)],
        }
    )
    funnel = {"points": points, "limits": pd.DataFrame(), "centre": 95.0}
    fig = funnel_figure(funnel, "compliance", "zh", catalog=CATALOG)
    drawn = [trace for trace in fig.data if trace.type == "scattergl"]
    assert sum(len(trace.x) for trace in drawn) == 200 and len(drawn) == 2
    assert all(trace.mode == "markers" for trace in drawn)
    few = funnel_figure({**funnel, "points": points.head(30)}, "compliance", "zh", catalog=CATALOG)
    assert {trace.type for trace in few.data} == {"scatter"}
    assert any(trace.mode == "markers+text" for trace in few.data)


@pytest.mark.parametrize("indicator", ["srb", "compliance", "fee_amount_rate"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_ranking_figure_made_without_checks_passes_plotlys_checks(indicator, lang):
    """ranking_bar skips plotly's property checks (`style.one_pass_figure`); the same figure
    built again with them must give the same JSON: no misspelt property, no wrong value."""
    table = indicator_table()
    for shown in (None, list(table["area"].drop_duplicates())[1:4]):
        fig = ranking_bar(table, indicator, lang, catalog=CATALOG, shown=shown, marked="东湖街道")
        checked = go.Figure(fig.to_plotly_json())  # validates every property, raises on error
        assert json.loads(checked.to_json()) == json.loads(fig.to_json())
        assert len(fig.data) >= 2 and fig.layout.template.layout.paper_bgcolor == "white"
