"""Rules on what leaves the model: targets against predictions, the loss, windows."""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_shapes.diagnosis.findings import Finding
from lstm_shapes.diagnosis.story import ShapeStory

_SHRINK = ("Conv1D", "MaxPooling1D", "AveragePooling1D")


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
