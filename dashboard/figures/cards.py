"""The overview cards: the county's key figures with their change on last year."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.figures.style import (
    IndicatorInfo,
    change_interval_text,
    change_unit_label,
    format_number,
    indicator_info,
    number_or_none,
    quality_count,
    status_style,
    unit_label,
    value_text,
)
from indicators.catalog import Catalog
from zhibiao.i18n import t
from zhibiao.vocabulary import STATUS_MARKS, clean_status, status_label

#: The county figures the overview shows, in this order (those present in the table).
OVERVIEW_INDICATORS = [
    "births",
    "birth_rate",
    "srb",
    "compliance",
    "multi_rate",
    "out_of_policy",
    "fee_coverage",
    "fee_amount_rate",
    "fee_collected",
]


def change_text(change: Any, info: IndicatorInfo, lang: str, direction: Any = None) -> str:
    """'比上年同期 +1.20个百分点' from the table's change (already in the indicator's unit); a
    change the test does not find significant (change_dir 'flat') reads
    '比上年同期 -5.00个百分点，基本持平'."""
    number = number_or_none(change)
    if number is None:
        return t("figures.card.no_previous", lang)
    sign = "+" if number > 0 else ("-" if number < 0 else "±")
    key = (
        "figures.card.change_flat" if direction == "flat" and number != 0 else "figures.card.change"
    )
    return t(
        key,
        lang,
        sign=sign,
        value=format_number(abs(number), info.dp),
        unit=change_unit_label(info.unit, lang),
    )


def overview_cards(
    table: pd.DataFrame, lang: str = "zh", *, catalog: Catalog | None = None
) -> list[dict]:
    """The county's key figures for the overview, in OVERVIEW_INDICATORS order.

    Each card: indicator, label, value (text), unit (text), value_with_unit ('72.00%'),
    change (text: 基本持平 when the change is not significant), change_interval (its 95%
    interval and p-value, for the hover), change_value
    (float or None), status (key or None), status_label (word, '' without a rule), mark, colour,
    quality (how many data-quality notes touch it), quality_mark ('※ 数据质量提示 2' or '').
    """
    county = table[table["is_total"].fillna(False).astype(bool)] if "is_total" in table else table
    present = list(dict.fromkeys(county["indicator"]))
    keys = [k for k in OVERVIEW_INDICATORS if k in present]
    cards: list[dict] = []
    for key in keys:
        row = county[county["indicator"] == key].iloc[0]
        info = indicator_info(key, lang, catalog)
        status = clean_status(row.get("status"))
        value = format_number(row.get("value"), info.dp)
        notes = quality_count(row) if value else 0  # no figure, nothing to warn beside
        cards.append(
            {
                "indicator": key,
                "label": info.name,
                "value": value or t("figures.card.no_value", lang),
                "unit": unit_label(info.unit, lang),
                "value_with_unit": value_text(row.get("value"), info, lang)
                or t("figures.card.no_value", lang),
                "change": change_text(row.get("change"), info, lang, row.get("change_dir")),
                "change_interval": change_interval_text(row, info, lang),
                "change_value": number_or_none(row.get("change")),
                "status": status,
                "status_label": status_label(status, lang),
                "mark": STATUS_MARKS[status] if status else "",
                "colour": status_style(status)["fill"],
                "quality": notes,
                "quality_mark": t("ui.quality.mark", lang, n=notes) if notes else "",
            }
        )
    return cards
