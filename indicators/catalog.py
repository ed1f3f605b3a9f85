"""The indicator catalog as data (data/indicators.toml): indicators, derived fields, area aliases.

DHIS2-style: each indicator is a numerator and a denominator written as expressions over
canonical field names (`births - out_of_policy`), a factor, decimals, a direction and a status
rule. Expressions are parsed by a tiny parser (field names, numbers, + - and parentheses);
nothing is ever evaluated as Python.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from zhibiao.datafiles import data_text

UNIT_FACTORS = {
    "count": 1,
    "wan_yuan": 1,
    "permille": 1000,
    "percent": 100,
    "ratio100": 100,
    "score": 1,
}
DIRECTIONS = ("none", "higher", "lower", "range")
STATUS_RULES = ("interval", "limits")
INTERVALS = ("poisson",)


# ---------------------------------------------------------------------------- expressions

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+()]))"
)


class ExpressionError(ValueError):
    """An expression in the catalog that the parser cannot read."""


@dataclass(frozen=True)
class Expr:
    """A parsed expression: ('num', Fraction) | ('field', name) | ('neg', e) | ('add'|'sub', a, b)."""

    text: str
    tree: tuple

    @cached_property
    def fields(self) -> list[str]:
        """Field names the expression reads, in order of appearance, without repeats."""
        seen: list[str] = []
        for name in _walk_fields(self.tree):
            if name not in seen:
                seen.append(name)
        return seen

    def evaluate(self, lookup: Callable[[str], Fraction | None]) -> Fraction | None:
        """The value, exact; None when any field it reads has no value."""
        return _evaluate(self.tree, lookup)


def _walk_fields(tree: tuple) -> Iterator[str]:
    kind = tree[0]
    if kind == "field":
        yield tree[1]
    elif kind == "neg":
        yield from _walk_fields(tree[1])
    elif kind in ("add", "sub"):
        yield from _walk_fields(tree[1])
        yield from _walk_fields(tree[2])


def _evaluate(tree: tuple, lookup: Callable[[str], Fraction | None]) -> Fraction | None:
    kind = tree[0]
    if kind == "num":
        return tree[1]
    if kind == "field":
        return lookup(tree[1])
    if kind == "neg":
        inner = _evaluate(tree[1], lookup)
        return None if inner is None else -inner
    left = _evaluate(tree[1], lookup)
    right = _evaluate(tree[2], lookup)
    if left is None or right is None:
        return None
    return left + right if kind == "add" else left - right


def _tokenise(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ExpressionError(f"cannot read {text!r} at position {pos}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


@lru_cache(maxsize=4096)
def parse_expression(text: str) -> Expr:
    """Parse `births - out_of_policy`, `(a + b) - 2`: names, numbers, + - and parentheses only."""
    tokens = _tokenise(text)
    pos = 0

    def peek() -> tuple[str, str] | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal pos
        if pos >= len(tokens):
            raise ExpressionError(f"{text!r} ends too early")
        pos += 1
        return tokens[pos - 1]

    def expr() -> tuple:
        tree = term()
        while (tok := peek()) is not None and tok[1] in "+-" and tok[0] == "op":
            take()
            tree = ("add" if tok[1] == "+" else "sub", tree, term())
        return tree

    def term() -> tuple:
        kind, value = take()
        if kind == "num":
            return ("num", Fraction(value))
        if kind == "name":
            return ("field", value)
        if value == "-":
            return ("neg", term())
        if value == "(":
            tree = expr()
            if take() != ("op", ")"):
                raise ExpressionError(f"{text!r}: missing ')'")
            return tree
        raise ExpressionError(f"{text!r}: unexpected {value!r}")

    if not tokens:
        raise ExpressionError("empty expression")
    tree = expr()
    if pos != len(tokens):
        raise ExpressionError(f"{text!r}: unexpected {tokens[pos][1]!r}")
    return Expr(text=text, tree=tree)


# ---------------------------------------------------------------------------- the catalog


@dataclass(frozen=True)
class Indicator:
    """One indicator of the catalog (see data/indicators.toml for every key's meaning)."""

    key: str
    zh: str
    en: str
    numerator: str
    denominator: str | None = None
    unit: str = "count"
    factor: int = 1
    dp: int = 0
    direction: str = "none"
    reference: float | None = None
    range_low: float | None = None
    range_high: float | None = None
    target: float | None = None
    limits: dict[str, float] = field(default_factory=dict)
    min_denominator: float | None = None
    min_of: str | None = None
    status_rule: str | None = None
    count_based: bool = False
    weight: float = 0.0
    reason_dp: int = 0
    binomial_n: str | None = None
    interval: str | None = None
    show_count: bool = False
    #: where the limits come from, by language ({"zh": …, "en": …}; empty: the catalog)
    limits_source: dict[str, str] = field(default_factory=dict)

    def name(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh

    @property
    def numerator_expr(self) -> Expr:
        return parse_expression(self.numerator)

    @property
    def denominator_expr(self) -> Expr | None:
        return parse_expression(self.denominator) if self.denominator else None

    @property
    def min_of_expr(self) -> Expr | None:
        return parse_expression(self.min_of) if self.min_of else None

    @property
    def binomial_n_expr(self) -> Expr | None:
        return parse_expression(self.binomial_n) if self.binomial_n else None

    @property
    def interval_kind(self) -> str | None:
        """'odds' for a ratio of two counts (the sex ratio), 'proportion' for a share (a ratio
        of counts, or a ratio whose catalog entry names its binomial n), 'poisson' for a count
        over a population (catalog `interval = "poisson"`: births per thousand), else None."""
        if not self.denominator:
            return None
        if self.interval == "poisson":
            return "poisson"
        if not (self.count_based or self.binomial_n):
            return None
        return "odds" if self.unit == "ratio100" else "proportion"

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    @property
    def fields(self) -> list[str]:
        names = list(self.numerator_expr.fields)
        for extra in (self.denominator_expr, self.min_of_expr, self.binomial_n_expr):
            if extra is not None:
                names += [f for f in extra.fields if f not in names]
        return names


@dataclass(frozen=True)
class Catalog:
    """Indicators in display order, the composite score, derived fields, aliases and settings."""

    indicators: list[Indicator]
    composite: Indicator
    derived: dict[str, list[Expr]]
    aliases: dict[str, str]
    settings: dict[str, Any]

    def get(self, key: str) -> Indicator:
        if key == self.composite.key:
            return self.composite
        for ind in self.indicators:
            if ind.key == key:
                return ind
        raise KeyError(key)

    def table_keys(self) -> list[str]:
        """Every key of the indicator table, in order: the catalog's, then 'composite'."""
        return [i.key for i in self.indicators] + [self.composite.key]

    def setting(self, name: str) -> Any:
        return self.settings[name]

    def touched_fields(self, ind: Indicator) -> set[str]:
        """Fields an indicator reads, directly or through derived-field fallbacks."""
        todo = list(ind.fields)
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            for expr in self.derived.get(name, []):
                todo.extend(expr.fields)
        return seen


def _data_text(name: str) -> str:
    return data_text(name)


def _indicator(raw: dict[str, Any]) -> Indicator:
    unit = raw.get("unit", "count")
    if unit not in UNIT_FACTORS:
        raise ValueError(f"indicator {raw.get('key')!r}: unknown unit {unit!r}")
    direction = raw.get("direction", "none")
    if direction not in DIRECTIONS:
        raise ValueError(f"indicator {raw.get('key')!r}: unknown direction {direction!r}")
    rule = raw.get("status_rule") or None
    if rule is not None and rule not in STATUS_RULES:
        raise ValueError(f"indicator {raw.get('key')!r}: unknown status rule {rule!r}")
    if raw.get("interval") and raw["interval"] not in INTERVALS:
        raise ValueError(f"indicator {raw.get('key')!r}: unknown interval {raw['interval']!r}")
    ind = Indicator(
        key=raw["key"],
        zh=raw.get("zh", raw["key"]),
        en=raw.get("en", raw["key"]),
        numerator=raw["numerator"],
        denominator=raw.get("denominator") or None,
        unit=unit,
        factor=int(raw.get("factor", UNIT_FACTORS[unit])),
        dp=int(raw.get("dp", 0)),
        direction=direction,
        reference=raw.get("reference"),
        range_low=raw.get("range_low"),
        range_high=raw.get("range_high"),
        target=raw.get("target"),
        limits=dict(raw.get("limits", {})),
        min_denominator=raw.get("min_denominator"),
        min_of=raw.get("min_of") or None,
        status_rule=rule,
        count_based=bool(raw.get("count_based", False)),
        weight=float(raw.get("weight", 0.0)),
        reason_dp=int(raw.get("reason_dp", 0)),
        binomial_n=raw.get("binomial_n") or None,
        interval=raw.get("interval") or None,
        show_count=bool(raw.get("show_count", False)),
        limits_source={str(k): str(v) for k, v in dict(raw.get("limits_source", {})).items()},
    )
    # parse now, so a bad expression fails when the catalog is read, not later
    ind.numerator_expr, ind.denominator_expr, ind.min_of_expr, ind.binomial_n_expr  # noqa: B018
    return ind


def read_aliases(text: str) -> dict[str, str]:
    """old_name → new_name from the alias table (CSV with columns old_name,new_name), chains followed."""
    direct: dict[str, str] = {}
    for row in csv.DictReader(text.splitlines()):
        old = (row.get("old_name") or "").strip()
        new = (row.get("new_name") or "").strip()
        if old and new and old != new:
            direct[old] = new
    resolved: dict[str, str] = {}
    for old in direct:
        name, seen = old, {old}
        while name in direct and direct[name] not in seen:
            name = direct[name]
            seen.add(name)
        resolved[old] = name
    return resolved


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Read the catalog (default data/indicators.toml) and its alias table.

    The alias table is the file named by `settings.aliases`, beside the catalog file
    (default data/area_aliases.csv).
    """
    if path is None:
        raw = tomllib.loads(_data_text("indicators.toml"))
        alias_name = raw.get("settings", {}).get("aliases", "area_aliases.csv")
        alias_text = _data_text(alias_name) if alias_name else ""
    else:
        path = Path(path)
        raw = tomllib.loads(path.read_text("utf-8"))
        alias_name = raw.get("settings", {}).get("aliases", "area_aliases.csv")
        alias_path = path.parent / alias_name if alias_name else None
        alias_text = alias_path.read_text("utf-8-sig") if alias_path and alias_path.exists() else ""
    indicators = [_indicator(item) for item in raw.get("indicator", [])]
    keys = [i.key for i in indicators]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate indicator key in the catalog")
    comp_raw = dict(raw.get("composite", {}))
    comp_raw.setdefault("key", "composite")
    comp_raw.setdefault("numerator", "0")
    comp_raw.setdefault("unit", "score")
    comp_raw.setdefault("direction", "higher")
    composite = _indicator({k: v for k, v in comp_raw.items() if k != "method"})
    derived = {
        name: [parse_expression(e) for e in (alts if isinstance(alts, list) else [alts])]
        for name, alts in raw.get("derived", {}).items()
    }
    settings = dict(raw.get("settings", {}))
    settings.setdefault("composite_method", comp_raw.get("method", "rank_percentile"))
    return Catalog(
        indicators=indicators,
        composite=composite,
        derived=derived,
        aliases=read_aliases(alias_text),
        settings=settings,
    )
