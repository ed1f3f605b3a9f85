"""Funnel plot data of a count-based indicator: points, the county centre and control limits.

Limits are Spiegelhalter's (2005) normal approximation to the binomial around the county
share, at 95% and 99.8%, widened by the over-dispersion factor phi when phi > 1. phi is the
mean square of the areas' standardised Pearson residuals after winsorising 10% at each end
(Spiegelhalter 2005, section 3.2); the share is a catalog setting (`funnel_winsor`). We widen
whenever phi > 1 rather than only after a χ² test, so that limits never narrow and a county
of a dozen townships is not judged on a test with little power.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .catalog import Catalog, Indicator, load_catalog
from .stats import funnel_limits, odds_per_hundred, overdispersion_phi


def _binomial_n(ind: Indicator, num: pd.Series, den: pd.Series) -> pd.Series:
    return num + den if ind.interval_kind == "odds" else den


def _to_unit(ind: Indicator, p: np.ndarray) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    if ind.interval_kind == "odds":
        with np.errstate(divide="ignore"):
            out = np.where(p >= 1, np.inf, p / np.where(p >= 1, 1, 1 - p)) * ind.factor
        return np.where(np.isfinite(out), out, np.nan)
    return p * ind.factor


def funnel(table: pd.DataFrame, indicator: str, catalog: Catalog | None = None) -> dict:
    """{"centre", "points": DataFrame(area, value, denominator, status),
    "limits": DataFrame(denominator, low95, high95, low998, high998), "phi"}.

    `denominator` is the binomial n the limits are drawn against: the indicator's
    denominator, or boys + girls for a sex ratio. Values and limits are in the indicator's
    unit; centre is the county value (exact).
    """
    catalog = catalog or load_catalog()
    ind = catalog.get(indicator)
    if ind.interval_kind is None:
        raise ValueError(f"{indicator} is not a count-based ratio")
    rows = table[table["indicator"] == indicator]
    county = rows[rows["is_total"]]
    areas = rows[~rows["is_total"]].sort_values("order")
    num = areas["numerator"].astype(float)
    den = areas["denominator"].astype(float)
    n = _binomial_n(ind, num, den)
    points = pd.DataFrame(
        {
            "area": areas["area"].astype(str).to_numpy(),
            "value": areas["value_exact"].astype(float).to_numpy(),
            "denominator": n.to_numpy(),
            "status": areas["status"].to_numpy(),
        }
    )
    points = points[np.isfinite(points["denominator"]) & (points["denominator"] > 0)]
    c_num = float(county["numerator"].iloc[0]) if len(county) else math.nan
    c_den = float(county["denominator"].iloc[0]) if len(county) else math.nan
    c_n = c_num + c_den if ind.interval_kind == "odds" else c_den
    centre_p = c_num / c_n if c_n and math.isfinite(c_n) and c_n > 0 else math.nan
    centre = (
        odds_per_hundred(centre_p) * ind.factor / 100
        if ind.interval_kind == "odds" and math.isfinite(centre_p)
        else centre_p * ind.factor
    )
    ok = np.isfinite(num) & np.isfinite(n) & (n > 0) & (num >= 0) & (num <= n)
    phi = overdispersion_phi(
        num[ok].to_numpy(), n[ok].to_numpy(), centre_p, float(catalog.setting("funnel_winsor"))
    )
    widen = phi if math.isfinite(phi) and phi > 1 else 1.0
    limits = pd.DataFrame(columns=["denominator", "low95", "high95", "low998", "high998"])
    if math.isfinite(centre_p) and len(points):
        top = max(float(points["denominator"].max()), 2.0) * 1.1
        bottom = max(1.0, float(points["denominator"].min()) / 2)
        grid = np.unique(
            np.round(np.geomspace(bottom, top, int(catalog.setting("funnel_points")))).astype(float)
        )
        z95, z998 = float(catalog.setting("z95")), float(catalog.setting("z998"))
        lo95, hi95 = funnel_limits(centre_p, grid, z95, widen)
        lo998, hi998 = funnel_limits(centre_p, grid, z998, widen)
        limits = pd.DataFrame(
            {
                "denominator": grid,
                "low95": _to_unit(ind, lo95),
                "high95": _to_unit(ind, hi95),
                "low998": _to_unit(ind, lo998),
                "high998": _to_unit(ind, hi998),
            }
        )
    return {
        "centre": float(centre),
        "points": points.reset_index(drop=True),
        "limits": limits,
        "phi": float(phi),
    }
