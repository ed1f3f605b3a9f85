"""The one indicator query: the indicator table of a period and basis, read from a store.

The command line (`table`, `brief`, `export`), the web app's pages and the exports all call
`indicator_table`; none of them reads values and computes on its own.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from indicators.catalog import Catalog, load_catalog
from indicators.engine import compute
from indicators.levels import ALL, scoped
from indicators.periods import periods_needed
from store import Store
from zhibiao.config import Settings, load_settings


def indicator_table(
    store: Store,
    period: str,
    basis: str,
    *,
    settings: Settings | None = None,
    catalog: Catalog | None = None,
    scope: str = ALL,
    values: pd.DataFrame | None = None,
    parents: Mapping[str, str | None] | None = None,
) -> pd.DataFrame:
    """The indicator table (`indicators/columns.py`) of `period` and `basis`: the store's
    current values of the months it can read (this statistical year and last year's) read
    once, with their quality notes, then computed.

    `scope` (`indicators.levels`): every area (`all`), the parents of a two-level table
    (`parents`, each recomputed from its areas' counts) or one parent's areas (`in:<parent>`,
    against that parent); a scope the period does not offer is `all`. `values`: the store's
    current values (`Store.current`) of at least those months, and `parents` the period's
    `Store.area_parents`, when the caller has read them.

    Empty when the store holds nothing for the period or no figure has a value.
    """
    settings = settings or load_settings(db_url=store.url)
    catalog = catalog or load_catalog()
    if values is None:
        values = store.current(periods_needed(period, settings.year_start_month))
    if not values["period"].eq(period).any():  # nothing stored for the period
        return pd.DataFrame()
    quality = store.quality(values)
    view = scoped(
        values,
        catalog,
        ({} if scope == ALL else store.area_parents(period)) if parents is None else parents,
        scope,
        store.county(),
    )
    table = compute(
        view.values,
        period,
        basis,
        catalog=view.catalog,
        settings=settings,
        quality=quality,
        county=view.total,
    )
    if table.empty or not table["value"].notna().any():
        return pd.DataFrame()
    return table
