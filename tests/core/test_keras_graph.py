"""keras_graph reads the graph of real Keras models: producers, initial states, last steps."""

from __future__ import annotations

import keras
import numpy as np
from corpus.graphs import Chain

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
    _, encoder, decoder, (enc_in, _, h, c, out) = _encoder_decoder()
    assert kg.producer(h) is encoder and kg.producer(c) is encoder
    assert kg.producer(out) is decoder
    assert kg.history(h).tensor_index == 1 and kg.history(c).tensor_index == 2
    assert kg.history(h).layer is encoder and kg.history(h).node_index == 0
    assert type(kg.producer(enc_in)).__name__ == "InputLayer"
    assert kg.producer(np.zeros((2, 10, 3), "float32")) is None  # not a symbolic tensor
    assert kg.history(np.zeros(3)) is None
    assert kg.producer_node(np.zeros(3)) is None


def test_nodes_give_inputs_outputs_and_initial_states() -> None:
    _, encoder, decoder, (enc_in, _, h, c, out) = _encoder_decoder()
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
    _, first, dense, dropped = _stack(return_sequences=False)
    assert kg.last_step_source(dropped) == (first, ["drop", "dense"])
    assert kg.last_step_source(dense) == (first, ["dense"])


def test_last_step_source_is_none_when_no_rnn_dropped_the_time_axis() -> None:
    inp, _, _, dropped = _stack(return_sequences=True)
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


# --- the whole graph: slots, reading order, readers, call names, traced calls -------------

def _seq2seq():
    """Token ids -> Embedding -> encoder LSTM(return_state); its [h, c] start the decoder."""
    enc_in = keras.Input((12,), dtype="int32", name="encoder_tokens")
    dec_in = keras.Input((9,), dtype="int32", name="decoder_tokens")
    embedded = L.Embedding(50, 8, name="enc_embed")(enc_in)
    _, h, c = L.LSTM(16, return_state=True, name="encoder")(embedded)
    out = L.LSTM(16, return_sequences=True, name="decoder")(
        L.Embedding(40, 8, name="dec_embed")(dec_in), initial_state=[h, c])
    return keras.Model([enc_in, dec_in], L.Dense(40, name="next_token")(out))


def test_node_slots_name_the_argument_of_every_input_tensor() -> None:
    _, _, decoder, (_, dec_in, h, c, _) = _encoder_decoder()
    (dec_node,) = kg.inbound_nodes(decoder)
    slots = kg.node_slots(dec_node)
    assert [(s.argument, s.index, s.count) for s in slots] == [
        ("input", 0, 1), ("initial_state", 0, 2), ("initial_state", 1, 2)]
    assert [s.tensor for s in slots] == [dec_in, h, c]
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    merge = L.Concatenate(name="merge")
    merge([a, b])
    (node,) = kg.inbound_nodes(merge)
    assert [(s.argument, s.index, s.count, s.tensor) for s in kg.node_slots(node)] == [
        ("input", 0, 2, a), ("input", 1, 2, b)]
    assert kg.node_slots(object()) == []


def test_node_slots_leave_out_the_mask_keras_passes_on_by_itself() -> None:
    ids = keras.Input((5,), dtype="int32")
    lstm = L.LSTM(3)
    lstm(L.Embedding(20, 4, mask_zero=True)(ids))
    (node,) = kg.inbound_nodes(lstm)
    assert "mask" in node.arguments.kwargs  # Keras did pass it ...
    assert [s.argument for s in kg.node_slots(node)] == ["input"]  # ... the user did not


def test_model_nodes_tell_one_branch_to_its_end_before_the_next() -> None:
    order = [n.operation.name for n in kg.model_nodes(_seq2seq())]
    assert order == ["encoder_tokens", "enc_embed", "encoder", "decoder_tokens", "dec_embed",
                     "decoder", "next_token"]
    seq = keras.Sequential([keras.Input((10, 1), name="window"), L.LSTM(4, name="rnn"),
                            L.Dense(1, name="head")])
    assert [n.operation.name for n in kg.model_nodes(seq)] == ["window", "rnn", "head"]


def test_model_nodes_leave_out_calls_that_belong_to_another_model() -> None:
    x = keras.Input((10, 2), name="x")
    rnn, head = L.LSTM(4, name="rnn"), L.Dense(1, name="head")
    training = keras.Model(x, head(rnn(x)))
    other = keras.Input((7, 2), name="other")
    keras.Model(other, head(rnn(other)))  # the same layers, called again elsewhere
    assert len(kg.inbound_nodes(rnn)) == 2
    assert [n.operation.name for n in kg.model_nodes(training)] == ["x", "rnn", "head"]


def test_tensor_readers_and_call_names_show_skips_and_shared_layers() -> None:
    x = keras.Input((10, 3), name="x")
    first = L.LSTM(4, return_sequences=True, name="first")(x)
    second = L.LSTM(4, return_sequences=True, name="second")(first)
    shared = L.Dense(4, name="shared")
    total = L.Add(name="add")([shared(first), shared(second)])
    nodes = kg.model_nodes(keras.Model(x, total))
    readers = kg.tensor_readers(nodes)
    assert [(layer.name, slot.argument) for layer, slot in readers[id(first)]] == [
        ("second", "input"), ("shared", "input")]  # read twice: a skip connection
    names = sorted(kg.call_names(nodes).values())
    assert names == ["add", "first", "second", "shared call 1", "shared call 2", "x"]


def test_record_calls_lists_the_top_level_layer_calls_of_a_subclassed_model() -> None:
    model = Chain(L.GRU(5), L.Dense(2))
    calls, result = kg.record_calls(model, np.zeros((2, 4, 3), "float32"))
    assert [(type(layer).__name__, [tuple(i.shape) for i in ins], [tuple(o.shape) for o in outs])
            for layer, ins, outs in calls] == [("GRU", [(2, 4, 3)], [(2, 5)]),
                                               ("Dense", [(2, 5)], [(2, 2)])]
    assert tuple(result.shape) == (2, 2)
    assert keras.layers.Layer.__call__.__name__ == "__call__"  # the patch is gone again
