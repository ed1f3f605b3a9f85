"""The presentation view (`present=1`): each page as slides that each fit one 16:9 screen.

A page hands its parts as slides; on screen it shows all of them, in the presentation view one
(`slide=N`, from 1) with a pager '‹ 2 / 4 ›'. A chart of a slide takes the screen's height left
under the slide's heading, whatever the screen (1366×768 or 1920×1080): the figure's own height
is dropped and plotly sizes it to its box.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import html

from dashboard import layout
from dashboard.figures import ChartText
from dashboard.pages import _common as c

#: What a slide's heading, pager and margins take of the screen, as CSS (the rest is the chart).
CHART_ROOM = "calc(100vh - 16vh - 110px)"


def slide_number(kwargs: dict[str, Any], count: int) -> int:
    """The slide asked for (`slide=N`), kept within 1..count."""
    try:
        number = int(str(kwargs.get("slide", "1")))
    except ValueError:
        number = 1
    return min(max(number, 1), max(count, 1))


def _href(number: int) -> str:
    args = dict(layout.page_args())
    return layout.with_query("?" + urlencode(args), slide=number)


def pager(number: int, count: int) -> Any:
    """'‹ 2 / 4 ›': the slide shown, with links to the one before and after."""
    parts: list[Any] = []
    if number > 1:
        parts.append(html.A("‹", href=_href(number - 1), className="pager-step", id="slide-prev"))
    parts.append(html.Span(f"{number} / {count}", className="pager-count"))
    if number < count:
        parts.append(html.A("›", href=_href(number + 1), className="pager-step", id="slide-next"))
    return html.Nav(parts, className="present-pager", id="present-pager")


def slides(ctx: c.PageContext, kwargs: dict[str, Any], parts: list[list[Any]]) -> list[Any]:
    """All the parts on screen; in the presentation view the one slide asked for, with a pager
    when there are several."""
    parts = [p for p in parts if p]
    if not ctx.query.present:
        return [item for part in parts for item in part]
    number = slide_number(kwargs, len(parts))
    shown = list(parts[number - 1]) if parts else []
    if len(parts) > 1:
        shown.append(pager(number, len(parts)))
    return shown


def graph(figure: Any, ctx: c.PageContext, graph_id: str, filename: str, text: ChartText) -> Any:
    """`_common.graph`, but in the presentation view sized to the screen's room (the figure's
    own height dropped, so plotly fills its box)."""
    if not ctx.query.present:
        return c.graph(figure, ctx, graph_id, filename, text)
    # a new figure dict over the same data: a `go.Figure` copied and updated would go through
    # plotly's checks again (some 20 ms a chart), and only the layout's top changes
    drawn = figure if isinstance(figure, dict) else figure.to_plotly_json()
    kept = {k: v for k, v in drawn.get("layout", {}).items() if k != "height"}
    figure = {**drawn, "layout": {**kept, "autosize": True}}
    component = c.graph(figure, ctx, graph_id, filename, text)
    component.children[0].style = {"height": CHART_ROOM, "width": "100%"}  # the dcc.Graph
    return component
