"""check_model's targets-and-losses family: predict a few samples, ask Keras's loss, judge
each output by meaning (``rules_semantics``, ``rules_axes``), print only proven fixes."""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_shapes.diagnosis.copy_targets import copy_findings
from lstm_shapes.diagnosis.findings import Finding
from lstm_shapes.diagnosis.loss_probe import LossCall, canonical, probe_losses, unmatched_loss_keys
from lstm_shapes.diagnosis.proving import prove
from lstm_shapes.diagnosis.rules_axes import axis_issues
from lstm_shapes.diagnosis.rules_semantics import Context, Issue, encoding_issues
from lstm_shapes.diagnosis.target_meaning import head_of

_K = 8  # samples the loss is computed on
_SHRINK = ("Conv1D", "MaxPooling1D", "AveragePooling1D")
_RANGES_KNOWN = {"softmax", "sigmoid", "tanh", "linear"}  # what random logits show exactly
_SHAPES_ONLY = {"mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
                "mean_squared_logarithmic_error", "huber", "log_cosh"}


def _rows(value: Any, k: int) -> Any:
    if isinstance(value, dict):
        return {n: np.asarray(v)[:k] for n, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [np.asarray(v)[:k] for v in value]
    return np.asarray(value)[:k]


def _reads_values(model: Any) -> bool:
    """Whether a compiled loss's verdict can hang on the predicted values (a cross-entropy:
    a softmax over one unit, probabilities or logits); a regression loss's hangs only on
    the shapes, which the graph already gives."""
    loss = getattr(model, "loss", None)
    losses = list(loss.values()) if isinstance(loss, dict) else list(loss) if isinstance(
        loss, (list, tuple)) else [loss]
    return any(canonical(one)[0] not in _SHAPES_ONLY for one in losses)


def _activated(activation: str, z: np.ndarray) -> np.ndarray:
    """``z`` (random logits) through a head's activation: the range its outputs have."""
    if activation == "softmax":
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    if activation == "sigmoid":
        return 1 / (1 + np.exp(-z))
    return np.tanh(z) if activation == "tanh" else z


def _outputs(model: Any) -> Any:
    """The model's symbolic outputs, as ``model(x)`` returns them (one, a list or a dict);
    None for a model without a graph."""
    try:
        return model.output
    except (AttributeError, TypeError, ValueError):
        pass
    try:  # a Sequential rebuilt from its config has only .outputs
        outputs = list(model.outputs or [])
    except (AttributeError, TypeError, ValueError):
        return None
    return (outputs[0] if len(outputs) == 1 else outputs) if outputs else None


def _predict(model: Any, xs: Any, story: Any, rows: int) -> tuple[Any, bool]:
    """Predictions of a few samples, without an eager forward pass (most of check_model's
    time) where the verdict cannot hang on the values: random outputs of the model's own
    shapes, passed through each head's activation when the loss reads values (a softmax
    head gives rows of probabilities whatever its inputs). Otherwise ``model(xs)``."""
    stateful = any(c.contract.stateful for c in story.rnn_calls)
    import keras

    struct = _outputs(model)  # this model's own (a proof's clone has other ones)
    shapes = ([tuple(o.shape) for o in keras.tree.flatten(struct)] if struct is not None
              else story.outputs)  # a subclassed model: as traced
    declared = bool(shapes) and all(d is not None for s in shapes for d in s[1:])
    acts = [head_of(model, i).activation for i in range(len(shapes))] if declared else []
    known = declared and all(a in _RANGES_KNOWN for a in acts)
    if xs is not None and not stateful and not known and (_reads_values(model)
                                                          or not declared):
        try:
            return model(xs, training=False), False
        except Exception:  # noqa: BLE001 - the input rules report why it does not run
            xs = None
    if not declared:
        return None, True
    k = rows or _K  # as many predictions as targets, whatever the declared batch
    rng = np.random.default_rng(0)
    made = [rng.standard_normal((k, *s[1:])).astype("float32") for s in shapes]
    if known:
        made = [_activated(a, z).astype("float32") for a, z in zip(acts, made)]
    if struct is not None:
        return keras.tree.pack_sequence_as(struct, made), not known
    return (made[0] if len(made) == 1 else made), not known


def _key(y: Any, call: LossCall, index: int, names: list[str]) -> Any:
    if isinstance(y, dict):
        return call.output if call.output in y else names[index]
    return index if isinstance(y, (list, tuple)) else None


def _judge(model: Any, xs: Any, ys: Any, story: Any, x3: np.ndarray | None,
           full: list[np.ndarray], yname: str) -> tuple[list[tuple[Any, Issue]], str]:
    """Issues of every output (unproven), each with its output's key; or why none ran."""
    rows = len(next(iter(ys.values())) if isinstance(ys, dict) else
               ys[0] if isinstance(ys, list) else ys)
    y_pred, synthetic = _predict(model, xs, story, rows)
    if y_pred is None:
        return [], "the model's outputs could not be computed"
    calls = probe_losses(model, ys, y_pred)
    if isinstance(calls, str):
        return [], calls
    names = list(getattr(model, "output_names", None) or [])
    shrink = tuple(layer.name for layer in getattr(model, "layers", [])
                   if type(layer).__name__ in _SHRINK)
    issues = []
    for i, call in enumerate(calls):
        if call.y_true is None or call.y_pred is None:
            continue
        key = _key(ys, call, i, names)
        index = names.index(call.output) if call.output in names else i
        y_all = next((a for a in full if a.shape[1:] == call.y_true.shape[1:] and
                      np.array_equal(a[:len(call.y_true)], call.y_true)), call.y_true)
        name = yname if key is None else f"{yname}[{key!r}]"
        ctx = Context(call, head_of(model, index), y_all, x3, name, shrink, synthetic)
        for issue in encoding_issues(ctx) or axis_issues(ctx):
            issues.append((key, issue))
    return issues, ""


def check_targets(model: Any, x: Any, y: Any, story: Any, out: list[Finding], *,
                  full: list[np.ndarray], yname: str = "y") -> str:
    """Append the targets/loss findings of every output to ``out``; returns a note when
    the loss could not be asked (not compiled, no outputs)."""
    x3 = x if isinstance(x, np.ndarray) and x.ndim == 3 else None
    if isinstance(x, np.ndarray) and x.ndim == 2 and x.dtype.kind in "iu":
        x3 = x[..., None]  # token ids: one (id) feature per timestep
    xs = _rows(x, _K) if x is not None else None
    ys = _rows(y, _K)
    if _names_mismatch(model, xs, ys, story, out):
        return ""
    issues, note = _judge(model, xs, ys, story, x3, full, yname)
    arrays = x if isinstance(x, list) else [x] if x is not None else []
    out += copy_findings(model, arrays, y)
    for key, issue in issues:
        def still_wrong(clone: Any, cx: Any, cy: Any, key: Any = key,
                        code: str = issue.code) -> bool:
            again, why = _judge(clone, cx, cy, story, None, [], yname)
            return bool(why) or any(k == key and i.code == code for k, i in again)
        proven = [f.line for f in issue.fixes
                  if x is not None and prove(model, x, y, key, f, still_wrong)]
        fix = "  OR  ".join(proven) if proven else issue.prose
        out.append(Finding(issue.code, issue.where, issue.message, fix, issue.severity))
    return note


def _names_mismatch(model: Any, xs: Any, ys: Any, story: Any, out: list[Finding]) -> bool:
    """Losses keyed by output names the model does not have (a subclassed model has none)."""
    y_pred = None
    if xs is not None and isinstance(getattr(getattr(model, "_compile_loss", None),
                                             "_user_loss", None), dict):
        y_pred, _ = _predict(model, xs, story, 0)
    found = unmatched_loss_keys(model, ys, y_pred) if y_pred is not None else None
    if found is None:
        return False
    keys, line = found
    names = list(getattr(model, "output_names", None) or [])
    has = (f"its outputs are named {names}" if names else "a subclassed model's outputs "
           "carry no names (the names of its layers are not output names)")
    out.append(Finding("output_names_mismatch", "model.compile(loss=...)", f"the losses are "
                       f"keyed by {keys}, and {has}: Keras cannot pair them with the outputs",
                       line or "give loss as a list, in the order the model returns its "
                       "outputs"))
    return True
