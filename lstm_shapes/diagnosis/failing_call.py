"""Explain an error by the Keras layer call that failed, not by the error's text.

Keras's messages name the symptom ("Kernel shape must have the same length as input",
"expected ndim=5, found ndim=4"); the traceback still holds the layer whose call failed
and the tensors it was handed (the ``self`` and ``args`` of ``Layer.__call__``). This module
finds that call (:func:`failing_call`), compares the handed tensor's axes with what the
layer reads (:func:`~lstm_shapes.diagnosis.layouts.input_axes`) and names the mistake from
the meaning of the missing or extra axis and from the layer that produced the tensor.
Every fix printed was proven: a fresh copy of the layer builds on the shape it gives.

>>> import keras
>>> try:
...     keras.Sequential([keras.Input((4, 8, 8)),
...                       keras.layers.TimeDistributed(keras.layers.Conv2D(4, 3))])
... except ValueError as err:
...     print(explain(err).code)  # doctest: +SKIP
missing_channel_axis

(skipped as a doctest: it needs the unfiltered traceback.) Keras trims its own frames from tracebacks unless ``keras.config.disable_traceback_filtering()``
was called; ``diagnosing()`` does that inside its block. Without the frames, :func:`explain`
answers None and the text rules of ``translate`` take over.
"""

from __future__ import annotations

from typing import Any

from lstm_shapes.core import keras_graph
from lstm_shapes.core.errors import ShapeError
from lstm_shapes.diagnosis.layer_call import (
    Call,
    builds,
    failing_call,
    frames_of,
    is_layer,
    shape_of,
    takes_list,
)
from lstm_shapes.diagnosis.layouts import input_axes

_CHANNELS = 4  # at most this many channels in data: grey (1), RGB (3), RGBA (4)


def _kind(layer: Any) -> str:
    inner = getattr(layer, "layer", None)
    if type(layer).__name__ == "TimeDistributed" and inner is not None:
        return f"TimeDistributed({type(inner).__name__})"
    return type(layer).__name__


def _fmt(shape: tuple) -> str:
    from lstm_shapes.core.messages import format_shape

    return format_shape(shape)


def _source(tensor: Any) -> tuple[str, Any]:
    """``("input", InputLayer)``, ``("data", None)`` or ``("layer", producer)``."""
    producer = keras_graph.producer(tensor)
    if producer is None:
        return "data", None
    if type(producer).__name__ == "InputLayer":
        return "input", producer
    return "layer", producer


def _input_line(shape: tuple, batch: int | None) -> str:
    if batch is None:
        return f"keras.Input(shape={_fmt(shape)})"
    return f"keras.Input(batch_shape={_fmt((batch, *shape))})"


def _error(layer: Any, code: str, detail: str, fix: str) -> ShapeError:
    return ShapeError(where=f"layer {layer.name!r}", code=code, detail=detail, fix=fix)


def _one_short(call: Call, tensor: Any, shape: tuple, axes: tuple) -> ShapeError | None:
    """The layer reads one axis more than it was handed: which one is missing, by meaning."""
    layer, kind = call.layer, _kind(call.layer)
    where, producer = _source(tensor)
    reads = f"{kind} reads {'(' + ', '.join(axes) + ')'}; it was handed {_fmt(shape)}"
    if where == "layer":
        from lstm_shapes.diagnosis.merge_calls import last_step_rnn, sequences_error

        rnn = last_step_rnn(tensor)
        if rnn is not None and "time" in axes:
            return sequences_error(call, [tensor], rnn, reads)
        return None
    if "channels" not in axes:
        return None
    spatial = any(a in axes for a in ("height", "width", "depth"))
    k = axes.index("channels")
    last = shape[-1] if k == len(axes) - 1 else shape[k] if k < len(shape) else None
    has_channels = last is not None and last <= _CHANNELS
    # channels-last data whose last axis could be channels lacks another axis: time
    if spatial and "time" in axes and has_channels and k == len(axes) - 1:
        return _time_missing(call, tensor, shape, axes, reads)
    if last is None or (spatial and has_channels):
        return None
    fixed = (*shape[:k], 1, *shape[k:])
    if not builds(layer, [fixed]):
        return None
    newaxis = "x[..., np.newaxis]" if k == len(axes) - 1 else f"np.expand_dims(x, axis={k})"
    batch = shape[0] if where == "input" else None
    code = "missing_channel_axis" if spatial else "missing_timestep_axis"
    what = "channel" if spatial else "feature (channel)"
    return _error(layer, code, f"{reads}: its {what} axis is missing",
                  f"x = {newaxis}   # {_fmt(fixed)}; and {_input_line(fixed[1:], batch)}"
                  if where == "input" else f"x = {newaxis}   # {_fmt(fixed)}")


def _time_missing(call: Call, tensor: Any, shape: tuple, axes: tuple,
                  reads: str) -> ShapeError | None:
    """Frames without a time axis into a layer that reads sequences of frames."""
    layer, kind = call.layer, _kind(call.layer)
    frame = shape[1:]
    if not builds(layer, [(None, None, *frame)]):
        return None
    batch = shape[0] if _source(tensor)[0] == "input" else None
    steps = "timesteps" if batch is None else batch
    fixes = [f"{_input_line((steps, *frame), None)}   # (time, {', '.join(axes[2:])}): one "
             f"sample is a sequence of frames"]
    if batch is not None:  # a fixed batch of frames: the frames of one sequence, stacked
        fixes[0] += (f"; if the {batch} rows of a batch are the frames of one sequence: "
                     f"x = x.reshape(-1, {batch}, {', '.join(map(str, frame))})")
    as_channels = (*shape, 1)  # the other reading: (time, rows, cols) without channels
    if builds(layer, [as_channels]):
        fixes.append(f"if {_fmt(frame)} is (time, {', '.join(axes[2:-1])}) without channels: "
                     f"x = x[..., np.newaxis] and {_input_line(as_channels[1:], batch)}")
    code = "timedistributed_rank" if kind.startswith("TimeDistributed") else (
        "missing_timestep_axis")
    detail = (f"{reads}: {_fmt(frame)} reads as one frame ({', '.join(axes[2:])}), so the time "
              f"axis is missing")
    return _error(layer, code, detail, "; or ".join(fixes))


def _one_extra(call: Call, tensor: Any, shape: tuple, axes: tuple) -> ShapeError | None:
    """The layer was handed one axis more than it reads."""
    import keras

    layer, kind = call.layer, _kind(call.layer)
    where, producer = _source(tensor)
    reads = f"{kind} reads {'(' + ', '.join(axes) + ')'}; it was handed {_fmt(shape)}"
    per_frame = "time" not in axes  # a spatial layer: TimeDistributed maps it over time
    wrapped = per_frame and builds(layer, [shape], wrap=keras.layers.TimeDistributed)
    dropped = shape[:1] + shape[2:]
    if where == "layer" and wrapped and _carries_time(producer):
        return _error(layer, "missing_timedistributed",
                      f"{reads}: {producer.name!r} hands on a sequence of frames "
                      f"(batch, time, ...), and {kind} reads one frame",
                      f"keras.layers.TimeDistributed({kind}(...))   # applies it to every "
                      f"frame: (batch, time, ...)")
    if where != "input":
        return None
    batch_fix = builds(layer, [dropped]) and shape[1] is not None
    declared = shape[1:]
    if batch_fix and not wrapped:
        return _error(layer, "batch_in_input_shape",
                      f"{reads}: the declared shape {_fmt(declared)} has one axis too many; "
                      f"its first, {shape[1]}, reads as the number of samples",
                      f"{_input_line(declared[1:], None)}   # one sample, without the number "
                      f"of samples (input_shape=x.shape[1:])")
    if wrapped and shape[1] is None:
        return _error(layer, "missing_timedistributed",
                      f"{reads}: axis 1 (None) is the time of a sequence of frames",
                      f"keras.layers.TimeDistributed({kind}(...))")
    if wrapped and batch_fix:  # frames, or the number of samples in the shape: both build
        return _error(layer, "wrong_rank", f"{reads}: one axis too many",
                      f"if {shape[1]} is the number of frames per sample: keras.layers."
                      f"TimeDistributed({kind}(...)); if it is the number of samples: "
                      f"{_input_line(declared[1:], None)}")
    return None


def _carries_time(producer: Any) -> bool:
    """Whether ``producer``'s output keeps a time axis at position 1."""
    kinds = {c.__name__ for c in type(producer).__mro__}
    if "TimeDistributed" in kinds:
        return True
    if "RNN" in kinds or "Bidirectional" in kinds:
        return bool(getattr(producer, "return_sequences", False))
    return False


def _rank(call: Call) -> ShapeError | None:
    """One handed tensor against the axes the layer reads: one short or one extra."""
    from lstm_shapes.core.contracts import contract_of

    layer = call.layer
    tensor = call.args[0] if call.args else next(iter(call.kwargs.values()), None)
    shape = shape_of(tensor)
    if contract_of(layer) is not None:  # LSTM/GRU/...: by what the handed tensor is
        return _rnn_rank(call, tensor, shape)
    axes = input_axes(layer)
    if axes is None or shape is None or takes_list(layer):
        return None
    if len(shape) == len(axes) - 1:
        return _one_short(call, tensor, shape, axes)
    if len(shape) == len(axes) + 1:
        return _one_extra(call, tensor, shape, axes)
    return None


def _rnn_rank(call: Call, tensor: Any, shape: tuple | None) -> ShapeError | None:
    """An RNN handed 2-D or 4-D: the RNN that dropped time, the layer that removed it (or
    never had it), or the Input's extra axis (rnn_rank); the data's own cases are left to
    the text rules."""
    from lstm_shapes.diagnosis import rnn_rank
    from lstm_shapes.diagnosis.merge_calls import last_step_rnn, sequences_error

    where = _source(tensor)[0]
    if shape is None or where != ("layer" if len(shape) == 2 else "input"):
        return None
    if len(shape) == 4:
        return rnn_rank.four_d_input(call.layer, tensor)
    if len(shape) != 2:
        return None
    rnn = last_step_rnn(tensor)
    if rnn is not None:
        reads = (f"{_kind(call.layer)} reads (batch, timesteps, features); it was handed "
                 f"{_fmt(shape)}")
        return sequences_error(call, [tensor], rnn, reads)
    return rnn_rank.two_d(call.layer, tensor)


def _declared_input(err: BaseException) -> ShapeError | None:
    """Data one axis short of a model's Input, which declared a size-1 axis elsewhere than
    where its reader takes channels: ``Input((4, 1, 32))`` for data ``(n, 4, 32)`` in front
    of ``TimeDistributed(Conv1D)``, which reads ``(batch, time, steps, channels)``."""
    frame = next((f for f in reversed(frames_of(err))
                  if f.f_code.co_name == "_adjust_input_rank"), None)
    if frame is None:
        return None
    model, i, data = frame.f_locals.get("self"), frame.f_locals.get("i"), frame.f_locals.get("x")
    try:
        entry = model.inputs[i]
    except (AttributeError, IndexError, TypeError):
        return None
    declared, given = shape_of(entry)[1:], shape_of(data)[1:]
    ones = [k for k, d in enumerate(declared) if d == 1]
    readers = keras_graph.tensor_readers(keras_graph.model_nodes(model)).get(id(entry), [])
    if len(readers) != 1 or len(given) != len(declared) - 1 or not ones:
        return None
    reader = readers[0][0]
    axes = input_axes(reader)
    k = ones[0]
    if axes is None or axes[-1] != "channels" or len(axes) != len(declared) + 1 or (
            k == len(declared) - 1) or declared[:k] + declared[k + 1:] != given:
        return None
    fixed = (*given, 1)
    if not builds(reader, [(None, *fixed)]):
        return None
    return ShapeError(
        where=f"model input {entry.name!r}", code="input_shape_data_mismatch",
        detail=f"the data's samples are {_fmt(given)} and the Input declares {_fmt(declared)} "
               f"with a 1 at axis {k + 1}; {_kind(reader)} {reader.name!r} reads "
               f"({', '.join(axes)}): channels come last, so the data lacks its channel axis",
        fix=f"x = x[..., np.newaxis] and keras.Input(shape={_fmt(fixed)})   # channels last")


def _keyword(err: BaseException) -> ShapeError | None:
    """Keras 2's ``batch_input_shape=`` on a layer, which Keras 3 refuses."""
    import keras

    for frame in frames_of(err):
        layer = frame.f_locals.get("self")
        if frame.f_code.co_name != "__init__" or not is_layer(layer):
            continue
        passed = frame.f_locals.get("kwargs") or {}
        shape = passed.get("batch_input_shape")
        if shape is None:
            continue
        stateful = bool(frame.f_locals.get("stateful") or getattr(
            frame.f_locals.get("layer"), "stateful", False))
        if not stateful:
            return None
        try:  # proof: the layer without the keyword builds on the Keras 3 spelling
            fresh = type(layer)(**_init_arguments(frame, type(layer)))
            fresh(keras.Input(batch_shape=tuple(shape)))
        except Exception:  # noqa: BLE001
            return None
        return ShapeError(
            where=f"layer {type(layer).__name__}", code="stateful_batch",
            detail="batch_input_shape= is Keras 2; Keras 3 refuses it on a layer",
            fix=f"start the model with keras.Input(batch_shape={_fmt(tuple(shape))}) and drop "
                f"batch_input_shape= from the {type(layer).__name__}")
    return None


def _init_arguments(frame: Any, cls: type) -> dict:
    """The arguments the failing ``cls(...)`` was given, read from its ``__init__`` frame."""
    import inspect

    out = {}
    for name, p in inspect.signature(cls.__init__).parameters.items():
        if name == "self" or name not in frame.f_locals:
            continue
        if p.kind == p.VAR_KEYWORD:
            out.update({k: v for k, v in frame.f_locals[name].items()
                        if k != "batch_input_shape"})
        elif p.kind != p.VAR_POSITIONAL:
            out[name] = frame.f_locals[name]
    return out


def explain(err: BaseException) -> ShapeError | None:
    """The mistake behind ``err``, read from the layer call it came out of, or None."""
    from lstm_shapes.diagnosis import merge_calls

    try:
        unpacked = merge_calls.unpacked(err)
        if unpacked is not None:
            return unpacked
        call = failing_call(err)
        if call is None:
            return _keyword(err) or _declared_input(err)
        return (_rank(call) or merge_calls.merge(call, err)
                or merge_calls.mask_rank(call, frames_of(err)))
    except Exception:  # noqa: BLE001 - never hide the user's error behind a crash of ours
        return None
