"""The meeting pack as a 16:9 PowerPoint file.

python-pptx takes most of a second to import and only a pptx needs it: the functions that draw
import it themselves, so `import exports` stays light for the pages and the command line.
"""

from __future__ import annotations

import io
import math
from typing import Any

import pandas as pd

from dashboard.figures import (
    STATUS_STYLE,
    text_width,
)
from dashboard.render import png_size
from exports.pack import (
    PACK_CHART_WIDTH,
    Pack,
    _definition_cells,
    _legend,
    _overview_cells,
    _warning_cells,
    build_pack,
)
from indicators.catalog import Catalog
from zhibiao.config import Settings
from zhibiao.i18n import t

#: Font names written into the pptx (the audience's PowerPoint has Microsoft YaHei; elsewhere
#: the viewer substitutes its CJK font).
PPTX_FONT = "Microsoft YaHei"


#: The slide (16:9, inches) and the room under a slide's title and period line.
SLIDE_WIDTH, SLIDE_HEIGHT = 13.333, 7.5
MARGIN = 0.5
BODY_TOP = 1.5
BODY_BOTTOM = SLIDE_HEIGHT - 0.35
BODY_WIDTH = SLIDE_WIDTH - 2 * MARGIN

#: The ranking picture's room on its slide (inches): the body, less a strip kept free.
CHART_BOX = (MARGIN, BODY_TOP, BODY_WIDTH, BODY_BOTTOM - BODY_TOP)

#: Room for the legend under the overview table (inches).
NOTE_HEIGHT = 0.4

#: A table's font sizes and the cell's inner margins (points; python-pptx's defaults:
#: 0.1 in left and right, 0.05 in top and bottom).
TABLE_SIZE = 13
HEAD_SIZE = 14
CELL_MARGIN_X = 7.2 * 2
CELL_MARGIN_Y = 3.6 * 2
LINE_SPACING = 1.2


#: Column widths of the overview and warnings tables (inches).
OVERVIEW_WIDTHS = [3.6, 2.8, 3.4, 2.5]
WARNING_WIDTHS = [1.7, 1.6, 2.4, 1.6, 5.0]


#: Font sizes of a slide's title and of the data-quality notes (points).
TITLE_SIZE = 28
NOTE_SIZE = 15


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
    """`text` in one paragraph of `frame`, each '\n' a line break."""
    frame.text = ""
    paragraph = frame.paragraphs[0]
    for n, part in enumerate(str(text).split("\n")):
        if n:
            paragraph.add_line_break()
        run = paragraph.add_run()
        run.text = part
        _pptx_font(run, size, **style)


def _pptx_slide(prs: Any, title: str, subtitle: str = "") -> Any:
    # lazy: pptx loads only when a file is drawn (see the module docstring)
    from pptx.util import Inches

    slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only"
    shape = slide.shapes.title
    shape.left, shape.top = Inches(MARGIN), Inches(0.3)
    shape.width, shape.height = Inches(BODY_WIDTH), Inches(0.8)
    _pptx_text(shape.text_frame, title, fit_size(title, BODY_WIDTH, TITLE_SIZE), bold=True)
    shape.text_frame.paragraphs[0].alignment = 1  # left
    if subtitle:
        box = slide.shapes.add_textbox(
            Inches(MARGIN), Inches(1.05), Inches(BODY_WIDTH), Inches(0.4)
        )
        _pptx_text(box.text_frame, subtitle, 14, colour="#555555")
    return slide


def row_height(texts: list[str], widths: list[float], size: float) -> float:
    """The height (inches) a table row needs: its tallest cell's wrapped lines at `size` points
    in columns `widths` inches wide (CJK characters a full em, Latin letters 0.6)."""
    lines = 1
    for text, width in zip(texts, widths, strict=True):
        room = width * 72 - CELL_MARGIN_X
        wrapped = sum(
            max(1, math.ceil(text_width(part, size) / room)) for part in str(text).split("\n")
        )
        lines = max(lines, wrapped)
    return (lines * size * LINE_SPACING + CELL_MARGIN_Y) / 72


def paginate(heights: list[float], room: float, head: float = 0.0) -> list[range]:
    """Items of `heights` (inches) cut into slides: each slice, under a `head` as tall, fits
    `room` (an item taller than the room gets a slide of its own)."""
    pages: list[range] = []
    start, used = 0, head
    for i, height in enumerate(heights):
        if i > start and used + height > room:
            pages.append(range(start, i))
            start, used = i, head
        used += height
    pages.append(range(start, len(heights)))
    return pages


def table_pages(
    header: list[str], rows: list[list[str]], widths: list[float], room: float
) -> list[range]:
    """The rows of a table cut into slides: each slice with the header fits `room` inches."""
    heights = [row_height(row, widths, TABLE_SIZE) for row in rows]
    return paginate(heights, room, row_height(header, widths, HEAD_SIZE))


def fit_size(text: str, width: float, size: float, least: float = 16) -> float:
    """The font size (points, at most `size`, at least `least`) at which `text` fits on one
    line `width` inches wide."""
    needed = text_width(text, size) + CELL_MARGIN_X
    return max(least, min(size, size * width * 72 / needed))


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

    heights = [row_height(header, widths, HEAD_SIZE)]
    heights += [row_height(row, widths, TABLE_SIZE) for row in rows]
    shape = slide.shapes.add_table(
        len(rows) + 1,
        len(header),
        Inches(MARGIN),
        Inches(top),
        Inches(sum(widths)),
        Inches(sum(heights)),
    )
    table = shape.table
    for i, width in enumerate(widths):
        table.columns[i].width = Inches(width)
    for i, height in enumerate(heights):
        table.rows[i].height = Inches(height)
    for j, text in enumerate(header):
        cell = table.cell(0, j)
        _pptx_text(cell.text_frame, text, HEAD_SIZE, bold=True, colour="#FFFFFF")
        cell.fill.solid()
        cell.fill.fore_color.rgb = RGBColor.from_string("404040")
    for i, (row, status) in enumerate(zip(rows, statuses, strict=True), start=1):
        for j, text in enumerate(row):
            cell = table.cell(i, j)
            style = STATUS_STYLE[status] if status and j == status_column else None
            _pptx_text(
                cell.text_frame, text, TABLE_SIZE, colour=style["text"] if style else "#222222"
            )
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
    prs.slide_width, prs.slide_height = Inches(SLIDE_WIDTH), Inches(SLIDE_HEIGHT)

    cover = prs.slides.add_slide(prs.slide_layouts[0])
    cover.shapes.title.left, cover.shapes.title.top = Inches(0.8), Inches(2.3)
    cover.shapes.title.width, cover.shapes.title.height = Inches(11.7), Inches(1.4)
    _pptx_text(cover.shapes.title.text_frame, pack.title, 40, bold=True)
    sub = cover.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = Inches(0.8), Inches(3.9), Inches(11.7), Inches(1.2)
    _pptx_text(sub.text_frame, f"{pack.subtitle}\n{pack.generated}", 20, colour="#444444")

    header, rows, statuses = _overview_cells(pack)
    top = BODY_TOP + 0.1
    room = BODY_BOTTOM - NOTE_HEIGHT - top
    for n, chunk in enumerate(table_pages(header, rows, OVERVIEW_WIDTHS, room)):
        key = "exports.pack.overview" if n == 0 else "exports.pack.overview_more"
        slide = _pptx_slide(prs, t(key, lang), pack.subtitle)
        picked = [rows[i] for i in chunk]
        _pptx_table(slide, header, picked, [statuses[i] for i in chunk], OVERVIEW_WIDTHS, top, 3)
        _pptx_note(slide, _legend(lang))

    for chart in pack.charts:
        slide = _pptx_slide(
            prs, t("exports.pack.ranking", lang, indicator=chart.title), pack.subtitle
        )
        left, top, width, height = fit_picture(CHART_BOX, png_size(chart.png))
        slide.shapes.add_picture(
            io.BytesIO(chart.png), Inches(left), Inches(top), Inches(width), Inches(height)
        )

    header, rows, statuses = _warning_cells(pack)
    top = BODY_TOP + 0.1
    room = BODY_BOTTOM - top - (NOTE_HEIGHT if pack.watch else 0)  # the watch line's room
    pages = table_pages(header, rows, WARNING_WIDTHS, room) if rows else [range(0)]
    for n, chunk in enumerate(pages):
        key = "exports.pack.warnings" if n == 0 else "exports.pack.warnings_more"
        slide = _pptx_slide(prs, t(key, lang), pack.subtitle)
        if pack.watch and n == len(pages) - 1:  # watch items: one line, never a table
            _pptx_note(slide, t("exports.pack.watch_note", lang, n=pack.watch))
        if not chunk:
            box = slide.shapes.add_textbox(
                Inches(MARGIN), Inches(1.8), Inches(BODY_WIDTH), Inches(1)
            )
            _pptx_text(box.text_frame, t("exports.pack.no_warnings", lang), 20)
            continue
        _pptx_table(
            slide,
            header,
            [rows[i] for i in chunk],
            [statuses[i] for i in chunk],
            WARNING_WIDTHS,
            top,
            0,
        )
    _pptx_notes(prs, pack)
    _pptx_definitions(prs, pack)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def _pptx_notes(prs: Any, pack: Pack) -> None:
    """The data-quality notes after the warnings, one paragraph each, as many a slide as fit."""
    from pptx.util import Inches

    rows = pack.notes
    heights = [row_height([line], [BODY_WIDTH], NOTE_SIZE) for line in rows]
    for chunk in paginate(heights, BODY_BOTTOM - BODY_TOP) if rows else []:
        slide = _pptx_slide(prs, t("ui.quality.title", pack.lang), pack.subtitle)
        box = slide.shapes.add_textbox(
            Inches(MARGIN), Inches(BODY_TOP), Inches(BODY_WIDTH), Inches(BODY_BOTTOM - BODY_TOP)
        )
        frame = box.text_frame
        frame.word_wrap = True
        for n, i in enumerate(chunk):
            paragraph = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
            run = paragraph.add_run()
            run.text = rows[i]
            _pptx_font(run, NOTE_SIZE)


#: Column widths of the definitions table (inches).
DEFINITION_WIDTHS = [2.1, 3.0, 1.0, 2.9, 3.333]


def _pptx_definitions(prs: Any, pack: Pack) -> None:
    """The last slides: what each indicator of the pack means (formula, unit, limits and their
    source, methods), as many rows a slide as fit."""
    header, rows, statuses = _definition_cells(pack)
    if not rows:
        return
    top = BODY_TOP + 0.1
    for n, chunk in enumerate(table_pages(header, rows, DEFINITION_WIDTHS, BODY_BOTTOM - top)):
        key = "definitions.title" if n == 0 else "definitions.title_more"
        slide = _pptx_slide(prs, t(key, pack.lang), pack.subtitle)
        _pptx_table(
            slide, header, [rows[i] for i in chunk], [None] * len(chunk), DEFINITION_WIDTHS, top, 0
        )


def _pptx_note(slide: Any, text: str) -> None:
    # lazy: pptx loads only when a file is drawn (see the module docstring)
    from pptx.util import Inches

    box = slide.shapes.add_textbox(
        Inches(MARGIN), Inches(BODY_BOTTOM - NOTE_HEIGHT), Inches(BODY_WIDTH), Inches(NOTE_HEIGHT)
    )
    _pptx_text(box.text_frame, text, 12, colour="#555555")


def pack_pptx(
    table: pd.DataFrame,
    lang: str = "zh",
    indicators: list[str] | None = None,
    *,
    catalog: Catalog | None = None,
    settings: Settings | None = None,
) -> bytes:
    """The meeting pack as pptx bytes (16:9)."""
    pack = build_pack(
        table, lang, indicators, catalog=catalog, settings=settings, chart_size=pptx_chart_size()
    )
    return pptx_from_pack(pack)


def pptx_chart_size() -> tuple[int, int]:
    """The ranking picture of a slide (pixels at scale 1), the shape of its room."""
    _, _, width, height = CHART_BOX
    return PACK_CHART_WIDTH, int(PACK_CHART_WIDTH * height / width)


def fit_picture(
    box: tuple[float, float, float, float], pixels: tuple[int, int]
) -> tuple[float, float, float, float]:
    """(left, top, width, height) of a picture of `pixels` as large as fits in `box`
    (left, top, width, height, inches), its shape kept, centred across."""
    left, top, width, height = box
    scale = min(width / pixels[0], height / pixels[1])
    drawn = (pixels[0] * scale, pixels[1] * scale)
    return left + (width - drawn[0]) / 2, top, drawn[0], drawn[1]
