"""check_model and diagnosing() on a corpus of real broken models (tests/corpus/broken_models.py)."""

from __future__ import annotations

import warnings
from typing import Any

import keras
import numpy as np
import pytest
from corpus.broken_models import CASES, Case, _windows

from lstm_shapes import (
    ShapeError,
    build_lstm,
    build_stacked_lstm,
    build_stateful_lstm,
    check_model,
    diagnosing,
    sine_windows,
)
from lstm_shapes.core.codes import MISCONCEPTIONS

IDS = [c.name for c in CASES]


def test_the_corpus_is_large_and_uses_known_codes() -> None:
    assert len(CASES) >= 25 and len({c.name for c in CASES}) == len(CASES)
    assert sum(not c.loud for c in CASES) >= 12  # the silent ones are the point
    for case in CASES:
        assert {case.code, *case.accept} <= set(MISCONCEPTIONS)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_broken_model_is_named(case: Case) -> None:
    codes = {case.code, *case.accept}
    try:
        model, x, y, fit = case.broken()
    except Exception:  # noqa: BLE001 - Keras refused to build it
        assert case.loud, f"{case.name} does not build, so it is not silent"
        with pytest.raises(ShapeError) as err, diagnosing():
            case.broken()
        assert err.value.code in codes, str(err.value)
        assert err.value.fix
        return
    report = check_model(model, x, y, batch_size=fit.get("batch_size"))
    assert case.code in report.codes, str(report)
    finding = next(f for f in report.findings if f.code == case.code)
    assert finding.message and finding.fix and finding.where
    assert f"[{case.code}]" in str(finding)
    if case.loud:
        with pytest.raises(ShapeError) as err, diagnosing():
            model.fit(x, y, epochs=1, verbose=0, **fit)
        assert err.value.code in codes, str(err.value)
        assert err.value.__cause__ is not None or err.value.code in codes


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_fixed_model_has_no_error(case: Case) -> None:
    model, x, y, fit = case.fixed()
    report = check_model(model, x, y, batch_size=fit.get("batch_size"))
    assert report.ok and case.code not in report.codes, str(report)


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in CASES if not c.loud], ids=lambda c: c.name)
def test_silent_mistakes_really_train_without_an_error(case: Case) -> None:
    model, x, y, fit = case.broken()
    with warnings.catch_warnings():  # Keras at most warns (a softmax or categorical loss
        warnings.simplefilter("ignore")  # over one unit), it never stops
        history = model.fit(x, y, epochs=1, verbose=0, **fit)
    assert len(history.history["loss"]) == 1  # it trained: that is the bug


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_fixed_model_trains_under_diagnosing(case: Case) -> None:
    model, x, y, fit = case.fixed()
    with diagnosing():
        model.fit(x, y, epochs=1, verbose=0, **fit)


@pytest.mark.parametrize("build", [
    lambda: build_lstm(units=16, timesteps=10),
    lambda: build_stacked_lstm(units=(50, 50), timesteps=10),
    lambda: build_stacked_lstm(units=(16, 16, 16), timesteps=10, dropout=0.1),
], ids=["lstm", "stacked", "three"])
def test_no_false_alarm_on_the_builders_with_sine_data(build) -> None:
    w = sine_windows(timesteps=10)
    report = check_model(build(), w.x_train, w.y_train)
    assert report.findings == [], str(report)


def test_no_false_alarm_on_a_stateful_builder_with_a_divisible_batch() -> None:
    w = sine_windows(timesteps=10)
    model = build_stateful_lstm(units=8, timesteps=10, batch_size=10)
    n = len(w.x_train) // 10 * 10
    report = check_model(model, w.x_train[:n], w.y_train[:n], batch_size=10)
    assert report.findings == [], str(report)


def test_no_false_alarm_on_bidirectional_gru_return_state_and_multi_input() -> None:
    import keras

    L = keras.layers
    x, y = _windows()
    a, b = keras.Input((10, 1)), keras.Input((10, 1))
    seq, h = L.GRU(8, return_sequences=True, return_state=True)(a)
    both = L.Bidirectional(L.LSTM(4), merge_mode="sum")(b)
    merged = L.Concatenate()([L.SimpleRNN(8)(seq, initial_state=[h]), both])
    model = keras.Model([a, b], L.Dense(1)(merged))
    model.compile("adam", "mse")
    report = check_model(model, [x, x], y)
    assert report.findings == [], str(report)


def test_bad_data_is_a_finding_not_a_crash() -> None:
    model = build_lstm(units=4, timesteps=10)
    assert check_model(model, [[1.0, 2.0], [3.0]], None).codes == ["ragged_sequences"]
    assert check_model(model, np.array([["a"] * 10]), None).codes == ["wrong_dtype"]
    assert check_model(model, np.zeros((0, 10, 1)), None).codes == ["empty_batch"]
    with pytest.raises(TypeError, match="keras.Model"):
        check_model("not a model")


def test_subclassed_model_is_traced_by_calling_it() -> None:
    import keras

    class Forecaster(keras.Model):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = keras.layers.LSTM(8, return_sequences=True)
            self.head = keras.layers.Dense(1)

        def call(self, x):  # noqa: ANN001
            return self.head(self.rnn(x))

    x, y = _windows()
    report = check_model(Forecaster(), x, y)
    assert report.codes == ["sequence_output_vs_last_target"]
    assert "(None, 10, 8)" in str(report.story)


def test_multi_output_targets_are_checked_per_output() -> None:
    import keras

    L = keras.layers
    x, y = _windows()
    i = keras.Input((10, 1))
    seq = L.LSTM(8, return_sequences=True)(i)
    model = keras.Model(i, [L.TimeDistributed(L.Dense(1))(seq), L.Dense(1)(L.LSTM(4)(seq))])
    model.compile("adam", ["mse", "mse"])
    assert check_model(model, x, [x, y]).findings == []
    swapped = check_model(model, x, [y, x])
    assert {"sequence_output_vs_last_target", "last_output_vs_sequence_target"} <= set(
        swapped.codes), str(swapped)


def test_an_untraceable_model_says_so_instead_of_all_clear() -> None:
    import keras

    report = check_model(keras.Sequential([keras.layers.LSTM(4), keras.layers.Dense(1)]))
    assert report.findings == [] and "pass x" in str(report)
    assert not report.traced and "no shape mistakes" not in str(report), str(report)
    assert "not checked" in str(report)
    traced = check_model(keras.Sequential([keras.Input((5, 2)), keras.layers.LSTM(4)]))
    assert traced.traced and str(traced) == "check_model: no shape mistakes found"


def _seq_vs_last() -> tuple:
    model = keras.Sequential([keras.Input((10, 1)), keras.layers.LSTM(4, return_sequences=True),
                              keras.layers.Dense(1)])
    model.compile("adam", "mse")
    x, y = _windows()
    return model, x, y


def test_a_dataset_is_checked_on_its_first_batch() -> None:
    import tensorflow as tf

    model, x, y = _seq_vs_last()
    report = check_model(model, tf.data.Dataset.from_tensor_slices((x, y)).batch(16))
    assert report.codes == ["sequence_output_vs_last_target"], str(report)
    assert str(report).endswith("(checked the first batch of the dataset)")
    empty = check_model(model, tf.data.Dataset.from_tensor_slices((x, y)).take(0).batch(16))
    assert empty.codes == ["empty_batch"], str(empty)


def test_inputs_keyed_by_name_are_checked_in_the_models_order() -> None:
    seq, static = keras.Input((10, 1), name="seq"), keras.Input((3,), name="static")
    head = keras.layers.Dense(1)(keras.layers.Concatenate()([keras.layers.LSTM(4)(seq), static]))
    model = keras.Model({"static": static, "seq": seq}, head)
    x, y = _windows()
    good = {"static": np.zeros((len(x), 3), "float32"), "seq": x}
    assert check_model(model, good, y).findings == []
    flat = check_model(model, {**good, "seq": x[:, :, 0]}, y)
    assert "missing_timestep_axis" in flat.codes, str(flat)
    wrong = check_model(model, {"series": x, "static": good["static"]}, y)
    assert wrong.codes == ["not_a_tensor"] and "'seq'" in str(wrong), str(wrong)


def test_a_generator_is_refused_without_consuming_it() -> None:
    model, x, y = _seq_vs_last()
    batches = iter([(x, y)])
    report = check_model(model, batches)
    assert report.codes == ["not_a_tensor"] and "next(gen)" in str(report)
    assert next(batches)[0] is x  # the learner's data is still there


@pytest.mark.parametrize("declared, data, code, where, fix", [
    # a declaration of ONE step with the window on its features: the model is wrong
    ((1, 10), (8, 10, 1), "window_as_features", "model input", "keras.Input(shape=(10, 1))"),
    # data of ONE step with the window on its features: the data is wrong
    ((10, 1), (8, 1, 10), "window_as_features", "x", "x = x.reshape(8, 10, 1)"),
    # both sides plausible: both readings, never one confident blame
    ((3, 10), (8, 10, 3), "swapped_axes", "x or the model input",
     "declare keras.Input(shape=(10, 3)); if the model is right, x = np.transpose(x, (0, 2, 1))"),
])
def test_axes_in_the_other_order_blame_the_side_that_is_wrong(declared, data, code, where, fix):
    model = keras.Sequential([keras.Input(declared), keras.layers.LSTM(4), keras.layers.Dense(1)])
    model.compile("adam", "mse")
    [finding] = check_model(model, np.zeros(data, "float32"), np.zeros((8, 1), "float32")).errors
    assert (finding.code, finding.where) == (code, where)
    assert fix in finding.fix


def _unrolled(order: str) -> Any:
    """One LSTM layer called step by step, each step starting from the last one's state."""
    steps, i = 4, keras.Input((4, 3))
    cell = keras.layers.LSTM(5, return_state=True)
    out, h, c = cell(keras.layers.Lambda(lambda v: v[:, :1, :])(i))
    for t in range(1, steps):
        step = keras.layers.Lambda(lambda v, t=t: v[:, t:t + 1, :])(i)
        state = {"output,c": [out, c], "h,c": [h, c], "c,h": [c, h]}[order]
        out, h, c = cell(step, initial_state=state)
    return keras.Model(i, keras.layers.Dense(1)(out))


@pytest.mark.parametrize("order", ["output,c", "h,c"])
def test_a_loop_unrolled_by_hand_is_quiet(order: str) -> None:
    """The last output of a one-direction LSTM is its last h: [output, c] is [h, c]; a
    one-step call from a given state is a step of the loop, not a window on features."""
    x = np.random.default_rng(0).standard_normal((8, 4, 3)).astype("float32")
    report = check_model(_unrolled(order), x)
    assert report.findings == [], str(report)


def test_a_loop_unrolled_by_hand_with_c_and_h_swapped_is_caught() -> None:
    report = check_model(_unrolled("c,h"))
    assert report.codes == ["initial_state_structure"], str(report)  # once, not per step
    assert "[c, h]" in str(report)


def test_a_stateful_layer_of_a_subclassed_model_has_the_batch_it_was_called_with() -> None:
    class Stateful(keras.Model):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = keras.layers.LSTM(4, stateful=True)
            self.head = keras.layers.Dense(1)

        def call(self, x: Any) -> Any:
            return self.head(self.rnn(x))

    x = np.zeros((8, 5, 1), "float32")
    model = Stateful()
    model.compile("adam", "mse")
    assert check_model(model, x, np.zeros((8, 1), "float32"), batch_size=8).findings == []
