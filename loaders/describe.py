"""Findings in the user's language: one line naming file, sheet, cells and values."""

from __future__ import annotations

from loaders.rules import format_value
from loaders.types import CellRef, Finding
from zhibiao import i18n

_SEPARATOR = {"zh": "、", "en": ", "}


def render_cell(ref: CellRef) -> str:
    """`B7 出生人数 420`: the cell, its label and its value (what is known of them)."""
    value = format_value(ref.value)
    parts = [ref.cell, ref.label]
    if value and value != ref.label:
        parts.append(value)
    return " ".join(p for p in parts if p)


def describe(f: Finding, lang: str = "zh") -> str:
    """The finding as one line in `lang` (zh or en), from the message catalogs."""
    lang = lang if lang in i18n.LANGS else i18n.DEFAULT_LANG
    key = "finding." + f.code
    sheet = f.sheet or ""
    cells = _SEPARATOR[lang].join(render_cell(c) for c in f.cells)
    in_sheet = i18n.t("load.in_sheet", lang, sheet=sheet) if sheet else ""
    params = {
        **f.params,
        "file": f.file,
        "sheet": sheet,
        "at": f"{sheet}!" if sheet else "",
        "in_sheet": in_sheet,
        "cells": cells,
    }
    if not i18n.has(key, lang):
        return i18n.t("finding.load.unknown", lang, code=f.code, **params)
    return i18n.t(key, lang, **params)
