"""The words every layer shares: the two bases, the three roles, the statuses and their marks.

One module owns each of these lists; the loaders, the store, the indicators, the pages, the
exports and the command line read them from here.
"""

from __future__ import annotations

from typing import Any

from zhibiao.i18n import t

#: Year to date and single month, in that order (the first is the default).
BASES = ("ytd", "month")
#: Account roles, least to most privileged.
ROLES = ("viewer", "analyst", "admin")
#: Statuses worst first: the order of warnings, legends and sorts.
STATUSES = ("red", "amber", "watch", "green", "grey")
#: The statuses a warning is raised for, worst first.
WARNING_STATUSES = ("red", "amber", "watch")
#: The statuses of a difference from a limit that is significant (the others: not significant,
#: on the good side, or not assessed): what the warnings list by default and the briefing names.
SIGNIFICANT_STATUSES = ("red", "amber")
#: A mark printed beside each status word, so a status never rests on colour alone.
STATUS_MARKS = {"red": "▲▲", "amber": "▲", "watch": "△", "green": "√", "grey": "○"}


def clean_status(status: Any) -> str | None:
    """A status from the table as one of STATUSES, or None (no rule, NaN, unknown)."""
    return status if isinstance(status, str) and status in STATUSES else None


def status_label(status: Any, lang: str) -> str:
    """The status word (显著异常 需关注 待观察 正常 不评价); '' for a figure without a rule."""
    status = clean_status(status)
    return t(f"status.{status}", lang) if status else ""


def status_text(status: Any, lang: str) -> str:
    """The mark and the word together (`▲▲ 显著异常`), for labels that must print in grey."""
    status = clean_status(status)
    return f"{STATUS_MARKS[status]} {status_label(status, lang)}" if status else ""
