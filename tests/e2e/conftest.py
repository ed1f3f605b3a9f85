"""Browser fixtures: the real server (gunicorn, two workers) over a filled store, Chromium."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from dashboard_fixtures import PASSWORDS, callback_body, filled_store  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
]
#: Screenshots go to docs/screenshots when ZHIBIAO_SCREENSHOTS=1 (`make screenshots`), else to a
#: folder under the system's temporary directory, so a test run leaves the work tree as it was.
SHOTS = (
    REPO / "docs" / "screenshots"
    if os.environ.get("ZHIBIAO_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "zhibiao-screenshots"
)
#: The upload cap of the test server (small, so the too-large message can be shown).
TEST_UPLOAD_BYTES = 2 * 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, base: str, db_url: str, proc: subprocess.Popen, log: Path) -> None:
        self.base = base
        self.db_url = db_url
        self.proc = proc
        self.log = log


def wait_for(url: str, proc: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server did not start: {log.read_text()[-3000:]}")


def start_server(
    folder: Path,
    settings: str | None = None,
    *,
    workers: int = 2,
    upload_bytes: int = TEST_UPLOAD_BYTES,
    prepare: Callable[[Path], None] | None = None,
    wrapper: Sequence[str] = (),
) -> Server:
    """The dashboard under gunicorn with `workers` workers over a filled store in `folder`;
    `settings`: the text of a county.toml it reads instead of the default; `prepare(db file)`
    runs before the server starts; `wrapper`: a command the server runs under."""
    db_url = f"sqlite:///{folder / 'zhibiao.db'}"
    filled_store(db_url).dispose()
    if prepare is not None:
        prepare(folder / "zhibiao.db")
    port = free_port()
    log = folder / "server.log"
    code = (
        "from dashboard.server import serve; "
        f"serve('127.0.0.1', {port}, {db_url!r}, workers={workers}, "
        f"max_upload_bytes={upload_bytes})"
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("ZHIBIAO_SECRET_KEY", None)
    if settings is not None:
        (folder / "county.toml").write_text(settings, encoding="utf-8")
        env["ZHIBIAO_SETTINGS"] = str(folder / "county.toml")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*wrapper, sys.executable, "-c", code],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=folder,
        )
    started = Server(f"http://127.0.0.1:{port}", db_url, proc, log)
    try:
        wait_for(f"http://127.0.0.1:{port}/login", proc, log)
    except BaseException:
        stop_server(started)
        raise
    return started


def stop_server(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(10)
    except subprocess.TimeoutExpired:
        server.proc.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    started = start_server(tmp_path_factory.mktemp("e2e"))
    try:
        yield started
    finally:
        stop_server(started)


@pytest.fixture(scope="module")
def table(server: Server) -> object:
    """The indicator table of the module's store for 2025-03, year to date."""
    from indicators import engine
    from store import Store

    store = Store(server.db_url)
    try:
        return engine.compute(
            store.values(), "2025-03", "ytd", quality=store.quality(), county=store.county()
        )
    finally:
        store.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def login(browser: object, server: Server, name: str, **context: object) -> object:
    """A new page of a browser context logged in as `name`."""
    ctx = browser.new_context(
        viewport={"width": 1600, "height": 900}, accept_downloads=True, **context
    )
    page = ctx.new_page()
    page.goto(server.base + "/login")
    page.fill("#username", name)
    page.fill("#password", PASSWORDS[name])
    page.click("button[type=submit]")
    page.wait_for_url(server.base + "/")
    return page


def settle(page: object) -> None:
    """Wait until the page's requests and Dash's callbacks are done."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")


def shot(page: object, name: str, *, full_page: bool = False) -> None:
    """A screenshot of the page as SHOTS/<name>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def post_callback(page: object, server: Server, output_part: str, values: dict) -> object:
    """POST the callback whose output names `output_part` past the page, with `values` keyed
    'id.prop', in the page's session and with its CSRF token; returns the response."""
    deps = page.request.get(server.base + "/_dash-dependencies").json()
    spec = next(d for d in deps if output_part in d["output"])
    body = callback_body(spec, values)
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "_csrf_token")
    return page.request.post(
        server.base + "/_dash-update-component",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": token},
    )
