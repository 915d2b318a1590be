"""The printed-rounding tolerance of docs/domain.md §5: the one place that says whether a printed number is right.

A printed number is right when it equals the true value rounded or truncated to the decimals printed:
94.06% for 28.22 ÷ 30 = 94.0667% is right, 10 for 10 × 56% is not.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal


def decimals(number: Decimal) -> int:
    """How many decimals a printed number shows: 94.06 → 2, 10 → 0."""
    exponent = number.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


_ONE = Decimal(1)


def printed_matches(printed: Decimal, true: Decimal) -> bool:
    """The tolerance of docs/domain.md §5: the true value rounded or truncated to the decimals printed."""
    if printed == true:  # exactly representable with the decimals printed: both roundings give it
        return True
    # quantize() takes the exponent of its argument: quantizing to the printed number itself rounds
    # to the decimals it shows. A number like 1E+1 shows no decimals and is taken to units, as 10 is.
    quantum = printed if printed.same_quantum(_ONE) or decimals(printed) else _ONE
    return printed == true.quantize(quantum, rounding=ROUND_HALF_UP) or \
        printed == true.quantize(quantum, rounding=ROUND_DOWN)
