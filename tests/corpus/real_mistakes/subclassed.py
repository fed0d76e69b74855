"""Subclassed models and hand-written recurrent layers."""

from __future__ import annotations

from . import CorrectModel, RealCase
from ._kit import L, N, compiled, feats, ints, keras, ops, tokens

T, VOCAB = 8, 30


# ageron/handson-ml2#457: the MyRNN layer of chapter 15 "contained no less than 4 errors",
# one of them: `sequences.stack()` should be transposed, (steps, batch, units) ->
# (batch, steps, units).
class MyRNN(L.Layer):
    """A hand-unrolled RNN over a cell, as in the notebook (a static number of steps)."""

    def __init__(self, cell, return_sequences=False, time_major_bug=False, **kwargs):
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.time_major_bug = time_major_bug

    def build(self, input_shape):
        self.cell.build((input_shape[0], input_shape[-1]))

    def call(self, inputs):
        states = [ops.zeros((ops.shape(inputs)[0], self.cell.state_size))]
        outputs = []
        for step in range(inputs.shape[1]):
            out, states = self.cell(inputs[:, step], states)
            outputs.append(out)
        if not self.return_sequences:
            return outputs[-1]
        return ops.stack(outputs, axis=0 if self.time_major_bug else 1)


def _my_rnn(bug: bool):
    model = compiled(keras.Sequential([
        keras.Input((T, 1)),
        MyRNN(L.SimpleRNNCell(20), return_sequences=True, time_major_bug=bug),
        L.Dense(1)]))
    return model, feats(N, T, 1), feats(N, T, 1, seed=1), {}


def my_rnn_time_major_broken():
    return _my_rnn(True)


def my_rnn_time_major_fixed():
    return _my_rnn(False)


# CyberZHG/keras-bert#30: the documented custom feature layers `keras.layers.LSTM(units=768,
# ...)(x)` "should add return_sequences=True": the per-token heads need every token's state.
def _token_model(custom_layers):
    i = keras.Input((T,), dtype="int32")
    h = custom_layers(L.Embedding(VOCAB, 8)(i))
    out = L.Dense(VOCAB, activation="softmax")(h)
    ids = tokens(N, T, VOCAB, min_len=T)
    return compiled(keras.Model(i, out), "sparse_categorical_crossentropy"), ids, \
        (ids + 1) % VOCAB, {}


def custom_layers_no_sequences_broken():
    return _token_model(lambda x: L.LSTM(16, name="LSTM")(x))


def custom_layers_no_sequences_fixed():
    return _token_model(lambda x: L.LSTM(16, return_sequences=True, name="LSTM")(x))


# tensorflow/tensorflow#48511: "Output names for models defined via subclassing tf.keras.Model
# are ignored, fit with multiple losses raises error" (a dict of losses keyed by names).
class TwoHeads(keras.Model):
    def __init__(self):
        super().__init__()
        self.lstm = L.LSTM(8)
        self.head_1 = L.Dense(1, name="y_1")
        self.head_2 = L.Dense(1, name="y_2")

    def call(self, x):
        h = self.lstm(x)
        return self.head_1(h), self.head_2(h)


def subclassed_dict_losses_broken():
    model = TwoHeads()
    model.compile(optimizer="adam", loss={"y_1": "mse", "y_2": "mae"})
    return model, feats(N, T, 3), (feats(N, 1, seed=1), feats(N, 1, seed=2)), {}


def subclassed_dict_losses_fixed():
    model = TwoHeads()
    model.compile(optimizer="adam", loss=["mse", "mae"])  # in the order call() returns them
    return model, feats(N, T, 3), (feats(N, 1, seed=1), feats(N, 1, seed=2)), {}


# tensorflow/tensorflow#46794: a custom model MyModel_conv_accross_time returns (batch, 64,
# 4, 850) into an LSTM encoder: "expected ndim=3, found ndim=4"; the poster reshaped it to
# (batch*850, 64, 4). An LSTM per series (the last axis) runs over each series' own steps.
class ConvAcrossTime(L.Layer):
    """A stand-in for the poster's layer: features per (step, series) from a 1x1 conv."""

    def __init__(self, filters: int, **kwargs):
        super().__init__(**kwargs)
        self.conv = L.Conv2D(filters, 1)

    def call(self, x):  # (batch, steps, series, features) -> (batch, filters, steps, series)
        return ops.transpose(self.conv(x), (0, 3, 1, 2))


def _series_encoder(per_series: bool):
    i = keras.Input((5, 6, 3))  # 5 steps, 6 series, 3 features
    h = ConvAcrossTime(4)(i)
    if per_series:
        h = L.Permute((3, 2, 1))(h)  # (batch, series, steps, filters)
        h = L.TimeDistributed(L.LSTM(8))(h)  # one LSTM run per series
        h = L.Flatten()(h)
    else:
        h = L.LSTM(8)(h)
    out = L.Dense(1)(h)
    return compiled(keras.Model(i, out)), feats(N, 5, 6, 3), feats(N, 1, seed=1), {}


def custom_4d_into_lstm_broken():
    return _series_encoder(False)


def custom_4d_into_lstm_fixed():
    return _series_encoder(True)

CASES = [
    RealCase("custom_rnn_layer_time_major_output", "subclassed",
             "https://github.com/ageron/handson-ml2/issues/457",
             "the hand-written MyRNN layer returned sequences.stack() untransposed, (steps, "
             "batch, units); 'I'm surprised it produced no exception'",
             "swapped_axes", True, my_rnn_time_major_broken, my_rnn_time_major_fixed,
             accept=("batch_mismatch", "dimension_mismatch"),
             note="only the transposition is rebuilt; both versions start from a batch-sized "
                  "state"),
    RealCase("custom_layers_lstm_without_sequences", "subclassed",
             "https://github.com/CyberZHG/keras-bert/issues/30",
             "the documented custom feature layers end in LSTM(units=768) without "
             "return_sequences=True, under per-token heads",
             "missing_return_sequences", True, custom_layers_no_sequences_broken,
             custom_layers_no_sequences_fixed, accept=("last_output_vs_sequence_target",)),
    RealCase("subclassed_outputs_dict_losses", "subclassed",
             "https://github.com/tensorflow/tensorflow/issues/48511",
             "a subclassed model with two outputs compiled with a dict of losses keyed by "
             "output names: fit raises",
             "output_names_mismatch", True, subclassed_dict_losses_broken,
             subclassed_dict_losses_fixed),
    RealCase("custom_layer_4d_output_into_lstm", "subclassed",
             "https://github.com/tensorflow/tensorflow/issues/46794",
             "a custom model returning (batch, 64, 4, 850) fed to an LSTM: 'expected ndim=3, "
             "found ndim=4'",
             "wrong_rank", True, custom_4d_into_lstm_broken, custom_4d_into_lstm_fixed,
             accept=("missing_timedistributed",)),
]


# Correct models ----------------------------------------------------------------------------

class CharModel(keras.Model):
    """TF text generation tutorial: Embedding -> GRU(return_sequences, return_state) -> Dense."""

    def __init__(self):
        super().__init__()
        self.embedding = L.Embedding(VOCAB, 8)
        self.gru = L.GRU(16, return_sequences=True, return_state=True)
        self.dense = L.Dense(VOCAB)

    def call(self, inputs, states=None, return_state=False, training=False):
        x = self.embedding(inputs, training=training)
        x, states = self.gru(x, initial_state=states, training=training)
        x = self.dense(x, training=training)
        return (x, states) if return_state else x


def text_generation_subclassed():
    ids = tokens(N, T + 1, VOCAB, min_len=T + 1)
    model = compiled(CharModel(), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model, ids[:, :-1], ids[:, 1:], {}


class FeedBack(keras.Model):
    """TF time-series tutorial: an autoregressive LSTMCell warmed up by an RNN layer."""

    def __init__(self, units: int, out_steps: int, features: int):
        super().__init__()
        self.out_steps = out_steps
        self.lstm_cell = L.LSTMCell(units)
        self.lstm_rnn = L.RNN(self.lstm_cell, return_state=True)
        self.dense = L.Dense(features)

    def call(self, inputs, training=None):
        x, *state = self.lstm_rnn(inputs)
        prediction = self.dense(x)
        predictions = [prediction]
        for _ in range(1, self.out_steps):
            x, state = self.lstm_cell(prediction, states=state, training=training)
            prediction = self.dense(x)
            predictions.append(prediction)
        return ops.stack(predictions, axis=1)  # (batch, time, features)


def feedback_autoregressive():
    return compiled(FeedBack(16, 4, 3)), feats(N, T, 3), feats(N, 4, 3, seed=1), {}


class StackedLSTM(keras.Model):
    """tensorflow#31816: two stacked LSTMs in a subclassed model (Keras 3 trains it)."""

    def __init__(self):
        super().__init__()
        self.lstm_1 = L.LSTM(8, return_sequences=True)
        self.lstm_2 = L.LSTM(8, return_sequences=True)
        self.dense = L.Dense(2)

    def call(self, x):
        return self.dense(self.lstm_2(self.lstm_1(x)))


def stacked_lstm_subclassed():
    return compiled(StackedLSTM()), feats(N, T, 5), feats(N, T, 2, seed=1), {}


class RiverLSTM(keras.Model):
    """USGS-R/river-dl#107: a subclassed model with a stateful LSTM. The poster's TF 2.4 asked
    for a batch size; Keras 3 takes it from the first batch, and trains it when the fit batch
    divides the samples."""

    def __init__(self, units: int):
        super().__init__()
        self.rnn_layer = L.LSTM(units, stateful=True, return_sequences=True)
        self.dense = L.Dense(1)

    def call(self, x):
        return self.dense(self.rnn_layer(x))


def subclassed_stateful_lstm():
    x, y = feats(N, T, 3), feats(N, T, 1, seed=1)
    return compiled(RiverLSTM(8)), x, y, {"batch_size": 8, "shuffle": False}


class MinimalRNNCell(L.Layer):
    """keras.io RNN layer docs: a minimal custom cell run by keras.layers.RNN."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                initializer="uniform", name="recurrent_kernel")

    def call(self, inputs, states):
        prev_output = states[0]
        output = ops.matmul(inputs, self.kernel) + ops.matmul(prev_output, self.recurrent_kernel)
        return output, [output]


def minimal_rnn_cell():
    model = compiled(keras.Sequential([keras.Input((T, 5)), L.RNN(MinimalRNNCell(8)),
                                       L.Dense(3, activation="softmax")]),
                     "sparse_categorical_crossentropy")
    return model, feats(N, T, 5), ints(N, 3), {}


CORRECT = [
    CorrectModel("text_generation_subclassed", "subclassed",
                 "https://www.tensorflow.org/text/tutorials/text_generation",
                 text_generation_subclassed),
    CorrectModel("feedback_autoregressive", "subclassed",
                 "https://www.tensorflow.org/tutorials/structured_data/time_series",
                 feedback_autoregressive),
    CorrectModel("stacked_lstm_subclassed", "subclassed",
                 "https://github.com/tensorflow/tensorflow/issues/31816",
                 stacked_lstm_subclassed),
    CorrectModel("subclassed_stateful_lstm", "subclassed",
                 "https://github.com/USGS-R/river-dl/issues/107", subclassed_stateful_lstm),
    CorrectModel("minimal_rnn_cell", "subclassed",
                 "https://keras.io/api/layers/recurrent_layers/rnn/", minimal_rnn_cell),
]
