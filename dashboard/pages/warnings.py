"""预警 warnings: every red and amber figure, worst first, with its reason (watch items are a
count, listed when the switch `watch=1` asks); below them the data-quality notes of the same
figures; filters by area and indicator."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
from dash import dcc, html

from dashboard import clicks, views
from dashboard import layout as shell
from dashboard.definitions import definition_text
from dashboard.pages import _common as c
from dashboard.pages import _present
from dashboard.pages.overview import quality_table
from indicators.warnings import (
    LISTED_STATUSES,
    WarningRow,
    chance_of_reds,
    warning_counts,
    warning_rows,
)
from zhibiao.i18n import t
from zhibiao.vocabulary import WARNING_STATUSES

PATH = "/warnings"
#: Warnings on one slide of the presentation view (a reason may take two lines).
PRESENT_ROWS = 8
ALL = shell.ALL_VALUE

dash.register_page(
    __name__, path=PATH, name="warnings", title=lambda: shell.page_title(PATH, shell.current_lang())
)


def area_link(row: WarningRow, search: str) -> Any:
    """A township's name as the link to its page for this warning's indicator (the county's
    stays text: it has no township page)."""
    if row.get("is_total"):
        return row["area"]
    href = clicks.area_href(search, row["area"], row["indicator"])
    return dcc.Link(row["area"], href=href, className="area-link")


def warnings_table(rows: list[WarningRow], lang: str, search: str = "", catalog: Any = None) -> Any:
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
                    html.Td(area_link(r, search)),
                    html.Td(
                        r["indicator_name"],
                        title=definition_text(r["indicator"], lang, catalog) if catalog else None,
                        className="has-definition",
                    ),
                    html.Td(r["value"], className="num"),
                    html.Td(r["reason"]),
                ],
                className=f"row-{r['status']}",
            )
            for r in rows
        ]
    )
    return html.Table([head, body], className="data-table warnings-table", id="warnings-table")


def watch_switch(watch: int, shown: bool, kwargs: dict[str, Any], lang: str) -> Any:
    """The watch items as a count with a link that lists them (or hides them again)."""
    args = {k: v for k, v in kwargs.items() if isinstance(v, str) and k != "watch"}
    search = shell.with_query("?" + urlencode(args), watch=None if shown else "1")
    key = "ui.warnings.watch_hide" if shown else "ui.warnings.watch_show"
    return html.P(
        [
            t("ui.warnings.watch_count", lang, n=watch),
            " ",
            dcc.Link(t(key, lang), href=PATH + search, id="watch-switch") if watch else "",
        ],
        className="muted",
        id="watch-count",
    )


def chance_note(chance: Any, lang: str) -> Any:
    """How many reds chance alone would give, and what the false-discovery control held back."""
    text = t(
        "ui.warnings.chance",
        lang,
        tests=chance.tests,
        expected=f"{chance.expected:.2f}",
        any=f"{chance.any_red * 100:.0f}",
    )
    if chance.fdr:
        text += " " + t("ui.warnings.fdr", lang, q=f"{chance.q:g}", held=chance.held_back)
    return html.P(text, className="muted", id="warnings-chance")


@c.cached_page
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
    show_watch = str(kwargs.get("watch", "")) in ("1", "true", "yes")
    statuses = WARNING_STATUSES if show_watch else LISTED_STATUSES
    rows = warning_rows(
        table, lang, area=area, indicator=indicator, catalog=ctx.catalog, statuses=statuses
    )
    counts = warning_counts(table, area=area, indicator=indicator)
    notes = views.quality_rows(table, lang, area=area, indicator=indicator, catalog=ctx.catalog)
    everything = (ALL, t("ui.common.all", lang))
    area_options = [everything] + [(a, a) for a in ([county] if county else []) + areas]
    indicator_options = [everything] + c.indicator_options(ctx, keys)
    search = c.view_search(ctx)
    if ctx.query.present:  # slides of PRESENT_ROWS warnings, worst first
        parts = [
            [c.heading(ctx, "warnings"), warnings_table(rows[i : i + PRESENT_ROWS], lang, search)]
            for i in range(0, max(len(rows), 1), PRESENT_ROWS)
        ]
        return html.Div(_present.slides(ctx, kwargs, parts), className="page-warnings")
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
            watch_switch(counts["watch"], show_watch, kwargs, lang),
            chance_note(chance_of_reds(table, ctx.catalog), lang),
            warnings_table(rows, lang, search, ctx.catalog),
            html.H2(t("ui.quality.title", lang), className="section-title"),
            html.P(
                t("ui.quality.count", lang, n=len(notes)), className="muted", id="quality-count"
            ),
            quality_table(notes, lang, "warnings-quality"),
            c.download_links(ctx),
        ],
        className="page-warnings",
    )
