"""diagnosing() and install(): Keras's own errors, raised for real, become named mistakes."""

from __future__ import annotations

import subprocess
import sys

import keras
import numpy as np
import pytest
from corpus.graphs import Chain

from lstm_shapes import ShapeError, diagnosing
from lstm_shapes.diagnosis.translate import translate

L = keras.layers
X = np.random.default_rng(0).random((32, 10, 1)).astype("float32")
Y = np.random.default_rng(1).random((32, 1)).astype("float32")


def _seq(*layers, loss="mse", shape=(10, 1), **kw):
    model = keras.Sequential([keras.Input(shape, **kw), *layers])
    model.compile("adam", loss)
    return model


def _fit(model, x=X, y=Y, **kw):
    model.fit(x, y, epochs=1, verbose=0, **kw)


def _functional_other_timesteps():
    i = keras.Input((20, 1))
    model = keras.Model(i, L.Dense(1)(L.LSTM(4)(i)))
    model.compile("adam", "mse")
    _fit(model)


def _state_units_at_fit():
    i, h, c = keras.Input((10, 1)), keras.Input((8,)), keras.Input((8,))
    model = keras.Model([i, h, c], L.Dense(1)(L.LSTM(4)(i, initial_state=[h, c])))
    model.compile("adam", "mse")
    z = np.zeros((32, 8), "float32")
    _fit(model, [X, z, z])


def _single_state_at_fit():
    i, h = keras.Input((10, 1)), keras.Input((4,))
    model = keras.Model([i, h], L.Dense(1)(L.LSTM(4)(i, initial_state=h)))
    model.compile("adam", "mse")
    _fit(model, [X, np.zeros((32, 4), "float32")])


def _unpack_two_of_three():
    output, h = L.LSTM(4, return_state=True)(keras.Input((10, 1)))  # noqa: F841


KERAS_ERRORS = {
    "missing_timestep_axis": lambda: _seq(L.LSTM(4), shape=(10,)),
    "batch_in_input_shape": lambda: _seq(L.LSTM(4), shape=(32, 10, 1)),
    "embedding_input_rank": lambda: _seq(L.Embedding(20, 8), L.LSTM(4)),
    "input_shape_data_mismatch": lambda: _fit(_seq(L.LSTM(4), L.Dense(1), shape=(10, 3))),
    "initial_state_units": _state_units_at_fit,
    "initial_state_structure": _single_state_at_fit,
    "return_state_unpacking": _unpack_two_of_three,
    "stateful_batch": lambda: _seq(L.LSTM(4, stateful=True)),
    "output_width_mismatch": lambda: _fit(_seq(L.LSTM(4), L.Dense(3)), y=np.zeros((32, 2))),
    "window_misalignment": lambda: _fit(_seq(L.LSTM(4), L.Dense(1)), y=Y[:31]),
    "loss_label_encoding_mismatch": lambda: _fit(
        _seq(L.LSTM(4), L.Dense(3, activation="softmax"), loss="categorical_crossentropy"),
        y=np.zeros((32,), "int32")),
    "timedistributed_rank": lambda: _seq(L.LSTM(4), L.TimeDistributed(L.Dense(1))),
    "input_shape_data_mismatch (functional)": _functional_other_timesteps,
    "missing_timestep_axis (one window predicted)": lambda: _seq(L.LSTM(4), L.Dense(1)).predict(
        X[0, :, 0], verbose=0),
    "units_type": lambda: _seq(L.LSTM(np.int64(4))),
    "units_type (a float)": lambda: _seq(L.LSTM(4.0)),
    "units_type (a NumPy float)": lambda: _seq(L.LSTM(np.float32(4))),
    "stateful_reset": lambda: _seq(L.LSTM(4, stateful=True), batch_size=2).reset_states(),
    "sequence_output_vs_last_target": lambda: _fit(
        _seq(L.LSTM(4, return_sequences=True), L.Dense(3)), y=np.zeros((32, 3), "float32")),
    "last_output_vs_sequence_target": lambda: _fit(
        _seq(L.LSTM(4), L.Dense(3)), y=np.zeros((32, 10, 3), "float32")),
}


@pytest.mark.parametrize("code", sorted(KERAS_ERRORS))
def test_a_real_keras_error_is_translated(code: str) -> None:
    with pytest.raises(Exception) as raw:  # plain Keras, no instrumentation
        KERAS_ERRORS[code]()
    assert not isinstance(raw.value, ShapeError)
    explained = translate(raw.value)
    assert explained is not None, f"{type(raw.value).__name__}: {raw.value}"
    assert explained.code == code.split()[0], str(explained)
    assert explained.fix and "Keras said:" in str(explained)


@pytest.mark.parametrize("code", sorted(KERAS_ERRORS))
def test_inside_diagnosing_every_one_is_a_shape_error(code: str) -> None:
    with pytest.raises(ShapeError) as err, diagnosing():
        KERAS_ERRORS[code]()
    assert err.value.code and err.value.fix


def test_one_window_without_batch_and_feature_axes_is_reshaped_to_one_sample() -> None:
    with pytest.raises(ShapeError) as err, diagnosing():
        KERAS_ERRORS["missing_timestep_axis (one window predicted)"]()
    assert err.value.fix.startswith("x = x.reshape(1, 10, 1)"), str(err.value)
    assert err.value.where == "the model"




def test_a_layer_sees_one_batch_so_its_reshape_keeps_the_batch_free() -> None:
    model = Chain(L.LSTM(4), L.Dense(1))
    model.compile("adam", "mse")
    with pytest.raises(ShapeError) as err, diagnosing():  # the LSTM sees a batch of 32
        _fit(model, x=np.zeros((64, 10), "float32"), y=np.zeros((64, 1), "float32"))
    assert err.value.code == "missing_timestep_axis" and err.value.actual == (32, 10)
    assert err.value.fix.startswith("x = x.reshape(-1, 10, 1)"), err.value.fix  # not 32


def test_the_rnn_that_dropped_the_time_axis_is_found_through_dense_layers() -> None:
    with pytest.raises(ShapeError) as err, diagnosing():
        _seq(L.LSTM(4, name="first"), L.Dense(8, name="squeeze"), L.Dropout(0.1),
             L.LSTM(4, name="second"))
    assert err.value.code == "missing_return_sequences"
    assert "return_sequences=True on layer 'first'" in err.value.fix
    assert "through 'squeeze', 'dropout" in str(err.value), str(err.value)


def test_a_generic_rnn_of_a_cell_is_checked_like_its_layer() -> None:
    with pytest.raises(ShapeError) as err, diagnosing():
        _seq(L.RNN(L.LSTMCell(4), name="first"), L.RNN(L.GRUCell(4)))
    assert err.value.code == "missing_return_sequences"
    assert "return_sequences=True on layer 'first'" in err.value.fix


def test_the_original_error_stays_chained() -> None:
    with pytest.raises(ShapeError) as err, diagnosing():
        _fit(_seq(L.LSTM(4), L.Dense(3)), y=np.zeros((32, 2)))
    assert err.value.code == "output_width_mismatch"
    assert isinstance(err.value.__cause__, ValueError)
    assert "Dense(2)" in err.value.fix


def test_unrelated_errors_pass_through_unchanged() -> None:
    with pytest.raises(ZeroDivisionError), diagnosing():
        1 / 0  # noqa: B018
    assert translate(KeyError("a user's own dict key")) is None


def test_diagnosing_leaves_keras_untouched_afterwards() -> None:
    with diagnosing():
        pass
    assert "__call__" not in L.RNN.__dict__ and "__call__" not in L.Bidirectional.__dict__


STACK = """
import keras, lstm_shapes
lstm_shapes.install()
lstm_shapes.install()  # twice is harmless
keras.Sequential([keras.Input((10, 1)), keras.layers.LSTM(8), keras.layers.LSTM(8)])
"""
LOSS = """
import keras, numpy as np, lstm_shapes
lstm_shapes.install()
model = keras.Sequential([keras.Input((10, 1)), keras.layers.LSTM(4), keras.layers.Dense(3)])
model.compile("adam", "mse")
model.fit(np.zeros((8, 10, 1)), np.zeros((8, 2)), verbose=0)
"""


def _run_script(tmp_path, source: str) -> subprocess.CompletedProcess:
    script = tmp_path / "broken.py"
    script.write_text(source)
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})


def test_install_checks_rnn_calls_of_a_script(tmp_path) -> None:
    done = _run_script(tmp_path, STACK)
    assert done.returncode == 1
    assert "[missing_return_sequences]" in done.stderr
    assert "set return_sequences=True on layer 'lstm'" in done.stderr


def test_install_explains_a_keras_error_after_its_traceback(tmp_path) -> None:
    done = _run_script(tmp_path, LOSS)
    assert done.returncode == 1
    tail = done.stderr[done.stderr.index("Traceback (most recent call last)"):]
    assert tail.count("lstm-shapes:") == 1
    explanation = tail[tail.index("lstm-shapes:"):]
    assert "[output_width_mismatch]" in explanation and "Dense(2)" in explanation


FRAMES = """
import keras, lstm_shapes
lstm_shapes.install()
frames = keras.Input((6, 16, 16))  # grey frames without their channel axis
keras.layers.TimeDistributed(keras.layers.Conv2D(4, 3))(frames)
"""


def test_install_explains_by_the_failing_layer_call_and_shows_keras_frames_filtered(
        tmp_path) -> None:
    done = _run_script(tmp_path, FRAMES)
    assert done.returncode == 1
    shown, explanation = done.stderr.split("lstm-shapes:", 1)
    assert "[missing_channel_axis]" in explanation, done.stderr
    assert "keras/src/layers/" not in shown, shown  # the traceback Keras would have printed


IPYTHON = """
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
shell.run_cell({cell!r})
shell.run_cell("print('the session goes on')")
"""


def test_install_explains_a_keras_error_in_an_ipython_session(tmp_path) -> None:
    pytest.importorskip("IPython")
    done = _run_script(tmp_path, IPYTHON.format(cell=LOSS))
    assert done.returncode == 0, done.stderr
    assert "ValueError" in done.stdout  # IPython's own traceback, then the explanation
    explanation = done.stderr[done.stderr.index("lstm-shapes: the loss: Keras said"):]
    assert "[output_width_mismatch]" in explanation and "Dense(2)" in explanation
    assert done.stderr.count("lstm-shapes:") == 1 and "the session goes on" in done.stdout

def test_predicting_one_sample_without_its_batch_axis_says_add_it() -> None:
    from lstm_shapes import check_model

    model = _seq(L.LSTM(4), L.Dense(1))
    # Keras reads the (10, 1) window as 10 samples of one step: 10 predictions, no error
    assert model.predict(X[0], verbose=0).shape == (10, 1)
    report = check_model(model, X[0])
    assert report.codes == ["missing_timestep_axis"], str(report)
    fix = report.findings[0].fix
    assert "x[np.newaxis]" in fix and "ONE sample of 10 timesteps" in fix


def test_an_error_it_cannot_explain_leaves_untouched_with_keras_frames_filtered() -> None:
    import traceback

    class Boom(keras.layers.Layer):
        def call(self, t):
            raise RuntimeError("boom")

    boom = RuntimeError
    with pytest.raises(boom) as caught, diagnosing():
        keras.Sequential([keras.Input((5, 3)), keras.layers.Dense(4), Boom()])
    assert str(caught.value).endswith("boom") and type(caught.value) is RuntimeError
    files = [f.filename for f in traceback.extract_tb(caught.value.__traceback__)]
    assert not any("/keras/src/layers/" in f for f in files), files  # as Keras shows it
    assert keras.config.is_traceback_filtering_enabled()  # the block gave filtering back


@pytest.mark.parametrize(("per_step", "says", "never"), [
    (1, "ids = ids.reshape(len(ids), 12)", "argmax"),
    (6, "ids = np.argmax(x, axis=-1)", "reshape"),  # one-hot rows or 6 real features
])
def test_an_embedding_fed_more_than_ids_gets_a_fix_that_keeps_the_meaning(
        per_step: int, says: str, never: str) -> None:
    with pytest.raises(ShapeError) as err, diagnosing():
        keras.Sequential([keras.Input((12, per_step)), L.Embedding(20, 8), L.GRU(4)])
    assert err.value.code == "embedding_input_rank", str(err.value)
    assert says in err.value.fix and never not in err.value.fix, err.value.fix
    if per_step > 1:  # both readings it offers build
        keras.Sequential([keras.Input((12,)), L.Embedding(20, 8), L.GRU(4)])
        keras.Sequential([keras.Input((12, per_step)), L.GRU(4)])
        assert "remove the Embedding" in err.value.fix


@pytest.mark.parametrize(("loss", "units", "y", "code", "fix"), [
    ("categorical_crossentropy", 1, np.eye(3, dtype="float32")[np.arange(32) % 3],
     "output_width_mismatch", "Dense(3)"),
    ("binary_crossentropy", 4, np.zeros((32, 2), "float32"), "output_width_mismatch",
     "Dense(2)"),
    ("categorical_crossentropy", 3, np.zeros((32, 10, 3), "float32"),
     "last_output_vs_sequence_target", "return_sequences=True"),
])
def test_cross_entropy_shape_errors_are_read_by_their_axes_whatever_the_loss(
        loss: str, units: int, y: np.ndarray, code: str, fix: str) -> None:
    model = _seq(L.LSTM(4), L.Dense(units, activation="softmax" if units > 1 else "sigmoid"),
                 loss=loss)
    with pytest.raises(ShapeError) as err, diagnosing():
        _fit(model, y=y)
    assert err.value.code == code, str(err.value)
    assert fix in err.value.fix, err.value.fix


def test_an_unexplained_error_from_a_checked_rnn_call_shows_no_frame_of_lstm_shapes() -> None:
    import traceback

    with pytest.raises(AttributeError) as caught, diagnosing():  # Keras's own complaint
        L.LSTM(2)(np.zeros((2, 3, 4), "float32"), mask="oops")
    files = [f.filename for f in traceback.extract_tb(caught.value.__traceback__)]
    assert not any("lstm_shapes" in f for f in files), files  # not even the RNN check's


def test_one_hot_rows_into_an_embedding_seen_through_dropout_are_named() -> None:
    with pytest.raises(ShapeError) as err, diagnosing():
        i = keras.Input((12, 30))  # one-hot rows, not ids
        L.GRU(4)(L.Dropout(0.5)(L.Embedding(30, 8)(i)))
    assert err.value.code == "embedding_input_rank", str(err.value)
    assert "np.argmax(x, axis=-1)" in err.value.fix


def test_targets_of_another_length_are_not_blamed_on_a_conv_the_model_does_not_have() -> None:
    model = _seq(L.LSTM(4, return_sequences=True), L.Dense(1))  # no Conv1D, no pooling
    with pytest.raises(ShapeError) as err, diagnosing():
        _fit(model, y=np.zeros((32, 7, 1), "float32"))  # 7 target steps, 10 input steps
    assert err.value.code == "dimension_mismatch", str(err.value)
    conv = _seq(L.Conv1D(4, 3), L.LSTM(4, return_sequences=True), L.Dense(1))  # 8 steps
    with pytest.raises(ShapeError) as err, diagnosing():
        _fit(conv, y=np.zeros((32, 10, 1), "float32"))
    assert err.value.code == "conv_pool_shrinks_time", str(err.value)
