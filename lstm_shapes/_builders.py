"""Builders for the sine task: windowed data and compiled LSTM models with the right shapes.

>>> w = sine_windows(timesteps=10)
>>> w.x_train.shape, w.y_train.shape, w.x_val.shape, w.y_val.shape
((790, 10, 1), (790, 1), (190, 10, 1), (190, 1))
>>> lstm_param_count(50, 1)
10400
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any, NamedTuple, Optional

import numpy as np

from ._annotations import Float, LSTMInput, Series, Targets, TensorLike
from ._checking import shape_checked
from ._errors import ShapeError

if TYPE_CHECKING:
    import keras

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


def lstm_param_count(units: int, features: int) -> int:
    """Trainable parameters of one LSTM layer: ``4 * (units * (features + units) + units)``.

    Four gates (input, forget, cell, output), each with a kernel ``(features, units)``, a
    recurrent kernel ``(units, units)`` and a bias ``(units,)``. The count does not depend on
    the number of timesteps: one cell is unrolled over all of them.

    >>> lstm_param_count(50, 1), lstm_param_count(50, 50)
    (10400, 20200)
    """
    units = _positive_int("units", units)
    features = _positive_int("features", features)
    return 4 * (units * (features + units) + units)


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


def _compile(model: keras.Model, learning_rate: float) -> keras.Model:
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss="mse")
    return model


def build_lstm(
    units: int,
    *,
    timesteps: int,
    features: int = 1,
    outputs: int = 1,
    return_sequences: bool = False,
    dropout: float = 0.0,
    recurrent_dropout: float = 0.0,
    learning_rate: float = 1e-3,
) -> keras.Model:
    """One LSTM and a Dense head, compiled with MSE + Adam.

    Input ``(batch, timesteps, features)``; output ``(batch, outputs)``, or
    ``(batch, timesteps, outputs)`` with ``return_sequences=True`` (one prediction per step).

    >>> build_lstm(16, timesteps=10).output.shape
    (None, 1)

    Raises:
        ValueError: a size that is not a positive integer, a dropout outside [0, 1), a
            learning rate that is not positive.
    """
    import keras

    units = _positive_int("units", units)
    timesteps = _positive_int("timesteps", timesteps)
    features = _positive_int("features", features)
    outputs = _positive_int("outputs", outputs)
    if not isinstance(return_sequences, bool):
        raise ValueError("Expected return_sequences to be True or False. "
                         f"Received: return_sequences={return_sequences!r}")
    dropout = _fraction("dropout", dropout, low_open=False)
    recurrent_dropout = _fraction("recurrent_dropout", recurrent_dropout, low_open=False)
    learning_rate = _learning_rate(learning_rate)
    x = keras.Input((timesteps, features), name="x")
    h = keras.layers.LSTM(units, return_sequences=return_sequences, dropout=dropout,
                          recurrent_dropout=recurrent_dropout, name="lstm")(x)
    y = keras.layers.Dense(outputs, name="head")(h)
    return _compile(keras.Model(x, y, name="lstm_model"), learning_rate)


def build_stacked_lstm(
    units: Sequence[int] = (50, 50),
    *,
    timesteps: int = 10,
    features: int = 1,
    outputs: int = 1,
    dropout: float = 0.0,
    recurrent_dropout: float = 0.0,
    learning_rate: float = 1e-3,
) -> keras.Model:
    """Stacked LSTMs (one per entry of ``units``) and a Dense head, compiled with MSE + Adam.

    Every LSTM but the last gets ``return_sequences=True``: the next LSTM needs the whole
    ``(batch, timesteps, units)`` sequence, while the head needs the last ``(batch, units)``.

    >>> model = build_stacked_lstm((50, 50), timesteps=10)
    >>> [(layer.name, layer.output.shape) for layer in model.layers[1:]]
    [('lstm_1', (None, 10, 50)), ('lstm_2', (None, 50)), ('head', (None, 1))]

    Raises:
        ValueError: as for ``build_lstm``; ``units`` must be a non-empty sequence.
    """
    import keras

    units = _units_tuple(units)
    timesteps = _positive_int("timesteps", timesteps)
    features = _positive_int("features", features)
    outputs = _positive_int("outputs", outputs)
    dropout = _fraction("dropout", dropout, low_open=False)
    recurrent_dropout = _fraction("recurrent_dropout", recurrent_dropout, low_open=False)
    learning_rate = _learning_rate(learning_rate)
    x = h = keras.Input((timesteps, features), name="x")
    for i, u in enumerate(units):
        h = keras.layers.LSTM(u, return_sequences=i < len(units) - 1, dropout=dropout,
                              recurrent_dropout=recurrent_dropout, name=f"lstm_{i + 1}")(h)
    y = keras.layers.Dense(outputs, name="head")(h)
    return _compile(keras.Model(x, y, name="stacked_lstm"), learning_rate)


def build_stateful_lstm(
    units: int,
    *,
    batch_size: int,
    timesteps: int,
    features: int = 1,
    outputs: int = 1,
    learning_rate: float = 1e-3,
) -> keras.Model:
    """A stateful LSTM (h and c kept across batches) with a fixed batch size.

    Fit it with the same ``batch_size`` and ``shuffle=False`` on a number of samples that
    ``batch_size`` divides; call ``model.get_layer("lstm").reset_state()`` between passes
    over the series.

    >>> build_stateful_lstm(8, batch_size=4, timesteps=10).input.shape
    (4, 10, 1)

    Raises:
        ValueError: as for ``build_lstm``.
    """
    import keras

    units = _positive_int("units", units)
    batch_size = _positive_int("batch_size", batch_size)
    timesteps = _positive_int("timesteps", timesteps)
    features = _positive_int("features", features)
    outputs = _positive_int("outputs", outputs)
    learning_rate = _learning_rate(learning_rate)
    x = keras.Input(batch_shape=(batch_size, timesteps, features), name="x")
    h = keras.layers.LSTM(units, stateful=True, name="lstm")(x)
    y = keras.layers.Dense(outputs, name="head")(h)
    return _compile(keras.Model(x, y, name="stateful_lstm"), learning_rate)
