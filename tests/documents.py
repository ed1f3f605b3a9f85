"""Reading the documents the exports write, as a person would see them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def pdf_text(data: bytes, folder: Path, *options: str) -> str:
    """The text of a pdf by pdftotext (poppler-utils), with its `options` (`-layout`, `-raw`:
    in the order it was drawn). The pdf is written into `folder` as pack.pdf."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext (poppler-utils) is needed: scripts/system-deps.sh"
    path = folder / "pack.pdf"
    path.write_bytes(data)
    out = subprocess.run([pdftotext, *options, str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")
