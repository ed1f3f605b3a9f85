"""What one app instance keeps (its store, settings, catalog and computed tables) and how the code
serving a request finds it.

`create_app` (dashboard/app.py) puts one `AppState` on its Flask app; pages and downloads read it
through `state()`. Nothing here imports the app factory or a page, so both can import this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from flask import Flask, current_app

from dashboard.cache import TableCache
from indicators.catalog import Catalog, load_catalog
from indicators.levels import ALL
from indicators.trends import periods_read
from store import Store
from zhibiao.config import Settings
from zhibiao.tables import indicator_table

#: Where create_app keeps the AppState on its Flask app.
EXTENSION = "zhibiao"
#: How many rendered pages (their JSON, a few hundred kB at most) one worker keeps.
PAGE_LIMIT = 64


def open_store(url: str) -> Store:
    """The store of `url`, its tables made if missing (the default `store_factory`)."""
    store = Store(url)
    store.create()
    return store


@dataclass
class AppState:
    """What one app instance keeps: its store, settings, options and computed tables."""

    db_url: str
    settings: Settings
    max_upload_bytes: int
    cache_dir: Path
    default_lang: str
    store_factory: Callable[[str], Store] = open_store
    _store: Store | None = None
    #: computed tables and the catalog, shared by the worker's threads (dashboard/cache.py)
    tables: TableCache = field(default_factory=TableCache)
    #: rendered page contents, apart from the tables so that pages never evict them
    pages: TableCache = field(default_factory=lambda: TableCache(PAGE_LIMIT))
    #: the background-callback manager (dashboard.jobs)
    jobs: Any = None
    #: the database refuses writes: pages read, uploads are not offered
    read_only: bool = False

    @property
    def store(self) -> Store:
        """The app's store, opened on first use."""
        if self._store is None:
            self._store = self.store_factory(self.db_url)
        return self._store

    @property
    def catalog(self) -> Catalog:
        """The indicator catalog, read once per app."""
        catalog: Catalog = self.tables.get_or_make("catalog", load_catalog, keep=True)
        return catalog


def state_of(server: Flask) -> AppState:
    """The AppState `create_app` put on this Flask app."""
    found: AppState = server.extensions[EXTENSION]
    return found


def state() -> AppState:
    """The AppState of the app serving this request."""
    return state_of(current_app)


def view_table(app_state: AppState, period: str, basis: str, scope: str = ALL) -> pd.DataFrame:
    """The indicator table of one period, basis and scope (`indicators.levels`), from the
    app's store (`zhibiao.tables`)."""
    return indicator_table(
        app_state.store,
        period,
        basis,
        settings=app_state.settings,
        catalog=app_state.catalog,
        scope=scope,
        values=cached_values(app_state, period),
        parents=cached_parents(app_state, period),
    )


def per_revision(app_state: AppState, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    """make(), kept per worker under `key` and the store's revision, read on every call (an
    upload stored through any process or host is seen at once): how every cache of values
    read from the store, or computed from them, is keyed."""
    return app_state.tables.get_or_make((*key, app_state.store.revision()), make)


def cached_table(
    app_state: AppState, period: str | None, basis: str, scope: str = ALL
) -> pd.DataFrame:
    """`view_table`, kept per worker under the store's revision, read on every call (an upload
    stored through any process or host is seen at once); pages and downloads share it. Empty
    when there is no period, that is no data at all."""
    if period is None:
        return pd.DataFrame()
    table: pd.DataFrame = per_revision(
        app_state,
        ("table", period, basis, scope),
        lambda: view_table(app_state, period, basis, scope),
    )
    return table


def cached_values(app_state: AppState, period: str) -> pd.DataFrame:
    """The store's current values of every month a period's views read
    (`trends.periods_read`: its indicator tables of every basis and scope, the township page's
    months and trends), read once per worker under the store's revision: at province scale a
    read is seconds, the computing after it much less."""
    months = periods_read(period, app_state.settings.year_start_month)
    found: pd.DataFrame = per_revision(
        app_state, ("values", period), lambda: app_state.store.current(months)
    )
    return found


def cached_periods(app_state: AppState) -> list[str]:
    """`Store.periods` (every period with data, oldest first), kept per worker under the
    store's revision: at province scale the query reads every stored row (0.7 s)."""
    found: list[str] = per_revision(app_state, ("periods",), app_state.store.periods)
    return found


def cached_reports(app_state: AppState) -> pd.DataFrame:
    """`Store.reports` (which upload brought which area's period), kept per worker under the
    store's revision: every period, language and scope of the reporting grid reads it."""
    found: pd.DataFrame = per_revision(app_state, ("reports",), app_state.store.reports)
    return found


def cached_parents(app_state: AppState, period: str | None) -> dict[str, str | None]:
    """`Store.area_parents` of a period (area → the parent it was reported under), kept per
    worker under the store's revision; empty without a period."""
    if period is None:
        return {}
    found: dict[str, str | None] = per_revision(
        app_state, ("parents", period), lambda: app_state.store.area_parents(period)
    )
    return found
