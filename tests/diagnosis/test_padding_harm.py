"""Padding and masks on variants the corpus does not have: GRU, Bidirectional, pre/post,
multi-feature, Sequential/functional; each harm caught, each correct model quiet."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest
from keras import layers as L

from lstm_shapes import check_model
from lstm_shapes.diagnosis.padding import find_padding

rng = np.random.default_rng(7)
N, T, V = 40, 9, 25


@pytest.fixture(autouse=True)
def _quiet() -> None:
    keras.utils.clear_session()
    warnings.simplefilter("ignore")


def _ids(side: str = "post", n: int = N) -> np.ndarray:
    seqs = [rng.integers(1, V, int(rng.integers(2, T + 1))).tolist() for _ in range(n)]
    return keras.utils.pad_sequences(seqs, maxlen=T, padding=side)


def _floats(side: str = "post", features: int = 3) -> np.ndarray:
    seqs = [rng.normal(size=(int(rng.integers(3, T + 1)), features)).astype("float32")
            for _ in range(N)]
    return keras.utils.pad_sequences(seqs, maxlen=T, dtype="float32", padding=side)


def _errors(report, code: str) -> list:
    return [f for f in report.findings if f.code == code and f.severity == "error"]


def _compiled(model, loss="mse"):
    model.compile(optimizer="adam", loss=loss)
    return model


# ---- padding_without_mask: certain harms -------------------------------------------------

def test_gru_tagger_whose_targets_tag_the_padding() -> None:
    x = _ids()
    tags = np.where(x == 0, 0, x % 3 + 1)  # tag 0 only at padded steps
    model = _compiled(keras.Sequential([keras.Input((T,)), L.Embedding(V, 8, name="words"),
                                        L.GRU(8, return_sequences=True),
                                        L.Dense(4, activation="softmax")]),
                      "sparse_categorical_crossentropy")
    (finding,) = _errors(check_model(model, x, tags), "padding_without_mask")
    assert "mark the padded steps" in finding.message
    assert "mask_zero=True" in finding.fix and "'words'" in finding.fix


def test_pre_padded_float_steps_with_zero_target_rows_functional() -> None:
    x = _floats("pre", features=4)
    y = np.where((x == 0).all(-1, keepdims=True), 0.0, np.eye(2)[rng.integers(0, 2, (N, T))])
    i = keras.Input((T, 4))
    out = L.Dense(2, activation="softmax")(L.Bidirectional(L.GRU(6, return_sequences=True))(i))
    model = _compiled(keras.Model(i, out), "categorical_crossentropy")
    (finding,) = _errors(check_model(model, x, y.astype("float32")), "padding_without_mask")
    assert "Masking(mask_value=0.0)" in finding.fix


def test_last_step_taken_by_hand_of_post_padded_gru_sequences() -> None:
    i = keras.Input((T, 3))
    seq = L.GRU(8, return_sequences=True, name="rnn")(i)
    last = L.Lambda(lambda t: t[:, -1, :], name="last")(seq)
    model = _compiled(keras.Model(i, L.Dense(1)(last)))
    x = _floats("post")
    (finding,) = _errors(check_model(model, x, rng.normal(size=(N, 1))), "padding_without_mask")
    assert "'last' takes the last step" in finding.message
    assert "'last'" in finding.fix and "return_sequences=False" in finding.fix


def test_pre_padding_read_by_the_last_output_is_a_judgement_only() -> None:
    model = _compiled(keras.Sequential([keras.Input((T,)), L.Embedding(V, 8), L.GRU(8),
                                        L.Dense(1)]))
    report = check_model(model, _ids("pre"), rng.normal(size=(N, 1)))
    assert [f.severity for f in report.findings if f.code == "padding_without_mask"] == [
        "warning"]


# ---- correct models stay quiet -----------------------------------------------------------

@pytest.mark.parametrize("kind", ["embedding", "masking"])
def test_the_same_tagger_with_a_mask_is_quiet(kind: str) -> None:
    if kind == "embedding":
        x = _ids()
        tags = np.where(x == 0, 0, x % 3 + 1)
        first = [keras.Input((T,)), L.Embedding(V, 8, mask_zero=True)]
    else:
        x = _floats()
        tags = np.where((x == 0).all(-1), 0, 1 + (x[..., 0] > 0))
        first = [keras.Input((T, 3)), L.Masking(0.0)]
    model = _compiled(keras.Sequential([*first, L.GRU(8, return_sequences=True),
                                        L.Dense(4, activation="softmax")]),
                      "sparse_categorical_crossentropy")
    assert check_model(model, x, tags).errors == []


def test_a_sensor_resting_at_zero_and_a_sine_are_not_padding() -> None:
    sensor = rng.normal(size=(60, T, 1))
    sensor[rng.random(sensor.shape) < 0.3] = 0.0  # a valve closed now and then
    t = np.arange(200) * np.pi / 8
    sine = np.stack([np.sin(t[i:i + T]) for i in range(150)])[..., None]
    series = np.concatenate([rng.normal(size=150), np.zeros(6)])  # ends at rest
    tail = np.stack([series[i:i + T] for i in range(len(series) - T)])[..., None]
    for x in (sensor, sine, tail):
        pad = find_padding(x)
        assert pad is None or not pad.certain


# ---- mask_dropped ------------------------------------------------------------------------

def test_conv1d_then_pooling_after_a_masked_gru_with_padded_data() -> None:
    i = keras.Input((T,))
    h = L.GRU(8, return_sequences=True)(L.Embedding(V, 8, mask_zero=True)(i))
    h = L.Conv1D(4, 3, padding="same", name="conv")(h)
    model = _compiled(keras.Model(i, L.Dense(1)(L.GlobalMaxPooling1D()(h))))
    (finding,) = _errors(check_model(model, _ids(), rng.normal(size=(N, 1))), "mask_dropped")
    assert finding.where == "layer 'conv'"


def test_a_dropped_mask_that_hides_nothing_in_the_data_is_a_warning() -> None:
    model = _compiled(keras.Sequential([keras.Input((T, 2)), L.Masking(0.0),
                                        L.GRU(4, return_sequences=True),
                                        L.Flatten(name="flat"), L.Dense(1)]))
    x = rng.normal(size=(N, T, 2)).astype("float32")  # no padded step at all
    found = [f for f in check_model(model, x, rng.normal(size=(N, 1))).findings
             if f.code == "mask_dropped"]
    assert [f.severity for f in found] == ["warning"]
