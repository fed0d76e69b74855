"""Tests of exercise 3 (outputs): the values are checked against a NumPy LSTM."""

import numpy as np
import pytest

from lstm_shapes.exercises import assert_close, assert_shape, fail_with


def _question(rng):
    batch, t, f, units = (int(rng.integers(2, 9)), int(rng.integers(3, 12)),
                          int(rng.integers(1, 4)), int(rng.integers(2, 9)))
    x = rng.normal(size=(batch, t, f)).astype("float32")
    weights = [rng.normal(scale=0.4, size=s).astype("float32")
               for s in ((f, 4 * units), (units, 4 * units), (4 * units,))]
    return x, weights, units


def _layer(weights, units, **config):
    import keras

    layer = keras.layers.LSTM(units, **config)
    layer.build((None, None, weights[0].shape[0]))
    layer.set_weights(weights)
    return layer


def _run(module, rng, index):
    x, weights, units = _question(rng)
    layer = _layer(weights, units, return_sequences=True, return_state=True)
    return np.asarray(module.sequence_h_c(layer, x)[index])


def probe_sequence(module, rng):
    return _run(module, rng, 0)


def probe_h(module, rng):
    return _run(module, rng, 1)


def probe_c(module, rng):
    return _run(module, rng, 2)


def probe_last(module, rng):
    return np.asarray(module.last_step(rng.normal(size=(4, 7, 5))))


def probe_last_tensor(module, rng):  # a layer's output is a tensor, not a NumPy array
    import tensorflow as tf

    return np.asarray(module.last_step(tf.constant(rng.normal(size=(2, 3, 9)), tf.float32)))


def _reference(key, answers):
    from lstm_shapes import lstm_unroll

    x, weights, units = _question(answers.rng(key))
    return lstm_unroll(x, *weights), x.shape, units


@pytest.mark.exercise("outputs", points=3)
def test_the_sequence(answers):
    (sequence, _, _), (batch, t, _), units = _reference("sequence", answers)
    assert_shape(answers["sequence"], "batch timesteps units", "the sequence (first result)",
                 batch=batch, timesteps=t, units=units)
    assert_close(answers["sequence"], sequence, "the sequence (first result)", atol=1e-4,
                 code="return_state_unpacking", fix="sequence, h, c = layer(x)   # in this order")


@pytest.mark.exercise("outputs", points=3)
def test_h_and_c_are_the_last_states(answers):
    for index, name in ((1, "h"), (2, "c")):
        states, (batch, _, _), units = _reference(name, answers)
        got, want = answers[name], states[index]
        assert_shape(got, "batch units", name, batch=batch, units=units)
        if not np.allclose(got, want, atol=1e-4):
            fail_with("return_state_unpacking", f"your {name} is not the layer's last {name}",
                      "sequence, h, c = layer(x)   # in this order")


@pytest.mark.exercise("outputs", points=3)
def test_the_last_step_of_the_sequence_is_h(answers):
    sequence = answers.rng("last").normal(size=(4, 7, 5))
    last = answers["last"]
    if last.shape == (4, 5) and np.allclose(last, sequence[:, 0, :]):
        fail_with("unexpected_sequence_output", "you took the FIRST timestep",
                  "sequence[:, -1, :]")
    if last.shape == (7, 5) and np.allclose(last, sequence[-1]):
        fail_with("unexpected_sequence_output", "sequence[-1] is the last SAMPLE of the "
                  "batch, (timesteps, units); the last timestep of every sample is "
                  "(batch, units)", "sequence[:, -1, :]")
    assert_shape(last, "batch units", "last_step(sequence)", batch=4, units=5)
    if not np.allclose(last, sequence[:, -1, :]):
        fail_with("unexpected_sequence_output", "last_step(sequence) is not the last "
                  "timestep of each sequence", "sequence[:, -1, :]")


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("outputs", points=1)
def test_the_last_step_of_a_tensor(answers):
    sequence = answers.rng("last_tensor").normal(size=(2, 3, 9)).astype("float32")
    last = answers["last_tensor"]
    assert_shape(last, "batch units", "last_step(tensor)", batch=2, units=9)
    assert np.allclose(last, sequence[:, -1, :], atol=1e-6), (
        "last_step of a (2, 3, 9) tensor is not its last timestep")
### END HIDDEN TESTS
