"""Funnel plots as Spiegelhalter (2005, 2012) draw them: exact limits with interpolation,
over-dispersion adjusted only when the χ² test rejects, points placed against the funnel."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

from indicators.catalog import load_catalog
from indicators.engine import compute
from indicators.funnel import funnel, funnel_note
from indicators.stats import (
    binomial_funnel_limit,
    dersimonian_laird_tau2,
    dispersion_test,
    pearson_z,
    poisson_funnel_limit,
    stabilised_z,
)
from zhibiao.config import Settings

LEVELS = (0.001, 0.025, 0.975, 0.999)  # the 99.8% and 95% limits, low and high


def by_hand_binomial(p0: float, n: int, level: float) -> float:
    """Spiegelhalter 2005, A.1.1, written out: add up the binomial probabilities from 0 until
    the cumulative F(r) reaches the level; r_p is that r; α = (F(r_p) − level) /
    (F(r_p) − F(r_p − 1)); the limit is (r_p − α)/n."""
    below = total = 0.0
    for r in range(n + 1):
        log_pmf = (
            math.lgamma(n + 1) - math.lgamma(r + 1) - math.lgamma(n - r + 1)
            + r * math.log(p0) + (n - r) * math.log(1 - p0)
        )  # fmt: skip
        below, total = total, total + math.exp(log_pmf)
        if total >= level:
            break
    alpha = (total - level) / (total - below)
    return (r - alpha) / n


def by_hand_poisson(rate: float, exposure: float, level: float) -> float:
    """The same with Poisson(rate × exposure) probabilities, divided by the exposure."""
    mu = rate * exposure
    below = total = 0.0
    r = 0
    while True:
        below, total = total, total + math.exp(-mu + r * math.log(mu) - math.lgamma(r + 1))
        if total >= level:
            break
        r += 1
    alpha = (total - level) / (total - below)
    return (r - alpha) / exposure


@pytest.mark.parametrize("n", [5, 20, 50, 500, 5000])
@pytest.mark.parametrize("p0", [0.93, 107 / 207])
def test_exact_binomial_limits_against_the_quantiles_by_hand(n, p0):
    got = [float(binomial_funnel_limit(p0, np.array([n]), level)[0]) for level in LEVELS]
    want = [by_hand_binomial(p0, n, level) for level in LEVELS]
    assert got == pytest.approx(want, abs=1e-9)
    assert got == sorted(got)


def test_the_measured_limit_of_the_issue():
    # compliance at 93%, n = 20: the normal approximation's lower 99.8% limit was
    # 0.93 − 3.090232 × sqrt(0.93 × 0.07 / 20) = 75.4%; the exact one is 67.2%:
    # F(13) = 0.000282, F(14) = 0.001933 ≥ 0.001, so r = 14, α = (0.001933 − 0.001) /
    # (0.001933 − 0.000282) = 0.5652, limit (14 − 0.5652)/20 = 0.6717
    normal = 0.93 - 3.090232 * math.sqrt(0.93 * 0.07 / 20)
    assert round(normal, 3) == 0.754
    exact = float(binomial_funnel_limit(0.93, np.array([20]), 0.001)[0])
    assert round(exact, 4) == 0.6717 == round(by_hand_binomial(0.93, 20, 0.001), 4)


@pytest.mark.parametrize("population", [500, 2000, 20000, 200000])
def test_exact_poisson_limits_against_the_quantiles_by_hand(population):
    rate = 0.005  # 5 births per thousand
    got = [float(poisson_funnel_limit(rate, np.array([population]), lv)[0]) for lv in LEVELS]
    want = [by_hand_poisson(rate, population, lv) for lv in LEVELS]
    assert got == pytest.approx(want, abs=1e-12)


# ---------------------------------------------------------------------------- φ and τ²

# Ten areas of 200 births each, 1800 in policy of 2000: the centre is 0.9.
IN_POLICY = np.array([150, 165, 170, 180, 180, 180, 190, 194, 196, 195])
N = np.full(10, 200)


def test_phi_worked_example():
    # 1. Pearson z = (x/200 − 0.9) / sqrt(0.9 × 0.1 / 200) = (x − 180) / 4.2426:
    z = pearson_z("proportion", IN_POLICY / N, N, 0.9)
    assert np.round(z, 4).tolist() == [
        -7.0711, -3.5355, -2.357, 0.0, 0.0, 0.0, 2.357, 3.2998, 3.7712, 3.5355
    ]  # fmt: skip
    # 2. winsorise 10% at each end: the 10th and 90th percentiles (linear) of the sorted z
    #    are −7.0711 + 0.9 × (−3.5355 + 7.0711) = −3.8891 and
    #    3.5355 + 0.1 × (3.7712 − 3.5355) = 3.5591; −7.0711 → −3.8891, 3.7712 → 3.5591
    # 3. φ = Σ z_w² / 10 = (15.125 + 12.5 + 5.5556 + 0 + 0 + 0 + 5.5556 + 10.8889 + 12.6672
    #    + 12.5) / 10 = 74.7922 / 10 = 7.4792
    phi, p = dispersion_test(z, 0.10)
    assert round(phi, 4) == 7.4792
    # 4. the test: 10 × 7.4792 = 74.79 against χ² on 9 degrees of freedom: p = 1.7e-12
    assert p == pytest.approx(chi2.sf(74.7922, 9), rel=1e-4)
    assert p < 1e-11


def test_tau2_worked_example():
    # 1. on the stabilising scale: z = (asin√(x/200) − asin√0.9) × 2√200, asin√0.9 = 1.24905
    z = stabilised_z("proportion", IN_POLICY / N, N, 0.9)
    assert np.round(z, 4).tolist() == [
        -5.7091, -3.1072, -2.1482, 0.0, 0.0, 0.0, 2.722, 4.1767, 5.087, 4.6095
    ]  # fmt: skip
    # 2. winsorised at 10%: −5.7091 → −3.3674, 5.087 → 4.6573 (the 10th/90th percentiles)
    # 3. φ = Σ z_w² / 10 = 93.3996 / 10 = 9.3400
    phi, p = dispersion_test(z, 0.10)
    assert round(phi, 4) == 9.3400
    # 4. DerSimonian–Laird with weights w = 1/s² = 4 × 200 = 800 each:
    #    Σw − Σw²/Σw = 8000 − 6,400,000/8000 = 7200;
    #    τ² = (10 × 9.3400 − 9) / 7200 = 84.3996 / 7200 = 0.011722
    tau2 = dersimonian_laird_tau2(phi, np.full(10, 800.0))
    assert round(tau2, 6) == 0.011722
    # no excess dispersion, no τ²: φ ≤ (I − 1)/I gives 0
    assert dersimonian_laird_tau2(0.85, np.full(10, 800.0)) == 0.0


# ---------------------------------------------------------------------------- the funnel


def rows(counts: dict[str, tuple[int, int]], fields: tuple[str, str]) -> pd.DataFrame:
    out = []
    for i, (area, pair) in enumerate(counts.items()):
        for fld, v in zip(fields, pair, strict=True):
            out.append(
                {"area": area, "is_total": False, "period": "2024-03", "basis": "ytd",
                 "field": fld, "value": float(v), "sheet": "", "cell": "", "row": i}
            )  # fmt: skip
    return pd.DataFrame(out)


def compliance_table(in_policy: list[int], births: list[int]) -> pd.DataFrame:
    counts = {
        f"乡{i:02d}": (b, b - x) for i, (x, b) in enumerate(zip(in_policy, births, strict=True))
    }
    v = rows(counts, ("births", "out_of_policy"))
    return compute(v, "2024-03", "ytd", settings=Settings())


def test_overdispersed_compliance_widened_by_phi():
    table = compliance_table(IN_POLICY.tolist(), N.tolist())
    f = funnel(table, "compliance")
    assert f["centre"] == pytest.approx(90.0)
    assert (f["method"], round(f["phi"], 4)) == ("phi", 7.4792)
    # at n = 200: 90 ± 1.959964 × sqrt(7.4792 × 0.09 / 200) × 100 = 90 ± 11.37
    low, high = (90 + s * 1.959964 * math.sqrt(f["phi"] * 0.09 / 200) * 100 for s in (-1, 1))
    assert round(low, 2) == 78.63
    points = f["points"].set_index("area")
    # 150/200 = 75% lies under 78.63 (between the 95% and 99.8% limits), 165/200 inside
    assert points.loc["乡00", "band"] == "low95" and points.loc["乡01", "band"] == "in95"
    assert funnel_note(f) == (
        "过度离散检验 φ = 7.48,χ² P < 0.001(检验水准 0.05):控制限按 φ 放宽(Spiegelhalter 2005)"
    )


def test_random_effects_is_a_catalog_option(tmp_path):
    import shutil
    from importlib import resources

    from zhibiao.datafiles import data_file

    with resources.as_file(data_file("indicators.toml")) as path:
        text = path.read_text("utf-8")
    (tmp_path / "indicators.toml").write_text(
        text.replace('funnel_overdispersion = "phi"', 'funnel_overdispersion = "random_effects"'),
        encoding="utf-8",
    )
    with resources.as_file(data_file("area_aliases.csv")) as path:
        shutil.copy(path, tmp_path / "area_aliases.csv")
    catalog = load_catalog(tmp_path / "indicators.toml")
    table = compliance_table(IN_POLICY.tolist(), N.tolist())
    f = funnel(table, "compliance", catalog)
    assert f["method"] == "random_effects"
    assert (round(f["phi"], 4), round(f["tau2"], 6)) == (9.3400, 0.011722)
    # the limits at each n: sin²(asin√0.9 ± 1.959964 × sqrt(1/(4n) + τ²)); at n = 200,
    # sin²(1.24905 − 1.959964 × sqrt(0.00125 + 0.011722)) = sin²(1.02582) = 73.13%
    lim = f["limits"]
    half = 1.959964 * np.sqrt(1 / (4 * lim["denominator"]) + f["tau2"])
    low = np.sin(math.asin(math.sqrt(0.9)) - half) ** 2 * 100
    assert lim["low95"].to_numpy() == pytest.approx(low.to_numpy())
    at200 = math.sin(math.asin(math.sqrt(0.9)) - 1.959964 * math.sqrt(1 / 800 + f["tau2"]))
    assert round(at200**2 * 100, 2) == 73.13
    assert f["points"].set_index("area").loc["乡00", "band"] == "in95"  # 75% > 73.13%
    assert "τ² = 0.012" in funnel_note(f)


def test_srb_not_overdispersed_is_not_widened():
    # 20 townships' boys and girls: φ = 1.17, χ² p = 0.22 — the limits used to be widened by
    # 1.17 anyway; now they stay exact
    counts = [
        (190, 188), (68, 88), (156, 145), (122, 119), (37, 31), (56, 50), (156, 150), (91, 72),
        (107, 74), (129, 95), (60, 44), (53, 44), (154, 144), (91, 76), (49, 39), (64, 61),
        (122, 148), (48, 33), (45, 71), (136, 138),
    ]  # fmt: skip
    v = rows({f"乡{i:02d}": c for i, c in enumerate(counts)}, ("births_male", "births_female"))
    f = funnel(compute(v, "2024-03", "ytd", settings=Settings()), "srb")
    assert f["method"] == "exact"
    assert (round(f["phi"], 2), round(f["p"], 2)) == (1.17, 0.22)
    boys = sum(m for m, _ in counts)
    births = sum(m + g for m, g in counts)
    lim = f["limits"]
    share = binomial_funnel_limit(boys / births, lim["denominator"].to_numpy(), 0.001)
    assert lim["low998"].to_numpy() == pytest.approx(share / (1 - share) * 100)
    assert funnel_note(f).startswith(
        "控制限为精确二项分布界限(Spiegelhalter 2005);过度离散检验 φ = 1.17"
    )
    assert set(f["points"]["band"]) <= {"in95", "high95", "low95", "high998", "low998"}


def test_birth_rate_funnel_is_poisson():
    # births per thousand against population: 3 areas
    v = rows({"甲": (50, 10000), "乙": (30, 4000), "丙": (5, 2000)}, ("births", "population"))
    f = funnel(compute(v, "2024-03", "ytd", settings=Settings()), "birth_rate")
    rate = 85 / 16000
    assert f["kind"] == "poisson" and f["centre"] == pytest.approx(rate * 1000)
    lim = f["limits"].set_index("denominator")
    e = float(lim.index[10])
    assert lim.loc[e, "high998"] == pytest.approx(by_hand_poisson(rate, e, 0.999) * 1000)
    assert f["points"]["denominator"].tolist() == [10000, 4000, 2000]


def test_funnel_refuses_an_indicator_that_is_not_a_ratio_of_counts():
    table = compliance_table([9], [10])
    with pytest.raises(ValueError):
        funnel(table, "births")
    with pytest.raises(ValueError):
        funnel(table, "fee_amount_rate")
