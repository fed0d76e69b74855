"""Annotated builders of LSTM models: one layer, a stack, a stateful stack; the parameter count."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lstm_shapes.builders.validate import (
    _fraction,
    _learning_rate,
    _positive_int,
    _units_tuple,
)

if TYPE_CHECKING:
    import keras


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
