"""Tests of exercise 6 (fix_stack): the model is checked with lstm_shapes.check_model."""

import numpy as np
import pytest

from lstm_shapes.exercises import assert_shape, fail_with


def _question(rng):
    return int(rng.integers(5, 15)), int(rng.integers(4, 17))


def probe_model(module, rng):
    return module.build_model(*_question(rng))


def _data(timesteps, n=48):
    series = np.sin(np.arange(0, (n + timesteps) * 0.1, 0.1))[:n + timesteps]
    x = np.stack([series[i:i + timesteps] for i in range(n)])[..., None].astype("float32")
    return x, series[timesteps:timesteps + n, None].astype("float32")


def _first_error(model, x, y):
    from lstm_shapes import check_model

    report = check_model(model, x, y)
    if report.errors:
        err = report.errors[0]
        fail_with(err.code, err.message, err.fix, where=err.where)


@pytest.mark.exercise("fix_stack", points=3)
def test_the_stack_builds_and_reads_sequences(answers):
    model = answers["model"]
    lstms = [layer for layer in model.layers if type(layer).__name__ == "LSTM"]
    assert len(lstms) == 2, f"two stacked LSTMs expected, got {len(lstms)}"
    if not lstms[0].return_sequences:
        fail_with("missing_return_sequences", "the first LSTM hands on only its last h",
                  "keras.layers.LSTM(units, return_sequences=True) first")


@pytest.mark.exercise("fix_stack", points=4)
def test_one_prediction_per_window_no_silent_broadcast(answers):
    timesteps, _ = _question(answers.rng("model"))
    x, y = _data(timesteps)
    _first_error(answers["model"], x, y)
    assert_shape(answers["model"](x), "batch outputs", "model(x)", batch=len(x), outputs=1)


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("fix_stack", points=3)
def test_it_trains_and_the_loss_goes_down(answers):
    timesteps, _ = _question(answers.rng("model"))
    x, y = _data(timesteps)
    model = answers["model"]
    _first_error(model, x, y)
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0).history["loss"]
    assert np.isfinite(history).all() and history[-1] < history[0]
### END HIDDEN TESTS
