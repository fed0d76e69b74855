"""Rules that look at the data to say which axis is time, with fixes that keep every value.

* An RNN that reads ONE step per sample, straight from x: when the values of each sample are
  stride windows of one series (``x[i, 0, 1:] == x[i + 1, 0, :-1]``) the window sits on the
  feature axis (``window_as_features``, fixed by a transpose, never by a reshape that
  re-deals values); otherwise each sample is one row with nothing before it
  (``no_temporal_context``: with one step and no initial state the recurrent kernel only
  ever multiplies a zero state, so the layer is a Dense layer).
* 2-D x against a declared ``(T, F)``: ``x[..., np.newaxis]`` when ``F == 1``; a reshape only
  when the data shows which axis is time; otherwise the question, never ``x.reshape(n, 8, 3)``.

Every fix that changes the model is applied to a rebuilt clone and trained one step first.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_shapes.core.messages import format_shape
from lstm_shapes.diagnosis.data_axes import (
    RANDOM,
    SMOOTH,
    lag1,
    reads_data,
    window_stride,
)
from lstm_shapes.diagnosis.findings import Finding


def _input_name(model: Any) -> str | None:
    from lstm_shapes.core import keras_graph

    inputs = getattr(model, "inputs", None) or []
    op = keras_graph.producer(inputs[0]) if len(inputs) == 1 else None
    return getattr(op, "name", None)


def _drop_builds(config: Any) -> None:
    """Remove every layer's saved build shapes: the input they were built for changes."""
    if isinstance(config, dict):
        config.pop("build_config", None)
        for value in config.values():
            _drop_builds(value)
    elif isinstance(config, list):
        for value in config:
            _drop_builds(value)


def _rebuild(model: Any, edits: dict[str, dict[str, Any]]) -> Any:
    """A new model from ``model``'s config with ``edits`` and no saved build shapes."""
    import copy

    from lstm_shapes.diagnosis.proving import _edit_config

    config = copy.deepcopy(model.get_config())
    if _edit_config(config, edits) < len(edits):
        raise ValueError("a layer to edit is not in the model's config")
    _drop_builds(config)
    return type(model).from_config(config)


def prove_x_fix(model: Any, x: np.ndarray, y: Any, edits: dict[str, dict[str, Any]]) -> bool:
    """Whether the model rebuilt with ``edits`` (fresh weights) trains one step on the new
    ``x`` (and ``y``), with no RNN left reading one step; the user's model is untouched."""
    import copy

    try:
        clone = _rebuild(model, edits)
        if any(len(t.shape) == 3 and t.shape[1] == 1 for t in clone.inputs):
            return False  # still one step
        xs = x[:8]
        if y is None or not hasattr(model, "loss") or getattr(model, "_compile_loss",
                                                              None) is None:
            out = clone(xs)
            return bool(np.isfinite(np.asarray(out)).all())
        loss = copy.copy(model._compile_loss._user_loss)
        clone.compile(optimizer="adam", loss=loss, run_eagerly=True)
        value = clone.train_on_batch(xs, np.asarray(y)[:8])
        value = value[0] if isinstance(value, (list, tuple)) else value
        return bool(np.isfinite(float(value)))
    except Exception:  # noqa: BLE001 - a fix that does not build or train is no fix
        return False


def _with_batch(model: Any, shape: tuple) -> dict[str, Any]:
    """The InputLayer edit that declares ``shape`` (one sample) for ``model``."""
    return {"batch_shape": [None, *shape]}


_ROWS_TO_JUDGE = 8  # fewer rows say nothing about how they follow each other


def one_step(model: Any, call: Any, x: np.ndarray | None, y: Any, out: list[Finding]) -> bool:
    """An RNN that reads one step: the window on the features, or rows with no past.

    Returns True when it reported (the caller then adds nothing about one step)."""
    layer, c = call.layer, call.contract
    name = f"layer {layer.name!r}"
    if c.stateful or call.state_shapes:
        return True  # one step at a time with carried/given state: streaming, not a mistake
    source = reads_data(model, layer) if x is not None else None
    if source is not None:
        declared = tuple(model.inputs[0].shape[1:])
        if len(declared) != x.ndim - 1 or not all(
                d in (None, s) for d, s in zip(declared, x.shape[1:])):
            return True  # x does not fit the declared input: that finding comes first
    f = call.input_shape[2]
    if source is None:
        out.append(Finding("no_temporal_context", name, f"input (batch, timesteps=1, features="
                           f"{f}): the recurrence sees a single step", "give each sample a "
                           "window: (batch, timesteps > 1, features)", "warning"))
        return True
    n = x.shape[0]
    rows = x.reshape(n, -1)
    w = rows.shape[1]
    stride = window_stride(rows) if w == f else None
    if stride is not None:
        _window_on_features(model, call, x, y, source, stride, out)
        return True
    if _rows_share_targets(model, call, x, y, source, out):
        return True
    enough = n >= _ROWS_TO_JUDGE
    ordered = enough and lag1(rows, axis=0) >= SMOOTH  # consecutive rows alike: in time
    what = ("the rows look consecutive in time (row i+1 is like row i)" if ordered else
            "the rows look like independent samples" if enough else
            f"{n} row(s) are too few to tell how they follow each other")
    fix = (f"if the rows are consecutive steps, give each sample the W rows up to it: "
           f"rows = x.reshape({n}, {w}); x = np.stack([rows[i:i + W] for i in range(len(rows)"
           f" - W + 1)]); y = y[W - 1:]; keras.Input(shape=(W, {w})); if they are independent "
           "samples, a Dense layer reads them (an RNN needs a sequence per sample)")
    out.append(Finding(
        "no_temporal_context", name,
        f"x is {format_shape(x.shape)}: every sample is ONE step of {w} features ({what}); with "
        "one step and no initial state the recurrent weights only multiply a zero state, so "
        f"{type(layer).__name__} is a Dense layer here", fix,
        # rows in time order lost their past (certain); otherwise it is a judgement
        "error" if ordered else "warning"))
    return True


def label_blocks(y: Any, n: int) -> int | None:
    """k when ``y`` holds one target per block of k consecutive rows (k >= 2, at least 4
    blocks, more blocks than distinct targets: not rows merely sorted by class), else None.

    >>> label_blocks(np.repeat([0, 1, 1, 0, 1, 0], 5), 30), label_blocks(np.arange(30), 30)
    (5, None)
    """
    if y is None or len(y) != n or n < 8:
        return None
    rows = np.asarray(y).reshape(n, -1)
    change = np.flatnonzero(np.any(rows[1:] != rows[:-1], axis=1)) + 1
    runs = np.diff(np.concatenate([[0], change, [n]]))  # lengths of runs of equal targets
    k = int(np.gcd.reduce(runs))  # the block size every run is made of
    if k < 2 or n // k < 4:
        return None
    return k if n // k > len(np.unique(rows, axis=0)) else None


def _rows_share_targets(model: Any, call: Any, x: np.ndarray, y: Any, source: Any,
                        out: list[Finding]) -> bool:
    """One-step rows whose targets change only every k rows: each target belongs to k
    consecutive rows, which are the k steps of ONE sample (a certain mistake: the RNN
    reads each of them alone). The fix regroups rows in their order and keeps one target
    per sample; it is proven on a rebuilt model first."""
    n, w = x.shape[0], int(np.prod(x.shape[1:]))
    k = label_blocks(y, n)
    name = _input_name(model)
    if k is None or source is not True or x.ndim != 3 or not name:
        return False
    new_x, new_y = x.reshape(n // k, k, w), np.asarray(y)[::k]
    if not prove_x_fix(model, new_x, new_y, {name: _with_batch(model, (k, w))}):
        return False
    out.append(Finding(
        "no_temporal_context", f"layer {call.layer.name!r}",
        f"x is {format_shape(x.shape)} and y changes only every {k} rows ({n // k} blocks "
        f"of {k}): each target belongs to {k} consecutive rows, the {k} steps of one sample, "
        f"but the {type(call.layer).__name__} reads every row as a sequence of one step",
        f"x = x.reshape({n // k}, {k}, {w}); y = y[::{k}]   # {k} steps per sample, in "
        f"order; keras.Input(shape=({k}, {w}))"))
    return True


def _window_on_features(model: Any, call: Any, x: np.ndarray, y: Any, source: Any,
                        stride: int, out: list[Finding]) -> None:
    n, w = x.shape[0], int(np.prod(x.shape[1:]))
    shift = "1 step" if stride == 1 else f"{stride} steps"
    message = (f"x is {format_shape(x.shape)}: each sample's {w} values are a window of one "
               f"series (sample i+1 is sample i shifted by {shift}), laid on the FEATURE axis "
               f"of one timestep; the {type(call.layer).__name__} sees no time")
    name = _input_name(model)
    if source is True and x.ndim == 3 and name:  # x (n, 1, W) -> (n, W, 1), the Input too
        new_x = np.transpose(x, (0, 2, 1))
        edits = {name: _with_batch(model, (w, 1))}
        line = (f"x = np.transpose(x, (0, 2, 1))   # {format_shape((n, w, 1))}: {w} timesteps "
                f"of 1 feature; keras.Input(shape=({w}, 1))")
    elif source is not True:  # a Reshape((1, W)) put it there: reshape to (W, 1) instead
        new_x, edits = x, {source.name: {"target_shape": [w, 1]}}
        line = f"keras.layers.Reshape(({w}, 1))   # {w} timesteps of 1 feature"
    else:
        new_x, edits, line = x, {}, ""
    if not (edits and prove_x_fix(model, new_x, y, edits)):
        line = (f"make each window a sequence: x shaped ({n}, {w}, 1) (the same values, "
                f"np.transpose or x[..., np.newaxis]) and keras.Input(shape=({w}, 1))")
    out.append(Finding("window_as_features", f"layer {call.layer.name!r}", message, line))


def two_d_into_sequence(x: np.ndarray, declared: tuple, out: list[Finding],
                        model: Any = None) -> bool:
    """x (n, K) against a declared (T, F): add the axis, or let the data pick the layout.

    Returns True when it reported."""
    t, f = declared[1], declared[2]
    n, k = x.shape
    if f == 1 and t in (None, k):
        out.append(Finding(
            "missing_timestep_axis", "x", f"x is {format_shape(x.shape)} (batch, timesteps) "
            f"without a feature axis; Keras adds it silently for Input({declared[1:]}), other "
            "code will not", f"x = x[..., np.newaxis]   # {format_shape((n, k, 1))}: "
            f"{k} timesteps of 1 feature", "warning"))
        return True
    if f is None or f <= 1:
        return False
    if k == f and t is None:  # rows of f features, any number of steps: one sequence?
        out.append(Finding(
            "missing_timestep_axis", "x", f"x is {format_shape(x.shape)}: rows of {f} "
            f"features and no time axis; the model reads (batch, timesteps, features={f})",
            f"x = x[np.newaxis]   # {format_shape((1, n, f))} if it is ONE sequence of {n} steps;"
            f" if the rows are samples in time order, make windows of W steps: x = np.stack("
            "[x[i:i + W] for i in range(len(x) - W + 1)]); y = y[W - 1:]"))
        return True
    if k == f and t is not None and t > 1 and n >= t:  # rows of features, no windows yet
        line = (f"make windows of {t} steps (if the rows are in time order): x = np.stack("
                f"[x[i:i + {t}] for i in range(len(x) - {t} + 1)])   # "
                f"{format_shape((n - t + 1, t, f))}; y = y[{t - 1}:]   # the target of each "
                "window's last row")
        windows = np.stack([x[i:i + t] for i in range(min(n - t + 1, 8))])
        if not (model is not None and prove_x_fix(model, windows, None, {})):
            line = line.replace("make windows", "give each sample a window")
        out.append(Finding(
            "missing_timestep_axis", "x", f"x is {format_shape(x.shape)}: one row of {f} "
            f"features per sample and no time axis; the model reads windows of {t} steps "
            f"(batch, timesteps={t}, features={f})", line))
        return True
    if t is not None and k == t * f:  # the values are all there: which order were they in?
        by_step, by_feature = x.reshape(n, t, f), x.reshape(n, f, t)
        step_smooth, feat_smooth = lag1(by_step, 1), lag1(by_feature, 2)
        if step_smooth >= SMOOTH and step_smooth - feat_smooth >= SMOOTH - RANDOM:
            fix = f"x = x.reshape({n}, {t}, {f})   # the values are step by step: t0f0, t0f1, ..."
        elif feat_smooth >= SMOOTH and _runs_jump(x, t):
            fix = (f"x = np.transpose(x.reshape({n}, {f}, {t}), (0, 2, 1))   # the values are "
                   f"feature by feature: each run of {t} is one feature's series")
        else:
            fix = (f"x holds {k} = {t} x {f} values per sample, in an order the data does not "
                   f"show: x.reshape({n}, {t}, {f}) if they are step by step (t0f0, t0f1, ...), "
                   f"np.transpose(x.reshape({n}, {f}, {t}), (0, 2, 1)) if feature by feature")
        out.append(Finding("missing_timestep_axis", "x", f"x is {format_shape(x.shape)}: "
                           f"{k} values per sample, flat; the model reads (batch, timesteps="
                           f"{t}, features={f})", fix))
        return True
    keep = (f"if each sample is {k} steps of one value: x = x[..., np.newaxis] and "
            f"keras.Input(shape=({k}, 1))")
    out.append(Finding(
        "missing_timestep_axis", "x",
        f"x is {format_shape(x.shape)}: {k} values per sample, and the model reads "
        f"(batch, timesteps={t}, features={f}) = {(t or 0) * f or '?'} values; no reshape "
        "of x keeps each value's meaning", f"{keep}; if each step has {f} features, build x "
        f"as (samples, timesteps, {f}) from the table they come from (a reshape of x "
        "would deal its values onto the wrong steps)"))
    return True


def _runs_jump(x: np.ndarray, run: int) -> bool:
    """Whether the flat rows (n, K) are smooth runs of ``run`` values that jump where one
    run ends and the next begins: one feature's series after another."""
    d2 = np.diff(x.astype("float64"), axis=1) ** 2
    edges = np.arange(run - 1, d2.shape[1], run)
    inner = np.setdiff1d(np.arange(d2.shape[1]), edges)
    if not len(edges) or not len(inner):
        return False
    return float(d2[:, edges].mean()) > 4 * float(d2[:, inner].mean())


def frames(model: Any, x: np.ndarray | None, y: Any, out: list[Finding]) -> None:
    """Frame data (batch, time, rows, cols, channels) read by a ConvLSTM/TimeDistributed
    layer straight from x: clips laid time-major (the batch axis is smooth like time, the
    time axis is not), or frames channels-first (the axis read as channels is smooth like a
    spatial axis, the one read as rows is a short unordered one)."""
    from lstm_shapes.diagnosis.layouts import input_axes

    if x is None or x.ndim < 4 or getattr(model, "inputs", None) is None:
        return
    layer = next((la for la in getattr(model, "layers", []) if (input_axes(la) or ())[:2]
                  == ("batch", "time") and len(input_axes(la)) == x.ndim), None)
    if layer is None or reads_data(model, layer) is not True:
        return
    axes, name = input_axes(layer), _input_name(model)
    if lag1(x, 0) >= SMOOTH and lag1(x, 1) <= RANDOM and x.shape[1] > 2:
        new_x, what = np.swapaxes(x, 0, 1), "time-major clips: (time, batch, ...)"
        line = f"x = np.swapaxes(x, 0, 1)   # {format_shape(new_x.shape)}: (batch, time, ...)"
    elif (axes[-1] == "channels" and x.shape[-3] <= 4 < x.shape[-1]
          and lag1(x, -1) >= SMOOTH and lag1(x, -2) >= SMOOTH):
        new_x, what = np.moveaxis(x, -3, -1), "frames laid out channels-first"
        line = (f"x = np.moveaxis(x, {x.ndim - 3}, -1)   # {format_shape(new_x.shape)}: "
                "channels last, as the layer reads them")
    else:
        return
    edits = {name: _with_batch(model, new_x.shape[1:])} if name else {}
    ys = y if y is not None and len(y) == len(new_x) else None
    if not (edits and prove_x_fix(model, new_x, ys, edits)):
        return  # an unproven transpose is no fix
    line += f"; keras.Input(shape={tuple(new_x.shape[1:])})"
    out.append(Finding("swapped_axes", f"layer {layer.name!r}", f"x is {format_shape(x.shape)}"
                       f" and {layer.name!r} reads {axes}: the data look like {what}", line))
