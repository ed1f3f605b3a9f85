"""The kept-running chart renderer: figures to PNG bytes through one kaleido (Chromium) a process.

kaleido 1.x drives the system Chromium (Debian's /usr/bin/chromium, found by choreographer; no
browser is ever downloaded). Starting it costs about two seconds, so the first `to_png` of a
process starts one browser in a background thread with its own event loop, and every later call
reuses it (a tenth of a second an image). Nothing starts at import. After a fork (a gunicorn
worker) the child sees another process id and starts its own renderer on first use.

MathJax is off (kaleido's default page would ask a CDN for it); Chinese text needs the system
CJK fonts (fonts-noto-cjk), named first in the figures' font family.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import struct
import threading
from typing import Any

import kaleido
import plotly.graph_objects as go

from dashboard.figures import IMAGE_HEIGHT, IMAGE_SCALE, IMAGE_WIDTH

#: Seconds to wait for the browser to start, and for one image.
START_SECONDS = 60.0
IMAGE_SECONDS = 60.0

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class RenderError(RuntimeError):
    """The browser could not start or an image could not be drawn."""


class Renderer:
    """One Chromium tab kept open in a background thread, serving `calc_fig` requests."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._kaleido: kaleido.Kaleido | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="zhibiao-render", daemon=True)

    def start(self) -> Renderer:
        self._thread.start()
        if not self._ready.wait(START_SECONDS):
            raise RenderError("the chart renderer did not start in time")
        if self._error is not None:
            raise RenderError(f"the chart renderer failed to start: {self._error}")
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        try:
            async with kaleido.Kaleido(n=1, mathjax=False, timeout=IMAGE_SECONDS) as engine:
                self._kaleido = engine
                self._stop = asyncio.Event()
                self._ready.set()
                await self._stop.wait()
        except BaseException as error:  # reported to the caller of start()
            self._error = error
        finally:
            self._kaleido = None
            self._ready.set()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and self._kaleido is not None and self.pid == os.getpid()

    def render(self, figure: dict[str, Any], opts: dict[str, Any]) -> bytes:
        if not self.alive or self._kaleido is None:
            raise RenderError("the chart renderer is not running")
        job = self._kaleido.calc_fig(figure, opts=opts)
        future = asyncio.run_coroutine_threadsafe(job, self._loop)
        try:
            return future.result(IMAGE_SECONDS)
        except TimeoutError as error:
            future.cancel()
            raise RenderError("drawing the chart took too long") from error

    def close(self) -> None:
        if self.pid != os.getpid() or not self._thread.is_alive() or self._stop is None:
            return
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(START_SECONDS)


class _Slot:
    """The process's renderer, made on first use (guarded: two requests start one browser)."""

    lock = threading.Lock()
    renderer: Renderer | None = None


def renderer() -> Renderer:
    """This process's running renderer, started now if there is none (or it died, or we forked)."""
    with _Slot.lock:
        current = _Slot.renderer
        if current is None or not current.alive:
            current = Renderer().start()
            _Slot.renderer = current
            atexit.register(current.close)
        return current


def stop_renderer() -> None:
    """Close this process's browser (tests, shutdown). The next `to_png` starts a new one."""
    with _Slot.lock:
        if _Slot.renderer is not None:
            _Slot.renderer.close()
            _Slot.renderer = None


def to_png(
    fig: go.Figure | dict[str, Any],
    width: int = IMAGE_WIDTH,
    height: int = IMAGE_HEIGHT,
    scale: float = IMAGE_SCALE,
) -> bytes:
    """The figure as PNG bytes of (width × scale) × (height × scale) pixels."""
    figure = fig.to_dict() if isinstance(fig, go.Figure) else fig
    opts = {"format": "png", "width": width, "height": height, "scale": scale}
    data = renderer().render(figure, opts)
    if not data.startswith(PNG_SIGNATURE):
        raise RenderError("the renderer returned something that is not a PNG")
    return data


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels, read from the PNG's IHDR chunk."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return width, height
