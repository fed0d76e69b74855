"""Tests of exercise 1 (windows). They judge what your functions return on fresh inputs."""

import numpy as np
import pytest

from lstm_shapes.exercises import assert_shape, fail_with


def _question(rng):
    series = rng.normal(size=int(rng.integers(30, 60))).astype("float32")
    return series, int(rng.integers(3, 12))


def probe_x(module, rng):
    return module.make_windows(*_question(rng))[0]


def probe_y(module, rng):
    return module.make_windows(*_question(rng))[1]


def probe_sine(module, rng):
    return module.sine_series()


def probe_one_window(module, rng):
    t = int(rng.integers(3, 12))  # a series just long enough for one window and its target
    return np.concatenate(module.make_windows(rng.normal(size=t + 1), t), axis=None)


def _reference(series, timesteps):
    x = np.stack([series[i:i + timesteps] for i in range(len(series) - timesteps)])
    return x[..., None], series[timesteps:, None]


@pytest.mark.exercise("windows", points=3)
def test_x_is_batch_timesteps_features(answers):
    series, t = _question(answers.rng("x"))
    assert_shape(answers["x"], "batch timesteps features", "x", batch=len(series) - t,
                 timesteps=t, features=1)


@pytest.mark.exercise("windows", points=2)
def test_each_window_holds_consecutive_values(answers):
    series, t = _question(answers.rng("x"))
    x = answers["x"]
    assert_shape(x, "batch timesteps features", "x", timesteps=t, features=1)
    expected = _reference(series, t)[0]
    if not np.allclose(x, expected, atol=1e-5):
        fail_with("window_misalignment", f"x[i] must be series[i:i+{t}]; x[0] is "
                  f"{np.round(x[0, :, 0], 3)} but series[0:{t}] is {np.round(series[:t], 3)}",
                  "x[i] = series[i:i + timesteps]")


@pytest.mark.exercise("windows", points=2)
def test_y_is_the_value_after_each_window(answers):
    series, t = _question(answers.rng("y"))
    y = answers["y"]
    assert_shape(y, "batch horizon", "y", batch=len(series) - t, horizon=1)
    if np.allclose(y[:, 0], series[t - 1:-1], atol=1e-5):
        fail_with("window_misalignment", "y[i] is the LAST value of window i: the target "
                  "leaks into the input", "y[i] = series[i + timesteps]")
    if not np.allclose(y, _reference(series, t)[1], atol=1e-5):
        fail_with("window_misalignment", "y[i] is not the value right after window i",
                  "y[i] = series[i + timesteps]")


@pytest.mark.exercise("windows", points=2)
def test_the_sine_series(answers):
    sine = answers["sine"]
    assert_shape(sine, "steps", "sine_series()", steps=1000)
    if not np.allclose(sine, np.sin(np.arange(0, 100, 0.1)), atol=1e-6):
        pytest.fail("your answer: sine_series() is not np.sin(np.arange(0, 100, 0.1))",
                    pytrace=False)


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("windows", points=1)
def test_a_series_one_step_longer_than_the_window_gives_one_window(answers):
    rng = answers.rng("one_window")
    t = int(rng.integers(3, 12))
    series = rng.normal(size=t + 1)
    got = answers["one_window"]
    assert got.shape == (t + 1,) and np.allclose(got, series, atol=1e-5), (
        f"a series of {t + 1} values with timesteps={t} holds ONE window and its target")
### END HIDDEN TESTS
