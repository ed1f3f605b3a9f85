"""通报 briefing: the written briefing of the period, in the style of a county notice, to copy."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from dashboard import layout as shell
from dashboard.pages import _common as c
from indicators.brief import briefing
from zhibiao.i18n import t

PATH = "/brief"

dash.register_page(
    __name__, path=PATH, name="brief", title=lambda: shell.page_title(PATH, shell.current_lang())
)


@c.cached_page
def layout(**kwargs: Any) -> Any:
    ctx = c.page_context(kwargs)
    lang = ctx.lang
    if ctx.query.period is None:
        return html.Div([c.heading(ctx, "brief"), c.no_data(ctx)])

    table = c.table_of(ctx)
    if table.empty:
        return html.Div([c.heading(ctx, "brief"), c.view_controls(ctx), c.no_data(ctx)])
    text = briefing(table, lang)
    copy = (
        html.Div(
            [
                dcc.Clipboard(
                    target_id="brief-text", className="copy-button", title=t("ui.brief.copy", lang)
                ),
                html.Span(t("ui.brief.copy", lang)),
            ],
            className="copy-row no-print",
        )
        if not ctx.query.present
        else html.Div()
    )
    return html.Div(
        [
            c.heading(ctx, "brief"),
            c.view_controls(ctx),
            copy,
            html.Pre(text, id="brief-text", className="brief-text"),
            c.download_links(ctx),
        ],
        className="page-brief",
    )
