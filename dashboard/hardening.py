"""What a malformed or hostile request meets before any page or callback: a 400, never a 500.

- A `/_dash-component-suites/…` path that names no file of a registered component library
  (`…%2f..`, an unknown library) is a bad request (Dash raises DependencyException for it).
- A JSON body nested deeper than Python's parser recurses (200,000 `[`) is a bad request; the
  body of a signed-in request is parsed once here, and Flask keeps the parsed value for the
  login wall and Dash (one without a session is refused by the login wall, unparsed).
"""

from __future__ import annotations

from typing import Any

from dash.exceptions import DependencyException
from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.auth import request_lang, session_user
from zhibiao.i18n import t


def bad_request() -> Response:
    """A 400 with a sentence in the request's language."""
    return Response(
        t("security.bad_request", request_lang()),
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def refuse_unreadable_json() -> Response | None:
    """The before_request hook: a JSON body the parser cannot read for its depth is a 400."""
    if not request.is_json or session_user() is None:
        return None
    try:
        request.get_json(silent=True)
    except RecursionError:
        return bad_request()
    return None


def init_hardening(server: Flask, *, https: bool = False, trusted_proxies: int = 0) -> None:
    """Wire the 400s into the Flask server (first among the before_request hooks), and trust
    `trusted_proxies` reverse proxies' X-Forwarded-For and X-Forwarded-Proto (werkzeug's
    ProxyFix): the login throttle then counts the client's address, not the proxy's."""
    if trusted_proxies > 0:
        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app, x_for=trusted_proxies, x_proto=trusted_proxies
        )
    server.before_request_funcs.setdefault(None, []).insert(0, refuse_unreadable_json)

    @server.errorhandler(DependencyException)
    def unknown_component_file(_err: Exception) -> Any:
        return bad_request()
