"""Views of a two-level table: every township, the townships of one parent, or the parents.

A report may list townships under their county (or villages under their township): the store
keeps each area's parent (`Store.area_parents`). A view's *scope* says which areas its table
holds:

- `all` — every area, against the county (the default, and the only scope of a one-level table);
- `parents` — one row per parent, its figures recomputed from its areas' counts (Σ numerator /
  Σ denominator, never an average of their ratios), against the county; an area without a
  parent stays an area of its own;
- `in:<parent>` — the areas of one parent only, ranked among themselves, against that parent's
  own figure (Σ/Σ of its areas), which takes the county row's place.

The grouping is the alias merge the engine already does for renamed areas
(`arrays.merge_alias_arrays`): each area's months are derived and completed first, then the
areas of one parent add up, and a field any of them lacks gives the parent none. Areas of other
months (last year's names) are placed by their name today (`catalog.aliases`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import pandas as pd

from indicators.catalog import Catalog

#: Every area (the default scope).
ALL = "all"
#: One row per parent.
PARENTS = "parents"
#: The prefix of the scope of one parent's areas: "in:东山县".
IN = "in:"


def parent_names(parents: Mapping[str, str | None]) -> list[str]:
    """The parents named by an area → parent map, in the order of their first area."""
    return list(dict.fromkeys(p for p in parents.values() if p))


def scopes(parents: Mapping[str, str | None]) -> list[str]:
    """The scopes a period offers: `all` alone for a one-level table; else also `parents` and
    `in:<parent>` for each parent."""
    names = parent_names(parents)
    if not names:
        return [ALL]
    return [ALL, PARENTS, *(IN + p for p in names)]


def valid_scope(scope: object, parents: Mapping[str, str | None]) -> str:
    """`scope` when the period offers it, else `all`."""
    return scope if isinstance(scope, str) and scope in scopes(parents) else ALL


def scope_parent(scope: str) -> str | None:
    """The parent an `in:<parent>` scope names (None for the others)."""
    return scope[len(IN) :] if scope.startswith(IN) else None


@dataclass(frozen=True)
class Scoped:
    """What the engine is given for a scope: the values, the catalog (its aliases) and the name
    of the total row."""

    values: pd.DataFrame
    catalog: Catalog
    total: str | None


def _parent_of(catalog: Catalog, parents: Mapping[str, str | None]):
    def of(area: str) -> str | None:
        return parents.get(catalog.aliases.get(area, area))

    return of


def areas_of_parent(
    names: Iterable[str], catalog: Catalog, parents: Mapping[str, str | None], parent: str
) -> set[str]:
    """The names among `names` that are areas of `parent`, each placed by its name today
    (`catalog.aliases`)."""
    parent_of = _parent_of(catalog, parents)
    return {a for a in names if parent_of(a) == parent}


def scoped(
    values: pd.DataFrame,
    catalog: Catalog,
    parents: Mapping[str, str | None],
    scope: str,
    total: str | None,
) -> Scoped:
    """The values, catalog and total-row name that give the indicator table of `scope`
    (module docstring). `parents`: area → parent, of the period shown; `total`: the county's
    name (None: the engine names it)."""
    scope = valid_scope(scope, parents)
    if scope == ALL:
        return Scoped(values, catalog, total)
    names = [str(a) for a in pd.unique(values["area"].astype(object))]
    if scope == PARENTS:
        parent_of = _parent_of(catalog, parents)
        grouped = dict(catalog.aliases)
        for area in names:
            parent = parent_of(area)
            if parent:
                grouped[area] = parent
        return Scoped(values, replace(catalog, aliases=grouped), total)
    parent = scope[len(IN) :]  # a valid scope neither all nor parents: in:<parent>
    keep = values["area"].astype(object).isin(areas_of_parent(names, catalog, parents, parent))
    keep = keep.to_numpy().copy()
    if "is_total" in values.columns:
        keep &= ~values["is_total"].astype(bool).to_numpy()
    return Scoped(values[keep], catalog, parent)
