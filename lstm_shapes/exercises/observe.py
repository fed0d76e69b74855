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


def _rnn(call: Any) -> dict[str, Any]:
    """One recurrent layer call of a model's story: kind, units, return_sequences (from its
    config) and the shape it reads."""
    contract = call.contract
    return {"kind": contract.kind, "units": contract.units, "input": list(call.input_shape),
            "return_sequences": contract.return_sequences,
            "bidirectional": contract.bidirectional}


def describe_model(build: Callable[[], Any], x: Any, y: Any) -> dict[str, Any]:
    """Build a model and describe it as plain data (see the module docstring).

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
    return {
        "rnns": [_rnn(call) for call in report.story.rnn_calls],
        "params": int(model.count_params()),
        "compiled": bool(getattr(model, "compiled", False)),
        "adam": isinstance(getattr(model, "optimizer", None), keras.optimizers.Adam),
        "loss_at_2": at_2,
        "findings": [{"code": f.code, "where": f.where, "message": f.message, "fix": f.fix}
                     for f in report.errors],
        "output": output,
    }


def with_fix(text: str, fix: str) -> str:
    """A rendered ShapeError with its fix line replaced by one in the learner's terms."""
    lines = [line for line in text.splitlines() if not line.startswith("  fix:")]
    return "\n".join([*lines, f"  fix: {fix}"])


def _key(window: Any) -> bytes:
    return np.round(np.asarray(window, dtype="float64").ravel(), 5).tobytes()


def _training_rows(x: Any, validation_split: float) -> list[Any]:
    """The windows fit trains on: x (or a dataset's x batches) minus validation_split's tail."""
    if hasattr(x, "as_numpy_iterator"):  # a tf.data.Dataset of (x, y) batches
        batches = [b[0] if isinstance(b, tuple) else b for b in x.as_numpy_iterator()]
        x = np.concatenate(batches) if batches else np.zeros((0,))
    try:
        x = np.asarray(x, dtype="float64")
    except (TypeError, ValueError):
        return []
    if x.ndim == 0:
        return []
    return list(x[:int(len(x) * (1 - validation_split))])


@contextlib.contextmanager
def fits_recorded(x_val: Any) -> Iterator[list[dict[str, Any]]]:
    """Record each ``model.fit`` call while inside: ``{"model", "windows", "val_windows",
    "epochs", "last_loss", "start", "end"}`` (``val_windows``: how many of the windows it
    trained on are rows of ``x_val``)."""
    import keras

    calls: list[dict[str, Any]] = []
    own, inherited = keras.Model.__dict__.get("fit"), keras.Model.fit
    val_rows = {_key(row) for row in np.asarray(x_val)}

    def fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        history = inherited(self, *args, **kwargs)
        end = time.perf_counter()
        try:
            bound = inspect.signature(inherited).bind(self, *args, **kwargs).arguments
        except TypeError:  # fit itself accepted the call: never fail it here
            bound = {}
        rows = _training_rows(bound.get("x"), bound.get("validation_split") or 0.0)
        losses = getattr(history, "history", {}).get("loss") or [None]
        calls.append({"model": self, "windows": len(rows), "start": start, "end": end,
                      "val_windows": sum(_key(row) in val_rows for row in rows),
                      "epochs": len(getattr(history, "epoch", []) or []),
                      "last_loss": losses[-1]})
        return history

    keras.Model.fit = fit
    try:
        yield calls
    finally:
        if own is None:
            del keras.Model.fit
        else:
            keras.Model.fit = own
