"""A NumPy LSTM that reproduces ``keras.layers.LSTM``: one cell, unrolled over timesteps.

Keras 3 defaults: gates in the order input, forget, cell candidate, output along the
``4*units`` axis; ``sigmoid`` for the gates (recurrent activation), ``tanh`` for the cell
candidate and the output.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> x = rng.normal(size=(32, 10, 1)).astype("float32")        # (batch, timesteps, features)
>>> kernel = rng.normal(size=(1, 4 * 50)).astype("float32")  # (features, 4*units)
>>> recurrent = rng.normal(size=(50, 4 * 50)).astype("float32")  # (units, 4*units)
>>> bias = np.zeros(4 * 50, "float32")                       # (4*units,)
>>> sequence, h, c = lstm_unroll(x, kernel, recurrent, bias)
>>> sequence.shape, h.shape, c.shape
((32, 10, 50), (32, 50), (32, 50))
>>> bool(np.allclose(sequence[:, -1], h))                    # the last output is h
True
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from lstm_shapes.core.annotations import (
    CellState,
    Float,
    HiddenState,
    LSTMInput,
    SequenceOutput,
    TensorLike,
)
from lstm_shapes.core.checking import shape_checked

StepInput = Float[TensorLike, "batch features"]
Kernel = Float[TensorLike, "features 4*units"]
RecurrentKernel = Float[TensorLike, "units 4*units"]
Bias = Float[TensorLike, "4*units"]


def _array(value: Any) -> np.ndarray:
    return np.asarray(value, dtype="float64")  # float64: the reference is the exact side


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + exp(-z)), without overflow


def _step(x_t, h, c, kernel, recurrent_kernel, bias):
    z = x_t @ kernel + h @ recurrent_kernel + bias
    i, f, g, o = np.split(z, 4, axis=-1)
    c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    h = _sigmoid(o) * np.tanh(c)
    return h, c


def _dtype(*values: Any) -> np.dtype:
    """The float dtype of the result: that of the inputs (float32 for TF float32 tensors)."""
    names = []
    for v in values:
        dtype = getattr(v, "dtype", "float32")
        names.append(dtype if isinstance(dtype, str) else getattr(dtype, "name", "float32"))
    return np.result_type(*(np.dtype(n) for n in names))


@shape_checked
def lstm_step(
    x_t: StepInput,
    h: HiddenState,
    c: CellState,
    kernel: Kernel,
    recurrent_kernel: RecurrentKernel,
    bias: Bias,
) -> tuple[HiddenState, CellState]:
    """One step of the LSTM cell: ``(x_t, h, c) -> (h, c)``.

    ``z = x_t @ kernel + h @ recurrent_kernel + bias`` is split into the gates i, f, g, o;
    ``c = sigmoid(f) * c + sigmoid(i) * tanh(g)`` and ``h = sigmoid(o) * tanh(c)``.

    >>> x_t, h = np.ones((4, 3), "float32"), np.zeros((4, 8), "float32")
    >>> h, c = lstm_step(x_t, h, h, np.zeros((3, 32), "float32"),
    ...                  np.zeros((8, 32), "float32"), np.zeros(32, "float32"))
    >>> h.shape, c.shape
    ((4, 8), (4, 8))

    Raises:
        ShapeError: a tensor does not fit the others (e.g. a kernel that is not
            ``(features, 4*units)``).
    """
    dtype = _dtype(x_t, kernel)
    h, c = _step(*map(_array, (x_t, h, c, kernel, recurrent_kernel, bias)))
    return h.astype(dtype), c.astype(dtype)


@shape_checked
def lstm_unroll(
    x: LSTMInput,
    kernel: Kernel,
    recurrent_kernel: RecurrentKernel,
    bias: Bias,
    h0: Optional[HiddenState] = None,
    c0: Optional[CellState] = None,
) -> tuple[SequenceOutput, HiddenState, CellState]:
    """Run one LSTM cell over every timestep of ``x``; return ``(sequence, h, c)``.

    ``sequence`` is what ``LSTM(units, return_sequences=True)`` outputs,
    ``(batch, timesteps, units)``; ``h`` and ``c`` are the last states, ``(batch, units)``
    (what ``return_state=True`` adds). ``h0`` and ``c0`` default to zeros, as in Keras.

    Raises:
        ShapeError: a weight or state does not fit ``x`` (e.g. ``h0`` with other units).
    """
    xs = _array(x)
    weights = [_array(w) for w in (kernel, recurrent_kernel, bias)]
    batch, units = xs.shape[0], weights[1].shape[0]
    h = np.zeros((batch, units)) if h0 is None else _array(h0)
    c = np.zeros((batch, units)) if c0 is None else _array(c0)
    outputs = np.empty((batch, xs.shape[1], units))
    for t in range(xs.shape[1]):
        h, c = _step(xs[:, t, :], h, c, *weights)
        outputs[:, t, :] = h
    dtype = _dtype(x, kernel)
    return outputs.astype(dtype), h.astype(dtype), c.astype(dtype)
