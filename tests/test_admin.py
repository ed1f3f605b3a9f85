"""The accounts page (/admin): its rules, and its enforcement on the server for every role."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dashboard_fixtures import (
    callback_body,
    callback_spec,
    change_body,
    csrf,
    filled_app,
    filled_store,
    log_in,
    page_body,
    post_callback,
    response_text,
    store_of,
)

from dashboard import accounts
from zhibiao.i18n import t

NEW_PASSWORD = "new-staff-pw-9"


@pytest.fixture
def app(tmp_path: Path, sqlite_url: str):
    return filled_app(tmp_path, sqlite_url)


def add_body(client, user: str, name: str = "lin", role: str = "analyst", again: str | None = None):
    """The add-account request as the admin's browser sends it."""
    spec = callback_spec(client, "admin-add-result")
    return callback_body(
        spec,
        {
            "admin-add.n_clicks": 1,
            "admin-new-name.value": name,
            "admin-new-role.value": role,
            "admin-new-password.value": NEW_PASSWORD,
            "admin-new-again.value": NEW_PASSWORD if again is None else again,
            "admin-lang.data": "zh",
            "session-user.data": user,
        },
    )


def names(app) -> list[str]:
    return [u["name"] for u in store_of(app).users()]


# --- the rules (dashboard/accounts.py), on SQLite and PostgreSQL -------------------------------------------


def test_password_rules():
    assert accounts.MIN_PASSWORD_LENGTH == 8
    assert accounts.password_problem("", "").key == "ui.admin.empty_password"
    assert accounts.password_problem(None, None).key == "ui.admin.empty_password"
    assert accounts.password_problem("abcdefgh", "abcdefgi").key == "ui.admin.mismatch"
    short = accounts.password_problem("abc4567", "abc4567")
    assert short.key == "ui.admin.too_short"
    assert short.text("zh") == "密码至少需要 8 个字符。"
    assert short.text("en") == "The password needs at least 8 characters."
    assert accounts.password_problem("abcd5678", "abcd5678") is None
    long = accounts.password_problem("p" * 257, "p" * 257)
    assert long.text("zh") == "密码最多 256 个字符。"
    assert long.text("en") == "A password has at most 256 characters."
    assert accounts.password_problem("p" * 256, "p" * 256) is None


def test_account_rules_on_a_real_store(db_url: str):
    store = filled_store(db_url)
    try:
        add = accounts.add_account
        assert add(store, "adm", "  ", "viewer", NEW_PASSWORD, NEW_PASSWORD).key == (
            "ui.admin.empty_name"
        )
        assert add(store, "adm", "x" * 201, "viewer", NEW_PASSWORD, NEW_PASSWORD).key == (
            "ui.admin.name_too_long"
        )
        assert add(store, "adm", "lin", "root", NEW_PASSWORD, NEW_PASSWORD).key == (
            "ui.admin.bad_role"
        )
        assert add(store, "adm", "lin", "viewer", "short", "short").key == "ui.admin.too_short"
        taken = add(store, "adm", "ana", "viewer", NEW_PASSWORD, NEW_PASSWORD)
        assert (taken.ok, taken.text("zh")) == (False, "用户 ana 已存在。")
        assert [u["name"] for u in store.users()] == ["adm", "ana", "vic"]

        done = add(store, "adm", " lin ", "analyst", NEW_PASSWORD, NEW_PASSWORD)
        assert (done.ok, done.text("zh")) == (True, "已创建账号 lin（分析）。")
        assert done.text("en") == "Account lin added (analyst)."
        assert store.get_user("lin")["role"] == "analyst"
        assert store.authenticate("lin", NEW_PASSWORD)["name"] == "lin"

        # an admin never lowers their own role nor deactivates themself
        assert accounts.change_role(store, "adm", "adm", "viewer").key == "ui.admin.self_demote"
        assert accounts.set_account_active(store, "adm", "adm", False).key == (
            "ui.admin.self_deactivate"
        )
        assert store.get_user("adm") | {"created_at": None} == {
            "name": "adm",
            "role": "admin",
            "active": True,
            "created_at": None,
            "session_version": 0,  # refused changes end no session
        }
        assert accounts.change_role(store, "adm", "ghost", "viewer").key == "ui.admin.no_user"
        assert accounts.change_role(store, "adm", None, "viewer").key == "ui.admin.no_target"
        assert accounts.change_role(store, "adm", "vic", "viewer").key == "ui.admin.same_role"

        assert accounts.change_role(store, "adm", "vic", "analyst").ok
        assert store.get_user("vic")["role"] == "analyst"
        assert accounts.set_account_active(store, "adm", "ana", False).ok
        assert store.authenticate("ana", "analyst-pw-1") is None
        assert accounts.set_account_active(store, "adm", "ana", True).ok
        assert store.authenticate("ana", "analyst-pw-1")["name"] == "ana"
        assert accounts.reset_password(store, "adm", "ana", "fresh-pw-77", "fresh-pw-7").key == (
            "ui.admin.mismatch"
        )
        assert accounts.reset_password(store, "adm", "ana", "fresh-pw-77", "fresh-pw-77").ok
        assert store.authenticate("ana", "analyst-pw-1") is None
        assert store.authenticate("ana", "fresh-pw-77")["name"] == "ana"

        mine = [
            (e["user"], e["action"], e["detail"]) for e in store.audit_log() if e["user"] == "adm"
        ]
        assert mine == [
            ("adm", "admin.user_password", {"name": "ana"}),
            ("adm", "admin.user_reactivate", {"name": "ana"}),
            ("adm", "admin.user_deactivate", {"name": "ana"}),
            ("adm", "admin.user_role", {"name": "vic", "from": "viewer", "to": "analyst"}),
            ("adm", "admin.user_add", {"name": "lin", "role": "analyst"}),
        ]
        assert "fresh-pw-77" not in json.dumps([e["detail"] for e in store.audit_log()])
    finally:
        store.dispose()


def test_account_and_audit_rows_in_words():
    people = [
        {"name": "adm", "role": "admin", "active": True, "created_at": None},
        {"name": "vic", "role": "viewer", "active": False, "created_at": None},
    ]
    assert [(r["name"], r["role"], r["active"]) for r in accounts.account_rows(people, "zh")] == [
        ("adm", "管理", "启用"),
        ("vic", "查看", "已停用"),
    ]
    assert accounts.account_rows(people, "en")[1]["active"] == "Deactivated"
    entries = [
        {
            "at": None,
            "user": "adm",
            "action": "admin.user_add",
            "detail": {"name": "lin", "role": "analyst"},
        },
        {"at": None, "user": "ana", "action": "something.new", "detail": {}},
    ]
    rows = accounts.audit_rows(entries, "zh")
    assert (rows[0]["action"], rows[0]["detail"]) == ("管理员新建账号", "name=lin，role=analyst")
    assert rows[1]["action"] == "something.new"
    assert accounts.audit_rows(entries, "en")[0]["detail"] == "name=lin, role=analyst"


# --- the page and its link, by role ------------------------------------------------------------


def test_the_admin_sees_accounts_and_the_audit_trail(app):
    client = app.server.test_client()
    log_in(client, "adm")
    page = post_callback(client, page_body("/admin"))
    assert page.status_code == 200
    body = response_text(page)
    grid = next(
        c["props"]
        for c in page.json["response"]["_pages_content"]["children"]["props"]["children"]
        if c["props"].get("id") == "admin-accounts"
    )
    assert [(r["name"], r["role"], r["active"]) for r in grid["rowData"]] == [
        ("adm", "管理", "启用"),
        ("ana", "分析", "启用"),
        ("vic", "查看", "启用"),
    ]
    assert "操作记录(最近 50 条)" in body
    assert "audit-table" in body
    assert client.get("/admin").status_code == 200
    assert "<title>账号 · 乡镇指标看板</title>" in client.get("/admin").text
    assert '"href": "/admin"' in json.dumps(client.get("/_dash-layout").json)


@pytest.mark.parametrize(("name", "role"), [("ana", "分析"), ("vic", "查看")])
def test_others_are_told_the_page_is_not_for_their_role(app, name, role):
    client = app.server.test_client()
    log_in(client, name)
    page = post_callback(client, page_body("/admin"))
    assert page.status_code == 200
    body = response_text(page)
    assert "admin-forbidden" in body
    assert f"账号管理只对管理员开放。您的角色是“{role}”" in body
    assert "admin-accounts" not in body and "admin-add" not in body
    en = response_text(post_callback(client, page_body("/admin", "?lang=en")))
    assert "Account management is for administrators only." in en
    assert '"href": "/admin' not in json.dumps(client.get("/_dash-layout").json)


# --- the add-account request, replayed by every role --------------------------------------------


def test_the_admins_request_creates_the_account_and_it_can_log_in(app):
    client = app.server.test_client()
    log_in(client, "adm")
    response = post_callback(client, add_body(client, "adm"))
    assert response.status_code == 200, response.text
    assert "已创建账号 lin（分析）。" in response_text(response)
    assert names(app) == ["adm", "ana", "lin", "vic"]
    assert store_of(app).get_user("lin")["role"] == "analyst"
    rows = response.json["response"]["admin-accounts"]["rowData"]
    assert [r["name"] for r in rows] == ["adm", "ana", "lin", "vic"]
    audit = store_of(app).audit_log(1)[0]
    assert (audit["user"], audit["action"], audit["detail"]) == (
        "adm",
        "admin.user_add",
        {"name": "lin", "role": "analyst"},
    )
    newcomer = app.server.test_client()
    login = newcomer.post(
        "/login",
        data={"username": "lin", "password": NEW_PASSWORD, "csrf_token": csrf(newcomer)},
    )
    assert login.status_code == 302
    assert newcomer.get("/").status_code == 200


def test_a_refused_form_says_why_and_stores_nothing(app):
    client = app.server.test_client()
    log_in(client, "adm")
    response = post_callback(client, add_body(client, "adm", again="something-else"))
    assert response.status_code == 200
    assert "两次输入的密码不一致。" in response_text(response)
    assert "admin-accounts" not in response.json["response"]
    assert names(app) == ["adm", "ana", "vic"]


@pytest.mark.parametrize("name", ["ana", "vic"])
def test_others_replaying_the_admins_request_are_refused_and_nothing_is_made(app, name):
    admin = app.server.test_client()
    log_in(admin, "adm")
    body = add_body(admin, "adm")
    other = app.server.test_client()
    log_in(other, name)
    own_name = {
        **body,
        "state": [dict(s, value=name) if s["id"] == "session-user" else s for s in body["state"]],
    }
    for payload in (body, own_name):
        response = post_callback(other, payload)
        assert response.status_code == 403
        assert response.text == "您的账号没有此项操作的权限。"
    assert names(app) == ["adm", "ana", "vic"]
    actions = [e["action"] for e in store_of(app).audit_log()]
    assert "login" in actions  # the trail is read: it holds the logins above
    assert "admin.user_add" not in actions


def test_the_callbacks_check_the_role_themselves(app):
    # Even with the login wall's list of guarded outputs emptied, both callbacks refuse.
    admin = app.server.test_client()
    log_in(admin, "adm")
    add = add_body(admin, "adm")
    deactivate = change_body(admin, "adm", "admin-deactivate", "vic")
    app.server.config["ZHIBIAO_GUARDED"] = {}
    analyst = app.server.test_client()
    log_in(analyst, "ana")
    for payload in (
        add,
        {
            **add,
            "state": [
                dict(s, value="ana") if s["id"] == "session-user" else s for s in add["state"]
            ],
        },
        deactivate,
    ):
        response = post_callback(analyst, payload)
        assert response.status_code == 200
        assert "您的账号没有此项操作的权限。" in response_text(response)
    assert names(app) == ["adm", "ana", "vic"]
    assert store_of(app).get_user("vic")["active"] is True


def test_a_demoted_admin_is_refused_at_once(app):
    client = app.server.test_client()
    log_in(client, "adm")
    body = add_body(client, "adm")
    store_of(app).set_role("adm", "analyst")
    # the role change ended the session: refused before the callback runs
    response = post_callback(client, body)
    assert response.status_code == 401
    assert names(app) == ["adm", "ana", "vic"]
    # signed in again, the page says the role is too low
    log_in(client, "adm")
    page = response_text(post_callback(client, page_body("/admin")))
    assert "admin-forbidden" in page and "您的角色是“分析”" in page


def test_a_deactivated_admin_is_refused(app):
    store_of(app).add_user("boss", "admin", "boss-pw-1234")
    client = app.server.test_client()
    client.post(
        "/login", data={"username": "boss", "password": "boss-pw-1234", "csrf_token": csrf(client)}
    )
    body = add_body(client, "boss")
    store_of(app).set_active("boss", False)
    assert post_callback(client, body).status_code == 401
    assert "lin" not in names(app)


# --- the change form ------------------------------------------------------------------------------


def test_the_admin_changes_deactivates_and_resets_accounts(app):
    client = app.server.test_client()
    log_in(client, "adm")
    response = post_callback(
        client, change_body(client, "adm", "admin-set-role", "vic", role="analyst")
    )
    assert "已将 vic 的角色改为“分析”。" in response_text(response)
    assert store_of(app).get_user("vic")["role"] == "analyst"

    response = post_callback(client, change_body(client, "adm", "admin-deactivate", "vic"))
    assert "已停用账号 vic。" in response_text(response)
    rows = response.json["response"]["admin-accounts"]["rowData"]
    assert [r["active"] for r in rows] == ["启用", "启用", "已停用"]
    viewer = app.server.test_client()
    assert log_in(viewer, "vic").status_code == 401

    post_callback(client, change_body(client, "adm", "admin-reactivate", "vic"))
    response = post_callback(
        client, change_body(client, "adm", "admin-reset", "vic", password="vic-new-pw-1")
    )
    assert "已重设 vic 的密码。" in response_text(response)
    assert store_of(app).authenticate("vic", "vic-new-pw-1")["name"] == "vic"

    mine = [e["action"] for e in store_of(app).audit_log(10) if e["user"] == "adm"]
    assert mine[:4] == [
        "admin.user_password",
        "admin.user_reactivate",
        "admin.user_deactivate",
        "admin.user_role",
    ]


def test_the_admin_cannot_deactivate_or_demote_themself_through_the_page(app):
    client = app.server.test_client()
    log_in(client, "adm")
    response = post_callback(client, change_body(client, "adm", "admin-deactivate", "adm"))
    assert "不能停用自己的账号。" in response_text(response)
    response = post_callback(
        client, change_body(client, "adm", "admin-set-role", "adm", role="viewer")
    )
    assert "不能降低自己的角色。" in response_text(response)
    assert store_of(app).get_user("adm")["role"] == "admin"
    assert store_of(app).get_user("adm")["active"] is True


def test_a_viewer_replaying_a_deactivation_is_refused(app):
    admin = app.server.test_client()
    log_in(admin, "adm")
    body = change_body(admin, "adm", "admin-deactivate", "ana")
    viewer = app.server.test_client()
    log_in(viewer, "vic")
    response = post_callback(viewer, body)
    assert response.status_code == 403
    assert store_of(app).get_user("ana")["active"] is True


def test_messages_of_the_page_exist_in_both_languages():
    assert t("ui.admin.title", "zh") == "账号管理"
    assert t("ui.admin.title", "en") == "Accounts"
