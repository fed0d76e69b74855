"""--lstm-shapes instrumentation on real Keras layers: the mistake is named from the layer that
made the wrong tensor, and the printed fix is applied and built again."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from corpus.graphs import Chain

from lstm_shapes import ShapeError
from lstm_shapes.diagnosis.instrument import instrumented


def _seq2seq(encoder_units: int, decoder_units: int) -> keras.Model:
    enc_in, dec_in = keras.Input((10, 1)), keras.Input((5, 1))
    _, h, c = keras.layers.LSTM(encoder_units, return_state=True, name="encoder")(enc_in)
    out = keras.layers.LSTM(decoder_units, return_sequences=True, name="decoder")(
        dec_in, initial_state=[h, c])
    return keras.Model([enc_in, dec_in], out)


def test_an_encoder_state_of_other_units_blames_the_two_layers_not_the_input():
    with instrumented(), pytest.raises(ShapeError) as info:
        _seq2seq(16, 32)
    err = info.value
    assert err.code == "initial_state_units" and "initial_state[0] (h)" in err.where
    assert "comes from layer 'encoder', which has 16 units" in str(err)
    assert err.fix.startswith("give layer 'decoder' units=16, or layer 'encoder' units=32")
    with instrumented():  # both fixes build
        assert _seq2seq(16, 16).output.shape == (None, 5, 16)
        assert _seq2seq(32, 32).output.shape == (None, 5, 32)


def test_a_stack_without_return_sequences_is_still_named_from_the_input():
    with instrumented(), pytest.raises(ShapeError) as info:
        inputs = keras.Input((10, 1))
        keras.layers.LSTM(8)(keras.layers.LSTM(8, name="lower")(inputs))
    assert info.value.code == "missing_return_sequences" and "'lower'" in info.value.fix


@pytest.mark.parametrize("lower, fix", [
    (keras.layers.LSTM(8, name="lower"), "set return_sequences=True on layer 'lower'"),
    (keras.layers.Bidirectional(keras.layers.LSTM(4), name="both"),
     "set return_sequences=True on the LSTM inside layer 'both'"),
])
def test_a_subclassed_stack_names_the_rnn_that_dropped_the_time_axis(lower, fix):
    x = np.zeros((4, 10, 1), "float32")
    with instrumented(), pytest.raises(ShapeError) as info:
        Chain(lower, keras.layers.LSTM(8), keras.layers.Dense(1))(x)  # eager, no graph
    assert info.value.code == "missing_return_sequences" and info.value.fix.startswith(fix)
    model = Chain(type(lower).from_config(lower.get_config()), keras.layers.LSTM(8),
                  keras.layers.Dense(1))
    model.compile("adam", "mse")
    with instrumented(), pytest.raises(ShapeError) as info:
        model.fit(x, np.zeros((4, 1), "float32"), epochs=1, verbose=0)  # traced by fit
    assert info.value.code == "missing_return_sequences"


def test_instrumented_layers_are_still_seen_by_a_later_patch_of_layer_call():
    """record_calls (explain's tracer for subclassed models) patches Layer.__call__ after the
    instrumentation: it must still see each LSTM call, not only the cells inside them."""
    from lstm_shapes.core.keras_graph import record_calls

    model = Chain(keras.layers.LSTM(4, return_sequences=True), keras.layers.LSTM(3),
                  keras.layers.Dense(1))
    x = np.zeros((2, 5, 1), "float32")
    with instrumented():
        calls, _ = record_calls(model, x)
    assert [type(layer).__name__ for layer, _, _ in calls] == ["LSTM", "LSTM", "Dense"]
