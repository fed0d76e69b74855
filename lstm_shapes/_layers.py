"""``ExpectShape``: a pass-through Keras layer that asserts named dims inside a model."""

from __future__ import annotations

import keras

from ._checking import _ArraySpec, _preset, check_value
from ._dims import parse_spec


@keras.saving.register_keras_serializable(package="lstm_shapes")
class ExpectShape(keras.layers.Layer):
    """Assert a tensor's named axes where it flows through a model; pass it on unchanged.

    The check runs when the model is built (symbolic shapes, ``None`` batch), when
    ``fit``/``predict`` trace the graph, and at every eager call.

    Args:
        spec: the axes, e.g. ``"batch timesteps units"``.
        **dims: sizes to fix, e.g. ``units=50``.

    >>> import keras
    >>> inputs = keras.Input((10, 1))
    >>> seq = keras.layers.LSTM(50, return_sequences=True)(inputs)
    >>> ExpectShape("batch timesteps units", units=50, timesteps=10)(seq).shape
    (None, 10, 50)
    """

    def __init__(self, spec: str, *, name: str | None = None, dims: dict | None = None,
                 **kwargs):
        layer_kwargs = {k: kwargs.pop(k) for k in ("trainable", "dtype", "autocast")
                        if k in kwargs}
        super().__init__(name=name, **layer_kwargs)
        self.spec = spec
        self.dims = {**(dims or {}), **kwargs}
        self._array = _ArraySpec(parse_spec(spec), None, "Shaped")
        self._where = f"ExpectShape '{self.name}' input"
        self._bindings = _preset(self.dims, self._where)
        self.supports_masking = True

    def _check(self, value) -> None:
        check_value(value, self._array, dict(self._bindings), self._where, arg="tensor")

    def build(self, input_shape):
        self._check(keras.KerasTensor(input_shape))
        super().build(input_shape)

    def call(self, inputs):
        self._check(inputs)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "spec": self.spec, "dims": dict(self.dims)}
