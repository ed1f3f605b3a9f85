"""总览 overview: the county's key figures, the most serious warnings, the data-quality notes,
the date and source."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from dashboard import clicks, figures, views
from dashboard import layout as shell
from dashboard.definitions import definition_text
from dashboard.pages import _common as c
from dashboard.pages import _present
from dashboard.pages._reporting import reporting_section
from indicators.warnings import WarningRow, warning_counts, warning_rows
from zhibiao.i18n import t

dash.register_page(
    __name__, path="/", name="overview", title=lambda: shell.page_title("/", shell.current_lang())
)


def _card_notes(card: dict[str, Any], notes: dict[str, Any] | None) -> Any:
    """The card's data-quality mark; the notes on hover and in a small list that opens."""
    if not notes:
        return None
    return html.Details(
        [
            html.Summary(notes["mark"], className="quality-mark"),
            html.Ul([html.Li(line) for line in notes["notes"]], className="quality-card-list"),
        ],
        className="card-quality",
        title="\n".join(notes["notes"]),
        id=f"card-quality-{card['indicator']}",
    )


def _card(
    card: dict[str, Any], notes: dict[str, Any] | None = None, definition: str | None = None
) -> Any:
    status = card["status"]
    # a card without a status has no badge (an empty one is an unnamed box to a screen reader)
    badge = (
        html.Span(
            f"{card['mark']} {card['status_label']}", className=f"status-badge status-{status}"
        )
        if status
        else None
    )
    return html.Div(
        [
            html.Div(card["label"], className="card-label has-definition", title=definition),
            html.Div(
                [
                    html.Span(card["value"], className="card-value"),
                    html.Span(card["unit"], className="card-unit"),
                ],
                className="card-figure",
                id=f"card-{card['indicator']}",
            ),
            html.Div(card["change"], className="card-change", title=card["change_interval"]),
            badge,
            _card_notes(card, notes),
        ],
        className=f"key-card status-edge-{status or 'none'}",
        **shell.data_attributes(indicator=card["indicator"]),
    )


def warning_list(rows: list[WarningRow], lang: str, search: str = "") -> Any:
    """The most serious warnings; each township's links to its page for that indicator."""
    if not rows:
        return html.P(t("ui.warnings.none", lang), className="muted")
    items = []
    for r in rows:
        reason: Any = html.Span(r["reason"], className="warning-reason")
        if not r.get("is_total"):
            href = clicks.area_href(search, r["area"], r["indicator"])
            reason = dcc.Link(r["reason"], href=href, className="warning-reason area-link")
        items.append(
            html.Li(
                [
                    html.Span(r["status_text"], className=f"status-badge status-{r['status']}"),
                    reason,
                ],
                className="warning-item",
            )
        )
    return html.Ul(items, className="warning-list")


def quality_section(rows: list[dict[str, Any]], lang: str) -> Any:
    """数据质量提示: every note of the period (area, indicators it touches, the finding)."""
    return html.Div(
        [
            html.H2(t("ui.quality.title", lang), className="section-title"),
            quality_table(rows, lang, "overview-quality"),
        ],
        # an empty section says so on screen but takes no room in the presentation view
        className="quality-section" if rows else "quality-section no-print",
        id="overview-quality-section",
    )


def quality_table(rows: list[dict[str, Any]], lang: str, table_id: str) -> Any:
    """The notes as a table, each row led by the mark (never told by colour alone)."""
    if not rows:
        return html.P(t("ui.quality.none", lang), className="muted", id=f"{table_id}-empty")
    head = html.Thead(
        html.Tr([html.Th(t(f"ui.quality.{k}", lang)) for k in ("area", "indicators", "note")])
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(
                        [
                            html.Span(t("ui.quality.symbol", lang), className="quality-symbol"),
                            " ",
                            r["area"],
                        ]
                    ),
                    html.Td(r["indicator_labels"]),
                    html.Td(r["text"], className="quality-text"),
                ],
                className="quality-row",
            )
            for r in rows
        ]
    )
    return html.Div(
        [
            html.P(t("ui.quality.explain", lang), className="muted quality-explain"),
            html.Table([head, body], className="data-table quality-table", id=table_id),
        ]
    )


@c.cached_page
def layout(**kwargs: Any) -> Any:
    ctx = c.page_context(kwargs)
    lang = ctx.lang
    if ctx.query.period is None:
        return html.Div([c.heading(ctx, "overview"), c.no_data(ctx)])
    table = c.table_of(ctx)
    if table.empty:
        return html.Div([c.heading(ctx, "overview"), c.view_controls(ctx), c.no_data(ctx)])
    cards = figures.overview_cards(table, lang, catalog=ctx.catalog)
    card_notes = views.card_quality(table, lang)
    notes = views.quality_rows(table, lang, catalog=ctx.catalog)
    warnings = warning_rows(table, lang, catalog=ctx.catalog)
    counts = warning_counts(table)
    source = views.data_source(ctx.store.uploads(), ctx.query.period)
    source_line = (
        t(
            "ui.overview.source",
            lang,
            file=source["file"],
            user=source["user"],
            when=views.when_text(source["uploaded_at"], ctx.app.settings.zone),
        )
        if source
        else ""
    )
    county = views.county_name(table) or ""
    head = c.heading(ctx, "overview", html.Span(county, className="page-county"))
    key_figures = [
        html.Div(
            [
                _card(
                    card,
                    card_notes.get(card["indicator"]),
                    definition_text(card["indicator"], lang, ctx.catalog),
                )
                for card in cards
            ],
            className="key-cards",
            id="key-cards",
        ),
        html.H2(t("ui.overview.warnings", lang, **counts), className="section-title"),
        warning_list(warnings[: views.OVERVIEW_WARNINGS], lang, c.view_search(ctx)),
    ]
    more = [
        reporting_section(ctx, folded=True),
        quality_section(notes, lang),
        html.P(source_line, className="data-source", id="data-source"),
    ]
    # in the presentation view: the key figures and warnings, then the reports and notes
    parts = [[head, *key_figures], [head, *more]]
    return html.Div(
        [
            *(_present.slides(ctx, kwargs, parts) if ctx.query.present else [head]),
            *(
                []
                if ctx.query.present
                else [c.view_controls(ctx), *key_figures, *more, c.download_links(ctx)]
            ),
        ],
        className="page-overview",
    )
