"""Per-call cost of a shape check, side by side, in one run.

    python benchmarks/bench_checks.py

Compares, for a NumPy array and an eager tf.Tensor of shape (32, 10, 1) plus a state (32, 50):
an unchecked function; the same function under @shape_checked; jaxtyping + typeguard
``check_type`` inside ``jaxtyped("context")`` (the checker DESIGN.md says works); and
``tf.debugging.assert_shapes``. Prints median microseconds per call and ratios to the
unchecked call, and the ratio of a @shape_checked call to one LSTM forward pass.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import jaxtyping  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import typeguard  # noqa: E402
from _timing import machine, per_call_us  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from lstm_shapes import HiddenState, LSTMInput, shape_checked  # noqa: E402


def plain(x, h):
    return h


@shape_checked
def checked(x: LSTMInput, h: HiddenState) -> HiddenState:
    return h


def jaxtyping_typeguard(x, h):
    with jaxtyping.jaxtyped("context"):
        typeguard.check_type(x, LSTMInput)
        typeguard.check_type(h, HiddenState)
        typeguard.check_type(h, HiddenState)  # the return value, as @shape_checked does
    return h


def tf_assert_shapes(x, h):
    tf.debugging.assert_shapes([(x, ("batch", "timesteps", "features")),
                                (h, ("batch", "units"))])
    return h


def main() -> None:
    rows = []
    lstm = keras.layers.LSTM(50)
    for kind, wrap in [("numpy", lambda a: a), ("eager tf", tf.constant)]:
        x = wrap(np.zeros((32, 10, 1), "float32"))
        h = wrap(np.zeros((32, 50), "float32"))
        base = per_call_us(lambda: plain(x, h))
        for name, fn in [("unchecked", plain), ("@shape_checked", checked),
                         ("jaxtyping+typeguard check_type", jaxtyping_typeguard),
                         ("tf.debugging.assert_shapes", tf_assert_shapes)]:
            us = per_call_us(lambda fn=fn: fn(x, h), calls=300 if "tf." in name else 2000)
            rows.append((kind, name, us, us / base))
    forward = per_call_us(lambda: lstm(tf.zeros((32, 10, 1))), calls=50)
    check = next(r[2] for r in rows if r[:2] == ("eager tf", "@shape_checked"))

    table = Table(title=f"shape check cost per call ({machine()})")
    for col in ("input", "checker", "median µs/call", "× unchecked"):
        table.add_column(col, justify="right" if "µs" in col or "×" in col else "left")
    for kind, name, us, ratio in rows:
        table.add_row(kind, name, f"{us:.2f}", f"{ratio:.0f}")
    console = Console()
    console.print(table)
    console.print(f"one LSTM(50) forward pass on (32, 10, 1): {forward:.0f} µs; a @shape_checked "
                  f"call costs {check / forward:.1%} of it")


if __name__ == "__main__":
    main()
