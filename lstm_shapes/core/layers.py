"""``ExpectShape``: a pass-through Keras layer that asserts named dims inside a model.

Importing this module registers the layer with Keras (``"lstm_shapes>ExpectShape"``), so a
saved model loads; ``lstm_shapes.core.registration`` imports it right after ``import keras``.
TensorFlow is imported at the first call only, so that registration stays cheap.
"""

from __future__ import annotations

import keras

from lstm_shapes.core.checking import _ArraySpec, _preset, check_value
from lstm_shapes.core.dims import dim_names, parse_spec
from lstm_shapes.core.errors import ShapeError


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
        import tensorflow as tf

        self._check(inputs)
        if tf.executing_eagerly():
            return inputs
        return self._runtime_check(inputs)

    def _runtime_check(self, inputs):
        """Assert fixed dims that the traced graph leaves unknown.

        ``tf.function`` relaxes a retraced shape to ``None`` (``reduce_retracing``), so a
        second ``fit`` on other timesteps would otherwise pass unseen.
        """
        import tensorflow as tf

        dims = self._array.dims
        if any(d.variadic for d in dims):
            return inputs
        static = tuple(inputs.shape)
        asserts = []
        for axis, dim in enumerate(dims):
            size = dim.size if dim.name is None else (
                dim.factor * self._bindings[dim.name].size if dim.name in self._bindings
                else None)
            if size is None or axis >= len(static) or static[axis] is not None:
                continue
            message = str(ShapeError(
                where=self._where, expected=dim_names(dims), actual=static,
                bindings=self._bindings, code="input_shape_data_mismatch",
                detail=f"at run time axis {axis} ({dim.text}) is not {size}",
                fix=f"feed data whose axis {axis} has {size} entries, or change the spec"))
            asserts.append(tf.debugging.assert_equal(tf.shape(inputs)[axis], size,
                                                     message=message))
        if not asserts:
            return inputs
        with tf.control_dependencies(asserts):
            return tf.identity(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "spec": self.spec, "dims": dict(self.dims)}
