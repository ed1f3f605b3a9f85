"""The login wall, roles and CSRF, through Flask's test client on a real SQLite store."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from dashboard_fixtures import (
    app_config,
    callback_body,
    callback_spec,
    change_body,
    confirm_body,
    csrf,
    data_url,
    filled_app,
    filled_store,
    log_in,
    page_body,
    post_callback,
    response_text,
    store_of,
)

from dashboard import auth
from dashboard.app import create_app
from zhibiao.samples import write_samples


@pytest.fixture
def app(tmp_path: Path, sqlite_url: str):
    return filled_app(tmp_path, sqlite_url)


@pytest.fixture
def april(tmp_path: Path) -> Path:
    """The sample county's report of January–April 2025 (a period the store does not hold)."""
    paths = write_samples(tmp_path / "samples")
    return next(p for p in paths if "2025年1-4月" in p.name)


# --- login and logout -------------------------------------------------------------------------


def test_pages_redirect_to_login_without_a_session(app):
    client = app.server.test_client()
    response = client.get("/rankings?period=2025-03")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/rankings?period=2025-03"
    assert client.get("/").headers["Location"] == "/login?next=/"
    assert client.get("/download/xlsx").status_code == 302


def test_dash_requests_without_a_session_are_refused_401(app):
    client = app.server.test_client()
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/_dash-dependencies").status_code == 401
    response = post_callback(client, page_body("/rankings"))
    assert response.status_code == 401
    assert response.text == "请先登录。"


def test_login_page_in_both_languages_carries_the_csrf_token(app):
    client = app.server.test_client()
    zh = client.get("/login")
    assert zh.status_code == 200
    assert "<title>登录 · 乡镇指标看板</title>" in zh.text
    token = client.get_cookie("_csrf_token").value
    assert len(token) >= 32
    assert f'name="csrf_token" value="{token}"' in zh.text
    en = client.get("/login?lang=en")
    assert "<title>Sign in · Township indicator dashboard</title>" in en.text


def test_wrong_password_is_refused_and_no_session_is_made(app):
    client = app.server.test_client()
    response = log_in(client, "ana", "not-the-password")
    assert response.status_code == 401
    assert "用户名或密码不正确。" in response.text
    assert client.get("/").status_code == 302
    actions = [(e["user"], e["action"]) for e in store_of(app).audit_log()]
    assert ("ana", "login_failed") in actions


def test_right_password_opens_the_pages(app):
    client = app.server.test_client()
    response = log_in(client, "vic")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/rankings")
    assert page.status_code == 200
    assert "<title>排名 · 乡镇指标看板</title>" in page.text
    assert client.get("/_dash-layout").status_code == 200
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_login_never_redirects_to_another_site(app):
    client = app.server.test_client()
    response = client.post(
        "/login",
        data={
            "username": "vic",
            "password": "viewer-pw-1",
            "csrf_token": csrf(client),
            "next": "//evil.example/x",
        },
    )
    assert response.headers["Location"] == "/"


def test_logout_ends_the_session(app):
    client = app.server.test_client()
    log_in(client, "vic")
    assert client.get("/").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf(client)}).status_code == 302
    assert client.get("/").status_code == 302


def test_post_without_the_csrf_token_is_refused(app):
    client = app.server.test_client()
    log_in(client, "ana")
    no_header = client.post("/_dash-update-component", json=page_body("/rankings"))
    assert no_header.status_code == 403
    wrong = client.post(
        "/_dash-update-component", json=page_body("/rankings"), headers={"X-CSRFToken": "x" * 43}
    )
    assert wrong.status_code == 403
    login_form = client.post("/login", data={"username": "ana", "password": "analyst-pw-1"})
    assert login_form.status_code == 403
    right = post_callback(client, page_body("/rankings"))
    assert right.status_code == 200


def test_role_order():
    assert auth.role_allows("admin", "analyst")
    assert auth.role_allows("analyst", "analyst")
    assert not auth.role_allows("viewer", "analyst")
    assert not auth.role_allows(None, "viewer")
    assert not auth.role_allows("root", "viewer")


# --- the upload, by role ----------------------------------------------------------------------


def test_analyst_confirm_stores_the_workbook(app, april):
    client = app.server.test_client()
    log_in(client, "ana")
    response = post_callback(client, confirm_body(client, april, "ana"))
    assert response.status_code == 200, response.text
    assert (
        "已保存:第 3 次上传,青川县2025年1-4月人口计生统计月报表.xlsx,统计期 2025-04。"
        in response_text(response)
    )
    uploads = store_of(app).uploads()
    assert len(uploads) == 3
    assert uploads[0]["user"] == "ana"
    assert uploads[0]["periods"] == ["2025-04"]
    assert "2025-04" in store_of(app).periods()


def test_viewer_replaying_the_analysts_upload_is_refused_and_nothing_is_stored(app, april):
    analyst = app.server.test_client()
    log_in(analyst, "ana")
    body = confirm_body(analyst, april, "ana")
    viewer = app.server.test_client()
    log_in(viewer, "vic")
    # the analyst's payload as it is, and one claiming the viewer's own name
    for payload in (
        body,
        {
            **body,
            "state": [
                dict(s, value="vic") if s["id"] == "session-user" else s for s in body["state"]
            ],
        },
    ):
        response = post_callback(viewer, payload)
        assert response.status_code == 403
        assert response.text == "您的账号没有此项操作的权限。"
    assert len(store_of(app).uploads()) == 2
    assert "2025-04" not in store_of(app).periods()


def test_the_confirm_callback_checks_the_role_itself(app, april):
    # Even with the login wall's list of guarded outputs emptied, the callback refuses a viewer.
    analyst = app.server.test_client()
    log_in(analyst, "ana")
    body = confirm_body(analyst, april, "ana")
    app.server.config["ZHIBIAO_GUARDED"] = {}
    viewer = app.server.test_client()
    log_in(viewer, "vic")
    response = post_callback(viewer, body)
    assert response.status_code == 200
    assert "您的账号没有此项操作的权限。" in response_text(response)
    assert "已保存" not in response_text(response)
    assert len(store_of(app).uploads()) == 2


def test_viewer_is_refused_before_the_background_check_starts(app, april):
    viewer = app.server.test_client()
    log_in(viewer, "vic")
    spec = callback_spec(viewer, "upload-preview")
    body = callback_body(
        spec,
        {
            "upload-file.contents": data_url(april),
            "upload-file.filename": april.name,
            "upload-lang.data": "zh",
            "session-user.data": "vic",
        },
    )
    response = post_callback(viewer, body)
    assert response.status_code == 403
    assert "cacheKey" not in response.text


def test_an_analyst_cannot_act_in_another_users_name(app, april):
    client = app.server.test_client()
    log_in(client, "ana")
    response = post_callback(client, confirm_body(client, april, "adm"))
    assert response.status_code == 403
    assert len(store_of(app).uploads()) == 2


def test_a_demoted_analyst_is_refused_at_once(app, april):
    client = app.server.test_client()
    log_in(client, "ana")
    body = confirm_body(client, april, "ana")
    store_of(app).set_role("ana", "viewer")
    # the role change ended the session: the confirm is refused before it runs
    response = post_callback(client, body)
    assert response.status_code == 401
    assert len(store_of(app).uploads()) == 2


def test_the_upload_page_tells_a_viewer_it_is_not_for_them(app):
    client = app.server.test_client()
    log_in(client, "vic")
    response = post_callback(client, page_body("/upload"))
    assert response.status_code == 200
    assert "upload-forbidden" in response.text
    assert "upload-file" not in response.text


# --- the original file of an upload -------------------------------------------------------------


def test_the_confirmed_workbook_is_downloaded_again_byte_for_byte(app, april):
    analyst = app.server.test_client()
    log_in(analyst, "ana")
    assert post_callback(analyst, confirm_body(analyst, april, "ana")).status_code == 200
    [latest, *_] = store_of(app).uploads()
    assert (latest["id"], latest["size"], latest["has_original"]) == (3, april.stat().st_size, True)

    # a viewer may not download it (403, nothing of the file in the answer) …
    viewer = app.server.test_client()
    log_in(viewer, "vic")
    refused = viewer.get("/download/original/3")
    assert refused.status_code == 403
    assert refused.get_data(as_text=True) == "您的账号没有此项操作的权限。"
    assert refused.data != april.read_bytes()
    # … an analyst and an admin may
    admin = app.server.test_client()
    log_in(admin, "adm")
    assert admin.get("/download/original/3").data == april.read_bytes()
    response = analyst.get("/download/original/3")
    assert response.status_code == 200
    assert response.data == april.read_bytes()
    assert hashlib.sha256(response.data).hexdigest() == latest["sha256"]
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert april.name == "青川县2025年1-4月人口计生统计月报表.xlsx"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"upload-3.xlsx\"; filename*=UTF-8''" + quote(april.name, safe="")
    )
    entry = store_of(app).audit_log(1)[0]
    assert (entry["user"], entry["action"]) == ("ana", "download.original")
    assert entry["detail"] == {"upload_id": 3, "file": april.name}


def test_the_original_needs_a_session_and_an_existing_upload(app):
    stranger = app.server.test_client()
    response = stranger.get("/download/original/1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/download/original/1"
    assert b"\x00" not in response.data

    client = app.server.test_client()
    log_in(client, "ana")
    missing = client.get("/download/original/99")
    assert missing.status_code == 404
    assert missing.text == "没有这个上传的原文件。"
    # uploads 1 and 2 of the filled store were saved without their bytes
    assert client.get("/download/original/1").status_code == 404
    assert client.get("/download/original/abc").status_code == 404
    assert client.get("/download/original/3/x").status_code == 404
    assert client.get("/download/original").status_code == 404
    assert client.get("/download/original/99999999999999999999999").status_code == 404


# --- sessions end: logout, password, role; idle timeout; two servers ----------------------------


def replay(app, cookie: str):
    """A fresh client (another browser, an attacker) holding a captured session cookie."""
    client = app.server.test_client()
    client.set_cookie("session", cookie, domain="localhost")
    return client


def session_value(client) -> str:
    return client.get_cookie("session").value


def signed_in(app, name: str):
    """A client signed in as `name`, and its session cookie as captured now."""
    client = app.server.test_client()
    log_in(client, name)
    return client, session_value(client)


def test_a_cookie_captured_before_logout_opens_nothing_after_it(app):
    client, captured = signed_in(app, "ana")
    other_browser, _ = signed_in(app, "ana")
    assert replay(app, captured).get("/upload").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf(client)}).status_code == 302
    thief = replay(app, captured)
    page = thief.get("/upload")
    assert page.status_code == 302
    assert page.headers["Location"] == "/login"
    assert thief.get("/_dash-layout").status_code == 401
    # logout ends every session of the account, the other browser's too
    assert other_browser.get("/_dash-layout").status_code == 401
    # a new login works, and its cookie is not the old one's
    fresh = app.server.test_client()
    log_in(fresh, "ana")
    assert fresh.get("/upload").status_code == 200
    assert replay(app, captured).get("/upload").status_code == 302


def test_a_password_reset_by_the_admin_ends_the_old_sessions(app):
    analyst, captured = signed_in(app, "ana")
    assert analyst.get("/upload").status_code == 200
    admin, _ = signed_in(app, "adm")
    reset = change_body(admin, "adm", "admin-reset", "ana", password="ana-new-pw-77")
    assert "已重设 ana 的密码。" in response_text(post_callback(admin, reset))
    assert replay(app, captured).get("/upload").status_code == 302
    assert post_callback(analyst, page_body("/upload")).status_code == 401
    # the admin's own session goes on; the new password opens a new one
    assert admin.get("/admin").status_code == 200
    assert log_in(analyst, "ana", "ana-new-pw-77").status_code == 302
    assert analyst.get("/upload").status_code == 200


def test_a_role_change_ends_the_old_sessions(app):
    analyst, captured = signed_in(app, "ana")
    admin, _ = signed_in(app, "adm")
    demote = change_body(admin, "adm", "admin-set-role", "ana", role="viewer")
    assert "已将 ana 的角色改为“查看”。" in response_text(post_callback(admin, demote))
    assert replay(app, captured).get("/upload").status_code == 302
    assert analyst.get("/_dash-layout").status_code == 401
    # signed in again, ana is a viewer: the upload page says it is not for her
    log_in(analyst, "ana")
    assert "upload-forbidden" in response_text(post_callback(analyst, page_body("/upload")))


def test_a_session_ends_after_the_idle_timeout_and_is_renewed_by_use(tmp_path, sqlite_url):
    filled_store(sqlite_url).dispose()
    app = create_app({**app_config(tmp_path, sqlite_url), "session_idle_minutes": 3 / 60})
    client = app.server.test_client()
    log_in(client, "vic")
    for _ in range(3):  # used every 1.5 s: 4.5 s in all, past the 3 s timeout, still open
        time.sleep(1.5)
        assert client.get("/").status_code == 200
    captured = session_value(client)
    time.sleep(4.5)
    assert client.get("/").status_code == 302
    assert replay(app, captured).get("/").status_code == 302


def test_the_session_cookie_lasts_the_idle_timeout_not_31_days(app):
    client = app.server.test_client()
    response = log_in(client, "vic")
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    expires = parsedate_to_datetime(header.split("Expires=")[1].split(";")[0])
    hours = (expires - datetime.now(UTC)).total_seconds() / 3600
    assert 7.9 < hours <= 8.0


def test_the_idle_timeout_reads_the_environment(tmp_path, sqlite_url, monkeypatch):
    filled_store(sqlite_url).dispose()
    monkeypatch.setenv("ZHIBIAO_SESSION_IDLE_MINUTES", "30")
    app = create_app(app_config(tmp_path, sqlite_url))
    assert app.server.permanent_session_lifetime.total_seconds() == 1800


def test_a_session_started_on_one_server_continues_on_another(tmp_path, db_url):
    filled_store(db_url).dispose()
    # two app servers on one database, each with its own cache folder; the secret is the
    # database's (no secret_key given), as on two hosts
    first = create_app({"db_url": db_url, "cache_dir": str(tmp_path / "one")})
    second = create_app({"db_url": db_url, "cache_dir": str(tmp_path / "two")})
    client = first.server.test_client()
    log_in(client, "ana")
    elsewhere = replay(second, session_value(client))
    assert elsewhere.get("/upload").status_code == 200
    # logged out on the second server, the session ends on the first too
    assert elsewhere.post("/logout", data={"csrf_token": csrf(elsewhere)}).status_code == 302
    assert client.get("/upload").status_code == 302
    for app in (first, second):
        store_of(app).dispose()
