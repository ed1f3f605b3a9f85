"""The app factory: `create_app(config)` builds the Dash app, its login wall and its downloads
(exports, charts, and each upload's original file).

Nothing happens at import time. Per-app objects (the store, settings, the background-job
manager) live on the Flask app (`dashboard.state`), never in module globals, so every gunicorn
worker builds its own and shares only the database (values, accounts, secret) and the job
results (a diskcache beside the database, or Redis: see dashboard.jobs).
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dash
import pandas as pd
from flask import Flask, Response, request

import exports
from dashboard import auth, clicks, figures, hardening, jobs, layout, township, views
from dashboard.render import to_png
from dashboard.state import (
    EXTENSION,
    AppState,
    cached_parents,
    cached_periods,
    cached_table,
    open_store,
    state,
)
from indicators.funnel import funnel
from store.db import sqlite_path
from zhibiao.config import Settings, load_settings
from zhibiao.i18n import t

HERE = Path(__file__).resolve().parent
SECRET_ENV = "ZHIBIAO_SECRET_KEY"
#: The login throttle's settings: create_app config key → environment variable.
THROTTLE_ENV = {
    "login_max_failures": "ZHIBIAO_LOGIN_MAX_FAILURES",
    "login_max_address_failures": "ZHIBIAO_LOGIN_MAX_ADDRESS_FAILURES",
    "login_window_seconds": "ZHIBIAO_LOGIN_WINDOW_SECONDS",
    "login_lockout_seconds": "ZHIBIAO_LOGIN_LOCKOUT_SECONDS",
}
#: Sessions and the deployment: create_app config key → environment variable.
WEB_ENV = {
    "session_idle_minutes": "ZHIBIAO_SESSION_IDLE_MINUTES",
    "https": "ZHIBIAO_HTTPS",
    "trusted_proxies": "ZHIBIAO_TRUSTED_PROXIES",
}
#: Room for the JSON around a base64 upload in one Dash request.
REQUEST_OVERHEAD_BYTES = 1024 * 1024


def default_cache_dir(db_url: str) -> Path:
    """A folder every worker of the same database agrees on: beside an SQLite file when its
    folder takes writes, else under the system's temporary folder."""
    db_file = sqlite_path(db_url)
    if db_file is not None and os.access(db_file.parent, os.W_OK):
        return db_file.with_name(db_file.name + ".cache")
    digest = hashlib.sha256(db_url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"zhibiao-cache-{digest}"


def resolve_secret(config: dict[str, Any], app_state: AppState) -> str:
    """config secret_key, else $ZHIBIAO_SECRET_KEY, else one made once in the database.

    Kept in the database, the secret is the same for every worker on every host that serves
    the same database (background job handles and session cookies are signed with it).
    """
    given = config.get("secret_key") or os.environ.get(SECRET_ENV)
    if given:
        return str(given)
    return app_state.store.secret("session")


def throttle_rule(config: dict[str, Any]) -> auth.ThrottleRule:
    """The login throttle: config keys, else the environment, else the defaults."""
    default = auth.ThrottleRule()
    given = {key: config.get(key) or os.environ.get(env) for key, env in THROTTLE_ENV.items()}
    return auth.ThrottleRule(
        max_failures=int(given["login_max_failures"] or default.max_failures),
        max_address_failures=int(
            given["login_max_address_failures"] or default.max_address_failures
        ),
        window_seconds=float(given["login_window_seconds"] or default.window_seconds),
        lockout_seconds=float(given["login_lockout_seconds"] or default.lockout_seconds),
    )


def web_setting(config: dict[str, Any], key: str) -> str | None:
    """A WEB_ENV setting: the config key, else its environment variable, else None."""
    given = config.get(key)
    if given is None or given == "":
        given = os.environ.get(WEB_ENV[key])
    return None if given is None or given == "" else str(given)


def is_on(value: str | None) -> bool:
    """A yes/no setting's value: 1, true, yes, on (any case) are yes."""
    return (value or "").strip().casefold() in ("1", "true", "yes", "on")


def request_cap(max_upload_bytes: int) -> int:
    """The server's request size cap: a base64 upload of the largest file, plus its JSON."""
    return math.ceil(max_upload_bytes * 4 / 3) + REQUEST_OVERHEAD_BYTES


class ZhibiaoDash(dash.Dash):
    """Dash with the page title and html lang of the request's page and language."""

    def interpolate_index(self, *args: Any, **kwargs: Any) -> str:
        lang = auth.request_lang()
        kwargs["title"] = layout.page_title(request.path, lang)
        html = str(super().interpolate_index(*args, **kwargs))
        return html.replace("<html>", f'<html lang="{"zh-CN" if lang == "zh" else "en"}">', 1)


def create_app(config: dict[str, Any] | None = None) -> dash.Dash:
    """Build the dashboard.

    config keys: db_url, redis_url (background jobs on Celery; else $ZHIBIAO_REDIS_URL, else
    threads of this process), secret_key, max_upload_bytes, cache_dir, lang, settings (a
    Settings), store_factory (url → Store; tests never need it); the login throttle's
    login_max_failures, login_max_address_failures, login_window_seconds,
    login_lockout_seconds; and WEB_ENV's session_idle_minutes (480), https (Secure cookies and
    HSTS; secure_cookies is the same) and trusted_proxies (how many reverse proxies in front
    set X-Forwarded-For/-Proto; 0).
    """
    config = dict(config or {})
    settings: Settings = config.get("settings") or load_settings(db_url=config.get("db_url"))
    db_url = config.get("db_url") or settings.db_url
    settings = settings.with_db(db_url).with_redis(config.get("redis_url"))
    cache_dir = Path(config.get("cache_dir") or default_cache_dir(db_url))
    cache_dir.mkdir(parents=True, exist_ok=True)
    max_upload = int(config.get("max_upload_bytes") or settings.limits.file_bytes)
    lang = config.get("lang") or "zh"

    server = Flask("dashboard")
    app_state = AppState(
        db_url=db_url,
        settings=settings,
        max_upload_bytes=max_upload,
        cache_dir=cache_dir,
        default_lang=lang,
        store_factory=config.get("store_factory") or open_store,
    )
    server.extensions[EXTENSION] = app_state
    # the app's own store, not a second one made for the secret alone
    server.secret_key = resolve_secret(config, app_state)
    server.config["MAX_CONTENT_LENGTH"] = request_cap(max_upload)
    app_state.read_only = not app_state.store.writable()
    if app_state.read_only:
        server.logger.warning(t("ui.upload.read_only", "en"))
    manager = jobs.make_manager(
        settings.redis_url, cache_dir / "jobs", settings.limits.job_seconds, server
    )
    app_state.jobs = manager

    app = ZhibiaoDash(
        "dashboard",
        server=server,  # type: ignore[arg-type]  # Dash takes a Flask app; its hint omits it
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        serve_locally=True,
        suppress_callback_exceptions=True,
        background_callback_manager=manager,
        title=t("app.title", lang),
        update_title="",  # the tab's title stays while a callback runs
    )
    app.layout = layout.shell
    guarded: dict[str, str] = {}
    for page in dash.page_registry.values():
        module = sys.modules.get(page["module"])
        register = getattr(module, "register_callbacks", None)
        if register is not None:
            guarded.update(register(app) or {})
    layout.register_callbacks(app)
    clicks.register_callbacks(app)
    https = is_on(web_setting(config, "https")) or bool(config.get("secure_cookies", False))
    idle_minutes = float(web_setting(config, "session_idle_minutes") or auth.IDLE_SECONDS / 60)
    auth.init_auth(
        server,
        lambda: app_state.store,
        secure_cookies=https,
        guarded=guarded,
        user_component=layout.USER_COMPONENT,
        throttle_rule=throttle_rule(config),
        idle_seconds=idle_minutes * 60,
    )
    hardening.init_hardening(
        server,
        app.csp_hashes,
        https=https,
        trusted_proxies=int(web_setting(config, "trusted_proxies") or 0),
    )
    _register_errors(server)
    server.add_url_rule("/download/<kind>", "download", download, methods=["GET"])
    server.add_url_rule(ORIGINAL_RULE, "download_original", download_original, methods=["GET"])
    return app


#: A request over the cap is read to its end (and thrown away) when it is at most this many times
#: the cap, so the browser can finish sending and read the answer instead of a broken pipe.
DRAIN_FACTOR = 4


def drain_request_body(limit: int) -> None:
    """Read and discard the unread request body when it is no longer than `limit` bytes."""
    length = request.content_length or 0
    stream = request.environ.get("wsgi.input")
    if stream is None or length > limit:
        return
    while length > 0:
        chunk = stream.read(min(64 * 1024, length))
        if not chunk:
            return
        length -= len(chunk)


def _register_errors(server: Flask) -> None:
    @server.errorhandler(413)
    def too_large(_err: Exception) -> Any:
        lang = auth.request_lang()
        cap = state().max_upload_bytes
        drain_request_body(DRAIN_FACTOR * server.config["MAX_CONTENT_LENGTH"])
        message = t("ui.upload.too_large", lang, mb=round(cap / 1024 / 1024, 1))
        if request.path == auth.DASH_CALLBACK_PATH:
            # The renderer shows nothing for a 413: answer as a callback that shows the alert.
            side = {layout.ALERT: {"children": message, "hide": False}}
            return server.json.response({"multi": True, "response": {}, "sideUpdate": side}), 200
        return message, 413


DOWNLOAD_TYPES = {
    "png": ("image/png", "png"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
    "pdf": ("application/pdf", "pdf"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def download(kind: str) -> Any:
    """/download/<kind>?period=&basis=&lang=[&scope=&chart=&indicator=&area=]: behind the
    login wall."""
    lang = auth.request_lang()
    if kind not in DOWNLOAD_TYPES:
        return Response(t("ui.download.unknown", lang), status=404)
    app_state = state()
    store = app_state.store
    query = views.resolve_query(request.args, cached_periods(app_state), default_lang=lang)
    if query.period is None:
        return Response(t("ui.common.no_data", lang), status=404)
    query = views.with_scope(
        query, request.args.get("scope"), cached_parents(app_state, query.period)
    )
    mime, ext = DOWNLOAD_TYPES[kind]
    table = cached_table(app_state, query.period, query.basis, query.scope)
    if kind == "png":
        body, name = chart_png(app_state, table, query, request.args)
    else:
        body = export_file(app_state, table, query, kind)
        name = f"zhibiao-{kind}-{query.period}-{query.basis}"
    user = auth.session_user() or {}
    store.audit(user.get("name", "-"), "download", {"kind": kind, "period": query.period})
    return Response(
        body,
        mimetype=mime,
        headers={"Content-Disposition": f'attachment; filename="{name}.{ext}"'},
    )


#: The original file of one upload. Behind the login wall like every page, and for analysts and
#: admins only (the role read from the store): a viewer sees the figures, not the files.
#: Any text after the prefix is routed here (else the pages' catch-all would answer a page):
#: only a number names an upload.
ORIGINAL_RULE = "/download/original/<path:ref>"
#: The role that may fetch an upload's original file.
ORIGINAL_ROLE = "analyst"
#: The name a browser falls back to when it cannot read the RFC 5987 (UTF-8) file name.
ASCII_FALLBACK_STEM = "upload"


def content_disposition(file_name: str, upload_id: int) -> str:
    """An attachment header for any file name: the UTF-8 name (RFC 5987) and a plain ASCII
    one for old browsers (the name itself if plain, else `upload-<id>` with its suffix)."""
    plain = file_name.isascii() and file_name.isprintable() and not set(file_name) & set('"\\;')
    suffix = Path(file_name).suffix
    if not plain:
        suffix = suffix if suffix.isascii() and suffix[1:].isalnum() else ""
    fallback = file_name if plain else f"{ASCII_FALLBACK_STEM}-{int(upload_id)}{suffix}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def download_original(ref: str) -> Any:
    """/download/original/<upload_id>: the file of one upload, byte for byte, as it was named."""
    lang = auth.request_lang()
    store = state().store
    user = auth.current_user(store)
    if user is None or not auth.role_allows(user["role"], ORIGINAL_ROLE):
        return Response(
            t("ui.auth.forbidden", lang), status=403, content_type="text/plain; charset=utf-8"
        )
    upload_id = int(ref) if ref.isascii() and ref.isdigit() else None
    found = store.original(upload_id) if upload_id is not None else None
    if upload_id is None or found is None:
        return Response(
            t("ui.download.no_original", lang),
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    file_name, data = found
    store.audit(user["name"], "download.original", {"upload_id": upload_id, "file": file_name})
    return Response(
        data,
        status=200,
        headers={
            "Content-Type": "application/octet-stream",
            "Content-Disposition": content_disposition(file_name, upload_id),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def chart_png(
    app_state: AppState, table: pd.DataFrame, query: views.ViewQuery, args: Mapping[str, str]
) -> tuple[bytes, str]:
    """A chart of the view as PNG, drawn on the server (Chinese text intact)."""
    catalog = app_state.catalog
    keys = [str(k) for k in dict.fromkeys(table["indicator"])]
    asked = args.get("indicator", "")
    indicator = asked if asked in keys else keys[0]
    chart = args.get("chart", "ranking")
    if chart == "funnel":
        fig = figures.funnel_figure(
            funnel(table, indicator), indicator, query.lang, catalog=catalog
        )
    elif chart in ("area", "trend"):
        return area_png(app_state, table, query, args.get("area")), f"area-{query.period}"
    else:
        chart = "ranking"
        fig = figures.ranking_bar(table, indicator, query.lang, catalog=catalog)
    return to_png(fig), f"{chart}-{indicator}-{query.period}"


def area_png(
    app_state: AppState, table: pd.DataFrame, query: views.ViewQuery, asked: str | None
) -> bytes:
    """The township page as one picture: its table and its small charts (the township asked,
    else the one needing attention, as the page opens)."""
    areas = views.areas_of(table)
    area = asked if asked in areas else (township.attention_area(table) or areas[0])
    period = str(query.period)  # a download has a period (else it answered no data)
    total = views.county_name(table) or ""
    years = township.cached_year_figures(app_state, period, query.basis, total, query.scope)
    view = township.area_view(
        table,
        years,
        area,
        period,
        query.lang,
        catalog=app_state.catalog,
        year_start_month=app_state.settings.year_start_month,
        trends=township.cached_area_trends(app_state, period, total, query.scope),
    )
    fig = figures.area_charts(
        view["lines"],
        area,
        query.lang,
        catalog=app_state.catalog,
        month_labels=view["months"],
        year_labels=view["years"],
        table=township.picture_table(view["rows"], query.lang),
    )
    return to_png(fig, figures.IMAGE_WIDTH, int(fig["layout"]["height"]), figures.IMAGE_SCALE)


def export_file(
    app_state: AppState, table: pd.DataFrame, query: views.ViewQuery, kind: str
) -> bytes:
    """The meeting pack (pptx, pdf) or the scorecard (xlsx) of the view, as bytes."""
    if kind == "pptx":
        return exports.pack_pptx(
            table, query.lang, catalog=app_state.catalog, settings=app_state.settings
        )
    if kind == "pdf":
        return exports.pack_pdf(
            table, query.lang, catalog=app_state.catalog, settings=app_state.settings
        )
    return exports.scorecard_xlsx(table, query.lang)
