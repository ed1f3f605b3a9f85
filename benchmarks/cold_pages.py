"""Every reading page drawn for the first time after a start (or an upload), then kept, at a
scale: what the first leader to open each page waits for on the server.

Run `python benchmarks/cold_pages.py [--areas 1500] [--warm]`. Nothing is asserted: the numbers
go to standard output. In one process, on a SQLite store of 24 months of synthetic values
(`workload.Workload`, one upload a month) for `--areas` townships, a new app (no table kept),
an analyst signed in through the Flask test client; each page's router callback is POSTed as
the browser does, in the order a leader opens them (overview, rankings, warnings, township,
funnel, briefing), each twice:

- floor: the SELECT of the months the latest period's table reads and a bare groupby
  (`floors.select_groupby`), measured in the same run;
- cold: the first drawing of the page (the tables it needs made then, unless an earlier page
  made them); kept: the second request, served from the page kept per worker;
- with `--warm`: `dashboard.warm.warm` runs first, as a worker's thread does at start and at
  every new upload, and is timed too.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))  # dashboard_fixtures: the router's callback body

PAGES = ["/", "/rankings", "/warnings", "/area", "/funnel", "/brief"]
PERIOD = "2025-10"


def main(argv: list[str] | None = None) -> int:
    import floors
    from dashboard_fixtures import PASSWORDS, log_in, page_body, post_callback
    from workload import Workload, months, scratch

    from dashboard.app import create_app
    from dashboard.state import state_of
    from dashboard.warm import warm
    from indicators.catalog import load_catalog
    from indicators.periods import periods_needed

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=1500)
    parser.add_argument("--warm", action="store_true")
    args = parser.parse_args(argv)
    db = scratch() / "cold.db"
    url = f"sqlite:///{db}"
    Workload(args.areas).fill(url, months()).dispose()
    t0 = time.perf_counter()
    floors.select_groupby(str(db), periods_needed(PERIOD, 1), PERIOD, load_catalog())
    floor = time.perf_counter() - t0
    print(f"{args.areas} townships, 24 months; floor (SELECT + groupby) {floor:.2f} s")
    app = create_app({"db_url": url, "secret_key": "bench-secret-0123456789abcdef"})
    app_state = state_of(app.server)
    app_state.store.add_user("ana", "analyst", PASSWORDS["ana"])
    client = app.server.test_client()
    log_in(client, "ana")
    if args.warm:
        t0 = time.perf_counter()
        warm(app_state)
        took = time.perf_counter() - t0
        print(f"{'warm':10} {took:6.2f} s ({took / floor:4.1f}×)")
    for path in PAGES:
        body = page_body(path, "")
        t0 = time.perf_counter()
        response = post_callback(client, body)
        cold = time.perf_counter() - t0
        post_callback(client, body)
        kept = time.perf_counter() - cold - t0
        size = len(response.data) / 1e6
        print(
            f"{path:10} cold {cold:6.2f} s ({cold / floor:4.1f}×)   kept {kept:6.3f} s"
            f"   {size:5.2f} MB   {response.status_code}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
