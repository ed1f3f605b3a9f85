"""预警 warnings: every red, amber and watch figure, worst first, with its reason; below them the
data-quality notes of the same figures; filters by area and indicator."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from dashboard import layout as shell
from dashboard import views
from dashboard.pages import _common as c
from dashboard.pages.overview import quality_table
from indicators.warnings import warning_rows
from zhibiao.i18n import t

PATH = "/warnings"
ALL = shell.ALL_VALUE

dash.register_page(
    __name__, path=PATH, name="warnings", title=lambda: shell.page_title(PATH, shell.current_lang())
)


def warnings_table(rows: list[dict[str, Any]], lang: str) -> Any:
    if not rows:
        return html.P(t("ui.warnings.none", lang), className="muted", id="warnings-empty")
    head = html.Thead(
        html.Tr(
            [
                html.Th(t(f"ui.warnings.{k}", lang))
                for k in ("status", "area", "indicator", "value", "reason")
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(
                        html.Span(r["status_text"], className=f"status-badge status-{r['status']}")
                    ),
                    html.Td(r["area"]),
                    html.Td(r["indicator_name"]),
                    html.Td(r["value"], className="num"),
                    html.Td(r["reason"]),
                ],
                className=f"row-{r['status']}",
            )
            for r in rows
        ]
    )
    return html.Table([head, body], className="data-table warnings-table", id="warnings-table")


def layout(**kwargs: Any) -> Any:
    ctx = c.page_context(kwargs)
    lang = ctx.lang
    if ctx.query.period is None:
        return html.Div([c.heading(ctx, "warnings"), c.no_data(ctx)])
    table = c.table_of(ctx)
    if table.empty:
        return html.Div([c.heading(ctx, "warnings"), c.view_controls(ctx), c.no_data(ctx)])
    areas = views.areas_of(table)
    county = views.county_name(table)
    area = kwargs.get("area") if kwargs.get("area") in ([county] + areas) else None
    keys = views.indicators_of(table, with_composite=True)
    indicator = kwargs.get("indicator") if kwargs.get("indicator") in keys else None
    rows = warning_rows(table, lang, area=area, indicator=indicator, catalog=ctx.catalog)
    notes = views.quality_rows(table, lang, area=area, indicator=indicator, catalog=ctx.catalog)
    everything = (ALL, t("ui.common.all", lang))
    area_options = [everything] + [(a, a) for a in ([county] if county else []) + areas]
    indicator_options = [everything] + c.indicator_options(ctx, keys)
    return html.Div(
        [
            c.heading(ctx, "warnings"),
            c.view_controls(
                ctx,
                shell.query_select("area", t("ui.control.area", lang), area_options, area or ALL),
                shell.query_select(
                    "indicator",
                    t("ui.control.indicator", lang),
                    indicator_options,
                    indicator or ALL,
                ),
            ),
            html.P(
                t("ui.warnings.count", lang, n=len(rows)), className="muted", id="warnings-count"
            ),
            warnings_table(rows, lang),
            html.H2(t("ui.quality.title", lang), className="section-title"),
            html.P(
                t("ui.quality.count", lang, n=len(notes)), className="muted", id="quality-count"
            ),
            quality_table(notes, lang, "warnings-quality"),
            c.download_links(ctx),
        ],
        className="page-warnings",
    )
