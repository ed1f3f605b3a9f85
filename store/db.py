"""The Store: every upload kept as a revision, the current values, accounts and the audit trail.

SQLite (a file, WAL, busy timeout) by default, PostgreSQL by URL. One engine per Store, no
module state. The store keeps figures; it never computes a rate.

Revisions: an upload replaces, for every period and basis it holds, the whole of what was
served (rows it does not repeat are no longer served), except the townships the analyst chose
to keep; replaced rows stay, marked with the upload that replaced them (`values.replaced_by`),
so the history keeps every revision. Revisions of one period are serialised (an advisory lock
on PostgreSQL, the write transaction on SQLite), and a commit that was checked against an
older revision than the one stored now is refused (`RevisionConflict`). A write the database
refuses (read-only, disk full, a value longer than its column) is a `StoreError` naming it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from werkzeug.security import check_password_hash, generate_password_hash

from loaders.types import VALUE_COLUMNS, Finding, LoadResult
from zhibiao.text import MAX_PASSWORD, MAX_USER_NAME, clip, clip_tree
from zhibiao.vocabulary import ROLES

from .models import (
    STATUS_STORED,
    Base,
    audit,
    login_attempts,
    secrets_table,
    uploads,
    users,
    utc_now,
    values,
)
from .read import (
    CORE_COLUMNS,
    SOURCE_COLUMNS,
    candidate_rows,
    compact,
    latest_revision,
    read_coded,
    served,
)
from .write import first_too_long, insert_values, keeps_decimals, objects, value_rows

#: Columns of the quality frame the store hands to `indicators.engine.compute` (one row per
#: note and field).
QUALITY_COLUMNS = ["area", "period", "basis", "field", "finding"]

#: How long an SQLite writer waits for another one before giving up (seconds).
SQLITE_BUSY_SECONDS = 30
#: Password hashing method (werkzeug): scrypt.
PASSWORD_METHOD = "scrypt"
#: Findings that become data-quality notes beside the figures they touch.
QUALITY_CODES = frozenset({"load.derived_mismatch"})
#: Columns of the frame `values()` returns.
STORED_VALUE_COLUMNS = [*VALUE_COLUMNS, "upload_id", "file"]
#: Columns of the frame `history()` returns.
HISTORY_COLUMNS = [*VALUE_COLUMNS, "upload_id", "file", "user", "uploaded_at"]
#: Columns added to a table after its first release: `create()` adds them to older databases.
ADDED_COLUMNS = {
    uploads.name: frozenset({"original", "kept_areas"}),
    users.name: frozenset({"session_version"}),
    values.name: frozenset({"replaced_by", "parent"}),
}
#: Store.reports: which upload brought which area's values of which period.
REPORT_COLUMNS = ["area", "period", "upload_id", "uploaded_at", "user", "file"]
#: The largest id a table holds (a signed 64-bit integer): larger ones name nothing.
MAX_ID = 2**63 - 1
#: Default number of audit entries `audit_log` returns.
AUDIT_LIMIT = 100
#: Longest audit action (the column's length).
MAX_ACTION = 100

#: A period and basis as one text key ("2025-11 ytd"): what a check saw, as JSON can carry it.
PERIOD_KEY_SEPARATOR = " "
#: What each store error's message names (its `store.*` message key), by the database's own
#: error: SQLite's error name, PostgreSQL's SQLSTATE.
FAULT_CODES = {
    "SQLITE_READONLY": "read_only",
    "SQLITE_FULL": "disk_full",
    "SQLITE_IOERR": "disk_full",
    "25006": "read_only",  # read_only_sql_transaction
    "53100": "disk_full",  # disk_full
    "22001": "too_long",  # string_data_right_truncation
}
#: Characters of an over-long value that its message quotes.
QUOTED_CHARS = 20

log = logging.getLogger(__name__)


class StoreError(Exception):
    """A write the database refused; nothing of it was stored. `code` names the message
    (`store.<code>`), `params` fill it in."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


class RevisionConflict(Exception):
    """A newer revision of a period was stored after the file was checked; nothing stored.

    `stored` is that upload (as `Store.upload` gives it, without findings)."""

    def __init__(self, period: str, basis: str, stored: dict[str, Any]) -> None:
        super().__init__(period, basis, stored.get("id"))
        self.period = period
        self.basis = basis
        self.stored = stored


class MemoryAttempts:
    """Sign-in attempts counted in this process (what a read-only database cannot count), by
    the rule of `Store.take_attempt`: per process, not shared by workers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, tuple[int, float]] = {}

    def take(self, key: str, limit: int, window: float, lockout: float, now: float) -> float:
        with self._lock:
            count, until = self._rows.get(key, (0, now + window))
            if until <= now:
                count, until = 0, now + window
            if count < int(limit):
                count += 1
                until = now + lockout if count >= int(limit) else until
                self._rows[key] = (count, until)
                return 0.0
            self._rows[key] = (count, until)
            return max(1.0, until - now)

    def give_back(self, key: str) -> None:
        with self._lock:
            count, until = self._rows.get(key, (0, 0.0))
            if count > 0:
                self._rows[key] = (count - 1, until)

    def clear(self, key: str) -> None:
        with self._lock:
            self._rows.pop(key, None)


def period_key(period: str, basis: str) -> str:
    """("2025-11", "ytd") → "2025-11 ytd"."""
    return f"{period}{PERIOD_KEY_SEPARATOR}{basis}"


def period_bases(result: LoadResult) -> list[tuple[str, str]]:
    """The (period, basis) pairs whose values a result holds, in order."""
    frame = result.values
    if frame is None or frame.empty:
        return []
    pairs = set(zip(objects(frame["period"]), objects(frame["basis"]), strict=True))
    return sorted({(str(p), str(b)) for p, b in pairs})


def areas_of(result: LoadResult, period: str, basis: str) -> set[str]:
    """The townships (not the total) a result reports for one period and basis."""
    frame = result.values
    part = frame[(frame["period"] == period) & (frame["basis"] == basis) & ~frame["is_total"]]
    return set(objects(part["area"].astype(str)))


def fault_of(error: sa.exc.DBAPIError) -> StoreError:
    """The StoreError that says what the database refused."""
    orig = error.orig
    name = getattr(orig, "sqlite_errorname", None) or getattr(orig, "sqlstate", None) or ""
    code = FAULT_CODES.get(str(name))
    if code is None:
        text = str(orig).lower()
        code = "read_only" if "read-only" in text or "readonly" in text else "failed"
    return StoreError(code, reason=type(orig).__name__)


def too_long(table: sa.Table, record: dict[str, Any]) -> tuple[str, str, int] | None:
    """The first (column, value, limit) of `record` longer than its column allows, or None."""
    for column in table.columns:
        limit = getattr(column.type, "length", None)
        value = record.get(column.name)
        if limit and isinstance(value, str) and len(value) > limit:
            return column.name, value, int(limit)
    return None


def quoted(value: str) -> str:
    """The start of a long value, as a message quotes it."""
    return value if len(value) <= QUOTED_CHARS else value[:QUOTED_CHARS] + "…"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def sqlite_path(db_url: str) -> Path | None:
    """The file of an SQLite URL, None for other databases or memory."""
    url = make_url(db_url)
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).resolve()


def unwritable_folder_file(url: str) -> Path | None:
    """The SQLite file of `url` if it lies in a folder this process cannot write and has no
    WAL index beside it: SQLite cannot then open it (it would make the index), but can read it
    as immutable."""
    path = sqlite_path(url)
    if path is None or not path.exists() or os.access(path.parent, os.W_OK):
        return None
    return None if path.with_name(path.name + "-shm").exists() else path


def make_engine(url: str) -> sa.Engine:
    """An engine for `url`: SQLite with WAL and a busy timeout (a file in a folder that cannot
    be written: read-only, as immutable), anything else as given."""
    frozen = unwritable_folder_file(url) if url.startswith("sqlite") else None
    if frozen is not None:
        uri = f"file:{quote(str(frozen))}?immutable=1"
        return sa.create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
            poolclass=sa.pool.QueuePool,
        )
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _as_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _jsonable(obj: Any) -> Any:
    """Findings' params may hold numpy or Decimal numbers: make them plain JSON."""
    return json.loads(json.dumps(obj, default=_json_default, ensure_ascii=False))


def _json_default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return float(obj)
    if hasattr(obj, "item"):
        return obj.item()
    if isinstance(obj, set | tuple):
        return list(obj)
    return str(obj)


def _user_dict(row: Any) -> dict[str, Any]:
    return {
        "name": row.name,
        "role": row.role,
        "active": bool(row.active),
        "created_at": _as_utc(row.created_at),
        "session_version": int(row.session_version or 0),
    }


def _next_version() -> Any:
    """The SQL that raises an account's session version by one (NULL in an old row is 0)."""
    return sa.func.coalesce(users.c.session_version, 0) + 1


class Store:
    """The database of one county (or more): `Store(url).create()` then read and write."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._created = False
        self._dummy_hash: str | None = None
        #: Sign-in attempts counted in this process, once the database refused to count them.
        self._attempts: MemoryAttempts | None = None

    # -- schema --------------------------------------------------------------------------

    def create(self) -> None:
        """Create the tables that do not exist yet, and add columns newer than a table (idempotent)."""
        Base.metadata.create_all(self.engine, checkfirst=True)
        self._add_missing_columns()
        self._created = True

    def _add_missing_columns(self) -> None:
        """A database made before a column was added gets it (ALTER TABLE … ADD COLUMN,
        nullable, with the column's server default).

        When `values.replaced_by` is added, the rows a later upload superseded under the old
        rule (the latest upload of each area, period, basis and field) are marked replaced,
        so what is served does not change.
        """
        for table in (uploads, users, values):
            have = {c["name"] for c in sa.inspect(self.engine).get_columns(table.name)}
            missing = [c for c in table.columns if c.name in ADDED_COLUMNS[table.name] - have]
            if not missing:
                continue
            try:
                with self.engine.begin() as conn:
                    for column in missing:
                        self._add_column(conn, table, column)
                    if table is values and values.c.replaced_by in missing:
                        _mark_superseded(conn)
            except sa.exc.DBAPIError:
                # another process added them first
                have = {c["name"] for c in sa.inspect(self.engine).get_columns(table.name)}
                if not {c.name for c in missing} <= have:
                    raise

    def _add_column(self, conn: sa.Connection, table: sa.Table, column: sa.Column) -> None:
        dialect = self.engine.dialect
        quote = dialect.identifier_preparer.quote
        kind = column.type.compile(dialect=dialect)
        default = column.server_default
        if isinstance(default, sa.DefaultClause):
            kind += f" DEFAULT {default.arg}"
        conn.execute(
            sa.text(f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column.name)} {kind}")
        )

    def _ready(self) -> sa.Engine:
        if not self._created:
            self.create()
        return self.engine

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.dispose()

    # -- uploads -------------------------------------------------------------------------

    def save_upload(
        self,
        result: LoadResult,
        *,
        user: str,
        size: int | None = None,
        data: bytes | None = None,
        keep: Sequence[str] = (),
        seen: dict[str, int | None] | None = None,
    ) -> int:
        """Store one accepted file, its bytes and its values in one transaction; return the id.

        The upload becomes the revision of every period and basis it holds: the rows served
        for them before are replaced, but those of the townships in `keep` that the file
        leaves out (recorded with the upload). `seen` is what the check saw (`revisions`): if
        another revision of one of those periods was stored since, RevisionConflict.
        `data` is the file itself (kept for `original`); `size` defaults to its length.
        Refuses (ValueError, nothing stored) a result that is not ok, or bytes whose sha256 is
        not the result's; StoreError (nothing stored) for a write the database refuses.
        """
        if not result.ok:
            raise ValueError(f"refused: {result.file} has blocking errors or no values")
        if data is not None:
            data = bytes(data)
            if hashlib.sha256(data).hexdigest() != result.sha256:
                raise ValueError(f"refused: the bytes given are not the file {result.file} read")
            size = len(data) if size is None else size
        findings = _jsonable([f.to_dict() for f in result.findings])
        upload = {
            "file": result.file,
            "sha256": result.sha256,
            "size": size,
            "user": user,
            "uploaded_at": utc_now(),
            "kind": result.kind or "",
            "county": result.county,
            "periods": list(result.periods),
            "bases": list(result.bases),
            "fields": list(result.fields),
            "status": STATUS_STORED,
            "accepted_inconsistent": bool(result.accepted),
            "findings": findings,
            "original": data,
        }
        _refuse_too_long(uploads, [upload])
        long = first_too_long(result.values)
        _refuse_too_long(values, [long] if long is not None else [])
        pairs = period_bases(result)
        with self._writing() as conn:
            self._lock_periods(conn, pairs)
            upload_id = conn.execute(
                uploads.insert().values(**upload).returning(uploads.c.id)
            ).scalar_one()
            current = self._revisions(conn, pairs)
            if seen is not None:
                self._refuse_newer(conn, current, seen)
            kept = self._replace_periods(conn, result, upload_id, keep)
            rows = value_rows(result.values, upload_id, keeps_decimals(conn), result.parents)
            insert_values(conn, rows)
            conn.execute(
                uploads.update()
                .where(uploads.c.id == upload_id)
                .values(n_values=len(rows), kept_areas=kept or None)
            )
            conn.execute(
                audit.insert().values(
                    at=utc_now(),
                    user=user,
                    action="upload",
                    detail=_jsonable(
                        {
                            "upload_id": upload_id,
                            "file": result.file,
                            "sha256": result.sha256,
                            "values": len(rows),
                            "periods": list(result.periods),
                            "accepted_inconsistent": bool(result.accepted),
                            "replaces": {k: v for k, v in current.items() if v is not None},
                            "kept_areas": kept,
                        }
                    ),
                )
            )
        return int(upload_id)

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """A write transaction; a write the database refuses becomes a StoreError."""
        try:
            with self._ready().begin() as conn:
                yield conn
        except sa.exc.DBAPIError as error:
            raise fault_of(error) from error

    def _lock_periods(self, conn: sa.Connection, pairs: list[tuple[str, str]]) -> None:
        """Hold each period and basis until the transaction ends (PostgreSQL: an advisory lock
        per pair, taken in order; SQLite: the write lock, which the first write takes)."""
        if conn.dialect.name != "postgresql":
            return
        for period, basis in pairs:
            conn.execute(
                sa.select(
                    sa.func.pg_advisory_xact_lock(sa.func.hashtext(period_key(period, basis)))
                )
            )

    def _revisions(
        self, conn: sa.Connection, pairs: list[tuple[str, str]]
    ) -> dict[str, int | None]:
        """For each pair, the latest upload whose rows are served (None: nothing served)."""
        found: dict[str, int | None] = {period_key(p, b): None for p, b in pairs}
        if not pairs:
            return found
        query = (
            sa.select(values.c.period, values.c.basis, sa.func.max(values.c.upload_id))
            .where(served(), sa.tuple_(values.c.period, values.c.basis).in_(pairs))
            .group_by(values.c.period, values.c.basis)
        )
        for period, basis, upload_id in conn.execute(query):
            found[period_key(period, basis)] = int(upload_id)
        return found

    def _refuse_newer(
        self, conn: sa.Connection, current: dict[str, int | None], seen: dict[str, int | None]
    ) -> None:
        for key, upload_id in current.items():
            if upload_id is not None and upload_id != seen.get(key):
                period, _, basis = key.partition(PERIOD_KEY_SEPARATOR)
                row = conn.execute(self._uploads_query().where(uploads.c.id == upload_id)).one()
                raise RevisionConflict(period, basis, self._upload_dict(row, row.n_values))

    def _replace_periods(
        self, conn: sa.Connection, result: LoadResult, upload_id: int, keep: Sequence[str]
    ) -> list[str]:
        """Mark replaced every served row of the result's periods and bases but those of the
        kept townships the file leaves out; return the townships kept."""
        wanted = {str(a) for a in keep}
        kept: set[str] = set()
        for period, basis in period_bases(result):
            mine = (values.c.period == period) & (values.c.basis == basis) & served()
            keepable = wanted - areas_of(result, period, basis)
            if keepable:
                keepable = set(
                    conn.execute(
                        sa.select(values.c.area)
                        .distinct()
                        .where(mine, ~values.c.is_total, values.c.area.in_(sorted(keepable)))
                    ).scalars()
                )
                kept |= keepable
            replaced = mine
            if keepable:
                replaced = mine & (values.c.is_total | values.c.area.not_in(sorted(keepable)))
            conn.execute(values.update().where(replaced).values(replaced_by=upload_id))
        return sorted(kept)

    def revisions(self, result: LoadResult) -> dict[str, int | None]:
        """What a check sees: for each period and basis the result holds ("2025-11 ytd"), the
        latest upload served (None: nothing stored). Give it back to `save_upload` as `seen`."""
        with self._ready().connect() as conn:
            return self._revisions(conn, period_bases(result))

    def dropped_areas(self, result: LoadResult) -> list[str]:
        """The townships served now in the result's periods and bases that the result leaves
        out: storing it stops serving them, unless the analyst keeps them."""
        dropped: set[str] = set()
        with self._ready().connect() as conn:
            for period, basis in period_bases(result):
                have = conn.execute(
                    sa.select(values.c.area)
                    .distinct()
                    .where(
                        served(),
                        values.c.period == period,
                        values.c.basis == basis,
                        ~values.c.is_total,
                    )
                ).scalars()
                dropped.update(set(have) - areas_of(result, period, basis))
        return sorted(dropped)

    def revision(self) -> int:
        """The store's revision: the latest upload's id (0 when empty). Caches of anything
        computed from the values are keyed by it, so every process sees a new upload at once."""
        with self._ready().connect() as conn:
            found = conn.execute(sa.select(sa.func.max(uploads.c.id))).scalar()
        return int(found or 0)

    def writable(self) -> bool:
        """Whether the database takes writes (False: read-only file, folder or server)."""
        try:
            with self._ready().begin() as conn:
                conn.execute(
                    secrets_table.update().where(sa.false()).values(name=secrets_table.c.name)
                )
        except sa.exc.DBAPIError as error:
            if fault_of(error).code == "read_only":
                return False
            raise
        return True

    def find_upload(self, sha256: str) -> int | None:
        """The id of the latest upload of a file with this content, or None."""
        with self._ready().connect() as conn:
            found = conn.execute(
                sa.select(sa.func.max(uploads.c.id)).where(uploads.c.sha256 == sha256)
            ).scalar()
        return int(found) if found is not None else None

    def _upload_dict(self, row: Any, n_values: int) -> dict[str, Any]:
        findings = list(row.findings or [])
        return {
            "id": int(row.id),
            "file": row.file,
            "sha256": row.sha256,
            "size": row.size,
            "user": row.user,
            "uploaded_at": _as_utc(row.uploaded_at),
            "kind": row.kind,
            "county": row.county,
            "periods": list(row.periods or []),
            "bases": list(row.bases or []),
            "fields": list(row.fields or []),
            "status": row.status,
            "accepted_inconsistent": bool(row.accepted_inconsistent),
            "warnings": sum(1 for f in findings if f.get("severity") == "warning"),
            "accepted_errors": sum(1 for f in findings if f.get("severity") == "error"),
            "values": int(n_values),
            "has_original": bool(row.has_original),
            "kept_areas": list(row.kept_areas or []),
        }

    def _uploads_query(self) -> sa.Select:
        """Every column of `uploads` but the file's bytes, and whether the bytes are kept."""
        listed = [c for c in uploads.columns if c.name != uploads.c.original.name]
        return sa.select(*listed, uploads.c.original.is_not(None).label("has_original"))

    def uploads(self) -> list[dict[str, Any]]:
        """Every upload, newest first (without its findings; see `upload`)."""
        with self._ready().connect() as conn:
            rows = conn.execute(self._uploads_query().order_by(uploads.c.id.desc())).all()
        return [self._upload_dict(r, r.n_values) for r in rows]

    def upload(self, upload_id: int) -> dict[str, Any] | None:
        """One upload with its findings (Finding.to_dict() each), or None."""
        with self._ready().connect() as conn:
            row = conn.execute(
                self._uploads_query().where(uploads.c.id == int(upload_id))
            ).one_or_none()
        if row is None:
            return None
        out = self._upload_dict(row, row.n_values)
        out["findings"] = list(row.findings or [])
        return out

    def original(self, upload_id: int) -> tuple[str, bytes] | None:
        """The file of one upload as it was uploaded: (file name, bytes), or None if not kept."""
        if not 0 < int(upload_id) <= MAX_ID:
            return None
        with self._ready().connect() as conn:
            row = conn.execute(
                sa.select(uploads.c.file, uploads.c.original).where(uploads.c.id == int(upload_id))
            ).one_or_none()
        if row is None or row.original is None:
            return None
        return str(row.file), bytes(row.original)

    def county(self) -> str | None:
        """The county named by the latest upload that names one."""
        with self._ready().connect() as conn:
            return conn.execute(
                sa.select(uploads.c.county)
                .where(uploads.c.county.is_not(None), uploads.c.county != "")
                .order_by(uploads.c.id.desc())
                .limit(1)
            ).scalar()

    def periods(self) -> list[str]:
        """Every period with stored values, oldest first."""
        with self._ready().connect() as conn:
            found = (
                conn.execute(sa.select(values.c.period).distinct().where(served())).scalars().all()
            )
        return sorted(found)

    def areas(self) -> list[str]:
        """Every area with stored values (total rows left out), by name."""
        with self._ready().connect() as conn:
            found = (
                conn.execute(sa.select(values.c.area).where(~values.c.is_total).distinct())
                .scalars()
                .all()
            )
        return sorted(found)

    def area_parents(self, period: str) -> dict[str, str | None]:
        """The areas served in `period` (total rows left out), in the order of their report,
        each with the group row it was reported under (a county above its townships; None for
        a table of one level): of an area stored by two uploads (two bases), the latest's."""
        query = (
            sa.select(
                values.c.area,
                values.c.parent,
                sa.func.max(values.c.upload_id).label("upload_id"),
                sa.func.min(values.c.row).label("row"),
            )
            .where(served(), values.c.period == period, ~values.c.is_total)
            .group_by(values.c.area, values.c.parent)
        )
        with self._ready().connect() as conn:
            found = conn.execute(query).all()
        latest: dict[str, tuple[int, int, str | None]] = {}
        for area, parent, upload_id, row in found:
            if area not in latest or upload_id > latest[area][0]:
                latest[area] = (int(upload_id), int(row), parent)
        ordered = sorted(latest.items(), key=lambda item: (item[1][1], item[0]))
        return {area: parent for area, (_, _, parent) in ordered}

    # -- values --------------------------------------------------------------------------

    def _value_columns(self, table: Any) -> list[Any]:
        return [
            table.c.area,
            table.c.is_total,
            table.c.period,
            table.c.basis,
            table.c.field,
            sa.type_coerce(table.c.value, sa.Float).label("value"),
            table.c.sheet,
            table.c.cell,
            table.c.row,
            table.c.upload_id,
        ]

    def current(
        self,
        periods: Iterable[str] | None = None,
        *,
        bases: Iterable[str] | None = None,
        fields: Iterable[str] | None = None,
        sources: bool = False,
    ) -> pd.DataFrame:
        """The current values (see `read.latest_revision`) of the periods, bases and fields asked
        for (all when None), read once into arrays, in no particular order.

        Columns: area, is_total, period, basis, field, value, row, upload_id (+ sheet, cell with
        `sources`); the text columns are categoricals, value float64.
        """
        columns = [*CORE_COLUMNS, *(SOURCE_COLUMNS if sources else ())]
        query = candidate_rows(columns, periods=periods, bases=bases, fields=fields)
        with self._ready().connect() as conn:
            frame = read_coded(conn, query)
        keep = latest_revision(frame)
        return compact(frame, keep).drop(columns="id")

    def values(self, period: str | None = None) -> pd.DataFrame:
        """The current values: the served rows (`served`), for each (area, period, basis, field)
        the latest upload's row.

        The county total is one key whatever its row was labelled. Columns: VALUE_COLUMNS +
        upload_id, file (text columns categorical); `value` is float. Ordered by period, basis,
        the total first, row, field.
        """
        frame = self.current(None if period is None else [period], sources=True)
        order = np.lexsort(
            (
                frame["field"].cat.codes.to_numpy(),
                frame["row"].to_numpy(),
                ~frame["is_total"].to_numpy(),
                frame["basis"].cat.codes.to_numpy(),
                frame["period"].cat.codes.to_numpy(),
            )
        )
        frame = frame.take(order).reset_index(drop=True)
        frame["file"] = self._upload_files(frame["upload_id"])
        return frame[STORED_VALUE_COLUMNS]

    def _upload_files(self, upload_ids: pd.Series) -> pd.Categorical:
        """The file name of each row's upload, as a categorical."""
        ids = np.unique(upload_ids.to_numpy())
        with self._ready().connect() as conn:
            names = dict(
                conn.execute(
                    sa.select(uploads.c.id, uploads.c.file).where(
                        uploads.c.id.in_([int(i) for i in ids])
                    )
                ).all()
            )
        files = sorted(set(names.values()))
        code = {f: i for i, f in enumerate(files)}
        by_id = np.array([code[names[int(i)]] for i in ids], dtype=np.int32)
        codes = by_id[np.searchsorted(ids, upload_ids.to_numpy())] if len(ids) else by_id
        return pd.Categorical.from_codes(codes, categories=pd.Index(files, dtype=object))

    def history(self, area: str, period: str, basis: str, field: str) -> pd.DataFrame:
        """Every stored revision of one figure, oldest first (HISTORY_COLUMNS)."""
        query = (
            sa.select(
                *self._value_columns(values),
                uploads.c.file,
                uploads.c.user,
                uploads.c.uploaded_at,
            )
            .join(uploads, uploads.c.id == values.c.upload_id)
            .where(
                values.c.area == area,
                values.c.period == period,
                values.c.basis == basis,
                values.c.field == field,
            )
            .order_by(values.c.upload_id)
        )
        frame = self._frame(query, HISTORY_COLUMNS)
        frame["uploaded_at"] = [_as_utc(m) for m in frame["uploaded_at"]]
        return frame

    def reports(self) -> pd.DataFrame:
        """Which upload brought values of which area and period (REPORT_COLUMNS): one row per
        (area, period, upload), oldest upload first; a later upload of the same area and
        period is its revision. Areas only (not the county total)."""
        query = (
            sa.select(
                values.c.area,
                values.c.period,
                values.c.upload_id,
                uploads.c.uploaded_at,
                uploads.c.user,
                uploads.c.file,
            )
            .distinct()
            .join(uploads, uploads.c.id == values.c.upload_id)
            .where(values.c.is_total.is_(False))
            .order_by(values.c.upload_id, values.c.period, values.c.area)
        )
        with self._ready().connect() as conn:
            rows = conn.execute(query).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=REPORT_COLUMNS)
        frame["uploaded_at"] = [_as_utc(m) for m in frame["uploaded_at"]]
        return frame

    def _frame(self, query: sa.Select, columns: list[str]) -> pd.DataFrame:
        with self._ready().connect() as conn:
            rows = conn.execute(query).mappings().all()
        frame = pd.DataFrame([dict(r) for r in rows], columns=columns)
        frame["value"] = frame["value"].astype(float)
        frame["is_total"] = frame["is_total"].astype(bool)
        frame["row"] = frame["row"].astype(int)
        frame["upload_id"] = frame["upload_id"].astype(int)
        return frame

    # -- data quality --------------------------------------------------------------------

    def quality(self, current: pd.DataFrame | None = None) -> pd.DataFrame:
        """Data-quality notes on the current values (QUALITY_COLUMNS).

        From the uploads whose values are current: accepted consistency errors and
        `load.derived_mismatch` warnings, one row per (area, field) a finding's cells name.
        `current`: the frame `current()` gave (its periods are the ones the notes are for);
        read here, once, only when some upload has a note.
        """
        with self._ready().connect() as conn:
            rows = conn.execute(
                sa.select(
                    uploads.c.id,
                    uploads.c.periods,
                    uploads.c.bases,
                    uploads.c.accepted_inconsistent,
                    uploads.c.findings,
                ).order_by(uploads.c.id)
            ).all()
        noted = {
            int(row.id): [
                raw
                for raw in row.findings or []
                if _is_quality_note(raw, bool(row.accepted_inconsistent))
            ]
            for row in rows
        }
        noted = {i: notes for i, notes in noted.items() if notes}
        if not noted:
            return pd.DataFrame(columns=QUALITY_COLUMNS)
        if current is None:
            current = self.current()
        live = _live_figures(current, set(noted))
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        for row in rows:
            for raw in noted.get(int(row.id), []):
                periods = [raw["period"]] if raw.get("period") else list(row.periods or [])
                bases = [raw["basis"]] if raw.get("basis") else list(row.bases or [])
                for cell in raw.get("cells") or []:
                    area = cell.get("area")
                    if not area:
                        continue
                    for period in periods:
                        for basis in bases:
                            if (row.id, area, period, basis) not in live:
                                continue
                            note = {
                                "area": area,
                                "period": period,
                                "basis": basis,
                                "field": cell.get("field"),
                                "finding": raw,
                            }
                            key = json.dumps(note, sort_keys=True, ensure_ascii=False)
                            if key not in seen:
                                seen.add(key)
                                out.append(note)
        return pd.DataFrame(out, columns=QUALITY_COLUMNS)

    # -- users ---------------------------------------------------------------------------

    def add_user(self, name: str, role: str, password: str) -> dict[str, Any]:
        """Create an account; ValueError for an unknown role, an empty password or a taken name."""
        name = name.strip()
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        if not name or not password:
            raise ValueError("empty name or password")
        if len(name) > MAX_USER_NAME:
            raise ValueError(f"a user name has at most {MAX_USER_NAME} characters")
        _check_password_length(password)
        engine = self._ready()
        try:
            with engine.begin() as conn:
                conn.execute(
                    users.insert().values(
                        name=name,
                        role=role,
                        password_hash=generate_password_hash(password, method=PASSWORD_METHOD),
                        created_at=utc_now(),
                        active=True,
                    )
                )
        except sa.exc.IntegrityError as exc:
            raise ValueError(f"user {name!r} exists") from exc
        self.audit("system", "user.add", {"name": name, "role": role})
        return self.get_user(name) or {}

    def set_password(self, name: str, password: str) -> None:
        """Replace a user's password; ValueError for an unknown user or an empty password."""
        if not password:
            raise ValueError("empty password")
        _check_password_length(password)
        with self._ready().begin() as conn:
            done = conn.execute(
                users.update()
                .where(users.c.name == name)
                .values(
                    password_hash=generate_password_hash(password, method=PASSWORD_METHOD),
                    session_version=_next_version(),
                )
            ).rowcount
        if not done:
            raise ValueError(f"no user {name!r}")
        self.audit("system", "user.password", {"name": name})

    def set_role(self, name: str, role: str) -> None:
        """Change a user's role; ValueError for an unknown user or role."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        self._update_user(name, role=role)

    def set_active(self, name: str, active: bool) -> None:
        """Enable or disable an account; ValueError for an unknown user."""
        self._update_user(name, active=bool(active))

    def _update_user(self, name: str, **changes: Any) -> None:
        """Change an account; every change of role or state also ends its sessions."""
        changes["session_version"] = _next_version()
        with self._ready().begin() as conn:
            done = conn.execute(users.update().where(users.c.name == name).values(**changes))
        if not done.rowcount:
            raise ValueError(f"no user {name!r}")

    def end_sessions(self, name: str) -> None:
        """End every session of an account (logout does): its session version goes up, so
        no cookie made before opens anything. An unknown name changes nothing."""
        with self._ready().begin() as conn:
            conn.execute(
                users.update().where(users.c.name == name).values(session_version=_next_version())
            )

    def get_user(self, name: str) -> dict[str, Any] | None:
        """name, role, active, created_at, session_version of one account (never its hash),
        or None."""
        with self._ready().connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.name == name)).one_or_none()
        return _user_dict(row) if row is not None else None

    def users(self) -> list[dict[str, Any]]:
        """Every account, by name."""
        with self._ready().connect() as conn:
            rows = conn.execute(sa.select(users).order_by(users.c.name)).all()
        return [_user_dict(r) for r in rows]

    def authenticate(self, name: str, password: str) -> dict[str, Any] | None:
        """The account if the password is right and the account active, else None.

        The hash comparison is constant-time, and an unknown name costs the same hash.
        """
        with self._ready().connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.name == name)).one_or_none()
        if row is None:
            check_password_hash(self._dummy(), password or "")
            return None
        if not check_password_hash(row.password_hash, password or ""):
            return None
        return _user_dict(row) if row.active else None

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = generate_password_hash(
                secrets.token_urlsafe(16), method=PASSWORD_METHOD
            )
        return self._dummy_hash

    # -- secrets -------------------------------------------------------------------------

    def secret(self, name: str = "session") -> str:
        """The secret `name`, made once in the database: every worker on every host shares it.

        A read-only database that has none gets one for this process only (logged): its
        sessions then hold on this process alone."""
        table = secrets_table
        engine = self._ready()
        query = sa.select(table.c.value).where(table.c.name == name)
        with engine.connect() as conn:
            found = conn.execute(query).scalar()
        if found:
            return str(found)
        try:
            with self._writing() as conn:
                conn.execute(table.insert().values(name=name, value=secrets.token_hex(32)))
        except StoreError as error:
            if not isinstance(error.__cause__, sa.exc.IntegrityError):
                if error.code != "read_only":
                    raise
                log.warning("read-only database without a %s secret: one for this process", name)
                return secrets.token_hex(32)
            # another worker made it first: read theirs
        with engine.connect() as conn:
            return str(conn.execute(query).scalar_one())

    # -- sign-in attempts -----------------------------------------------------------------

    def take_attempt(
        self, key: str, limit: int, window: float, lockout: float, now: float | None = None
    ) -> float:
        """Count one sign-in attempt on `key` unless `limit` are counted in its window already.

        Returns 0.0 when counted, else the seconds until the key may try again. The attempt
        that reaches the limit locks the key for `lockout` seconds from then. One conditional
        UPDATE counts, so concurrent attempts from any worker or host never pass the limit.
        """
        now = time.time() if now is None else now
        if self._attempts is not None:
            return self._attempts.take(key, limit, window, lockout, now)
        try:
            return self._take_attempt(key, limit, window, lockout, now)
        except StoreError as error:
            if error.code != "read_only":
                raise
            log.warning("read-only database: sign-in attempts are counted in this process")
            self._attempts = MemoryAttempts()
            return self._attempts.take(key, limit, window, lockout, now)

    def _take_attempt(
        self, key: str, limit: int, window: float, lockout: float, now: float
    ) -> float:
        table = login_attempts
        with self._writing() as conn:
            conn.execute(table.delete().where(table.c.key == key, table.c.until <= now))
            conn.execute(
                _insert_ignore(conn.dialect.name, table, key=key, count=0, until=now + window)
            )
            reaches = table.c.count + 1 >= int(limit)
            taken = conn.execute(
                table.update()
                .where(table.c.key == key, table.c.count < int(limit))
                .values(
                    count=table.c.count + 1,
                    until=sa.case((reaches, now + lockout), else_=table.c.until),
                )
                .returning(table.c.count)
            ).first()
            if taken is not None:
                return 0.0
            until = conn.execute(sa.select(table.c.until).where(table.c.key == key)).scalar()
        return max(1.0, float(until or now) - now)

    def give_back_attempt(self, key: str) -> None:
        """Uncount one attempt on `key` (it was not a failure: the password was right, or
        another key refused it before the password was checked)."""
        if self._attempts is not None:
            self._attempts.give_back(key)
            return
        table = login_attempts
        with self._ready().begin() as conn:
            conn.execute(
                table.update()
                .where(table.c.key == key, table.c.count > 0)
                .values(count=table.c.count - 1)
            )

    def clear_attempts(self, key: str) -> None:
        """Forget every attempt on `key`."""
        if self._attempts is not None:
            self._attempts.clear(key)
            return
        with self._ready().begin() as conn:
            conn.execute(login_attempts.delete().where(login_attempts.c.key == key))

    # -- audit ---------------------------------------------------------------------------

    def audit(self, user: str, action: str, detail: dict[str, Any] | None = None) -> None:
        """Record who did what (detail: any JSON-able dict). Every text is clipped to its
        bound (zhibiao.text): a hostile name never grows the trail beyond a few KB.

        A read-only database cannot hold the entry: it goes to the server's log instead, so
        that reading (logging in, viewing, downloading) goes on; any other failure raises.
        """
        detail = clip_tree(_jsonable(detail or {}))
        try:
            with self._writing() as conn:
                conn.execute(
                    audit.insert().values(
                        at=utc_now(),
                        user=clip(user, MAX_USER_NAME),
                        action=clip(action, MAX_ACTION),
                        detail=detail,
                    )
                )
        except StoreError as error:
            if error.code != "read_only":
                raise
            log.warning("read-only database: audit %s %s %s not stored", user, action, detail)

    def audit_log(self, limit: int = AUDIT_LIMIT) -> list[dict[str, Any]]:
        """The latest audit entries, newest first."""
        with self._ready().connect() as conn:
            rows = conn.execute(
                sa.select(audit).order_by(audit.c.id.desc()).limit(int(limit))
            ).all()
        return [
            {
                "id": int(r.id),
                "at": _as_utc(r.at),
                "user": r.user,
                "action": r.action,
                "detail": r.detail or {},
            }
            for r in rows
        ]


def _insert_ignore(dialect: str, table: sa.Table, **row: Any) -> Any:
    """INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL."""
    if dialect == "postgresql":
        return postgresql_insert(table).values(**row).on_conflict_do_nothing()
    return sqlite_insert(table).values(**row).on_conflict_do_nothing()


def _check_password_length(password: str) -> None:
    if len(password) > MAX_PASSWORD:
        raise ValueError(f"a password has at most {MAX_PASSWORD} characters")


def _live_figures(current: pd.DataFrame, upload_ids: set[int]) -> set[tuple[int, str, str, str]]:
    """(upload_id, area, period, basis) of the current rows of these uploads."""
    mine = current.loc[
        current["upload_id"].isin(upload_ids), ["upload_id", "area", "period", "basis"]
    ]
    mine = mine.drop_duplicates()
    return {
        (int(u), str(a), str(p), str(b))
        for u, a, p, b in zip(
            mine["upload_id"], mine["area"], mine["period"], mine["basis"], strict=True
        )
    }


def _is_quality_note(raw: dict[str, Any], accepted: bool) -> bool:
    if raw.get("code") in QUALITY_CODES:
        return True
    return accepted and raw.get("severity") == "error" and bool(raw.get("acceptable"))


def finding_of(raw: dict[str, Any]) -> Finding:
    """A stored finding back as a Finding."""
    return Finding.from_dict(raw)


def _refuse_too_long(table: sa.Table, records: list[dict[str, Any]]) -> None:
    """StoreError `too_long` for the first text longer than its column (every database would
    otherwise store it cut, or refuse it with no word on which)."""
    for record in records:
        found = too_long(table, record)
        if found is not None:
            column, value, limit = found
            cell = str(record.get("cell") or "")
            raise StoreError(
                "too_long",
                column=column,
                value=quoted(value),
                length=len(value),
                limit=limit,
                sheet=str(record.get("sheet") or ""),
                row=cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
            )


def _mark_superseded(conn: sa.Connection) -> None:
    """Mark replaced, in a database from before `replaced_by`, each row a later upload of the
    same area, period, basis and field superseded (the rule those uploads were stored under)."""
    newer = values.alias("newer")

    def area_key(table: Any) -> Any:
        return sa.case((table.c.is_total, sa.literal("")), else_=table.c.area)

    latest = (
        sa.select(sa.func.max(newer.c.upload_id))
        .where(
            area_key(newer) == area_key(values),
            newer.c.is_total == values.c.is_total,
            newer.c.period == values.c.period,
            newer.c.basis == values.c.basis,
            newer.c.field == values.c.field,
            newer.c.upload_id > values.c.upload_id,
        )
        .scalar_subquery()
    )
    conn.execute(values.update().values(replaced_by=latest))
