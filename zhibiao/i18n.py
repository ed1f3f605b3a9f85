"""The message catalogs (data/messages/<lang>/*.toml): one lookup for every layer."""

from __future__ import annotations

import tomllib
from functools import cache
from typing import Any

from zhibiao.datafiles import data_file

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"


@cache
def catalog(lang: str) -> dict[str, str]:
    """All messages of one language, flattened to dotted keys (`finding.sum_mismatch`)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    folder = data_file("messages", lang)
    flat: dict[str, str] = {}
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            _flatten(tomllib.loads(entry.read_text("utf-8")), "", flat)
    return flat


def _flatten(tree: dict[str, Any], prefix: str, out: dict[str, str]) -> None:
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, name + ".", out)
        else:
            out[name] = str(value)


def t(key: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """The message `key` in `lang`, formatted with `params`. A missing key is a bug: KeyError."""
    text = catalog(lang if lang in LANGS else DEFAULT_LANG)[key]
    return text.format(**params) if params else text


def has(key: str, lang: str = DEFAULT_LANG) -> bool:
    return key in catalog(lang)
