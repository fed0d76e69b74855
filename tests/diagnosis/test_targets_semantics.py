"""Targets and losses judged by meaning (issue 13, items 3-5): each finding is caught on the
wrong idiom, stays silent on the right one, and prints only fixes proven on a clone."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from lstm_shapes import check_model

L = keras.layers
N, T = 48, 10
rng = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _fresh():
    keras.utils.clear_session()
    keras.utils.set_random_seed(0)


def _x(features: int = 1) -> np.ndarray:
    return rng.standard_normal((N, T, features)).astype("float32")


def _model(*head: L.Layer, loss, sequences: bool = False, features: int = 1) -> keras.Model:
    model = keras.Sequential([keras.Input((T, features)),
                              L.LSTM(8, return_sequences=sequences), *head])
    model.compile("adam", loss)
    return model


def _codes(report) -> list[str]:
    return [f.code for f in report.findings]


def _one(report, code: str):
    found = [f for f in report.findings if f.code == code]
    assert found, str(report)
    return found[0]


IDS = rng.integers(0, 4, N)
ONEHOT = np.eye(4, dtype="float32")[IDS]


# -- sparse vs categorical, both directions ------------------------------------------------

def test_sparse_crossentropy_on_one_hot_labels_is_caught_with_proven_fixes() -> None:
    x, y_train = _x(), ONEHOT
    report = check_model(_model(L.Dense(4, activation="softmax"),
                                loss="sparse_categorical_crossentropy"), x, y_train)
    finding = _one(report, "loss_label_encoding_mismatch")
    assert finding.severity == "error"
    assert "categorical_crossentropy" in finding.fix
    assert "y_train = np.argmax(y_train, axis=-1)" in finding.fix  # the user's own name


def test_categorical_crossentropy_on_integer_ids_is_caught() -> None:
    x, labels = _x(), IDS
    for y in (labels, labels[:, None]):
        report = check_model(_model(L.Dense(4, activation="softmax"),
                                    loss="categorical_crossentropy"), x, y)
        finding = _one(report, "loss_label_encoding_mismatch")
        assert "sparse_categorical_crossentropy" in finding.fix
        assert "to_categorical" in finding.fix


@pytest.mark.parametrize("loss,y", [
    ("sparse_categorical_crossentropy", IDS),
    ("sparse_categorical_crossentropy", IDS[:, None]),
    ("categorical_crossentropy", ONEHOT),
    (keras.losses.CategoricalCrossentropy(), ONEHOT),
], ids=["sparse-ids", "sparse-ids-column", "categorical-onehot", "categorical-object"])
def test_matching_label_encodings_stay_silent(loss, y) -> None:
    report = check_model(_model(L.Dense(4, activation="softmax"), loss=loss), _x(), y)
    assert report.findings == [], str(report)


# -- one unit, from_logits, binary on multi-class ------------------------------------------

def test_softmax_over_one_unit_is_caught_and_sigmoid_is_not() -> None:
    y = rng.integers(0, 2, N).astype("float32")
    bad = check_model(_model(L.Dense(1, activation="softmax"), loss="binary_crossentropy"),
                      _x(), y)
    finding = _one(bad, "loss_label_encoding_mismatch")
    assert "1.0" in finding.message and "activation='sigmoid'" in finding.fix
    good = check_model(_model(L.Dense(1, activation="sigmoid"), loss="binary_crossentropy"),
                       _x(), y)
    assert good.findings == [], str(good)


def test_categorical_crossentropy_over_one_unit_is_caught() -> None:
    y = rng.integers(0, 2, N).astype("float32")
    report = check_model(_model(L.Dense(1, activation="sigmoid"),
                                loss="categorical_crossentropy"), _x(), y)
    assert "binary_crossentropy" in _one(report, "loss_label_encoding_mismatch").fix


def test_from_logits_on_a_softmax_head_is_caught() -> None:
    report = check_model(_model(L.Dense(4, activation="softmax"), loss=keras.losses.
                                SparseCategoricalCrossentropy(from_logits=True)), _x(), IDS)
    finding = _one(report, "loss_label_encoding_mismatch")
    assert "from_logits=True" in finding.message and finding.fix


def test_probabilities_loss_on_a_linear_head_is_caught_and_logits_are_not() -> None:
    bad = check_model(_model(L.Dense(4), loss="sparse_categorical_crossentropy"), _x(), IDS)
    assert "from_logits=True" in _one(bad, "loss_label_encoding_mismatch").fix
    good = check_model(_model(L.Dense(4), loss=keras.losses.SparseCategoricalCrossentropy(
        from_logits=True)), _x(), IDS)
    assert good.findings == [], str(good)


def test_binary_crossentropy_on_multiclass_outputs_is_caught() -> None:
    softmax = check_model(_model(L.Dense(4, activation="softmax"),
                                 loss="binary_crossentropy"), _x(), ONEHOT)
    assert "categorical_crossentropy" in _one(softmax, "loss_label_encoding_mismatch").fix
    ids = check_model(_model(L.Dense(1, activation="sigmoid"), loss="binary_crossentropy"),
                      _x(), IDS)
    assert "sparse_categorical_crossentropy" in _one(ids, "loss_label_encoding_mismatch").fix


def test_multi_label_sigmoid_with_binary_crossentropy_stays_silent() -> None:
    y = (rng.random((N, 4)) > 0.5).astype("float32")
    report = check_model(_model(L.Dense(4, activation="sigmoid"),
                                loss="binary_crossentropy"), _x(), y)
    assert report.findings == [], str(report)


# -- multi-output models ---------------------------------------------------------------------

def _two_outputs() -> keras.Model:
    i = keras.Input((T, 1))
    h = L.LSTM(8)(i)
    model = keras.Model(i, {"label": L.Dense(3, activation="softmax", name="label")(h),
                            "value": L.Dense(1, name="value")(h)})
    model.compile("adam", {"label": "sparse_categorical_crossentropy", "value": "mse"})
    return model


def test_a_correct_two_output_model_with_dict_targets_is_silent() -> None:
    y = {"value": rng.standard_normal((N, 1)).astype("float32"),
         "label": rng.integers(0, 3, N)}
    report = check_model(_two_outputs(), _x(), y)
    assert report.findings == [], str(report)


def test_dict_targets_are_paired_by_name_and_a_wrong_one_is_named() -> None:
    y = {"value": rng.standard_normal((N, 1)).astype("float32"),
         "label": np.eye(3, dtype="float32")[rng.integers(0, 3, N)]}
    report = check_model(_two_outputs(), _x(), y)
    assert _codes(report) == ["loss_label_encoding_mismatch"], str(report)
    assert "'label'" in report.findings[0].where


def test_outputs_without_a_loss_need_no_targets() -> None:
    i = keras.Input((T, 1))
    logits = L.Dense(3, name="logits")(L.LSTM(8)(i))
    model = keras.Model(i, {"logits": logits, "probs": L.Softmax(name="probs")(logits)})
    model.compile("adam", {"logits": keras.losses.SparseCategoricalCrossentropy(
        from_logits=True)})
    report = check_model(model, _x(), {"logits": rng.integers(0, 3, N)})
    assert report.findings == [], str(report)
    wrong = check_model(model, _x(), {"logits": np.eye(3)[rng.integers(0, 3, N)]})
    assert _codes(wrong) == ["loss_label_encoding_mismatch"], str(wrong)


def test_list_targets_are_paired_by_order() -> None:
    i = keras.Input((T, 1))
    h = L.LSTM(8, return_sequences=True)(i)
    model = keras.Model(i, [L.Dense(1)(h), L.Dense(1)(L.LSTM(4)(h))])
    model.compile("adam", ["mse", "mse"])
    x = _x()
    per_step, last = x[..., 0], rng.standard_normal((N, 1)).astype("float32")
    assert check_model(model, x, [per_step, last]).findings == []
    swapped = check_model(model, x, [last, per_step])
    assert {"sequence_output_vs_last_target", "last_output_vs_sequence_target"} & set(
        _codes(swapped)), str(swapped)


# -- broadcasting: only what Keras does ----------------------------------------------------

def test_flat_targets_against_per_step_predictions_broadcast_and_no_reshape_is_offered():
    x = _x()
    report = check_model(_model(L.Dense(1), loss="mse", sequences=True), x, x[:, -1, 0])
    finding = _one(report, "target_broadcast")
    assert "broadcasts" in finding.message
    assert "reshape" not in finding.fix and "return_sequences=False" in finding.fix


def test_per_step_targets_without_their_unit_axis_are_fine_because_keras_squeezes() -> None:
    x = _x()
    # (y = 2x, not x itself: a target equal to its input step for step is a copy task)
    report = check_model(_model(L.Dense(1), loss="mse", sequences=True), x, 2 * x[..., 0])
    assert report.findings == [], str(report)


def test_a_width_keras_refuses_is_not_called_a_broadcast() -> None:
    y = rng.standard_normal((N, 5)).astype("float32")
    report = check_model(_model(L.Dense(3), loss="mse"), _x(), y)
    assert "target_broadcast" not in _codes(report)
    assert "units=5" in _one(report, "output_width_mismatch").fix


def test_transposed_targets_get_a_transpose_not_a_reshape() -> None:
    x = _x(2)
    y = np.transpose(x, (0, 2, 1))  # (N, 2, T) against per-step (N, T, 2)
    report = check_model(_model(L.Dense(2), loss="mse", sequences=True, features=2), x, y)
    finding = report.findings[0]
    assert "np.transpose(y, (0, 2, 1))" in finding.fix and "reshape" not in finding.fix


# -- per-step target or multi-step horizon: the data decides ----------------------------

def _series_windows(horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    s = np.sin(np.arange(N + T + horizon + 2) * 0.3).astype("float32")
    x = np.stack([s[i:i + T] for i in range(N)])[..., None]
    ahead = np.stack([s[i + T:i + T + horizon] for i in range(N)])
    shifted = np.stack([s[i + 1:i + T + 1] for i in range(N)])
    return x, ahead, shifted


def test_next_h_values_against_one_value_head_is_a_horizon() -> None:
    x, ahead, _ = _series_windows(5)
    report = check_model(_model(L.Dense(1), loss="mse"), x, ahead)
    finding = _one(report, "multistep_horizon_mismatch")
    assert finding.severity == "error" and "units=5" in finding.fix
    assert "last_output_vs_sequence_target" not in _codes(report)
    assert check_model(_model(L.Dense(5), loss="mse"), x, ahead).findings == []


def test_a_shifted_copy_of_x_against_one_value_head_is_per_step() -> None:
    x, _, shifted = _series_windows(1)
    report = check_model(_model(L.Dense(1), loss="mse"), x, shifted)
    finding = _one(report, "last_output_vs_sequence_target")
    assert "return_sequences=True" in finding.fix
    assert "multistep_horizon_mismatch" not in _codes(report)


def test_undecided_targets_get_ranked_candidates() -> None:
    y = rng.standard_normal((N, T)).astype("float32")
    report = check_model(_model(L.Dense(1), loss="mse"), _x(), y)
    (finding,) = report.findings  # one finding that names both readings, not two codes
    assert finding.severity == "error" and "does not say which" in finding.message
    assert "Dense(10)" in finding.message and "return_sequences=True" in finding.message
    assert "units=10" in finding.fix and "return_sequences=True" in finding.fix


def test_a_per_step_head_trained_on_the_next_values_is_a_horizon_mistake() -> None:
    x, ahead, shifted = _series_windows(T)
    report = check_model(_model(L.Dense(1), loss="mse", sequences=True), x, ahead)
    finding = _one(report, "multistep_horizon_mismatch")
    assert "return_sequences=False" in finding.fix and "units=10" in finding.fix
    per_step = check_model(_model(L.Dense(1), loss="mse", sequences=True), x, shifted)
    assert per_step.findings == [], str(per_step)


def test_a_per_step_head_in_timedistributed_is_told_to_drop_the_wrapper_too() -> None:
    model = keras.Sequential([keras.Input((6, 3)), L.LSTM(8, return_sequences=True),
                              L.TimeDistributed(L.Dense(4, activation="softmax"))])
    model.compile("adam", "categorical_crossentropy")
    x = rng.standard_normal((N, 6, 3)).astype("float32")
    y = np.eye(4, dtype="float32")[rng.integers(0, 4, N)]  # one label per sequence
    report = check_model(model, x, y)
    finding = _one(report, "sequence_output_vs_last_target")
    assert "without TimeDistributed" in finding.fix, finding.fix
    fixed = keras.Sequential([keras.Input((6, 3)), L.LSTM(8),  # the advice, applied
                              L.Dense(4, activation="softmax")])
    fixed.compile("adam", "categorical_crossentropy")
    fixed.fit(x, y, epochs=1, verbose=0)
