"""The canonical fields (data/fields.toml), for every layer: order, labels in each language, kind, flow."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import cache
from typing import Any

from zhibiao.datafiles import data_text


@cache
def field_catalog() -> dict[str, dict[str, Any]]:
    """data/fields.toml: field → {zh, en, kind, flow}, in the file's order."""
    text = data_text("fields.toml")
    return tomllib.loads(text)


def field_label(field: str, lang: str) -> str:
    """A field's label in `lang` ('births_male' → '出生男' / 'Births, boys'); the key if none."""
    spec = field_catalog().get(field, {})
    return str(spec.get(lang) or spec.get("zh") or field)


def in_catalog_order(fields: Iterable[str]) -> list[str]:
    """The distinct fields in the order of data/fields.toml; unknown ones last, by name."""
    position = {name: i for i, name in enumerate(field_catalog())}
    return sorted(set(fields), key=lambda f: (position.get(f, len(position)), f))
