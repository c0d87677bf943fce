"""Numbers for tables a person reads: rounded to significant digits, written without float
noise (889.0214000000001 -> 889.021) or exponents. A bottom-layer helper (no lca imports), used
by the CSV exports and by ``comparison.csv``."""

from __future__ import annotations

import math
from decimal import Decimal

SIGNIFICANT_DIGITS = 6  # far above the data's precision, so sums of rounded rows still agree


def round_sig(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """``value`` rounded to ``digits`` significant digits (0, inf and NaN unchanged)."""
    if value == 0 or not math.isfinite(value):
        return float(value)
    return round(float(value), digits - 1 - math.floor(math.log10(abs(value))))


def csv_number(value: float | int | None, digits: int = SIGNIFICANT_DIGITS) -> str:
    """``value`` as a CSV cell: rounded to ``digits`` significant digits, plain decimal
    notation, no trailing zeros, no negative zero; "" for None and NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    r = round_sig(float(value), digits)
    if r == 0:
        return "0"
    text = format(Decimal(repr(r)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
