"""A database as an older release made it, for the tests of `Store.create()` adding the columns
that came later: the values table before revisions replaced whole periods (no replaced_by) and
before parents were kept (no parent), and rows written into it as that release wrote them."""

from __future__ import annotations

import sqlalchemy as sa

from store import Store

#: The values table of the first release (no replaced_by, no parent).
OLD_VALUES = """
CREATE TABLE "values" (
    id {id},
    upload_id INTEGER NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    area VARCHAR(200) NOT NULL,
    is_total BOOLEAN NOT NULL,
    period VARCHAR(7) NOT NULL,
    basis VARCHAR(10) NOT NULL,
    field VARCHAR(100) NOT NULL,
    value NUMERIC(20, 6) NOT NULL,
    sheet VARCHAR(200) NOT NULL,
    cell VARCHAR(20) NOT NULL,
    "row" INTEGER NOT NULL
)
"""


def old_database(
    db_url: str, uploads: list[tuple[str, str]], rows: list[tuple[int, str, bool, str, float]]
) -> None:
    """Make the database at `db_url` as the first release left it: the uploads (file, period;
    ids 1, 2, … in order), and their year-to-date values (upload id, area, is_total, field,
    value), each at Sheet1!B7."""
    store = Store(db_url)
    store.create()
    with store.engine.begin() as conn:
        conn.execute(sa.text('DROP TABLE "values"'))
        serial = "INTEGER PRIMARY KEY" if db_url.startswith("sqlite") else "SERIAL PRIMARY KEY"
        conn.execute(sa.text(OLD_VALUES.format(id=serial)))
        for upload_id, (file, period) in enumerate(uploads, 1):
            conn.execute(
                sa.text(
                    'INSERT INTO uploads (file, sha256, "user", uploaded_at, kind, periods,'
                    " bases, fields, status, accepted_inconsistent, findings, n_values)"
                    " VALUES (:file, :sha, 'ana', CURRENT_TIMESTAMP, 'xlsx', :periods,"
                    " '[\"ytd\"]', '[]', 'stored', false, '[]', 0)"
                ),
                {"file": file, "sha": str(upload_id) * 64, "periods": f'["{period}"]'},
            )
        for upload_id, area, total, field, value in rows:
            conn.execute(
                sa.text(
                    'INSERT INTO "values" (upload_id, area, is_total, period, basis, field,'
                    " value, sheet, cell, \"row\") VALUES (:u, :a, :t, :p, 'ytd', :f,"
                    " :v, 'Sheet1', 'B7', 0)"
                ),
                {
                    "u": upload_id,
                    "a": area,
                    "t": total,
                    "p": uploads[upload_id - 1][1],
                    "f": field,
                    "v": value,
                },
            )
    store.dispose()
