"""Every kind of bad input gets a clear, named error (and loses nothing).

Run as a script to print the README's bad-input table:
    python tests/test_bad_inputs.py
"""

from __future__ import annotations

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from lstm_shapes import LSTMInput, ShapeError, shape_checked

GOOD = np.zeros((990, 10, 1), "float32")


@shape_checked
def fit_windows(x: LSTMInput) -> LSTMInput:
    """Stand-in for any function annotated with LSTMInput."""
    return x


def _dataset():
    return tf.data.Dataset.from_tensor_slices(GOOD)


# (what was tried, how to make it, the error type expected or None to pass, its code)
CASES = [
    ("2-D array (no time axis)", lambda: GOOD[:, :, 0], ShapeError, "missing_timestep_axis"),
    ("1-D series", lambda: GOOD.ravel(), ShapeError, "wrong_rank"),
    ("4-D array (extra axis)", lambda: GOOD[..., None], ShapeError, "wrong_rank"),
    ("integer dtype", lambda: GOOD.astype("int64"), TypeError, "wrong_dtype"),
    ("string dtype", lambda: GOOD.astype(str), TypeError, "wrong_dtype"),
    ("bool dtype", lambda: GOOD.astype(bool), TypeError, "wrong_dtype"),
    ("symbolic None batch", lambda: keras.Input((10, 1)), None, None),
    ("symbolic, 2-D", lambda: keras.Input((10,)), ShapeError, "missing_timestep_axis"),
    ("tf.Variable", lambda: tf.Variable(GOOD), None, None),
    ("nested Python list", lambda: GOOD[:3].tolist(), TypeError, "not_a_tensor"),
    ("ragged Python list", lambda: [[0.1, 0.2], [0.3]], TypeError, "ragged_sequences"),
    ("object array", lambda: np.array([np.zeros(3), np.zeros(2)], dtype=object), TypeError,
     "ragged_sequences"),
    ("tf.RaggedTensor", lambda: tf.ragged.constant([[[0.1]], [[0.2], [0.3]]]), TypeError,
     "ragged_sequences"),
    ("empty batch", lambda: GOOD[:0], ShapeError, "empty_batch"),
    ("huge (10^9 values, zero-stride)", lambda: np.broadcast_to(np.float32(0), (10**6, 1000, 1)),
     None, None),
    ("(x, y) tuple where x belongs", lambda: (GOOD, GOOD[:, -1]), TypeError, "not_a_tensor"),
    ("tf.data.Dataset", _dataset, TypeError, "not_a_tensor"),
    ("None", lambda: None, TypeError, "not_a_tensor"),
    ("a string", lambda: "x.npy", TypeError, "not_a_tensor"),
]


@pytest.mark.parametrize("label, make, error, code", CASES, ids=[c[0] for c in CASES])
def test_bad_input(label, make, error, code):
    value = make()
    if error is None:
        assert fit_windows(value) is value
        return
    with pytest.raises(error) as info:
        fit_windows(value)
    err = info.value
    assert isinstance(err, ShapeError)  # TypeErrors here are TensorTypeError, a ShapeError
    assert err.code == code
    assert str(err).startswith("fit_windows argument x: ")
    assert f"[{code}]" in str(err)


def test_input_is_not_modified():
    x = GOOD.copy()
    with pytest.raises(ShapeError):
        fit_windows(x[:, :, 0])
    assert np.array_equal(x, GOOD) and x.shape == (990, 10, 1)


def _markdown_table() -> str:
    rows = ["| input tried | what the user sees |", "|---|---|"]
    for label, make, error, _ in CASES:
        try:
            fit_windows(make())
            seen = "passes (unknown dims never bind; only the shape is read)"
        except ShapeError as err:
            first = str(err).splitlines()
            detail = next((ln.strip() for ln in first if ln.strip().startswith("[")), "")
            fix = next((ln.strip() for ln in first if ln.strip().startswith("fix:")), "")
            seen = f"`{type(err).__name__}` {detail.split(']')[0]}] — {fix}".replace("|", "\\|")
        rows.append(f"| {label} | {seen} |")
    return "\n".join(rows)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    print(_markdown_table())
