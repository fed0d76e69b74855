"""Tests of exercise 6 (fix_stack): they judge the model build_model returns on sine windows.

The model is described in your process (its recurrent layers and what each reads, its
parameters, compile settings, output, and what lstm_shapes.check_model finds) and judged
here, so Sequential, functional and subclassed models are judged alike.
"""

import pytest

from lstm_shapes.exercises import describe_model, fail, fail_with, with_fix

# the library's builder would answer build_model: it refuses while the probes run
OFF_LIMITS = ("build_stacked_lstm",)

# the fix lines, written with build_model's own arguments
FIRST_FIX = ("keras.layers.LSTM(units, return_sequences=True)   # the first LSTM hands the "
             "second its whole sequence")
LAST_FIX = ("keras.layers.LSTM(units)   # the last LSTM: no return_sequences, so Dense(1) "
            "reads its last h: one prediction per window")
INPUT_FIX = "keras.Input((timesteps, 1))   # (timesteps, features): one window, no batch axis"
UNITS_FIX = ("keras.layers.LSTM(units, return_sequences=True), then keras.layers.LSTM(units)"
             "   # units: the function's argument, the size of h and c")
COMPILE_FIX = 'model.compile(optimizer="adam", loss="mse")'


def _question(rng):
    """timesteps and units for build_model; units is never timesteps, so LSTM(timesteps)
    never passes for LSTM(units), nor the default 16 for another units."""
    timesteps = int(rng.integers(5, 15))
    units = int(rng.choice([u for u in range(4, 24) if u not in (timesteps, 16)]))
    return timesteps, units


def _data(timesteps, n=48):
    """n windows of the sine wave (n, timesteps, 1) and the next value of each (n, 1)."""
    from lstm_shapes import sine_windows

    w = sine_windows(timesteps=timesteps)
    return w.x_train[:n], w.y_train[:n]


def probe_model(module, rng):
    timesteps, units = _question(rng)
    return describe_model(lambda: module.build_model(timesteps, units=units), *_data(timesteps))


def _built(facts):
    """The description of a model that was built, else fail with what stopped Keras."""
    error = facts.get("error")
    if error is not None:
        fix = {"missing_return_sequences": FIRST_FIX, "missing_timestep_axis": INPUT_FIX,
               "batch_in_input_shape": INPUT_FIX}.get(error["code"])
        fail(with_fix(error["text"], fix) if fix else error["text"], error["code"])
    return facts


def judge_stack(facts, timesteps, units):
    """Two LSTMs of ``units`` units; the first reads the windows (timesteps, 1)."""
    rnns = _built(facts)["rnns"]
    kinds = [r["kind"] for r in rnns]
    if kinds != ["LSTM", "LSTM"]:
        layers = ", ".join(f"{r['kind']}({r['units']})" for r in rnns) or "none"
        fail_with("model_layers", f"the model's recurrent layers are {layers}: the "
                  "exercise asks for two stacked LSTMs", UNITS_FIX.split("   #")[0]
                  + ", then keras.layers.Dense(1)")
    for r in rnns:
        if r["units"] == timesteps:
            fail_with("units_equals_timesteps", f"LSTM({r['units']}) = one unit per "
                      f"timestep; build_model was asked for units={units}",
                      UNITS_FIX)
        if r["units"] != units:
            fail_with("ignored_argument", f"LSTM({r['units']}) where build_model was asked "
                      f"for units={units}", UNITS_FIX)
    seen = tuple(rnns[0]["input"][1:])
    if seen not in ((timesteps, 1), (None, 1)):
        fail_with("input_shape_data_mismatch", f"the first LSTM reads (batch, "
                  f"{', '.join(map(str, seen))}); windows of timesteps={timesteps} are "
                  f"(batch, {timesteps}, 1)", INPUT_FIX)


def judge_first_hands_on_sequence(facts):
    """The first LSTM returns sequences: the second one reads every timestep's h."""
    rnns = _built(facts)["rnns"]
    if rnns and not rnns[0]["return_sequences"]:
        after = (f": the second LSTM reads {tuple(rnns[1]['input'])}, made from that one h"
                 if len(rnns) > 1 else "")
        fail_with("missing_return_sequences", "the first LSTM hands on only its last h"
                  + after, FIRST_FIX)


def judge_one_prediction_per_window(facts, n):
    """(n, 1) predictions from the last LSTM's last h through Dense(1); no silent broadcast
    against (n, 1) targets; the two LSTMs and Dense(1) are all the weights."""
    from lstm_shapes import lstm_param_count

    facts = _built(facts)
    for finding in facts["findings"]:
        if finding["where"] == "x":  # how the input is read: judge_stack says it
            continue
        fix = {"sequence_output_vs_last_target": LAST_FIX,
               "target_broadcast": LAST_FIX}.get(finding["code"], finding["fix"])
        fail_with(finding["code"], finding["message"], fix, where=finding["where"])
    output, rnns = facts["output"], facts["rnns"]
    if output is not None and output != [n, 1]:
        code = "sequence_output_vs_last_target" if len(output) == 3 else "output_width_mismatch"
        fail_with(code, f"model(x) of {n} windows is {tuple(output)}: one prediction per "
                  f"window is ({n}, 1)", LAST_FIX)
    if len(rnns) == 2 and rnns[-1]["return_sequences"]:
        fail_with("unexpected_sequence_output", "the last LSTM returns its whole sequence and "
                  "a later layer squeezes the time axis away: Dense(1) should read the last "
                  "LSTM's last h, nothing else", LAST_FIX)
    if len(rnns) == 2 and rnns[0]["units"] == rnns[1]["units"]:
        u, features = rnns[0]["units"], rnns[0]["input"][-1]
        want = lstm_param_count(units=u, features=features) + lstm_param_count(
            units=u, features=u) + u + 1
        if facts["params"] != want:
            fail_with("model_layers", f"the model has {facts['params']} parameters; "
                      f"two LSTM({u}) and Dense(1) have {want}: it holds more than the "
                      "exercise asks for", UNITS_FIX.split("   #")[0]
                      + ", then keras.layers.Dense(1): nothing else")


@pytest.mark.exercise("fix_stack", points=2)
def test_two_lstms_of_units_read_the_windows(answers):
    timesteps, units = _question(answers.rng("model"))
    judge_stack(answers["model"], timesteps, units)


@pytest.mark.exercise("fix_stack", points=2)
def test_the_first_lstm_hands_on_its_sequence(answers):
    judge_first_hands_on_sequence(answers["model"])


@pytest.mark.exercise("fix_stack", points=3)
def test_one_prediction_per_window_no_silent_broadcast(answers):
    judge_one_prediction_per_window(answers["model"], n=48)


@pytest.mark.exercise("fix_stack", points=1)
def test_compiled_with_adam_and_mse(answers):
    facts = _built(answers["model"])
    if not facts["compiled"]:
        fail_with("compile_settings", "build_model returns a model that is not compiled",
                  COMPILE_FIX + " before return model")
    if not facts["adam"] or facts["loss_at_2"] != 4.0:
        fail_with("compile_settings", "the model is compiled with another optimizer or loss: "
                  f"predicting 2 for a target of 0 costs {facts['loss_at_2']} (mse: 4.0)"
                  + ("" if facts["adam"] else ", and the optimizer is not Adam"), COMPILE_FIX)


def _other(rng):
    """Other sizes for the hidden tests: longer windows, one unit or many."""
    return int(rng.integers(15, 30)), int(rng.choice([1, 2, 3, 32, 48]))


def probe_model_other(module, rng):
    timesteps, units = _other(rng)
    x, y = _data(timesteps, n=1)
    return describe_model(lambda: module.build_model(timesteps, units=units), x, y)


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("fix_stack", points=2)
def test_other_sizes_and_a_single_window(answers):
    timesteps, units = _other(answers.rng("model_other"))
    facts = answers["model_other"]
    judge_stack(facts, timesteps, units)
    judge_first_hands_on_sequence(facts)
    judge_one_prediction_per_window(facts, n=1)
### END HIDDEN TESTS
