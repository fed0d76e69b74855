"""Targets and losses judged by what they mean: the encoding, the axes, the data's story.

For each output, Keras's own compiled loss is run on a few samples (``loss_probe``): it
pairs targets with outputs (dicts by name, lists by order), squeezes, broadcasts or raises,
and that -- never a guess from shapes -- is the evidence of a silent broadcast. The labels'
encoding (``target_meaning.label_kind``), the head's activation and its predicted values
decide the loss findings; the axes (a time axis on one side only, a horizon against one
value) and the data (is y a shifted copy of a feature of x, or the next H values after each
window?) decide the shape findings. When the data does not settle which mistake it is, the
candidates are ranked and each carries its evidence. Every fix is proven (``proving``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lstm_shapes.diagnosis.loss_probe import LossCall
from lstm_shapes.diagnosis.proving import Fix
from lstm_shapes.diagnosis.target_meaning import Head, label_kind, values_say

_CE = ("categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy")
_REGRESSION = ("mean_squared_error", "mean_absolute_error", "huber", "log_cosh",
               "mean_absolute_percentage_error", "mean_squared_logarithmic_error")


@dataclass
class Issue:
    """A finding before its fixes are proven."""

    code: str
    where: str
    message: str
    severity: str = "error"
    fixes: list[Fix] = field(default_factory=list)
    prose: str = ""  # said when no fix is proven (never a code line)


@dataclass(frozen=True)
class Context:
    """One output as the rules see it."""

    call: LossCall
    head: Head
    y: np.ndarray  # all of this output's targets
    x: np.ndarray | None  # the one 3-D input, for the data's evidence
    yname: str  # the user's name for these targets: "y", "y_train", "y['label']"
    shrinkers: tuple[str, ...] = ()
    synthetic: bool = False  # y_pred was made up from the output's shape, not predicted


def _loss_line(ctx: Context, loss: str) -> str:
    out = ctx.call.output
    return (f"loss={{..., {out!r}: {loss!r}}}   # output {out!r}" if out
            else f"model.compile(..., loss={loss!r})")


def _loss_fix(ctx: Context, loss: str, **layers: dict[str, Any]) -> Fix:
    extra = "".join(f"; layer {n!r}: " + ", ".join(f"{k.split('.')[-1]}={v!r}"
                                                   for k, v in e.items())
                    for n, e in layers.items())
    return Fix(_loss_line(ctx, loss) + extra, loss=loss, layers=dict(layers))


def _head_edit(ctx: Context, **values: Any) -> dict[str, dict[str, Any]]:
    layer = ctx.head.layer
    if layer is None or type(layer).__name__ not in ("Dense", "TimeDistributed"):
        return {}
    prefix = "layer." if ctx.head.td else ""
    return {layer.name: {prefix + k: v for k, v in values.items()}}


def _layer_fix(ctx: Context, edits: dict[str, dict[str, Any]], what: str,
               loss: str | None = None) -> Fix | None:
    if not edits:
        return None
    line = "; ".join(f"layer {n!r}: " + ", ".join(f"{k.split('.')[-1]}={v!r}"
                                                  for k, v in e.items())
                     for n, e in edits.items())
    if loss:
        line += f"; {_loss_line(ctx, loss)}"
    return Fix(f"{line}   # {what}", loss=loss, layers=edits)


def encoding_issues(ctx: Context) -> list[Issue]:
    """The loss against the labels' encoding and the head's activation."""
    c, h, y = ctx.call, ctx.head, ctx.y
    loss, width = c.name, (c.y_pred.shape[-1] if c.y_pred is not None and c.y_pred.ndim
                           else h.width)
    kind = label_kind(y)
    said = "" if ctx.synthetic else values_say(c.y_pred)
    act = h.activation
    where = f"loss {loss!r}" + (f" of output {c.output!r}" if c.output else "")
    ids_max = int(np.max(y)) if kind in ("ids", "binary") else -1
    n_classes = max(ids_max + 1, 2)
    if (act == "softmax" or said == "constant_one") and width == 1:
        fixes = [f for f in (
            _layer_fix(ctx, _head_edit(ctx, activation="sigmoid"), "0/1 labels",
                       None if loss == "binary_crossentropy" else "binary_crossentropy")
            if kind == "binary" else None,
            _layer_fix(ctx, _head_edit(ctx, units=n_classes, activation="softmax"),
                       f"{n_classes} classes", "sparse_categorical_crossentropy")
            if kind == "ids" else None) if f]
        return [Issue("loss_label_encoding_mismatch", where, "a softmax over ONE unit always "
                      "outputs 1.0: the loss cannot move and the model learns nothing",
                      fixes=fixes, prose="Dense(1, activation='sigmoid') for 0/1 labels; "
                      "Dense(n_classes, activation='softmax') for classes")]
    if loss == "categorical_crossentropy" and width == 1:
        fixes = [f for f in (
            _layer_fix(ctx, _head_edit(ctx, activation="sigmoid"), "0/1 labels",
                       "binary_crossentropy") if kind == "binary" else None,
            _layer_fix(ctx, _head_edit(ctx, units=n_classes, activation="softmax"),
                       f"{n_classes} classes", "sparse_categorical_crossentropy")
            if kind == "ids" else None) if f]
        return [Issue("loss_label_encoding_mismatch", where, "categorical_crossentropy over "
                      "ONE output unit is always 0 (the only class has probability 1): the "
                      "model learns nothing", fixes=fixes,
                      prose="binary_crossentropy with a sigmoid unit for 0/1 labels")]
    n = ctx.yname
    if loss == "sparse_categorical_crossentropy" and kind in ("onehot", "probabilities") \
            and y.shape[-1] == width:
        return [Issue("loss_label_encoding_mismatch", where, f"{n} holds one-hot rows of "
                      f"{width} classes and sparse_categorical_crossentropy wants one class "
                      "id per sample", fixes=[
                          _loss_fix(ctx, "categorical_crossentropy"),
                          Fix(f"{n} = np.argmax({n}, axis=-1)   # class ids",
                              y=lambda a: np.argmax(a, axis=-1))])]
    class_axis_missing = y.ndim == c.y_pred.ndim - 1 or (
        y.ndim == c.y_pred.ndim and y.shape[-1] == 1) if c.y_pred is not None else False
    if loss == "categorical_crossentropy" and kind in ("ids", "binary") and width and \
            width > 1 and class_axis_missing:
        if ids_max >= width:
            return [Issue("output_width_mismatch", where, f"the labels of {n} reach {ids_max} "
                          f"but the head has {width} classes", fixes=[
                              f for f in (_layer_fix(ctx, _head_edit(ctx, units=ids_max + 1),
                                                     "one unit per class",
                                                     "sparse_categorical_crossentropy"),)
                              if f], prose=f"Dense({ids_max + 1}, activation='softmax')")]
        w = int(width)
        return [Issue("loss_label_encoding_mismatch", where, f"{n} holds integer class ids "
                      f"(0..{ids_max}) and categorical_crossentropy wants one-hot rows of "
                      f"{width}", fixes=[
                          _loss_fix(ctx, "sparse_categorical_crossentropy"),
                          Fix(f"{n} = keras.utils.to_categorical({n}, {w})   # one-hot",
                              y=lambda a: np.eye(w, dtype="float32")[
                                  a.reshape(a.shape[:-1] if a.ndim > 1 and a.shape[-1] == 1
                                            else a.shape).astype(int)])])]
    if loss == "categorical_crossentropy" and kind == "real" and width and width > 1:
        return [Issue("loss_label_encoding_mismatch", where, f"categorical_crossentropy "
                      f"wants class probabilities, and the rows of {n} are not (values in "
                      f"[{y.min():.3g}, {y.max():.3g}], not 0/1 rows summing to 1)",
                      fixes=[f for f in (_layer_fix(ctx, _head_edit(ctx, activation="linear"),
                                                    "regression", "mse"),) if f] if act in (
                          "softmax", "sigmoid") else [_loss_fix(ctx, "mse")],
                      prose="a regression loss (mse) on a linear head, or one-hot labels")]
    if loss == "binary_crossentropy" and (act == "softmax" or said == "distribution") and \
            width and width > 1:
        fixes = [_loss_fix(ctx, "categorical_crossentropy")] if kind == "onehot" else []
        if kind == "multihot":
            fixes = [f for f in (_layer_fix(ctx, _head_edit(ctx, activation="sigmoid"),
                                            "independent labels"),) if f]
        return [Issue("loss_label_encoding_mismatch", where, f"binary_crossentropy on a "
                      f"softmax head of {width} classes: it scores each class as its own "
                      "yes/no question while the softmax ties them together", fixes=fixes,
                      prose="categorical_crossentropy for one class per sample")]
    if loss == "binary_crossentropy" and kind == "onehot" and act == "sigmoid" and width \
            and width > 2 and y.shape[-1] == width:
        # every row has exactly one 1: the classes exclude each other, and independent
        # sigmoids neither know it nor sum to 1 ("accuracy" becomes binary accuracy: a
        # constant all-zero answer scores (width-1)/width); a judgement on few rows
        rows = int(np.prod(y.shape[:-1]))
        return [Issue("loss_label_encoding_mismatch", where, f"every row of {n} is one-hot "
                      f"({rows} rows, exactly one of {width} classes each): one class per "
                      f"sample, but binary_crossentropy on {width} sigmoid units scores each "
                      "class as its own yes/no question and the outputs do not sum to 1",
                      "error" if rows >= 16 else "warning", fixes=[f for f in (_layer_fix(
                          ctx, _head_edit(ctx, activation="softmax"), f"{width} exclusive "
                          "classes", "categorical_crossentropy"),) if f],
                      prose=f"Dense({width}, activation='softmax') with "
                      "loss='categorical_crossentropy'")]
    if loss == "binary_crossentropy" and kind == "ids" and ids_max >= 2:
        k = ids_max + 1
        return [Issue("loss_label_encoding_mismatch", where, f"binary_crossentropy wants "
                      f"0/1 labels and {n} holds class ids 0..{ids_max}: {k} classes",
                      fixes=[f for f in (_layer_fix(
                          ctx, _head_edit(ctx, units=k, activation="softmax"),
                          f"{k} classes", "sparse_categorical_crossentropy"),) if f],
                      prose=f"Dense({k}, activation='softmax') with "
                      "loss='sparse_categorical_crossentropy'")]
    if loss in _CE and c.from_logits and act in ("softmax", "sigmoid"):
        cls = "".join(p.title() for p in loss.split("_"))
        return [Issue("loss_label_encoding_mismatch", where, f"from_logits=True on a {act} "
                      f"head: the loss applies {act} a second time to values that are "
                      "already probabilities", fixes=[
                          Fix(f"model.compile(..., loss=keras.losses.{cls}())   "
                              "# from_logits=False: the head already gives probabilities",
                              loss=loss)])]
    if loss in _CE and c.from_logits is False and (act == "linear" or (
            not act and said == "unbounded")) and said == "unbounded":
        cls = "".join(p.title() for p in loss.split("_"))
        logits = cls.replace("Crossentropy", "Crossentropy(from_logits=True)")
        return [Issue("loss_label_encoding_mismatch", where, f"the head has no activation "
                      f"(its outputs reach {c.y_pred.min():.3g}..{c.y_pred.max():.3g}) and "
                      f"{loss} reads them as probabilities", fixes=[
                          Fix(f"model.compile(..., loss=keras.losses.{logits})",
                              loss=_logits_loss(loss))])]
    if loss in _REGRESSION and act in ("softmax", "sigmoid") and kind == "real" and (
            y.min() < 0 or y.max() > 1):
        return [Issue("loss_label_encoding_mismatch", where, f"targets {n} in "
                      f"[{y.min():.3g}, {y.max():.3g}] against a {act} head bounded to "
                      "[0, 1]", "warning", fixes=[f for f in (_layer_fix(
                          ctx, _head_edit(ctx, activation="linear"), "a linear head"),) if f],
                      prose="a linear head: Dense(k) without activation")]
    return []


def _logits_loss(name: str) -> Any:
    import keras

    cls = {"categorical_crossentropy": keras.losses.CategoricalCrossentropy,
           "sparse_categorical_crossentropy": keras.losses.SparseCategoricalCrossentropy,
           "binary_crossentropy": keras.losses.BinaryCrossentropy}[name]
    return cls(from_logits=True)
