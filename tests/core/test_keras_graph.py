"""keras_graph reads the graph of real Keras models: producers, initial states, last steps."""

from __future__ import annotations

import keras
import numpy as np

from lstm_shapes.core import keras_graph as kg

L = keras.layers


def _encoder_decoder():
    """An encoder LSTM(return_state=True) whose [h, c] start the decoder LSTM."""
    enc_in, dec_in = keras.Input((10, 3), name="enc_in"), keras.Input((7, 2), name="dec_in")
    encoder = L.LSTM(8, return_state=True, name="encoder")
    decoder = L.LSTM(8, return_sequences=True, name="decoder")
    _, h, c = encoder(enc_in)
    out = decoder(dec_in, initial_state=[h, c])
    model = keras.Model([enc_in, dec_in], L.Dense(1, name="head")(out))
    return model, encoder, decoder, (enc_in, dec_in, h, c, out)


def test_producer_and_history_name_the_layer_and_output_index() -> None:
    model, encoder, decoder, (enc_in, dec_in, h, c, out) = _encoder_decoder()
    assert kg.producer(h) is encoder and kg.producer(c) is encoder
    assert kg.producer(out) is decoder
    assert kg.history(h).tensor_index == 1 and kg.history(c).tensor_index == 2
    assert kg.history(h).layer is encoder and kg.history(h).node_index == 0
    assert type(kg.producer(enc_in)).__name__ == "InputLayer"
    assert kg.producer(np.zeros((2, 10, 3), "float32")) is None  # not a symbolic tensor
    assert kg.history(np.zeros(3)) is None
    assert kg.producer_node(np.zeros(3)) is None


def test_nodes_give_inputs_outputs_and_initial_states() -> None:
    model, encoder, decoder, (enc_in, dec_in, h, c, out) = _encoder_decoder()
    (enc_node,) = kg.inbound_nodes(encoder)
    assert kg.node_inputs(enc_node) == [enc_in]
    assert len(kg.node_outputs(enc_node)) == 3  # output, h, c
    assert kg.initial_states(enc_node) == []  # the encoder starts from zeros
    (dec_node,) = kg.inbound_nodes(decoder)
    assert kg.producer_node(out) is dec_node
    assert kg.initial_states(dec_node) == [h, c]
    assert [kg.producer(s) for s in kg.initial_states(dec_node)] == [encoder, encoder]
    assert kg.inbound_nodes(object()) == []


def test_initial_state_passed_positionally() -> None:
    x, h0 = keras.Input((5, 2)), keras.Input((4,))
    gru = L.GRU(4, name="gru")
    gru(x, h0)
    (node,) = kg.inbound_nodes(gru)
    assert kg.initial_states(node) == [h0]


def _stack(return_sequences: bool):
    """LSTM -> Dense -> Dropout (-> LSTM when the first LSTM returns sequences)."""
    inp = keras.Input((10, 1), name="x")
    first = L.LSTM(8, return_sequences=return_sequences, name="first")
    dense = L.Dense(4, name="dense")(first(inp))
    dropped = L.Dropout(0.1, name="drop")(dense)
    return inp, first, dense, dropped


def test_last_step_source_walks_up_to_the_rnn_that_dropped_time() -> None:
    inp, first, dense, dropped = _stack(return_sequences=False)
    assert kg.last_step_source(dropped) == (first, ["drop", "dense"])
    assert kg.last_step_source(dense) == (first, ["dense"])


def test_last_step_source_is_none_when_no_rnn_dropped_the_time_axis() -> None:
    inp, first, dense, dropped = _stack(return_sequences=True)
    second = L.LSTM(2, name="second")
    out = second(dropped)  # LSTM -> Dense -> LSTM: the stack is valid
    assert kg.producer(out) is second
    assert kg.last_step_source(out) == (second, [])  # the second LSTM drops time itself
    assert kg.last_step_source(dropped) == (None, ["drop", "dense"])  # first keeps time
    assert kg.last_step_source(inp) == (None, [])  # straight from an Input
    assert kg.last_step_source(np.zeros((2, 8), "float32")) == (None, [])  # eager data
    a, b = keras.Input((3,)), keras.Input((3,))
    assert kg.last_step_source(L.Add()([a, b])) == (None, [])  # two inputs: stop


def test_story_records_state_sources_through_keras_graph() -> None:
    from lstm_shapes.diagnosis.story import trace

    model, encoder, decoder, _ = _encoder_decoder()
    (call,) = [c for c in trace(model).rnn_calls if c.layer is decoder]
    assert [(s.layer, s.tensor_index) for s in call.state_sources] == [(encoder, 1),
                                                                       (encoder, 2)]
    assert call.state_shapes == ((None, 8), (None, 8))
