"""The file export of the command line: read the store, build the asked format, write the file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from exports.pack import FORMATS, ExportError, _table_period, chosen_indicators
from exports.pdf import pack_pdf
from exports.png import chart_pngs, pack_png
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


#: What a png export may be written to: one picture, a zip of pictures, or a folder.
PNG_SUFFIX, ZIP_SUFFIX = ".png", ".zip"


def png_target(out: Path, n_charts: int, lang: str) -> str:
    """How a png export is written to `out`: 'png' (one picture under a .png name), 'zip' (a
    .zip name) or 'folder' (an existing folder: one .png file a chart).

    A .png name holds exactly one picture; several charts need a .zip name or a folder.
    """
    if out.is_dir():
        return "folder"
    suffix = out.suffix.lower()
    if suffix == ZIP_SUFFIX:
        return "zip"
    if suffix == PNG_SUFFIX:
        if n_charts != 1:
            raise ExportError(t("exports.error.png_one", lang, n=n_charts, out=out.name))
        return "png"
    raise ExportError(t("exports.error.png_target", lang, out=out.name))


def write_pngs(
    table: pd.DataFrame, out: Path, lang: str, indicators: list[str] | None
) -> list[Path]:
    """The ranking charts as PNG: one picture (.png), a zip (.zip) or files in a folder."""
    chosen = chosen_indicators(table, indicators, lang)
    kind = png_target(out, len(chosen), lang)
    if kind == "png":
        out.write_bytes(pack_png(table, lang, chosen))
        return [out]
    if kind == "zip":
        out.write_bytes(pack_png(table, lang, chosen, as_zip=True))
        return [out]
    written = []
    for name, data in chart_pngs(table, lang, chosen):
        target = out / name
        target.write_bytes(data)
        written.append(target)
    return written


def export_pack(
    db_url: str,
    period: str | None,
    basis: str,
    fmt: str,
    out: str | Path,
    lang: str = "zh",
    indicators: list[str] | None = None,
) -> list[Path]:
    """Write the pack (pptx | pdf), the ranking charts (png) or the scorecard (xlsx).

    `out` is a file, or an existing folder to write a named file into (png: one file a chart).
    A png export to a .png name draws one chart (`indicators` names it; default: the first of
    the pack's); several charts go to a .zip name or a folder. Returns the files written.
    """
    if fmt not in FORMATS:
        raise ExportError(t("exports.error.format", lang, fmt=fmt))
    table = load_table(db_url, period, basis, lang)
    target = Path(out)
    if fmt == "png":
        if not indicators and not target.is_dir() and target.suffix.lower() == PNG_SUFFIX:
            indicators = chosen_indicators(table, None, lang)[:1]
        return write_pngs(table, target, lang, indicators)
    if fmt == "pptx":
        data = pack_pptx(table, lang, indicators)
    elif fmt == "pdf":
        data = pack_pdf(table, lang, indicators)
    else:
        data = scorecard_xlsx(table, lang)
    if target.is_dir():
        n_charts = len(chosen_indicators(table, indicators, lang))
        target = target / export_file_name(table, fmt, lang, n_charts)
    target.write_bytes(data)
    return [target]
