"""Per-step targets that ARE an input: the model is taught to copy, not to predict.

Teacher forcing (a seq2seq decoder, a next-token model) feeds step t of a sequence and
scores the prediction against step t+1: ``decoder_target[:, t] == decoder_input[:, t+1]``.
When the targets equal the input step for step, and the output at step t is computed from
the input at step t along a per-step path (no axis that drops time in between), the loss
rewards the identity: the model learns to copy the token it is given.

A sequence autoencoder is not this mistake: its output is rebuilt from a bottleneck (an
RNN's last state, repeated), so no per-step path joins input and output. A single-input
model that rebuilds its input step by step may be meant as one: a warning; next to another
input (an encoder's), the copied input is a decoder input, and the finding is an error.

>>> import keras, numpy as np
>>> i = keras.Input((6, 4)); out = keras.layers.LSTM(4, return_sequences=True)(i)
>>> x = np.eye(4)[np.random.default_rng(0).integers(0, 4, (20, 6))]
>>> model = keras.Model(i, out)
>>> [(f.code, f.severity) for f in copy_findings(model, [x], x)]
[('window_misalignment', 'warning')]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_shapes.core import keras_graph
from lstm_shapes.diagnosis.findings import Finding

_SAMPLE = 256


def _per_step_inputs(model: Any) -> set[int]:
    """ids of the model inputs joined to the (single) output by a path of tensors that all
    keep a time axis (rank >= 3, or the input's own (batch, steps) ids)."""
    try:
        outputs, inputs = list(model.outputs), list(model.inputs)
    except (AttributeError, ValueError):
        return set()
    if len(outputs) != 1 or len(outputs[0].shape) < 3:
        return set()
    steps = outputs[0].shape[1]
    wanted = {id(t) for t in inputs}
    found, todo, seen = set(), [outputs[0]], set()
    while todo:
        tensor = todo.pop()
        if id(tensor) in seen:
            continue
        seen.add(id(tensor))
        if id(tensor) in wanted:
            found.add(id(tensor))
            continue
        node = keras_graph.producer_node(tensor)
        if node is None:
            continue
        for slot in keras_graph.node_slots(node):
            shape = slot.tensor.shape
            if slot.argument == "input" and len(shape) >= 2 and shape[1] == steps and (
                    len(shape) >= 3 or id(slot.tensor) in wanted):
                todo.append(slot.tensor)
    return found


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """``a`` and ``b`` hold the same step values (ids against ids or one-hot rows)."""
    a, b = a[:_SAMPLE], b[:_SAMPLE]
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if b.ndim == 3 and b.shape[-1] == 1:
        b = b[..., 0]
    if a.shape != b.shape or a.size == 0 or np.ptp(a) == 0:
        return False
    return bool(np.array_equal(a, b))


def copy_findings(model: Any, arrays: list[np.ndarray], y: Any) -> list[Finding]:
    """A ``window_misalignment`` finding when the one target array equals a per-step input."""
    if not isinstance(y, np.ndarray) or y.ndim < 2 or not arrays:
        return []
    direct = _per_step_inputs(model)
    if not direct:
        return []
    for j, (x, declared) in enumerate(zip(arrays, model.inputs)):
        if id(declared) not in direct or not isinstance(x, np.ndarray) or len(x) != len(y):
            continue
        if not _same(x, y):
            continue
        name = "x" if len(arrays) == 1 else f"x[{j}]"
        # next to other inputs (an encoder's), this input exists to feed the targets one
        # step late: certain; a lone input rebuilt step by step may be a (per-step)
        # autoencoder on purpose: a judgement
        severity = "error" if len(arrays) > 1 else "warning"
        return [Finding("window_misalignment", "targets y", f"y equals {name} step for "
                        f"step, and the output at step t reads {name} at step t: the loss "
                        "rewards copying the input, not predicting the next step",
                        f"targets one step ahead of the inputs: {name} = seq[:, :-1] and "
                        "y = seq[:, 1:] (teacher forcing)", severity)]
    return []
