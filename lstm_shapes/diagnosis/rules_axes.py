"""Targets against predictions by their axes' meanings, with Keras's verdict as evidence.

A time axis on one side only, a horizon of H values against one predicted value, a width
that differs: each reading is checked against what Keras did (``LossCall``: raised, or
combined shapes that differ) and, for per-step versus horizon, against the data itself.

What the axes mean decides the reading: one target per sample against k > 1 values means a
head too wide (y has no columns to grow); H target steps other than x's T steps are a
horizon (per-step targets have T); per-step targets of width 1 against a per-step head of
U == T units read units as timesteps; and H == T is ranked by the data (steps that line up
with x's: per-step; rows that overlap like windows of one series: a horizon), in one
finding naming both readings when nothing separates them.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from lstm_shapes.core.messages import format_shape
from lstm_shapes.diagnosis.proving import Fix
from lstm_shapes.diagnosis.rules_semantics import (
    _REGRESSION,
    Context,
    Issue,
    _head_edit,
    _layer_fix,
    _loss_fix,
)
from lstm_shapes.diagnosis.target_meaning import (
    label_kind,
    next_values,
    rows_overlap,
    shifted_feature,
    steps_line_up,
)


def _rnn_edit(ctx: Context, sequences: bool) -> dict[str, dict[str, Any]]:
    """The config edit that sets return_sequences on the last RNN. A Bidirectional's
    config holds its forward and backward layers, which must agree: both are edited, by
    their own names."""
    rnn = ctx.head.rnn
    if rnn is None:
        return {}
    if type(rnn).__name__ == "Bidirectional":
        inner = (getattr(rnn, "forward_layer", None), getattr(rnn, "backward_layer", None))
        if any(layer is None for layer in inner):
            return {}
        return {layer.name: {"return_sequences": sequences} for layer in inner}
    return {rnn.name: {"return_sequences": sequences}}


def _seq_fix(ctx: Context, sequences: bool, units: int | None = None) -> Fix | None:
    edits = _rnn_edit(ctx, sequences)
    if not edits:
        return None
    shown = {ctx.head.rnn.name: {"return_sequences": sequences}}  # the user's layer
    if units is not None:
        head = _head_edit(ctx, units=units)
        if not head:
            return None
        edits, shown = {**edits, **head}, {**shown, **head}
    what = ("one prediction per timestep" if sequences else "one prediction per sequence"
            ) + (f" of {units} values" if units is not None else "")
    fix = _layer_fix(ctx, shown, what)
    return Fix(fix.line, layers=edits) if fix is not None else None


def _meaning_preserving(y: np.ndarray, want: tuple) -> list[tuple[str, Any]]:
    """Reshapes of y that keep every value's meaning: drop or add axes of size 1, or
    exchange non-batch axes; each as (expression with {n}, function)."""
    out: list[tuple[str, Any]] = []
    shape = tuple(y.shape)
    squeezed = tuple(d for i, d in enumerate(shape) if i == 0 or d != 1)
    if squeezed != shape and squeezed == want:
        axes = tuple(i for i, d in enumerate(shape) if i and d == 1)
        out.append((f"{{n}} = np.squeeze({{n}}, axis={axes if len(axes) > 1 else axes[0]})",
                    lambda a, axes=axes: np.squeeze(a, axis=axes)))
    if len(want) == len(shape) + 1 and want[-1] == 1 and want[:-1] == shape:
        out.append(("{n} = {n}[..., np.newaxis]", lambda a: a[..., np.newaxis]))
    if len(want) == len(shape) and len(shape) >= 3 and sorted(shape[1:]) == sorted(want[1:]):
        for perm in itertools.permutations(range(1, len(shape))):
            if perm != tuple(range(1, len(shape))) and tuple(shape[i] for i in perm) == \
                    tuple(want[1:]):
                order = (0, *perm)
                out.append((f"{{n}} = np.transpose({{n}}, {order})",
                            lambda a, order=order: np.transpose(a, order)))
                break
    return out


def _unwrap(ctx: Context) -> str:
    """A TimeDistributed head refuses the 2-D output of return_sequences=False."""
    return " and the head without TimeDistributed" if ctx.head.td else ""


def axis_issues(ctx: Context) -> list[Issue]:
    """Shape findings of one output, only where Keras raised or combined unequal shapes,
    plus the silent per-step/horizon confusion that the data reveals."""
    c, y, n = ctx.call, ctx.y, ctx.yname
    if c.y_pred is None:
        return []
    p = (y.shape[0], *c.y_pred.shape[1:])  # the predictions for all of y
    where = "targets " + n
    shapes = f"predictions {format_shape((None, *p[1:]))} vs {n} {format_shape(y.shape)}"
    said = (f" (Keras raises: {c.raised[:160]})" if c.raised else
            f" (Keras broadcasts them silently: the loss compares "
            f"{format_shape(('batch', *c.y_shape[1:]))} with "
            f"{format_shape(('batch', *c.p_shape[1:]))})")
    if not c.raised and not c.broadcast:
        return _horizon_on_per_step_head(ctx, p, shapes)
    one = _one_value_per_sample(ctx, p, shapes, said)
    if one is not None:
        return one
    if c.name == "sparse_categorical_crossentropy":
        p = p[:-1]  # ids: one axis fewer than the scores
    time_p = len(p) >= 3
    y_core = y.shape[:-1] if y.ndim >= 2 and y.shape[-1] == 1 else y.shape
    p_core = p[:-1] if p[-1] == 1 else p
    if time_p and len(p) == 3 and p[-1] > 1 and len(y_core) == 2 and y_core[1] == p[1] and (
            y.ndim == 3 or next_values(ctx.x, y) is None if ctx.x is not None else y.ndim == 3):
        return [_per_step_width(ctx, p, shapes, said)]
    if time_p and len(y_core) == 2 and y.ndim == 3 and y.shape[-1] == 1 and \
            y_core[1] != p[1] and c.name in _REGRESSION and label_kind(y) == "real" and \
            not ctx.shrinkers:
        return [_horizon_issue(ctx, int(y_core[1]), shapes, said)]  # H steps, not T
    if time_p and len(y_core) <= 2 and (len(y_core) == 1 or y.shape[1] in (p[-1], 1)):
        if len(y.shape) == 1 and y.ndim < len(p) - 1 and not c.raised:
            code = "target_broadcast"
        else:
            code = "sequence_output_vs_last_target"
        return [Issue(code, where, f"{shapes}: one prediction per timestep against one "
                      f"target per sequence{said}", fixes=[f for f in (
                          _seq_fix(ctx, False),) if f],
                      prose="return_sequences=False on the last RNN" + _unwrap(ctx))]
    steps = ctx.x.shape[1] if ctx.x is not None else None
    if not time_p and len(p_core) == 1 and y.ndim == 3 and y.shape[-1] == 1 and y.shape[1] > 1:
        return _horizon_or_per_step(ctx, y.shape[1], shapes, said)  # (n, H, 1): as (n, H)
    if not time_p and y.ndim >= 3 and y.shape[1] > 1 and steps is not None and \
            y.shape[1] != steps:
        return [_horizon_issue(ctx, int(y.shape[1]), shapes, said)]
    if not time_p and y.ndim >= 3 and y.shape[1] > 1:
        return [Issue("last_output_vs_sequence_target", where, f"{shapes}: one prediction "
                      f"per sequence against one target per timestep{said}",
                      fixes=[f for f in (_seq_fix(ctx, True),) if f],
                      prose="return_sequences=True on the last RNN")]
    if time_p and y.ndim == 2 and y.shape[1] not in (p[1], p[-1], 1) and p[-1] == 1:
        h = y.shape[1]
        return [Issue("multistep_horizon_mismatch", where, f"{shapes}: a horizon of {h} "
                      f"values per sequence against a per-step head{said}",
                      fixes=[f for f in (_seq_fix(ctx, False, units=h),) if f],
                      prose=f"return_sequences=False on the last RNN and Dense({h})")]
    if not time_p and len(p_core) == 1 and y.ndim == 2 and y.shape[1] > 1:
        return _horizon_or_per_step(ctx, y.shape[1], shapes, said)
    if time_p and len(y_core) >= 2 and y_core[1] != p[1] and len(p_core) == len(y_core):
        shrink = ctx.shrinkers
        if shrink:
            return [Issue("conv_pool_shrinks_time", where, f"{shapes}: {p[1]} predicted "
                          f"timesteps against {y_core[1]}; {', '.join(shrink)} shorten the "
                          f"time axis{said}", prose="Conv1D(..., padding='same') and no "
                          "pooling before a per-timestep head")]
        if ctx.x is not None and ctx.x.shape[1] == p[1] and not _meaning_preserving(y, p):
            return [_steps_differ(ctx, p[1], int(y_core[1]), shapes, said)]
    if c.name == "sparse_categorical_crossentropy" and c.y_pred.ndim >= 3 and \
            len(y_core) == 2 and y_core[1] != p[1] and not ctx.shrinkers:
        # ids per step: p lost its class axis above, so its last axis is TIME, not a width
        return [_steps_differ(ctx, int(p[1]), int(y_core[1]), shapes, said)]
    if len(p) == y.ndim and p[:-1] == y.shape[:-1] and p[-1] != y.shape[-1]:
        silent = not c.raised
        return [Issue("target_broadcast" if silent else "output_width_mismatch", where,
                      f"{shapes}: the head is {p[-1]} wide, {n} has {y.shape[-1]} "
                      f"columns{said}", fixes=[f for f in (_layer_fix(
                          ctx, _head_edit(ctx, units=int(y.shape[-1])),
                          "one unit per target column"),) if f],
                      prose=f"end the model with Dense({y.shape[-1]})")]
    fixes = [Fix(expr.format(n=n) + f"   # {format_shape(y.shape)} -> "
                 f"{format_shape(p)}, same values", y=fn)
             for expr, fn in _meaning_preserving(y, p)]
    code = "target_broadcast" if not c.raised else "target_shape_mismatch"
    if fixes and all("transpose" in f.line for f in fixes):
        code = "swapped_axes"
    return [Issue(code, where, f"{shapes} do not match{said}", fixes=fixes,
                  prose=f"no reshape of {n} keeps its meaning: build {n} with one row of "
                  f"{format_shape(p[1:])} per sample, or change the model's output")]


def _horizon_or_per_step(ctx: Context, h: int, shapes: str, said: str) -> list[Issue]:
    """(batch, H) or (batch, H, 1) targets against one value per sample: a horizon of H
    values, or one target per step? Only H == T can be per-step; then the data decides
    (exact facts first, then how y's rows and steps behave), and when it does not, one
    finding names both readings with the evidence for each."""
    x, y, n = ctx.x, ctx.y, ctx.yname
    horizon = _layer_fix(ctx, _head_edit(ctx, units=h), f"predict all {h} values")
    per_step = _seq_fix(ctx, True)
    steps = x.shape[1] if x is not None and x.ndim == 3 else None
    h_issue = Issue("multistep_horizon_mismatch", "targets " + n,
                    f"{shapes}: {h} values per sample against a one-value head{said}",
                    fixes=[f for f in (horizon,) if f], prose=f"end the model with Dense({h})")
    s_issue = Issue("last_output_vs_sequence_target", "targets " + n,
                    f"{shapes}: one target per timestep against one prediction per "
                    f"sequence{said}", fixes=[f for f in (per_step,) if f],
                    prose="return_sequences=True on the last RNN")
    if steps is None or steps != h:  # per-step targets have one column per timestep of x
        if steps is not None:
            h_issue.message += (f"; {n} has {h} steps and x {steps}: targets per step would "
                                f"have {steps}, so these are {h} values to predict")
        return [h_issue]
    if next_values(x, y[..., 0] if y.ndim == 3 else y) is not None:
        h_issue.message += f"; {n}[i] holds the {h} values that follow window i"
        return [h_issue]
    shifted = shifted_feature(x, y)
    if shifted is not None:
        f, s = shifted
        s_issue.message += (f"; {n}[i, t] is x[i, t+{s}, {f}]: a target per step" if s else
                            f"; {n}[i, t] is x[i, t, {f}]: a target per step")
        return [s_issue]
    if ctx.call.name == "sparse_categorical_crossentropy" and \
            label_kind(y) in ("ids", "binary"):
        # one class id per column, as many columns as x has steps, one softmax per sample:
        # a label per step (a horizon of H classes would need H softmaxes)
        s_issue.message += (f"; {n} holds a class id per timestep of x ({h} of them) and "
                            "the head gives one class distribution per sequence")
        return [s_issue]
    return [_ranked(ctx, h, h_issue, s_issue)]


def _ranked(ctx: Context, h: int, h_issue: Issue, s_issue: Issue) -> Issue:
    """H == T and no exact fact: rank the two readings by how y's rows and steps behave.
    The shapes are wrong either way (an error); the message names both readings."""
    x, y, n = ctx.x, ctx.y, ctx.yname
    lined = steps_line_up(x, y)
    overlap = rows_overlap(y)
    step_ev = (f"step t of {n} goes with step t{'+1' if lined[1] else ''} of feature "
               f"{lined[0]} of x (mean |r| {lined[2]:.2f}, above every other step)"
               if lined else "")
    hor_ev = (f"the rows of {n} overlap like windows of one series ({n}[i, 1:] == "
              f"{n}[i+1, :-1]), as values cut after each window do" if overlap else "")
    if lined:  # aligned steps outweigh overlapping rows (per-step windows overlap too)
        first, second, ev1, ev2 = s_issue, h_issue, step_ev, hor_ev
    elif overlap:
        first, second, ev1, ev2 = h_issue, s_issue, hor_ev, step_ev
    else:  # no evidence: y laid out like x, (samples, steps, values), reads per step first
        first, second = (s_issue, h_issue) if y.ndim == 3 else (h_issue, s_issue)
        ev1 = ev2 = ""
    name = {"multistep_horizon_mismatch": f"a horizon of {h} values (Dense({h}))",
            "last_output_vs_sequence_target": "one target per timestep "
            "(return_sequences=True)"}
    head = first.message.split(": ", 1)[0]
    if ev1:
        msg = (f"{head}: most likely {name[first.code]}: {ev1}; otherwise "
               f"{name[second.code]}" + (f" ({ev2})" if ev2 else
                                         f": {n} has {h} columns = the {h} timesteps of x"))
    else:
        why = {"multistep_horizon_mismatch": f"if {n}[i] holds values that come after "
               "window i", "last_output_vs_sequence_target": f"as {n} has {h} steps = the "
               f"{h} timesteps of x" + (", laid out like x (samples, steps, values)"
                                        if y.ndim == 3 else "")}
        msg = (f"{head}: the data does not say which of two readings: {name[first.code]}, "
               f"{why[first.code]}; or {name[second.code]}, {why[second.code]} ({n} is not a "
               "shifted copy of a feature of x, and its steps do not line up with x's)")
    return Issue(first.code, first.where, msg, "error", fixes=first.fixes + second.fixes,
                 prose=f"{first.prose}; or {second.prose}")


def _horizon_on_per_step_head(ctx: Context, p: tuple, shapes: str) -> list[Issue]:
    """Per-step predictions (batch, T, 1) that Keras squeezes onto (batch, T) targets: right
    for per-step targets, wrong when y is the next T values after each window."""
    x, y, n = ctx.x, ctx.y, ctx.yname
    if x is None or len(p) != 3 or p[-1] != 1 or y.ndim != 2 or y.shape[1] != p[1]:
        return []
    if shifted_feature(x, y) is not None or next_values(x, y) is None:
        return []
    h = y.shape[1]
    return [Issue("multistep_horizon_mismatch", "targets " + n, f"{shapes}: {n}[i] holds "
                  f"the {h} values that follow window i, and the model predicts step t of "
                  f"that horizon from the first t+1 steps of the window only (a per-step "
                  "head)", fixes=[f for f in (_seq_fix(ctx, False, units=h),) if f],
                  prose=f"return_sequences=False on the last RNN and Dense({h})")]


def _steps_differ(ctx: Context, steps: int, want: int, shapes: str, said: str) -> Issue:
    """A per-step model keeps x's timesteps to its output, and the targets have other ones;
    when x's steps are k blocks of the targets' length that are each padded on their own,
    x is k sequences joined on the time axis (they belong side by side, on features)."""
    from lstm_shapes.diagnosis.padding import find_padding

    message = (f"{shapes}: the model keeps the {steps} timesteps of x to its per-step "
               f"output, and {ctx.yname} has {want} per sample{said}")
    prose = f"give x {want} timesteps per sample, as many as {ctx.yname} has"
    k = steps // want if want and steps % want == 0 else 0
    x = ctx.x
    if k >= 2 and x is not None and x.shape[1] == steps and all(
            find_padding(x[:, j * want:(j + 1) * want]) is not None for j in range(k)):
        message += (f"; x is {k} sequences of {want} steps joined on the time axis (each "
                    "block ends in its own zero padding)")
        prose = (f"feed the {k} sequences as {k} inputs of {want} steps and join them on the "
                 "feature axis: keras.layers.Concatenate(axis=-1)")
    return Issue("dimension_mismatch", "targets " + ctx.yname, message, prose=prose)


def _one_value_per_sample(ctx: Context, p: tuple, shapes: str, said: str) -> list[Issue] | None:
    """One target per sample ((n,) or (n, 1)) against a head of k > 1 values per sample:
    y has no columns to grow, so the head is too wide (Dense(1)); with class ids under a
    softmax of k, the loss is the mistake (the ids are classes, not values)."""
    c, y, n = ctx.call, ctx.y, ctx.yname
    if len(p) != 2 or p[-1] <= 1 or not (y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1)):
        return None
    k, where = int(p[-1]), "targets " + n
    kind = label_kind(y)
    if kind in ("ids", "binary") and int(np.max(y)) < k and ctx.head.activation == "softmax":
        return [Issue("loss_label_encoding_mismatch", f"loss {c.name!r}", f"{shapes}: {n} "
                      f"holds one class id per sample (0..{int(np.max(y))}) and the head a "
                      f"softmax over {k} classes, but {c.name} compares them as values{said}",
                      fixes=[_loss_fix(ctx, "sparse_categorical_crossentropy")],
                      prose="loss='sparse_categorical_crossentropy'")]
    return [Issue("target_broadcast" if not c.raised else "output_width_mismatch", where,
                  f"{shapes}: {n} holds ONE value per sample and the head predicts {k}{said}; "
                  f"the head is too wide, {n} has no other columns", fixes=[f for f in (
                      _layer_fix(ctx, _head_edit(ctx, units=1), "one value per sample"),)
                      if f], prose="end the model with Dense(1)")]


def _per_step_width(ctx: Context, p: tuple, shapes: str, said: str) -> Issue:
    """Per-step targets of width 1 ((n, T) or (n, T, 1)) against a per-step head of U > 1
    units: when U == T the units were read as one per timestep."""
    c, n = ctx.call, ctx.yname
    u, t = int(p[-1]), int(p[1])
    code = "units_equals_timesteps" if u == t else (
        "target_broadcast" if not c.raised else "output_width_mismatch")
    why = (f"its {u} units equal the {t} timesteps, but the time axis is already there: "
           "each step needs one value" if u == t else "each step needs one value")
    return Issue(code, "targets " + n, f"{shapes}: one target per timestep and a per-step "
                 f"head of {u} units; {why}{said}", fixes=[f for f in (_layer_fix(
                     ctx, _head_edit(ctx, units=1), "one value per timestep"),) if f],
                 prose="TimeDistributed(Dense(1)) (or Dense(1)) as the per-step head")


def _horizon_issue(ctx: Context, h: int, shapes: str, said: str) -> Issue:
    """y holds H steps per sample and x has another number of steps: a horizon of H
    values, which per-step targets (one per input step) cannot be."""
    steps = ctx.x.shape[1] if ctx.x is not None else None
    of_x = f" (x has {steps})" if steps is not None else ""
    return Issue("multistep_horizon_mismatch", "targets " + ctx.yname, f"{shapes}: "
                 f"{ctx.yname} holds {h} steps per sample{of_x}: a horizon of {h} values, "
                 f"not one target per input step{said}", fixes=[f for f in (
                     _seq_fix(ctx, False, units=h) if ctx.call.y_pred.ndim >= 3 else
                     _layer_fix(ctx, _head_edit(ctx, units=h), f"predict all {h} values"),)
                     if f],
                 prose=f"one prediction per sequence of {h} values: the last RNN without "
                 f"return_sequences and Dense({h}); or an encoder-decoder: RepeatVector({h}), "
                 "LSTM(..., return_sequences=True), TimeDistributed(Dense(features))")
