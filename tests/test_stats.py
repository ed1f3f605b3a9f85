"""Statistics against figures worked out by hand or published (indicators/stats.py, exact.py)."""

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from indicators.exact import round_half_up, rounded_float
from indicators.stats import (
    draw_ranks,
    funnel_limits,
    inverted_cdf_index,
    overdispersion_phi,
    rank_intervals,
    rank_values,
    srb_interval,
    wilson_interval,
    wilson_lower_above,
    wilson_upper_below,
    winsorise,
)

Z95 = 1.959964
Z998 = 3.090232


def test_wilson_matches_newcombe_1998_example():
    # Newcombe (1998), Statistics in Medicine 17:857, table I: 81/263, Wilson score 0.2553–0.3662
    low, high = wilson_interval(81, 263, Z95)
    assert round(low, 4) == 0.2553
    assert round(high, 4) == 0.3662


def test_wilson_by_hand_for_small_counts():
    # x=0, n=10: z² = 3.841459; centre = (z²/2)/(10 + z²) and half-width the same,
    # so the interval is 0 to z²/(10 + z²) = 3.841459/13.841459 = 0.277532
    low, high = wilson_interval(0, 10, Z95)
    assert low == pytest.approx(0.0, abs=1e-12)
    assert high == pytest.approx(0.277532, abs=1e-6)
    assert all(v != v for v in wilson_interval(3, 0, Z95))  # (nan, nan)


def test_srb_interval_maps_each_end_of_the_share_of_boys():
    # 53 boys, 25 girls: Wilson on 53/78 at 95% gives p 0.5695–0.7728 → 132.3–340.2
    low, high = srb_interval(53, 25, Z95)
    plow, phigh = wilson_interval(53, 78, Z95)
    assert low == pytest.approx(plow / (1 - plow) * 100)
    assert high == pytest.approx(phigh / (1 - phigh) * 100)
    assert round(low) == 132 and round(high) == 340


def test_exact_interval_tests_agree_with_the_float_interval_at_the_boundary():
    p0 = Fraction(107, 207)  # a sex ratio of 107 as a share of boys
    z = Fraction("1.959964")
    # 548 boys / 452 girls: 95% lower end 107.05 > 107; 547/453: 106.62 < 107
    assert srb_interval(548, 452, Z95)[0] > 107 > srb_interval(547, 453, Z95)[0]
    assert wilson_lower_above(548, 1000, p0, z)
    assert not wilson_lower_above(547, 1000, p0, z)
    # compliance target 90%: 171/200 upper end 89.71 < 90; 172/200: 90.13
    assert wilson_upper_below(171, 200, Fraction(9, 10), z)
    assert not wilson_upper_below(172, 200, Fraction(9, 10), z)


@pytest.mark.parametrize(
    ("value", "dp", "expected"),
    [
        (Fraction(1929, 2000) * 100, 2, "96.45"),  # 96.45 exactly, not 96.44
        (96.445, 2, "96.45"),
        (2.675, 2, "2.68"),  # the float 2.675 is below 2.675, yet a person rounds up
        (-2.5, 0, "-3"),  # away from zero, as Excel's ROUND
        (Fraction(1, 8), 2, "0.13"),
        (Fraction(2100, 19), 2, "110.53"),
        (0.0, 2, "0.00"),
    ],
)
def test_round_half_up(value, dp, expected):
    assert format(round_half_up(value, dp), "f") == expected


def test_rounded_float_of_missing_is_nan():
    assert rounded_float(None, 2) != rounded_float(None, 2)


def test_funnel_limits_by_hand():
    # p = 0.5, n = 100, z = 1.959964: 0.5 ± 1.959964 × 0.05 = 0.5 ± 0.0979982
    low, high = funnel_limits(0.5, 100, Z95)
    assert low == pytest.approx(0.4020018) and high == pytest.approx(0.5979982)
    # phi = 4 doubles the half-width: 0.5 ± 0.1959964
    low, high = funnel_limits(0.5, 100, Z95, phi=4)
    assert low == pytest.approx(0.3040036) and high == pytest.approx(0.6959964)


def test_winsorise_pulls_in_the_tails():
    values = np.arange(1.0, 11.0)  # 1..10; 10th percentile 1.9, 90th 9.1 (linear)
    assert winsorise(values, 0.10).tolist() == pytest.approx([1.9, 2, 3, 4, 5, 6, 7, 8, 9, 9.1])


def test_overdispersion_phi_by_hand():
    # p = 0.5, n = 100 each: residual z = (x/100 − 0.5)/0.05
    x = np.array([50, 50, 60, 40])  # z = 0, 0, 2, −2
    # winsorised at 10%: the 10th/90th percentiles of (−2, 0, 0, 2) are −1.4 and 1.4
    # phi = (0 + 0 + 1.96 + 1.96)/4 = 0.98
    assert overdispersion_phi(x, np.array([100] * 4), 0.5) == pytest.approx(0.98)


def test_rank_values_share_the_better_rank():
    assert rank_values(pd.Series([90.0, 80.0, 80.0, 70.0]), "higher").tolist() == [1, 2, 2, 4]
    assert rank_values(pd.Series([90.0, None, 70.0]), "lower").tolist() == [2, pd.NA, 1]
    # range: closeness to 105; 104 and 106 tie
    assert rank_values(pd.Series([104.0, 106.0, 120.0]), "range", 105).tolist() == [1, 1, 3]


def test_rank_intervals_are_reproducible_and_ordered():
    num = np.array([900, 500, 100])
    den = np.array([1000, 1000, 1000])
    first = rank_intervals(num, den, draws=500, seed=7, direction="higher")
    again = rank_intervals(num, den, draws=500, seed=7, direction="higher")
    assert first.equals(again)
    # three clearly separated shares: each area's rank is certain
    assert first["rank_low"].tolist() == [1, 2, 3]
    assert first["rank_high"].tolist() == [1, 2, 3]
    # two areas that cannot be told apart share the interval 1–2
    close = rank_intervals(np.array([50, 51]), np.array([100, 100]), draws=2000, seed=1)
    assert close["rank_low"].tolist() == [1, 1] and close["rank_high"].tolist() == [2, 2]


def test_draw_ranks_order_equal_keys_by_area():
    # ascending, 1 first; equal keys (−0.0 and 0.0, the two 2.0) keep the areas' order
    keys = np.array([[2.0, 1.0, 2.0, -0.0, 0.0], [0.5, 0.25, 0.75, 0.0, 1.0]])
    assert draw_ranks(keys).tolist() == [[4, 3, 5, 1, 2], [3, 2, 4, 1, 5]]
    # keys a single float step apart are still told apart
    near = np.array([[np.nextafter(1.0, 2.0), 1.0, 1.0 + 2**-40]])
    assert draw_ranks(near).tolist() == [[2, 1, 3]]


def test_inverted_cdf_index_is_numpys():
    # 200 draws: 200 × 0.025 − 1 is 4.000000000000004 in floats, so the 6th value (index 5)
    assert inverted_cdf_index(200, (1 - 0.95) / 2) == 5
    assert inverted_cdf_index(200, (1 + 0.95) / 2) == 194
    assert inverted_cdf_index(1, 0.025) == 0
    for n in (1, 7, 200, 666, 1000):
        for q in ((1 - 0.95) / 2, (1 + 0.95) / 2, 0.5):
            assert inverted_cdf_index(n, q) == np.quantile(np.arange(n), q, method="inverted_cdf")


def test_rank_intervals_do_not_depend_on_the_chunk_size():
    num = np.array([30, 31, 29, 5, 60, 30, 0, 12])
    den = np.array([100, 100, 100, 100, 100, 100, 100, 40])
    whole = rank_intervals(
        num, den, draws=300, seed=3, kind="odds", direction="range", reference=105
    )
    for cells in (1, 8, 9, 1000):
        chunked = rank_intervals(
            num,
            den,
            draws=300,
            seed=3,
            kind="odds",
            direction="range",
            reference=105,
            chunk_cells=cells,
        )
        assert chunked.equals(whole)
    assert whole["rank_low"].notna().sum() == 8


def test_mid_p_interval_by_hand():
    from scipy.stats import binom

    from indicators.stats import binomial_p_below, clopper_pearson_intervals, mid_p_intervals

    # x = 0 of 24: the mid-p upper end solves ½(1 − p)^24 = 0.025, p = 1 − 0.05^(1/24) =
    # 0.11735; Clopper–Pearson's solves (1 − p)^24 = 0.025: 1 − 0.025^(1/24) = 0.14247
    low, high = mid_p_intervals(np.array([0.0]), np.array([24.0]), Z95)
    assert (low[0], round(high[0], 5)) == (0.0, 0.11735)
    assert round(clopper_pearson_intervals(np.array([0.0]), np.array([24.0]), Z95)[1][0], 5) == (
        0.14247
    )
    # x = 17 of 24: at the upper end the mid-p value P(X < 17) + ½P(X = 17) is the tail
    _, high = mid_p_intervals(np.array([17.0]), np.array([24.0]), Z95)
    p = high[0]
    assert binom.cdf(16, 24, p) + binom.pmf(17, 24, p) / 2 == pytest.approx(0.025, abs=1e-9)
    assert binomial_p_below(np.array([17.0]), np.array([24.0]), p, mid_p=True)[0] == (
        pytest.approx(0.025, abs=1e-9)
    )


def test_amounts_read_as_integers_of_a_millionth_as_their_decimal_text_says():
    """scaled_int64 gives what to_fraction reads (the shortest text, half up to 0.000001),
    whichever way it takes: whole, six decimals or fewer, more decimals, huge."""
    from indicators.exact import _scaled, scaled_int64

    cases = {
        12.3457: 12_345_700,
        2.675: 2_675_000,
        0.000001: 1,
        0.0000005: 1,  # half a millionth rounds up
        -0.0000005: -1,
        1.0000005: 1_000_001,
        123456789.123456: 123_456_789_123_456,
        7.0: 7_000_000,
    }
    got, ok = scaled_int64(np.array([*cases, np.nan]))
    assert got.tolist() == [*cases.values(), 0] and ok.tolist() == [True] * len(cases) + [False]
    assert [_scaled(v) for v in cases] == list(cases.values())
