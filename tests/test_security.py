"""Security of the dashboard through Flask's test client on a real SQLite store: cookies, the
session at login and logout, redirects, CSRF, downloads, deactivated accounts, headers, the
guarded callbacks, formula-safe exports and the login throttle."""

from __future__ import annotations

import ast
import base64
import hashlib
import importlib
import inspect
import re
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path
from types import FunctionType, ModuleType

import pytest
from dashboard_fixtures import (
    PASSWORDS,
    app_config,
    csrf,
    filled_app,
    filled_store,
    log_in,
    page_body,
    store_of,
)
from openpyxl import load_workbook

from dashboard.app import DOWNLOAD_TYPES, create_app
from store import Store
from zhibiao import ingest

INJECTED = '=HYPERLINK("http://x")'
#: Store methods that change stored data (uploads, values, accounts).
WRITES = ("save_upload", "add_user", "set_password", "set_role", "set_active")
#: The project's own top-level packages (the walk below follows calls into them only).
PROJECT_PACKAGES = ("zhibiao", "loaders", "store", "indicators", "dashboard")


@pytest.fixture
def app(tmp_path: Path, sqlite_url: str):
    return filled_app(tmp_path, sqlite_url)


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def set_cookie_header(response, name: str) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))


# --- cookies and the session ------------------------------------------------------------------


def test_session_cookie_is_httponly_and_samesite_lax_not_secure_by_default(app):
    client = app.server.test_client()
    header = set_cookie_header(log_in(client, "vic"), "session")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header


def test_session_and_csrf_cookies_are_secure_when_configured(tmp_path: Path, sqlite_url: str):
    filled_store(sqlite_url).dispose()
    app = create_app({**app_config(tmp_path, sqlite_url), "secure_cookies": True})
    client = app.server.test_client()
    login_form = client.get("/login")
    assert "Secure" in set_cookie_header(login_form, "_csrf_token")
    header = set_cookie_header(log_in(client, "vic"), "session")
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


def test_login_makes_a_new_session_and_drops_what_was_planted_before(app):
    client = app.server.test_client()
    with client.session_transaction() as planted:
        planted["planted"] = "by-an-attacker"
        planted["role"] = "admin"
    before = session_cookie(client)
    assert before is not None
    assert log_in(client, "vic").status_code == 302
    after = session_cookie(client)
    assert after != before
    with client.session_transaction() as sess:
        # Flask-Login's keys only: the account as `<session version>:<name>`
        assert sorted(sess) == ["_fresh", "_id", "_permanent", "_user_id"]
        assert sess["_user_id"] == "0:vic"


def test_logout_is_post_only_and_clears_the_session(app):
    client = app.server.test_client()
    log_in(client, "vic")
    # a GET (a link or an image on another page) reaches no logout: Dash's not-found page
    client.get("/logout")
    with client.session_transaction() as sess:
        assert sess["_user_id"] == "0:vic"
    assert client.get("/").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf(client)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    with client.session_transaction() as sess:
        assert dict(sess) == {}
    assert client.get("/").status_code == 302
    actions = [(e["user"], e["action"]) for e in store_of(app).audit_log()]
    assert ("vic", "logout") in actions


def test_logout_without_the_csrf_token_is_refused_and_the_session_stays(app):
    client = app.server.test_client()
    log_in(client, "vic")
    assert client.post("/logout").status_code == 403
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        " //evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
    ],
)
def test_login_never_sends_the_user_off_site(app, target: str):
    client = app.server.test_client()
    form = client.get("/login", query_string={"next": target})
    assert form.status_code == 200
    assert 'name="next" value="/"' in form.text
    response = log_in(client, "vic", PASSWORDS["vic"], target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_returns_to_a_local_page(app):
    client = app.server.test_client()
    response = log_in(client, "vic", PASSWORDS["vic"], "/rankings?period=2025-03")
    assert response.headers["Location"] == "/rankings?period=2025-03"


def test_the_login_form_refuses_without_its_csrf_token(app):
    client = app.server.test_client()
    client.get("/login")
    no_token = client.post("/login", data={"username": "vic", "password": PASSWORDS["vic"]})
    assert no_token.status_code == 403
    wrong = client.post(
        "/login", data={"username": "vic", "password": PASSWORDS["vic"], "csrf_token": "x" * 43}
    )
    assert wrong.status_code == 403
    assert session_cookie(client) is None
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("kind", [*DOWNLOAD_TYPES, "nothing"])
def test_every_download_needs_a_session(app, kind: str):
    client = app.server.test_client()
    response = client.get(f"/download/{kind}?period=2025-03&basis=ytd")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/download/")
    # the redirect carries no part of the file: no zip (pptx, xlsx), pdf or png signature
    assert b"/login?next=/download/" in response.data
    assert not any(sig in response.data for sig in (b"PK\x03\x04", b"%PDF", b"\x89PNG"))


def test_a_deactivated_accounts_live_session_is_refused_on_the_next_request(app):
    client = app.server.test_client()
    log_in(client, "ana")
    assert client.get("/rankings").status_code == 200
    store_of(app).set_active("ana", False)
    page = client.get("/rankings")
    assert page.status_code == 302
    assert page.headers["Location"] == "/login"
    # the session is gone: even once reactivated, the old cookie opens nothing
    store_of(app).set_active("ana", True)
    assert client.get("/").status_code == 302
    assert client.get("/download/xlsx?period=2025-03").status_code == 302


def test_a_deactivated_accounts_dash_requests_are_refused_401(app):
    client = app.server.test_client()
    log_in(client, "vic")
    token = csrf(client)
    ok = client.post("/_dash-update-component", json=page_body("/"), headers={"X-CSRFToken": token})
    assert ok.status_code == 200
    store_of(app).set_active("vic", False)
    refused = client.post(
        "/_dash-update-component", json=page_body("/"), headers={"X-CSRFToken": token}
    )
    assert refused.status_code == 401
    assert refused.text == "请先登录。"


def test_every_response_carries_the_security_headers(app):
    client = app.server.test_client()
    log_in(client, "vic")
    responses = [
        client.get("/login"),
        client.get("/"),
        client.get("/_dash-layout"),
        client.get("/download/nothing"),
        app.server.test_client().get("/rankings"),  # the redirect to the login page
    ]
    hashes = " ".join(app.csp_hashes())
    assert hashes.count("'sha256-") == 2  # the renderer's start and the clientside callbacks
    for response in responses:
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
        policy = response.headers["Content-Security-Policy"]
        assert f"script-src 'self' {hashes};" in policy
        assert "object-src 'none'" in policy and "frame-ancestors 'self'" in policy
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response.headers
    # every inline script of the page is one the policy allows by its hash
    page = client.get("/").text
    inline = re.findall(
        r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", page, re.S
    )
    digests = {
        "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"
        for code in inline
        if "Internet Explorer" not in code  # inside an IE-only comment: never run
    }
    assert len(digests) == 2 and digests <= set(app.csp_hashes())


def test_served_over_https_the_cookies_are_secure_and_hsts_is_sent(
    tmp_path: Path, sqlite_url: str, monkeypatch
):
    filled_store(sqlite_url).dispose()
    monkeypatch.setenv("ZHIBIAO_HTTPS", "1")
    app = create_app(app_config(tmp_path, sqlite_url))
    client = app.server.test_client()
    login_page = client.get("/login")
    assert login_page.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Secure" in set_cookie_header(login_page, "_csrf_token")
    header = set_cookie_header(log_in(client, "vic"), "session")
    assert "Secure" in header and "HttpOnly" in header


# --- every callback that changes data is guarded ------------------------------------------------


def _function_tree(func: FunctionType) -> ast.AST:
    return ast.parse(textwrap.dedent(inspect.getsource(func)))


def _resolve(func: FunctionType, tree: ast.AST, node: ast.expr) -> object | None:
    """The object a called name or `module.name` refers to, from the function's globals or its
    own imports."""
    local_modules = {}
    for imp in ast.walk(tree):
        if isinstance(imp, ast.ImportFrom) and imp.module:
            for alias in imp.names:
                local_modules[alias.asname or alias.name] = f"{imp.module}.{alias.name}"

    def lookup(name: str) -> object | None:
        if name in local_modules:
            try:
                return importlib.import_module(local_modules[name])
            except ImportError:
                return None
        cells = dict(zip(func.__code__.co_freevars, func.__closure__ or (), strict=True))
        if name in cells:
            return cells[name].cell_contents
        return func.__globals__.get(name)

    if isinstance(node, ast.Name):
        return lookup(node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        owner = lookup(node.value.id)  # only modules: `request` and `session` are proxies
        return getattr(owner, node.attr, None) if type(owner) is ModuleType else None
    return None


#: The project's own top-level packages (the walk follows calls into these only).
PROJECT_PACKAGES = {"zhibiao", "loaders", "store", "indicators", "dashboard", "exports"}


def store_writes(func: FunctionType, seen: set | None = None) -> set[str]:
    """The Store methods that change data which `func` calls, itself or through the project's
    own functions it calls (followed to any depth)."""
    seen = set() if seen is None else seen
    if func in seen or func.__module__.split(".")[0] not in PROJECT_PACKAGES:
        return set()
    seen.add(func)
    tree = _function_tree(func)
    found: set[str] = set()
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        if isinstance(call.func, ast.Attribute) and call.func.attr in WRITES:
            found.add(call.func.attr)
        target = _resolve(func, tree, call.func)
        if type(target) is FunctionType:
            found |= store_writes(target, seen)
    return found


def output_ids(callback_key: str) -> set[str]:
    parts = callback_key.strip(".").split("...")
    return {p.rsplit(".", 1)[0] for p in parts if not p.startswith("{")}


def test_the_write_list_names_real_store_methods():
    for name in WRITES:
        assert callable(getattr(Store, name))
    # the walk finds writes through the project's own functions
    assert store_writes(ingest.ingest) == {"save_upload"}
    assert store_writes(ingest.check) == set()


def test_every_callback_that_changes_stored_data_is_guarded(app):
    client = app.server.test_client()
    log_in(client, "adm")
    deps = client.get("/_dash-dependencies").json
    # every callback the browser may call is one the walk below reads (14, with the pages
    # router, the three click-throughs, the upload page's save button and the two grids that
    # fetch their rows a block at a time)
    assert sorted(d["output"] for d in deps) == sorted(app.callback_map) and len(deps) == 14
    guarded = app.server.config["ZHIBIAO_GUARDED"]
    writers: dict[str, set[str]] = {}
    browser_side = {d["output"] for d in deps if d.get("clientside_function")}
    for key, spec in app.callback_map.items():
        if "callback" not in spec:  # runs in the browser: it cannot reach the store
            assert key in browser_side
            continue
        func = getattr(spec["callback"], "__wrapped__", spec["callback"])
        writes = store_writes(func)
        if writes:
            writers[func.__qualname__.rsplit(".", 1)[-1]] = writes
            roles = {guarded[o] for o in output_ids(key) if o in guarded}
            assert roles, f"{func.__qualname__} writes {writes} but no output is guarded"
    # written down by hand: the callbacks that change data, and what they change
    assert writers == {
        "add": {"add_user"},
        "change": {"set_role", "set_active", "set_password"},
        "confirm_upload": {"save_upload"},
    }
    assert guarded == {
        "admin-add-result": "admin",
        "admin-change-result": "admin",
        "upload-preview": "analyst",
        "upload-result": "analyst",
    }


# --- exports never carry a formula from a name --------------------------------------------------


def test_a_township_named_like_a_formula_is_text_in_the_scorecard_xlsx(
    tmp_path: Path, sqlite_url: str
):
    store = Store(sqlite_url)
    store.create()
    for name, role in (("ana", "analyst"), ("vic", "viewer")):
        store.add_user(name, role, PASSWORDS[name])
    quoted = INJECTED.replace('"', '""')
    report = (
        "示例县2024年1-3月出生情况\n乡镇,出生人数,男,女\n"
        f'"{quoted}",30,16,14\n"+SUM(1,2)",20,10,10\n"-1+2",12,6,6\n"@cmd",8,4,4\n'
        "西乡,25,12,13\n合计,95,48,47\n"
    )
    done = ingest.ingest(report.encode("utf-8"), "inj.csv", store, user="ana")
    assert done.stored, [(f.code, f.params) for f in done.result.findings]
    assert INJECTED in set(store.values()["area"])
    store.dispose()
    app = create_app(app_config(tmp_path, sqlite_url))
    client = app.server.test_client()
    log_in(client, "vic")
    response = client.get("/download/xlsx?period=2024-03&basis=ytd")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    names = {c.value.lstrip("'") for c in cells}
    assert {INJECTED, "+SUM(1,2)", "-1+2", "@cmd", "西乡"} <= names
    for cell in cells:
        assert cell.data_type == "s", (cell.coordinate, cell.value)
        assert not cell.value.startswith(("=", "+", "-", "@")), (cell.coordinate, cell.value)


# --- the login throttle -------------------------------------------------------------------------


def throttled_app(tmp_path: Path, url: str, **rule) -> object:
    return create_app({**app_config(tmp_path, url), **rule})


def test_five_failures_lock_the_user_name_even_for_the_right_password(app):
    client = app.server.test_client()
    for _ in range(5):
        assert log_in(client, "ana", "wrong-password").status_code == 401
    locked = log_in(client, "ana", PASSWORDS["ana"])
    assert locked.status_code == 429
    assert "登录失败次数过多，请 15 分钟后再试。" in locked.text
    assert session_cookie(client) is None
    # from another address too (the user name's own counter)
    other = app.server.test_client()
    elsewhere = log_in(other, "ana", PASSWORDS["ana"], environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert elsewhere.status_code == 429
    # another user from another address is not affected
    assert (
        log_in(other, "vic", PASSWORDS["vic"], environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code
        == 302
    )
    actions = [(e["user"], e["action"]) for e in store_of(app).audit_log()]
    assert actions.count(("ana", "login_failed")) == 5
    assert actions.count(("ana", "login_throttled")) == 2


def test_failures_from_one_address_lock_the_address_for_every_name(tmp_path: Path, sqlite_url: str):
    filled_store(sqlite_url).dispose()
    app = throttled_app(tmp_path, sqlite_url, login_max_address_failures=5)
    client = app.server.test_client()
    addr = {"REMOTE_ADDR": "192.0.2.7"}
    for name in ("u1", "u2", "u3", "u4", "u5"):
        assert log_in(client, name, "guess", environ_base=addr).status_code == 401
    response = log_in(client, "vic", PASSWORDS["vic"], environ_base=addr)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.text
    english = client.post(
        "/login?lang=en",
        data={"username": "vic", "password": PASSWORDS["vic"], "csrf_token": csrf(client)},
        environ_base=addr,
    )
    assert "Too many failed sign-ins. Please try again in 15 minutes." in english.text
    # the same user from another address signs in
    assert log_in(app.server.test_client(), "vic", PASSWORDS["vic"]).status_code == 302


def test_four_failures_then_the_right_password_signs_in_and_resets_the_count(app):
    client = app.server.test_client()
    for _ in range(4):
        log_in(client, "ana", "wrong", environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert log_in(client, "ana", PASSWORDS["ana"]).status_code == 302
    other = app.server.test_client()
    for _ in range(4):
        assert (
            log_in(other, "ana", "wrong", environ_base={"REMOTE_ADDR": "10.1.1.2"}).status_code
            == 401
        )
    assert log_in(other, "ana", PASSWORDS["ana"]).status_code == 302


def test_the_throttle_is_shared_by_workers_and_configurable(tmp_path: Path, sqlite_url: str):
    filled_store(sqlite_url).dispose()
    # a lockout long enough that a loaded machine still reaches the fourth try inside it
    rule = {"login_max_failures": 3, "login_window_seconds": 60, "login_lockout_seconds": 6}
    first = throttled_app(tmp_path, sqlite_url, **rule).server.test_client()
    second = throttled_app(tmp_path, sqlite_url, **rule).server.test_client()
    assert log_in(first, "ana", "wrong").status_code == 401
    assert log_in(second, "ana", "wrong").status_code == 401
    assert log_in(first, "ana", "wrong").status_code == 401
    # three failures over two app instances (two workers) lock the name in both
    locked = log_in(second, "ana", PASSWORDS["ana"])
    assert locked.status_code == 429
    assert "请 1 分钟后再试" in locked.text
    time.sleep(6.1)
    assert log_in(second, "ana", PASSWORDS["ana"]).status_code == 302


def test_the_throttle_reads_the_environment(tmp_path: Path, sqlite_url: str, monkeypatch):
    filled_store(sqlite_url).dispose()
    monkeypatch.setenv("ZHIBIAO_LOGIN_MAX_FAILURES", "2")
    client = create_app(app_config(tmp_path, sqlite_url)).server.test_client()
    assert log_in(client, "vic", "wrong").status_code == 401
    assert log_in(client, "vic", "wrong").status_code == 401
    assert log_in(client, "vic", PASSWORDS["vic"]).status_code == 429


# --- bounded fields at the login form -----------------------------------------------------------


def database_bytes(url: str) -> int:
    """The SQLite database's size on disk, its write-ahead log included."""
    path = Path(url.removeprefix("sqlite:///"))
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def test_a_two_million_character_login_is_refused_quickly_and_stores_nothing(
    tmp_path: Path, sqlite_url: str
):
    app = filled_app(tmp_path, sqlite_url)
    client = app.server.test_client()
    log_in(client, "vic", "wrong")  # one ordinary failure: the database has its audit row
    rows = len(store_of(app).audit_log(1000))
    size = database_bytes(sqlite_url)
    for _ in range(3):
        response = client.post(
            "/login",
            data={"username": "n" * 2_000_000, "password": "x", "csrf_token": csrf(client)},
        )
        assert response.status_code == 413
        assert "登录请求过大，已拒绝。" in response.text
    assert len(store_of(app).audit_log(1000)) == rows
    assert database_bytes(sqlite_url) - size < 64 * 1024
    # the throttle counted nothing either: vic still signs in
    assert log_in(client, "vic").status_code == 302


def test_an_over_long_user_name_or_password_is_a_400_with_a_message(tmp_path: Path, db_url: str):
    app = filled_app(tmp_path, db_url)
    client = app.server.test_client()
    rows = len(store_of(app).audit_log(1000))
    response = client.post(
        "/login", data={"username": "n" * 201, "password": "x", "csrf_token": csrf(client)}
    )
    assert response.status_code == 400
    assert "用户名最多 200 个字符。" in response.text
    english = client.post(
        "/login?lang=en",
        data={"username": "vic", "password": "p" * 257, "csrf_token": csrf(client)},
    )
    assert english.status_code == 400
    assert "A password has at most 256 characters." in english.text
    assert len(store_of(app).audit_log(1000)) == rows
    # 200 characters is a name like any other: a wrong one, audited in full
    wrong = client.post(
        "/login", data={"username": "n" * 200, "password": "x", "csrf_token": csrf(client)}
    )
    assert wrong.status_code == 401
    assert store_of(app).audit_log(1)[0]["user"] == "n" * 200
    store_of(app).dispose()


# --- malformed requests are 400s ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/dash/deps/%2f..%2f..%2fsetup.py",
        "/_dash-component-suites/dash/..%2f..%2fetc/passwd",
        "/_dash-component-suites/dash/dcc%2f..%2f..%2fapp.py",
        "/_dash-component-suites/nothing/here.js",
    ],
)
def test_a_component_suite_path_that_names_no_file_is_a_400(app, path: str):
    response = app.server.test_client().get(path)
    assert response.status_code == 400
    assert response.text == "请求无法识别，已拒绝。"


def test_a_200000_deep_json_body_is_a_400(app):
    client = app.server.test_client()
    log_in(client, "vic")
    body = b"[" * 200_000 + b"]" * 200_000
    response = client.post(
        "/_dash-update-component",
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": csrf(client)},
    )
    assert response.status_code == 400
    assert response.text == "请求无法识别，已拒绝。"
    # the same session goes on working
    assert client.get("/_dash-layout").status_code == 200


# --- the throttle counts atomically, per account and per address ---------------------------------


def test_a_burst_of_40_concurrent_attempts_checks_at_most_5_passwords(tmp_path: Path, db_url: str):
    app = filled_app(tmp_path, db_url)
    start = threading.Barrier(40)

    def attempt(i: int) -> int:
        client = app.server.test_client()
        token = csrf(client)
        start.wait()
        return client.post(
            "/login",
            data={"username": "ana", "password": f"guess-{i}", "csrf_token": token},
            environ_base={"REMOTE_ADDR": f"10.9.0.{i}"},  # from 40 addresses: the name's limit
        ).status_code

    with ThreadPoolExecutor(40) as pool:
        codes = list(pool.map(attempt, range(40)))
    assert sorted(codes) == [401] * 5 + [429] * 35
    failed = [e for e in store_of(app).audit_log(200) if e["action"] == "login_failed"]
    assert len(failed) == 5
    # the right password after the limit does not get in
    right = log_in(app.server.test_client(), "ana")
    assert right.status_code == 429
    store_of(app).dispose()


def test_a_locked_account_does_not_lock_the_other_accounts_of_its_address(app):
    office = {"REMOTE_ADDR": "192.0.2.10"}
    client = app.server.test_client()
    for _ in range(5):
        assert log_in(client, "ana", "wrong", environ_base=office).status_code == 401
    for _ in range(10):  # hammering the locked name counts nothing more against the address
        assert log_in(client, "ana", "wrong", environ_base=office).status_code == 429
    colleague = app.server.test_client()
    assert log_in(colleague, "vic", environ_base=office).status_code == 302
    assert log_in(app.server.test_client(), "adm", environ_base=office).status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(tmp_path: Path, sqlite_url: str):
    filled_store(sqlite_url).dispose()
    rule = {"login_max_address_failures": 3}
    proxied = throttled_app(tmp_path, sqlite_url, trusted_proxies=1, **rule)
    client = proxied.server.test_client()

    def via_proxy(name: str, password: str | None, client_address: str):
        return log_in(
            client,
            name,
            password,
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
            headers={"X-Forwarded-For": client_address},
        )

    for name in ("u1", "u2", "u3"):
        assert via_proxy(name, "guess", "203.0.113.5").status_code == 401
    assert via_proxy("vic", PASSWORDS["vic"], "203.0.113.5").status_code == 429
    assert via_proxy("vic", PASSWORDS["vic"], "203.0.113.6").status_code == 302
    failed = [e for e in store_of(proxied).audit_log() if e["action"] == "login_failed"]
    assert {e["detail"]["address"] for e in failed} == {"203.0.113.5"}
    # without the setting the header is not believed: the proxy's own address is counted
    direct = throttled_app(tmp_path, sqlite_url, **rule).server.test_client()
    forged = {"X-Forwarded-For": "198.51.100.1"}
    assert log_in(direct, "u4", "guess", headers=forged).status_code == 401
    last = store_of(proxied).audit_log(1)[0]
    assert last["detail"]["address"] == "127.0.0.1"
