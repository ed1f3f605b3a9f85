"""Reporting status: who reported each month of the statistical year, who is missing (never 0),
who sent a revision and when; on the upload page and the overview."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
from dashboard_fixtures import (
    PASSWORDS,
    ROLES,
    app_config,
    county_result,
    log_in,
    page_body,
    post_callback,
)

from dashboard import reporting
from dashboard.app import create_app
from store import Store
from zhibiao.tables import indicator_table


def _part(result, name: str, keep=None, drop=None):
    """`result` under another file name, with only the areas `keep` (or without `drop`)."""
    values = result.values
    areas = values["area"]
    if keep is not None:
        values = values[areas.isin(keep) | values["is_total"]]
    if drop is not None:
        values = values[~areas.isin(drop)]
    return dataclasses.replace(
        result, file=name, sha256=hashlib.sha256(name.encode()).hexdigest(), values=values
    )


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("reporting")
    url = f"sqlite:///{tmp / 'zhibiao.db'}"
    store = Store(url)
    store.create()
    store.save_upload(county_result(2024, range(1, 4)), user="ana")
    store.save_upload(county_result(2025, range(1, 2)), user="ana")  # January: all 15
    february = county_result(2025, range(2, 3))
    store.save_upload(_part(february, "二月.xlsx", drop=["木鱼乡"]), user="ana")  # 14
    march = county_result(2025, range(3, 4))
    store.save_upload(_part(march, "三月.xlsx"), user="ana")
    store.save_upload(_part(march, "三月更正.xlsx", keep=["白河镇"]), user="ana")  # a revision
    for name, role in ROLES.items():
        store.add_user(name, role, PASSWORDS[name])
    store.dispose()
    return tmp, url


def _status(url: str, period: str, lang: str = "zh") -> dict:
    store = Store(url)
    try:
        return reporting.status_of_period(store.reports(), period, lang)
    finally:
        store.dispose()


def test_who_reported_who_is_missing_and_who_revised(store_url):
    _, url = store_url
    feb = _status(url, "2025-02")
    assert len(feb["rows"]) == 15
    assert feb["missing"] == ["木鱼乡"] and feb["revised"] == []
    assert feb["summary"] == "已报 14 / 15 个乡镇；未报：木鱼乡；本期修订 0 个"
    row = next(r for r in feb["rows"] if r["area"] == "木鱼乡")
    cells = {c["month"]: c for c in row["cells"]}
    assert [cells[m]["text"] for m in ("2025-01", "2025-02", "2025-03")] == ["✓", "✕ 未报", ""]
    assert cells["2025-12"]["state"] == reporting.NOT_DUE and len(row["cells"]) == 12

    mar = _status(url, "2025-03", "en")
    assert mar["missing"] == [] and mar["revised"] == ["白河镇"]
    assert mar["summary"] == "15 of 15 townships reported; missing: none; 1 revised this period"
    baihe = next(r for r in mar["rows"] if r["area"] == "白河镇")
    march = next(c for c in baihe["cells"] if c["month"] == "2025-03")
    assert march["text"] == "↻ 2"
    store = Store(url)
    first, last = [u["uploaded_at"] for u in reversed(store.uploads()[:2])]
    store.dispose()
    shanghai = [(m + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") for m in (first, last)]
    assert march["title"] == (
        f"first reported {shanghai[0]}, revised 1 time(s), last {shanghai[1]}"
    )
    assert baihe["when"] == shanghai[1]


def test_a_township_without_a_report_is_never_shown_as_0(store_url):
    _, url = store_url
    store = Store(url)
    table = indicator_table(store, "2025-02", "ytd")
    store.dispose()
    births = table[(table["area"] == "木鱼乡") & (table["indicator"] == "births")]
    assert births["value"].isna().all()  # no value, not 0
    county = table[table["is_total"] & (table["indicator"] == "births")]["value"].iloc[0]
    others = table[~table["is_total"] & (table["indicator"] == "births")]["value"].sum()
    assert county == others  # the county is the 14 that reported


def test_the_upload_page_and_the_overview_show_it(store_url):
    tmp, url = store_url
    client = create_app(app_config(Path(tmp), url)).server.test_client()
    log_in(client, "ana")

    def render(path: str, search: str) -> str:
        return json.dumps(post_callback(client, page_body(path, search)).json, ensure_ascii=False)

    upload = render("/upload", "?period=2025-02")
    assert '"id": "reporting-table"' in upload
    assert "已报 14 / 15 个乡镇；未报：木鱼乡；本期修订 0 个" in upload
    assert (
        '"children": "✕ 未报", "className": "report-cell report-missing", "title": "未报"' in upload
    )
    overview = render("/", "?period=2025-03")
    assert "已报 15 / 15 个乡镇；未报：无；本期修订 1 个" in overview
    assert '"children": "查看各月上报情况"' in overview  # the grid folded under the summary


def _row(area: str, state: str, months: list[str]) -> dict:
    return {"area": area, "state": state, "cells": [{"state": m} for m in months]}


def test_beyond_the_limit_only_the_townships_to_act_on_are_listed():
    ok = ["reported", "reported", "not_due"]
    rows = [
        _row("甲镇", "reported", ok),
        _row("乙乡", "missing", ["reported", "reported", "not_due"]),  # not this period
        _row("丙镇", "reported", ["missing", "reported", "not_due"]),  # a month missed
        _row("丁镇", "revised", ["reported", "revised", "not_due"]),  # revised this period
        _row("戊乡", "reported", ok),
    ]
    # within the limit: all five, nothing left out
    assert reporting.rows_worth_listing(rows, 5) == (rows, 0)
    listed, left_out = reporting.rows_worth_listing(rows, 4)
    assert [r["area"] for r in listed] == ["乙乡", "丙镇", "丁镇"] and left_out == 2
