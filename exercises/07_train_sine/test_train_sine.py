"""Tests of exercise 7 (train_sine): they judge the model build_and_train returns.

Your process records which windows each model.fit call trained on, describes the returned
model (its recurrent layers, parameters, compile settings) and predicts the validation
windows; the validation MSE is measured here, from those predictions.
"""

import contextlib
import inspect

import numpy as np
import pytest

from lstm_shapes.exercises import fail, fail_with

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


def _data():
    from lstm_shapes import sine_windows

    return sine_windows(timesteps=10)


def _fresh():
    """Windows of the wave the model never saw: other phases, later in time."""
    from lstm_shapes import sine_windows

    w = sine_windows(start=1000.05, stop=1025.0, validation_split=0.5)
    return w.x_val, w.y_val


@contextlib.contextmanager
def fits_recorded(x_val):
    """Record each model.fit call: how many windows it trained on, and how many of them are
    validation windows."""
    import keras

    calls, own = [], keras.Model.__dict__.get("fit")
    inherited = keras.Model.fit
    val_rows = {_key(row) for row in np.asarray(x_val)}

    def fit(self, *args, **kwargs):
        history = inherited(self, *args, **kwargs)
        try:
            bound = inspect.signature(inherited).bind(self, *args, **kwargs).arguments
        except TypeError:  # fit itself accepted the call: never fail it here
            bound = {}
        rows = _training_rows(bound.get("x"), bound.get("validation_split") or 0.0)
        calls.append({"windows": len(rows),
                      "val_windows": sum(_key(row) in val_rows for row in rows)})
        return history

    keras.Model.fit = fit
    try:
        yield calls
    finally:
        if own is None:
            del keras.Model.fit
        else:
            keras.Model.fit = own


def _key(window):
    return np.round(np.asarray(window, dtype="float64").ravel(), 5).tobytes()


def _training_rows(x, validation_split):
    """The windows fit trains on: x (or a dataset's x batches) minus validation_split's tail."""
    if hasattr(x, "as_numpy_iterator"):  # a tf.data.Dataset of (x, y) batches
        batches = [b[0] if isinstance(b, tuple) else b for b in x.as_numpy_iterator()]
        x = np.concatenate(batches) if batches else np.zeros((0,))
    try:
        x = np.asarray(x, dtype="float64")
    except (TypeError, ValueError):
        return []
    if x.ndim == 0:
        return []
    return list(x[:int(len(x) * (1 - validation_split))])


def _rnn(call):
    """One recurrent layer call of a model's story: the layer's kind, units and
    return_sequences (from its config) and the shape it reads."""
    contract = call.contract
    return {"kind": contract.kind, "units": contract.units, "input": list(call.input_shape),
            "return_sequences": contract.return_sequences,
            "bidirectional": contract.bidirectional}


def describe(build, x, y):
    """Build a model and describe it as plain data: its recurrent layers and what each reads,
    parameters, compile settings, its output on x and check_model's findings for (x, y).

    Plain data reaches the judge for every model kind (a subclassed model cannot be reloaded
    there). A mistake Keras refuses comes back as ``{"error": ...}``, named by
    lstm_shapes.diagnosing, so the tests can say what to change in your terms.
    """
    import keras

    from lstm_shapes import ShapeError, check_model, diagnosing

    try:
        with diagnosing():
            model = build()
            report = check_model(model, x, y)
            output = None if report.errors else list(np.shape(model(x)))
    except ShapeError as err:
        return {"error": {"code": err.code, "text": str(err)}}
    # each recurrent layer call, in order, with what it reads (a subclassed model is traced
    # by calling it): RNN(LSTMCell) is an LSTM too
    rnns = [_rnn(call) for call in report.story.rnn_calls]
    loss, at_2 = getattr(model, "loss", None), None
    if loss is not None:  # what the loss says of predicting 2 for 0 (mse: 4, mae: 2)
        loss = keras.losses.get(loss) if isinstance(loss, str) else loss
        at_2 = float(np.mean(np.asarray(loss(np.zeros((1, 1), "float32"),
                                             np.full((1, 1), 2.0, "float32")))))
    return {
        "rnns": rnns,
        "params": int(model.count_params()),
        "compiled": bool(getattr(model, "compiled", False)),
        "adam": isinstance(getattr(model, "optimizer", None), keras.optimizers.Adam),
        "loss_at_2": at_2,
        "findings": [{"code": f.code, "where": f.where, "message": f.message, "fix": f.fix}
                     for f in report.errors],
        "output": output,
    }


def probe_model(module, rng):
    from lstm_shapes import ShapeError, diagnosing

    w = _data()
    try:
        with diagnosing(), fits_recorded(w.x_val) as fits:
            model = module.build_and_train(w.x_train, w.y_train, w.x_val, w.y_val)
    except ShapeError as err:  # named by diagnosing; the tests give the fix in your terms
        return {"error": {"code": err.code, "text": str(err)}}
    if not hasattr(model, "predict"):
        raise TypeError(f"build_and_train must return the trained model, got "
                        f"{type(model).__name__}")
    facts = describe(lambda: model, w.x_val[:32], w.y_val[:32])
    if "error" in facts or facts["findings"]:
        return facts
    x_fresh, _ = _fresh()  # model(x), not predict: no graph to trace for three calls
    facts["val_predictions"] = np.asarray(model(w.x_val, training=False)).tolist()
    facts["fresh_predictions"] = np.asarray(model(x_fresh, training=False)).tolist()
    facts["one_prediction"] = list(np.shape(model(w.x_val[:1], training=False)))
    facts["fits"] = fits
    return facts


def _with_fix(text, fix):
    """A rendered ShapeError with its fix line replaced by one in the learner's terms."""
    lines = [line for line in text.splitlines() if not line.startswith("  fix:")]
    return "\n".join([*lines, f"  fix: {fix}"])


def _built(facts):
    """The description of a trained model, else fail with what stopped it."""
    error = facts.get("error")
    if error is not None:
        fix = {"missing_return_sequences": FIRST_FIX, "missing_timestep_axis": INPUT_FIX,
               "batch_in_input_shape": INPUT_FIX}.get(error["code"])
        fail(_with_fix(error["text"], fix) if fix else error["text"], error["code"])
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
    if not rnns[0]["return_sequences"]:
        fail_with("missing_return_sequences", "the first LSTM hands on only its last h",
                  FIRST_FIX)
    if rnns[1]["return_sequences"]:
        fail_with("unexpected_sequence_output", "the last LSTM returns its whole sequence and "
                  "a later layer squeezes the time axis away: Dense(1) should read its last h",
                  LAST_FIX)
    want = lstm_param_count(units=50, features=1) + lstm_param_count(units=50, features=50) + 51
    if answers["model"]["params"] != want:
        fail_with("model_layers", f"the model has {answers['model']['params']} "
                  f"parameters; LSTM(50), LSTM(50) and Dense(1) on 1 feature have {want}",
                  STACK_FIX + ": nothing else")


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
    fits = _built(answers["model"])["fits"]
    leaked = [f for f in fits if f["val_windows"]]
    if leaked:
        fail_with("validation_on_training_data", f"model.fit trained on "
                  f"{leaked[0]['windows']} windows, {leaked[0]['val_windows']} of them "
                  "validation windows: the validation MSE would no longer measure windows the "
                  "model has not seen", FIT_FIX)


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
    x_fresh, y_fresh = _fresh()
    mse = _val_mse(facts["fresh_predictions"], y_fresh)
    assert mse < 1e-3, f"MSE {mse:.2e} on windows from later in the wave"
### END HIDDEN TESTS
