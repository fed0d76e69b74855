"""A wrong initial state explained by the layer that made it; fixes keep the encoder."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest
from keras import layers as L

from lstm_shapes.diagnosis.state_sources import explain_state

rng = np.random.default_rng(5)


@pytest.fixture(autouse=True)
def _quiet() -> None:
    keras.utils.clear_session()
    warnings.simplefilter("ignore")


def _trains(inputs, outputs) -> bool:
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse")
    xs = [rng.normal(size=(4, *i.shape[1:])).astype("float32") for i in inputs]
    loss = model.train_on_batch(xs, rng.normal(size=(4, *outputs.shape[1:])))
    return bool(np.isfinite(loss))


@pytest.mark.parametrize("rnn", [L.GRU, L.LSTM, L.SimpleRNN])
def test_an_encoder_of_other_units_is_named_and_no_zeros_are_offered(rnn) -> None:
    ei, di = keras.Input((6, 3)), keras.Input((5, 2))
    _, h, *_ = rnn(16, return_state=True, name="enc")(ei)
    why = explain_state(rnn(8, name="dec"), 0, h)
    assert why.code == "initial_state_units" and "'enc'" in why.detail
    assert "units=16" in why.fix and "zeros" not in why.fix
    states = [h] if rnn is not L.LSTM else [h, _[0]]
    assert _trains([ei, di], rnn(16, return_sequences=True)(di, initial_state=states))


def test_bidirectional_states_joined_are_twice_the_units() -> None:
    ei, di = keras.Input((6, 3)), keras.Input((5, 2))
    _, fh, fc, bh, bc = L.Bidirectional(L.LSTM(8, return_state=True))(ei)
    h, c = L.Concatenate()([fh, bh]), L.Concatenate()([fc, bc])
    why = explain_state(L.LSTM(8, name="dec"), 0, h)
    assert why.code == "bidirectional_doubling" and "units=16" in why.fix
    assert _trains([ei, di], L.LSTM(16, return_sequences=True)(di, initial_state=[h, c]))


@pytest.mark.parametrize("sequences", [False, True])
def test_an_output_used_as_a_state_asks_for_return_state(sequences: bool) -> None:
    ei = keras.Input((6, 3))
    out = L.LSTM(8, return_sequences=sequences, name="enc")(ei)
    why = explain_state(L.LSTM(8), 1, out)
    assert "return_state=True" in why.fix and "_, h, c" in why.fix
    assert why.code == "initial_state_structure"


def test_a_matching_state_from_return_state_is_not_explained() -> None:
    ei = keras.Input((6, 3))
    _, h, _c = L.LSTM(8, return_state=True)(ei)
    assert explain_state(L.LSTM(8), 0, h) is None
    assert explain_state(L.LSTM(8), 0, np.zeros((4, 16), "float32")) is None  # user's array
