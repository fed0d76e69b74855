"""Tests of exercise 12 (many_to_many).

The probes measure your models where they run (so Sequential, functional and subclassed
models are judged alike): what they output, whether a prediction at timestep j changes when
a later step changes, and the shapes of their recurrent kernels (an LSTM of n units has one
of (n, 4·n)).
"""

import numpy as np
import pytest

from lstm_shapes.core.messages import render_answer
from lstm_shapes.exercises import assert_shape, changed_settings, fail, fail_with

OFF_LIMITS = ("sine_windows", "build_lstm")  # the library's answer: refused while the probes run

SERIES = np.sin(np.arange(0, 100, 0.1)).astype("float32")
RANGE_FIX = "for i in range(len(series) - timesteps - horizon + 1)"
X_FIX = "x[i] = series[i : i + timesteps]   # then x = x[..., np.newaxis]: (batch, timesteps, 1)"
Y_FIX = "y[i] = series[i + timesteps : i + timesteps + horizon]"
INPUT_FIX = "keras.Input(x_train.shape[1:])   # one window: (timesteps, 1)"
HEAD_FIX = "keras.layers.Dense(y_train.shape[1])   # one output per step of the horizon"
PER_STEP_FIX = ("keras.layers.LSTM(units, return_sequences=True), then keras.layers.Dense(1)   # "
                "the last layers: (batch, timesteps, 1)")
PER_STEP_INPUT_FIX = "keras.Input((timesteps, 1))   # one sample; no batch_size: any batch"


def _windows(series, t, h):
    n = len(series) - t - h + 1
    return (np.stack([series[i:i + t] for i in range(n)])[..., None],
            np.stack([series[i + t:i + t + h] for i in range(n)]))


SIZES = {"windows": (30, 50, 3, 9, 2, 6), "windows_again": (80, 120, 9, 16, 6, 12)}


def _question(rng, key):
    """A series and (timesteps, horizon); the series is random: only alignment fits it.
    The edge cases: a series that holds exactly one window, and timesteps = horizon = 1."""
    if key == "windows_one":
        t, h = int(rng.integers(2, 9)), int(rng.integers(2, 6))
        return rng.normal(size=t + h).astype("float32"), t, h
    if key == "windows_short":
        return rng.normal(size=int(rng.integers(5, 20))).astype("float32"), 1, 1
    low, high, t_low, t_high, h_low, h_high = SIZES[key]
    return (rng.normal(size=int(rng.integers(low, high))).astype("float32"),
            int(rng.integers(t_low, t_high)), int(rng.integers(h_low, h_high)))


def _forecast_question(rng):
    """Sizes other than the usual 10 and 5, so a hard-coded one shows."""
    t, h = int(rng.choice([8, 9, 11, 12])), int(rng.choice([3, 4, 6, 7]))
    return _windows(SERIES[:800], t, h), _windows(SERIES[800:], t, h)  # no window crosses


def _per_step_question(rng, key):
    """timesteps and units (different), a batch of random size, and the same batch with
    its later steps changed; the edge case: one timestep."""
    t, units = (int(v) for v in rng.choice(np.arange(3, 12), 2, replace=False))
    if "edge" in key:
        t = 1
    x = rng.normal(size=(int(rng.integers(2, 8)), t, 1)).astype("float32")
    later = x.copy()
    later[:, t // 2 + 1:] = rng.normal(size=later[:, t // 2 + 1:].shape)
    return t, (units if key.endswith("units") else 16), x, later


def _declared(model):
    """The input shape the model declares (Input(...)), None if it declares none yet."""
    try:
        return [None if d is None else int(d) for d in model.inputs[0].shape]
    except (AttributeError, IndexError, TypeError, ValueError):
        return None  # a subclassed model, or a Sequential without an Input before its call


def _kernels(model):
    """(n, gates·n) of every recurrent kernel: an LSTM of n units has (n, 4·n)."""
    return [list(w.shape) for w in model.weights
            if str(getattr(w, "path", w.name)).endswith("recurrent_kernel")
            and len(w.shape) == 2]


def _explained(err):
    from lstm_shapes.diagnosis.translate import translate

    explained = translate(err)
    if explained is None or not isinstance(getattr(explained, "code", None), str):
        return None
    raw = "\n".join(line.strip() for line in str(err).splitlines() if "shapes:" in line)
    return {"code": explained.code, "message": str(explained), "shapes": raw[-600:]}


def _windows_answer(module, rng, key):
    series, t, h = _question(rng, key)
    try:
        x, y = module.multistep_windows(series, t, h)
    except ValueError as err:
        if "same shape" in str(err):  # np.stack of windows cut short at the end
            return {"ragged": str(err)}
        if "at least one array" in str(err):  # np.stack of no window at all
            return {"empty": str(err)}
        raise
    return {"x": np.asarray(x, dtype=float).tolist(), "y": np.asarray(y, dtype=float).tolist()}


def probe_windows(module, rng):
    return _windows_answer(module, rng, "windows")


def probe_windows_one(module, rng):
    return _windows_answer(module, rng, "windows_one")


def probe_windows_short(module, rng):
    return _windows_answer(module, rng, "windows_short")


def probe_forecaster(module, rng):
    (x_train, y_train), (x_val, _) = _forecast_question(rng)
    try:
        model = module.build_and_train_forecaster(x_train, y_train)
    except Exception as err:
        explained = _explained(err)
        if explained is None:
            raise
        return {"error": explained}
    return {"prediction": np.asarray(model.predict(x_val, verbose=0), dtype=float).tolist(),
            "kernels": _kernels(model), "declared": _declared(model)}


def _per_step(module, rng, key):
    t, units, x, later = _per_step_question(rng, key)
    try:
        model = (module.build_per_timestep(t, units=units) if key.endswith("units")
                 else module.build_per_timestep(t))  # the default units
        declared = _declared(model)  # before a call builds a Sequential for that batch
        outputs = [np.asarray(model(v), dtype=float).tolist() for v in (x, later, x[:1])]
    except Exception as err:
        explained = _explained(err)
        if explained is None:
            raise
        return {"error": explained}
    layers = list(model._flatten_layers(include_self=False))
    wrapped = {id(getattr(w, name)) for w in layers for name in ("forward_layer",
               "backward_layer") if hasattr(w, name)}  # a Bidirectional's own two layers
    settings = [{"bidirectional": True} if hasattr(layer, "backward_layer") else
                changed_settings(layer) for layer in layers
                if id(layer) not in wrapped and (hasattr(layer, "cell") or
                                                 hasattr(layer, "backward_layer"))]
    return {"outputs": outputs, "kernels": _kernels(model), "declared": declared,
            "settings": settings}


def probe_per_step(module, rng):
    return _per_step(module, rng, "per_step")


def probe_per_step_units(module, rng):
    return _per_step(module, rng, "per_step_units")


def probe_per_step_edge_units(module, rng):
    return _per_step(module, rng, "per_step_edge_units")


def _judge_windows(answers, key):
    series, t, h = _question(answers.rng(key), key)
    x_want, y_want = _windows(series, t, h)
    answer = answers[key]
    if "ragged" in answer:
        fail_with("batch_mismatch", "the last windows' targets run past the end of the series "
                  f"(np.stack said: {answer['ragged']}): the last window must leave horizon "
                  "values after it", RANGE_FIX)
    batch = len(x_want)
    if "empty" in answer:
        fail_with("batch_mismatch", f"no window at all (np.stack said: {answer['empty']}): a "
                  f"series of {len(series)} values holds len(series) - timesteps - horizon + 1 "
                  f"= {batch}", RANGE_FIX)
    x, y = np.asarray(answer["x"]), np.asarray(answer["y"])
    if x.ndim == 2 and x.shape == x_want.shape[:2]:
        fail_with("missing_timestep_axis", f"x is {x.shape}: (batch, timesteps) without the "
                  "feature axis", "x = x[..., np.newaxis]   # (batch, timesteps, 1)")
    if x.ndim == 3 and x.shape[1] == t + 1:
        fail_with("window_misalignment", f"x is {x.shape}: each window holds timesteps + 1 "
                  "values, so it holds its own target", X_FIX)
    if x.shape != x_want.shape and x.size == x_want.size:
        fail_with("wrong_rank", f"x is {x.shape}: its {batch} window(s) of {t} step(s) make "
                  f"(batch, timesteps, 1) = {x_want.shape}; a squeeze (or a reshape) dropped "
                  "or moved an axis that has size 1 here",
                  "x = x.reshape(-1, timesteps, 1)   # also for one window or one timestep")
    if x.ndim >= 1 and len(x) != batch:
        fail_with("batch_mismatch", f"x holds {len(x)} windows; a series of len(series) values "
                  f"has len(series) - timesteps - horizon + 1 = {batch}", RANGE_FIX)
    assert_shape(x, "batch timesteps features", "x", batch=batch, timesteps=t, features=1,
                 terms={"batch": "len(x)", "timesteps": "timesteps"})
    if not np.allclose(x, x_want, atol=1e-6):
        fail_with("window_misalignment", "x[i] is not series[i : i + timesteps]", X_FIX)
    if y.ndim == 3 and y.shape[2] == 1 and y.shape[:2] == y_want.shape:
        fail_with("wrong_rank", f"y is {y.shape}: (batch, horizon) is asked for",
                  "y = y[..., 0]   # (batch, horizon)")
    if y.shape != y_want.shape and y.size == y_want.size:
        fail_with("wrong_rank", f"y is {y.shape}: {batch} window(s) with {h} target(s) each "
                  f"make (batch, horizon) = {y_want.shape}; a squeeze (or a reshape) dropped "
                  "or moved an axis that has size 1 here",
                  "y = y.reshape(-1, horizon)   # also for one window or horizon = 1")
    if y.ndim == 1:
        fail_with("multistep_horizon_mismatch", f"y is {y.shape}: one value per window, the "
                  "targets are the next horizon values", Y_FIX)
    assert_shape(y, "batch horizon", "y", batch=batch, horizon=h,
                 terms={"batch": "len(y)", "horizon": "horizon"})
    for shift, where in ((-1, "at the last value of its window"), (1, "one value late")):
        if batch - 1 + t + shift + h <= len(series) and np.allclose(
                y, [series[i + t + shift:i + t + shift + h] for i in range(batch)], atol=1e-6):
            fail_with("window_misalignment", f"y[i] starts {where}", Y_FIX)
    if not np.allclose(y, y_want, atol=1e-6):
        fail_with("window_misalignment", "y[i] is not the horizon values after window i",
                  Y_FIX)


def _lstms(kernels, what, fix):
    """The units of every LSTM in ``kernels``; fails unless there is one, all 4-gated."""
    if not kernels:
        fail_with("lstm_gate_count", f"{what} holds no recurrent layer: an LSTM is asked for",
                  fix)
    units = []
    for n, columns in kernels:
        if columns != 4 * n:
            fail_with("lstm_gate_count", f"{what} holds a recurrent layer of {columns // n} "
                      "gates: an LSTM has 4 (a GRU 3, a SimpleRNN 1)", fix)
        units.append(n)
    return units


def _forecaster_error(error, horizon):
    """Explain an error of build_and_train_forecaster (most come from fit's loss)."""
    import re

    said = error["message"].splitlines()[0]
    if error["code"] in ("missing_timestep_axis", "batch_in_input_shape",
                         "input_shape_data_mismatch"):
        fail_with(error["code"], f"build_and_train_forecaster raised: {said}", INPUT_FIX)
    shapes = [s.split(",") for s in re.findall(r"\[([?\d]+(?:,\s*[?\d]+)*)\]",
                                               error.get("shapes", ""))]
    if any(len(s) == 3 for s in shapes):  # the loss met (batch, timesteps, n) predictions
        fail_with("sequence_output_vs_last_target", "fit raised: the predictions are "
                  "(batch, timesteps, n), one per input timestep, and y_train is (batch, "
                  f"horizon): {error['shapes'].strip().splitlines()[0]}",
                  "keras.layers.LSTM(32)   # without return_sequences: one h per window")
    widths = {s[-1].strip() for s in shapes if len(s) == 2}
    if len(widths) > 1:  # the loss met predictions of another width than the targets
        fail_with("multistep_horizon_mismatch", f"fit raised: the head predicts "
                  f"{' or '.join(sorted(widths - {str(horizon)}))} value(s); y_train holds "
                  f"{horizon} per window (y_train.shape[1])", HEAD_FIX)
    fail_with(error["code"], f"build_and_train_forecaster raised: {error['message']}")


def _judge_forecaster(answers):
    (_, y_train), (x_val, y_val) = _forecast_question(answers.rng("forecaster"))
    horizon = y_train.shape[1]
    answer = answers["forecaster"]
    if "error" in answer:
        _forecaster_error(answer["error"], horizon)
    declared = answer.get("declared")
    if declared is not None and declared[1:] != list(x_val.shape[1:]):
        fail_with("input_shape_data_mismatch", f"the forecaster's input is declared "
                  f"{tuple(declared[1:])} for windows of {x_val.shape[1:]} (x_train.shape[1:]):"
                  " Keras ran the LSTM on them anyway, but the model is not the one declared",
                  INPUT_FIX)
    if declared is not None and declared[0] is not None:
        fail_with("batch_in_input_shape", f"the forecaster's input fixes the batch at "
                  f"{declared[0]}: it must take any number of windows", INPUT_FIX)
    prediction = np.asarray(answer["prediction"])
    if prediction.ndim == 3 and prediction.shape[1:] == (horizon, 1) and \
            horizon != x_val.shape[1]:
        fail_with("wrong_rank", f"model.predict(x_val) is {prediction.shape}: the horizon's "
                  f"{horizon} values, each with a trailing axis of 1; the forecaster is asked "
                  "for (batch, horizon), the shape of y_train",
                  "keras.layers.Reshape((y_train.shape[1],))   # last: (batch, horizon, 1) -> "
                  "(batch, horizon)")
    if prediction.ndim == 3:
        fail_with("sequence_output_vs_last_target", f"model.predict(x_val) is "
                  f"{prediction.shape}: one prediction per input timestep; the targets are "
                  f"(batch, horizon)", "keras.layers.LSTM(32)   # without return_sequences: "
                  "one h per window")
    if prediction.ndim == 2 and prediction.shape[1] != horizon:
        fail_with("multistep_horizon_mismatch", f"the head predicts {prediction.shape[1]} "
                  f"value(s); y_train holds {horizon} per window (y_train.shape[1])", HEAD_FIX)
    assert_shape(prediction, "batch horizon", "model.predict(x_val)", batch=len(x_val),
                 horizon=horizon)
    _lstms(answer["kernels"], "the forecaster", "keras.layers.LSTM(32)   # an LSTM, not a "
           "GRU or a SimpleRNN")
    mse = float(np.mean((prediction - y_val) ** 2))
    baseline = float(np.mean((np.repeat(x_val[:, -1, :], horizon, axis=1) - y_val) ** 2))
    if not mse < 0.5 * baseline:  # not a shape mistake: no misconception code
        fail(render_answer(f"the validation MSE is {mse:.2e}; repeating the last value of "
                           f"each window scores {baseline:.2e}: the model has not learnt to "
                           "forecast y_train", "model.fit(x_train, y_train, epochs=10) on the "
                           "model you return"))


def _judge_backwards(answer, call):
    """A recurrent layer that reads the window backwards explains a step's value that
    depends on later steps."""
    settings = answer.get("settings", [])
    if any(s.get("bidirectional") for s in settings):
        fail_with("model_layers", f"{call}: its Bidirectional layer also reads each window "
                  "backwards, so the value at timestep t is computed from the steps AFTER t too",
                  PER_STEP_FIX.split("   #")[0] + "   # one LSTM, reading forward")
    if any(s.get("go_backwards") for s in settings):
        fail_with("model_layers", f"{call}: its LSTM reads each window backwards "
                  "(go_backwards=True), so the value at timestep t is computed from the steps "
                  "AFTER t", PER_STEP_FIX.split("   #")[0] + "   # go_backwards left False")


def _judge_per_step(answers, key):
    t, units, x, later = _per_step_question(answers.rng(key), key)
    answer = answers[key]
    call = "build_per_timestep(timesteps)" if key == "per_step" else (
        "build_per_timestep(timesteps, units=units)")
    if "error" in answer:
        fail_with(answer["error"]["code"], f"{call} or its model raised: "
                  f"{answer['error']['message'].splitlines()[0]}",
                  "keras.Input((timesteps, 1))   # one sample: timesteps steps of 1 feature")
    declared = answer.get("declared")
    if declared is not None and declared[1:] != [t, 1]:
        fail_with("input_shape_data_mismatch", f"{call} declares its input "
                  f"{tuple(declared[1:])}: one sample is (timesteps, 1) = {(t, 1)}",
                  PER_STEP_INPUT_FIX)
    if declared is not None and declared[0] is not None:
        fail_with("batch_in_input_shape", f"{call} fixes the batch at {declared[0]}: the model "
                  "must take any batch size", PER_STEP_INPUT_FIX)
    out, out_later, out_small = (np.asarray(v) for v in answer["outputs"])
    seen = t // 2 + 1  # steps 0 .. t//2 are the same in x and in later
    if seen < t and not np.allclose(out[:, :seen], out_later[:, :seen], atol=1e-6):
        _judge_backwards(answer, call)
    if out.ndim == 2 and out.shape == x.shape[:2]:
        if seen < t and not np.allclose(out[:, :seen], out_later[:, :seen], atol=1e-6):
            fail_with("last_output_vs_sequence_target", f"the model outputs {out.shape}, and "
                      "the value at a timestep changes when a LATER step of x changes: the "
                      "last h spread over the timesteps, not one h per timestep", PER_STEP_FIX)
        fail_with("wrong_rank", f"the model outputs {out.shape}: one value per timestep, but "
                  "without the trailing axis of 1: (batch, timesteps, 1) is asked for",
                  PER_STEP_FIX + ", no Reshape")
    if out.ndim == 2:
        fail_with("last_output_vs_sequence_target", f"the model outputs {out.shape}: one "
                  "value per sequence", PER_STEP_FIX)
    if out.ndim == 3 and out.shape[:2] == x.shape[:2] and out.shape[2] != 1:
        fail_with("output_width_mismatch", f"the model outputs {out.shape}: "
                  f"{out.shape[2]} values per timestep, not 1", PER_STEP_FIX)
    assert_shape(out, "batch timesteps outputs", "model(x)", batch=len(x), timesteps=t,
                 outputs=1)
    assert_shape(out_small, "batch timesteps outputs", "model(x[:1])", batch=1, timesteps=t,
                 outputs=1)
    if seen >= t:  # one timestep: nothing later to change
        return units, answer["kernels"]
    if not np.allclose(out[:, :seen], out_later[:, :seen], atol=1e-6):
        fail_with("last_output_vs_sequence_target", "the prediction at a timestep changes "
                  "when a LATER step of x changes: it is not computed from h at that step "
                  "(the last h spread over the timesteps, or a Bidirectional layer?)",
                  PER_STEP_FIX)
    if np.allclose(out[:, seen:], out_later[:, seen:], atol=1e-6):
        fail_with("no_temporal_context", "the predictions do not change when the steps they "
                  "read change", PER_STEP_FIX)
    return units, answer["kernels"]


def _judge_units(answers, key):
    """Only the units: the outputs are test_one_prediction_per_timestep's to judge."""
    t, units, _, _ = _per_step_question(answers.rng(key), key)
    answer = answers[key]
    if "error" in answer:
        _judge_per_step(answers, key)
    found = _lstms(answer["kernels"], "the model", PER_STEP_FIX)
    if len(found) > 1:
        fail_with("model_layers", f"the model holds {len(found)} LSTMs, of "
                  f"{' and '.join(map(str, found))} units: its one LSTM has units units",
                  PER_STEP_FIX)
    if units not in found:
        code, same = ("units_equals_timesteps", " (= timesteps)") if t in found else (
            "dimension_mismatch", "")
        call = ("build_per_timestep(timesteps), with units=16 by default," if key == "per_step"
                else f"build_per_timestep(timesteps, units={units})")
        fail_with(code, f"{call} built an LSTM of {' and '.join(map(str, found))} "
                  f"units{same}", PER_STEP_FIX)


@pytest.mark.exercise("many_to_many", points=3)
def test_multistep_windows(answers):
    for key in ("windows", "windows_one", "windows_short"):
        _judge_windows(answers, key)


@pytest.mark.exercise("many_to_many", points=3)
def test_the_forecaster_predicts_every_step_of_the_horizon(answers):
    _judge_forecaster(answers)


@pytest.mark.exercise("many_to_many", points=2)
def test_one_prediction_per_timestep(answers):
    _judge_per_step(answers, "per_step")
    _judge_per_step(answers, "per_step_edge_units")


@pytest.mark.exercise("many_to_many", points=1)
def test_the_units_argument_is_used(answers):
    for key in ("per_step", "per_step_units", "per_step_edge_units"):
        _judge_units(answers, key)


# other sizes for the hidden tests (probes are never hidden: the grader runs the released
# copy's probes, so a probe inside the hidden block would never run)
def probe_windows_again(module, rng):
    return _windows_answer(module, rng, "windows_again")


def probe_per_step_again_units(module, rng):
    return _per_step(module, rng, "per_step_again_units")


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("many_to_many", points=1)
def test_other_sizes(answers):
    _judge_windows(answers, "windows_again")
    _judge_per_step(answers, "per_step_again_units")
    _judge_units(answers, "per_step_again_units")
### END HIDDEN TESTS
