"""Fixtures of the dashboard tests: a store filled with the sample county, accounts, an app."""

from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
from dash import Dash

from dashboard.app import create_app
from loaders.types import VALUE_COLUMNS, LoadResult
from store import Store
from zhibiao.samples import COUNTY, MONTH_FIELDS, generate

AMOUNT_FIELDS = ("fee_amount_due", "fee_amount_paid")
PASSWORDS = {"ana": "analyst-pw-1", "vic": "viewer-pw-1", "adm": "admin-pw-1"}
ROLES = {"ana": "analyst", "vic": "viewer", "adm": "admin"}


@cache
def townships() -> tuple[str, ...]:
    """The sample county's townships: the areas `filled_store` holds."""
    return tuple(generate().townships)


def township_report(folder: Path, name: str, towns: int, **options) -> Path:
    """A township report (hostile.write_township_xlsx) whose first 15 townships are the sample
    county's, those of the filled store."""
    from hostile import write_township_xlsx

    return write_township_xlsx(folder, name, towns, names=townships(), **options)


def county_result(year: int, months: range, name: str | None = None) -> LoadResult:
    """The sample county's year-to-date figures for `months` of `year`, as a loader would give."""
    county = generate()
    rows = []
    for month in months:
        period = f"{year}-{month:02d}"
        areas = [*county.townships, None]
        for order, area in enumerate(areas):
            figures = county.ytd(year, month, area)
            figures = {k: figures[k] for k in MONTH_FIELDS}
            pop = county.population[year - 1]
            figures["population"] = pop[area] if area else sum(pop.values())
            for field, value in figures.items():
                value = value / 10000 if field in AMOUNT_FIELDS else value
                rows.append(ytd_row(area or "合计", area is None, period, field, value, order))
    file = name or f"{COUNTY}{year}年{months.start}-{months.stop - 1}月.xlsx"
    return ytd_result(pd.DataFrame(rows, columns=VALUE_COLUMNS), file)


def ytd_row(
    area: str, is_total: bool, period: str, field: str, value: float, order: int
) -> dict[str, Any]:
    """One year-to-date value (VALUE_COLUMNS) of Sheet1, not read from a cell."""
    return {
        "area": area,
        "is_total": is_total,
        "period": period,
        "basis": "ytd",
        "field": field,
        "value": float(value),
        "sheet": "Sheet1",
        "cell": "",
        "row": order,
    }


def ytd_result(values: pd.DataFrame, file: str) -> LoadResult:
    """Year-to-date values of the sample county as the loader would hand them on."""
    return LoadResult(
        file=file,
        sha256=hashlib.sha256(file.encode()).hexdigest(),
        values=values,
        findings=[],
        county=COUNTY,
        kind="xlsx",
        periods=sorted(values["period"].unique().tolist()),
        bases=["ytd"],
        fields=sorted(values["field"].unique().tolist()),
    )


def filled_store(url: str) -> Store:
    """A store with 2024-01..03 and 2025-01..03 of the sample county and three accounts."""
    store = Store(url)
    store.create()
    store.save_upload(county_result(2024, range(1, 4)), user="ana")
    store.save_upload(county_result(2025, range(1, 4)), user="ana")
    for name, role in ROLES.items():
        store.add_user(name, role, PASSWORDS[name])
    return store


def sample_table(url: str, period: str = "2025-03", basis: str = "ytd") -> pd.DataFrame:
    """The indicator table of the sample county's `period` from a store `filled_store` fills."""
    from zhibiao.tables import indicator_table

    store = filled_store(url)
    try:
        return indicator_table(store, period, basis)
    finally:
        store.dispose()


def app_config(tmp_path: Path, url: str) -> dict:
    return {
        "db_url": url,
        "secret_key": "test-secret-key-0123456789",
        "cache_dir": str(tmp_path / "cache"),
    }


def csrf(client) -> str:
    """The CSRF token the server handed this client (fetching /login once if needed)."""
    cookie = client.get_cookie("_csrf_token")
    if cookie is None:
        client.get("/login")
        cookie = client.get_cookie("_csrf_token")
    return cookie.value


def log_in(client, name: str, password: str | None = None, next_url: str = "/", **kw):
    """POST the login form as `name` (their own password unless one is given), asking to go on
    to `next_url`; `kw` go to the test client (environ_base=…). Returns the response."""
    return client.post(
        "/login",
        data={
            "username": name,
            "password": PASSWORDS[name] if password is None else password,
            "csrf_token": csrf(client),
            "next": next_url,
        },
        **kw,
    )


def filled_app(tmp_path: Path, url: str) -> Dash:
    """The app on a store filled by `filled_store`."""
    filled_store(url).dispose()
    return create_app(app_config(tmp_path, url))


def empty_app(tmp_path: Path, url: str) -> tuple[Dash, Any, Any]:
    """The app on a store with no values, and test clients of an analyst (ana) and a viewer
    (vic), both signed in."""
    store = Store(url)
    store.create()
    store.add_user("ana", "analyst", PASSWORDS["ana"])
    store.add_user("vic", "viewer", PASSWORDS["vic"])
    store.dispose()
    app = create_app(app_config(tmp_path, url))
    analyst, viewer = app.server.test_client(), app.server.test_client()
    log_in(analyst, "ana")
    log_in(viewer, "vic")
    return app, analyst, viewer


def store_of(app: Dash) -> Store:
    """The store the app's server reads."""
    return app.server.extensions["zhibiao"].store


def post_callback(client, body: dict):
    """POST a callback body with the client's CSRF token."""
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})


def render_page(client, path: str, search: str = "") -> str:
    """The page router's answer for `path` and `search` as readable text (status 200 asserted)."""
    response = post_callback(client, page_body(path, search))
    assert response.status_code == 200, response.text
    return response_text(response)


def response_text(response) -> str:
    """A callback response as readable text (Dash escapes non-ASCII characters)."""
    return json.dumps(response.json, ensure_ascii=False)


def callback_spec(client, output_part: str) -> dict:
    """The dependency (from /_dash-dependencies) whose output names `output_part`."""
    deps = client.get("/_dash-dependencies").json
    return next(d for d in deps if output_part in d["output"])


def callback_body(spec: dict, values: dict) -> dict:
    """A /_dash-update-component body for `spec` with `values` keyed 'id.prop'."""

    def items(group: str) -> list[dict]:
        return [
            {
                "id": i["id"],
                "property": i["property"],
                "value": values.get(f"{i['id']}.{i['property']}"),
            }
            for i in spec[group]
        ]

    outputs = [
        {"id": part.split(".")[0], "property": part.split(".")[1].split("@")[0]}
        for part in spec["output"].strip(".").split("...")
    ]
    return {
        "output": spec["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": items("inputs"),
        "state": items("state"),
        "changedPropIds": [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"],
    }


def data_url(path: Path) -> str:
    """A file as the upload component hands it to the page's callbacks: a base64 data URL."""
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64," + base64.b64encode(path.read_bytes()).decode()


def confirm_values(workbook: Path, user: str = "ana", period: str | None = None) -> dict:
    """What the upload page's 保存 (confirm) request carries for `workbook`, keyed 'id.prop'."""
    return {
        "upload-confirm.n_clicks": 1,
        "upload-file.contents": data_url(workbook),
        "upload-file.filename": workbook.name,
        "upload-period.value": period,
        "upload-basis.value": "",
        "upload-accept.checked": False,
        "upload-lang.data": "zh",
        "session-user.data": user,
        "upload-seen.data": None,
        "upload-keep.value": [],
    }


def confirm_body(client, workbook: Path, user: str = "ana", period: str | None = None) -> dict:
    """The /_dash-update-component body of the upload page's confirm for `workbook`."""
    spec = callback_spec(client, "upload-result")
    return callback_body(spec, confirm_values(workbook, user, period))


def confirm_outcome(answer: dict) -> str:
    """The sentence a confirm's answer puts in the page (#upload-result)."""
    return answer["response"]["upload-result"]["children"]["props"]["children"]


def change_body(client, user: str, button: str, target: str, **values) -> dict:
    """A change-account request (role, deactivate, reactivate, reset) pressing `button`."""
    spec = callback_spec(client, "admin-change-result")
    body = callback_body(
        spec,
        {
            f"{button}.n_clicks": 1,
            "admin-target.value": target,
            "admin-target-role.value": values.get("role"),
            "admin-reset-password.value": values.get("password"),
            "admin-reset-again.value": values.get("again", values.get("password")),
            "admin-lang.data": "zh",
            "session-user.data": user,
        },
    )
    body["changedPropIds"] = [f"{button}.n_clicks"]
    return body


def page_body(path: str, search: str = "") -> dict:
    """The body the page router callback receives for `path` and `search`."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
    }


def many_areas_result(n: int, period: str) -> LoadResult:
    """`n` townships 第000镇, 第001镇, … of one year-to-date month, easy to rank by hand: each has
    100 first births (50 boys, 50 girls); township i has i of them out of policy (i < 100, then
    i % 100), so its compliance is 100 − i % 100 and township i ranks i + 1 among the first 100."""
    fields = {
        "births_o1_male": 50,
        "births_o1_female": 50,
        "births_o2_male": 0,
        "births_o2_female": 0,
        "births_o3_male": 0,
        "births_o3_female": 0,
        "out_of_policy_o2": 0,
        "out_of_policy_o3": 0,
        "population": 20_000,
    }
    rows = []
    for i in range(n):
        figures = {**fields, "out_of_policy_o1": i % 100}
        for field, value in figures.items():
            rows.append(ytd_row(f"第{i:03d}镇", False, period, field, value, i))
    return ytd_result(pd.DataFrame(rows, columns=VALUE_COLUMNS), f"{COUNTY}{period}-{n}.xlsx")


def add_many_areas(url: str, n: int, periods: tuple[str, ...] = ("2024-10", "2025-10")) -> None:
    """Store `many_areas_result` of each period (one upload each) in the store at `url`."""
    store = Store(url)
    store.create()
    for period in periods:
        store.save_upload(many_areas_result(n, period), user="ana")
    store.dispose()
