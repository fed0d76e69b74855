"""Targets against outputs and losses: sequence vs last output, horizons, label encodings."""

from __future__ import annotations

import numpy as np

from . import CorrectModel, RealCase
from ._kit import L, N, feats, fn, ints, keras, onehot, seq, series, tokens, windows

T, VOCAB = 8, 30


def _labels(classes: int, seed: int = 0) -> np.ndarray:
    return onehot(ints(N, classes, seed=seed), classes)


# OlafenwaMoses/ImageAI#765: Bidirectional(LSTM(return_sequences=True)) -> Dense(softmax):
# "A target array with shape (6682, 2) was passed for an output of shape (None, 15, 2)".
def bilstm_sequence_broken():
    model = seq((T, 5), L.Bidirectional(L.LSTM(8, return_sequences=True)), L.Dropout(0.2),
                L.Dense(2, activation="softmax"), loss="categorical_crossentropy")
    return model, feats(N, T, 5), _labels(2), {}


def bilstm_sequence_fixed():
    model = seq((T, 5), L.Bidirectional(L.LSTM(8)), L.Dropout(0.2),
                L.Dense(2, activation="softmax"), loss="categorical_crossentropy")
    return model, feats(N, T, 5), _labels(2), {}


# keras-team/keras#9764 (and #3262 by the same poster): two aligned id lists of length 15
# concatenated into one input of length 30, a per-step tagger, labels of length 15:
# "Incompatible shapes: [1,15,127] vs. [1,30,127]".
S, TAGS = 6, 5


def _slot_data():
    a, b = tokens(N, S, VOCAB), tokens(N, S, VOCAB, seed=1)
    return a, b, onehot(a % TAGS, TAGS)


def tags_time_concat_broken():
    a, b, y = _slot_data()
    model = seq((2 * S,), L.Embedding(VOCAB, 8), L.LSTM(8, return_sequences=True),
                L.TimeDistributed(L.Dense(TAGS, activation="softmax")), dtype="int32",
                loss="categorical_crossentropy")
    return model, np.concatenate([a, b], axis=1), y, {}


def tags_time_concat_fixed():
    a, b, y = _slot_data()
    ia, ib = keras.Input((S,), dtype="int32"), keras.Input((S,), dtype="int32")
    h = L.Concatenate(axis=-1)([L.Embedding(VOCAB, 8)(ia), L.Embedding(VOCAB, 4)(ib)])
    h = L.LSTM(8, return_sequences=True)(h)
    out = L.TimeDistributed(L.Dense(TAGS, activation="softmax"))(h)
    return fn([ia, ib], out, "categorical_crossentropy"), [a, b], y, {}


# keras-team/keras#12996: the last layer is LSTM(32, return_sequences=True), the Dense(3,
# softmax) commented out, labels (150, 1): "expected lstm_27 to have 3 dimensions".
def lstm_as_classifier_broken():
    model = seq((T, 6), L.LSTM(32, return_sequences=True), loss="categorical_crossentropy")
    return model, feats(N, T, 6), ints(N, 3)[:, None], {}


def lstm_as_classifier_fixed():
    model = seq((T, 6), L.LSTM(32), L.Dense(3, activation="softmax"),
                loss="sparse_categorical_crossentropy")
    return model, feats(N, T, 6), ints(N, 3)[:, None], {}


# keras-team/keras#1838: LSTM(return_sequences=True) -> TimeDistributedDense(11) -> softmax
# for one label per sequence: "Wrong number of dimensions: expected 3, got 2 with shape
# (128, 11)"; the answer: drop return_sequences.
def td_label_broken():
    model = seq((T, 5), L.LSTM(8, return_sequences=True), L.TimeDistributed(L.Dense(11)),
                L.Activation("softmax"), loss="categorical_crossentropy")
    return model, feats(N, T, 5), _labels(11), {}


def td_label_fixed():
    model = seq((T, 5), L.LSTM(8), L.Dense(11), L.Activation("softmax"),
                loss="categorical_crossentropy")
    return model, feats(N, T, 5), _labels(11), {}


# keras-team/keras#9443: the stacked-LSTM example of the Sequential guide trains
# categorical_crossentropy on y_train = np.random.random((1000, num_classes)).
def random_targets_broken():
    model = seq((T, 16), L.LSTM(8, return_sequences=True), L.LSTM(8),
                L.Dense(10, activation="softmax"), loss="categorical_crossentropy")
    return model, feats(N, T, 16), np.random.default_rng(1).random((N, 10)), {}


def random_targets_fixed():
    model = seq((T, 16), L.LSTM(8, return_sequences=True), L.LSTM(8),
                L.Dense(10, activation="softmax"), loss="categorical_crossentropy")
    return model, feats(N, T, 16), _labels(10, seed=1), {}


# keras-team/keras#7749: sparse_categorical_crossentropy against one-hot targets of a
# per-step softmax: "expected activation_1 to have shape (None, None, 1) but got array with
# shape (1, 1, 2)".
def _per_step(loss: str):
    return seq((None, 2), L.Dense(2), L.Activation("softmax"), loss=loss)


def sparse_on_one_hot_broken():
    y = onehot(ints(N * T, 2).reshape(N, T), 2)
    return _per_step("sparse_categorical_crossentropy"), feats(N, T, 2), y, {}


def sparse_on_one_hot_fixed():
    y = onehot(ints(N * T, 2).reshape(N, T), 2)
    return _per_step("categorical_crossentropy"), feats(N, T, 2), y, {}


# keras-team/keras#17368 (a comment): "logits and labels must have the same first dimension,
# got logits shape [32,271573] and labels shape [960]": one prediction per sequence against
# 30 next-word labels per sequence.
def _next_words(sequences: bool):
    model = seq((T,), L.Embedding(VOCAB, 8), L.LSTM(8, return_sequences=sequences),
                L.Dense(VOCAB, activation="softmax"), dtype="int32",
                loss="sparse_categorical_crossentropy")
    ids = tokens(N, T + 1, VOCAB, min_len=T + 1)
    return model, ids[:, :-1], ids[:, 1:], {}


def next_words_broken():
    return _next_words(False)


def next_words_fixed():
    return _next_words(True)


# keras-team/keras#4994: LSTM -> Dense(1) -> sigmoid -> Dense(20, softmax) with
# binary_crossentropy on 20 newsgroups: "the acc is always 0.95"; the answer: categorical
# crossentropy and no 1-unit bottleneck.
def bottleneck_broken():
    model = seq((T,), L.Embedding(VOCAB, 8), L.LSTM(8), L.Dense(1), L.Activation("sigmoid"),
                L.Dense(20, activation="softmax"), dtype="int32", loss="binary_crossentropy",
                metrics=["accuracy"])
    return model, tokens(N, T, VOCAB), _labels(20), {}


def bottleneck_fixed():
    model = seq((T,), L.Embedding(VOCAB, 8), L.LSTM(8), L.Dense(16, activation="relu"),
                L.Dense(20, activation="softmax"), dtype="int32",
                loss="categorical_crossentropy", metrics=["accuracy"])
    return model, tokens(N, T, VOCAB), _labels(20), {}


# mmalekzadeh/dana#1: Conv2D stack -> Reshape -> LSTM -> LSTM -> Dense(softmax), compiled
# with from_logits=True: "usage of from_logits=True on the model that has softmax output".
def _har(from_logits: bool):
    i = keras.Input((T + 8, 3, 1))
    h = L.Conv2D(8, (5, 1), activation="relu")(i)
    h = L.Conv2D(8, (5, 1), activation="relu")(h)
    h = L.Reshape((h.shape[1], h.shape[2] * h.shape[3]))(h)
    h = L.LSTM(8, return_sequences=True)(h)
    out = L.Dense(4, activation="softmax")(L.LSTM(8)(h))
    loss = keras.losses.CategoricalCrossentropy(from_logits=from_logits)
    return fn(i, out, loss), feats(N, T + 8, 3, 1), _labels(4), {}


def from_logits_broken():
    return _har(True)


def from_logits_fixed():
    return _har(False)


# jeffheaton/t81_558_deep_learning#83: the LSTM notebook's Dense(4, activation='sigmoid')
# with binary_crossentropy for a 4-class problem; the PR switched to categorical.
def _four_classes(activation: str, loss: str):
    return (seq((T, 1), L.LSTM(16, dropout=0.1), L.Dense(4, activation=activation),
                loss=loss, metrics=["accuracy"]), feats(N, T, 1), _labels(4), {})


def sigmoid_binary_multiclass_broken():
    return _four_classes("sigmoid", "binary_crossentropy")


def sigmoid_binary_multiclass_fixed():
    return _four_classes("softmax", "categorical_crossentropy")


# keras-team/keras#2403: predict n_nxt steps with LSTM(return_sequences=True) ->
# TimeDistributed(Dense(n_nxt)), targets (n, n_nxt, 1): a (batch, n_prev, n_nxt) output.
NPREV, NNXT = 10, 3


def horizon_broken():
    x, y = windows(t=NPREV, horizon=NNXT)
    model = seq((NPREV, 1), L.LSTM(8, return_sequences=True), L.LSTM(8, return_sequences=True),
                L.TimeDistributed(L.Dense(NNXT)))
    return model, x, y[..., None], {}


def horizon_fixed():
    x, y = windows(t=NPREV, horizon=NNXT)
    model = seq((NPREV, 1), L.LSTM(8), L.RepeatVector(NNXT),
                L.LSTM(8, return_sequences=True), L.TimeDistributed(L.Dense(1)))
    return model, x, y[..., None], {}


# keras-team/keras#2892 (a comment): LSTM(3, return_sequences=True) on 14 steps, Reshape((3,
# 14)), TimeDistributed(Dense(1)) for 3 future values: "the outputs I get are all the same".
def units_as_horizon_broken():
    x, y = windows(t=14, horizon=3)
    model = seq((14, 1), L.LSTM(3, return_sequences=True), L.Reshape((3, 14)),
                L.TimeDistributed(L.Dense(1)))
    return model, x, y[..., None], {}


def units_as_horizon_fixed():
    x, y = windows(t=14, horizon=3)
    model = seq((14, 1), L.LSTM(16), L.RepeatVector(3), L.LSTM(16, return_sequences=True),
                L.TimeDistributed(L.Dense(1)))
    return model, x, y[..., None], {}


# google-parfait/tensorflow-federated#3920: "Incompatible shapes: [32,12] vs. [32,998,12]";
# "return sequences was false [on lstm_layer2], so it did not give me the shape I want".
def _per_step_forecast(last_sequences: bool):
    model = seq((T, 12), L.LSTM(8, return_sequences=True),
                L.LSTM(8, return_sequences=last_sequences), L.Dense(12))
    return model, feats(N, T, 12), feats(N, T, 12, seed=1), {}


def per_step_targets_broken():
    return _per_step_forecast(False)


def per_step_targets_fixed():
    return _per_step_forecast(True)


# keras-team/keras#1261: a bidirectional LSTM text classifier for 6 classes ending in
# Dense(1, activation='softmax'): "the results ... is always 1".
def _six_classes(units: int, loss: str):
    model = seq((T,), L.Embedding(VOCAB, 8), L.Bidirectional(L.LSTM(8)), L.Dropout(0.5),
                L.Dense(units, activation="softmax"), dtype="int32", loss=loss)
    return model, tokens(N, T, VOCAB), _labels(6), {}


def one_unit_softmax_broken():
    return _six_classes(1, "binary_crossentropy")


def one_unit_softmax_fixed():
    return _six_classes(6, "categorical_crossentropy")


# keras-team/keras#2172: three target labels [0, 2, 1, ...] into Dense(1) + sigmoid with
# binary_crossentropy: "loss: -8.0915 - acc: 1.0000".
def _three_labels(units: int, activation: str, loss: str):
    model = seq((T, 10), L.LSTM(16), L.Dropout(0.5), L.Dense(units),
                L.Activation(activation), loss=loss)
    return model, feats(N, T, 10), ints(N, 3), {}


def sigmoid_on_three_labels_broken():
    return _three_labels(1, "sigmoid", "binary_crossentropy")


def sigmoid_on_three_labels_fixed():
    return _three_labels(3, "softmax", "sparse_categorical_crossentropy")


# keras-team/keras#1452: Embedding -> LSTM(return_sequences=True) ->
# TimeDistributedDense(1) -> sigmoid with binary_crossentropy for one label per review: an
# error at fit.
def _review(sequences: bool):
    layers = [L.Embedding(VOCAB, 8), L.LSTM(8, return_sequences=sequences)]
    layers += [L.TimeDistributed(L.Dense(1))] if sequences else [L.Dense(1)]
    model = seq((T,), *layers, L.Activation("sigmoid"), dtype="int32",
                loss="binary_crossentropy")
    return model, tokens(N, T, VOCAB), (ints(N, 2) > 0).astype("float32")[:, None], {}


def td_sigmoid_review_broken():
    return _review(True)


def td_sigmoid_review_fixed():
    return _review(False)


# CyberZHG/keras-self-attention#46: a self-attention layer after the LSTM keeps the steps:
# "ValueError: Shapes (None, 3) and (None, 50, 3) are incompatible".
def _self_attention(pool: bool):
    i = keras.Input((T, 6))
    h = L.LSTM(8, return_sequences=True)(i)
    h = L.Attention()([h, h])
    if pool:
        h = L.GlobalMaxPooling1D()(h)
    out = L.Dense(3, activation="softmax")(h)
    return fn(i, out, "categorical_crossentropy"), feats(N, T, 6), _labels(3), {}


def self_attention_steps_broken():
    return _self_attention(False)


def self_attention_steps_fixed():
    return _self_attention(True)

CASES = [
    RealCase("bilstm_sequence_output_vs_label", "targets",
             "https://github.com/OlafenwaMoses/ImageAI/issues/765",
             "'A target array with shape (6682, 2) was passed for an output of shape (None, "
             "15, 2) while using as loss categorical_crossentropy'",
             "sequence_output_vs_last_target", True, bilstm_sequence_broken,
             bilstm_sequence_fixed),
    RealCase("two_sequences_concatenated_on_time", "targets",
             "https://github.com/keras-team/keras/issues/9764",
             "ids of length 30 (two aligned lists of 15) into a per-step tagger, labels of "
             "length 15: 'Incompatible shapes: [1,15,127] vs. [1,30,127]'",
             "dimension_mismatch", True, tags_time_concat_broken, tags_time_concat_fixed,
             accept=("sequence_output_vs_last_target", "multistep_horizon_mismatch")),
    RealCase("lstm_sequence_as_class_prediction", "targets",
             "https://github.com/keras-team/keras/issues/12996",
             "LSTM(32, return_sequences=True) as the last layer for 3 classes: 'expected "
             "lstm_27 to have 3 dimensions, but got array with shape (150, 1)'",
             "units_equals_timesteps", True, lstm_as_classifier_broken,
             lstm_as_classifier_fixed,
             accept=("sequence_output_vs_last_target", "loss_label_encoding_mismatch",
                     "output_width_mismatch")),
    RealCase("timedistributed_softmax_vs_sequence_label", "targets",
             "https://github.com/keras-team/keras/issues/1838",
             "LSTM(return_sequences=True) -> TimeDistributedDense(11) -> softmax against "
             "(nb_samples, 11): 'Wrong number of dimensions: expected 3, got 2'",
             "sequence_output_vs_last_target", True, td_label_broken, td_label_fixed),
    RealCase("categorical_crossentropy_on_random_floats", "targets",
             "https://github.com/keras-team/keras/issues/9443",
             "the stacked-LSTM example of the docs trains categorical_crossentropy on "
             "y_train = np.random.random((1000, num_classes)); it runs",
             "loss_label_encoding_mismatch", False, random_targets_broken,
             random_targets_fixed),
    RealCase("sparse_crossentropy_on_one_hot_steps", "targets",
             "https://github.com/keras-team/keras/issues/7749",
             "sparse_categorical_crossentropy with one-hot targets (1, 1, 2): 'expected "
             "activation_1 to have shape (None, None, 1)'",
             "loss_label_encoding_mismatch", True, sparse_on_one_hot_broken,
             sparse_on_one_hot_fixed),
    RealCase("last_output_vs_next_word_labels", "targets",
             "https://github.com/keras-team/keras/issues/17368",
             "'logits and labels must have the same first dimension, got logits shape "
             "[32,271573] and labels shape [960]'",
             "last_output_vs_sequence_target", True, next_words_broken, next_words_fixed),
    RealCase("binary_crossentropy_multiclass_bottleneck", "targets",
             "https://github.com/keras-team/keras/issues/4994",
             "LSTM -> Dense(1) -> sigmoid -> Dense(20, softmax) with binary_crossentropy: "
             "the accuracy is always 0.95",
             "loss_label_encoding_mismatch", False, bottleneck_broken, bottleneck_fixed),
    RealCase("from_logits_on_softmax_output", "targets",
             "https://github.com/mmalekzadeh/dana/issues/1",
             "CategoricalCrossentropy(from_logits=True) on a model whose output layer is a "
             "softmax",
             "loss_label_encoding_mismatch", False, from_logits_broken, from_logits_fixed),
    RealCase("sigmoid_binary_crossentropy_four_classes", "targets",
             "https://github.com/jeffheaton/t81_558_deep_learning/pull/83",
             "Dense(4, activation='sigmoid') compiled with binary_crossentropy for a "
             "4-class LSTM classifier; the PR switched to categorical_crossentropy",
             "loss_label_encoding_mismatch", False, sigmoid_binary_multiclass_broken,
             sigmoid_binary_multiclass_fixed),
    RealCase("per_step_head_for_future_horizon", "targets",
             "https://github.com/keras-team/keras/issues/2403",
             "LSTM(return_sequences=True) -> TimeDistributed(Dense(n_nxt)) to predict n_nxt "
             "future steps, targets (n, n_nxt, 1)",
             "multistep_horizon_mismatch", True, horizon_broken, horizon_fixed,
             accept=("sequence_output_vs_last_target",)),
    RealCase("lstm_units_reshaped_into_horizon", "targets",
             "https://github.com/keras-team/keras/issues/2892",
             "LSTM(3, return_sequences=True) on 14 steps reshaped to (3, 14) for 3 future "
             "steps: every prediction came out the same",
             "units_equals_timesteps", False, units_as_horizon_broken,
             units_as_horizon_fixed, accept=("swapped_axes", "multistep_horizon_mismatch")),
    RealCase("last_lstm_without_sequences_for_per_step_targets", "targets",
             "https://github.com/google-parfait/tensorflow-federated/issues/3920",
             "'Incompatible shapes: [32,12] vs. [32,998,12]'; return_sequences was False on "
             "the second LSTM",
             "last_output_vs_sequence_target", True, per_step_targets_broken,
             per_step_targets_fixed, accept=("missing_return_sequences",)),
    RealCase("one_unit_softmax_six_classes", "targets",
             "https://github.com/keras-team/keras/issues/1261",
             "a bidirectional LSTM for 6 classes ending in Dense(1, activation='softmax'): "
             "the prediction is always 1",
             "loss_label_encoding_mismatch", True, one_unit_softmax_broken,
             one_unit_softmax_fixed, accept=("output_width_mismatch",),
             note="Keras 3's binary_crossentropy refuses the (N, 6) targets against (N, 1)"),
    RealCase("sigmoid_unit_on_three_labels", "targets",
             "https://github.com/keras-team/keras/issues/2172",
             "labels [0, 2, 1, ...] into Dense(1) + sigmoid with binary_crossentropy: "
             "'loss: -8.0915 - acc: 1.0000'",
             "loss_label_encoding_mismatch", False, sigmoid_on_three_labels_broken,
             sigmoid_on_three_labels_fixed, accept=("output_width_mismatch",)),
    RealCase("timedistributed_sigmoid_for_review_label", "targets",
             "https://github.com/keras-team/keras/issues/1452",
             "Embedding -> LSTM(return_sequences=True) -> TimeDistributedDense(1) -> sigmoid "
             "with binary_crossentropy: an error thrown in fit",
             "sequence_output_vs_last_target", True, td_sigmoid_review_broken,
             td_sigmoid_review_fixed),
    RealCase("self_attention_keeps_the_steps", "targets",
             "https://github.com/CyberZHG/keras-self-attention/issues/46",
             "a self-attention layer added after the LSTM: 'Shapes (None, 3) and (None, 50, "
             "3) are incompatible'",
             "sequence_output_vs_last_target", True, self_attention_steps_broken,
             self_attention_steps_fixed,
             note="the poster's SeqSelfAttention rebuilt with keras.layers.Attention"),
]


# Correct models ----------------------------------------------------------------------------

def per_step_tagger_one_hot():
    """keras#1029: Embedding -> LSTM(return_sequences) -> TimeDistributed(Dense) softmax, 3-D
    one-hot targets with categorical crossentropy (Keras 3 trains it)."""
    x = tokens(N, T, VOCAB)
    model = seq((T,), L.Embedding(VOCAB, 16), L.LSTM(16, return_sequences=True),
                L.TimeDistributed(L.Dense(2)), L.Activation("softmax"), dtype="int32",
                loss="categorical_crossentropy")
    return model, x, onehot(x % 2, 2), {}


def multi_step_dense_reshape():
    """TF time-series tutorial, multi_lstm_model: LSTM -> Dense(OUT_STEPS*features) -> Reshape."""
    x = feats(N, T * 3, 3)
    model = seq((T * 3, 3), L.LSTM(16), L.Dense(6 * 3), L.Reshape([6, 3]))
    return model, x, feats(N, 6, 3, seed=1), {}


def per_step_lstm_wide_window():
    """TF time-series tutorial, lstm_model: LSTM(return_sequences=True) -> Dense(1), labels
    one step ahead of every input step."""
    s = series(N + T + 1)
    x = np.stack([s[i:i + T] for i in range(N)])[..., None]
    y = np.stack([s[i + 1:i + T + 1] for i in range(N)])[..., None]
    return seq((T, 1), L.LSTM(16, return_sequences=True), L.Dense(1)), x, y, {}


def char_level_text_generation():
    """keras.io character-level text generation: one-hot windows -> LSTM(128) -> softmax."""
    chars = 12
    x = onehot(ints(N * T, chars).reshape(N, T), chars)
    model = seq((T, chars), L.LSTM(32), L.Dense(chars, activation="softmax"),
                loss="categorical_crossentropy")
    return model, x, _labels(chars), {}


CORRECT = [
    CorrectModel("per_step_tagger_one_hot", "targets",
                 "https://github.com/keras-team/keras/issues/1029", per_step_tagger_one_hot),
    CorrectModel("multi_step_dense_reshape", "targets",
                 "https://www.tensorflow.org/tutorials/structured_data/time_series",
                 multi_step_dense_reshape),
    CorrectModel("per_step_lstm_wide_window", "targets",
                 "https://www.tensorflow.org/tutorials/structured_data/time_series",
                 per_step_lstm_wide_window),
    CorrectModel("char_level_text_generation", "targets",
                 "https://keras.io/examples/generative/lstm_character_level_text_generation/",
                 char_level_text_generation),
]
