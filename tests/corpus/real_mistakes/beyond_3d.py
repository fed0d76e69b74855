"""Layers beyond (batch, time, features): ConvLSTM1D/2D, TimeDistributed CNNs, frames."""

from __future__ import annotations

import numpy as np

from . import CorrectModel, RealCase
from ._kit import L, feats, fn, ints, keras, onehot, seq

V, T, H, W = 8, 4, 8, 8  # videos, frames per video, rows, cols


def _videos(channels: int = 1, seed: int = 0) -> np.ndarray:
    return feats(V, T, H, W, channels, seed=seed)


def _cnn_gru(shape: tuple) -> list:
    return [L.TimeDistributed(L.Conv2D(4, 3)), L.TimeDistributed(L.Flatten()),
            L.GRU(8, return_sequences=True), L.TimeDistributed(L.Dense(1))]


# keras-team/keras#2649: a video's frames given as the batch (batch_input_shape=(2710, 3, 32,
# 32)); TimeDistributed(Conv2D) then has no time axis to map over.
def frames_as_batch_broken():
    x = _videos(3).reshape(V * T, H, W, 3)  # every frame of every video, one per row
    y = feats(V * T, 1, seed=1)
    return seq(None, *_cnn_gru(()), batch_shape=(T, H, W, 3)), x, y, {"batch_size": T}


def frames_as_batch_fixed():
    x, y = _videos(3), feats(V, T, 1, seed=1)
    return seq((T, H, W, 3), *_cnn_gru(())), x, y, {}


# keras-team/keras#401: TimeDistributed convolutions on input_shape=(30, 256, 256), grayscale
# frames without a channel axis ("expects input ndim=5").
def _frames_classifier(shape: tuple):
    return seq(shape, L.TimeDistributed(L.Conv2D(4, 3, padding="same")),
               L.TimeDistributed(L.MaxPooling2D()), L.TimeDistributed(L.Flatten()),
               L.LSTM(8), L.Dense(3, activation="softmax"),
               loss="sparse_categorical_crossentropy")


def no_channel_broken():
    return _frames_classifier((T, H, W)), _videos()[..., 0], ints(V, 3), {}


def no_channel_fixed():
    return _frames_classifier((T, H, W, 1)), _videos(), ints(V, 3), {}


# keras-team/keras#10572: stacked ConvLSTM2D, the last with return_sequences=False, then a
# Conv2D softmax map, against targets that hold every frame: "expected activation_1 to have
# 4 dimensions, but got array with shape (1, 5, 256, 256, 3)".
def convlstm_last_frame_broken():
    x, y = _videos(3), onehot(ints(V * T * H * W, 3), 3).reshape(V, T, H, W, 3)
    model = seq((T, H, W, 3), L.ConvLSTM2D(4, 3, padding="same", return_sequences=True),
                L.ConvLSTM2D(4, 3, padding="same", return_sequences=False),
                L.Conv2D(3, 1, activation="softmax"), loss="categorical_crossentropy")
    return model, x, y, {}


def convlstm_last_frame_fixed():
    x, y = _videos(3), onehot(ints(V * T * H * W, 3), 3).reshape(V, T, H, W, 3)
    model = seq((T, H, W, 3), L.ConvLSTM2D(4, 3, padding="same", return_sequences=True),
                L.ConvLSTM2D(4, 3, padding="same", return_sequences=True),
                L.TimeDistributed(L.Conv2D(3, 1, activation="softmax")),
                loss="categorical_crossentropy")
    return model, x, y, {}


# keras-team/keras#10235: ConvLSTM2D(input_shape=x_train.shape) with x_train (668, 677, 1, 1,
# 676): "expected ndim=5, found ndim=6".
def _convlstm_regressor(shape: tuple):
    return seq(shape, L.ConvLSTM2D(4, (1, 1)), L.Flatten(), L.Dense(1))


def convlstm_data_shape_broken():
    x = feats(16, 6, 1, 1, 5)
    return _convlstm_regressor(x.shape), x, feats(16, 1, seed=1), {}


def convlstm_data_shape_fixed():
    x = feats(16, 6, 1, 1, 5)
    return _convlstm_regressor(x.shape[1:]), x, feats(16, 1, seed=1), {}


# rstudio/keras3#220: layer_conv_lstm_2d with input_shape = c(Smp, 1, 1) and data (4000, 50,
# 1, 1): "expected ndim=5, found ndim=4"; ConvLSTM2D reads (time, rows, cols, channels).
def _convlstm_series(shape: tuple):
    return seq(shape, L.ConvLSTM2D(4, (3, 1), padding="same"), L.Flatten(), L.Dense(3),
               batch_size=8)


def convlstm_no_time_axis_broken():
    x = feats(16, 12, 1, 1)
    return _convlstm_series((12, 1, 1)), x, feats(16, 3, seed=1), {"batch_size": 8}


def convlstm_no_time_axis_fixed():
    x = feats(16, 12, 1, 1)[..., None]  # 12 time steps of a 1x1 "image" with 1 channel
    return _convlstm_series((12, 1, 1, 1)), x, feats(16, 3, seed=1), {"batch_size": 8}


# iamrakesh28/Video-Prediction#4: a Conv2D applied to (batch, seq_len, rows, cols, depth):
# "expected ndim=4, found ndim=5".
def conv_without_td_broken():
    i = keras.Input((T, H, W, 1))
    h = L.ConvLSTM2D(4, 3, padding="same", return_sequences=True)(i)
    out = L.Conv2D(1, 3, padding="same")(h)
    return fn(i, out), _videos(), _videos(seed=1), {}


def conv_without_td_fixed():
    i = keras.Input((T, H, W, 1))
    h = L.ConvLSTM2D(4, 3, padding="same", return_sequences=True)(i)
    out = L.TimeDistributed(L.Conv2D(1, 3, padding="same"))(h)
    return fn(i, out), _videos(), _videos(seed=1), {}


# harshtikuu/Abnormal_Event_Detection#21: ConvLSTM2D fed (batch, x, y, time, channels); it
# runs, recurring over image rows instead of frames.
def _convlstm_pool(shape: tuple):
    return seq(shape, L.ConvLSTM2D(4, 3, padding="same"), L.GlobalAveragePooling2D(),
               L.Dense(1))


def time_last_broken():
    frames = feats(V, 6, 5, T)  # (batch, x, y, time): the frames stacked on the last axis
    return _convlstm_pool((6, 5, T, 1)), frames[..., None], feats(V, 1, seed=1), {}


def time_last_fixed():
    frames = feats(V, 6, 5, T)
    x = np.moveaxis(frames, 3, 1)[..., None]  # (batch, time, x, y, 1)
    return _convlstm_pool((T, 6, 5, 1)), x, feats(V, 1, seed=1), {}


# anayebi/keras-extra#5: frames laid out channels-first, X_train (60000, 196, 1, 15, 15),
# into TimeDistributed convolutions of a channels-last Keras: the 1 becomes the rows.
def _td_classifier(shape: tuple):
    return seq(shape, L.TimeDistributed(L.Conv2D(4, 3, padding="same")),
               L.TimeDistributed(L.Flatten()), L.LSTM(8), L.Dense(3, activation="softmax"),
               loss="sparse_categorical_crossentropy")


def channels_first_broken():
    x = feats(V, T, 1, H, W)
    return _td_classifier((T, 1, H, W)), x, ints(V, 3), {}


def channels_first_fixed():
    x = np.moveaxis(feats(V, T, 1, H, W), 2, -1)  # (batch, time, rows, cols, 1)
    return _td_classifier((T, H, W, 1)), x, ints(V, 3), {}


# keras-team/keras#129: Conv2D -> MaxPooling2D -> Flatten -> LSTM for sequence labelling of
# images: the LSTM gets (samples, features) with no time axis.
def cnn_flatten_lstm_broken():
    model = seq((H, W, 1), L.Conv2D(4, 3), L.MaxPooling2D(), L.Flatten(),
                L.LSTM(8, return_sequences=True), L.Dense(3, activation="softmax"),
                loss="categorical_crossentropy")
    return model, _videos(), onehot(ints(V * T, 3), 3).reshape(V, T, 3), {}


def cnn_flatten_lstm_fixed():
    model = seq((T, H, W, 1), L.TimeDistributed(L.Conv2D(4, 3)),
                L.TimeDistributed(L.MaxPooling2D()), L.TimeDistributed(L.Flatten()),
                L.LSTM(8, return_sequences=True), L.Dense(3, activation="softmax"),
                loss="categorical_crossentropy")
    return model, _videos(), onehot(ints(V * T, 3), 3).reshape(V, T, 3), {}


# keras-team/keras#2090: TimeDistributed(Convolution1D) declared input_shape=(4, 1, 1024)
# for data (6, 4, 1024): each step is a 1024-sample signal that needs a channel axis last.
def _td_conv1d(shape: tuple):
    return seq(shape, L.TimeDistributed(L.Conv1D(4, 3, padding="same")),
               L.TimeDistributed(L.GlobalMaxPooling1D()), L.LSTM(8), L.Dense(1))


def td_conv1d_channel_broken():
    return _td_conv1d((T, 1, 32)), feats(V, T, 32), feats(V, 1, seed=1), {}


def td_conv1d_channel_fixed():
    return _td_conv1d((T, 32, 1)), feats(V, T, 32)[..., None], feats(V, 1, seed=1), {}


# keras-team/keras#8442: TimeDistributed CNN features into two LSTMs whose last returns one
# vector, against labels [None, time, 7] (one vector per frame).
def _cnn_lstm(last_sequences: bool):
    return seq((T, H, W, 1), L.TimeDistributed(L.Conv2D(4, 3)),
               L.TimeDistributed(L.Flatten()), L.LSTM(8, return_sequences=True),
               L.LSTM(8, return_sequences=last_sequences), L.Dense(7))


def per_frame_labels_broken():
    return _cnn_lstm(False), _videos(), feats(V, T, 7, seed=1), {}


def per_frame_labels_fixed():
    return _cnn_lstm(True), _videos(), feats(V, T, 7, seed=1), {}


# keras-team/keras#815: stacked LSTMs whose last has return_sequences=False, then
# TimeDistributedDense: "Expects 3 dimensions, only receiving 2"; fchollet: "Use
# return_sequences=True in the last layer".
def _per_step_vocab(last_sequences: bool):
    x = onehot(ints(V * T * 2, 6).reshape(V * 2, T), 6)
    model = seq((T, 6), L.LSTM(8, return_sequences=True), L.Dropout(0.2),
                L.LSTM(8, return_sequences=last_sequences), L.Dropout(0.2),
                L.TimeDistributed(L.Dense(6, activation="softmax")),
                loss="categorical_crossentropy")
    return model, x, x, {}


def td_after_last_step_broken():
    return _per_step_vocab(False)


def td_after_last_step_fixed():
    return _per_step_vocab(True)


# google-deepmind/dm-haiku#584: a Conv2DLSTM unrolled over data laid out (batch, time, ...)
# by an unroll that reads (time, batch, ...); the poster's 10 clips of 10 frames hid it.
# Rebuilt the other way round in Keras: time-major clips into the batch-major ConvLSTM2D.
def _clip_classifier():
    return seq((T, H, W, 1), L.ConvLSTM2D(4, 3, padding="same"), L.GlobalAveragePooling2D(),
               L.Dense(1))


def time_major_clips_broken():
    clips = feats(T, T, H, W, 1)  # T clips of T frames, as (batch, time, ...)
    return _clip_classifier(), np.swapaxes(clips, 0, 1), feats(T, 1, seed=1), {}


def time_major_clips_fixed():
    clips = feats(T, T, H, W, 1)
    return _clip_classifier(), clips, feats(T, 1, seed=1), {}

CASES = [
    RealCase("td_conv_frames_as_batch", "beyond_3d",
             "https://github.com/keras-team/keras/issues/2649",
             "TimeDistributed(Convolution2D) with batch_input_shape=(2710, 3, 32, 32): the "
             "frames of one video were the batch, and building the model failed",
             "timedistributed_rank", True, frames_as_batch_broken, frames_as_batch_fixed,
             accept=("missing_timestep_axis", "wrong_rank")),
    RealCase("td_conv_frames_without_channel", "beyond_3d",
             "https://github.com/keras-team/keras/issues/401",
             "TimeDistributed convolutions on input_shape=(30, 256, 256): 'Layer expects "
             "input ndim=5, was provided with input shape (None, 30, 256, 256)'",
             "missing_channel_axis", True, no_channel_broken, no_channel_fixed,
             accept=("timedistributed_rank", "wrong_rank")),
    RealCase("convlstm_last_frame_vs_all_frames", "beyond_3d",
             "https://github.com/keras-team/keras/issues/10572",
             "ConvLSTM2D(return_sequences=False) + Conv2D softmax against targets of shape "
             "(1, 5, 256, 256, 3): 'expected activation_1 to have 4 dimensions'",
             "last_output_vs_sequence_target", True, convlstm_last_frame_broken,
             convlstm_last_frame_fixed),
    RealCase("convlstm_input_shape_is_data_shape", "beyond_3d",
             "https://github.com/keras-team/keras/issues/10235",
             "ConvLSTM2D(input_shape=x_train.shape) with x_train (668, 677, 1, 1, 676): "
             "'expected ndim=5, found ndim=6'",
             "batch_in_input_shape", True, convlstm_data_shape_broken,
             convlstm_data_shape_fixed, accept=("wrong_rank",)),
    RealCase("convlstm_series_without_time_axis", "beyond_3d",
             "https://github.com/rstudio/keras3/issues/220",
             "layer_conv_lstm_2d with input_shape = c(50, 1, 1) for data (4000, 50, 1, 1): "
             "'expected ndim=5, found ndim=4'",
             "missing_timestep_axis", True, convlstm_no_time_axis_broken,
             convlstm_no_time_axis_fixed, accept=("wrong_rank", "missing_channel_axis")),
    RealCase("conv2d_on_frames_without_timedistributed", "beyond_3d",
             "https://github.com/iamrakesh28/Video-Prediction/issues/4",
             "a Conv2D after the ConvLSTM encoder got (8, 5, 40, 40, 1): 'expected ndim=4, "
             "found ndim=5'",
             "missing_timedistributed", True, conv_without_td_broken, conv_without_td_fixed,
             accept=("timedistributed_rank", "wrong_rank")),
    RealCase("convlstm_time_on_last_axis", "beyond_3d",
             "https://github.com/harshtikuu/Abnormal_Event_Detection/issues/21",
             "the ConvLSTM2D of the autoencoder received (batch, x, y, time, channels) "
             "although it reads (batch, time, x, y, channels); it trained anyway",
             "swapped_axes", False, time_last_broken, time_last_fixed),
    RealCase("td_frames_channels_first", "beyond_3d",
             "https://github.com/anayebi/keras-extra/issues/5",
             "TimeDistributed convolutions over X_train (60000, 196, 1, 15, 15), channels "
             "first; the model's shapes did not come out as expected",
             "swapped_axes", False, channels_first_broken, channels_first_fixed,
             accept=("missing_channel_axis",),
             note="Keras 3 is channels-last: the 1 becomes the rows and 15 the channels"),
    RealCase("cnn_flatten_before_lstm", "beyond_3d",
             "https://github.com/keras-team/keras/issues/129",
             "Convolution2D -> MaxPooling2D -> Flatten -> LSTM for sequence labelling: the "
             "LSTM got (nb_samples, features) with no time axis",
             "missing_timedistributed", True, cnn_flatten_lstm_broken, cnn_flatten_lstm_fixed,
             accept=("missing_timestep_axis",)),
    RealCase("td_conv1d_declared_channels_first", "beyond_3d",
             "https://github.com/keras-team/keras/issues/2090",
             "TimeDistributed(Convolution1D) with input_shape=(4, 1, 1024) for an input "
             "tensor (6, 4, 1024): an error when the model was built",
             "input_shape_data_mismatch", True, td_conv1d_channel_broken,
             td_conv1d_channel_fixed, accept=("missing_channel_axis", "wrong_rank")),
    RealCase("cnn_lstm_one_vector_for_per_frame_labels", "beyond_3d",
             "https://github.com/keras-team/keras/issues/8442",
             "TimeDistributed CNN + two LSTMs producing one 7-vector, labels [None, time, 7]: "
             "an error when training",
             "last_output_vs_sequence_target", True, per_frame_labels_broken,
             per_frame_labels_fixed),
    RealCase("timedistributed_after_last_step_lstm", "beyond_3d",
             "https://github.com/keras-team/keras/issues/815",
             "stacked LSTMs ending with return_sequences=False, then TimeDistributedDense: "
             "'Expects 3 dimensions, only receiving 2'",
             "timedistributed_rank", True, td_after_last_step_broken, td_after_last_step_fixed,
             accept=("missing_return_sequences", "last_output_vs_sequence_target")),
    RealCase("convlstm_time_major_clips", "beyond_3d",
             "https://github.com/google-deepmind/dm-haiku/issues/584",
             "a Conv2DLSTM unrolled over (batch, time, ...) data by a time-major unroll, with "
             "as many clips as frames: 'How to use ConvLSTM?'",
             "swapped_axes", False, time_major_clips_broken, time_major_clips_fixed,
             note="the poster used Haiku; rebuilt as time-major data in Keras's batch-major "
                  "ConvLSTM2D, with as many clips as frames as in the post"),
]


# Correct models ----------------------------------------------------------------------------

def conv_lstm_next_frame():
    """keras.io next-frame prediction: stacked ConvLSTM2D + Conv3D, per-pixel sigmoid."""
    x = np.abs(_videos())
    model = seq((None, H, W, 1),
                L.ConvLSTM2D(8, (5, 5), padding="same", return_sequences=True,
                             activation="relu"),
                L.BatchNormalization(),
                L.ConvLSTM2D(8, (3, 3), padding="same", return_sequences=True,
                             activation="relu"),
                L.Conv3D(1, (3, 3, 3), activation="sigmoid", padding="same"),
                loss="binary_crossentropy")
    return model, x, np.clip(x, 0, 1), {}


def td_cnn_lstm_video():
    """keras#9788 (the answer's model, shrunk): TimeDistributed CNN -> LSTM -> classes."""
    model = seq((T, 32, 32, 3), L.TimeDistributed(L.Conv2D(8, (5, 5), strides=(2, 2),
                                                           activation="relu")),
                L.TimeDistributed(L.MaxPooling2D((2, 2))),
                L.TimeDistributed(L.Flatten()), L.LSTM(16, return_sequences=True),
                L.TimeDistributed(L.Dense(8, activation="relu")), L.LSTM(8),
                L.Dense(4, activation="softmax"), loss="categorical_crossentropy")
    return model, feats(V, T, 32, 32, 3), onehot(ints(V, 4), 4), {}


def timedistributed_conv_docs():
    """keras.io TimeDistributed docs: Conv2D over (None, 10, 128, 128, 3) batches of frames."""
    i = keras.Input((T, 16, 16, 3))
    h = L.TimeDistributed(L.Conv2D(8, (3, 3)))(i)
    h = L.TimeDistributed(L.GlobalAveragePooling2D())(h)
    return fn(i, L.Dense(1)(L.GRU(4)(h))), feats(V, T, 16, 16, 3), feats(V, 1, seed=1), {}


def conv_lstm1d_sensor_rows():
    """keras.io ConvLSTM1D docs: (samples, time, rows, channels) -> (samples, rows', filters)."""
    model = seq((T, 10, 3), L.ConvLSTM1D(4, 3, padding="same", return_sequences=True),
                L.ConvLSTM1D(4, 3), L.Flatten(), L.Dense(1))
    return model, feats(V, T, 10, 3), feats(V, 1, seed=1), {}


CORRECT = [
    CorrectModel("conv_lstm_next_frame", "beyond_3d",
                 "https://keras.io/examples/vision/conv_lstm/", conv_lstm_next_frame),
    CorrectModel("td_cnn_lstm_video", "beyond_3d",
                 "https://github.com/keras-team/keras/issues/9788", td_cnn_lstm_video),
    CorrectModel("timedistributed_conv_docs", "beyond_3d",
                 "https://keras.io/api/layers/recurrent_layers/time_distributed/",
                 timedistributed_conv_docs),
    CorrectModel("conv_lstm1d_sensor_rows", "beyond_3d",
                 "https://keras.io/api/layers/recurrent_layers/conv_lstm1d/",
                 conv_lstm1d_sensor_rows),
]
