"""Funnel plot data: centre, points, limits widened by the over-dispersion factor."""

from __future__ import annotations

import pandas as pd
import pytest

from indicators.engine import compute
from indicators.funnel import funnel
from zhibiao.config import Settings


def table() -> pd.DataFrame:
    out = []
    # compliance: 90, 90, 80 and 100 in-policy births of 100 each → county 360/400 = 90%
    for i, (area, in_policy) in enumerate({"甲": 90, "乙": 90, "丙": 80, "丁": 100}.items()):
        for fld, v in {"births": 100, "out_of_policy": 100 - in_policy}.items():
            out.append(
                {"area": area, "is_total": False, "period": "2024-03", "basis": "ytd",
                 "field": fld, "value": float(v), "sheet": "", "cell": "", "row": i}
            )  # fmt: skip
    return compute(pd.DataFrame(out), "2024-03", "ytd", settings=Settings())


def test_funnel_by_hand():
    f = funnel(table(), "compliance")
    assert f["centre"] == pytest.approx(90.0)
    assert f["points"]["area"].tolist() == ["甲", "乙", "丙", "丁"]
    assert f["points"]["value"].tolist() == [90.0, 90.0, 80.0, 100.0]
    assert f["points"]["denominator"].tolist() == [100.0] * 4
    # residuals (x/n − 0.9)/0.03 = 0, 0, −3.333, 3.333; winsorised at 10% to ±2.3333
    # phi = 2 × 2.3333² / 4 = 2.7222
    assert f["phi"] == pytest.approx(2 * (7 / 3) ** 2 / 4)
    # at n = 100: 90 ± 1.959964 × sqrt(2.7222 × 0.09/100) × 100 = 90 ± 9.701
    at100 = f["limits"].set_index("denominator").loc[100.0]
    assert at100["low95"] == pytest.approx(80.299, abs=1e-3)
    assert at100["high95"] == pytest.approx(99.701, abs=1e-3)
    assert at100["low998"] < at100["low95"]


def test_funnel_refuses_an_indicator_that_is_not_count_based():
    with pytest.raises(ValueError):
        funnel(table(), "births")
