"""An RNN handed a tensor of the wrong rank, explained by what the tensor IS.

The same Keras message ("expected ndim=3, found ndim=2") comes from data without a feature
axis, from a Dense/Flatten/pooling/Lambda that removed (or never had) the time axis, and
from 2-D data against a declared ``(T, F)``. Only the first is fixed by reshaping the data:

* ``(batch, 16)`` made by ``Dense(16)`` after ``Input((20,))``: the model never had time;
  reshaping x with the Dense's width scrambles the samples. The fix is model-level
  (``Input((20, 1))``, the Dense then acts on each step), printed only if that model builds.
* ``(batch, 120)`` made by ``Flatten`` from ``(batch, 30, 4)``: Flatten removed time; the
  fix drops it, printed only if the layers after it build on ``(batch, 30, 4)``.
* 2-D data ``(n, K)`` against ``Input((T, F))`` (Keras's "Expected shape (None, T, F)"):
  the same answer as ``check_model``, from :func:`rules_data_axes.two_d_into_sequence`.
* ``(batch, A, B, C)`` straight from an Input: ``C == 1`` is a trailing axis of one;
  otherwise ``A`` is the number of samples or each step is an ``B x C`` frame (both
  proven, ranked).

Every model fix here is built (fresh layers from their configs) before it is printed.

>>> same = lambda s: s  # the module needs Keras tensors; see tests/diagnosis/test_error_routes.py
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_shapes.core import keras_graph
from lstm_shapes.core.errors import ShapeError
from lstm_shapes.core.messages import format_shape

_RNN_KINDS = ("RNN", "Bidirectional")


def _shape(tensor: Any) -> tuple | None:
    from lstm_shapes.diagnosis.layer_call import shape_of

    return shape_of(tensor)


def _is_rnn(layer: Any) -> bool:
    return bool({c.__name__ for c in type(layer).__mro__} & set(_RNN_KINDS))


def _fresh(layer: Any) -> Any:
    return layer.__class__.from_config(layer.get_config())


def chain_builds(start: tuple, layers: list[Any], wrapped: int = 0) -> bool:
    """Whether fresh copies of ``layers``, applied one after the other to a symbolic input
    of shape ``start`` (with its batch), build: the proof of a model-level fix. The first
    ``wrapped`` layers are applied inside TimeDistributed (a CNN mapped over frames)."""
    import keras

    try:
        tensor = keras.Input(batch_shape=start)
        for k, layer in enumerate(layers):
            fresh = _fresh(layer)
            tensor = (keras.layers.TimeDistributed(fresh) if k < wrapped else fresh)(tensor)
        return True
    except Exception:  # noqa: BLE001 - a fix that does not build is not printed
        return False


def _path(tensor: Any) -> tuple[list[Any], Any] | None:
    """The one-input layers from ``tensor`` back to where its rank began: ``(layers, start)``
    with ``layers`` in call order and ``start`` the first tensor of another rank (or the
    Input's tensor); None when a layer with several inputs is met."""
    rank, layers = len(_shape(tensor) or ()), []
    for _ in range(40):
        layer = keras_graph.producer(tensor)
        node = keras_graph.producer_node(tensor)
        if layer is None or node is None or type(layer).__name__ == "InputLayer":
            return layers[::-1], tensor
        inputs = keras_graph.node_inputs(node)
        if len(inputs) != 1:
            return None
        layers.append(layer)
        tensor = inputs[0]
        if len(_shape(tensor) or ()) != rank:
            return layers[::-1], tensor
    return None


def two_d(rnn: Any, tensor: Any) -> ShapeError | None:
    """A 2-D tensor made by a layer (not the Input, not an RNN) reaching ``rnn``."""
    found = _path(tensor)
    shape = _shape(tensor)
    if found is None or shape is None:
        return None
    layers, start = found
    start_shape = _shape(start)
    if not layers or start_shape is None or any(_is_rnn(layer) for layer in layers):
        return None
    where = f"layer {rnn.name!r}"
    handed = f"{type(rnn).__name__} reads (batch, timesteps, features); it was handed {format_shape(shape)}"
    if len(start_shape) >= 4:  # images: was there ever a time axis before the Flatten?
        return _frames_flattened(rnn, tensor, where, handed)
    if len(start_shape) >= 3:  # the time axis was there: the first layer removed it
        remover, rest = layers[0], layers[1:]
        kind = type(remover).__name__
        detail = (f"{handed}: {kind} {remover.name!r} turned {format_shape(start_shape)} "
                  f"(batch, timesteps, ...) into one vector per sample, removing the time axis")
        if len(start_shape) == 3 and chain_builds(start_shape, [*rest, rnn]):
            fix = (f"remove layer {remover.name!r} ({kind}): the layers after it then read "
                   f"{format_shape(start_shape)} and {type(rnn).__name__} gets every step; "
                   f"pool or flatten after the RNN instead")
        else:
            fix = ""
        return ShapeError(where=where, code="missing_timestep_axis", detail=detail, fix=fix)
    if len(start_shape) != 2 or type(keras_graph.producer(start)).__name__ != "InputLayer":
        return None
    k = start_shape[1]
    names = ", ".join(repr(layer.name) for layer in layers)
    detail = (f"{handed}: the model's input {format_shape(start_shape)} is one vector per "
              f"sample, and {names} keep{'s' if len(layers) == 1 else ''} it so: the model "
              f"never had a time axis, and reshaping x with a layer's width would deal one "
              f"sample's values onto steps")
    fix = ""
    if k is not None and chain_builds((start_shape[0], k, 1), [*layers, rnn]):
        fix = (f"if each sample's {k} values are {k} steps of one series: keras.Input(shape="
               f"({k}, 1)) and x = x[..., np.newaxis]   # {names} then act on each step; "
               f"if they are {k} unordered features, an RNN has nothing to read in order: "
               f"use Dense layers")
    return ShapeError(where=where, code="missing_timestep_axis", detail=detail, fix=fix)


def _frames_flattened(rnn: Any, tensor: Any, where: str, handed: str) -> ShapeError | None:
    """A CNN on single images (batch, h, w, c) flattened into an RNN: no layer ever had
    time; the frames need one, with the CNN mapped over it by TimeDistributed."""
    layers = []
    for _ in range(60):  # every one-input layer back to the Input
        layer, node = keras_graph.producer(tensor), keras_graph.producer_node(tensor)
        if layer is None or node is None or type(layer).__name__ == "InputLayer":
            break
        inputs = keras_graph.node_inputs(node)
        if len(inputs) != 1 or _is_rnn(layer):
            return None
        layers.append(layer)
        tensor = inputs[0]
    frame = _shape(tensor)
    if not layers or frame is None or len(frame) < 4:
        return None
    layers = layers[::-1]
    names = ", ".join(repr(layer.name) for layer in layers)
    detail = (f"{handed}: the model's input {format_shape(frame)} is ONE image per sample, "
              f"and {names} turn it into one vector: there never was a time axis")
    fix = ""
    if chain_builds((None, 2, *frame[1:]), [*layers, rnn], wrapped=len(layers)):
        fix = (f"give each sample a sequence of frames, keras.Input(shape=(timesteps, "
               f"{', '.join(str(d) for d in frame[1:])})), and wrap each of {names} in "
               f"keras.layers.TimeDistributed(...): the LSTM then reads one vector per frame")
    return ShapeError(where=where, code="missing_timedistributed", detail=detail, fix=fix)


def four_d_input(rnn: Any, tensor: Any) -> ShapeError | None:
    """``(batch, A, B, C)`` straight from an Input reaching ``rnn``: which axis is extra."""
    shape = _shape(tensor)
    if shape is None or len(shape) != 4:
        return None
    if type(keras_graph.producer(tensor)).__name__ != "InputLayer":
        return None
    a, b, c = shape[1:]
    where = f"layer {rnn.name!r}"
    said = (f"{type(rnn).__name__} reads (batch, timesteps, features); the Input declares "
            f"{format_shape(shape[1:])} per sample, one axis more")
    stateful = bool(getattr(getattr(rnn, "forward_layer", rnn), "stateful", False))
    if stateful and a is not None and chain_builds((a, b, c), [rnn]):  # it needs a batch
        return ShapeError(
            where=where, code="batch_in_input_shape",
            detail=f"{said}: a stateful RNN needs its batch declared, and {a} reads as it",
            fix=f"keras.Input(batch_shape=({a}, {b}, {c}))   # the batch of {a} apart from "
                f"one sample's ({b}, {c})")
    if c == 1 and chain_builds((None, a, b), [rnn]):  # input_shape=x.shape ranks first
        batch = chain_builds((None, b, c), [rnn])
        first = (f"if {a} is the number of samples: keras.Input(shape=({b}, {c})); "
                 if batch else "")
        return ShapeError(
            where=where, code="batch_in_input_shape" if batch else "wrong_rank",
            detail=f"{said}: its first axis reads as the number of samples or its last, of "
                   f"size 1, is extra",
            fix=f"{first}if it is {a} timesteps of {b} features: keras.Input(shape=({a}, {b}))"
                f" and x = np.squeeze(x, axis=-1)   # the same values")
    fixes = []
    if chain_builds((None, b, c), [rnn]):
        fixes.append(f"if {a} is the number of samples: keras.Input(shape=({b}, {c}))   # one "
                     f"sample, without the number of samples (input_shape=x.shape[1:])")
    if a != 1 and b is not None and c is not None and chain_builds((None, a, b * c), [rnn]):
        fixes.append(f"if each of {a} steps is a {b} x {c} frame: keras.layers.TimeDistributed("
                     f"keras.layers.Flatten()) before layer {rnn.name!r} (or ConvLSTM1D)")
    if not fixes:
        return None
    code = "batch_in_input_shape" if fixes[0].startswith("if " + str(a) + " is the number") \
        else "wrong_rank"
    return ShapeError(where=where, code=code, detail=said, fix="; ".join(fixes))


def passed_data(err: BaseException) -> tuple[Any, np.ndarray] | None:
    """``(model, x)`` from the ``fit``/``predict``/``evaluate``/call of a Keras model in
    ``err``'s traceback, when x is one NumPy array (the data the user handed in)."""
    tb = err.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        model, x = frame.f_locals.get("self"), frame.f_locals.get("x")
        if frame.f_code.co_name in ("fit", "predict", "evaluate", "train_on_batch",
                                    "predict_on_batch", "test_on_batch") and isinstance(
                                        x, np.ndarray) and hasattr(model, "inputs"):
            return model, x
        tb = tb.tb_next
    return None


def data_against_input(err: BaseException, declared: tuple, given: tuple) -> ShapeError | None:
    """2-D data against a declared ``(T, F)``: check_model's own rule on the data handed to
    fit/predict (or, without it, on data that shows no order: the question, never a
    reshape that re-deals values)."""
    from lstm_shapes.diagnosis.findings import Finding
    from lstm_shapes.diagnosis.rules_data_axes import two_d_into_sequence

    if len(declared) != 3 or len(given) != 2:
        return None
    found = passed_data(err)
    model = None
    if found is not None and found[1].ndim == 2 and len(getattr(found[0], "inputs", [])) == 1:
        model, x = found
    else:  # no values to read: noise has no order, so the rule asks rather than guesses
        x = np.random.default_rng(0).normal(size=(64, given[1] or 1)).astype("float32")
    out: list[Finding] = []
    if not two_d_into_sequence(x, tuple(declared), out, model) or not out:
        return None
    finding = out[0]
    fix = finding.fix if model is not None else finding.fix.replace("(64, ", "(-1, ")
    message = finding.message if model is not None else finding.message.replace(
        format_shape(x.shape), format_shape(given))
    return ShapeError(where="x", code=finding.code, detail=message, fix=fix)
