"""Accounts at the door: login and logout, the session, roles, the CSRF guard, the login wall.

Every page, Dash request and download needs a session: Flask-Login keeps the account in the
signed session cookie as `<session version>:<name>`, and every request reads the account afresh
from the store, so a deactivated, deleted, demoted or re-passworded account's cookies open nothing
(each such change, and logout, raises the account's session version). The cookie is re-signed on
every request and refused once older than the idle timeout (8 hours by default), on any worker of
any host that shares the database and its secret. Data-changing Dash callbacks are listed
in the app config (``ZHIBIAO_GUARDED``: output component id → least role) and refused before
they run (and before a background job starts) when the session user's role, read afresh from the
store, is too low. Callbacks that change data check the role again themselves.
Sign-in attempts are counted per user name and per address in the store (`LoginThrottle`), one
atomic UPDATE each, before the password is checked: however many arrive at once, no more than the
limit are checked; past it, that name (or address) is refused for a while.
"""

from __future__ import annotations

import hmac
import math
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import flask
import flask_login
from flask import Flask, Response, abort, current_app, g, redirect, request, session
from markupsafe import escape
from werkzeug.wrappers import Response as BaseResponse

from store import Store
from zhibiao.i18n import LANGS, t
from zhibiao.text import MAX_PASSWORD, MAX_USER_NAME
from zhibiao.vocabulary import ROLES

CSRF_COOKIE = "_csrf_token"
CSRF_HEADER = "X-CSRFToken"
CSRF_FIELD = "csrf_token"
LANG_COOKIE = "lang"
DASH_CALLBACK_PATH = "/_dash-update-component"
#: A session unused this long ends (seconds): the idle timeout's default, 8 hours.
IDLE_SECONDS = 8 * 3600
#: The largest login or logout form body (a name, a password, two tokens and a path fit in
#: far less); a larger one is refused before it is parsed.
LOGIN_FORM_BYTES = 16 * 1024
#: Paths anyone may fetch: the login page and static files (no data in them).
PUBLIC_PREFIXES = ("/login", "/assets/", "/_dash-component-suites/", "/_favicon.ico")


def role_allows(role: str | None, needed: str) -> bool:
    """True when `role` is `needed` or above it (viewer < analyst < admin)."""
    if role not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(needed)


def request_lang() -> str:
    """The language of this request: `?lang=`, else the language cookie, else Chinese."""
    for lang in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if lang in LANGS:
            return lang
    return LANGS[0]


class Account(flask_login.UserMixin):
    """The signed-in account as Flask-Login holds it: its id names the session version."""

    def __init__(self, name: str, role: str, version: int) -> None:
        self.name = name
        self.role = role
        self.version = int(version)

    def get_id(self) -> str:
        return f"{self.version}:{self.name}"

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role}


def load_account(store: Store, user_id: str | None) -> Account | None:
    """The account a session's `<version>:<name>` names, if it is active and its sessions were
    not ended since (logout, password, role or state changed): else None."""
    version, _, name = (user_id or "").partition(":")
    if not version.isdigit() or not name:
        return None
    found = store.get_user(name)
    if not found or not found.get("active", True):
        return None
    if int(found.get("session_version", 0)) != int(version):
        return None
    return Account(found["name"], found["role"], found["session_version"])


def session_user() -> dict[str, str] | None:
    """The signed-in user of this request ({name, role}, read from the store when the request
    began), or None."""
    user = flask_login.current_user
    if not getattr(user, "is_authenticated", False):
        return None
    return user.as_dict()


def current_user(store: Store) -> dict[str, str] | None:
    """The session user with the account read afresh from the store now (None if the account
    is gone, inactive, or its sessions were ended)."""
    user = flask_login.current_user
    if not getattr(user, "is_authenticated", False):
        return None
    account = load_account(store, user.get_id())
    return account.as_dict() if account else None


def require_role(store: Store, needed: str) -> dict[str, str]:
    """The session user if their stored role allows `needed`; otherwise refuse (403)."""
    user = current_user(store)
    if user is None:
        abort(401)
    if not role_allows(user["role"], needed):
        abort(403)
    return user


def safe_next(target: str | None) -> str:
    """A local path to return to after login (never another site).

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so "/", a tab,
    "/evil.example" would leave the site: any control character, space or backslash, or anything
    with a scheme or host, sends the user to `/` instead.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def csrf_token() -> str:
    """The CSRF token of this browser (made on first sight, set as a cookie after the request)."""
    token = getattr(g, "csrf_token", None)
    if token:
        return token
    token = request.cookies.get(CSRF_COOKIE) or ""
    if len(token) < 32:
        token = secrets.token_urlsafe(32)
        g.csrf_new = True
    g.csrf_token = token
    return token


def csrf_ok() -> bool:
    """A state-changing request carries the cookie's token in the header or the form."""
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD) or ""
    return bool(cookie) and hmac.compare_digest(cookie, sent)


def guarded_outputs(payload: Mapping[str, Any]) -> list[str]:
    """Output component ids named by a Dash callback request."""
    outputs = payload.get("outputs")
    if isinstance(outputs, dict):
        outputs = [outputs]
    ids: list[str] = []
    for out in outputs or []:
        if isinstance(out, dict) and isinstance(out.get("id"), str):
            ids.append(out["id"])
    return ids


def needed_role(payload: Mapping[str, Any], guarded: Mapping[str, str]) -> str | None:
    """The highest role any output of this callback request needs, or None if unguarded."""
    needs = [guarded[o] for o in guarded_outputs(payload) if o in guarded]
    if not needs:
        return None
    return max(needs, key=ROLES.index)


def _payload_value(payload: Mapping[str, Any], component: str) -> Any:
    for group in ("inputs", "state"):
        for item in payload.get(group) or []:
            if isinstance(item, dict) and item.get("id") == component:
                return item.get("value")
    return None


def _refuse(status: int) -> Response:
    lang = request_lang()
    key = "ui.auth.login_required" if status == 401 else "ui.auth.forbidden"
    return Response(t(key, lang), status=status, content_type="text/plain; charset=utf-8")


def _guard_dash_callback(store: Store) -> Response | None:
    payload = request.get_json(silent=True) or {}
    need = needed_role(payload, current_app.config.get("ZHIBIAO_GUARDED", {}))
    if need is None:
        return None
    user = current_user(store)
    if user is None:
        return _refuse(401)
    if not role_allows(user["role"], need):
        return _refuse(403)
    # The job that runs the callback gets the user as a value: it must be this session's user.
    claimed = _payload_value(payload, current_app.config.get("ZHIBIAO_USER_COMPONENT", ""))
    if claimed is not None and claimed != user["name"]:
        return _refuse(403)
    return None


def login_wall(store_of: Callable[[], Store]) -> Callable[[], BaseResponse | None]:
    """The before_request hook: CSRF on every POST, a session for everything not public."""

    def check() -> BaseResponse | None:
        csrf_token()
        path = request.path
        if path in ("/login", "/logout") and (request.content_length or 0) > LOGIN_FORM_BYTES:
            lang = request_lang()
            return Response(login_page(lang, t("security.login_too_large", lang)), status=413)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not csrf_ok():
            return _refuse(403)
        if path.startswith(PUBLIC_PREFIXES):
            return None
        if session_user() is None:
            ended = "_user_id" in session
            if ended:
                # The account was deactivated, removed, or its sessions ended since login.
                session.clear()
            if path.startswith("/_dash-") or request.method != "GET":
                return _refuse(401)
            if ended:
                return redirect("/login")
            return redirect("/login?next=" + quote(request.full_path.rstrip("?"), safe="/?=&"))
        if path == DASH_CALLBACK_PATH:
            return _guard_dash_callback(store_of())
        return None

    return check


def set_cookies(response: Response) -> Response:
    """The after_request hook: hand out the CSRF cookie and remember the chosen language (the
    security headers are dashboard/hardening.py's)."""
    token = getattr(g, "csrf_token", None)
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))
    if token and getattr(g, "csrf_new", False):
        # Dash's renderer reads this cookie and sends it back as X-CSRFToken: not HttpOnly.
        response.set_cookie(CSRF_COOKIE, token, samesite="Lax", secure=secure, httponly=False)
    lang = request.args.get("lang")
    if lang in LANGS and request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(
            LANG_COOKIE, lang, samesite="Lax", secure=secure, max_age=365 * 24 * 3600
        )
    return response


@dataclass(frozen=True)
class ThrottleRule:
    """How many sign-in attempts in how many seconds lock a user name, or an address, and for
    how long. An address may make more attempts than one name (an office shares one address),
    so a name locked by its failures does not lock the other names from that address."""

    max_failures: int = 5
    max_address_failures: int = 20
    window_seconds: float = 15 * 60
    lockout_seconds: float = 15 * 60


class LoginThrottle:
    """Sign-in attempts per user name and per address, counted in the store (every worker of
    every host shares it). An attempt is counted before its password is checked."""

    def __init__(self, store_of: Callable[[], Store], rule: ThrottleRule) -> None:
        self.store_of = store_of
        self.rule = rule

    def keys(self, name: str, address: str | None) -> list[tuple[str, int]]:
        """The counters one sign-in attempt takes, each with its limit."""
        return [
            (f"user:{name.casefold()}", self.rule.max_failures),
            (f"addr:{address or '-'}", self.rule.max_address_failures),
        ]

    def take(self, keys: Iterable[tuple[str, int]]) -> float:
        """Count one attempt on every key, or on none: 0.0 when counted, else the seconds until
        the first key that refused may try again (attempts refused are never counted)."""
        store = self.store_of()
        rule = self.rule
        taken: list[str] = []
        for key, limit in keys:
            wait = store.take_attempt(key, limit, rule.window_seconds, rule.lockout_seconds)
            if wait > 0:
                for done in taken:
                    store.give_back_attempt(done)
                return wait
            taken.append(key)
        return 0.0

    def succeeded(self, keys: list[tuple[str, int]]) -> None:
        """A right password: the name's failures are forgotten, and this attempt is given back
        to the address (its earlier failures still count)."""
        store = self.store_of()
        (user_key, _), *others = keys
        store.clear_attempts(user_key)
        for key, _ in others:
            store.give_back_attempt(key)


def login_throttle() -> LoginThrottle:
    """The throttle of the app serving this request."""
    return current_app.extensions["zhibiao_throttle"]


def login_page(lang: str, error: str | None = None, next_url: str = "/") -> str:
    """The login form as HTML (works without JavaScript)."""
    other = "en" if lang == "zh" else "zh"
    fields = {
        "title": t("ui.auth.title", lang),
        "app": t("app.title", lang),
        "user": t("ui.auth.username", lang),
        "password": t("ui.auth.password", lang),
        "submit": t("ui.auth.submit", lang),
        "switch": t("ui.lang.switch_to", lang),
    }
    e = {k: escape(v) for k, v in fields.items()}
    message = f'<p class="login-error" role="alert">{escape(error)}</p>' if error else ""
    html_lang = "zh-CN" if lang == "zh" else "en"
    return f"""<!DOCTYPE html>
<html lang="{html_lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e["title"]} · {e["app"]}</title>
<link rel="stylesheet" href="/assets/app.css"></head>
<body class="login-body"><main class="login-card">
<h1>{e["app"]}</h1><h2>{e["title"]}</h2>{message}
<form method="post" action="/login?lang={lang}">
<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_token())}">
<input type="hidden" name="next" value="{escape(next_url)}">
<label for="username">{e["user"]}</label>
<input id="username" name="username" autocomplete="username" required autofocus>
<label for="password">{e["password"]}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">{e["submit"]}</button>
</form>
<p class="login-lang"><a href="/login?lang={other}&next={quote(next_url)}">{e["switch"]}</a></p>
</main></body></html>"""


def login_field_problem(name: str, password: str, lang: str) -> str | None:
    """Why a login form's fields are refused before any lookup (too long), or None."""
    if len(name) > MAX_USER_NAME:
        return t("security.name_too_long", lang, n=MAX_USER_NAME)
    if len(password) > MAX_PASSWORD:
        return t("security.password_too_long", lang, n=MAX_PASSWORD)
    return None


def _login_view(store_of: Callable[[], Store]) -> Callable[[], Any]:
    def view() -> Any:
        lang = request_lang()
        next_url = safe_next(request.values.get("next"))
        if request.method == "GET":
            return login_page(lang, next_url=next_url)
        store = store_of()
        name = (request.form.get("username") or "").strip()
        too_long = login_field_problem(name, request.form.get("password") or "", lang)
        if too_long:
            # Refused at the edge: nothing is looked up, counted or written for it.
            return login_page(lang, too_long, next_url), 400
        throttle = login_throttle()
        keys = throttle.keys(name, request.remote_addr)
        wait = throttle.take(keys)
        if wait > 0:
            store.audit(name or "-", "login_throttled", {"address": request.remote_addr})
            message = t("security.login_throttled", lang, minutes=max(1, math.ceil(wait / 60)))
            return login_page(lang, message, next_url), 429
        user = store.authenticate(name, request.form.get("password") or "")
        if not user:
            store.audit(name or "-", "login_failed", {"address": request.remote_addr})
            return login_page(lang, t("ui.auth.wrong", lang), next_url), 401
        throttle.succeeded(keys)
        # A new session: nothing set before login (by anyone) survives it.
        session.clear()
        flask_login.login_user(Account(user["name"], user["role"], user["session_version"]))
        session.permanent = True
        store.audit(user["name"], "login", {})
        return redirect(next_url)

    return view


def _logout_view(store_of: Callable[[], Store]) -> Callable[[], Any]:
    def view() -> Any:
        user = session_user()
        if user:
            # Every session of the account ends, on every worker and host: not only this cookie.
            store = store_of()
            store.end_sessions(user["name"])
            store.audit(user["name"], "logout", {})
        flask_login.logout_user()
        session.clear()
        return redirect("/login")

    return view


def init_auth(
    server: Flask,
    store_of: Callable[[], Store],
    *,
    secure_cookies: bool = False,
    guarded: Mapping[str, str] | None = None,
    user_component: str = "",
    throttle_rule: ThrottleRule | None = None,
    idle_seconds: float = IDLE_SECONDS,
) -> None:
    """Wire Flask-Login, the login wall, the CSRF guard, the login throttle, /login and /logout
    into the Flask server. A session unused for `idle_seconds` ends."""
    server.extensions["zhibiao_throttle"] = LoginThrottle(store_of, throttle_rule or ThrottleRule())
    manager = flask_login.LoginManager()
    manager.session_protection = "basic"
    manager.user_loader(lambda user_id: load_account(store_of(), user_id))
    manager.init_app(server)
    server.permanent_session_lifetime = timedelta(seconds=float(idle_seconds))
    server.config.update(
        # Re-signed on every request: the signature's age is the time since the last request.
        SESSION_REFRESH_EACH_REQUEST=True,
        REMEMBER_COOKIE_SECURE=secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        # The only forms are login and logout (uploads come as JSON): no field needs more.
        MAX_FORM_MEMORY_SIZE=LOGIN_FORM_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        ZHIBIAO_GUARDED=dict(guarded or {}),
        ZHIBIAO_USER_COMPONENT=user_component,
    )
    # Run before Dash's own first-request setup so no callback is reached without a session.
    server.before_request_funcs.setdefault(None, []).insert(0, login_wall(store_of))
    server.after_request(set_cookies)
    server.add_url_rule("/login", "login", _login_view(store_of), methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", _logout_view(store_of), methods=["POST"])


def guard(outputs: Iterable[str], role: str) -> dict[str, str]:
    """A ZHIBIAO_GUARDED fragment: each output id needs `role`."""
    return {o: role for o in outputs}


def flask_session_user() -> dict[str, str] | None:
    """The session user when called inside a request, else None (for layouts)."""
    return session_user() if flask.has_request_context() else None
