"""Funnel plot data of a count-based indicator: points, the county centre, control limits, and
which method drew them and why (docs/statistics.md).

As Spiegelhalter (2005, 2012) and the Fingertips profiles draw them: the limits around the
county value are exact (binomial for a share, with the interpolation of appendix A.1.1;
Poisson for a count over a population), at 95% and 99.8%. The areas are tested for
over-dispersion (winsorised z-scores, χ² on I − 1 degrees of freedom); only when the test
rejects at the catalog's `funnel_dispersion_alpha` are the limits widened: by the
multiplicative factor phi (`funnel_overdispersion = "phi"`, Spiegelhalter 2005, 3.2), or by an
additive random-effects τ² on a variance-stabilising scale (`"random_effects"`,
DerSimonian–Laird with winsorised z-scores, Spiegelhalter 2012); `"none"` never widens.

Each point is placed against the limits at its own size (`band`): within the 95% limits
(in95), between 95% and 99.8% (high95 / low95), or beyond 99.8% (high998 / low998). That is
a comparison with the county; the status (against the target) stays in `status`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from zhibiao.i18n import t

from .catalog import Catalog, Indicator, load_catalog
from .stats import (
    binomial_funnel_limit,
    dersimonian_laird_tau2,
    dispersion_test,
    one_sided_tail,
    pearson_z,
    poisson_funnel_limit,
    stabilised,
    stabilised_z,
    unstabilised,
)

#: The funnel's methods: exact limits, widened by phi, widened by a random-effects τ².
METHODS = ("exact", "phi", "random_effects")
#: Where a point falls against the limits, within first.
BANDS = ("in95", "high95", "low95", "high998", "low998")
#: catalog funnel_overdispersion values
ADJUSTMENTS = ("phi", "random_effects", "none")


@dataclass(frozen=True)
class Limits:
    """How the limits of one funnel are drawn: around `centre` (a share or a rate), by
    `method`, with phi / tau2 when widened; `kind` proportion or poisson."""

    kind: str
    centre: float
    method: str = "exact"
    phi: float = 1.0
    tau2: float = 0.0

    def at(self, size: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
        """(low, high) at each size (n, or the exposure of a rate), two-sided at z."""
        size = np.asarray(size, dtype=float)
        tail = one_sided_tail(z)
        if self.method == "exact":
            limit = poisson_funnel_limit if self.kind == "poisson" else binomial_funnel_limit
            return limit(self.centre, size, tail), limit(self.centre, size, 1 - tail)
        if self.method == "phi":
            variance = self.centre if self.kind == "poisson" else self.centre * (1 - self.centre)
            half = z * np.sqrt(self.phi * variance / size)
            top = np.inf if self.kind == "poisson" else 1.0
            return np.clip(self.centre - half, 0, top), np.clip(self.centre + half, 0, top)
        y0 = stabilised(self.kind, self.centre)
        half = z * np.sqrt(1 / (4 * size) + self.tau2)
        return unstabilised(self.kind, y0 - half), unstabilised(self.kind, y0 + half)


def _to_unit(ind: Indicator, p: np.ndarray) -> np.ndarray:
    """A share (or a rate per person) in the indicator's unit: the odds ×100 of a sex ratio."""
    p = np.asarray(p, dtype=float)
    if ind.interval_kind == "odds":
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(p >= 1, np.inf, p / np.where(p >= 1, 1, 1 - p)) * ind.factor
        return np.where(np.isfinite(out), out, np.nan)
    return p * ind.factor


def bands(
    y: np.ndarray, size: np.ndarray, limits: Limits, z95: float, z998: float
) -> list[str | None]:
    """Where each share or rate y falls against the limits at its own size (BANDS); None
    where y has no value."""
    lo95, hi95 = limits.at(size, z95)
    lo998, hi998 = limits.at(size, z998)
    out: list[str | None] = []
    for v, a, b, c, d in zip(y, lo998, lo95, hi95, hi998, strict=True):
        if not math.isfinite(v):
            out.append(None)
        elif v > d:
            out.append("high998")
        elif v < a:
            out.append("low998")
        elif v > c:
            out.append("high95")
        elif v < b:
            out.append("low95")
        else:
            out.append("in95")
    return out


def choose_limits(
    kind: str, y: np.ndarray, size: np.ndarray, centre: float, catalog: Catalog
) -> tuple[Limits, float, float]:
    """The limits' method (METHODS) by the catalog's settings and the dispersion test, with the
    test's phi and p-value: exact unless the test rejects at funnel_dispersion_alpha."""
    adjust = str(catalog.settings.get("funnel_overdispersion", "phi"))
    if adjust not in ADJUSTMENTS:
        raise ValueError(f"unknown funnel_overdispersion {adjust!r}")
    alpha = float(catalog.settings.get("funnel_dispersion_alpha", 0.05))
    share = float(catalog.setting("funnel_winsor"))
    exact = Limits(kind, centre)
    if not (0 < centre < 1 or (kind == "poisson" and centre > 0)):
        return exact, math.nan, math.nan
    score = stabilised_z if adjust == "random_effects" else pearson_z
    phi, p = dispersion_test(score(kind, y, size, centre), share)
    if adjust == "none" or not math.isfinite(p) or p >= alpha:
        return exact, phi, p
    if adjust == "phi":
        return Limits(kind, centre, "phi", phi=phi), phi, p
    tau2 = dersimonian_laird_tau2(phi, 4 * np.asarray(size, dtype=float))
    return Limits(kind, centre, "random_effects", phi=phi, tau2=tau2), phi, p


def funnel(table: pd.DataFrame, indicator: str, catalog: Catalog | None = None) -> dict:
    """{"centre", "points": DataFrame(area, value, denominator, status, band),
    "limits": DataFrame(denominator, low95, high95, low998, high998), "method", "phi",
    "tau2", "p", "alpha", "areas", "kind"}.

    `denominator` is what the limits are drawn against: the binomial n (the indicator's
    denominator, or boys + girls for a sex ratio), or the population of a rate per thousand.
    Values and limits are in the indicator's unit; centre is the county value (exact). `phi`
    and `p` are the dispersion test's (nan with fewer than 2 areas); `tau2` is nan unless the
    random-effects method drew the limits.
    """
    catalog = catalog or load_catalog()
    ind = catalog.get(indicator)
    if ind.interval_kind is None or ind.binomial_n:
        raise ValueError(f"{indicator} is not a ratio of counts")
    kind = "poisson" if ind.interval_kind == "poisson" else "proportion"
    rows = table[table["indicator"] == indicator]
    county = rows[rows["is_total"]]
    areas = rows[~rows["is_total"]].sort_values("order")
    num = areas["numerator"].astype(float).to_numpy()
    den = areas["denominator"].astype(float).to_numpy()
    size = num + den if ind.interval_kind == "odds" else den
    ok = np.isfinite(num) & np.isfinite(size) & (size > 0) & (num >= 0)
    if kind == "proportion":
        ok &= num <= size
    c_num = float(county["numerator"].iloc[0]) if len(county) else math.nan
    c_den = float(county["denominator"].iloc[0]) if len(county) else math.nan
    c_size = c_num + c_den if ind.interval_kind == "odds" else c_den
    centre_y = c_num / c_size if math.isfinite(c_size) and c_size > 0 else math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.where(ok, num / np.where(ok, size, 1), np.nan)
    z95, z998 = float(catalog.setting("z95")), float(catalog.setting("z998"))
    limits_of, phi, p = choose_limits(kind, y[ok], size[ok], centre_y, catalog)
    points = pd.DataFrame(
        {
            "area": areas["area"].astype(str).to_numpy(),
            "value": areas["value_exact"].astype(float).to_numpy(),
            "denominator": size,
            "status": areas["status"].to_numpy(),
            "band": bands(y, np.where(ok, size, 1.0), limits_of, z95, z998)
            if math.isfinite(centre_y)
            else [None] * len(size),
        }
    )[ok]
    limits = pd.DataFrame(columns=["denominator", "low95", "high95", "low998", "high998"])
    if math.isfinite(centre_y) and len(points):
        top = max(float(points["denominator"].max()), 2.0) * 1.1
        bottom = max(1.0, float(points["denominator"].min()) / 2)
        grid = np.unique(
            np.round(np.geomspace(bottom, top, int(catalog.setting("funnel_points")))).astype(float)
        )
        lo95, hi95 = limits_of.at(grid, z95)
        lo998, hi998 = limits_of.at(grid, z998)
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
        "centre": float(_to_unit(ind, np.array([centre_y]))[0]),
        "points": points.reset_index(drop=True),
        "limits": limits,
        "method": limits_of.method,
        "phi": float(phi),
        "tau2": float(limits_of.tau2) if limits_of.method == "random_effects" else math.nan,
        "p": float(p),
        "alpha": float(catalog.settings.get("funnel_dispersion_alpha", 0.05)),
        "areas": int(ok.sum()),
        "kind": kind,
    }


def _p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def funnel_note(f: dict, lang: str = "zh") -> str:
    """What the chart says of its limits: the method, and why (phi, τ², the test's p)."""
    exact = t(f"funnel.exact_{f.get('kind', 'proportion')}", lang)
    phi, p = f.get("phi", math.nan), f.get("p", math.nan)
    if not (isinstance(p, float) and math.isfinite(p)):
        return t("funnel.note_untested", lang, exact=exact)
    words = {"exact": exact, "phi": f"{phi:.2f}", "p": _p_text(p), "alpha": f"{f['alpha']:g}"}
    method = f.get("method", "exact")
    if method == "phi":
        return t("funnel.note_phi", lang, **words)
    if method == "random_effects":
        return t("funnel.note_tau2", lang, tau2=f"{f['tau2']:.2g}", **words)
    return t("funnel.note_exact", lang, **words)
