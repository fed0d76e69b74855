"""Targets by meaning, round 2 (issue 13, items 3-4): one value per sample against a wide
head, a horizon whose step count differs from x's, units read as one per timestep, and
per-step versus horizon when H == T, ranked by the data. GRU/Bidirectional, Sequential and
functional, several sizes; each with a correct twin that stays quiet."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest
from keras import layers as L

from lstm_shapes import check_model

rng = np.random.default_rng(5)
N = 48


@pytest.fixture(autouse=True)
def _quiet() -> None:
    keras.utils.clear_session()
    keras.utils.set_random_seed(0)
    warnings.simplefilter("ignore")


def _errors(report) -> list[str]:
    return [f.code for f in report.findings if f.severity == "error"]


def _one(report, *codes: str):
    found = [f for f in report.findings if f.code in codes]
    assert found, str(report)
    return found[0]


def _seq(t: int, f: int, *body, loss="mse") -> keras.Model:
    model = keras.Sequential([keras.Input((t, f)), *body])
    model.compile("adam", loss)
    return model


def _functional(t: int, f: int, rnn, head, loss="mse") -> keras.Model:
    i = keras.Input((t, f))
    model = keras.Model(i, head(rnn(i)))
    model.compile("adam", loss)
    return model


def _x(t: int, f: int = 2) -> np.ndarray:
    return rng.standard_normal((N, t, f)).astype("float32")


# ---- (a) one value per sample against a head of k > 1 ------------------------------------

@pytest.mark.parametrize("k,ycols", [(3, None), (4, 1), (7, None)])
def test_one_value_per_sample_against_a_wide_head_says_dense_1(k, ycols) -> None:
    y = rng.standard_normal(N if ycols is None else (N, ycols)).astype("float32")
    model = _seq(6, 2, L.GRU(8), L.Dense(k, name="head"))
    finding = _one(check_model(model, _x(6), y), "target_broadcast",
                   "output_width_mismatch")
    assert "units=1" in finding.fix and f"units={k}" not in finding.fix
    assert "reshape" not in finding.fix
    twin = _seq(6, 2, L.GRU(8), L.Dense(1))
    assert check_model(twin, _x(6), y).errors == []


def test_one_value_per_sample_bidirectional_functional() -> None:
    model = _functional(5, 3, L.Bidirectional(L.LSTM(4)), L.Dense(5, name="out"))
    y = rng.standard_normal((N, 1)).astype("float32")
    finding = _one(check_model(model, _x(5, 3), y), "target_broadcast",
                   "output_width_mismatch")
    assert "units=1" in finding.fix


def test_class_ids_under_mse_on_a_softmax_head_is_the_loss() -> None:
    model = _seq(6, 2, L.LSTM(8), L.Dense(4, activation="softmax"))
    y = rng.integers(0, 4, N)
    finding = _one(check_model(model, _x(6), y), "loss_label_encoding_mismatch")
    assert "sparse_categorical_crossentropy" in finding.fix
    twin = _seq(6, 2, L.LSTM(8), L.Dense(4, activation="softmax"),
                loss="sparse_categorical_crossentropy")
    assert check_model(twin, _x(6), y).errors == []


# ---- (b) a horizon of H != T steps against one prediction per sequence -------------------

@pytest.mark.parametrize("t,h,trail", [(10, 3, False), (10, 3, True), (6, 9, True),
                                       (12, 4, False)])
def test_h_steps_other_than_t_are_a_horizon(t, h, trail) -> None:
    y = rng.standard_normal((N, h, 1) if trail else (N, h)).astype("float32")
    model = _seq(t, 2, L.GRU(8), L.Dense(1, name="head"))
    report = check_model(model, _x(t), y)
    finding = _one(report, "multistep_horizon_mismatch")
    assert "last_output_vs_sequence_target" not in _errors(report)
    assert f"units={h}" in finding.fix and "return_sequences=True" not in finding.fix
    twin = _seq(t, 2, L.GRU(8), L.Dense(h))
    assert check_model(twin, _x(t), y).errors == []


def test_h_steps_against_a_per_step_dense_head_is_a_horizon() -> None:
    y = rng.standard_normal((N, 3, 1)).astype("float32")
    model = _functional(8, 2, L.LSTM(8, return_sequences=True, name="rnn"),
                        L.Dense(1, name="head"))
    finding = _one(check_model(model, _x(8), y), "multistep_horizon_mismatch")
    assert "return_sequences=False" in finding.fix and "units=3" in finding.fix


def test_a_timedistributed_horizon_head_gets_no_unproven_fix() -> None:
    # TimeDistributed(Dense(H)) after return_sequences=False does not build: the tempting
    # config edit fails its proof and only prose is printed
    y = rng.standard_normal((N, 3, 1)).astype("float32")
    model = _seq(9, 1, L.LSTM(8, return_sequences=True), L.TimeDistributed(L.Dense(3)))
    finding = _one(check_model(model, _x(9, 1), y), "multistep_horizon_mismatch")
    assert "layer '" not in finding.fix and "RepeatVector(3)" in finding.fix


# ---- (c) a per-step head whose units equal the timesteps ---------------------------------

@pytest.mark.parametrize("t,wrap,trail", [(6, True, True), (9, True, False),
                                          (7, False, True)])
def test_per_step_units_equal_to_timesteps(t, wrap, trail) -> None:
    head = L.TimeDistributed(L.Dense(t), name="head") if wrap else L.Dense(t, name="head")
    model = _seq(t, 2, L.GRU(8, return_sequences=True), head)
    x = _x(t)
    y = (2 * x[..., :1] + 1) if trail else (2 * x[..., 0] + 1)
    report = check_model(model, x, y)
    finding = _one(report, "units_equals_timesteps")
    assert "sequence_output_vs_last_target" not in _errors(report)
    assert "units=1" in finding.fix
    one = L.TimeDistributed(L.Dense(1)) if wrap else L.Dense(1)
    assert check_model(_seq(t, 2, L.GRU(8, return_sequences=True), one), x, y).errors == []


def test_per_step_head_of_other_width_asks_for_one_unit() -> None:
    x = _x(8)
    model = _seq(8, 2, L.LSTM(8, return_sequences=True), L.TimeDistributed(L.Dense(3)))
    report = check_model(model, x, 2 * x[..., :1])
    assert "sequence_output_vs_last_target" not in _errors(report)
    assert "units=1" in _one(report, "target_broadcast", "output_width_mismatch").fix


# ---- (d) H == T: the data ranks per-step against horizon ---------------------------------

def test_steps_that_line_up_with_x_rank_per_step_first() -> None:
    x = _x(8)
    y = 3 * x[..., 1] + 0.3 * rng.standard_normal((N, 8))  # noisy: no exact copy
    report = check_model(_seq(8, 2, L.GRU(8, name="rnn"), L.Dense(1, name="head")), x, y)
    (finding,) = report.findings
    assert finding.code == "last_output_vs_sequence_target" and finding.severity == "error"
    assert "most likely" in finding.message and "feature 1" in finding.message
    assert finding.fix.index("return_sequences=True") < finding.fix.index("units=8")


def test_overlapping_rows_of_an_outside_series_rank_horizon_first() -> None:
    t = 8
    walk = np.cumsum(rng.standard_normal(N + 2 * t)).astype("float32")
    y = np.stack([walk[i + t:i + 2 * t] for i in range(N)])  # the series after window i
    x = _x(t)  # features that are not that series
    report = check_model(_seq(t, 2, L.LSTM(8), L.Dense(1)), x, y)
    (finding,) = report.findings
    assert finding.code == "multistep_horizon_mismatch" and finding.severity == "error"
    assert "overlap" in finding.message and "otherwise" in finding.message


def test_nothing_separates_them_one_error_names_both() -> None:
    x = _x(7)
    y = rng.standard_normal((N, 7, 1)).astype("float32")
    report = check_model(_functional(7, 2, L.Bidirectional(L.GRU(4), name="bi"),
                                     L.Dense(1, name="head")), x, y)
    (finding,) = report.findings
    assert finding.severity == "error" and "does not say which" in finding.message
    assert "Dense(7)" in finding.message and "return_sequences=True" in finding.message
    assert "OR" in finding.fix  # both readings' fixes, each proven


def test_right_models_for_both_readings_stay_quiet() -> None:
    x = _x(8)
    y = 3 * x[..., 1] + 0.3 * rng.standard_normal((N, 8))
    per_step = _seq(8, 2, L.GRU(8, return_sequences=True), L.Dense(1))
    assert check_model(per_step, x, y).errors == []
    assert check_model(_seq(8, 2, L.GRU(8), L.Dense(8)), x, y).errors == []


@pytest.mark.parametrize(("y_shape", "first"), [
    ((48, 6, 1), "last_output_vs_sequence_target"),  # laid out like x: per step first
    ((48, 6), "multistep_horizon_mismatch"),
])
def test_when_the_data_does_not_say_the_layout_of_y_orders_the_two_readings(
        y_shape: tuple, first: str) -> None:
    import keras

    gen = np.random.default_rng(3)
    model = keras.Sequential([keras.Input((6, 2)), keras.layers.GRU(5),
                              keras.layers.Dense(1)])
    model.compile("adam", "mse")
    x = gen.standard_normal((48, 6, 2)).astype("float32")
    report = check_model(model, x, gen.standard_normal(y_shape).astype("float32"))
    assert [f.code for f in report.errors] == [first], str(report)
    assert "does not say which of two readings" in report.errors[0].message
