"""failing_call: Keras errors explained by the layer call that failed (real Keras, no mocks).

Each mistake is built in variants the real-mistake corpus does not have (other layer kinds,
ConvLSTM1D/Conv1D/pooling, channels_first, GRU/Bidirectional, functional and Sequential);
each fix line printed was proven by building the layer, so a test re-checks the code only.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from lstm_shapes import ShapeError, diagnosing
from lstm_shapes.diagnosis.failing_call import explain
from lstm_shapes.diagnosis.layer_call import failing_call
from lstm_shapes.diagnosis.translate import translate

L = keras.layers


@pytest.fixture(autouse=True)
def _unfiltered():
    """Keras's full tracebacks (what diagnosing() sets inside its block)."""
    was = keras.config.is_traceback_filtering_enabled()
    keras.config.disable_traceback_filtering()
    yield
    if was:
        keras.config.enable_traceback_filtering()


def _raised(build) -> BaseException:
    with pytest.raises(Exception) as info:
        build()
    return info.value


def _code(build) -> str | None:
    found = explain(_raised(build))
    return None if found is None else found.code


# one axis short: which one, by meaning --------------------------------------------------

def test_grey_frames_into_convlstm2d_lack_their_channel_axis():
    def build():
        i = keras.Input((6, 16, 16))
        keras.Model(i, L.ConvLSTM2D(2, 3)(i))
    found = explain(_raised(build))
    assert found.code == "missing_channel_axis"
    assert "x[..., np.newaxis]" in found.fix and "(6, 16, 16, 1)" in found.fix


def test_convlstm1d_rows_without_channels():
    assert _code(lambda: keras.Sequential([keras.Input((5, 20)), L.ConvLSTM1D(2, 3)])) == (
        "missing_channel_axis")


def test_channels_first_frames_get_the_axis_where_channels_first_puts_it():
    def build():
        keras.Sequential([keras.Input((4, 8, 8)),
                          L.TimeDistributed(L.Conv2D(2, 3, data_format="channels_first"))])
    found = explain(_raised(build))
    assert found.code == "missing_channel_axis"
    assert "np.expand_dims(x, axis=2)" in found.fix and "(4, 1, 8, 8)" in found.fix


def test_rgb_images_into_convlstm_lack_the_time_axis():
    found = explain(_raised(lambda: keras.Sequential([keras.Input((16, 16, 3)),
                                                      L.ConvLSTM2D(2, 3)])))
    assert found.code == "missing_timestep_axis"
    assert "keras.Input(shape=(timesteps, 16, 16, 3))" in found.fix


def test_conv1d_after_gru_without_sequences():
    def build():
        keras.Sequential([keras.Input((12, 3)), L.GRU(5), L.Conv1D(4, 3)])
    found = explain(_raised(build))
    assert found.code == "missing_return_sequences" and "'gru" in found.fix


def test_pooling_after_bidirectional_names_the_wrapped_rnn():
    def build():
        i = keras.Input((12, 3))
        keras.Model(i, L.MaxPooling1D()(L.Bidirectional(L.LSTM(4))(i)))
    found = explain(_raised(build))
    assert found.code == "missing_return_sequences"
    assert "Bidirectional(LSTM(..., return_sequences=True))" in found.fix


def test_units_equal_to_the_steps_are_named():
    def build():
        keras.Sequential([keras.Input((9, 2)), L.SimpleRNN(9), L.Conv1D(4, 3)])
    assert _code(build) == "units_equals_timesteps"


# one axis extra ---------------------------------------------------------------------------

def test_pooling_on_td_frames_needs_timedistributed():
    def build():
        keras.Sequential([keras.Input((4, 8, 8, 3)), L.TimeDistributed(L.Conv2D(2, 3)),
                          L.MaxPooling2D()])
    found = explain(_raised(build))
    assert found.code == "missing_timedistributed"
    assert "TimeDistributed(MaxPooling2D(...))" in found.fix


def test_convlstm1d_declared_with_the_data_shape():
    x_shape = (40, 6, 10, 2)  # (samples, time, width, channels)
    found = explain(_raised(lambda: keras.Sequential([keras.Input(x_shape),
                                                      L.ConvLSTM1D(2, 3)])))
    assert found.code == "batch_in_input_shape"
    assert "keras.Input(shape=(6, 10, 2))" in found.fix


def test_an_ambiguous_extra_axis_gets_no_confident_code():
    """(40, 28, 28, 1) into Conv2D: frames per sample, or the number of samples? Both fixes
    build, so neither is claimed."""
    found = explain(_raised(lambda: keras.Sequential([keras.Input((40, 28, 28, 1)),
                                                      L.Conv2D(2, 3)])))
    assert found.code == "wrong_rank"
    assert "TimeDistributed" in found.fix and "keras.Input(shape=(28, 28, 1))" in found.fix


# merges and attention ---------------------------------------------------------------------

def test_concatenating_a_last_step_with_a_sequence():
    """(Add would broadcast (batch, 4) over the steps silently: Keras raises nothing.)"""
    def build():
        i = keras.Input((7, 3))
        keras.Model(i, L.Concatenate()([L.GRU(4)(i), L.GRU(4, return_sequences=True)(i)]))
    found = explain(_raised(build))
    assert found.code == "missing_return_sequences" and "layer 'gru" in found.fix


def test_vector_input_beside_a_bidirectional_sequence():
    def build():
        v, s = keras.Input((5,)), keras.Input((7, 3))
        seq = L.Bidirectional(L.LSTM(4, return_sequences=True))(s)
        keras.Model([v, s], L.Concatenate()([v, seq]))
    found = explain(_raised(build))
    assert found.code == "unexpected_sequence_output"


def test_additive_attention_with_query_and_value_swapped():
    def build():
        enc, dec = keras.Input((9, 4)), keras.Input((3, 4))
        e = L.GRU(4, return_sequences=True)(enc)
        d = L.GRU(4, return_sequences=True)(dec)
        keras.Model([enc, dec], L.Add()([d, L.AdditiveAttention()([e, d])]))
    found = explain(_raised(build))
    assert found.code == "attention_axes" and "swap query and value" in found.fix


def test_weights_times_states_in_the_other_order():
    def build():
        h, w = keras.Input((6, 4)), keras.Input((6,))
        keras.Model([h, w], L.Lambda(lambda t: keras.ops.sum(t[0] * t[1], axis=1))([w, h]))
    found = explain(_raised(build))
    assert found.code == "attention_axes" and "w[..., None]" in found.fix


def test_unpacking_multi_head_attention():
    def build():
        q = keras.Input((5, 4))
        out, scores = L.MultiHeadAttention(2, 4)(q, q)
    assert _code(build) == "return_state_unpacking"


def test_unpacking_a_gru_without_return_state():
    def build():
        i = keras.Input((5, 4))
        out, h = L.GRU(3)(i)
    found = explain(_raised(build))
    assert found.code == "return_state_unpacking" and "return_state=True" in found.fix


# keywords Keras 3 refuses, and the model's declared inputs --------------------------------

def test_stateful_gru_with_batch_input_shape():
    found = explain(_raised(lambda: L.GRU(4, stateful=True, batch_input_shape=(2, 5, 1))))
    assert found.code == "stateful_batch" and "keras.Input(batch_shape=(2, 5, 1))" in found.fix


def test_batch_input_shape_on_a_stateless_layer_is_not_claimed():
    assert _code(lambda: L.Dense(4, batch_input_shape=(2, 5))) is None


def test_grey_images_declared_channels_first():
    model = keras.Sequential([keras.Input((1, 12, 12)), L.Conv2D(2, 3, padding="same")])
    found = explain(_raised(lambda: model(np.zeros((2, 12, 12), "float32"))))
    assert found.code == "input_shape_data_mismatch"
    assert "keras.Input(shape=(12, 12, 1))" in found.fix


# what it leaves alone ---------------------------------------------------------------------

def test_a_dense_kernel_mismatch_is_not_claimed():
    dense = L.Dense(2)
    dense(np.zeros((1, 3), "float32"))
    err = _raised(lambda: dense(np.zeros((1, 4), "float32")))
    assert failing_call(err) is not None and explain(err) is None


def test_without_keras_frames_nothing_is_claimed():
    keras.config.enable_traceback_filtering()
    err = _raised(lambda: keras.Sequential([keras.Input((6, 16, 16)), L.ConvLSTM2D(2, 3)]))
    assert explain(err) is None


def test_diagnosing_names_the_mistake_and_restores_filtering():
    keras.config.enable_traceback_filtering()
    with pytest.raises(ShapeError) as info, diagnosing():
        keras.Sequential([keras.Input((6, 16, 16)), L.ConvLSTM2D(2, 3)])
    assert info.value.code == "missing_channel_axis"
    assert keras.config.is_traceback_filtering_enabled()


def test_correct_models_build_and_translate_leaves_other_errors():
    with diagnosing():
        keras.Sequential([keras.Input((4, 8, 8, 1)), L.TimeDistributed(L.Conv2D(2, 3)),
                          L.TimeDistributed(L.Flatten()), L.LSTM(3)])
        i = keras.Input((5, 4))
        out = L.Attention()([L.GRU(4, return_sequences=True)(i), i])
        keras.Model(i, L.Concatenate()([out, i]))
    assert translate(ValueError("something else entirely")) is None


def test_masking_on_rows_of_signals_before_a_gru():
    """Masking on (batch, time, width, channels) makes a (batch, time, width) mask: the GRU
    fails at fit on a mask that is not one entry per step."""
    model = keras.Sequential([keras.Input((5, 6, 2)), L.Masking(0.0),
                              L.TimeDistributed(L.Conv1D(3, 3, padding="same")),
                              L.TimeDistributed(L.Flatten()), L.GRU(4), L.Dense(1)])
    model.compile("adam", "mse")
    x, y = np.ones((4, 5, 6, 2), "float32"), np.zeros((4, 1), "float32")
    found = explain(_raised(lambda: model.fit(x, y, epochs=1, verbose=0)))
    assert found.code == "wrong_rank" and "axis=(2, 3)" in found.fix
