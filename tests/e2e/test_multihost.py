"""The multi-host shape on loopback: PostgreSQL, Redis, a Celery worker and two app servers.

`zhibiao worker` runs the background jobs; two `zhibiao serve` (ports A and B, one worker each)
share the database and the Redis, as two hosts behind one name would. An analyst logs in on A
and goes on on B with the same session; stores 2025-06 through A and sees its births on A; a
revision is checked through A (the job runs on the Celery worker, its result fetched through
B) and confirmed through B; A shows the revision's births at once (its table cache is keyed by
the store's revision, read on every request).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from dashboard_fixtures import callback_body, filled_store, township_report

from e2e.conftest import free_port, login, wait_for
from store import Store
from zhibiao.samples import COUNTY

pytestmark = pytest.mark.browser

TITLE = f"{COUNTY}2025年1-6月出生情况月报表"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZHIBIAO = [sys.executable, "-c", "import sys; from zhibiao.cli import main; sys.exit(main())"]


class Process:
    def __init__(self, name: str, args: list[str], folder: Path, **extra_env: str) -> None:
        self.log = folder / f"{name}.log"
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **extra_env}
        env.pop("ZHIBIAO_SECRET_KEY", None)
        env.pop("ZHIBIAO_REDIS_URL", None)
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=folder
            )

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Deployment:
    def __init__(self, db_url: str, servers: list[str], worker: Process) -> None:
        self.db_url = db_url
        self.servers = servers
        self.worker = worker


class Site:
    """What post_callback and login need of a server: its base URL."""

    def __init__(self, base: str) -> None:
        self.base = base


@pytest.fixture(scope="module")
def deployment(pg_cluster, redis_server, tmp_path_factory) -> Iterator[Deployment]:
    folder = tmp_path_factory.mktemp("multihost")
    db_url = pg_cluster.new_database()
    filled_store(db_url).dispose()
    redis = redis_server.url()
    common = ["--db", db_url, "--redis", redis]
    started: list[Process] = []
    try:
        worker = Process("worker", [*ZHIBIAO, "worker", *common, "--concurrency", "1"], folder)
        started.append(worker)
        bases = []
        for name in ("a", "b"):
            port = free_port()
            args = [*ZHIBIAO, "serve", *common, "--port", str(port), "--workers", "1"]
            server = Process(name, args, folder)
            started.append(server)
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/login", server.proc, server.log)
            bases.append(base)
        wait_until(lambda: "ready" in worker.log.read_text(), 60, worker.log)
        yield Deployment(db_url, bases, worker)
    finally:
        for process in reversed(started):
            process.stop()


def wait_until(ready, seconds: float, log: Path) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if ready():
            return
        time.sleep(0.3)
    raise RuntimeError(f"not ready: {log.read_text()[-3000:]}")


def callback(page, base: str, output_part: str, values: dict, query: str = "") -> dict:
    """POST the callback whose output names `output_part` to `base` in the page's session."""
    deps = page.request.get(base + "/_dash-dependencies").json()
    spec = next(d for d in deps if output_part in d["output"])
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "_csrf_token")
    response = page.request.post(
        base + "/_dash-update-component" + query,
        data=json.dumps(callback_body(spec, values)),
        headers={"Content-Type": "application/json", "X-CSRFToken": token},
    )
    assert response.status in (200, 204), response.text()
    return response.json() if response.status == 200 else {}


def check_values(path: Path) -> dict:
    contents = f"data:{XLSX};base64," + base64.b64encode(path.read_bytes()).decode()
    return {
        "upload-file.contents": contents,
        "upload-file.filename": path.name,
        "upload-period.value": None,
        "upload-basis.value": "",
        "upload-lang.data": "zh",
        "session-user.data": "ana",
    }


def check_on(page, start: str, poll: str, path: Path) -> dict:
    """Start the check of `path` through `start`, poll its result through `poll`: the outputs."""
    values = check_values(path)
    handles = callback(page, start, "upload-preview", values)
    assert set(handles) >= {"cacheKey", "job"}, handles
    query = f"?cacheKey={quote(handles['cacheKey'])}&job={quote(handles['job'])}"
    # the renderer polls with the values left out
    empty = dict.fromkeys(values)
    end = time.monotonic() + 120
    while time.monotonic() < end:
        answer = callback(page, poll, "upload-preview", empty, query)
        if "response" in answer:
            return answer["response"]
        time.sleep(0.5)
    raise AssertionError("the check never finished")


def births_card(page, base: str) -> str:
    page.goto(base + "/?period=2025-06")
    page.wait_for_selector("#card-births .card-value", timeout=60_000)
    return page.locator("#card-births .card-value").inner_text()


def test_two_servers_share_sessions_jobs_and_revisions(browser, deployment, tmp_path: Path):
    a, b = deployment.servers
    page = login(browser, Site(a), "ana")
    try:
        # the session started on A goes on on B
        page.goto(b + "/upload")
        page.wait_for_selector("#upload-file")
        assert page.url == b + "/upload"

        # revision 1 of 2025-06, through A in the browser: 15 townships, births 555
        first = township_report(tmp_path, "六月.xlsx", 15, title=TITLE, sheet="6月")
        page.goto(a + "/upload")
        page.wait_for_selector("#upload-file")
        page.set_input_files("#upload-file input[type=file]", str(first))
        page.wait_for_selector("#upload-verdict", timeout=120_000)
        assert page.locator("#upload-verdict").inner_text() == "检查通过,可以保存。", page.locator(
            "#upload-preview"
        ).inner_text()
        page.click("#upload-confirm")
        page.wait_for_selector("#upload-outcome", timeout=60_000)
        assert page.locator("#upload-outcome").inner_text().startswith("已保存:第 3 次上传")
        assert births_card(page, a) == "555"
        assert births_card(page, b) == "555"

        # revision 2 checked through A (run by the Celery worker, read back through B) ...
        second = township_report(tmp_path, "六月(更正).xlsx", 14, title=TITLE, sheet="6月", boys=20)
        checked = check_on(page, a, b, second)
        seen = checked["upload-seen"]["data"]
        store = Store(deployment.db_url)
        try:
            revision_one = store.uploads()[0]["id"]
        finally:
            store.dispose()
        assert seen == {"2025-06 ytd": revision_one}
        assert checked["upload-keep"]["data"] == ["木鱼乡"]
        # ... and confirmed through B
        stored = callback(
            page,
            b,
            "upload-result",
            {
                **check_values(second),
                "upload-confirm.n_clicks": 1,
                "upload-accept.checked": False,
                "upload-seen.data": seen,
                "upload-keep.value": [],
            },
        )
        outcome = stored["response"]["upload-result"]["children"]["props"]["children"]
        assert outcome == "已保存:第 4 次上传,六月(更正).xlsx,统计期 2025-06。"

        # A, which had the first revision's table cached, shows the second at once:
        # 14 townships of 20 boys and 14…27 girls
        assert births_card(page, a) == str(20 * 14 + sum(range(14, 28)))
    finally:
        page.context.close()
    assert "succeeded" in deployment.worker.log.read_text()


def test_a_job_no_worker_takes_is_ended_at_its_deadline(
    browser, pg_cluster, redis_server, tmp_path
):
    """A server whose Redis database no worker serves: the check waits in the queue; past the
    deadline (3 s here) the page says the check was stopped, and the task is revoked."""
    db_url = pg_cluster.new_database()
    filled_store(db_url).dispose()
    (tmp_path / "county.toml").write_text("[limits]\njob_seconds = 3\n", encoding="utf-8")
    port = free_port()
    args = [*ZHIBIAO, "serve", "--db", db_url, "--redis", redis_server.url(1)]
    server = Process(
        "lonely",
        [*args, "--port", str(port), "--workers", "1"],
        tmp_path,
        ZHIBIAO_SETTINGS=str(tmp_path / "county.toml"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/login", server.proc, server.log)
        page = login(browser, Site(base), "ana")
        try:
            page.goto(base + "/upload")
            page.wait_for_selector("#upload-file")
            path = township_report(tmp_path, "六月.xlsx", 15, title=TITLE, sheet="6月")
            page.set_input_files("#upload-file input[type=file]", str(path))
            page.wait_for_selector("#upload-job-ended", timeout=60_000)
            assert page.locator("#upload-job-ended").inner_text() == (
                "检查超过 3 秒仍未完成,已停止;没有保存任何数据。请稍后重新上传,或把文件拆小后上传。"
            )
        finally:
            page.context.close()
    finally:
        server.stop()
    store = Store(db_url)
    try:
        assert len(store.uploads()) == 2
    finally:
        store.dispose()
