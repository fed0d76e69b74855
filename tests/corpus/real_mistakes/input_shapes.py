"""What the RNN is told to expect: input_shape with the batch, ranks, units vs timesteps, stacks."""

from __future__ import annotations

import numpy as np

from . import CorrectModel, RealCase
from ._kit import L, N, feats, ints, keras, onehot, seq, tokens, windows

T = 8


# keras-team/keras#11480: LSTM(100, input_shape=(1, 6, 30)) for an InputBatch of shape (1,
# 6, 30): "expected ndim=3, found ndim=4".
def _binary(shape: tuple):
    return seq(shape, L.LSTM(16), L.Dense(1, activation="sigmoid"),
               loss="binary_crossentropy")


def sample_axis_in_input_shape_broken():
    x = feats(N, 6, 30)
    return _binary((1, 6, 30)), x, (ints(N, 2) > 0).astype("float32"), {}


def sample_axis_in_input_shape_fixed():
    x = feats(N, 6, 30)
    return _binary((6, 30)), x, (ints(N, 2) > 0).astype("float32"), {}


# keras-team/keras#7403 (a 2020 comment): x_train reshaped to (836, 400, 3, 1) for a Conv2D,
# then given to LSTM(32, input_shape=(400, 3)).
def _har(shape: tuple):
    return seq(shape, L.LSTM(16, return_sequences=True), L.Dropout(0.5),
               L.Dense(16, activation="relu"), L.Flatten(), L.Dense(3, activation="softmax"),
               loss="sparse_categorical_crossentropy")


def extra_channel_axis_broken():
    x = feats(N, 20, 3).reshape(N, 20, 3, 1)
    return _har((20, 3)), x, ints(N, 3), {}


def extra_channel_axis_fixed():
    return _har((20, 3)), feats(N, 20, 3), ints(N, 3), {}


# molson194/LSTM-Stock-Prediction#1: "expected ndim=3, found ndim=4. Full shape received:
# [None, 1, 60, 2]": the windows were collected with an extra axis.
def _stock(x):
    return seq((60, 2), L.LSTM(16, return_sequences=True), L.LSTM(16), L.Dense(1)), x, \
        feats(N, 1, seed=1), {}


def leading_axis_windows_broken():
    return _stock(feats(N, 1, 60, 2))


def leading_axis_windows_fixed():
    return _stock(np.squeeze(feats(N, 1, 60, 2), axis=1))


# keras-team/keras#1159: LSTM(5, return_sequences=True, input_shape=(batch_size,
# feature_size)) -> TimeDistributedDense(15) fit on 2-D features: "Keras dimensions are
# broken for LSTM?".
FS, OUT, STEPS = 4, 15, 6


def _rows():
    features, labels = feats(40, FS), feats(40, OUT, seed=1)
    return features, labels


def batch_size_as_timesteps_broken():
    features, labels = _rows()
    model = seq((30, FS), L.LSTM(5, return_sequences=True), L.TimeDistributed(L.Dense(OUT)),
                L.Activation("linear"))
    return model, features, labels, {"batch_size": 30}


def batch_size_as_timesteps_fixed():
    features, labels = _rows()
    x = np.stack([features[i:i + STEPS] for i in range(40 - STEPS + 1)])
    y = np.stack([labels[i:i + STEPS] for i in range(40 - STEPS + 1)])
    model = seq((STEPS, FS), L.LSTM(5, return_sequences=True),
                L.TimeDistributed(L.Dense(OUT)), L.Activation("linear"))
    return model, x, y, {"batch_size": 30}


# keras-team/keras#15016: Input(shape=(30, 10)) while the data has 5 features per step: "I can
# change the feature dimension in Input to others and the networks still train fine".
def _sensor(shape: tuple):
    return seq(shape, L.LSTM(16), L.Dense(1))


def declared_features_differ_broken():
    return _sensor((30, 10)), feats(N, 30, 5), feats(N, 1, seed=1), {}


def declared_features_differ_fixed():
    return _sensor((30, 5)), feats(N, 30, 5), feats(N, 1, seed=1), {}


# avisingh599/visual-qa#29: a Sequential LSTM for input_shape (30, 300) trained on batches of
# questions padded only to their batch's length: "expected lstm_input_1 to have shape (None,
# 30, 300) but got array with shape (128, 5, 300)".
def _questions(shape: tuple):
    return seq(shape, L.LSTM(16), L.Dense(10, activation="softmax"),
               loss="categorical_crossentropy")


def batch_padded_questions_broken():
    return _questions((30, 12)), feats(N, 5, 12), onehot(ints(N, 10), 10), {}


def batch_padded_questions_fixed():
    x = keras.utils.pad_sequences(list(feats(N, 5, 12)), maxlen=30, dtype="float32")
    return _questions((30, 12)), x, onehot(ints(N, 10), 10), {}


# keras-team/keras#5447: the recurrent docs' `model.add(LSTM(32, input_dim=64,
# input_length=10))` followed by `model.add(LSTM(16))`: "expected ndim=3, found ndim=2".
def _docs_stack(first_sequences: bool):
    return seq((10, 64), L.LSTM(32, return_sequences=first_sequences), L.LSTM(16), L.Dense(1)), \
        feats(N, 10, 64), feats(N, 1, seed=1), {}


def docs_stack_broken():
    return _docs_stack(False)


def docs_stack_fixed():
    return _docs_stack(True)


# keras-team/keras#7403 (a 2017 comment): characters -> word vector, the first LSTM sized
# num_hidden_neurons_char_layer = timesteps with return_sequences=False, a second LSTM on top.
CHARS, WORD = 12, 10


def _chars_to_word(first_units: int, first_sequences: bool):
    model = seq((T, CHARS), L.LSTM(first_units, return_sequences=first_sequences),
                L.LSTM(WORD), L.Dense(WORD, activation="tanh"))
    return model, feats(N, T, CHARS), np.tanh(feats(N, WORD, seed=1)), {}


def char_lstm_units_timesteps_broken():
    return _chars_to_word(T, False)


def char_lstm_units_timesteps_fixed():
    return _chars_to_word(16, True)


# keras-team/keras#5222: LSTM(1000) on (None, 1000, 100) "to get output of shape (None,
# 1000)", then Conv1D(128, 5): "expected ndim=3, found ndim=2"; the answer: return_sequences.
def _lstm_conv(units: int, sequences: bool):
    model = seq((20, 10), L.LSTM(units, return_sequences=sequences), L.Conv1D(8, 5),
                L.GlobalMaxPooling1D(), L.Dense(1))
    return model, feats(N, 20, 10), feats(N, 1, seed=1), {}


def lstm_units_as_steps_for_conv_broken():
    return _lstm_conv(20, False)


def lstm_units_as_steps_for_conv_fixed():
    return _lstm_conv(16, True)


# polyaxon/haupt#6: "you create BasicLSTMCells with layer['steps'] as the first argument ...
# the variable TIMESTEPS affects both the amount of timesteps ... but also the size of the
# LSTM".
TIMESTEPS = 10


def _steps_model(units: int):
    x, y = windows(t=TIMESTEPS)
    return seq((TIMESTEPS, 1), L.LSTM(units, return_sequences=True), L.LSTM(units),
               L.Dense(1)), x, y, {}


def timesteps_as_units_broken():
    return _steps_model(TIMESTEPS)


def timesteps_as_units_fixed():
    return _steps_model(24)


# keras-team/keras#13858: LSTM(1, batch_input_shape=(180, 11, 1), return_sequences=True) ->
# LSTM(1) with sparse_categorical_crossentropy: "Incompatible shapes: [32] vs. [180]"; the
# answer: input_shape, not batch_input_shape.
def fixed_batch_shape_broken():
    model = seq(None, L.LSTM(1, return_sequences=True), L.LSTM(1),
                batch_shape=(180, 11, 1), loss="sparse_categorical_crossentropy")
    return model, feats(180, 11, 1), ints(180, 2), {}


def fixed_batch_shape_fixed():
    model = seq((11, 1), L.LSTM(8, return_sequences=True), L.LSTM(8),
                L.Dense(2, activation="softmax"), loss="sparse_categorical_crossentropy")
    return model, feats(180, 11, 1), ints(180, 2), {}


# keras-team/keras#274 (a comment): the IRIS features (150, 4) fed to Embedding(4, 64) ->
# LSTM(64) -> Dense(3) softmax: "the system is always identifying a particular class".
def _iris():
    r = np.random.default_rng(0)
    x = np.round(r.uniform(0.1, 7.9, (N, 4)), 1).astype("float32")
    return x, onehot(ints(N, 3), 3)


def iris_into_embedding_broken():
    x, y = _iris()
    model = seq((4,), L.Embedding(4, 16), L.LSTM(16), L.Dense(3), L.Activation("softmax"),
                loss="categorical_crossentropy")
    return model, x, y, {}


def iris_into_embedding_fixed():
    x, y = _iris()
    model = seq((4, 1), L.LSTM(16), L.Dense(3), L.Activation("softmax"),
                loss="categorical_crossentropy")
    return model, x[..., None], y, {}


# SidiLu001/disk_failure_prediction#1: "expected lstm_1_input to have 3 dimensions, but got
# array with shape (844, 240, 94, 1)".
def _disks(x):
    return seq((24, 9), L.LSTM(16), L.Dense(1, activation="sigmoid"),
               loss="binary_crossentropy"), x, (ints(N, 2) > 0).astype("float32"), {}


def disk_windows_trailing_axis_broken():
    return _disks(feats(N, 24, 9, 1))


def disk_windows_trailing_axis_fixed():
    return _disks(feats(N, 24, 9, 1)[..., 0])


# tensorflow/tensorflow#48138: predicting the next price from the last 60 days: "Input 0 of
# layer sequential is incompatible with the layer: expected ndim=3, found ndim=2. Full shape
# received: (1, 60)".
def _price_model():
    return seq((60, 1), L.LSTM(16, return_sequences=True), L.LSTM(16), L.Dense(1))


def last_window_without_feature_axis_broken():
    s = feats(200)
    x = np.stack([s[i:i + 60] for i in range(N)])  # (N, 60): no feature axis
    return _price_model(), x, feats(N, 1, seed=1), {}


def last_window_without_feature_axis_fixed():
    s = feats(200)
    x = np.stack([s[i:i + 60] for i in range(N)])[..., None]
    return _price_model(), x, feats(N, 1, seed=1), {}

CASES = [
    RealCase("sample_axis_in_input_shape", "input_shapes",
             "https://github.com/keras-team/keras/issues/11480",
             "LSTM(100, input_shape=(1, 6, 30)) for an input of shape (1, 6, 30): 'Input 0 is "
             "incompatible with layer lstm_33: expected ndim=3, found ndim=4'",
             "batch_in_input_shape", True, sample_axis_in_input_shape_broken,
             sample_axis_in_input_shape_fixed, accept=("wrong_rank",)),
    RealCase("conv_channel_axis_kept_for_lstm", "input_shapes",
             "https://github.com/keras-team/keras/issues/7403",
             "x_train reshaped to (836, 400, 3, 1) for a Conv2D, then fit into LSTM(32, "
             "input_shape=(400, 3)): an error in model.fit",
             "wrong_rank", False, extra_channel_axis_broken, extra_channel_axis_fixed,
             note="Keras 3 squeezes the trailing 1 and trains"),
    RealCase("windows_with_leading_extra_axis", "input_shapes",
             "https://github.com/molson194/LSTM-Stock-Prediction/issues/1",
             "'expected ndim=3, found ndim=4. Full shape received: [None, 1, 60, 2]'",
             "wrong_rank", True, leading_axis_windows_broken, leading_axis_windows_fixed),
    RealCase("batch_size_as_timesteps_on_rows", "input_shapes",
             "https://github.com/keras-team/keras/issues/1159",
             "LSTM(5, return_sequences=True, input_shape=(batch_size, feature_size)) fit on "
             "2-D features: it 'expects the input dimensionality to be 3'",
             "batch_in_input_shape", True, batch_size_as_timesteps_broken,
             batch_size_as_timesteps_fixed, accept=("missing_timestep_axis",)),
    RealCase("declared_features_differ_from_data", "input_shapes",
             "https://github.com/keras-team/keras/issues/15016",
             "Input(shape=(30, 10)) for data with 5 features per step: 'the networks still "
             "train fine' (TF 2.4)",
             "input_shape_data_mismatch", True, declared_features_differ_broken,
             declared_features_differ_fixed),
    RealCase("questions_padded_per_batch", "input_shapes",
             "https://github.com/avisingh599/visual-qa/issues/29",
             "'expected lstm_input_1 to have shape (None, 30, 300) but got array with shape "
             "(128, 5, 300)'",
             "input_shape_data_mismatch", False, batch_padded_questions_broken,
             batch_padded_questions_fixed, note="a Sequential model: Keras 3 trains it"),
    RealCase("docs_stack_without_return_sequences", "input_shapes",
             "https://github.com/keras-team/keras/issues/5447",
             "LSTM(32, input_dim=64, input_length=10) then LSTM(16), from the docs: 'Input 0 "
             "is incompatible with layer lstm_2: expected ndim=3, found ndim=2'",
             "missing_return_sequences", True, docs_stack_broken, docs_stack_fixed),
    RealCase("char_lstm_sized_by_timesteps", "input_shapes",
             "https://github.com/keras-team/keras/issues/7403",
             "a character LSTM with num_hidden_neurons = timesteps and "
             "return_sequences=False under a word LSTM: 'expected ndim=3, found ndim=4'-style "
             "errors",
             "missing_return_sequences", True, char_lstm_units_timesteps_broken,
             char_lstm_units_timesteps_fixed, accept=("units_equals_timesteps",)),
    RealCase("lstm_units_as_steps_for_conv1d", "input_shapes",
             "https://github.com/keras-team/keras/issues/5222",
             "LSTM(1000) on (None, 1000, 100) 'to get output of shape (None, 1000)', then "
             "Conv1D: 'expected ndim=3, found ndim=2'",
             "units_equals_timesteps", True, lstm_units_as_steps_for_conv_broken,
             lstm_units_as_steps_for_conv_fixed, accept=("missing_return_sequences",)),
    RealCase("timesteps_used_as_units", "input_shapes",
             "https://github.com/polyaxon/haupt/issues/6",
             "BasicLSTMCell(layer['steps']): TIMESTEPS sets both the window and the size of "
             "the LSTM",
             "units_equals_timesteps", False, timesteps_as_units_broken,
             timesteps_as_units_fixed,
             note="the poster's TensorFlow cells, rebuilt as Keras LSTM layers"),
    RealCase("fixed_batch_shape_fit_with_default_batch", "input_shapes",
             "https://github.com/keras-team/keras/issues/13858",
             "LSTM(1, batch_input_shape=(180, 11, 1)) fit with the default batch size: "
             "'Incompatible shapes: [32] vs. [180]'",
             "batch_in_input_shape", True, fixed_batch_shape_broken, fixed_batch_shape_fixed,
             accept=("stateful_batch", "batch_mismatch", "loss_label_encoding_mismatch")),
    RealCase("iris_features_into_embedding", "input_shapes",
             "https://github.com/keras-team/keras/issues/274",
             "IRIS (150, 4) features into Embedding(4, 64) -> LSTM: the system always "
             "identifies one class",
             "embedding_input_rank", True, iris_into_embedding_broken,
             iris_into_embedding_fixed, accept=("wrong_dtype",)),
    RealCase("disk_windows_with_trailing_axis", "input_shapes",
             "https://github.com/SidiLu001/disk_failure_prediction/issues/1",
             "'expected lstm_1_input to have 3 dimensions, but got array with shape (844, 240, "
             "94, 1)'",
             "wrong_rank", False, disk_windows_trailing_axis_broken,
             disk_windows_trailing_axis_fixed, note="Keras 3 squeezes the trailing 1"),
    RealCase("price_window_without_feature_axis", "input_shapes",
             "https://github.com/tensorflow/tensorflow/issues/48138",
             "'Input 0 of layer sequential is incompatible with the layer: expected ndim=3, "
             "found ndim=2. Full shape received: (1, 60)'",
             "missing_timestep_axis", False, last_window_without_feature_axis_broken,
             last_window_without_feature_axis_fixed),
]


# Correct models ----------------------------------------------------------------------------

def bidirectional_lstm_imdb():
    """keras.io bidirectional LSTM on IMDB: Embedding -> 2 Bidirectional LSTMs -> sigmoid."""
    model = seq((None,), L.Embedding(200, 16), L.Bidirectional(L.LSTM(8, return_sequences=True)),
                L.Bidirectional(L.LSTM(8)), L.Dense(1, activation="sigmoid"), dtype="int32",
                loss="binary_crossentropy")
    return model, tokens(N, 20, 200), (ints(N, 2) > 0).astype("float32"), {}


def jena_lstm_baseline():
    """Deep Learning with Python, ch. 10: Input((steps, features)) -> LSTM(16) -> Dense(1)."""
    return seq((12, 14), L.LSTM(16), L.Dense(1)), feats(N, 12, 14), feats(N, 1, seed=1), {}


def sequential_guide_stacked_lstm():
    """keras.io Sequential guide (keras#9443 with proper labels): stacked LSTMs -> softmax."""
    model = seq((T, 16), L.LSTM(32, return_sequences=True), L.LSTM(32, return_sequences=True),
                L.LSTM(32), L.Dense(10, activation="softmax"), loss="categorical_crossentropy")
    return model, feats(N, T, 16), onehot(ints(N, 10), 10), {}


CORRECT = [
    CorrectModel("bidirectional_lstm_imdb", "input_shapes",
                 "https://keras.io/examples/nlp/bidirectional_lstm_imdb/",
                 bidirectional_lstm_imdb),
    CorrectModel("jena_lstm_baseline", "input_shapes",
                 "https://github.com/fchollet/deep-learning-with-python-notebooks/blob/master/"
                 "chapter10_dl-for-timeseries.ipynb", jena_lstm_baseline),
    CorrectModel("sequential_guide_stacked_lstm", "input_shapes",
                 "https://github.com/keras-team/keras/issues/9443",
                 sequential_guide_stacked_lstm),
]
