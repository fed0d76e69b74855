"""Tests of exercise 5 (fix_input): they judge what your functions return on fresh inputs.

Every run draws new sizes, and each question holds the edge cases the exercise allows (one
window, windows of one value), so no fixed size passes. The model is described in your process
(its input, recurrent layers, head, parameters, compile settings, output, and what
check_model finds) and judged here, so Sequential, functional and subclassed models are judged
alike.
"""

import re

import numpy as np
import pytest

from lstm_shapes.exercises import (
    assert_close,
    describe_model,
    fail,
    fail_with,
    with_fix,
)

# the library's builder would answer build_model: it refuses while the probes run
OFF_LIMITS = ("build_lstm",)

# the fix lines, written with build_model's own arguments
INPUT_FIX = "keras.Input((timesteps, 1))   # (timesteps, features): one window, no batch axis"
UNITS_FIX = "keras.layers.LSTM(units)   # units: the size of h and c, the function's argument"
LAST_H_FIX = ("keras.layers.LSTM(units)   # without return_sequences: its last h, "
              "so Dense(1) makes one prediction per window")
HEAD_FIX = "keras.layers.Dense(1)   # linear: a forecast can be any number, negative too"
COMPILE_FIX = 'model.compile(optimizer="adam", loss="mse")'
RESHAPE_FIX = "return x.reshape(len(x), x.shape[1], 1)   # (batch, timesteps, features)"
INPUT_CODES = ("missing_timestep_axis", "swapped_axes", "window_as_features",
               "batch_in_input_shape", "input_shape_data_mismatch", "no_temporal_context")


def _xs(rng):
    """x (batch, timesteps) for to_lstm_input, new sizes each run: many windows, one window
    (float32), and many windows of one value. Their timesteps differ, so no fixed size fits."""
    long, one = (int(t) for t in rng.choice(np.arange(2, 16), size=2, replace=False))
    return [rng.normal(size=(int(rng.integers(2, 40)), long)),
            rng.normal(size=(1, one)).astype("float32"),
            rng.normal(size=(int(rng.integers(2, 40)), 1))]


def _what(x):
    """x's shape in words, as a learner reads it."""
    batch, timesteps = x.shape
    return (f"x of shape {x.shape} (" + ("one window" if batch == 1 else f"{batch} windows")
            + f" of {timesteps} value{'s' * (timesteps != 1)})")


def _answered(convert, x):
    """convert(x) as plain data: its array, or what it raised or returned instead."""
    try:
        got = convert(x)
    except Exception as err:
        if type(err).__name__ == "OffLimits":
            raise
        return {"raised": type(err).__name__, "text": str(err)[:300]}
    try:
        value = np.asarray(got, dtype="float64") if hasattr(got, "shape") else None
    except (TypeError, ValueError):
        value = None
    if value is None:
        return {"returned": type(got).__name__}
    return {"value": value.tolist(), "shape": list(value.shape)}


def probe_input(module, rng):
    return [_answered(module.to_lstm_input, x) for x in _xs(rng)]


def _models(rng):
    """(timesteps, units, windows) of two models, new sizes each run: timesteps never the sine
    task's 10 and never the same twice, units never the default 32 nor the timesteps; the
    second model gets one window of one value."""
    long = int(rng.choice([t for t in range(2, 16) if t != 10]))
    sizes = []
    for timesteps, n in ((long, int(rng.integers(2, 40))), (1, 1)):
        units = int(rng.choice([u for u in range(2, 48) if u not in (32, timesteps)]))
        sizes.append((timesteps, units, n))
    return sizes


def _windows(timesteps, n):
    """n random windows (n, timesteps, 1) and a target for each (n, 1)."""
    x = np.random.default_rng(n).normal(size=(n, timesteps, 1)).astype("float32")
    return x, x[:, -1]


def probe_model(module, rng):
    return [describe_model(lambda t=timesteps, u=units: module.build_model(t, units=u),
                           *_windows(timesteps, n)) for timesteps, units, n in _models(rng)]


def _built(facts):
    """The description of a model that was built, else fail with what stopped Keras."""
    error = facts.get("error")
    if error is not None:
        fix = INPUT_FIX if error["code"] in INPUT_CODES else {
            "units_equals_timesteps": UNITS_FIX}.get(error["code"])
        fail(with_fix(error["text"], fix) if fix else error["text"], error["code"])
    return facts


def _refusal_code(text, x):
    """A fixed size in a reshape is an ignored argument; else an axis of size 1 was lost."""
    target = re.search(r"into shape \(([-\d, ]*)\)", text)
    sizes = [int(s) for s in re.findall(r"-?\d+", target.group(1))] if target else []
    if any(s > 1 and s not in x.shape for s in sizes):
        return "ignored_argument"
    return "wrong_rank"


def judge_input(answers, xs):
    """to_lstm_input(x) is x with a feature axis, (batch, timesteps, 1), values in place."""
    from lstm_shapes import ShapeError, expect

    for answer, x in zip(answers, xs):
        if "raised" in answer:
            code = _refusal_code(answer["text"], x)
            why = ("the windows hold x.shape[1] values, not a fixed number"
                   if code == "ignored_argument" else "every axis stays, those of size 1 too")
            fail_with(code, f"raised {answer['raised']} for {_what(x)}: {answer['text']}; "
                      f"{why}", RESHAPE_FIX, where="to_lstm_input(x)")
        if "returned" in answer:
            fail_with("not_a_tensor", f"returned a {answer['returned']} for {_what(x)}; an "
                      "LSTM reads an array (batch, timesteps, features)",
                      RESHAPE_FIX, where="to_lstm_input(x)")
        got = np.asarray(answer["value"], dtype="float64").reshape(answer["shape"])
        try:
            expect(got, "batch timesteps features", name="to_lstm_input(x)", batch=x.shape[0],
                   timesteps=x.shape[1], features=1)
        except ShapeError as err:
            wrong = err
        else:
            wrong = None
        if wrong is not None:  # failed outside the except: no "during handling" echo
            fail(with_fix(f"{_what(x)}\n{wrong}", RESHAPE_FIX), wrong.code)
        assert_close(got[..., 0], x, f"to_lstm_input(x)[..., 0] for {_what(x)}", atol=1e-6,
                     fix=RESHAPE_FIX + ": every value stays in its place")


def judge_reads(facts, timesteps):
    """The model reads windows (batch, timesteps, 1), any number of them: its LSTM gets
    timesteps steps of 1 feature."""
    facts = _built(facts)
    rnns = facts["rnns"]
    if not rnns:
        fail_with("model_layers", "the model has no recurrent layer reading the "
                  "windows", "keras.Input((timesteps, 1)), then keras.layers.LSTM(units), "
                  "then keras.layers.Dense(1)")
    seen = tuple(rnns[0]["input"][1:])
    if seen == (1, timesteps) and timesteps != 1:
        fail_with("window_as_features", f"the LSTM reads (batch, 1, {timesteps}): one step of "
                  f"{timesteps} features, so the recurrence sees a single step", INPUT_FIX)
    if seen not in ((timesteps, 1), (None, 1)):
        fail_with("input_shape_data_mismatch", f"build_model({timesteps}, ...) makes an LSTM "
                  f"that reads (batch, {', '.join(map(str, seen))}); windows of timesteps="
                  f"{timesteps} are (batch, {timesteps}, 1)", INPUT_FIX)
    if facts["batch"] is not None:
        fail_with("batch_in_input_shape", f"the model's input fixes the batch at "
                  f"{facts['batch']} window(s); build_model's model must read any number of "
                  "windows", INPUT_FIX)


def judge_units(facts, timesteps, units):
    """One plain LSTM of ``units`` units (the size of h and c), whatever ``timesteps`` is."""
    rnns = _built(facts)["rnns"]
    if [r["kind"] for r in rnns] != ["LSTM"] or rnns[0]["bidirectional"]:
        layers = ", ".join(f"{'Bidirectional ' * r['bidirectional']}{r['kind']}({r['units']})"
                           for r in rnns) or "none"
        fail_with("model_layers", f"the model's recurrent layers are {layers}: the "
                  "exercise asks for one LSTM",
                  "keras.layers.LSTM(units), then keras.layers.Dense(1)")
    got = rnns[0]["units"]
    if got == timesteps and got != units:
        fail_with("units_equals_timesteps", f"LSTM({got}) = one unit per timestep; "
                  f"build_model was asked for units={units}", UNITS_FIX)
    if got != units:
        fail_with("ignored_argument", f"LSTM({got}) where build_model was asked for "
                  f"units={units}", UNITS_FIX)
    flags = [f"{flag}=True" for flag in ("go_backwards", "stateful") if rnns[0][flag]]
    if flags:
        fail_with("model_layers", f"the LSTM is built with {', '.join(flags)}: the exercise's "
                  "LSTM reads each window forward, from a fresh h and c", UNITS_FIX)


def judge_prediction(facts, n):
    """Compiled with adam and mse; one prediction per window, a linear Dense(1) of the LSTM's
    last h; the LSTM and Dense(1) are all its weights.

    How the model reads its input and its units are judged by the tests above.
    """
    from lstm_shapes import lstm_param_count

    facts = _built(facts)
    for finding in facts["findings"]:
        fix = INPUT_FIX if finding["code"] in INPUT_CODES else {
            "sequence_output_vs_last_target": LAST_H_FIX}.get(finding["code"], finding["fix"])
        fail_with(finding["code"], finding["message"], fix, where=finding["where"])
    if facts["output"] is not None and facts["output"] != [n, 1]:
        code = ("sequence_output_vs_last_target" if len(facts["output"]) == 3
                else "output_width_mismatch")
        fail_with(code, f"model(x) of {n} window(s) is {tuple(facts['output'])}: one "
                  f"prediction per window is ({n}, 1)", LAST_H_FIX)
    if facts["head_activation"] not in (None, "linear"):
        fail_with("model_layers", f"the last layer applies {facts['head_activation']}; the "
                  "exercise's Dense(1) is linear: a forecast may need any value, and "
                  f"{facts['head_activation']} bends or cuts its outputs", HEAD_FIX)
    rnns = facts["rnns"]
    off_last_h = bool(rnns) and (facts.get("last_h_gap") is None or facts["last_h_gap"] > 1e-4)
    if off_last_h and rnns[-1]["return_sequences"]:
        fail_with("unexpected_sequence_output", "the prediction is not Dense(1) of the LSTM's "
                  "last h: the LSTM returns its whole sequence, and a later layer makes one "
                  "vector of it another way", LAST_H_FIX)
    lstms = [r["units"] for r in rnns if r["kind"] == "LSTM"]
    if len(lstms) == 1:  # other units are judge_units' to name; here: nothing else
        features = rnns[0]["input"][-1]
        want = lstm_param_count(units=lstms[0], features=features) + lstms[0] + 1
        if facts["params"] != want:
            fail_with("model_layers", f"the model has {facts['params']} parameters; "
                      f"LSTM({lstms[0]}) and Dense(1) have {want}: it holds "
                      "more layers than the exercise asks for",
                      "keras.Input((timesteps, 1)), keras.layers.LSTM(units), "
                      "keras.layers.Dense(1): nothing else")
    if off_last_h:
        fail_with("model_layers", "the prediction is not Dense(1) of the LSTM's last h",
                  "keras.layers.LSTM(units), then keras.layers.Dense(1)   # Dense(1) reads "
                  "the LSTM's last h, nothing in between")
    if not facts["compiled"]:
        fail_with("compile_settings", "build_model returns a model that is not compiled",
                  COMPILE_FIX + " before return model")
    if not facts["adam"] or facts["loss_at_2"] != 4.0:
        fail_with("compile_settings", "the model is compiled with another optimizer or loss: "
                  f"predicting 2 for a target of 0 costs {facts['loss_at_2']} (mse: 4.0)"
                  + ("" if facts["adam"] else ", and the optimizer is not Adam"), COMPILE_FIX)


@pytest.mark.exercise("fix_input", points=3)
def test_the_input_gets_its_feature_axis(answers):
    judge_input(answers["input"], _xs(answers.rng("input")))


@pytest.mark.exercise("fix_input", points=2)
def test_the_model_reads_batch_timesteps_features(answers):
    for facts, (timesteps, _, _) in zip(answers["model"], _models(answers.rng("model"))):
        judge_reads(facts, timesteps)


@pytest.mark.exercise("fix_input", points=2)
def test_units_is_the_memory_size_not_the_timesteps(answers):
    for facts, (timesteps, units, _) in zip(answers["model"], _models(answers.rng("model"))):
        judge_units(facts, timesteps, units)


@pytest.mark.exercise("fix_input", points=1)
def test_compiled_one_prediction_per_window_and_no_finding(answers):
    for facts, (_, _, n) in zip(answers["model"], _models(answers.rng("model"))):
        judge_prediction(facts, n)


def _other(rng):
    """Other sizes for the hidden tests: one window, longer windows, more units."""
    return rng.normal(size=(1, int(rng.integers(15, 30)))), int(rng.integers(15, 30)), \
        int(rng.integers(40, 64))


def probe_input_other(module, rng):
    return [_answered(module.to_lstm_input, _other(rng)[0].astype("float32"))]


def probe_model_other(module, rng):
    _, timesteps, units = _other(rng)
    return describe_model(lambda: module.build_model(timesteps, units=units), *_windows(timesteps, 1))


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("fix_input", points=1)
def test_one_float32_window_gets_its_feature_axis(answers):
    x, _, _ = _other(answers.rng("input_other"))
    judge_input(answers["input_other"], [x.astype("float32")])


@pytest.mark.exercise("fix_input", points=1)
def test_other_sizes_and_a_single_window(answers):
    _, timesteps, units = _other(answers.rng("model_other"))
    facts = answers["model_other"]
    judge_reads(facts, timesteps)
    judge_units(facts, timesteps, units)
    judge_prediction(facts, n=1)
### END HIDDEN TESTS
