"""Keeps each worker's tables of the latest period ready, so that the first leader to open a
page after an upload does not wait for them.

Every `WARM_SECONDS` a thread of the worker reads the store's revision (one `SELECT max(id)`);
when it changed (a new upload through any worker or host, or the worker just started) it makes
what every page of the latest period reads first, in the worker's own caches: the periods, the
values of the period's months, its year-to-date indicator table of every township and the
reporting status's uploads. At province scale that is seconds of work the first request would
otherwise do; pages themselves are drawn on request (they depend on the language and the
query). Started by gunicorn's post_worker_init (`dashboard.server`), not by `create_app`: a
test or a command building an app has no use for it.
"""

from __future__ import annotations

import logging
import threading

from dashboard.state import AppState, cached_periods, cached_reports, cached_table
from zhibiao.vocabulary import BASES

#: Seconds between two reads of the store's revision.
WARM_SECONDS = 10.0

log = logging.getLogger(__name__)


def warm(app_state: AppState) -> int:
    """Make the latest period's tables (module docstring) for the store's revision now;
    return that revision."""
    revision = app_state.store.revision()
    periods = cached_periods(app_state)
    if periods:
        cached_table(app_state, periods[-1], BASES[0])
        cached_reports(app_state)
    return revision


def start_warming(
    app_state: AppState, every: float = WARM_SECONDS, stop: threading.Event | None = None
) -> threading.Thread:
    """A daemon thread warming the worker's tables at each new revision, until `stop` is set.
    A failure (the database away for a moment) is logged and tried again at the next turn."""
    stop = stop or threading.Event()

    def run() -> None:
        seen: int | None = None
        while not stop.is_set():
            try:
                if app_state.store.revision() != seen:
                    seen = warm(app_state)
            except Exception:  # the next turn tries again; a request would say why
                log.exception("warming the tables failed")
            stop.wait(every)

    thread = threading.Thread(target=run, name="zhibiao-warm", daemon=True)
    thread.start()
    return thread
