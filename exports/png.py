"""The ranking charts as PNG: one picture, or a zip of pictures."""

from __future__ import annotations

import io
import zipfile

import pandas as pd

from dashboard.figures import (
    ranking_bar,
)
from dashboard.render import to_png
from exports.pack import chosen_indicators
from indicators.catalog import Catalog
from zhibiao.i18n import t


def pack_png(
    table: pd.DataFrame,
    lang: str = "zh",
    indicators: list[str] | None = None,
    *,
    catalog: Catalog | None = None,
) -> bytes:
    """The ranking charts: one PNG when one indicator is chosen, else a zip of PNGs."""
    chosen = chosen_indicators(table, indicators, lang)
    charts = {key: ranking_bar(table, key, lang, catalog=catalog) for key in chosen}
    if len(charts) == 1:
        return to_png(next(iter(charts.values())))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, (key, fig) in enumerate(charts.items(), start=1):
            name = t("exports.file.chart", lang, number=number, indicator=key)
            archive.writestr(f"{name}.png", to_png(fig))
    return buffer.getvalue()
