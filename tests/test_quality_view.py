"""Data-quality notes beside the figures they touch: the views, the ranking bar, the meeting pack.

One real SQLite store; one workbook (CSV, written here) in which 城关镇 reports births 10 but
boys 6 + girls 5 = 11, stored with the inconsistency accepted. 白河镇 and 东湖街道 add up.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from documents import pdf_text
from pptx import Presentation

import exports
from dashboard import figures, views
from dashboard.render import stop_renderer
from exports.pack import quality_lines
from indicators import engine
from store import Store
from zhibiao import ingest

FILE = "质量.csv"
CSV = "青川县2023年1月出生统计\n乡镇,出生人数,男,女\n城关镇,10,6,5\n白河镇,8,4,4\n东湖街道,8,4,4\n"
NOTE_ZH = "质量.csv：B3 出生人数 10 ≠ C3 男 6 + D3 女 5 = 11（城关镇）：请核对 B3、C3、D3"


@pytest.fixture(scope="module", autouse=True)
def _renderer():
    yield
    stop_renderer()


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The indicator table of 2023-01 (month) after the accepted upload."""
    tmp = tmp_path_factory.mktemp("quality")
    store = Store(f"sqlite:///{tmp / 'zhibiao.db'}")
    store.create()
    try:
        result = ingest.check(CSV.encode("utf-8"), FILE, store, accept_inconsistent=True)
        assert result.ok, [f.code for f in result.findings]
        assert result.periods == ["2023-01"] and result.bases == ["month"]
        ingest.commit(result, store, user="ana")
        return engine.compute(
            store.values(),
            "2023-01",
            "month",
            quality=store.quality(),
            county=store.county(),
        )
    finally:
        store.dispose()


def _row(table: pd.DataFrame, area: str, indicator: str) -> pd.Series:
    rows = table[(table["area"] == area) & (table["indicator"] == indicator)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_the_srb_and_births_of_chengguan_carry_the_note(table):
    srb = _row(table, "城关镇", "srb")
    births = _row(table, "城关镇", "births")
    assert srb["value"] == 120.0  # 6 boys / 5 girls × 100
    assert births["value"] == 10.0
    for row in (srb, births):
        assert len(row["quality"]) == 1
        note = row["quality"][0]
        assert [c["cell"] for c in note["cells"]] == ["B3", "C3", "D3"]
        assert views.describe_note(note, "zh") == NOTE_ZH
    for area in ("白河镇", "东湖街道"):
        assert _row(table, area, "srb")["quality"] == []
        assert _row(table, area, "births")["quality"] == []
    # the county's figures are made of 城关镇's, so they carry its note too
    assert len(_row(table, "青川县", "srb")["quality"]) == 1


def test_the_overview_marks_the_cards_the_note_touches(table):
    notes = views.card_quality(table, "zh")
    assert notes["srb"] == {"n": 1, "mark": "※ 数据质量提示 1", "notes": [NOTE_ZH]}
    assert notes["births"]["mark"] == "※ 数据质量提示 1"
    cards = {c["indicator"]: c for c in figures.overview_cards(table, "zh")}
    assert cards["srb"]["quality"] == 1
    assert cards["srb"]["quality_mark"] == "※ 数据质量提示 1"
    assert cards["births"]["quality_mark"] == "※ 数据质量提示 1"
    # fee coverage is not made of births: no note, no mark
    assert "fee_coverage" not in notes
    assert cards["fee_coverage"]["quality"] == 0 and cards["fee_coverage"]["quality_mark"] == ""
    # the birth rate is made of births too, but has no value (no population): no mark
    assert "birth_rate" not in notes and cards["birth_rate"]["quality_mark"] == ""
    assert views.card_quality(table, "en")["srb"]["mark"] == "※ Data-quality notes: 1"


def test_the_note_is_listed_once_with_its_area_indicators_and_cells(table):
    rows = views.quality_rows(table, "zh")
    assert len(rows) == 1
    row = rows[0]
    assert row["area"] == "城关镇"
    # the figures with a value it touches (birth rate needs the population: no value)
    assert row["indicators"] == ["births", "srb"]
    assert row["indicator_labels"] == "出生人数、出生人口性别比"
    assert row["text"] == NOTE_ZH
    for cell in ("B3", "C3", "D3"):
        assert cell in row["text"]
    english = views.quality_rows(table, "en")[0]
    assert english["indicator_labels"] == "Births, Sex ratio at birth"
    assert "B3" in english["text"] and "C3" in english["text"] and "D3" in english["text"]


def test_the_warnings_page_rows_follow_the_area_and_indicator_filters(table):
    assert len(views.quality_rows(table, "zh", area="城关镇")) == 1
    assert len(views.quality_rows(table, "zh", area="青川县")) == 1  # the county's figures
    assert views.quality_rows(table, "zh", area="白河镇") == []
    only_srb = views.quality_rows(table, "zh", indicator="srb")
    assert [r["indicators"] for r in only_srb] == [["srb"]]
    assert views.quality_rows(table, "zh", indicator="fee_coverage") == []
    assert views.quality_rows(table, "zh", area="白河镇", indicator="srb") == []


def test_the_scorecard_marks_the_cells_with_notes(table):
    rows, _ = views.scorecard(table, "zh")
    marked = {r["area"]: r for r in views.mark_scorecard_quality(rows, table, "zh")}
    assert (
        marked["城关镇"]["srb__text"] == "120.00 ○ ※"
    )  # grey status (too few births to judge), then the note
    assert marked["城关镇"]["srb__quality"] == 1
    assert marked["城关镇"]["srb__label"].endswith("※ 数据质量提示 1 条")
    assert marked["城关镇"]["births__text"] == "10 ※"
    assert marked["白河镇"]["srb__text"] == "100.00 ○"
    assert marked["白河镇"]["srb__quality"] == 0
    assert marked["青川县"]["srb__text"].endswith("※")
    assert marked["城关镇"]["fee_coverage__quality"] == 0
    assert marked["城关镇"]["birth_rate__quality"] == 0  # touched, but no value to mark
    assert marked["城关镇"]["birth_rate__text"] == "—"


def test_the_ranking_bar_of_chengguan_has_the_mark_and_the_count(table):
    fig = figures.ranking_bar(table, "srb", "zh")
    bar = fig.data[0]
    by_area = dict(zip(bar.y, bar.text, strict=True))
    hover = dict(zip(bar.y, bar.hovertext, strict=True))
    assert by_area["城关镇"].endswith("※")
    assert not by_area["白河镇"].endswith("※")
    assert "※ 数据质量提示 1 条" in hover["城关镇"]
    assert "数据质量提示" not in hover["白河镇"]
    drawn = next(trace for trace in fig.data if trace.name == "labels")
    assert any(text.startswith("120.00") and text.endswith("※") for text in drawn.text)


def test_the_meeting_pack_lists_the_note_after_the_warnings(table, tmp_path: Path):
    line = f"※ 城关镇(出生人数、出生人口性别比):{NOTE_ZH}"
    assert quality_lines(table, "zh") == [line]
    prs = Presentation(io.BytesIO(exports.pack_pptx(table, "zh", ["srb"])))
    titles = [s.shapes.title.text_frame.text for s in prs.slides if s.shapes.title is not None]
    texts = [
        shape.text_frame.text
        for slide in prs.slides
        for shape in slide.shapes
        if shape.has_text_frame
    ]
    # after the warnings, before the definitions that end the pack
    assert titles.index("数据质量提示") > max(i for i, t in enumerate(titles) if "预警" in t)
    assert titles.index("数据质量提示") < titles.index("指标说明")
    assert line in texts
    pdf = exports.pack_pdf(table, "zh", ["srb"])
    text = pdf_text(pdf, tmp_path)
    assert "数据质量提示" in text
    assert "B3 出生人数 10" in text and "C3 男 6" in text and "D3 女 5" in text
