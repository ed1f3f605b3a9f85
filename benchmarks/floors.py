"""Floors: the least work each measured step could do, written plainly, run in the same process.

A ratio step / floor near 1 means the step does little beyond reading, summing and dividing.
- `select_groupby`: the SELECT of the rows the indicator table reads, then per-area sums of
  the period and last year's, every indicator's ratio, the county as Σ/Σ, ranks.
- `groupby`: the same on a values frame already in memory.
- `draws`: for every indicator with rank intervals, the same Beta draws in plain numpy, each
  draw ranked by an argsort, the two quantiles of each area's ranks; plus Wilson intervals.
- `calamine_to_sql`: a calamine read of every sheet of a workbook, its numbers as a tidy frame,
  `to_sql` into SQLite.
- `openpyxl_read`: `pandas.read_excel(engine="openpyxl")` of every sheet, alone.
- `ranking_figure`: the rankings bar chart in one plotly pass (labels in the trace), `to_json`.
"""

from __future__ import annotations

import io
import sqlite3
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # the fresh-process floor imports this module: numpy and pandas only
    from indicators.catalog import Catalog

# --------------------------------------------------------------------------- the table


def _column(wide: pd.DataFrame, name: str, catalog: Catalog, depth: int = 0) -> pd.Series:
    """A field of every area: as reported, else its first derivation (the floor's whole
    handling of missing fields)."""
    if name in wide.columns:
        return wide[name]
    for expr in catalog.derived.get(name, [])[:1]:
        if depth < 4:
            return _evaluate(expr.tree, wide, catalog, depth + 1)
    return pd.Series(np.nan, index=wide.index)


def _evaluate(tree: tuple, wide: pd.DataFrame, catalog: Catalog, depth: int = 0) -> Any:
    kind = tree[0]
    if kind == "num":
        return float(tree[1])
    if kind == "field":
        return _column(wide, tree[1], catalog, depth)
    if kind == "neg":
        return -_evaluate(tree[1], wide, catalog, depth)
    left = _evaluate(tree[1], wide, catalog, depth)
    right = _evaluate(tree[2], wide, catalog, depth)
    return left + right if kind == "add" else left - right


def ratios(wide: pd.DataFrame, catalog: Catalog) -> dict[str, pd.DataFrame]:
    """Every indicator's numerator, denominator, value (areas and the county Σ/Σ) and rank."""
    out = {}
    for ind in catalog.indicators:
        num = _evaluate(ind.numerator_expr.tree, wide, catalog)
        den = _evaluate(ind.denominator_expr.tree, wide, catalog) if ind.denominator_expr else 1.0
        value = num / den * ind.factor
        county = num.sum() / (den.sum() if ind.denominator_expr else 1.0) * ind.factor
        frame = pd.DataFrame({"num": num, "den": den, "value": value.round(ind.dp)})
        frame["rank"] = frame["value"].rank(method="min", ascending=ind.direction == "lower")
        frame.attrs["county"] = county
        out[ind.key] = frame
    return out


def groupby(values: pd.DataFrame, period: str, catalog: Catalog) -> dict[str, Any]:
    """Per-area sums of the period and the same period last year, then `ratios` of each."""
    from indicators.periods import previous_year

    rows = values[~values["is_total"].astype(bool) & (values["basis"] == "ytd")]
    out = {}
    for p in (period, previous_year(period)):
        mine = rows[rows["period"] == p]
        wide = mine.groupby(["area", "field"], observed=True)["value"].sum().unstack("field")
        out[p] = ratios(wide, catalog)
    return out


def select_groupby(db_path: str, periods: set[str], period: str, catalog: Catalog) -> Any:
    """The SELECT of the rows the table reads (the same months), then `groupby`."""
    marks = ",".join("?" * len(periods))
    with sqlite3.connect(db_path) as con:
        values = pd.read_sql_query(
            'SELECT area, is_total, period, basis, field, value FROM "values" '
            f"WHERE period IN ({marks})",
            con,
            params=sorted(periods),
        )
    return groupby(values, period, catalog)


def wilson(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def draws(figures: dict[str, pd.DataFrame], catalog: Catalog) -> int:
    """Wilson intervals (95% and 99.8%) of every count-based indicator, then its rank-interval
    draws (`rank_draws`)."""
    made = 0
    for ind in catalog.indicators:
        if ind.interval_kind is None:
            continue
        frame = figures[ind.key]
        x = frame["num"].to_numpy(dtype=float)
        n = frame["den"].to_numpy(dtype=float)
        for z in (1.959964, 3.090232):
            wilson(x, x + n if ind.interval_kind == "odds" else n, z)
        if ind.direction != "none":
            made += rank_draws(x, n, ind, catalog)
    return made


def rank_draws(x: np.ndarray, n: np.ndarray, ind: Any, catalog: Catalog) -> int:
    """The rank-interval draws of one indicator in plain numpy: as many Beta(x + ½, n − x + ½)
    draws of every area as the engine makes, each ranked by an argsort, the two quantiles of
    each area's ranks by one partition."""
    from indicators.ranks import rank_draws as how_many

    if ind.interval_kind == "odds":
        n = x + n
    ok = np.isfinite(x) & np.isfinite(n) & (n > 0)
    a, b = x[ok] + 0.5, n[ok] - x[ok] + 0.5
    k = how_many(len(x), catalog)
    rng = np.random.default_rng(int(catalog.setting("rank_seed")))
    p = rng.beta(a, b, size=(k, a.size))
    order = np.argsort(-p if ind.direction == "higher" else p, axis=1)
    ranks = np.empty_like(order)
    ranks[np.arange(k)[:, None], order] = np.arange(1, a.size + 1)[None, :]
    np.partition(ranks, [int(0.025 * k), int(0.975 * k) - 1], axis=0)
    return k * a.size


# --------------------------------------------------------------------------- ingest


def calamine_to_sql(data: bytes, con: sqlite3.Connection) -> int:
    """Every sheet read by calamine; every number as a row of a tidy frame of the columns the
    store keeps (the row's first cell as its area, the column's number as its field, the sheet,
    the cell's address in R1C1, the row), stored with `to_sql`."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    frames = []
    for name in book.sheet_names:
        grid = pd.DataFrame(book.get_sheet_by_name(name).to_python())
        if grid.empty:
            continue
        numbers = pd.to_numeric(grid.stack(), errors="coerce").dropna()
        rows = numbers.index.get_level_values(0).to_numpy()
        cols = numbers.index.get_level_values(1).to_numpy()
        frames.append(
            pd.DataFrame(
                {
                    "area": grid.iloc[:, 0].astype(str).to_numpy()[rows],
                    "is_total": False,
                    "period": "",
                    "basis": "",
                    "field": cols.astype(str),
                    "value": numbers.to_numpy(dtype=float),
                    "sheet": name,
                    "cell": "R"
                    + pd.Series(rows + 1).astype(str)
                    + "C"
                    + pd.Series(cols + 1).astype(str),
                    "row": rows,
                }
            )
        )
    tidy = pd.concat(frames, ignore_index=True)
    tidy.to_sql("floor_values", con, if_exists="append", index=False)
    con.commit()
    return len(tidy)


def openpyxl_read(data: bytes) -> int:
    """pandas.read_excel with openpyxl, every sheet, and nothing else."""
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, engine="openpyxl", header=None)
    return sum(len(s) for s in sheets.values())


#: The fresh-process floor: `python -c FRESH_FLOOR file db` reads and stores as above.
FRESH_FLOOR = """
import sqlite3, sys
sys.path.insert(0, {folder!r})
from floors import calamine_to_sql
with open(sys.argv[1], "rb") as f:
    data = f.read()
con = sqlite3.connect(sys.argv[2])
calamine_to_sql(data, con)
con.close()
"""


# --------------------------------------------------------------------------- rankings


def ranking_figure_object(table: pd.DataFrame, indicator: str) -> Any:
    """The ranking bar chart in one plotly pass: one bar trace (labels as its text), the
    county line as a shape, built from the table's columns at once."""
    import plotly.graph_objects as go

    rows = table[(table["indicator"] == indicator) & ~table["is_total"].astype(bool)]
    rows = rows[rows["value"].notna()].sort_values(["rank", "order"], na_position="last")
    county = table[(table["indicator"] == indicator) & table["is_total"].astype(bool)]
    colours = {"red": "#B2182B", "amber": "#E08214", "watch": "#FDB863", "green": "#2166AC"}
    text = rows["value"].round(2).astype(str) + "  " + rows["status"].fillna("").astype(str)
    hover = (
        rows["area"].astype(str)
        + "<br>"
        + rows["numerator"].astype(str)
        + " / "
        + rows["denominator"].astype(str)
        + "<br>"
        + rows["rank_low"].astype(str)
        + "–"
        + rows["rank_high"].astype(str)
    )
    value = float(county["value"].iloc[0]) if len(county) else 0.0
    return go.Figure(
        data=[
            go.Bar(
                x=rows["value_exact"].to_numpy(),
                y=rows["area"].astype(str).to_numpy(),
                orientation="h",
                text=text.to_numpy(),
                textposition="outside",
                hovertext=hover.to_numpy(),
                marker={"color": rows["status"].map(colours).fillna("#BDBDBD").to_numpy()},
            )
        ],
        layout={
            "title": {"text": indicator},
            "height": 150 + 34 * len(rows),
            "yaxis": {"autorange": "reversed"},
            "shapes": [{"type": "line", "x0": value, "x1": value, "y0": 0, "y1": 1,
                        "yref": "paper"}],
        },
    )  # fmt: skip


def ranking_figure(table: pd.DataFrame, indicator: str) -> str:
    """`ranking_figure_object` as the JSON a callback would send."""
    return ranking_figure_object(table, indicator).to_json()


def ranking_html(table: pd.DataFrame, indicator: str) -> str:
    """A static page of `ranking_figure_object` (plotly.js inline)."""
    return ranking_figure_object(table, indicator).to_html(include_plotlyjs=True, full_html=True)
