"""What a probe observes of a learner's model and training, as plain data for the judge.

A judge never reloads the learner's model (a subclassed model cannot be reloaded there), so
probes describe it instead: its recurrent layers in call order with what each reads (any
idiom: ``RNN(LSTMCell)`` is an LSTM), its parameters, compile settings, output and
``check_model``'s findings (the training steps are recorded by :mod:`.training`).

>>> with_fix("x: wrong\\n  fix: x = x.reshape(40, 7, 1)", "x = x.reshape(len(x), timesteps, 1)")
'x: wrong\\n  fix: x = x.reshape(len(x), timesteps, 1)'
"""

from __future__ import annotations

from collections.abc import Callable
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
