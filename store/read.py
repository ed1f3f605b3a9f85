"""Reading stored values straight into arrays: one SELECT, text columns as integer codes, once.

The driver's rows are taken a chunk at a time and turned into one numpy array per column;
text columns (area, period, basis, field, sheet, cell) become categoricals whose codes are
shared across chunks, so no frame of millions of strings is ever built and no layer after the
store factorises them again. Which stored rows are current is decided in one place:
`latest_revision`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .models import values

#: Rows taken from the driver at a time (bounds the Python objects alive while reading).
CHUNK_ROWS = 16_384
#: Columns every read returns: what the indicators need, and the upload each row came from.
CORE_COLUMNS = ("area", "is_total", "period", "basis", "field", "value", "row", "upload_id")
#: Columns saying where a figure was read (`Store.values` returns them).
SOURCE_COLUMNS = ("sheet", "cell")
#: How each column is read: text → categorical, else a numpy dtype.
_KINDS = {
    "area": "text",
    "is_total": "bool",
    "period": "text",
    "basis": "text",
    "field": "text",
    "value": "float",
    "row": "int",
    "upload_id": "int",
    "sheet": "text",
    "cell": "text",
    "id": "int",
}


def served(table: Any = values) -> sa.ColumnElement[bool]:
    """The rows a reader serves: those no later revision of their period has replaced.

    After `create()` at most one served row holds each (area, period, basis, field) key (a
    township kept from an earlier revision is one the new file left out)."""
    return table.c.replaced_by.is_(None)


def candidate_rows(
    columns: Sequence[str],
    *,
    periods: Iterable[str] | None = None,
    bases: Iterable[str] | None = None,
    fields: Iterable[str] | None = None,
) -> sa.Select:
    """The served rows (`served`) of the figures asked for (all when a filter is None): the
    rows `latest_revision` chooses from. `value` is read as a float (the decimal it holds, to the
    nearest double: the number `indicators.exact` reads back to its 0.000001)."""
    picked = [
        sa.cast(values.c.value, sa.Float).label("value") if c == "value" else values.c[c]
        for c in (*columns, "id")
    ]
    query = sa.select(*picked).where(served())
    if periods is not None:
        query = query.where(values.c.period.in_(sorted(set(periods))))
    if bases is not None:
        query = query.where(values.c.basis.in_(sorted(set(bases))))
    if fields is not None:
        query = query.where(values.c.field.in_(sorted(set(fields))))
    return query


def latest_revision(frame: pd.DataFrame) -> np.ndarray:
    """Which rows are current (a bool mask): of the served rows (a revision replaces its whole
    period, `served`), for each figure — area (the county total is one key whatever its row was
    labelled), period, basis, field — the row of the latest upload holding it (of two rows in
    one upload, the later stored).

    With `served` and `candidate_rows`, the one place the store's revision rule lives; `frame`
    holds the coded columns of `candidate_rows` (with `id`)."""
    n = len(frame)
    if n == 0:
        return np.zeros(0, dtype=bool)
    total = frame["is_total"].to_numpy(dtype=bool)
    area = np.where(total, -1, _codes(frame["area"])).astype(np.int64) + 1
    key = np.zeros(n, dtype=np.int64)
    for column in ("period", "basis", "field"):
        codes = _codes(frame[column]).astype(np.int64)
        key = key * (len(frame[column].cat.categories) + 1) + codes + 1
    space = (int(key.max()) + 1) * 2 * (len(frame["area"].cat.categories) + 1)
    key = (key * 2 + total) * (len(frame["area"].cat.categories) + 1) + area
    repeated = _repeated(key, space)
    keep = ~repeated
    if repeated.any():
        rows = np.flatnonzero(repeated)
        order = np.lexsort(
            (frame["id"].to_numpy()[rows], frame["upload_id"].to_numpy()[rows], key[rows])
        )
        ordered = rows[order]
        last = np.append(key[ordered][1:] != key[ordered][:-1], True)
        keep[ordered[last]] = True
    return keep


def _repeated(key: np.ndarray, space: int) -> np.ndarray:
    """Which keys occur more than once: counted in place when the keys are few (8 bytes a
    possible key), else by hashing."""
    if space <= 4 * len(key):
        return np.bincount(key, minlength=space)[key] > 1
    return pd.Series(key).duplicated(keep=False).to_numpy()


def read_coded(conn: sa.Connection, query: sa.Select, chunk: int = CHUNK_ROWS) -> pd.DataFrame:
    """The rows of `query` as a frame of arrays: text columns categorical (codes shared by every
    chunk), is_total bool, value float64 (NaN for none), row and ids int64."""
    result = conn.execute(query)
    names = list(result.keys())
    kinds = [_KINDS[n] for n in names]
    books: list[dict[Any, int]] = [{} for _ in names]
    parts: list[list[np.ndarray]] = [[] for _ in names]
    cursor = result.cursor  # the driver's own rows: no per-row objects of SQLAlchemy's
    while True:
        rows = cursor.fetchmany(chunk)
        if not rows:
            break
        grid = np.array(rows, dtype=object).reshape(len(rows), len(names))
        for i, kind in enumerate(kinds):
            parts[i].append(_column_array(grid[:, i], kind, books[i]))
    result.close()
    data: dict[str, Any] = {}
    for i, (name, kind, book) in enumerate(zip(names, kinds, books, strict=True)):
        got, parts[i] = parts[i], []  # each column's chunks go as soon as it is whole
        array = np.concatenate(got) if got else np.zeros(0, dtype=_EMPTY[kind])
        del got
        data[name] = _categorical(array, book) if kind == "text" else array
    return pd.DataFrame(data, columns=names, copy=False)


_EMPTY = {"text": np.int32, "bool": bool, "float": float, "int": np.int64}


def _column_array(column: np.ndarray, kind: str, book: dict[Any, int]) -> np.ndarray:
    """One column of a chunk (an object array) as numbers; text as codes numbered in `book`."""
    if kind == "float":
        return column.astype(float)
    if kind == "int":
        return column.astype(np.int64)
    if kind == "bool":
        return column.astype(bool)
    local, uniques = pd.factorize(column, use_na_sentinel=True)
    mapping = np.array([book.setdefault(u, len(book)) for u in uniques] + [-1], dtype=np.int32)
    return mapping[local]  # -1 (None) maps to the last entry, -1


def _categorical(codes: np.ndarray, book: dict[Any, int]) -> pd.Categorical:
    """Codes numbered in order of first sight → a categorical whose categories are sorted."""
    names = np.array(list(book), dtype=object)
    order = np.argsort(names, kind="stable") if len(names) else np.zeros(0, dtype=np.int64)
    rank = np.empty(len(names) + 1, dtype=np.int32)
    rank[order] = np.arange(len(names), dtype=np.int32)
    rank[-1] = -1
    return pd.Categorical.from_codes(rank[codes], categories=pd.Index(names[order], dtype=object))


def _codes(column: pd.Series) -> np.ndarray:
    return column.cat.codes.to_numpy()


def compact(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """The kept rows, with categories no kept row uses dropped."""
    if keep.all():
        return frame
    out = frame[keep].reset_index(drop=True)
    for name in out.columns:
        if isinstance(out[name].dtype, pd.CategoricalDtype):
            out[name] = out[name].cat.remove_unused_categories()
    return out
