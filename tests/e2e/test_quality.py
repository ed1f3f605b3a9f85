"""An analyst stores a workbook with an accepted inconsistency; the pages show the note.

The server of `conftest.server` (the sample county, 2024-01..03 and 2025-01..03); the file
adds 2023-01 (month), where no stored month comes before it, so the only finding is 城关镇's
births 10 ≠ boys 6 + girls 5.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e.conftest import login, shot
from store import Store

pytestmark = pytest.mark.browser

FILE = "青川县2023年1月质量.csv"
CSV = "青川县2023年1月出生统计\n乡镇,出生人数,男,女\n城关镇,10,6,5\n白河镇,8,4,4\n东湖街道,8,4,4\n"
NOTE = f"{FILE}：B3 出生人数 10 ≠ C3 男 6 + D3 女 5 = 11（城关镇）：请核对 B3、C3、D3"
VIEW = "?period=2023-01&basis=month"


def test_an_accepted_inconsistency_is_shown_beside_the_figures(browser, server, tmp_path: Path):
    path = tmp_path / FILE
    path.write_text(CSV, encoding="utf-8")
    analyst = login(browser, server, "ana")
    try:
        analyst.goto(server.base + "/upload")
        analyst.wait_for_selector("#upload-file")
        analyst.set_input_files("#upload-file input[type=file]", str(path))
        analyst.wait_for_selector("#upload-errors", timeout=60_000)
        assert analyst.locator("#upload-errors li").all_inner_texts() == [NOTE]
        analyst.locator("#upload-accept").check()
        analyst.wait_for_selector("#upload-confirm:not([disabled])")
        analyst.click("#upload-confirm")
        analyst.wait_for_selector("#upload-outcome", timeout=60_000)
        assert analyst.locator("#upload-outcome").inner_text().startswith("已保存")
        store = Store(server.db_url)
        try:
            assert store.uploads()[0]["accepted_inconsistent"] is True
            assert "2023-01" in store.periods()
        finally:
            store.dispose()

        analyst.goto(server.base + "/" + VIEW)
        analyst.wait_for_selector("#overview-quality", timeout=60_000)
        rows = analyst.locator("#overview-quality tbody tr").all_inner_texts()
        assert len(rows) == 1
        assert "城关镇" in rows[0] and "出生人口性别比" in rows[0] and NOTE in rows[0]
        assert analyst.locator("#card-quality-srb summary").inner_text() == "※ 数据质量提示 1"
        assert analyst.locator("#card-quality-births summary").inner_text() == "※ 数据质量提示 1"
        assert analyst.locator("#card-quality-fee_coverage").count() == 0
        assert analyst.locator("#card-quality-birth_rate").count() == 0  # no value, no mark
        analyst.click("#card-quality-srb summary")
        assert analyst.locator("#card-quality-srb li").inner_text() == NOTE
        shot(analyst, "quality-overview", full_page=True)

        analyst.goto(server.base + "/warnings" + VIEW)
        analyst.wait_for_selector("#warnings-quality", timeout=60_000)
        rows = analyst.locator("#warnings-quality tbody tr").all_inner_texts()
        assert len(rows) == 1 and NOTE in rows[0]
        assert analyst.locator("#quality-count").inner_text() == "共 1 条"
        shot(analyst, "quality-warnings", full_page=True)

        analyst.goto(server.base + "/warnings" + VIEW + "&area=白河镇")
        analyst.wait_for_selector("#warnings-quality-empty", timeout=60_000)
        assert analyst.locator("#quality-count").inner_text() == "共 0 条"

        analyst.goto(server.base + "/rankings" + VIEW + "&indicator=srb")
        analyst.wait_for_selector("#ranking-chart .main-svg", timeout=60_000)
        analyst.wait_for_selector("#scorecard .ag-cell", timeout=60_000)
        texts = analyst.locator("#ranking-chart .annotation-text, #ranking-chart .bartext")
        labels = [texts.nth(i).text_content() for i in range(texts.count())]
        assert "120.00  ○ 不评价 ※" in labels
        assert "100.00  ○ 不评价" in labels
        cells = analyst.locator("#scorecard .ag-row .ag-cell[col-id=srb]").all_inner_texts()
        assert "120.00 ○ ※" in cells and "100.00 ○" in cells
        shot(analyst, "quality-rankings", full_page=True)

        analyst.goto(server.base + "/area" + VIEW + "&area=城关镇")
        analyst.wait_for_selector("#area-quality", timeout=60_000)
        assert NOTE in analyst.locator("#area-quality").inner_text()
        shot(analyst, "quality-area", full_page=True)
        analyst.goto(server.base + "/area" + VIEW + "&area=白河镇")
        analyst.wait_for_selector("#area-quality-none", state="attached", timeout=60_000)
        assert analyst.locator("#area-quality").count() == 0
    finally:
        analyst.context.close()
