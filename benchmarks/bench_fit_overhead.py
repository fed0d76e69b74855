"""Cost of shape checking inside ``model.fit``, side by side, in one run.

    python benchmarks/bench_fit_overhead.py [--epochs 5] [--repeats 3]

Trains the sine LSTM (2×50 + Dense(1), windows of 10, 790 training windows, batch 32) three
ways, interleaved ``repeats`` times with the same seed: plain; with ``ExpectShape`` layers
between the LSTMs; with the plugin's ``--lstm-shapes`` instrumentation (every RNN call
checked against its contract). Prints the median wall time of ``fit`` and the ratio to
plain (target: at most 1.05).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
from _timing import machine  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from lstm_shapes import ExpectShape, seed_everything, sine_windows  # noqa: E402
from lstm_shapes.diagnosis.instrument import instrumented


def _model(expect: bool) -> keras.Model:
    L = keras.layers
    checks = ([ExpectShape("batch timesteps features", timesteps=10, features=1)]
              if expect else [])
    middle = [ExpectShape("batch timesteps units", units=50)] if expect else []
    head = [ExpectShape("batch units", units=50)] if expect else []
    model = keras.Sequential([keras.Input((10, 1)), *checks, L.LSTM(50, return_sequences=True),
                              *middle, L.LSTM(50), *head, L.Dense(1)])
    model.compile("adam", "mse")
    return model


def _fit_seconds(variant: str, data, epochs: int) -> float:
    seed_everything(0, deterministic_ops=False)
    model = _model(expect=variant == "ExpectShape layers")
    start = time.perf_counter()
    if variant == "--lstm-shapes":
        with instrumented():
            model.fit(data.x_train, data.y_train, epochs=epochs, batch_size=32, verbose=0)
    else:
        model.fit(data.x_train, data.y_train, epochs=epochs, batch_size=32, verbose=0)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    data = sine_windows(timesteps=10)
    variants = ["plain", "ExpectShape layers", "--lstm-shapes"]
    _fit_seconds("plain", data, 1)  # warm up TF
    times: dict[str, list[float]] = {v: [] for v in variants}
    for _ in range(args.repeats):
        for v in variants:
            times[v].append(_fit_seconds(v, data, args.epochs))
    base = statistics.median(times["plain"])
    table = Table(title=f"model.fit, sine LSTM 2×50, {args.epochs} epochs, median of "
                        f"{args.repeats} ({machine()})")
    for column in ("variant", "fit seconds", "ratio to plain"):
        table.add_column(column, justify="left" if column == "variant" else "right")
    for v in variants:
        median = statistics.median(times[v])
        table.add_row(v, f"{median:.2f}", f"{median / base:.3f}")
    Console().print(table)


if __name__ == "__main__":
    main()
