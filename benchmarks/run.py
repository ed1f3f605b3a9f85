"""Measures zhibiao at county, city, province and national scale: time and peak memory.

Run `make bench` (or `python benchmarks/run.py [--scales county,city] [--out FILE]`). Nothing here
asserts a time: the numbers are written to standard output and, with --out, to a Markdown table.

What is measured, per scale (number of townships):
- load: reading one report workbook of that many rows through the guard, the child process
  and the table parser (`loaders.load`);
- compute: the indicator table of one period, year to date, with the same period last year
  (`indicators.engine.compute`), from a values frame of 24 months;
- store: saving those values to SQLite and reading the latest revision back.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook

from indicators.engine import compute
from loaders import load
from store import Store

SCALES = {"county": 15, "city": 150, "province": 1_500, "national": 40_000}
FIELDS = [
    "births_male",
    "births_female",
    "births_o1_male",
    "births_o1_female",
    "births_o2_male",
    "births_o2_female",
    "births_o3_male",
    "births_o3_female",
    "out_of_policy_o1",
    "out_of_policy_o2",
    "out_of_policy_o3",
    "late_reports",
    "late_reports_out_of_policy",
    "first_marriages_female",
    "population",
    "fee_persons_due",
    "fee_persons_paid",
    "fee_amount_due",
    "fee_amount_paid",
]


def synthetic_values(areas: int, months: list[str], seed: int = 1) -> pd.DataFrame:
    """A values frame (VALUE_COLUMNS) of `areas` townships, year to date, for `months`."""
    rng = random.Random(seed)
    rows: list[tuple[Any, ...]] = []
    for a in range(areas):
        name = f"乡镇{a:05d}"
        size = rng.randint(8_000, 60_000)
        per_month = size * 9 // 12_000
        for period in months:
            m = int(period[5:])
            o = [per_month * m * s // 100 for s in (40, 15, 1)]
            boys = [x * 52 // 100 for x in o]
            girls = [x - b for x, b in zip(o, boys, strict=True)]
            oop = [0, o[1] // 20, o[2] // 2]
            due = 2 + m
            figures = [sum(boys), sum(girls)]
            for b, g in zip(boys, girls, strict=True):
                figures += [b, g]
            figures += oop + [m, m // 3, per_month * m // 2, size, due, due // 2]
            figures += [due * 3.2, due * 1.1]
            for col, (fld, v) in enumerate(zip(FIELDS, figures, strict=True)):
                rows.append((name, False, period, "ytd", fld, float(v), "", f"R{a}C{col}", a))
    return pd.DataFrame(
        rows,
        columns=["area", "is_total", "period", "basis", "field", "value", "sheet", "cell", "row"],
    )


def report_workbook(areas: int) -> bytes:
    """One ytd report of `areas` rows in a one-row-header layout, as .xlsx bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "1-10月"
    ws.append(["基准县2025年1-10月出生统计"])
    ws.append(
        [
            "乡镇",
            "出生人数",
            "男",
            "女",
            "一孩男",
            "一孩女",
            "二孩男",
            "二孩女",
            "多孩男",
            "多孩女",
            "政策外出生",
        ]
    )
    for a in range(areas):
        b1, g1, b2, g2, b3, g3 = 30, 28, 12, 11, 1, 0
        ws.append(
            [
                f"乡镇{a:05d}",
                b1 + g1 + b2 + g2 + b3 + g3,
                b1 + b2 + b3,
                g1 + g2 + g3,
                b1,
                g1,
                b2,
                g2,
                b3,
                g3,
                2,
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def measure(step: Callable[[], Any]) -> tuple[float, float, Any]:
    """Seconds and peak Python memory (MiB) of one call."""
    tracemalloc.start()
    t0 = time.perf_counter()
    out = step()
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20, out


def months_of(years: list[int]) -> list[str]:
    return [f"{y}-{m:02d}" for y in years for m in range(1, 13)]


def run(scales: list[str]) -> list[dict[str, Any]]:
    results = []
    for scale in scales:
        n = SCALES[scale]
        values = synthetic_values(n, months_of([2024, 2025]))
        secs, mib, table = measure(lambda v=values: compute(v, "2025-10", "ytd"))
        results.append(
            {
                "scale": scale,
                "areas": n,
                "step": "compute",
                "seconds": secs,
                "peak_mib": mib,
                "rows": len(table),
            }
        )
        if n <= SCALES["province"]:
            data = report_workbook(n)
            secs, mib, res = measure(lambda d=data: load(d, "基准县2025年1-10月出生统计.xlsx"))
            results.append(
                {
                    "scale": scale,
                    "areas": n,
                    "step": "load",
                    "seconds": secs,
                    "peak_mib": mib,
                    "rows": len(res.values),
                }
            )
            with tempfile.TemporaryDirectory() as tmp:
                store = Store(f"sqlite:///{Path(tmp) / 'bench.db'}")
                store.create()
                secs, mib, _ = measure(lambda s=store, r=res: s.save_upload(r, user="bench"))
                results.append(
                    {
                        "scale": scale,
                        "areas": n,
                        "step": "store.save",
                        "seconds": secs,
                        "peak_mib": mib,
                        "rows": len(res.values),
                    }
                )
                secs, mib, got = measure(store.values)
                results.append(
                    {
                        "scale": scale,
                        "areas": n,
                        "step": "store.values",
                        "seconds": secs,
                        "peak_mib": mib,
                        "rows": len(got),
                    }
                )
        for r in results[-4:]:
            if r["scale"] == scale:
                print(
                    f"{r['scale']:>9} {r['areas']:>6} {r['step']:<13} "
                    f"{r['seconds']:8.3f} s {r['peak_mib']:9.1f} MiB  rows {r['rows']}",
                    flush=True,
                )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="county,city,province,national")
    parser.add_argument("--out", help="write the results as a Markdown table")
    args = parser.parse_args(argv)
    results = run([s for s in args.scales.split(",") if s])
    if args.out:
        lines = [
            "| scale | areas | step | seconds | peak MiB | rows |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {r['scale']} | {r['areas']} | {r['step']} | {r['seconds']:.3f} | "
            f"{r['peak_mib']:.1f} | {r['rows']} |"
            for r in results
        ]
        Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
