"""Tests of exercise 3 (outputs): the values are checked against lstm_shapes' NumPy LSTM.

Each answer is compared with all three true results (sequence, h, c), so a result in the
wrong place is named as such.
"""

import numpy as np
import pytest

from lstm_shapes.exercises import assert_close, assert_shape, fail_with

_NAMES = ("sequence", "h", "c")
_UNPACK = "sequence, h, c = layer(x); return sequence, h, c   # the layer's own order"
_LAST = "sequence[:, -1, :]   # every sample, the last timestep, every unit"


def _question(rng):
    while True:  # batch, timesteps and units differ, so each result has its own shape
        batch, t, units = (int(rng.integers(2, 9)), int(rng.integers(3, 12)),
                           int(rng.integers(2, 9)))
        if len({batch, t, units}) == 3:
            break
    x = rng.normal(size=(batch, t, int(rng.integers(1, 4)))).astype("float32")
    weights = [rng.normal(scale=0.4, size=s).astype("float32")
               for s in ((x.shape[2], 4 * units), (units, 4 * units), (4 * units,))]
    return x, weights, units


def _layer(weights, units, **config):
    import keras

    layer = keras.layers.LSTM(units, **config)
    layer.build((None, None, weights[0].shape[0]))
    layer.set_weights(weights)
    return layer


def _results(module, rng):
    x, weights, units = _question(rng)
    layer = _layer(weights, units, return_sequences=True, return_state=True)
    results = module.sequence_h_c(layer, x)
    return [results] if hasattr(results, "shape") else list(results)  # one array is one result


def _result(module, rng, index):
    results = _results(module, rng)
    return np.asarray(results[index]) if index < len(results) else None


def probe_count(module, rng):
    return len(_results(module, rng))


def probe_sequence(module, rng):
    return _result(module, rng, 0)


def probe_h(module, rng):
    return _result(module, rng, 1)


def probe_c(module, rng):
    return _result(module, rng, 2)


def probe_last(module, rng):
    return np.asarray(module.last_step(rng.normal(size=(4, 7, 5))))


def probe_last_tensor(module, rng):  # a layer's output is a tensor, not a NumPy array
    import tensorflow as tf

    return np.asarray(module.last_step(tf.constant(rng.normal(size=(2, 3, 9)), tf.float32)))


def _truths(key, answers):
    """The true (sequence, h, c) of probe ``key``'s question, by name, and its x."""
    from lstm_shapes import lstm_unroll

    x, weights, _ = _question(answers.rng(key))
    return dict(zip(_NAMES, lstm_unroll(x, *weights))), x


def _judge(answers, index):
    name = _NAMES[index]
    if answers["count"] != 3:
        fail_with("return_state_unpacking", f"sequence_h_c returned {answers['count']} "
                  "result(s); it returns three: sequence, h, c", _UNPACK)
    truths, x = _truths(name, answers)
    got, want = answers[name], truths[name]
    for other, value in truths.items():
        if other != name and np.shape(got) == value.shape and np.allclose(got, value, atol=1e-4):
            fail_with("return_state_unpacking", f"your {name} (the result number {index + 1}) "
                      f"is the layer's {other}, shaped {value.shape}", _UNPACK)
    if name != "sequence" and np.shape(got) == want.shape and np.allclose(
            got, truths["sequence"][:, 0, :], atol=1e-4):
        fail_with("return_state_unpacking", f"your {name} is the h of the FIRST timestep; "
                  f"the layer returns the last {name}", _UNPACK)
    batch, t, _ = x.shape
    spec = "batch timesteps units" if name == "sequence" else "batch units"
    assert_shape(got, spec, name, batch=batch, timesteps=t, units=want.shape[-1])
    assert_close(got, want, f"your {name}", atol=1e-4, code="return_state_unpacking",
                 fix=_UNPACK)


@pytest.mark.exercise("outputs", points=3)
def test_the_sequence(answers):
    _judge(answers, 0)


@pytest.mark.exercise("outputs", points=3)
def test_h_and_c_are_the_last_states(answers):
    _judge(answers, 1)
    _judge(answers, 2)


def _judge_last(last, sequence):
    batch, t, units = sequence.shape
    picks = {"the FIRST timestep (sequence[:, 0, :])": sequence[:, 0, :],
             "the last SAMPLE of the batch, (timesteps, units) (sequence[-1])": sequence[-1],
             "the last UNIT of every timestep, (batch, timesteps) (sequence[:, :, -1])":
                 sequence[:, :, -1]}
    for what, value in picks.items():
        if np.shape(last) == value.shape and np.allclose(last, value, atol=1e-6):
            fail_with("unexpected_sequence_output", f"last_step(sequence) of a (batch, "
                      f"timesteps, units) = {sequence.shape} sequence returned {what}; the "
                      "last timestep of every sample is (batch, units)", _LAST)
    assert_shape(last, "batch units", "last_step(sequence)", batch=batch, units=units)
    assert_close(last, sequence[:, -1, :], "last_step(sequence)", atol=1e-6,
                 code="unexpected_sequence_output", fix=_LAST)


@pytest.mark.exercise("outputs", points=3)
def test_the_last_step_of_the_sequence_is_h(answers):
    _judge_last(answers["last"], answers.rng("last").normal(size=(4, 7, 5)))


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("outputs", points=1)
def test_the_last_step_of_a_tensor(answers):
    sequence = answers.rng("last_tensor").normal(size=(2, 3, 9)).astype("float32")
    _judge_last(answers["last_tensor"], sequence)
### END HIDDEN TESTS
