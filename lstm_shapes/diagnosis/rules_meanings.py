"""Mistakes named from axis meanings: what a layer reads against what it is handed.

``meanings.propagate`` says what each axis of each tensor means; each rule here compares
that with what a layer or a slice treats the axis as, and names the mistake from the
mismatch:

- a slice that takes or cuts the batch axis (``t[-1]``, ``a[3:]``) -> ``wrong_axis_slice``;
- a slice that takes one unit of an RNN's output while its time axis stays (``t[..., -1]``)
  -> ``wrong_axis_slice``;
- an RNN's units where a layer or a slice reads time (an LSTM without
  ``return_sequences`` expanded to ``(batch, units, 1)``) -> ``missing_return_sequences``,
  units regrouped into steps by a Reshape -> ``units_equals_timesteps``;
- a new length-1 axis read as time -> ``window_as_features`` when the data are windows of
  one series, else ``no_temporal_context`` (a judgement);
- the batch axis moved off axis 0 (a custom RNN stacking its steps time-major) ->
  ``swapped_axes``;
- several Lambda layers whose functions share one code object and one closure cell of a
  loop variable (all read its last value) -> ``lambda_late_binding``.

>>> import keras
>>> i = keras.Input((6, 2))
>>> h = keras.layers.LSTM(4, return_sequences=True)(i)
>>> model = keras.Model(i, keras.layers.Lambda(lambda t: t[..., -1])(h))
>>> [f.code for f in check_meanings(model, None)]
['wrong_axis_slice']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_shapes.diagnosis.findings import Finding
from lstm_shapes.diagnosis.layouts import _kinds, input_axes
from lstm_shapes.diagnosis.meanings import Axis, Call, propagate


def _index(rank: int, axis: int, index: int, size: int) -> str:
    """``t[:, -1, :]``: take ``index`` (-1 when it is the last) on ``axis`` only."""
    at = "-1" if index == size - 1 else str(index)
    return "t[" + ", ".join(at if i == axis else ":" for i in range(rank)) + "]"


def _on_probe(call: Call, expression: str, want_rank: int) -> bool:
    """Whether ``expression`` (``t[:, -1, :]``) on the call's probe keeps the batch and
    gives ``want_rank`` axes: the fix is checked, not guessed."""
    if call.probe is None:
        return False
    try:
        got = eval(expression, {}, {"t": call.probe})  # noqa: S307 - our own index text
    except IndexError:
        return False
    return got.ndim == want_rank and got.shape[0] == call.probe.shape[0]


def _slices(call: Call, out: list[Finding]) -> None:
    """Positions a probed call took or cut: the batch axis, or one unit of a sequence."""
    for taken in call.taken:
        axes = call.ins[taken.input]
        axis = axes[taken.axis]
        rank = len(axes)
        time = next((i for i, a in enumerate(axes) if a == "time"), None)
        where = f"layer {call.name!r}"
        if axis == "batch":
            what = (f"takes sample {taken.index if taken.index < taken.size - 1 else -1} "
                    "(the batch axis is gone)" if taken.kept == 1 else
                    "cuts samples off the batch axis (the model sees fewer samples than it "
                    "is given)")
            fix = ""
            if time is not None and taken.kept == 1:
                fix = _index(rank, time, taken.size - 1, taken.size)
                fix = f"{fix}   # axis 0 is the batch: index the steps on axis {time}" if \
                    _on_probe(call, fix, rank - 1) else ""
            out.append(Finding("wrong_axis_slice", where, f"the slice {what}: its input is "
                               f"({', '.join(axes)}) and axis 0 holds the samples, not the "
                               "steps", fix or "index the steps after the batch axis: "
                               "x[:, ...] keeps every sample"))
        elif axis.recurrent and taken.kept == 1 and time is not None:
            fix = _index(rank, time, taken.size - 1 if taken.index == taken.size - 1 else
                         taken.index, taken.size)
            ok = _on_probe(call, fix, rank - 1)
            out.append(Finding("wrong_axis_slice", where, f"the slice takes unit "
                               f"{taken.index} of {axis.origin!r} at every step: its input is "
                               f"({', '.join(axes)}); the last step is on axis {time}",
                               f"{fix}   # the last step: (batch, units)" if ok else ""))
        elif axis.recurrent and taken.kept == 1 and taken.axis == 1:
            out.append(_units_as_time(axis, where, "takes one position of axis 1 as a step"))
        else:
            continue
        return


def _units_as_time(axis: Axis, where: str, how: str, severity: str = "error") -> Finding:
    """An RNN's units read as its timesteps."""
    if axis.last_only:
        return Finding("missing_return_sequences", where, f"it {how}, but that axis holds the "
                       f"units of {axis.origin!r}, which returns its last step only: units "
                       f"are not timesteps (give {axis.origin!r} return_sequences=True and read "
                       "its (batch, timesteps, units) output)", "", severity)
    return Finding("units_equals_timesteps", where, f"it {how}, but that axis holds the units "
                   f"of {axis.origin!r}: units are the size of h, not timesteps", "",
                   severity)


def _time_reader(call: Call, out: list[Finding], x: Any) -> None:
    """A layer that reads time (Conv1D, attention, TimeDistributed) handed another axis."""
    kinds = _kinds(call.layer)
    if "TimeDistributed" in kinds:
        p = 1
    else:
        read = input_axes(call.layer)
        if not read or "time" not in read or len(read) != len(call.ins[0]):
            return
        p = read.index("time")
    axis, where = call.ins[0][p], f"layer {call.name!r}"
    rnn = "RNN" in kinds or "Bidirectional" in kinds or "ConvLSTM" in kinds
    if axis.inserted and not rnn and call.in_shapes[0][p] == 1:
        last = call.ins[0][-1]
        width = call.in_shapes[0][-1]
        if _windows(x) and last == "features" and width == x.shape[1]:
            out.append(Finding("window_as_features", where, f"it reads (batch, time=1, "
                               f"{width}): the window of {width} steps sits on the feature "
                               f"axis, and {axis.origin!r} made the time axis of length 1 "
                               "(put the new axis last, e.g. expand_dims(v, axis=-1): "
                               f"(batch, {width} steps, 1 feature))", ""))
        else:
            out.append(Finding("no_temporal_context", where, f"it reads time on axis {p}, "
                               f"a new axis of length 1 made by {axis.origin!r}: one step",
                               "", "warning"))
    elif axis.recurrent and axis.last_only:
        out.append(_units_as_time(axis, where, f"reads axis {p} as time"))
    elif axis.parts and any(a.recurrent for a in axis.parts):
        msg = (f"it reads axis {p} as time, but {axis.origin!r} regrouped "
               f"({' x '.join(axis.parts)}) values into it: a reshape does not reorder "
               "values (a transpose does), and the units of an RNN are not steps; for H "
               "future steps read the last state and repeat it, RepeatVector(H), or predict "
               "them with Dense(H)")
        out.append(Finding("units_equals_timesteps", where, msg, "",
                           "error" if axis.scrambled else "warning"))


def _windows(x: Any) -> bool:
    """Whether the rows of a 2-D ``x`` are stride-1 windows of one series."""
    if x is None or getattr(x, "ndim", 0) != 2 or x.shape[0] < 3 or x.shape[1] < 2:
        return False
    x = np.asarray(x, dtype="float64")
    return bool(np.mean(np.all(np.isclose(x[1:, :-1], x[:-1, 1:]), axis=1)) > 0.9)


def _batch_moved(call: Call, out: list[Finding]) -> None:
    """The batch axis of an output off axis 0 (time-major): Keras layers read axis 0."""
    for axes in call.outs[:1]:
        if "batch" in axes and axes[0] != "batch":
            at = axes.index("batch")
            perm = (at, *(i for i in range(len(axes)) if i != at))
            out.append(Finding("swapped_axes", f"layer {call.name!r}", f"its output is "
                               f"({', '.join(axes)}): the batch is on axis {at}, and every "
                               "Keras layer after it reads axis 0 as the batch (transpose "
                               f"it batch first, ops.transpose(output, {perm}), or stack the "
                               "steps on axis=1)", ""))


def _late_binding(calls: list[Call], out: list[Finding]) -> None:
    """Lambdas made in a loop whose function reads the loop variable when called."""
    groups: dict[Any, list[Call]] = {}
    for call in calls:
        fn = getattr(call.layer, "function", None)
        if "Lambda" in _kinds(call.layer) and getattr(fn, "__closure__", None):
            groups.setdefault(fn.__code__, [])
            if all(c.layer is not call.layer for c in groups[fn.__code__]):
                groups[fn.__code__].append(call)
    for code, group in groups.items():
        if len(group) < 2:
            continue
        cells = [dict(zip(code.co_freevars, c.layer.function.__closure__)) for c in group]
        shared = [v for v in code.co_freevars if len({id(c[v]) for c in cells}) == 1
                  and isinstance(_value(cells[0][v]), (int, np.integer))]
        if not shared:
            continue
        var, value = shared[0], _value(cells[0][shared[0]])
        names = ", ".join(repr(c.layer.name) for c in group)
        out.append(Finding("lambda_late_binding", f"layers {names}", f"{len(group)} Lambda "
                           f"layers share one function that reads the loop variable {var!r} "
                           f"when it runs, not when the Lambda was made: all of them read "
                           f"{var}={value}, its last value (bind it per Lambda with a "
                           f"default argument: Lambda(lambda z, {var}={var}: ...))", ""))


def _value(cell: Any) -> Any:
    try:
        return cell.cell_contents
    except ValueError:
        return None


def check_meanings(model: Any, x: Any, out: list[Finding] | None = None, *,
                   calls: list[Call] | None = None) -> list[Finding]:
    """Findings from the axis meanings of ``model`` (a functional or Sequential one);
    ``x`` (one input array, or None) is the data's evidence; ``calls`` the meanings the
    story already propagated. Appends to ``out`` and returns it."""
    out = [] if out is None else out
    found: list[Finding] = []
    calls = propagate(model) if calls is None else calls
    for call in calls:
        if any(axes and axes[0] != "batch" and "batch" in axes for axes in call.ins):
            continue  # the mistake was named where the batch moved
        before = len(found)
        _slices(call, found)
        if len(found) == before:
            _batch_moved(call, found)
        if len(found) == before and call.ins:
            _time_reader(call, found, x)
    _late_binding(calls, found)
    codes = {f.code for f in out}
    out += [f for f in found if f.code not in codes]
    return out


def check_batch_kept(model: Any, x: Any, out: list[Finding]) -> None:
    """A model with no graph to follow (subclassed) is called on 3 samples: each output must
    keep one row per sample. Fewer or more rows mean a slice or reduction took the batch
    axis (``t[-1]`` is the last sample; the last step is ``t[:, -1, :]``)."""
    import keras

    try:
        outputs = keras.tree.flatten(model(x[:3], training=False))
    except Exception:  # noqa: BLE001 - the input rules say why it does not run
        return
    rows = {tuple(o.shape)[0] for o in outputs if len(getattr(o, "shape", ())) > 0}
    if rows and rows != {3}:
        out.append(Finding("wrong_axis_slice", "the model's output", f"3 samples in, "
                           f"{sorted(rows)} row(s) out: a slice or reduction in call() takes "
                           "the batch axis", "keep axis 0 whole: the last step is "
                           "t[:, -1, :], the last unit t[..., -1]; never t[-1] or t[k:]"))
