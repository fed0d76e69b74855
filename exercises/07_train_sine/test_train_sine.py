"""Tests of exercise 7 (train_sine): your trained model is evaluated here, on held-out windows."""

import numpy as np
import pytest

from lstm_shapes.exercises import assert_shape, fail_with


def _data():
    from lstm_shapes import sine_windows

    return sine_windows(timesteps=10)


def probe_model(module, rng):
    w = _data()
    return module.build_and_train(w.x_train, w.y_train, w.x_val, w.y_val)


def _val_mse(answers):
    w = _data()
    predictions = np.asarray(answers["model"].predict(w.x_val, verbose=0))
    assert_shape(predictions, "batch outputs", "model.predict(x_val)", batch=len(w.x_val),
                 outputs=1)
    baseline = float(np.mean((w.x_val[:, -1, :] - w.y_val) ** 2))
    return float(np.mean((predictions - w.y_val) ** 2)), baseline


@pytest.mark.exercise("train_sine", points=2)
def test_two_stacked_lstms_of_50(answers):
    lstms = [layer for layer in answers["model"].layers if type(layer).__name__ == "LSTM"]
    assert [layer.units for layer in lstms] == [50, 50], "LSTM(50) -> LSTM(50) -> Dense(1)"
    if not lstms[0].return_sequences:
        fail_with("missing_return_sequences", "the first LSTM must hand on its sequence",
                  "LSTM(50, return_sequences=True)")


@pytest.mark.exercise("train_sine", points=5)
def test_validation_mse_below_1e_3(answers):
    from lstm_shapes import check_model

    w = _data()
    report = check_model(answers["model"], w.x_train, w.y_train)
    if report.errors:
        err = report.errors[0]
        fail_with(err.code, err.message, err.fix, where=err.where)
    mse, baseline = _val_mse(answers)
    assert mse < 1e-3, (f"validation MSE {mse:.2e} (naive baseline {baseline:.2e}): the model "
                        "has not learned the wave yet; train longer or with a larger "
                        "learning rate (e.g. Adam(3e-3))")


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("train_sine", points=3)
def test_far_better_than_the_last_value_baseline(answers):
    mse, baseline = _val_mse(answers)
    assert mse < 0.2 * baseline, f"validation MSE {mse:.2e} vs baseline {baseline:.2e}"
### END HIDDEN TESTS
