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


def chart_pngs(
    table: pd.DataFrame,
    lang: str = "zh",
    indicators: list[str] | None = None,
    *,
    catalog: Catalog | None = None,
) -> list[tuple[str, bytes]]:
    """The ranking charts as (file name, PNG bytes), numbered in the order chosen."""
    chosen = chosen_indicators(table, indicators, lang)
    out = []
    for number, key in enumerate(chosen, start=1):
        fig = ranking_bar(table, key, lang, catalog=catalog)
        name = t("exports.file.chart", lang, number=number, indicator=key)
        out.append((f"{name}.png", to_png(fig)))
    return out


def pack_png(
    table: pd.DataFrame,
    lang: str = "zh",
    indicators: list[str] | None = None,
    *,
    catalog: Catalog | None = None,
    as_zip: bool = False,
) -> bytes:
    """The ranking charts: one PNG when one indicator is chosen (unless `as_zip`), else a zip
    of PNGs."""
    charts = chart_pngs(table, lang, indicators, catalog=catalog)
    if len(charts) == 1 and not as_zip:
        return charts[0][1]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in charts:
            archive.writestr(name, data)
    return buffer.getvalue()
