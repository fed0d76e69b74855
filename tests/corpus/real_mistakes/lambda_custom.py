"""Lambda layers and hand-written ops: slices on the wrong axis, attention matmuls."""

from __future__ import annotations

from . import CorrectModel, RealCase
from ._kit import L, N, feats, fn, ints, keras, onehot, ops, seq, tokens, windows

T = 8


# andabi/voice-vector#9: `out = out[..., -1]` meant "the last time step" but takes the last
# unit of every step; the maintainer: it should be `out[..., -1, :]`.
def _last_step_classifier(take):
    i = keras.Input((T, 4))
    h = L.LSTM(8, return_sequences=True)(i)
    out = L.Dense(3, activation="softmax")(L.Lambda(take)(h))
    return fn(i, out, "sparse_categorical_crossentropy"), feats(N, T, 4), ints(N, 3), {}


def last_unit_broken():
    return _last_step_classifier(lambda t: t[..., -1])


def last_unit_fixed():
    return _last_step_classifier(lambda t: t[..., -1, :])


# keras-team/keras#3673: a Lambda slicing `a[self._input_max_len:]` to keep the later time
# points; "I see, so I need to include the batch axis too!".
K = 3


def _later_steps(take):
    i = keras.Input((T, 2))
    h = L.LSTM(8)(L.Lambda(take)(i))
    x, y = feats(N, T, 2), feats(N, 1, seed=1)
    return fn(i, L.Dense(1)(h)), x, y, {}


def slice_samples_broken():
    return _later_steps(lambda a: a[K:])


def slice_samples_fixed():
    return _later_steps(lambda a: a[:, K:])


# HHTseng/video-classification#3: "shouldn't it be RNN_out[-1, :, :] if you want the output
# at the last timestep?"; with batch-first outputs that is the last sample.
def _last_of(take):
    i = keras.Input((T, 4))
    h = L.LSTM(8, return_sequences=True)(i)
    return fn(i, L.Dense(1)(L.Lambda(take)(h))), feats(N, T, 4), feats(N, 1, seed=1), {}


def last_sample_broken():
    return _last_of(lambda t: t[-1])


def last_sample_fixed():
    return _last_of(lambda t: t[:, -1, :])


# keras-team/keras#13914: a hand-unrolled LSTM loop with `x = Lambda(lambda z: z[:, t, :])(X)`
# inside `for t in range(Tx)`; the poster had an error and did not see why.
TX, NV, NA = 4, 6, 8


def _unrolled(bind: bool):
    x_in = keras.Input((TX, NV))
    a0, c0 = keras.Input((NA,)), keras.Input((NA,))
    a, c = a0, c0
    reshapor = L.Reshape((1, NV))
    cell = L.LSTM(NA, return_state=True)
    densor = L.Dense(NV, activation="softmax")
    outputs = []
    for t in range(TX):
        step = (lambda z, t=t: z[:, t, :]) if bind else (lambda z: z[:, t, :])
        x = reshapor(L.Lambda(step)(x_in))
        a, _, c = cell(x, initial_state=[a, c])
        outputs.append(densor(a))
    model = fn([x_in, a0, c0], outputs, "categorical_crossentropy")
    notes = onehot(ints(N * (TX + 1), NV).reshape(N, TX + 1), NV)
    zeros = feats(N, NA) * 0.0
    return model, [notes[:, :TX], zeros, zeros], [notes[:, t + 1] for t in range(TX)], {}


def late_binding_broken():
    return _unrolled(bind=False)


def late_binding_fixed():
    return _unrolled(bind=True)


# philipperemy/keras-attention#47: the attention block applied to an LSTM that returns one
# vector, expanded to (None, 2048, 1): the "time" it attends over is the LSTM's units.
def _attention(hidden):
    units = hidden.shape[2]
    score_first = L.Dense(units, use_bias=False)(hidden)
    h_t = L.Lambda(lambda x: x[:, -1, :])(hidden)
    score = L.Dot(axes=[1, 2])([h_t, score_first])
    weights = L.Activation("softmax")(score)
    context = L.Dot(axes=[1, 1])([hidden, weights])
    return L.Dense(16, activation="tanh")(L.Concatenate()([context, h_t]))


def attention_over_units_broken():
    i = keras.Input((T, 5))
    h = L.Lambda(lambda v: ops.expand_dims(v, -1))(L.LSTM(16)(i))
    out = L.Dense(2, activation="softmax")(_attention(h))
    return fn(i, out, "sparse_categorical_crossentropy"), feats(N, T, 5), ints(N, 2), {}


def attention_over_units_fixed():
    i = keras.Input((T, 5))
    h = L.LSTM(16, return_sequences=True)(i)
    out = L.Dense(2, activation="softmax")(_attention(h))
    return fn(i, out, "sparse_categorical_crossentropy"), feats(N, T, 5), ints(N, 2), {}


# keras-team/keras#1837: attention weights (BatchSize, SeqLen) and states (BatchSize, SeqLen,
# dim), "want to get a tensor of shape (BatchSize, dim)": the hand-written weighted sum
# broadcast the weights against the feature axis.
T1, T2, VOCAB = 6, 4, 20


def _similarity(weighted_sum):
    xi, yi = keras.Input((T1,), dtype="int32"), keras.Input((T2,), dtype="int32")
    embed = L.Embedding(VOCAB, 8)
    states = L.LSTM(8, return_sequences=True)(embed(xi))
    query = L.LSTM(8)(embed(yi))
    alpha = L.Softmax()(L.Dot(axes=(2, 1))([states, query]))
    r = weighted_sum(alpha, states)
    out = L.Dense(1, activation="sigmoid")(L.Concatenate()([r, query]))
    x = [tokens(N, T1, VOCAB), tokens(N, T2, VOCAB, seed=1)]
    return (fn([xi, yi], out, "binary_crossentropy"), x,
            (ints(N, 2) > 0).astype("float32"), {})


def weighted_sum_broken():
    return _similarity(lambda a, h: L.Lambda(lambda t: ops.sum(t[0] * t[1], axis=1))([h, a]))


def weighted_sum_fixed():
    return _similarity(lambda a, h: L.Dot(axes=1)([a, h]))


# mrdbourke/tensorflow-deep-learning#487: `Lambda(lambda x: tf.expand_dims(x, axis=1))` turns
# a window of 7 prices into (None, 1, 7) before Conv1D: "don't we want (batch_size,
# timesteps(window size), input_dim)?"
def expand_dims_broken():
    x, y = windows(t=7)
    model = seq((7,), L.Lambda(lambda v: ops.expand_dims(v, axis=1)),
                L.Conv1D(16, 5, padding="causal", activation="relu"), L.Dense(1))
    return model, x[..., 0], y, {}


def expand_dims_fixed():
    x, y = windows(t=7)
    model = seq((7,), L.Lambda(lambda v: ops.expand_dims(v, axis=2)),
                L.Conv1D(16, 5, padding="causal", activation="relu"), L.Flatten(),
                L.Dense(1))
    return model, x[..., 0], y, {}


CASES = [
    RealCase("lambda_takes_last_unit", "lambda_custom",
             "https://github.com/andabi/voice-vector/issues/9",
             "`out = out[..., -1]` was meant to take the last timestep output; the "
             "maintainer: it should be `out[..., -1, :]`",
             "wrong_axis_slice", False, last_unit_broken, last_unit_fixed),
    RealCase("lambda_slices_samples", "lambda_custom",
             "https://github.com/keras-team/keras/issues/3673",
             "a Lambda slicing the later time points without the batch axis: 'I see, so I "
             "need to include the batch axis too!'",
             "wrong_axis_slice", True, slice_samples_broken, slice_samples_fixed,
             accept=("batch_mismatch",)),
    RealCase("lambda_last_sample", "lambda_custom",
             "https://github.com/HHTseng/video-classification/issues/3",
             "proposed RNN_out[-1, :, :] for the output at the last timestep; with batch-"
             "first outputs that picks the last sample",
             "wrong_axis_slice", True, last_sample_broken, last_sample_fixed,
             accept=("batch_mismatch",),
             note="the thread is PyTorch; the Keras tensor is batch-first the same way"),
    RealCase("lambda_loop_variable_late_binding", "lambda_custom",
             "https://github.com/keras-team/keras/issues/13914",
             "`x = Lambda(lambda z: z[:, t, :])(X)` inside `for t in range(self.Tx)` of a "
             "hand-unrolled LSTM; an error the poster could not explain",
             "lambda_late_binding", False, late_binding_broken, late_binding_fixed,
             note="in Keras 3 it trains silently: every step reads x[:, Tx-1, :]"),
    RealCase("attention_over_units", "lambda_custom",
             "https://github.com/philipperemy/keras-attention/issues/47",
             "LSTM(2048) without return_sequences, expanded to (None, 2048, 1) and fed to the "
             "attention block: attention scores over 2048 'steps'",
             "missing_return_sequences", False, attention_over_units_broken,
             attention_over_units_fixed, accept=("units_equals_timesteps", "attention_axes")),
    RealCase("attention_weighted_sum_broadcast", "lambda_custom",
             "https://github.com/keras-team/keras/issues/1837",
             "weights (BatchSize, SeqLen) times states (BatchSize, SeqLen, dim) to get "
             "(BatchSize, dim): a shape mismatch error when training",
             "attention_axes", True, weighted_sum_broken, weighted_sum_fixed,
             accept=("dimension_mismatch",)),
    RealCase("lambda_expand_dims_window_on_features", "lambda_custom",
             "https://github.com/mrdbourke/tensorflow-deep-learning/issues/487",
             "Lambda(expand_dims(x, axis=1)) gives (None, 1, 7) into Conv1D: the window sits "
             "on the feature axis with one timestep",
             "window_as_features", False, expand_dims_broken, expand_dims_fixed,
             accept=("no_temporal_context",)),
]


# Correct models ----------------------------------------------------------------------------

def lambda_last_step_and_sequence():
    """keras#2951 answer: Lambda(x[:, -1, :]) next to the whole sequence of the same LSTM."""
    i = keras.Input((T, 4))
    h = L.LSTM(8, return_sequences=True)(i)
    last = L.Lambda(lambda t: t[:, -1, :])(h)
    pooled = L.GlobalAveragePooling1D()(h)
    out = L.Dense(1)(L.Concatenate()([last, pooled]))
    return fn(i, out), feats(N, T, 4), feats(N, 1, seed=1), {}


def shared_cell_unrolled_by_hand():
    """keras#13914 with the step bound per Lambda: one LSTM layer called step by step with
    initial_state=[a, c] (the Coursera-style hand-unrolled model)."""
    return _unrolled(bind=True)


CORRECT = [
    CorrectModel("lambda_last_step_and_sequence", "lambda_custom",
                 "https://github.com/keras-team/keras/issues/2951",
                 lambda_last_step_and_sequence),
    CorrectModel("shared_cell_unrolled_by_hand", "lambda_custom",
                 "https://github.com/keras-team/keras/issues/13914",
                 shared_cell_unrolled_by_hand),
]
