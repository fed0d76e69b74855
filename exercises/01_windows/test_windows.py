"""Tests of exercise 1 (windows). They judge what your functions return on fresh inputs.

Each window is checked against the rule in make_windows' docstring, value by value, on two
series with different timesteps (neither is the sine task's 10, so a hard-coded 10 shows).
"""

import numpy as np
import pytest

from lstm_shapes.exercises import assert_shape, fail_with
from lstm_shapes.exercises.judge import Verdict



def _question(rng, shortest, longest):
    t = int(rng.integers(shortest, longest + 1))
    return rng.normal(size=int(rng.integers(3 * t, 6 * t))).astype("float32"), t


def _short(rng):  # timesteps 3..9
    return _question(rng, 3, 9)


def _long(rng):  # timesteps 11..19
    return _question(rng, 11, 19)


def probe_x(module, rng):
    return module.make_windows(*_short(rng))[0]


def probe_y(module, rng):
    return module.make_windows(*_short(rng))[1]


def probe_x_long(module, rng):
    return module.make_windows(*_long(rng))[0]


def probe_y_long(module, rng):
    return module.make_windows(*_long(rng))[1]


def probe_sine(module, rng):
    return module.sine_series()


def probe_one_window(module, rng):
    t = int(rng.integers(3, 12))  # a series just long enough for one window and its target
    return np.concatenate(module.make_windows(rng.normal(size=t + 1), t), axis=None)


def probe_wide(module, rng):  # a long float64 series, long windows
    return module.make_windows(rng.normal(size=400), 50)[0]


def _questions(answers, name):
    """(answer, series, timesteps) for the short and the long question of ``name``."""
    return [(answers[name], *_short(answers.rng(name))),
            (answers[f"{name}_long"], *_long(answers.rng(f"{name}_long")))]


def _count(value, series, t, name):
    """Fail with the learner's count when ``value`` does not hold one row per window."""
    windows = len(series) - t
    if len(value) > windows:
        fix = f"{name} = {name}[:len(series) - timesteps]   # the last window has no target"
    elif name == "x":
        fix = ("for i in range(len(series) - timesteps)   # a window for each value that has "
               "timesteps values before it")
    else:
        fix = "y = series[timesteps:]   # the value after each window, one per window"
    fail_with("batch_mismatch", f"{name} holds {len(value)} rows, but a series of "
              f"{len(series)} values cut with timesteps={t} gives {windows} windows", fix)


def _assert_windows_shape(x, series, t):
    """x is (len(series) - timesteps, timesteps, 1)."""
    shape = np.shape(x)
    if shape == (len(series) - t, t + 1, 1):  # a window for each target, target included
        fail_with("window_misalignment", f"x's windows hold {t + 1} values with timesteps={t}: "
                  "each window also holds its own target", "x[i] = series[i:i + timesteps]")
    time_major = shape == (t, len(series) - t, 1)  # the right axes, swapped: assert_shape says so
    if len(shape) == 3 and shape[2] == 1 and shape[1] not in (t, 1) and not time_major:
        fail_with("dimension_mismatch", f"x's windows hold {shape[1]} values, but "
                  f"make_windows(series, timesteps={t}) asks for windows of {t}: use the "
                  "timesteps argument", "x[i] = series[i:i + timesteps]")
    _assert_rows(x, "batch timesteps features", "x", series, t, timesteps=t, features=1)


def _assert_rows(value, spec, name, series, t, **dims):
    """assert_shape with one row per window, the count in the learner's terms."""
    try:
        assert_shape(value, spec, name, batch=len(series) - t, **dims,
                     terms={"batch": f"len({name})", "timesteps": "timesteps"})
    except Verdict as verdict:
        if "batch_mismatch" not in verdict.codes:
            raise
    else:
        return
    _count(value, series, t, name)  # outside the except: no "during handling" echo


def _shift(got, series, start, length):
    """k such that ``got`` is series[start + k:start + k + length], else None."""
    for k in sorted(range(-length, length + 1), key=abs):
        if 0 <= start + k and start + k + length <= len(series) and np.allclose(
                got, series[start + k:start + k + length], atol=1e-5):
            return k
    return None


@pytest.mark.exercise("windows", points=3)
def test_x_is_batch_timesteps_features(answers):
    for x, series, t in _questions(answers, "x"):
        _assert_windows_shape(x, series, t)


@pytest.mark.exercise("windows", points=2)
def test_each_window_holds_consecutive_values(answers):
    for x, series, t in _questions(answers, "x"):
        if np.shape(x)[1:] != (t, 1):
            _assert_windows_shape(x, series, t)  # says what is wrong with the axes
        for i in range(min(len(x), len(series) - t)):
            window = x[i, :, 0]
            if np.allclose(window, series[i:i + t], atol=1e-5):
                continue
            k = _shift(window, series, i, t)
            if k is not None:
                why = f"it is series[{i + k}:{i + k + t}], {abs(k)} step(s) " + (
                    "late" if k > 0 else "early")
            elif np.allclose(window[::-1], series[i:i + t], atol=1e-5):
                why = "it holds series[i:i + timesteps] in reverse order"
            else:
                why = f"it is {np.round(window[:4], 3)}..., series[{i}:{i + t}] starts " \
                      f"{np.round(series[i:i + 4], 3)}..."
            fail_with("window_misalignment", f"with timesteps={t}, x[{i}] must be "
                      f"series[{i}:{i + t}]; {why}", "x[i] = series[i:i + timesteps]")


@pytest.mark.exercise("windows", points=2)
def test_y_is_the_value_after_each_window(answers):
    for y, series, t in _questions(answers, "y"):
        _assert_rows(y, "batch horizon", "y", series, t, horizon=1)
        got = y[:, 0]
        if np.allclose(got, series[t:], atol=1e-5):
            continue
        k = _shift(got, series, t, len(got))
        if k == -1:
            why = "y[i] is the LAST value inside window i, so the target leaks into the input"
        elif k is not None:
            why = f"y[i] is series[i + timesteps {'+' if k > 0 else '-'} {abs(k)}]"
        else:
            why = f"y[0] is {got[0]:.4g}, but series[timesteps] = series[{t}] is {series[t]:.4g}"
        fail_with("window_misalignment", f"with timesteps={t}, y[i] must be the value right "
                  f"after window i; {why}", "y[i] = series[i + timesteps]")


@pytest.mark.exercise("windows", points=2)
def test_the_sine_series(answers):
    sine = np.asarray(answers["sine"], dtype=float)
    grid = "np.arange(0, 100, 0.1) holds 1000 steps: 0, 0.1, ..., 99.9 (100 itself excluded)"
    fix = "return np.sin(np.arange(0, 100, 0.1))"
    if sine.shape != (1000,):
        fail_with("series_grid", f"sine_series() returned an array of shape {sine.shape}; "
                  f"{grid}", fix)
    steps = np.arange(0, 100, 0.1)
    off = np.flatnonzero(~np.isclose(sine, np.sin(steps), atol=1e-6))
    if off.size:
        i = int(off[0])
        fail_with("series_grid", f"sine_series()[{i}] is {sine[i]:.6g}, but the sine at step "
                  f"{i} (t = {steps[i]:.1f}) is {np.sin(steps[i]):.6g}; {grid}", fix)


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("windows", points=1)
def test_other_lengths(answers):
    rng = answers.rng("one_window")
    t = int(rng.integers(3, 12))
    series = rng.normal(size=t + 1)
    got = answers["one_window"]
    assert got.shape == (t + 1,) and np.allclose(got, series, atol=1e-5), (
        f"a series of {t + 1} values with timesteps={t} holds ONE window and its target")
    series = answers.rng("wide").normal(size=400)
    _assert_windows_shape(answers["wide"], series, 50)
    assert np.allclose(answers["wide"][:, :, 0],
                       [series[i:i + 50] for i in range(350)], atol=1e-5), (
        "windows of 50 values of a series of 400 are not series[i:i + 50]")
### END HIDDEN TESTS
