"""docs/statistics.md, section 10: the worked example, every figure from the code."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy.stats import beta, binom, chi2

from indicators.engine import compute
from indicators.funnel import funnel
from indicators.warnings import chance_of_reds
from zhibiao.config import Settings

IN_POLICY = [150, 165, 170, 180, 180, 180, 190, 194, 196, 195]


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rows = []
    for i, x in enumerate(IN_POLICY):
        for period, in_policy in (("2024-03", x), ("2023-03", 190)):
            for fld, v in (("births", 200), ("out_of_policy", 200 - in_policy)):
                rows.append(
                    {"area": f"乡{i:02d}", "is_total": False, "period": period, "basis": "ytd",
                     "field": fld, "value": float(v), "sheet": "", "cell": "", "row": i}
                )  # fmt: skip
    return compute(pd.DataFrame(rows), "2024-03", "ytd", settings=Settings())


def row(table: pd.DataFrame, area: str) -> dict:
    part = table[(table["area"] == area) & (table["indicator"] == "compliance")]
    return part.iloc[0].to_dict()


def test_value_interval_and_status(table):
    r = row(table, "乡02")
    assert r["value"] == 85.00
    # 2. Clopper–Pearson
    assert round(beta.ppf(0.025, 170, 31), 5) == 0.79284
    assert round(beta.ppf(0.975, 171, 30), 5) == 0.89645
    assert (r["low95"], r["high95"], r["interval_method"]) == (79.28, 89.65, "clopper_pearson")
    assert (r["low998"], r["high998"]) == (75.81, 91.79)
    # 3. the status
    assert round(binom.cdf(170, 200, 0.9), 5) == 0.01633
    assert (r["status"], r["reason_code"], r["status_method"]) == (
        "amber", "reason.below_target", "clopper_pearson"
    )  # fmt: skip
    assert round(r["p_value"], 5) == 0.01633
    assert binom.cdf(165, 200, 0.9) < 0.001 <= binom.cdf(166, 200, 0.9)
    assert round(r["red_size"], 5) == 0.00078


def test_rank_and_change(table):
    r = row(table, "乡02")
    # 4.
    assert (r["rank"], r["rank_low"], r["rank_high"]) == (8, 6, 9)
    # 5.
    assert r["change"] == -10.00
    assert (r["change_low"], r["change_high"]) == (-16.04, -4.17)
    assert round(r["change_p"], 4) == 0.0011 and r["change_dir"] == "down"


def test_funnel(table):
    f = funnel(table, "compliance")
    assert (f["method"], round(f["phi"], 2)) == ("phi", 7.48)
    assert f["p"] == pytest.approx(chi2.sf(10 * f["phi"], 9)) and f["p"] < 2e-12
    half95 = 1.959964 * math.sqrt(f["phi"] * 0.09 / 200) * 100
    half998 = 3.090232 * math.sqrt(f["phi"] * 0.09 / 200) * 100
    assert (round(90 - half95, 2), round(90 - half998, 2)) == (78.63, 72.07)
    bands = dict(zip(f["points"]["area"], f["points"]["band"], strict=True))
    statuses = dict(zip(f["points"]["area"], f["points"]["status"], strict=True))
    assert (bands["乡02"], statuses["乡02"]) == ("in95", "amber")
    assert (bands["乡00"], statuses["乡00"]) == ("low95", "red")
    # the exact limit had the test not rejected: r = 171, α = 0.1943, (171 − α)/200
    f171, f170 = binom.cdf(171, 200, 0.9), binom.cdf(170, 200, 0.9)
    alpha = (f171 - 0.025) / (f171 - f170)
    assert (round(f171, 5), round(alpha, 4)) == (0.02709, 0.1943)
    assert round((171 - alpha) / 200 * 100, 2) == 85.40


def test_many_tests(table):
    chance = chance_of_reds(table)
    assert not chance.fdr  # 10 townships ≤ 50
    assert round(row(table, "乡02")["red_size"], 5) == 0.00078
