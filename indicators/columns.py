"""The indicator table: the frame `indicators.engine.compute` returns and every view reads.

One row per area (the county total included) and indicator, for one period and basis.

| column       | type          | meaning |
| ---          | ---           | --- |
| period       | str           | 'YYYY-MM' |
| basis        | str           | 'ytd' or 'month' |
| area         | str           | township name; the county row is named after the county (or 合计) |
| is_total     | bool          | the county row |
| order        | int           | 0 for the county, then the areas in the order of the report's rows |
| indicator    | str           | catalog key (srb, compliance, …, and 'composite') |
| value        | float         | rounded half up to the indicator's decimals; NaN when no value |
| value_exact  | float         | unrounded (for drawing); NaN when no value |
| previous     | float         | same period and basis one year earlier, rounded; NaN when none |
| change       | float         | value − previous computed before rounding, then rounded; NaN |
| change_p     | float         | two-sided p-value of the change (change_method); NaN without a test |
| change_low, change_high | float | its interval at the catalog's change_alpha, in the unit, rounded |
| change_dir   | str or None   | up, down (significant at change_alpha), flat (not); None: no test |
| change_method | str or None  | newcombe (shares, sex ratios) or poisson_conditional (counts, ‰) |
| numerator    | float         | Σ numerator counts/amounts (for a count: the count) |
| denominator  | float         | Σ denominator; NaN for a count |
| low95, high95   | float      | 95% interval (see interval_method), rounded; NaN where none |
| low998, high998 | float      | 99.8% interval, rounded; NaN where none |
| rank         | Int64 (nullable) | 1 = best; shared for equal rounded values; NA for none/county |
| rank_low, rank_high | Int64   | 95% rank interval from simulation (count-based ratios, the composite score), else NA |
| status       | str or None   | red, amber, watch, green, grey; None without a status rule |
| reason_code  | str or None   | message key of the status reason (message catalog `reason.*`) |
| reason_params| dict          | values for that message |
| quality      | list[dict]    | data-quality notes touching this figure (Finding.to_dict()) |
| interval_method | str or None | how low/high were found: clopper_pearson, mid_p, wilson, byars (docs/statistics.md) |
| status_method | str or None  | what judged the status: clopper_pearson, mid_p, wilson_score, point_value, min_count |
| p_value      | float         | one-sided p-value of the red test (the smaller of a range's two sides); NaN untested |
| red_size     | float         | that test's chance of red when the figure sits exactly on its limit |
| apart_from_next | bool or None | composite score: told apart from the area ranked next below (95% of draws); None else |
"""

INDICATOR_COLUMNS = [
    "period",
    "basis",
    "area",
    "is_total",
    "order",
    "indicator",
    "value",
    "value_exact",
    "previous",
    "change",
    "change_p",
    "change_low",
    "change_high",
    "change_dir",
    "change_method",
    "numerator",
    "denominator",
    "low95",
    "high95",
    "low998",
    "high998",
    "rank",
    "rank_low",
    "rank_high",
    "status",
    "reason_code",
    "reason_params",
    "quality",
    "interval_method",
    "status_method",
    "p_value",
    "red_size",
    "apart_from_next",
]

#: Text columns: None stays None, never NaN.
TEXT_COLUMNS = (
    "status",
    "reason_code",
    "interval_method",
    "status_method",
    "change_dir",
    "change_method",
)

#: Columns held as Python objects (text, dicts, lists).
OBJECT_COLUMNS = (*TEXT_COLUMNS, "reason_params", "quality", "apart_from_next")
