"""Tests of exercise 9 (stateful)."""

import numpy as np
import pytest

from lstm_shapes.exercises import assert_shape, fail_with


def _question(rng):
    batch, t, units, k = (int(rng.integers(2, 6)), int(rng.integers(3, 8)),
                          int(rng.integers(3, 9)), int(rng.integers(2, 4)))
    x = rng.normal(size=(batch, k * t, 1)).astype("float32")
    weights = [rng.normal(scale=0.4, size=s).astype("float32") for s in
               ((1, 4 * units), (units, 4 * units), (4 * units,), (units, 1), (1,))]
    weights[2][units:2 * units] += 3.0  # forget gates near 1: the states carry over chunks,
    return batch, t, units, x, weights  # so a run that was not reset cannot look reset


def _reference_model(weights, units, stateful, batch=None, timesteps=None):
    import keras

    model = keras.Sequential([keras.Input((timesteps, 1), batch_size=batch),
                              keras.layers.LSTM(units, stateful=stateful),
                              keras.layers.Dense(1)])
    model.set_weights(weights)
    return model


def probe_model(module, rng):
    batch, t, units, _, _ = _question(rng)
    return module.build_stateful(batch, t, units)


def probe_chunks(module, rng):
    batch, t, units, x, weights = _question(rng)
    model = _reference_model(weights, units, True, batch, t)
    first = module.run_in_chunks(model, x)
    second = module.run_in_chunks(model, x)  # a new sequence: the states must be reset
    return np.stack([np.asarray(first), np.asarray(second)])


@pytest.mark.exercise("stateful", points=3)
def test_the_model_is_stateful_with_a_fixed_batch(answers):
    batch, t, units, _, _ = _question(answers.rng("model"))
    model = answers["model"]
    lstm = next((layer for layer in model.layers if type(layer).__name__ == "LSTM"), None)
    assert lstm is not None and lstm.units == units, f"one LSTM({units}) expected"
    if not lstm.stateful:
        fail_with("stateful_batch", "the LSTM is not stateful", "LSTM(units, stateful=True)")
    declared = tuple(model.inputs[0].shape)
    if declared[0] != batch:
        fail_with("stateful_batch", f"the input is {declared}: the batch is not fixed to {batch}",
                  f"keras.Input(({t}, 1), batch_size={batch})")


@pytest.mark.exercise("stateful", points=4)
def test_chunks_equal_one_call_on_the_whole_sequence(answers):
    batch, _, units, x, weights = _question(answers.rng("chunks"))
    whole = np.asarray(_reference_model(weights, units, False)(x))
    first = answers["chunks"][0]
    assert_shape(first, "batch outputs", "run_in_chunks(model, x)", batch=batch, outputs=1)
    if not np.allclose(first, whole, atol=1e-4):
        fail_with("stateful_batch", "the chunked result differs from one call on the whole "
                  "sequence: are the chunks in order, each of the model's timesteps?",
                  "for start in range(0, x.shape[1], timesteps): out = model(x[:, start:start+timesteps])")


@pytest.mark.exercise("stateful", points=2)
def test_states_are_reset_before_a_new_sequence(answers):
    first, second = answers["chunks"]
    if not np.allclose(first, second, atol=1e-5):
        fail_with("stateful_batch", "the second run started from the first run's h and c",
                  "layer.reset_state() on the stateful LSTM before the first chunk "
                  "(Keras 3 has no model.reset_states())")


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("stateful", points=1)
def test_the_input_declares_timesteps_and_one_feature(answers):
    _, t, _, _, _ = _question(answers.rng("model"))
    declared = tuple(answers["model"].inputs[0].shape)
    assert declared[1:] == (t, 1), f"the input is {declared}: Input(({t}, 1), batch_size=...)"
### END HIDDEN TESTS
