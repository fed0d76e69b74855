"""Targets by meaning on variants the corpus does not have: exclusive classes under sigmoids,
class ids per step, copied decoder inputs, joined sequences, dict losses by missing names."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest
from keras import layers as L

from lstm_shapes import check_model

rng = np.random.default_rng(11)
N, T, V = 40, 7, 20


@pytest.fixture(autouse=True)
def _quiet() -> None:
    keras.utils.clear_session()
    warnings.simplefilter("ignore")


def _codes(report, severity: str = "error") -> list[str]:
    return [f.code for f in report.findings if f.severity == severity]


def _model(layers, loss):
    model = keras.Sequential(layers)
    model.compile(optimizer="adam", loss=loss)
    return model


# ---- exclusive classes under independent sigmoids ----------------------------------------

def test_one_hot_classes_under_sigmoid_and_binary_crossentropy_gru() -> None:
    model = _model([keras.Input((T, 2)), L.GRU(8), L.Dense(5, activation="sigmoid",
                                                             name="head")],
                   "binary_crossentropy")
    y = np.eye(5)[rng.integers(0, 5, N)]
    report = check_model(model, rng.normal(size=(N, T, 2)), y)
    (finding,) = [f for f in report.findings if f.code == "loss_label_encoding_mismatch"]
    assert finding.severity == "error"
    assert "activation='softmax'" in finding.fix and "categorical_crossentropy" in finding.fix


def test_multi_label_rows_under_sigmoid_are_right() -> None:
    model = _model([keras.Input((T, 2)), L.GRU(8), L.Dense(5, activation="sigmoid")],
                   "binary_crossentropy")
    y = (rng.random((N, 5)) < 0.3).astype("float32")  # 0, 1 or several labels per row
    assert check_model(model, rng.normal(size=(N, T, 2)), y).errors == []


# ---- a class id per step against one softmax per sequence ---------------------------------

@pytest.mark.parametrize("rnn", [L.SimpleRNN, L.GRU])
def test_class_ids_per_step_against_the_last_output(rnn) -> None:
    model = _model([keras.Input((T,)), L.Embedding(V, 8), rnn(8, name="rnn"),
                    L.Dense(4, activation="softmax")], "sparse_categorical_crossentropy")
    x = rng.integers(1, V, (N, T))
    report = check_model(model, x, x % 4)  # a tag per word
    assert _codes(report) == ["last_output_vs_sequence_target"]
    assert "'rnn': return_sequences=True" in report.errors[0].fix


# ---- teacher forcing without the shift ---------------------------------------------------

def _translator(shift: bool):
    ei, di = keras.Input((None,)), keras.Input((None,))
    _, h = L.GRU(8, return_state=True)(L.Embedding(V, 8)(ei))
    dec = L.GRU(8, return_sequences=True)(L.Embedding(V, 8)(di), initial_state=[h])
    model = keras.Model([ei, di], L.Dense(V, activation="softmax")(dec))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    target = rng.integers(1, V, (N, T + 1))
    dec_in = target[:, :-1]
    return model, [rng.integers(1, V, (N, 5)), dec_in], target[:, 1:] if shift else dec_in


def test_a_gru_decoder_taught_to_copy_its_input() -> None:
    model, x, y = _translator(False)
    report = check_model(model, x, y)
    assert "window_misalignment" in _codes(report)


def test_the_shifted_decoder_and_an_autoencoder_are_quiet() -> None:
    model, x, y = _translator(True)
    assert check_model(model, x, y).errors == []
    i = keras.Input((T, 3))
    code = L.RepeatVector(T)(L.LSTM(4)(i))  # a bottleneck: no per-step path
    auto = keras.Model(i, L.TimeDistributed(L.Dense(3))(L.LSTM(4, return_sequences=True)(code)))
    auto.compile(optimizer="adam", loss="mse")
    x3 = rng.normal(size=(N, T, 3)).astype("float32")
    assert [f.code for f in check_model(auto, x3, x3).findings
            if f.code == "window_misalignment"] == []


# ---- sequences joined on time ------------------------------------------------------------

def test_two_padded_sequences_joined_on_time_against_per_step_tags() -> None:
    def padded(seed: int) -> np.ndarray:
        r = np.random.default_rng(seed)
        seqs = [r.integers(1, V, int(r.integers(2, 6))).tolist() for _ in range(N)]
        return keras.utils.pad_sequences(seqs, maxlen=5, padding="post")

    a, b = padded(1), padded(2)
    model = _model([keras.Input((10,)), L.Embedding(V, 8), L.GRU(8, return_sequences=True),
                    L.Dense(3, activation="softmax")], "sparse_categorical_crossentropy")
    report = check_model(model, np.concatenate([a, b], axis=1), a % 3)
    finding = next(f for f in report.errors if f.code == "dimension_mismatch")
    assert "2 sequences of 5 steps joined" in finding.message


# ---- dict losses by names the outputs lack -----------------------------------------------

def test_a_subclassed_gru_model_with_a_dict_of_losses() -> None:
    class Heads(keras.Model):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = L.GRU(6)
            self.a, self.b = L.Dense(1, name="price"), L.Dense(2, name="trend")

        def call(self, x):
            h = self.rnn(x)
            return self.a(h), self.b(h)

    model = Heads()
    model.compile(optimizer="adam", loss={"price": "mse", "trend": "mae"})
    x = rng.normal(size=(N, T, 3)).astype("float32")
    report = check_model(model, x, (rng.normal(size=(N, 1)), rng.normal(size=(N, 2))))
    (finding,) = report.errors
    assert finding.code == "output_names_mismatch"
    assert "loss=['mse', 'mae']" in finding.fix
