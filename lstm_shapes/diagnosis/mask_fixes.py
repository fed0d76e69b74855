"""Fixes for mask findings, each proven before it is printed.

A candidate is an :class:`Edit` of the model (a config change, a layer replaced, dropped or
inserted before another). :func:`prove` applies it to a CLONE (fresh weights; the user's
model is never touched), runs the mask check again, and trains the clone one step on one
batch of the user's data; only an edit that removes the finding and gives a finite loss is
printed, worded with the user's layer names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Edit:
    """Changes to a model, by the user's layer names; ``line`` is the fix as printed."""

    line: str
    config: dict[str, dict[str, Any]] = field(default_factory=dict)
    replace: dict[str, Callable[[], Any]] = field(default_factory=dict)
    drop: set[str] = field(default_factory=set)
    insert_before: dict[str, Callable[[], Any]] = field(default_factory=dict)


def _clone_layer(layer: Any, edit: Edit) -> Any:
    if layer.name in edit.replace:
        return edit.replace[layer.name]()
    config = dict(layer.get_config())
    for key, value in edit.config.get(layer.name, {}).items():
        if key not in config and isinstance(config.get("layer"), dict):
            # a wrapper (Bidirectional): the setting belongs to the wrapped RNN(s)
            for inner in ("layer", "backward_layer"):
                if isinstance(config.get(inner), dict):
                    config[inner] = {**config[inner], "config": {
                        **config[inner]["config"], key: value}}
        else:
            config[key] = value
    try:
        return type(layer).from_config(config)
    except Exception:  # a Lambda of a Python lambda, an unregistered layer
        if layer.name in edit.config or layer.weights:
            raise  # never share trainable weights with the user's model
        return layer  # weightless and unchanged: calling it again in the clone is safe


def apply_edit(model: Any, edit: Edit) -> Any:
    """A fresh model with ``edit`` applied (Sequential stays Sequential)."""
    import keras

    if isinstance(model, keras.Sequential):
        first = model.inputs[0]
        layers: list[Any] = [keras.Input(batch_shape=first.shape, dtype=first.dtype)]
        for layer in model.layers:
            if layer.name in edit.insert_before:
                layers.append(edit.insert_before[layer.name]())
            if layer.name not in edit.drop:
                layers.append(_clone_layer(layer, edit))
        return keras.Sequential(layers, name=model.name)
    from lstm_shapes.core import keras_graph

    originals: dict[int, str] = {}
    # clone_model hands every call the mask Keras passed it as an explicit argument; only
    # the user's own mask= arguments stay, the rest Keras recomputes from the edited layers
    explicit = {n.operation.name for n in keras_graph.model_nodes(model)
                if any(s.argument == "mask" for s in keras_graph.node_slots(n))}

    def clone(layer: Any) -> Any:
        new = _clone_layer(layer, edit)
        originals[id(new)] = layer.name
        return new

    def call(layer: Any, *args: Any, **kwargs: Any) -> Any:
        name = originals.get(id(layer), layer.name)
        if name not in explicit:
            kwargs.pop("mask", None)
        if name in edit.drop:
            return args[0]
        if name in edit.insert_before and args:
            args = (edit.insert_before[name]()(args[0]), *args[1:])
        return layer(*args, **kwargs)

    return keras.models.clone_model(model, clone_function=clone, call_function=call)


def _batch(value: Any, rows: np.ndarray) -> Any:
    if isinstance(value, (list, tuple)):
        return [np.asarray(v)[rows] for v in value]
    return np.asarray(value)[rows]


def prove(model: Any, edit: Edit, x: Any, y: Any, still_wrong: Callable[[Any], bool],
          rows: np.ndarray) -> bool:
    """Does ``edit`` remove the finding (``still_wrong(clone)`` False) and train one step?"""
    import keras

    try:
        clone = apply_edit(model, edit)
        if still_wrong(clone):
            return False
        xb = _batch(x, rows)
        loss = getattr(model, "loss", None) if getattr(model, "compiled", False) else None
        if y is None or loss is None:
            target = clone.predict(xb, verbose=0)
            yb = keras.tree.map_structure(np.zeros_like, target)
            loss = "mse" if not isinstance(target, (list, dict)) else ["mse"] * len(target)
        else:
            yb = _batch(y, rows)
        clone.compile(optimizer="adam", loss=loss)
        result = clone.train_on_batch(xb, yb, return_dict=True)
        return bool(np.isfinite(float(result["loss"])))
    except Exception:  # noqa: BLE001 - an edit that does not build or train is not printed
        return False


def first_proven(model: Any, edits: list[Edit], x: Any, y: Any,
                 still_wrong: Callable[[Any], bool], rows: np.ndarray) -> str:
    """The line of the first edit that :func:`prove` accepts, else ``""``."""
    for edit in edits:
        if prove(model, edit, x, y, still_wrong, rows):
            return edit.line
    return ""
