"""The meeting exports: the pack (pptx, pdf), the chart PNGs and the coloured scorecard (xlsx).

The pack holds, in order: a title, the overview (the county's key figures with the change on the
same period last year and the status word), the ranking chart of each chosen indicator (default
PACK_INDICATORS) and the warnings table (red, amber, watch; worst first; the reason in words).

The in-memory builders (`pack_pptx`, `pack_pdf`, `pack_png`, `scorecard_xlsx`) take an indicator
table the page already has; `export_pack` reads the store, computes the table and writes a file
(the command line's door).

`pack_png` gives a zip of the ranking charts (`01-srb.png`, `02-compliance.png`, …), or the PNG
itself when one indicator is chosen.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.figures import (
    STATUS_ORDER,
    STATUS_STYLE,
    clean_status,
    indicator_info,
    overview_cards,
    period_label,
    ranking_bar,
    status_text,
    value_text,
)
from dashboard.render import to_png
from zhibiao.i18n import has, t

#: The rankings of the pack when none are chosen.
PACK_INDICATORS = ["srb", "compliance", "fee_amount_rate", "birth_rate"]
#: Statuses listed in the warnings table, worst first.
WARNING_STATUSES = ["red", "amber", "watch"]
FORMATS = ("pptx", "pdf", "png", "xlsx")

#: Font names written into the pptx (the audience's PowerPoint has Microsoft YaHei; elsewhere
#: the viewer substitutes its CJK font).
PPTX_FONT = "Microsoft YaHei"
#: reportlab's built-in Chinese font, used when no TrueType CJK font is installed (Noto CJK is
#: OpenType CFF, which reportlab cannot embed).
PDF_CID_FONT = "STSong-Light"
PDF_TTF_NAME = "ZhibiaoCJK"

#: Rows of the warnings table on one slide.
SLIDE_WARNING_ROWS = 10
#: A ranking chart in the pack (pixels at scale 1; drawn at scale 2).
PACK_CHART_WIDTH = 1600
PACK_CHART_HEIGHT = 820
PACK_CHART_SCALE = 2
#: Lines of data-quality notes on one slide.
SLIDE_NOTE_ROWS = 8


class ExportError(ValueError):
    """A request the exports cannot serve; the message is already in the user's language."""


# --- what the pack holds ---------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    indicator: str
    title: str
    png: bytes


@dataclass(frozen=True)
class Pack:
    """Everything a pack shows, in words and images, in one language."""

    lang: str
    title: str
    subtitle: str
    generated: str
    cards: list[dict]
    charts: list[Chart]
    warnings: list[dict]
    notes: list[str] = field(default_factory=list)


def _basis_text(basis: str, lang: str) -> str:
    key = f"figures.basis.{basis}"
    return t(key, lang) if has(key, lang) else str(basis)


def _table_period(table: pd.DataFrame) -> tuple[str, str]:
    if table.empty:
        return "", ""
    return str(table["period"].iloc[0]), str(table["basis"].iloc[0])


def _county_name(table: pd.DataFrame, lang: str) -> str:
    total = table[table["is_total"].fillna(False).astype(bool)]
    return str(total["area"].iloc[0]) if not total.empty else t("figures.county", lang)


def chosen_indicators(
    table: pd.DataFrame, indicators: list[str] | None, lang: str = "zh"
) -> list[str]:
    """The indicators to rank: the asked ones (each must be in the table), else the defaults."""
    present = list(dict.fromkeys(table["indicator"]))
    if not indicators:
        return [key for key in PACK_INDICATORS if key in present]
    for key in indicators:
        if key not in present:
            raise ExportError(t("exports.error.indicator", lang, name=key))
    return list(dict.fromkeys(indicators))


def reason_text(row: pd.Series, lang: str, catalog: Any = None) -> str:
    """The status reason in words (`indicators.output.reason`); '' for a figure without one."""
    from indicators.catalog import Catalog
    from indicators.output import reason

    return str(reason(row, lang, catalog if isinstance(catalog, Catalog) else None))


def warning_rows(
    table: pd.DataFrame, lang: str = "zh", *, catalog: Any = None
) -> list[dict[str, Any]]:
    """Every red, amber and watch figure, worst first (status, then worst rank, then order).

    Each row: status, status_text (mark and word), area, indicator, indicator_name, value (text
    with unit), reason (words).
    """
    work = table[table["indicator"] != "composite"].copy()
    work["_status"] = [clean_status(s) for s in work["status"]]
    work = work[work["_status"].isin(WARNING_STATUSES)]
    if work.empty:
        return []
    order = {key: i for i, key in enumerate(dict.fromkeys(table["indicator"]))}
    work["_severity"] = [STATUS_ORDER.index(s) for s in work["_status"]]
    work["_rank"] = -pd.to_numeric(work["rank"], errors="coerce").astype("float64")
    work["_ind"] = [order[k] for k in work["indicator"]]
    work = work.sort_values(["_severity", "_rank", "_ind", "order"], na_position="last")
    rows: list[dict[str, Any]] = []
    for _, row in work.iterrows():
        info = indicator_info(row["indicator"], lang, catalog)
        rows.append(
            {
                "status": row["_status"],
                "status_text": status_text(row["_status"], lang),
                "area": str(row["area"]),
                "indicator": row["indicator"],
                "indicator_name": info.name,
                "value": value_text(row["value"], info, lang),
                "reason": reason_text(row, lang, catalog),
            }
        )
    return rows


def _pack_chart(table: pd.DataFrame, indicator: str, lang: str, catalog: Any) -> Chart:
    fig = ranking_bar(table, indicator, lang, catalog=catalog)
    title = str(fig.layout.title.text).split("<br>")[0]
    fig.update_layout(title={"text": ""}, margin={"t": 60})
    png = to_png(fig, PACK_CHART_WIDTH, PACK_CHART_HEIGHT, PACK_CHART_SCALE)
    return Chart(indicator=indicator, title=title, png=png)


def build_pack(
    table: pd.DataFrame,
    lang: str = "zh",
    indicators: list[str] | None = None,
    *,
    catalog: Any = None,
) -> Pack:
    """The pack's words and chart images for one indicator table."""
    period, basis = _table_period(table)
    chosen = chosen_indicators(table, indicators, lang)
    subtitle = t(
        "exports.pack.subtitle",
        lang,
        period=period_label(period, lang),
        basis=_basis_text(basis, lang),
    )
    return Pack(
        lang=lang,
        title=t("exports.pack.title", lang, county=_county_name(table, lang)),
        subtitle=subtitle,
        generated=t("exports.pack.generated", lang, date=date.today().isoformat()),
        cards=overview_cards(table, lang, catalog=catalog),
        charts=[_pack_chart(table, key, lang, catalog) for key in chosen],
        warnings=warning_rows(table, lang, catalog=catalog),
        notes=quality_lines(table, lang, catalog=catalog),
    )


def quality_lines(table: pd.DataFrame, lang: str = "zh", *, catalog: Any = None) -> list[str]:
    """One line per data-quality note of the table: '※ 城关镇(出生人数、…):<the finding>'."""
    from dashboard.views import quality_rows

    return [
        t(
            "ui.quality.line",
            lang,
            symbol=t("ui.quality.symbol", lang),
            area=row["area"],
            indicators=row["indicator_labels"],
            text=row["text"],
        )
        for row in quality_rows(table, lang, catalog=catalog)
    ]


def _legend(lang: str) -> str:
    items = "  ".join(status_text(s, lang) for s in STATUS_ORDER)
    return t("exports.pack.legend", lang, items=items)


def _overview_cells(pack: Pack) -> tuple[list[str], list[list[str]], list[str | None]]:
    lang = pack.lang
    header = [t(f"exports.overview.{c}", lang) for c in ("indicator", "value", "change", "status")]
    rows = [
        [
            card["label"],
            f"{card['value_with_unit']} {t('ui.quality.symbol', lang)}"
            if card.get("quality")
            else card["value_with_unit"],
            card["change"],
            status_text(card["status"], lang),
        ]
        for card in pack.cards
    ]
    return header, rows, [card["status"] for card in pack.cards]


def _warning_cells(pack: Pack) -> tuple[list[str], list[list[str]], list[str | None]]:
    lang = pack.lang
    columns = ("status", "area", "indicator", "value", "reason")
    header = [t(f"exports.warnings.{c}", lang) for c in columns]
    rows = [
        [w["status_text"], w["area"], w["indicator_name"], w["value"], w["reason"]]
        for w in pack.warnings
    ]
    return header, rows, [w["status"] for w in pack.warnings]


# --- pptx ---------------------------------------------------------------------------------


def _pptx_font(run: Any, size: float, *, bold: bool = False, colour: str | None = None) -> None:
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
    from pptx.util import Inches

    box = slide.shapes.add_textbox(Inches(0.5), Inches(6.8), Inches(12.333), Inches(0.4))
    _pptx_text(box.text_frame, text, 12, colour="#555555")


# --- pdf ----------------------------------------------------------------------------------


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
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    cell = ParagraphStyle("cell", fontName=font, fontSize=10.5, leading=14, wordWrap="CJK")
    head = ParagraphStyle("head", parent=cell, textColor=colors.white)
    data = [[Paragraph(text, head) for text in header]]
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
            cells.append(Paragraph(text, ParagraphStyle(f"c{i}{j}", parent=cell, textColor=colour)))
        data.append(cells)
        if status:
            fill = colors.HexColor(STATUS_STYLE[status]["fill"])
            commands.append(("BACKGROUND", (status_column, i), (status_column, i), fill))
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(commands))
    return table


def _escaped(text: str) -> str:
    """Text for a reportlab Paragraph (which reads its markup): &, < and > escaped."""
    from xml.sax.saxutils import escape

    return escape(text)


def pdf_from_pack(pack: Pack) -> bytes:
    """The pack on A4 landscape pages; Chinese in a CJK font, charts embedded as PNG."""
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
        Paragraph(pack.title, title),
        Paragraph(f"{pack.subtitle}  {pack.generated}", note),
        Spacer(1, 0.5 * cm),
        Paragraph(t("exports.pack.overview", lang), heading),
        Spacer(1, 0.3 * cm),
    ]
    header, rows, statuses = _overview_cells(pack)
    story.append(_pdf_table(header, rows, statuses, [x * cm for x in (8, 5, 8, 5)], 3, font))
    story += [Spacer(1, 0.3 * cm), Paragraph(_legend(lang), note)]

    chart_height = frame_width * PACK_CHART_HEIGHT / PACK_CHART_WIDTH
    for chart in pack.charts:
        story += [
            PageBreak(),
            Paragraph(t("exports.pack.ranking", lang, indicator=chart.title), heading),
            Paragraph(pack.subtitle, note),
            Image(io.BytesIO(chart.png), width=frame_width, height=chart_height),
        ]

    story += [PageBreak(), Paragraph(t("exports.pack.warnings", lang), heading)]
    story.append(Paragraph(pack.subtitle, note))
    story.append(Spacer(1, 0.3 * cm))
    header, rows, statuses = _warning_cells(pack)
    if rows:
        widths = [x * cm for x in (3.4, 3.2, 5.2, 3.2, 11.6)]
        story.append(_pdf_table(header, rows, statuses, widths, 0, font))
    else:
        story.append(Paragraph(t("exports.pack.no_warnings", lang), body))
    if pack.notes:
        story += [Spacer(1, 0.5 * cm), Paragraph(t("ui.quality.title", lang), heading)]
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


# --- the in-memory builders the pages call ---------------------------------------------


def pack_pptx(
    table: pd.DataFrame,
    lang: str = "zh",
    indicators: list[str] | None = None,
    *,
    catalog: Any = None,
) -> bytes:
    """The meeting pack as pptx bytes (16:9)."""
    return pptx_from_pack(build_pack(table, lang, indicators, catalog=catalog))


def pack_pdf(
    table: pd.DataFrame,
    lang: str = "zh",
    indicators: list[str] | None = None,
    *,
    catalog: Any = None,
) -> bytes:
    """The meeting pack as pdf bytes (A4 landscape)."""
    return pdf_from_pack(build_pack(table, lang, indicators, catalog=catalog))


def pack_png(
    table: pd.DataFrame,
    lang: str = "zh",
    indicators: list[str] | None = None,
    *,
    catalog: Any = None,
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


def scorecard_xlsx(table: pd.DataFrame, lang: str = "zh") -> bytes:
    """The scorecard (areas × indicators, status fills) as xlsx bytes, by the indicators layer."""
    from indicators.output import write_xlsx

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scorecard.xlsx"
        write_xlsx(table, path, lang)
        return path.read_bytes()


# --- the file export (command line) ------------------------------------------------------


def load_table(db_url: str, period: str | None, basis: str, lang: str = "zh") -> pd.DataFrame:
    """The indicator table of `period` (default: the latest with data) from the store."""
    from indicators.engine import compute
    from store import Store

    store = Store(db_url)
    try:
        periods = store.periods()
        if not periods:
            raise ExportError(t("exports.error.no_data", lang))
        period = period or periods[-1]
        if period not in periods:
            raise ExportError(t("exports.error.period", lang, period=period))
        return compute(
            store.values(), period, basis, quality=store.quality(), county=store.county()
        )
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


__all__ = [
    "ExportError",
    "FORMATS",
    "PACK_INDICATORS",
    "build_pack",
    "export_pack",
    "load_table",
    "pack_pdf",
    "pack_png",
    "pack_pptx",
    "scorecard_xlsx",
    "warning_rows",
]
