"""Tests of exercise 7 (train_sine): they judge the model build_and_train returns.

Your process records which windows each training step took (model.fit on arrays, datasets or
generators, model.train_on_batch, or a hand-written loop with tf.GradientTape), describes the
returned model (its recurrent layers, head, parameters, compile settings) and predicts the
validation windows; the validation MSE is measured here, from those predictions.
"""

import warnings

import numpy as np
import pytest

from lstm_shapes.exercises import (
    describe_model,
    fail,
    fail_with,
    leaks,
    training_recorded,
    with_fix,
)

# the library's builder would answer build_and_train: it refuses while the probes run
OFF_LIMITS = ("build_stacked_lstm",)

FIRST_FIX = ("keras.layers.LSTM(50, return_sequences=True)   # the first LSTM hands the second "
             "its whole sequence")
LAST_FIX = "keras.layers.LSTM(50)   # the last LSTM hands Dense(1) its last h"
STACK_FIX = f"{FIRST_FIX.split('   #')[0]}, then {LAST_FIX.split('   #')[0]}, then " \
            "keras.layers.Dense(1)"
INPUT_FIX = "keras.Input(x_train.shape[1:])   # (timesteps, features) of one window"
FIT_FIX = "model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=6)"
COMPILE_FIX = 'model.compile(optimizer=keras.optimizers.Adam(learning_rate=5e-3), loss="mse")'
HEAD_FIX = "keras.layers.Dense(1)   # linear: a forecast can be any number, negative too"


def _data():
    from lstm_shapes import sine_windows

    return sine_windows(timesteps=10)


def _fresh():
    """Windows of the wave the model never saw: other phases, later in time."""
    from lstm_shapes import sine_windows

    w = sine_windows(start=1000.05, stop=1025.0, validation_split=0.5)
    return w.x_val, w.y_val


def probe_model(module, rng):
    from lstm_shapes import ShapeError, diagnosing

    w = _data()
    try:
        with diagnosing(), warnings.catch_warnings(), training_recorded(w.x_val) as steps:
            # Keras's note on a generator (it shuffles nothing) is not the learner's mistake
            warnings.filterwarnings("ignore", message=r".*shuffle=True. was passed")
            model = module.build_and_train(w.x_train, w.y_train, w.x_val, w.y_val)
    except ShapeError as err:  # named by diagnosing; the tests give the fix in your terms
        return {"error": {"code": err.code, "text": str(err)}}
    if not hasattr(model, "predict"):
        raise TypeError(f"build_and_train must return the trained model, got "
                        f"{type(model).__name__}")
    facts = describe_model(lambda: model, w.x_val[:32], w.y_val[:32])
    if "error" in facts or facts["findings"]:
        return facts
    x_fresh, _ = _fresh()  # model(x), not predict: no graph to trace for three calls
    facts["val_predictions"] = np.asarray(model(w.x_val, training=False)).tolist()
    facts["fresh_predictions"] = np.asarray(model(x_fresh, training=False)).tolist()
    facts["one_prediction"] = list(np.shape(model(w.x_val[:1], training=False)))
    facts["steps"] = [{"via": f["via"], "windows": f["windows"], "val_windows": f["val_windows"]}
                      for f in steps]
    return facts


def _built(facts):
    """The description of a trained model, else fail with what stopped it."""
    error = facts.get("error")
    if error is not None:
        fix = {"missing_return_sequences": FIRST_FIX, "missing_timestep_axis": INPUT_FIX,
               "batch_in_input_shape": INPUT_FIX}.get(error["code"])
        fail(with_fix(error["text"], fix) if fix else error["text"], error["code"])
    for finding in facts["findings"]:
        fix = {"sequence_output_vs_last_target": LAST_FIX, "target_broadcast": LAST_FIX,
               "input_shape_data_mismatch": INPUT_FIX}.get(finding["code"], finding["fix"])
        fail_with(finding["code"], finding["message"], fix, where=finding["where"])
    return facts


def _val_mse(predictions, y):
    predictions = np.asarray(predictions, dtype="float64")
    if predictions.shape != y.shape:
        code = ("sequence_output_vs_last_target" if predictions.ndim == 3
                else "output_width_mismatch")
        fail_with(code, f"model(x_val) is {predictions.shape}; one prediction per "
                  f"window is {y.shape}", LAST_FIX)
    return float(np.mean((predictions - y) ** 2))


@pytest.mark.exercise("train_sine", points=2)
def test_two_stacked_lstms_of_50_then_dense_1(answers):
    from lstm_shapes import lstm_param_count

    rnns = _built(answers["model"])["rnns"]
    got = [(r["kind"], r["units"]) for r in rnns]
    if got != [("LSTM", 50), ("LSTM", 50)]:
        code = ("units_equals_timesteps" if any(units in (1, 10) for _, units in got)
                else "model_layers")
        layers = ", ".join(f"{kind}({units})" for kind, units in got) or "none"
        fail_with(code, f"the model's recurrent layers are {layers}: the exercise asks for "
                  "LSTM(50), LSTM(50)", STACK_FIX)
    facts = answers["model"]
    if not rnns[0]["return_sequences"]:
        fail_with("missing_return_sequences", "the first LSTM hands on only its last h",
                  FIRST_FIX)
    for which, r, fix in (("first", rnns[0], FIRST_FIX), ("second", rnns[1], LAST_FIX)):
        flags = [f"{flag}=True" for flag in ("go_backwards", "stateful", "bidirectional")
                 if r[flag]]
        if flags:
            fail_with("model_layers", f"the {which} LSTM is built with {', '.join(flags)}: the "
                      "exercise's LSTMs read each window forward, from a fresh h and c", fix)
    if facts["batch"] is not None:
        fail_with("batch_in_input_shape", f"the model's input fixes the batch at "
                  f"{facts['batch']} windows; the trained model must predict any number of "
                  "windows", INPUT_FIX)
    if facts["head_activation"] not in (None, "linear"):
        fail_with("model_layers", f"the last layer applies {facts['head_activation']}; the "
                  "exercise's Dense(1) is linear: a forecast may need any value, and "
                  f"{facts['head_activation']} bends or cuts its outputs", HEAD_FIX)
    off_last_h = facts.get("last_h_gap") is None or facts["last_h_gap"] > 1e-4
    if off_last_h and rnns[1]["return_sequences"]:
        fail_with("unexpected_sequence_output", "the last LSTM returns its whole sequence and "
                  "a later layer makes one vector of it another way than taking its last "
                  "step: Dense(1) should read its last h", LAST_FIX)
    want = lstm_param_count(units=50, features=1) + lstm_param_count(units=50, features=50) + 51
    if facts["params"] != want:
        fail_with("model_layers", f"the model has {facts['params']} "
                  f"parameters; LSTM(50), LSTM(50) and Dense(1) on 1 feature have {want}",
                  STACK_FIX + ": nothing else")
    if off_last_h:
        fail_with("model_layers", "the prediction is not Dense(1) of the last LSTM's last h",
                  STACK_FIX + ": nothing in between")


@pytest.mark.exercise("train_sine", points=1)
def test_compiled_with_adam_and_mse(answers):
    facts = _built(answers["model"])
    if not facts["compiled"]:
        fail_with("compile_settings", "build_and_train returns a model that is not compiled",
                  COMPILE_FIX + " before model.fit")
    if not facts["adam"] or facts["loss_at_2"] != 4.0:
        fail_with("compile_settings", "the model trains with another optimizer or loss: "
                  f"predicting 2 for a target of 0 costs {facts['loss_at_2']} (mse: 4.0)"
                  + ("" if facts["adam"] else "; the optimizer is not Adam"), COMPILE_FIX)


@pytest.mark.exercise("train_sine", points=2)
def test_trained_on_the_training_windows_only(answers):
    said = leaks(_built(answers["model"])["steps"])
    if said:
        fail_with("validation_on_training_data", f"the model trained on validation windows: "
                  f"{said}. The validation MSE no longer measures windows the model has not "
                  "seen", "train on the training windows only: " + FIT_FIX)


@pytest.mark.exercise("train_sine", points=3)
def test_validation_mse_below_1e_3(answers):
    w = _data()
    facts = _built(answers["model"])
    mse = _val_mse(facts["val_predictions"], w.y_val)
    baseline = float(np.mean((w.x_val[:, -1, :] - w.y_val) ** 2))
    if mse >= 1e-3:
        fail_with("undertrained", f"validation MSE {mse:.2e} (the last-value baseline: "
                  f"{baseline:.2e}): the model has not learned the wave yet",
                  "train longer or faster: more epochs (the reference trains epochs=6), or "
                  "a larger step: optimizer=keras.optimizers.Adam(learning_rate=5e-3)")


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("train_sine", points=2)
def test_it_predicts_windows_it_never_saw(answers):
    facts = _built(answers["model"])
    assert facts["one_prediction"] == [1, 1], "one window in, one prediction out"
    _, y_fresh = _fresh()
    mse = _val_mse(facts["fresh_predictions"], y_fresh)
    assert mse < 1e-3, f"MSE {mse:.2e} on windows from later in the wave"
### END HIDDEN TESTS
