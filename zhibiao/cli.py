"""The command line `zhibiao`: ingest, table, brief, export, serve, demo, user (docs/cli.md).

Exit status: 0 done; 1 input refused or no data for the period; 2 usage. Every line of text
comes from the message catalogs (`cli.*`), in the language of `--lang`.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import json
import math
import os
import secrets
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, TextIO

import pandas as pd
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from indicators import levels
from indicators.catalog import load_catalog
from indicators.levels import ALL as ALL_SCOPE
from loaders.describe import describe
from loaders.types import LoadResult
from store import Store
from zhibiao.config import DB_ENV, DEFAULT_DB_URL, REDIS_ENV, Settings, load_settings
from zhibiao.fields import field_catalog, field_label
from zhibiao.i18n import DEFAULT_LANG, LANGS, t
from zhibiao.ingest import Ingested, fault_text, ingest
from zhibiao.samples import write_samples
from zhibiao.text import MAX_PASSWORD, MAX_USER_NAME
from zhibiao.vocabulary import BASES, ROLES

OK, REFUSED, USAGE = 0, 1, 2
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050
DEFAULT_SAMPLES = "samples"
TABLE_FORMATS = ("json", "csv", "xlsx")
EXPORT_FORMATS = ("pptx", "pdf", "png", "xlsx")
#: Demo accounts: name and role; their passwords are drawn fresh on every run.
DEMO_ACCOUNTS = (("admin", "admin"), ("analyst", "analyst"), ("viewer", "viewer"))
DEMO_USER = "demo"
#: Bytes of randomness in a demo password (token_urlsafe).
DEMO_PASSWORD_BYTES = 12
#: Indicators of the county headline `demo` prints.
HEADLINE = ("births", "srb", "compliance", "multi_rate", "fee_coverage", "fee_amount_rate")
LOGIN_PATH = "/login"
#: Units written as a word (persons, 万元), set apart from the number where the language does.
WORD_UNITS = ("count", "wan_yuan", "score")


# -- the parser ------------------------------------------------------------------------------


def _lang_of(argv: Sequence[str]) -> str:
    """The --lang asked for, read before the parser exists (its help is in that language)."""
    for i, arg in enumerate(argv):
        value = None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value in LANGS:
            return value
    return DEFAULT_LANG


def build_parser(lang: str = DEFAULT_LANG) -> argparse.ArgumentParser:
    """The argparse tree of every subcommand, with help in `lang`."""

    def h(key: str) -> str:
        return t(f"cli.help.{key}", lang)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", help=h("db"))
    common.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG, help=h("lang"))

    parser = argparse.ArgumentParser(prog="zhibiao", description=h("description"))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", parents=[common], help=h("ingest"), description=h("ingest"))
    p.add_argument("paths", nargs="+", metavar="PATH", help=h("paths"))
    p.add_argument("--period", type=_period, metavar="YYYY-MM", help=h("period"))
    p.add_argument("--basis", choices=BASES, help=h("basis"))
    p.add_argument("--accept-inconsistent", action="store_true", help=h("accept"))
    p.add_argument("--user", default=None, metavar="NAME", help=h("user"))

    p = sub.add_parser("table", parents=[common], help=h("table"), description=h("table"))
    p.add_argument("--period", type=_period, required=True, metavar="YYYY-MM", help=h("period"))
    p.add_argument("--basis", choices=BASES, default="ytd", help=h("basis"))
    p.add_argument("--scope", default=ALL_SCOPE, metavar="SCOPE", help=h("scope"))
    p.add_argument("--format", choices=TABLE_FORMATS, default="json", help=h("format"))
    p.add_argument("--out", metavar="FILE", help=h("out"))

    p = sub.add_parser("brief", parents=[common], help=h("brief"), description=h("brief"))
    p.add_argument("--period", type=_period, required=True, metavar="YYYY-MM", help=h("period"))
    p.add_argument("--basis", choices=BASES, default="ytd", help=h("basis"))
    p.add_argument("--scope", default=ALL_SCOPE, metavar="SCOPE", help=h("scope"))

    p = sub.add_parser("export", parents=[common], help=h("export"), description=h("export"))
    p.add_argument("--period", type=_period, required=True, metavar="YYYY-MM", help=h("period"))
    p.add_argument("--basis", choices=BASES, default="ytd", help=h("basis"))
    p.add_argument("--format", choices=EXPORT_FORMATS, required=True, help=h("format"))
    p.add_argument("--out", required=True, metavar="FILE", help=h("export_out"))
    p.add_argument(
        "--indicator", action="append", metavar="KEY", help=h("indicator"), dest="indicators"
    )

    p = sub.add_parser("serve", parents=[common], help=h("serve"), description=h("serve"))
    p.add_argument("--host", default=DEFAULT_HOST, help=h("host"))
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=h("port"))
    p.add_argument("--workers", type=int, default=None, metavar="N", help=h("workers"))
    p.add_argument("--redis", default=None, metavar="URL", help=h("redis"))

    p = sub.add_parser("worker", parents=[common], help=h("worker"), description=h("worker"))
    p.add_argument("--redis", default=None, metavar="URL", help=h("redis"))
    p.add_argument("--concurrency", type=int, default=None, metavar="N", help=h("concurrency"))

    p = sub.add_parser("demo", parents=[common], help=h("demo"), description=h("demo"))
    p.add_argument("--dir", default=DEFAULT_SAMPLES, metavar="DIR", help=h("dir"))

    p = sub.add_parser("user", help=h("user_cmd"), description=h("user_cmd"))
    user_sub = p.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    a = user_sub.add_parser("add", parents=[common], help=h("user_add"), description=h("user_add"))
    a.add_argument("name", metavar="NAME", help=h("name"))
    a.add_argument("--role", choices=ROLES, required=True, help=h("role"))
    return parser


def _period(text: str) -> str:
    """argparse type of --period: YYYY-MM, a real calendar month."""
    parts = text.split("-")
    if (
        len(parts) == 2
        and len(parts[0]) == 4
        and len(parts[1]) == 2
        and parts[0].isdigit()
        and parts[1].isdigit()
        and 1 <= int(parts[1]) <= 12
    ):
        return text
    raise argparse.ArgumentTypeError(text)


# -- shared steps ----------------------------------------------------------------------------


def db_url(args: argparse.Namespace) -> str:
    """--db, else $ZHIBIAO_DB, else zhibiao.db in the current folder. A path without a scheme
    (`data/zhibiao.db`) is an SQLite database in that file."""
    given = str(getattr(args, "db", None) or os.environ.get(DB_ENV) or DEFAULT_DB_URL)
    return given if "://" in given else f"sqlite:///{given}"


def db_problem(args: argparse.Namespace) -> str | None:
    """A sentence when the database address cannot be read as one (None when it can)."""
    url = db_url(args)
    try:
        make_url(url).port  # noqa: B018 (a port that is no number raises only when read)
    except (ArgumentError, ValueError):
        return t("cli.bad_db", args.lang, url=url)
    return None


def open_store(args: argparse.Namespace) -> Store:
    store = Store(db_url(args))
    store.create()
    return store


def settings_for(args: argparse.Namespace) -> Settings:
    return load_settings(db_url=db_url(args))


def say(text: str, stream: TextIO | None = None) -> None:
    print(text, file=stream or sys.stdout, flush=True)


@cache
def field_names(lang: str) -> dict[str, str]:
    return {key: field_label(key, lang) for key in field_catalog()}


def basis_word(basis: str, lang: str) -> str:
    return t(f"cli.basis.{basis}", lang)


# -- ingest ----------------------------------------------------------------------------------


def report_file(done: Ingested, lang: str) -> None:
    """Print what became of one file: a summary and its warnings, or its errors to stderr."""
    result = done.result
    if done.upload_id is not None:
        say(t("cli.ingest.stored", lang, file=result.file, id=done.upload_id))
        say(summary_line(result, lang))
        for f in result.findings:
            if f.severity == "error":
                say(t("cli.ingest.accepted", lang, text=describe(f, lang)))
            elif f.severity == "warning":
                say(t("cli.ingest.warning", lang, text=describe(f, lang)))
        return
    if done.error is not None:
        say(fault_text(done.error, lang), sys.stderr)
        return
    errors = result.blocking
    say(t("cli.ingest.refused", lang, file=result.file, n=len(errors)), sys.stderr)
    for f in errors:
        say(describe(f, lang), sys.stderr)
    if not errors:
        say(t("cli.ingest.no_values", lang, file=result.file), sys.stderr)


def summary_line(result: LoadResult, lang: str) -> str:
    """Period, basis, number of areas and the fields recognised in one file."""
    values = result.values
    areas = values.loc[~values["is_total"].astype(bool), "area"].nunique()
    names = field_names(lang)
    fields = [f for f in names if f in set(result.fields or values["field"])]
    periods = result.periods or sorted(set(values["period"]))
    bases = result.bases or sorted(set(values["basis"]))
    return t(
        "cli.ingest.summary",
        lang,
        periods=_span(periods, lang),
        bases=t("cli.list_sep", lang).join(basis_word(b, lang) for b in bases),
        areas=areas,
        n_fields=len(fields),
        fields=t("cli.list_sep", lang).join(names.get(f, f) for f in fields),
    )


def _span(periods: list[str], lang: str) -> str:
    if len(periods) <= 1:
        return "".join(periods)
    return t("cli.range", lang, first=periods[0], last=periods[-1], n=len(periods))


def read_input(path: Path, settings: Settings, lang: str) -> bytes | None:
    """The bytes of one input file, or None (with a line on stderr) if it cannot be read."""
    if not path.is_file():
        say(t("cli.ingest.no_file", lang, path=path), sys.stderr)
        return None
    size = path.stat().st_size
    if size > settings.limits.file_bytes:
        say(
            t("cli.ingest.too_large", lang, path=path, size=size, limit=settings.limits.file_bytes),
            sys.stderr,
        )
        return None
    return path.read_bytes()


def run_ingest(args: argparse.Namespace) -> int:
    lang = args.lang
    store = open_store(args)
    settings = settings_for(args)
    user = args.user or getpass.getuser()
    stored = refused = 0
    for raw in args.paths:
        path = Path(raw)
        data = read_input(path, settings, lang)
        if data is None:
            refused += 1
            continue
        done = ingest(
            data,
            path.name,
            store,
            user=user,
            period=args.period,
            basis=args.basis,
            accept_inconsistent=args.accept_inconsistent,
            settings=settings,
        )
        report_file(done, lang)
        stored += done.stored
        refused += not done.stored
    if len(args.paths) > 1:
        say(t("cli.ingest.done", lang, n=len(args.paths), stored=stored, refused=refused))
    store.dispose()
    return REFUSED if refused else OK


# -- table, brief, export ---------------------------------------------------------------------


class UnknownScope(Exception):
    """--scope names a scope the period does not offer (the message says which it does)."""


def requested_table(args: argparse.Namespace) -> pd.DataFrame:
    """The indicator table of the command's --period, --basis and --scope, read from its
    store; UnknownScope when the period does not offer the scope."""
    from zhibiao.tables import indicator_table  # the engine and scipy: not for `ingest`

    store = open_store(args)
    try:
        scope = getattr(args, "scope", ALL_SCOPE)
        parents = store.area_parents(args.period) if scope != ALL_SCOPE else {}
        offered = levels.scopes(parents)
        if scope not in offered:
            sep = t("cli.list_sep", args.lang)
            raise UnknownScope(
                t("cli.unknown_scope", args.lang, scope=scope, offered=sep.join(offered))
            )
        return indicator_table(
            store,
            args.period,
            args.basis,
            settings=settings_for(args),
            scope=scope,
            parents=parents,
        )
    finally:
        store.dispose()


def no_data(args: argparse.Namespace) -> int:
    say(
        t("cli.no_data", args.lang, period=args.period, basis=basis_word(args.basis, args.lang)),
        sys.stderr,
    )
    return REFUSED


def _plain(obj: Any) -> Any:
    """Records with NaN/NA as None and numpy scalars as Python numbers (valid JSON)."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str):
        obj = obj.item()
    if obj is pd.NA or (isinstance(obj, float) and math.isnan(obj)):
        return None
    return obj


def run_table(args: argparse.Namespace) -> int:
    from indicators import output

    table = requested_table(args)
    if table.empty:
        return no_data(args)

    if args.format == "json":
        text = json.dumps(_plain(output.to_records(table)), ensure_ascii=False, indent=1)
        if args.out:
            Path(args.out).write_text(text + "\n", encoding="utf-8")
            say(t("cli.written", args.lang, path=args.out))
        else:
            say(text)
        return OK
    if not args.out and args.format == "csv":
        output.write_csv(table, sys.stdout, args.lang)
        return OK
    if not args.out:
        say(t("cli.need_out", args.lang, format=args.format), sys.stderr)
        return USAGE
    writer = output.write_csv if args.format == "csv" else output.write_xlsx
    writer(table, Path(args.out), args.lang)
    say(t("cli.written", args.lang, path=args.out))
    return OK


def run_brief(args: argparse.Namespace) -> int:
    from indicators.brief import briefing

    table = requested_table(args)
    if table.empty:
        return no_data(args)

    say(briefing(table, args.lang))
    return OK


def run_export(args: argparse.Namespace) -> int:
    store = open_store(args)
    has_data = args.period in store.periods()
    store.dispose()
    if not has_data:
        return no_data(args)
    # Lazy: the exports load plotly and kaleido, which no other command needs (about a second).
    from exports import ExportError, export_pack

    try:
        written = export_pack(
            db_url(args),
            args.period,
            args.basis,
            args.format,
            Path(args.out),
            args.lang,
            args.indicators,
        )
    except ExportError as error:
        say(str(error), sys.stderr)
        return USAGE
    for path in written:
        say(t("cli.written", args.lang, path=path))
    return OK


def redis_url(args: argparse.Namespace) -> str | None:
    """--redis, else $ZHIBIAO_REDIS_URL, else None (background jobs in the serving process)."""
    return args.redis or os.environ.get(REDIS_ENV) or None


def run_serve(args: argparse.Namespace) -> int:
    store = open_store(args)
    if not store.writable():
        say(t("cli.serve.read_only", args.lang), sys.stderr)
    store.dispose()
    # Lazy: the web server loads Dash and gunicorn, which no other command needs (about a second).
    from dashboard.server import serve

    say(t("cli.serve.starting", args.lang, url=f"http://{args.host}:{args.port}/"))
    serve(args.host, args.port, db_url(args), workers=args.workers, redis_url=redis_url(args))
    return OK


def run_worker(args: argparse.Namespace) -> int:
    """The Celery worker of background jobs (needs --redis or $ZHIBIAO_REDIS_URL)."""
    url = redis_url(args)
    if not url:
        say(t("cli.worker.no_redis", args.lang), sys.stderr)
        return USAGE
    open_store(args).dispose()
    from dashboard.server import work

    say(t("cli.worker.starting", args.lang, redis=url))
    work(db_url(args), args.concurrency, redis_url=url)
    return OK


# -- demo ------------------------------------------------------------------------------------


def load_samples(store: Store, folder: Path, settings: Settings, lang: str) -> int:
    """Write the sample workbooks into `folder` and load those not stored yet; count refusals."""
    paths = write_samples(folder)
    say(t("cli.demo.samples", lang, dir=folder, n=len(paths)))
    refused = 0
    for path in paths:
        data = path.read_bytes()
        known = store.find_upload(hashlib.sha256(data).hexdigest())
        if known is not None:
            say(t("cli.demo.skipped", lang, file=path.name, id=known))
            continue
        done = ingest(data, path.name, store, user=DEMO_USER, settings=settings)
        report_file(done, lang)
        refused += not done.stored
    return refused


def reset_demo_accounts(store: Store) -> list[tuple[str, str, str]]:
    """Create the demo accounts, or give them fresh passwords; (name, role, password) each."""
    out = []
    for name, role in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(DEMO_PASSWORD_BYTES)
        if store.get_user(name) is None:
            store.add_user(name, role, password)
        else:
            store.set_password(name, password)
            store.set_role(name, role)
            store.set_active(name, True)
        out.append((name, role, password))
    return out


def headline(store: Store, settings: Settings, lang: str) -> str | None:
    """The county's line of the indicator table for the latest period (year to date)."""
    from zhibiao.tables import indicator_table

    periods = store.periods()
    if not periods:
        return None
    table = indicator_table(store, periods[-1], "ytd", settings=settings)
    if table.empty:
        return None

    catalog = load_catalog()
    county = table[table["is_total"]].set_index("indicator")
    items = []
    for key in HEADLINE:
        if key not in county.index or pd.isna(county.at[key, "value"]):
            continue
        ind = catalog.get(key)
        value = f"{county.at[key, 'value']:.{ind.dp}f}"
        unit = t(f"indicators.unit.{ind.unit}", lang)
        key = "cli.demo.item_word" if ind.unit in WORD_UNITS else "cli.demo.item"
        items.append(t(key, lang, name=ind.name(lang), value=value, unit=unit))
    return t(
        "cli.demo.headline",
        lang,
        county=county["area"].iloc[0],
        period=periods[-1],
        items=t("cli.list_sep", lang).join(items),
    )


def run_demo(args: argparse.Namespace) -> int:
    lang = args.lang
    store = open_store(args)
    settings = settings_for(args)
    refused = load_samples(store, Path(args.dir), settings, lang)
    accounts = reset_demo_accounts(store)
    say(t("cli.demo.accounts", lang))
    for name, role, password in accounts:
        say(
            t(
                "cli.demo.account",
                lang,
                name=name,
                role=t(f"cli.role.{role}", lang),
                password=password,
            )
        )
    say(t("cli.demo.open", lang, url=f"http://{DEFAULT_HOST}:{DEFAULT_PORT}{LOGIN_PATH}"))
    line = headline(store, settings, lang)
    if line:
        say(line)
    store.dispose()
    return REFUSED if refused else OK


# -- user ------------------------------------------------------------------------------------


def read_password_twice(lang: str, stdin: TextIO | None = None) -> tuple[str, str] | None:
    """Two entries of a password: getpass at a terminal, two lines of stdin otherwise."""
    stream = stdin or sys.stdin
    if stream.isatty():
        return (
            getpass.getpass(t("cli.user.password", lang)),
            getpass.getpass(t("cli.user.again", lang)),
        )
    lines = stream.read().splitlines()
    if len(lines) < 2:
        return None
    return lines[0], lines[1]


def run_user(args: argparse.Namespace) -> int:
    lang = args.lang
    entries = read_password_twice(lang)
    if entries is None:
        say(t("cli.user.two_lines", lang), sys.stderr)
        return REFUSED
    first, second = entries
    if first != second:
        say(t("cli.user.mismatch", lang), sys.stderr)
        return REFUSED
    if not first:
        say(t("cli.user.empty", lang), sys.stderr)
        return REFUSED
    if len(args.name.strip()) > MAX_USER_NAME:
        say(t("security.name_too_long", lang, n=MAX_USER_NAME), sys.stderr)
        return REFUSED
    if len(first) > MAX_PASSWORD:
        say(t("security.password_too_long", lang, n=MAX_PASSWORD), sys.stderr)
        return REFUSED
    store = open_store(args)
    try:
        if store.get_user(args.name) is not None:
            say(t("cli.user.exists", lang, name=args.name), sys.stderr)
            return REFUSED
        store.add_user(args.name, args.role, first)
    except ValueError:
        say(t("cli.user.exists", lang, name=args.name), sys.stderr)
        return REFUSED
    finally:
        store.dispose()
    say(t("cli.user.added", lang, name=args.name, role=t(f"cli.role.{args.role}", lang)))
    return OK


COMMANDS = {
    "ingest": run_ingest,
    "table": run_table,
    "brief": run_brief,
    "export": run_export,
    "serve": run_serve,
    "worker": run_worker,
    "demo": run_demo,
    "user": run_user,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; return its exit status (argparse's usage errors give 2)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_lang_of(argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    problem = db_problem(args) if hasattr(args, "db") else None
    if problem:
        say(problem, sys.stderr)
        return 2
    try:
        return COMMANDS[args.command](args)
    except UnknownScope as exc:
        say(str(exc), sys.stderr)
        return USAGE
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return OK


if __name__ == "__main__":
    raise SystemExit(main())
