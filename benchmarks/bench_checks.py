"""Per-call cost of a shape check, side by side, in one run.

    pip install -r benchmarks/requirements.txt   # beartype, the second anchor
    python benchmarks/bench_checks.py

One function signature, ``(x: LSTMInput, h: HiddenState) -> HiddenState`` (x is
``Float[TensorLike, "batch timesteps features"]``, h ``(batch, units)``), decorated four
ways: not at all, ``@shape_checked``, ``@jaxtyped(typechecker=<typeguard>)`` and
``@jaxtyped(typechecker=beartype)``. Each is called on x ``(32, 10, 1)`` and h ``(32, 50)``,
as NumPy arrays and as eager tf.Tensors; the timings are medians of interleaved repeats.
Every checker must first refuse a wrong state, or it is not timed.

typeguard's own ``@typechecked`` instruments a function's source, and jaxtyping hands it
generated functions that have none: it warns and checks nothing. The typeguard anchor is
therefore what that instrumentation inserts: ``typeguard.check_type`` on each argument and
on the return value.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import typing
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import typeguard  # noqa: E402
from _timing import interleaved_us, machine, per_call_us  # noqa: E402
from jaxtyping import jaxtyped  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from lstm_shapes import HiddenState, LSTMInput, shape_checked  # noqa: E402

try:
    from beartype import beartype
except ImportError:  # an anchor of this benchmark only, not a dependency of the library
    sys.exit("bench_checks.py needs beartype: pip install -r benchmarks/requirements.txt")

GOALS = {"jaxtyping + typeguard": 0.2, "jaxtyping + beartype": 0.5}


def typeguard_checked(fn):
    """typeguard.check_type on every annotated argument and the return value of ``fn``."""
    signature = inspect.signature(fn)
    hints = typing.get_type_hints(fn, include_extras=True)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        for name, value in signature.bind(*args, **kwargs).arguments.items():
            if name in hints:
                typeguard.check_type(value, hints[name])
        result = fn(*args, **kwargs)
        return typeguard.check_type(result, hints["return"]) if "return" in hints else result

    return wrapper


def plain(x, h):
    return h


def decorated(decorator):
    """The benchmark's signature under ``decorator``."""
    def state(x: LSTMInput, h: HiddenState) -> HiddenState:
        return h

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # typeguard.typechecked's InstrumentationWarning
        return decorator(state)


CHECKERS = {
    "@shape_checked": decorated(shape_checked),
    "jaxtyping + typeguard": decorated(jaxtyped(typechecker=typeguard_checked)),
    "jaxtyping + beartype": decorated(jaxtyped(typechecker=beartype)),
}


def refuses_wrong_state(fn) -> bool:
    """Whether ``fn`` raises on a state whose batch (31) differs from the input's (32)."""
    try:
        fn(np.zeros((32, 10, 1), "float32"), np.zeros((31, 50), "float32"))
    except (TypeError, ValueError):
        return True
    return False


def measure(wrap) -> dict[str, float]:
    x = wrap(np.zeros((32, 10, 1), "float32"))
    h = wrap(np.zeros((32, 50), "float32"))
    fns = {"unchecked": plain, **CHECKERS}
    return interleaved_us({name: functools.partial(fn, x, h) for name, fn in fns.items()},
                          calls=1000, repeats=9)


def main() -> None:
    for name, fn in CHECKERS.items():
        if not refuses_wrong_state(fn):
            sys.exit(f"{name} accepted a wrong state: it checks nothing, timing it is moot")
    literal = decorated(jaxtyped(typechecker=typeguard.typechecked))
    table = Table(title=f"shape check cost per call ({machine()})")
    for col in ("input", "checker", "median µs/call", "÷ jaxtyping+typeguard",
                "÷ jaxtyping+beartype"):
        table.add_column(col, justify="left" if col in ("input", "checker") else "right")
    verdicts = []
    for kind, wrap in [("numpy", lambda a: a), ("eager tf", tf.constant)]:
        us = measure(wrap)
        for name, t in us.items():
            table.add_row(kind, name, f"{t:.2f}", f"{t / us['jaxtyping + typeguard']:.3f}",
                          f"{t / us['jaxtyping + beartype']:.3f}")
        for anchor, goal in GOALS.items():
            ratio = us["@shape_checked"] / us[anchor]
            verdicts.append(f"{kind}: @shape_checked / {anchor} = {ratio:.3f} "
                            f"(goal <= {goal}: {'met' if ratio <= goal else 'NOT met'})")
    lstm = keras.layers.LSTM(50)
    forward = per_call_us(lambda: lstm(tf.zeros((32, 10, 1))), calls=50)
    x, h = tf.zeros((32, 10, 1)), tf.zeros((32, 50))
    check = per_call_us(lambda: CHECKERS["@shape_checked"](x, h), calls=1000)
    console = Console(width=110)
    console.print(table)
    console.print("\n".join(verdicts))
    console.print(f"jaxtyping + typeguard.typechecked itself refuses a wrong state: "
                  f"{refuses_wrong_state(literal)} (not timed)")
    console.print(f"one LSTM(50) forward pass on (32, 10, 1): {forward:.0f} µs; a "
                  f"@shape_checked call on eager tensors costs "
                  f"{check / forward:.3%} of it")


if __name__ == "__main__":
    main()
