"""The error routes (diagnosing(), translate) explain a wrong-rank tensor by what it IS, and
every fix line they print is applied here and shown to build or train.

Variants written before the rules: Dense/Flatten/GlobalPooling/Lambda in front of an RNN
(Sequential and functional, LSTM/GRU/SimpleRNN), 2-D data against Input((T, F)) in three
kinds (K == T*F, K unrelated, K == F), Input((None, F)) with (n, F) data, and one Keras
message ("expected ndim=3, found ndim=4") from a trailing 1, frames, and the sample count.
"""

from __future__ import annotations

import re

import keras
import numpy as np
import pytest

from lstm_shapes import ShapeError, diagnosing
from lstm_shapes.diagnosis.translate import translate

L = keras.layers


def _diagnosed(fn) -> ShapeError:
    with pytest.raises(ShapeError) as info:
        with diagnosing():
            fn()
    return info.value


def _translated(fn) -> ShapeError:
    """The route without the RNN call checks (install(), the plugin): translate only."""
    keras.config.disable_traceback_filtering()
    try:
        fn()
    except ShapeError:
        raise
    except Exception as err:  # noqa: BLE001
        found = translate(err)
        assert found is not None, err
        return found
    finally:
        keras.config.enable_traceback_filtering()
    raise AssertionError("no error")


def _fit(model, x, y=None):
    model.compile("adam", "mse")
    model.fit(x, np.zeros((len(x), 1)) if y is None else y, epochs=1, verbose=0)


def _no_width_reshape(err: ShapeError, width: int) -> None:
    assert f"reshape(-1, {width}, 1)" not in err.fix and ".reshape(" not in err.fix


# (a) a 2-D tensor made by a layer that is not the Input and not an RNN

@pytest.mark.parametrize("route", [_diagnosed, _translated])
def test_dense_that_never_had_time(route):
    err = route(lambda: keras.Sequential([keras.Input((20,)), L.Dense(16), L.LSTM(8)]))
    assert err.code == "missing_timestep_axis"
    _no_width_reshape(err, 16)
    assert "keras.Input(shape=(20, 1))" in err.fix
    fixed = keras.Sequential([keras.Input((20, 1)), L.Dense(16), L.LSTM(8), L.Dense(1)])
    _fit(fixed, np.random.rand(32, 20)[..., np.newaxis])  # the fix applied trains


@pytest.mark.parametrize("route", [_diagnosed, _translated])
def test_flatten_removed_time_functional_gru(route):
    def build():
        i = keras.Input((30, 4))
        L.GRU(8)(L.Flatten(name="flat")(i))
    err = route(build)
    assert err.code == "missing_timestep_axis" and "remove layer 'flat'" in err.fix
    _no_width_reshape(err, 120)
    i = keras.Input((30, 4))
    _fit(keras.Model(i, L.Dense(1)(L.GRU(8)(i))), np.random.rand(16, 30, 4))


@pytest.mark.parametrize("route", [_diagnosed, _translated])
def test_global_pooling_removed_time(route):
    err = route(lambda: keras.Sequential([keras.Input((30, 4)), L.Conv1D(8, 3),
                                          L.GlobalMaxPooling1D(name="pool"),
                                          L.Dense(6), L.SimpleRNN(5)]))
    assert err.code == "missing_timestep_axis" and "remove layer 'pool'" in err.fix
    _no_width_reshape(err, 6)
    fixed = keras.Sequential([keras.Input((30, 4)), L.Conv1D(8, 3), L.Dense(6),
                              L.SimpleRNN(5), L.Dense(1)])
    _fit(fixed, np.random.rand(16, 30, 4))


def test_last_step_lambda_then_rnn():
    def build():
        i = keras.Input((12, 3))
        L.LSTM(4)(L.Lambda(lambda t: t[:, -1, :], name="last")(i))
    err = _diagnosed(build)
    assert err.code == "missing_timestep_axis" and "remove layer 'last'" in err.fix


def test_data_itself_two_d_still_gets_the_data_fix():
    """The tensor IS the data (the Input): adding a feature axis keeps every value."""
    err = _diagnosed(lambda: keras.Sequential([keras.Input((10,)), L.LSTM(4)]))
    assert err.code == "missing_timestep_axis" and "keras.Input(shape=(10, 1))" in err.fix


# (b) 2-D data (n, K) against a declared (T, F): check_model's answers

def _series_rows(n: int, t: int, f: int) -> np.ndarray:
    """Rows t0f0, t0f1, ... of smooth series: the data shows the step-by-step order."""
    s = np.cumsum(np.random.default_rng(0).normal(size=(n, t, f)), axis=1)
    return s.reshape(n, t * f).astype("float32")


def test_flat_rows_step_by_step_reshape_is_proven_by_the_data():
    x = _series_rows(64, 8, 3)
    model = keras.Sequential([keras.Input((8, 3)), L.LSTM(4), L.Dense(1)])
    err = _diagnosed(lambda: _fit(model, x))
    assert err.code == "missing_timestep_axis" and err.fix.startswith("x = x.reshape(64, 8, 3)")
    _fit(model, x.reshape(64, 8, 3))


def test_flat_rows_in_no_order_get_the_question():
    x = np.random.default_rng(1).normal(size=(40, 24)).astype("float32")
    model = keras.Sequential([keras.Input((8, 3)), L.GRU(4), L.Dense(1)])
    err = _diagnosed(lambda: _fit(model, x))
    assert "in an order the data does not show" in err.fix


def test_values_that_do_not_fill_the_declared_shape_are_never_reshaped():
    x = np.random.rand(40, 20).astype("float32")
    model = keras.Sequential([keras.Input((8, 3)), L.LSTM(4), L.Dense(1)])
    err = _diagnosed(lambda: _fit(model, x))
    assert not re.search(r"x = x\.reshape", err.fix)
    assert "x = x[..., np.newaxis] and keras.Input(shape=(20, 1))" in err.fix
    fixed = keras.Sequential([keras.Input((20, 1)), L.LSTM(4), L.Dense(1)])
    _fit(fixed, x[..., np.newaxis])


def test_rows_of_features_get_windows():
    x = np.random.rand(40, 3).astype("float32")
    model = keras.Sequential([keras.Input((8, 3)), L.LSTM(4), L.Dense(1)])
    err = _diagnosed(lambda: _fit(model, x))
    assert "np.stack([x[i:i + 8]" in err.fix
    windows = np.stack([x[i:i + 8] for i in range(len(x) - 8 + 1)])
    _fit(model, windows, np.zeros((len(windows), 1)))


# (c) Input((None, F)) with data (n, F): one sequence, never Input(shape=(F,))

@pytest.mark.parametrize("rnn", [L.LSTM, L.GRU])
def test_open_time_with_rows(rnn):
    x = np.random.rand(40, 5).astype("float32")
    model = keras.Sequential([keras.Input((None, 5)), rnn(4), L.Dense(1)])
    err = _diagnosed(lambda: model.predict(x, verbose=0))
    assert err.code == "missing_timestep_axis" and "x = x[np.newaxis]" in err.fix
    assert "Input(shape=(5,))" not in err.fix
    assert model.predict(x[np.newaxis], verbose=0).shape == (1, 1)


# (d) one message, "expected ndim=3, found ndim=4", three kinds of tensor

@pytest.mark.parametrize("route", [_diagnosed, _translated])
def test_trailing_one(route):
    err = route(lambda: keras.Sequential([keras.Input((10, 3, 1)), L.LSTM(4)]))
    assert err.code == "batch_in_input_shape" and "keras.Input(shape=(10, 3))" in err.fix
    assert "keras.Input(shape=(3, 1))" in err.fix  # both readings, each built
    _fit(keras.Sequential([keras.Input((10, 3)), L.LSTM(4), L.Dense(1)]),
         np.squeeze(np.random.rand(8, 10, 3, 1), axis=-1))


@pytest.mark.parametrize("route", [_diagnosed, _translated])
def test_frames_or_samples_both_readings_build(route):
    err = route(lambda: keras.Sequential([keras.Input((10, 8, 8)), L.LSTM(4)]))
    assert "TimeDistributed(keras.layers.Flatten())" in err.fix
    assert "keras.Input(shape=(8, 8))" in err.fix
    keras.Sequential([keras.Input((10, 8, 8)), L.TimeDistributed(L.Flatten()), L.LSTM(4)])
    keras.Sequential([keras.Input((8, 8)), L.LSTM(4)])


def test_embedding_fed_three_d_ids_is_not_an_input_mistake():
    err = _diagnosed(lambda: keras.Sequential([keras.Input((10, 2)), L.Embedding(50, 8),
                                               L.LSTM(4)]))
    assert err.code == "embedding_input_rank"


def test_correct_models_stay_quiet():
    with diagnosing():
        i = keras.Input((30, 4))
        h = L.Conv1D(8, 3)(i)
        model = keras.Model(i, L.Dense(1)(L.GlobalMaxPooling1D()(L.LSTM(8, return_sequences=True)(h))))
        _fit(model, np.random.rand(16, 30, 4))
        _fit(keras.Sequential([keras.Input((None, 5)), L.GRU(4), L.Dense(1)]),
             np.random.rand(16, 7, 5))


@pytest.mark.parametrize("route", [_diagnosed, _translated])
def test_cnn_on_single_images_flattened_into_rnn(route):
    err = route(lambda: keras.Sequential([keras.Input((16, 16, 3)), L.Conv2D(4, 3),
                                          L.MaxPooling2D(), L.Flatten(), L.GRU(8)]))
    assert err.code == "missing_timedistributed" and "TimeDistributed" in err.fix
    fixed = keras.Sequential([keras.Input((5, 16, 16, 3)), L.TimeDistributed(L.Conv2D(4, 3)),
                              L.TimeDistributed(L.MaxPooling2D()),
                              L.TimeDistributed(L.Flatten()), L.GRU(8), L.Dense(1)])
    _fit(fixed, np.random.rand(4, 5, 16, 16, 3))


def test_stateful_batch_in_shape():
    err = _diagnosed(lambda: keras.Sequential([keras.Input((16, 10, 1)),
                                               L.LSTM(4, stateful=True)]))
    assert err.code == "batch_in_input_shape" and "batch_shape=(16, 10, 1)" in err.fix
    keras.Sequential([keras.Input(batch_shape=(16, 10, 1)), L.LSTM(4, stateful=True)])
