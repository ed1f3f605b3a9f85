"""The indicator definition as a page element: a panel that opens under a chart, and the same
words as a hover title (every page that shows an indicator shows what it means)."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboard.definitions import definition, definition_lines
from zhibiao.i18n import t


def definition_panel(key: str, lang: str, catalog: Any, *, open_: bool = False) -> Any:
    """指标说明：<name>, folded; the formula, unit, limits and their source, the methods."""
    lines = definition_lines(key, lang, catalog)
    name = definition(key, lang, catalog)["name"]
    return html.Details(
        [
            html.Summary(t("definitions.panel", lang, name=name)),
            html.Dl(
                [
                    html.Div([html.Dt(label), html.Dd(text)], className="definition-line")
                    for label, text in lines
                ],
                className="definition-list",
            ),
        ],
        open=open_,
        className="definition-panel",
        id=f"definition-{key}",
    )
