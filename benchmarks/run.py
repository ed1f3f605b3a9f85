"""Measures zhibiao at county, city, province and national scale, each step as a ratio to a floor.

Run `make bench` (or `python benchmarks/run.py [--scales county,city] [--steps table,compute]
[--out FILE]`). Nothing here asserts a time: the table is printed and, with --out, written as
Markdown. Each step and its floor run in the same process, one after the other, so the ratio
holds on a busy machine where the seconds do not; the seconds are CPU seconds (medians of
--repeat runs; a fresh process: the CPU of the child and its own children), wall clock beside.

Steps (see floors.py for each floor):
- table: the indicator table of 2025-10, year to date, from a SQLite store of N townships ×
  the stored months (`zhibiao.cli.indicator_table`) / SELECT + groupby; and its peak traced
  memory (tracemalloc, numpy included) per stored row.
- compute: the same table from the values frame the store hands over, in memory, with rank
  intervals / groupby + the same draws in plain numpy (+ Wilson); `compute, no rank
  intervals` (catalog setting `rank_intervals_max_areas`) / groupby alone.
- ingest report: `zhibiao.ingest.ingest` of the year-to-date report (one sheet, layout a of
  the samples) into a store holding the month before / calamine read + tidy frame + to_sql;
  `ingest 12 months`: the same for twelve monthly sheets (layout b); both beside
  pandas.read_excel(engine="openpyxl") alone, and as fresh processes (`zhibiao ingest` against
  `python -c` of the floor).
- rankings: the rankings page's callback, the table already cached / the same figure in one
  plotly pass + `to_json`.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import floors  # noqa: E402
from workload import Workload, months, scratch  # noqa: E402

SCALES = {"county": 15, "city": 150, "province": 1_500, "national": 40_000}
STEPS = ("table", "compute", "ingest", "fresh", "rankings")
PERIOD = "2025-10"
#: National scale stores these months only (the period, the month before, and the same two a
#: year earlier): 24 months of 40,000 townships would take the benchmark hours to store.
NATIONAL_MONTHS = ["2024-09", "2024-10", "2025-09", "2025-10"]
#: A step whose floor is written `x` here has no floor at that scale.
Row = dict[str, Any]


def cpu() -> float:
    """CPU seconds of this process, of the children it has waited for, and of the loader's fork
    server with the children it has reaped (each file is parsed in one of those)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime + forkserver_cpu()


def forkserver_cpu() -> float:
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if not pid:
        return 0.0
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    ticks = sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def timed(step: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Median CPU and wall seconds of `repeat` calls, and the last result."""
    cpus, walls = [], []
    out = None
    for _ in range(repeat):
        gc.collect()
        c0, w0 = cpu(), time.perf_counter()
        out = step()
        cpus.append(cpu() - c0)
        walls.append(time.perf_counter() - w0)
    return statistics.median(cpus), statistics.median(walls), out


def peak_mib(step: Callable[[], Any]) -> float:
    """Peak memory traced during one call (Python objects and numpy arrays), MiB."""
    gc.collect()
    tracemalloc.start()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def fresh(argv: list[str], repeat: int, before: Callable[[], None] | None = None) -> tuple:
    """Median CPU (the child and its children) and wall seconds of a fresh process."""
    cpus, walls = [], []
    for _ in range(repeat):
        if before:
            before()
        c0, w0 = child_cpu(), time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        cpus.append(child_cpu() - c0)
        walls.append(time.perf_counter() - w0)
        if done.returncode not in (0,):
            raise RuntimeError(f"{argv[:3]} failed: {done.stderr[-2000:]}")
    return statistics.median(cpus), statistics.median(walls)


def row(scale: str, step: str, secs: tuple, floor: tuple | None, **extra: Any) -> Row:
    out = {
        "scale": scale,
        "areas": SCALES[scale],
        "step": step,
        "cpu": secs[0],
        "wall": secs[1],
        "floor_cpu": floor[0] if floor else None,
        "floor_wall": floor[1] if floor else None,
        "ratio": secs[0] / floor[0] if floor and floor[0] > 0 else None,
    }
    out.update(extra)
    line = f"{scale:>9} {step:<28} {secs[0]:8.3f} s cpu {secs[1]:8.3f} s wall"
    if floor:
        line += f"   floor {floor[0]:7.3f} s   ratio {out['ratio']:6.2f}×"
    for key, value in extra.items():
        line += f"   {key} {value:.1f}" if isinstance(value, float) else f"   {key} {value}"
    print(line, flush=True)
    return out


# --------------------------------------------------------------------------- steps


def table_steps(scale: str, work: Workload, folder: Path, stored: list[str], repeat: int):
    from indicators import ranks
    from indicators.catalog import load_catalog
    from indicators.periods import periods_needed
    from zhibiao.config import load_settings
    from zhibiao.tables import indicator_table

    catalog = load_catalog()
    settings = load_settings()
    db = folder / "table.db"
    t0 = time.perf_counter()
    store = work.fill(f"sqlite:///{db}", stored)
    print(f"{scale:>9} stored {len(stored)} months in {time.perf_counter() - t0:.1f} s", flush=True)
    n_rows = len(stored) * (work.areas + 1) * 20
    needed = periods_needed(PERIOD, settings.year_start_month)

    def table() -> Any:
        return indicator_table(store, PERIOD, "ytd", settings=settings, catalog=catalog)

    def floor() -> Any:
        return floors.select_groupby(str(db), needed, PERIOD, catalog)

    out = []
    got = timed(table, repeat)
    base = timed(floor, repeat)
    assert len(got[2]) == (work.areas + 1) * len(catalog.table_keys()), len(got[2])
    out.append(row(scale, "table", got[:2], base[:2]))
    mib = peak_mib(table)
    out.append(
        row(scale, "table memory", (0.0, 0.0), None, MiB=mib, bytes_per_row=mib * 2**20 / n_rows)
    )
    reader = getattr(store, "current", None)
    values = reader(needed) if reader else store.values()

    ranked = catalog_with_rank_intervals(catalog)

    def compute(cat: Any = ranked) -> Any:
        from indicators.engine import compute as run

        return run(values, PERIOD, "ytd", catalog=cat, settings=settings)

    def compute_floor() -> Any:
        figures = floors.groupby(values, PERIOD, catalog)
        return floors.draws(figures[PERIOD], catalog)

    got = timed(compute, repeat)
    base = timed(compute_floor, repeat)
    out.append(row(scale, "compute", got[:2], base[:2]))
    out += rank_interval_steps(scale, got[2], ranked, repeat)
    out.append(row(scale, "compute memory", (0.0, 0.0), None, MiB=peak_mib(compute)))
    if hasattr(ranks, "rank_intervals_wanted"):
        plain = catalog_without_rank_intervals(catalog)
        got = timed(lambda: compute(plain), repeat)
        base = timed(lambda: floors.groupby(values, PERIOD, catalog), repeat)
        out.append(row(scale, "compute, no rank intervals", got[:2], base[:2]))
    store.dispose()
    return out


def rank_interval_steps(scale: str, table: Any, catalog: Any, repeat: int) -> list[Row]:
    """The rank intervals of every indicator of the table, from its numerators and
    denominators / the same draws in plain numpy."""
    from indicators.ranks import rank_interval_table

    areas = table[~table["is_total"]]
    wanted = [
        (ind, areas[areas["indicator"] == ind.key])
        for ind in catalog.indicators
        if ind.interval_kind is not None and ind.direction != "none"
    ]

    def mine() -> None:
        for ind, rows in wanted:
            rank_interval_table(rows["numerator"], rows["denominator"], ind, catalog)

    def floor() -> None:
        for ind, rows in wanted:
            x = rows["numerator"].to_numpy(dtype=float)
            floors.rank_draws(x, rows["denominator"].to_numpy(dtype=float), ind, catalog)

    got = timed(mine, repeat)
    base = timed(floor, repeat)
    return [row(scale, "rank intervals", got[:2], base[:2])]


def catalog_with_rank_intervals(catalog: Any) -> Any:
    """The catalog with rank intervals for any number of areas."""
    import dataclasses

    settings = dict(catalog.settings)
    settings.pop("rank_intervals_max_areas", None)
    return dataclasses.replace(catalog, settings=settings)


def catalog_without_rank_intervals(catalog: Any) -> Any:
    """The catalog with rank intervals turned off for any number of areas."""
    import dataclasses

    settings = dict(catalog.settings, rank_intervals_max_areas=0)
    return dataclasses.replace(catalog, settings=settings)


def ingest_steps(scale: str, work: Workload, folder: Path, repeat: int, fresh_too: bool):
    files = [("ingest report", work.report(2025, 10, folder), ["2025-09"])]
    if work.areas <= SCALES["province"]:
        files.append(("ingest 12 months", work.monthly(2025, folder), ["2024-12"]))
    out = []
    for name, path, before in files:
        out += ingest_file(scale, name, work, path, before, folder, repeat, fresh_too)
    return out


def ingest_file(
    scale: str,
    name: str,
    work: Workload,
    path: Path,
    before: list[str],
    folder: Path,
    repeat: int,
    fresh_too: bool,
) -> list[Row]:
    """`name`: the ingest of one workbook into a store holding the months `before`."""
    import sqlite3

    from zhibiao.ingest import ingest

    data = path.read_bytes()
    db = folder / "ingest.db"
    seed = folder / "ingest-seed.db"
    target = folder / "floor.db"
    for stale in (seed, target):
        stale.unlink(missing_ok=True)
    work.fill(f"sqlite:///{seed}", before).dispose()

    def reset() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        shutil.copy(seed, db)

    def once() -> Any:
        from store import Store

        reset()
        store = Store(f"sqlite:///{db}")
        try:
            done = ingest(data, path.name, store, user="bench")
        finally:
            store.dispose()
        if not done.stored:
            raise RuntimeError([f.code for f in done.result.blocking][:5])
        return done

    def floor() -> Any:
        target.unlink(missing_ok=True)
        with sqlite3.connect(target) as con:
            return floors.calamine_to_sql(data, con)

    got = timed(once, repeat)
    base = timed(floor, repeat)
    openpyxl = timed(lambda: floors.openpyxl_read(data), repeat)
    out = [
        row(
            scale,
            name,
            got[:2],
            base[:2],
            openpyxl_cpu=openpyxl[0],
            vs_openpyxl=got[0] / openpyxl[0],
            values=len(got[2].result.values),
        )
    ]
    if fresh_too:
        cli = str(Path(sys.executable).with_name("zhibiao"))
        url = f"sqlite:///{db}"
        mine = fresh([cli, "ingest", str(path), "--db", url, "--user", "bench"], repeat, reset)
        code = floors.FRESH_FLOOR.format(folder=str(HERE))
        base = fresh(
            [sys.executable, "-c", code, str(path), str(target)],
            repeat,
            lambda: target.unlink(missing_ok=True),
        )
        out.append(row(scale, f"{name}, fresh process", mine, base))
    return out


def rankings_steps(scale: str, work: Workload, folder: Path, repeat: int):
    try:
        from rankings_bench import rankings_rows
    except ImportError:
        return []
    return rankings_rows(scale, work, folder, repeat, row)


# --------------------------------------------------------------------------- the run


def run(scales: list[str], steps: list[str], repeat: int) -> list[Row]:
    results: list[Row] = []
    for scale in scales:
        n = SCALES[scale]
        reps = 1 if scale == "national" else repeat
        folder = scratch()
        try:
            t0 = time.perf_counter()
            work = Workload(n)
            print(f"{scale:>9} {n} townships drawn in {time.perf_counter() - t0:.1f} s", flush=True)
            stored = NATIONAL_MONTHS if scale == "national" else months()
            if "table" in steps or "compute" in steps:
                results += table_steps(scale, work, folder, stored, reps)
            if "ingest" in steps:
                results += ingest_steps(scale, work, folder, reps, "fresh" in steps)
            if "rankings" in steps:
                results += rankings_steps(scale, work, folder, reps)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return results


def markdown(results: list[Row], scales: list[str]) -> str:
    """Steps × scales: CPU seconds (ratio to the floor); memory rows in bytes per stored row."""
    steps = list(dict.fromkeys(r["step"] for r in results))
    head = "| step | " + " | ".join(f"{s} ({SCALES[s]:,})" for s in scales) + " |"
    lines = [head, "|---" * (len(scales) + 1) + "|"]
    for step in steps:
        cells = []
        for scale in scales:
            found = [r for r in results if r["step"] == step and r["scale"] == scale]
            if not found:
                cells.append("—")
                continue
            r = found[0]
            if r.get("drawn") is False:
                cells.append(f"no chart after {r['cpu']:.0f} s")
            elif "bytes_per_row" in r:
                cells.append(f"{r['MiB']:.0f} MiB ({r['bytes_per_row']:.0f} B/row)")
            elif r["ratio"] is not None:
                cell = f"{r['cpu']:.2f} s ({r['ratio']:.1f}×)"
                if "vs_openpyxl" in r:
                    cell += f", {r['vs_openpyxl']:.2f}× openpyxl"
                cells.append(cell)
            else:
                cells.append(f"{r['cpu']:.2f} s")
        lines.append(f"| {step} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def bench_settings(folder: Path) -> Path:
    """A county settings file as shipped, but a parse child may take 10 minutes: on a busy
    machine a province workbook's child can pass the 60 seconds a server allows, and a refused
    file measures nothing. In-process steps and fresh processes read it (ZHIBIAO_SETTINGS)."""
    from zhibiao.datafiles import data_text

    text = data_text("county.toml")
    text = re.sub(r"(?m)^child_seconds = .*$", "child_seconds = 600.0", text)
    path = folder / "county.toml"
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="county,city,province")
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", help="write the ratio table as Markdown")
    args = parser.parse_args(argv)
    scales = [s for s in args.scales.split(",") if s]
    steps = [s for s in args.steps.split(",") if s]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores", flush=True)
    os.environ["ZHIBIAO_SETTINGS"] = str(bench_settings(scratch()))
    results = run(scales, steps, args.repeat)
    text = markdown(results, scales)
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
