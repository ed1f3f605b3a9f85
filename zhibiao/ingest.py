"""The ingest service shared by the command line and the upload page: check a file, then store it.

`check` loads a file and adds the checks that need stored data (a file of another
jurisdiction, or of areas mostly unknown to the store: refused; a township never seen before: a
warning; a year-to-date figure smaller than the month before: an acceptable error; an area
reported last month and missing now: a warning). `commit` stores an accepted result and the
file's bytes in one transaction, as the new revision of each period and basis it holds (the
whole period: see store.db). A refused file stores nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from indicators.catalog import load_catalog
from loaders import load
from loaders.cells import normalise_label, synonyms
from loaders.rules import check_areas_missing, check_ytd_not_shrinking
from loaders.types import Finding, LoadResult, finding
from store import RevisionConflict, Store, StoreError
from zhibiao.config import Settings, load_settings
from zhibiao.i18n import has, t


@dataclass
class Ingested:
    """What became of one file: the checked result and the upload id (None when refused);
    `error` when the store refused to write it (nothing stored)."""

    result: LoadResult
    upload_id: int | None
    error: StoreError | RevisionConflict | None = None

    @property
    def stored(self) -> bool:
        return self.upload_id is not None


def previous_month(period: str) -> str:
    """The calendar month before `period` ('2025-01' → '2024-12')."""
    year, month = (int(p) for p in period.split("-"))
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


Previous = dict[tuple[str, str], tuple[str, pd.DataFrame]]


def previous_values(result: LoadResult, store: Store) -> Previous:
    """For each (period, basis) of the file: the month before and its values in that basis,
    from the file itself where it holds them, else from the store, read there in one go (only
    the months and bases asked for)."""
    new = result.values
    found = new[["period", "basis"]].drop_duplicates()
    pairs = sorted({(str(p), str(b)) for p, b in found.itertuples(index=False)})
    before = {pair: previous_month(pair[0]) for pair in pairs}
    in_file = set(pairs)
    wanted = {(before[pair], pair[1]) for pair in pairs} - in_file
    stored = (
        store.current({p for p, _ in wanted}, bases={b for _, b in wanted})
        if wanted
        else new.iloc[:0]
    )
    out: Previous = {}
    for period, basis in pairs:
        month = before[(period, basis)]
        source = new if (month, basis) in in_file else stored
        rows = source[(source["period"] == month) & (source["basis"] == basis)]
        out[(period, basis)] = (month, rows.reset_index(drop=True))
    return out


def ytd_findings(result: LoadResult, previous: Previous, settings: Settings) -> list[Finding]:
    """Year-to-date figures smaller than the month before, stored or in the file (acceptable)."""
    found: list[Finding] = []
    values = result.values
    for period in sorted(values.loc[values["basis"] == "ytd", "period"].unique()):
        _, before = previous[(str(period), "ytd")]
        new = values[(values["period"] == period) & (values["basis"] == "ytd")]
        found.extend(
            check_ytd_not_shrinking(
                new, before, year_start_month=settings.year_start_month, file=result.file
            )
        )
    return found


def missing_area_findings(result: LoadResult, previous: Previous) -> list[Finding]:
    """Areas reported the month before (same basis) that this file does not report (warnings)."""
    found: list[Finding] = []
    values = result.values
    for (period, basis), new in values.groupby(["period", "basis"], sort=True):
        before, rows = previous[(str(period), str(basis))]
        for missing in check_areas_missing(new, rows, file=result.file):
            missing.period, missing.basis = str(period), str(basis)
            missing.params.setdefault("previous", before)
            found.append(missing)
    return found


def same_jurisdiction(one: str, other: str) -> bool:
    """Two names of a jurisdiction are the same one (`青川县` and `青川縣`; `四川省青川县` and
    `青川县`: one ends with the other)."""
    a, b = normalise_label(one), normalise_label(other)
    return a == b or a.endswith(b) or b.endswith(a)


@cache
def _aliases() -> dict[str, str]:
    """The alias table of the catalog (package data: read once a process)."""
    return load_catalog().aliases


def known_areas(store: Store) -> set[str]:
    """The areas the store holds, with every name the alias table gives them."""
    known = set(store.areas())
    aliases = _aliases()
    known |= {old for old, new in aliases.items() if new in known}
    known |= {new for old, new in aliases.items() if old in known}
    return known


def jurisdiction_findings(result: LoadResult, store: Store, settings: Settings) -> list[Finding]:
    """A store belongs to one jurisdiction (the county setting, else the one its uploads name).

    A file naming another is refused with both names; a file whose areas are mostly unknown to
    a store that holds data is refused with both names (acceptable: an administrator may add
    the areas deliberately); a township never seen before is a warning naming it.
    """
    own = settings.county or store.county()
    named = result.county if result.county and result.county != settings.county else None
    file = result.file
    if own and named and not same_jurisdiction(own, named):
        params: dict[str, Any] = {"store": own, "named": named}
        return [finding("load.other_jurisdiction", file=file, sheet=None, cells=(), params=params)]
    known = known_areas(store)
    if not known:
        return []
    values = result.values
    areas = list(dict.fromkeys(values.loc[~values["is_total"], "area"].to_numpy(dtype=object)))
    unknown = [a for a in areas if a not in known]
    if not unknown:
        return []
    share = float(_jurisdiction_setting("unknown_share"))
    if len(unknown) > share * len(areas):
        shown = "、".join(unknown[: int(_jurisdiction_setting("shown"))])
        params = {
            "store": own or "",
            "named": named or result.county or "",
            "count": len(unknown),
            "total": len(areas),
            "areas": shown,
        }
        if not own:
            params["store_key"] = "load.unnamed_store"
        if not params["named"]:
            params["named_key"] = "load.unnamed_file"
        return [finding("load.unknown_areas", file=file, sheet=None, cells=(), params=params)]
    return [
        finding("load.new_area", file=file, sheet=None, cells=(), params={"area": a})
        for a in unknown
    ]


def _jurisdiction_setting(key: str) -> float:
    return float(synonyms()["jurisdiction"][key])


def check(
    data: bytes,
    filename: str,
    store: Store,
    *,
    period: str | None = None,
    basis: str | None = None,
    accept_inconsistent: bool = False,
    settings: Settings | None = None,
) -> LoadResult:
    """Load one file and add the checks against stored data; stores nothing."""
    settings = settings or load_settings(db_url=store.url)
    result = load(
        data,
        filename,
        period=period,
        basis=basis,
        accept_inconsistent=accept_inconsistent,
        settings=settings,
    )
    if result.values.empty:
        return result
    result.findings.extend(jurisdiction_findings(result, store, settings))
    previous = previous_values(result, store)
    result.findings.extend(ytd_findings(result, previous, settings))
    result.findings.extend(missing_area_findings(result, previous))
    result.accepted = bool(accept_inconsistent)
    return result


def commit(
    result: LoadResult,
    store: Store,
    *,
    user: str,
    size: int | None = None,
    data: bytes | None = None,
    keep: Sequence[str] = (),
    seen: dict[str, int | None] | None = None,
) -> int:
    """Store an accepted result and the file's bytes (one transaction; size defaults to their
    length) as the new revision of its periods: townships it leaves out are no longer served
    unless named in `keep`. `seen` is `store.revisions(result)` at check time: a revision
    stored since refuses the commit (RevisionConflict). ValueError and nothing stored if
    refused; StoreError and nothing stored if the database refuses the write."""
    if data is not None and size is None:
        size = len(data)
    return store.save_upload(result, user=user, size=size, data=data, keep=keep, seen=seen)


def ingest(
    data: bytes,
    filename: str,
    store: Store,
    *,
    user: str,
    period: str | None = None,
    basis: str | None = None,
    accept_inconsistent: bool = False,
    settings: Settings | None = None,
) -> Ingested:
    """check, then commit if the file is accepted (against the revisions the check saw)."""
    result = check(
        data,
        filename,
        store,
        period=period,
        basis=basis,
        accept_inconsistent=accept_inconsistent,
        settings=settings,
    )
    if not result.ok:
        return Ingested(result, None)
    seen = store.revisions(result)
    try:
        upload_id = commit(result, store, user=user, size=len(data), data=data, seen=seen)
    except (StoreError, RevisionConflict) as error:
        return Ingested(result, None, error)
    return Ingested(result, upload_id)


def fault_text(error: StoreError | RevisionConflict, lang: str) -> str:
    """Why a file was not stored, in `lang`: what the database refused, or the newer revision
    stored after the check. Every one says that nothing was stored."""
    if isinstance(error, RevisionConflict):
        stored = error.stored
        moment = stored.get("uploaded_at")
        return t(
            "store.newer_revision",
            lang,
            period=error.period,
            basis=t(f"ui.basis.{error.basis}", lang),
            user=stored.get("user", ""),
            when=moment.strftime("%Y-%m-%d %H:%M") if moment else "",
            id=stored.get("id", ""),
            file=stored.get("file", ""),
        )
    params = dict(error.params)
    if error.code == "too_long":
        column = params.get("column", "")
        key = f"store.column.{column}"
        params["what"] = t(key, lang) if has(key, lang) else column
        where = params.get("row") and t("store.at", lang, sheet=params["sheet"], row=params["row"])
        params["where"] = where or ""
    return t(f"store.{error.code}", lang, **params)
