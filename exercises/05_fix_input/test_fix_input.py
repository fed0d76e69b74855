"""Tests of exercise 5 (fix_input): they judge what your functions return on fresh inputs.

The model is described in your process (its inputs, recurrent layers, parameters, output and
what check_model finds) and judged here, so Sequential, functional and subclassed models are
judged alike.
"""

import numpy as np
import pytest

from lstm_shapes.exercises import assert_close, describe_model, fail, fail_with, with_fix

# the library's builder would answer build_model: it refuses while the probes run
OFF_LIMITS = ("build_lstm",)

# the fix lines, written with build_model's own arguments
INPUT_FIX = "keras.Input((timesteps, 1))   # (timesteps, features): one window, no batch axis"
UNITS_FIX = "keras.layers.LSTM(units)   # units: the size of h and c, the function's argument"
LAST_H_FIX = ("keras.layers.LSTM(units)   # without return_sequences: its last h, "
              "so Dense(1) makes one prediction per window")
RESHAPE_FIX = "return x.reshape(len(x), x.shape[1], 1)   # (batch, timesteps, features)"


def _question(rng):
    """Windows x (batch, timesteps) for to_lstm_input; timesteps and units for build_model.

    units is drawn above timesteps, so an LSTM(timesteps) never passes for LSTM(units);
    timesteps is never the sine task's 10, so a hard-coded Input((10, 1)) never passes.
    """
    x = rng.normal(size=(int(rng.integers(5, 40)), int(rng.integers(4, 15))))
    return x, int(rng.choice([4, 5, 6, 7, 8, 9, 11, 12, 13, 14])), int(rng.integers(16, 40))


def probe_input(module, rng):
    return module.to_lstm_input(_question(rng)[0])


def _windows(timesteps, n):
    """n random windows (n, timesteps, 1) and a target for each (n, 1)."""
    x = np.random.default_rng(n).normal(size=(n, timesteps, 1)).astype("float32")
    return x, x[:, -1]


def probe_model(module, rng):
    _, timesteps, units = _question(rng)
    return describe_model(lambda: module.build_model(timesteps, units=units),
                          *_windows(timesteps, 6))


def _built(facts):
    """The description of a model that was built, else fail with what stopped Keras."""
    error = facts.get("error")
    if error is not None:
        fix = {"missing_timestep_axis": INPUT_FIX, "batch_in_input_shape": INPUT_FIX,
               "units_equals_timesteps": UNITS_FIX}.get(error["code"])
        fail(with_fix(error["text"], fix) if fix else error["text"], error["code"])
    return facts


def judge_input(got, x):
    """to_lstm_input(x) is x with a feature axis: (batch, timesteps, 1), values in place."""
    from lstm_shapes import ShapeError, expect

    try:
        expect(got, "batch timesteps features", name="to_lstm_input(x)", batch=x.shape[0],
               timesteps=x.shape[1], features=1)
    except ShapeError as err:
        wrong = err
    else:
        wrong = None
    if wrong is not None:  # failed outside the except: no "during handling" echo
        fail(with_fix(str(wrong), RESHAPE_FIX), wrong.code)
    assert_close(np.asarray(got)[..., 0], x, "to_lstm_input(x)[..., 0]", atol=1e-6,
                 fix=RESHAPE_FIX + ": every value stays in its place")


def judge_reads(facts, timesteps):
    """The model reads windows (batch, timesteps, 1): its LSTM gets timesteps steps of 1."""
    rnns = _built(facts)["rnns"]
    if not rnns:
        fail_with("model_layers", "the model has no recurrent layer reading the "
                  "windows", "keras.Input((timesteps, 1)), then keras.layers.LSTM(units), "
                  "then keras.layers.Dense(1)")
    seen = tuple(rnns[0]["input"][1:])
    if seen == (timesteps, 1) or seen == (None, 1):
        return
    if seen == (1, timesteps):
        fail_with("window_as_features", f"the LSTM reads (batch, 1, {timesteps}): one step of "
                  f"{timesteps} features, so the recurrence sees a single step", INPUT_FIX)
    fail_with("input_shape_data_mismatch", f"build_model({timesteps}, ...) makes an LSTM that "
              f"reads (batch, {', '.join(map(str, seen))}); windows of timesteps="
              f"{timesteps} are (batch, {timesteps}, 1)", INPUT_FIX)


def judge_units(facts, timesteps, units):
    """One LSTM of ``units`` units (the size of h and c), whatever ``timesteps`` is."""
    rnns = _built(facts)["rnns"]
    if [r["kind"] for r in rnns] != ["LSTM"]:
        layers = ", ".join(f"{r['kind']}({r['units']})" for r in rnns) or "none"
        fail_with("model_layers", f"the model's recurrent layers are {layers}: the "
                  "exercise asks for one LSTM",
                  "keras.layers.LSTM(units), then keras.layers.Dense(1)")
    got = rnns[0]["units"]
    if got == timesteps:
        fail_with("units_equals_timesteps", f"LSTM({got}) = one unit per timestep; "
                  f"build_model was asked for units={units}", UNITS_FIX)
    if got != units:
        fail_with("ignored_argument", f"LSTM({got}) where build_model was asked for "
                  f"units={units}", UNITS_FIX)


def judge_prediction(facts, n):
    """Compiled; one prediction per window; the LSTM and Dense(1) are all its weights.

    How the model reads its input and its units are judged by the tests above.
    """
    from lstm_shapes import lstm_param_count

    facts = _built(facts)
    for finding in facts["findings"]:
        if finding["where"] == "x":  # the input: judge_reads says it in your terms
            continue
        fix = {"sequence_output_vs_last_target": LAST_H_FIX}.get(finding["code"],
                                                                 finding["fix"])
        fail_with(finding["code"], finding["message"], fix, where=finding["where"])
    if facts["output"] is not None and facts["output"] != [n, 1]:
        code = ("sequence_output_vs_last_target" if len(facts["output"]) == 3
                else "output_width_mismatch")
        fail_with(code, f"model(x) of {n} windows is {tuple(facts['output'])}: one prediction "
                  f"per window is ({n}, 1)", LAST_H_FIX)
    lstms = [r["units"] for r in facts["rnns"] if r["kind"] == "LSTM"]
    if len(lstms) == 1:  # other units are judge_units' to name; here: nothing else
        features = facts["rnns"][0]["input"][-1]
        want = lstm_param_count(units=lstms[0], features=features) + lstms[0] + 1
        if facts["params"] != want:
            fail_with("model_layers", f"the model has {facts['params']} parameters; "
                      f"LSTM({lstms[0]}) and Dense(1) have {want}: it holds "
                      "more layers than the exercise asks for",
                      "keras.Input((timesteps, 1)), keras.layers.LSTM(units), "
                      "keras.layers.Dense(1): nothing else")
    if not facts["compiled"]:
        fail_with("compile_settings", "build_model returns a model that is not compiled",
                  'model.compile(optimizer="adam", loss="mse") before return model')


@pytest.mark.exercise("fix_input", points=3)
def test_the_input_gets_its_feature_axis(answers):
    x, _, _ = _question(answers.rng("input"))
    judge_input(answers["input"], x)


@pytest.mark.exercise("fix_input", points=2)
def test_the_model_reads_batch_timesteps_features(answers):
    _, timesteps, _ = _question(answers.rng("model"))
    judge_reads(answers["model"], timesteps)


@pytest.mark.exercise("fix_input", points=2)
def test_units_is_the_memory_size_not_the_timesteps(answers):
    _, timesteps, units = _question(answers.rng("model"))
    judge_units(answers["model"], timesteps, units)


@pytest.mark.exercise("fix_input", points=1)
def test_compiled_one_prediction_per_window_and_no_finding(answers):
    judge_prediction(answers["model"], n=6)


def _other(rng):
    """Other sizes for the hidden tests: one window, longer windows, more units."""
    return rng.normal(size=(1, int(rng.integers(15, 30)))), int(rng.integers(15, 30)), \
        int(rng.integers(40, 64))


def probe_input_other(module, rng):
    return module.to_lstm_input(_other(rng)[0].astype("float32"))


def probe_model_other(module, rng):
    _, timesteps, units = _other(rng)
    return describe_model(lambda: module.build_model(timesteps, units=units),
                          *_windows(timesteps, 1))


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("fix_input", points=1)
def test_one_float32_window_gets_its_feature_axis(answers):
    x, _, _ = _other(answers.rng("input_other"))
    judge_input(answers["input_other"], x.astype("float32"))


@pytest.mark.exercise("fix_input", points=1)
def test_other_sizes_and_a_single_window(answers):
    _, timesteps, units = _other(answers.rng("model_other"))
    facts = answers["model_other"]
    judge_reads(facts, timesteps)
    judge_units(facts, timesteps, units)
    judge_prediction(facts, n=1)
### END HIDDEN TESTS
