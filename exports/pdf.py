"""The meeting pack as an A4 landscape PDF (reportlab).

reportlab takes about half a second to import and only a pdf needs it: the functions that draw
import it themselves, so `import exports` stays light for the pages and the command line.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd

from dashboard.figures import (
    STATUS_STYLE,
)
from exports.pack import (
    PACK_CHART_HEIGHT,
    PACK_CHART_WIDTH,
    Pack,
    _legend,
    _overview_cells,
    _warning_cells,
    build_pack,
)
from indicators.catalog import Catalog
from zhibiao.i18n import t

#: reportlab's built-in Chinese font, used when no TrueType CJK font is installed (Noto CJK is
#: OpenType CFF, which reportlab cannot embed).
PDF_CID_FONT = "STSong-Light"


PDF_TTF_NAME = "ZhibiaoCJK"


def _truetype_cjk_font() -> Path | None:
    """A TrueType (glyf) Chinese font fontconfig knows of, which reportlab can embed."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return None
    found = subprocess.run(
        [fc_list, ":lang=zh-cn:fontformat=TrueType", "file"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    paths = sorted(line.split(":")[0].strip() for line in found.splitlines() if line.strip())
    return Path(paths[0]) if paths else None


@cache
def pdf_font() -> str:
    """Register and name the pdf's Chinese font: an installed TrueType CJK font, else STSong."""
    # lazy: reportlab loads only when a file is drawn (see the module docstring)
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    path = _truetype_cjk_font()
    if path is not None:
        try:
            pdfmetrics.registerFont(TTFont(PDF_TTF_NAME, str(path), subfontIndex=0))
            return PDF_TTF_NAME
        except TTFError:
            pass
    pdfmetrics.registerFont(UnicodeCIDFont(PDF_CID_FONT))
    return PDF_CID_FONT


def _pdf_table(
    header: list[str],
    rows: list[list[str]],
    statuses: list[str | None],
    widths: list[float],
    status_column: int,
    font: str,
) -> Any:
    # lazy: reportlab loads only when a file is drawn (see the module docstring)
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    cell = ParagraphStyle("cell", fontName=font, fontSize=10.5, leading=14, wordWrap="CJK")
    head = ParagraphStyle("head", parent=cell, textColor=colors.white)
    data = [[Paragraph(_escaped(text), head) for text in header]]
    commands: list[tuple] = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#404040")),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    for i, (row, status) in enumerate(zip(rows, statuses, strict=True), start=1):
        cells = []
        for j, text in enumerate(row):
            style = STATUS_STYLE[status] if status and j == status_column else None
            colour = colors.HexColor(style["text"]) if style else colors.black
            style = ParagraphStyle(f"c{i}{j}", parent=cell, textColor=colour)
            cells.append(Paragraph(_escaped(text), style))
        data.append(cells)
        if status:
            fill = colors.HexColor(STATUS_STYLE[status]["fill"])
            commands.append(("BACKGROUND", (status_column, i), (status_column, i), fill))
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(commands))
    return table


def _escaped(text: str) -> str:
    """Text for a reportlab Paragraph, which reads its markup (`<b>`, `<br>`, `<a href>`; a
    stray `<` fails the whole document): &, < and > escaped. Every Paragraph gets its text so."""
    return escape(text)


def pdf_from_pack(pack: Pack) -> bytes:
    """The pack on A4 landscape pages; Chinese in a CJK font, charts embedded as PNG."""
    # lazy: reportlab loads only when a file is drawn (see the module docstring)
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer

    lang = pack.lang
    font = pdf_font()
    width, height = landscape(A4)
    margin = 1.5 * cm
    frame_width = width - 2 * margin
    title = ParagraphStyle("title", fontName=font, fontSize=22, leading=28, wordWrap="CJK")
    heading = ParagraphStyle("heading", fontName=font, fontSize=17, leading=22, wordWrap="CJK")
    note = ParagraphStyle(
        "note", fontName=font, fontSize=10.5, leading=14, wordWrap="CJK", textColor="#555555"
    )
    body = ParagraphStyle("body", fontName=font, fontSize=13, leading=18, wordWrap="CJK")

    story: list[Any] = [
        Paragraph(_escaped(pack.title), title),
        Paragraph(_escaped(f"{pack.subtitle}  {pack.generated}"), note),
        Spacer(1, 0.5 * cm),
        Paragraph(_escaped(t("exports.pack.overview", lang)), heading),
        Spacer(1, 0.3 * cm),
    ]
    header, rows, statuses = _overview_cells(pack)
    story.append(_pdf_table(header, rows, statuses, [x * cm for x in (8, 5, 8, 5)], 3, font))
    story += [Spacer(1, 0.3 * cm), Paragraph(_escaped(_legend(lang)), note)]

    chart_height = frame_width * PACK_CHART_HEIGHT / PACK_CHART_WIDTH
    for chart in pack.charts:
        story += [
            PageBreak(),
            Paragraph(_escaped(t("exports.pack.ranking", lang, indicator=chart.title)), heading),
            Paragraph(_escaped(pack.subtitle), note),
            Image(io.BytesIO(chart.png), width=frame_width, height=chart_height),
        ]

    story += [PageBreak(), Paragraph(_escaped(t("exports.pack.warnings", lang)), heading)]
    story.append(Paragraph(_escaped(pack.subtitle), note))
    story.append(Spacer(1, 0.3 * cm))
    header, rows, statuses = _warning_cells(pack)
    if rows:
        widths = [x * cm for x in (3.4, 3.2, 5.2, 3.2, 11.6)]
        story.append(_pdf_table(header, rows, statuses, widths, 0, font))
    else:
        story.append(Paragraph(_escaped(t("exports.pack.no_warnings", lang)), body))
    if pack.watch:
        note_text = t("exports.pack.watch_note", lang, n=pack.watch)
        story.append(Paragraph(_escaped(note_text), body))
    if pack.notes:
        story += [Spacer(1, 0.5 * cm), Paragraph(_escaped(t("ui.quality.title", lang)), heading)]
        story += [Paragraph(_escaped(line), body) for line in pack.notes]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=(width, height),
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=pack.title,
    )
    doc.build(story)
    return buffer.getvalue()


def pack_pdf(
    table: pd.DataFrame,
    lang: str = "zh",
    indicators: list[str] | None = None,
    *,
    catalog: Catalog | None = None,
) -> bytes:
    """The meeting pack as pdf bytes (A4 landscape)."""
    return pdf_from_pack(build_pack(table, lang, indicators, catalog=catalog))
