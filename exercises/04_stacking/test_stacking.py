"""Tests of exercise 4 (stacking): the model you return is loaded and examined."""

import numpy as np
import pytest

from lstm_shapes.exercises import assert_shape, fail_with


def _question(rng):
    return int(rng.integers(4, 16)), int(rng.integers(1, 4))


def probe_model(module, rng):
    return module.build_stacked(*_question(rng))


def _lstms(model):
    return [layer for layer in model.layers if type(layer).__name__ == "LSTM"]


@pytest.mark.exercise("stacking", points=3)
def test_two_lstms_of_50_units(answers):
    lstms = _lstms(answers["model"])
    if len(lstms) != 2:
        fail_with("missing_return_sequences", f"the model has {len(lstms)} LSTM layer(s)",
                  "two LSTM layers, one after the other")
    units = [layer.units for layer in lstms]
    if units != [50, 50]:
        fail_with("units_equals_timesteps", f"the LSTMs have units {units}",
                  "LSTM(50) twice: units is the size of h, not a number of steps")


@pytest.mark.exercise("stacking", points=3)
def test_the_first_lstm_hands_on_its_sequence(answers):
    first, second = (_lstms(answers["model"]) + [None, None])[:2]
    if first is None or not first.return_sequences:
        fail_with("missing_return_sequences", "the first LSTM returns only its last h, so "
                  "the second one gets no time axis", "LSTM(50, return_sequences=True)")
    if second is not None and second.return_sequences:
        fail_with("sequence_output_vs_last_target", "the last LSTM returns a sequence: the "
                  "model would predict one value per timestep", "LSTM(50) (no return_sequences)")


@pytest.mark.exercise("stacking", points=2)
def test_one_prediction_per_window_on_fresh_data(answers):
    t, f = _question(answers.rng("model"))
    x = np.random.default_rng(1).normal(size=(7, t, f)).astype("float32")
    assert_shape(answers["model"](x), "batch outputs", "model(x)", batch=7, outputs=1)


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("stacking", points=2)
def test_check_model_finds_nothing_and_params_add_up(answers):
    from lstm_shapes import check_model, lstm_param_count

    t, f = _question(answers.rng("model"))
    model = answers["model"]
    x = np.random.default_rng(2).normal(size=(16, t, f)).astype("float32")
    report = check_model(model, x, np.zeros((16, 1), "float32"))
    if not report.ok:
        fail_with(report.errors[0].code, report.errors[0].message, report.errors[0].fix)
    expected = lstm_param_count(50, f) + lstm_param_count(50, 50) + 51
    assert model.count_params() == expected, "Input, LSTM(50), LSTM(50), Dense(1) -- nothing else"
### END HIDDEN TESTS
