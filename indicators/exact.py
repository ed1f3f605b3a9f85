"""Exact arithmetic for figures: values as Fractions, rounding half up (as Excel's ROUND) at the end."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np

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


# ---------------------------------------------------------------------------- arrays

#: Reported numbers are held as integers of AMOUNT_STEP: value × SCALE.
SCALE = 10**6


def _scaled(value: object) -> int | None:
    """One reported number as an integer of AMOUNT_STEP (as to_fraction reads it); None when
    missing."""
    frac = to_fraction(value)  # type: ignore[arg-type]
    if frac is None:
        return None
    scaled = frac * SCALE
    if scaled.denominator != 1:
        raise ValueError(f"{value!r} is finer than {AMOUNT_STEP}")
    return int(scaled)


def scaled_ints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reported numbers as exact integers of AMOUNT_STEP (an object array of int, 0 where
    missing) and the mask of those present; the same numbers `to_fraction` reads."""
    arr = np.asarray(values)
    out = np.zeros(len(arr), dtype=object)
    if arr.dtype.kind in "iub":
        out[:] = [int(v) * SCALE for v in arr.tolist()]
        return out, np.ones(len(arr), dtype=bool)
    if arr.dtype.kind != "f":
        got = [_scaled(v) for v in arr.tolist()]
        ok = np.array([g is not None for g in got], dtype=bool)
        out[ok] = [g for g in got if g is not None]
        return out, ok
    f = arr.astype(float)
    ok = np.isfinite(f)
    whole = ok & (np.floor(np.where(ok, f, 0.0)) == np.where(ok, f, 0.5))
    small = whole & (np.abs(np.where(ok, f, 0.0)) < 2.0**62)
    out[small] = f[small].astype(np.int64).astype(object) * SCALE
    rest = np.flatnonzero(ok & ~small)
    if rest.size:
        uniques, inverse = np.unique(f[rest], return_inverse=True)
        scaled = np.array([_scaled(float(u)) for u in uniques.tolist()] + [0], dtype=object)
        out[rest] = scaled[:-1][inverse]
    return out, ok


def scaled_int64(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """scaled_ints as int64 when every value fits well inside it (|value| < 2^62 / SCALE), else
    as the object array of int."""
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        f = arr.astype(float)
        ok = np.isfinite(f)
        fin = np.where(ok, f, 0.0)
        if np.abs(fin).max(initial=0.0) < 2.0**62 / SCALE:
            whole = np.floor(fin) == fin
            out = fin.astype(np.int64) * SCALE
            rest = np.flatnonzero(ok & ~whole)
            rest = _six_decimals(fin, out, rest)
            if rest.size:
                uniques, inverse = np.unique(f[rest], return_inverse=True)
                scaled = np.array([_scaled(float(u)) for u in uniques.tolist()], dtype=np.int64)
                out[rest] = scaled[inverse]
            return np.where(ok, out, 0), ok
    return scaled_ints(arr)


#: Below this size a float's neighbours are far closer than AMOUNT_STEP (its ulp ≤ 2^-23).
_SMALL = 1e9


def _six_decimals(values: np.ndarray, out: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """Fill `out` at the positions `rest` whose float is the nearest double to a decimal of at
    most 6 decimals k / 10^6 (k / 10^6 gives the float back): that decimal is its shortest
    text, so `_scaled` would give k. Returns the positions left for `_scaled`."""
    if not rest.size:
        return rest
    f = values[rest]
    k = np.rint(f * SCALE)
    sure = (np.abs(f) < _SMALL) & (k / SCALE == f)
    out[rest[sure]] = k[sure].astype(np.int64)
    return rest[~sure]


def round_half_up_ints(p: np.ndarray, q: np.ndarray, dp: int) -> np.ndarray:
    """round_half_up of the exact ratios p/q (object arrays of int, q > 0) as integers of
    10^-dp: floor(|p/q|·10^dp + ½) with the sign of p."""
    whole = (2 * np.abs(p) * 10**dp + q) // (2 * q)
    return np.where(p < 0, -whole, whole)


def _fits(a: np.ndarray) -> bool:
    return a.size == 0 or int(np.max(np.abs(a))) < 2**53


def int_ratio_floats(p: np.ndarray, q: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """The exact ratios p/q (object arrays of int) as the nearest floats; nan where not ok."""
    out = np.full(len(p), np.nan)
    if not ok.any():
        return out
    pp, qq = p[ok], q[ok]
    if _fits(pp) and _fits(qq):
        out[ok] = pp.astype(float) / qq.astype(float)
    else:  # Python's int division is correctly rounded, as float(Fraction) is
        out[ok] = [int(a) / int(b) for a, b in zip(pp, qq, strict=True)]
    return out


def rounded_floats_of_ints(whole: np.ndarray, ok: np.ndarray, dp: int) -> np.ndarray:
    """Integers of 10^-dp (from round_half_up_ints) as floats, as rounded_float gives them."""
    return int_ratio_floats(np.where(ok, whole, 0), np.full(len(whole), 10**dp, dtype=object), ok)


def rounded_floats(values: np.ndarray, dp: int) -> np.ndarray:
    """rounded_float of each float (half up on its shortest decimal text); nan stays nan.

    Away from a half the float product decides; near one (and for huge values) the exact
    decimal path of rounded_float does."""
    v = np.asarray(values, dtype=float)
    out = np.full(v.shape, np.nan)
    fin = np.isfinite(v)
    t = np.abs(np.where(fin, v, 0.0)) * 10.0**dp
    cand = np.floor(t + 0.5)
    near = np.abs(t - np.floor(t) - 0.5) < 1e-6 * np.maximum(1.0, t)
    exact_path = fin & (near | (t >= 2.0**40))
    quick = fin & ~exact_path
    signed = np.where((v < 0) & (cand > 0), -cand, cand)
    out[quick] = signed[quick] / 10.0**dp
    for i in np.flatnonzero(exact_path):
        out[i] = rounded_float(float(v[i]), dp)
    return out
