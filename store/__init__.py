"""The database: uploads, values with revision, accounts, audit trail (SQLAlchemy)."""
