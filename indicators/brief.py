"""The written briefing of a period (情况通报): sentences built from the indicator table.

Every sentence comes from the message catalog (`brief.*`) and is filled with the table's
figures, formatted with the indicator's decimals; a sentence whose figures are missing is
left out, never written with a blank.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pandas as pd

from zhibiao.config import Settings, load_settings
from zhibiao.i18n import t
from zhibiao.vocabulary import SIGNIFICANT_STATUSES, status_label

from .catalog import Catalog, load_catalog
from .exact import round_half_up
from .output import all_boys, format_number
from .periods import parse_period, year_start
from .warnings import LISTED_STATUSES, warning_counts, warning_rows

SRB_ORDERS = ("srb_order1", "srb_order2", "srb_order3")
COMPLIANCE_ORDERS = ("compliance_order1", "compliance_order2", "compliance_order3")


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


class _Figures:
    """Look-ups into one indicator table."""

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table
        self.rows = {
            (r["indicator"], bool(r["is_total"]), r["area"]): r for r in table.to_dict("records")
        }
        self.county = {r["indicator"]: r for r in table[table["is_total"]].to_dict("records")}

    def total(self, key: str) -> dict | None:
        return self.county.get(key)

    def total_value(self, key: str) -> Any:
        row = self.county.get(key)
        return None if row is None or _missing(row["value"]) else row["value"]

    def areas(self, key: str) -> list[dict]:
        part = self.table[(self.table["indicator"] == key) & ~self.table["is_total"]]
        return part.sort_values("order").to_dict("records")


def period_label(period: str, basis: str, year_start_month: int, lang: str) -> str:
    """2024年1—3月 / 2024年3月 / 2023年10月至2024年3月 (year to date or the single month)."""
    year, month = parse_period(period)
    start_year, start = parse_period(year_start(period, year_start_month))
    names = {
        "year": year,
        "month": month,
        "start": start,
        "start_year": start_year,
        "month_name": t(f"brief.month.{month}", lang),
        "start_name": t(f"brief.month.{start}", lang),
    }
    if basis != "ytd":
        return t("brief.period_month", lang, **names)
    if start == month and start_year == year:
        return t("brief.period_ytd_single", lang, **names)
    if start_year == year:
        return t("brief.period_ytd", lang, **names)
    return t("brief.period_ytd_cross", lang, **names)


def _join(items: list[str], lang: str) -> str:
    return t("brief.list_sep", lang).join(items)


def _fmt(catalog: Catalog, key: str, value: Any, lang: str) -> str:
    return format_number(value, catalog.get(key).dp, lang)


def _with_unit(catalog: Catalog, key: str, value: Any, lang: str) -> str:
    ind = catalog.get(key)
    unit = t(f"indicators.unit.{ind.unit}", lang) if ind.unit in ("percent", "permille") else ""
    return _fmt(catalog, key, value, lang) + unit


def _order_items(
    figs: _Figures, catalog: Catalog, keys: tuple[str, ...], code: str, lang: str
) -> list[str]:
    """The county's figure of each birth order that has one, as the clause `code` words it."""
    items = []
    for key in keys:
        v = figs.total_value(key)
        if v is not None:
            items.append(
                t(code, lang, name=catalog.get(key).name(lang), value=_fmt(catalog, key, v, lang))
            )
    return items


def _item(row: dict, catalog: Catalog, key: str, lang: str) -> str:
    """An area with its figure and 95% interval: `甲镇 140.00（95%区间 96–205）`; a sex ratio
    of boys only as `甲镇 全部为男孩 25:0（95%区间 314 以上）`."""
    ind = catalog.get(key)
    boys = all_boys(row, ind)
    value = (
        _with_unit(catalog, key, row["value"], lang)
        if boys is None
        else t("indicators.all_boys", lang, boys=boys)
    )
    low, high = row["reason_params"].get("low95"), row["reason_params"].get("high95")
    if _missing(low):
        return t("brief.item_value", lang, area=row["area"], value=value)
    low_text = format_number(low, ind.reason_dp, lang)
    if _missing(high):
        return t("brief.item_interval_open", lang, area=row["area"], value=value, low=low_text)
    return t(
        "brief.item_interval",
        lang,
        area=row["area"],
        value=value,
        low=low_text,
        high=format_number(high, ind.reason_dp, lang),
    )


def _shown(row: dict, ind: Any) -> bool:
    return not _missing(row["value"]) or all_boys(row, ind) is not None


def _significant_items(figs: _Figures, catalog: Catalog, key: str, lang: str) -> list[str]:
    """Areas whose difference from the limit is significant (red, amber), with their interval."""
    ind = catalog.get(key)
    return [
        _item(row, catalog, key, lang)
        for row in figs.areas(key)
        if row["status"] in SIGNIFICANT_STATUSES and _shown(row, ind)
    ]


def _watched(figs: _Figures, catalog: Catalog, key: str, stem: str) -> list[str]:
    """Areas on the bad side of a limit whose difference is not significant (watch), whose
    reason is `stem`_watch (above_high, below_low, below_target, limit)."""
    ind = catalog.get(key)
    return [
        row["area"]
        for row in figs.areas(key)
        if row["status"] == "watch"
        and str(row["reason_code"]).startswith(f"reason.{stem}_watch")
        and _shown(row, ind)
    ]


def _not_significant(names: list[str], side: str, more: bool, lang: str) -> list[str]:
    """`另有 N 个乡镇高于 107，但差异不显著：甲、乙。` (or without 另 when none was significant)."""
    if not names:
        return []
    code = "brief.insignificant_more" if more else "brief.insignificant_only"
    return [t(code, lang, n=len(names), side=side, areas=_join(names, lang))]


def births_sentences(
    figs: _Figures, catalog: Catalog, period: str, lang: str, month: _Figures | None, month_no: int
) -> list[str]:
    row = figs.total("births")
    if row is None or _missing(row["value"]):
        return []
    births = _fmt(catalog, "births", row["value"], lang)
    out = []
    prev, change = row["previous"], row["change"]
    if _missing(prev) or _missing(change):
        out.append(t("brief.births", lang, period=period, births=births))
    elif change == 0:
        out.append(t("brief.births_change_flat", lang, period=period, births=births))
    elif row.get("change_dir") not in ("up", "down"):  # not significant: the figures only
        previous = _fmt(catalog, "births", prev, lang)
        out.append(
            t("brief.births_change_same", lang, period=period, births=births, previous=previous)
        )
    else:
        pct_dp = int(catalog.setting("brief_pct_dp"))
        pct = (
            format(
                round_half_up(Fraction(repr(abs(change))) / Fraction(repr(prev)) * 100, pct_dp), "f"
            )
            if prev
            else None
        )
        code = "brief.births_change_up" if change > 0 else "brief.births_change_down"
        if pct is None:
            out.append(t("brief.births", lang, period=period, births=births))
        else:
            out.append(
                t(
                    code,
                    lang,
                    period=period,
                    births=births,
                    change=_fmt(catalog, "births", abs(change), lang),
                    pct=pct,
                )
            )
    if month is not None:
        m = month.total_value("births")
        if m is not None:
            out.append(
                t(
                    "brief.month_births",
                    lang,
                    month=month_no,
                    month_name=t(f"brief.month.{month_no}", lang),
                    births=_fmt(catalog, "births", m, lang),
                )
            )
    fewer = [r for r in figs.areas("births") if not _missing(r["change"]) and r["change"] < 0]
    fell = [r["area"] for r in fewer if r.get("change_dir") == "down"]
    if fell:
        out.append(t("brief.births_fell", lang, areas=_join(fell, lang)))
    side = t("brief.side_fell", lang)
    out += _not_significant(
        [r["area"] for r in fewer if r.get("change_dir") != "down"], side, bool(fell), lang
    )
    return out


def srb_sentences(figs: _Figures, catalog: Catalog, lang: str) -> list[str]:
    value = figs.total_value("srb")
    if value is None:
        return []
    ind = catalog.get("srb")
    reference = ind.reference
    out = []
    if reference is not None:
        diff = Fraction(repr(float(value))) - Fraction(repr(float(reference)))
        ref = (
            format(round_half_up(float(reference), 0), "f")
            if float(reference).is_integer()
            else str(reference)
        )
        diff_text = format(round_half_up(abs(diff), ind.dp), "f")
        code = (
            "brief.srb_above" if diff > 0 else "brief.srb_below" if diff < 0 else "brief.srb_equal"
        )
        deviation = t(code, lang, reference=ref, diff=diff_text)
        out.append(t("brief.srb", lang, srb=_fmt(catalog, "srb", value, lang), deviation=deviation))
    items = _order_items(figs, catalog, SRB_ORDERS, "brief.srb_order_item", lang)
    if items:
        out.append(t("brief.srb_orders", lang, items=t("brief.clause_sep", lang).join(items)))
    flagged = _significant_items(figs, catalog, "srb", lang)
    low, high = _limit(ind.range_low), _limit(ind.range_high)
    if low and high:
        above = _watched(figs, catalog, "srb", "above_high")
        below = _watched(figs, catalog, "srb", "below_low")
        if flagged:
            out.append(t("brief.srb_beyond", lang, low=low, high=high, areas=_join(flagged, lang)))
        elif above or below:
            out.append(t("brief.srb_none_significant", lang, low=low, high=high))
        elif figs.areas("srb"):
            out.append(t("brief.srb_within", lang, low=low, high=high))
        more = bool(flagged)
        out += _not_significant(above, t("brief.side_above", lang, limit=high), more, lang)
        more = more or bool(above)
        out += _not_significant(below, t("brief.side_below", lang, limit=low), more, lang)
    return out


def _limit(value: Any) -> str:
    if value is None:
        return ""
    f = float(value)
    return str(int(f)) if f.is_integer() else str(f)


def compliance_sentences(figs: _Figures, catalog: Catalog, lang: str) -> list[str]:
    row = figs.total("compliance")
    if row is None or _missing(row["value"]):
        return []
    value = _fmt(catalog, "compliance", row["value"], lang)
    change = row["change"]
    if _missing(change) or change == 0:
        out = [t("brief.compliance", lang, value=value)]
    elif row.get("change_dir") not in ("up", "down"):  # not significant: the figures only
        previous = _fmt(catalog, "compliance", row["previous"], lang)
        out = [t("brief.compliance_change_same", lang, value=value, previous=previous)]
    else:
        code = "brief.compliance_change_up" if change > 0 else "brief.compliance_change_down"
        out = [t(code, lang, value=value, change=_fmt(catalog, "compliance", abs(change), lang))]
    items = _order_items(figs, catalog, COMPLIANCE_ORDERS, "brief.compliance_order_item", lang)
    if items:
        out.append(
            t("brief.compliance_orders", lang, items=t("brief.clause_sep", lang).join(items))
        )
    flagged = _significant_items(figs, catalog, "compliance", lang)
    target = catalog.get("compliance").target
    if target is not None:
        if flagged:
            out.append(
                t("brief.compliance_below", lang, target=_limit(target), areas=_join(flagged, lang))
            )
        side = t("brief.side_below_percent", lang, limit=_limit(target))
        out += _not_significant(
            _watched(figs, catalog, "compliance", "below_target"), side, bool(flagged), lang
        )
    return out


def fee_sentences(figs: _Figures, catalog: Catalog, lang: str) -> list[str]:
    items = []
    for key, code in (
        ("fee_coverage", "brief.fee_coverage_item"),
        ("fee_amount_rate", "brief.fee_amount_item"),
        ("fee_collected", "brief.fee_collected_item"),
    ):
        v = figs.total_value(key)
        if v is not None:
            items.append(t(code, lang, value=_fmt(catalog, key, v, lang)))
    if not items:
        return []
    out = [t("brief.fees", lang, items=t("brief.clause_sep", lang).join(items))]
    weakest_n = int(catalog.setting("brief_weakest"))
    ranked = [
        r
        for r in figs.areas("fee_amount_rate")
        if r["status"] in ("red", "amber") and not _missing(r["rank"])
    ]
    ranked.sort(key=lambda r: (-int(r["rank"]), r["order"]))
    weakest = [
        t(
            "brief.item_value",
            lang,
            area=r["area"],
            value=_with_unit(catalog, "fee_amount_rate", r["value"], lang),
        )
        for r in ranked[:weakest_n]
    ]
    if weakest:
        out.append(t("brief.fees_weakest", lang, areas=_join(weakest, lang)))
    green = catalog.get("fee_amount_rate").limits.get("green")
    if green is not None:
        side = t("brief.side_below_percent", lang, limit=_limit(green))
        out += _not_significant(
            _watched(figs, catalog, "fee_amount_rate", "limit"), side, bool(weakest), lang
        )
    return out


def late_sentences(figs: _Figures, catalog: Catalog, lang: str) -> list[str]:
    late = figs.total_value("late_reports")
    if late is None:
        return []
    share = figs.total_value("late_out_of_policy_share")
    late_text = _fmt(catalog, "late_reports", late, lang)
    if share is None:
        return [t("brief.late", lang, late=late_text)]
    return [
        t(
            "brief.late_share",
            lang,
            late=late_text,
            share=_fmt(catalog, "late_out_of_policy_share", share, lang),
        )
    ]


def warning_sentences(table: pd.DataFrame, catalog: Catalog, lang: str) -> list[str]:
    """The closing section: the red and amber figures of the one list of warnings
    (`indicators.warnings`, as the warnings page and the meeting pack show them), worst first,
    each with its reason; the watch items as a count."""
    rows = warning_rows(table, lang, catalog=catalog, statuses=LISTED_STATUSES)
    out = [
        t(
            "brief.warnings_status",
            lang,
            status=status_label(status, lang),
            n=len(items),
            items=t("brief.clause_sep", lang).join(r["reason"] for r in items),
        )
        for status in LISTED_STATUSES
        if (items := [r for r in rows if r["status"] == status])
    ] or [t("brief.warnings_none", lang)]
    watch = warning_counts(table)["watch"]
    if watch:
        out.append(t("brief.warnings_watch", lang, n=watch))
    return out


def briefing(
    table: pd.DataFrame,
    lang: str = "zh",
    *,
    month_table: pd.DataFrame | None = None,
    catalog: Catalog | None = None,
    settings: Settings | None = None,
) -> str:
    """The county notice (情况通报) of the table's period: a title, then numbered sections on
    births, the sex ratio at birth, compliance, fees and late reports; empty when the table
    holds no county figures."""
    if table is None or table.empty or not table["is_total"].any():
        return ""
    catalog = catalog or load_catalog()
    settings = settings or load_settings()
    figs = _Figures(table)
    month = _Figures(month_table) if month_table is not None and not month_table.empty else None
    period = str(table["period"].iloc[0])
    basis = str(table["basis"].iloc[0])
    label = period_label(period, basis, settings.year_start_month, lang)
    county = str(table[table["is_total"]]["area"].iloc[0])
    month_no = parse_period(period)[1]
    sections: list[tuple[str, list[str]]] = [
        (
            "births",
            births_sentences(
                figs, catalog, label, lang, month if basis == "ytd" else None, month_no
            ),
        ),
        ("srb", srb_sentences(figs, catalog, lang)),
        ("compliance", compliance_sentences(figs, catalog, lang)),
        ("fees", fee_sentences(figs, catalog, lang)),
        ("late", late_sentences(figs, catalog, lang)),
        ("warnings", warning_sentences(table, catalog, lang)),
    ]
    numerals = t("brief.section.num", lang).split(",")
    space = "" if lang == "zh" else " "
    parts = [t("brief.title", lang, county=county, period=label)]
    shown = [(name, s) for name, s in sections if s]
    for i, (name, sentences) in enumerate(shown):
        heading = t(
            "brief.section.heading",
            lang,
            num=numerals[i % len(numerals)],
            title=t(f"brief.section.{name}", lang),
        )
        parts.append(heading)
        parts.append(space.join(sentences))
    if shown:
        parts.append(t("brief.closing", lang))
    return "\n".join(p for p in parts if p)
