"""tf.data pipelines, timeseries_dataset_from_array and hand-made windows with their targets."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from . import CorrectModel, RealCase
from ._kit import L, N, feats, ints, keras, onehot, seq, series, windows

T = 8


# tensorflow/tensorflow#40343: timeseries_dataset_from_array(series, series,
# sequence_length=90): "The output target (or y) start first with record of data (or sliding
# window), not with sequence_length+1 item".
def _series_model():
    return seq((T, 1), L.LSTM(8), L.Dense(1))


def target_inside_window_broken():
    s = series(60)[:, None]
    ds = keras.utils.timeseries_dataset_from_array(s, s, sequence_length=T, batch_size=16)
    return _series_model(), ds, None, {}


def target_inside_window_fixed():
    s = series(60)[:, None]
    ds = keras.utils.timeseries_dataset_from_array(s[:-T], s[T:], sequence_length=T,
                                                   batch_size=16)
    return _series_model(), ds, None, {}


# tensorflow/tensorflow#37220: the HIGGS CsvDataset of (28,) feature rows, batched, into a
# model whose first layer is an LSTM: "Cannot get model to work".
def _higgs(add_axis: bool):
    rows = feats(64, 28)
    labels = (ints(64, 2) > 0).astype("float32")
    ds = tf.data.Dataset.from_tensor_slices((rows, labels))
    if add_axis:
        ds = ds.map(lambda f, y: (tf.expand_dims(f, -1), y))
    model = seq((28, 1) if add_axis else (28,), L.LSTM(16), L.Dense(1, activation="sigmoid"),
                loss="binary_crossentropy")
    return model, ds.batch(16), None, {}


def higgs_rows_broken():
    return _higgs(False)


def higgs_rows_fixed():
    return _higgs(True)


# cristianleoo/models-from-scratch-python#2: trainX reshaped to (samples, 1, look_back):
# "I would have expected look_back to correspond to time_steps, not to features".
def window_on_features_broken():
    x, y = windows(t=4)
    model = seq((1, 4), L.LSTM(8), L.Dense(1))
    return model, np.reshape(x[..., 0], (N, 1, 4)), y, {}


def window_on_features_fixed():
    x, y = windows(t=4)
    model = seq((4, 1), L.LSTM(8), L.Dense(1))
    return model, np.reshape(x[..., 0], (N, 4, 1)), y, {}


# ColasGael/Machine-Learning-for-Solar-Energy-Prediction#2: X_train = np.reshape(train_data,
# (train_data.shape[0], 1, train_data.shape[1])): one time step per sample.
F = 6


def _solar_rows():
    rows = feats(N + T, F)
    target = rows[:, :1] * 0.5 + 0.1
    return rows, target


def one_step_rows_broken():
    rows, target = _solar_rows()
    return seq((None, F), L.LSTM(8), L.Dense(1)), rows[:, None, :], target, {}


def one_step_rows_fixed():
    rows, target = _solar_rows()
    x = np.stack([rows[i:i + T] for i in range(len(rows) - T + 1)])  # the T rows up to t
    return seq((None, F), L.LSTM(8), L.Dense(1)), x, target[T - 1:], {}


# keras-team/keras#2415 (a comment): windows reshaped to (samples, look_back, 1), then
# LSTM(10, input_dim=look_back): "expected ndim=2, found ndim=3"-style errors.
def input_dim_look_back_broken():
    x, y = windows(t=10)
    return seq((None, 10), L.LSTM(10), L.Dense(1)), x, y, {"batch_size": 16}


def input_dim_look_back_fixed():
    x, y = windows(t=10)
    return seq((10, 1), L.LSTM(10), L.Dense(1)), x, y, {"batch_size": 16}


# austineaero/Remaining-Useful-Life-RUL-Estimation#13: "expected input_1 to have 3
# dimensions, but got array with shape (100, 24)"; the maintainer: use sequence_generator,
# "if your window size is 50, your input should be (N, 50, 24)".
W = 10


def _engine():
    readings = feats(60, 24)
    rul = np.arange(60, 0, -1, dtype="float32")[:, None]
    return readings, rul


def rul_rows_broken():
    readings, rul = _engine()
    model = seq((W, 24), L.LSTM(16), L.Dense(1))
    return model, readings, rul, {}


def rul_rows_fixed():
    readings, rul = _engine()
    x = np.stack([readings[i:i + W] for i in range(len(readings) - W + 1)])
    model = seq((W, 24), L.LSTM(16), L.Dense(1))
    return model, x, rul[W - 1:], {}


# keras-team/keras#1597: sequence labelling with batch_input_shape=(16, 1, 200): every word
# is its own sample of one time step; "acc and val_acc don't change".
LABS = 4


def _tagger(steps):
    return seq((steps, 20), L.LSTM(16, return_sequences=True), L.Dropout(0.2),
               L.TimeDistributed(L.Dense(LABS)), L.Activation("softmax"),
               loss="categorical_crossentropy")


def word_per_sample_broken():
    words = feats(N * T, 20)
    tags = onehot(ints(N * T, LABS), LABS)
    return _tagger(1), words[:, None, :], tags[:, None, :], {"batch_size": 16}


def word_per_sample_fixed():
    words = feats(N * T, 20)
    tags = onehot(ints(N * T, LABS), LABS)
    return _tagger(T), words.reshape(N, T, 20), tags.reshape(N, T, LABS), {"batch_size": 16}


# keras-team/keras#3828: `model.add(LSTM(4, input_dim=look_back))` on the look_back
# windows: "4 LSTM blocks ... how many cells?"; input_dim=look_back puts the window on the
# feature axis with one time step.
def look_back_as_input_dim_broken():
    x, y = windows(t=3)
    return seq((1, 3), L.LSTM(4), L.Dense(1)), x.reshape(N, 1, 3), y, {}


def look_back_as_input_dim_fixed():
    x, y = windows(t=3)
    return seq((3, 1), L.LSTM(4), L.Dense(1)), x, y, {}


# keras-team/keras#6084: "That is from 2d to 3d, say you have (100,2) shaped data to
# (100,1,2) data?" -- "I want to train with my data (100, 2), with time step is 7".
def rows_one_step_broken():
    rows, y = feats(100, 2), feats(100, 1, seed=1)
    return seq((None, 2), L.LSTM(8), L.Dense(1)), rows[:, None, :], y, {}


def rows_one_step_fixed():
    rows, y = feats(100, 2), feats(100, 1, seed=1)
    x = np.stack([rows[i:i + 7] for i in range(100 - 7 + 1)])  # 7 steps up to each row
    return seq((None, 2), L.LSTM(8), L.Dense(1)), x, y[6:], {}

# bnsreenu/python_for_microscopists#74: the time-series LSTM tutorial reshaped its windows
# with np.reshape(trainX, (trainX.shape[0], 1, trainX.shape[1])) and input_shape=(None,
# seq_size); the PR corrects "train/test shape and model input shape".
def tutorial_windows_broken():
    x, y = windows(t=10)
    model = seq((None, 10), L.LSTM(16), L.Dense(32), L.Dense(1))
    return model, np.reshape(x[..., 0], (N, 1, 10)), y, {}


def tutorial_windows_fixed():
    x, y = windows(t=10)
    model = seq((10, 1), L.LSTM(16), L.Dense(32), L.Dense(1))
    return model, x, y, {}


CASES = [
    RealCase("timeseries_dataset_target_inside_window", "datasets",
             "https://github.com/tensorflow/tensorflow/issues/40343",
             "timeseries_dataset_from_array(series, series, sequence_length=90): the target "
             "is the first value of its own window, not the value after it",
             "window_misalignment", False, target_inside_window_broken,
             target_inside_window_fixed),
    RealCase("tabular_dataset_rows_into_lstm", "datasets",
             "https://github.com/tensorflow/tensorflow/issues/37220",
             "the HIGGS CsvDataset of 28-feature rows into an LSTM model: 'Cannot get model "
             "to work'",
             "missing_timestep_axis", True, higgs_rows_broken, higgs_rows_fixed,
             accept=("wrong_rank",)),
    RealCase("window_reshaped_onto_feature_axis", "datasets",
             "https://github.com/cristianleoo/models-from-scratch-python/issues/2",
             "trainX reshaped to (samples, 1, look_back): 1 timestep with look_back features",
             "window_as_features", False, window_on_features_broken, window_on_features_fixed,
             accept=("no_temporal_context",)),
    RealCase("one_row_per_sample_one_timestep", "datasets",
             "https://github.com/ColasGael/Machine-Learning-for-Solar-Energy-Prediction/"
             "issues/2",
             "X_train reshaped to (samples, 1, features): how to use more than one time step?",
             "no_temporal_context", False, one_step_rows_broken, one_step_rows_fixed),
    RealCase("input_dim_is_look_back", "datasets",
             "https://github.com/keras-team/keras/issues/2415",
             "trainX reshaped to (samples, look_back, 1), model LSTM(10, input_dim=look_back): "
             "a shape error",
             "input_shape_data_mismatch", True, input_dim_look_back_broken,
             input_dim_look_back_fixed, accept=("window_as_features", "swapped_axes")),
    RealCase("engine_rows_without_windows", "datasets",
             "https://github.com/austineaero/Remaining-Useful-Life-RUL-Estimation/issues/13",
             "'expected input_1 to have 3 dimensions, but got array with shape (100, 24)'; "
             "the maintainer: make windows, (N, 50, 24)",
             "missing_timestep_axis", True, rul_rows_broken, rul_rows_fixed),
    RealCase("one_word_per_sample_tagger", "datasets",
             "https://github.com/keras-team/keras/issues/1597",
             "an LSTM sequence labeller with batch_input_shape=(16, 1, 200): acc and val_acc "
             "don't change",
             "no_temporal_context", False, word_per_sample_broken, word_per_sample_fixed),
    RealCase("look_back_as_input_dim", "datasets",
             "https://github.com/keras-team/keras/issues/3828",
             "model.add(LSTM(4, input_dim=look_back)): the look-back window as the feature "
             "axis of a single time step",
             "window_as_features", False, look_back_as_input_dim_broken,
             look_back_as_input_dim_fixed, accept=("no_temporal_context",)),
    RealCase("rows_reshaped_to_one_step", "datasets",
             "https://github.com/keras-team/keras/issues/6084",
             "(100, 2) data reshaped to (100, 1, 2) for an LSTM when 7 time steps were wanted",
             "no_temporal_context", False, rows_one_step_broken, rows_one_step_fixed),
    RealCase("tutorial_windows_on_feature_axis", "datasets",
             "https://github.com/bnsreenu/python_for_microscopists/pull/74",
             "the LSTM tutorial's windows reshaped to (samples, 1, seq_size) with "
             "input_shape=(None, seq_size); the PR corrects the shapes",
             "window_as_features", False, tutorial_windows_broken, tutorial_windows_fixed,
             accept=("no_temporal_context",)),
]


# Correct models ----------------------------------------------------------------------------

def weather_forecasting_dataset():
    """keras.io weather forecasting: timeseries_dataset_from_array with the future offset."""
    data = feats(200, 7)
    past, future, step = 24, 6, 2
    start = past + future
    x_train, y_train = data[:150], data[start:start + 150, 1:2]
    ds = keras.utils.timeseries_dataset_from_array(
        x_train, y_train, sequence_length=past // step, sampling_rate=step, batch_size=32)
    model = seq((past // step, 7), L.LSTM(16), L.Dense(1))
    return model, ds, None, {}


def window_generator_dataset():
    """TF time-series tutorial: a tf.data window split into inputs and labels, LSTM -> Dense."""
    s = np.stack([series(120), series(120, seed=1)], axis=-1)
    def as_tensor(window):
        return window.batch(T + 1)

    def split(window):
        return window[:T], window[T:, :1]

    ds = tf.data.Dataset.from_tensor_slices(s).window(T + 1, shift=1, drop_remainder=True)
    ds = ds.flat_map(as_tensor).map(split)
    return seq((T, 2), L.LSTM(16), L.Dense(1), L.Reshape((1, 1))), ds.batch(16), None, {}


CORRECT = [
    CorrectModel("weather_forecasting_dataset", "datasets",
                 "https://keras.io/examples/timeseries/timeseries_weather_forecasting/",
                 weather_forecasting_dataset),
    CorrectModel("window_generator_dataset", "datasets",
                 "https://www.tensorflow.org/tutorials/structured_data/time_series",
                 window_generator_dataset),
]
