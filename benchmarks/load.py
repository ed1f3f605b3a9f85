"""A bounded load test on loopback: logged-in sessions render the dashboard's pages at once.

    python benchmarks/load.py [--db sqlite|postgresql] [--scale county|province]
        [--sessions 50] [--renders 1500] [--seconds 300] [--pause 0,4] [--workers N]
        [--out FILE]

It starts its own server (`zhibiao serve`, gunicorn) on a free loopback port over a store it
fills: the sample county (15 townships, the sample workbooks), or a province (1,500 synthetic
townships, 24 months); PostgreSQL in a throwaway cluster when asked (tests/conftest.py's). Each
session signs in as its own account (analyst, viewer and admin in turn; one sign-in at a time,
as the login throttle counts an address's attempts in flight), then loads pages one after another as a browser does (the page, its layout
and dependencies, then the callback that renders the page's content), pausing a random time
in --pause between pages. It stops after --renders page loads or --seconds, whichever comes
first, and never leaves loopback.

Reported: page loads per second, requests per second, latency of a page load at p50, p95 and
p99, the errors (any answer but 200, any broken connection), and the floor: the median page
load of one session alone on the same server just before the load, to which the latencies are
also given as ratios. Nothing asserts a time.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))

#: The pages a session loads, in turn from a random start.
PAGES = ("/", "/rankings", "/warnings", "/area", "/funnel", "/brief")
USER, PASSWORD = "load", "load-password-1"
#: Roles of the sessions' accounts, in turn (each session signs in as its own user).
ROLES = ("analyst", "viewer", "admin")
#: Seconds one request may take before it counts as an error.
REQUEST_TIMEOUT = 120
#: Page loads of the single session that measures the floor.
FLOOR_LOADS = 12
ROUTER_OUTPUT = "_pages_content.children"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the store ------------------------------------------------------------------------------


def fill_county(url: str, folder: Path) -> None:
    """The sample county's workbooks, loaded as `zhibiao demo` does."""
    from store import Store
    from zhibiao.ingest import ingest
    from zhibiao.samples import write_samples

    store = Store(url)
    store.create()
    for path in write_samples(folder / "samples"):
        ingest(path.read_bytes(), path.name, store, user="load")
    store.dispose()


def add_accounts(url: str, sessions: int) -> None:
    """The floor's account `load`, and one account per session: load-0, load-1, …, their roles
    in turn from ROLES (what each page shows depends on the user's role)."""
    from store import Store

    store = Store(url)
    store.add_user(USER, "analyst", PASSWORD)
    for i in range(sessions):
        store.add_user(f"{USER}-{i}", ROLES[i % len(ROLES)], PASSWORD)
    store.dispose()


def fill_province(url: str, areas: int = 1_500) -> None:
    """24 months of `areas` synthetic townships (benchmarks/workload.py), one upload a month."""
    from workload import Workload, months

    Workload(areas).fill(url, months()).dispose()


# --- one session ----------------------------------------------------------------------------


@dataclass
class Tally:
    """What every session measured (appended under one lock)."""

    loads: list[float] = field(default_factory=list)
    #: sign-ins go one at a time, as people's do: the login throttle counts an address's
    #: attempts in flight, and 50 at the same instant from one loopback address would be refused
    signing_in: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Session:
    """A browser's cookies and the requests a page load makes."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.router: dict[str, Any] | None = None
        self.requests = 0

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.jar if c.name == name)

    def fetch(self, path: str, data: bytes | None = None, headers: dict | None = None) -> bytes:
        self.requests += 1
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
            if response.status != 200:
                raise urllib.error.HTTPError(path, response.status, "", response.headers, None)
            return response.read()

    def log_in(self, user: str = USER) -> None:
        self.fetch("/login")
        form = urllib.parse.urlencode(
            {
                "username": user,
                "password": PASSWORD,
                "csrf_token": self.cookie("_csrf_token"),
                "next": "/",
            }
        ).encode()
        self.fetch("/login", form, {"Content-Type": "application/x-www-form-urlencoded"})

    def load_page(self, path: str) -> None:
        """What a browser asks for when it opens `path`: the page, its layout and callbacks,
        then the callback that renders the page's content."""
        self.fetch(path)
        referer = {"Referer": self.base + path}
        self.fetch("/_dash-layout", headers=referer)
        deps = json.loads(self.fetch("/_dash-dependencies", headers=referer))
        spec = next(d for d in deps if ROUTER_OUTPUT in d["output"])
        from dashboard_fixtures import callback_body

        body = callback_body(spec, {"_pages_location.pathname": path, "_pages_location.search": ""})
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.cookie("_csrf_token")}
        answer = json.loads(
            self.fetch("/_dash-update-component", json.dumps(body).encode(), headers)
        )
        if "_pages_content" not in answer.get("response", {}):
            raise ValueError(f"{path}: no page content")


def run_session(
    base: str,
    tally: Tally,
    stop: threading.Event,
    budget: list[int],
    pause: tuple[float, float],
    seed: int,
) -> None:
    rng = random.Random(seed)
    session = Session(base)
    try:
        with tally.signing_in:
            session.log_in(f"{USER}-{seed}")
    except Exception as error:  # noqa: BLE001 - counted, reported
        with tally.lock:
            tally.errors.append(f"login: {type(error).__name__}: {error}")
        return
    turn = rng.randrange(len(PAGES))
    while not stop.is_set():
        with tally.lock:
            if budget[0] <= 0:
                return
            budget[0] -= 1
        path = PAGES[turn % len(PAGES)]
        turn += 1
        before = session.requests
        start = time.perf_counter()
        try:
            session.load_page(path)
            elapsed = time.perf_counter() - start
            with tally.lock:
                tally.loads.append(elapsed)
        except Exception as error:  # noqa: BLE001 - counted, reported
            with tally.lock:
                tally.errors.append(f"{path}: {type(error).__name__}: {error}")
        with tally.lock:
            tally.requests += session.requests - before
        stop.wait(rng.uniform(*pause))


# --- the run --------------------------------------------------------------------------------


def start_server(url: str, folder: Path, workers: int | None) -> tuple[subprocess.Popen, str, Path]:
    port = free_port()
    log = folder / "server.log"
    args = [sys.executable, "-c", "import sys; from zhibiao.cli import main; sys.exit(main())"]
    args += ["serve", "--db", url, "--port", str(port)]
    if workers:
        args += ["--workers", str(workers)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("ZHIBIAO_REDIS_URL", None)
    with log.open("w") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=folder)
    base = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 120
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(log.read_text()[-3000:])
        try:
            urllib.request.urlopen(base + "/login", timeout=2).close()
            return proc, base, log
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the server did not start")


def floor_of(base: str) -> float:
    """The median page load of one session alone (every page, twice, after one warm-up pass)."""
    session = Session(base)
    session.log_in()
    for path in PAGES:
        session.load_page(path)
    times = []
    for i in range(FLOOR_LOADS):
        start = time.perf_counter()
        session.load_page(PAGES[i % len(PAGES)])
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def measure(args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="zhibiao-load-"))
    cluster = None
    if args.db == "postgresql":
        from conftest import PgCluster

        cluster = PgCluster()
        cluster.start()
        url = cluster.new_database()
    else:
        url = f"sqlite:///{folder / 'load.db'}"
    try:
        fill_county(url, folder) if args.scale == "county" else fill_province(url)
        add_accounts(url, args.sessions)
        proc, base, log = start_server(url, folder, args.workers)
        try:
            floor = floor_of(base)
            tally, stop, budget = Tally(), threading.Event(), [args.renders]
            pause = tuple(float(x) for x in args.pause.split(","))
            threads = [
                threading.Thread(
                    target=run_session, args=(base, tally, stop, budget, pause, i), daemon=True
                )
                for i in range(args.sessions)
            ]
            start = time.perf_counter()
            for thread in threads:
                thread.start()
            deadline = start + args.seconds
            while any(t.is_alive() for t in threads) and time.perf_counter() < deadline:
                time.sleep(0.2)
            stop.set()
            # page loads under way finish (or time out) within one request's timeout
            settle = time.perf_counter() + REQUEST_TIMEOUT
            for thread in threads:
                thread.join(max(0.0, settle - time.perf_counter()))
            elapsed = time.perf_counter() - start
            with tally.lock:
                tally.errors += [f"unfinished: {t.name}" for t in threads if t.is_alive()]
        finally:
            proc.terminate()
            proc.wait(15)
    finally:
        if cluster is not None:
            cluster.stop()
    loads = tally.loads
    return {
        "db": args.db,
        "scale": args.scale,
        "sessions": args.sessions,
        "pause": args.pause,
        "seconds": round(elapsed, 1),
        "loads": len(loads),
        "requests": tally.requests,
        "loads_per_s": round(len(loads) / elapsed, 2),
        "requests_per_s": round(tally.requests / elapsed, 2),
        "floor": round(floor, 3),
        "p50": round(percentile(loads, 50), 3),
        "p95": round(percentile(loads, 95), 3),
        "p99": round(percentile(loads, 99), 3),
        "errors": len(tally.errors),
        "error_kinds": sorted(set(e.split(":")[0] + ": " + e.split(":")[1] for e in tally.errors))[
            :5
        ],
    }


def markdown_row(r: dict[str, Any]) -> str:
    ratio = (lambda x: f"{x / r['floor']:.1f}") if r["floor"] else (lambda x: "—")
    return (
        f"| {r['db']} | {r['scale']} | {r['sessions']} | {r['pause']} | {r['loads']} "
        f"| {r['loads_per_s']} | {r['requests_per_s']} | {r['floor']} "
        f"| {r['p50']} ({ratio(r['p50'])}×) | {r['p95']} ({ratio(r['p95'])}×) "
        f"| {r['p99']} ({ratio(r['p99'])}×) | {r['errors']} |"
    )


HEADER = (
    "| database | scale | sessions | pause (s) | page loads | loads/s | requests/s | floor (s) "
    "| p50 (s) | p95 (s) | p99 (s) | errors |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--scale", choices=("county", "province"), default="county")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--renders", type=int, default=1_500, help="page loads at most")
    parser.add_argument("--seconds", type=float, default=300, help="seconds at most")
    parser.add_argument("--pause", default="0,4", help="min,max seconds between page loads")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--out", default=None, help="append the row to this Markdown file")
    args = parser.parse_args(argv)
    result = measure(args)
    print(json.dumps(result, ensure_ascii=False))
    print(HEADER)
    print(markdown_row(result))
    if args.out:
        with open(args.out, "a", encoding="utf-8") as out:
            out.write(markdown_row(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
