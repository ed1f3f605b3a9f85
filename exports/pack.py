"""What a meeting pack holds, in words and images: title, overview cards, ranking charts, the
warnings (from `indicators.warnings`, the one list) and the data-quality notes."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from dashboard.definitions import definition
from dashboard.figures import overview_cards, period_label, ranking_bar
from dashboard.figures.style import default_catalog
from dashboard.render import to_png
from dashboard.views import quality_rows
from indicators.catalog import Catalog
from indicators.warnings import WarningRow, warning_counts, warning_rows
from zhibiao.config import Settings, load_settings, local_time
from zhibiao.i18n import has, t
from zhibiao.vocabulary import STATUSES, status_text

#: The rankings of the pack when none are chosen.
PACK_INDICATORS = ["srb", "compliance", "fee_amount_rate", "birth_rate"]


FORMATS = ("pptx", "pdf", "png", "xlsx")


#: A ranking chart in the pack (pixels at scale 1; drawn at scale 2).
PACK_CHART_WIDTH = 1600


PACK_CHART_HEIGHT = 820


PACK_CHART_SCALE = 2


class ExportError(ValueError):
    """A request the exports cannot serve; the message is already in the user's language."""


@dataclass(frozen=True)
class Chart:
    indicator: str
    title: str
    png: bytes


@dataclass(frozen=True)
class Pack:
    """Everything a pack shows, in words and images, in one language."""

    lang: str
    title: str
    subtitle: str
    generated: str
    cards: list[dict]
    charts: list[Chart]
    warnings: list[WarningRow]
    notes: list[str] = field(default_factory=list)
    watch: int = 0  # watch items: a count, never listed
    #: each shown indicator's definition in words (the pack's last page)
    definitions: list[dict] = field(default_factory=list)


def _basis_text(basis: str, lang: str) -> str:
    key = f"figures.basis.{basis}"
    return t(key, lang) if has(key, lang) else str(basis)


def _table_period(table: pd.DataFrame) -> tuple[str, str]:
    if table.empty:
        return "", ""
    return str(table["period"].iloc[0]), str(table["basis"].iloc[0])


def _county_name(table: pd.DataFrame, lang: str) -> str:
    total = table[table["is_total"].fillna(False).astype(bool)]
    return str(total["area"].iloc[0]) if not total.empty else t("figures.county", lang)


def chosen_indicators(
    table: pd.DataFrame, indicators: list[str] | None, lang: str = "zh"
) -> list[str]:
    """The indicators to rank: the asked ones (each must be in the table), else the defaults."""
    present = list(dict.fromkeys(table["indicator"]))
    if not indicators:
        return [key for key in PACK_INDICATORS if key in present]
    for key in indicators:
        if key not in present:
            raise ExportError(t("exports.error.indicator", lang, name=key))
    return list(dict.fromkeys(indicators))


def _pack_chart(
    table: pd.DataFrame, indicator: str, lang: str, catalog: Catalog | None, size: tuple[int, int]
) -> Chart:
    fig = ranking_bar(table, indicator, lang, catalog=catalog)
    # the chart's title as plain text (plotly's is markup, its names made entities)
    title = html.unescape(str(fig.layout.title.text).split("<br>")[0])
    fig.update_layout(title={"text": "", "subtitle": {"text": ""}}, margin={"t": 60})
    png = to_png(fig, size[0], size[1], PACK_CHART_SCALE)
    return Chart(indicator=indicator, title=title, png=png)


def build_pack(
    table: pd.DataFrame,
    lang: str = "zh",
    indicators: list[str] | None = None,
    *,
    catalog: Catalog | None = None,
    settings: Settings | None = None,
    chart_size: tuple[int, int] = (PACK_CHART_WIDTH, PACK_CHART_HEIGHT),
) -> Pack:
    """The pack's words and chart images for one indicator table (dated in the county's time
    zone, a setting); each ranking picture `chart_size` pixels (drawn at scale 2), the shape of
    the room the format has for it."""
    period, basis = _table_period(table)
    zone = (settings or load_settings()).zone
    chosen = chosen_indicators(table, indicators, lang)
    cards = overview_cards(table, lang, catalog=catalog)
    subtitle = t(
        "exports.pack.subtitle",
        lang,
        period=period_label(period, lang),
        basis=_basis_text(basis, lang),
    )
    return Pack(
        lang=lang,
        title=t("exports.pack.title", lang, county=_county_name(table, lang)),
        subtitle=subtitle,
        generated=t(
            "exports.pack.generated",
            lang,
            date=local_time(datetime.now(UTC), zone).date().isoformat(),
        ),
        cards=cards,
        charts=[_pack_chart(table, key, lang, catalog, chart_size) for key in chosen],
        warnings=warning_rows(table, lang, catalog=catalog),
        notes=quality_lines(table, lang, catalog=catalog),
        watch=warning_counts(table)["watch"],
        definitions=pack_definitions(cards, chosen, lang, catalog),
    )


def pack_definitions(
    cards: list[dict], chosen: list[str], lang: str, catalog: Catalog | None
) -> list[dict[str, str]]:
    """The definition of every indicator the pack shows (cards, then rankings), once each."""
    keys = list(dict.fromkeys([c["indicator"] for c in cards] + list(chosen)))
    return [definition(key, lang, catalog or default_catalog()) for key in keys]


def _definition_cells(pack: Pack) -> tuple[list[str], list[list[str]], list[str | None]]:
    """The definitions as a table: name, formula, unit, limits with their source, methods."""
    lang = pack.lang
    columns = ("name", "formula", "unit", "limits", "method")
    header = [t(f"definitions.col.{c}", lang) for c in columns]
    sep = t("definitions.separator", lang)
    rows = []
    for d in pack.definitions:
        limits = d["limits"] or t("definitions.no_limits", lang)
        if d["source"]:
            limits = f"{limits}\n{t('definitions.label_source', lang)}{sep}{d['source']}"
        method = "\n".join(x for x in (d["interval"], d["status"]) if x)
        rows.append([d["name"], d["formula"], d["unit"], limits, method])
    return header, rows, [None] * len(rows)


def quality_lines(
    table: pd.DataFrame, lang: str = "zh", *, catalog: Catalog | None = None
) -> list[str]:
    """One line per data-quality note of the table: '※ 城关镇(出生人数、…):<the finding>'."""
    return [
        t(
            "ui.quality.line",
            lang,
            symbol=t("ui.quality.symbol", lang),
            area=row["area"],
            indicators=row["indicator_labels"],
            text=row["text"],
        )
        for row in quality_rows(table, lang, catalog=catalog)
    ]


def _legend(lang: str) -> str:
    items = "  ".join(status_text(s, lang) for s in STATUSES)
    return t("exports.pack.legend", lang, items=items)


def _overview_cells(pack: Pack) -> tuple[list[str], list[list[str]], list[str | None]]:
    lang = pack.lang
    header = [t(f"exports.overview.{c}", lang) for c in ("indicator", "value", "change", "status")]
    rows = [
        [
            card["label"],
            f"{card['value_with_unit']} {t('ui.quality.symbol', lang)}"
            if card.get("quality")
            else card["value_with_unit"],
            card["change"],
            status_text(card["status"], lang),
        ]
        for card in pack.cards
    ]
    return header, rows, [card["status"] for card in pack.cards]


def _warning_cells(pack: Pack) -> tuple[list[str], list[list[str]], list[str | None]]:
    lang = pack.lang
    columns = ("status", "area", "indicator", "value", "reason")
    header = [t(f"exports.warnings.{c}", lang) for c in columns]
    rows = [
        [w["status_text"], w["area"], w["indicator_name"], w["value"], w["reason"]]
        for w in pack.warnings
    ]
    return header, rows, [w["status"] for w in pack.warnings]
