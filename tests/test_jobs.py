"""The embedded background-job manager: jobs in threads, a deadline, a result store that
refuses a job's writes once it has ended."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

from flask import Flask

from dashboard import jobs
from loaders.sandbox import child_wait_seconds, reading_deadline
from zhibiao.config import Limits


def manager(tmp_path: Path, seconds: float) -> jobs.ThreadJobManager:
    return jobs.ThreadJobManager(jobs.JobCache(str(tmp_path / "jobs")), seconds, Flask("t"))


def run(manager_: jobs.ThreadJobManager, steps: int, pause: float) -> tuple[str, threading.Event]:
    finished = threading.Event()
    cache = manager_.handle

    def job_fn(result_key, progress_key, _args, _context) -> None:
        try:
            for i in range(steps):
                cache.set(progress_key, [i])
                time.sleep(pause)
            cache.set(result_key, f"{steps} steps")
        finally:
            finished.set()

    return manager_.call_job_fn("key", job_fn, (), {}), finished


def test_a_job_that_finishes_in_time_gives_its_result(tmp_path: Path):
    jobs_ = manager(tmp_path, 30)
    job, finished = run(jobs_, 3, 0.01)
    assert finished.wait(10)
    assert jobs_.get_result("key", job) == "3 steps"
    assert jobs_.job_running(job) is False
    # it ran in a thread of this process: nothing was forked
    assert jobs_.handle.get((jobs.JOB, job))["pid"] == os.getpid()


def test_a_job_past_its_deadline_is_ended_and_the_poll_says_so(tmp_path: Path):
    jobs_ = manager(tmp_path, 0.5)
    job, finished = run(jobs_, 100, 0.1)  # 10 s of work
    assert jobs_.job_running(job) is True
    assert jobs_.get_result("key", job) is jobs_.UNDEFINED  # still running
    time.sleep(0.7)
    ended = jobs_.get_result("key", job)
    assert ended == jobs.job_error(jobs.DEADLINE)
    error = Exception(
        f"An error occurred inside a background callback: {ended['background_callback_error']['msg']}"
    )
    assert jobs.ended_reason(error) == jobs.DEADLINE
    # its next progress write stopped it: well before its 10 s, and it wrote no result
    assert finished.wait(2)
    assert jobs_.handle.get("key") is None
    assert jobs_.job_running(job) is False
    # the poll after says nothing more (the page already has its sentence)
    assert jobs_.get_result("key", job) is jobs_.UNDEFINED


def test_a_job_whose_process_is_gone_is_lost(tmp_path: Path):
    jobs_ = manager(tmp_path, 30)
    gone = subprocess.Popen(["true"])
    gone.wait()
    jobs_.handle.set((jobs.JOB, "j1"), {"pid": gone.pid, "deadline": time.time() + 30})
    assert jobs_.job_running("j1") is False
    assert jobs_.get_result("other-key", "j1") == jobs.job_error(jobs.LOST)


def test_a_job_deadline_cuts_the_parse_childs_time():
    limits = Limits(child_seconds=60)
    assert child_wait_seconds(limits) == 60
    with reading_deadline(time.time() + 2):
        assert 1 < child_wait_seconds(limits) <= 2
    with reading_deadline(time.time() - 1):
        assert child_wait_seconds(limits) == 0
    assert child_wait_seconds(limits) == 60
