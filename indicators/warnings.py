"""The one list of warnings: which figures are flagged, in what order, in what words.

The warnings page, the overview, the meeting pack (pptx, pdf) and the briefing all read
`warning_rows`; none of them filters, sorts or words warnings itself, so they cannot disagree.

By default the list holds what differs significantly from its limit (red and amber,
LISTED_STATUSES); watch items (on the bad side, not significantly) are a count
(`warning_counts`), listed only when asked for (the warnings page's switch).

Order: status (red, amber, watch), then the county before its areas, then the indicator's order
in the table (the catalog's order), then the report's area order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from zhibiao.vocabulary import SIGNIFICANT_STATUSES, STATUSES, WARNING_STATUSES, status_text

from .catalog import Catalog, load_catalog
from .engine import fdr_applies
from .output import figure_text, reason

#: The statuses listed by default: significantly on the bad side of a limit.
LISTED_STATUSES: tuple[str, ...] = SIGNIFICANT_STATUSES


class WarningRow(TypedDict):
    """One warning as every output shows it."""

    status: str  # red | amber | watch
    status_text: str  # mark and word: '▲▲ 显著异常'
    area: str
    is_total: bool
    indicator: str
    indicator_name: str
    value: str  # the value with its unit as people write it: '80.00%'
    reason: str  # the status reason in words


def _is_total(table: pd.DataFrame) -> pd.Series:
    return table["is_total"].fillna(False).astype(bool)


def flagged(
    table: pd.DataFrame,
    *,
    statuses: tuple[str, ...] = LISTED_STATUSES,
    area: str | None = None,
    indicator: str | None = None,
) -> pd.DataFrame:
    """The table's rows with one of `statuses`, in the warnings' order (see the module)."""
    rows = table[table["status"].isin(statuses) & (table["indicator"] != "composite")]
    if area:
        rows = rows[rows["area"] == area]
    if indicator:
        rows = rows[rows["indicator"] == indicator]
    order = {key: i for i, key in enumerate(dict.fromkeys(table["indicator"]))}
    keys = pd.DataFrame(
        {
            "_s": rows["status"].map({s: i for i, s in enumerate(STATUSES)}),
            "_t": ~_is_total(rows),
            "_i": rows["indicator"].map(order),
            "_o": rows["order"],
        },
        index=rows.index,
    )
    return rows.loc[keys.sort_values(["_s", "_t", "_i", "_o"], kind="stable").index]


def warning_rows(
    table: pd.DataFrame,
    lang: str = "zh",
    *,
    catalog: Catalog | None = None,
    statuses: tuple[str, ...] = LISTED_STATUSES,
    area: str | None = None,
    indicator: str | None = None,
) -> list[WarningRow]:
    """Every flagged figure of the table, worst first, each in words (`WarningRow`)."""
    catalog = catalog or load_catalog()
    out: list[WarningRow] = []
    for row in flagged(table, statuses=statuses, area=area, indicator=indicator).to_dict("records"):
        ind = catalog.get(str(row["indicator"]))
        out.append(
            WarningRow(
                status=str(row["status"]),
                status_text=status_text(row["status"], lang),
                area=str(row["area"]),
                is_total=bool(row["is_total"]),
                indicator=ind.key,
                indicator_name=ind.name(lang),
                value=figure_text(row, ind, lang, unit=True),
                reason=reason(row, lang, catalog),
            )
        )
    return out


def warning_counts(
    table: pd.DataFrame, *, area: str | None = None, indicator: str | None = None
) -> dict[str, int]:
    """How many figures have each warning status (the composite score is never a warning),
    of one area and indicator when given."""
    rows = table[table["indicator"] != "composite"]
    if area:
        rows = rows[rows["area"] == area]
    if indicator:
        rows = rows[rows["indicator"] == indicator]
    counts = rows["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in WARNING_STATUSES}


@dataclass(frozen=True)
class Chance:
    """How many reds chance alone would give this period: `tests` red tests; `expected`, the
    sum of their sizes (the reds expected if every figure sat exactly on its limit); `any_red`,
    the chance of at least one such red; the reds there are; and whether the false-discovery
    rate was controlled (fdr, at q) with how many reds it held back as amber."""

    tests: int
    expected: float
    any_red: float
    reds: int
    fdr: bool
    q: float
    held_back: int


def chance_of_reds(table: pd.DataFrame, catalog: Catalog | None = None) -> Chance:
    """`Chance` of the table's period (the composite score is never tested)."""
    catalog = catalog or load_catalog()
    rows = table[table["indicator"] != "composite"]
    sizes = rows.loc[rows["p_value"].notna(), "red_size"].astype(float)
    areas = int(rows.loc[~_is_total(rows), "area"].nunique())
    held = sum(1 for p in rows["reason_params"] if isinstance(p, dict) and p.get("fdr"))
    return Chance(
        tests=int(len(sizes)),
        expected=float(sizes.sum()),
        any_red=float(1 - np.prod(1 - sizes.to_numpy())),
        reds=int((rows["status"] == "red").sum()),
        fdr=fdr_applies(catalog, areas),
        q=float(catalog.settings.get("fdr_q", 0.05)),
        held_back=held,
    )


__all__: list[Any] = [
    "Chance",
    "LISTED_STATUSES",
    "WarningRow",
    "chance_of_reds",
    "flagged",
    "warning_counts",
    "warning_rows",
]
