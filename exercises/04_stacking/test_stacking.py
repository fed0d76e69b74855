"""Tests of exercise 4 (stacking): what the model you build does, whichever way you write it.

The probes trace your model (lstm_shapes.explain: the recurrent layers in the order they
are called, with their config), call it on fresh data (batches of 7, 3 and 1 windows, and
windows of one step), compare its prediction with a linear Dense(1) of the last LSTM's last
h, list its weight arrays and measure its compiled loss; the tests judge that record.
Sequential, functional and subclassed models are judged alike, and
keras.layers.RNN(keras.layers.LSTMCell(n)) is an LSTM of n units like keras.layers.LSTM(n).
"""

import numpy as np
import pytest

from lstm_shapes.exercises import changed_settings, fail, fail_with, last_h_gap

OFF_LIMITS = ("build_stacked_lstm",)  # the library's answer: refused while the probes run
_FIRST = "keras.layers.LSTM(units, return_sequences=True)   # the first LSTM hands on every h"
_SECOND = "keras.layers.LSTM(units)   # the last LSTM hands on only its last h"
_INPUT = "keras.Input(shape=(timesteps, features))   # one sample: no batch axis"
_LAYERS = ("Input(shape=(timesteps, features)), LSTM(units, return_sequences=True), "
           "LSTM(units), Dense(1)")
_HEAD = "keras.layers.Dense(1)   # linear: a forecast can be any number, negative too"


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
    calls = _rnn_calls(model, x)
    rnns = [{"kind": call.contract.kind, "units": call.contract.units,
             "return_sequences": call.contract.return_sequences,
             "bidirectional": call.contract.bidirectional,
             "settings": changed_settings(call.layer),
             "input": [None if d is None else int(d) for d in call.input_shape[1:]]}
            for call in calls]
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
            "weights": [[int(d) for d in w.shape] for w in model.weights],
            "batch": _fixed_batch(model), "head_activation": _head_activation(model),
            "last_h_gap": last_h_gap(model, x) if rnns and all(
                isinstance(o, list) for o in outputs) else None,
            "loss": loss, "optimizer": type(optimizer).__name__ if optimizer else None,
            "adam": isinstance(optimizer, keras.optimizers.Adam),
            "adam_changes": _adam_changes(optimizer)}


def _fixed_batch(model):
    """The batch size the model's input fixes (Input(batch_size=...)), else None."""
    try:
        batch = model.inputs[0].shape[0]
    except (AttributeError, IndexError, TypeError, ValueError):
        return None  # a subclassed model without inputs: no batch declared
    return None if batch is None else int(batch)


def _head_activation(model):
    """The activation of the model's last non-recurrent layer that has one ("linear" for a
    plain Dense). A subclassed model lists its layers in the order they were assigned, so
    an LSTM may come last there: its tanh is no head's."""
    from lstm_shapes.core.contracts import contract_of

    for layer in reversed(getattr(model, "layers", [])):
        activation = getattr(layer, "activation", None)
        if activation is not None and contract_of(layer) is None:
            return str(getattr(activation, "__name__", activation))
    return None


def _adam_changes(optimizer):
    """The settings of an Adam optimizer that differ from Adam's defaults, as plain data."""
    import keras

    if not isinstance(optimizer, keras.optimizers.Adam):
        return {}
    default, mine = keras.optimizers.Adam().get_config(), optimizer.get_config()
    changes = {}
    for key, value in mine.items():
        if key == "name" or value == default.get(key) or (
                isinstance(value, float) and isinstance(default.get(key), float)
                and abs(value - default[key]) <= 1e-6 * abs(default[key])):
            continue
        changes[key] = value if isinstance(value, (int, float, bool, str, type(None))) \
            else type(value).__name__
    return changes


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


def _one_step(rng):  # windows of one step: a sequence of length 1 is still a sequence
    return 1, int(rng.integers(1, 4)), _small_units(rng)


def probe_model(module, rng):  # units left at its default, 50
    return _behaviour(module.build_stacked, *_question(rng), batches=(7, 3, 1))


def probe_units(module, rng):
    timesteps, features = _question(rng)
    return _behaviour(module.build_stacked, timesteps, features, batches=(7, 3, 1),
                      units=_small_units(rng))


def probe_one_step(module, rng):
    timesteps, features, units = _one_step(rng)
    return _behaviour(module.build_stacked, timesteps, features, batches=(4, 1), units=units)


def probe_wide(module, rng):  # other sizes, a batch of one
    sizes = int(rng.integers(16, 31)), int(rng.integers(4, 7))
    return _behaviour(module.build_stacked, *sizes, batches=(1, 5), units=int(rng.integers(2, 7)))


def _cases(answers):
    """(answer, timesteps, features, units, call, batches) of each visible probe."""
    t, f = _question(answers.rng("model"))
    rng = answers.rng("units")
    tu, fu = _question(rng)
    units = _small_units(rng)
    ts, fs, us = _one_step(answers.rng("one_step"))
    return [(answers["model"], t, f, 50, f"build_stacked({t}, {f})", (7, 3, 1)),
            (answers["units"], tu, fu, units, f"build_stacked({tu}, {fu}, units={units})",
             (7, 3, 1)),
            (answers["one_step"], ts, fs, us, f"build_stacked({ts}, {fs}, units={us})", (4, 1))]


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
    if first["input"] not in ([t, f], [None, f]):  # None: any number of timesteps, t too
        fail_with("input_shape_data_mismatch", f"{call}: the first LSTM reads samples of "
                  f"(timesteps, features) = {tuple(first['input'])}, but timesteps={t} and "
                  f"features={f}", _INPUT)


def _judge_layers(answer, t, f, units, call):
    first, second = _two_lstms(answer, call)
    _judge_input(first, t, f, call)
    got = [first["units"], second["units"]]
    if got != [units, units]:
        if t in got and t != units:
            fail_with("units_equals_timesteps", f"{call} builds LSTMs of {got} units, and "
                      f"timesteps is {t}: units is the size of h and c, not the number of "
                      "steps", "keras.layers.LSTM(units)   # the units argument, for both LSTMs")
        fail_with("dimension_mismatch", f"{call} builds LSTMs of {got} units, but units is "
                  f"{units}: use the units argument", "keras.layers.LSTM(units, "
                  "return_sequences=True), then keras.layers.LSTM(units)")
    for which, rnn in (("first", first), ("second", second)):
        if rnn["settings"]:
            layer = _FIRST.split("   #")[0] if which == "first" else _SECOND.split("   #")[0]
            changed = ", ".join(f"{k}={v!r}" for k, v in rnn["settings"].items())
            fail_with("model_layers", f"{call}: the {which} LSTM is built with {changed}; "
                      "the exercise's LSTMs keep Keras's default settings (they read each "
                      "window forward, from a fresh h and c, with no dropout)",
                      f"{layer}   # only units and return_sequences given")


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
    if second["return_sequences"]:  # fine if the model takes its last h (a Lambda)
        outputs = [o for o in answer["outputs"] if isinstance(o, list)]
        if any(len(o) == 3 for o in outputs):
            fail_with("sequence_output_vs_last_target", f"{call}: the last LSTM returns a "
                      "sequence, so the model predicts one value per timestep, not one per "
                      "window", _SECOND)
        gap = answer["last_h_gap"]
        if gap is None or gap > 1e-4:
            fail_with("unexpected_sequence_output", f"{call}: the last LSTM returns its whole "
                      "sequence of h's and the model makes it one value per window another way "
                      "than from its last h (Flatten or pooling mixes every timestep in)",
                      _SECOND)


def _judge_weights(answer, call):
    """Two LSTMs and a Dense(1), biases included, and no other weights."""
    from collections import Counter

    first, second = answer["rnns"]
    f, u1, u2 = first["input"][-1], first["units"], second["units"]
    want = Counter([(f, 4 * u1), (u1, 4 * u1), (4 * u1,), (u1, 4 * u2), (u2, 4 * u2),
                    (4 * u2,), (u2, 1), (1,)])
    got = Counter(tuple(w) for w in answer["weights"])
    missing, extra = want - got, got - want
    if missing and not extra and set(missing) <= {(4 * u1,), (4 * u2,), (1,)}:
        which = " and ".join(
            (["an LSTM's bias (4·units,)"] if {(4 * u1,), (4 * u2,)} & set(missing) else [])
            + (["Dense(1)'s bias (1,)"] if (1,) in missing else []))
        layer = "keras.layers.Dense(1)" if set(missing) == {(1,)} else \
            "keras.layers.LSTM(units)"
        fail_with("model_layers", f"{call}: the model lacks {which}: a layer built with "
                  "use_bias=False; the exercise's layers keep their biases",
                  f"{layer}   # use_bias left at its default, True")
    if missing or extra:
        shapes = ", ".join(str(s) for s in sorted(extra.elements())) or "none"
        fail_with("model_layers", f"{call}: the model has {answer['params']} weights in "
                  f"arrays {sorted(tuple(w) for w in answer['weights'])}; two LSTMs and a "
                  f"Dense(1) on the last h have {sum(map(_size, want.elements()))}, in "
                  f"{sorted(want.elements())} (arrays beyond them: {shapes})",
                  f"keep only {_LAYERS}")


def _size(shape):
    return int(np.prod(shape))


def _judge_predictions(answer, t, f, call, batches):
    for n, out in zip(batches, answer["outputs"]):
        if isinstance(out, dict):  # the call raised: its message, with its code if it has one
            if answer["rnns"]:  # a model declared for other data: say so, not "fix x"
                _judge_input(answer["rnns"][0], t, f, call)
            if answer["batch"] is not None and n != answer["batch"]:
                _judge_batch(answer, call)
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
    _judge_batch(answer, call)
    rnns = answer["rnns"]
    if len(rnns) != 2 or any(r["kind"] != "LSTM" or r["bidirectional"] for r in rnns):
        return  # the layer tests say what is wrong; the weights below assume two LSTMs
    _judge_weights(answer, call)
    if answer["head_activation"] not in (None, "linear"):
        fail_with("model_layers", f"{call}: the last layer applies "
                  f"{answer['head_activation']}, so the model cannot predict every value "
                  "the series takes (a sine goes down to -1)", _HEAD)
    gap = answer["last_h_gap"]
    if gap is None or gap > 1e-4:
        fail_with("model_layers", f"{call}: the prediction is not a linear Dense(1) of the "
                  "last LSTM's last h" + (f" (it is {gap:.3g} away from it)" if gap else ""),
                  _HEAD)


def _judge_batch(answer, call):
    if answer["batch"] is not None:
        fail_with("batch_in_input_shape", f"{call}: the model's input fixes the batch at "
                  f"{answer['batch']} windows; the model must read any number of windows",
                  _INPUT)


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
    if answer["adam_changes"]:
        changes = ", ".join(f"{k}={v!r}" for k, v in answer["adam_changes"].items())
        fail_with("compile_settings", f"{call}: Adam is built with {changes}; the exercise "
                  "compiles with Adam's defaults (learning_rate=0.001)", fix)


@pytest.mark.exercise("stacking", points=2)
def test_two_lstms_of_units_units(answers):
    for answer, t, f, units, call, _ in _cases(answers):
        _judge_layers(answer, t, f, units, call)


@pytest.mark.exercise("stacking", points=3)
def test_the_first_lstm_hands_on_its_sequence(answers):
    for answer, *_, call, _ in _cases(answers):
        _judge_sequences(answer, call)


@pytest.mark.exercise("stacking", points=2)
def test_one_linear_prediction_per_window_for_any_batch(answers):
    for answer, t, f, _, call, batches in _cases(answers):
        _judge_predictions(answer, t, f, call, batches)


@pytest.mark.exercise("stacking", points=1)
def test_compiled_with_adam_and_mse(answers):
    for answer, *_, call, _ in _cases(answers):
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
