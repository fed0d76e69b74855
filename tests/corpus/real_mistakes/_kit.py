"""Small, seeded data and model helpers shared by the real-mistake modules."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

L = keras.layers
ops = keras.ops
N = 32  # samples per case: one epoch is one or two batches


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def series(n: int, seed: int = 0) -> np.ndarray:
    """A noisy sine wave of ``n`` values."""
    t = np.arange(n) * 0.1
    return (np.sin(t) + 0.1 * rng(seed).standard_normal(n)).astype("float32")


def windows(n: int = N, t: int = 8, horizon: int = 1, offset: int = 1,
            seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Stride-1 windows (n, t, 1) of a series and the ``horizon`` values after each.

    ``offset=1`` makes y start right after its window; 0 puts it on the window's last value.
    """
    s = series(n + t + horizon + offset + 1, seed)
    x = np.stack([s[i:i + t] for i in range(n)])[..., None]
    y = np.stack([s[i + t - 1 + offset:i + t - 1 + offset + horizon] for i in range(n)])
    return x, y


def feats(*shape: int, seed: int = 0) -> np.ndarray:
    return rng(seed).standard_normal(shape).astype("float32")


def ints(n: int, classes: int, seed: int = 0) -> np.ndarray:
    return rng(seed).integers(0, classes, n)


def onehot(labels: np.ndarray, classes: int) -> np.ndarray:
    return np.eye(classes, dtype="float32")[labels]


def tokens(n: int, t: int, vocab: int, *, seed: int = 0, padding: str = "post",
           min_len: int = 2) -> np.ndarray:
    """Zero-padded id sequences (n, t) of random lengths; ids are 1..vocab-1, 0 is padding."""
    r = rng(seed)
    out = np.zeros((n, t), "int32")
    for i in range(n):
        length = int(r.integers(min_len, t + 1))
        ids = r.integers(1, vocab, length)
        if padding == "post":
            out[i, :length] = ids
        else:
            out[i, t - length:] = ids
    return out


def compiled(model: Any, loss: Any = "mse", **kw: Any) -> Any:
    model.compile(optimizer="adam", loss=loss, **kw)
    return model


def seq(shape: tuple | None, *layers: Any, loss: Any = "mse", batch_size: int | None = None,
        batch_shape: tuple | None = None, dtype: str | None = None, **kw: Any) -> Any:
    """A compiled Sequential model that starts with Input(shape) (or Input(batch_shape))."""
    head = (keras.Input(batch_shape=batch_shape, dtype=dtype) if batch_shape is not None
            else keras.Input(shape, batch_size=batch_size, dtype=dtype))
    return compiled(keras.Sequential([head, *layers]), loss, **kw)


def fn(inputs: Any, outputs: Any, loss: Any = "mse", **kw: Any) -> Any:
    """A compiled functional model."""
    return compiled(keras.Model(inputs, outputs), loss, **kw)
