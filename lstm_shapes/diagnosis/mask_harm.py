"""Does a dropped mask do harm on THIS data? Keras's own mask, computed on the user's rows.

A mask that a layer drops (Flatten, Conv1D, pooling, a Lambda) hid some steps from the
layers above it; below the drop every step counts: Flatten turns the padded steps into
features of the head, Conv1D and global pooling mix them into the real ones, a per-step
loss scores them. The harm is certain when the mask Keras computes for the dropping layer's
input, on the user's rows, is False somewhere (the data really has steps the mask hides),
unless a layer below takes the hiding up again by hand: it reads, next to the dropped
path, a boolean per-step tensor computed from the same inputs (a mask made with
``ops.not_equal(ids, 0)`` and applied with ``ops.where``).

>>> import keras, numpy as np
>>> i = keras.Input((5,)); e = keras.layers.Embedding(9, 4, mask_zero=True)(i)
>>> flat = keras.layers.Flatten(name="flat")
>>> model = keras.Model(i, keras.layers.Dense(1)(flat(e)))
>>> ids = np.array([[3, 4, 0, 0, 0], [1, 2, 5, 0, 0]])
>>> hides_steps(model, flat, ids), reapplied(model, flat, ids)
(True, False)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_shapes.core import keras_graph


def _io(layer: Any) -> tuple[Any, list[Any]] | None:
    """The dropping call's input tensor and its outputs (its first call)."""
    node = next(iter(keras_graph.inbound_nodes(layer)), None)
    if node is None:
        return None
    inputs = [s.tensor for s in keras_graph.node_slots(node) if s.argument == "input"]
    masked = [t for t in inputs if keras_graph.keras_mask(t) is not None]
    return (masked[0], keras_graph.node_outputs(node)) if masked else None


def hides_steps(model: Any, layer: Any, x: Any) -> bool:
    """Is the mask reaching ``layer`` False anywhere on the rows ``x``? (Keras computes it.)"""
    import keras

    io = _io(layer)
    if io is None:
        return False
    try:
        probe = keras.Model(model.inputs, keras_graph.keras_mask(io[0]))
        value = np.asarray(probe(x, training=False))
    except Exception:  # noqa: BLE001 - a mask Keras cannot compute alone: no evidence
        return False
    return bool(value.size) and not bool(value.astype(bool).all())


def _is_mask(model: Any, tensor: Any, steps: Any, x: Any) -> bool:
    """A (batch, steps) tensor whose values on ``x`` are 0/1 with some 0: a hand-made mask
    (a Lambda's declared dtype is not to be trusted, so the values decide)."""
    import keras

    if len(tensor.shape) != 2 or tensor.shape[1] != steps:
        return False
    try:
        value = np.asarray(keras.Model(model.inputs, tensor)(x, training=False))
    except Exception:  # noqa: BLE001 - not computable from the inputs alone
        return False
    return bool(np.isin(value, (0, 1)).all()) and not bool(value.all())


def reapplied(model: Any, layer: Any, x: Any) -> bool:
    """Does a call below ``layer`` combine its path with a per-step 0/1 tensor computed from
    the inputs (a mask rebuilt by hand), so the padded steps are hidden again?"""
    io = _io(layer)
    if io is None:
        return False
    steps = io[0].shape[1] if len(io[0].shape) > 1 else None
    readers = keras_graph.tensor_readers(keras_graph.model_nodes(model))
    below, todo, seen = set(), list(io[1]), set()
    while todo:
        tensor = todo.pop()
        below.add(id(tensor))
        for reader, _ in readers.get(id(tensor), []):
            for node in keras_graph.inbound_nodes(reader):
                if id(node) in seen:
                    continue
                slots = keras_graph.node_slots(node)
                if not any(id(s.tensor) in below for s in slots):
                    continue
                seen.add(id(node))
                others = [s.tensor for s in slots if id(s.tensor) not in below]
                if any(_is_mask(model, t, steps, x) for t in others):
                    return True
                todo += keras_graph.node_outputs(node)
    return False
