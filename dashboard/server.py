"""Serving the dashboard with gunicorn: `serve(host, port, db_url, workers)`.

Each worker builds its own app with `create_app` (no state shared through module globals);
they share the database (values, accounts, the secret unless $ZHIBIAO_SECRET_KEY gives one)
and the background jobs' results (a diskcache beside the database, or Redis when a Redis URL
is given: then a Celery worker, `zhibiao worker`, runs the jobs; see dashboard.jobs). Before a
worker serves, it starts the fork server its upload checks parse files in (loaders.sandbox).
Several hosts may serve one database and one Redis: nothing a request needs is per process.
"""

from __future__ import annotations

import os
from typing import Any

import gunicorn.http.wsgi
from gunicorn.app.base import BaseApplication

from dashboard.app import create_app
from dashboard.state import EXTENSION
from dashboard.warm import start_warming

#: Workers when not told: between 2 and 4, by the number of CPUs.
MIN_WORKERS = 2
MAX_WORKERS = 4
#: Seconds a worker may spend on one request (a large upload is checked in a child process).
TIMEOUT_SECONDS = 120
THREADS = 4
#: The Server header of every response, instead of gunicorn's name (gunicorn has no setting for
#: it: its responses write the module's SERVER, which `serve` replaces before any worker starts).
SERVER_HEADER = "zhibiao"


def default_workers() -> int:
    return max(MIN_WORKERS, min(MAX_WORKERS, os.cpu_count() or MIN_WORKERS))


class DashboardApplication(BaseApplication):
    """gunicorn running `create_app(config).server` in every worker."""

    def __init__(self, app_config: dict[str, Any], options: dict[str, Any]) -> None:
        self.app_config = app_config
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        gunicorn.http.wsgi.SERVER = SERVER_HEADER
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        return create_app(self.app_config).server


def start_parse_server(worker: Any) -> None:
    """gunicorn's post_worker_init: the worker's fork server for parsing files, started now,
    from the worker itself (its threads, and its jobs' threads, read through it); then the
    thread keeping the latest period's tables ready (`dashboard.warm`)."""
    from loaders.sandbox import start_children

    start_children()
    app_state = getattr(getattr(worker, "wsgi", None), "extensions", {}).get(EXTENSION)
    if app_state is not None:
        start_warming(app_state)


def gunicorn_options(
    host: str, port: int, workers: int | None, max_request_line: int = 8190
) -> dict[str, Any]:
    """Bind, workers, threads and request limits for gunicorn."""
    return {
        "post_worker_init": start_parse_server,
        "bind": f"{host}:{port}",
        "workers": workers or default_workers(),
        "threads": THREADS,
        "worker_class": "gthread",
        "timeout": TIMEOUT_SECONDS,
        "limit_request_line": max_request_line,
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
        "accesslog": "-",
        "preload_app": False,
    }


def serve(
    host: str = "127.0.0.1",
    port: int = 8050,
    db_url: str | None = None,
    workers: int | None = None,
    **config: Any,
) -> None:
    """Run the dashboard until interrupted. `config` goes to `create_app` (redis_url,
    secret_key, lang, …).

    The request body cap is the Flask app's MAX_CONTENT_LENGTH (set by create_app from the
    upload limit); gunicorn caps the request line and headers.
    """
    app_config = {"db_url": db_url, **config}
    DashboardApplication(app_config, gunicorn_options(host, port, workers)).run()


def work(db_url: str | None = None, concurrency: int | None = None, **config: Any) -> None:
    """Run the Celery worker of background jobs until interrupted (config: redis_url, …)."""
    from dashboard.app import create_app
    from dashboard.jobs import run_worker

    run_worker(create_app({"db_url": db_url, **config}), concurrency)
