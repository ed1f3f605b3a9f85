"""Times are stored in UTC and shown in the county's time zone (a setting, Asia/Shanghai)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dashboard_fixtures import app_config, filled_store, log_in
from test_app import render

from dashboard import accounts, views
from dashboard.app import create_app
from zhibiao.config import load_settings, local_time

SETTINGS = """
[county]
name = "青川县"
timezone = "{zone}"
"""


def test_the_default_zone_is_shanghai_eight_hours_ahead_of_utc():
    settings = load_settings()
    assert settings.timezone == "Asia/Shanghai"
    stored = datetime(2025, 3, 31, 18, 5, tzinfo=UTC)
    assert views.when_text(stored) == "2025-04-01 02:05"  # the next day in the county
    assert views.when_text(stored, settings.zone) == "2025-04-01 02:05"
    # a moment read back without its zone (SQLite) is UTC
    assert views.when_text(datetime(2025, 3, 31, 18, 5)) == "2025-04-01 02:05"


def test_a_county_chooses_its_zone_and_an_unknown_one_is_refused(tmp_path: Path):
    path = tmp_path / "county.toml"
    path.write_text(SETTINGS.format(zone="Asia/Urumqi"), encoding="utf-8")
    settings = load_settings(path)
    stored = datetime(2025, 3, 31, 18, 5, tzinfo=UTC)
    assert local_time(stored, settings.zone).hour == 0  # UTC+6
    assert views.when_text(stored, settings.zone) == "2025-04-01 00:05"
    path.write_text(SETTINGS.format(zone="Mars/Olympus"), encoding="utf-8")
    with pytest.raises(Exception, match="Mars/Olympus"):
        load_settings(path)


def test_upload_history_accounts_and_audit_in_the_county_zone():
    stored = datetime(2025, 1, 1, 23, 30, tzinfo=UTC)
    upload = {"id": 1, "file": "a.xlsx", "uploaded_at": stored, "periods": ["2024-12"]}
    assert views.history_rows([upload], "zh")[0]["when"] == "2025-01-02 07:30"
    person = {"name": "lin", "role": "viewer", "created_at": stored}
    assert accounts.account_rows([person], "zh")[0]["created"] == "2025-01-02 07:30"
    entry = {"at": stored, "user": "adm", "action": "x", "detail": {}}
    assert accounts.audit_rows([entry], "en")[0]["when"] == "2025-01-02 07:30"


def test_the_pages_show_the_upload_time_in_the_county_zone(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'zhibiao.db'}"
    store = filled_store(url)
    stored = store.uploads()[0]["uploaded_at"]
    store.dispose()
    shanghai = (stored + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    utc = stored.strftime("%Y-%m-%d %H:%M")
    assert shanghai != utc
    client = create_app(app_config(tmp_path, url)).server.test_client()
    log_in(client, "ana")
    overview = render(client, "/", "?period=2025-03")
    assert f"于 {shanghai} 上传" in overview
    assert utc not in overview
    upload = render(client, "/upload")
    assert shanghai in upload and utc not in upload
