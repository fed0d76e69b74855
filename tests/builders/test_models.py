"""Builders: sine windows (alignment, no leakage, refusals), models, param counts, seeding."""

from __future__ import annotations

import re

import keras
import numpy as np
import pytest

from lstm_shapes import (
    MISCONCEPTIONS,
    ShapeError,
    SineWindows,
    TensorTypeError,
    build_lstm,
    build_stacked_lstm,
    build_stateful_lstm,
    lstm_param_count,
    seed_everything,
    sine_windows,
)

DEFAULT_SERIES = np.sin(np.arange(0, 100, 0.1)).astype("float32")


# --- sine_windows -------------------------------------------------------------------------

def test_default_windows_shapes_and_dtype():
    w = sine_windows()
    assert isinstance(w, SineWindows)
    assert w.x_train.shape == (790, 10, 1) and w.y_train.shape == (790, 1)
    assert w.x_val.shape == (190, 10, 1) and w.y_val.shape == (190, 1)
    assert {a.dtype for a in w} == {np.dtype("float32")}
    x_train, y_train, x_val, y_val = w  # unpacks like a tuple
    assert x_train is w.x_train


@pytest.mark.parametrize("timesteps, horizon", [(10, 1), (5, 3), (1, 1), (20, 7)])
def test_targets_are_the_values_that_follow_each_window(timesteps, horizon):
    w = sine_windows(timesteps=timesteps, horizon=horizon)
    n_train = 800  # 1000 steps, validation_split=0.2, split on the series
    series = DEFAULT_SERIES
    for i in range(len(w.x_train)):
        assert np.array_equal(w.x_train[i, :, 0], series[i:i + timesteps])
        assert np.array_equal(w.y_train[i], series[i + timesteps:i + timesteps + horizon])
    assert w.y_train[:, 0].tolist() == series[timesteps:timesteps + len(w.y_train)].tolist()
    for i in range(len(w.x_val)):
        start = n_train + i
        assert np.array_equal(w.x_val[i, :, 0], series[start:start + timesteps])
        assert np.array_equal(w.y_val[i], series[start + timesteps:start + timesteps + horizon])
    assert w.y_train.shape[1] == horizon == w.y_val.shape[1]


def test_no_validation_value_appears_in_any_training_window():
    # A series of distinct values lets us see exactly which steps each part uses.
    series = np.arange(500, dtype="float32")
    w = sine_windows(series, timesteps=12, horizon=3, validation_split=0.3)
    train_steps = set(w.x_train.ravel()) | set(w.y_train.ravel())
    val_steps = set(w.x_val.ravel()) | set(w.y_val.ravel())
    assert train_steps.isdisjoint(val_steps)
    assert max(train_steps) < min(val_steps)  # chronological: validation comes after
    assert max(train_steps) == 349 and min(val_steps) == 350  # 70 % of 500 steps train


def test_custom_range_and_float64_series():
    w = sine_windows(start=0.0, stop=20.0, step=0.05, timesteps=4)
    expected = np.sin(np.arange(0, 20, 0.05)).astype("float32")
    assert w.y_train[0, 0] == expected[4]
    w64 = sine_windows(expected.astype("float64"), timesteps=4)
    assert w64.x_train.dtype == np.float32
    assert np.array_equal(w64.y_train, w.y_train)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_are_refused(bad):
    series = DEFAULT_SERIES.copy()
    series[123] = bad
    with pytest.raises(ShapeError) as info:
        sine_windows(series)
    assert info.value.code == "non_finite_values"
    assert "step 123" in str(info.value) and "sine_windows argument series" in str(info.value)


def test_too_short_series_is_refused_and_the_stated_minimum_works():
    with pytest.raises(ShapeError) as info:
        sine_windows(np.zeros(15, "float32"), timesteps=10)
    err = info.value
    assert err.code == "series_too_short" and "series_too_short" in MISCONCEPTIONS
    assert "15 steps" in str(err)
    minimum = int(re.search(r"at least (\d+) steps", err.fix).group(1))
    w = sine_windows(np.zeros(minimum, "float32"), timesteps=10)
    assert len(w.x_train) >= 1 and len(w.x_val) >= 1
    with pytest.raises(ShapeError, match="series_too_short"):
        sine_windows(np.zeros(minimum - 1, "float32"), timesteps=10)


def test_two_dimensional_series_is_refused():
    with pytest.raises(ShapeError) as info:
        sine_windows(np.zeros((1000, 1), "float32"))
    assert info.value.code == "wrong_rank"
    assert info.value.actual == (1000, 1)


@pytest.mark.parametrize("series, code", [
    ([0.1, 0.2, 0.3], "not_a_tensor"),
    (np.arange(100), "wrong_dtype"),
    ("series.npy", "not_a_tensor"),
])
def test_series_that_is_not_a_float_array_is_refused(series, code):
    with pytest.raises(TensorTypeError) as info:
        sine_windows(series)
    assert info.value.code == code


@pytest.mark.parametrize("kwargs, message", [
    ({"timesteps": 0}, "Expected timesteps to be a positive integer. Received: timesteps=0"),
    ({"timesteps": True}, "Received: timesteps=True"),
    ({"horizon": -1}, "Expected horizon to be a positive integer. Received: horizon=-1"),
    ({"validation_split": 0.0}, "Expected validation_split to be a float in (0, 1). "
                                "Received: validation_split=0.0"),
    ({"validation_split": 1}, "Received: validation_split=1"),
    ({"validation_split": float("nan")}, "Received: validation_split=nan"),
    ({"step": 0.0}, "step > 0"),
    ({"start": 5.0, "stop": 1.0}, "start < stop"),
])
def test_bad_arguments_get_keras_style_messages(kwargs, message):
    with pytest.raises(ValueError) as info:
        sine_windows(**kwargs)
    assert message in str(info.value)


@pytest.mark.parametrize("kwargs, name", [({"timesteps": 2.5}, "timesteps"),
                                          ({"validation_split": "0.2"}, "validation_split")])
def test_wrong_argument_types_raise_a_type_error_naming_the_argument(kwargs, name):
    with pytest.raises(TypeError, match=f"sine_windows argument {name}"):
        sine_windows(**kwargs)


def test_numpy_scalars_are_accepted():
    w = sine_windows(timesteps=np.int64(5), validation_split=np.float32(0.5))
    assert w.x_train.shape == (495, 5, 1) and w.x_val.shape == (495, 5, 1)


def test_range_arguments_with_an_explicit_series_are_refused():
    with pytest.raises(ValueError, match="default sine series"):
        sine_windows(DEFAULT_SERIES, stop=50.0)


# --- models -------------------------------------------------------------------------------

def test_build_lstm_shapes_names_and_compile():
    model = build_lstm(16, timesteps=10)
    assert [layer.name for layer in model.layers] == ["x", "lstm", "head"]
    assert model.output.shape == (None, 1) and model.input.shape == (None, 10, 1)
    assert model.loss == "mse" and isinstance(model.optimizer, keras.optimizers.Adam)
    seq = build_lstm(8, timesteps=6, features=3, outputs=2, return_sequences=True,
                     dropout=0.2, recurrent_dropout=0.1, learning_rate=0.01)
    assert seq.output.shape == (None, 6, 2)
    lstm = seq.get_layer("lstm")
    assert (lstm.dropout, lstm.recurrent_dropout) == (0.2, 0.1)
    assert float(seq.optimizer.learning_rate.numpy()) == pytest.approx(0.01)


def test_build_stacked_lstm_sets_return_sequences_on_all_but_the_last():
    model = build_stacked_lstm((32, 16, 8), timesteps=7, features=2, dropout=0.1)
    lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    assert [layer.name for layer in lstms] == ["lstm_1", "lstm_2", "lstm_3"]
    assert [layer.return_sequences for layer in lstms] == [True, True, False]
    assert [tuple(layer.output.shape) for layer in lstms] == [
        (None, 7, 32), (None, 7, 16), (None, 8)]
    assert all(layer.dropout == 0.1 for layer in lstms)
    assert build_stacked_lstm((4,), timesteps=3).get_layer("lstm_1").return_sequences is False
    default = build_stacked_lstm()
    assert default.output.shape == (None, 1) and default.count_params() == 30651
    assert model.loss == "mse"


def test_build_stateful_lstm_fixes_the_batch_size():
    model = build_stateful_lstm(8, batch_size=4, timesteps=10, features=2)
    assert model.input.shape == (4, 10, 2) and model.output.shape == (4, 1)
    assert model.get_layer("lstm").stateful is True
    x = np.random.default_rng(0).normal(size=(8, 10, 2)).astype("float32")
    first = model.predict(x[:4], batch_size=4, verbose=0)
    second = model.predict(x[:4], batch_size=4, verbose=0)  # state carried over
    assert not np.allclose(first, second)
    model.get_layer("lstm").reset_state()  # the reset the docstring advises
    np.testing.assert_allclose(model.predict(x[:4], batch_size=4, verbose=0), first, atol=1e-6)


@pytest.mark.parametrize("builder, kwargs, message", [
    (build_lstm, {"units": 0, "timesteps": 10}, "Expected units to be a positive integer. "
                                                "Received: units=0"),
    (build_lstm, {"units": 50.0, "timesteps": 10}, "Received: units=50.0"),
    (build_lstm, {"units": 8, "timesteps": -1}, "Received: timesteps=-1"),
    (build_lstm, {"units": 8, "timesteps": 10, "dropout": 1.0},
     "Expected dropout to be a float in [0, 1). Received: dropout=1.0"),
    (build_lstm, {"units": 8, "timesteps": 10, "recurrent_dropout": -0.1},
     "Received: recurrent_dropout=-0.1"),
    (build_lstm, {"units": 8, "timesteps": 10, "learning_rate": 0},
     "Received: learning_rate=0"),
    (build_lstm, {"units": 8, "timesteps": 10, "return_sequences": "yes"},
     "Received: return_sequences='yes'"),
    (build_stacked_lstm, {"units": ()}, "non-empty sequence"),
    (build_stacked_lstm, {"units": (50, 0)}, "Received: units=(50, 0)"),
    (build_stacked_lstm, {"units": "50,50"}, "Received: units='50,50'"),
    (build_stacked_lstm, {"dropout": 1.5}, "Received: dropout=1.5"),
    (build_stateful_lstm, {"units": 8, "batch_size": 0, "timesteps": 10},
     "Expected batch_size to be a positive integer. Received: batch_size=0"),
])
def test_bad_builder_arguments_are_refused_not_clamped(builder, kwargs, message):
    with pytest.raises(ValueError) as info:
        builder(**kwargs)
    assert message in str(info.value)


@pytest.mark.parametrize("units, features", [(1, 1), (16, 1), (50, 1), (50, 50), (7, 13)])
def test_param_count_equals_keras(units, features):
    layer = keras.layers.LSTM(units)
    layer.build((None, 5, features))
    assert lstm_param_count(units, features) == layer.count_params()
    k, r, b = layer.get_weights()
    assert (k.shape, r.shape, b.shape) == ((features, 4 * units), (units, 4 * units),
                                           (4 * units,))


def test_param_count_does_not_depend_on_timesteps():
    counts = {build_lstm(8, timesteps=t).get_layer("lstm").count_params() for t in (2, 10, 50)}
    assert counts == {lstm_param_count(8, 1)}


@pytest.mark.parametrize("units, features", [(0, 1), (4, 0), (2.0, 1)])
def test_param_count_refuses_bad_sizes(units, features):
    with pytest.raises(ValueError, match="positive integer"):
        lstm_param_count(units, features)


# --- seeding ------------------------------------------------------------------------------

def _train_once(seed: int) -> list[np.ndarray]:
    seed_everything(seed)
    w = sine_windows(timesteps=5, stop=20.0)
    model = build_lstm(4, timesteps=5)
    model.fit(w.x_train, w.y_train, epochs=1, batch_size=32, verbose=0)
    return model.get_weights()


def test_two_seeded_trainings_give_identical_weights():
    first, second, other = _train_once(3), _train_once(3), _train_once(4)
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_seed_everything_seeds_python_and_numpy():
    import random

    seed_everything(11, deterministic_ops=False)
    a = (random.random(), np.random.rand())
    seed_everything(11, deterministic_ops=False)
    assert (random.random(), np.random.rand()) == a


@pytest.mark.parametrize("seed, error", [(-1, ValueError), (2**32, ValueError),
                                         (1.5, TypeError), ("0", TypeError), (True, TypeError)])
def test_seed_everything_refuses_bad_seeds(seed, error):
    with pytest.raises(error, match="Received: seed="):
        seed_everything(seed)
