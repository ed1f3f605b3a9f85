"""漏斗图 funnel: a count-based indicator against its denominator with the 95% and 99.8% limits."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from dashboard import clicks, figures, views
from dashboard import layout as shell
from dashboard.pages import _common as c
from dashboard.pages import _present
from dashboard.pages._definitions import definition_panel
from indicators.funnel import funnel
from zhibiao.i18n import t

PATH = "/funnel"
DEFAULT_INDICATOR = "srb"

dash.register_page(
    __name__, path=PATH, name="funnel", title=lambda: shell.page_title(PATH, shell.current_lang())
)


@c.cached_page
def layout(**kwargs: Any) -> Any:
    ctx = c.page_context(kwargs, default_indicator=DEFAULT_INDICATOR)
    lang = ctx.lang
    if ctx.query.period is None:
        return html.Div([c.heading(ctx, "funnel"), c.no_data(ctx)])

    table = c.table_of(ctx)
    if table.empty:
        return html.Div([c.heading(ctx, "funnel"), c.view_controls(ctx), c.no_data(ctx)])
    present = set(views.indicators_of(table))
    keys = [k for k in views.funnel_indicators(ctx.catalog) if k in present]
    if not keys:
        return html.Div([c.heading(ctx, "funnel"), c.no_data(ctx)])
    indicator = ctx.query.indicator if ctx.query.indicator in keys else keys[0]
    drawn = funnel(table, indicator)
    figure = figures.funnel_figure(drawn, indicator, lang, catalog=ctx.catalog)
    text = figures.funnel_text(figure, drawn, indicator, lang, catalog=ctx.catalog)
    return html.Div(
        [
            *c.indicator_head(ctx, "funnel", indicator, keys),
            _present.graph(figure, ctx, "funnel-chart", f"funnel-{indicator}", text),
            html.P(t("ui.funnel.explain", lang), className="muted"),
            definition_panel(indicator, lang, ctx.catalog),
            c.download_links(ctx, chart="funnel", indicator=indicator),
            dcc.Store(id=clicks.FUNNEL_INDICATOR, data=indicator),
        ],
        className="page-funnel",
        **shell.data_attributes(indicator=indicator),
    )
