"""The figure builders shared by the pages and the exports, one module per chart.

- `style`: fonts, status colours and marks, the catalog in a chart's terms, texts, titles.
- `ranking`: the ranking bars. `funnel`: the funnel plot. `trend`: a township's months
  (this year, last year, the county), small charts, and with its table the page's picture.
- `cards`: the overview cards. `alternative`: each chart in words and as a table.

Every builder reads the indicator table (`indicators/columns.py`), labels everything from the
message catalogs (`figures.*`) and the indicator catalog, and never tells a status by colour
alone: each bar or point carries its status word and a mark, and red and amber bars are hatched
so a black-and-white printout still tells them apart. The names below are the package's public
face; a change to one chart goes into its own module.
"""

from dashboard.figures.alternative import ChartText, area_charts_text, funnel_text, ranking_text
from dashboard.figures.cards import OVERVIEW_INDICATORS, change_text, overview_cards
from dashboard.figures.funnel import funnel_figure, funnel_limits_drawn, funnel_y_range
from dashboard.figures.ranking import (
    bar_base,
    capped_ticks,
    rank_order,
    ranking_axis_range,
    ranking_bar,
    top_label_lanes,
)
from dashboard.figures.style import (
    FONT_FAMILY,
    GRAPH_CONFIG,
    IMAGE_HEIGHT,
    IMAGE_SCALE,
    IMAGE_WIDTH,
    PLANNED_PLOT_WIDTH,
    STATUS_STYLE,
    TITLE_ROOM,
    TOP_LABEL_LANE,
    IndicatorInfo,
    chart_title,
    format_amount,
    format_number,
    graph_config,
    indicator_info,
    number_or_none,
    period_label,
    quality_count,
    status_style,
    text_width,
    unit_label,
    value_text,
    view_max_areas,
    wrap_title,
)
from dashboard.figures.trend import area_charts
from zhibiao.vocabulary import clean_status, status_label, status_text

__all__ = [
    "area_charts_text",
    "area_charts",
    "FONT_FAMILY",
    "GRAPH_CONFIG",
    "IMAGE_HEIGHT",
    "IMAGE_SCALE",
    "IMAGE_WIDTH",
    "OVERVIEW_INDICATORS",
    "PLANNED_PLOT_WIDTH",
    "STATUS_STYLE",
    "TITLE_ROOM",
    "TOP_LABEL_LANE",
    "ChartText",
    "IndicatorInfo",
    "bar_base",
    "change_text",
    "chart_title",
    "clean_status",
    "format_amount",
    "format_number",
    "funnel_figure",
    "funnel_limits_drawn",
    "funnel_text",
    "funnel_y_range",
    "graph_config",
    "indicator_info",
    "number_or_none",
    "overview_cards",
    "period_label",
    "quality_count",
    "rank_order",
    "capped_ticks",
    "ranking_axis_range",
    "ranking_bar",
    "ranking_text",
    "status_label",
    "status_style",
    "view_max_areas",
    "status_text",
    "text_width",
    "top_label_lanes",
    "unit_label",
    "value_text",
    "wrap_title",
]
