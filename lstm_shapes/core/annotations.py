"""jaxtyping annotations for the tensors of a recurrent network.

``TensorLike`` covers NumPy arrays, eager and symbolic ``tf.Tensor``, ``tf.Variable`` and
Keras's symbolic ``KerasTensor`` (whose batch is ``None``): anything with a ``shape`` and a
``dtype``. It is a protocol, not a union of their classes, so that annotating a function
(the NumPy reference LSTM, the sine windows) never imports TensorFlow.

>>> import numpy as np
>>> from lstm_shapes import LSTMInput, shape_checked
>>> @shape_checked
... def last_step(x: LSTMInput) -> Float[TensorLike, "batch features"]:
...     return x[:, -1, :]
>>> last_step(np.zeros((32, 10, 1), "float32")).shape
(32, 1)
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from jaxtyping import Float, Int, Shaped


@runtime_checkable
class TensorLike(Protocol):
    """An array or tensor: NumPy, TensorFlow (eager, symbolic, Variable) or a KerasTensor."""

    shape: Any
    dtype: Any


LSTMInput = Float[TensorLike, "batch timesteps features"]
HiddenState = Float[TensorLike, "batch units"]
CellState = Float[TensorLike, "batch units"]
LastOutput = Float[TensorLike, "batch units"]
SequenceOutput = Float[TensorLike, "batch timesteps units"]
Targets = Float[TensorLike, "batch horizon"]
Series = Float[TensorLike, "steps"]

__all__ = [
    "CellState", "Float", "HiddenState", "Int", "LSTMInput", "LastOutput", "SequenceOutput",
    "Series", "Shaped", "Targets", "TensorLike",
]
