"""check_model time against model size and data size, in one run.

    python benchmarks/bench_check_model.py

Stacked LSTMs of 1, 2, 4 and 8 layers × 16, 64 and 256 units, each checked with 1,000 and
100,000 windows of 10 timesteps: check_model follows the graph without training, so the
time must grow with the layers, not with the data (the data rules are vectorised NumPy).
Prints the median milliseconds and the 100k/1k ratio per model.
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _timing import machine  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from lstm_shapes import build_stacked_lstm, check_model  # noqa: E402


def _ms(model, x, y, repeats: int = 5) -> float:
    check_model(model, x, y)  # warm up
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        check_model(model, x, y)
        samples.append((time.perf_counter() - start) * 1e3)
    return statistics.median(samples)


def main() -> None:
    series = np.sin(np.arange(0, 10_100, 0.1)).astype("float32")
    data = {n: (np.stack([series[i:i + 10] for i in range(n)])[..., None],
                series[10:10 + n, None]) for n in (1_000, 100_000)}
    table = Table(title=f"check_model, median ms of 5 ({machine()})")
    for column in ("layers", "units", "1k windows", "100k windows", "100k / 1k"):
        table.add_column(column, justify="right")
    for depth in (1, 2, 4, 8):
        for units in (16, 64, 256):
            model = build_stacked_lstm(units=(units,) * depth, timesteps=10)
            small, big = (_ms(model, *data[n]) for n in (1_000, 100_000))
            table.add_row(str(depth), str(units), f"{small:.1f}", f"{big:.1f}",
                          f"{big / small:.2f}")
    Console().print(table)


if __name__ == "__main__":
    main()
