"""A stateful RNN's fixed batch against the data and the fit: every batch must be full.

A stateful layer carries its states from batch ``i`` to batch ``i + 1``, so its batch size
is part of the model (``keras.Input(batch_shape=(B, T, F))``) and every batch must hold B
samples. The fix keeps every sample: a batch size that divides them, proven by cloning the
model on that batch and training one step; dropping the remainder is offered only as the
other choice, with the number of samples it loses.

>>> _divisors(10, 12)  # batch sizes that 10 samples fill exactly, largest first
[10, 5, 2, 1]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_shapes.diagnosis.findings import Finding
from lstm_shapes.diagnosis.story import ShapeStory


def _divisors(n: int, most: int) -> list[int]:
    return [b for b in range(min(n, most), 0, -1) if n % b == 0]


def _trains_with_batch(model: Any, x: np.ndarray, y: Any, b: int) -> bool:
    """Whether ``model`` rebuilt on a fixed batch of ``b`` trains one step on b samples."""
    import keras

    try:
        clone = keras.models.clone_model(
            model, input_tensors=keras.Input(batch_shape=(b, *x.shape[1:])))
        loss = getattr(model, "_compile_loss", None)
        if y is None or loss is None:
            return bool(np.all(np.isfinite(keras.ops.convert_to_numpy(clone(x[:b])))))
        clone.compile(optimizer="adam", loss=loss._user_loss)
        value = clone.train_on_batch(x[:b], np.asarray(y)[:b])
        return bool(np.isfinite(float(value[0] if isinstance(value, list) else value)))
    except Exception:  # noqa: BLE001 - a batch that does not build or train is no fix
        return False


def check_stateful(model: Any, story: ShapeStory, x: np.ndarray | None, y: Any,
                   batch_size: int | None, out: list[Finding]) -> None:
    """The first stateful RNN's fixed batch against ``batch_size`` and len(x)."""
    for call in story.rnn_calls:
        fixed = call.input_shape[0]
        if not call.contract.stateful or fixed is None:
            continue
        n = x.shape[0] if x is not None else None
        wrong_fit = batch_size is not None and batch_size != fixed
        partial = n is not None and n % fixed != 0
        if not (wrong_fit or partial):
            return
        said = [f"fit with batch_size={batch_size}"] if wrong_fit else []
        if partial:
            said.append(f"{n} samples do not fill batches of {fixed}" + (
                " (not even one)" if n < fixed else f" ({n % fixed} left over)"))
        options = []
        if wrong_fit and not partial:
            options.append(f"fit(..., batch_size={fixed}, shuffle=False)")
        if not options and n is not None and len(story.inputs) == 1 \
                and x.ndim == len(story.inputs[0]):
            preferred = [batch_size] if wrong_fit and n % batch_size == 0 else []
            for b in dict.fromkeys([*preferred, *_divisors(n, fixed)]):
                if b != fixed and _trains_with_batch(model, x, y, b):
                    shape = ", ".join(str(d) for d in (b, *x.shape[1:]))
                    options.append(f"keras.Input(batch_shape=({shape})) and fit(..., "
                                   f"batch_size={b}, shuffle=False)   # {b} divides "
                                   f"the {n} samples")
                    break
        if partial and n > fixed:
            keep = n // fixed * fixed
            options.append(f"x, y = x[:{keep}], y[:{keep}]   # drops the last {n - keep} "
                           "samples")
        out.append(Finding("stateful_batch", f"layer {call.layer.name!r}",
                           f"stateful with a fixed batch of {fixed}, but "
                           f"{'; '.join(said)}: a stateful RNN needs every batch full",
                           "; or ".join(options) or
                           "keras.Input(batch_shape=(B, timesteps, features)) with B a "
                           "divisor of the number of samples"))
        return
