"""Padding and masking: padded data with no mask, masks made and then dropped."""

from __future__ import annotations

import numpy as np

from . import CorrectModel, RealCase
from ._kit import L, N, feats, fn, ints, keras, onehot, ops, seq, tokens

T, VOCAB = 10, 30


# keras-team/keras#13189: Embedding(mask_zero=True) -> Bidirectional(LSTM(return_sequences))
# -> Flatten -> Dense(33, sigmoid): "Layer flatten_2 does not support masking"; Keras 3
# drops the mask with a warning and trains on the padding.
def flatten_mask_broken():
    i = keras.Input((T,), dtype="int32")
    h = L.Embedding(VOCAB, 8, mask_zero=True)(i)
    h = L.Bidirectional(L.LSTM(8, return_sequences=True))(h)
    out = L.Dense(5, activation="sigmoid")(L.Flatten()(h))
    y = (feats(N, 5) > 0).astype("float32")
    return fn(i, out, "binary_crossentropy"), tokens(N, T, VOCAB), y, {}


def flatten_mask_fixed():
    i = keras.Input((T,), dtype="int32")
    h = L.Embedding(VOCAB, 8, mask_zero=True)(i)
    h = L.Bidirectional(L.LSTM(8))(h)  # the masked last step of each direction
    out = L.Dense(5, activation="sigmoid")(h)
    y = (feats(N, 5) > 0).astype("float32")
    return fn(i, out, "binary_crossentropy"), tokens(N, T, VOCAB), y, {}


# keras-team/keras#8687: Masking(0.) in front of TimeDistributed(Conv2D) on gesture frames
# (70, 60, 80, 1): the mask is per pixel, not per frame, and the LSTM failed on it
# ("Dimension must be 4 but is 3 for 'lstm_1/transpose_1'").
FT, FH, FW = 5, 6, 6


def _frames_with_padding() -> np.ndarray:
    x = np.abs(feats(16, FT, FH, FW, 1)) + 0.1
    x[::2, 3:] = 0.0  # every other clip is two frames short, padded with black frames
    return x


def masked_frames_broken():
    model = seq((FT, FH, FW, 1), L.Masking(0.0),
                L.TimeDistributed(L.Conv2D(4, 3, padding="same")),
                L.TimeDistributed(L.MaxPooling2D()), L.TimeDistributed(L.Flatten()),
                L.LSTM(8), L.Dense(3, activation="softmax"),
                loss="sparse_categorical_crossentropy")
    return model, _frames_with_padding(), ints(16, 3), {}


def masked_frames_fixed():
    i = keras.Input((FT, FH, FW, 1))
    frame_mask = L.Lambda(lambda v: ops.any(ops.not_equal(v, 0.0), axis=(2, 3, 4)))(i)
    h = L.TimeDistributed(L.Conv2D(4, 3, padding="same"))(i)
    h = L.TimeDistributed(L.Flatten())(L.TimeDistributed(L.MaxPooling2D())(h))
    h = L.LSTM(8)(h, mask=frame_mask)  # one mask entry per frame
    out = L.Dense(3, activation="softmax")(h)
    return (fn(i, out, "sparse_categorical_crossentropy"), _frames_with_padding(),
            ints(16, 3), {})


# aneesh-joshi/LSTM_POS_Tagger#8: a POS tagger on zero-padded sentences with no
# mask_zero=True: "your progress is based on guessing where the paddings are".
def _tagger(mask: bool):
    i = keras.Input((T,), dtype="int32")
    h = L.Embedding(VOCAB, 8, mask_zero=mask)(i)
    h = L.LSTM(8, return_sequences=True)(h)
    out = L.TimeDistributed(L.Dense(5, activation="softmax"))(h)
    return fn(i, out, "categorical_crossentropy")


def _tags(x: np.ndarray) -> np.ndarray:
    tags = (x % 4) + 1
    tags[x == 0] = 0  # the padding gets its own tag, as in the tagger's data
    return onehot(tags, 5)


def tagger_no_mask_broken():
    x = tokens(N, T, VOCAB)
    return _tagger(False), x, _tags(x), {}


def tagger_no_mask_fixed():
    x = tokens(N, T, VOCAB)
    return _tagger(True), x, _tags(x), {}


# keras-team/keras#1855: sequences 0-padded with pad_sequences, no Masking layer, "my model
# is not learning at all (loss remains same)".
def _classifier(mask: bool):
    return seq((T,), L.Embedding(VOCAB, 8, mask_zero=mask), L.LSTM(8),
               L.Dense(1, activation="sigmoid"), dtype="int32", loss="binary_crossentropy")


def padded_no_mask_broken():
    x = tokens(N, T, VOCAB, padding="pre")
    return _classifier(False), x, (ints(N, 2) > 0).astype("float32"), {}


def padded_no_mask_fixed():
    x = tokens(N, T, VOCAB, padding="pre")
    return _classifier(True), x, (ints(N, 2) > 0).astype("float32"), {}


# keras-team/keras#1864: X pre-padded and Y post-padded, concatenated, through a
# bidirectional LSTM whose last time step is sliced out (X[:, -1, :]): a padding step for
# most pairs; "training loss not going down at all".
def _pair_tokens() -> np.ndarray:
    return np.concatenate([tokens(N, 5, VOCAB, padding="pre"),
                           tokens(N, 5, VOCAB, seed=1, padding="post")], axis=1)


def last_step_is_pad_broken():
    i = keras.Input((10,), dtype="int32")
    h = L.Embedding(VOCAB, 8)(i)
    h = L.Bidirectional(L.LSTM(8, return_sequences=True))(h)
    h = L.Lambda(lambda t: t[:, -1, :])(h)
    out = L.Dense(1, activation="sigmoid")(h)
    y = (ints(N, 2) > 0).astype("float32")
    return fn(i, out, "binary_crossentropy"), _pair_tokens(), y, {}


def last_step_is_pad_fixed():
    i = keras.Input((10,), dtype="int32")
    h = L.Embedding(VOCAB, 8, mask_zero=True)(i)
    h = L.Bidirectional(L.LSTM(8))(h)  # masked: the last real step of each direction
    out = L.Dense(1, activation="sigmoid")(h)
    y = (ints(N, 2) > 0).astype("float32")
    return fn(i, out, "binary_crossentropy"), _pair_tokens(), y, {}


# keras-team/keras#411 (a 2021 comment): Masking(mask_value=-99999.99) -> Conv1D -> GRU ->
# GRU -> Dense: "does not work ... the loss is static"; Conv1D does not pass the mask on.
PAD = -99999.99


def _padded_series() -> np.ndarray:
    x = feats(N, T, 1)
    for i in range(0, N, 2):
        x[i, -3:] = PAD
    return x


def masking_conv_gru_broken():
    model = seq((None, 1), L.Masking(mask_value=PAD), L.Conv1D(8, 5, padding="same"),
                L.GRU(8, return_sequences=True), L.GRU(8), L.Dense(1))
    return model, _padded_series(), feats(N, 1, seed=1), {}


def masking_conv_gru_fixed():
    i = keras.Input((None, 1))
    mask = L.Lambda(lambda v: ops.not_equal(v[..., 0], PAD))(i)
    clean = L.Lambda(lambda v: ops.where(ops.equal(v, PAD), 0.0, v))(i)
    h = L.Conv1D(8, 5, padding="same")(clean)
    h = L.GRU(8, return_sequences=True)(h, mask=mask)
    h = L.GRU(8)(h, mask=mask)
    return fn(i, L.Dense(1)(h)), _padded_series(), feats(N, 1, seed=1), {}


# keras-team/keras#7588: a Conv1D stacked on a masked LSTM: "Layer convolution1d_1 does not
# support masking"; Keras 3 drops the mask and the padding reaches the pooling.
def conv_on_masked_lstm_broken():
    i = keras.Input((T,), dtype="int32")
    h = L.Embedding(VOCAB, 8, mask_zero=True)(i)
    h = L.LSTM(8, return_sequences=True)(h)
    h = L.Conv1D(8, 3, padding="same")(h)
    out = L.Dense(1, activation="sigmoid")(L.GlobalMaxPooling1D()(h))
    return (fn(i, out, "binary_crossentropy"), tokens(N, T, VOCAB),
            (ints(N, 2) > 0).astype("float32"), {})


def conv_on_masked_lstm_fixed():
    i = keras.Input((T,), dtype="int32")
    mask = L.Lambda(lambda v: ops.not_equal(v, 0))(i)
    h = L.Embedding(VOCAB, 8, mask_zero=True)(i)
    h = L.LSTM(8, return_sequences=True)(h)
    h = L.Conv1D(8, 3, padding="same")(h)
    # the max over the real steps only: padding steps can never win it
    h = L.Lambda(lambda t: ops.where(t[1][..., None], t[0], -1e9))([h, mask])
    h = L.GlobalMaxPooling1D()(h)
    out = L.Dense(1, activation="sigmoid")(h)
    return (fn(i, out, "binary_crossentropy"), tokens(N, T, VOCAB),
            (ints(N, 2) > 0).astype("float32"), {})


# keras-team/keras#13080: sequences of different lengths (499902x16, 328942x16, ...) as one
# array: X_train.shape is (321,) and "expected lstm_1_input to have 3 dimensions".
def _ragged() -> list:
    r = np.random.default_rng(0)
    return [feats(int(r.integers(3, T + 1)), 4, seed=k) for k in range(N)]


def _ragged_model():
    return seq((None, 4), L.Masking(0.0), L.LSTM(8, return_sequences=True), L.LSTM(8),
               L.Dense(1, activation="sigmoid"), loss="binary_crossentropy")


def ragged_broken():
    x = np.empty(N, dtype=object)
    x[:] = _ragged()
    return _ragged_model(), x, (ints(N, 2) > 0).astype("float32"), {}


def ragged_fixed():
    x = keras.utils.pad_sequences(_ragged(), dtype="float32", padding="post")
    return _ragged_model(), x, (ints(N, 2) > 0).astype("float32"), {}


# keras-team/keras#7722: a character model whose sentences have 4 and 3 steps, X and Y
# written as nested lists: "expected lstm_1_input to have 3 dimensions, but got array with
# shape (2, 1)".
def _sentences() -> list:
    return [onehot(ints(4 + k % 3, 6, seed=k), 6) for k in range(8)]


def _char_model():
    return seq((None, 6), L.Masking(0.0), L.LSTM(8, return_sequences=True),
               L.TimeDistributed(L.Dense(6, activation="softmax")),
               loss="categorical_crossentropy")


def ragged_chars_broken():
    x = np.empty(8, dtype=object)
    x[:] = _sentences()
    return _char_model(), x, x, {"batch_size": 1}


def ragged_chars_fixed():
    x = keras.utils.pad_sequences(_sentences(), dtype="float32", padding="post")
    return _char_model(), x, x, {"batch_size": 1}


# keras-team/keras#3023: word classification where the padding positions get all-zero
# target rows and no mask: the loss and the accuracy count the padding.
def _word_classes(mask: bool):
    return seq((T,), L.Embedding(VOCAB, 8, mask_zero=mask), L.LSTM(8, return_sequences=True),
               L.TimeDistributed(L.Dense(4, activation="softmax")), dtype="int32",
               loss="categorical_crossentropy")


def _padded_targets(x: np.ndarray) -> np.ndarray:
    y = onehot(x % 4, 4)
    y[x == 0] = 0.0  # "[0,0,...,0] - 30th row of zeros for the last padding symbol"
    return y


def padded_targets_broken():
    x = tokens(N, T, VOCAB)
    return _word_classes(False), x, _padded_targets(x), {}


def padded_targets_fixed():
    x = tokens(N, T, VOCAB)
    return _word_classes(True), x, _padded_targets(x), {}


# thtrieu/qclass_dl#1: "when I try to remove these lines, just use output = outputs[-1], I
# get terrible result. I guess output = outputs[-1] may be the output of <PAD/> word".
def _last_output(mask: bool):
    i = keras.Input((T,), dtype="int32")
    h = L.Embedding(VOCAB, 8, mask_zero=mask)(i)
    if mask:
        h = L.LSTM(8)(h)  # masked: the output after the last real word
    else:
        h = L.Lambda(lambda t: t[:, -1, :])(L.LSTM(8, return_sequences=True)(h))
    out = L.Dense(3, activation="softmax")(h)
    return fn(i, out, "sparse_categorical_crossentropy"), tokens(N, T, VOCAB), ints(N, 3), {}


def last_output_is_pad_broken():
    return _last_output(False)


def last_output_is_pad_fixed():
    return _last_output(True)

CASES = [
    RealCase("flatten_drops_embedding_mask", "masking",
             "https://github.com/keras-team/keras/issues/13189",
             "Embedding(mask_zero=True) -> Bidirectional LSTM -> Flatten -> Dense: 'Layer "
             "flatten_2 does not support masking, but was passed an input_mask'",
             "mask_dropped", False, flatten_mask_broken, flatten_mask_fixed,
             note="Keras 3 warns and drops the mask instead of raising"),
    RealCase("masking_on_frames_before_td_conv", "masking",
             "https://github.com/keras-team/keras/issues/8687",
             "Masking in front of TimeDistributed(Conv2D) made the LSTM fail: 'Dimension "
             "must be 4 but is 3 for lstm_1/transpose_1'",
             "mask_dropped", True, masked_frames_broken, masked_frames_fixed,
             accept=("wrong_rank",)),
    RealCase("tagger_padding_without_mask", "masking",
             "https://github.com/aneesh-joshi/LSTM_POS_Tagger/issues/8",
             "sequences padded but mask_zero=True never set: the accuracy rewards guessing "
             "where the padding is",
             "padding_without_mask", False, tagger_no_mask_broken, tagger_no_mask_fixed),
    RealCase("padded_sequences_no_masking", "masking",
             "https://github.com/keras-team/keras/issues/1855",
             "0-padded sequences (pad_sequences) with no Masking layer: the model is not "
             "learning at all",
             "padding_without_mask", False, padded_no_mask_broken, padded_no_mask_fixed),
    RealCase("last_step_of_post_padded_pair", "masking",
             "https://github.com/keras-team/keras/issues/1864",
             "pre-padded X and post-padded Y through a BiLSTM, last step taken with "
             "X[:, -1, :]: training loss not going down",
             "padding_without_mask", False, last_step_is_pad_broken, last_step_is_pad_fixed,
             accept=("wrong_axis_slice",)),
    RealCase("masking_then_conv1d_then_gru", "masking",
             "https://github.com/keras-team/keras/issues/411",
             "Masking(mask_value=-99999.99) -> Conv1D -> GRU -> GRU: no error, but the "
             "loss is static over the epochs",
             "mask_dropped", False, masking_conv_gru_broken, masking_conv_gru_fixed,
             note="Keras 3 warns that Conv1D destroys the mask"),
    RealCase("conv1d_on_masked_lstm", "masking",
             "https://github.com/keras-team/keras/issues/7588",
             "a conv layer on top of an LSTM fed by a masking Embedding: 'Layer "
             "convolution1d_1 does not support masking'",
             "mask_dropped", False, conv_on_masked_lstm_broken, conv_on_masked_lstm_fixed),
    RealCase("ragged_sequences_as_object_array", "masking",
             "https://github.com/keras-team/keras/issues/13080",
             "sequences of different lengths: X_train.shape is (321,) and 'expected "
             "lstm_1_input to have 3 dimensions, but got array with shape (321, 1)'",
             "ragged_sequences", True, ragged_broken, ragged_fixed),
    RealCase("ragged_character_sentences", "masking",
             "https://github.com/keras-team/keras/issues/7722",
             "sentences of 4 and 3 characters in one array: 'expected lstm_1_input to have 3 "
             "dimensions, but got array with shape (2, 1)'",
             "ragged_sequences", True, ragged_chars_broken, ragged_chars_fixed),
    RealCase("padded_word_targets_counted", "masking",
             "https://github.com/keras-team/keras/issues/3023",
             "word classification with 0-padded inputs and all-zero target rows for the "
             "padding, no mask: how should the padded steps be handled?",
             "padding_without_mask", False, padded_targets_broken, padded_targets_fixed),
    RealCase("last_output_is_padding_word", "masking",
             "https://github.com/thtrieu/qclass_dl/issues/1",
             "output = outputs[-1] gave terrible results: 'may be the output of <PAD/> word'; "
             "the maintainer confirmed",
             "padding_without_mask", False, last_output_is_pad_broken, last_output_is_pad_fixed,
             accept=("wrong_axis_slice",), note="the poster's TensorFlow RNN, rebuilt in Keras"),
]


# Correct models ----------------------------------------------------------------------------

def masked_embedding_lstm():
    """keras.io masking guide: Embedding(mask_zero=True) -> LSTM -> Dense."""
    return _classifier(True), tokens(N, T, VOCAB), (ints(N, 2) > 0).astype("float32"), {}


def masking_layer_lstm():
    """keras.io masking guide: Masking() over zero-padded float steps -> LSTM."""
    x = feats(N, T, 4)
    x[::3, 6:] = 0.0
    return seq((T, 4), L.Masking(), L.LSTM(8), L.Dense(1)), x, feats(N, 1, seed=1), {}


def masking_td_sequential_lstm():
    """keras#10763: Masking -> TimeDistributed(a Sequential of Dense) -> LSTM (Keras 3 runs it)."""
    i = keras.Input((3, 2))
    h = L.Masking(mask_value=-100.0)(i)
    inner = keras.Sequential([keras.Input((2,)), L.Dense(5), L.Activation("elu")])
    h = L.LSTM(10)(L.TimeDistributed(inner)(h))
    x = feats(N, 3, 2)
    x[::2, 2] = -100.0
    return fn(i, L.Dense(1)(h)), x, feats(N, 1, seed=1), {}


def masking_bilstm_lstm_sigmoid():
    """tensorflow#49262, example 3: Masking -> Bidirectional LSTM -> LSTM(1, sigmoid)."""
    i = keras.Input((T, 6))
    h = L.Bidirectional(L.LSTM(8, return_sequences=True))(L.Masking(0.0)(i))
    out = L.LSTM(1, activation="sigmoid")(h)
    x = feats(N, T, 6)
    x[::2, 7:] = 0.0
    return fn(i, out, "binary_crossentropy"), x, (ints(N, 2) > 0).astype("float32"), {}


CORRECT = [
    CorrectModel("masked_embedding_lstm", "masking",
                 "https://keras.io/guides/understanding_masking_and_padding/",
                 masked_embedding_lstm),
    CorrectModel("masking_layer_lstm", "masking",
                 "https://keras.io/guides/understanding_masking_and_padding/",
                 masking_layer_lstm),
    CorrectModel("masking_td_sequential_lstm", "masking",
                 "https://github.com/keras-team/keras/issues/10763", masking_td_sequential_lstm),
    CorrectModel("masking_bilstm_lstm_sigmoid", "masking",
                 "https://github.com/tensorflow/tensorflow/issues/49262",
                 masking_bilstm_lstm_sigmoid),
]
