"""The database: uploads, values with revision, accounts, audit trail (SQLAlchemy)."""

from .db import RevisionConflict, Store, StoreError

__all__ = ["RevisionConflict", "Store", "StoreError"]
