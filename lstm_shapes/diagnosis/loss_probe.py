"""Ask Keras what the compiled loss does with these targets: pairs, shapes, broadcasting.

The check never guesses how Keras pairs targets with outputs or whether it broadcasts: it
builds a fresh copy of the model's compiled loss (Keras's own ``CompileLoss``, with the
user's loss, weights and output names), calls it on a few samples and records, for each
output's loss, the ``y_true``/``y_pred`` Keras actually handed it, the shapes after Keras's
own squeeze (``squeeze_or_expand_to_same_rank``), the unreduced per-sample loss and whether
anything raised. Nothing of the user's model changes.

>>> import numpy as np
>>> LossCall("mse", None, (4, 1), (4, 1), (4,), 0.5, "").broadcast
False
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

_ALIASES = {"mse": "mean_squared_error", "mae": "mean_absolute_error",
            "mape": "mean_absolute_percentage_error", "msle": "mean_squared_logarithmic_error"}
_SPARSE = "sparse_categorical_crossentropy"


@dataclass(frozen=True)
class LossCall:
    """One output's loss as Keras computed it on a few samples.

    ``y_shape``/``p_shape`` are the shapes after Keras's squeeze; ``per_sample`` the shape of
    the unreduced loss; ``raised`` Keras's message when computing it failed.
    """

    name: str  # canonical loss name ("mean_squared_error", ...) or the function's name
    from_logits: bool | None
    y_shape: tuple
    p_shape: tuple
    per_sample: tuple
    value: float | None
    raised: str
    output: str = ""  # the output's name when the model has several
    y_true: Any = None  # the arrays Keras paired (NumPy)
    y_pred: Any = None

    @property
    def broadcast(self) -> bool:
        """Targets and predictions of different shapes that Keras combined anyway."""
        if self.raised or not self.y_shape or not self.p_shape:
            return False
        if self.name == _SPARSE:  # integer ids: one axis fewer than the class scores
            y = self.y_shape[:-1] if len(self.y_shape) == len(self.p_shape) and \
                self.y_shape[-1] == 1 else self.y_shape
            return tuple(y) != tuple(self.p_shape[:-1])
        return tuple(self.y_shape) != tuple(self.p_shape)


def canonical(loss: Any) -> tuple[str, bool | None]:
    """A loss's canonical name and its ``from_logits`` (None when it has no such switch)."""
    if loss is None:
        return "", None
    if isinstance(loss, str):
        return _ALIASES.get(loss, loss), False if "crossentropy" in loss else None
    fn = getattr(loss, "fn", None)  # LossFunctionWrapper
    try:
        config = loss.get_config() or {}
    except Exception:  # noqa: BLE001 - a custom loss without a config
        config = {}
    kwargs = getattr(loss, "_fn_kwargs", None) or {}
    from_logits = config.get("from_logits", kwargs.get("from_logits"))
    name = getattr(fn, "__name__", None) or getattr(loss, "name", None) or getattr(
        loss, "__name__", None) or type(loss).__name__
    if "crossentropy" in name and from_logits is None:
        from_logits = False
    return _ALIASES.get(name, name), from_logits


def _numpy(value: Any) -> np.ndarray:
    return np.asarray(value.numpy() if hasattr(value, "numpy") else value)


def probe_losses(model: Any, y: Any, y_pred: Any) -> list[LossCall] | str:
    """Each output's loss on ``(y, y_pred)`` as the compiled model computes it.

    Returns the LossCalls in Keras's order of outputs, or a string: Keras's message when it
    could not even pair the targets with the outputs (or the model is not compiled).
    """
    import keras
    from keras.src.losses.loss import squeeze_or_expand_to_same_rank
    from keras.src.trainers.compile_utils import CompileLoss

    compiled = getattr(model, "_compile_loss", None)
    if compiled is None:  # not compiled: the axes are judged as an element-wise loss would
        names = list(getattr(model, "output_names", None) or []) or None
        fresh = CompileLoss("mean_squared_error", output_names=names)
    else:
        fresh = CompileLoss(compiled._user_loss, loss_weights=compiled._user_loss_weights,
                            output_names=compiled.output_names)
    calls: list[dict[str, Any]] = []

    def record(loss_fn: Any, name: str) -> Any:
        def fn(y_t: Any, y_p: Any, sample_weight: Any = None) -> Any:
            entry: dict[str, Any] = {"loss": loss_fn, "output": name, "y_true": _numpy(y_t),
                                     "y_pred": _numpy(y_p)}
            calls.append(entry)
            y_s, p_s = squeeze_or_expand_to_same_rank(
                keras.ops.convert_to_tensor(y_t), keras.ops.convert_to_tensor(y_p))
            entry["y_shape"], entry["p_shape"] = tuple(y_s.shape), tuple(p_s.shape)
            per = loss_fn.call(y_t, y_p) if hasattr(loss_fn, "call") else loss_fn(y_t, y_p)
            entry["per_sample"] = tuple(keras.ops.shape(per))
            value = loss_fn(y_t, y_p, sample_weight)
            entry["value"] = float(_numpy(value))
            return value
        return fn

    try:
        fresh.build(y, y_pred)
        fresh._flat_losses = [item._replace(loss=record(item.loss, item.name))
                              for item in fresh._flat_losses]
    except Exception as err:  # noqa: BLE001 - Keras's refusal is the evidence
        return f"{type(err).__name__}: {err}".strip()
    try:
        fresh(y, y_pred)
        raised = ""
    except Exception as err:  # noqa: BLE001 - Keras's refusal is the evidence
        raised = f"{type(err).__name__}: {str(err).strip().splitlines()[0] if str(err).strip() else ''}"
        if not calls:
            return raised
    out = []
    for i, entry in enumerate(calls):
        name, from_logits = canonical(entry["loss"]) if compiled is not None else ("", None)
        failed = raised if i == len(calls) - 1 and raised else ""
        out.append(LossCall(name, from_logits, entry.get("y_shape", ()),
                            entry.get("p_shape", ()), entry.get("per_sample", ()),
                            entry.get("value"), failed,
                            entry["output"] if len(fresh._flat_losses) > 1 else "",
                            entry["y_true"], entry["y_pred"]))
    return out


def unmatched_loss_keys(model: Any, y: Any, y_pred: Any) -> tuple[list[str], str] | None:
    """A dict of losses keyed by names the model's outputs do not carry: ``(the keys, a
    list-form loss line Keras accepts on these targets and predictions)``, else None.

    The list form is proven the way Keras would use it: a fresh ``CompileLoss`` pairs it
    with ``y`` and ``y_pred`` and computes a finite loss.
    """
    from keras.src.trainers.compile_utils import CompileLoss

    compiled = getattr(model, "_compile_loss", None)
    user = getattr(compiled, "_user_loss", None)
    if not isinstance(user, dict):
        return None
    names = list(getattr(model, "output_names", None) or compiled.output_names or [])
    keys = list(user)
    if names and set(keys) <= set(names):
        return None
    listed = [user[k] for k in keys]
    try:
        fresh = CompileLoss(listed)
        value = fresh(list(y) if isinstance(y, (list, tuple)) else y,
                      list(y_pred) if isinstance(y_pred, (list, tuple)) else y_pred)
        proven = bool(np.isfinite(float(_numpy(value))))
    except Exception:  # noqa: BLE001 - the list form does not fit either: no fix line
        proven = False
    line = (f"model.compile(..., loss={listed!r})   # a list, in the order the model returns "
            "its outputs" if proven else "")
    return keys, line
