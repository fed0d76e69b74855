"""Stateful RNNs: one fixed batch size, and predicting with another one."""

from __future__ import annotations

from . import CorrectModel, RealCase
from ._kit import L, compiled, feats, ints, keras, onehot, seq, tokens

T, CH = 6, 8


def _stateful_char_model(batch: int):
    return seq(None, L.LSTM(16, stateful=True, return_sequences=True),
               L.LSTM(16, stateful=True), L.Dense(CH, activation="softmax"),
               batch_shape=(batch, T, CH), loss="categorical_crossentropy")


def _chars(n: int, seed: int = 0):
    x = onehot(ints(n * T, CH, seed=seed).reshape(n, T), CH)
    return x, onehot(ints(n, CH, seed=seed + 1), CH)


def _twin(model, batch: int):
    """The same layers for another fixed batch size, carrying the trained weights over."""
    twin = _stateful_char_model(batch)
    twin.set_weights(model.get_weights())
    return twin


# keras-team/keras#1332: lstm_text_generation made stateful with batch_input_shape=(batch_size,
# ...), trained on batches of 128, then sampled one seed at a time: "dimension mismatch in
# args to gemm (128,512)x(512,512)->(1,512)". Rebuilt as a fit on the seed sample (the
# forward pass is the one predict runs).
def predict_one_seed_broken():
    model = _stateful_char_model(8)
    seed_x, seed_y = _chars(1, seed=3)
    return model, seed_x, seed_y, {"batch_size": 1}


def predict_one_seed_fixed():
    model = _stateful_char_model(8)
    x, y = _chars(16)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    seed_x, seed_y = _chars(1, seed=3)
    return _twin(model, 1), seed_x, seed_y, {"batch_size": 1}


# rstudio/keras3#1212: a stateful LSTM trained with batch.size = 25 predicts a test set of
# 324 windows: "Specified a list with shape [25,2] from a tensor with shape [24,2]".
def predict_test_set_broken():
    model = _stateful_char_model(8)
    test_x, test_y = _chars(12, seed=4)
    return model, test_x, test_y, {"batch_size": 8, "shuffle": False}


def predict_test_set_fixed():
    model = _stateful_char_model(8)
    x, y = _chars(16)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    test_x, test_y = _chars(12, seed=4)
    return _twin(model, 1), test_x, test_y, {"batch_size": 1, "shuffle": False}


# keras-team/keras#1902: Embedding(batch_input_shape=(16, 10)) -> LSTM(stateful=True), 500
# samples: the first epoch fails at its last, smaller batch.
def _embedding_stateful(batch: int):
    return seq(None, L.Embedding(20, 8), L.LSTM(16, stateful=True), L.Dropout(0.5),
               L.Dense(5), L.Activation("sigmoid"), batch_shape=(batch, 10),
               loss="binary_crossentropy")


def _labels(n: int):
    return (feats(n, 5, seed=1) > 0).astype("float32")


def samples_not_divisible_broken():
    return _embedding_stateful(16), tokens(40, 10, 20), _labels(40), \
        {"batch_size": 16, "shuffle": False}


def samples_not_divisible_fixed():  # 8 streams divide the 40 samples: none is dropped
    return _embedding_stateful(8), tokens(40, 10, 20), _labels(40), \
        {"batch_size": 8, "shuffle": False}


# tensorflow/tensorflow#64061: a stateful LSTM on timeseries_dataset_from_array windows:
# "the batch size must be static. Found dynamic batch size", then with the shape written as
# (XX, XX, XX): "expected ndim=3, found ndim=4. Full shape received: (None, 1, XX, XX)".
B, W, F = 8, 5, 3


def _windows_dataset(static_batch: bool):
    data = feats(B * 4 + W, F)  # exactly 4 batches of B windows, each with the next value
    ds = keras.utils.timeseries_dataset_from_array(data[:-1], data[W:, :1], sequence_length=W,
                                                   batch_size=B)
    return ds.unbatch().batch(B, drop_remainder=True) if static_batch else ds


def stateful_dataset_broken():
    model = seq((B, W, F), L.LSTM(8, stateful=True), L.Dense(1))
    return model, _windows_dataset(False), None, {}


def stateful_dataset_fixed():
    model = seq(None, L.LSTM(8, stateful=True), L.Dense(1), batch_shape=(B, W, F))
    return model, _windows_dataset(True), None, {"shuffle": False}


# tensorflow/tensorflow#86310: "batch_input_shape=(batch_size, sequence_length, num_features)
# ... with the most recent version of TF batch_input_shape is not recognised as valid".
def batch_input_shape_keyword_broken():
    model = compiled(keras.Sequential([
        L.LSTM(8, stateful=True, batch_input_shape=(B, W, 1)), L.Dense(1)]))
    return model, feats(4 * B, W, 1), feats(4 * B, 1, seed=1), {"batch_size": B,
                                                                 "shuffle": False}


def batch_input_shape_keyword_fixed():
    model = seq(None, L.LSTM(8, stateful=True), L.Dense(1), batch_shape=(B, W, 1))
    return model, feats(4 * B, W, 1), feats(4 * B, 1, seed=1), {"batch_size": B,
                                                                 "shuffle": False}


# keras-team/keras#5262: a stateful LSTM with batch_input_shape=(maxSequenceLength,
# len(char_2_id), 1) for inputs (32, 173, 38): "expected lstm_input_3 to have shape (173, 38,
# 1) but got array with shape (32, 173, 38)".
def _per_char(batch_shape: tuple):
    return seq(None, L.LSTM(16, return_sequences=True, stateful=True), L.Dropout(0.3),
               L.TimeDistributed(L.Dense(CH)), L.TimeDistributed(L.Activation("softmax")),
               batch_shape=batch_shape, loss="categorical_crossentropy")


def _char_steps():
    x = onehot(ints(B * 12, CH).reshape(B, 12), CH)
    return x, x


def batch_shape_without_batch_broken():
    x, y = _char_steps()
    return _per_char((12, CH, 1)), x, y, {"batch_size": B, "shuffle": False}


def batch_shape_without_batch_fixed():
    x, y = _char_steps()
    return _per_char((B, 12, CH)), x, y, {"batch_size": B, "shuffle": False}


CASES = [
    RealCase("stateful_predict_one_seed", "stateful",
             "https://github.com/keras-team/keras/issues/1332",
             "a stateful text generator trained with batches of 128, sampled one seed at a "
             "time: 'dimension mismatch in args to gemm (128,512)x(512,512)->(1,512)'",
             "stateful_batch", True, predict_one_seed_broken, predict_one_seed_fixed,
             note="the fix is the answer of keras-team/keras#2322: a twin with batch 1 that "
                  "takes the trained weights"),
    RealCase("stateful_predict_test_set_not_divisible", "stateful",
             "https://github.com/rstudio/keras3/issues/1212",
             "a stateful LSTM trained with batch.size = 25 predicts 324 test windows: "
             "'Specified a list with shape [25,2] from a tensor with shape [24,2]'",
             "stateful_batch", True, predict_test_set_broken, predict_test_set_fixed),
    RealCase("stateful_samples_not_divisible_by_batch", "stateful",
             "https://github.com/keras-team/keras/issues/1902",
             "Embedding(batch_input_shape=(16, 10)) -> LSTM(stateful=True) on 500 samples: "
             "the model runs until the end of the epoch, then fails",
             "stateful_batch", True, samples_not_divisible_broken,
             samples_not_divisible_fixed),
    RealCase("stateful_on_timeseries_dataset", "stateful",
             "https://github.com/tensorflow/tensorflow/issues/64061",
             "stateful LSTM on timeseries_dataset_from_array windows: 'the batch size must be "
             "static', then with the batch in the shape 'expected ndim=3, found ndim=4'",
             "batch_in_input_shape", True, stateful_dataset_broken, stateful_dataset_fixed,
             accept=("stateful_batch",)),
    RealCase("stateful_batch_input_shape_keyword", "stateful",
             "https://github.com/tensorflow/tensorflow/issues/86310",
             "LSTM(..., stateful=True, batch_input_shape=...): 'batch_input_shape is not "
             "recognised as valid' in the recent TF",
             "stateful_batch", True, batch_input_shape_keyword_broken,
             batch_input_shape_keyword_fixed),
    RealCase("stateful_batch_shape_without_batch", "stateful",
             "https://github.com/keras-team/keras/issues/5262",
             "stateful LSTM with batch_input_shape=(maxSequenceLength, len(char_2_id), 1): "
             "'expected lstm_input_3 to have shape (173, 38, 1) but got array with shape (32, "
             "173, 38)'",
             "input_shape_data_mismatch", True, batch_shape_without_batch_broken,
             batch_shape_without_batch_fixed, accept=("stateful_batch", "swapped_axes")),
]


# Correct models ----------------------------------------------------------------------------

def stateful_train_stateless_predict():
    """keras#2322: train a stateful model with a fixed batch, predict with a stateless twin."""
    model = _stateful_char_model(8)
    x, y = _chars(16)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    twin = seq((T, CH), L.LSTM(16, return_sequences=True), L.LSTM(16),
               L.Dense(CH, activation="softmax"), loss="categorical_crossentropy")
    twin.set_weights(model.get_weights())
    test_x, test_y = _chars(5, seed=4)
    return twin, test_x, test_y, {}


def stateful_guide_fixed_batch():
    """keras.io RNN guide, cross-batch statefulness: Input(batch_shape) and an unshuffled fit."""
    x, y = _chars(16)
    return _stateful_char_model(8), x, y, {"batch_size": 8, "shuffle": False}


CORRECT = [
    CorrectModel("stateful_train_stateless_predict", "stateful",
                 "https://github.com/keras-team/keras/issues/2322",
                 stateful_train_stateless_predict),
    CorrectModel("stateful_guide_fixed_batch", "stateful",
                 "https://keras.io/guides/working_with_rnns/", stateful_guide_fixed_batch),
]
