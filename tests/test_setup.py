"""The project's own plumbing: settings, message catalogs, both databases reachable."""

import sqlalchemy as sa

from zhibiao import i18n
from zhibiao.config import load_settings


def test_default_settings_match_reports_spec_limits():
    s = load_settings()
    assert s.limits.file_bytes == 20 * 1024 * 1024
    assert s.limits.uncompressed_bytes == 200 * 1024 * 1024
    assert (s.limits.sheets, s.limits.rows, s.limits.columns) == (50, 100_000, 1_000)
    assert s.year_start_month == 1


def test_both_languages_have_the_same_message_keys():
    zh, en = i18n.catalog("zh"), i18n.catalog("en")
    assert zh, "the Chinese catalog is empty"
    assert sorted(zh) == sorted(en)


def test_database_is_real(db_url):
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT 1 + 1")).scalar() == 2
    engine.dispose()
