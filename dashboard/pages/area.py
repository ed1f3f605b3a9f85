"""乡镇 area profile: one area, each indicator over the months with the county and last year, and
the data-quality notes touching the area in the period."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from dashboard import figures, views
from dashboard import layout as shell
from dashboard.pages import _common as c
from dashboard.pages.overview import quality_table
from indicators import engine
from zhibiao.i18n import t

PATH = "/area"

dash.register_page(
    __name__, path=PATH, name="area", title=lambda: shell.page_title(PATH, shell.current_lang())
)


def area_quality(rows: list[dict[str, Any]], lang: str) -> Any:
    """The notes touching the area in the period, above its charts (nothing when none)."""
    if not rows:
        return html.Div(id="area-quality-none")
    return html.Div(
        [
            html.H2(t("ui.quality.title", lang), className="section-title"),
            quality_table(rows, lang, "area-quality"),
        ],
        className="quality-section",
    )


def trend_charts(ctx: c.PageContext, table: Any, area: str | None) -> list[Any]:
    """One chart per indicator of the area over the months (the costly part of the page: every
    period's figures and a figure each). Kept per worker under the store's revision, like the
    indicator table: the next request for the same area, period, basis and language reuses
    them."""
    query = ctx.query
    key = ("area-charts", ctx.store.revision(), area, query.period, query.basis, ctx.lang)
    return ctx.app.tables.get_or_make(key, lambda: make_trend_charts(ctx, table, area))


def make_trend_charts(ctx: c.PageContext, table: Any, area: str | None) -> list[Any]:
    # without an area (a report of the county alone) the lines are the county's
    shown = area or views.county_name(table) or ""
    values = ctx.store.values()
    lang = ctx.lang
    charts = []
    for key in views.indicators_of(table):
        series = engine.series(
            values, key, area, ctx.query.basis, catalog=ctx.catalog, settings=ctx.app.settings
        )
        if series is None or series.empty:
            continue
        figure = figures.trend_figure(series, key, shown, lang, catalog=ctx.catalog)
        text = figures.trend_text(figure, series, key, shown, lang, catalog=ctx.catalog)
        charts.append(
            html.Div(
                c.graph(figure, ctx, f"trend-{key}", f"trend-{area}-{key}", text),
                className="trend-cell",
                **shell.data_attributes(indicator=key),
            )
        )
    return charts


def layout(**kwargs: Any) -> Any:
    ctx = c.page_context(kwargs)
    lang = ctx.lang
    if ctx.query.period is None:
        return html.Div([c.heading(ctx, "area"), c.no_data(ctx)])
    table = c.table_of(ctx)
    if table.empty:
        return html.Div([c.heading(ctx, "area"), c.view_controls(ctx), c.no_data(ctx)])
    areas = views.areas_of(table)
    area = kwargs.get("area") if kwargs.get("area") in areas else (areas[0] if areas else None)
    charts = trend_charts(ctx, table, area)
    return html.Div(
        [
            c.heading(ctx, "area", html.Span(area or "", className="page-indicator")),
            c.view_controls(
                ctx,
                shell.query_select(
                    "area", t("ui.control.area", lang), [(a, a) for a in areas], area
                ),
            ),
            area_quality(views.quality_rows(table, lang, area=area, catalog=ctx.catalog), lang),
            html.Div(charts or [html.P(t("ui.common.no_data", lang))], className="trend-grid"),
            c.download_links(
                ctx, chart="trend", area=area, indicator=views.indicators_of(table)[0]
            ),
        ],
        className="page-area",
    )
