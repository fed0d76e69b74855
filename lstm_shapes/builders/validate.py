"""Argument checks of the builders, in Keras's words: "Expected ... Received: units=0"."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"Expected {name} to be a positive integer. Received: {name}={value!r}")
    return int(value)


def _fraction(name: str, value: Any, *, low_open: bool) -> float:
    """A float in (0, 1) (``low_open``) or [0, 1); never clamped."""
    ok = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool)
    ok = ok and math.isfinite(value) and value < 1 and (value > 0 if low_open else value >= 0)
    if not ok:
        interval = "(0, 1)" if low_open else "[0, 1)"
        raise ValueError(f"Expected {name} to be a float in {interval}. "
                         f"Received: {name}={value!r}")
    return float(value)


def _units_tuple(units: Any) -> tuple[int, ...]:
    if isinstance(units, (int, np.integer)) and not isinstance(units, bool):
        units = (units,)
    if isinstance(units, (str, bytes)) or not isinstance(units, Sequence) or not units:
        raise ValueError("Expected units to be a non-empty sequence of positive integers, "
                         f"one per LSTM layer. Received: units={units!r}")
    for u in units:
        if isinstance(u, bool) or not isinstance(u, (int, np.integer)) or u < 1:
            raise ValueError("Expected units to be a non-empty sequence of positive "
                             f"integers, one per LSTM layer. Received: units={units!r}")
    return tuple(int(u) for u in units)


def _learning_rate(value: Any) -> float:
    ok = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or value <= 0:
        raise ValueError("Expected learning_rate to be a positive number. "
                         f"Received: learning_rate={value!r}")
    return float(value)
