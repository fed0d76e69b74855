"""Shared timing helpers for the benchmark scripts (medians of interleaved repeats)."""

from __future__ import annotations

import platform
import statistics
import time
from typing import Callable


def per_call_us(fn: Callable[[], object], *, calls: int = 2000, repeats: int = 7) -> float:
    """Median over ``repeats`` of the mean time of one call, in microseconds."""
    fn()  # warm up (first-call caches, tracing)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(samples)


def machine() -> str:
    import os

    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
