"""Rules on what leaves the model: targets against predictions, the loss, windows, stateful batches."""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_shapes.core.messages import format_shape
from lstm_shapes.diagnosis.findings import Finding
from lstm_shapes.diagnosis.story import ShapeStory


def _squeeze_like_keras(y: tuple, p: tuple) -> tuple[tuple, tuple]:
    """Keras squeezes a trailing 1 when the ranks differ by one (squeeze_or_expand)."""
    if len(y) == len(p) + 1 and y[-1] == 1:
        return y[:-1], p
    if len(p) == len(y) + 1 and p[-1] == 1:
        return y, p[:-1]
    return y, p


_SHRINK = ("Conv1D", "MaxPooling1D", "AveragePooling1D")


def _check_targets(y: np.ndarray, predicted: tuple, model: Any, out: list[Finding]) -> None:
    """Targets against the model's output ``(None, ...)``; most of these train silently."""
    n = y.shape[0]
    p = (n, *predicted[1:])
    if _loss_name(model) == "sparse_categorical_crossentropy":
        p = p[:-1]  # integer labels: one fewer axis than the class scores
    ys, ps = _squeeze_like_keras(tuple(y.shape), p)
    if ys == ps:
        return
    where, shapes = "targets y", f"predictions {format_shape(predicted)} vs y {format_shape(y.shape)}"
    if len(p) == 3 and y.ndim == 2 and y.shape[1] == p[2] or (len(p) == 3 and y.ndim == 1):
        code = "sequence_output_vs_last_target" if y.ndim == 2 else "target_broadcast"
        out.append(Finding(code, where, f"{shapes}: one prediction per timestep against one "
                           "target per sequence" + (" (broadcast to "
                                                    f"{format_shape((n, p[1], n))} in the loss)"
                                                    if y.ndim == 1 else ""),
                           "set return_sequences=False on the last RNN (or predict per step "
                           "with targets shaped (batch, timesteps, 1))"))
    elif len(p) == 2 and y.ndim == 3 and y.shape[1] > 1:
        out.append(Finding("last_output_vs_sequence_target", where, f"{shapes}: one "
                           "prediction per sequence against one target per timestep",
                           "return_sequences=True on the last RNN (the Dense then acts per "
                           "timestep)"))
    elif len(p) == 2 and y.ndim == 2 and p[1] == 1 and y.shape[1] > 1:
        out.append(Finding("multistep_horizon_mismatch", where, f"{shapes}: {y.shape[1]} "
                           "future steps per sample against a one-value head (broadcast "
                           "silently)", f"end the model with Dense({y.shape[1]})"))
    elif len(p) == 3 and y.ndim == 3 and p[1] != y.shape[1]:
        shrink = [layer.name for layer in model.layers if type(layer).__name__ in _SHRINK]
        out.append(Finding("conv_pool_shrinks_time" if shrink else "target_broadcast", where,
                           f"{shapes}: {p[1]} predicted timesteps against {y.shape[1]} "
                           "target timesteps" + (f" ({', '.join(shrink)} shorten the time "
                                                 "axis)" if shrink else ""),
                           "Conv1D(..., padding='same') and no pooling before a per-timestep "
                           "head" if shrink else "give y the model's timesteps"))
    elif len(p) == y.ndim and p[-1] != y.shape[-1]:
        silent = p[-1] == 1 or y.shape[-1] == 1
        out.append(Finding("target_broadcast" if silent else "output_width_mismatch", where,
                           f"{shapes}: the head is {p[-1]} wide, the targets "
                           f"{y.shape[-1]}" + (" (broadcast silently)" if silent else ""),
                           f"end the model with Dense({y.shape[-1]})"))
    else:
        out.append(Finding("target_broadcast", where, f"{shapes} do not match",
                           f"reshape y to {format_shape(p)} or change the head"))


def _loss_name(model: Any) -> str:
    loss = getattr(model, "loss", None)
    if loss is None:
        return ""
    name = getattr(loss, "name", None) or getattr(loss, "__name__", None) or str(loss)
    return {"mse": "mean_squared_error", "mae": "mean_absolute_error"}.get(name, name)


def _check_loss(model: Any, y: np.ndarray, predicted: tuple, out: list[Finding]) -> None:
    loss = _loss_name(model)
    last = model.layers[-1] if getattr(model, "layers", None) else None
    activation = getattr(getattr(last, "activation", None), "__name__", "")
    width = predicted[-1] if predicted else None
    y = y[:_WINDOW_SAMPLE]  # the encoding shows in any sample of the labels
    integer_labels = (y.dtype.kind in "iu" or np.array_equal(y, np.round(y))) and (
        y.ndim == 1 or y.shape[-1] == 1)
    onehot = y.ndim >= 2 and y.shape[-1] > 1 and set(np.unique(y)) <= {0, 1} and \
        np.allclose(y.sum(axis=-1), 1)
    where = f"loss {loss!r}"
    if loss == "categorical_crossentropy" and width == 1:
        out.append(Finding("loss_label_encoding_mismatch", where, "categorical_crossentropy "
                           "over ONE output unit is always 0 (the only class has probability "
                           "1): the model learns nothing", "Dense(1, activation='sigmoid') "
                           "with loss='binary_crossentropy' for 0/1 labels"))
    elif loss == "categorical_crossentropy" and integer_labels and width and width > 1:
        out.append(Finding("loss_label_encoding_mismatch", where, "integer class labels "
                           "with categorical_crossentropy (which wants one-hot rows)",
                           "loss='sparse_categorical_crossentropy'"))
    elif loss == "sparse_categorical_crossentropy" and onehot:
        out.append(Finding("loss_label_encoding_mismatch", where, "one-hot labels with "
                           "sparse_categorical_crossentropy (which wants integer labels)",
                           "loss='categorical_crossentropy'"))
    elif loss == "binary_crossentropy" and activation == "softmax":
        out.append(Finding("loss_label_encoding_mismatch", where, f"binary_crossentropy on a "
                           f"softmax head of width {width}",
                           "Dense(1, activation='sigmoid') for 0/1 labels, or "
                           "categorical_crossentropy for one-hot classes"))
    elif "crossentropy" in loss and activation == "softmax" and width == 1:
        out.append(Finding("loss_label_encoding_mismatch", where, "a softmax over ONE unit "
                           "always outputs 1.0", "Dense(1, activation='sigmoid')"))
    elif loss in ("mean_squared_error", "mean_absolute_error") and activation in (
            "softmax", "sigmoid") and y.dtype.kind == "f" and (y.min() < 0 or y.max() > 1):
        out.append(Finding("loss_label_encoding_mismatch", where, f"regression targets in "
                           f"[{y.min():.3g}, {y.max():.3g}] against a {activation} head "
                           "bounded to [0, 1]", "a linear head: Dense(k) without activation",
                           "warning"))


_WINDOW_SAMPLE = 1024


def _check_windows(x: np.ndarray, y: np.ndarray, out: list[Finding]) -> None:
    """Stride-1 windows of one series: is each target the value right after its window?

    Reads the first ``_WINDOW_SAMPLE`` windows only: alignment is a property of how the
    windows were cut, so the cost does not grow with the data.
    """
    x, y = x[:_WINDOW_SAMPLE], y[:_WINDOW_SAMPLE]
    if x.ndim != 3 or x.shape[0] < 4 or x.shape[1] < 2 or y.shape[0] != x.shape[0] \
            or y.ndim > 2:  # per-timestep targets are not next-value windows
        return
    from lstm_shapes.diagnosis.target_meaning import shifted_feature

    if shifted_feature(x, y) is not None:
        return  # one target per step (a shifted copy of x), not one per window
    s = x[:, :, 0]
    if not np.allclose(s[1:, :-1], s[:-1, 1:], atol=1e-6):
        return  # not consecutive windows of one series (shuffled, or several series)
    series = np.concatenate([s[0], s[1:, -1]])
    t, n = x.shape[1], x.shape[0]
    first = y.reshape(n, -1)[:, 0] if y.size % n == 0 else None
    if first is None or np.ptp(series) == 0:
        return
    for offset in range(-t + 1, 4):  # y[i] == series[i + t - 1 + offset]
        idx = np.arange(n) + t - 1 + offset
        keep = (idx >= 0) & (idx < len(series))
        if keep.sum() >= n - 4 and np.allclose(first[keep], series[idx[keep]], atol=1e-6):
            break
    else:
        return
    if offset == 1:
        return
    what = ("is a value inside its own window (it leaks into the input)" if offset <= 0
            else f"comes {offset} steps after its window (it skips {offset - 1})")
    out.append(Finding("window_misalignment", "targets y", f"y[i] {what}",
                       "x[i] = series[i:i+T], y[i] = series[i+T] (or use "
                       "lstm_shapes.sine_windows)"))


def _check_rnn_head(model: Any, story: ShapeStory, out: list[Finding]) -> None:
    """The prediction IS an RNN's h: units read as the number of outputs/timesteps."""
    last = story.rnn_calls[-1] if story.rnn_calls else None
    if last is None or last.layer is not model.layers[-1]:
        return
    units, steps = last.contract.units, last.input_shape[1]
    out.append(Finding("units_equals_timesteps", f"layer {last.layer.name!r}",
                       f"the model's prediction is the LSTM's h itself ({units} tanh-bounded "
                       f"values" + (f", units = timesteps = {steps}" if units == steps else "")
                       + ")", "keep the RNN's units as its memory size and add a head: "
                       "Dense(<values to predict>)",
                       "error" if units == steps else "warning"))


def _check_stateful(story: ShapeStory, x: np.ndarray | None, batch_size: int | None,
                    out: list[Finding]) -> None:
    for call in story.rnn_calls:
        fixed = call.input_shape[0]
        if not call.contract.stateful or fixed is None:
            continue
        name = f"layer {call.layer.name!r}"
        if batch_size is not None and batch_size != fixed:
            out.append(Finding("stateful_batch", name, f"stateful with batch {fixed}, "
                               f"fit with batch_size={batch_size}",
                               f"fit(..., batch_size={fixed}, shuffle=False)"))
        if x is not None and x.shape[0] % fixed:
            out.append(Finding("stateful_batch", name, f"{x.shape[0]} samples do not "
                               f"divide into batches of {fixed}",
                               f"x, y = x[:{x.shape[0] // fixed * fixed}], "
                               f"y[:{x.shape[0] // fixed * fixed}]"))
        return
