"""Shared timing helpers for the benchmark scripts (medians of interleaved repeats)."""

from __future__ import annotations

import os
import platform
import statistics
import time
from typing import Callable


def _mean_us(fn: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls * 1e6


def per_call_us(fn: Callable[[], object], *, calls: int = 2000, repeats: int = 7) -> float:
    """Median over ``repeats`` of the mean time of one call, in microseconds."""
    fn()  # warm up (first-call caches, tracing)
    return statistics.median(_mean_us(fn, calls) for _ in range(repeats))


def interleaved_us(fns: dict[str, Callable[[], object]], *, calls: int = 2000,
                   repeats: int = 9) -> dict[str, float]:
    """Median µs per call of each of ``fns``, timed in turns so that load hits all alike.

    Each repeat times ``calls`` calls of every function, in an order rotated by one per
    repeat; ``{"a": f, "b": g}`` -> ``{"a": 0.41, "b": 12.3}``.
    """
    names = list(fns)
    for fn in fns.values():
        fn()  # warm up (first-call caches, tracing)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names):] + names[:r % len(names)]:
            samples[name].append(_mean_us(fns[name], calls))
    return {name: statistics.median(samples[name]) for name in names}


def machine() -> str:
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}")
