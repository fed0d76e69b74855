"""ExpectShape inside real Keras models: build time, fit (graph), eager calls, save/load."""

import keras
import numpy as np
import pytest

from lstm_shapes import ExpectShape, ShapeError


def _stack(spec="batch timesteps units", **dims):
    inputs = keras.Input((10, 1))
    seq = keras.layers.LSTM(8, return_sequences=True, name="lstm_1")(inputs)
    seq = ExpectShape(spec, name="after_lstm_1", **dims)(seq)
    last = keras.layers.LSTM(4, name="lstm_2")(seq)
    model = keras.Model(inputs, keras.layers.Dense(1)(last))
    model.compile("adam", "mse")
    return model


def test_right_shape_builds_fits_and_passes_through():
    model = _stack(units=8, timesteps=10)
    x = np.random.default_rng(0).normal(size=(16, 10, 1)).astype("float32")
    history = model.fit(x, np.zeros((16, 1), "float32"), epochs=1, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    seq = np.random.default_rng(1).normal(size=(2, 10, 8)).astype("float32")
    assert np.array_equal(model.get_layer("after_lstm_1")(seq), seq)  # unchanged


def test_wrong_spec_is_refused_when_the_model_is_built():
    with pytest.raises(ShapeError) as info:
        _stack("batch units", units=8)  # the LSTM returns a sequence here
    assert info.value.code == "unexpected_sequence_output"
    assert "ExpectShape 'after_lstm_1' input" in str(info.value)
    with pytest.raises(ShapeError, match="units should be 16, got 8"):
        _stack(units=16)


def test_sequential_model_with_wrong_units_is_refused():
    with pytest.raises(ShapeError):
        keras.Sequential([keras.Input((10, 1)), keras.layers.LSTM(8, return_sequences=True),
                          ExpectShape("batch timesteps units", units=50)])


def test_checks_each_eager_call():
    layer = ExpectShape("batch timesteps features", timesteps=10, features=1)
    assert layer(np.zeros((3, 10, 1), "float32")).shape == (3, 10, 1)
    with pytest.raises(ShapeError) as info:
        layer(np.zeros((3, 10), "float32"))
    assert info.value.code == "missing_timestep_axis"


def _open_time_model():
    model = keras.Sequential([
        keras.Input((None, 1)),
        ExpectShape("batch timesteps features", timesteps=10),
        keras.layers.LSTM(4),
        keras.layers.Dense(1),
    ])
    model.compile("adam", "mse")
    return model


def test_checks_when_fit_traces_the_graph():
    """A model with an open time axis meets the real timesteps only inside fit."""
    with pytest.raises(ShapeError) as info:
        _open_time_model().fit(np.zeros((4, 12, 1), "float32"), np.zeros((4, 1), "float32"),
                               epochs=1, verbose=0)
    assert info.value.code == "input_shape_data_mismatch"
    assert info.value.actual[1:] == (12, 1)


def test_checks_at_run_time_when_a_retrace_relaxes_the_shape():
    import tensorflow as tf

    model = _open_time_model()
    model.fit(np.zeros((4, 10, 1), "float32"), np.zeros((4, 1), "float32"), epochs=1, verbose=0)
    with pytest.raises(tf.errors.InvalidArgumentError) as info:  # raised by the graph
        for timesteps in (11, 12, 13):  # retraces relax timesteps to None
            model.fit(np.zeros((4, timesteps, 1), "float32"), np.zeros((4, 1), "float32"),
                      epochs=1, verbose=0)
    assert "[input_shape_data_mismatch]" in str(info.value)
    assert "axis 1 (timesteps) is not 10" in str(info.value)


def test_save_and_load_keep_the_check(tmp_path):
    model = _stack(units=8, timesteps=10)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, compile=False)  # the check, not the optimizer
    layer = loaded.get_layer("after_lstm_1")
    assert (layer.spec, layer.dims) == ("batch timesteps units", {"units": 8, "timesteps": 10})
    x = np.random.default_rng(1).normal(size=(2, 10, 1)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    with pytest.raises(ShapeError):
        layer(np.zeros((2, 10, 9), "float32"))


def test_bad_dim_keyword_is_refused():
    with pytest.raises(TypeError, match="Received: units='8'"):
        ExpectShape("batch units", units="8")
