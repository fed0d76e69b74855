"""When unmasked padding certainly harms: the loss scores steps the targets call padding, or
the model reads the one step that is padding by construction.

Many working models feed zero-padded ids to an RNN with no mask (Keras's own IMDB and
seq2seq examples do): the RNN learns to pass over the zeros, so padding that reaches an
RNN unmasked is a judgement. It is a certainty when

* the per-step targets MARK the padded steps (all-zero rows, or a tag that occurs at the
  padded steps and nowhere else): the user knows these steps are padding, yet the loss and
  the metrics score them (``accuracy rewards guessing where the padding is``);
* the model takes the LAST step of an RNN's sequence by hand (``t[:, -1]``) on post-padded
  rows: for every padded row that step is padding, not the last word.

>>> import numpy as np
>>> steps = np.array([[False, False, True], [False, False, False]])
>>> y = np.eye(3)[[[1, 2, 0], [2, 1, 1]]]
>>> marks_padding(y, steps)
True
>>> marks_padding(np.eye(3)[[[1, 0, 0], [2, 1, 1]]], steps)  # tag 0 is a real tag too
False
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_shapes.core import keras_graph


def marks_padding(y: Any, steps: np.ndarray) -> bool:
    """Do the per-step targets ``y`` (rows, timesteps, ...) hold one value at every padded
    step (``steps``) that they hold at no real step?"""
    if not isinstance(y, np.ndarray) or y.ndim < 2 or y.shape[:2] != steps.shape:
        return False
    if not steps.any() or steps.all():
        return False
    values = y.reshape(steps.shape[0], steps.shape[1], -1)
    padded, real = values[steps], values[~steps]
    if not np.all(padded == padded[0]):
        return False
    return not bool(np.all(real == padded[0], axis=-1).any())


def last_step_taken(model: Any, rnn_output: Any, x: Any) -> str:
    """The name of a call that takes the last step of ``rnn_output`` (batch, steps, units),
    judged by Keras's values on ``x`` (``out == seq[:, -1]``), or ""."""
    import keras

    if rnn_output is None or len(rnn_output.shape) != 3:
        return ""
    readers = keras_graph.tensor_readers(keras_graph.model_nodes(model))
    for layer, _ in readers.get(id(rnn_output), []):
        for node in keras_graph.inbound_nodes(layer):
            outputs = keras_graph.node_outputs(node)
            inputs = [s.tensor for s in keras_graph.node_slots(node)]
            if len(outputs) != 1 or len(inputs) != 1 or inputs[0] is not rnn_output or \
                    len(outputs[0].shape) != 2:
                continue
            try:
                seq, out = keras.Model(model.inputs, [rnn_output, outputs[0]])(
                    x, training=False)
            except Exception:  # noqa: BLE001, S112 - not computable alone: no evidence
                continue
            seq, out = np.asarray(seq), np.asarray(out)
            if out.shape == seq[:, -1].shape and np.allclose(out, seq[:, -1]) and \
                    not np.allclose(seq[:, -1], seq[:, 0]):
                return layer.name
    return ""


def rnn_output(call: Any) -> Any:
    """The sequence an RNN call returns (its first output), from its graph node."""
    for node in keras_graph.inbound_nodes(call.layer):
        if any(s.tensor is call.rnn_input for s in keras_graph.node_slots(node)):
            outputs = keras_graph.node_outputs(node)
            return outputs[0] if outputs else None
    return None
