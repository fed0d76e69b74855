"""check_model(): normalise the data, trace the model, run every family of rules."""

from __future__ import annotations

from typing import Any

from lstm_shapes.diagnosis.data import _as_array, _data
from lstm_shapes.diagnosis.findings import Finding, Report
from lstm_shapes.diagnosis.rules_inputs import _check_input, _check_rnn_calls
from lstm_shapes.diagnosis.rules_masks import check_masks
from lstm_shapes.diagnosis.rules_meanings import check_batch_kept, check_meanings
from lstm_shapes.diagnosis.rules_stateful import check_stateful
from lstm_shapes.diagnosis.rules_states import check_sequential_states
from lstm_shapes.diagnosis.rules_targets import (
    _check_rnn_head,
    _check_windows,
)
from lstm_shapes.diagnosis.story import trace
from lstm_shapes.diagnosis.targets_check import check_targets


def _caller_name(value: Any, frame: Any) -> str:
    """The caller's variable that holds ``value`` (``y_train``), for fix lines."""
    if value is None or frame is None:
        return ""
    for name, held in frame.f_locals.items():
        if held is value and name.isidentifier() and not name.startswith("_"):
            return name
    return ""


def check_model(model: Any, x: Any = None, y: Any = None, *,
                batch_size: int | None = None) -> Report:
    """Find shape mistakes in ``model`` and (optionally) its data ``x`` and targets ``y``.

    Args:
        model: a Keras model (Sequential, functional, or subclassed when ``x`` is given).
        x: the inputs: one array, a list or a dict by input name for a multi-input model,
            or a ``tf.data.Dataset`` of ``(x, y)`` batches (its first batch is checked).
        y: the targets (a list or a dict by output name for a multi-output model).
        batch_size: the batch size you fit with (checked against a stateful model).

    Returns:
        A Report: ``findings`` (errors and warnings, each with code and fix) and ``story``.
    """
    from lstm_shapes.diagnosis.translate import translate

    if not hasattr(model, "layers"):
        raise TypeError(f"check_model() needs a keras.Model, got {type(model).__name__}")
    import inspect

    yname = _caller_name(y, inspect.currentframe().f_back) or "y"
    spec = getattr(x, "element_spec", None)
    dict_y = isinstance(y, dict) or (isinstance(spec, tuple) and len(spec) >= 2
                                     and isinstance(spec[1], dict))
    report = Report()
    out = report.findings
    x, y = _data(model, x, y, report)
    inputs = list(x) if isinstance(x, (list, tuple)) and x and hasattr(x[0], "shape") else (
        [x] if x is not None else [])
    arrays = [_as_array(v, "x" if len(inputs) == 1 else f"x[{i}]", out)
              for i, v in enumerate(inputs)]
    targets = list(y) if isinstance(y, (list, tuple)) and y and any(
        hasattr(v, "shape") for v in y) else (
        [y] if y is not None else [])
    target_arrays = [_as_array(v, "y" if len(targets) == 1 else f"y[{i}]", out)
                     if v is not None else None for i, v in enumerate(targets)]
    usable = [a for a in arrays if a is not None]
    try:
        report.story = trace(model, usable[0] if len(usable) == 1 and len(arrays) == 1
                             else None)
    except Exception as err:
        explained = translate(err)
        if explained is None:
            raise
        out.append(Finding(explained.code, explained.where, explained.detail or str(err),
                           explained.fix))
        return report
    story = report.story
    _check_rnn_calls(model, story, out, usable if len(usable) == len(arrays) else None,
                     target_arrays)
    check_sequential_states(model, out)
    if usable and len(usable) == len(arrays) == len(story.inputs):
        for array, declared in zip(usable, story.inputs):
            _check_input(array, declared, out, model)
        if len(usable) > 1 and len({a.shape[0] for a in usable}) > 1:
            out.append(Finding("batch_mismatch", "x", "the inputs have different numbers of "
                               "samples", "give every input one row per sample"))
    check_meanings(model, usable[0] if len(usable) == len(arrays) == 1 else None, out,
                   calls=story.meanings)
    if story.traced and len(usable) == len(arrays) == 1 and len(usable[0]) >= 3:
        check_batch_kept(model, usable[0], out)
    matched = usable if usable and len(usable) == len(arrays) == len(story.inputs) else None
    fit_y = None if not target_arrays or any(t is None for t in target_arrays) else (
        target_arrays[0] if len(target_arrays) == 1 else target_arrays)
    check_masks(model, matched, fit_y, out)
    x0 = usable[0] if len(usable) == 1 else None
    if len(target_arrays) == len(story.outputs) == 1 and target_arrays[0] is not None:
        target = target_arrays[0]
        if x0 is not None and target.shape[0] != x0.shape[0]:
            gap = abs(target.shape[0] - x0.shape[0])
            out.append(Finding("window_misalignment" if gap <= 50 else "batch_mismatch", "y",
                               f"x has {x0.shape[0]} samples and y {target.shape[0]}",
                               "cut x and y from one loop so each window has its target"))
        else:
            _check_rnn_head(model, story, out)
            _targets(model, usable, arrays, target_arrays, False, story, report, yname)
            if x0 is not None:
                _check_windows(x0, target, out)
    elif len(target_arrays) == len(story.outputs) > 1 and (dict_y or all(
            t is not None for t in target_arrays)):
        _targets(model, usable, arrays, target_arrays, dict_y, story, report, yname)
    check_stateful(model, story, x0, fit_y if len(target_arrays) == 1 else None, batch_size,
                   out)
    out[:] = list(dict.fromkeys(out))  # a shared layer called N times: each finding once
    return report


def _targets(model: Any, usable: list, arrays: list, targets: list, dict_y: bool,
             story: Any, report: Report, yname: str) -> None:
    """The targets and losses of every output, in the structure Keras pairs them by."""
    names = list(getattr(model, "output_names", None) or [])
    if dict_y and len(names) == len(targets):
        y: Any = {n: t for n, t in zip(names, targets) if t is not None}
        targets = list(y.values())
    else:
        y = targets if len(targets) > 1 else targets[0]
    x = None
    if usable and len(usable) == len(arrays):
        x = usable[0] if len(usable) == 1 else list(usable)
    note = check_targets(model, x, y, story, report.findings, full=targets, yname=yname)
    if note and "not compiled" not in note:
        report.note = " ".join(n for n in (report.note, f"(targets not checked: {note[:200]})")
                               if n)
