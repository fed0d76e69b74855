"""Tests of exercise 6 (fix_stack): they judge the model build_model returns on sine windows.

Every run draws new sizes (one model reads many windows, another a single window of one
value), so no fixed size passes. The model is described in your process (its recurrent layers
and what each reads, its head, parameters, compile settings, output, and what
lstm_shapes.check_model finds) and judged here, so Sequential, functional and subclassed
models are judged alike.
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
HEAD_FIX = "keras.layers.Dense(1)   # linear: a forecast can be any number, negative too"
INPUT_CODES = ("missing_timestep_axis", "swapped_axes", "window_as_features",
               "batch_in_input_shape", "input_shape_data_mismatch", "no_temporal_context")


def _models(rng):
    """(timesteps, units, windows) of two models, new sizes each run: the first reads 48
    windows, the second one window of one value. units is never the timesteps nor the default
    16, so neither LSTM(timesteps) nor LSTM(16) passes for LSTM(units)."""
    sizes = []
    for timesteps, n in ((int(rng.integers(2, 15)), 48), (1, 1)):
        units = int(rng.choice([u for u in range(2, 24) if u not in (timesteps, 16)]))
        sizes.append((timesteps, units, n))
    return sizes


def _data(timesteps, n=48):
    """n windows of the sine wave (n, timesteps, 1) and the next value of each (n, 1)."""
    from lstm_shapes import sine_windows

    w = sine_windows(timesteps=timesteps)
    return w.x_train[:n], w.y_train[:n]


def probe_model(module, rng):
    return [describe_model(lambda t=timesteps, u=units: module.build_model(t, units=u),
                           *_data(timesteps, n)) for timesteps, units, n in _models(rng)]


def _built(facts):
    """The description of a model that was built, else fail with what stopped Keras."""
    error = facts.get("error")
    if error is not None:
        fix = INPUT_FIX if error["code"] in INPUT_CODES else {
            "missing_return_sequences": FIRST_FIX}.get(error["code"])
        fail(with_fix(error["text"], fix) if fix else error["text"], error["code"])
    return facts


def judge_stack(facts, timesteps, units):
    """Two plain LSTMs of ``units`` units, reading forward; the first reads the windows
    (timesteps, 1), any number of them."""
    facts = _built(facts)
    rnns = facts["rnns"]
    kinds = [r["kind"] for r in rnns if not r["bidirectional"]]
    if kinds != ["LSTM", "LSTM"] or len(rnns) != 2:
        layers = ", ".join(f"{'Bidirectional ' * r['bidirectional']}{r['kind']}({r['units']})"
                           for r in rnns) or "none"
        fail_with("model_layers", f"the model's recurrent layers are {layers}: the "
                  "exercise asks for two stacked LSTMs", UNITS_FIX.split("   #")[0]
                  + ", then keras.layers.Dense(1)")
    for r in rnns:
        if r["units"] == timesteps and r["units"] != units:
            fail_with("units_equals_timesteps", f"LSTM({r['units']}) = one unit per "
                      f"timestep; build_model was asked for units={units}",
                      UNITS_FIX)
        if r["units"] != units:
            fail_with("ignored_argument", f"LSTM({r['units']}) where build_model was asked "
                      f"for units={units}", UNITS_FIX)
    for which, r in zip(("first", "second"), rnns):
        flags = [f"{flag}=True" for flag in ("go_backwards", "stateful") if r[flag]]
        if flags:
            fail_with("model_layers", f"the {which} LSTM is built with {', '.join(flags)}: "
                      "the exercise's LSTMs read each window forward, from a fresh h and c",
                      UNITS_FIX)
    seen = tuple(rnns[0]["input"][1:])
    if seen == (1, timesteps) and timesteps != 1:
        fail_with("window_as_features", f"the first LSTM reads (batch, 1, {timesteps}): one "
                  f"step of {timesteps} features, so the recurrence sees a single step",
                  INPUT_FIX)
    if seen not in ((timesteps, 1), (None, 1)):
        fail_with("input_shape_data_mismatch", f"the first LSTM reads (batch, "
                  f"{', '.join(map(str, seen))}); windows of timesteps={timesteps} are "
                  f"(batch, {timesteps}, 1)", INPUT_FIX)
    if facts["batch"] is not None:
        fail_with("batch_in_input_shape", f"the model's input fixes the batch at "
                  f"{facts['batch']} window(s); build_model's model must read any number of "
                  "windows", INPUT_FIX)


def judge_first_hands_on_sequence(facts):
    """The first LSTM returns sequences: the second one reads every timestep's h."""
    rnns = _built(facts)["rnns"]
    if rnns and not rnns[0]["return_sequences"]:
        after = (f": the second LSTM reads {tuple(rnns[1]['input'])}, made from that one h"
                 if len(rnns) > 1 else "")
        fail_with("missing_return_sequences", "the first LSTM hands on only its last h"
                  + after, FIRST_FIX)


def judge_one_prediction_per_window(facts, n):
    """(n, 1) predictions: a linear Dense(1) of the last LSTM's last h; no silent broadcast
    against (n, 1) targets; the two LSTMs and Dense(1) are all the weights."""
    from lstm_shapes import lstm_param_count

    facts = _built(facts)
    for finding in facts["findings"]:
        fix = INPUT_FIX if finding["code"] in INPUT_CODES else {
            "sequence_output_vs_last_target": LAST_FIX,
            "target_broadcast": LAST_FIX}.get(finding["code"], finding["fix"])
        fail_with(finding["code"], finding["message"], fix, where=finding["where"])
    output, rnns = facts["output"], facts["rnns"]
    if output is not None and output != [n, 1]:
        code = "sequence_output_vs_last_target" if len(output) == 3 else "output_width_mismatch"
        fail_with(code, f"model(x) of {n} windows is {tuple(output)}: one prediction per "
                  f"window is ({n}, 1)", LAST_FIX)
    if facts["head_activation"] not in (None, "linear"):
        fail_with("model_layers", f"the last layer applies {facts['head_activation']}; the "
                  "exercise's Dense(1) is linear: a forecast may need any value, and "
                  f"{facts['head_activation']} bends or cuts its outputs", HEAD_FIX)
    off_last_h = bool(rnns) and (facts.get("last_h_gap") is None or facts["last_h_gap"] > 1e-4)
    if off_last_h and rnns[-1]["return_sequences"]:
        fail_with("unexpected_sequence_output", "the last LSTM returns its whole sequence and "
                  "a later layer makes one vector of it another way than taking its last "
                  "step: Dense(1) should read the last LSTM's last h, nothing else", LAST_FIX)
    if len(rnns) == 2 and rnns[0]["units"] == rnns[1]["units"]:
        u, features = rnns[0]["units"], rnns[0]["input"][-1]
        want = lstm_param_count(units=u, features=features) + lstm_param_count(
            units=u, features=u) + u + 1
        if facts["params"] != want:
            fail_with("model_layers", f"the model has {facts['params']} parameters; "
                      f"two LSTM({u}) and Dense(1) have {want}: it holds more than the "
                      "exercise asks for", UNITS_FIX.split("   #")[0]
                      + ", then keras.layers.Dense(1): nothing else")
    if off_last_h:
        fail_with("model_layers", "the prediction is not Dense(1) of the last LSTM's last h",
                  LAST_FIX + ", nothing in between")


@pytest.mark.exercise("fix_stack", points=2)
def test_two_lstms_of_units_read_the_windows(answers):
    for facts, (timesteps, units, _) in zip(answers["model"], _models(answers.rng("model"))):
        judge_stack(facts, timesteps, units)


@pytest.mark.exercise("fix_stack", points=2)
def test_the_first_lstm_hands_on_its_sequence(answers):
    for facts in answers["model"]:
        judge_first_hands_on_sequence(facts)


@pytest.mark.exercise("fix_stack", points=3)
def test_one_prediction_per_window_no_silent_broadcast(answers):
    for facts, (_, _, n) in zip(answers["model"], _models(answers.rng("model"))):
        judge_one_prediction_per_window(facts, n)


def judge_compiled(facts):
    """Compiled with adam and mse."""
    facts = _built(facts)
    if not facts["compiled"]:
        fail_with("compile_settings", "build_model returns a model that is not compiled",
                  COMPILE_FIX + " before return model")
    if not facts["adam"] or facts["loss_at_2"] != 4.0:
        fail_with("compile_settings", "the model is compiled with another optimizer or loss: "
                  f"predicting 2 for a target of 0 costs {facts['loss_at_2']} (mse: 4.0)"
                  + ("" if facts["adam"] else ", and the optimizer is not Adam"), COMPILE_FIX)


@pytest.mark.exercise("fix_stack", points=1)
def test_compiled_with_adam_and_mse(answers):
    for facts in answers["model"]:
        judge_compiled(facts)


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
    judge_compiled(facts)
### END HIDDEN TESTS
