"""Click-through: a ranking bar, a funnel point or a scorecard row leads to the township page of
the same period, basis and indicator. The URL changes (one history entry), so Back returns.

The warnings table and the overview's warnings are plain links (`area_href`), no callback.
"""

from __future__ import annotations

import html
from typing import Any

import dash
from dash import Input, Output, State

from dashboard import layout

#: The township page.
AREA_PATH = "/area"
#: Stores the rankings and funnel pages carry: the indicator they show.
RANKINGS_INDICATOR = "rankings-indicator"
FUNNEL_INDICATOR = "funnel-indicator"
#: Scorecard columns that are no indicator (a click there keeps the page's indicator).
NOT_INDICATORS = ("area", "rank", "composite")


def area_href(search: str, area: str, indicator: str | None) -> str:
    """The township page of `area` for the view in `search` (period, basis, language kept),
    with `indicator` chosen."""
    carried = layout.carried_query(search or "")
    return AREA_PATH + layout.with_query(carried, indicator=indicator, area=area)


def clicked_area(click: dict[str, Any] | None) -> str | None:
    """The township of a plotly click: a bar's y (its name) or a point's customdata."""
    points = (click or {}).get("points") or []
    if not points:
        return None
    point = points[0]
    custom = point.get("customdata")
    if isinstance(custom, list) and custom:
        custom = custom[0]
    found = custom if isinstance(custom, str) and custom else point.get("y")
    # the charts draw names as plotly text, `&` `<` `>` as entities (figures.style.plain)
    return html.unescape(found) if isinstance(found, str) and found else None


def scorecard_target(cell: dict[str, Any] | None, indicator: str | None) -> tuple[str, str] | None:
    """(area, indicator) of a scorecard cell click: its row's township (not the county) and the
    column's indicator, else the page's."""
    if not cell:
        return None
    area = cell.get("rowId")
    if not isinstance(area, str) or not area or area.startswith(COUNTY_ROW):
        return None
    column = cell.get("colId")
    chosen = column if isinstance(column, str) and column not in NOT_INDICATORS else indicator
    return area, chosen or ""


#: The scorecard's row id of the county (views.scorecard gives every row its area; the county's
#: is prefixed so a click on it leads nowhere).
COUNTY_ROW = "__county__:"


def split_href(href: str) -> tuple[str, str]:
    """(pathname, search) of an href: the Location is given both, so its search stays the page's
    (one history entry; the page's controls see the URL they are on)."""
    path, _, query = href.partition("?")
    return path, f"?{query}" if query else ""


def bar_or_point_target(click: Any, indicator: str | None) -> tuple[str, str] | None:
    """(area, indicator) of a ranking bar's or a funnel point's click."""
    area = clicked_area(click)
    return (area, indicator or "") if area else None


#: (the component clicked, its property, the store naming the page's indicator, the target).
CLICKS = (
    ("ranking-chart", "clickData", RANKINGS_INDICATOR, bar_or_point_target),
    ("funnel-chart", "clickData", FUNNEL_INDICATOR, bar_or_point_target),
    ("scorecard", "cellClicked", RANKINGS_INDICATOR, scorecard_target),
)


def register_callbacks(app: dash.Dash) -> None:
    """One callback a clickable thing: its click sets the URL's path and query (one history
    entry) to the township page, or nothing when the click names no township."""
    for component, prop, store, target_of in CLICKS:

        def clicked(
            event: Any, indicator: str | None, search: str, target_of: Any = target_of
        ) -> tuple[str, str]:
            target = target_of(event, indicator)
            if target is None:
                raise dash.exceptions.PreventUpdate
            return split_href(area_href(search, *target))

        app.callback(
            Output(layout.URL, "pathname", allow_duplicate=True),
            Output(layout.URL, "search", allow_duplicate=True),
            Input(component, prop),
            State(store, "data"),
            State(layout.URL, "search"),
            prevent_initial_call=True,
        )(clicked)
