"""排名 rankings: one indicator's bar chart, best to worst, beside the scorecard (areas × indicators)."""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import pandas as pd
from dash import html

from dashboard import figures, views
from dashboard import layout as shell
from dashboard.pages import _common as c
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
    return dag.AgGrid(
        id="scorecard",
        rowData=rows,
        columnDefs=columns,
        defaultColDef={"sortable": True, "resizable": True, "filter": False},
        dashGridOptions={
            "tooltipShowDelay": 200,
            "domLayout": "autoHeight" if present else "normal",
            "animateRows": False,
            "suppressCellFocus": True,
            "suppressColumnVirtualisation": True,
        },
        className="ag-theme-quartz scorecard",
        style={"height": None if present else "560px", "width": "100%"},
    )


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
    figure = figures.ranking_bar(table, indicator, lang, catalog=ctx.catalog)
    return html.Div(
        [
            *c.indicator_head(ctx, "rankings", indicator, keys),
            html.Div(
                [
                    html.Div(
                        c.graph(
                            figure,
                            ctx,
                            "ranking-chart",
                            f"ranking-{indicator}",
                            figures.ranking_text(
                                figure, table, indicator, lang, catalog=ctx.catalog
                            ),
                        ),
                        className="rank-chart",
                    ),
                    html.Div(
                        [
                            html.H2(t("ui.scorecard.title", lang), className="section-title"),
                            scorecard_grid(table, lang, ctx.catalog, ctx.query.present),
                        ],
                        className="rank-scorecard",
                    ),
                ],
                className="rank-layout",
            ),
            c.download_links(ctx, chart="ranking", indicator=indicator),
        ],
        className="page-rankings",
        **shell.data_attributes(indicator=indicator),
    )
