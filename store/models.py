"""The database schema: uploads (with their files), values (every revision, and which upload
replaced it), users, audit trail."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from zhibiao.text import MAX_AREA_NAME, MAX_SHEET_NAME, MAX_USER_NAME

#: Stored values are exact decimals: 20 digits, 6 after the point (万元 to the 0.01 元).
VALUE_PRECISION = 20
VALUE_SCALE = 6

STATUS_STORED = "stored"


def utc_now() -> datetime:
    """The current time in UTC (timezone aware)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: sa.JSON, list[Any]: sa.JSON}
    #: Every model here maps one table (DeclarativeBase types it as any FROM clause).
    __table__: ClassVar[sa.Table]


class Upload(Base):
    """One accepted file: who loaded it, when, what it held and what was found in it."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    file: Mapped[str] = mapped_column(sa.String(500))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int | None] = mapped_column(sa.BigInteger)
    user: Mapped[str] = mapped_column(sa.String(MAX_USER_NAME))
    uploaded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utc_now)
    kind: Mapped[str] = mapped_column(sa.String(20), default="")
    county: Mapped[str | None] = mapped_column(sa.String(200))
    periods: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    bases: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    fields: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(20), default=STATUS_STORED)
    accepted_inconsistent: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    findings: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    n_values: Mapped[int] = mapped_column(sa.Integer, default=0)
    #: The file itself, byte for byte (None for uploads stored before files were kept).
    #: Deferred: listing uploads never reads it; `Store.original` does.
    original: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    #: Townships the analyst kept from the previous revision of this upload's periods (their
    #: rows stay served; every other row of those periods and bases is replaced). None: none.
    kept_areas: Mapped[list[Any] | None] = mapped_column(sa.JSON, nullable=True)


class Value(Base):
    """One reported or derived figure of an upload (VALUE_COLUMNS plus the upload)."""

    __tablename__ = "values"
    __table_args__ = (sa.Index("ix_values_key", "period", "basis", "field", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    upload_id: Mapped[int] = mapped_column(
        sa.ForeignKey("uploads.id", ondelete="CASCADE"), index=True
    )
    area: Mapped[str] = mapped_column(sa.String(MAX_AREA_NAME))
    is_total: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    period: Mapped[str] = mapped_column(sa.String(7))
    basis: Mapped[str] = mapped_column(sa.String(10))
    field: Mapped[str] = mapped_column(sa.String(100))
    value: Mapped[Decimal] = mapped_column(sa.Numeric(VALUE_PRECISION, VALUE_SCALE, asdecimal=True))
    sheet: Mapped[str] = mapped_column(sa.String(MAX_SHEET_NAME), default="")
    cell: Mapped[str] = mapped_column(sa.String(20), default="")
    row: Mapped[int] = mapped_column(sa.Integer, default=0)
    #: The upload whose revision of this row's period and basis replaced it; None while it is
    #: served (see `store.db.served`).
    replaced_by: Mapped[int | None] = mapped_column(sa.Integer, nullable=True, default=None)
    #: The group row the area was reported under (a county above its townships); None for an
    #: area of a table of one level, and for rows stored before parents were kept.
    parent: Mapped[str | None] = mapped_column(
        sa.String(MAX_AREA_NAME), nullable=True, default=None
    )


class User(Base):
    """An account: a unique name, a role and a password hash (never the password)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(sa.String(MAX_USER_NAME), unique=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    password_hash: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utc_now)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    #: Raised by logout, a password change or reset, a role change and (de)activation: every
    #: session cookie names the version it was made under, and an older one opens nothing.
    session_version: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")


class Audit(Base):
    """One entry of the audit trail: who did what, when."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utc_now)
    user: Mapped[str] = mapped_column(sa.String(MAX_USER_NAME))
    action: Mapped[str] = mapped_column(sa.String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


class LoginAttempts(Base):
    """Sign-in attempts counted on one key (`user:<name>` or `addr:<address>`) until `until`
    (epoch seconds): the end of the counting window, or of the lock once `count` reached the
    limit. Counted by one conditional UPDATE, so concurrent attempts never pass the limit."""

    __tablename__ = "login_attempts"

    key: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    count: Mapped[int] = mapped_column(sa.Integer, default=0)
    until: Mapped[float] = mapped_column(sa.Float)


class Secret(Base):
    """A server secret (the session signing key), made once and shared by every worker."""

    __tablename__ = "secrets"

    name: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utc_now)


uploads = Upload.__table__
values = Value.__table__
users = User.__table__
audit = Audit.__table__
secrets_table = Secret.__table__
login_attempts = LoginAttempts.__table__
