"""Tests of exercise 4 (stacking): what the model you build does, whichever way you write it.

The probes trace your model (lstm_shapes.explain: the recurrent layers in the order they
are called, with their config), call it on fresh data and measure its compiled loss; the
tests judge that record. Sequential, functional and subclassed models are judged alike, and
keras.layers.RNN(keras.layers.LSTMCell(n)) is an LSTM of n units like keras.layers.LSTM(n).
"""

import numpy as np
import pytest

from lstm_shapes.exercises import fail, fail_with

OFF_LIMITS = ("build_stacked_lstm",)  # the library's answer: refused while the probes run
_FIRST = "keras.layers.LSTM(units, return_sequences=True)   # the first LSTM hands on every h"
_SECOND = "keras.layers.LSTM(units)   # the last LSTM hands on only its last h"
_INPUT = "keras.Input(shape=(timesteps, features))   # one sample: no batch axis"
_LAYERS = ("Input(shape=(timesteps, features)), LSTM(units, return_sequences=True), "
           "LSTM(units), Dense(1)")


def _question(rng):
    return int(rng.integers(4, 13)), int(rng.integers(1, 4))  # timesteps, features


def _small_units(rng):
    return int(rng.integers(13, 25))  # neither a timesteps of _question nor the default 50


def _behaviour(build, timesteps, features, batches, **kwargs):
    """What ``build(timesteps, features, **kwargs)`` makes, as plain data the tests judge."""
    import keras

    from lstm_shapes import ShapeError

    try:
        model = build(timesteps, features, **kwargs)
    except ShapeError as err:  # fix lines in the learner's words, not this probe's sizes
        numbers = f"({timesteps}, {features})"
        if numbers not in err.fix:
            raise
        raise type(err)(where=err.where, expected=err.expected, actual=err.actual,
                        bindings=err.bindings, code=err.code, detail=err.detail,
                        fix=err.fix.replace(numbers, "(timesteps, features)")) from err
    data = np.random.default_rng(1).normal(size=(max(batches), timesteps, features))
    x = data.astype("float32")
    rnns = [{"kind": call.contract.kind, "units": call.contract.units,
             "return_sequences": call.contract.return_sequences,
             "bidirectional": call.contract.bidirectional,
             "input": [None if d is None else int(d) for d in call.input_shape[1:]]}
            for call in _rnn_calls(model, x)]
    outputs = []
    for n in batches:
        try:
            outputs.append([int(d) for d in np.shape(model(x[:n]))])
        except Exception as err:  # noqa: BLE001 - the model's failure is part of the answer
            outputs.append({"error": f"{type(err).__name__}: {err}"[:1500],
                            "code": getattr(err, "code", None)})
    loss = None
    if getattr(model, "compiled", False) and getattr(model, "loss", None) is not None:
        y_true, y_pred = np.random.default_rng(2).normal(size=(2, 6, 1)).astype("float32")
        loss = float(model.compute_loss(x=None, y=y_true, y_pred=y_pred))
    optimizer = getattr(model, "optimizer", None)
    return {"rnns": rnns, "outputs": outputs, "params": int(model.count_params()),
            "loss": loss, "optimizer": type(optimizer).__name__ if optimizer else None,
            "adam": isinstance(optimizer, keras.optimizers.Adam)}


def _rnn_calls(model, x):
    """The RNN layer calls of ``model`` on ``x``, in order (lstm_shapes.explain's record)."""
    from lstm_shapes import explain
    from lstm_shapes.diagnosis import instrument

    # explain traces a subclassed model by watching keras.layers.Layer.__call__, which the
    # RNN classes that diagnosing() instruments call directly: it would miss every LSTM. So
    # the trace runs with Keras as it is, and the probe's checks resume after it.
    checked = instrument.is_instrumented()
    if checked:
        instrument.restore_keras()
    try:
        return explain(model, x).rnn_calls
    finally:
        if checked:
            instrument.instrument_keras()


def probe_model(module, rng):  # units left at its default, 50
    return _behaviour(module.build_stacked, *_question(rng), batches=(7, 3))


def probe_units(module, rng):
    timesteps, features = _question(rng)
    return _behaviour(module.build_stacked, timesteps, features, batches=(7, 3),
                      units=_small_units(rng))


def probe_wide(module, rng):  # other sizes, a batch of one
    sizes = int(rng.integers(16, 31)), int(rng.integers(4, 7))
    return _behaviour(module.build_stacked, *sizes, batches=(1, 5), units=int(rng.integers(2, 7)))


def _cases(answers):
    """(answer, timesteps, features, units, call) of each visible probe."""
    t, f = _question(answers.rng("model"))
    rng = answers.rng("units")
    tu, fu = _question(rng)
    units = _small_units(rng)
    return [(answers["model"], t, f, 50, f"build_stacked({t}, {f})"),
            (answers["units"], tu, fu, units, f"build_stacked({tu}, {fu}, units={units})")]


def _two_lstms(answer, call):
    """The two LSTM calls of the answer's model (the test fails unless there are exactly two)."""
    rnns = answer["rnns"]
    found = ", ".join(f"{'Bidirectional ' * r['bidirectional']}{r['kind']}({r['units']})"
                      for r in rnns) or "none"
    if len(rnns) != 2 or any(r["kind"] != "LSTM" or r["bidirectional"] for r in rnns):
        fail_with("model_layers", f"{call} makes a model whose recurrent layers are: {found}; "
                  "the exercise stacks two LSTMs, one after the other", _LAYERS)
    return rnns


def _judge_input(first, t, f, call):
    if first["input"] != [t, f]:
        fail_with("input_shape_data_mismatch", f"{call}: the first LSTM reads samples of "
                  f"(timesteps, features) = {tuple(first['input'])}, but timesteps={t} and "
                  f"features={f}", _INPUT)


def _judge_layers(answer, t, f, units, call):
    first, second = _two_lstms(answer, call)
    _judge_input(first, t, f, call)
    got = [first["units"], second["units"]]
    if got != [units, units]:
        if t in got:
            fail_with("units_equals_timesteps", f"{call} builds LSTMs of {got} units, and "
                      f"timesteps is {t}: units is the size of h and c, not the number of "
                      "steps", "keras.layers.LSTM(units)   # the units argument, for both LSTMs")
        fail_with("dimension_mismatch", f"{call} builds LSTMs of {got} units, but units is "
                  f"{units}: use the units argument", "keras.layers.LSTM(units, "
                  "return_sequences=True), then keras.layers.LSTM(units)")


def _judge_sequences(answer, call):
    first, second = _two_lstms(answer, call)
    if not first["return_sequences"]:
        fail_with("missing_return_sequences", f"{call}: the first LSTM returns only its last "
                  "h, so the second one gets no time axis", _FIRST)
    sequence = [first["input"][0], first["units"]]  # the first LSTM's h at every timestep
    if second["input"] != sequence:
        fail_with("missing_return_sequences", f"{call}: the second LSTM reads "
                  f"{tuple(second['input'])} per sample, not the first LSTM's sequence of h's "
                  f"(timesteps, units) = {tuple(sequence)}", _FIRST)
    if second["return_sequences"]:
        fail_with("sequence_output_vs_last_target", f"{call}: the last LSTM returns a "
                  "sequence, so the model predicts one value per timestep, not one per window",
                  _SECOND)


def _judge_predictions(answer, t, f, call, batches):
    for n, out in zip(batches, answer["outputs"]):
        if isinstance(out, dict):  # the call raised: its message, with its code if it has one
            if answer["rnns"]:  # a model declared for other data: say so, not "fix x"
                _judge_input(answer["rnns"][0], t, f, call)
            fail(f"{call}: calling the model on x of shape (batch, timesteps, features) with "
                 f"batch={n} failed:\n{out['error']}", out["code"])
        if len(out) == 3:
            fail_with("sequence_output_vs_last_target", f"{call}: model(x) is {tuple(out)}, "
                      "one value per timestep; the task predicts one value per window", _SECOND)
        if len(out) != 2 or out[0] != n:
            fail_with("wrong_rank", f"{call}: model(x) of a batch of {n} windows is "
                      f"{tuple(out)}; it should be (batch, 1) = ({n}, 1)",
                      "keras.layers.Dense(1)   # last, on the last LSTM's h")
        if out[1] != 1:
            fail_with("output_width_mismatch", f"{call}: model(x) is {tuple(out)}, "
                      f"{out[1]} values per window; the task predicts one",
                      "keras.layers.Dense(1)   # one predicted value per window")
    rnns = answer["rnns"]
    if len(rnns) != 2 or any(r["kind"] != "LSTM" or r["bidirectional"] for r in rnns):
        return  # the layer tests say what is wrong; the count below assumes two LSTMs
    from lstm_shapes import lstm_param_count

    first, second = rnns
    features = first["input"][-1]
    want = (lstm_param_count(first["units"], features)
            + lstm_param_count(second["units"], first["units"]) + second["units"] + 1)
    if answer["params"] != want:
        fail_with("model_layers", f"{call}: the model has {answer['params']} weights, but "
                  f"its two LSTMs and a Dense(1) on the last h have {want}: something else "
                  f"holds {answer['params'] - want}", f"keep only {_LAYERS}")


def _judge_compile(answer, call):
    rng = np.random.default_rng(2)
    y_true, y_pred = rng.normal(size=(2, 6, 1))
    mse = float(np.mean((y_true - y_pred) ** 2))
    fix = 'model.compile(optimizer="adam", loss="mse")'
    if answer["loss"] is None:
        fail_with("compile_settings", f"{call} returns a model that is not compiled with a "
                  "loss", fix)
    if abs(answer["loss"] - mse) > 1e-4 * max(1.0, mse):
        fail_with("compile_settings", f"{call}: the compiled loss gives {answer['loss']:.4g} "
                  f"where the mean squared error is {mse:.4g}", fix)
    if not answer["adam"]:
        fail_with("compile_settings", f"{call}: the optimizer is {answer['optimizer']}, not "
                  "Adam", fix)


@pytest.mark.exercise("stacking", points=2)
def test_two_lstms_of_units_units(answers):
    for answer, t, f, units, call in _cases(answers):
        _judge_layers(answer, t, f, units, call)


@pytest.mark.exercise("stacking", points=3)
def test_the_first_lstm_hands_on_its_sequence(answers):
    for answer, *_, call in _cases(answers):
        _judge_sequences(answer, call)


@pytest.mark.exercise("stacking", points=2)
def test_one_prediction_per_window_for_any_batch(answers):
    for answer, t, f, _, call in _cases(answers):
        _judge_predictions(answer, t, f, call, batches=(7, 3))


@pytest.mark.exercise("stacking", points=1)
def test_compiled_with_adam_and_mse(answers):
    for answer, *_, call in _cases(answers):
        _judge_compile(answer, call)


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("stacking", points=2)
def test_other_sizes_and_batches(answers):
    rng = answers.rng("wide")
    t, f, units = int(rng.integers(16, 31)), int(rng.integers(4, 7)), int(rng.integers(2, 7))
    answer, call = answers["wide"], f"build_stacked({t}, {f}, units={units})"
    _judge_layers(answer, t, f, units, call)
    _judge_sequences(answer, call)
    _judge_predictions(answer, t, f, call, batches=(1, 5))
    _judge_compile(answer, call)
### END HIDDEN TESTS
