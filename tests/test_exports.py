"""The meeting exports (exports/): pptx, pdf, chart PNGs, scorecard xlsx, and the
file export from a real store, on hand-made tables and values."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import zipfile

import openpyxl
import pandas as pd
import pytest
from documents import pdf_text
from figure_table import CATALOG, indicator_table
from pptx import Presentation
from pptx.util import Emu

from dashboard.render import png_size, stop_renderer
from exports import (
    ExportError,
    build_pack,
    export_pack,
    pack_pdf,
    pack_png,
    pack_pptx,
    scorecard_xlsx,
)
from indicators.warnings import warning_counts, warning_rows
from loaders.types import VALUE_COLUMNS, LoadResult
from store import Store
from zhibiao.vocabulary import WARNING_STATUSES

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module", autouse=True)
def _renderer():
    yield
    stop_renderer()


def _slide_texts(slide) -> list[str]:
    texts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            texts.append(shape.text_frame.text)
        if shape.has_table:
            texts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return texts


# --- the warnings table ------------------------------------------------------------------


def test_warnings_worst_first_with_reasons_in_words():
    # 4 red, 5 amber, 3 watch in figure_table.py: by default the list is red and amber (the
    # significant ones); watch items are a count, listed only when asked for
    rows = warning_rows(indicator_table(), "zh", catalog=CATALOG)
    assert [r["status"] for r in rows] == ["red"] * 4 + ["amber"] * 5
    assert warning_counts(indicator_table()) == {"red": 4, "amber": 5, "watch": 3}
    every = warning_rows(indicator_table(), "zh", catalog=CATALOG, statuses=WARNING_STATUSES)
    assert [r["status"] for r in every] == ["red"] * 4 + ["amber"] * 5 + ["watch"] * 3
    first = rows[0]
    assert (first["area"], first["indicator_name"], first["value"]) == (
        "八字桥乡",
        "出生人口性别比",
        "212.00",
    )
    assert first["reason"] == "八字桥乡 出生人口性别比 212.00(95%区间 132–340),高于正常上限 107"
    assert first["status_text"] == "▲▲ 显著异常"
    low = next(r for r in rows if r["area"] == "梅仙镇" and r["indicator"] == "srb")
    assert low["reason"].endswith("低于正常下限 103,请核查数据")
    fee = next(r for r in rows if r["area"] == "新阳镇")
    assert fee["value"] == "40.00%" and fee["reason"].endswith("低于警戒线 50")


# --- pptx --------------------------------------------------------------------------------


def test_pptx_is_16_9_with_titles_a_picture_per_ranking_and_the_warnings():
    data = pack_pptx(indicator_table(), "zh", catalog=CATALOG)
    prs = Presentation(io.BytesIO(data))
    assert (Emu(prs.slide_width).inches, Emu(prs.slide_height).inches) == (
        pytest.approx(13.333, abs=0.001),
        pytest.approx(7.5),
    )
    titles = [slide.shapes.title.text for slide in prs.slides]
    assert titles == [
        "尤溪县乡镇指标",
        "全县主要指标",
        "出生人口性别比(女=100) 排名",
        "政策符合率(%) 排名",
        "社会抚养费征收额(到位率)(%) 排名",
        "预警:显著异常、需关注",
        "指标说明",
    ]
    pictures = [[shape for shape in slide.shapes if shape.shape_type == 13] for slide in prs.slides]
    assert [len(p) for p in pictures] == [0, 0, 1, 1, 1, 0, 0]
    assert pictures[2][0].image.blob.startswith(PNG)
    overview = _slide_texts(prs.slides[1])
    assert "112.50" in overview and "▲ 需关注" in overview and "88.40%" in overview
    # red and amber on one slide (9 rows); the 3 watch items are one line, not a table
    warnings = _slide_texts(prs.slides[5])
    assert warnings.count("▲▲ 显著异常") == 4 and warnings.count("△ 待观察") == 0
    assert (
        "另有待观察 3 项(数值在限值不利一侧,但差异不显著),未逐项列出,见仪表盘预警页。" in warnings
    )
    assert "八字桥乡 出生人口性别比 212.00(95%区间 132–340),高于正常上限 107" in warnings
    title_run = prs.slides[1].shapes.title.text_frame.paragraphs[0].runs[0]
    assert title_run.font.name == "Microsoft YaHei"
    assert 'typeface="Microsoft YaHei"' in title_run._r.xml and "<a:ea" in title_run._r.xml


def test_pptx_with_chosen_indicator_and_english():
    data = pack_pptx(indicator_table(), "en", ["compliance"], catalog=CATALOG)
    prs = Presentation(io.BytesIO(data))
    titles = [slide.shapes.title.text for slide in prs.slides]
    assert titles[2] == "Policy compliance (%): ranking"
    # cover, overview, one ranking, two slides of warnings, two of definitions
    assert titles[3:] == [
        "Warnings: significant, needs attention",
        "Warnings (continued)",
        "Indicator definitions",
        "Indicator definitions (continued)",
    ]


def test_unknown_indicator_is_refused_in_words():
    with pytest.raises(ExportError, match="未知的指标:nope"):
        build_pack(indicator_table(), "zh", ["nope"], catalog=CATALOG)


# --- pdf ---------------------------------------------------------------------------------


def test_pdf_has_the_chinese_text_and_the_charts(tmp_path):
    data = pack_pdf(indicator_table(), "zh", catalog=CATALOG)
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path, "-layout")
    assert "尤溪县乡镇指标" in text
    assert "八字桥乡" in text
    assert "全县主要指标" in text
    assert "高于正常上限 107" in text
    # four warnings, the legend, and the same four among page 1's most serious
    assert text.count("▲▲ 显著异常") == 4 + 1 + 4
    assert data.count(b"/Subtype /Image") >= 3  # one chart a ranking
    pages = subprocess.run(
        ["pdfinfo", str(tmp_path / "pack.pdf")], capture_output=True, text=True, check=True
    ).stdout
    # page 1 (overview, most serious warnings), three rankings, the warnings, the definitions
    assert re.search(r"^Pages:\s+6$", pages, re.M)
    assert re.search(r"^Page size:\s+841.89 x 595.276 pts \(A4\)$", pages, re.M)  # landscape


# --- png ---------------------------------------------------------------------------------


def test_png_zip_of_the_rankings_or_one_png():
    table = indicator_table()
    data = pack_png(table, "zh", catalog=CATALOG)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == ["01-srb.png", "02-compliance.png", "03-fee_amount_rate.png"]
        first = archive.read(names[0])
    assert first.startswith(PNG) and png_size(first) == (3200, 1800)
    one = pack_png(table, "zh", ["srb"], catalog=CATALOG)
    assert one.startswith(PNG) and png_size(one) == (3200, 1800)


# --- xlsx --------------------------------------------------------------------------------


def test_scorecard_xlsx_has_status_fills():
    data = scorecard_xlsx(indicator_table(), "zh")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    by_area = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}
    assert list(by_area) == ["尤溪县", "城关镇", "八字桥乡", "西城镇", "梅仙镇", "新阳镇", "台溪乡"]
    header = [cell.value for cell in sheet[1]]
    status_columns = [i + 1 for i, name in enumerate(header) if name and name.endswith("状态")]
    assert len(status_columns) == 3

    def fills(area: str) -> list[str]:
        row = by_area[area]
        cells = [sheet.cell(row, c) for c in status_columns]
        assert all(cell.fill.fill_type == "solid" for cell in cells)
        return [cell.fill.fgColor.rgb for cell in cells]

    red = fills("八字桥乡")  # red on all three indicators
    green = fills("城关镇")  # green on all three
    assert [sheet.cell(by_area["八字桥乡"], c).value for c in status_columns] == ["显著异常"] * 3
    assert len(set(red)) == 1 and len(set(green)) == 1 and red[0] != green[0]
    assert fills("新阳镇")[2] == red[0]  # 新阳镇's fee rate is red too


# --- the file export from a real store -----------------------------------------------------


def _load_result(period: str, rows: dict[str, dict[str, float]]) -> LoadResult:
    records = []
    for i, (area, fields) in enumerate(rows.items()):
        for j, (name, value) in enumerate(fields.items()):
            records.append(
                {
                    "area": area,
                    "is_total": False,
                    "period": period,
                    "basis": "ytd",
                    "field": name,
                    "value": value,
                    "sheet": "Sheet1",
                    "cell": f"{'BCDEFGHIJK'[j]}{i + 4}",
                    "row": i + 4,
                }
            )
    values = pd.DataFrame(records, columns=VALUE_COLUMNS)
    digest = hashlib.sha256(period.encode()).hexdigest()
    return LoadResult(
        file=f"{period}.xlsx",
        sha256=digest,
        values=values,
        findings=[],
        county="尤溪县",
        kind="xlsx",
        periods=[period],
        bases=["ytd"],
        fields=sorted({r["field"] for r in records}),
    )


AREA_FIELDS = {
    "城关镇": {"births_male": 104, "births_female": 100, "out_of_policy": 4, "population": 50000},
    "八字桥乡": {
        "births_male": 212,
        "births_female": 100,
        "out_of_policy": 60,
        "population": 30000,
    },
    "梅仙镇": {"births_male": 105, "births_female": 100, "out_of_policy": 10, "population": 20000},
}


def test_export_pack_from_the_store(db_url, tmp_path):
    store = Store(db_url)
    store.create()
    store.save_upload(_load_result("2024-06", AREA_FIELDS), user="analyst")
    store.dispose()

    [pdf] = export_pack(db_url, None, "ytd", "pdf", tmp_path, "zh", ["srb"])
    assert pdf.name == "指标-2024-06-ytd.pdf"
    text = pdf_text(pdf.read_bytes(), tmp_path, "-layout")
    assert "尤溪县乡镇指标" in text and "八字桥乡" in text
    assert "212.00" in text  # 212 boys per 100 girls, red

    [pptx] = export_pack(db_url, "2024-06", "ytd", "pptx", tmp_path / "pack.pptx", "zh", ["srb"])
    titles = [s.shapes.title.text for s in Presentation(str(pptx)).slides]
    assert titles[:3] == ["尤溪县乡镇指标", "全县主要指标", "出生人口性别比(女=100) 排名"]

    with pytest.raises(ExportError, match="没有 2023-01 的数据"):
        export_pack(db_url, "2023-01", "ytd", "pdf", tmp_path, "zh")
    with pytest.raises(ExportError, match="不支持的导出格式:doc"):
        export_pack(db_url, None, "ytd", "doc", tmp_path, "zh")
