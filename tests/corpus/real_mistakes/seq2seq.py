"""Encoder-decoder models: attention between them, teacher forcing, decoder targets."""

from __future__ import annotations

from . import CorrectModel, RealCase
from ._kit import L, N, fn, ints, keras, onehot, seq, tokens

TE, TD, U, CH = 7, 5, 8, 10  # encoder steps, decoder steps, units, tokens (one-hot)


def _one_hot_pairs():
    enc = onehot(ints(N * TE, CH).reshape(N, TE), CH)
    target = ints(N * (TD + 1), CH, seed=1).reshape(N, TD + 1)
    return enc, onehot(target[:, :-1], CH), onehot(target[:, 1:], CH)


# keras-team/keras-io#193: encoder LSTM(return_state=True) without return_sequences, then
# Attention()([encoder_output, decoder_output]) and Concatenate(axis=1): "dimension mismatch
# issues building a sequence-to-sequence model with attention".
def attention_no_sequences_broken():
    enc, dec_in, dec_out = _one_hot_pairs()
    ei, di = keras.Input((None, CH)), keras.Input((None, CH))
    enc_out, h, c = L.LSTM(U, return_state=True)(ei)
    dec, _, _ = L.LSTM(U, return_sequences=True, return_state=True)(di, initial_state=[h, c])
    attn = L.Attention()([enc_out, dec])
    merged = L.Concatenate(axis=1)([dec, attn])
    out = L.Dense(CH, activation="softmax")(merged)
    return fn([ei, di], out, "categorical_crossentropy"), [enc, dec_in], dec_out, {}


def _attention_seq2seq():
    enc, dec_in, dec_out = _one_hot_pairs()
    ei, di = keras.Input((None, CH)), keras.Input((None, CH))
    enc_seq, h, c = L.LSTM(U, return_sequences=True, return_state=True)(ei)
    dec, _, _ = L.LSTM(U, return_sequences=True, return_state=True)(di, initial_state=[h, c])
    attn = L.Attention()([dec, enc_seq])  # query: the decoder; value: the encoder's steps
    out = L.Dense(CH, activation="softmax")(L.Concatenate(axis=-1)([dec, attn]))
    return fn([ei, di], out, "categorical_crossentropy"), [enc, dec_in], dec_out, {}


def attention_no_sequences_fixed():
    return _attention_seq2seq()


# keras-team/keras-io#187: `attn_out, attn_states = tf.keras.layers.Attention()([...])`:
# "TypeError: Cannot iterate over a tensor with unknown first dimension".
def attention_unpacked_broken():
    enc, dec_in, dec_out = _one_hot_pairs()
    ei, di = keras.Input((None, CH)), keras.Input((None, CH))
    enc_seq, h, c = L.LSTM(U, return_sequences=True, return_state=True)(ei)
    dec, _, _ = L.LSTM(U, return_sequences=True, return_state=True)(di, initial_state=[h, c])
    attn_out, attn_states = L.Attention()([enc_seq, dec])
    out = L.Dense(CH, activation="softmax")(L.Concatenate(axis=-1)([dec, attn_out]))
    return fn([ei, di], out, "categorical_crossentropy"), [enc, dec_in], dec_out, {}


def attention_unpacked_fixed():
    return _attention_seq2seq()


# aravindpai/How-to-build-own-text-summarizer-using-deep-learning#13: the official Attention
# layer called as Attention()([encoder_outputs, decoder_outputs]), then concatenated with the
# decoder outputs: "Dimension 1 in both shapes must be equal, but are 7 and 30".
def _summarizer(query_first: bool):
    enc_ids, dec_ids = tokens(N, TE, 30), tokens(N, TD + 1, 30, seed=1, min_len=TD + 1)
    ei, di = keras.Input((TE,), dtype="int32"), keras.Input((TD,), dtype="int32")
    enc_seq, h, c = L.LSTM(U, return_sequences=True, return_state=True)(
        L.Embedding(30, 8)(ei))
    dec, _, _ = L.LSTM(U, return_sequences=True, return_state=True)(
        L.Embedding(30, 8)(di), initial_state=[h, c])
    pair = [dec, enc_seq] if query_first else [enc_seq, dec]
    attn = L.Attention()(pair)
    merged = L.Concatenate(axis=-1)([dec, attn])
    out = L.TimeDistributed(L.Dense(30, activation="softmax"))(merged)
    return fn([ei, di], out, "sparse_categorical_crossentropy"), \
        [enc_ids, dec_ids[:, :-1]], dec_ids[:, 1:], {}


def attention_roles_swapped_broken():
    return _summarizer(False)


def attention_roles_swapped_fixed():
    return _summarizer(True)


# keras-team/keras#10525: on the lstm_seq2seq example, "I can't figure out why
# decoder_target_data should [be] ahead of decoder_input_data by one timestep ... line 118
# should be removed": without the shift the decoder is taught to copy its input.
def _teacher_forcing(shift: bool):
    enc, _, _ = _one_hot_pairs()
    target = onehot(ints(N * (TD + 1), CH, seed=1).reshape(N, TD + 1), CH)
    dec_in = target[:, :-1]
    dec_out = target[:, 1:] if shift else dec_in
    ei, di = keras.Input((None, CH)), keras.Input((None, CH))
    _, h, c = L.LSTM(U, return_state=True)(ei)
    dec = L.LSTM(U, return_sequences=True)(di, initial_state=[h, c])
    out = L.Dense(CH, activation="softmax")(dec)
    return fn([ei, di], out, "categorical_crossentropy"), [enc, dec_in], dec_out, {}


def decoder_targets_not_shifted_broken():
    return _teacher_forcing(False)


def decoder_targets_not_shifted_fixed():
    return _teacher_forcing(True)


CASES = [
    RealCase("attention_on_encoder_without_sequences", "seq2seq",
             "https://github.com/keras-team/keras-io/issues/193",
             "Attention()([encoder_output, decoder_output]) with an encoder LSTM that only "
             "returns state, then Concatenate(axis=1): dimension mismatch issues",
             "missing_return_sequences", True, attention_no_sequences_broken,
             attention_no_sequences_fixed, accept=("attention_axes",)),
    RealCase("attention_output_unpacked", "seq2seq",
             "https://github.com/keras-team/keras-io/issues/187",
             "`attn_out, attn_states = tf.keras.layers.Attention()([encoder_output, "
             "decoder_output])`: 'Cannot iterate over a tensor with unknown first dimension'",
             "return_state_unpacking", True, attention_unpacked_broken,
             attention_unpacked_fixed, accept=("attention_axes",)),
    RealCase("attention_query_and_value_swapped", "seq2seq",
             "https://github.com/aravindpai/How-to-build-own-text-summarizer-using-deep-"
             "learning/issues/13",
             "the official Attention layer with [encoder_outputs, decoder_outputs], then "
             "concatenated with the decoder: 'Dimension 1 in both shapes must be equal, but "
             "are 7 and 30'",
             "attention_axes", True, attention_roles_swapped_broken,
             attention_roles_swapped_fixed, accept=("dimension_mismatch",)),
    RealCase("decoder_targets_not_shifted", "seq2seq",
             "https://github.com/keras-team/keras/issues/10525",
             "proposed removing the line that puts decoder_target_data one timestep ahead of "
             "decoder_input_data in lstm_seq2seq",
             "window_misalignment", False, decoder_targets_not_shifted_broken,
             decoder_targets_not_shifted_fixed),
]


# Correct models ----------------------------------------------------------------------------

def lstm_seq2seq_example():
    """keras.io character-level seq2seq: encoder states -> decoder LSTM -> softmax."""
    return _teacher_forcing(True)


def addition_rnn_example():
    """keras.io addition_rnn: LSTM encoder -> RepeatVector -> LSTM(return_sequences) -> softmax."""
    chars, maxlen, digits = 12, 7, 4
    x = onehot(ints(N * maxlen, chars).reshape(N, maxlen), chars)
    y = onehot(ints(N * digits, chars, seed=1).reshape(N, digits), chars)
    model = seq((maxlen, chars), L.LSTM(32), L.RepeatVector(digits),
                L.LSTM(32, return_sequences=True), L.Dense(chars, activation="softmax"),
                loss="categorical_crossentropy")
    return model, x, y, {}


def gru_translation_sparse_targets():
    """tensorflow#17150: Embedding+GRU encoder/decoder, sparse CE on integer (batch, steps)
    targets against a (batch, steps, vocab) softmax (Keras 3 takes them as they are)."""
    enc, dec = tokens(N, TE, 30), tokens(N, TD + 1, 30, seed=1, min_len=TD + 1)
    ei, di = keras.Input((None,), dtype="int32"), keras.Input((None,), dtype="int32")
    _, h = L.GRU(16, return_state=True)(L.Embedding(30, 8)(ei))
    dec_seq = L.GRU(16, return_sequences=True)(L.Embedding(30, 8)(di), initial_state=[h])
    out = L.Dense(30, activation="softmax")(dec_seq)
    return fn([ei, di], out, "sparse_categorical_crossentropy"), [enc, dec[:, :-1]], \
        dec[:, 1:], {}


def luong_attention_seq2seq():
    """TF nmt_with_attention, in functional form: the decoder queries the encoder's steps."""
    return _attention_seq2seq()


CORRECT = [
    CorrectModel("lstm_seq2seq_example", "seq2seq",
                 "https://keras.io/examples/nlp/lstm_seq2seq/", lstm_seq2seq_example),
    CorrectModel("addition_rnn_example", "seq2seq",
                 "https://keras.io/examples/nlp/addition_rnn/", addition_rnn_example),
    CorrectModel("gru_translation_sparse_targets", "seq2seq",
                 "https://github.com/tensorflow/tensorflow/issues/17150",
                 gru_translation_sparse_targets),
    CorrectModel("luong_attention_seq2seq", "seq2seq",
                 "https://www.tensorflow.org/text/tutorials/nmt_with_attention",
                 luong_attention_seq2seq),
]
