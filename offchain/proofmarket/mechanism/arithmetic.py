"""Exact integer arithmetic for money (docs/mechanism.md, "Model": all amounts are integers in wei).

The rounding direction is in each name; every caller says why its divisor is positive.
"""

from __future__ import annotations


def mul_div_down(value: int, multiplier: int, divisor: int) -> int:
    """``⌊value·multiplier / divisor⌋`` for non-negative operands; raises on ``divisor ≤ 0``."""
    if divisor <= 0:
        raise ZeroDivisionError(f"mul_div_down: divisor must be positive, got {divisor}")
    return value * multiplier // divisor


def mul_div_up(value: int, multiplier: int, divisor: int) -> int:
    """``⌈value·multiplier / divisor⌉`` for non-negative operands; raises on ``divisor ≤ 0``."""
    if divisor <= 0:
        raise ZeroDivisionError(f"mul_div_up: divisor must be positive, got {divisor}")
    return -(-(value * multiplier) // divisor)
