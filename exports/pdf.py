"""The meeting pack as an A4 landscape PDF (reportlab).

reportlab takes about half a second to import and only a pdf needs it: the functions that draw
import it themselves, so `import exports` stays light for the pages and the command line.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd

from dashboard.figures import (
    STATUS_STYLE,
)
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
from zhibiao.vocabulary import WARNING_STATUSES

#: reportlab embeds TrueType (glyf) fonts only: Noto CJK (the charts' font) is OpenType CFF.
#: The pdf's text is set in a chain of installed TrueType fonts, each character in the first
#: that has it: a CJK font (Droid Sans Fallback, fonts-droid-fallback; or WenQuanYi, AR PL)
#: for Chinese, DejaVu Sans (fonts-dejavu-core) for Latin letters, digits and signs (‰ ≥ ※ ▲).
#: Every font is embedded as a subset of the glyphs used.
CJK_FONT_FILES = (
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
    "DroidSansFallbackFull.ttf",
    "DroidSansFallback.ttf",
    "uming.ttc",
)


LATIN_FONT_FILES = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf")


#: reportlab's built-in Chinese font, the last resort when no TrueType CJK font is installed
#: (not embedded: the reader's fonts show it; scripts/system-deps.sh installs the TrueType ones).
PDF_CID_FONT = "STSong-Light"


@dataclass(frozen=True)
class PdfFonts:
    """The registered fonts of the pdf, in the order a character looks for its glyph."""

    names: tuple[str, ...]
    charmaps: tuple[frozenset[int], ...]

    @property
    def base(self) -> str:
        return self.names[0]

    def font_of(self, char: str) -> str:
        """The first font of the chain with a glyph for `char` (the base when none has)."""
        code = ord(char)
        for name, charmap in zip(self.names, self.charmaps, strict=True):
            if code in charmap:
                return name
        return self.base

    def runs(self, text: str) -> list[tuple[str, str]]:
        """`text` as (font, run) pieces, each run set in one font."""
        out: list[tuple[str, str]] = []
        for char in text:
            name = self.font_of(char)
            if out and out[-1][0] == name:
                out[-1] = (name, out[-1][1] + char)
            else:
                out.append((name, char))
        return out

    def markup(self, text: str) -> str:
        """`text` for a reportlab Paragraph: escaped, each run not in the base font wrapped in
        a <font> tag."""
        parts = []
        for name, run in self.runs(text):
            piece = escape(run).replace("\n", "<br/>")
            parts.append(piece if name == self.base else f'<font name="{name}">{piece}</font>')
        return "".join(parts)

    def width(self, text: str, size: float) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return sum(stringWidth(run, name, size) for name, run in self.runs(text))

    def draw(self, canvas: Any, x: float, y: float, text: str, size: float) -> None:
        """Draw `text` at (x, y) on a reportlab canvas, each run in its font."""
        for name, run in self.runs(text):
            canvas.setFont(name, size)
            canvas.drawString(x, y, run)
            x += self.width(run, size)


def _font_files(names: tuple[str, ...]) -> list[Path]:
    """Installed font files with one of `names`, in the order of `names` (fontconfig's list)."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return []
    found = subprocess.run(
        [fc_list, ":fontformat=TrueType", "file"], capture_output=True, text=True, check=False
    ).stdout
    paths = {Path(line.split(":")[0].strip()) for line in found.splitlines() if line.strip()}
    by_name = {p.name: p for p in sorted(paths)}
    return [by_name[n] for n in names if n in by_name]


def _register(name: str, path: Path) -> frozenset[int] | None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    try:
        font = TTFont(name, str(path), subfontIndex=0)
    except TTFError:
        return None
    pdfmetrics.registerFont(font)
    return frozenset(font.face.charToGlyph)


@cache
def pdf_fonts() -> PdfFonts:
    """Register the pdf's fonts (see CJK_FONT_FILES): the first CJK TrueType font installed,
    then a Latin one; STSong-Light (not embedded) only when no CJK TrueType font is."""
    names: list[str] = []
    charmaps: list[frozenset[int]] = []
    for role, files in (("ZhibiaoCJK", CJK_FONT_FILES), ("ZhibiaoLatin", LATIN_FONT_FILES)):
        for path in _font_files(files):
            charmap = _register(role, path)
            if charmap is not None:
                names.append(role)
                charmaps.append(charmap)
                break
    if not names or names[0] != "ZhibiaoCJK":
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont(PDF_CID_FONT))
        return PdfFonts((PDF_CID_FONT,), (frozenset(),))
    return PdfFonts(tuple(names), tuple(charmaps))


def pdf_font() -> str:
    """The name of the pdf's base (CJK) font."""
    return pdf_fonts().base


def _pdf_table(
    header: list[str],
    rows: list[list[str]],
    statuses: list[str | None],
    widths: list[float],
    status_column: int,
    fonts: PdfFonts,
    size: float = 10.5,
) -> Any:
    # lazy: reportlab loads only when a file is drawn (see the module docstring)
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    cell = ParagraphStyle(
        "cell", fontName=fonts.base, fontSize=size, leading=size * 1.35, wordWrap="CJK"
    )
    head = ParagraphStyle("head", parent=cell, textColor=colors.white)
    data = [[Paragraph(fonts.markup(text), head) for text in header]]
    commands: list[tuple] = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#404040")),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 0), (-1, -1), fonts.base),  # else the cells set Helvetica
    ]
    for i, (row, status) in enumerate(zip(rows, statuses, strict=True), start=1):
        cells = []
        for j, text in enumerate(row):
            style = STATUS_STYLE[status] if status and j == status_column else None
            colour = colors.HexColor(style["text"]) if style else colors.black
            cells.append(
                Paragraph(
                    fonts.markup(text), ParagraphStyle(f"c{i}{j}", parent=cell, textColor=colour)
                )
            )
        data.append(cells)
        if status:
            fill = colors.HexColor(STATUS_STYLE[status]["fill"])
            commands.append(("BACKGROUND", (status_column, i), (status_column, i), fill))
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(commands))
    return table


#: A4 landscape, its margins and the footer's room (points).
PAGE_MARGIN_CM = 1.5
FOOTER_CM = 1.0
FOOTER_SIZE = 9


def pdf_chart_size() -> tuple[int, int]:
    """The ranking picture of a pdf page (pixels at scale 1): the frame's width and what is
    left of its height under the page's heading, so a chart fills its page."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import cm

    width, height = landscape(A4)
    frame_w = width - 2 * PAGE_MARGIN_CM * cm
    frame_h = height - 2 * PAGE_MARGIN_CM * cm - FOOTER_CM * cm
    chart_h = frame_h - CHART_HEADING_CM * cm
    return PACK_CHART_WIDTH, int(PACK_CHART_WIDTH * chart_h / frame_w)


#: Height of a ranking page's heading and period line above its chart.
CHART_HEADING_CM = 2.0


def _footer_canvas(fonts: PdfFonts, left_text: str, lang: str) -> type:
    """A canvas that writes, on every page, the pack's title and period on the left and
    '第 n / N 页' on the right (N known once every page is laid out)."""
    from reportlab.lib.units import cm
    from reportlab.pdfgen.canvas import Canvas

    class FooterCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._footer_pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._footer_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._footer_pages)
            for number, page in enumerate(self._footer_pages, start=1):
                self.__dict__.update(page)
                self._footer(number, total)
                super().showPage()
            super().save()

        def _footer(self, number: int, total: int) -> None:
            width, _ = self._pagesize
            y = PAGE_MARGIN_CM * cm - 0.2 * cm
            self.setFillGray(0.33)
            self.setStrokeGray(0.7)
            self.line(
                PAGE_MARGIN_CM * cm, y + 0.45 * cm, width - PAGE_MARGIN_CM * cm, y + 0.45 * cm
            )
            fonts.draw(self, PAGE_MARGIN_CM * cm, y, left_text, FOOTER_SIZE)
            right = t("exports.pack.page", lang, n=number, total=total)
            x = width - PAGE_MARGIN_CM * cm - fonts.width(right, FOOTER_SIZE)
            fonts.draw(self, x, y, right, FOOTER_SIZE)

    return FooterCanvas


def pdf_from_pack(pack: Pack) -> bytes:
    """The pack on A4 landscape pages: fonts embedded, charts as PNG, and on every page a footer
    with the title, the period and the page number."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        CondPageBreak,
        Image,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
    )

    lang = pack.lang
    fonts = pdf_fonts()
    font = fonts.base
    width, height = landscape(A4)
    margin = PAGE_MARGIN_CM * cm
    frame_width = width - 2 * margin
    title = ParagraphStyle("title", fontName=font, fontSize=22, leading=28, wordWrap="CJK")
    heading = ParagraphStyle("heading", fontName=font, fontSize=17, leading=22, wordWrap="CJK")
    note = ParagraphStyle(
        "note", fontName=font, fontSize=10.5, leading=14, wordWrap="CJK", textColor="#555555"
    )
    body = ParagraphStyle("body", fontName=font, fontSize=13, leading=18, wordWrap="CJK")

    def para(text: str, style: ParagraphStyle) -> Any:
        return Paragraph(fonts.markup(text), style)

    story: list[Any] = [
        para(pack.title, title),
        para(f"{pack.subtitle}  {pack.generated}", note),
        Spacer(1, 0.2 * cm),
        para(t("exports.pack.overview", lang), heading),
        Spacer(1, 0.1 * cm),
    ]
    header, rows, statuses = _overview_cells(pack)
    widths = [x * cm for x in (9, 6, 7.7, 4)]
    story.append(_pdf_table(header, rows, statuses, widths, 3, fonts, size=10))
    story += [Spacer(1, 0.1 * cm), para(_legend(lang), note)]
    # the rest of page 1: the most serious warnings (as the overview page shows them)
    top = pack.warnings[:TOP_WARNINGS]
    story += [Spacer(1, 0.3 * cm), para(_warning_summary(pack), heading), Spacer(1, 0.1 * cm)]
    if top:
        header, rows, statuses = _warning_cells(pack)
        story.append(
            _pdf_table(
                header, rows[: len(top)], statuses[: len(top)], WARNING_WIDTHS, 0, fonts, size=10
            )
        )
    else:
        story.append(para(t("exports.pack.no_warnings", lang), body))

    chart_w, chart_h = pdf_chart_size()
    for chart in pack.charts:
        story += [
            PageBreak(),
            para(t("exports.pack.ranking", lang, indicator=chart.title), heading),
            para(pack.subtitle, note),
            Spacer(1, 0.2 * cm),
            Image(io.BytesIO(chart.png), width=frame_width, height=frame_width * chart_h / chart_w),
        ]

    story += [PageBreak(), para(t("exports.pack.warnings", lang), heading)]
    story.append(para(pack.subtitle, note))
    story.append(Spacer(1, 0.3 * cm))
    header, rows, statuses = _warning_cells(pack)
    if rows:
        story.append(_pdf_table(header, rows, statuses, WARNING_WIDTHS, 0, fonts))
    else:
        story.append(para(t("exports.pack.no_warnings", lang), body))
    if pack.watch:
        story.append(para(t("exports.pack.watch_note", lang, n=pack.watch), body))
    if pack.notes:
        story += [
            CondPageBreak(3 * cm),
            Spacer(1, 0.5 * cm),
            para(t("ui.quality.title", lang), heading),
        ]
        story += [para(line, body) for line in pack.notes]

    header, rows, statuses = _definition_cells(pack)
    if rows:  # the last page: what each indicator means
        story += [PageBreak(), para(t("definitions.title", lang), heading)]
        story += [para(pack.subtitle, note), Spacer(1, 0.3 * cm)]
        widths = [x * cm for x in (4.2, 6.0, 2.4, 6.4, 7.7)]
        story.append(_pdf_table(header, rows, statuses, widths, -1, fonts, size=9.5))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=(width, height),
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin + FOOTER_CM * cm,
        title=pack.title,
        # the canvas's first font, set on every page: one of ours, so no font goes unembedded
        initialFontName=fonts.names[-1],
    )
    footer = f"{pack.title} · {pack.subtitle}"
    doc.build(story, canvasmaker=_footer_canvas(fonts, footer, lang))
    return buffer.getvalue()


#: Column widths of the warnings table (cm).
WARNING_WIDTHS = [x * 28.3465 for x in (2.9, 3.2, 5.2, 2.6, 12.8)]


#: How many warnings page 1 lists (the overview page shows as many).
TOP_WARNINGS = 5


def _warning_summary(pack: Pack) -> str:
    counts = {s: sum(1 for w in pack.warnings if w["status"] == s) for s in WARNING_STATUSES}
    counts["watch"] = pack.watch  # watch items are counted, never listed
    return t(
        "exports.pack.top_warnings", pack.lang, n=min(TOP_WARNINGS, len(pack.warnings)), **counts
    )


def pack_pdf(
    table: pd.DataFrame,
    lang: str = "zh",
    indicators: list[str] | None = None,
    *,
    catalog: Catalog | None = None,
    settings: Settings | None = None,
) -> bytes:
    """The meeting pack as pdf bytes (A4 landscape)."""
    pack = build_pack(
        table, lang, indicators, catalog=catalog, settings=settings, chart_size=pdf_chart_size()
    )
    return pdf_from_pack(pack)
