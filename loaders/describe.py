"""Findings in the user's language: one line naming file, sheet, cells and values."""

from __future__ import annotations

from loaders.rules import format_value
from loaders.types import CellRef, Finding
from zhibiao import i18n

_SEPARATOR = {"zh": "、", "en": ", "}
#: No message lists more cells than this; past it, the first few and how many in all.
MAX_CELLS = 10
SHOWN_WHEN_MORE = 3


def render_cell(ref: CellRef) -> str:
    """`B7 出生人数 420`: the cell, its label and its value (what is known of them)."""
    value = format_value(ref.value)
    parts = [ref.cell, ref.label]
    if value and value != ref.label:
        parts.append(value)
    return " ".join(p for p in parts if p)


def render_cells(cells: tuple[CellRef, ...], lang: str) -> str:
    """The cells of a finding, at most MAX_CELLS of them: `I8, I9, I10 … 共 40 处` past it."""
    separator = _SEPARATOR[lang]
    if len(cells) <= MAX_CELLS:
        return separator.join(render_cell(c) for c in cells)
    shown = separator.join(render_cell(c) for c in cells[:SHOWN_WHEN_MORE])
    return i18n.t("load.cells_more", lang, shown=shown, count=len(cells))


def describe(f: Finding, lang: str = "zh") -> str:
    """The finding as one line in `lang` (zh or en), from the message catalogs.

    A param named `x_key` is a message key: its text is the param `x` (`kind_key`
    `load.unstored.deaths` → {kind} 死亡). A grouped finding (param `grouped`) reads its
    message `<code>_grouped`.
    """
    lang = lang if lang in i18n.LANGS else i18n.DEFAULT_LANG
    key = "finding." + f.code + ("_grouped" if f.params.get("grouped") else "")
    sheet = f.sheet or ""
    cells = render_cells(f.cells, lang)
    in_sheet = i18n.t("load.in_sheet", lang, sheet=sheet) if sheet else ""
    keyed = {
        name[: -len("_key")]: i18n.t(str(value), lang)
        for name, value in f.params.items()
        if name.endswith("_key") and i18n.has(str(value), lang)
    }
    params = {
        "right_sum": "",  # findings stored before it was a parameter
        **f.params,
        **keyed,
        "addresses": _SEPARATOR[lang].join(dict.fromkeys(c.cell for c in f.cells if c.cell)),
        "file": f.file,
        "sheet": sheet,
        "at": f"{sheet}!" if sheet else "",
        "in_sheet": in_sheet,
        "cells": cells,
    }
    if not i18n.has(key, lang):
        return i18n.t("finding.load.unknown", lang, code=f.code, **params)
    return i18n.t(key, lang, **params)
