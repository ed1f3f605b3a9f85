"""What a malformed or hostile request meets, and the headers every response carries.

Headers: no MIME sniffing, no framing by other sites, no address leaks, and a script
Content-Security-Policy: scripts only from the app's own origin plus Dash's inline scripts by
their hashes (`Dash.csp_hashes`: the renderer's start and the clientside callbacks), no plugins,
no `<base>` elsewhere, forms posting only here. Served over https (the `https` setting),
Strict-Transport-Security too.

A 400, never a 500:

- A `/_dash-component-suites/…` path that names no file of a registered component library
  (`…%2f..`, an unknown library) is a bad request (Dash raises DependencyException for it).
- A JSON body nested deeper than Python's parser recurses (200,000 `[`) is a bad request; the
  body of a signed-in request is parsed once here, and Flask keeps the parsed value for the
  login wall and Dash (one without a session is refused by the login wall, unparsed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dash.exceptions import DependencyException
from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.auth import request_lang, session_user
from zhibiao.i18n import t

#: Headers on every response: no MIME sniffing, no framing by other sites, no address leaks.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
}
#: Strict-Transport-Security when served over https: a year, this host.
HSTS = "max-age=31536000"


def content_security_policy(inline_script_hashes: Sequence[str]) -> str:
    """The policy: scripts from this origin and the listed inline ones only."""
    scripts = " ".join(["'self'", *inline_script_hashes])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            # Dash, Mantine and plotly set styles inline and as data: images; they run no code
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )


def headers_hook(
    inline_script_hashes: Callable[[], Sequence[str]], https: bool
) -> Callable[[Response], Response]:
    """The after_request hook setting SECURITY_HEADERS, the policy (hashes read on first use,
    once the app's callbacks are all registered) and HSTS when served over https."""
    policy: list[str] = []

    def set_headers(response: Response) -> Response:
        if not policy:
            policy.append(content_security_policy(inline_script_hashes()))
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers["Content-Security-Policy"] = policy[0]
        if https:
            response.headers["Strict-Transport-Security"] = HSTS
        return response

    return set_headers


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


def init_hardening(
    server: Flask,
    inline_script_hashes: Callable[[], Sequence[str]],
    *,
    https: bool = False,
    trusted_proxies: int = 0,
) -> None:
    """Wire the headers and the 400s into the Flask server (the 400s first among the
    before_request hooks), and trust `trusted_proxies` reverse proxies' X-Forwarded-For and
    X-Forwarded-Proto (werkzeug's ProxyFix): the login throttle then counts the client's
    address, not the proxy's. `inline_script_hashes`: Dash's csp_hashes."""
    server.after_request(headers_hook(inline_script_hashes, https))
    if trusted_proxies > 0:
        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app, x_for=trusted_proxies, x_proto=trusted_proxies
        )
    server.before_request_funcs.setdefault(None, []).insert(0, refuse_unreadable_json)

    @server.errorhandler(DependencyException)
    def unknown_component_file(_err: Exception) -> Any:
        return bad_request()
