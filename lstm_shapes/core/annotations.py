"""jaxtyping annotations for the tensors of a recurrent network.

``TensorLike`` covers NumPy arrays, eager and symbolic ``tf.Tensor``, ``tf.Variable`` and
Keras's symbolic ``KerasTensor`` (whose batch is ``None``).

>>> import numpy as np
>>> from lstm_shapes import LSTMInput, shape_checked
>>> @shape_checked
... def last_step(x: LSTMInput) -> Float[TensorLike, "batch features"]:
...     return x[:, -1, :]
>>> last_step(np.zeros((32, 10, 1), "float32")).shape
(32, 1)
"""

from __future__ import annotations

from typing import Union

import keras
import numpy as np
import tensorflow as tf
from jaxtyping import Float, Int, Shaped

TensorLike = Union[np.ndarray, tf.Tensor, tf.Variable, keras.KerasTensor]

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
