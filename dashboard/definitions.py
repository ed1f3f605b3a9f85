"""What each indicator means, in words, from the catalog (data/indicators.toml): the formula
(numerator / denominator named by their fields), unit, limits and their source, the method of
the interval and of the status. The pages' definition panel, the charts' axis titles and the
pack's last page read it; plain values, no Dash.
"""

from __future__ import annotations

from typing import Any

from dashboard.figures.style import indicator_info, unit_label
from dashboard.figures.words import binomial_words, expression_words
from indicators.catalog import Catalog, Indicator
from zhibiao.i18n import has, t


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def formula_words(ind: Indicator, lang: str) -> str:
    """'(出生人数 − 政策外出生) ÷ 出生人数 × 100' — numerator and denominator named by fields."""
    numerator = expression_words(ind.numerator, lang)
    if not ind.denominator:
        return numerator
    denominator = expression_words(ind.denominator, lang)
    if ind.numerator_expr.tree[0] in ("add", "sub"):
        numerator = f"({numerator})"
    if ind.denominator_expr is not None and ind.denominator_expr.tree[0] in ("add", "sub"):
        denominator = f"({denominator})"
    text = f"{numerator} ÷ {denominator}"
    return f"{text} × {ind.factor}" if ind.factor != 1 else text


def limits_words(ind: Indicator, lang: str) -> str:
    """The limits a status is judged against, in words ('' when none)."""
    if ind.range_low is not None and ind.range_high is not None:
        return t(
            "definitions.range",
            lang,
            low=_number(ind.range_low),
            high=_number(ind.range_high),
            reference=_number(ind.reference),
        )
    if ind.target is not None:
        key = (
            "definitions.target_higher" if ind.direction == "higher" else "definitions.target_lower"
        )
        return t(key, lang, value=_number(ind.target))
    if ind.limits:
        key = (
            "definitions.limits_higher" if ind.direction != "lower" else "definitions.limits_lower"
        )
        return t(
            key,
            lang,
            green=_number(ind.limits.get("green")),
            amber=_number(ind.limits.get("amber")),
        )
    return ""


def interval_words(ind: Indicator, lang: str, catalog: Catalog) -> str:
    """How the 95% and 99.8% intervals are made (the catalog's methods: the exact binomial
    below `exact_below`, Wilson from there on; Byars for a count over a population)."""
    kind = ind.interval_kind
    if kind == "poisson":
        return t("definitions.interval_poisson", lang)
    if kind not in ("odds", "proportion"):
        return t("definitions.interval_none", lang)
    method = str(catalog.settings.get("exact_method", "clopper_pearson"))
    words = t(
        f"definitions.interval_{kind}",
        lang,
        exact=t(f"definitions.exact_{method}", lang)
        if has(f"definitions.exact_{method}", lang)
        else method,
        n=catalog.settings.get("exact_below", ""),
    )
    if ind.binomial_n:
        words += t("definitions.binomial_n", lang, what=expression_words(ind.binomial_n, lang))
    return words


def status_words(ind: Indicator, lang: str, catalog: Catalog) -> str:
    """How the status is judged, and when a figure is not judged."""
    if ind.status_rule == "interval":
        text = t("definitions.status_interval", lang)
    elif ind.status_rule == "limits":
        text = t("definitions.status_limits", lang)
    else:
        return t("definitions.status_none", lang)
    if ind.min_denominator is not None:
        what = (
            expression_words(ind.min_of, lang) if ind.min_of else binomial_words(ind, catalog, lang)
        )
        text += t("definitions.too_few", lang, what=what, n=_number(ind.min_denominator))
    return text


def definition(key: str, lang: str, catalog: Catalog) -> dict[str, str]:
    """One indicator's definition in words: name, formula, unit, direction, limits, source,
    interval, status (each '' when it does not apply)."""
    ind = catalog.get(key)
    info = indicator_info(key, lang, catalog)
    limits = limits_words(ind, lang)
    source = ind.limits_source.get(lang) or ind.limits_source.get("zh") or ""
    if limits and not source:
        source = t("definitions.source_catalog", lang)
    composite = key == catalog.composite.key
    return {
        "key": key,
        "name": info.name,
        "formula": t("definitions.formula_composite", lang)
        if composite
        else formula_words(ind, lang),
        "unit": unit_label(ind.unit, lang) or t("definitions.no_unit", lang),
        "direction": t(f"definitions.direction_{ind.direction}", lang),
        "limits": limits,
        "source": source if limits else "",
        "interval": "" if composite else interval_words(ind, lang, catalog),
        "status": "" if composite else status_words(ind, lang, catalog),
    }


#: The parts of a definition in the order they are shown (message keys definitions.label_*).
DEFINITION_PARTS = ("formula", "unit", "direction", "limits", "source", "interval", "status")


def definition_lines(key: str, lang: str, catalog: Catalog) -> list[tuple[str, str]]:
    """(label, text) of each part of a definition that applies."""
    found = definition(key, lang, catalog)
    return [(t(f"definitions.label_{p}", lang), found[p]) for p in DEFINITION_PARTS if found[p]]


def definition_text(key: str, lang: str, catalog: Catalog) -> str:
    """The definition as lines of text (a hover title)."""
    lines = definition_lines(key, lang, catalog)
    name = definition(key, lang, catalog)["name"]
    sep = t("definitions.separator", lang)
    return "\n".join([name] + [f"{label}{sep}{text}" for label, text in lines])


def short_name(key: str, lang: str, full: str) -> str:
    """An indicator's short name for a narrow place (messages `short.<key>`), else `full`."""
    return t(f"short.{key}", lang) if has(f"short.{key}", lang) else full


__all__: list[Any] = [
    "binomial_words",
    "definition",
    "definition_lines",
    "definition_text",
    "expression_words",
    "formula_words",
    "short_name",
]
