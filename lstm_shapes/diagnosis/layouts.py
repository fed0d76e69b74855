"""What each axis of a layer's input means, by layer kind: the axes the layer *reads*.

A recurrent layer reads ``(batch, time, features)``; ``ConvLSTM2D`` reads ``(batch, time,
height, width, channels)`` (channels second with ``data_format="channels_first"``);
``TimeDistributed(inner)`` reads ``(batch, time, *what inner reads without its batch)``. The
diagnosis compares these with what the axes of the tensor handed in really mean.

>>> import keras
>>> input_axes(keras.layers.TimeDistributed(keras.layers.Conv2D(4, 3)))
('batch', 'time', 'height', 'width', 'channels')
>>> input_axes(keras.layers.LSTM(8))
('batch', 'time', 'features')
>>> input_axes(keras.layers.Dense(3)) is None  # any rank: (batch, ..., features)
True
"""

from __future__ import annotations

import re
from typing import Any

_SPATIAL = {1: ("width",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def _kinds(layer: Any) -> list[str]:
    """Class names of ``layer``'s Keras ancestry, nearest first (subclasses count)."""
    return [cls.__name__ for cls in type(layer).__mro__]


def _rank_of(layer: Any) -> int | None:
    """1, 2 or 3 for a Keras layer named ``...1D``/``...2D``/``...3D`` (Conv2D,
    MaxPooling1D, ZeroPadding3D, ConvLSTM2D, Conv1DTranspose, ...), else None."""
    rank = getattr(layer, "rank", None)
    if isinstance(rank, int):
        return rank
    for cls in type(layer).__mro__:
        m = re.search(r"([123])D(Transpose)?$", cls.__name__)
        if m and cls.__module__.startswith("keras."):
            return int(m.group(1))
    return None


def _channels(spatial: tuple[str, ...], layer: Any, *lead: str) -> tuple[str, ...]:
    first = getattr(layer, "data_format", "channels_last") == "channels_first"
    return (*lead, "channels", *spatial) if first else (*lead, *spatial, "channels")


def input_axes(layer: Any) -> tuple[str, ...] | None:
    """The meaning of each axis ``layer`` reads in its (first) input, or None when it
    reads any rank (Dense, Dropout, activations, ...) or is not known."""
    kinds = _kinds(layer)
    if "TimeDistributed" in kinds:
        inner = input_axes(getattr(layer, "layer", None))  # its time: steps inside one
        return ("batch", "time", *(("steps" if a == "time" else a) for a in inner[1:])) \
            if inner else None
    if "Bidirectional" in kinds:  # reads what the layer it wraps reads
        return input_axes(getattr(layer, "forward_layer", None)) or ("batch", "time", "features")
    if "ConvLSTM" in kinds:
        n = _rank_of(layer)
        return _channels(_SPATIAL[n], layer, "batch", "time") if n in _SPATIAL else None
    if "RNN" in kinds or "Bidirectional" in kinds:
        return ("batch", "time", "features")
    if "Embedding" in kinds:
        return ("batch", "time")  # ids; Keras takes any rank, a sequence model reads this
    n = _rank_of(layer)
    if n == 1:  # Conv1D, pooling, padding, cropping: the steps of a sequence
        return _channels(("time",), layer, "batch")
    if n in _SPATIAL:
        return _channels(_SPATIAL[n], layer, "batch")
    if any(k in kinds for k in ("Attention", "AdditiveAttention", "MultiHeadAttention")):
        return ("batch", "time", "features")
    return None
