"""docs/settings.md, written from the places the settings are defined: `python -m zhibiao.settings_doc`.

The environment variables come from `zhibiao.config.ENVIRONMENT` (meaning) and the code that
reads them (default); the county settings from the text of `data/county.toml`; the statistical
settings from the `[settings]` table of `data/indicators.toml`. A TOML key's meaning is the
comment above it (shared by the keys that follow it up to a blank line) and its own comment at the
end of its line, so the file a county edits and this page say the same. `tests/test_docs.py`
fails when docs/settings.md differs from what this prints.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from dashboard.app import SECRET_ENV, THROTTLE_ENV, WEB_ENV
from dashboard.auth import IDLE_SECONDS, ThrottleRule
from zhibiao.config import DB_ENV, DEFAULT_DB_URL, ENVIRONMENT, REDIS_ENV, SETTINGS_ENV
from zhibiao.datafiles import data_text

#: The files whose settings are listed, each with the TOML tables to list (None: all of them).
TOML_SOURCES: tuple[tuple[str, tuple[str, ...] | None, str], ...] = (
    ("county.toml", None, "County settings"),
    ("indicators.toml", ("settings",), "Statistical settings"),
    ("synonyms.toml", ("jurisdiction",), "The jurisdiction check"),
)
#: The catalogs a county edits, each described by the comment that opens it.
CATALOG_FILES = (
    "fields.toml",
    "synonyms.toml",
    "rules.toml",
    "findings.toml",
    "indicators.toml",
)

_TABLE = re.compile(r"^\[([A-Za-z0-9_.]+)\]\s*$")
_KEY = re.compile(r"^([A-Za-z0-9_]+)\s*=\s*(.*)$")


@dataclass(frozen=True)
class Setting:
    """One key of a settings file: its table, name, value as written, and meaning."""

    table: str
    key: str
    value: str
    meaning: str


def _split_comment(text: str) -> tuple[str, str]:
    """A TOML value and its trailing comment (a `#` outside a string)."""
    quoted = ""
    for i, ch in enumerate(text):
        if ch in "\"'":
            quoted = "" if quoted == ch else (quoted or ch)
        elif ch == "#" and not quoted:
            return text[:i].strip(), text[i + 1 :].strip()
    return text.strip(), ""


def _sentence(parts: list[str]) -> str:
    text = " ".join(p.strip() for p in parts if p.strip())
    return text.replace("|", "\\|")


def toml_settings(text: str, tables: tuple[str, ...] | None = None) -> list[Setting]:
    """Every `key = value` of the TOML text (of `tables` only, when given) with its comments."""
    out: list[Setting] = []
    table, after_key = "", False
    above: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            above, after_key = [], False
            continue
        if line.startswith("#"):
            above = [line.lstrip("#")] if after_key else [*above, line.lstrip("#")]
            after_key = False
            continue
        after_key = True
        found = _TABLE.match(line)
        if found:
            table, above = found.group(1), []
            continue
        pair = _KEY.match(line)
        if pair is None or (tables is not None and table not in tables):
            continue
        value, own = _split_comment(pair.group(2))
        meaning = _sentence(above)
        if own:
            meaning = f"{meaning.rstrip('.')}: {own}" if meaning else own
        out.append(Setting(table, pair.group(1), value, meaning))
    return out


def environment_defaults() -> dict[str, str]:
    """Each environment variable's default, as the code that reads it has it."""
    rule = ThrottleRule()
    return {
        DB_ENV: f"`{DEFAULT_DB_URL}`",
        SETTINGS_ENV: "`data/county.toml` in the package",
        REDIS_ENV: "none",
        SECRET_ENV: "made once and kept in the database",
        THROTTLE_ENV["login_max_failures"]: str(rule.max_failures),
        THROTTLE_ENV["login_max_address_failures"]: str(rule.max_address_failures),
        THROTTLE_ENV["login_window_seconds"]: f"{rule.window_seconds:g}",
        THROTTLE_ENV["login_lockout_seconds"]: f"{rule.lockout_seconds:g}",
        WEB_ENV["session_idle_minutes"]: f"{IDLE_SECONDS / 60:g}",
        WEB_ENV["https"]: "off",
        WEB_ENV["trusted_proxies"]: "0",
    }


def environment_rows() -> list[str]:
    defaults = environment_defaults()
    config_keys = {env: key for key, env in {**THROTTLE_ENV, **WEB_ENV}.items()}
    config_keys[SECRET_ENV] = "secret_key"
    config_keys[REDIS_ENV] = "redis_url"
    if set(defaults) != set(ENVIRONMENT):
        missing = sorted(set(defaults) ^ set(ENVIRONMENT))
        raise SystemExit(f"settings_doc: document {missing} in zhibiao.config.ENVIRONMENT")
    rows = []
    for name, meaning in ENVIRONMENT.items():
        key = f"`{config_keys[name]}`" if name in config_keys else "—"
        rows.append(f"| `{name}` | {key} | {defaults[name]} | {meaning} |")
    return rows


def settings_table(settings: list[Setting]) -> list[str]:
    rows = ["| setting | default | meaning |", "| --- | --- | --- |"]
    for s in settings:
        rows.append(f"| `[{s.table}] {s.key}` | `{s.value}` | {s.meaning} |")
    return rows


def opening_comment(text: str) -> str:
    """The first paragraph of the comment a TOML file opens with."""
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line.startswith("#") or line == "#":
            break
        lines.append(line.lstrip("#"))
    return _sentence(lines)


def catalog_rows() -> list[str]:
    rows = ["| file | what it holds |", "| --- | --- |"]
    for name in CATALOG_FILES:
        rows.append(f"| `data/{name}` | {opening_comment(data_text(name))} |")
    rows.append(
        "| `data/messages/{zh,en}/*.toml` | every label and sentence, in both languages "
        "with the same keys |"
    )
    return rows


def settings_markdown() -> str:
    """The text of docs/settings.md."""
    lines = [
        "# Settings",
        "",
        "<!-- Generated by `python -m zhibiao.settings_doc > docs/settings.md` from",
        "zhibiao/config.py, data/county.toml and data/indicators.toml; edit those, not this. -->",
        "",
        "Every setting zhibiao reads, with its default and its meaning, then the catalogs a",
        "county edits. What the loader and the indicators make of them is in",
        "[reports.md](reports.md) and [indicators.md](indicators.md); the command line's",
        "options are in [cli.md](cli.md).",
        "",
        "## Environment",
        "",
        "The web app also takes each of its settings as a `create_app(config)` key;",
        "the key wins over the variable.",
        "",
        "| variable | create_app key | default | meaning |",
        "| --- | --- | --- | --- |",
        *environment_rows(),
    ]
    for name, tables, title in TOML_SOURCES:
        lines += [
            "",
            f"## {title}: `data/{name}`",
            "",
            *settings_table(toml_settings(data_text(name), tables)),
        ]
        if name == "county.toml":
            lines += [
                "",
                f"A county keeps its own copy of this file and names it in `${SETTINGS_ENV}`;",
                "a key its copy leaves out takes the default above.",
            ]
    lines += [
        "",
        "## The catalogs",
        "",
        "A county changes an indicator, a limit, a weight, a wording or a rule by editing these",
        "files; no program changes.",
        "",
        *catalog_rows(),
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    sys.stdout.write(settings_markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
