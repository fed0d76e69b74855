"""Tests of exercise 5 (fix_input)."""

import numpy as np
import pytest

from lstm_shapes.exercises import assert_close, assert_shape, fail_with


def _question(rng):
    return (rng.normal(size=(int(rng.integers(5, 40)), int(rng.integers(4, 15)))),
            int(rng.integers(4, 15)), int(rng.integers(8, 40)))


def probe_input(module, rng):
    return module.to_lstm_input(_question(rng)[0])


def probe_model(module, rng):
    _, timesteps, units = _question(rng)
    return module.build_model(timesteps, units=units)


@pytest.mark.exercise("fix_input", points=3)
def test_the_input_gets_its_feature_axis(answers):
    x, _, _ = _question(answers.rng("input"))
    got = answers["input"]
    assert_shape(got, "batch timesteps features", "x", batch=x.shape[0],
                 timesteps=x.shape[1], features=1)
    assert_close(got[..., 0], x, "x without its feature axis", atol=1e-6,
                 fix="x.reshape(len(x), timesteps, 1) keeps every value in its place")


@pytest.mark.exercise("fix_input", points=3)
def test_the_model_reads_batch_timesteps_features(answers):
    _, timesteps, _ = _question(answers.rng("model"))
    declared = tuple(answers["model"].inputs[0].shape)
    if len(declared) == 2:
        fail_with("missing_timestep_axis", f"the model's input is {declared}: no feature axis",
                  f"keras.Input(({timesteps}, 1))   # (timesteps, features)")
    assert declared[1:] == (timesteps, 1), f"Input(({timesteps}, 1)) expected, got {declared}"


@pytest.mark.exercise("fix_input", points=2)
def test_units_is_the_memory_size_not_the_timesteps(answers):
    _, timesteps, units = _question(answers.rng("model"))
    lstm = next(layer for layer in answers["model"].layers if type(layer).__name__ == "LSTM")
    if lstm.units == timesteps and units != timesteps:
        fail_with("units_equals_timesteps", f"LSTM({lstm.units}) = one unit per timestep",
                  "keras.layers.LSTM(units)   # the function's units argument")
    assert lstm.units == units, f"LSTM({units}) expected, got LSTM({lstm.units})"


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("fix_input", points=2)
def test_one_prediction_per_window_and_no_finding(answers):
    from lstm_shapes import check_model

    _, timesteps, _ = _question(answers.rng("model"))
    model = answers["model"]
    x = np.random.default_rng(3).normal(size=(6, timesteps, 1)).astype("float32")
    assert_shape(model(x), "batch outputs", "model(x)", batch=6, outputs=1)
    report = check_model(model, x, np.zeros((6, 1), "float32"))
    if not report.ok:
        fail_with(report.errors[0].code, report.errors[0].message, report.errors[0].fix)
### END HIDDEN TESTS
