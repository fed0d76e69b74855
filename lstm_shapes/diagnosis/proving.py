"""Prove a fix before printing it: apply it to a clone, check again, train one step.

A ``Fix`` is data, not text: a new loss for one output, a transform of that output's
targets, config edits of named layers. ``prove`` rebuilds the model from its config with
the edits (fresh weights: the user's model is never touched), compiles it with the loss,
transforms a few samples of y, asks ``still_wrong`` whether the finding remains, and trains
one step (eagerly, on those samples). Only a fix that removes the finding and gives a
finite loss is printed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

_K = 8  # samples a proof trains on


@dataclass(frozen=True)
class Fix:
    """One candidate fix of one output: ``line`` is what the user reads."""

    line: str
    loss: Any = None  # the output's new loss (None: unchanged)
    y: Callable[[np.ndarray], np.ndarray] | None = None  # new targets of the output
    layers: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> config edits


def _edit_config(config: Any, edits: dict[str, dict[str, Any]]) -> int:
    """Apply ``edits`` to every layer config named in them, inside a model config."""
    done = 0
    if isinstance(config, dict):
        name = config.get("config", {}).get("name") if isinstance(config.get("config"),
                                                                   dict) else None
        if name in edits and "class_name" in config:
            inner = config["config"]
            for key, value in edits[name].items():
                target = inner
                if key.startswith("layer.") and isinstance(inner.get("layer"), dict):
                    target, key = inner["layer"]["config"], key[len("layer."):]
                target[key] = value
            done += 1
        for value in config.values():
            done += _edit_config(value, edits)
    elif isinstance(config, list):
        for value in config:
            done += _edit_config(value, edits)
    return done


def rebuild(model: Any, edits: dict[str, dict[str, Any]]) -> Any:
    """A new model from ``model``'s config with ``edits`` applied (fresh weights)."""
    import keras

    if not edits:
        return keras.models.clone_model(model)
    config = copy.deepcopy(model.get_config())
    if _edit_config(config, edits) < len(edits):
        raise ValueError("a layer to edit is not in the model's config")
    return type(model).from_config(config)


def with_output(struct: Any, key: Any, value: Any) -> Any:
    """``struct`` (one value, a list or a dict of outputs) with output ``key`` replaced."""
    if isinstance(struct, dict):
        return {**struct, key: value}
    if isinstance(struct, (list, tuple)):
        out = list(struct)
        out[key] = value
        return out
    return value


def _get(struct: Any, key: Any) -> Any:
    return struct[key] if isinstance(struct, (dict, list, tuple)) else struct


def _head(value: Any, k: int) -> Any:
    if isinstance(value, dict):
        return {n: v[:k] for n, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [v[:k] for v in value]
    return value[:k]


def prove(model: Any, x: Any, y: Any, key: Any, fix: Fix,
          still_wrong: Callable[[Any, Any, Any], bool]) -> bool:
    """Whether ``fix`` on output ``key`` removes the finding and one train step runs.

    ``still_wrong(model, x, y)`` re-runs the check on the fixed clone and its data.
    """
    try:
        clone = rebuild(model, fix.layers)
        loss = getattr(model, "_compile_loss", None)
        user_loss = copy.copy(loss._user_loss) if loss is not None else model.loss
        if fix.loss is not None:
            user_loss = with_output(user_loss, key, fix.loss) if isinstance(
                user_loss, (list, tuple, dict)) else fix.loss
        clone.compile(optimizer="adam", loss=user_loss, run_eagerly=True)
        xs, ys = _head(x, _K), _head(y, _K)
        if fix.y is not None:
            ys = with_output(ys, key, np.asarray(fix.y(np.asarray(_get(ys, key)))))
        if still_wrong(clone, xs, ys):
            return False
        value = clone.train_on_batch(xs, ys)
        value = value[0] if isinstance(value, (list, tuple)) else value
        return bool(np.isfinite(float(value)))
    except Exception:  # noqa: BLE001 - a fix that does not build, compile or train is no fix
        return False
