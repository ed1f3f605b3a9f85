"""Run every file of a folder through the ingest path, each into a fresh SQLite database, and
print one line a file: stored (areas, periods, the totals) or refused (the reason).

    python -m zhibiao.corpus [FOLDER] [--period FILE=YYYY-MM]… [--lang zh|en]

`make corpus` runs it on `../shared/real` (CORPUS=folder for another). A file the loader
cannot read exactly is refused, so a line that says stored states figures read from the file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from loaders.describe import describe
from loaders.rules import format_value
from loaders.types import LoadResult
from store import Store
from zhibiao import i18n, ingest
from zhibiao.fields import field_label, in_catalog_order

#: the fields a stored line sums, at most
FIELDS_SHOWN = 4


def _figure(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else format_value(float(value))


def stored_line(result: LoadResult, lang: str) -> str:
    """`370 areas, 2014-07 (month); births 17,658 …; total row 全国 631,580,213`."""
    values = result.values
    areas = values[~values["is_total"]]
    totals = values[values["is_total"]]
    shown = in_catalog_order(areas["field"])[:FIELDS_SHOWN]
    sums = i18n.t("corpus.separator", lang).join(
        i18n.t(
            "corpus.field_sum",
            lang,
            field=field_label(name, lang),
            value=_figure(areas.loc[areas["field"] == name, "value"].sum()),
        )
        for name in shown
    )
    periods = i18n.t("corpus.separator", lang).join(
        i18n.t("corpus.period", lang, period=p, basis=i18n.t(f"cli.basis.{b}", lang))
        for p, b in _period_bases(result)
    )
    text = i18n.t("corpus.stored", lang, areas=areas["area"].nunique(), periods=periods, sums=sums)
    for name in shown:
        row = totals[totals["field"] == name]
        if not row.empty:
            text += i18n.t(
                "corpus.total_row",
                lang,
                area=row["area"].iloc[0],
                field=field_label(name, lang),
                value=_figure(row["value"].iloc[0]),
            )
            break
    return text


def _period_bases(result: LoadResult) -> list[tuple[str, str]]:
    pairs = result.values[["period", "basis"]].drop_duplicates()
    return sorted((str(p), str(b)) for p, b in pairs.itertuples(index=False))


def refused_line(result: LoadResult, lang: str) -> str:
    """The first reason the file was refused, without its file name (the line starts with it)."""
    reasons = result.blocking
    if not reasons:
        return i18n.t("corpus.no_values", lang)
    text = describe(reasons[0], lang)
    for prefix in (f"{result.file}：", f"{result.file}: "):
        text = text.removeprefix(prefix)
    more = len(reasons) - 1
    return text + (i18n.t("corpus.more_errors", lang, count=more) if more else "")


def corpus_line(path: Path, *, period: str | None = None, lang: str = "zh") -> str:
    """One file through `zhibiao.ingest` into a fresh SQLite database: its line."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'corpus.db'}")
        try:
            done = ingest.ingest(path.read_bytes(), path.name, store, user="corpus", period=period)
        finally:
            store.dispose()
    if done.stored:
        return i18n.t(
            "corpus.line_stored", lang, file=path.name, text=stored_line(done.result, lang)
        )
    return i18n.t("corpus.line_refused", lang, file=path.name, text=refused_line(done.result, lang))


def corpus_files(folder: Path) -> list[Path]:
    """The files of a folder, by name, less README and hidden files."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() not in (".md", ".txt")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zhibiao.corpus", description=__doc__)
    parser.add_argument("folder", nargs="?", default="../shared/real")
    parser.add_argument("--period", action="append", default=[], metavar="FILE=YYYY-MM")
    parser.add_argument("--lang", choices=i18n.LANGS, default=i18n.DEFAULT_LANG)
    args = parser.parse_args(argv)
    periods = dict(p.split("=", 1) for p in args.period if "=" in p)
    folder = Path(args.folder)
    if not folder.is_dir():
        print(i18n.t("corpus.no_folder", args.lang, folder=folder), file=sys.stderr)
        return 2
    for path in corpus_files(folder):
        print(corpus_line(path, period=periods.get(path.name), lang=args.lang), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
