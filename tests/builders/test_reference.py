"""The NumPy reference LSTM equals keras.layers.LSTM, and its annotations really check."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from lstm_shapes import ShapeError, TensorTypeError, lstm_step, lstm_unroll


def _random_lstm(rng, batch, timesteps, features, units):
    """A built Keras LSTM with random weights (random non-zero bias too) and an input."""
    layer = keras.layers.LSTM(units, return_sequences=True, return_state=True)
    layer.build((None, timesteps, features))
    kernel = rng.normal(scale=0.5, size=(features, 4 * units)).astype("float32")
    recurrent = rng.normal(scale=0.5, size=(units, 4 * units)).astype("float32")
    bias = rng.normal(scale=0.5, size=(4 * units,)).astype("float32")
    assert np.all(bias != 0)
    layer.set_weights([kernel, recurrent, bias])
    x = rng.normal(size=(batch, timesteps, features)).astype("float32")
    return layer, x, (kernel, recurrent, bias)


@pytest.mark.parametrize("batch, timesteps, features, units", [
    (1, 1, 1, 1), (2, 5, 1, 3), (4, 10, 3, 8), (3, 7, 5, 16), (8, 20, 2, 50),
])
def test_unroll_equals_keras_outputs_h_and_c(batch, timesteps, features, units):
    rng = np.random.default_rng([batch, timesteps, features, units])
    layer, x, weights = _random_lstm(rng, batch, timesteps, features, units)
    sequence, h, c = (np.asarray(t) for t in layer(x))
    ours = lstm_unroll(x, *weights)
    assert [o.shape for o in ours] == [(batch, timesteps, units), (batch, units), (batch, units)]
    np.testing.assert_allclose(ours[0], sequence, atol=1e-5, rtol=0)
    np.testing.assert_allclose(ours[1], h, atol=1e-5, rtol=0)
    np.testing.assert_allclose(ours[2], c, atol=1e-5, rtol=0)
    assert ours[0].dtype == np.float32


def test_unroll_from_the_layers_own_weights_and_initial_states():
    rng = np.random.default_rng(1)
    layer, x, _ = _random_lstm(rng, 4, 6, 2, 5)
    h0 = rng.normal(size=(4, 5)).astype("float32")
    c0 = rng.normal(size=(4, 5)).astype("float32")
    sequence, h, c = (np.asarray(t) for t in layer(x, initial_state=[h0, c0]))
    ours = lstm_unroll(x, *layer.get_weights(), h0=h0, c0=c0)
    for mine, theirs in zip(ours, (sequence, h, c)):
        np.testing.assert_allclose(mine, theirs, atol=1e-5, rtol=0)
    # Without initial states the result differs: the states really enter the recurrence.
    assert not np.allclose(lstm_unroll(x, *layer.get_weights())[1], h, atol=1e-3)


def test_step_by_step_equals_unroll_and_accepts_tf_tensors():
    rng = np.random.default_rng(2)
    _, x, weights = _random_lstm(rng, 3, 4, 2, 6)
    h = c = np.zeros((3, 6), "float32")
    for t in range(4):
        h, c = lstm_step(tf.constant(x[:, t, :]), h, c, *weights)
    _, h_unrolled, c_unrolled = lstm_unroll(tf.constant(x), *(tf.Variable(w) for w in weights))
    np.testing.assert_allclose(h, h_unrolled, atol=1e-6)
    np.testing.assert_allclose(c, c_unrolled, atol=1e-6)


def test_gate_order_is_i_f_c_o():
    # Only the output gate's bias differs: with o's bias very negative, h is ~0 but c is not.
    units, features = 2, 1
    bias = np.zeros(4 * units, "float32")
    bias[3 * units:] = -30.0  # o gate (the 4th block) closed
    kernel = np.ones((features, 4 * units), "float32")
    recurrent = np.zeros((units, 4 * units), "float32")
    x = np.ones((1, 1, features), "float32")
    _, h, c = lstm_unroll(x, kernel, recurrent, bias)
    assert np.all(np.abs(h) < 1e-6) and np.all(c > 0.5)


@pytest.mark.parametrize("which, shape, blamed, text", [
    ("kernel", (3, 31), "kernel", "multiple of 4"),
    ("kernel", (2, 32), "kernel", "features should be 3, got 2"),
    # kernel binds units = 9 first, so the (right) recurrent kernel is the one that disagrees
    ("kernel", (3, 36), "recurrent_kernel", "units should be 9, got 8"),
    ("recurrent_kernel", (9, 32), "recurrent_kernel", "dimension_mismatch"),
    ("recurrent_kernel", (8, 8, 4), "recurrent_kernel", "wrong_rank"),
    ("bias", (33,), "bias", "4*units should be 32, got 33"),
    ("bias", (8, 4), "bias", "wrong_rank"),
])
def test_wrong_shape_weights_raise_shape_error(which, shape, blamed, text):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 5, 3)).astype("float32")
    weights = {"kernel": np.zeros((3, 32), "float32"),
               "recurrent_kernel": np.zeros((8, 32), "float32"),
               "bias": np.zeros(32, "float32")}
    lstm_unroll(x, **weights)  # the right shapes pass
    weights[which] = np.zeros(shape, "float32")
    with pytest.raises(ShapeError) as info:
        lstm_unroll(x, **weights)
    assert info.value.where == f"lstm_unroll argument {blamed}"
    assert text in str(info.value)


def test_wrong_initial_states_and_inputs_raise_shape_error():
    x = np.zeros((4, 5, 3), "float32")
    weights = (np.zeros((3, 32), "float32"), np.zeros((8, 32), "float32"),
               np.zeros(32, "float32"))
    with pytest.raises(ShapeError) as info:
        lstm_unroll(x, *weights, h0=np.zeros((4, 5), "float32"))
    assert info.value.code == "initial_state_units" and "argument h0" in str(info.value)
    with pytest.raises(ShapeError) as info:
        lstm_unroll(x, *weights, c0=np.zeros((2, 8), "float32"))
    assert info.value.code == "batch_mismatch"
    with pytest.raises(ShapeError) as info:
        lstm_unroll(x[:, :, 0], *weights)
    assert info.value.code == "missing_timestep_axis"
    with pytest.raises(TensorTypeError) as info:
        lstm_unroll(x.astype("int32"), *weights)
    assert info.value.code == "wrong_dtype"
    with pytest.raises(ShapeError) as info:
        lstm_step(x[:, 0, :], np.zeros((4, 8), "float32"), np.zeros((4, 7), "float32"),
                  *weights)
    assert "argument c" in str(info.value)
