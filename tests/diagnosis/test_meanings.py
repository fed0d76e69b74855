"""Axis meanings through every layer, and the mistakes named from them (real Keras models).

Each rule is tried on variants the corpus does not have: GRU, SimpleRNN, Bidirectional,
keras.ops calls, custom layers, Sequential and functional, and sizes where units differ
from the timesteps and where they happen to be equal. Every wrong model has a right twin
that must stay quiet.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from lstm_shapes import check_model
from lstm_shapes.diagnosis.meanings import propagate
from lstm_shapes.diagnosis.rules_meanings import check_meanings

L, ops = keras.layers, keras.ops


def codes(model, x=None, *, errors=True):
    return [f.code for f in check_meanings(model, x) if f.severity == "error" or not errors]


def meanings(model):
    return [tuple(tuple(o) for o in c.outs) for c in propagate(model)]


# --- the meanings themselves -----------------------------------------------------------

def test_rules_name_every_axis_without_probing():
    i = keras.Input((12, 3))
    h = L.Bidirectional(L.GRU(4, return_sequences=True))(i)
    f = L.Flatten()(L.Dense(5)(h))
    r = L.RepeatVector(2)(L.Dense(6)(f))
    p = L.Permute((2, 1))(r)
    calls = propagate(keras.Model(i, p))
    assert [c.outs[0] for c in calls] == [
        ("batch", "time", "units"), ("batch", "time", "units"),
        ("batch", "time x units"), ("batch", "units"), ("batch", "time", "units"),
        ("batch", "units", "time")]
    assert all(c.probe is None for c in calls)  # only layers with no rule are probed


def test_reshape_keeps_whole_axes_and_records_merges_and_splits():
    i = keras.Input((12, 2))
    split = L.Reshape((3, 4, 2))(i)
    merged = L.Reshape((24,))(i)
    assert meanings(keras.Model(i, [split, merged]))[:2] in (
        [(("batch", "time (part)", "time (part)", "features"),), (("batch", "time x features"),)],
        [(("batch", "time x features"),), (("batch", "time (part)", "time (part)", "features"),)])


def test_probe_follows_a_keras_ops_slice_even_when_units_equal_timesteps():
    i = keras.Input((6, 2))
    h = L.GRU(6, return_sequences=True)(i)  # units == timesteps: sizes cannot tell
    calls = propagate(keras.Model(i, [h[:, -1], h[..., -1]]))
    outs = {tuple(c.outs[0]) for c in calls}
    assert ("batch", "units") in outs and ("batch", "time") in outs


def test_timedistributed_and_convlstm_keep_time_and_space():
    i = keras.Input((5, 8, 8, 1))
    h = L.ConvLSTM2D(3, 3, padding="same", return_sequences=True)(i)
    t = L.TimeDistributed(L.Conv2D(2, 3))(h)
    g = L.ConvLSTM2D(3, 3)(t)
    assert [c.outs[0] for c in propagate(keras.Model(i, g))] == [
        ("batch", "time", "height", "width", "channels"),
        ("batch", "time", "height", "width", "channels"),
        ("batch", "height", "width", "channels")]


# --- wrong_axis_slice ------------------------------------------------------------------

@pytest.mark.parametrize("units", [6, 5])  # equal to the timesteps, and not
def test_last_unit_of_a_gru_sequence_is_a_wrong_slice(units):
    i = keras.Input((6, 3))
    h = L.GRU(units, return_sequences=True)(i)
    wrong = keras.Model(i, L.Dense(1)(L.Lambda(lambda t: t[..., -1])(h)))
    found = check_meanings(wrong, None)
    assert [f.code for f in found] == ["wrong_axis_slice"]
    assert found[0].fix.startswith("t[:, -1, :]")
    right = keras.Model(i, L.Dense(1)(L.Lambda(lambda t: t[:, -1, :])(h)))
    assert codes(right) == []


def test_ops_index_on_the_batch_of_a_bidirectional_output():
    i = keras.Input((7, 2))
    h = L.Bidirectional(L.LSTM(4, return_sequences=True))(i)
    assert codes(keras.Model(i, L.Dense(1)(h[-1]))) == ["wrong_axis_slice"]
    assert codes(keras.Model(i, L.Dense(1)(h[:, -1]))) == []


def test_sequential_lambda_that_cuts_samples():
    wrong = keras.Sequential([keras.Input((9, 2)), L.Lambda(lambda a: a[2:]), L.SimpleRNN(4)])
    right = keras.Sequential([keras.Input((9, 2)), L.Lambda(lambda a: a[:, 2:]),
                              L.SimpleRNN(4)])
    assert codes(wrong) == ["wrong_axis_slice"]
    assert codes(right) == []


def test_feature_of_the_input_is_not_a_wrong_slice():
    """x[..., 0] on the INPUT picks a feature: a choice, not a unit of a hidden state."""
    i = keras.Input((10, 3))
    first = L.Lambda(lambda t: t[..., 0:1])(i)
    assert codes(keras.Model(i, L.LSTM(4)(first))) == []
    picked = L.Reshape((10, 1))(L.Lambda(lambda t: t[..., 0])(i))
    assert codes(keras.Model(i, L.LSTM(4)(picked))) == []


def test_a_list_index_or_a_difference_of_two_encodings_is_not_a_slice():
    """``t[0]`` of a Lambda over ``[a, b]`` picks a tensor; ``|a - b|`` computes values."""
    a, b = keras.Input((5, 2)), keras.Input((5, 2))
    encode = L.LSTM(6)
    ea, eb = encode(a), encode(b)
    first = L.Lambda(lambda t: t[0])([ea, eb])
    distance = L.Lambda(lambda t: ops.abs(t[0] - t[1]))([ea, eb])
    model = keras.Model([a, b], L.Dense(1)(L.Concatenate()([first, distance])))
    assert codes(model, errors=False) == []
    lambdas = [c.outs[0] for c in propagate(model) if type(c.layer).__name__ == "Lambda"]
    assert lambdas == [("batch", "units"), ("batch", "units")]


# --- units read as time ----------------------------------------------------------------

def test_last_state_expanded_into_a_conv1d_needs_return_sequences():
    wrong = keras.Sequential([keras.Input((10, 2)), L.SimpleRNN(8), L.Reshape((8, 1)),
                              L.Conv1D(4, 3)])
    assert codes(wrong) == ["missing_return_sequences"]
    right = keras.Sequential([keras.Input((10, 2)), L.SimpleRNN(8, return_sequences=True),
                              L.Conv1D(4, 3)])
    assert codes(right) == []


def test_dense_units_reshaped_into_steps_are_a_design_not_a_mistake():
    model = keras.Sequential([keras.Input((4,)), L.Dense(16), L.Reshape((16, 1)),
                              L.Conv1D(4, 3), L.GlobalMaxPooling1D()])
    assert codes(model, errors=False) == []


def test_attention_over_the_units_of_a_gru_last_state():
    i = keras.Input((9, 3))
    h = ops.expand_dims(L.GRU(12)(i), -1)  # (batch, 12 units, 1)
    att = L.Attention()([h, h])
    assert codes(keras.Model(i, L.Dense(1)(L.Flatten()(att)))) == ["missing_return_sequences"]
    s = L.GRU(12, return_sequences=True)(i)
    assert codes(keras.Model(i, L.Dense(1)(L.Flatten()(L.Attention()([s, s]))))) == []


def test_gru_units_regrouped_into_a_horizon():
    wrong = keras.Sequential([keras.Input((12, 1)), L.GRU(4, return_sequences=True),
                              L.Reshape((4, 12)), L.TimeDistributed(L.Dense(1))])
    assert codes(wrong) == ["units_equals_timesteps"]
    hierarchical = keras.Sequential([keras.Input((12, 2)), L.Reshape((3, 4, 2)),
                                     L.TimeDistributed(L.LSTM(5)), L.LSTM(3)])
    assert codes(hierarchical, errors=False) == []


# --- a new length-1 time axis ----------------------------------------------------------

def _windows(n=40, w=7):
    s = np.sin(np.arange(n + w) * 0.3).astype("float32")
    return np.stack([s[i:i + w] for i in range(n)])


def test_window_expanded_on_the_wrong_axis_into_attention():
    def model(axis):
        i = keras.Input((7,))
        h = L.Lambda(lambda v: ops.expand_dims(v, axis=axis))(i)
        return keras.Model(i, L.Dense(1)(L.Flatten()(L.MultiHeadAttention(2, 4)(h, h))))

    x = _windows()
    assert codes(model(1), x) == ["window_as_features"]
    assert codes(model(2), x) == []
    features = np.random.default_rng(0).standard_normal((40, 7)).astype("float32")
    found = check_meanings(model(1), features)  # not windows: only a judgement
    assert [(f.code, f.severity) for f in found] == [("no_temporal_context", "warning")]


# --- time-major output of a custom layer -----------------------------------------------

class StepsFirst(L.Layer):
    """Stacks a sequence's steps on axis 0 (time-major), like a hand-written RNN."""

    def __init__(self, bug=True, **kw):
        super().__init__(**kw)
        self.bug = bug

    def call(self, x):
        steps = [x[:, t] * 2.0 for t in range(x.shape[1])]
        return ops.stack(steps, axis=0 if self.bug else 1)


def test_custom_layer_with_time_major_output_in_a_functional_model():
    i = keras.Input((5, 3))
    h = L.LSTM(4, return_sequences=True)(i)
    found = check_meanings(keras.Model(i, L.Dense(1)(StepsFirst()(h))), None)
    assert [f.code for f in found] == ["swapped_axes"]
    assert codes(keras.Model(i, L.Dense(1)(StepsFirst(bug=False)(h)))) == []


# --- late binding of a loop variable ---------------------------------------------------

def _unrolled(make):
    i = keras.Input((3, 4))
    cell = L.GRU(5)
    outs = [cell(L.Reshape((1, 4))(L.Lambda(make(t))(i))) for t in range(3)]
    return keras.Model(i, L.Concatenate()(outs))


def test_lambdas_of_a_loop_that_read_its_last_step():
    def late():
        funcs = []
        for t in range(3):  # noqa: B007 - the mistake under test
            funcs.append(lambda z: z[:, t, :])  # noqa: B023
        return funcs

    funcs = late()
    found = check_meanings(_unrolled(lambda t: funcs[t]), None)
    assert [f.code for f in found] == ["lambda_late_binding"]
    assert "t=2" in found[0].message
    assert codes(_unrolled(lambda t: (lambda z, t=t: z[:, t, :]))) == []
    assert codes(_unrolled(lambda t: (lambda z: z[:, t, :]))) == []  # a cell per call


# --- wired into check_model, and cheap -------------------------------------------------

def test_check_model_reports_it_and_a_correct_stack_stays_clear():
    i = keras.Input((8, 4))
    h = L.LSTM(8, return_sequences=True)(i)
    wrong = keras.Model(i, L.Dense(3, activation="softmax")(L.Lambda(lambda t: t[..., -1])(h)))
    wrong.compile(loss="sparse_categorical_crossentropy")
    x = np.zeros((16, 8, 4), "float32")
    y = np.zeros(16, "int32")
    assert "wrong_axis_slice" in [f.code for f in check_model(wrong, x, y).errors]
    right = keras.Sequential([keras.Input((8, 4)), L.LSTM(8, return_sequences=True),
                              L.LSTM(8), L.Dense(1)])
    right.compile(loss="mse")
    assert check_model(right, x, np.zeros((16, 1), "float32")).ok


class _LastOf(keras.Model):
    """A subclassed model whose call() takes ``take`` of the RNN's sequence output."""

    def __init__(self, take) -> None:
        super().__init__()
        self.rnn = keras.layers.GRU(6, return_sequences=True)
        self.head = keras.layers.Dense(1)
        self.take = take

    def call(self, x):
        return self.head(self.take(self.rnn(x)))


@pytest.mark.parametrize(("take", "wrong"), [
    (lambda t: t[-1], True),         # the last SAMPLE's sequence
    (lambda t: t[2:], True),         # later samples
    (lambda t: t[:, -1, :], False),  # the last step: right
    (lambda t: keras.ops.mean(t, axis=1), False),
])
def test_a_subclassed_model_that_takes_the_batch_axis_is_named(take, wrong: bool) -> None:
    x = np.random.default_rng(0).standard_normal((16, 7, 3)).astype("float32")
    report = check_model(_LastOf(take), x)
    assert ("wrong_axis_slice" in [f.code for f in report.errors]) is wrong, str(report)
