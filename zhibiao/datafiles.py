"""The one door to the catalog files of `data/` (installed as the package data `zhibiao.data`)."""

from __future__ import annotations

import tomllib
from importlib import resources
from importlib.resources.abc import Traversable


def data_file(*parts: str) -> Traversable:
    """A file or folder below `data/`, e.g. `data_file("messages", "zh")`."""
    return resources.files("zhibiao.data").joinpath(*parts)


def data_text(*parts: str) -> str:
    """The UTF-8 text of a file below `data/`."""
    return data_file(*parts).read_text("utf-8")


def data_toml(*parts: str) -> dict:
    """A TOML file below `data/`, parsed."""
    return tomllib.loads(data_text(*parts))
