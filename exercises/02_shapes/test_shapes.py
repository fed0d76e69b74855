"""Tests of exercise 2 (shapes): your predictions against the shapes an LSTM really has.

The truth comes from lstm_shapes' RNN contracts (pure functions of a layer's config, tested
against Keras's own compute_output_shape) and its parameter count, so no TensorFlow runs here.
Each question's sizes are drawn afresh, and the edge cases are asked too: one timestep, a
batch of one, one feature, one unit, and an unknown (None) batch.
"""

import pytest

from lstm_shapes.exercises import fail_with

OFF_LIMITS = (  # the library's answers: refused while the probes run
    "lstm_param_count", "lstm_shapes.core.contracts.expected_shapes")

_SIZES = ("batch", "timesteps", "features", "units")
_COUNT = "4 * (units * (features + units) + units)"


def _config(rng, return_sequences, known_batch=True, **edge):
    """One question; its sizes differ from each other (so a mix-up of two of them shows),
    except the ``edge`` sizes, set to 1."""
    while True:
        sizes = [int(rng.integers(2, 65)), int(rng.integers(2, 30)), int(rng.integers(2, 8)),
                 int(rng.integers(2, 80))]
        if len(set(sizes)) == 4:
            break
    config = {**dict(zip(_SIZES, sizes)), **edge, "return_sequences": return_sequences}
    if not known_batch:
        config["batch"] = None
    return config


def _configs(rng, known_batch=True):
    """Four ordinary questions, then the edge cases the docstring allows."""
    b = known_batch
    return [*(_config(rng, bool(i % 2), b) for i in range(4)),
            _config(rng, True, b, timesteps=1), _config(rng, False, b, timesteps=1),
            _config(rng, True, b, batch=1), _config(rng, True, b, features=1),
            _config(rng, False, b, units=1)]


def _wide_configs(rng):
    """Other sizes: batch 1 or unknown, long sequences, wide layers, sizes that may repeat."""
    return [{"batch": [1, None][i % 2], "timesteps": int(rng.integers(1, 400)),
             "features": int(rng.integers(1, 300)), "units": int(rng.integers(1, 600)),
             "return_sequences": i < 2} for i in range(4)]


def _shapes(module, configs):
    out = []
    for c in configs:
        answer = module.lstm_output_shapes(c["batch"], c["timesteps"], c["features"],
                                           c["units"], c["return_sequences"])
        try:  # keep a malformed answer as it is: the test names what is wrong with it
            out.append([list(shape) for shape in answer])
        except TypeError:
            out.append(answer if isinstance(answer, (int, float, str)) else repr(answer))
    return out


def probe_shapes(module, rng):
    return _shapes(module, _configs(rng))


def probe_symbolic(module, rng):  # batch=None, as in a model's summary
    return _shapes(module, _configs(rng, known_batch=False))


def _counts(module, configs):
    counts = []
    for c in configs:
        count = module.lstm_param_count(c["units"], c["features"])
        kind = getattr(getattr(count, "dtype", None), "kind", None)
        if kind in ("i", "u", "f") and getattr(count, "ndim", None) == 0:
            count = int(count) if kind != "f" else float(count)  # NumPy's scalars are numbers
        counts.append(count if isinstance(count, (int, float)) else repr(count))
    return counts


def probe_params(module, rng):
    return _counts(module, _configs(rng))


def probe_wide(module, rng):
    configs = _wide_configs(rng)
    return {"shapes": _shapes(module, configs), "params": _counts(module, configs)}


def _truth(c):
    """(output, h, c) of LSTM(units, return_sequences, return_state=True) on c's input."""
    from lstm_shapes.core.contracts import RNNContract, expected_shapes

    contract = RNNContract(kind="LSTM", units=c["units"], return_state=True,
                           return_sequences=c["return_sequences"])
    return expected_shapes((c["batch"], c["timesteps"], c["features"]), contract)


def _question(c):
    return (f"LSTM({c['units']}, return_sequences={c['return_sequences']}, "
            f"return_state=True) on x of shape "
            f"({c['batch']}, {c['timesteps']}, {c['features']})")


def _named(config, size):
    """The one size of the question equal to ``size`` ("units", ...), else None."""
    names = [n for n in _SIZES if config[n] == size]
    return names[0] if len(names) == 1 else None


def _judge_shape(answer, truth, config, what):
    """Fail unless the predicted shape ``answer`` is ``truth``, saying which axis is wrong."""
    names = ("batch", "timesteps", "units") if len(truth) == 3 else ("batch", "units")
    axes = f"({', '.join(names)})"
    fix = f"{axes}   # the shape of {what}"
    question = f"{what} of {_question(config)}"
    if not isinstance(answer, list) or any(
            isinstance(d, bool) or not (d is None or isinstance(d, int)) for d in answer):
        fail_with("wrong_dtype", f"you predicted {answer!r} for {question}: a shape is a "
                  "tuple of ints (None for an unknown batch), like the sizes you were given",
                  fix)
    got = tuple(answer)
    if got == truth:
        return
    said = f"you predicted {got} for {question}; it is {axes} = {truth}"
    if got == truth[1:]:
        fail_with("wrong_rank", f"{said}: you gave the shape of ONE sample; a layer's shapes "
                  f"start with the batch axis (batch = {config['batch']} here)",
                  f"{axes}   # batch first")
    if len(got) == 3 and len(truth) == 2:
        why = ("h and c are the LAST states, (batch, units), whatever return_sequences says"
               if what in ("h", "c") else "with return_sequences=False the output is the "
               "last h only, without a time axis")
        fail_with("unexpected_sequence_output", f"{said}: {why}", fix)
    if len(got) == 2 and len(truth) == 3:
        fail_with("wrong_rank", f"{said}: with return_sequences=True the output holds the h "
                  "of every timestep, so it keeps the time axis, even when timesteps = 1", fix)
    if len(got) != len(truth):
        fail_with("wrong_rank", f"{said}: {len(got)} axes instead of {len(truth)}", fix)
    axis = next(i for i, (a, b) in enumerate(zip(got, truth)) if a != b)
    name, size, used = names[axis], truth[axis], _named(config, got[axis])
    if name == "batch":
        why = ("an unknown batch stays None: the shape cannot know it" if size is None else
               f"the batch axis is the {size} samples of x")
        fail_with("batch_mismatch", f"{said}: {why}", fix)
    if used == "timesteps" and name == "units" or used == "units" and name == "timesteps":
        fail_with("units_equals_timesteps", f"{said}: {got[axis]} is {used}, but the {name} "
                  f"axis holds {name} = {size}: units is the size of h, not the number of "
                  "steps", fix)
    where = f"{got[axis]} is {used}" if used else f"{got[axis]} is none of the sizes given"
    fail_with("dimension_mismatch", f"{said}: on the {name} axis {where}; {name} = {size}",
              fix)


def _check(configs, answers, index, what):
    for config, answer in zip(configs, answers):
        if not isinstance(answer, list) or len(answer) != 3:
            fail_with("return_state_unpacking", f"lstm_output_shapes(...) must return three "
                      f"shapes (output, h, c); for {_question(config)} it returned {answer!r}",
                      "return output, h_shape, c_shape")
        _judge_shape(answer[index], _truth(config)[index], config, what)


def _check_params(configs, answers):
    from lstm_shapes import lstm_param_count

    for config, answer in zip(configs, answers):
        units, features = config["units"], config["features"]
        truth = lstm_param_count(units, features)
        call = f"lstm_param_count(units={units}, features={features})"
        fix = f"return {_COUNT}   # 4 gates, each with a kernel, a recurrent kernel and a bias"
        if isinstance(answer, bool) or not isinstance(answer, (int, float)):
            fail_with("wrong_dtype", f"{call} returned {answer!r}; a parameter count is an "
                      f"int ({truth} here)", fix)
        if isinstance(answer, float):
            fail_with("wrong_dtype", f"{call} returned {answer!r}, a float; a count of "
                      "weights is an int (true division / or a float factor made it a float)",
                      f"return {_COUNT}   # an int: no / and no float factors")
        if answer == truth:
            continue
        why = {3 * truth // 4: "that is 3 gates' worth: an LSTM has 4 (input, forget, cell, "
                               "output)",
               truth - 4 * units: "the 4 biases (4·units numbers) are missing"}.get(answer, "")
        if units != features and answer == lstm_param_count(features, units):
            why = ("that is the count with units and features exchanged: the arguments come "
                   "in the order (units, features)")
            fix = f"def lstm_param_count(units, features): return {_COUNT}"
        fail_with("lstm_gate_count", f"{call} returned {answer!r}; LSTM({units}) on {features} "
                  f"features has {truth} parameters" + (f": {why}" if why else ""), fix)


@pytest.mark.exercise("shapes", points=3)
def test_output_shape(answers):
    _check(_configs(answers.rng("shapes")), answers["shapes"], 0, "the output")


@pytest.mark.exercise("shapes", points=2)
def test_state_shapes(answers):
    configs = _configs(answers.rng("shapes"))
    _check(configs, answers["shapes"], 1, "h")
    _check(configs, answers["shapes"], 2, "c")


@pytest.mark.exercise("shapes", points=1)
def test_an_unknown_batch_stays_unknown(answers):
    configs = _configs(answers.rng("symbolic"), known_batch=False)
    for index, what in enumerate(("the output", "h", "c")):
        _check(configs, answers["symbolic"], index, what)


@pytest.mark.exercise("shapes", points=3)
def test_parameter_count(answers):
    _check_params(_configs(answers.rng("params")), answers["params"])


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("shapes", points=1)
def test_other_sizes(answers):
    configs = _wide_configs(answers.rng("wide"))
    for index, what in enumerate(("the output", "h", "c")):
        _check(configs, answers["wide"]["shapes"], index, what)
    _check_params(configs, answers["wide"]["params"])
### END HIDDEN TESTS
