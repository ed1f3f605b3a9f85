"""A hand-made indicator table (indicators/columns.py) for the figure and export tests.

Five townships and the county, three indicators, statuses set by hand:

srb (range 103–107): 城关镇 104.00 green rank 1, 新阳镇 106.00 grey rank 2, 西城镇 110.00 watch
rank 3, 梅仙镇 96.00 amber rank 4, 八字桥乡 212.00 red rank 5, 台溪乡 no value; county 尤溪县
112.50 amber.
compliance (higher, target 90): 城关镇 98.00 green 1, 西城镇 93.50 green 2, 新阳镇 91.00 green 3,
梅仙镇 85.00 watch 4, 八字桥乡 72.00 red 5, 台溪乡 no value; county 88.40 watch.
fee_amount_rate (limits green 70, amber 50): 城关镇 80.00 green 1, 西城镇 65.00 amber 2, 梅仙镇 55.00
amber 3, 新阳镇 40.00 red 4, 八字桥乡 30.00 red 5, 台溪乡 no value; county 60.00 amber.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from indicators.catalog import load_catalog
from indicators.columns import INDICATOR_COLUMNS

COUNTY = "尤溪县"
AREAS = ["城关镇", "八字桥乡", "西城镇", "梅仙镇", "新阳镇", "台溪乡"]


#: The catalog of the table, read by the real loader from a small TOML file.
CATALOG = load_catalog(Path(__file__).parent / "data" / "figure_catalog.toml")

# area: (value, rank, status, numerator, denominator, low95, high95, previous)
ROWS = {
    "srb": {
        COUNTY: (112.5, None, "amber", 900, 800, 107.3, 118.0, 108.0),
        "城关镇": (104.0, 1, "green", 260, 250, 88.0, 122.0, 103.0),
        "八字桥乡": (212.0, 5, "red", 212, 100, 132.0, 340.0, 150.0),
        "西城镇": (110.0, 3, "watch", 110, 100, 92.0, 131.0, 104.0),
        "梅仙镇": (96.0, 4, "amber", 96, 100, 80.0, 101.0, 99.0),
        "新阳镇": (106.0, 2, "grey", 9, 8.5, np.nan, np.nan, np.nan),
        "台溪乡": (np.nan, None, None, np.nan, np.nan, np.nan, np.nan, np.nan),
    },
    "compliance": {
        COUNTY: (88.4, None, "watch", 884, 1000, 86.2, 90.3, 90.0),
        "城关镇": (98.0, 1, "green", 490, 500, 96.4, 98.9, 97.0),
        "八字桥乡": (72.0, 5, "red", 72, 100, 62.5, 79.9, 80.0),
        "西城镇": (93.5, 2, "green", 187, 200, 89.3, 96.2, 92.0),
        "梅仙镇": (85.0, 4, "watch", 85, 100, 76.7, 90.7, 88.0),
        "新阳镇": (91.0, 3, "green", 91, 100, 83.8, 95.2, 90.0),
        "台溪乡": (np.nan, None, None, np.nan, np.nan, np.nan, np.nan, np.nan),
    },
    "fee_amount_rate": {
        COUNTY: (60.0, None, "amber", 120, 200, np.nan, np.nan, 58.5),
        "城关镇": (80.0, 1, "green", 40, 50, np.nan, np.nan, 75.0),
        "八字桥乡": (30.0, 5, "red", 6, 20, np.nan, np.nan, 35.0),
        "西城镇": (65.0, 2, "amber", 26, 40, np.nan, np.nan, 60.0),
        "梅仙镇": (55.0, 3, "amber", 33, 60, np.nan, np.nan, 50.0),
        "新阳镇": (40.0, 4, "red", 12, 30, np.nan, np.nan, 45.0),
        "台溪乡": (np.nan, None, None, np.nan, np.nan, np.nan, np.nan, np.nan),
    },
}

#: (indicator, status) → (reason message key, its limit), as the engine writes them.
REASONS = {
    ("srb", "red"): ("reason.above_high", 107),
    ("srb", "amber"): ("reason.above_high", 107),
    ("srb", "watch"): ("reason.above_high_watch", 107),
    ("compliance", "red"): ("reason.below_target", 90),
    ("compliance", "watch"): ("reason.below_target_watch", 90),
    ("fee_amount_rate", "red"): ("reason.limit_red", 50),
    ("fee_amount_rate", "amber"): ("reason.limit_amber", 70),
}
#: 梅仙镇's srb is amber for being low: its own reason.
LOW_SRB = ("reason.below_low", 103)


def indicator_table(period: str = "2024-06", basis: str = "ytd") -> pd.DataFrame:
    """The hand-made indicator table with every INDICATOR_COLUMNS column."""
    records = []
    for indicator, rows in ROWS.items():
        for order, (area, spec) in enumerate(rows.items()):
            value, rank, status, num, den, low, high, previous = spec
            code, limit = REASONS.get((indicator, status), (None, None))
            if indicator == "srb" and area == "梅仙镇":
                code, limit = LOW_SRB
            change = value - previous if not (np.isnan(value) or np.isnan(previous)) else np.nan
            records.append(
                {
                    "period": period,
                    "basis": basis,
                    "area": area,
                    "is_total": area == COUNTY,
                    "order": order,
                    "indicator": indicator,
                    "value": value,
                    "value_exact": value,
                    "previous": previous,
                    "change": round(change, 2) if not np.isnan(change) else np.nan,
                    "numerator": num,
                    "denominator": den,
                    "low95": low,
                    "high95": high,
                    "low998": np.nan,
                    "high998": np.nan,
                    "rank": rank,
                    "rank_low": rank,
                    "rank_high": (rank + 1) if rank else None,
                    "status": status,
                    "reason_code": code,
                    "reason_params": {"limit": limit} if code else {},
                    "quality": [],
                }
            )
    table = pd.DataFrame(records, columns=INDICATOR_COLUMNS)
    for column in ("rank", "rank_low", "rank_high"):
        table[column] = table[column].astype("Int64")
    return table
