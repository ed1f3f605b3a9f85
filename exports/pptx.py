"""The meeting pack as a 16:9 PowerPoint file.

python-pptx takes most of a second to import and only a pptx needs it: the functions that draw
import it themselves, so `import exports` stays light for the pages and the command line.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

from dashboard.figures import (
    STATUS_STYLE,
)
from exports.pack import Pack, _legend, _overview_cells, _warning_cells, build_pack
from indicators.catalog import Catalog
from zhibiao.i18n import t

#: Font names written into the pptx (the audience's PowerPoint has Microsoft YaHei; elsewhere
#: the viewer substitutes its CJK font).
PPTX_FONT = "Microsoft YaHei"


#: Rows of the warnings table on one slide.
SLIDE_WARNING_ROWS = 10


#: Lines of data-quality notes on one slide.
SLIDE_NOTE_ROWS = 8


def _pptx_font(run: Any, size: float, *, bold: bool = False, colour: str | None = None) -> None:
    # lazy: pptx loads only when a file is drawn (see the module docstring)
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    font = run.font
    font.name = PPTX_FONT
    font.size = Pt(size)
    font.bold = bold
    if colour:
        font.color.rgb = RGBColor.from_string(colour.lstrip("#"))
    rpr = run._r.get_or_add_rPr()
    for tag in ("a:ea", "a:cs"):
        found = rpr.find(f"{{http://schemas.openxmlformats.org/drawingml/2006/main}}{tag[2:]}")
        if found is None:
            found = rpr.makeelement(
                f"{{http://schemas.openxmlformats.org/drawingml/2006/main}}{tag[2:]}", {}
            )
            rpr.append(found)
        found.set("typeface", PPTX_FONT)


def _pptx_text(frame: Any, text: str, size: float, **style: Any) -> None:
    frame.text = ""
    paragraph = frame.paragraphs[0]
    run = paragraph.add_run()
    run.text = text
    _pptx_font(run, size, **style)


def _pptx_slide(prs: Any, title: str, subtitle: str = "") -> Any:
    # lazy: pptx loads only when a file is drawn (see the module docstring)
    from pptx.util import Inches

    slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only"
    shape = slide.shapes.title
    shape.left, shape.top = Inches(0.5), Inches(0.3)
    shape.width, shape.height = Inches(12.333), Inches(0.8)
    _pptx_text(shape.text_frame, title, 28, bold=True)
    shape.text_frame.paragraphs[0].alignment = 1  # left
    if subtitle:
        box = slide.shapes.add_textbox(Inches(0.5), Inches(1.05), Inches(12.333), Inches(0.4))
        _pptx_text(box.text_frame, subtitle, 14, colour="#555555")
    return slide


def _pptx_table(
    slide: Any,
    header: list[str],
    rows: list[list[str]],
    statuses: list[str | None],
    widths: list[float],
    top: float,
    status_column: int,
) -> None:
    # lazy: pptx loads only when a file is drawn (see the module docstring)
    from pptx.dml.color import RGBColor
    from pptx.util import Inches

    height = Inches(0.45 * (len(rows) + 1))
    shape = slide.shapes.add_table(
        len(rows) + 1, len(header), Inches(0.5), Inches(top), Inches(sum(widths)), height
    )
    table = shape.table
    for i, width in enumerate(widths):
        table.columns[i].width = Inches(width)
    for j, text in enumerate(header):
        cell = table.cell(0, j)
        _pptx_text(cell.text_frame, text, 14, bold=True, colour="#FFFFFF")
        cell.fill.solid()
        cell.fill.fore_color.rgb = RGBColor.from_string("404040")
    for i, (row, status) in enumerate(zip(rows, statuses, strict=True), start=1):
        for j, text in enumerate(row):
            cell = table.cell(i, j)
            style = STATUS_STYLE[status] if status and j == status_column else None
            _pptx_text(cell.text_frame, text, 13, colour=style["text"] if style else "#222222")
            cell.text_frame.word_wrap = True
            cell.fill.solid()
            fill = style["fill"] if style else ("FFFFFF" if i % 2 else "F2F2F2")
            cell.fill.fore_color.rgb = RGBColor.from_string(fill.lstrip("#"))


def pptx_from_pack(pack: Pack) -> bytes:
    """The pack as a 16:9 presentation (13.333 × 7.5 in)."""
    # lazy: pptx loads only when a file is drawn (see the module docstring)
    from pptx import Presentation
    from pptx.util import Inches

    lang = pack.lang
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)

    cover = prs.slides.add_slide(prs.slide_layouts[0])
    cover.shapes.title.left, cover.shapes.title.top = Inches(0.8), Inches(2.3)
    cover.shapes.title.width, cover.shapes.title.height = Inches(11.7), Inches(1.4)
    _pptx_text(cover.shapes.title.text_frame, pack.title, 40, bold=True)
    sub = cover.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = Inches(0.8), Inches(3.9), Inches(11.7), Inches(1.2)
    _pptx_text(sub.text_frame, f"{pack.subtitle}\n{pack.generated}", 20, colour="#444444")

    slide = _pptx_slide(prs, t("exports.pack.overview", lang), pack.subtitle)
    header, rows, statuses = _overview_cells(pack)
    _pptx_table(slide, header, rows, statuses, [3.6, 2.8, 3.4, 2.5], 1.6, 3)
    _pptx_note(slide, _legend(lang))

    for chart in pack.charts:
        slide = _pptx_slide(
            prs, t("exports.pack.ranking", lang, indicator=chart.title), pack.subtitle
        )
        slide.shapes.add_picture(
            io.BytesIO(chart.png), Inches(0.5), Inches(1.5), width=Inches(12.333)
        )

    header, rows, statuses = _warning_cells(pack)
    chunks = [rows[i : i + SLIDE_WARNING_ROWS] for i in range(0, len(rows), SLIDE_WARNING_ROWS)]
    for n, chunk in enumerate(chunks or [[]]):
        key = "exports.pack.warnings" if n == 0 else "exports.pack.warnings_more"
        slide = _pptx_slide(prs, t(key, lang), pack.subtitle)
        if pack.watch and n == len(chunks or [[]]) - 1:  # watch items: one line, never a table
            _pptx_note(slide, t("exports.pack.watch_note", lang, n=pack.watch))
        if not chunk:
            box = slide.shapes.add_textbox(Inches(0.5), Inches(1.8), Inches(12.333), Inches(1))
            _pptx_text(box.text_frame, t("exports.pack.no_warnings", lang), 20)
            continue
        start = n * SLIDE_WARNING_ROWS
        _pptx_table(
            slide,
            header,
            chunk,
            statuses[start : start + len(chunk)],
            [1.7, 1.6, 2.4, 1.6, 5.0],
            1.6,
            0,
        )
    _pptx_notes(prs, pack)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def _pptx_notes(prs: Any, pack: Pack) -> None:
    """The data-quality notes after the warnings: one line each, SLIDE_NOTE_ROWS a slide."""
    # lazy: pptx loads only when a file is drawn (see the module docstring)
    from pptx.util import Inches

    rows = pack.notes
    for start in range(0, len(rows), SLIDE_NOTE_ROWS):
        slide = _pptx_slide(prs, t("ui.quality.title", pack.lang), pack.subtitle)
        box = slide.shapes.add_textbox(Inches(0.5), Inches(1.5), Inches(12.333), Inches(5.4))
        frame = box.text_frame
        frame.word_wrap = True
        for n, line in enumerate(rows[start : start + SLIDE_NOTE_ROWS]):
            paragraph = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
            run = paragraph.add_run()
            run.text = line
            _pptx_font(run, 15)


def _pptx_note(slide: Any, text: str) -> None:
    # lazy: pptx loads only when a file is drawn (see the module docstring)
    from pptx.util import Inches

    box = slide.shapes.add_textbox(Inches(0.5), Inches(6.8), Inches(12.333), Inches(0.4))
    _pptx_text(box.text_frame, text, 12, colour="#555555")


def pack_pptx(
    table: pd.DataFrame,
    lang: str = "zh",
    indicators: list[str] | None = None,
    *,
    catalog: Catalog | None = None,
) -> bytes:
    """The meeting pack as pptx bytes (16:9)."""
    return pptx_from_pack(build_pack(table, lang, indicators, catalog=catalog))
