"""Tests of exercise 11 (dropout_search)."""

import math

import pytest

from lstm_shapes.exercises import fail_with

SPACE = {"units": (16, 32), "dropout": (0.0, 0.1, 0.2), "recurrent_dropout": (0.0, 0.1, 0.2)}


def probe_model(module, rng):
    return module.build(32, 0.2, 0.1, timesteps=int(rng.integers(5, 12)))


def probe_search(module, rng):
    from lstm_shapes import sine_windows

    w = sine_windows(timesteps=10)
    return module.random_search(w.x_train[:300], w.y_train[:300], w.x_val, w.y_val,
                                trials=3, epochs=2, seed=int(rng.integers(1000)))


@pytest.mark.exercise("dropout_search", points=3)
def test_build_sets_both_dropouts(answers):
    timesteps = int(answers.rng("model").integers(5, 12))
    model = answers["model"]
    lstm = next(layer for layer in model.layers if type(layer).__name__ == "LSTM")
    assert (lstm.units, lstm.dropout, lstm.recurrent_dropout) == (32, 0.2, 0.1), (
        "LSTM(units, dropout=dropout, recurrent_dropout=recurrent_dropout)")
    if tuple(model.inputs[0].shape[1:]) != (timesteps, 1):
        fail_with("input_shape_data_mismatch", f"the input is {tuple(model.inputs[0].shape)}",
                  f"keras.Input(({timesteps}, 1))")


@pytest.mark.exercise("dropout_search", points=4)
def test_three_trials_from_the_space(answers):
    search = answers["search"]
    trials = search.get("trials") if isinstance(search, dict) else None
    assert isinstance(trials, list) and len(trials) == 3, "three trials, as a list"
    for trial in trials:
        for name, values in SPACE.items():
            assert trial.get(name) in values, f"{name}={trial.get(name)!r} is not in {values}"
        loss = trial.get("val_loss")
        # finite and not far above the 0.5 of predicting 0: a real validation MSE after 2
        # epochs (how far it fell depends on the learner's batch size: not judged here)
        assert isinstance(loss, float) and math.isfinite(loss) and 0 < loss < 1.0, (
            f"val_loss {loss!r}: train and evaluate each trial on the validation windows")


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("dropout_search", points=3)
def test_best_is_the_lowest_validation_loss(answers):
    search = answers["search"]
    trials = search["trials"]
    assert search.get("best") == min(trials, key=lambda t: t["val_loss"])
### END HIDDEN TESTS
