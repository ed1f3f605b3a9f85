"""Reporting status (DHIS2's reporting rates): for the chosen period, which townships have
reported, which are missing, which sent a revision and when, with a column per month of the
statistical year, so an analyst knows whom to call before the meeting.

A township is expected when it reported in this statistical year or the one before. A month
without its report is 'missing', never 0. Plain values from `Store.reports()`; no Dash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from dashboard.township import month_labels
from dashboard.views import when_text
from indicators.periods import shift_months, year_start
from indicators.trends import year_periods
from zhibiao.config import DEFAULT_TIMEZONE
from zhibiao.i18n import t

#: A cell's state: reported once, reported and revised, missing; a month after the period is
#: not yet due.
REPORTED, REVISED, MISSING, NOT_DUE = "reported", "revised", "missing", "not_due"
#: The mark beside each state's word (a state is never told by colour alone).
MARKS = {REPORTED: "✓", REVISED: "↻", MISSING: "✕", NOT_DUE: ""}


@dataclass(frozen=True)
class Cell:
    state: str
    uploads: int = 0  # how many uploads brought this township's values of the month
    first: Any = None  # when it first reported (UTC)
    last: Any = None  # when its latest revision came (UTC)


def expected_areas(reports: pd.DataFrame, period: str, year_start_month: int = 1) -> list[str]:
    """The townships expected to report: those that reported in the statistical year of
    `period` or the one before, in the order they first appeared."""
    years = year_periods(period, year_start_month)
    months = set(years["this"]) | set(years["last"])
    rows = reports[reports["period"].isin(months)]
    return list(dict.fromkeys(rows["area"].astype(str)))


def cells(
    reports: pd.DataFrame, period: str, year_start_month: int = 1
) -> tuple[list[str], dict[str, dict[str, Cell]]]:
    """(the months of the statistical year, 12; {area: {month: Cell}}) up to `period`."""
    first = year_start(period, year_start_month)
    months = [shift_months(first, i) for i in range(12)]  # the statistical year's 12 months
    due = set(year_periods(period, year_start_month)["this"])
    by_key: dict[tuple[str, str], list[Any]] = {}
    for area, month, moment in zip(
        reports["area"].astype(str), reports["period"], reports["uploaded_at"], strict=True
    ):
        by_key.setdefault((area, str(month)), []).append(moment)
    grid: dict[str, dict[str, Cell]] = {}
    for area in expected_areas(reports, period, year_start_month):
        row = {}
        for month in months:
            moments = by_key.get((area, month), [])
            if month not in due:
                row[month] = Cell(NOT_DUE)
            elif not moments:
                row[month] = Cell(MISSING)
            else:
                state = REVISED if len(moments) > 1 else REPORTED
                row[month] = Cell(state, len(moments), min(moments), max(moments))
        grid[area] = row
    return months, grid


def cell_text(cell: Cell, lang: str) -> str:
    """'✓', '↻ 2' (two uploads), '✕ 未报'; '' for a month not yet due."""
    if cell.state == REVISED:
        return f"{MARKS[REVISED]} {cell.uploads}"
    if cell.state == MISSING:
        return f"{MARKS[MISSING]} {t('reporting.missing', lang)}"
    return MARKS[cell.state]


def cell_title(cell: Cell, lang: str, zone: ZoneInfo | str) -> str:
    """The hover text of a cell: when it reported and when it was revised, in words."""
    if cell.state == REPORTED:
        return t("reporting.title_reported", lang, when=when_text(cell.first, zone))
    if cell.state == REVISED:
        return t(
            "reporting.title_revised",
            lang,
            when=when_text(cell.first, zone),
            last=when_text(cell.last, zone),
            n=cell.uploads - 1,
        )
    if cell.state == MISSING:
        return t("reporting.missing", lang)
    return ""


def rows_worth_listing(
    rows: list[dict[str, Any]], limit: int | None
) -> tuple[list[dict[str, Any]], int]:
    """The rows of `status_of_period` a grid lists, and how many it leaves out: every row up
    to `limit` townships (all without a limit); beyond (a province's 1,500), only those someone
    has to act on or should know of — not reported or revised this period, or a month of the
    year missing or revised — since a grid of 1,500 × 12 ticks is read by no one (the summary
    counts all)."""
    if limit is None or len(rows) <= limit:
        return rows, 0
    worth = [
        r
        for r in rows
        if r["state"] != REPORTED or any(c["state"] in (MISSING, REVISED) for c in r["cells"])
    ]
    return worth, len(rows) - len(worth)


def status_of_period(
    reports: pd.DataFrame,
    period: str,
    lang: str,
    *,
    year_start_month: int = 1,
    zone: ZoneInfo | str = DEFAULT_TIMEZONE,
) -> dict[str, Any]:
    """The reporting status of `period`: months (labels), rows (area, the period's state and
    its words, cells with text/title/state per month), counts and the summary sentence."""
    months, grid = cells(reports, period, year_start_month)
    rows = []
    for area, row in grid.items():
        now = row[period]
        rows.append(
            {
                "area": area,
                "state": now.state,
                "when": when_text(now.last if now.state == REVISED else now.first, zone)
                if now.state in (REPORTED, REVISED)
                else "",
                "cells": [
                    {
                        "month": m,
                        "state": row[m].state,
                        "text": cell_text(row[m], lang),
                        "title": cell_title(row[m], lang, zone),
                    }
                    for m in months
                ],
            }
        )
    missing = [str(r["area"]) for r in rows if r["state"] == MISSING]
    revised = [str(r["area"]) for r in rows if r["state"] == REVISED]
    sep = t("figures.separator", lang)
    summary = t(
        "reporting.summary",
        lang,
        reported=len(rows) - len(missing),
        expected=len(rows),
        missing=sep.join(missing) if missing else t("reporting.none", lang),
        revised=len(revised),
    )
    return {
        "months": months,
        "labels": month_labels(year_start_month, lang),
        "rows": rows,
        "missing": missing,
        "revised": revised,
        "summary": summary,
    }
