"""Writing an upload's values: the frame's columns as one list of plain tuples, one executemany.

Every value is stored exactly to 0.000001 (`VALUE_SCALE`): whole numbers as integers, the rest
as the decimal of their shortest text, quantized; SQLite, which keeps no decimals, gets that
decimal's nearest double (what SQLAlchemy's Numeric would bind).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .models import VALUE_SCALE, values

_QUANTUM = Decimal(1).scaleb(-VALUE_SCALE)
#: Columns written, in order (the id is the database's).
WRITTEN = (
    "upload_id", "area", "is_total", "period", "basis", "field", "value", "sheet", "cell", "row",
    "parent",
)  # fmt: skip


def exact(value: float) -> Decimal:
    """A reported number as the decimal it was written as, to 0.000001."""
    return Decimal(repr(float(value))).quantize(_QUANTUM)


def stored_numbers(numbers: np.ndarray, decimals: bool) -> list[Any]:
    """Each float as it is stored: an int when whole, else `exact` (as a float unless the
    database keeps `decimals`)."""
    whole = np.isfinite(numbers) & (np.floor(numbers) == numbers) & (np.abs(numbers) < 2.0**53)
    out = np.empty(len(numbers), dtype=object)
    out[whole] = numbers[whole].astype(np.int64).tolist()
    rest = np.flatnonzero(~whole)
    if rest.size:
        uniques, inverse = np.unique(numbers[rest], return_inverse=True)
        made = [exact(u) if decimals else float(exact(u)) for u in uniques.tolist()]
        out[rest] = np.array(made + [None], dtype=object)[:-1][inverse]
    return out.tolist()


def objects(column: pd.Series) -> list[Any]:
    """A column's values as a list, taken from one array (not element by element through a
    pandas extension array, as `tolist` of a text column does)."""
    return column.to_numpy(dtype=object).tolist()


def _texts(column: pd.Series) -> list[str]:
    return ["" if v is None or v != v else str(v) for v in objects(column)]


def value_rows(
    frame: pd.DataFrame, upload_id: int, decimals: bool, parents: Mapping[str, str] | None = None
) -> list[tuple[Any, ...]]:
    """The rows of a values frame (VALUE_COLUMNS) to insert, in WRITTEN order; a missing
    value is not stored. parents: area → the group row it was reported under (None stored for
    an area without one, and for the total row)."""
    numbers = frame["value"].to_numpy(dtype=float)
    missing = np.isnan(numbers)
    kept = frame[~missing] if missing.any() else frame
    numbers = numbers[~missing]
    n = len(kept)
    areas = [str(a) for a in objects(kept["area"])]
    totals = kept["is_total"].to_numpy(dtype=bool).tolist()
    groups = (
        [None if total else parents.get(area) for area, total in zip(areas, totals, strict=True)]
        if parents
        else [None] * n
    )
    return list(
        zip(
            [upload_id] * n,
            areas,
            totals,
            [str(p) for p in objects(kept["period"])],
            [str(b) for b in objects(kept["basis"])],
            [str(f) for f in objects(kept["field"])],
            stored_numbers(numbers, decimals),
            _texts(kept["sheet"]),
            _texts(kept["cell"]),
            kept["row"].astype(np.int64).tolist(),
            groups,
            strict=True,
        )
    )


def first_too_long(frame: pd.DataFrame) -> dict[str, Any] | None:
    """The first row of a values frame (of those with a value, in order) holding a text longer
    than its column of `values` allows, as the record `store.db.too_long` reads; None when
    every text fits. Each column's distinct texts are measured once."""
    missing = np.isnan(frame["value"].to_numpy(dtype=float))
    kept = frame[~missing] if missing.any() else frame
    first: int | None = None
    for column in values.columns:
        limit = getattr(column.type, "length", None)
        if not limit or column.name not in kept.columns:
            continue
        texts = kept[column.name]
        long = [
            u
            for u in pd.unique(texts.to_numpy(dtype=object))
            if u is not None and len(str(u)) > limit
        ]
        if long:
            at = int(np.flatnonzero(texts.isin(long).to_numpy())[0])
            first = at if first is None else min(first, at)
    if first is None:
        return None
    row = kept.iloc[first]
    record = {name: _texts(pd.Series([row[name]]))[0] for name in TEXTS}
    return {**record, "row": int(row["row"])}


#: The text columns of a values frame that are stored.
TEXTS = ("area", "period", "basis", "field", "sheet", "cell")


def insert_values(conn: sa.Connection, rows: list[tuple[Any, ...]]) -> None:
    """One executemany of the rows, bound by the driver as they are."""
    if not rows:
        return
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    mark = {"qmark": "?", "numeric": ":{}", "named": ":p{}"}.get(dialect.paramstyle, "%s")
    marks = ", ".join(mark.format(i + 1) for i in range(len(WRITTEN)))
    sql = (
        f"INSERT INTO {dialect.identifier_preparer.format_table(values)} "
        f"({', '.join(quote(c) for c in WRITTEN)}) VALUES ({marks})"
    )
    conn.exec_driver_sql(sql, rows)


def keeps_decimals(conn: sa.Connection) -> bool:
    """The database stores decimals exactly (PostgreSQL), unlike SQLite."""
    return conn.dialect.name != "sqlite"
