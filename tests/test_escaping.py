"""Township names with markup (`<b>`, `<a href=…>`, `<br>`) are text in every output: the PDF
pack builds (reportlab reads markup), the charts show them literally (plotly reads markup in
titles, labels, hovers and annotations), the pptx and the xlsx hold them as typed."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from documents import pdf_text
from figure_table import CATALOG, indicator_table
from pptx import Presentation

from dashboard.figures import area_charts, funnel_figure, ranking_bar
from dashboard.render import stop_renderer
from exports import build_pack, pack_pdf, pack_pptx, scorecard_xlsx

BOLD = "<b>甲</b>镇"
LINK = '<a href="http://x.example/">乙</a>镇'
BREAK = "丙<br>镇"
#: How plotly is given them: entities, which it shows as the characters.
BOLD_SHOWN = "&lt;b&gt;甲&lt;/b&gt;镇"
RENAMED = {"八字桥乡": BOLD, "梅仙镇": LINK, "西城镇": BREAK}


@pytest.fixture(scope="module", autouse=True)
def _renderer():
    yield
    stop_renderer()


def marked_table() -> pd.DataFrame:
    """The hand-made table with three townships renamed with markup (八字桥乡 is red)."""
    table = indicator_table()
    return table.assign(area=[RENAMED.get(a, a) for a in table["area"]])


def strings(value: Any) -> list[str]:
    """Every string in a figure's JSON tree."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings(v)]
    return []


def assert_no_markup_from_names(fig) -> list[str]:
    texts = strings(fig if isinstance(fig, dict) else fig.to_plotly_json())
    for raw in (BOLD, LINK, BREAK, "<a href", "<b>甲", "丙<br>"):
        assert not [s for s in texts if raw in s], raw
    return texts


def test_the_ranking_chart_shows_the_names_literally():
    fig = ranking_bar(marked_table(), "srb", "zh", catalog=CATALOG)
    texts = assert_no_markup_from_names(fig)
    bars = fig.data[0]
    assert BOLD_SHOWN in list(bars.y)
    assert '&lt;a href="http://x.example/"&gt;乙&lt;/a&gt;镇' in list(bars.y)
    assert "丙&lt;br&gt;镇" in list(bars.y)
    # the hover keeps its own bold name line, around the plain name
    assert any(s.startswith(f"<b>{BOLD_SHOWN}</b>") for s in bars.hovertext)
    # the tick labels (rank and name) too
    assert f"5  {BOLD_SHOWN}" in texts


def test_the_funnel_and_trend_charts_show_the_names_literally():
    points = pd.DataFrame(
        {
            "area": ["城关镇", BOLD, BREAK],
            "value": [98.0, 72.0, 85.0],
            "denominator": [500.0, 100.0, 100.0],
            "status": ["green", "red", "watch"],
        }
    )
    funnel = funnel_figure({"centre": 88.4, "points": points}, "compliance", "zh", catalog=CATALOG)
    assert_no_markup_from_names(funnel)
    red = next(trace for trace in funnel.data if trace.name == "▲▲ 显著异常")
    assert list(red.text) == [BOLD_SHOWN]
    lines = {"srb": {"this": {1: 104.0, 2: 110.0}, "last": {1: 101.0}, "county": {1: 105.0}}}
    months = [f"{m}月" for m in range(1, 13)]
    years = {"this": "2025年", "last": "2024年"}
    trend = area_charts(lines, LINK, "zh", catalog=CATALOG, month_labels=months, year_labels=years)
    assert_no_markup_from_names(trend)
    title = trend["layout"]["title"]["text"]
    assert title.startswith('&lt;a href="http://x.example/"&gt;乙&lt;/a&gt;镇 逐月走势')


def test_the_pdf_pack_builds_and_prints_the_names_as_typed(tmp_path: Path):
    data = pack_pdf(marked_table(), "zh", catalog=CATALOG)
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path, "-raw")
    # 八字桥乡 (now <b>甲</b>镇) is red on all three indicators: three warning rows, each
    # naming it in the area column and in its reason, on page 1 (the most serious) and in the
    # warnings
    assert text.count(BOLD) == 2 * 6
    assert "▲▲ 显著异常 <b>甲</b>镇 政策符合率 72.00% <b>甲</b>镇 政策符合率 72.00" in text
    assert "&lt;" not in text


def test_the_pptx_and_xlsx_hold_the_names_as_typed():
    table = marked_table()
    deck = Presentation(io.BytesIO(pack_pptx(table, "zh", catalog=CATALOG)))
    texts = [
        cell.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
        for cell in row.cells
    ]
    assert texts.count(BOLD) == 3
    assert not [t for t in texts if "&lt;" in t]
    pack = build_pack(table, "zh", catalog=CATALOG)
    assert [c.title for c in pack.charts][0].startswith("出生人口性别比")
    sheet = openpyxl.load_workbook(io.BytesIO(scorecard_xlsx(table, "zh"))).active
    names = [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)]
    assert names == ["尤溪县", "城关镇", BOLD, BREAK, LINK, "新阳镇", "台溪乡"]
