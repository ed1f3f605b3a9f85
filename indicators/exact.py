"""Exact arithmetic for figures: values as Fractions, rounding half up (as Excel's ROUND) at the end."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

#: Amounts (万元) are held as integers of this step before any division.
AMOUNT_STEP = Decimal("0.000001")


def to_fraction(value: float | int | None) -> Fraction | None:
    """A reported number as an exact Fraction (its decimal text, to 0.000001); None when missing."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    v = float(value)
    if math.isnan(v) or math.isinf(v):
        return None
    if v.is_integer():
        return Fraction(int(v))
    return Fraction(Decimal(repr(v)).quantize(AMOUNT_STEP, rounding=ROUND_HALF_UP))


def round_half_up(value: Fraction | float | None, dp: int) -> Decimal | None:
    """Round to dp decimals, halves away from zero, exactly (Fraction in, Decimal out).

    A float is first read from its shortest decimal text, so 2.675 rounds to 2.68 and
    96.445 to 96.45, as a person (and Excel) would.
    """
    if value is None:
        return None
    if not isinstance(value, Fraction):
        v = float(value)
        if math.isnan(v) or math.isinf(v):
            return None
        value = Fraction(Decimal(repr(v)))
    p, q = value.numerator, value.denominator  # q > 0
    whole = (2 * abs(p) * 10**dp + q) // (2 * q)  # floor(|value|·10^dp + ½)
    return Decimal(-whole if p < 0 else whole).scaleb(-dp)


def rounded_float(value: Fraction | float | None, dp: int) -> float:
    """round_half_up as a float; nan when missing."""
    d = round_half_up(value, dp)
    return math.nan if d is None else float(d)


def exact_float(value: Fraction | None) -> float:
    """The Fraction as the nearest float; nan when missing."""
    return math.nan if value is None else float(value)
