"""The script Content-Security-Policy in a real Chromium, under gunicorn: every page works and no
violation is reported; the responses carry no gunicorn banner."""

from __future__ import annotations

import urllib.request

import pytest

from e2e.conftest import Server, login

pytestmark = pytest.mark.browser

#: Every page, as its admin sees it, and a selector that shows it rendered.
PAGES = {
    "/": ".page-overview",
    "/rankings?indicator=srb": ".page-rankings .js-plotly-plot .main-svg",
    "/funnel": ".page-funnel .js-plotly-plot .main-svg",
    "/area": ".page-area .js-plotly-plot .main-svg",
    "/warnings": ".page-warnings",
    "/brief": ".page-brief",
    "/upload": ".page-upload #upload-zone",
    "/admin": ".page-admin #admin-accounts .ag-row",
    "/rankings?present=1": ".js-plotly-plot .main-svg",
}


def test_every_page_runs_under_the_policy_with_no_violation(browser, server: Server):
    page = login(browser, server, "adm")
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" or "Content Security Policy" in msg.text
            else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    for path, rendered in PAGES.items():
        response = page.goto(server.base + path)
        policy = response.headers["content-security-policy"]
        assert (
            "script-src 'self' 'sha256-" in policy
            and "'unsafe-inline'" not in policy.split("style-src")[0]
        )
        page.wait_for_selector(rendered, timeout=30_000)
        page.wait_for_load_state("networkidle")
    page.goto(server.base + "/login?lang=en")
    page.wait_for_selector("#username")
    assert problems == []


def test_no_gunicorn_banner(server: Server):
    with urllib.request.urlopen(server.base + "/login") as response:
        assert response.headers["Server"] == "zhibiao"
        assert "gunicorn" not in str(response.headers).lower()
