"""Which axis of x is time, read from the data: windows on the feature axis, one-step rows,
2-D data against a declared (T, F), ragged sequences. Variants the corpus does not have
(other sizes, GRU, Bidirectional, Conv1D front-ends, multivariate and sensor-like data), each
wrong one caught and each correct one quiet."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from lstm_shapes import check_model
from lstm_shapes.diagnosis.data_axes import lag1, same_values, window_stride

L = keras.layers
R = np.random.default_rng(7)


def _series(n: int, seed: int = 0) -> np.ndarray:
    """A sensor-like series: two slow oscillations, a drift and noise."""
    t = np.arange(n)
    r = np.random.default_rng(seed)
    return (np.sin(t * 0.07) + 0.4 * np.sin(t * 0.31 + 1) + t / n
            + 0.05 * r.standard_normal(n)).astype("float32")


def _windows(n: int, w: int, stride: int = 1, seed: int = 0) -> np.ndarray:
    s = _series(n * stride + w + 1, seed)
    return np.stack([s[i * stride:i * stride + w] for i in range(n)])


def _model(shape: tuple, *layers, loss: str = "mse") -> keras.Model:
    model = keras.Sequential([keras.Input(shape), *layers])
    model.compile(optimizer="adam", loss=loss)
    return model


def _errors(report) -> list[str]:
    return [f.code for f in report.errors]


# the facts -----------------------------------------------------------------------------------

def test_window_stride_sees_overlap_in_order_shuffled_and_strided() -> None:
    rows = _windows(50, 12)
    assert window_stride(rows) == 1
    assert window_stride(rows[R.permutation(50)]) == 1
    assert window_stride(_windows(50, 12, stride=3)) == 3


@pytest.mark.parametrize("rows", [
    R.standard_normal((60, 8)),  # random features
    np.cumsum(R.standard_normal((60, 8)), axis=1),  # smooth rows, but independent samples
    R.integers(1, 50, (60, 8)).astype("float32"),  # token ids
    np.zeros((60, 8)),  # padding
], ids=["random", "smooth_independent", "token_ids", "zeros"])
def test_window_stride_is_none_for_rows_that_are_not_windows(rows) -> None:
    assert window_stride(rows) is None


def test_lag1_tells_a_time_axis_from_a_feature_axis() -> None:
    x = np.stack([_windows(40, 10, seed=k) for k in range(3)], axis=-1)  # (40, 10, 3)
    x[..., 1] = R.standard_normal((40, 10))
    assert lag1(x[..., 0], axis=1) > 0.8
    assert abs(lag1(R.standard_normal((40, 10, 3)), axis=2)) < 0.3


def test_same_values_only_adds_or_drops_axes_of_one() -> None:
    assert same_values((5, 24), (5, 24, 1)) and same_values((5, 24, 9, 1), (5, 24, 9))
    assert not same_values((571, 24), (571, 8, 3))


# a window on the feature axis ----------------------------------------------------------------

@pytest.mark.parametrize("rnn", [lambda: L.GRU(6), lambda: L.Bidirectional(L.LSTM(4)),
                                 lambda: L.SimpleRNN(5)], ids=["gru", "bilstm", "simple_rnn"])
@pytest.mark.parametrize("w", [5, 16])
def test_windows_laid_on_one_step_are_window_as_features(rnn, w) -> None:
    x = _windows(40, w)[:, None, :]  # (40, 1, w)
    y = x[:, 0, -1:] * 0.5
    report = check_model(_model((1, w), rnn(), L.Dense(1)), x, y)
    finding = next(f for f in report.errors if f.code == "window_as_features")
    assert "np.transpose(x, (0, 2, 1))" in finding.fix and f"Input(shape=({w}, 1))" in finding.fix
    assert ".reshape(" not in finding.fix


def test_shuffled_strided_windows_with_none_timesteps_are_found() -> None:
    x = _windows(48, 9, stride=2)[R.permutation(48)][:, None, :]
    report = check_model(_model((None, 9), L.LSTM(4), L.Dense(1)), x, x[:, 0, -1:])
    assert "window_as_features" in _errors(report), str(report)


def test_a_reshape_layer_that_lays_the_window_on_features_gets_a_reshape_fix() -> None:
    x = _windows(40, 7)  # (40, 7) into Reshape((1, 7))
    model = _model((7,), L.Reshape((1, 7)), L.LSTM(4), L.Dense(1))
    report = check_model(model, x, x[:, -1:])
    finding = next(f for f in report.errors if f.code == "window_as_features")
    assert "Reshape((7, 1))" in finding.fix, finding.fix


# one step of independent features ------------------------------------------------------------

@pytest.mark.parametrize("x", [
    R.standard_normal((50, 1, 6)).astype("float32"),
    np.cumsum(R.standard_normal((50, 1, 6)), axis=2).astype("float32"),  # smooth, not windows
    (R.integers(0, 3, (50, 1, 4)) * 1.0).astype("float32"),
], ids=["random", "smooth", "categorical"])
def test_one_step_rows_are_no_temporal_context_not_a_window(x) -> None:
    """Independent rows of one step: the LSTM is a Dense layer, a judgement (a warning)."""
    report = check_model(_model((1, x.shape[2]), L.LSTM(4), L.Dense(1)), x, x[:, 0, :1])
    assert "no_temporal_context" in [f.code for f in report.warnings], str(report)
    assert "no_temporal_context" not in _errors(report) and "window_as_features" not in \
        report.codes


def test_one_step_rows_in_time_order_lost_their_past_for_certain() -> None:
    x = np.cumsum(R.standard_normal((60, 1, 5)), axis=0).astype("float32")  # row i+1 ~ row i
    report = check_model(_model((1, 5), L.GRU(4), L.Dense(1)), x, x[:, 0, :1])
    assert "no_temporal_context" in _errors(report), str(report)
    few = check_model(_model((1, 5), L.GRU(4), L.Dense(1)), x[:3], x[:3, 0, :1])
    assert "no_temporal_context" not in _errors(few), str(few)  # 3 rows say nothing


def test_one_step_with_given_states_or_stateful_is_streaming_and_quiet() -> None:
    inp, h = keras.Input((1, 3)), keras.Input((4,))
    out = L.Dense(1)(L.GRU(4)(inp, initial_state=[h]))
    model = keras.Model([inp, h], out)
    model.compile(optimizer="adam", loss="mse")
    x = _windows(16, 3)[:, None, :]
    assert not check_model(model, [x, np.zeros((16, 4), "float32")], x[:, 0, :1]).findings
    stateful = keras.Sequential([keras.Input((1, 3), batch_size=4), L.LSTM(4, stateful=True),
                                 L.Dense(1)])
    stateful.compile(optimizer="adam", loss="mse")
    assert check_model(stateful, x, x[:, 0, :1], batch_size=4).ok


def test_embedding_fed_gru_of_one_token_is_only_a_warning() -> None:
    ids = R.integers(1, 30, (40, 1))
    model = _model((1,), L.Embedding(30, 8), L.GRU(4), L.Dense(1))
    report = check_model(model, ids, R.standard_normal((40, 1)))
    assert report.ok and "window_as_features" not in report.codes, str(report)


# correct models stay quiet -------------------------------------------------------------------

@pytest.mark.parametrize("case", ["sensors", "smooth_features", "token_ids", "conv_front",
                                  "few_steps_many_features", "multivariate_windows"])
def test_correct_sequence_models_get_no_data_axis_finding(case) -> None:
    if case == "sensors":  # 30 steps of 5 random sensor channels
        model, x = _model((30, 5), L.LSTM(8), L.Dense(1)), R.standard_normal((32, 30, 5))
    elif case == "smooth_features":  # features smooth across the channel index, steps too
        x = np.cumsum(np.cumsum(R.standard_normal((32, 12, 16)), axis=1), axis=2)
        model = _model((12, 16), L.GRU(8), L.Dense(1))
    elif case == "token_ids":
        model = _model((20,), L.Embedding(50, 8), L.Bidirectional(L.GRU(4)), L.Dense(1))
        x = R.integers(1, 50, (32, 20))
    elif case == "conv_front":
        model = _model((24, 3), L.Conv1D(8, 3, padding="same"), L.MaxPooling1D(2), L.LSTM(4),
                       L.Dense(1))
        x = np.stack([_windows(32, 24, seed=k) for k in range(3)], axis=-1)
    elif case == "few_steps_many_features":  # 4 steps of 64 independent features is legal
        model, x = _model((4, 64), L.LSTM(8), L.Dense(1)), R.standard_normal((32, 4, 64))
    else:
        x = np.stack([_windows(32, 10, seed=k) for k in range(4)], axis=-1)  # (32, 10, 4)
        model = _model((10, 4), L.LSTM(8), L.Dense(1))
    report = check_model(model, x.astype("float32") if x.dtype.kind == "f" else x,
                         R.standard_normal((32, 1)).astype("float32"))
    assert not report.findings, str(report)


# 2-D x against a declared (T, F) -------------------------------------------------------------

def test_windows_without_a_feature_axis_get_newaxis_as_a_warning() -> None:
    x = _windows(32, 45)
    report = check_model(_model((45, 1), L.GRU(4), L.Dense(1)), x, x[:, -1:])
    finding = next(f for f in report.findings if f.code == "missing_timestep_axis")
    assert finding.severity == "warning" and "x[..., np.newaxis]" in finding.fix


def test_flat_values_per_sample_never_get_a_scrambling_reshape() -> None:
    model = _model((24, 3), L.LSTM(4), L.Dense(1))
    x = R.standard_normal((57, 24)).astype("float32")
    report = check_model(model, x, x[:, :1])
    finding = next(f for f in report.errors if f.code == "missing_timestep_axis")
    assert "reshape(57, 8, 3)" not in str(report) and "24 values per sample" in finding.message


@pytest.mark.parametrize("layout", ["step_by_step", "feature_by_feature", "unknown"])
def test_the_data_shows_which_flat_layout_it_has(layout) -> None:
    series = np.stack([_windows(30, 10, seed=k) * (k + 1) + 3 * k for k in range(3)],
                      axis=-1)  # (30, 10, 3): three sensors of their own level and scale
    if layout == "step_by_step":
        x = series.reshape(30, 30)
    elif layout == "feature_by_feature":
        x = np.transpose(series, (0, 2, 1)).reshape(30, 30)
    else:
        x = R.standard_normal((30, 30)).astype("float32")
    report = check_model(_model((10, 3), L.LSTM(4), L.Dense(1)), x, x[:, :1])
    fix = next(f.fix for f in report.errors if f.code == "missing_timestep_axis")
    if layout == "step_by_step":
        assert fix.startswith("x = x.reshape(30, 10, 3)"), fix
    elif layout == "feature_by_feature":
        assert fix.startswith("x = np.transpose(x.reshape(30, 3, 10), (0, 2, 1))"), fix
    else:
        assert "does not show" in fix


def test_rows_of_features_against_windows_get_a_windows_builder() -> None:
    rows = np.stack([_series(70, seed=k) for k in range(5)], axis=-1)  # (70, 5)
    report = check_model(_model((12, 5), L.GRU(4), L.Dense(1)), rows, rows[:, :1])
    finding = next(f for f in report.errors if f.code == "missing_timestep_axis")
    assert "np.stack([x[i:i + 12]" in finding.fix and "(59, 12, 5)" in finding.fix
    assert "batch_in_input_shape" not in report.codes


def test_trailing_axis_of_one_on_frames_is_a_squeeze_warning() -> None:
    model = _model((4, 6, 6, 2), L.ConvLSTM2D(3, 3, padding="same"), L.Flatten(), L.Dense(1))
    x = R.standard_normal((8, 4, 6, 6, 2, 1)).astype("float32")
    finding = next(f for f in check_model(model, x, None).findings if f.code == "wrong_rank")
    assert finding.severity == "warning" and "np.squeeze(x, axis=-1)" in finding.fix


# ragged sequences ----------------------------------------------------------------------------

def test_ragged_lists_and_object_arrays_are_ragged_sequences_with_padding() -> None:
    model = _model((None, 3), L.Masking(), L.GRU(4), L.Dense(1))
    seqs = [R.standard_normal((k, 3)).tolist() for k in (2, 5, 4, 7)]
    obj = np.empty(4, dtype=object)
    obj[:] = seqs
    for x in (seqs, obj):
        report = check_model(model, x, np.zeros((4, 1)))
        assert report.codes == ["ragged_sequences"], str(report)
        assert "pad_sequences(x" in report.findings[0].fix and "(4, 7, 3)" in report.findings[0].fix


def test_things_that_are_not_data_stay_not_a_tensor() -> None:
    model = _model((None, 3), L.GRU(4), L.Dense(1))
    obj = np.empty(2, dtype=object)
    obj[:] = ["a", {"b": 1}]
    assert check_model(model, obj, None).codes == ["not_a_tensor"]


# frames --------------------------------------------------------------------------------------

def _clips(b: int, t: int, h: int, w: int) -> np.ndarray:
    """b clips of t smooth frames: a blob that drifts across an h x w image."""
    rows, cols = np.mgrid[0:h, 0:w]
    out = np.empty((b, t, h, w), "float32")
    for i in range(b):
        r0, c0 = R.uniform(0, h), R.uniform(0, w)
        for j in range(t):
            out[i, j] = np.exp(-((rows - r0 - 0.3 * j) ** 2 + (cols - c0 - 0.2 * j) ** 2) / 8)
    return out


def test_time_major_clips_into_convlstm_are_swapped_with_a_proven_fix() -> None:
    clips = _clips(6, 10, 8, 8)[..., None]  # (6, 10, 8, 8, 1)
    x = np.swapaxes(clips, 0, 1)  # given as (time=10, batch=6, ...)
    model = _model((6, 8, 8, 1), L.ConvLSTM2D(3, 3, padding="same"),
                   L.GlobalAveragePooling2D(), L.Dense(1))
    report = check_model(model, x, None)
    finding = next(f for f in report.errors if f.code == "swapped_axes")
    assert "np.swapaxes(x, 0, 1)" in finding.fix and "(6, 10, 8, 8, 1)" in finding.fix
    good = _model((10, 8, 8, 1), L.ConvLSTM2D(3, 3, padding="same"),
                  L.GlobalAveragePooling2D(), L.Dense(1))
    assert not check_model(good, clips, None).findings


def test_channels_first_frames_into_timedistributed_conv_are_swapped() -> None:
    x = _clips(6, 4, 12, 12)[:, :, None]  # (6, 4, 1, 12, 12): channels first
    model = _model((4, 1, 12, 12), L.TimeDistributed(L.Conv2D(4, 3, padding="same")),
                   L.TimeDistributed(L.Flatten()), L.GRU(4), L.Dense(1))
    finding = next(f for f in check_model(model, x, None).errors if f.code == "swapped_axes")
    assert "np.moveaxis(x, 2, -1)" in finding.fix and "(4, 12, 12, 1)" in finding.fix
    good = _model((4, 12, 12, 1), L.TimeDistributed(L.Conv2D(4, 3, padding="same")),
                  L.TimeDistributed(L.Flatten()), L.GRU(4), L.Dense(1))
    assert not check_model(good, np.moveaxis(x, 2, -1), None).findings


def test_rows_against_any_number_of_steps_offer_one_sequence_or_windows() -> None:
    rows = np.stack([_series(40, seed=k) for k in range(6)], axis=-1)  # (40, 6)
    report = check_model(_model((None, 6), L.LSTM(4), L.Dense(1)), rows, None)
    fix = next(f.fix for f in report.errors if f.code == "missing_timestep_axis")
    assert fix.startswith("x = x[np.newaxis]   # (1, 40, 6)") and "x[i:i + W]" in fix


def test_windows_on_the_feature_axis_are_seen_through_an_elementwise_layer() -> None:
    import keras

    s = np.sin(np.arange(300) * 0.1).astype("float32")
    x = np.stack([s[i:i + 8] for i in range(200)])[:, None, :]  # (200, 1, 8): one step
    y = s[8:208, None]
    model = keras.Sequential([keras.Input((1, 8)), keras.layers.Activation("relu"),
                              keras.layers.GRU(6), keras.layers.Dense(1)])
    model.compile("adam", "mse")
    report = check_model(model, x, y)
    assert "window_as_features" in [f.code for f in report.errors], str(report)


def test_one_step_rows_whose_targets_change_every_k_rows_are_k_steps_of_one_sample() -> None:
    rows = R.standard_normal((60, 6)).astype("float32")
    labels = np.repeat(R.integers(0, 2, 15), 4)[:, None].astype("float32")  # 4 rows a label
    model = _model((1, 6), L.GRU(5), L.Dense(1, activation="sigmoid"))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    report = check_model(model, rows[:, None, :], labels)
    finding = next(f for f in report.errors if f.code == "no_temporal_context")
    assert "x = x.reshape(15, 4, 6); y = y[::4]" in finding.fix, finding.fix
    fixed = _model((4, 6), L.GRU(5), L.Dense(1, activation="sigmoid"))  # the fix, applied
    fixed.compile(optimizer="adam", loss="binary_crossentropy")
    fixed.fit(rows.reshape(15, 4, 6), labels[::4], epochs=1, verbose=0)


def test_rows_sorted_by_class_are_not_read_as_blocks_of_one_sample() -> None:
    rows = R.standard_normal((60, 6)).astype("float32")
    labels = np.repeat([0, 1, 2], 20)  # 3 blocks = 3 classes: sorted, not grouped
    model = _model((1, 6), L.GRU(5), L.Dense(3, activation="softmax"))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    report = check_model(model, rows[:, None, :], labels)
    assert "no_temporal_context" not in _errors(report), str(report)
