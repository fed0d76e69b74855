"""layouts.input_axes: what each axis a layer reads means, checked against Keras's ranks."""

from __future__ import annotations

import keras
import pytest

from lstm_shapes.diagnosis.layouts import input_axes

L = keras.layers
SEQ = ("batch", "time", "features")


@pytest.mark.parametrize(("layer", "axes"), [
    (L.LSTM(3), SEQ),
    (L.RNN(L.GRUCell(3)), SEQ),
    (L.Bidirectional(L.SimpleRNN(2)), SEQ),
    (L.Bidirectional(L.ConvLSTM2D(2, 3)), ("batch", "time", "height", "width", "channels")),
    (L.ConvLSTM1D(2, 3), ("batch", "time", "width", "channels")),
    (L.ConvLSTM2D(2, 3), ("batch", "time", "height", "width", "channels")),
    (L.ConvLSTM2D(2, 3, data_format="channels_first"),
     ("batch", "time", "channels", "height", "width")),
    (L.ConvLSTM3D(2, 3), ("batch", "time", "depth", "height", "width", "channels")),
    (L.Conv1D(2, 3), ("batch", "time", "channels")),
    (L.MaxPooling1D(), ("batch", "time", "channels")),
    (L.Conv2D(2, 3, data_format="channels_first"), ("batch", "channels", "height", "width")),
    (L.GlobalAveragePooling2D(), ("batch", "height", "width", "channels")),
    (L.TimeDistributed(L.Conv2D(4, 3)), ("batch", "time", "height", "width", "channels")),
    (L.TimeDistributed(L.Conv1D(4, 3)), ("batch", "time", "steps", "channels")),
    (L.TimeDistributed(L.LSTM(4)), ("batch", "time", "steps", "features")),
    (L.Embedding(10, 2), ("batch", "time")),
    (L.Attention(), SEQ),
    (L.Dense(3), None),
    (L.TimeDistributed(L.Dense(3)), None),
    (L.Flatten(), None),
])
def test_input_axes_name_every_axis_the_layer_reads(layer, axes) -> None:
    assert input_axes(layer) == axes


@pytest.mark.parametrize("layer", [L.LSTM(3), L.ConvLSTM2D(2, 3), L.Conv1D(2, 3),
                                   L.TimeDistributed(L.Conv2D(4, 3)), L.ConvLSTM1D(2, 3)])
def test_the_rank_is_the_rank_keras_accepts(layer) -> None:
    """A tensor of the layout's rank builds; one axis fewer is refused by Keras itself."""
    rank = len(input_axes(layer))
    layer.__class__.from_config(layer.get_config())(keras.Input((6,) * (rank - 1)))
    with pytest.raises((ValueError, TypeError)):
        layer.__class__.from_config(layer.get_config())(keras.Input((6,) * (rank - 2)))
