"""Which axis of the data is time? Facts read from the values, not from the shapes.

Two facts tell a time axis from the others:

* stride windows of one series overlap: when each row of ``rows`` (n, W) is the window
  after the previous one, ``rows[i, s:] == rows[i + 1, :W - s]`` (stride ``s``, usually 1);
  independent samples or feature vectors never repeat each other's values that way;
* consecutive values of a real series (or frame) are alike: the lag-1 autocorrelation
  along a time (or spatial) axis is high, along the sample axis of shuffled or independent
  samples it is near 0.

>>> import numpy as np
>>> s = np.sin(np.arange(60) * 0.3)
>>> rows = np.stack([s[i:i + 6] for i in range(40)])          # 40 windows of 6 steps
>>> window_stride(rows), window_stride(rows[np.random.default_rng(0).permutation(40)])
(1, 1)
>>> window_stride(np.random.default_rng(0).standard_normal((40, 6))) is None
True
>>> round(lag1(rows, axis=1), 2) > 0.8, abs(lag1(np.random.default_rng(1).random((40, 6)), 1)) < 0.3
(True, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

_ROWS = 4096  # rows a check reads: enough evidence, bounded cost
SMOOTH = 0.6  # lag-1 autocorrelation above which an axis is ordered like time or space
RANDOM = 0.25  # below which it is not


def _rows2d(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows)
    return rows.reshape(len(rows), -1)[:_ROWS].astype("float64", copy=False)


def window_stride(rows: np.ndarray, max_stride: int = 8) -> int | None:
    """The stride ``s`` when the rows (n, W) are stride-``s`` windows of one series.

    First in the rows' own order (``rows[i, s:] == rows[i + 1, :-s]`` for most ``i``), then
    shuffled (``rows[i, s:]`` is the start of SOME row): only for real-valued data, where
    W - s equal values in a row do not happen by chance. A row must also not be constant.
    """
    rows = _rows2d(rows)
    n, w = rows.shape
    if n < 3 or w < 3 or not np.isfinite(rows).all():
        return None
    moving = np.ptp(rows, axis=1) > 0  # a constant row (padding, zeros) proves nothing
    if moving.mean() < 0.5:
        return None
    for s in range(1, min(max_stride, w - 2) + 1):  # at least 2 shared values
        same = np.isclose(rows[:-1, s:], rows[1:, :-s], rtol=1e-6, atol=1e-9).all(axis=1)
        if (same & moving[:-1]).mean() >= 0.5:
            return s
    if np.allclose(rows, np.round(rows)):  # ids or counts: repeats happen by chance
        return None
    for s in range(1, min(max_stride, w - 2) + 1):
        starts = {r.tobytes() for r in np.round(rows[:, :-s], 6)}
        hits = sum(r.tobytes() in starts for r in np.round(rows[moving, s:], 6))
        if hits >= 0.5 * n:
            return s
    return None


def lag1(x: np.ndarray, axis: int) -> float:
    """How alike neighbours along ``axis`` are: 1 - E[(a[t+1] - a[t])^2] / (2 Var a).

    About 1 along a smooth series or image axis, about 0 for independent values (the
    variance is pooled over the samples for every other position, so short windows of a
    slow series still count as smooth; along the sample axis itself, over the samples).
    """
    x = np.asarray(x)
    axis %= x.ndim
    if x.shape[axis] < 3 or x.dtype.kind not in "biuf":
        return 0.0
    if axis == 0:
        x = x[:_ROWS]
    else:  # keep the cost bounded: enough samples for about a million values
        x = x[: max(2, 1_000_000 // max(1, int(np.prod(x.shape[1:]))))]
    x = np.moveaxis(x.astype("float64", copy=False), axis, -1)
    pool = (-1,) if axis == 0 else (0, -1)
    var = x.var(axis=pool)
    step = (np.diff(x, axis=-1) ** 2).mean(axis=pool)
    ok = np.isfinite(var) & (var > 0)
    if not ok.any():
        return 0.0
    return float(1.0 - (step[ok] / (2 * var[ok])).mean())


_KEEPS_VALUES = {"InputLayer", "Reshape", "Masking", "Dropout", "GaussianNoise",
                 "SpatialDropout1D", "Identity", "GaussianDropout", "AlphaDropout",
                 # elementwise or per-feature: every axis keeps what it holds
                 "Activation", "BatchNormalization", "LayerNormalization",
                 "ActivityRegularization"}


def reads_data(model: Any, layer: Any) -> Any:
    """The Reshape layer (or True) when ``layer``'s input holds the model input's values
    in their order (only reshapes, masks, dropout or elementwise layers between them: each
    axis still holds what it held in x); None if not.

    A window laid on the feature axis can only be SEEN in the data when the RNN reads it.
    """
    try:
        return _reads_data(model, layer)
    except (AttributeError, ValueError):  # a subclassed model: no graph to follow
        return None


def _reads_data(model: Any, layer: Any) -> Any:
    from lstm_shapes.core import keras_graph

    nodes = keras_graph.inbound_nodes(layer)
    slots = keras_graph.node_slots(nodes[0]) if len(nodes) == 1 else []
    if not slots or len(model.inputs or []) != 1:
        return None
    tensor, reshape = slots[0].tensor, True
    for _ in range(32):
        node = keras_graph.producer_node(tensor)
        op = keras_graph.producer(tensor)
        if op is None or node is None:
            return None
        kind = type(op).__name__
        if kind == "InputLayer" or not keras_graph.node_inputs(node):
            return reshape if tensor is model.inputs[0] else None
        if kind not in _KEEPS_VALUES:
            return None
        if kind == "Reshape":
            if reshape is not True:
                return None  # two reshapes: leave it
            reshape = op
        tensor = keras_graph.node_inputs(node)[0]
    return None


def same_values(src: tuple[int, ...], dst: tuple[int, ...]) -> bool:
    """Whether reshaping ``src`` to ``dst`` only adds or drops axes of size 1 (every value
    keeps its meaning); any other reshape re-deals the values onto other axes.

    >>> same_values((571, 24), (571, 24, 1)), same_values((571, 24), (571, 8, 3))
    (True, False)
    """
    return tuple(d for d in src if d != 1) == tuple(d for d in dst if d != 1)


def features_ordered(x: np.ndarray) -> bool:
    """Whether x (batch, steps, features) looks transposed: its feature axis is ordered like
    a series and its step axis is not (data laid out (batch, features, timesteps))."""
    return x.ndim == 3 and lag1(x, 2) >= SMOOTH and lag1(x, 1) <= RANDOM
