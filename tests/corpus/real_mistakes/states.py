"""States: initial_state between encoder and decoder, return_state outputs."""

from __future__ import annotations

from . import CorrectModel, RealCase
from ._kit import L, N, feats, fn, ints, keras, onehot, seq, tokens

TE, TD, U, VOCAB = 7, 5, 8, 20


def _seq2seq_data():
    enc = tokens(N, TE, VOCAB)
    dec = tokens(N, TD + 1, VOCAB, seed=1, min_len=TD + 1)
    return [enc, dec[:, :-1]], onehot(dec[:, 1:], VOCAB)


# wanasit/katakana#1: a Bidirectional(LSTM(return_sequences=True)) encoder's output given as
# initial_state=[encoder] to an LSTM(UNITS*2) decoder: "An initial_state was passed that is
# not compatible with cell.state_size. Received state_spec=[InputSpec(shape=(None, 50, 128),
# ndim=3)]".
def _katakana(encoder_states):
    ei, di = keras.Input((TE,), dtype="int32"), keras.Input((TD,), dtype="int32")
    enc = L.Embedding(VOCAB, 8, mask_zero=True)(ei)
    states = encoder_states(enc)
    dec = L.Embedding(VOCAB, 8, mask_zero=True)(di)
    dec = L.LSTM(2 * U, return_sequences=True)(dec, initial_state=states)
    out = L.TimeDistributed(L.Dense(VOCAB, activation="softmax"))(dec)
    x, y = _seq2seq_data()
    return fn([ei, di], out, "categorical_crossentropy"), x, y, {}


def bi_sequence_as_state_broken():
    return _katakana(lambda e: [L.Bidirectional(L.LSTM(U, return_sequences=True))(e)])


def bi_sequence_as_state_fixed():
    def states(e):
        _, fh, fc, bh, bc = L.Bidirectional(L.LSTM(U, return_state=True))(e)
        return [L.Concatenate()([fh, bh]), L.Concatenate()([fc, bc])]
    return _katakana(states)


# ematvey/tensorflow-seq2seq-tutorials#20: a bidirectional encoder's state passed to a
# decoder with the same num_units: "incompatible shape"; the maintainer: the encoder is
# bidirectional, its state is twice as wide.
def _bi_state_decoder(decoder_units: int):
    ei, di = keras.Input((TE, 4)), keras.Input((TD, 4))
    _, fh, fc, bh, bc = L.Bidirectional(L.LSTM(U, return_state=True))(ei)
    h, c = L.Concatenate()([fh, bh]), L.Concatenate()([fc, bc])
    dec = L.LSTM(decoder_units, return_sequences=True)(di, initial_state=[h, c])
    return fn([ei, di], L.Dense(1)(dec)), [feats(N, TE, 4), feats(N, TD, 4, seed=1)], \
        feats(N, TD, 1, seed=2), {}


def bi_state_same_units_broken():
    return _bi_state_decoder(U)


def bi_state_same_units_fixed():
    return _bi_state_decoder(2 * U)


# tensorflow/nmt#67: "how to specify the encoder dimension and the decoder dimension
# individually?"; the decoder starts from the encoder's state, so the sizes must agree or be
# bridged.
def _bridged(bridge: bool):
    ei, di = keras.Input((TE, 4)), keras.Input((TD, 4))
    _, h, c = L.LSTM(2 * U, return_state=True)(ei)
    if bridge:  # a learned projection keeps the encoder's information at the decoder's size
        h, c = L.Dense(U, activation="tanh")(h), L.Dense(U)(c)
    dec = L.LSTM(U, return_sequences=True)(di, initial_state=[h, c])
    return fn([ei, di], L.Dense(1)(dec)), [feats(N, TE, 4), feats(N, TD, 4, seed=1)], \
        feats(N, TD, 1, seed=2), {}


def encoder_decoder_units_broken():
    return _bridged(False)


def encoder_decoder_units_fixed():
    return _bridged(True)


# keras-team/keras#7632: LSTM(128, return_state=True) fed to an attention layer, "TypeError:
# can only concatenate tuple (not "int") to tuple"; the answer: return_sequences gives the
# hidden state of every step.
def _attend(h):
    weights = L.Softmax(axis=1)(L.Dense(1)(h))  # (batch, steps, 1)
    return L.Flatten()(L.Dot(axes=1)([weights, h]))


def state_list_to_attention_broken():
    i = keras.Input((10, 6))
    h = L.LSTM(16, return_state=True)(i)
    out = L.Dense(2, activation="softmax")(_attend(h))
    return fn(i, out, "sparse_categorical_crossentropy"), feats(N, 10, 6), ints(N, 2), {}


def state_list_to_attention_fixed():
    i = keras.Input((10, 6))
    h = L.LSTM(16, return_sequences=True)(i)
    out = L.Dense(2, activation="softmax")(_attend(h))
    return fn(i, out, "sparse_categorical_crossentropy"), feats(N, 10, 6), ints(N, 2), {}


# tensorflow/tensorflow#36624: "LSTM return_state=True fail with tf.keras.Sequential model".
def return_state_sequential_broken():
    model = seq((10, 3), L.LSTM(8, return_state=True), L.Dense(1))
    return model, feats(N, 10, 3), feats(N, 1, seed=1), {}


def return_state_sequential_fixed():
    i = keras.Input((10, 3))
    out, h, c = L.LSTM(8, return_state=True)(i)
    return fn(i, L.Dense(1)(L.Concatenate()([out, c]))), feats(N, 10, 3), \
        feats(N, 1, seed=1), {}


CASES = [
    RealCase("bidirectional_sequence_as_initial_state", "states",
             "https://github.com/wanasit/katakana/issues/1",
             "initial_state=[encoder] with the Bidirectional encoder's sequence: 'An "
             "initial_state was passed that is not compatible with cell.state_size'",
             "initial_state_structure", True, bi_sequence_as_state_broken,
             bi_sequence_as_state_fixed, accept=("bidirectional_doubling",)),
    RealCase("bidirectional_state_into_same_units_decoder", "states",
             "https://github.com/ematvey/tensorflow-seq2seq-tutorials/issues/20",
             "a bidirectional encoder's final state into a decoder with the same num_units: "
             "an incompatible shape error",
             "bidirectional_doubling", True, bi_state_same_units_broken,
             bi_state_same_units_fixed, accept=("initial_state_units",)),
    RealCase("encoder_decoder_units_differ", "states",
             "https://github.com/tensorflow/nmt/issues/67",
             "how to give the encoder and the decoder different numbers of units when the "
             "decoder starts from the encoder's state",
             "initial_state_units", True, encoder_decoder_units_broken,
             encoder_decoder_units_fixed),
    RealCase("return_state_list_into_attention", "states",
             "https://github.com/keras-team/keras/issues/7632",
             "LSTM(128, return_state=True) into an attention layer: 'TypeError: can only "
             "concatenate tuple (not \"int\") to tuple'",
             "return_state_unpacking", True, state_list_to_attention_broken,
             state_list_to_attention_fixed, accept=("missing_return_sequences",)),
    RealCase("return_state_inside_sequential", "states",
             "https://github.com/tensorflow/tensorflow/issues/36624",
             "LSTM(return_state=True) inside a tf.keras.Sequential model fails",
             "return_state_unpacking", True, return_state_sequential_broken,
             return_state_sequential_fixed),
]


# Correct models ----------------------------------------------------------------------------

def encoder_state_to_decoder_guide():
    """keras.io RNN guide: encoder LSTM(64, return_state=True) states into the decoder LSTM."""
    ei, di = keras.Input((None,), dtype="int32"), keras.Input((None,), dtype="int32")
    _, h, c = L.LSTM(16, return_state=True)(L.Embedding(VOCAB, 8)(ei))
    dec = L.LSTM(16)(L.Embedding(VOCAB, 8)(di), initial_state=[h, c])
    out = L.Dense(10, activation="softmax")(dec)
    x = [tokens(N, TE, VOCAB), tokens(N, TD, VOCAB, seed=1)]
    return fn([ei, di], out, "sparse_categorical_crossentropy"), x, ints(N, 10), {}


def lstm_return_state_docs():
    """keras.io LSTM docs: whole_seq_output, final_memory_state, final_carry_state."""
    i = keras.Input((10, 8))
    seq_out, memory, carry = L.LSTM(4, return_sequences=True, return_state=True)(i)
    h = L.Concatenate()([L.GlobalAveragePooling1D()(seq_out), memory, carry])
    return fn(i, L.Dense(1)(h)), feats(N, 10, 8), feats(N, 1, seed=1), {}


CORRECT = [
    CorrectModel("encoder_state_to_decoder_guide", "states",
                 "https://keras.io/guides/working_with_rnns/", encoder_state_to_decoder_guide),
    CorrectModel("lstm_return_state_docs", "states",
                 "https://keras.io/api/layers/recurrent_layers/lstm/", lstm_return_state_docs),
]
