"""GRU, SimpleRNN and Bidirectional: their own state counts, widths and merge modes."""

from __future__ import annotations

import numpy as np

from . import CorrectModel, RealCase
from ._kit import L, N, feats, fn, ints, keras, onehot, seq, tokens, windows

T, VOCAB = 8, 20


# gm-spacagna/deep-ttf#8: adding GRU(40) after the model's GRU: "Input 0 is incompatible
# with layer gru_19: expected ndim=3, found ndim=2"; the answer: return_sequences=True on
# all but the last recurrent layer.
def _gru_stack(first_sequences: bool):
    model = seq((T, 5), L.GRU(16, activation="tanh", return_sequences=first_sequences),
                L.GRU(8, activation="tanh"), L.Dense(2))
    return model, feats(N, T, 5), feats(N, 2, seed=1), {}


def gru_stack_broken():
    return _gru_stack(False)


def gru_stack_fixed():
    return _gru_stack(True)


# keras-team/keras#10722 (R): layer_simple_rnn(input_shape = dim(data_train[, 1:3])) with
# (1661, 3) data: "expected simple_rnn_input to have 3 dimensions, but got array with shape
# (1661, 3)".
def simple_rnn_data_dims_broken():
    x, y = feats(40, 3), feats(40, 2, seed=1)
    model = seq((40, 3), L.SimpleRNN(8, activation="relu", return_sequences=True),
                L.Dense(2, activation="relu"), loss="binary_crossentropy")
    return model, x, y, {}


def simple_rnn_data_dims_fixed():
    s = feats(40 + T, 3)
    x = np.stack([s[i:i + T] for i in range(40)])  # windows of T rows
    y = (feats(40, 2, seed=1) > 0).astype("float32")
    model = seq((T, 3), L.SimpleRNN(8, activation="relu"), L.Dense(2, activation="sigmoid"),
                loss="binary_crossentropy")
    return model, x, y, {}


# tensorflow/tensorflow#58460: a GRU seq2seq whose decoder got initial_state=[encoder
# outputs (None, 9, 128), state (None, 128)]: "however cell.state_size is [128]".
def _gru_seq2seq(states):
    ei, di = keras.Input((9, 4)), keras.Input((5, 4))
    enc_seq, enc_h = L.GRU(16, return_sequences=True, return_state=True)(ei)
    dec = L.GRU(16, return_sequences=True)(di, initial_state=states(enc_seq, enc_h))
    return fn([ei, di], L.Dense(1)(dec)), [feats(N, 9, 4), feats(N, 5, 4, seed=1)], \
        feats(N, 5, 1, seed=2), {}


def gru_state_with_sequence_broken():
    return _gru_seq2seq(lambda seq_, h: [seq_, h])


def gru_state_with_sequence_fixed():
    return _gru_seq2seq(lambda seq_, h: [h])


# keras-team/keras#8823: Bidirectional(LSTM(latent_dim, return_state=True),
# merge_mode="mul") unpacked as `encoder_outputs, state_h, state_c`; "can't multiply
# sequence by non-int of type 'list'" then; Keras 3 returns five tensors.
def _bi_encoder(unpack):
    ei, di = keras.Input((None, 6)), keras.Input((None, 6))
    states = unpack(L.Bidirectional(L.LSTM(8, return_state=True), merge_mode="mul")(ei))
    dec = L.LSTM(states[0].shape[-1], return_sequences=True)(di, initial_state=states)
    out = L.Dense(6, activation="softmax")(dec)
    x = [onehot(ints(N * T, 6).reshape(N, T), 6), onehot(ints(N * 5, 6, seed=1)
                                                        .reshape(N, 5), 6)]
    return fn([ei, di], out, "categorical_crossentropy"), x, \
        onehot(ints(N * 5, 6, seed=2).reshape(N, 5), 6), {}


def bi_unpack_three_broken():
    def unpack(outputs):
        encoder_outputs, state_h, state_c = outputs
        return [state_h, state_c]
    return _bi_encoder(unpack)


def bi_unpack_three_fixed():
    def unpack(outputs):
        _, fh, fc, bh, bc = outputs
        return [L.Concatenate()([fh, bh]), L.Concatenate()([fc, bc])]
    return _bi_encoder(unpack)


CASES = [
    RealCase("gru_stack_without_return_sequences", "rnn_variants",
             "https://github.com/gm-spacagna/deep-ttf/issues/8",
             "a second GRU added to the model: 'Input 0 is incompatible with layer gru_19: "
             "expected ndim=3, found ndim=2'",
             "missing_return_sequences", True, gru_stack_broken, gru_stack_fixed),
    RealCase("simple_rnn_input_shape_is_data_dims", "rnn_variants",
             "https://github.com/keras-team/keras/issues/10722",
             "layer_simple_rnn(input_shape = dim(data_train[,1:3])) on (1661, 3) data: "
             "'expected simple_rnn_input to have 3 dimensions'",
             "batch_in_input_shape", True, simple_rnn_data_dims_broken,
             simple_rnn_data_dims_fixed, accept=("missing_timestep_axis",)),
    RealCase("gru_decoder_state_with_encoder_sequence", "rnn_variants",
             "https://github.com/tensorflow/tensorflow/issues/58460",
             "a GRU decoder given initial_state=[encoder outputs, state]: 'state_spec=[(None, "
             "9, 128), (None, 128)]; however cell.state_size is [128]'",
             "initial_state_structure", True, gru_state_with_sequence_broken,
             gru_state_with_sequence_fixed),
    RealCase("bidirectional_return_state_unpacked_as_three", "rnn_variants",
             "https://github.com/keras-team/keras/issues/8823",
             "Bidirectional(LSTM(return_state=True), merge_mode='mul') unpacked into "
             "outputs, state_h, state_c: an error instead of the states",
             "return_state_unpacking", True, bi_unpack_three_broken, bi_unpack_three_fixed,
             accept=("bidirectional_doubling",)),
]


# Correct models ----------------------------------------------------------------------------

def crnn_bigru_mul():
    """sharathadavanne/sed-crnn#1: Conv2D -> Reshape -> Bidirectional GRU with merge_mode
    'mul' (32 wide, not 64) -> TimeDistributed Dense sigmoid per frame."""
    i = keras.Input((T, 16, 1))
    h = L.Conv2D(4, (3, 3), padding="same", activation="relu")(i)
    h = L.MaxPooling2D((1, 4))(h)
    h = L.Reshape((T, 4 * 4))(h)
    h = L.Bidirectional(L.GRU(8, return_sequences=True), merge_mode="mul")(h)
    out = L.TimeDistributed(L.Dense(3, activation="sigmoid"))(h)
    y = (feats(N, T, 3, seed=1) > 0).astype("float32")
    return fn(i, out, "binary_crossentropy"), feats(N, T, 16, 1), y, {}


def bidirectional_backward_layer_docs():
    """keras.io Bidirectional docs: a custom backward_layer with go_backwards=True."""
    forward = L.LSTM(10, return_sequences=True)
    backward = L.LSTM(10, activation="relu", return_sequences=True, go_backwards=True)
    model = seq((5, 10), L.Bidirectional(forward, backward_layer=backward),
                L.Dense(5, activation="softmax"), loss="categorical_crossentropy")
    return model, feats(N, 5, 10), onehot(ints(N * 5, 5).reshape(N, 5), 5), {}


def simple_rnn_sequence_regression():
    """keras#4215: SimpleRNN(return_sequences=True) on (10, 1) sequences, mse (Keras 3 fine)."""
    x = feats(N, 10, 1)
    return seq((10, 1), L.SimpleRNN(1, return_sequences=True, activation="linear")), x, \
        x * 2.0, {}


def gru_then_simple_rnn_guide():
    """keras.io RNN guide: Embedding -> GRU(return_sequences=True) -> SimpleRNN -> Dense."""
    model = seq((None,), L.Embedding(VOCAB, 16), L.GRU(32, return_sequences=True),
                L.SimpleRNN(16), L.Dense(10), dtype="int32",
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model, tokens(N, T, VOCAB), ints(N, 10), {}


def stacked_gru_dropout_jena():
    """Deep Learning with Python, ch. 10: stacked GRU with recurrent dropout on windows."""
    x, y = windows(t=12)
    model = seq((12, 1), L.GRU(16, recurrent_dropout=0.5, return_sequences=True),
                L.GRU(16, recurrent_dropout=0.5), L.Dropout(0.5), L.Dense(1))
    return model, x, y, {}


CORRECT = [
    CorrectModel("crnn_bigru_mul", "rnn_variants",
                 "https://github.com/sharathadavanne/sed-crnn/issues/1", crnn_bigru_mul),
    CorrectModel("bidirectional_backward_layer_docs", "rnn_variants",
                 "https://keras.io/api/layers/recurrent_layers/bidirectional/",
                 bidirectional_backward_layer_docs),
    CorrectModel("simple_rnn_sequence_regression", "rnn_variants",
                 "https://github.com/keras-team/keras/issues/4215",
                 simple_rnn_sequence_regression),
    CorrectModel("gru_then_simple_rnn_guide", "rnn_variants",
                 "https://keras.io/guides/working_with_rnns/", gru_then_simple_rnn_guide),
    CorrectModel("stacked_gru_dropout_jena", "rnn_variants",
                 "https://github.com/fchollet/deep-learning-with-python-notebooks/blob/master/"
                 "chapter10_dl-for-timeseries.ipynb", stacked_gru_dropout_jena),
]
