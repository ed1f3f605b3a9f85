"""乡镇 township page: how one township is doing. First the table of its current figures (value,
status, rank and interval, change on last year with its interval on hover, the trend over the
last periods, what it is compared with), then its months
against last year and the county as small charts, and the data-quality notes touching it.

Without a township in the URL it opens on the one that needs attention most. The logic is in
`dashboard.township` (plain functions); the months come from `indicators.trends`, computed once
per period for every township and kept per worker.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from dashboard import figures, township, views
from dashboard import layout as shell
from dashboard.definitions import definition_text
from dashboard.pages import _common as c
from dashboard.pages import _present
from dashboard.pages._definitions import definition_panel
from dashboard.pages.overview import quality_table
from zhibiao.i18n import t

PATH = "/area"
#: Small charts on one slide of the presentation view (three across, two down).
PRESENT_CHARTS = 6

dash.register_page(
    __name__, path=PATH, name="area", title=lambda: shell.page_title(PATH, shell.current_lang())
)


def area_quality(rows: list[dict[str, Any]], lang: str) -> Any:
    """The notes touching the area in the period, below its table (nothing when none)."""
    if not rows:
        return html.Div(id="area-quality-none")
    return html.Div(
        [
            html.H2(t("ui.quality.title", lang), className="section-title"),
            quality_table(rows, lang, "area-quality"),
        ],
        className="quality-section",
    )


def area_table(
    rows: list[dict[str, Any]], lang: str, chosen: str | None, catalog: Any = None
) -> Any:
    """The township's figures, one row per indicator; the status never by colour alone; each
    indicator's definition on hover over its name."""
    head = html.Thead(html.Tr([html.Th(t(f"area.col.{k}", lang)) for k in township.TABLE_COLUMNS]))
    body = []
    for r in rows:
        cells: list[Any] = []
        for key in township.TABLE_COLUMNS:
            cell: Any
            if key == "status_text" and r["status"]:
                cell = html.Td(
                    html.Span(r[key], className=f"status-badge status-{r['status']}"),
                )
            elif key == "name":
                title = definition_text(r["indicator"], lang, catalog) if catalog else None
                cell = html.Th(r[key], scope="row", title=title, className="has-definition")
            else:
                title = r.get(township.CELL_TITLES.get(key, "")) or None  # change, trend: why
                cell = html.Td(
                    r[key], className="num" if key in ("value", "change") else None, title=title
                )
            cells.append(cell)
        classes = f"area-row row-{r['status'] or 'none'}"
        if r["indicator"] == chosen:
            classes += " chosen"
        body.append(
            html.Tr(cells, className=classes, **shell.data_attributes(indicator=r["indicator"]))
        )
    return html.Table([head, html.Tbody(body)], className="data-table area-table", id="area-table")


@c.cached_page
def layout(**kwargs: Any) -> Any:
    ctx = c.page_context(kwargs)
    lang = ctx.lang
    if ctx.query.period is None:
        return html.Div([c.heading(ctx, "area"), c.no_data(ctx)])
    table = c.table_of(ctx)
    if table.empty:
        return html.Div([c.heading(ctx, "area"), c.view_controls(ctx), c.no_data(ctx)])
    areas = views.areas_of(table)
    asked = kwargs.get("area") if kwargs.get("area") in areas else None
    area = asked or township.attention_area(table) or areas[0]
    years = township.cached_year_figures(
        ctx.app, ctx.query.period, ctx.query.basis, views.county_name(table) or "", ctx.query.scope
    )
    view = township.area_view(
        table,
        years,
        area,
        ctx.query.period,
        lang,
        catalog=ctx.catalog,
        year_start_month=ctx.app.settings.year_start_month,
        trends=township.cached_area_trends(
            ctx.app, ctx.query.period, views.county_name(table) or "", ctx.query.scope
        ),
    )
    # the indicator the user came from (a click-through), only when the URL names one
    chosen = ctx.query.indicator if kwargs.get("indicator") == ctx.query.indicator else None
    keys = list(view["lines"])
    if chosen in keys:  # the indicator the user came from first
        keys = [chosen] + [k for k in keys if k != chosen]

    def charts_of(part: list[str], graph_id: str) -> Any:
        if not part:
            return html.P(t("area.no_charts", lang), className="muted")
        shown = {k: view["lines"][k] for k in part}
        labels = {"month_labels": view["months"], "year_labels": view["years"]}
        fig = figures.area_charts(shown, area, lang, catalog=ctx.catalog, **labels)
        title = t("area.charts_title", lang, area=area)
        text = figures.area_charts_text(title, shown, area, lang, catalog=ctx.catalog, **labels)
        filename = f"area-{area}-{ctx.query.period}"
        return html.Div(_present.graph(fig, ctx, graph_id, filename, text), className="area-charts")

    head = c.heading(ctx, "area", html.Span(area, className="page-indicator"))
    summary = html.P(
        t("area.attention", lang, area=area, **view["counts"]),
        className="area-attention",
        id="area-attention",
    )
    table_part = [
        html.H2(t("area.table_title", lang), className="section-title"),
        area_table(view["rows"], lang, chosen, ctx.catalog),
    ]
    if ctx.query.present:  # the table, then the charts PRESENT_CHARTS a slide
        parts = [[head, summary, *table_part]] + [
            [head, charts_of(keys[i : i + PRESENT_CHARTS], f"area-charts-{i // PRESENT_CHARTS}")]
            for i in range(0, len(keys), PRESENT_CHARTS)
        ]
        body = _present.slides(ctx, kwargs, parts)
        return html.Div(body, className="page-area", **shell.data_attributes(area=area))
    return html.Div(
        [
            head,
            c.view_controls(
                ctx,
                shell.query_select(
                    "area", t("ui.control.area", lang), [(a, a) for a in areas], area
                ),
            ),
            summary,
            html.P(t("area.attention_note", lang), className="muted no-print")
            if not asked
            else None,
            *table_part,
            definition_panel(chosen, lang, ctx.catalog)
            if chosen and chosen in view["lines"]
            else None,
            area_quality(views.quality_rows(table, lang, area=area, catalog=ctx.catalog), lang),
            charts_of(keys, "area-charts"),
            c.download_links(ctx, chart="area", area=area, indicator=chosen),
        ],
        className="page-area",
        **shell.data_attributes(area=area),
    )
