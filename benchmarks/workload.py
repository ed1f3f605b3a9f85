"""The synthetic county the benchmarks measure: N townships, 24 months, a store and workbooks.

Figures are drawn once per scale with numpy (consistent: births = boys + girls, out of policy
within births, paid within due) and written in the sample generator's own layouts
(`zhibiao.samples.write_report`, `write_monthly`), so the loader reads what a county sends.
"""

from __future__ import annotations

import hashlib
import tempfile
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from loaders.types import VALUE_COLUMNS, LoadResult
from zhibiao import samples

FIELDS = samples.MONTH_FIELDS
#: Amounts are drawn in whole 元 and stored in 万元, as the loader reads them.
AMOUNTS = ("fee_amount_due", "fee_amount_paid")
YEARS = (2024, 2025)


class Workload:
    """`areas` townships' single-month figures for every month of 2024 and 2025."""

    def __init__(self, areas: int, seed: int = 1) -> None:
        self.areas = areas
        self.name = samples.COUNTY
        self.townships = [f"{i:05d}镇" for i in range(areas)]
        rng = np.random.default_rng(seed)
        size = rng.integers(8_000, 60_000, areas)
        months = len(YEARS) * 12
        mean = size * 9 / 12_000
        order = np.stack(
            [rng.poisson(mean * share, (months, areas)) for share in (0.46, 0.41, 0.13)], axis=2
        )
        boys = rng.binomial(order, 0.52)
        girls = order - boys
        oop = rng.binomial(order, [0.02, 0.05, 0.3])
        late = rng.poisson(size / 10_000 * 0.35, (months, areas))
        late_oop = rng.binomial(late, 0.3)
        due = oop.sum(axis=2) + late_oop
        paid = rng.binomial(due, 0.9)
        amount_due = due * rng.integers(200, 600, (months, areas)) * 100
        amount_paid = np.minimum(amount_due, paid * rng.integers(200, 600, (months, areas)) * 100)
        columns = {
            "births": order.sum(axis=2),
            "births_male": boys.sum(axis=2),
            "births_female": girls.sum(axis=2),
            "births_o1_male": boys[..., 0],
            "births_o1_female": girls[..., 0],
            "births_o2_male": boys[..., 1],
            "births_o2_female": girls[..., 1],
            "births_o3_male": boys[..., 2],
            "births_o3_female": girls[..., 2],
            "out_of_policy_o1": oop[..., 0],
            "out_of_policy_o2": oop[..., 1],
            "out_of_policy_o3": oop[..., 2],
            "late_reports": late,
            "late_reports_out_of_policy": late_oop,
            "first_marriages_female": rng.poisson(size * 6.2 / 12_000, (months, areas)),
            "fee_persons_due": due,
            "fee_persons_paid": paid,
            "fee_amount_due": amount_due,
            "fee_amount_paid": amount_paid,
        }
        #: month index × area × field, single months
        self.single = np.stack([columns[f] for f in FIELDS], axis=2).astype(np.int64)
        self.population = {
            year: dict(zip(self.townships, (size * (100 + k) // 100).tolist(), strict=True))
            for k, year in enumerate((YEARS[0] - 1, *YEARS))
        }

    @cached_property
    def cumulative(self) -> np.ndarray:
        """Year to date: month index × area × field."""
        out = self.single.reshape(len(YEARS), 12, self.areas, len(FIELDS)).cumsum(axis=1)
        return out.reshape(self.single.shape)

    @staticmethod
    def index(year: int, month: int) -> int:
        return (year - YEARS[0]) * 12 + month - 1

    # the County interface of zhibiao.samples (write_report, write_monthly read only these)

    def month(self, year: int, month: int, area: str | None = None) -> dict[str, int]:
        return self._row(self.single[self.index(year, month)], area)

    def ytd(self, year: int, month: int, area: str | None = None) -> dict[str, int]:
        return self._row(self.cumulative[self.index(year, month)], area)

    def _row(self, grid: np.ndarray, area: str | None) -> dict[str, int]:
        if area is None:
            figures = grid.sum(axis=0)
        else:
            figures = grid[self._position[area]]
        return dict(zip(FIELDS, figures.tolist(), strict=True))

    @cached_property
    def _position(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.townships)}

    # what the store holds

    def values(self, period: str) -> pd.DataFrame:
        """The year-to-date values frame (VALUE_COLUMNS) of one month, the total row first."""
        year, month = int(period[:4]), int(period[5:])
        grid = self.cumulative[self.index(year, month)].astype(float)
        grid = np.vstack([grid.sum(axis=0, keepdims=True), grid])
        pop = self.population[year - 1]
        population = np.array([sum(pop.values()), *pop.values()], dtype=float)[:, None]
        grid = np.hstack([grid, population])
        names = [*FIELDS, "population"]
        for amount in AMOUNTS:
            grid[:, names.index(amount)] /= 10_000
        rows, cols = grid.shape
        areas = np.array(["合计", *self.townships], dtype=object)
        return pd.DataFrame(
            {
                "area": np.repeat(areas, cols),
                "is_total": np.repeat(np.arange(rows) == 0, cols),
                "period": period,
                "basis": "ytd",
                "field": np.tile(np.array(names, dtype=object), rows),
                "value": grid.reshape(-1),
                "sheet": f"1-{month}月",
                "cell": "",
                "row": np.repeat(np.arange(rows), cols),
            },
            columns=VALUE_COLUMNS,
        )

    def result(self, period: str) -> LoadResult:
        """One month as the loader would hand it to the store."""
        values = self.values(period)
        return LoadResult(
            file=f"{self.name}{period}.xlsx",
            sha256=hashlib.sha256(f"{self.areas}:{period}".encode()).hexdigest(),
            values=values,
            findings=[],
            county=self.name,
            kind="xlsx",
            periods=[period],
            bases=["ytd"],
            fields=sorted(set(values["field"])),
        )

    def fill(self, url: str, periods: list[str]) -> Any:
        """A store at `url` holding each period as one upload."""
        from store import Store

        store = Store(url)
        store.create()
        for period in periods:
            store.save_upload(self.result(period), user="bench")
        return store

    # the workbooks a county sends

    def report(self, year: int, month: int, folder: Path) -> Path:
        """Layout (a): the year-to-date report of one month, one sheet."""
        return samples.write_report(self, year, month, folder)  # type: ignore[arg-type]

    def monthly(self, year: int, folder: Path) -> Path:
        """Layout (b): twelve sheets of single months."""
        path = samples.write_monthly(self, year, folder)  # type: ignore[arg-type]
        return path.rename(folder / f"{self.name}{year}年分月人口计生统计.xlsx")


def months(years: tuple[int, ...] = YEARS) -> list[str]:
    return [f"{y}-{m:02d}" for y in years for m in range(1, 13)]


def scratch() -> Path:
    """A folder for one run's databases and workbooks."""
    return Path(tempfile.mkdtemp(prefix="zhibiao-bench-"))
