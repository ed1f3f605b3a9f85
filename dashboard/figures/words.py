"""An indicator's expressions in words: the fields of a numerator or denominator named in the
user's language ('births - out_of_policy' → '出生人数 − 政策外出生'), and what a count-based
ratio's limits are drawn against (出生人数 for a sex ratio). The funnel's axis and the indicator
definitions (dashboard/definitions.py) read them."""

from __future__ import annotations

from indicators.catalog import Catalog, Indicator, load_catalog, parse_expression
from zhibiao.fields import field_label
from zhibiao.i18n import t


def _tree_words(tree: tuple, lang: str) -> str:
    kind = tree[0]
    if kind == "num":
        value = tree[1]
        return str(value.numerator) if value.denominator == 1 else str(float(value))
    if kind == "field":
        return field_label(tree[1], lang)
    if kind == "neg":
        return f"−{_tree_words(tree[1], lang)}"
    sign = "+" if kind == "add" else "−"
    return f"{_tree_words(tree[1], lang)} {sign} {_tree_words(tree[2], lang)}"


def expression_words(text: str, lang: str) -> str:
    """A catalog expression with each field named in `lang`: 'births - out_of_policy' →
    '出生人数 − 政策外出生'."""
    return _tree_words(parse_expression(text).tree, lang)


def _sum_field(catalog: Catalog, parts: set[str]) -> str | None:
    """The field the catalog derives as the sum of exactly `parts` (births = boys + girls)."""
    for name, alternatives in catalog.derived.items():
        for expr in alternatives:
            if expr.tree[0] == "add" and set(expr.fields) == parts and len(expr.fields) == 2:
                return name
    return None


def binomial_words(ind: Indicator, catalog: Catalog | None, lang: str) -> str:
    """What a count-based ratio's limits are drawn against, in words: the denominator (出生人数
    for the compliance rate), or boys + girls for a sex ratio (出生人数 too)."""
    denominator = ind.denominator_expr
    if ind.interval_kind == "odds" and denominator is not None:
        fields = set(ind.numerator_expr.fields) | set(denominator.fields)
        total = _sum_field(catalog or load_catalog(), fields)
        if total is not None:
            return field_label(total, lang)
        return (
            f"{expression_words(ind.numerator, lang)} + {expression_words(denominator.text, lang)}"
        )
    if ind.denominator:
        return expression_words(ind.denominator, lang)
    return t("figures.axis.denominator", lang)
