"""Tests of exercise 3 (outputs): the values are checked against lstm_shapes' NumPy LSTM.

Each answer is compared with all three true results (sequence, h, c), so a result in the
wrong place is named as such. Every question's sizes are drawn afresh, and the edge cases
are asked too: one timestep, a batch of one sample, one unit.
"""

import numpy as np
import pytest

from lstm_shapes.exercises import assert_close, assert_shape, fail_with

OFF_LIMITS = ("lstm_step", "lstm_unroll",  # the library's LSTM, which the tests judge with,
              "lstm_shapes.builders.reference._step")  # refuses inside the probes

_NAMES = ("sequence", "h", "c")
_UNPACK = "sequence, h, c = layer(x); return sequence, h, c   # the layer's own order"
_LAST = "sequence[:, -1, :]   # every sample, the last timestep, every unit"


def _sizes(rng, **edge):
    """batch, timesteps, units: different from each other (so each result has its own
    shape), except the ``edge`` sizes set to 1."""
    while True:
        sizes = {"batch": int(rng.integers(2, 9)), "timesteps": int(rng.integers(3, 12)),
                 "units": int(rng.integers(2, 9))}
        if len(set(sizes.values())) == 3:
            return {**sizes, **edge}


def _question(rng, **edge):
    s = _sizes(rng, **edge)
    units = s["units"]
    x = rng.normal(size=(s["batch"], s["timesteps"], int(rng.integers(1, 4)))).astype("float32")
    weights = [rng.normal(scale=0.4, size=shape).astype("float32")
               for shape in ((x.shape[2], 4 * units), (units, 4 * units), (4 * units,))]
    return x, weights, units


# The questions of sequence_h_c: sizes drawn afresh, and the edge cases.
_QUESTIONS = {"results": {}, "one_step": {"timesteps": 1}, "one_sample": {"batch": 1}}


def _asked(call, function, *args):
    """``function(*args)``; an error it raises says which ``call`` raised it."""
    try:
        return function(*args)
    except NotImplementedError:
        raise
    except Exception as err:  # the same error, with the sizes that caused it
        # shown under the learner's own error name, with its misconception code if any
        named = type(type(err).__name__, (Exception,), {"code": getattr(err, "code", None)})
        raise named(f"on {call}: {err}") from err


def _layer(weights, units, **config):
    import keras

    layer = keras.layers.LSTM(units, **config)
    layer.build((None, None, weights[0].shape[0]))
    layer.set_weights(weights)
    return layer


def _plain(value):
    """A result as nested lists of floats (a tensor or array), else its repr."""
    try:
        return np.asarray(value, dtype="float64").tolist()
    except (TypeError, ValueError):
        return repr(value)[:200]


def _results(module, rng, **edge):
    """What sequence_h_c returned on one question: how many results, and each of them."""
    x, weights, units = _question(rng, **edge)
    layer = _layer(weights, units, return_sequences=True, return_state=True)
    results = _asked(f"sequence_h_c(layer, x of shape {x.shape})", module.sequence_h_c,
                     layer, x)
    results = [results] if hasattr(results, "shape") else list(results)  # one array: one
    return {"count": len(results), **{name: _plain(value)
                                      for name, value in zip(_NAMES, results)}}


def probe_results(module, rng):
    return _results(module, rng, **_QUESTIONS["results"])


def probe_one_step(module, rng):
    return _results(module, rng, **_QUESTIONS["one_step"])


def probe_one_sample(module, rng):
    return _results(module, rng, **_QUESTIONS["one_sample"])


def _sequence(rng, **edge):
    s = _sizes(rng, **edge)
    return rng.normal(size=(s["batch"], s["timesteps"], s["units"]))


# The questions of last_step: sizes drawn afresh, and the edge cases.
_SEQUENCES = {"last": {}, "last_one_step": {"timesteps": 1},
              "last_one_sample": {"batch": 1, "units": 1}}


def _last(module, sequence):
    """last_step(sequence) as an array."""
    return np.asarray(_asked(f"last_step(a sequence of shape {tuple(np.shape(sequence))})",
                             module.last_step, sequence))


def probe_last(module, rng):
    return _last(module, _sequence(rng, **_SEQUENCES["last"]))


def probe_last_one_step(module, rng):
    return _last(module, _sequence(rng, **_SEQUENCES["last_one_step"]))


def probe_last_one_sample(module, rng):
    return _last(module, _sequence(rng, **_SEQUENCES["last_one_sample"]))


def _tensor_sequence(rng):
    return _sequence(rng).astype("float32")


def probe_last_tensor(module, rng):  # a layer's output is a tensor, not a NumPy array
    import tensorflow as tf

    return _last(module, tf.constant(_tensor_sequence(rng)))


def _truths(key, answers):
    """The true (sequence, h, c) of question ``key``, by name, and its x."""
    from lstm_shapes import lstm_unroll

    x, weights, _ = _question(answers.rng(key), **_QUESTIONS[key])
    return dict(zip(_NAMES, lstm_unroll(x, *weights))), x


def _array(answer, name, shape):
    """The learner's result ``name`` as an array, or a failure that says what it was."""
    value = answer.get(name)
    if isinstance(value, str):
        fail_with("not_a_tensor", f"sequence_h_c returned {name} as {value}: not an array or "
                  "a tensor", _UNPACK)
    got = np.asarray(value, dtype=float)
    if got.shape != shape and got.size == int(np.prod(shape)) and got.shape == tuple(
            d for d in shape if d != 1):
        fail_with("wrong_rank", f"your {name} is {got.shape}, but the layer's {name} is "
                  f"{shape}: an axis of size 1 was dropped (np.squeeze drops the batch axis "
                  "of one sample, and the time axis of one step)", _UNPACK)
    return got


def _judge(answers, key, index):
    name = _NAMES[index]
    answer = answers[key]
    if answer["count"] != 3:
        fail_with("return_state_unpacking", f"sequence_h_c returned {answer['count']} "
                  "result(s); it returns three: sequence, h, c", _UNPACK)
    truths, x = _truths(key, answers)
    want = truths[name]
    got = _array(answer, name, want.shape)
    for other, value in truths.items():
        if other != name and got.shape == value.shape and np.allclose(got, value, atol=1e-4):
            fail_with("return_state_unpacking", f"your {name} (the result number {index + 1}) "
                      f"is the layer's {other}, shaped {value.shape}", _UNPACK)
    t = x.shape[1]
    if name != "sequence" and t > 1 and got.shape == want.shape and np.allclose(
            got, truths["sequence"][:, 0, :], atol=1e-4):
        fail_with("return_state_unpacking", f"your {name} is the h of the FIRST timestep; "
                  f"the layer returns the last {name}", _UNPACK)
    spec = "batch timesteps units" if name == "sequence" else "batch units"
    assert_shape(got, spec, name, batch=x.shape[0], timesteps=t, units=want.shape[-1])
    if not np.allclose(got, want, atol=1e-4):
        mine = {n: _array(answer, n, v.shape) for n, v in truths.items()}
        if all(mine[n].shape == v.shape for n, v in truths.items()) and np.allclose(
                mine["sequence"][:, -1, :], mine["h"], atol=1e-4) and not any(
                np.allclose(mine[n], v, atol=1e-4) for n, v in truths.items()):
            fail_with("ignored_argument", "your sequence, h and c fit together (the last "
                      "step of your sequence is your h), but none of them is what the layer "
                      "you were given returns: they come from another LSTM, with other "
                      "weights. Call the `layer` argument on x", _UNPACK)
    assert_close(got, want, f"your {name}", atol=1e-4, code="return_state_unpacking",
                 fix=_UNPACK)


@pytest.mark.exercise("outputs", points=3)
def test_the_sequence(answers):
    for key in _QUESTIONS:
        _judge(answers, key, 0)


@pytest.mark.exercise("outputs", points=3)
def test_h_and_c_are_the_last_states(answers):
    for key in _QUESTIONS:
        _judge(answers, key, 1)
        _judge(answers, key, 2)


def _judge_last(last, sequence):
    batch, t, units = sequence.shape
    call = f"last_step(sequence) of a (batch, timesteps, units) = {sequence.shape} sequence"
    picks = {"the last SAMPLE of the batch, (timesteps, units) (sequence[-1])": sequence[-1],
             "the last UNIT of every timestep, (batch, timesteps) (sequence[:, :, -1])":
                 sequence[:, :, -1],
             "the last timestep kept as a time axis of length 1, (batch, 1, units): a slice "
             "-1: keeps the axis, an index -1 drops it": sequence[:, -1:, :]}
    for what, value in picks.items():
        if np.shape(last) == value.shape and np.allclose(last, value, atol=1e-6):
            fail_with("unexpected_sequence_output", f"{call} returned {what}; the last "
                      "timestep of every sample is (batch, units)", _LAST)
    if np.shape(last) == (batch, units) and not np.allclose(last, sequence[:, -1, :],
                                                            atol=1e-6):
        steps = [k for k in range(t) if np.allclose(last, sequence[:, k, :], atol=1e-6)]
        if steps:
            what = f"timestep {steps[0]} (sequence[:, {steps[0]}, :]), not the last one " \
                   f"({t - 1} here): -1 is the last step whatever the number of timesteps"
        elif np.allclose(last, sequence.mean(axis=1), atol=1e-6):
            what = "the mean over all timesteps: h is the LAST step, not an average"
        else:
            what = "(batch, units) values that are no timestep of the sequence"
        fail_with("wrong_measurement", f"{call} returned {what}", _LAST)
    if np.ndim(last) != 2:
        fail_with("wrong_rank", f"{call} returned an array of shape {np.shape(last)}; the "
                  f"last timestep of every sample is (batch, units) = ({batch}, {units})",
                  _LAST)
    assert_shape(last, "batch units", "last", batch=batch, units=units)
    assert_close(last, sequence[:, -1, :], "last_step(sequence)", atol=1e-6,
                 code="wrong_measurement", fix=_LAST)


@pytest.mark.exercise("outputs", points=3)
def test_the_last_step_of_the_sequence_is_h(answers):
    for key, edge in _SEQUENCES.items():
        _judge_last(answers[key], _sequence(answers.rng(key), **edge))


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("outputs", points=1)
def test_the_last_step_of_a_tensor(answers):
    _judge_last(answers["last_tensor"], _tensor_sequence(answers.rng("last_tensor")))
### END HIDDEN TESTS
