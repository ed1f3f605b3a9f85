"""The reporting status as a page section (the upload page shows it open, the overview folded
under its summary line): a row per township, a column per month of the statistical year."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import html

from dashboard import figures, reporting
from dashboard.pages._common import PageContext
from dashboard.state import cached_reports
from indicators import levels
from zhibiao.i18n import t


def reporting_table(
    status: dict[str, Any], lang: str, table_id: str, limit: int | None = None
) -> Any:
    """The grid of `status`: every township, or beyond `limit` those worth listing
    (`reporting.rows_worth_listing`) and a line for the others."""
    listed, left_out = reporting.rows_worth_listing(status["rows"], limit)
    head = html.Thead(
        html.Tr(
            [html.Th(t("reporting.area", lang), scope="col")]
            + [html.Th(t("reporting.state", lang), scope="col")]
            + [html.Th(t("reporting.when", lang), scope="col")]
            + [html.Th(label, scope="col") for label in status["labels"]]
        )
    )
    body = []
    for row in listed:
        state = row["state"]
        cells = [
            html.Th(row["area"], scope="row"),
            html.Td(
                f"{reporting.MARKS[state]} {t('reporting.' + state, lang)}",
                className=f"report-{state}",
            ),
            html.Td(row["when"]),
        ]
        cells += [
            html.Td(
                c["text"], title=c["title"] or None, className=f"report-cell report-{c['state']}"
            )
            for c in row["cells"]
        ]
        body.append(html.Tr(cells, className=f"report-row report-row-{row['state']}"))
    table = html.Table(
        [head, html.Tbody(body)], className="data-table reporting-table", id=table_id
    )
    if not left_out:
        return table
    note = t("reporting.left_out", lang, n=left_out)
    return html.Div([html.P(note, className="muted reporting-left-out"), table])


def reporting_section(ctx: PageContext, *, folded: bool) -> Any:
    """上报情况 of the view's period: the summary line, then the grid (folded under it when
    `folded`); nothing without a period. Reports are sent by townships: the grid lists them in
    every scope, those of the one parent only in `in:<parent>`."""
    if ctx.query.period is None:
        return None
    lang = ctx.lang
    settings = ctx.app.settings
    reports = cached_reports(ctx.app)
    parent = levels.scope_parent(ctx.query.scope)
    if parent is not None:  # one parent's townships: theirs only, as its indicator table
        names = pd.unique(reports["area"].astype(str))
        inside = levels.areas_of_parent(names, ctx.catalog, ctx.parents, parent)
        reports = reports[reports["area"].isin(inside)]
    status = reporting.status_of_period(
        reports,
        ctx.query.period,
        lang,
        year_start_month=settings.year_start_month,
        zone=settings.zone,
    )
    grid = [
        html.P(t("reporting.explain", lang), className="muted reporting-explain"),
        html.Div(
            reporting_table(status, lang, "reporting-table", figures.view_max_areas(ctx.catalog)),
            className="reporting-scroll",
        ),
    ]
    summary = html.P(status["summary"], className="reporting-summary", id="reporting-summary")
    if folded:
        body: list[Any] = [
            summary,
            html.Details([html.Summary(t("reporting.show", lang)), *grid], className="no-print"),
        ]
    else:
        body = [summary, *grid]
    return html.Section(
        [html.H2(t("reporting.title", lang), className="section-title"), *body],
        className="reporting-section",
        id="reporting-section",
    )
