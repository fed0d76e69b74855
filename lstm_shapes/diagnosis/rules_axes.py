"""Targets against predictions by their axes' meanings, with Keras's verdict as evidence.

A time axis on one side only, a horizon of H values against one predicted value, a width
that differs: each reading is checked against what Keras did (``LossCall``: raised, or
combined shapes that differ) and, for per-step versus horizon, against the data itself.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from lstm_shapes.core.messages import format_shape
from lstm_shapes.diagnosis.proving import Fix
from lstm_shapes.diagnosis.rules_semantics import Context, Issue, _head_edit, _layer_fix
from lstm_shapes.diagnosis.target_meaning import (
    label_kind,
    next_values,
    shifted_feature,
)


def _rnn_edit(ctx: Context, sequences: bool) -> dict[str, dict[str, Any]]:
    rnn = ctx.head.rnn
    if rnn is None:
        return {}
    key = "layer.return_sequences" if type(rnn).__name__ == "Bidirectional" else \
        "return_sequences"
    return {rnn.name: {key: sequences}}


def _seq_fix(ctx: Context, sequences: bool, units: int | None = None) -> Fix | None:
    edits = _rnn_edit(ctx, sequences)
    if not edits:
        return None
    if units is not None:
        head = _head_edit(ctx, units=units)
        if not head:
            return None
        edits = {**edits, **head}
    what = ("one prediction per timestep" if sequences else "one prediction per sequence"
            ) + (f" of {units} values" if units is not None else "")
    return _layer_fix(ctx, edits, what)


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
    if c.name == "sparse_categorical_crossentropy":
        p = p[:-1]  # ids: one axis fewer than the scores
    time_p = len(p) >= 3
    y_core = y.shape[:-1] if y.ndim >= 2 and y.shape[-1] == 1 else y.shape
    p_core = p[:-1] if p[-1] == 1 else p
    if time_p and len(y_core) <= 2 and (len(y_core) == 1 or y.shape[1] in (p[-1], 1)):
        if len(y.shape) == 1 and y.ndim < len(p) - 1 and not c.raised:
            code = "target_broadcast"
        else:
            code = "sequence_output_vs_last_target"
        return [Issue(code, where, f"{shapes}: one prediction per timestep against one "
                      f"target per sequence{said}", fixes=[f for f in (
                          _seq_fix(ctx, False),) if f],
                      prose="return_sequences=False on the last RNN")]
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
    """(batch, H) targets against one value per sample: a horizon, or per-step targets?"""
    x, y, n = ctx.x, ctx.y, ctx.yname
    horizon = _layer_fix(ctx, _head_edit(ctx, units=h), f"predict all {h} values")
    per_step = _seq_fix(ctx, True)
    steps = x.shape[1] if x is not None and x.ndim == 3 else None
    shifted = shifted_feature(x, y) if x is not None else None
    after = next_values(x, y) if x is not None else None
    h_issue = Issue("multistep_horizon_mismatch", "targets " + n,
                    f"{shapes}: {h} future values per sample against a one-value head{said}",
                    fixes=[f for f in (horizon,) if f], prose=f"end the model with Dense({h})")
    s_issue = Issue("last_output_vs_sequence_target", "targets " + n,
                    f"{shapes}: one target per timestep against one prediction per "
                    f"sequence{said}", fixes=[f for f in (per_step,) if f],
                    prose="return_sequences=True on the last RNN")
    if after is not None:
        h_issue.message += f"; {n}[i] holds the {h} values that follow window i"
        return [h_issue]
    if shifted is not None:
        f, s = shifted
        s_issue.message += (f"; {n}[i, t] is x[i, t+{s}, {f}]: a target per step" if s else
                            f"; {n}[i, t] is x[i, t, {f}]: a target per step")
        return [s_issue]
    if steps == h and ctx.call.name == "sparse_categorical_crossentropy" and \
            label_kind(y) in ("ids", "binary"):
        # one class id per column, as many columns as x has steps, one softmax per sample:
        # a label per step (a horizon of H classes would need H softmaxes)
        s_issue.message += (f"; {n} holds a class id per timestep of x ({h} of them) and "
                            "the head gives one class distribution per sequence")
        return [s_issue]
    if steps != h:  # per-step targets need one column per timestep
        return [h_issue]
    h_issue.message += (f"; the data does not say which: if {n}[i] is the next {h} values "
                        f"after window i, this is a horizon; {n} has {h} columns = the "
                        f"{steps} timesteps of x, so it may be one target per step")
    s_issue.severity = "warning"
    s_issue.message += (f"; candidate 2: {n} has as many columns as x has timesteps "
                        f"({steps}), but is not a shifted copy of a feature of x")
    return [h_issue, s_issue]


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
