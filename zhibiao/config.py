"""County settings shared by every layer: limits, statistical year, time zone, database URL."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from zhibiao.datafiles import data_text

DEFAULT_DB_URL = "sqlite:///zhibiao.db"
#: The environment variable naming the database (when a command has no --db).
DB_ENV = "ZHIBIAO_DB"
#: The environment variable naming another county settings file.
SETTINGS_ENV = "ZHIBIAO_SETTINGS"
#: The environment variable naming the Redis of background jobs.
REDIS_ENV = "ZHIBIAO_REDIS_URL"
#: Every environment variable zhibiao reads, and what it sets (docs/settings.md lists them with
#: their defaults; the web app's are read in dashboard/app.py, which also takes each as a
#: create_app config key).
ENVIRONMENT = {
    DB_ENV: "the database, as an SQLAlchemy URL, when a command has no `--db`",
    SETTINGS_ENV: "a county settings file read instead of the `data/county.toml` shipped",
    REDIS_ENV: "the Redis of background jobs (upload checks), run then by `zhibiao worker`; "
    "none: they run in threads of the serving process",
    "ZHIBIAO_SECRET_KEY": "the key that signs sessions and background jobs; every worker and "
    "host serving one database must share it",
    "ZHIBIAO_LOGIN_MAX_FAILURES": "failed logins of one user name, within the window, that "
    "lock that name",
    "ZHIBIAO_LOGIN_MAX_ADDRESS_FAILURES": "failed logins from one address, within the window, "
    "that lock that address (an office may share one)",
    "ZHIBIAO_LOGIN_WINDOW_SECONDS": "the window in which failed logins are counted, in seconds",
    "ZHIBIAO_LOGIN_LOCKOUT_SECONDS": "how long a locked name or address stays locked, in seconds",
    "ZHIBIAO_SESSION_IDLE_MINUTES": "minutes without a request after which a session ends",
    "ZHIBIAO_HTTPS": "served over https (1, true, yes, on): Secure cookies and HSTS",
    "ZHIBIAO_TRUSTED_PROXIES": "how many reverse proxies in front set X-Forwarded-For and "
    "X-Forwarded-Proto (0: none is trusted)",
}
#: The county's time zone when its settings name none: times are stored in UTC and shown in it.
DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Limits:
    """Caps applied to an uploaded file before any parser runs (docs/reports.md, Files)."""

    file_bytes: int = 20 * 1024 * 1024
    uncompressed_bytes: int = 200 * 1024 * 1024
    sheets: int = 50
    rows: int = 100_000
    columns: int = 1_000
    #: A zip member over zip_ratio_min_bytes that unpacks to more than zip_ratio_max times its
    #: compressed size is a zip bomb.
    zip_ratio_max: int = 100
    zip_ratio_min_bytes: int = 1024 * 1024
    child_memory_bytes: int = 1024 * 1024 * 1024
    child_seconds: float = 60.0
    #: The deadline of a background job (the upload page's check of a file): a job still
    #: running after this many seconds is ended and the page says so.
    job_seconds: float = 180.0


@dataclass(frozen=True)
class Settings:
    """County settings (data/county.toml), overridable from the environment."""

    county: str | None = None
    year_start_month: int = 1
    limits: Limits = field(default_factory=Limits)
    db_url: str = DEFAULT_DB_URL
    #: Redis for background jobs (a Celery worker runs them) when set; else they run in the
    #: serving process.
    redis_url: str | None = None
    timezone: str = DEFAULT_TIMEZONE

    def with_db(self, url: str | None) -> Settings:
        return replace(self, db_url=url) if url else self

    def with_redis(self, url: str | None) -> Settings:
        return replace(self, redis_url=url) if url else self

    @property
    def zone(self) -> ZoneInfo:
        """The county's time zone, in which every time is shown, exported or written."""
        return ZoneInfo(self.timezone)


def local_time(moment: datetime, zone: ZoneInfo | str = DEFAULT_TIMEZONE) -> datetime:
    """A stored moment in the county's zone (a moment without a zone is taken as UTC)."""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


def _read_toml(name: str) -> dict[str, Any]:
    return tomllib.loads(data_text(name))


def load_settings(path: str | Path | None = None, db_url: str | None = None) -> Settings:
    """Read the county settings file (default data/county.toml) and the environment.

    `ZHIBIAO_SETTINGS` names another settings file; `ZHIBIAO_DB` the database URL;
    `ZHIBIAO_REDIS_URL` the Redis of background jobs (none: they run in the serving process).
    """
    path = path or os.environ.get(SETTINGS_ENV)
    raw = tomllib.loads(Path(path).read_text("utf-8")) if path else _read_toml("county.toml")
    limits = Limits(**raw.get("limits", {}))
    county = raw.get("county", {})
    timezone = str(county.get("timezone") or DEFAULT_TIMEZONE)
    ZoneInfo(timezone)  # an unknown zone fails when the settings are read, not when shown
    return Settings(
        county=county.get("name") or None,
        year_start_month=int(county.get("year_start_month", 1)),
        limits=limits,
        db_url=db_url or os.environ.get(DB_ENV) or DEFAULT_DB_URL,
        redis_url=os.environ.get(REDIS_ENV) or None,
        timezone=timezone,
    )
