"""What a probe observes of a learner's model and training, as plain data for the judge.

A judge never reloads the learner's model (a subclassed model cannot be reloaded there), so
probes describe it instead: its recurrent layers in call order with what each reads (any
idiom: ``RNN(LSTMCell)`` is an LSTM), its parameters, compile settings, output and
``check_model``'s findings; and record each ``model.fit`` call: on how many windows, how many
of them validation windows, for how many epochs, and when.

>>> with_fix("x: wrong\\n  fix: x = x.reshape(40, 7, 1)", "x = x.reshape(len(x), timesteps, 1)")
'x: wrong\\n  fix: x = x.reshape(len(x), timesteps, 1)'
"""

from __future__ import annotations

import contextlib
import inspect
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

# what the task sizes or wires, not how the layer computes: never a "setting"
_NOT_SETTINGS = frozenset({"name", "units", "return_sequences", "return_state", "trainable",
                           "dtype", "seed", "cell"})


def _plain_setting(value: Any) -> Any:
    if isinstance(value, dict) and "class_name" in value:  # a serialized initializer, ...
        return value["class_name"]
    return value if isinstance(value, (int, float, bool, str, type(None))) else repr(value)


def changed_settings(layer: Any) -> dict[str, Any]:
    """The settings of a recurrent layer that differ from Keras's defaults for its kind
    (its cell's too, for ``RNN(cell)``); sizes and wiring (units, return_sequences, ...)
    are not settings. ``{}`` for a layer Keras cannot rebuild with defaults.

    >>> import keras
    >>> changed_settings(keras.layers.LSTM(8, activation="relu", return_sequences=True))
    {'activation': 'relu'}
    >>> changed_settings(keras.layers.RNN(keras.layers.LSTMCell(8, dropout=0.2)))
    {'dropout': 0.2}
    """
    try:
        cell = getattr(layer, "cell", None)
        pairs = [(layer, type(layer)(cell) if "cell" in layer.get_config() else
                  type(layer)(layer.units))]
        if cell is not None and "cell" in layer.get_config():
            pairs.append((cell, type(cell)(cell.units)))
        changes = {}
        for mine, default in pairs:
            want = default.get_config()
            for key, value in mine.get_config().items():
                if key not in _NOT_SETTINGS and key in want and \
                        _plain_setting(value) != _plain_setting(want[key]):
                    changes[key] = _plain_setting(value)
        return changes
    except Exception:  # noqa: BLE001 - a custom layer with other arguments: nothing to say
        return {}


def _rnn(call: Any) -> dict[str, Any]:
    """One recurrent layer call of a model's story: kind, units, return_sequences (from its
    config) and the shape it reads."""
    contract = call.contract
    return {"kind": contract.kind, "units": contract.units, "input": list(call.input_shape),
            "return_sequences": contract.return_sequences,
            "bidirectional": contract.bidirectional, "go_backwards": contract.go_backwards,
            "stateful": contract.stateful, "settings": changed_settings(call.layer)}


def _head_activation(model: Any) -> str | None:
    """The activation of the model's last non-recurrent layer with one ("linear" for a plain
    Dense; an RNN's tanh is not a head, wherever a subclassed model lists it)."""
    from lstm_shapes.core.contracts import contract_of

    for layer in reversed(getattr(model, "layers", [])):
        activation = getattr(layer, "activation", None)
        if contract_of(layer) is not None:
            continue
        if activation is not None:
            return str(getattr(activation, "__name__", activation))
    return None


def _fixed_batch(model: Any) -> int | None:
    """The batch size the model's input fixes (``Input(batch_size=...)``), else None."""
    try:
        return model.inputs[0].shape[0]
    except (AttributeError, IndexError, TypeError, ValueError):
        return None  # a subclassed model without inputs: no batch declared


def last_h_gap(model: Any, x: Any) -> float | None:
    """How far ``model(x)`` lies from a linear Dense(1) of the last h of its last recurrent
    layer (what that layer hands on while the model predicts x, whatever the idiom: a
    Lambda taking the last step passes); None: no such Dense(1), or no recurrent layer."""
    from lstm_shapes import explain

    calls = explain(model, x).rnn_calls
    if not calls:
        return None
    layer, seen = calls[-1].layer, []
    own = layer.call

    def call(*args: Any, **kwargs: Any) -> Any:
        seen.append(own(*args, **kwargs))
        return seen[-1]

    layer.call = call  # this layer only: what it hands on while the model predicts x
    try:
        got = np.asarray(model(x), dtype="float64")
    finally:
        del layer.call
    if not seen:
        return None
    h = seen[-1][0] if isinstance(seen[-1], (list, tuple)) else seen[-1]
    last = np.asarray(h[:, -1, :] if len(h.shape) == 3 else h, dtype="float64")
    gaps = []
    for dense in model._flatten_layers(include_self=False):
        kernel = getattr(dense, "kernel", None)
        if kernel is None or tuple(kernel.shape) != (last.shape[-1], 1):
            continue
        bias = getattr(dense, "bias", None)
        want = last @ np.asarray(kernel) + (0.0 if bias is None else np.asarray(bias))
        if want.shape == got.shape:
            gaps.append(float(np.max(np.abs(want - got))))
    return min(gaps) if gaps else None


def describe_model(build: Callable[[], Any], x: Any, y: Any) -> dict[str, Any]:
    """Build a model and describe it as plain data (see the module docstring), with
    ``last_h_gap`` (see :func:`last_h_gap`) when check_model found nothing.

    A mistake Keras refuses comes back as ``{"error": {"code", "text"}}``, named by
    :func:`lstm_shapes.diagnosing`, so a test can word the fix in the learner's terms.
    """
    import keras

    from lstm_shapes import ShapeError, check_model, diagnosing

    try:
        with diagnosing():
            model = build()
            report = check_model(model, x, y)
            output = None if report.errors else list(np.shape(model(x)))
    except ShapeError as err:
        return {"error": {"code": err.code, "text": str(err)}}
    loss, at_2 = getattr(model, "loss", None), None
    if loss is not None:  # what the loss says of predicting 2 for 0 (mse: 4, mae: 2)
        loss = keras.losses.get(loss) if isinstance(loss, str) else loss
        at_2 = float(np.mean(np.asarray(loss(np.zeros((1, 1), "float32"),
                                             np.full((1, 1), 2.0, "float32")))))
    gap = None
    if not report.errors:
        try:
            gap = last_h_gap(model, x)
        except Exception:  # noqa: BLE001 - a model that cannot be followed: no such head
            gap = None
    return {
        "last_h_gap": gap,
        "rnns": [_rnn(call) for call in report.story.rnn_calls],
        "params": int(model.count_params()),
        "compiled": bool(getattr(model, "compiled", False)),
        "adam": isinstance(getattr(model, "optimizer", None), keras.optimizers.Adam),
        "loss_at_2": at_2,
        "findings": [{"code": f.code, "where": f.where, "message": f.message, "fix": f.fix}
                     for f in report.errors],
        "output": output,
        "head_activation": _head_activation(model),
        "batch": _fixed_batch(model),
    }


def plain_data(value: Any) -> Any:
    """A learner's result as plain data a judge can read: arrays become lists, NaN and odd
    objects strings (never an error).

    >>> plain_data({"a": np.array([1.5, np.nan]), 2: (np.int64(3), object)})
    {'a': [1.5, 'nan'], '2': [3, "<class 'object'>"]}
    """
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): plain_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_data(v) for v in value]
    if isinstance(value, (bool, str)) or value is None:
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(float(value)) else repr(float(value))
    return repr(value)[:200]


def with_fix(text: str, fix: str) -> str:
    """A rendered ShapeError with its fix line replaced by one in the learner's terms."""
    lines = [line for line in text.splitlines() if not line.startswith("  fix:")]
    return "\n".join([*lines, f"  fix: {fix}"])


def _key(window: Any) -> bytes:
    return np.round(np.asarray(window, dtype="float64").ravel(), 5).tobytes()


def _rows(x: Any) -> list[Any]:
    """The rows of an array-like (none for anything else)."""
    try:
        x = np.asarray(x, dtype="float64")
    except (TypeError, ValueError):
        return []
    return [] if x.ndim == 0 else list(x)


def _batch_parts(batch: Any) -> tuple[Any, Any]:
    """``(x, y)`` of a batch a dataset or generator yields (``y`` None when it has none)."""
    if isinstance(batch, tuple):
        return batch[0], batch[1] if len(batch) > 1 else None
    return batch, None


def _training_rows(x: Any, validation_split: float, targets: list[Any] | None = None
                   ) -> list[Any]:
    """The windows fit trains on: x (or a dataset's x batches, read once; an endless one is
    not read) minus validation_split's tail; a dataset's targets go to ``targets``."""
    if hasattr(x, "as_numpy_iterator"):  # a tf.data.Dataset of (x, y) batches
        import tensorflow as tf

        if int(x.cardinality()) == int(tf.data.INFINITE_CARDINALITY):
            return []
        rows: list[Any] = []
        for batch in x.as_numpy_iterator():
            bx, by = _batch_parts(batch)
            rows.extend(_rows(bx))
            if targets is not None and by is not None:
                targets.extend(_rows(by))
        return rows
    rows = _rows(x)
    return rows[:int(len(rows) * (1 - validation_split))]


def batches_seen(data: Any, rows: list[Any], targets: list[Any] | None = None) -> Any:
    """``data`` for fit, with every x row it yields appended to ``rows`` (and each y row to
    ``targets``, when given and the batches hold targets): a Python generator is passed
    through a recording generator, a PyDataset (or Sequence) is read by index, a tf.data
    dataset once.

    >>> rows, targets = [], []
    >>> _ = batches_seen(iter([(np.zeros((2, 3)), np.ones((2, 1)))]), rows, targets)
    >>> list(_), len(rows), len(targets)  # doctest: +ELLIPSIS
    ([(array(...), array(...))], 2, 2)
    """
    def take(batch: Any) -> None:
        bx, by = _batch_parts(batch)
        rows.extend(_training_rows(bx, 0))
        if targets is not None and by is not None:
            targets.extend(_rows(by))

    if hasattr(data, "__getitem__") and hasattr(data, "__len__") and not hasattr(data, "shape"):
        try:
            for i in range(len(data)):
                take(data[i])
        except Exception:  # noqa: BLE001 - not an indexable dataset after all
            pass
        return data
    if hasattr(data, "__next__"):
        def recording() -> Iterator[Any]:
            for batch in data:
                take(batch)
                yield batch
        return recording()
    rows.extend(_training_rows(data, 0, targets))
    return data


TRAINING_PATHS = {"fit": "model.fit", "train_on_batch": "model.train_on_batch",
                  "call": "a loop calling model(x, training=True)",
                  "tape": "a tf.GradientTape loop calling model(x)",
                  "layer": "a loop calling model.call(x) or the layers themselves"}


def leaks(steps: list[dict[str, Any]]) -> str:
    """How ``steps`` (of :func:`training_recorded`) took validation windows, in words, by
    path ("" when they took none)."""
    said = []
    for via, words in TRAINING_PATHS.items():
        taken = [s for s in steps if s["via"] == via]
        val = sum(s["val_windows"] for s in taken)
        if val:
            said.append(f"{words} fed it {sum(s['windows'] for s in taken)} windows, {val} "
                        "of them validation windows")
    return "; ".join(said)


@contextlib.contextmanager
def training_recorded(x_val: Any) -> Iterator[list[dict[str, Any]]]:
    """Record every training step the learner's code takes with Keras while inside.

    ``model.fit`` (arrays, tf.data, Python generators, PyDatasets), ``model.train_on_batch``,
    calls ``model(x, training=True)`` of a hand-written loop, eager calls ``model(x)``
    inside a ``tf.GradientTape`` (a loop that forgot ``training=True``), and such calls of
    ``model.call(x)`` or of the layers (seen at the first recurrent layer, ``"model"``: that
    layer) each add
    ``{"via", "model", "windows", "val_windows", "epochs", "last_loss", "start", "end"}``
    (``via``: a key of :data:`TRAINING_PATHS`); ``val_windows`` counts the windows it
    trained on that are rows of ``x_val``. (A loop compiled with tf.function shows no
    concrete data: its ``training=True`` calls are recorded with ``windows`` 0.)
    """
    import keras
    import tensorflow as tf

    calls: list[dict[str, Any]] = []
    val_rows = {_key(row) for row in np.asarray(x_val)}
    own = {name: keras.Model.__dict__.get(name) for name in ("fit", "train_on_batch", "__call__")}
    inherited = {name: getattr(keras.Model, name) for name in own}
    if own["__call__"] is None:  # looked up at each call: later patches of Layer.__call__
        inherited["__call__"] = lambda *a, **k: keras.layers.Layer.__call__(*a, **k)
    busy = [0]  # inside fit/train_on_batch: their own model calls are theirs
    taping = [0]  # inside a tf.GradientTape: a model call there is a training step
    inside = [0]  # inside a model's or a recurrent layer's call: the outermost one records
    tape_enter, tape_exit = tf.GradientTape.__enter__, tf.GradientTape.__exit__

    def enter(self: Any) -> Any:
        taping[0] += 1
        return tape_enter(self)

    def leave(self: Any, *exc: Any) -> Any:
        taping[0] -= 1
        return tape_exit(self, *exc)

    def record(via: str, model: Any, rows: list[Any], start: float, history: Any = None) -> None:
        losses = getattr(history, "history", {}).get("loss") or [None]
        calls.append({"via": via, "model": model, "windows": len(rows), "start": start,
                      "end": time.perf_counter(),
                      "val_windows": sum(_key(row) in val_rows for row in rows),
                      "epochs": len(getattr(history, "epoch", []) or []),
                      "last_loss": losses[-1]})

    def fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            bound = inspect.signature(inherited["fit"]).bind(self, *args, **kwargs).arguments
        except TypeError:  # fit itself will say what is wrong with the call
            return inherited["fit"](self, *args, **kwargs)
        rows: list[Any] = []
        bound["x"] = batches_seen(bound.get("x"), rows)
        split = bound.get("validation_split") or 0.0
        bound.pop("self", None)
        extra = bound.pop("kwargs", {})
        start = time.perf_counter()
        busy[0] += 1
        try:
            history = inherited["fit"](self, **bound, **extra)
        finally:
            busy[0] -= 1
        record("fit", self, rows[:int(len(rows) * (1 - split))], start, history)
        return history

    def train_on_batch(self: Any, x: Any = None, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        busy[0] += 1
        try:
            result = inherited["train_on_batch"](self, x, *args, **kwargs)
        finally:
            busy[0] -= 1
        record("train_on_batch", self, _training_rows(x, 0), start)
        return result

    def stepped(via: str, run: Any, self: Any, args: Any, kwargs: Any) -> Any:
        """``run(self, *args, **kwargs)``, recorded as a training step of ``via`` when it is
        one: called with training=True or inside a tape, outside fit and any model call."""
        training = kwargs.get("training") is True
        taped = not training and taping[0] and tf.executing_eagerly()
        if busy[0] or inside[0] or not args or not (training or taped):
            inside[0] += 1
            try:
                return run(self, *args, **kwargs)
            finally:
                inside[0] -= 1
        start = time.perf_counter()
        inside[0] += 1
        try:
            result = run(self, *args, **kwargs)
        finally:
            inside[0] -= 1
        concrete = args[0] if hasattr(args[0], "numpy") or isinstance(args[0], np.ndarray) \
            else None
        record(via if via == "layer" else "call" if training else "tape", self,
               _training_rows(concrete, 0) if concrete is not None else [], start)
        return result

    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        return stepped("model", inherited["__call__"], self, args, kwargs)

    rnn_own = keras.layers.RNN.__dict__.get("__call__")  # diagnosing()'s, if it is on

    def rnn_call(self: Any, *args: Any, **kwargs: Any) -> Any:
        # model.call(x) or the layers called by hand: the first recurrent layer sees the data
        run = rnn_own or (lambda *a, **k: keras.layers.Layer.__call__(*a, **k))
        return stepped("layer", run, self, args, kwargs)

    keras.Model.fit, keras.Model.train_on_batch, keras.Model.__call__ = (
        fit, train_on_batch, call)
    tf.GradientTape.__enter__, tf.GradientTape.__exit__ = enter, leave
    keras.layers.RNN.__call__ = rnn_call
    try:
        yield calls
    finally:
        if rnn_own is None:
            del keras.layers.RNN.__call__
        else:
            keras.layers.RNN.__call__ = rnn_own
        tf.GradientTape.__enter__, tf.GradientTape.__exit__ = tape_enter, tape_exit
        for name, method in own.items():
            if method is None:
                delattr(keras.Model, name)
            else:
                setattr(keras.Model, name, method)


fits_recorded = training_recorded  # the name exercises 7 and 8 were written with
