"""The file export of the command line: read the store, build the asked format, write the file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from exports.pack import FORMATS, ExportError, _table_period, chosen_indicators
from exports.pdf import pack_pdf
from exports.png import pack_png
from exports.pptx import pack_pptx
from exports.xlsx import scorecard_xlsx
from store import Store
from zhibiao.i18n import t
from zhibiao.tables import indicator_table


def load_table(db_url: str, period: str | None, basis: str, lang: str = "zh") -> pd.DataFrame:
    """The indicator table of `period` (default: the latest with data) from the store."""
    store = Store(db_url)
    try:
        periods = store.periods()
        if not periods:
            raise ExportError(t("exports.error.no_data", lang))
        period = period or periods[-1]
        if period not in periods:
            raise ExportError(t("exports.error.period", lang, period=period))
        return indicator_table(store, period, basis)
    finally:
        store.dispose()


def export_file_name(table: pd.DataFrame, fmt: str, lang: str, n_charts: int) -> str:
    period, basis = _table_period(table)
    stem = t("exports.file.pack", lang, period=period, basis=basis)
    suffix = "zip" if fmt == "png" and n_charts > 1 else fmt
    return f"{stem}.{suffix}"


def export_pack(
    db_url: str,
    period: str | None,
    basis: str,
    fmt: str,
    out: str | Path,
    lang: str = "zh",
    indicators: list[str] | None = None,
) -> Path:
    """Write the pack (pptx | pdf), the charts (png: one PNG or a zip) or the scorecard (xlsx).

    `out` is a file, or an existing folder to write a named file into. Returns the file written.
    """
    if fmt not in FORMATS:
        raise ExportError(t("exports.error.format", lang, fmt=fmt))
    table = load_table(db_url, period, basis, lang)
    if fmt == "pptx":
        data = pack_pptx(table, lang, indicators)
    elif fmt == "pdf":
        data = pack_pdf(table, lang, indicators)
    elif fmt == "png":
        data = pack_png(table, lang, indicators)
    else:
        data = scorecard_xlsx(table, lang)
    target = Path(out)
    if target.is_dir():
        n_charts = len(chosen_indicators(table, indicators, lang))
        target = target / export_file_name(table, fmt, lang, n_charts)
    target.write_bytes(data)
    return target
