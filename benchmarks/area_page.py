"""The township page's server time at 150 townships (a city), as a ratio to `compute`.

Run `python benchmarks/area_page.py [--areas 150] [--repeat 3]`. Nothing is asserted: the
numbers go to standard output. What is measured, in one process, on a SQLite store of 22 months
of synthetic values (`workload.Workload`) for `--areas` townships:

- floor: `indicators.engine.compute` of 2025-10, year to date (the indicator table every page
  reads), measured in the same run;
- cold: the page's server time for the first township of a period (the router callback of
  `/area`: the indicator table, every township's months, the table and the charts);
- warm: the server time of another township of the same period (the table and the months are
  kept per worker);
- png: the page as one picture (`/download/png?chart=area`), warm.

The target is a warm page in under a second; each line gives the seconds and the ratio to the
floor.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))  # dashboard_fixtures: the router's callback body


def filled_store(url: str, areas: int) -> None:
    """A store with 22 months (2024-01..2025-10) of `areas` synthetic townships (the
    benchmarks' `workload.Workload`, one upload a month) and an analyst."""
    from workload import Workload, months

    store = Workload(areas).fill(url, months()[:22])
    store.add_user("bench", "analyst", "bench-password-1")
    store.dispose()


def timed(call) -> float:
    t0 = time.perf_counter()
    response = call()
    seconds = time.perf_counter() - t0
    assert response.status_code == 200, response.status_code
    return seconds


def run(areas: int, repeat: int) -> dict[str, list[float]]:
    from dashboard.app import create_app
    from indicators.engine import compute
    from store import Store

    found: dict[str, list[float]] = {"floor": [], "cold": [], "warm": [], "png": []}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        filled_store(url, areas)
        store = Store(url)
        values = store.values()
        store.dispose()
        names = sorted(set(values["area"]))
        for attempt in range(repeat):
            t0 = time.perf_counter()
            compute(values, "2025-10", "ytd")
            found["floor"].append(time.perf_counter() - t0)
            app = create_app(
                {"db_url": url, "secret_key": "bench-secret", "cache_dir": f"{tmp}/c{attempt}"}
            )
            client = app.server.test_client()
            client.get("/login")
            token = client.get_cookie("_csrf_token").value
            client.post(
                "/login",
                data={"username": "bench", "password": "bench-password-1", "csrf_token": token},
            )
            headers = {"X-CSRFToken": token}

            def page(area: str, c=client, h=headers):
                from dashboard_fixtures import page_body

                body = page_body("/area", f"?period=2025-10&basis=ytd&area={area}")
                return c.post("/_dash-update-component", json=body, headers=h)

            found["cold"].append(timed(lambda: page(names[0])))
            found["warm"].append(timed(lambda: page(names[len(names) // 2])))
            png = f"/download/png?period=2025-10&basis=ytd&chart=area&area={names[-1]}"
            found["png"].append(timed(lambda c=client, u=png: c.get(u)))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    found = run(args.areas, args.repeat)
    floor = statistics.median(found["floor"])
    print(f"township page at {args.areas} townships, median of {args.repeat}")
    for step, times in found.items():
        median = statistics.median(times)
        print(f"{step:>6} {median:8.3f} s   {median / floor:5.2f} × compute")
    from dashboard.render import stop_renderer

    stop_renderer()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
