"""Failing calls of layers that read several tensors: merges, attention, Lambdas, masks,
and unpacking one output as several.

Each tensor handed to a merge (Concatenate, Add, Dot, ...) or an attention layer is followed
back to the layer that gave it its axes. A ``(batch, units)`` tensor beside sequences was
made by an RNN without ``return_sequences`` (``missing_return_sequences``), unless it is a
real per-sample vector, an Input: then the sequence beside it is the odd one
(``unexpected_sequence_output``). An attention output takes its query's time: one whose
time differs from the decoder's it is merged with had its query and value swapped
(``attention_axes``). An RNN reads a mask of one entry per step, (batch, time); Masking
makes its mask from the LAST axis only, so on frames (batch, time, h, w, c) it makes one
per pixel row (``wrong_rank``). Every fix is proven by building fresh copies of the layers.

>>> last_step_rnn(None) is None
True
"""

from __future__ import annotations

from typing import Any

from lstm_shapes.core import keras_graph
from lstm_shapes.core.errors import ShapeError
from lstm_shapes.diagnosis.layer_call import Call, builds, shape_of

_ATTENTION = ("Attention", "AdditiveAttention", "MultiHeadAttention", "GroupQueryAttention")


def _kinds(layer: Any) -> set[str]:
    return {c.__name__ for c in type(layer).__mro__}


def _contract(layer: Any) -> Any:
    from lstm_shapes.core.contracts import contract_of

    try:
        return contract_of(layer)
    except Exception:  # noqa: BLE001 - an exotic layer
        return None


def _walk(tensor: Any, *, sequences: bool) -> Any:
    """The RNN that gave ``tensor`` its rank: the one that dropped the time axis
    (``sequences=False``) or kept it (``True``), found through layers that keep the rank
    (Dense, Dropout, an attention's query, ...); None when the walk meets an Input."""
    for _ in range(30):
        layer = keras_graph.producer(tensor)
        if layer is None or type(layer).__name__ == "InputLayer":
            return None
        contract = _contract(layer)
        if contract is not None:
            return layer if contract.return_sequences == sequences else None
        node = keras_graph.producer_node(tensor)
        inputs = keras_graph.node_inputs(node) if node is not None else []
        if len(inputs) > 1 and not (_kinds(layer) & {*_ATTENTION, "Merge"}) or (
                _kinds(layer) & {"Dot", "Lambda"}):
            return None  # a layer that reads several tensors its own way: not followed
        rank = len(shape_of(tensor) or ())
        same = [t for t in inputs if len(shape_of(t) or ()) == rank]
        if not same:
            return None
        tensor = same[0]  # an attention's query comes first
    return None


def last_step_rnn(tensor: Any) -> Any:
    """The RNN without ``return_sequences`` whose last step ``tensor`` is, or None."""
    return _walk(tensor, sequences=False) if tensor is not None else None


def _steps_of(rnn: Any) -> int | None:
    node = keras_graph.inbound_nodes(rnn)
    inputs = keras_graph.node_inputs(node[0]) if node else []
    shape = shape_of(inputs[0]) if inputs else None
    return shape[1] if shape and len(shape) == 3 else None


def _where_fix(rnn: Any) -> str:
    inner = getattr(rnn, "forward_layer", None)
    if inner is not None:
        return (f"Bidirectional({type(inner).__name__}(..., return_sequences=True)) for layer "
                f"{rnn.name!r}")
    return f"return_sequences=True on layer {rnn.name!r}"


def sequences_error(call: Call, tensors: list, rnn: Any, reads: str) -> ShapeError | None:
    """``tensors`` (2-D) came from ``rnn``, which hands on only its last step: prove that
    the failing layer builds once they are sequences, then say so."""
    handed = [shape_of(t) for t in _handed(call)]
    steps = next((s[1] for s in handed if s and len(s) >= 3), None) or _steps_of(rnn)
    fixed = [(s[0], steps, *s[1:]) if any(t is u for u in tensors) else s
             for t, s in zip(_handed(call), handed)]
    if not builds(call.layer, fixed):
        return None
    code = "missing_return_sequences"
    detail = f"{reads}: layer {rnn.name!r} hands on only its last step (batch, units)"
    units = getattr(getattr(rnn, "forward_layer", rnn), "units", None)
    if units is not None and units == _steps_of(rnn):
        code = "units_equals_timesteps"
        detail += (f"; units={units} equals its timesteps, but units is the size of h, and "
                   f"the steps come out only with return_sequences=True")
    return ShapeError(where=f"layer {call.layer.name!r}", code=code, detail=detail,
                      fix=f"{_where_fix(rnn)}: it then hands on every step, "
                          f"(batch, timesteps, units)")


def _handed(call: Call) -> list[Any]:
    """The tensors the layer was handed, in order (a merge's list, attention's q, v, k)."""
    import keras

    flat = keras.tree.flatten((call.args, {k: v for k, v in call.kwargs.items()
                                           if k not in ("mask", "training")}))
    return [t for t in flat if shape_of(t) is not None]


def _dims(shape: tuple) -> str:
    from lstm_shapes.core.messages import format_shape

    return format_shape(shape)


def merge(call: Call, err: BaseException) -> ShapeError | None:
    """A merge/attention/Lambda that failed on tensors whose ranks or times disagree."""
    tensors = _handed(call)
    shapes = [shape_of(t) for t in tensors]
    if len(tensors) < 2 or _contract(call.layer) is not None:
        return None
    kinds = _kinds(call.layer)
    reads = f"{type(call.layer).__name__} was handed {', '.join(_dims(s) for s in shapes)}"
    ranks = {len(s) for s in shapes}
    if len(ranks) == 2:
        low = min(ranks)
        flat = [t for t, s in zip(tensors, shapes) if len(s) == low]
        rnns = [last_step_rnn(t) for t in flat]
        if all(r is not None for r in rnns) and len({id(r) for r in rnns}) == 1:
            found = sequences_error(call, flat, rnns[0], reads)
            if found is not None:
                return found
        if "Lambda" in kinds:
            return _broadcast(call, tensors, shapes, reads)
        if all(keras_graph.producer(t) is not None and type(keras_graph.producer(t)).__name__
               == "InputLayer" for t in flat):
            return _vector_beside_sequence(call, tensors, shapes, low, reads)
        return None
    if len(ranks) == 1 and ranks.pop() >= 3 and len({s[1] for s in shapes}) > 1:
        return _attention_roles(call, tensors, shapes, reads)
    return None


def _vector_beside_sequence(call: Call, tensors: list, shapes: list, low: int,
                            reads: str) -> ShapeError | None:
    """A real per-sample vector (an Input) merged with a sequence an RNN handed on."""
    long = [t for t, s in zip(tensors, shapes) if len(s) > low]
    rnns = [_walk(t, sequences=True) for t in long]
    if not rnns or any(r is None for r in rnns):
        return None
    fixed = [s if len(s) == low else (s[0], *s[2:]) for s in shapes]
    if not builds(call.layer, fixed):
        return None
    names = ", ".join(repr(r.name) for r in rnns)
    return ShapeError(
        where=f"layer {call.layer.name!r}", code="unexpected_sequence_output",
        detail=f"{reads}: the (batch, features) input is one vector per sample, and "
               f"{names} hands on a whole sequence (return_sequences=True) beside it",
        fix=f"drop return_sequences=True from {names} (its last step is one vector per "
            f"sample), or repeat the vector over time: keras.layers.RepeatVector(timesteps)")


def _attention_roles(call: Call, tensors: list, shapes: list, reads: str) -> ShapeError | None:
    """Sequences of different lengths merged; one is an attention output, and attention
    keeps the time of its query: with query and value swapped it would fit."""
    for i, tensor in enumerate(tensors):
        layer = keras_graph.producer(tensor)
        if layer is None or not (_kinds(layer) & set(_ATTENTION)):
            continue
        node = keras_graph.producer_node(tensor)
        inputs = keras_graph.node_inputs(node) if node is not None else []
        if len(inputs) < 2:
            continue
        query, value = shape_of(inputs[0]), shape_of(inputs[1])
        others = [s for j, s in enumerate(shapes) if j != i]
        if value is None or query is None or any(s[1] != value[1] for s in others):
            continue
        swapped = [value, query]
        if not builds(layer, swapped):
            continue
        out = (*value[:-1], shapes[i][-1])
        if not builds(call.layer, [out if j == i else s for j, s in enumerate(shapes)]):
            continue
        q, v = (keras_graph.producer(t) for t in inputs[:2])
        qn, vn = (getattr(p, "name", "?") for p in (q, v))
        return ShapeError(
            where=f"layer {call.layer.name!r}", code="attention_axes",
            detail=f"{reads}: attention keeps the time of its query (the first input), and "
                   f"layer {layer.name!r} was given {qn!r} ({query[1]} steps) as query and "
                   f"{vn!r} ({value[1]} steps) as value",
            fix=f"swap query and value: {type(layer).__name__}()([{_name(inputs[1])}, "
                f"{_name(inputs[0])}])   # [query, value]: the output keeps the query's "
                f"{value[1]} steps")
    return None


def _name(tensor: Any) -> str:
    layer = keras_graph.producer(tensor)
    return f"{layer.name}_output" if layer is not None else "query"


def _broadcast(call: Call, tensors: list, shapes: list, reads: str) -> ShapeError | None:
    """A Lambda that combines a (batch, time) weight with a (batch, time, dim) sequence:
    broadcasting lines up the LAST axes, so the weights need a trailing axis."""
    import keras

    low = min(len(s) for s in shapes)
    long = [s for s in shapes if len(s) > low]
    short = [s for s in shapes if len(s) == low]
    if len(long) != 1 or len(short) != 1 or long[0][:low] != short[0] or (
            len(long[0]) != low + 1):
        return None
    fixed = [s if len(s) > low else (*s, 1) for s in shapes]
    try:
        fresh = keras.layers.Lambda(call.layer.function)
        out = fresh([keras.Input(batch_shape=s) for s in fixed])
    except Exception:  # noqa: BLE001 - the fix must build
        return None
    return ShapeError(
        where=f"layer {call.layer.name!r}", code="attention_axes",
        detail=f"{reads}: weights of one value per step (batch, time) against a sequence "
               f"(batch, time, dim); broadcasting lines up the LAST axes, time against dim",
        fix=f"give the weights a trailing axis, w[..., None] -> {_dims(fixed[shapes.index(short[0])])}"
            f" (the weighted sum is then {_dims(shape_of(out) or ())}), or "
            f"keras.layers.Dot(axes=1)([weights, sequence])")


def unpacked(err: BaseException) -> ShapeError | None:
    """Iterating over one symbolic output as if the layer returned several tensors."""
    import keras

    if not isinstance(err, (NotImplementedError, TypeError)):
        return None
    tb, tensor = err.__traceback__, None
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_name == "__iter__" and str(frame.f_globals.get(
                "__name__", "")).startswith("keras."):
            tensor = frame.f_locals.get("self")
        tb = tb.tb_next
    layer = keras_graph.producer(tensor)
    node = keras_graph.producer_node(tensor)
    if layer is None or node is None:
        return None
    shapes = [shape_of(t) for t in keras_graph.node_inputs(node)]
    inputs = [keras.Input(batch_shape=s) for s in shapes]
    if _kinds(layer) & set(_ATTENTION):
        fresh = layer.__class__.from_config(layer.get_config())
        try:
            got = fresh(inputs if "MultiHeadAttention" not in _kinds(layer) else inputs[0],
                        *([] if "MultiHeadAttention" not in _kinds(layer) else inputs[1:2]),
                        return_attention_scores=True)
        except Exception:  # noqa: BLE001
            return None
        if len(got) != 2:
            return None
        return ShapeError(
            where=f"layer {layer.name!r}", code="return_state_unpacking",
            detail=f"{type(layer).__name__} returns one tensor, {_dims(shape_of(tensor))}; "
                   f"unpacking it iterates over its batch",
            fix=f"out = {type(layer).__name__}()([query, value]); for the weights too: out, "
                f"scores = {type(layer).__name__}()([query, value], "
                f"return_attention_scores=True)")
    if _contract(layer) is not None and not layer.return_state:
        config = {**layer.get_config(), "return_state": True}
        try:
            got = layer.__class__.from_config(config)(inputs[0])
        except Exception:  # noqa: BLE001
            return None
        return ShapeError(
            where=f"layer {layer.name!r}", code="return_state_unpacking",
            detail=f"layer {layer.name!r} returns one tensor {_dims(shape_of(tensor))}: "
                   f"without return_state=True there are no states to unpack",
            fix=f"return_state=True on layer {layer.name!r}: it then returns {len(got)} "
                f"tensors (output and its states)")
    return None


def mask_rank(call: Call, frames: list) -> ShapeError | None:
    """An RNN handed a mask with more axes than (batch, time): a Masking on frames."""
    import numpy as np

    mask = call.kwargs.get("mask")
    if mask is None and call.args:
        mask = keras_graph.keras_mask(call.args[0])
    shape, given = shape_of(mask), shape_of(call.args[0]) if call.args else None
    if _contract(call.layer) is None or not shape or len(shape) <= 2 or not given:
        return None
    try:  # proof: a fresh copy runs with one mask entry per step
        fresh = call.layer.__class__.from_config(call.layer.get_config())
        fresh(np.zeros((2, given[1] or 3, given[-1]), "float32"),
              mask=np.ones((2, given[1] or 3), bool))
    except Exception:  # noqa: BLE001
        return None
    models = [f.f_locals.get("self") for f in frames]
    maskers = [layer.name for m in models if hasattr(m, "layers") and "Model" in _kinds(m)
               for layer in m.layers if "Masking" in _kinds(layer)]
    made = f"Masking {maskers[0]!r}" if maskers else "the mask's maker"
    axes = ", ".join(["batch", "time", *(f"axis {k}" for k in range(2, len(shape)))])
    return ShapeError(
        where=f"layer {call.layer.name!r}", code="wrong_rank",
        detail=f"layer {call.layer.name!r} reads a mask of one entry per step, (batch, time), "
               f"and was handed one of shape {_dims(shape)} ({axes}): {made} masks by the "
               f"LAST axis only, so on frames it masks each pixel row, not each frame",
        fix=f"drop the Masking and give the RNN one entry per frame: mask = keras.ops.any("
            f"keras.ops.not_equal(frames, 0.0), axis={tuple(range(2, len(shape) + 1))}); "
            f"{type(call.layer).__name__}(...)(h, mask=mask)")
