"""The app factory, the page logic (views.py) and every page, on a real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from dashboard_fixtures import app_config, csrf, empty_app, filled_store, log_in
from dashboard_fixtures import render_page as render

from dashboard import layout, views
from dashboard.app import content_disposition, create_app, request_cap
from indicators import engine
from indicators.warnings import warning_counts, warning_rows
from loaders import load
from store import Store
from zhibiao.i18n import catalog
from zhibiao.vocabulary import WARNING_STATUSES

PERIODS = ["2024-01", "2024-02", "2024-03", "2025-01", "2025-02", "2025-03"]
#: A CSV with one refusing error (a negative count) and three consistency errors.
BAD_CSV = (
    "青川县2025年1-4月出生统计\n乡镇,出生人数,男,女\n城关镇,10,6,5\n白河镇,-3,0,0\n"
    "东湖街道,8,4,4\n合计,15,10,9\n"
)


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("app")
    url = f"sqlite:///{tmp / 'zhibiao.db'}"
    store = filled_store(url)
    table = engine.compute(
        store.values(), "2025-03", "ytd", quality=store.quality(), county=store.county()
    )
    store.dispose()
    app = create_app(app_config(tmp, url))
    client = app.server.test_client()
    log_in(client, "ana")
    return app, client, table, tmp, url


# --- views: the URL -----------------------------------------------------------------------------


def test_without_a_period_the_latest_with_data():
    q = views.resolve_query({}, PERIODS, ["srb", "births"], ["城关镇"])
    assert (q.period, q.basis, q.indicator, q.area, q.lang, q.present) == (
        "2025-03",
        "ytd",
        "srb",
        "城关镇",
        "zh",
        False,
    )


def test_unknown_values_fall_back_and_known_ones_are_kept():
    args = {"period": "2031-13", "basis": "week", "indicator": "nope", "area": "x", "lang": "fr"}
    q = views.resolve_query(
        args, PERIODS, ["srb", "births"], ["城关镇", "白河镇"], default_indicator="births"
    )
    assert (q.period, q.basis, q.indicator, q.area, q.lang) == (
        "2025-03",
        "ytd",
        "births",
        "城关镇",
        "zh",
    )
    args = {
        "period": "2024-02",
        "basis": "month",
        "indicator": "srb",
        "area": "白河镇",
        "lang": "en",
        "present": "1",
    }
    q = views.resolve_query(args, PERIODS, ["srb", "births"], ["城关镇", "白河镇"])
    assert (q.period, q.basis, q.indicator, q.area, q.lang, q.present) == (
        "2024-02",
        "month",
        "srb",
        "白河镇",
        "en",
        True,
    )


def test_an_empty_store_has_no_period():
    assert views.resolve_query({"period": "2025-03"}, []).period is None


def test_with_query_keeps_order_and_drops_empty_values():
    assert layout.with_query("?lang=en&period=2025-01", indicator="srb", period="2025-03") == (
        "?period=2025-03&indicator=srb&lang=en"
    )
    assert layout.with_query("?period=2025-01&area=城关镇", area=None) == "?period=2025-01"
    assert layout.with_query("", area="") == ""
    assert (
        layout.carried_query("?period=2025-01&indicator=srb&lang=en") == "?period=2025-01&lang=en"
    )


# --- views: the indicator table ----------------------------------------------------------------


def test_warnings_come_worst_first_with_reasons(filled):
    _, _, table, _, _ = filled
    # counted by hand from the table: no figure differs significantly from its limit (0 red,
    # 0 amber; the 5 amber of the old Wilson rule, 青川县 多孩政策符合率 84.17 among them, are
    # not significant by the exact test: 101/120, P(X ≤ 101 | 120, 0.9) > 2.5%); 38 watch
    assert warning_counts(table) == {"red": 0, "amber": 0, "watch": 38}
    assert warning_rows(table, "zh") == []  # by default only red and amber are listed
    rows = warning_rows(table, "zh", statuses=WARNING_STATUSES)
    assert len(rows) == 38 and {r["status"] for r in rows} == {"watch"}
    assert (rows[0]["area"], rows[0]["indicator"]) == ("青川县", "srb")
    assert rows[0]["reason"] == (
        "青川县 出生人口性别比 108.59(95%区间 95–124),高于正常上限 107,但95%区间包含正常范围"
    )
    assert rows[0]["status_text"] == "△ 待观察"
    low = next(r for r in rows if r["indicator"] == "compliance_order3" and r["is_total"])
    assert (
        low["reason"]
        == "青川县 多孩政策符合率 84.17(95%区间 76.4–90.2),低于目标 90,但95%区间达到目标"
    )
    only = warning_rows(
        table, "zh", area="双河乡", indicator="fee_coverage", statuses=WARNING_STATUSES
    )
    assert [(r["area"], r["value"]) for r in only] == [("双河乡", "80.00%")]


def test_scorecard_has_the_county_then_areas_by_composite_rank(filled):
    _, _, table, _, _ = filled
    rows, columns = views.scorecard(table, "zh")
    assert len(rows) == 16
    assert (rows[0]["area"], rows[0]["rank"]) == ("青川县", None)
    assert [r["rank"] for r in rows[1:6]] == [1, 2, 3, 4, 5]
    assert rows[0]["births"] == 874.0
    assert rows[0]["births__text"] == "874"
    assert rows[0]["srb__text"] == "108.59 △"
    assert rows[0]["srb__status"] == "watch"
    # the composite score with its 95% interval from the rank draws; in the sample county no
    # township can be told apart from the next (≈)
    assert rows[1]["composite__text"] == "83.0 ≈"
    assert rows[1]["composite__tip"] == (
        "综合得分95%区间 33.9–83.7,排名区间 第1–13名;≈ 与下一名差异不显著"
    )
    assert rows[0]["composite__text"] == "" and rows[0]["composite__tip"] == ""
    assert [c["field"] for c in columns[:4]] == ["rank", "area", "composite", "births"]
    assert len(columns) == 3 + 19


def test_cell_rules_test_null_before_comparing():
    rules = views.status_class_rules("srb")
    assert rules["status-red"] == (
        "params.data != null && params.data['srb__status'] != null && "
        "params.data['srb__status'] === 'red'"
    )
    assert sorted(rules) == [
        "status-amber",
        "status-green",
        "status-grey",
        "status-red",
        "status-watch",
    ]


def test_upload_preview_names_every_cell_of_a_bad_file():
    result = load(BAD_CSV.encode("utf-8"), "bad.csv")
    preview = views.upload_preview(result, "zh")
    assert preview["periods"] == ["2025-04"]
    assert preview["areas"] == ["城关镇", "白河镇", "东湖街道"]
    assert preview["errors"][0] == (
        "bad.csv：B4 出生人数 -3：白河镇的“出生人数”为负数，人数和金额不能为负，已拒收。"
    )
    assert (
        preview["errors"][1]
        == "bad.csv：B3 出生人数 10 ≠ C3 男 6 + D3 女 5 = 11（城关镇）：请核对 B3、C3、D3"
    )
    assert len(preview["errors"]) == 4
    assert (preview["can_store"], preview["needs_accept"]) == (False, False)


def test_upload_preview_names_fields_by_their_label_in_the_users_language():
    result = load(BAD_CSV.encode("utf-8"), "bad.csv")
    assert list(result.fields) == ["births", "births_male", "births_female"]
    zh = views.upload_preview(result, "zh")
    en = views.upload_preview(result, "en")
    assert zh["fields"] == ["出生人数", "出生男", "出生女"]
    assert en["fields"] == ["Births", "Births, boys", "Births, girls"]
    assert zh["field_keys"] == ["births", "births_male", "births_female"]
    assert views.field_label("no_such_field", "en") == "no_such_field"


def test_only_acceptable_errors_ask_for_the_accept_step():
    csv = BAD_CSV.replace("白河镇,-3,0,0\n", "").replace("合计,15,10,9", "合计,18,10,9")
    preview = views.upload_preview(load(csv.encode("utf-8"), "acc.csv"), "en")
    assert len(preview["errors"]) == 2
    assert (preview["can_store"], preview["needs_accept"]) == (False, True)
    accepted = load(csv.encode("utf-8"), "acc.csv", accept_inconsistent=True)
    assert views.upload_preview(accepted, "en")["can_store"] is True


def test_history_rows_and_revisions(filled):
    app, _, _, _, _ = filled
    uploads = app.server.extensions["zhibiao"].store.uploads()
    rows = views.history_rows(uploads, "zh")
    assert [(r["id"], r["user"], r["periods"]) for r in rows] == [
        (2, "ana", "2025-01、2025-02、2025-03"),
        (1, "ana", "2024-01、2024-02、2024-03"),
    ]
    assert views.revision_of(uploads, "2025-02") == 1
    assert views.revision_of(uploads, "2025-04") == 0


# --- the factory --------------------------------------------------------------------------------


def test_a_secret_is_made_once_in_the_database_and_shared(db_url: str, tmp_path: Path, monkeypatch):
    monkeypatch.delenv("ZHIBIAO_SECRET_KEY", raising=False)
    first = create_app({"db_url": db_url, "cache_dir": str(tmp_path / "c1")})
    second = create_app({"db_url": db_url, "cache_dir": str(tmp_path / "c2")})
    with Store(db_url) as store:
        secret = store.secret("session")
    assert len(secret) == 64
    assert first.server.secret_key == second.server.secret_key == secret
    monkeypatch.setenv("ZHIBIAO_SECRET_KEY", "from-the-environment")
    assert create_app({"db_url": db_url}).server.secret_key == "from-the-environment"


def test_request_cap_fits_a_base64_upload_of_the_largest_file(tmp_path: Path):
    app = create_app({"db_url": f"sqlite:///{tmp_path / 'z.db'}", "max_upload_bytes": 3_000_000})
    assert request_cap(3_000_000) == 4_000_000 + 1024 * 1024
    assert app.server.config["MAX_CONTENT_LENGTH"] == 4_000_000 + 1024 * 1024
    assert app.config.serve_locally is True


def test_nothing_from_a_cdn(filled):
    _, client, _, _, _ = filled
    index = client.get("/").text
    assert "unpkg.com" not in index
    assert "cdn" not in index.lower()
    assert "/assets/app.css" in index


def test_page_titles_in_both_languages(filled):
    _, client, _, _, _ = filled
    assert "<title>预警 · 乡镇指标看板</title>" in client.get("/warnings").text
    assert (
        "<title>Funnel · Township indicator dashboard</title>" in client.get("/funnel?lang=en").text
    )
    client.get("/?lang=zh")


def test_ui_messages_have_the_same_keys_in_both_languages():
    zh = {k for k in catalog("zh") if k.startswith("ui.")}
    en = {k for k in catalog("en") if k.startswith("ui.")}
    assert "ui.warnings.none" in zh  # the catalog is read, not empty
    assert zh == en


# --- the pages ----------------------------------------------------------------------------------


def test_overview_shows_the_county_figures_of_the_table(filled):
    _, client, table, _, _ = filled
    births = views.county_value(table, "births")
    assert births == 874.0
    body = render(client, "/", "?period=2025-03")
    assert '"children": "874"' in body
    assert '"children": "108.59"' in body  # the county sex ratio
    assert "需要注意的指标(显著异常 0 项,需关注 0 项,待观察 38 项)" in body
    assert "数据来源:青川县2025年1-3月.xlsx(ana 于" in body


def test_overview_of_an_earlier_period_and_month_basis(filled):
    _, client, _, _, _ = filled
    body = render(client, "/", "?period=2024-02&basis=month")
    assert "2024年2月 · 当月" in body


def test_rankings_draws_the_chosen_indicator(filled):
    _, client, _, _, _ = filled
    body = render(client, "/rankings", "?indicator=compliance")
    assert '"data-indicator": "compliance"' in body
    assert '"id": "scorecard"' in body
    assert "政策符合率" in body
    default = render(client, "/rankings")
    assert '"data-indicator": "srb"' in default


def test_warnings_page_filters(filled):
    _, client, _, _, _ = filled
    # by default red and amber (none here); the 38 watch items are a count with a switch
    default = render(client, "/warnings")
    assert "共 0 项" in default and "另有待观察 38 项(数值在限值不利一侧,但差异不显著)。" in default
    assert '"href": "/warnings?watch=1"' in default and "列出待观察" in default
    # what chance alone would give: 92 red tests (15 areas and the county, the judged
    # indicators with figures), their sizes at the limits summing to 0.05 (fewer than 50
    # areas: no false-discovery control)
    assert (
        "本期共 92 项显著异常检验;即使每个乡镇都恰在限值上,仅凭偶然也预计约有 0.05 项显著异常"
        "(至少出现一项的概率 5%)。"
    ) in default
    assert "共 38 项" in render(client, "/warnings", "?watch=1")
    assert "共 4 项" in render(client, "/warnings", "?indicator=fee_coverage&watch=1")
    one = render(client, "/warnings", "?indicator=fee_coverage&area=双河乡&watch=1")
    assert "共 1 项" in one and '"href": "/warnings?indicator=fee_coverage&area=' in one


def test_area_funnel_brief_upload_pages_render(filled):
    _, client, _, _, _ = filled
    area = render(client, "/area", "?area=白河镇")
    assert '"children": "白河镇", "className": "page-indicator"' in area
    assert '"id": "area-table"' in area and '"id": "area-charts"' in area
    assert '"id": "funnel-chart"' in render(client, "/funnel")
    brief = render(client, "/brief")
    assert '"id": "brief-text"' in brief
    assert "青川县" in brief
    upload = render(client, "/upload")
    assert '"id": "upload-file"' in upload
    assert '"max_size": 20971520' in upload


def test_presentation_view_has_no_controls(filled):
    _, client, _, _, _ = filled
    body = render(client, "/rankings", "?present=1")
    assert '"id": "ranking-chart"' in body
    assert '"type": "q"' not in body
    assert "download-pptx" not in body
    normal = render(client, "/rankings")
    assert '"type": "q"' in normal and "download-pptx" in normal


def test_an_oversized_callback_request_is_answered_with_a_message(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'z.db'}"
    filled_store(url).dispose()
    app = create_app({**app_config(tmp_path, url), "max_upload_bytes": 1000})
    client = app.server.test_client()
    log_in(client, "ana")
    big = {"inputs": [{"id": "upload-file", "property": "contents", "value": "x" * 1_200_000}]}
    response = client.post(
        "/_dash-update-component", json=big, headers={"X-CSRFToken": csrf(client)}
    )
    assert response.status_code == 200
    side = response.json["sideUpdate"]["app-alert"]
    assert side == {"children": "文件太大:单个文件不能超过 0.0 MB,没有上传。", "hide": False}


def test_scorecard_download_is_an_xlsx(filled):
    _, client, _, _, _ = filled
    response = client.get("/download/xlsx?period=2025-03&basis=ytd")
    assert response.status_code == 200
    assert response.data[:2] == b"PK"
    assert 'filename="zhibiao-xlsx-2025-03-ytd.xlsx"' in response.headers["Content-Disposition"]
    assert client.get("/download/exe").status_code == 404


def test_frames_are_not_mutated_by_views(filled):
    _, _, table, _, _ = filled
    before = table.copy()
    warning_rows(table, "en")
    views.scorecard(table, "en")
    pd.testing.assert_frame_equal(table, before)


# --- empty states --------------------------------------------------------------------------------

PAGES = ("/", "/rankings", "/warnings", "/area", "/funnel", "/brief")


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("empty")
    _, analyst, viewer = empty_app(tmp, f"sqlite:///{tmp / 'zhibiao.db'}")
    return analyst, viewer


@pytest.mark.parametrize("path", PAGES)
def test_a_fresh_database_says_so_and_points_to_the_upload_page(empty, path: str):
    analyst, viewer = empty
    zh = render(analyst, path, "?lang=zh")
    assert "还没有数据。" in zh and "请在“上传”页上传月报表。" in zh
    assert '"href": "/upload?lang=zh"' in zh and "前往上传" in zh
    en = render(analyst, path, "?lang=en")
    assert "No data yet." in en and '"href": "/upload?lang=en"' in en and "Go to Upload" in en
    seen = render(viewer, path, "?lang=zh")
    assert "还没有数据。" in seen and "请联系统计分析人员上传月报表。" in seen
    assert "/upload" not in seen


# --- the original file of each upload -------------------------------------------------------------

#: A consistent CSV (births = boys + girls, the total the sum of the townships).
GOOD_CSV = (
    "青川县2025年1-4月出生统计\n乡镇,出生人数,男,女\n城关镇,10,6,4\n白河镇,3,2,1\n"
    "东湖街道,8,4,4\n合计,21,12,9\n"
)


def test_history_rows_link_only_kept_files(filled):
    app, _, _, _, _ = filled
    rows = views.history_rows(app.server.extensions["zhibiao"].store.uploads(), "zh")
    assert [r["href"] for r in rows] == [None, None]  # the filled store kept no files
    kept = {"id": 7, "file": "甲.xlsx", "periods": ["2025-04"], "has_original": True}
    assert views.history_rows([kept], "en")[0]["href"] == "/download/original/7"


def test_the_upload_history_links_each_kept_file_to_its_download(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'zhibiao.db'}"
    store = filled_store(url)
    data = GOOD_CSV.encode()
    result = load(data, "青川县2025年1-4月出生.csv")
    assert result.ok, [f.code for f in result.blocking]
    assert store.save_upload(result, user="ana", data=data) == 3
    store.dispose()
    client = create_app(app_config(tmp_path, url)).server.test_client()
    log_in(client, "ana")
    body = render(client, "/upload")
    assert body.count('"href": "/download/original/') == 1
    link = '"children": "青川县2025年1-4月出生.csv", "className": "original-link", '
    assert link + '"href": "/download/original/3", "title": "下载上传时的原文件"' in body
    response = client.get("/download/original/3")
    assert response.status_code == 200 and response.data == data


def test_content_disposition_carries_the_utf8_name_and_a_plain_fallback():
    assert content_disposition("青川县1月.xlsx", 4) == (
        'attachment; filename="upload-4.xlsx"; '
        "filename*=UTF-8''%E9%9D%92%E5%B7%9D%E5%8E%BF1%E6%9C%88.xlsx"
    )
    assert content_disposition("march 2025.csv", 5) == (
        "attachment; filename=\"march 2025.csv\"; filename*=UTF-8''march%202025.csv"
    )
    assert content_disposition('a";b.xls', 6) == (
        "attachment; filename=\"upload-6.xls\"; filename*=UTF-8''a%22%3Bb.xls"
    )
