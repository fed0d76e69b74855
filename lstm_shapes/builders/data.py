"""The sine task cut into windows: (batch, timesteps, 1) inputs and the values that follow them."""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import NamedTuple, Optional

import numpy as np

from lstm_shapes.builders.validate import _fraction, _positive_int
from lstm_shapes.core.annotations import Float, LSTMInput, Series, Targets, TensorLike
from lstm_shapes.core.checking import shape_checked
from lstm_shapes.core.errors import ShapeError

# The validation part has its own batch size; every other dim is shared with training.
ValInput = Float[TensorLike, "val_batch timesteps features"]
ValTargets = Float[TensorLike, "val_batch horizon"]


class SineWindows(NamedTuple):
    """Windows of a series and the values that follow them, split in time.

    ``x_*`` are ``(batch, timesteps, features=1)``; ``y_*`` are ``(batch, horizon)``:
    ``y[i]`` holds the ``horizon`` values that follow window ``x[i]``.
    """

    x_train: LSTMInput
    y_train: Targets
    x_val: ValInput
    y_val: ValTargets


def _windows(part: np.ndarray, timesteps: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(part) - timesteps - horizon + 1
    idx = np.arange(n)[:, None]
    x = part[idx + np.arange(timesteps)][..., None]
    y = part[idx + timesteps + np.arange(horizon)]
    return x, y


def _train_steps(n: int, validation_split: float) -> int:
    return int(round(n * (1 - validation_split)))


@shape_checked
def sine_windows(
    series: Optional[Series] = None,
    *,
    timesteps: Integral = 10,  # Integral/Real: NumPy scalars are welcome too
    horizon: Integral = 1,
    validation_split: Real = 0.2,
    start: Real = 0.0,
    stop: Real = 100.0,
    step: Real = 0.1,
) -> SineWindows:
    """Cut a series into ``(batch, timesteps, 1)`` windows and their next ``horizon`` values.

    The split is made on the series *before* windowing: the first ``1 - validation_split``
    of the steps make the training windows, the rest the validation windows, so no
    validation input or target appears in any training window (no leakage).

    Args:
        series: a 1-D float series; by default ``np.sin(np.arange(start, stop, step))``.
        timesteps: length of each window (the LSTM's time axis).
        horizon: how many following values each target holds (1: next-value prediction).
        validation_split: fraction of the series, at its end, kept for validation.
        start, stop, step: the range of the default sine series.

    Returns:
        ``SineWindows(x_train, y_train, x_val, y_val)``, all float32.

    >>> w = sine_windows(np.arange(40, dtype="float32"), timesteps=5, horizon=2,
    ...                  validation_split=0.25)
    >>> w.x_train.shape, w.y_train.shape, w.y_train[0].tolist()
    ((24, 5, 1), (24, 2), [5.0, 6.0])

    Raises:
        ShapeError: the series is not 1-D, holds NaN/inf (``non_finite_values``) or is too
            short for one window in each part (``series_too_short``).
        ValueError: a bad ``timesteps``, ``horizon``, ``validation_split`` or range.
    """
    timesteps = _positive_int("timesteps", timesteps)
    horizon = _positive_int("horizon", horizon)
    validation_split = _fraction("validation_split", validation_split, low_open=True)
    if series is None:
        for name, value in (("start", start), ("stop", stop), ("step", step)):
            if not isinstance(value, (int, float, np.number)) or not math.isfinite(value):
                raise ValueError(f"Expected {name} to be a finite number. "
                                 f"Received: {name}={value!r}")
        if step <= 0 or stop <= start:
            raise ValueError("Expected start < stop and step > 0. "
                             f"Received: start={start}, stop={stop}, step={step}")
        data = np.sin(np.arange(start, stop, step)).astype("float32")
    else:
        if (start, stop, step) != (0.0, 100.0, 0.1):
            raise ValueError("start, stop and step describe the default sine series; "
                             "pass them without a series, or pass the series alone.")
        data = np.asarray(series, dtype="float32")
    where = "sine_windows argument series"
    bad = ~np.isfinite(data)
    if bad.any():
        first = int(np.argmax(bad))
        raise ShapeError(
            where=where, code="non_finite_values",
            detail=f"the series holds {int(bad.sum())} NaN/inf values (the first at step "
                   f"{first}: {data[first]})",
            fix="drop or fill them first, e.g. series = pandas.Series(series)"
                ".interpolate().to_numpy()")
    need = timesteps + horizon
    n_train = _train_steps(len(data), validation_split)
    if n_train < need or len(data) - n_train < need:
        minimum = next(n for n in range(2 * need, 2**62) if min(
            _train_steps(n, validation_split), n - _train_steps(n, validation_split)) >= need)
        raise ShapeError(
            where=where, code="series_too_short",
            detail=f"a series of {len(data)} steps split {1 - validation_split:g}/"
                   f"{validation_split:g} leaves {n_train} and {len(data) - n_train} steps; "
                   f"each part needs timesteps + horizon = {need}",
            fix=f"use a series of at least {minimum} steps, or a smaller timesteps/horizon")
    x_train, y_train = _windows(data[:n_train], timesteps, horizon)
    x_val, y_val = _windows(data[n_train:], timesteps, horizon)
    return SineWindows(x_train, y_train, x_val, y_val)
