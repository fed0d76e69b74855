"""check_model(): normalise the data, trace the model, run every family of rules."""

from __future__ import annotations

from typing import Any

from lstm_shapes.diagnosis.data import _as_array, _data
from lstm_shapes.diagnosis.findings import Finding, Report
from lstm_shapes.diagnosis.rules_inputs import _check_input, _check_rnn_calls
from lstm_shapes.diagnosis.rules_masks import check_masks
from lstm_shapes.diagnosis.rules_targets import (
    _check_loss,
    _check_rnn_head,
    _check_stateful,
    _check_targets,
    _check_windows,
)
from lstm_shapes.diagnosis.story import trace


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
    report = Report()
    out = report.findings
    x, y = _data(model, x, y, report)
    inputs = list(x) if isinstance(x, (list, tuple)) and x and hasattr(x[0], "shape") else (
        [x] if x is not None else [])
    arrays = [_as_array(v, "x" if len(inputs) == 1 else f"x[{i}]", out)
              for i, v in enumerate(inputs)]
    targets = list(y) if isinstance(y, (list, tuple)) and y and hasattr(y[0], "shape") else (
        [y] if y is not None else [])
    target_arrays = [_as_array(v, "y" if len(targets) == 1 else f"y[{i}]", out)
                     for i, v in enumerate(targets)]
    usable = [a for a in arrays if a is not None]
    try:
        report.story = trace(model, usable[0] if len(usable) == 1 and len(arrays) == 1
                             else None)
    except Exception as err:  # noqa: BLE001 - a model that cannot build IS the finding
        explained = translate(err)
        if explained is None:
            raise
        out.append(Finding(explained.code, explained.where, explained.detail or str(err),
                           explained.fix))
        return report
    story = report.story
    _check_rnn_calls(model, story, out)
    if usable and len(usable) == len(arrays) == len(story.inputs):
        for array, declared in zip(usable, story.inputs):
            _check_input(array, declared, out)
        if len(usable) > 1 and len({a.shape[0] for a in usable}) > 1:
            out.append(Finding("batch_mismatch", "x", "the inputs have different numbers of "
                               "samples", "give every input one row per sample"))
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
            _check_targets(target, story.outputs[0], model, out)
            _check_loss(model, target, story.outputs[0], out)
            if x0 is not None:
                _check_windows(x0, target, out)
    elif len(target_arrays) == len(story.outputs) > 1:  # one loss per output: shapes only
        for target, predicted in zip(target_arrays, story.outputs):
            if target is not None:
                _check_targets(target, predicted, model, out)
    _check_stateful(story, x0, batch_size, out)
    return report
