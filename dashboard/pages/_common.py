"""What every page needs: the request's store, language, view query and indicator table.

Page modules stay thin: they call `page_context(kwargs)` in their layout and build components.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import dash_mantine_components as dmc
import orjson
import pandas as pd
from dash import dcc, html
from plotly.io.json import to_json_plotly

from dashboard import auth, figures, layout, views
from dashboard.state import (
    AppState,
    cached_parents,
    cached_periods,
    cached_table,
    per_revision,
    state,
)
from indicators.catalog import Catalog
from store import Store
from zhibiao.i18n import t

#: Height of a chart whose figure does not say (pixels).
DEFAULT_CHART_HEIGHT = 480


#: While `cached_page` draws a page: a list that gets True when the page reads the user.
_USER_READ: ContextVar[list[bool] | None] = ContextVar("user_read", default=None)


@dataclass
class PageContext:
    app: AppState
    query: views.ViewQuery
    periods: list[str]
    catalog: Catalog
    signed_in: dict[str, str] | None
    #: area → parent of the view's period (`Store.area_parents`): the scopes it offers.
    parents: dict[str, str | None]

    @property
    def user(self) -> dict[str, str] | None:
        """The signed-in user ({name, role}); a page drawn for it is kept for its role only."""
        read = _USER_READ.get()
        if read is not None:
            read.append(True)
        return self.signed_in

    @property
    def lang(self) -> str:
        return self.query.lang

    @property
    def store(self) -> Store:
        return self.app.store


def page_context(
    kwargs: dict[str, Any], *, default_indicator: str | None = None, areas: list[str] | None = None
) -> PageContext:
    """Read the URL's query against the store and the catalog."""
    app = state()
    args = {**layout.page_args(), **{k: v for k, v in kwargs.items() if isinstance(v, str)}}
    if "lang" not in args:
        args["lang"] = auth.request_lang()
    periods = cached_periods(app)
    catalog = app.catalog
    query = views.resolve_query(
        args,
        periods,
        views.catalog_keys(catalog),
        areas or [],
        default_indicator=default_indicator,
        default_lang=app.default_lang,
    )
    parents = cached_parents(app, query.period)
    return PageContext(
        app=app,
        query=views.with_scope(query, args.get("scope"), parents),
        periods=periods,
        catalog=catalog,
        signed_in=auth.session_user(),
        parents=parents,
    )


def cached_page(make: Callable[..., Any]) -> Callable[..., Any]:
    """A page's layout function whose result is kept per worker as the JSON the browser gets
    (bytes: a province's overview is 3.5 MB of it, many times that as Python objects; each
    request decodes its own copy, so no two threads share one), under everything the page reads from the request: the page, its URL's query (the router's
    arguments and, as `page_context` reads it, the query of the page that asked), the language
    and the store's revision, read on every call (an upload stored through any process or host
    is seen at once); and the user's role when the page read the user (`PageContext.user`: the
    empty page offers analysts the upload page), else one page serves every role. Nothing of
    the user but the role is on a page (their name and CSRF token are in the shell, never
    kept). Only for pages that change with nothing else; the upload and accounts pages are not."""

    @functools.wraps(make)
    def cached(**kwargs: Any) -> Any:
        app = state()
        query = {**layout.page_args(), **{k: str(v) for k, v in kwargs.items()}}
        key = (
            "page",
            make.__module__,
            tuple(sorted(query.items())),
            auth.request_lang(),
            app.store.revision(),
        )
        role = (auth.session_user() or {}).get("role")
        page = app.pages.get(key)
        if page is None:

            def draw() -> bytes:
                read: list[bool] = []
                token = _USER_READ.set(read)
                try:
                    # the json engine: plotly's orjson path first walks every value in
                    # Python; this one was 1.3–2× faster on pages from 0.1 to 3.4 MB
                    drawn = to_json_plotly(make(**kwargs), engine="json").encode()
                finally:
                    _USER_READ.reset(token)
                if not read:
                    app.pages.put(key, drawn)
                return drawn

            page = app.pages.get_or_make((*key, role), draw)
        return orjson.loads(page)

    return cached


def table_of(ctx: PageContext, period: str | None = None, basis: str | None = None) -> pd.DataFrame:
    """The indicator table of the view's period, basis and scope, kept per worker under the
    store's revision read on every call (`dashboard.state.cached_table`); empty when there is
    no period, that is no data at all."""
    return cached_table(
        ctx.app, period or ctx.query.period, basis or ctx.query.basis, ctx.query.scope
    )


def kept_for_view(ctx: PageContext, kind: str, *more: Any, make: Callable[[], Any]) -> Any:
    """make(): what a page makes from the view's table (its `kind`, and `more` of what it
    depends on), kept per worker like the table (`state.per_revision`) under the view's
    period, basis and scope."""
    view = (ctx.query.period, ctx.query.basis, ctx.query.scope)
    return per_revision(ctx.app, (kind, *view, *more), make)


def view_search(ctx: PageContext) -> str:
    """The query of the view (period, basis, scope, language) as '?…', for links to other
    pages."""
    return layout.with_query(
        "",
        period=ctx.query.period,
        basis=ctx.query.basis,
        scope=scope_arg(ctx),
        lang=ctx.lang,
    )


def scope_arg(ctx: PageContext) -> str | None:
    """The scope as a URL carries it: nothing for every area (the default)."""
    return None if ctx.query.scope == views.ALL_SCOPE else ctx.query.scope


def period_options(ctx: PageContext) -> list[tuple[str, str]]:
    return [(p, figures.period_label(p, ctx.lang)) for p in reversed(ctx.periods)]


def indicator_options(ctx: PageContext, keys: list[str]) -> list[tuple[str, str]]:
    return [(k, figures.indicator_info(k, ctx.lang, ctx.catalog).name) for k in keys]


def view_controls(ctx: PageContext, *extra: Any) -> Any:
    """Period and basis, the scope when the period's table has two levels, and any extra
    controls — none in the presentation view."""
    if ctx.query.present:
        return html.Div()
    scopes = views.scope_options(ctx.parents, ctx.lang)
    scope = (
        [layout.query_select("scope", t("ui.control.scope", ctx.lang), scopes, ctx.query.scope)]
        if scopes
        else []
    )
    return layout.controls_bar(
        layout.query_select(
            "period", t("ui.control.period", ctx.lang), period_options(ctx), ctx.query.period
        ),
        layout.basis_control(ctx.lang, ctx.query.basis),
        *scope,
        *extra,
    )


def heading(ctx: PageContext, key: str, *extra: Any, with_period: bool = True) -> Any:
    """The page title with the period and basis it shows."""
    sub = ""
    if ctx.query.period and with_period:
        sub = t(
            "ui.common.period_basis",
            ctx.lang,
            period=figures.period_label(ctx.query.period, ctx.lang),
            basis=t(f"ui.basis.{ctx.query.basis}", ctx.lang),
        )
    return html.Div(
        [
            html.H1(t(f"ui.nav.{key}", ctx.lang), className="page-title"),
            html.Span(sub, className="page-sub"),
            *extra,
        ],
        className="page-head",
    )


def indicator_head(ctx: PageContext, key: str, indicator: str, keys: list[str]) -> list[Any]:
    """The page title naming one indicator, then the view controls with its indicator select."""
    info = figures.indicator_info(indicator, ctx.lang, ctx.catalog)
    return [
        heading(ctx, key, html.Span(info.name, className="page-indicator")),
        view_controls(
            ctx,
            layout.query_select(
                "indicator",
                t("ui.control.indicator", ctx.lang),
                indicator_options(ctx, keys),
                indicator,
            ),
        ),
    ]


def no_data(ctx: PageContext) -> Any:
    """A friendly empty state: no data yet; analysts get a link to the upload page."""
    if auth.role_allows((ctx.user or {}).get("role"), "analyst"):
        hint: list[Any] = [
            html.P(t("ui.common.no_data_hint", ctx.lang)),
            dcc.Link(
                t("ui.common.go_upload", ctx.lang),
                href="/upload" + layout.with_query("", lang=ctx.lang),
                className="download no-data-link",
                id="no-data-upload",
            ),
        ]
    else:
        hint = [html.P(t("ui.common.no_data_viewer", ctx.lang))]
    return dmc.Alert(
        [html.P(t("ui.common.no_data", ctx.lang)), *hint],
        color="gray",
        className="no-data",
        id="no-data",
    )


def graph(
    figure: Any, ctx: PageContext, graph_id: str, filename: str, text: figures.ChartText
) -> Any:
    """The chart as a figure named by its title and described by its summary in words, with a
    table of the same figures under it that opens from the keyboard (WCAG 1.1.1)."""
    shape = figure.get("layout", {}) if isinstance(figure, dict) else figure.layout
    height = (shape.get("height") if isinstance(shape, dict) else shape.height) or (
        DEFAULT_CHART_HEIGHT
    )
    summary_id = f"{graph_id}-summary"
    return html.Figure(
        [
            dcc.Graph(
                id=graph_id,
                figure=figure,
                config=figures.graph_config(ctx.lang, filename),
                className="chart",
                responsive=True,
                style={"height": f"{height}px"},
            ),
            html.Figcaption(text.summary, id=summary_id, className="chart-summary"),
            chart_table(text, ctx.lang, f"{graph_id}-data"),
        ],
        id=f"{graph_id}-figure",
        className="chart-figure",
        **layout.aria_attributes(label=text.name, described_by=summary_id),
    )


def chart_table(text: figures.ChartText, lang: str, table_id: str) -> Any:
    """The chart's figures as a table, behind a toggle (closed: the chart says it first)."""
    return html.Details(
        [
            html.Summary(t("ui.chart.table", lang)),
            html.Table(
                [
                    html.Caption(text.name),
                    html.Thead(html.Tr([html.Th(c, scope="col") for c in text.columns])),
                    html.Tbody(
                        [
                            html.Tr(
                                [
                                    html.Th(v, scope="row") if i == text.row_header else html.Td(v)
                                    for i, v in enumerate(row)
                                ]
                            )
                            for row in text.rows
                        ]
                    ),
                ],
                className="data-table chart-table",
            ),
        ],
        id=table_id,
        className="chart-data",
    )


def download_links(
    ctx: PageContext,
    *,
    chart: str | None = None,
    indicator: str | None = None,
    area: str | None = None,
) -> Any:
    """Links to the server's downloads of this view (chart PNG, meeting pack, scorecard)."""
    if ctx.query.present:
        return html.Div()
    base = {
        "period": ctx.query.period,
        "basis": ctx.query.basis,
        "scope": scope_arg(ctx),
        "lang": ctx.lang,
    }
    links = []
    if chart:
        links.append(
            (
                "png",
                layout.with_query("", **base, chart=chart, indicator=indicator, area=area),
            )
        )
    for kind in ("pptx", "pdf", "xlsx"):
        links.append((kind, layout.with_query("", **base)))
    return html.Div(
        [html.Span(t("ui.download.title", ctx.lang), className="downloads-label")]
        + [
            html.A(
                t(f"ui.download.{kind}", ctx.lang),
                href=f"/download/{kind}{query}",
                className=f"download download-{kind}",
                id=f"download-{kind}",
            )
            for kind, query in links
        ]
        + [
            html.A(
                t("ui.download.present", ctx.lang),
                href=layout.with_query("", **base, indicator=indicator, area=area, present=1),
                className="download present-link",
                target="_blank",
            )
        ],
        className="downloads no-print",
    )
