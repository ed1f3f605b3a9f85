"""Header path → canonical field: tokens found in the labels, combined by the synonym table."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from loaders.cells import normalise_label, synonyms

DIMENSIONS = ("order", "sex", "stage", "quantity", "unit", "basis", "compare")


@dataclass(frozen=True)
class Tokens:
    """What a header path says: measures × order × sex × stage × quantity, unit, basis."""

    measures: frozenset[str] = frozenset()
    order: str = ""
    sex: str = ""
    stage: str = ""
    quantity: str = ""
    unit: str = ""
    basis: str = ""
    compare: str = ""  # previous (上年同期) or change (增减%): not a figure of this period
    refines: bool = False
    conflict: bool = False
    unstored: frozenset[str] = frozenset()  # measures recognised and never stored (deaths …)

    @property
    def empty(self) -> bool:
        return (
            not self.measures
            and not self.unstored
            and not any(getattr(self, d) for d in DIMENSIONS)
        )


@dataclass(frozen=True)
class Resolved:
    """One column's meaning. field is None when nothing matched (or the column is ignored)."""

    field: str | None
    derived: bool = False
    unit: str = ""
    basis: str = ""
    ignored: bool = False
    tokens: Tokens = dataclasses.field(default_factory=Tokens)  # `field` names a column here
    previous: bool = False  # last year's figure (上年同期): recognised, never stored
    #: what a column recognised and never stored is: a rate (`出生率`, `‰`), or a measure of
    #: [tokens.unstored] (deaths, households, ages …, `population_by_sex`)
    unstored: str = ""


@cache
def _lexicon() -> dict[str, tuple[str, str]]:
    """Every synonym label → (dimension, value); `refine` marks `其中`."""
    table = synonyms()
    lex: dict[str, tuple[str, str]] = {}
    for dimension, values in table["tokens"].items():
        for value, labels in values.items():
            for label in labels:
                lex[normalise_label(label)] = (dimension, value)
    for label in table["header"]["refine"]:
        lex[normalise_label(label)] = ("refine", "")
    for label in table["header"]["noise"]:
        lex[normalise_label(label)] = ("noise", "")
    for kind, labels in table["tokens"]["unstored"].items():
        for label in labels:
            lex.setdefault(normalise_label(label), ("unstored", kind))
    return lex


@cache
def _longest() -> int:
    return max(len(k) for k in _lexicon())


def tokenise(label: str) -> list[tuple[str, str]]:
    """Tokens inside one normalised label, longest match from left to right."""
    lex, longest = _lexicon(), _longest()
    found: list[tuple[str, str]] = []
    i = 0
    while i < len(label):
        for size in range(min(longest, len(label) - i), 0, -1):
            hit = lex.get(label[i : i + size])
            if hit:
                found.append(hit)
                i += size
                break
        else:
            i += 1
    return found


def path_tokens(path: list[str]) -> Tokens:
    """Tokens of a whole header path, top to bottom."""
    measures: set[str] = set()
    unstored: set[str] = set()
    dims: dict[str, set[str]] = {d: set() for d in DIMENSIONS}
    refines = False
    for label in path:
        for dimension, value in tokenise(label):
            if dimension == "measure":
                measures.add(value)
            elif dimension == "unstored":
                unstored.add(value)
            elif dimension == "refine":
                refines = True
            elif dimension == "noise":
                continue
            else:
                dims[dimension].add(value)
    if "households" in unstored and measures & set(synonyms()["measures"]["with_quantity"]):
        unstored.discard("households")  # 社会抚养费/征收户数: the fee's persons
        dims["quantity"].add(synonyms()["measures"]["households_quantity"])
    if len(dims["sex"]) > 1:  # 男女合计: both sexes is the births total
        dims["sex"] = set()
        measures.add(synonyms()["measures"]["base"])
    conflict = any(len(v) > 1 for v in dims.values())
    picked = {d: (sorted(v)[0] if v else "") for d, v in dims.items()}
    return Tokens(
        frozenset(measures),
        refines=refines,
        conflict=conflict,
        unstored=frozenset(unstored),
        **picked,
    )


def refine(child: Tokens, parent: Tokens) -> Tokens:
    """A `其中` column refines the block before it: it inherits what it does not say, of the
    dimensions that matter to the measure it ends with (`一孩/女` then `其中/计划内`: the
    in-policy births of the first order, not of its girls)."""
    merged = replace(
        child,
        measures=child.measures | parent.measures,
        unstored=child.unstored | parent.unstored,
    )
    relevant = _relevant(_effective_measures(merged))
    inherited: dict[str, Any] = {
        d: getattr(child, d) or (getattr(parent, d) if relevant.get(d, True) else "")
        for d in DIMENSIONS
    }
    return replace(merged, conflict=child.conflict or parent.conflict, **inherited)


def _relevant(measures: frozenset[str]) -> dict[str, bool]:
    """Which of order, sex, stage, quantity matter to a set of measures ([measures] table)."""
    rules = synonyms()["measures"]
    return {
        d: any(m in rules[f"with_{d}"] for m in measures)
        for d in ("order", "sex", "stage", "quantity")
    }


def _effective_measures(tokens: Tokens) -> frozenset[str]:
    rules = synonyms()["measures"]
    measures = set(tokens.measures)
    if "sex_ratio" in measures:
        measures = (measures - {"sex_ratio", rules["base"]}) | {rules["sex_ratio_of_births"]}
    derived = measures & set(rules["derived"])
    if derived:
        return frozenset(derived)
    if len(measures) > 1:
        measures.discard(rules["base"])
    if not measures and (tokens.order or tokens.sex):
        measures = {rules["implied_by_order_or_sex"]}
    if not measures and (tokens.stage or tokens.quantity):
        measures = {rules["implied_by_stage_or_quantity"]}
    return frozenset(measures)


def field_for(tokens: Tokens) -> str | None:
    """The canonical field a token combination names, or None."""
    if tokens.conflict:
        return None
    measures = _effective_measures(tokens)
    if not measures:
        return None
    relevant = _relevant(measures)
    for entry in synonyms()["field"]:
        if frozenset(entry["measures"]) != measures:
            continue
        if all(entry.get(d, "") == getattr(tokens, d) for d, on in relevant.items() if on):
            # a dimension that does not matter to the measure must at least not be an order
            # or sex the field cannot carry (`政策外/一孩/男` is not out_of_policy_o1)
            if not relevant["order"] and tokens.order:
                continue
            if not relevant["sex"] and tokens.sex:
                continue
            return str(entry["field"])
    return None


@cache
def _ignored_labels() -> frozenset[str]:
    """Columns that are neither an area nor a field: 序号, 乡镇代码, the statistical month."""
    table = synonyms()
    labels = [*table["header"]["ignore"], *table["period"]["column_labels"]]
    return frozenset(normalise_label(x) for x in labels)


def is_ignored(path: list[str]) -> bool:
    return any(label in _ignored_labels() for label in path)


def unstored_kind(tokens: Tokens) -> str:
    """What a path recognised and never stored is ('' when it is a stored measure or nothing).

    A measure of [tokens.unstored] with no stored measure (`死亡数-男`, `0岁-男`, `户数`);
    the population split by sex or by a part (`人口数/男`, `人口数/家庭户/小计`); the
    population's sex ratio (`人口数/性别比`).
    """
    measures = set(tokens.measures)
    population = synonyms()["measures"]["population"]
    if "sex_ratio" in measures and population in measures:
        return "population_sex_ratio"
    if measures == {population} and tokens.sex:
        return "population_by_sex"
    if tokens.unstored and (not measures or measures == {population}):
        if measures and not tokens.unstored - {"households", "population_parts"}:
            return "population_parts"
        return sorted(tokens.unstored)[0]
    return ""


def is_rate_path(path: list[str]) -> bool:
    """A header path under a rate or ratio (`出生率`, `(‰)`, `比重`, `(女=100)`)."""
    markers = [normalise_label(m) for m in synonyms()["header"]["rate_markers"]]
    return any(m in label for label in path for m in markers)


def _resolve_one(path: list[str], effective: Tokens, derived: set[str]) -> Resolved:
    if effective.compare:
        return comparison(effective)
    kind = unstored_kind(effective)
    name = None if kind else field_for(effective)
    if name in derived:
        return Resolved(name, derived=True, unit=effective.unit, tokens=effective)
    if kind.endswith("sex_ratio"):
        return Resolved(None, ignored=True, tokens=effective, unstored=kind)
    if is_rate_path(path):
        return Resolved(None, ignored=True, tokens=effective, unstored="rate")
    if kind:
        return Resolved(None, ignored=True, tokens=effective, unstored=kind)
    return Resolved(name, unit=effective.unit, basis=effective.basis, tokens=effective)


def title_measure(lines: list[str]) -> Tokens | None:
    """The one measure the lines above a table name (`2020年各地区分性别人口` → population;
    `…死亡人口…` → deaths), as tokens a path without a measure takes; None when they name
    births, none, or several."""
    words = {normalise_label(k): v for k, v in synonyms()["header"]["title_measures"].items()}
    measures: set[str] = set()
    unstored: set[str] = set()
    for line in lines:
        label = normalise_label(line)
        for dimension, value in tokenise(label):
            if dimension == "measure":
                measures.add(value)
            elif dimension == "unstored":
                unstored.add(value)
    if not measures and not unstored:  # the title words are a fallback for the tokens
        text = "".join(normalise_label(line) for line in lines)
        measures = {m for word, m in words.items() if word in text}
    births = synonyms()["measures"]["base"]
    if births in measures or len(measures) + len(unstored) != 1:
        return None
    return Tokens(frozenset(measures), unstored=frozenset(unstored))


def _in_context(path: list[str], tokens: Tokens, context: Tokens | None) -> Tokens:
    """A path with a sex or an order and no measure (`男`), or a bare total word (`合计`),
    takes the measure its table's title names; without one, births (the default)."""
    if context is None or tokens.measures or tokens.unstored or tokens.stage or tokens.quantity:
        return tokens
    totals = {normalise_label(x) for x in synonyms()["header"]["total_words"]}
    if tokens.sex or tokens.order or (len(path) == 1 and path[0] in totals):
        return replace(tokens, measures=context.measures, unstored=context.unstored)
    return tokens


def resolve_columns(paths: list[list[str]], context: Tokens | None = None) -> list[Resolved]:
    """Resolve every column's header path; `其中` paths refine the block before them.

    A bare 性别比 is the sex ratio at birth only in a table that reports births; elsewhere it
    is the population's, recognised and never stored. context: the measure the table's title
    names (title_measure), for paths that name none, in a table with no column of births.
    """
    derived = set(synonyms()["measures"]["derived"])
    own = [path_tokens(p) for p in paths]
    births_family = set(synonyms()["measures"]["with_order"])
    if not any(t.measures & births_family for t in own):  # a births table keeps the default
        own = [_in_context(p, t, context) for p, t in zip(paths, own, strict=True)]
    out: list[Resolved] = []
    parent: Tokens | None = None
    for path, tokens in zip(paths, own, strict=True):
        if not path or is_ignored(path):
            out.append(Resolved(None, ignored=bool(path)))
            continue
        effective = refine(tokens, parent) if tokens.refines and parent else tokens
        if not tokens.refines and not tokens.empty and not tokens.compare:
            parent = tokens
        out.append(_resolve_one(path, effective, derived))
    births = synonyms()["measures"]["base"]
    if len(out) > 1 and not any(r.field and r.field.startswith(births) for r in out):
        out = [
            replace(r, field=None, derived=False, ignored=True, unstored="population_sex_ratio")
            if r.derived
            and "sex_ratio" in r.tokens.measures
            and not r.tokens.measures & {"srb", births}
            else r
            for r in out
        ]
    return out


def comparison(tokens: Tokens) -> Resolved:
    """A column that compares with another period: a change (增减%) is derived and ignored
    silently; last year's figure (上年同期) is recognised as such and never stored."""
    previous = tokens.compare == synonyms()["compare"]["previous"]
    return Resolved(None, ignored=not previous, tokens=tokens, previous=previous)


def resolve_path(path: list[str]) -> str | None:
    """One path alone (no `其中` context): its field, for tests and the synonym table."""
    return resolve_columns([[normalise_label(x) for x in path]])[0].field


@cache
def area_labels() -> frozenset[str]:
    return frozenset(normalise_label(x) for x in synonyms()["area"]["labels"])


def synonym_list(section: str, key: str) -> list[Any]:
    return list(synonyms()[section][key])
