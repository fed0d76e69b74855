"""ExpectShape inside real Keras models: build time, fit (graph), eager calls, save/load."""

import json
import os
import subprocess
import sys

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


# A fresh interpreter loads a saved model; prints one JSON line with what it saw.
_LOAD = """
import json, sys
path, imports = sys.argv[1], sys.argv[2]
for name in imports.split(","):
    if name:
        __import__(name)
import keras
import numpy as np
seen = {"imported_before_load": "lstm_shapes.core.layers" in sys.modules}
try:
    model = keras.saving.load_model(path, compile=False)
except TypeError as err:
    seen.update(loaded=False, error=str(err))
else:
    layer = model.get_layer("check_in")
    seen.update(loaded=True, layer=type(layer).__module__ + "." + type(layer).__name__,
                dims=layer.dims, right=model(np.ones((2, 10, 1), "float32")).numpy().tolist())
    try:
        model(np.ones((2, 12, 1), "float32"))  # timesteps=12, the layer wants 10
    except Exception as err:
        import lstm_shapes
        seen.update(wrong=type(err).__name__, code=getattr(err, "code", None),
                    is_shape_error=isinstance(err, lstm_shapes.ShapeError))
seen["lstm_shapes_imported"] = "lstm_shapes" in sys.modules
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def fresh_loads(tmp_path_factory):
    """Save an open-time model with ExpectShape; load it in fresh processes, all at once."""
    inputs = keras.Input((None, 1))
    checked = ExpectShape("batch timesteps features", name="check_in", timesteps=10)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.LSTM(4)(checked)))
    path = tmp_path_factory.mktemp("saved") / "model.keras"
    model.save(path)
    right = model(np.ones((2, 10, 1), "float32")).numpy().tolist()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    imports = {"lstm_shapes first": "lstm_shapes", "keras first": "keras,lstm_shapes",
               "no lstm_shapes": ""}
    children = {case: subprocess.Popen([sys.executable, "-c", _LOAD, str(path), names],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True, env=env)
                for case, names in imports.items()}
    seen = {}
    for case, child in children.items():
        out, err = child.communicate(timeout=180)
        assert child.returncode == 0, err
        seen[case] = json.loads(out.strip().splitlines()[-1])
    return right, seen


@pytest.mark.parametrize("case", ["lstm_shapes first", "keras first"])
def test_saved_model_loads_after_a_plain_import_lstm_shapes(fresh_loads, case):
    right, seen = fresh_loads
    seen = seen[case]
    assert seen["imported_before_load"]  # registered by `import lstm_shapes` alone
    assert seen["loaded"], seen.get("error")
    assert seen["layer"] == "lstm_shapes.core.layers.ExpectShape"
    assert seen["dims"] == {"timesteps": 10}
    np.testing.assert_allclose(seen["right"], right, rtol=1e-6)
    assert seen["is_shape_error"] and seen["code"] == "input_shape_data_mismatch", seen


def test_without_lstm_shapes_keras_cannot_find_the_class(fresh_loads):
    """Keras 3 imports a config's module only for its own packages and reads no entry point,
    so nothing of ours runs: the load fails and names the missing class."""
    seen = fresh_loads[1]["no lstm_shapes"]
    assert not seen["loaded"] and not seen["lstm_shapes_imported"]
    assert "Could not locate class 'ExpectShape'" in seen["error"]
