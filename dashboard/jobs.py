"""Background callbacks (the upload page's check): where their jobs run, and the deadline each has.

Dash's own DiskcacheManager forks a job process from the serving process. A gunicorn worker
serves with threads, and a process forked from a threaded one inherits the locks its other
threads held (an SQLite lock: the job hung) and a fork server it cannot wait on (ECHILD: every
check after the first stored upload was refused). So jobs never fork from a server:

- no Redis URL (the embedded default, `make run`): `ThreadJobManager` runs each job in a thread
  of the serving process. The file itself is parsed in a child of multiprocessing's fork server
  (loaders.sandbox), a clean interpreter the worker starts before it serves. Results and
  progress go through a diskcache (`JobCache`) that every worker of the host reads.
- a Redis URL: `DeadlineCeleryManager`, Dash's CeleryManager on a Celery app whose broker and
  result store are that Redis; `zhibiao worker` runs the jobs, on this host or another, and any
  app server answers the page's polls.

Every job has a deadline (`Limits.job_seconds`). Past it the job is ended (a thread's writes are
dropped and its parse child killed; a Celery task is revoked, and killed by Celery's time
limits) and the page's next poll gets an error naming why (`ended_reason`), which the
callback's `on_error` turns into a sentence.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import threading
import time
import uuid
from typing import Any

import diskcache
from dash import CeleryManager, DiskcacheManager

from loaders.sandbox import reading_deadline

log = logging.getLogger(__name__)

#: Why a job ended without a result, as the error the page's poll gets names it.
DEADLINE = "deadline"
LOST = "lost"
REASONS = (DEADLINE, LOST)
#: The mark of a job-ended error in the message Dash hands to `on_error`.
ENDED_MARK = "zhibiao-job-ended:"
#: Keys of the job records in the result store.
JOB = "zhibiao-job"
JOB_OF = "zhibiao-job-of"
#: Suffixes Dash gives a result key for the job's progress and set_props.
PROGRESS_SUFFIX = "-progress"
SET_PROPS_SUFFIX = "-set_props"
#: A job record outlives its deadline this many times over (then the store forgets it).
RECORD_LIFETIMES = 10
#: Seconds Celery lets a task run past its deadline (its soft limit) before killing it.
HARD_LIMIT_GRACE = 15
#: Processes of one Celery worker when not told.
WORKER_CONCURRENCY = 2


def job_error(reason: str) -> dict[str, Any]:
    """What a poll of a job that ended without a result gets: Dash hands it to `on_error`."""
    return {"background_callback_error": {"msg": f"{ENDED_MARK}{reason}", "tb": ""}}


def ended_reason(error: BaseException) -> str | None:
    """DEADLINE or LOST when `error` is a job ended by its manager, else None."""
    text = str(error)
    for reason in REASONS:
        if f"{ENDED_MARK}{reason}" in text:
            return reason
    return None


def pid_alive(pid: int) -> bool:
    """Whether a process of this host with this id is running."""
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def record_state(record: dict[str, Any] | None, now: float | None = None) -> str:
    """ "running", "done" (finished, or cancelled by a newer job), DEADLINE or LOST."""
    if record is None or record.get("ended"):
        return "done"
    if (now or time.time()) > float(record["deadline"]):
        return DEADLINE
    if record.get("done"):
        return "done"
    if not pid_alive(record["pid"]):
        return LOST
    return "running"


class JobEnded(Exception):
    """Raised in a job's thread when it writes progress or a result after it was ended."""


class JobCache(diskcache.Cache):
    """The embedded jobs' result store: a job's result and progress are written only while
    the job runs. A job past its deadline, or cancelled, that writes is stopped there
    (JobEnded): its next progress step is its last."""

    def set(self, key: Any, value: Any, *args: Any, **kwargs: Any) -> bool:
        if isinstance(key, str) and not self.accepts(key):
            raise JobEnded(key)
        return super().set(key, value, *args, **kwargs)

    def accepts(self, key: str) -> bool:
        """Whether a write of `key` (a result, progress or set_props key) may go in."""
        base = key.removesuffix(PROGRESS_SUFFIX).removesuffix(SET_PROPS_SUFFIX)
        job = self.get((JOB_OF, base))
        if job is None:
            return True
        return record_state(self.get((JOB, job))) == "running"


class ThreadJobManager(DiskcacheManager):
    """Dash's DiskcacheManager with each job in a thread of the serving process, never a fork.

    A job id names a record (pid of the process running it, deadline) in the cache, so a
    poll that reaches another worker of the host knows whether the job still runs.
    """

    def __init__(self, cache: JobCache, deadline_seconds: float, server: Any) -> None:
        super().__init__(cache)
        self.deadline_seconds = float(deadline_seconds)
        self.server = server

    def call_job_fn(self, key: str, job_fn: Any, args: Any, context: Any) -> str:
        job = uuid.uuid4().hex
        deadline = time.time() + self.deadline_seconds
        expire = self.deadline_seconds * RECORD_LIFETIMES
        self.handle.set((JOB, job), {"pid": os.getpid(), "deadline": deadline}, expire=expire)
        self.handle.set((JOB_OF, key), job, expire=expire)
        thread = threading.Thread(
            target=self._run,
            args=(job, job_fn, key, args, context, deadline),
            name=f"zhibiao-job-{job[:8]}",
            daemon=True,
        )
        thread.start()
        return job

    def _run(
        self, job: str, job_fn: Any, key: str, args: Any, context: Any, deadline: float
    ) -> None:
        try:
            with self.server.app_context(), reading_deadline(deadline):
                job_fn(key, self._make_progress_key(key), args, context)
        except JobEnded:
            log.info("background job %s ended before it finished", job)
        except BaseException:  # the job function stores its own errors; this is a bug in it
            log.exception("background job %s failed", job)
        finally:
            self._update(job, done=True)

    def _update(self, job: str, **changes: Any) -> None:
        with self.handle.transact():
            record = self.handle.get((JOB, job))
            if record is not None:
                expire = self.deadline_seconds * RECORD_LIFETIMES
                self.handle.set((JOB, job), {**record, **changes}, expire=expire)

    def state(self, job: Any) -> str:
        return record_state(self.handle.get((JOB, str(job))))

    def job_running(self, job: Any) -> bool:
        return job is not None and self.state(job) == "running"

    def terminate_job(self, job: Any) -> None:
        """End a job: its thread runs on to its next step, but nothing it writes is kept."""
        if job is not None:
            self._update(str(job), ended=True)

    def terminate_unhealthy_job(self, job: Any) -> bool:
        return False

    def get_result(self, key: str, job: Any) -> Any:
        result = super().get_result(key, job)
        if result is not self.UNDEFINED or job is None:
            return result
        state = self.state(job)
        if state in REASONS:
            self.terminate_job(job)
            return job_error(state)
        return result


class DeadlineCeleryManager(CeleryManager):
    """Dash's CeleryManager with a deadline on every task: Celery's soft limit raises in the
    task at the deadline, its hard limit kills the worker process soon after, and a poll past
    the deadline (the task may not even have started: no worker) revokes it and says so."""

    def __init__(self, celery_app: Any, deadline_seconds: float) -> None:
        super().__init__(celery_app)
        self.deadline_seconds = float(deadline_seconds)

    def call_job_fn(self, key: str, job_fn: Any, args: Any, context: Any) -> str:
        deadline = time.time() + self.deadline_seconds
        task = job_fn.apply_async(
            args=(key, self._make_progress_key(key), args, context),
            soft_time_limit=self.deadline_seconds,
            time_limit=self.deadline_seconds + HARD_LIMIT_GRACE,
            expires=self.deadline_seconds,
        )
        self.handle.backend.set(f"{JOB}-{task.task_id}", json.dumps({"deadline": deadline}))
        return task.task_id

    def deadline_of(self, job: Any) -> float | None:
        raw = self.handle.backend.get(f"{JOB}-{job}")
        return float(json.loads(raw)["deadline"]) if raw else None

    def get_result(self, key: str, job: Any) -> Any:
        result = super().get_result(key, job)
        if result is not self.UNDEFINED:
            error = result.get("background_callback_error") if isinstance(result, dict) else None
            if error and "SoftTimeLimitExceeded" in error.get("tb", ""):
                return job_error(DEADLINE)
            return result
        if job is None:
            return result
        deadline = self.deadline_of(job)
        if deadline is not None and time.time() > deadline:
            self.terminate_job(job)
            self.handle.backend.delete(f"{JOB}-{job}")
            return job_error(DEADLINE)
        task = self.get_task(job)
        if task is not None and task.status in ("FAILURE", "REVOKED"):
            return job_error(LOST)
        return result


def celery_app(redis_url: str, job_seconds: float, server: Any) -> Any:
    """A Celery app on `redis_url` (broker and result store), JSON only, time limits from the
    job deadline, each task run in the app context of `server` (the Flask app). Every app
    server and worker of one deployment makes the same."""
    from celery import Celery, Task

    class InAppContext(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with server.app_context():
                return super().__call__(*args, **kwargs)

    app = Celery(
        "zhibiao", broker=redis_url, backend=redis_url, set_as_current=False, task_cls=InAppContext
    )
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_soft_time_limit=job_seconds,
        task_time_limit=job_seconds + HARD_LIMIT_GRACE,
        result_expires=int(job_seconds * RECORD_LIFETIMES),
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
    )
    return app


def make_manager(redis_url: str | None, cache_dir: Any, job_seconds: float, server: Any) -> Any:
    """The background-callback manager of the Flask app `server`: Celery on Redis when a URL
    is given, else threads of the serving process (results in a diskcache in `cache_dir`).
    Jobs run in the app context of `server` (`dashboard.app.state()` is theirs)."""
    if redis_url:
        return DeadlineCeleryManager(celery_app(redis_url, job_seconds, server), job_seconds)
    return ThreadJobManager(JobCache(str(cache_dir)), job_seconds, server)


def run_worker(app: Any, concurrency: int | None = None, loglevel: str = "INFO") -> None:
    """Run the Celery worker of `app` (a Dash app made with a Redis URL) until interrupted.

    Its processes (Celery's prefork pool) are forked before they read anything; each drops
    the database connections it inherited, and starts its own fork server on its first read.
    """
    from celery.signals import worker_process_init

    manager = app.server.extensions["zhibiao"].jobs
    if not isinstance(manager, DeadlineCeleryManager):
        raise ValueError("the worker needs a Redis URL")
    state = app.server.extensions["zhibiao"]

    @worker_process_init.connect(weak=False)
    def _fresh_process(**_kwargs: Any) -> None:
        if state._store is not None:
            state._store.engine.dispose(close=False)
        # Celery's pool process is billiard's: daemonic (multiprocessing refuses a daemonic
        # process children) and with an authkey multiprocessing may not pickle. This one
        # parses files in children of its own fork server and kills them itself
        # (loaders.sandbox), as Celery kills it at the hard time limit.
        current: Any = multiprocessing.current_process()  # billiard's internals: untyped
        current._config["daemon"] = False
        current._config["authkey"] = multiprocessing.process.AuthenticationString(  # type: ignore[attr-defined]
            bytes(current.authkey)
        )

    manager.handle.worker_main(
        [
            "worker",
            f"--loglevel={loglevel}",
            f"--concurrency={concurrency or WORKER_CONCURRENCY}",
            "--pool=prefork",
            "--without-gossip",
            "--without-mingle",
        ]
    )
