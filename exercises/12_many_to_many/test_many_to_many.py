"""Tests of exercise 12 (many_to_many)."""

import numpy as np
import pytest

from lstm_shapes.exercises import assert_close, assert_shape, fail_with

SERIES = np.sin(np.arange(0, 100, 0.1)).astype("float32")
TIMESTEPS, HORIZON = 10, 5


def _question(rng):
    return (rng.normal(size=int(rng.integers(30, 50))).astype("float32"),
            int(rng.integers(3, 9)), int(rng.integers(2, 6)))


def probe_x(module, rng):
    return module.multistep_windows(*_question(rng))[0]


def probe_y(module, rng):
    return module.multistep_windows(*_question(rng))[1]


def probe_forecaster(module, rng):
    x, y = _split()[0]
    return module.build_and_train_forecaster(x, y)


def probe_per_step(module, rng):
    return module.build_per_timestep(int(rng.integers(4, 12)))


def probe_per_step_units(module, rng):
    return module.build_per_timestep(int(rng.integers(4, 12)), units=int(rng.integers(3, 9)))


def _windows(series, t, h):
    n = len(series) - t - h + 1
    return (np.stack([series[i:i + t] for i in range(n)])[..., None],
            np.stack([series[i + t:i + t + h] for i in range(n)]))


def _split():
    """Train on the first 800 values, validate on the rest (no window crosses the cut)."""
    return _windows(SERIES[:800], TIMESTEPS, HORIZON), _windows(SERIES[800:], TIMESTEPS, HORIZON)


@pytest.mark.exercise("many_to_many", points=3)
def test_multistep_windows(answers):
    series, t, h = _question(answers.rng("x"))
    x_want, _ = _windows(series, t, h)
    assert_shape(answers["x"], "batch timesteps features", "x", batch=len(x_want),
                 timesteps=t, features=1)
    assert_close(answers["x"], x_want, "x", atol=1e-6, code="window_misalignment",
                 fix="x[i] = series[i : i + timesteps]")
    series, t, h = _question(answers.rng("y"))
    _, y_want = _windows(series, t, h)
    y = answers["y"]
    if y.ndim == 2 and y.shape[1] == h and len(y) == len(y_want) and \
            np.allclose(y, np.stack([series[i + t - 1:i + t - 1 + h] for i in range(len(y))])):
        fail_with("window_misalignment", "y starts at the last value of its window",
                  "y[i] = series[i + timesteps : i + timesteps + horizon]")
    assert_shape(y, "batch horizon", "y", batch=len(y_want), horizon=h)
    assert_close(y, y_want, "y", atol=1e-6, code="window_misalignment",
                 fix="y[i] = series[i + timesteps : i + timesteps + horizon]")


@pytest.mark.exercise("many_to_many", points=4)
def test_the_forecaster_predicts_every_step_of_the_horizon(answers):
    (x_train, y_train), (x_val, y_val) = _split()
    model = answers["forecaster"]
    prediction = np.asarray(model.predict(x_val, verbose=0))
    if prediction.shape[-1] == 1 and prediction.ndim == 2:
        fail_with("multistep_horizon_mismatch", f"the head predicts 1 value, the targets hold "
                  f"{HORIZON}", f"keras.layers.Dense({HORIZON})")
    assert_shape(prediction, "batch horizon", "model.predict(x_val)", batch=len(x_val),
                 horizon=HORIZON)
    mse = float(np.mean((prediction - y_val) ** 2))
    baseline = float(np.mean((np.repeat(x_val[:, -1, :], HORIZON, axis=1) - y_val) ** 2))
    assert mse < 0.5 * baseline, f"validation MSE {mse:.2e} vs repeat-last-value {baseline:.2e}"


@pytest.mark.exercise("many_to_many", points=2)
def test_one_prediction_per_timestep(answers):
    timesteps = int(answers.rng("per_step").integers(4, 12))
    model = answers["per_step"]
    out = model(np.zeros((3, timesteps, 1), "float32"))
    if len(out.shape) == 2:
        fail_with("last_output_vs_sequence_target", f"the model outputs {tuple(out.shape)}: "
                  "one value per sequence", "LSTM(units, return_sequences=True)")
    assert_shape(out, "batch timesteps outputs", "model(x)", batch=3, timesteps=timesteps,
                 outputs=1)


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("many_to_many", points=1)
def test_the_units_argument_is_used(answers):
    rng = answers.rng("per_step_units")
    rng.integers(4, 12)
    units = int(rng.integers(3, 9))
    lstm = next(layer for layer in answers["per_step_units"].layers
                if type(layer).__name__ == "LSTM")
    assert lstm.units == units, f"build_per_timestep(..., units={units}) built LSTM({lstm.units})"
### END HIDDEN TESTS
