"""The one indicator query: the indicator table of a period and basis, read from a store.

The command line (`table`, `brief`, `export`), the web app's pages and the exports all call
`indicator_table`; none of them reads values and computes on its own.
"""

from __future__ import annotations

import pandas as pd

from indicators.catalog import Catalog
from indicators.engine import compute
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
) -> pd.DataFrame:
    """The indicator table (`indicators/columns.py`) of `period` and `basis`: the store's
    current values of the months it can read (this statistical year and last year's) read
    once, with their quality notes, then computed.

    Empty when the store holds nothing for the period or no figure has a value.
    """
    if period not in store.periods():
        return pd.DataFrame()
    settings = settings or load_settings(db_url=store.url)
    values = store.current(periods_needed(period, settings.year_start_month))
    table = compute(
        values,
        period,
        basis,
        catalog=catalog,
        settings=settings,
        quality=store.quality(values),
        county=store.county(),
    )
    if table.empty or not table["value"].notna().any():
        return pd.DataFrame()
    return table
