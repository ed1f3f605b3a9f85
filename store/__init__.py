"""The database: uploads, values with revision, accounts, audit trail (SQLAlchemy)."""

from .db import Store

__all__ = ["Store"]
