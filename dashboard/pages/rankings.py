"""排名 rankings: one indicator's bar chart, best to worst, beside the scorecard (areas × indicators)."""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_mantine_components as dmc
import pandas as pd
from dash import Input, Output, dcc, html

from dashboard import clicks, figures, views
from dashboard import layout as shell
from dashboard.pages import _common as c
from dashboard.pages import _present
from dashboard.pages._definitions import definition_panel
from zhibiao.i18n import t

PATH = "/rankings"
DEFAULT_INDICATOR = "srb"

dash.register_page(
    __name__, path=PATH, name="rankings", title=lambda: shell.page_title(PATH, shell.current_lang())
)


#: Rows an infinite grid asks the server for at a time.
BLOCK_ROWS = 100


def scorecard_rows(ctx: c.PageContext, table: pd.DataFrame) -> list[dict[str, Any]]:
    """The scorecard's rows with their quality marks, made once per table and language."""

    def make() -> list[dict[str, Any]]:
        rows, _ = views.scorecard(table, ctx.lang, catalog=ctx.catalog)
        rows = views.mark_scorecard_quality(rows, table, ctx.lang)
        for row in rows:  # a click on a township's row opens its page (dashboard/clicks.py)
            row["row_id"] = (clicks.COUNTY_ROW if row["is_total"] else "") + row["area"]
        return rows

    found: list[dict[str, Any]] = c.kept_for_view(ctx, "scorecard", ctx.lang, make=make)
    return found


def grid(
    grid_id: str,
    columns: list[dict],
    rows: list[dict] | None,
    *,
    height: str | None,
    row_id: str,
    **options: Any,
) -> Any:
    """An AG Grid with the rows in the page, or (rows None) one that asks the server for the
    rows in view, BLOCK_ROWS at a time (the infinite row model): for many areas."""
    props: dict[str, Any] = {"rowData": rows} if rows is not None else {"rowModelType": "infinite"}
    if rows is None:
        options |= {"cacheBlockSize": BLOCK_ROWS, "infiniteInitialRowCount": BLOCK_ROWS}
    return dag.AgGrid(
        id=grid_id,
        columnDefs=columns,
        getRowId=f"params.data.{row_id}",
        defaultColDef={"sortable": True, "resizable": True, "filter": False},
        dashGridOptions={"animateRows": False, "suppressCellFocus": True, **options},
        className=f"ag-theme-quartz {grid_id}",
        style={"height": height, "width": "100%"},
        **props,
    )


def scorecard_grid(ctx: c.PageContext, table: pd.DataFrame, *, many: bool = False) -> Any:
    """The scorecard (areas × indicators); for many areas its rows come from the server as they
    scroll into view. A fixed height: the slide's room in the presentation view, where rows
    beyond it scroll inside."""
    columns = views.scorecard_columns(
        views.indicators_of(table), ctx.lang, ctx.catalog, ctx.query.scope
    )
    present = ctx.query.present
    return grid(
        "scorecard",
        columns,
        None if many else scorecard_rows(ctx, table),
        height=_present.CHART_ROOM if present else "560px",
        row_id="row_id",
        tooltipShowDelay=200,
        domLayout="normal",
        rowHeight=34 if present else 42,
        suppressColumnVirtualisation=True,
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
        openOnFocus=False,  # as layout.query_select: the focus comes back after each search
        clearable=True,
        limit=50,
        className="control control-area",
        comboboxProps={"withinPortal": True},
    )
    found = views.found_text(ranked, searched, indicator, lang, ctx.catalog) if searched else ""
    _, columns = views.ranking_rows(ranked.iloc[:0], indicator, lang, ctx.catalog)
    full = grid("ranking-grid", columns, None, height="480px", row_id="area")
    beside = [
        html.Div(search, className="controls ranking-search no-print"),
        html.P(found, id="ranking-found", className="ranking-found") if found else None,
        html.P(
            t("ui.rankings.ends", lang, n=len(names), ends=ends),
            id="ranking-ends",
            className="chart-note",
        ),
        html.H2(t("ui.rankings.full", lang), className="section-title"),
        full,
    ]
    return figure, [b for b in beside if b is not None]


@c.cached_page
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
    text = figures.ranking_text(
        figure, drawn(table, figure) if many else table, indicator, lang, catalog=ctx.catalog
    )
    chart = html.Div(
        [_present.graph(figure, ctx, "ranking-chart", f"ranking-{indicator}", text), *beside],
        className="rank-chart",
    )
    card = html.Div(
        [
            html.H2(t("ui.scorecard.title", lang), className="section-title"),
            scorecard_grid(ctx, table, many=many),
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


def drawn(table: pd.DataFrame, figure: Any) -> pd.DataFrame:
    """The rows of the table a long ranking's chart draws (the county and the areas with a
    bar): what its table in words lists."""
    bars = set(figure.data[0].y or ())
    return table[table["is_total"].astype(bool) | table["area"].isin(bars)]


def ranking_rows(ctx: c.PageContext, table: pd.DataFrame, indicator: str) -> list[dict]:
    """The full ranking's grid rows of one indicator, made once per table and language."""

    def make() -> list[dict[str, Any]]:
        ranked = views.ranked_areas(table, indicator, ctx.catalog)
        return views.ranking_rows(ranked, indicator, ctx.lang, ctx.catalog)[0]

    found: list[dict] = c.kept_for_view(ctx, "ranking", ctx.lang, indicator, make=make)
    return found


def register_callbacks(app: dash.Dash) -> dict[str, str]:
    """The rows of the scorecard and of the full ranking, a block at a time, as they scroll into
    view (the page's view is the referring page's query)."""

    @app.callback(
        Output("scorecard", "getRowsResponse"),
        Input("scorecard", "getRowsRequest"),
        prevent_initial_call=True,
    )
    def scorecard_block(request: dict | None) -> dict:
        ctx = c.page_context({}, default_indicator=DEFAULT_INDICATOR)
        table = c.table_of(ctx)
        rows = scorecard_rows(ctx, table) if not table.empty else []
        return views.rows_block(rows, request)

    @app.callback(
        Output("ranking-grid", "getRowsResponse"),
        Input("ranking-grid", "getRowsRequest"),
        prevent_initial_call=True,
    )
    def ranking_block(request: dict | None) -> dict:
        ctx = c.page_context({}, default_indicator=DEFAULT_INDICATOR)
        table = c.table_of(ctx)
        if table.empty:
            return views.rows_block([], request)
        keys = views.ranked_indicators(table, ctx.catalog)
        indicator = ctx.query.indicator if ctx.query.indicator in keys else keys[0]
        return views.rows_block(ranking_rows(ctx, table, indicator), request)

    return {}
