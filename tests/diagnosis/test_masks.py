"""Masks and padding: each finding caught on a wrong model, silent on correct ones; fixes proven."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest
from keras import layers as L

from lstm_shapes import ShapeError, check_model, diagnosing
from lstm_shapes.core.codes import MISCONCEPTIONS
from lstm_shapes.diagnosis.padding import find_padding
from lstm_shapes.diagnosis.translate import translate

MASK_CODES = {"padding_without_mask", "mask_dropped"}


@pytest.fixture(autouse=True)
def _quiet() -> None:
    keras.utils.clear_session()
    warnings.simplefilter("ignore")


def _padded(n: int = 32, steps: int = 12, features: int = 3, side: str = "post",
            seed: int = 0) -> np.ndarray:
    """Variable-length float sequences zero-padded like keras.utils.pad_sequences."""
    rng = np.random.default_rng(seed)
    seqs = [rng.normal(size=(int(rng.integers(3, steps + 1)), features)).astype("float32")
            for _ in range(n)]
    return keras.utils.pad_sequences(seqs, maxlen=steps, dtype="float32", padding=side)


def _ids(n: int = 32, steps: int = 10, vocab: int = 50, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    seqs = [rng.integers(1, vocab, size=int(rng.integers(2, steps + 1))).tolist()
            for _ in range(n)]
    return keras.utils.pad_sequences(seqs, maxlen=steps, padding="post")


def _y(n: int = 32) -> np.ndarray:
    return np.random.default_rng(2).normal(size=(n, 1)).astype("float32")


def _compiled(model: keras.Model) -> keras.Model:
    model.compile(optimizer="adam", loss="mse")
    return model


def _mask_findings(report) -> list:
    return [f for f in report.findings if f.code in MASK_CODES]


def test_the_codes_are_in_the_catalogue() -> None:
    for code in MASK_CODES:
        assert len(MISCONCEPTIONS[code]) > 60


# ---- padding: the evidence, without Keras ------------------------------------------------

def test_post_and_pre_padding_are_found_with_their_lengths() -> None:
    post = find_padding(_padded(side="post"))
    pre = find_padding(_padded(side="pre"))
    assert post is not None and post.side == "post" and post.rows >= 2
    assert pre is not None and pre.side == "pre"
    assert find_padding(_ids()).side == "post"


@pytest.mark.parametrize("name", ["sensor_f1", "sensor_f3", "one_hot", "ids_zero_is_a_token",
                                  "sparse_windows", "equal_lengths", "one_row"])
def test_ordinary_data_with_zeros_is_not_padding(name: str) -> None:
    rng = np.random.default_rng(3)
    if name == "sensor_f1":  # a fifth of the readings are exactly 0
        x = rng.normal(size=(200, 20, 1))
        x[rng.random(x.shape) < 0.2] = 0
    elif name == "sensor_f3":
        x = rng.normal(size=(200, 20, 3))
        x[rng.random(x.shape) < 0.3] = 0
    elif name == "one_hot":
        x = np.eye(5)[rng.integers(0, 5, size=(100, 15))]
    elif name == "ids_zero_is_a_token":
        x = rng.integers(0, 8, size=(300, 12))
    elif name == "sparse_windows":  # rain: long dry spells, windows slid over the series
        series = np.where(rng.random(3000) < 0.1, rng.gamma(2.0, size=3000), 0.0)
        series = np.convolve(series, np.ones(3), "same") * (rng.random(3000) < 0.5)
        x = np.stack([series[i:i + 24] for i in range(2900)])[..., None]
    elif name == "equal_lengths":  # every row padded by the same 3 steps: not variable length
        x = rng.normal(size=(50, 10, 2))
        x[:, 7:] = 0
    else:
        x = _padded(n=1)
    assert find_padding(x) is None


# ---- padding_without_mask ----------------------------------------------------------------

def test_post_padded_data_without_a_mask_is_caught_and_the_masking_fix_is_proven() -> None:
    model = _compiled(keras.Sequential([keras.Input((12, 3), name="frames"),
                                        L.Dense(6, name="proj"), L.LSTM(8, name="encoder"),
                                        L.Dense(1)]))
    weights = [w.copy() for w in model.get_weights()]
    report = check_model(model, _padded(), _y())
    (finding,) = _mask_findings(report)
    assert finding.code == "padding_without_mask" and finding.severity == "warning"
    assert finding.where == "layer 'encoder'" and "post-padding" in finding.message
    assert "Masking(mask_value=0.0)" in finding.fix and "'proj'" in finding.fix
    assert [layer.name for layer in model.layers] == ["proj", "encoder", "dense"]
    assert all(np.array_equal(a, b) for a, b in zip(weights, model.get_weights()))


def test_padded_ids_into_an_embedding_without_mask_zero() -> None:
    model = _compiled(keras.Sequential([keras.Input((10,)), L.Embedding(50, 8, name="words"),
                                        L.LSTM(8), L.Dense(1)]))
    (finding,) = _mask_findings(check_model(model, _ids(), _y()))
    assert finding.code == "padding_without_mask"
    assert finding.fix.startswith("keras.layers.Embedding(50, 8, mask_zero=True)")
    assert "'words'" in finding.fix


def test_a_mask_value_that_is_not_the_padding() -> None:
    model = _compiled(keras.Sequential([keras.Input((12, 3)), L.Masking(-1.0, name="mask"),
                                        L.LSTM(8), L.Dense(1)]))
    (finding,) = _mask_findings(check_model(model, _padded(), _y()))
    assert finding.code == "padding_without_mask" and "mask_value=-1.0" in finding.message
    assert finding.fix.startswith("keras.layers.Masking(mask_value=0.0)")


def test_pre_padding_into_a_last_step_rnn_is_found_too() -> None:
    model = _compiled(keras.Sequential([keras.Input((12, 3)), L.LSTM(8), L.Dense(1)]))
    (finding,) = _mask_findings(check_model(model, _padded(side="pre"), _y()))
    assert finding.code == "padding_without_mask" and finding.severity == "warning"


def test_a_subclassed_model_reading_padding_unmasked() -> None:
    class Tagger(keras.Model):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = L.LSTM(8)
            self.head = L.Dense(1)

        def call(self, x):
            return self.head(self.rnn(x))

    (finding,) = _mask_findings(check_model(Tagger(), _padded(), _y()))
    assert finding.code == "padding_without_mask" and finding.where == "layer 'lstm'"


# ---- mask_dropped ------------------------------------------------------------------------

def _flatten_model() -> keras.Model:
    return keras.Sequential([keras.Input((10,)), L.Embedding(50, 8, mask_zero=True),
                             L.LSTM(8, return_sequences=True, name="rnn"),
                             L.Flatten(name="flat"), L.Dense(1)])


def test_flatten_after_a_masked_sequence_is_caught_with_a_proven_fix() -> None:
    model = _compiled(_flatten_model())
    (finding,) = _mask_findings(check_model(model, _ids(), _y()))
    assert finding.code == "mask_dropped" and finding.where == "layer 'flat'"
    # the data has padded steps the mask hid, and Flatten makes them features of the head
    assert finding.severity == "error"
    assert "'embedding'" in finding.message
    assert "'flat'" in finding.fix and "'rnn' return_sequences=False" in finding.fix


def test_diagnosing_stops_where_an_rnn_would_read_a_lost_mask_only() -> None:
    with diagnosing():  # the same judgement as check_model: nothing below reads a mask
        _flatten_model()
    with pytest.raises(ShapeError) as err, diagnosing():
        keras.Sequential([keras.Input((12, 3)), L.Masking(0.0),
                          L.Conv1D(4, 3, padding="same", name="conv"), L.LSTM(3, name="rnn")])
    assert err.value.code == "mask_dropped" and err.value.where == "layer 'rnn'"
    assert "'conv'" in str(err.value)


def test_conv1d_between_masking_and_the_rnn_is_one_finding() -> None:
    model = _compiled(keras.Sequential([keras.Input((12, 3)), L.Masking(0.0),
                                        L.Conv1D(4, 3, padding="same", name="conv"),
                                        L.LSTM(3, name="rnn"), L.Dense(1)]))
    found = _mask_findings(check_model(model, _padded(), _y()))
    assert [(f.code, f.where, f.severity) for f in found] == [
        ("mask_dropped", "layer 'conv'", "error")]
    assert "'rnn'" in found[0].message


def test_an_op_between_layers_drops_the_mask_silently() -> None:
    def build() -> keras.Model:
        ids = keras.Input((10,))
        vectors = L.Embedding(50, 8, mask_zero=True)(ids) * 2.0
        return keras.Model(ids, L.Dense(1)(L.LSTM(8, name="rnn")(vectors)))

    (finding,) = _mask_findings(check_model(build()))
    assert finding.code == "mask_dropped" and "'rnn'" in finding.message
    with pytest.raises(ShapeError) as err, diagnosing():
        build()
    assert err.value.code == "mask_dropped" and err.value.where == "layer 'rnn'"


def test_a_lambda_that_keeps_time_gets_the_mask_pass_through_fix() -> None:
    frames = keras.Input((12, 3))
    scaled = L.Lambda(lambda t: t * 2.0, name="scale")(L.Masking(0.0)(frames))
    model = _compiled(keras.Model(frames, L.Dense(1)(L.LSTM(3)(scaled))))
    (finding,) = _mask_findings(check_model(model, _padded(), _y()))
    assert finding.code == "mask_dropped" and finding.where == "layer 'scale'"
    assert "mask=lambda inputs, mask: mask" in finding.fix


def test_the_keras_warning_translates_and_other_warnings_do_not() -> None:
    text = ("Layer 'flatten_3' (of type Flatten) was passed an input with a mask attached to "
            "it. However, this layer does not support masking and will therefore destroy the "
            "mask information. Downstream layers will not see the mask.")
    assert translate(UserWarning(text)).code == "mask_dropped"
    assert translate(UserWarning("The structure of `inputs` doesn't match")) is None


# ---- correct models stay silent ----------------------------------------------------------

def _correct(name: str) -> tuple[keras.Model, object]:
    rng = np.random.default_rng(4)
    if name == "masking_lstm":
        return keras.Sequential([keras.Input((12, 3)), L.Masking(0.0), L.LSTM(8),
                                 L.Dense(1)]), _padded()
    if name == "embedding_mask_zero":
        return keras.Sequential([keras.Input((10,)), L.Embedding(50, 8, mask_zero=True),
                                 L.LSTM(8), L.Dense(1)]), _ids()
    if name == "sensor_zeros":
        x = rng.normal(size=(32, 12, 1)).astype("float32")
        x[rng.random(x.shape) < 0.2] = 0
        return keras.Sequential([keras.Input((12, 1)), L.LSTM(8), L.Dense(1)]), x
    if name == "one_hot":
        return keras.Sequential([keras.Input((12, 5)), L.LSTM(8), L.Dense(1)]), \
            np.eye(5, dtype="float32")[rng.integers(0, 5, size=(32, 12))]
    if name == "explicit_mask_input":
        x = _padded()
        frames, mask = keras.Input((12, 3)), keras.Input((12,), dtype="bool")
        model = keras.Model([frames, mask], L.Dense(1)(L.LSTM(8)(frames, mask=mask)))
        return model, [x, (x != 0).any(axis=-1)]
    if name == "masked_sequence_then_pooling":
        return keras.Sequential([keras.Input((12, 3)), L.Masking(0.0),
                                 L.LSTM(8, return_sequences=True),
                                 L.GlobalAveragePooling1D(), L.Dense(1)]), _padded()
    # a per-step tagger: the mask reaches the loss through TimeDistributed
    return keras.Sequential([keras.Input((12, 3)), L.Masking(0.0),
                             L.LSTM(8, return_sequences=True),
                             L.TimeDistributed(L.Dense(1))]), _padded()


CORRECT = ["masking_lstm", "embedding_mask_zero", "sensor_zeros", "one_hot",
           "explicit_mask_input", "masked_sequence_then_pooling", "masked_sequence_tagger"]


@pytest.mark.parametrize("name", CORRECT)
def test_correct_models_have_no_mask_finding(name: str) -> None:
    model, x = _correct(name)
    report = check_model(model, x)
    assert not _mask_findings(report), str(report)
    with diagnosing():  # no mask warning turned into an error either
        model, x = _correct(name)
        model(x)
