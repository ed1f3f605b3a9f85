"""The same result through the upload page as through `zhibiao ingest` (issue 9): each fixture
that reproduces a shared real file's layout (tests/real_layouts.py), into two fresh databases —
one by the command line, one by the page's own requests (the background check, polled as the
browser polls it, then the confirm) — stores the same values with the same parents, or is
refused with the same sentence. The totals are written down from the fixtures' cells.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from dashboard_fixtures import (
    PASSWORDS,
    app_config,
    callback_body,
    callback_spec,
    confirm_body,
    confirm_outcome,
    data_url,
    log_in,
    post_callback,
)
from real_layouts import REAL_LAYOUTS

from dashboard.app import create_app
from store import Store
from zhibiao.cli import main
from zhibiao.i18n import t

#: Seconds the page's check may take before the test gives up on it.
CHECK_SECONDS = 60

#: layout, the period given (None: none), and what is stored: areas, the sums over the areas
#: of each field, the total row's figure (None: no total row), the parents.
STORED = {
    "bdmd": (
        None,
        ["連江縣南竿鄉", "連江縣北竿鄉", "新北市板橋區"],
        {"births": 16, "births_male": 8, "births_female": 8},  # 1+3+0+2+4+6, 0+2+0+1+3+2 …
        None,
        {},
    ),
    "city": (
        None,
        ["連江縣南竿鄉", "連江縣北竿鄉", "桃園市桃園區", "桃園市平鎮區", "桃園市新屋區"],
        {"population": 430},  # 60 + 40 + 100 + 130 + 100
        None,
        {"連江縣南竿鄉": "連江縣", "連江縣北竿鄉": "連江縣", "桃園市桃園區": "桃園市"},
    ),
    "census": ("2010-11", ["beijing", "tianjin"], {"population": 300}, None, {}),
    "yearbook": (
        "2022-12",
        ["河北", "山西", "辽宁", "海南"],
        {"population": 1500},  # 400 + 300 + 500 + 300
        1500,  # 全国
        {},
    ),
}

#: layout, the period given, and the start of the reason the file is refused (Chinese).
REFUSED = {
    "census": (None, "工作表“Sheet”：标题、表名和文件名中都没有找到报表期"),
    "yearbook": (None, "工作表“Sheet1”：标题、表名和文件名中都没有找到报表期"),
    "rates": (None, "工作表“Sheet”：这是一张按年份排列的比率表（1990—1992 年"),
    "ages": (None, "Sheet1!A2 年龄"),
}


def new_app(tmp_path: Path):
    """The app on a fresh SQLite database with one analyst."""
    url = f"sqlite:///{tmp_path / 'page.db'}"
    store = Store(url)
    store.create()
    store.add_user("ana", "analyst", PASSWORDS["ana"])
    store.dispose()
    app = create_app(app_config(tmp_path, url))
    client = app.server.test_client()
    assert log_in(client, "ana").status_code in (200, 302)
    return app, client, url


def page_check(client, path: Path, period: str | None) -> str:
    """Drop the file on the page: the background check, polled as the browser polls it with
    the handles the first answer gave, until its preview comes; the preview as text."""
    spec = callback_spec(client, "upload-preview")
    values: dict[str, Any] = {
        "upload-file.contents": data_url(path),
        "upload-file.filename": path.name,
        "upload-period.value": period,
        "upload-basis.value": "",
        "upload-lang.data": "zh",
        "session-user.data": "ana",
    }
    body = callback_body(spec, values)
    started = post_callback(client, body)
    assert started.status_code == 200, started.text
    handles = started.json
    assert {"cacheKey", "job"} <= set(handles)
    poll = json.loads(json.dumps(body))
    for group in ("inputs", "state"):
        for item in poll[group]:
            item["value"] = None
    query = f"?cacheKey={handles['cacheKey']}&job={handles['job']}"
    deadline = time.monotonic() + CHECK_SECONDS
    while time.monotonic() < deadline:
        answer = client.post(
            "/_dash-update-component" + query,
            json=poll,
            headers={"X-CSRFToken": client.get_cookie("_csrf_token").value},
        )
        assert answer.status_code in (200, 204), answer.text
        if answer.status_code == 200 and "response" in (answer.json or {}):
            preview = answer.json["response"]["upload-preview"]["children"]
            return json.dumps(preview, ensure_ascii=False)
        time.sleep(0.1)
    raise AssertionError(f"the page's check of {path.name} gave no preview")


def page_confirm(client, path: Path, period: str | None) -> str:
    """Press 保存 for the file, as the page does; the outcome's text."""
    response = post_callback(client, confirm_body(client, path, "ana", period))
    assert response.status_code == 200, response.text
    return confirm_outcome(response.json)


def cli_ingest(path: Path, url: str, period: str | None, capsys) -> tuple[int, str]:
    """`zhibiao ingest` of the file into the database at `url`: its exit code and stderr."""
    args = ["ingest", str(path), "--db", url, "--user", "ana"]
    code = main(args + (["--period", period] if period else []))
    return code, capsys.readouterr().err


def stored_rows(url: str) -> list[tuple[Any, ...]]:
    store = Store(url)
    frame = store.values()
    rows = sorted(
        (r.area, bool(r.is_total), r.period, r.basis, r.field, r.value, r.sheet, r.cell)
        for r in frame.itertuples()
    )
    parents = {p: store.area_parents(p) for p in store.periods()}
    store.dispose()
    return [*rows, parents]


@pytest.mark.parametrize("layout", sorted(STORED))
def test_a_file_the_page_stores_holds_what_ingest_stores(layout, tmp_path, capsys):
    period, areas, sums, total, parents = STORED[layout]
    path = REAL_LAYOUTS[layout].write(tmp_path)
    cli_url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert cli_ingest(path, cli_url, period, capsys) == (0, "")

    app, client, page_url = new_app(tmp_path)
    preview = page_check(client, path, period)
    assert t("ui.upload.ready", "zh") in preview  # 检查通过,可以保存。
    assert page_confirm(client, path, period).startswith("已保存")

    assert stored_rows(page_url) == stored_rows(cli_url)
    store = Store(page_url)
    frame = store.values()
    townships = frame[~frame["is_total"]]
    assert list(dict.fromkeys(townships["area"])) == areas
    assert {f: townships.loc[townships["field"] == f, "value"].sum() for f in sums} == sums
    totals = frame.loc[frame["is_total"] & (frame["field"] == "population"), "value"].tolist()
    assert totals == ([] if total is None else [total])
    [month] = store.periods()
    assert {a: p for a, p in store.area_parents(month).items() if a in parents} == parents
    store.dispose()


@pytest.mark.parametrize("layout", sorted(REFUSED))
def test_a_file_the_page_refuses_is_refused_with_the_ingest_sentence(layout, tmp_path, capsys):
    period, reason = REFUSED[layout]
    path = REAL_LAYOUTS[layout].write(tmp_path)
    cli_url = f"sqlite:///{tmp_path / 'cli.db'}"
    code, err = cli_ingest(path, cli_url, period, capsys)
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == f"{path.name}：拒收，1 个错误，未入库"
    [sentence] = lines[1:]
    assert sentence.startswith(f"{path.name}：{reason}")

    app, client, page_url = new_app(tmp_path)
    preview = page_check(client, path, period)
    assert sentence in preview
    assert page_confirm(client, path, period) == t(
        "ui.upload.refused", "zh"
    )  # 文件有错误,不能保存…
    for url in (cli_url, page_url):
        store = Store(url)
        assert store.uploads() == [] and store.values().empty
        store.dispose()
