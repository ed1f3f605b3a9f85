"""The public door from bytes to grids: sniff, guard and read one file in a child process
with capped memory and time, so that no file can take the server down.

`read_workbook` is what the table parser calls. Each file gets a fresh child, forked from
multiprocessing's fork server (a clean interpreter started once, that has imported the
readers and never reads a file itself), so a child starts in milliseconds and shares nothing
with the previous file's. As with `spawn`, a script that calls it must guard its entry point
with `if __name__ == "__main__":`.

The fork server belongs to the process that started it: only that process (any of its
threads) may read through it. A process forked from it (or from any multithreaded process)
must not read: it cannot wait on the server (ECHILD) and may inherit locks held by threads it
does not have. dashboard.jobs runs upload checks in threads of the serving process for that
reason. A background job's deadline (`reading_deadline`) also bounds the child's time.
"""

from __future__ import annotations

import math
import multiprocessing
import resource
import signal
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from typing import Any, Final

from loaders.guard import (
    Refusal,
    check_file_size,
    check_grids,
    check_xml_text,
    guard_ooxml,
    megabytes,
    refusal,
)
from loaders.readers import read_csv, read_html, read_ooxml, read_xls, read_xml2003
from loaders.sniff import sniff_delimiter, sniff_kind
from loaders.types import Finding, Grid
from zhibiao.config import Limits

#: What the child sends back: {"kind", "grids": [Grid as dict], "findings": [Finding as dict],
#: "encoding"}; plain data only.
Message = dict[str, Any]
ChildBody = Callable[[bytes, str, Limits], Message]
#: How children are started, and what the fork server imports once for all of them.
START_METHOD: Final = "forkserver"
PRELOAD = ["__main__", "loaders.sandbox"]
#: Seconds the parent allows a killed child to be reaped.
REAP_SECONDS = 5.0
#: Exit signals that mean the child ran out of memory (the kernel's killer, or an allocator
#: that aborts, as Rust's does, when the address-space cap refuses it).
MEMORY_SIGNALS = (signal.SIGKILL, signal.SIGABRT)
TIME_SIGNALS = (signal.SIGXCPU,)
#: The moment (time.time()) by which a read must end: the deadline of the job reading, if any.
_deadline: ContextVar[float | None] = ContextVar("zhibiao_read_deadline", default=None)


@dataclass
class ReadResult:
    """The grids of one file, or the findings that refuse it (then grids is [])."""

    kind: str  # "xlsx" | "xls" | "csv" | "html" | "xml2003" ("" when refused unsniffed)
    grids: list[Grid]
    findings: list[Finding] = field(default_factory=list)
    encoding: str | None = None  # for text kinds

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


def read_workbook(data: bytes, filename: str, limits: Limits) -> ReadResult:
    """Sniff, guard and read `data` (named `filename` in findings only) in a child process.

    Never raises for a bad file: every refusal, timeout or crash is a finding.
    """
    findings = check_file_size(data, filename, limits)
    if findings:
        return ReadResult(kind="", grids=[], findings=findings)
    return result_from_message(run_in_child(read_in_child, data, filename, limits))


def result_from_message(message: Message) -> ReadResult:
    findings = [Finding.from_dict(f) for f in message.get("findings", [])]
    grids = [Grid(**g) for g in message.get("grids", [])]
    if any(f.severity == "error" for f in findings):
        grids = []
    return ReadResult(
        kind=message.get("kind", ""),
        grids=grids,
        findings=findings,
        encoding=message.get("encoding"),
    )


# ----------------------------------------------------------------------------- in the child


def read_in_child(data: bytes, filename: str, limits: Limits) -> Message:
    """The child's work: sniff the kind, guard it, read it, check what was read."""
    sniffed = sniff_kind(data)
    if sniffed.refusal:
        return refused_message(refusal(sniffed.refusal, filename, **sniffed.params))
    kind, text = sniffed.kind, sniffed.text or ""
    try:
        if kind == "xlsx":
            scans: dict = {}
            findings = guard_ooxml(data, filename, limits, scans)
            grids = [] if findings else read_ooxml(data, limits, scans)
        elif kind == "xls":
            findings, grids = [], read_xls(data, limits)
        elif kind == "xml2003":
            findings = check_xml_text(text, filename)
            grids = [] if findings else read_xml2003(text, limits)
        elif kind == "html":
            findings, grids = [], read_html(text, limits)
        else:
            findings, grids = [], read_csv(text, sniff_delimiter(text), limits)
    except Refusal as refused:
        findings, grids = [refused.finding(filename)], []
    if not findings:
        findings = check_grids(grids, filename, limits)
    message = refused_message(*findings) if findings else {"grids": [grid_fields(g) for g in grids]}
    return {**message, "kind": kind, "encoding": sniffed.encoding}


def grid_fields(grid: Grid) -> dict[str, Any]:
    """A grid's fields as plain data, as they are: pickling sends them whole, so the deep copy
    `asdict` would make of every cell is not needed."""
    return {f.name: getattr(grid, f.name) for f in fields(grid)}


def refused_message(*findings: Finding) -> Message:
    return {"kind": "", "grids": [], "findings": [f.to_dict() for f in findings]}


def memory_finding(filename: str, limits: Limits) -> Finding:
    return refusal("read.memory", filename, limit_mb=megabytes(limits.child_memory_bytes))


def cap_child(limits: Limits) -> None:
    """Address space, CPU seconds and core dumps capped for this (child) process."""
    memory = int(limits.child_memory_bytes)
    seconds = math.ceil(limits.child_seconds) + 1
    lower_limit(resource.RLIMIT_AS, memory, memory)
    lower_limit(resource.RLIMIT_CPU, seconds, seconds + 1)
    lower_limit(resource.RLIMIT_CORE, 0, 0)


def lower_limit(which: int, soft: int, hard: int) -> None:
    """Set a resource limit, never above the hard limit already in force."""
    _, current = resource.getrlimit(which)
    if current != resource.RLIM_INFINITY:
        soft, hard = min(soft, current), min(hard, current)
    resource.setrlimit(which, (soft, hard))


def child_main(conn: Any, body: ChildBody, data: bytes, filename: str, limits: Limits) -> None:
    """Entry point of the child: cap it, run `body`, send its message (or what went wrong)."""
    try:
        cap_child(limits)
        message = body(data, filename, limits)
    except MemoryError:
        message = refused_message(memory_finding(filename, limits))
    except Exception as error:  # a parser bug must not leave the parent waiting
        traceback.print_exc()
        message = refused_message(refusal("read.crashed", filename, reason=type(error).__name__))
    try:
        conn.send(message)
    except MemoryError:
        conn.send(refused_message(memory_finding(filename, limits)))
    finally:
        conn.close()


# ----------------------------------------------------------------------------- in the parent


def run_in_child(body: ChildBody, data: bytes, filename: str, limits: Limits) -> Message:
    """Run `body(data, filename, limits)` in a fresh child process and return its message.

    The parent waits at most limits.child_seconds; a child that overruns is killed
    (`read.timeout`); one that dies is reported as `read.memory` or `read.crashed`.
    `body` must be a module-level function (it is pickled by name).
    """
    context = child_context()
    reader, writer = context.Pipe(duplex=False)
    child = context.Process(
        target=child_main, args=(writer, body, data, filename, limits), name="zhibiao-read"
    )
    try:
        child.start()
    except Exception as error:  # no process to be had (file descriptors, fork server gone)
        return refused_message(refusal("read.crashed", filename, reason=type(error).__name__))
    finally:
        writer.close()
    try:
        return wait_for_child(child, reader, filename, limits)
    finally:
        reader.close()
        if child.is_alive():
            child.kill()
        child.join(REAP_SECONDS)
        if child.exitcode is not None:
            child.close()


def child_context() -> multiprocessing.context.ForkServerContext:
    """The fork-server context, preloaded with the readers (takes effect when it starts)."""
    context = multiprocessing.get_context(START_METHOD)
    context.set_forkserver_preload(PRELOAD)
    return context


def start_children() -> None:
    """Start the fork server now (it starts on the first read otherwise, which then takes
    about a second longer); an app factory may call it at start-up."""
    from multiprocessing import forkserver

    child_context()
    if START_METHOD == "forkserver":
        forkserver.ensure_running()


@contextmanager
def reading_deadline(at: float | None) -> Iterator[None]:
    """Within this block (this thread, or this task's context), a child is killed at the
    latest at `at` (time.time()), however long limits.child_seconds allows."""
    token = _deadline.set(at)
    try:
        yield
    finally:
        _deadline.reset(token)


def child_wait_seconds(limits: Limits) -> float:
    """How long the parent waits for a child: limits.child_seconds, cut to the job's deadline."""
    at = _deadline.get()
    if at is None:
        return limits.child_seconds
    return max(0.0, min(limits.child_seconds, at - time.time()))


def wait_for_child(child: Any, reader: Any, filename: str, limits: Limits) -> Message:
    """The child's message, or a finding for a child that overran or died."""
    if not reader.poll(child_wait_seconds(limits)):
        child.kill()
        return refused_message(refusal("read.timeout", filename, seconds=limits.child_seconds))
    try:
        return reader.recv()
    except (EOFError, OSError):
        child.join(REAP_SECONDS)
        return refused_message(death_finding(child.exitcode, filename, limits))


def death_finding(exitcode: int | None, filename: str, limits: Limits) -> Finding:
    """A finding for a child that died without a message, from its exit code."""
    if exitcode is not None and -exitcode in MEMORY_SIGNALS:
        return memory_finding(filename, limits)
    if exitcode is not None and -exitcode in TIME_SIGNALS:
        return refusal("read.timeout", filename, seconds=limits.child_seconds)
    return refusal("read.crashed", filename, reason=str(exitcode))
