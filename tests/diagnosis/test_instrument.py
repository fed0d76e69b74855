"""--lstm-shapes instrumentation on real Keras layers: the mistake is named from the layer that
made the wrong tensor, and the printed fix is applied and built again."""

from __future__ import annotations

import keras
import pytest

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
