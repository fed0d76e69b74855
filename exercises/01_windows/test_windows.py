"""Tests of exercise 1 (windows). They judge what your functions return on fresh inputs.

Each window is checked against the rule in make_windows' docstring, value by value, on four
series whose sizes are drawn afresh: short and long windows (neither is the sine task's 10,
so a hard-coded 10 shows), a series that holds exactly ONE window, and windows of ONE step.
"""

import numpy as np
import pytest

from lstm_shapes.exercises import assert_shape, fail_with
from lstm_shapes.exercises.judge import Verdict

OFF_LIMITS = ("sine_windows",)  # the library's answer: refused while the probes run

_WINDOW = "x[i] = series[i:i + timesteps]"
_TARGET = "y[i] = series[i + timesteps]"
_ARRAYS = "return np.asarray(x), np.asarray(y)   # NumPy arrays, not Python lists"


def _series(rng, timesteps, length):
    return rng.normal(size=length).astype("float32"), timesteps


def _short(rng):  # timesteps 3..9, several windows
    t = int(rng.integers(3, 10))
    return _series(rng, t, int(rng.integers(3 * t, 6 * t)))


def _long(rng):  # timesteps 11..19
    t = int(rng.integers(11, 20))
    return _series(rng, t, int(rng.integers(3 * t, 6 * t)))


def _one_window(rng):  # a series just long enough for one window and its target
    t = int(rng.integers(2, 13))
    return _series(rng, t, t + 1)


def _one_step(rng):  # windows of one value each
    return _series(rng, 1, int(rng.integers(4, 30)))


_QUESTIONS = {"long": _long, "short": _short, "one": _one_window, "step": _one_step}


def _answer(value):
    """An array as it is (a tensor as an array); anything else described, for the judge."""
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "numpy") and hasattr(value, "shape"):  # an eager tensor
        return np.asarray(value)
    try:
        shape = [int(d) for d in np.shape(value)]
    except (TypeError, ValueError):  # a ragged list: no shape
        shape = None
    return {"type": type(value).__name__, "shape": shape}


def _asked(function, series, timesteps):
    """``function(series, timesteps)``; an error it raises names the question it was asked."""
    try:
        return function(series, timesteps)
    except NotImplementedError:
        raise
    except Exception as err:  # the same error, with the sizes that caused it
        # shown under the learner's own error name, with its misconception code if any
        named = type(type(err).__name__, (Exception,), {"code": getattr(err, "code", None)})
        raise named(f"on {_call(series, timesteps)}: {err}") from err


def _probe(index, question):
    def probe(module, rng):
        make_windows = module.make_windows  # a missing function is named as such
        return _answer(_asked(make_windows, *question(rng))[index])
    return probe


probe_x_short, probe_y_short = _probe(0, _short), _probe(1, _short)
probe_x_long, probe_y_long = _probe(0, _long), _probe(1, _long)
probe_x_one, probe_y_one = _probe(0, _one_window), _probe(1, _one_window)
probe_x_step, probe_y_step = _probe(0, _one_step), _probe(1, _one_step)


def probe_sine(module, rng):
    return _answer(module.sine_series())


def _wide(rng):  # other sizes: a long float64 series, long windows
    t = int(rng.integers(40, 61))
    return rng.normal(size=int(rng.integers(6 * t, 9 * t))), t


def probe_wide(module, rng):
    make_windows = module.make_windows
    return _answer(_asked(make_windows, *_wide(rng))[0])


def _questions(answers, name):
    """(answer, series, timesteps) of each visible question for ``name`` ("x" or "y"), one
    at a time: a question's failure is shown before a later question is even read."""
    for q, question in _QUESTIONS.items():
        yield (answers[f"{name}_{q}"], *question(answers.rng(f"{name}_{q}")))


def _call(series, t):
    return f"make_windows(a series of {len(series)} values, timesteps={t})"


def _assert_array(value, name, series, t):
    """Fail unless ``value`` is a NumPy array of floats at least as precise as float32."""
    if isinstance(value, dict):
        shape = "" if value["shape"] is None else f" of shape {tuple(value['shape'])}"
        fail_with("not_a_tensor", f"{_call(series, t)} returned {name} as a Python "
                  f"{value['type']}{shape}; the exercise asks for NumPy arrays (x.shape, "
                  "x.reshape and Keras's fit read arrays)", _ARRAYS)
    if value.dtype.kind != "f" or value.dtype.itemsize < 4:
        kept = ("keeps about 3 significant digits" if value.dtype == np.float16 else
                "cannot hold the series' values")
        fail_with("wrong_dtype", f"{_call(series, t)} returned {name} as {value.dtype}, which "
                  f"{kept}: {name} must hold the series' own values",
                  f'.astype("float32")   # not .astype("{value.dtype}")')


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
    """x is a float array (len(series) - timesteps, timesteps, 1)."""
    _assert_array(x, "x", series, t)
    n, shape = len(series) - t, np.shape(x)
    want = f"(len(series) - timesteps, timesteps, 1) = ({n}, {t}, 1)"
    if shape == (n, t + 1, 1):  # a window for each target, target included
        fail_with("window_misalignment", f"x's windows hold {t + 1} values with timesteps={t}: "
                  "each window also holds its own target", _WINDOW)
    if shape == (t, n, 1) and t != n:  # time-major: the right axes, swapped
        fail_with("swapped_axes", f"{_call(series, t)}: x is {shape}, one row per lag "
                  f"(time-major); an LSTM reads {want}, one row per window",
                  "x = np.transpose(x, (1, 0, 2))   # -> (len(series) - timesteps, timesteps, 1)")
    if len(shape) < 3 and x.size == n * t and shape not in ((n, t),):
        if n == 1:
            why = ("the shape of ONE window: the batch axis of the one window is gone "
                   "(np.squeeze drops every axis of size 1, the batch's too)")
            code = "wrong_rank"
        else:
            why = "the windows' values without their (timesteps, features) axes"
            code = "missing_timestep_axis"
        fail_with(code, f"{_call(series, t)}: x is {shape}, {why}; it must be {want}",
                  "x = x.reshape(len(series) - timesteps, timesteps, 1)")
    if len(shape) < 2:
        fail_with("wrong_rank", f"{_call(series, t)}: x is {shape}; it must be {want}, a "
                  "window of timesteps values per row", _WINDOW)
    if len(shape) == 3 and shape[2] == 1 and shape[1] not in (t, 1):
        fail_with("dimension_mismatch", f"x's windows hold {shape[1]} values, but "
                  f"make_windows(series, timesteps={t}) asks for windows of {t}: use the "
                  "timesteps argument", _WINDOW)
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


def _rescaled(got, want):
    """(scale, offset) when ``got`` = scale * ``want`` + offset but not ``want`` itself."""
    got, want = np.ravel(got).astype(float), np.ravel(want).astype(float)
    if got.size < 2 or np.ptp(want) == 0:
        return None
    scale, offset = np.polyfit(want, got, 1)
    if np.allclose(scale * want + offset, got, atol=1e-4) and not (
            abs(scale - 1) < 1e-4 and abs(offset) < 1e-4):
        return scale, offset
    return None


def _assert_unscaled(got, want, name, series, t):
    """Fail if ``got`` holds the right values rescaled (normalised, standardised, ...)."""
    found = _rescaled(got, want)
    if found is None:
        return
    scale, offset = found
    centre = -offset / scale
    shifted = "series" if abs(centre) < 1e-4 else (
        f"(series {'-' if centre > 0 else '+'} {abs(centre):.4g})")
    what = "windows hold" if name == "x" else "targets are"
    fail_with("wrong_measurement", f"{_call(series, t)}: {name} holds the series rescaled, "
              f"{name} = {shifted} / {1 / scale:.4g}; the {what} the series' own values (any "
              "scaling is a separate step, fitted on the training windows only)",
              f"{_WINDOW if name == 'x' else _TARGET}   # unscaled: delete the line that "
              "rescales")


def _gap(got, want):
    """Where ``got`` and ``want`` differ most, in digits enough to see it."""
    i = int(np.argmax(np.abs(np.asarray(got, float) - np.asarray(want, float))))
    return i, f"{float(got[i]):.7g}", f"{float(want[i]):.7g}"


@pytest.mark.exercise("windows", points=3)
def test_x_is_batch_timesteps_features(answers):
    for x, series, t in _questions(answers, "x"):
        _assert_windows_shape(x, series, t)


@pytest.mark.exercise("windows", points=2)
def test_each_window_holds_consecutive_values(answers):
    for x, series, t in _questions(answers, "x"):
        _assert_array(x, "x", series, t)
        if np.shape(x)[1:] != (t, 1):
            _assert_windows_shape(x, series, t)  # says what is wrong with the axes
        n = min(len(x), len(series) - t)  # the rows both have: a wrong count is another test's
        _assert_unscaled(x[:n, :, 0], [series[i:i + t] for i in range(n)], "x", series, t)
        for i in range(n):
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
                j, mine, theirs = _gap(window, series[i:i + t])
                why = f"x[{i}, {j}, 0] is {mine}, but series[{i + j}] is {theirs}"
            fail_with("window_misalignment", f"with timesteps={t}, x[{i}] must be "
                      f"series[{i}:{i + t}]; {why}", _WINDOW)


@pytest.mark.exercise("windows", points=2)
def test_y_is_the_value_after_each_window(answers):
    for y, series, t in _questions(answers, "y"):
        _assert_array(y, "y", series, t)
        if np.shape(y) == () or (np.ndim(y) == 1 and len(series) - t == 1 and np.size(y) == 1):
            fail_with("wrong_rank", f"{_call(series, t)}: y is {np.shape(y)}; one window "
                      "still has a (batch, 1) target, (1, 1) (np.squeeze drops the batch "
                      "axis of size 1)", "y = y.reshape(-1, 1)")
        _assert_rows(y, "batch target", "y", series, t, target=1)
        got = y[:, 0]
        if np.allclose(got, series[t:], atol=1e-5):
            continue
        _assert_unscaled(got, series[t:], "y", series, t)
        k = _shift(got, series, t, len(got))
        if k == -1:
            why = "y[i] is the LAST value inside window i, so the target leaks into the input"
        elif k is not None:
            why = f"y[i] is series[i + timesteps {'+' if k > 0 else '-'} {abs(k)}]"
        else:
            i, mine, theirs = _gap(got, series[t:])
            why = f"y[{i}] is {mine}, but series[{i} + timesteps] = series[{i + t}] is {theirs}"
        fail_with("window_misalignment", f"with timesteps={t}, y[i] must be the value right "
                  f"after window i; {why}", _TARGET)


@pytest.mark.exercise("windows", points=2)
def test_the_sine_series(answers):
    sine = answers["sine"]
    fix = "return np.sin(np.arange(0, 100, 0.1))"
    if isinstance(sine, dict):
        fail_with("not_a_tensor", f"sine_series() returned a Python {sine['type']}; the "
                  "exercise asks for a NumPy array", fix)
    sine = np.asarray(sine, dtype=float)
    grid = "np.arange(0, 100, 0.1) holds 1000 steps: 0, 0.1, ..., 99.9 (100 itself excluded)"
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
def test_other_sizes(answers):
    series, t = _wide(answers.rng("wide"))
    x = answers["wide"]
    _assert_windows_shape(x, series, t)
    want = np.stack([series[i:i + t] for i in range(len(series) - t)])
    assert np.allclose(x[:, :, 0], want, atol=1e-5), (
        f"windows of {t} values of a float64 series of {len(series)} are not "
        "series[i:i + timesteps]")
### END HIDDEN TESTS
