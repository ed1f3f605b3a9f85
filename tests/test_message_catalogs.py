"""Every label in both languages: the two message catalogs have the same keys, file by file,
and every message of one language formats with the parameters of the other."""

from __future__ import annotations

import string
import tomllib

from zhibiao.datafiles import data_file
from zhibiao.i18n import _flatten, catalog


def _keys(lang: str) -> dict[str, set[str]]:
    out = {}
    for path in sorted(data_file("messages", lang).iterdir()):
        if path.suffix == ".toml":
            flat: dict[str, str] = {}
            _flatten(tomllib.loads(path.read_text("utf-8")), "", flat)
            out[path.name] = set(flat)
    return out


def test_the_same_keys_in_both_languages_file_by_file():
    zh, en = _keys("zh"), _keys("en")
    assert sorted(zh) == sorted(en)
    for name in zh:
        assert zh[name] == en[name], (name, zh[name] ^ en[name])
    # the files of the township page, reporting, definitions, short names and the verdict
    for name in ("area.toml", "reporting.toml", "definitions.toml", "short.toml", "verdict.toml"):
        assert len(zh[name]) >= 5, name


def _fields(text: str) -> set[str]:
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(text) if f}


def test_both_languages_take_the_same_parameters():
    """(The briefing's English months are names, its Chinese ones numbers: those differ.)"""
    zh, en = catalog("zh"), catalog("en")
    prefixes = ("area.", "reporting.", "definitions.", "short.", "ui.upload.", "exports.")
    checked = 0
    for key, text in zh.items():
        if key.startswith(prefixes) or key in ("figures.area_average", "figures.bar_base"):
            assert _fields(text) == _fields(en[key]), key
            checked += 1
    assert checked > 100
