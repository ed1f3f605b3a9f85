"""Each indicator's definition from data/indicators.toml: formula in words, unit, limits and their
source, the interval's and the status's method; on the pages (panel and hover) and as the
pack's last page."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from dashboard_fixtures import app_config, filled_store, log_in, page_body, post_callback
from pptx import Presentation

from dashboard.app import create_app
from dashboard.definitions import definition, definition_text, formula_words
from dashboard.render import stop_renderer
from exports import pack_pdf, pack_pptx
from indicators.catalog import load_catalog
from zhibiao.tables import indicator_table

CATALOG = load_catalog()


@pytest.fixture(scope="module", autouse=True)
def _renderer():
    yield
    stop_renderer()


def test_formulas_name_their_fields():
    assert (
        formula_words(CATALOG.get("compliance"), "zh") == "(出生人数 − 政策外出生) ÷ 出生人数 × 100"
    )
    assert formula_words(CATALOG.get("srb"), "en") == "Births, boys ÷ Births, girls × 100"
    assert formula_words(CATALOG.get("births"), "zh") == "出生人数"


def test_a_definition_has_limits_their_source_and_the_methods():
    srb = definition("srb", "zh", CATALOG)
    assert srb["limits"] == "正常范围 103–107(参考值 105)".replace("(", "（").replace(")", "）")
    assert srb["source"] == "通常引用的联合国标准：出生性别比正常范围 103–107"
    assert srb["interval"].startswith("男孩比例的精确二项（Clopper–Pearson） 95% 与 99.8% 区间")
    assert srb["status"].endswith("；出生人数少于 20 时不评价")
    fees = definition("fee_amount_rate", "en", CATALOG)
    assert fees["limits"] == "green line 70, red line 50"
    assert fees["source"].startswith("Set by the county")
    assert fees["interval"].endswith("; the sample is Fee: persons due")
    assert definition("birth_rate", "en", CATALOG)["interval"].startswith("Byars' Poisson")
    births = definition("births", "zh", CATALOG)
    assert (births["limits"], births["source"], births["status"]) == ("", "", "不评价状态")
    text = definition_text("compliance", "zh", CATALOG).splitlines()
    assert text[:3] == [
        "政策符合率",
        "计算方法：(出生人数 − 政策外出生) ÷ 出生人数 × 100",
        "单位：%",
    ]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("definitions")
    url = f"sqlite:///{tmp / 'zhibiao.db'}"
    store = filled_store(url)
    table = indicator_table(store, "2025-03", "ytd")
    store.dispose()
    client = create_app(app_config(Path(tmp), url)).server.test_client()
    log_in(client, "vic")
    return client, table


def _render(client, path: str, search: str) -> str:
    return json.dumps(post_callback(client, page_body(path, search)).json, ensure_ascii=False)


def test_every_page_that_shows_an_indicator_explains_it(sample):
    client, _ = sample
    rankings = _render(client, "/rankings", "?period=2025-03&indicator=compliance")
    assert '"id": "definition-compliance"' in rankings
    assert "计算方法" in rankings and "(出生人数 − 政策外出生) ÷ 出生人数 × 100" in rankings
    funnel = _render(client, "/funnel", "?period=2025-03&indicator=srb")
    assert '"id": "definition-srb"' in funnel
    hover = json.dumps(definition_text("srb", "zh", CATALOG), ensure_ascii=False)
    area = _render(client, "/area", "?period=2025-03&area=白河镇")
    assert f'"title": {hover}' in area  # on the indicator's name in the township's table
    overview = _render(client, "/", "?period=2025-03")
    assert f'"title": {hover}' in overview  # on the card's label
    warnings = _render(client, "/warnings", "?period=2025-03&indicator=srb&watch=1")
    assert f'"title": {hover}' in warnings


def test_the_pack_ends_with_the_definitions(sample, tmp_path):
    _, table = sample
    prs = Presentation(io.BytesIO(pack_pptx(table, "zh")))
    last = prs.slides[len(prs.slides) - 1]
    assert last.shapes.title.text in ("指标说明", "指标说明（续）")
    tables = [s.table for slide in prs.slides for s in slide.shapes if s.has_table]
    defs = [tb for tb in tables if tb.cell(0, 1).text == "计算方法"]
    names = [tb.cell(i, 0).text for tb in defs for i in range(1, len(tb.rows))]
    # the overview's nine indicators, then the rankings' (srb, compliance already among them)
    assert names[:3] == ["出生人数", "出生率", "出生人口性别比"] and len(names) == 9
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(pack_pdf(table, "zh"))
    pages = subprocess.run(
        [shutil.which("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    n = int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")))
    text = subprocess.run(
        [shutil.which("pdftotext"), "-f", str(n - 1), "-l", str(n), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "指标说明" in text and "政策符合率" in text and "Clopper" in text
