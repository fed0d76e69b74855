"""check_model: find the shape mistakes of a Keras model and its data, loud AND silent.

Keras trains without a word on many mistakes (per-timestep predictions against
per-sequence targets, ``(N,)`` targets broadcast against ``(N, T, 1)``, a Sequential model
declared for other timesteps than the data, ...). ``check_model`` follows the model's
shapes (see :mod:`lstm_shapes._story`), then checks the data and targets against the input,
the output and the loss. Each finding has a misconception code, where, a message with named
dims and a fix; ``severity`` is ``"error"`` for certainties and ``"warning"`` for judgements.

>>> import keras, numpy as np
>>> model = keras.Sequential([keras.Input((10, 1)), keras.layers.LSTM(8, return_sequences=True),
...                           keras.layers.Dense(1)])
>>> report = check_model(model, np.zeros((32, 10, 1)), np.zeros((32, 1)))
>>> [f.code for f in report.findings]
['sequence_output_vs_last_target']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._story import ShapeStory, trace


@dataclass(frozen=True)
class Finding:
    """One mistake: ``code`` (see MISCONCEPTIONS), ``where``, ``message``, ``fix``, severity."""

    code: str
    where: str
    message: str
    fix: str
    severity: str = "error"  # "error" (certain) | "warning" (a judgement)

    def __str__(self) -> str:
        from ._messages import render_finding

        return render_finding(self.code, self.where, self.message, self.fix, self.severity)


@dataclass
class Report:
    """What check_model found, and the model's shape story."""

    findings: list[Finding] = field(default_factory=list)
    story: ShapeStory | None = None
    note: str = ""  # what was checked, when not the data as given (one batch of a dataset)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity != "error"]

    @property
    def ok(self) -> bool:
        """No error findings (warnings allowed)."""
        return not self.errors

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def __str__(self) -> str:
        notes = " ".join(n for n in (self.note, self.story.note if self.story else "") if n)
        if not self.findings:
            return f"check_model: no shape mistakes found{' ' + notes if notes else ''}"
        return "\n".join([*(str(f) for f in self.findings), *([notes] if notes else [])])


def _fmt(shape: tuple) -> str:
    from ._messages import format_shape

    return format_shape(tuple(shape))


# ---- data --------------------------------------------------------------------------------

def _by_name(value: Any, names: list[str], what: str, out: list[Finding]) -> Any:
    """A dict of arrays keyed by the model's input/output names, as a list in their order."""
    if not isinstance(value, dict):
        return value
    if names and set(value) == set(names):
        return [value[n] for n in names]
    out.append(Finding("not_a_tensor", what, f"{what} is a dict with keys {sorted(value)} but "
                       f"the model's {'inputs' if what == 'x' else 'outputs'} are named "
                       f"{names or 'nothing (no named inputs)'}",
                       f"key {what} by those names, or pass a list in their order"))
    return None


def _data(model: Any, x: Any, y: Any, report: Report) -> tuple[Any, Any]:
    """What ``model.fit`` accepts, as arrays: one batch of a dataset, dicts by name."""
    out = report.findings
    if hasattr(x, "element_spec"):  # a tf.data.Dataset: its first batch is the evidence
        try:
            first = next(iter(x))
        except StopIteration:
            out.append(Finding("empty_batch", "x", "the dataset is empty",
                               "check how the dataset was built (a filter or take(0)?)"))
            return None, None
        if isinstance(first, (tuple, list)) and len(first) >= 2 and y is None:
            x, y = first[0], first[1]
        else:
            x = first
        report.note = "(checked the first batch of the dataset)"
    elif hasattr(x, "__next__"):  # a generator: checking would consume the learner's data
        out.append(Finding("not_a_tensor", "x", "x is a generator (or iterator)",
                           "check one batch: xb, yb = next(gen); check_model(model, xb, yb)"))
        return None, None
    inputs = [t.name for t in getattr(model, "inputs", None) or []]
    outputs = list(getattr(model, "output_names", None) or [])
    return _by_name(x, inputs, "x", out), _by_name(y, outputs, "y", out)


def _as_array(value: Any, name: str, out: list[Finding]) -> np.ndarray | None:
    """``value`` as a numeric array, or None with a finding saying why not."""
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    try:
        array = np.asarray(value)
    except ValueError:
        out.append(Finding("ragged_sequences", name, f"{name} holds sequences of different "
                           "lengths", f"{name} = keras.utils.pad_sequences({name}, "
                           "dtype='float32')"))
        return None
    if array.dtype == object:
        out.append(Finding("ragged_sequences" if isinstance(value, (list, tuple))
                           else "not_a_tensor", name, f"{name} is not one numeric array "
                           f"(dtype object)", f"{name} = np.asarray({name}, dtype='float32')"))
        return None
    if array.dtype.kind not in "biuf":
        out.append(Finding("wrong_dtype", name, f"{name} has dtype {array.dtype}",
                           f"{name} = {name}.astype('float32')"))
        return None
    if array.ndim == 0 or 0 in array.shape:
        out.append(Finding("empty_batch", name, f"{name} is empty {_fmt(array.shape)}",
                           f"check how {name} was sliced"))
        return None
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        bad = int((~np.isfinite(array)).sum())
        out.append(Finding("non_finite_values", name, f"{name} holds {bad} NaN/inf value(s)",
                           f"drop or fill them: {name} = np.nan_to_num({name})"))
    return array


def _check_input(x: np.ndarray, declared: tuple, out: list[Finding]) -> None:
    """The data against the model's declared input ``(None, T, F)``."""
    from ._errors import Binding
    from ._misconceptions import classify_mismatch

    if tuple(declared[1:]) == tuple(x.shape):
        out.append(Finding(
            "missing_timestep_axis", "x", f"x is {_fmt(x.shape)}: ONE sample without its "
            f"batch axis; Keras would read it as {x.shape[0]} samples and silently return "
            f"{x.shape[0]} predictions",
            f"x = x[np.newaxis]   # if it is ONE sample of {x.shape[0]} timesteps; "
            f"x[:, np.newaxis, :] if it is {x.shape[0]} samples of one step"))
        return
    if len(declared) == x.ndim + 1 and tuple(declared[2:]) == tuple(x.shape[1:]):
        out.append(Finding(
            "batch_in_input_shape", "model input",
            f"the model's input is {_fmt(declared)} (rank {len(declared)}) but x is "
            f"{_fmt(x.shape)}: the declared shape includes the batch",
            f"keras.Input(shape={tuple(x.shape[1:])})   # one sample, no batch"))
        return
    if len(declared) != 3:
        return
    t_decl, f_decl = declared[1], declared[2]
    if x.ndim == 2 and x.shape[1] == t_decl and f_decl == 1:
        out.append(Finding(
            "missing_timestep_axis", "x", f"x is {_fmt(x.shape)} (batch, timesteps) without a "
            f"feature axis; Keras adds it silently for Input({declared[1:]})",
            f"x = x.reshape({x.shape[0]}, {x.shape[1]}, 1)   # (batch, timesteps, features)",
            "warning"))
        return
    if x.ndim == 3 and (t_decl in (None, x.shape[1])) and (f_decl in (None, x.shape[2])):
        return
    if x.ndim == 4 and x.shape[-1] == 1 and all(d in (None, s) for d, s in
                                                 zip(declared[1:], x.shape[1:3])):
        out.append(Finding(
            "wrong_rank", "x", f"x is {_fmt(x.shape)}, one axis more than the model's "
            f"{_fmt(declared)}; Keras drops the trailing 1 silently here, other code will not",
            "x = np.squeeze(x, axis=-1)   # (batch, timesteps, features)", "warning"))
        return
    if x.shape[0] > 1 and t_decl == x.shape[0] and f_decl == x.shape[1]:
        out.append(Finding(
            "batch_in_input_shape", "model input",
            f"the model reads (batch, timesteps={t_decl}, features={f_decl}) but x is "
            f"{_fmt(x.shape)}: the declared shape starts with the number of samples",
            f"keras.Input(shape={tuple(x.shape[1:])})   # one sample: (timesteps, features)"))
        return
    bindings = {n: Binding(int(s), "the model's Input") for n, s in
                (("timesteps", t_decl), ("features", f_decl)) if s is not None}
    code, fix = classify_mismatch(("batch", "timesteps", "features"), tuple(x.shape),
                                  bindings, "x")
    out.append(Finding(code, "x", f"x is {_fmt(x.shape)} but the model reads "
                       f"(batch, timesteps={t_decl}, features={f_decl})", fix))


def _shrinkers_before(model: Any, layer: Any) -> list[str]:
    """Names of the Conv1D/pooling layers that come before ``layer`` in ``model``."""
    layers = list(getattr(model, "layers", []))
    before = layers[:layers.index(layer)] if layer in layers else []
    return [x.name for x in before if type(x).__name__ in _SHRINK]


def _check_rnn_calls(model: Any, story: ShapeStory, out: list[Finding]) -> None:
    """Rules on each RNN call's input and initial states, from the layer configs."""
    for call in story.rnn_calls:
        _, t, f = call.input_shape
        name, c = f"layer {call.layer.name!r}", call.contract
        shrink = _shrinkers_before(model, call.layer) if t == 1 else []
        if shrink:
            out.append(Finding("conv_pool_shrinks_time", name, f"input (batch, timesteps=1, "
                               f"features={f}): {', '.join(shrink)} shrank the time axis to "
                               "ONE step, so the recurrence has nothing to remember",
                               "Conv1D(..., padding='same') and a smaller pool_size (or none) "
                               "before the RNN", "warning"))
        elif t == 1 and f is not None and f > 1:
            out.append(Finding("window_as_features", name, f"input (batch, timesteps=1, "
                               f"features={f}): the window sits on the feature axis",
                               f"x = x.reshape(-1, {f}, 1) and Input(shape=({f}, 1))",
                               "warning"))
        elif t == 1:
            out.append(Finding("no_temporal_context", name, "input has timesteps=1: the "
                               "recurrence sees a single step", "give each sample a window: "
                               "x shaped (batch, timesteps > 1, features)", "warning"))
        elif t is not None and f is not None and t <= 4 and f >= 8 * t:
            out.append(Finding("swapped_axes", name, f"input (batch, timesteps={t}, "
                               f"features={f}): few steps of many features looks like data "
                               f"laid out (batch, features, timesteps)",
                               "if so: x = np.transpose(x, (0, 2, 1)) and "
                               f"Input(shape=({f}, {t}))", "warning"))
        if c.stateful and call.input_shape[0] is None:
            out.append(Finding("stateful_batch", name, "stateful=True without a fixed batch",
                               "keras.Input(shape=(timesteps, features), batch_size=B)"))
        _check_state_shapes(call, out)
        _check_state_sources(call, out)


def _check_state_shapes(call: Any, out: list[Finding]) -> None:
    """Initial states: n_states tensors per direction, each (batch, units)."""
    c, shapes = call.contract, call.state_shapes
    if not shapes:
        return
    n = c.n_states * (2 if c.bidirectional else 1)
    name = f"layer {call.layer.name!r} initial_state"
    if len(shapes) != n:
        wanted = "[h, c]" if c.n_states == 2 else "[h]"
        out.append(Finding("initial_state_structure", name, f"{c.name} takes {n} initial "
                           f"state tensor(s), got {len(shapes)}"
                           + (" (a GRU ignores the extra c silently)" if c.kind == "GRU"
                              else ""), f"initial_state={wanted}   # each (batch, {c.units})"))
        return
    for i, shape in enumerate(shapes):
        if len(shape) != 2 or shape[-1] != c.units:
            out.append(Finding("initial_state_units" if len(shape) == 2
                               else "initial_state_structure", name,
                               f"state {i} is {_fmt(shape)}, the layer's h and c are "
                               f"(batch, units={c.units})",
                               f"make state {i} (batch, {c.units})"))


def _check_state_sources(call: Any, out: list[Finding]) -> None:
    """Initial states taken from a return_state layer: h and c of ONE direction, in order."""
    sources = [s for s in call.state_sources if s is not None]
    if len(sources) != len(call.state_sources) or call.contract.n_states != 2:
        return
    from ._contracts import contract_of

    for i in range(0, len(sources) - 1, 2):
        (op_h, _, ih), (op_c, _, ic) = sources[i][:3], sources[i + 1][:3]
        producer = contract_of(op_h) if op_h is op_c else None
        if producer is None or not producer.return_state or producer.n_states != 2:
            continue
        n_out = 2 if producer.bidirectional and producer.merge_mode is None else 1
        h_ok, c_ok = (ih - n_out) % 2 == 0, ic == ih + 1
        if h_ok and c_ok:
            continue
        names = ["output"] * n_out + (["h_fwd", "c_fwd", "h_bwd", "c_bwd"]
                                      if producer.bidirectional else ["h", "c"])
        got = f"[{names[ih]}, {names[ic]}]"
        code = "bidirectional_doubling" if producer.bidirectional else "initial_state_structure"
        out.append(Finding(code, f"layer {call.layer.name!r} initial_state",
                           f"initial_state={got} from {op_h.name!r}: an LSTM starts from "
                           f"[h, c] of one direction", "initial_state=[h_fwd, c_fwd] (or "
                           "[h_bwd, c_bwd]); to start from both, concatenate them and double "
                           "the units" if producer.bidirectional else "initial_state=[h, c]"))


# ---- targets and loss --------------------------------------------------------------------

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
    where, shapes = "targets y", f"predictions {_fmt(predicted)} vs y {_fmt(y.shape)}"
    if len(p) == 3 and y.ndim == 2 and y.shape[1] == p[2] or (len(p) == 3 and y.ndim == 1):
        code = "sequence_output_vs_last_target" if y.ndim == 2 else "target_broadcast"
        out.append(Finding(code, where, f"{shapes}: one prediction per timestep against one "
                           "target per sequence" + (" (broadcast to "
                                                    f"{_fmt((n, p[1], n))} in the loss)"
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
                           f"reshape y to {_fmt(p)} or change the head"))


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


# ---- the entry point ---------------------------------------------------------------------

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
    from ._diagnosing import translate

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
