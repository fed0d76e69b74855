"""Tests of exercise 10 (numpy_cell): your cell against the library's reference and Keras."""

import numpy as np
import pytest

from lstm_shapes.exercises import assert_close, assert_shape, fail_with


def _question(rng):
    batch, t, f, units = (int(rng.integers(2, 6)), int(rng.integers(2, 9)),
                          int(rng.integers(1, 4)), int(rng.integers(2, 7)))
    x = rng.normal(size=(batch, t, f))
    weights = [rng.normal(scale=0.5, size=s) for s in
               ((f, 4 * units), (units, 4 * units), (4 * units,))]
    return x, weights


def probe_step(module, rng):
    x, (k, rk, b) = _question(rng)
    units = rk.shape[0]
    h = rng.normal(size=(x.shape[0], units))
    c = rng.normal(size=(x.shape[0], units))
    return np.stack([np.asarray(v, dtype=float) for v in module.lstm_step(x[:, 0], h, c, k, rk, b)])


def probe_unroll(module, rng):
    x, weights = _question(rng)
    return np.asarray(module.lstm_unroll(x, *weights)[0], dtype=float)


def probe_unroll_h(module, rng):
    x, weights = _question(rng)
    return np.asarray(module.lstm_unroll(x, *weights)[1], dtype=float)


def _gate_hint(got, x_t, h, c, k, rk, b):
    from lstm_shapes import lstm_step

    for order in ((0, 1, 3, 2), (0, 2, 1, 3), (1, 0, 2, 3)):
        perm = np.concatenate([np.split(np.arange(k.shape[1]), 4)[j] for j in order])
        if np.allclose(got, lstm_step(x_t, h, c, k[:, perm], rk[:, perm], b[perm])[0]):
            return "your gates are in another order than Keras's i, f, c, o"
    return "h = o * tanh(c) with c = f * c + i * g; i, f, o use sigmoid, g uses tanh"


@pytest.mark.exercise("numpy_cell", points=4)
def test_one_step(answers):
    from lstm_shapes import lstm_step

    rng = answers.rng("step")
    x, (k, rk, b) = _question(rng)
    units = rk.shape[0]
    h = rng.normal(size=(x.shape[0], units))
    c = rng.normal(size=(x.shape[0], units))
    got = answers["step"]
    assert_shape(got, "two batch units", "(h, c) of lstm_step", two=2, batch=x.shape[0],
                 units=units)
    want_h, want_c = lstm_step(x[:, 0], h, c, k, rk, b)
    if not np.allclose(got[0], want_h, atol=1e-5):
        fail_with("lstm_gate_count", "h after one step differs from Keras's",
                  _gate_hint(got[0], x[:, 0], h, c, k, rk, b))
    assert_close(got[1], want_c, "c after one step", fix="c = f * c + i * g, with g = "
                 "tanh of the cell gate (the third of i, f, c, o)")


@pytest.mark.exercise("numpy_cell", points=4)
def test_unrolled_over_the_timesteps(answers):
    from lstm_shapes import lstm_unroll

    x, weights = _question(answers.rng("unroll"))
    got = answers["unroll"]
    units = weights[1].shape[0]
    assert_shape(got, "batch timesteps units", "the sequence of lstm_unroll",
                 batch=x.shape[0], timesteps=x.shape[1], units=units)
    assert_close(got, lstm_unroll(x, *weights)[0], "the sequence of lstm_unroll",
                 fix="start from h = c = zeros((batch, units)); at each timestep t: "
                     "h, c = lstm_step(x[:, t], h, c, ...) and keep every h")


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("numpy_cell", points=2)
def test_final_h_equals_a_keras_lstm(answers):
    import keras

    x, weights = _question(answers.rng("unroll_h"))
    layer = keras.layers.LSTM(weights[1].shape[0])
    layer.build((None, None, x.shape[2]))
    layer.set_weights([w.astype("float32") for w in weights])
    keras_h = np.asarray(layer(x.astype("float32")))
    assert_close(answers["unroll_h"], keras_h, "the last h of lstm_unroll", atol=1e-4)
### END HIDDEN TESTS
