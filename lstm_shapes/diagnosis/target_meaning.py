"""What targets and outputs MEAN: the labels' encoding, the head's activation, the data's story.

Judged from values, never from shapes alone: one-hot rows are 0/1 rows summing to 1, ids are
non-negative whole numbers, a softmax head's outputs sum to 1. ``shifted_feature`` and
``next_values`` read the data to tell a per-step target (a shifted copy of a feature of x)
from a multi-step horizon (the next H values of the series after each window).

>>> import numpy as np
>>> label_kind(np.array([0, 2, 1, 2])), label_kind(np.eye(3)[[0, 2, 1]])
('ids', 'onehot')
>>> s = np.arange(40.0); x = np.stack([s[i:i + 5] for i in range(30)])[..., None]
>>> next_values(x, np.stack([s[i + 5:i + 8] for i in range(30)]))
0
>>> shifted_feature(x, np.stack([s[i + 1:i + 6] for i in range(30)]))
(0, 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

_SAMPLE = 512  # the encoding and the windows show in any few hundred rows


def label_kind(y: np.ndarray) -> str:
    """``onehot``, ``probabilities``, ``multihot``, ``binary``, ``ids`` or ``real``."""
    y = np.asarray(y[:_SAMPLE])
    if y.size == 0 or y.dtype.kind not in "biuf":
        return "real"
    whole = y.dtype.kind in "biu" or bool(np.all(np.equal(np.mod(y, 1), 0)))
    if y.ndim >= 2 and y.shape[-1] > 1 and y.min() >= 0 and y.max() <= 1:
        sums = y.sum(axis=-1)
        if np.allclose(sums, 1, atol=1e-3):
            return "onehot" if whole else "probabilities"
        if whole:
            return "multihot"
    if whole and y.min() >= 0 and (y.ndim == 1 or y.shape[-1] == 1 or y.ndim >= 2):
        return "binary" if y.max() <= 1 else "ids"
    return "real"


@dataclass(frozen=True)
class Head:
    """The layer that makes one output: its activation, width, and the RNN that feeds it."""

    layer: Any  # the producing layer (None for a subclassed model)
    activation: str  # "softmax", "sigmoid", "linear", ... ("" unknown)
    width: int | None
    rnn: Any  # the last RNN layer before the output (None if none is found)
    td: bool  # the head is wrapped in TimeDistributed


_PASS = ("Dropout", "Activation", "TimeDistributed", "Dense", "BatchNormalization",
         "LayerNormalization", "Flatten", "GaussianNoise", "SpatialDropout1D")


def head_of(model: Any, index: int) -> Head:
    """The head of output ``index``, read from the functional/Sequential graph."""
    from lstm_shapes.core.contracts import contract_of
    from lstm_shapes.core.keras_graph import producer, producer_node

    outputs = _outputs(model)
    if index >= len(outputs):
        return Head(None, "", None, None, False)
    tensor = outputs[index]
    layer = producer(tensor)
    width = tensor.shape[-1] if tensor.shape else None
    activation, td = _activation(layer), type(layer).__name__ == "TimeDistributed"
    rnn, current = None, tensor
    for _ in range(12):  # walk back through the head's plain layers to the RNN
        op = producer(current)
        if op is None:
            break
        if contract_of(op) is not None:
            rnn = op
            break
        if type(op).__name__ not in _PASS:
            break
        node = producer_node(current)
        inputs = list(node.input_tensors) if node is not None else []
        if len(inputs) != 1:
            break
        current = inputs[0]
    return Head(layer, activation, width, rnn, td)


def _outputs(model: Any) -> list[Any]:
    try:
        return list(model.outputs or [])
    except (AttributeError, ValueError):  # a subclassed model has no symbolic outputs
        return []


def _activation(layer: Any) -> str:
    if layer is None:
        return ""
    if type(layer).__name__ == "TimeDistributed":
        layer = layer.layer
    fn = getattr(layer, "activation", None)
    if fn is None:
        return "" if type(layer).__name__ not in ("Dense", "EinsumDense") else "linear"
    return getattr(fn, "__name__", "") or str(fn)


def values_say(y_pred: np.ndarray) -> str:
    """What the predicted values look like: ``distribution`` (rows of probabilities),
    ``probability`` (all in [0, 1]), ``constant_one`` or ``unbounded``."""
    p = np.asarray(y_pred, dtype="float64")
    if p.size == 0:
        return ""
    if p.ndim >= 2 and p.shape[-1] == 1 and np.allclose(p, 1.0):
        return "constant_one"
    if p.min() < 0 or p.max() > 1:
        return "unbounded"
    if p.ndim >= 2 and p.shape[-1] > 1 and np.allclose(p.sum(axis=-1), 1, atol=1e-4):
        return "distribution"
    return "probability"


def shifted_feature(x: np.ndarray, y: np.ndarray) -> tuple[int, int] | None:
    """(f, s) when ``y[i, t] == x[i, t + s, f]`` over the overlap (s in 0, 1): per-step."""
    if x.ndim != 3 or y.shape[0] != x.shape[0]:
        return None
    y2 = y[..., 0] if y.ndim == 3 and y.shape[-1] == 1 else y
    if y2.ndim != 2 or y2.shape[1] != x.shape[1] or x.shape[1] < 3:
        return None
    xs, ys = x[:_SAMPLE].astype("float64"), y2[:_SAMPLE].astype("float64")
    for s in (1, 0):
        for f in range(min(x.shape[2], 64)):
            a, b = ys[:, :x.shape[1] - s], xs[:, s:, f]
            if np.ptp(b) > 0 and np.allclose(a, b, atol=1e-5):
                return f, s
    return None


def next_values(x: np.ndarray, y: np.ndarray) -> int | None:
    """The feature f when ``y[i, h]`` is the series' value h+1 steps after window i ends.

    Needs stride-1 windows of one series (``x[i+1, t] == x[i, t+1]``): the value after
    window i is then the last value of window i+1.
    """
    if x.ndim != 3 or y.ndim != 2 or y.shape[0] != x.shape[0] or x.shape[0] < y.shape[1] + 4:
        return None
    xs, ys = x[:_SAMPLE].astype("float64"), y[:_SAMPLE].astype("float64")
    n, horizon = xs.shape[0], ys.shape[1]
    for f in range(min(x.shape[2], 64)):
        s = xs[:, :, f]
        if np.ptp(s) == 0 or not np.allclose(s[1:, :-1], s[:-1, 1:], atol=1e-5):
            continue
        after = s[:, -1]  # after[i + h + 1] == series[i + T + h]
        rows = n - horizon
        want = np.stack([after[h + 1:h + 1 + rows] for h in range(horizon)], axis=1)
        if np.allclose(ys[:rows], want, atol=1e-5):
            return f
    return None


def _steps_of(y: np.ndarray) -> np.ndarray | None:
    """y as (n, steps): a trailing axis of size 1 dropped; None for any other layout."""
    y2 = y[..., 0] if y.ndim == 3 and y.shape[-1] == 1 else y
    return y2 if y2.ndim == 2 and y2.shape[1] >= 3 and y2.shape[0] >= 4 else None


def rows_overlap(y: np.ndarray) -> bool:
    """Whether y's rows are stride-1 windows of ONE series (``y[i, 1:] == y[i+1, :-1]``):
    the values of a series cut after each window, as a horizon's targets are.

    >>> s = np.arange(30.0); rows_overlap(np.stack([s[i:i + 4] for i in range(20)]))
    True
    """
    y2 = _steps_of(np.asarray(y[:_SAMPLE]))
    if y2 is None or np.ptp(y2) == 0:
        return False
    y2 = y2.astype("float64")
    return bool(np.allclose(y2[:-1, 1:], y2[1:, :-1], atol=1e-5))


def steps_line_up(x: np.ndarray, y: np.ndarray) -> tuple[int, int, float] | None:
    """(f, s, r) when step t of y goes with step t+s of feature f of x (s in 0, 1): for
    most t, y[:, t] correlates (|r| on average) more with x[:, t+s, f] than with any other
    step of x. Targets per step line up with the steps; a horizon's values (which come
    after the window) correlate most with the window's last steps, whatever t is.

    >>> r = np.random.default_rng(0); x = r.normal(size=(200, 6, 2))
    >>> steps_line_up(x, 3 * x[..., 1] + r.normal(size=(200, 6)))[:2]
    (1, 0)
    """
    y2 = _steps_of(np.asarray(y))
    if x.ndim != 3 or y2 is None or y2.shape[1] != x.shape[1] or y2.shape[0] != x.shape[0] \
            or x.shape[0] < 16:
        return None
    steps = x.shape[1]
    ys = y2[:_SAMPLE].astype("float64")
    ys = ys - ys.mean(axis=0)
    ys /= np.where(ys.std(axis=0) > 0, ys.std(axis=0), np.inf)
    best = None
    for f in range(min(x.shape[2], 64)):
        xs = x[:_SAMPLE, :, f].astype("float64")
        xs = xs - xs.mean(axis=0)
        xs /= np.where(xs.std(axis=0) > 0, xs.std(axis=0), np.inf)
        corr = np.abs(ys.T @ xs) / len(ys)  # corr[t, t'] of y[:, t] with x[:, t', f]
        for s in (0, 1):
            rows = np.arange(steps - s)
            on = corr[rows, rows + s]
            hits = np.mean(np.argmax(corr[rows], axis=1) == rows + s)
            if hits >= 0.8 and on.mean() >= 0.3 and (best is None or on.mean() > best[2]):
                best = (f, s, float(on.mean()))
    return best
