"""The meeting pack fits its pages: every shape of every slide lies inside the slide, pictures
keep their shape, tables are as tall as their wrapped text; the pdf embeds every font and
carries the period and the page number on every page.

On the sample county's 2025-03 (38 warnings, long English names), in both languages.
"""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from dashboard_fixtures import sample_table
from PIL import ImageFont
from pptx import Presentation
from pptx.util import Emu

from dashboard.render import png_size, stop_renderer
from exports import pack_pdf, pack_pptx
from exports.pptx import CELL_MARGIN_X, CELL_MARGIN_Y, LINE_SPACING
from indicators.warnings import warning_rows

#: A CJK font of the system to measure text with (PowerPoint's Microsoft YaHei is as wide).
MEASURE_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


@pytest.fixture(scope="module", autouse=True)
def _renderer():
    yield
    stop_renderer()


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory):
    """The sample county's 2025-03 with its 38 watch figures made amber: the pack lists red and
    amber (watch is a count), so its warnings run over several slides and pages."""
    found = sample_table(f"sqlite:///{tmp_path_factory.mktemp('pack') / 'zhibiao.db'}")
    return found.assign(status=found["status"].replace({"watch": "amber"}))


@pytest.fixture(scope="module", params=["zh", "en"])
def deck(request, table):
    return request.param, Presentation(io.BytesIO(pack_pptx(table, request.param)))


def measured_lines(text: str, width_in: float, size: float) -> int:
    """How many lines `text` takes in a cell `width_in` inches wide at `size` points, measured
    with a real CJK font, breaking anywhere (as CJK text does)."""
    font = ImageFont.truetype(MEASURE_FONT, size=int(size * 10))
    room = (width_in * 72 - CELL_MARGIN_X) * 10
    lines = 0
    for part in text.split("\n"):
        lines += max(1, math.ceil(font.getlength(part) / room))
    return lines


def test_every_shape_of_every_slide_lies_inside_the_slide(deck):
    lang, prs = deck
    width, height = prs.slide_width, prs.slide_height
    assert (Emu(width).inches, Emu(height).inches) == (pytest.approx(13.333, abs=1e-3), 7.5)
    checked = 0
    for number, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            where = f"{lang} slide {number} {shape.name}"
            assert shape.left >= 0 and shape.top >= 0, where
            assert shape.left + shape.width <= width, where
            assert shape.top + shape.height <= height, where
            if shape.has_table:
                rows = sum(r.height for r in shape.table.rows)
                assert shape.top + rows <= height, where
            checked += 1
    assert checked >= 3 * len(prs.slides)


def test_each_ranking_picture_keeps_its_shape_and_ends_above_the_slide_edge(deck):
    lang, prs = deck
    pictures = [s for slide in prs.slides for s in slide.shapes if s.shape_type == 13]
    assert len(pictures) == 4  # srb, compliance, fee_amount_rate, birth_rate
    for picture in pictures:
        pixels = png_size(picture.image.blob)
        assert picture.width / picture.height == pytest.approx(pixels[0] / pixels[1], rel=0.01)
        bottom = Emu(picture.top + picture.height).inches
        assert bottom <= 7.5 - 0.3, (lang, bottom)  # was 7.82 on a 7.5 slide
        assert Emu(picture.width).inches >= 11.5  # as wide as the room allows


def test_every_table_row_is_as_tall_as_its_wrapped_text(deck):
    lang, prs = deck
    tables = [s.table for slide in prs.slides for s in slide.shapes if s.has_table]
    assert len(tables) >= 3  # the overview and at least two slides of warnings
    for table in tables:
        widths = [Emu(c.width).inches for c in table.columns]
        for row in table.rows:
            needed = 0.0
            for cell, width in zip(row.cells, widths, strict=True):
                size = cell.text_frame.paragraphs[0].runs[0].font.size.pt
                lines = measured_lines(cell.text, width, size)
                needed = max(needed, (lines * size * LINE_SPACING + CELL_MARGIN_Y) / 72)
            assert Emu(row.height).inches >= needed - 0.01, (lang, [c.text for c in row.cells])


def test_the_warnings_continue_over_slides_and_none_is_lost(deck, table):
    lang, prs = deck
    texts = []
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_table and shape.table.cell(0, 0).text in ("状态", "Status"):
                texts += [shape.table.cell(i, 4).text for i in range(1, len(shape.table.rows))]
    flagged = table[table["status"].isin(["red", "amber", "watch"])]
    assert len(texts) == len(flagged) == 38
    assert texts == [w["reason"] for w in warning_rows(table, lang)]


# --- pdf ----------------------------------------------------------------------------------------


def _pdf_tool(name: str, path: Path, *args: str) -> str:
    tool = shutil.which(name)
    assert tool, f"{name} (poppler-utils) is needed: scripts/system-deps.sh"
    after = ["-"] if name == "pdftotext" else []
    return subprocess.run([tool, *args, str(path), *after], capture_output=True, text=True).stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_pdf_embeds_every_font_and_numbers_every_page(table, tmp_path, lang):
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack_pdf(table, lang))
    fonts = _pdf_tool("pdffonts", path).splitlines()[2:]
    assert len(fonts) >= 1
    for line in fonts:
        name, emb, sub = line.split()[0], line.split()[-5], line.split()[-4]
        assert (emb, sub) == ("yes", "yes"), line  # embedded, as a subset
        assert re.match(r"^[A-Z]{6}\+", name), line
    pages = int(re.search(r"^Pages:\s+(\d+)$", _pdf_tool("pdfinfo", path), re.M).group(1))
    assert pages >= 6  # page 1, four rankings, the warnings
    period = "2025年3月(累计)" if lang == "zh" else "2025-03 (year to date)"
    for n in range(1, pages + 1):
        text = _pdf_tool("pdftotext", path, "-layout", "-f", str(n), "-l", str(n))
        last = [line for line in text.splitlines() if line.strip()][-1]
        number = f"第 {n} 页 / 共 {pages} 页" if lang == "zh" else f"Page {n} of {pages}"
        # pdftotext drops the spaces between Chinese and digits: compare without spaces
        assert period in last and last.replace(" ", "").endswith(number.replace(" ", "")), last


def test_page_one_holds_the_overview_and_the_most_serious_warnings(table, tmp_path):
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack_pdf(table, "zh"))
    first = _pdf_tool("pdftotext", path, "-layout", "-f", "1", "-l", "1")
    assert "全县主要指标" in first and "出生人数" in first and "874人" in first
    assert "最需要注意的 5 项(显著异常 0 项,需关注 38 项,待观察 0 项)" in first
    assert first.count("▲ 需关注") >= 5  # the five most serious
    assert "1.98‰" in first  # the per mille sign from the Latin font, not a box
