"""排名 rankings: one indicator's bar chart, best to worst, beside the scorecard (areas × indicators)."""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_mantine_components as dmc
import pandas as pd
from dash import dcc, html

from dashboard import clicks, figures, views
from dashboard import layout as shell
from dashboard.pages import _common as c
from dashboard.pages import _present
from dashboard.pages._definitions import definition_panel
from indicators.catalog import Catalog
from zhibiao.i18n import t

PATH = "/rankings"
DEFAULT_INDICATOR = "srb"

dash.register_page(
    __name__, path=PATH, name="rankings", title=lambda: shell.page_title(PATH, shell.current_lang())
)


def scorecard_grid(table: pd.DataFrame, lang: str, catalog: Catalog, present: bool) -> Any:
    rows, columns = views.scorecard(table, lang, catalog=catalog)
    rows = views.mark_scorecard_quality(rows, table, lang)
    # the grid renders only the rows in view (a fixed height: the slide's room in the
    # presentation view, where rows beyond it scroll inside)
    for row in rows:  # a click on a township's row opens its page (dashboard/clicks.py)
        row["row_id"] = (clicks.COUNTY_ROW if row["is_total"] else "") + row["area"]
    return dag.AgGrid(
        id="scorecard",
        rowData=rows,
        columnDefs=columns,
        getRowId="params.data.row_id",
        defaultColDef={"sortable": True, "resizable": True, "filter": False},
        dashGridOptions={
            "tooltipShowDelay": 200,
            "domLayout": "normal",
            "rowHeight": 34 if present else 42,
            "animateRows": False,
            "suppressCellFocus": True,
            "suppressColumnVirtualisation": True,
        },
        className="ag-theme-quartz scorecard",
        style={"height": _present.CHART_ROOM if present else "560px", "width": "100%"},
    )


def long_ranking(
    ctx: c.PageContext, table: Any, indicator: str, wanted: str | None
) -> tuple[Any, list[Any]]:
    """More areas than the catalog's `view_max_areas`: the chart of the best and the worst
    `ranking_ends` (and the area searched for, in bold); a search box over every area; a line
    with the searched area's rank and interval; the full ranking in a grid that renders only
    the rows in view. Returns the figure and the components beside it."""
    lang = ctx.lang
    ranked = views.ranked_areas(table, indicator, ctx.catalog)
    names = [str(a) for a in ranked["area"]]
    searched = wanted if wanted in names else None
    ends = int(ctx.catalog.settings.get("ranking_ends", 10))
    figure = figures.ranking_bar(
        table,
        indicator,
        lang,
        catalog=ctx.catalog,
        shown=views.chart_ends(names, ends, searched),
        marked=searched,
    )
    if ctx.query.present:
        return figure, []
    ranks = dict(zip(names, ranked["rank"], strict=True))
    search = dmc.Select(
        id={"type": "q", "name": "area"},
        label=t("ui.rankings.search", lang),
        placeholder=t("ui.rankings.search_placeholder", lang),
        data=[
            {"value": name, "label": f"{'' if pd.isna(ranks[name]) else int(ranks[name])} {name}"}
            for name in names
        ],
        value=searched,
        searchable=True,
        clearable=True,
        limit=50,
        className="control control-area",
        comboboxProps={"withinPortal": True},
    )
    found = views.found_text(ranked, searched, indicator, lang, ctx.catalog) if searched else ""
    rows, columns = views.ranking_rows(ranked, indicator, lang, ctx.catalog)
    grid = dag.AgGrid(
        id="ranking-grid",
        rowData=rows,
        columnDefs=columns,
        getRowId="params.data.area",
        defaultColDef={"sortable": True, "resizable": True, "filter": False},
        dashGridOptions={
            "animateRows": False,
            "suppressCellFocus": True,
            "rowBuffer": 10,
        },
        className="ag-theme-quartz ranking-grid",
        style={"height": "480px", "width": "100%"},
    )
    beside = [
        html.Div(search, className="controls ranking-search no-print"),
        html.P(found, id="ranking-found", className="ranking-found") if found else None,
        html.P(
            t("ui.rankings.ends", lang, n=len(names), ends=ends),
            id="ranking-ends",
            className="chart-note",
        ),
        html.H2(t("ui.rankings.full", lang), className="section-title"),
        grid,
    ]
    return figure, [b for b in beside if b is not None]


def layout(**kwargs: Any) -> Any:
    ctx = c.page_context(kwargs, default_indicator=DEFAULT_INDICATOR)
    lang = ctx.lang
    if ctx.query.period is None:
        return html.Div([c.heading(ctx, "rankings"), c.no_data(ctx)])
    table = c.table_of(ctx)
    if table.empty:
        return html.Div([c.heading(ctx, "rankings"), c.view_controls(ctx), c.no_data(ctx)])
    keys = views.ranked_indicators(table, ctx.catalog) + [views.COMPOSITE]
    indicator = ctx.query.indicator if ctx.query.indicator in keys else keys[0]
    many = len(views.areas_of(table)) > figures.view_max_areas(ctx.catalog)
    if many:
        wanted = kwargs.get("area") or shell.page_args().get("area")
        figure, beside = long_ranking(ctx, table, indicator, wanted)
    else:
        figure, beside = figures.ranking_bar(table, indicator, lang, catalog=ctx.catalog), []
    head = c.indicator_head(ctx, "rankings", indicator, keys)
    text = figures.ranking_text(figure, table, indicator, lang, catalog=ctx.catalog)
    chart = html.Div(
        [_present.graph(figure, ctx, "ranking-chart", f"ranking-{indicator}", text), *beside],
        className="rank-chart",
    )
    card = html.Div(
        [
            html.H2(t("ui.scorecard.title", lang), className="section-title"),
            scorecard_grid(table, lang, ctx.catalog, ctx.query.present),
        ],
        className="rank-scorecard",
    )
    # on screen side by side; in the presentation view the scorecard is a slide of its own
    parts = (
        [[*head, chart], [*head, card]]
        if ctx.query.present
        else [[*head, html.Div([chart, card], className="rank-layout")]]
    )
    return html.Div(
        [
            *_present.slides(ctx, kwargs, parts),
            definition_panel(indicator, lang, ctx.catalog),
            c.download_links(ctx, chart="ranking", indicator=indicator),
            dcc.Store(id=clicks.RANKINGS_INDICATOR, data=indicator),
        ],
        className="page-rankings",
        **shell.data_attributes(indicator=indicator),
    )
