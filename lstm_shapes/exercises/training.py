"""What a probe records of the learner's training, as plain data for the judge.

Every training step the learner's code takes while inside :func:`training_recorded` --
``model.fit`` on arrays, datasets or generators, ``train_on_batch``, a hand-written loop --
is recorded with its model, how many windows it trained on and how many of them are
validation windows, its epochs and times; :func:`leaks` says it in words.

>>> leaks([{"via": "fit", "windows": 40, "val_windows": 8}])
'model.fit fed it 40 windows, 8 of them validation windows'
"""

from __future__ import annotations

import contextlib
import inspect
import time
from collections.abc import Iterator
from typing import Any

import numpy as np


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
