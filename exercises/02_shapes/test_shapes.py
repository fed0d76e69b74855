"""Tests of exercise 2 (shapes): your predictions against the shapes an LSTM really has.

The truth comes from lstm_shapes' RNN contracts (pure functions of a layer's config, tested
against Keras's own compute_output_shape) and its parameter count, so no TensorFlow runs here.
"""

import pytest

from lstm_shapes.exercises import assert_shape_tuple, fail_with

OFF_LIMITS = ("lstm_param_count",)  # the library's answer: refused while the probes run


def _config(rng, return_sequences, batch=True):
    """One question; batch, timesteps, features and units all differ, so a mix-up shows."""
    while True:
        sizes = (int(rng.integers(2, 65)), int(rng.integers(2, 30)), int(rng.integers(1, 8)),
                 int(rng.integers(2, 80)))
        if len(set(sizes)) == 4:
            break
    return dict(batch=sizes[0] if batch else None, timesteps=sizes[1], features=sizes[2],
                units=sizes[3], return_sequences=return_sequences)


def _configs(rng, batch=True):
    return [_config(rng, bool(i % 2), batch) for i in range(4)]


def _wide_configs(rng):
    """Other sizes: batch 1 or unknown, long sequences, wide layers, sizes that may repeat."""
    return [dict(batch=[1, None][i % 2], timesteps=int(rng.integers(1, 400)),
                 features=int(rng.integers(1, 300)), units=int(rng.integers(1, 600)),
                 return_sequences=i < 2) for i in range(4)]


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
    return _shapes(module, _configs(rng, batch=False))


def probe_params(module, rng):
    return [module.lstm_param_count(c["units"], c["features"]) for c in _configs(rng)]


def probe_wide(module, rng):
    configs = _wide_configs(rng)
    return {"shapes": _shapes(module, configs),
            "params": [module.lstm_param_count(c["units"], c["features"]) for c in configs]}


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


def _check(configs, answers, index, what):
    for config, answer in zip(configs, answers):
        if not isinstance(answer, list) or len(answer) != 3:
            fail_with("return_state_unpacking", f"lstm_output_shapes(...) must return three "
                      f"shapes (output, h, c); for {_question(config)} it returned {answer!r}",
                      "return output, h_shape, c_shape")
        truth = _truth(config)[index]
        spec = "batch timesteps units" if len(truth) == 3 else "batch units"
        named = f"({', '.join(spec.split())})"
        if _as_tuple(answer[index]) == truth[1:]:
            fail_with("wrong_rank", f"you predicted {_as_tuple(answer[index])} for {what} of "
                      f"{_question(config)}: the shape of ONE sample; a layer's shapes start "
                      f"with the batch axis (batch = {config['batch']} here)",
                      f"{named}   # batch first")
        assert_shape_tuple(answer[index], truth, spec, f"{what} of {_question(config)}",
                           timesteps=config["timesteps"], features=config["features"])


def _as_tuple(shape):
    return tuple(shape) if isinstance(shape, list) else shape


def _check_params(configs, answers):
    from lstm_shapes import lstm_param_count

    for config, answer in zip(configs, answers):
        units, features = config["units"], config["features"]
        truth = lstm_param_count(units, features)
        if answer == truth:
            continue
        formula = "4 * (units * (features + units) + units)"
        fix = f"{formula}   # 4 gates, each with a kernel, a recurrent kernel and a bias"
        why = {3 * truth // 4: "that is 3 gates' worth: an LSTM has 4 (input, forget, cell, "
                               "output)",
               truth - 4 * units: "the 4 biases (4·units numbers) are missing"}.get(answer, "")
        if units != features and answer == lstm_param_count(features, units):
            why = ("that is the count with units and features exchanged: the arguments come "
                   "in the order (units, features)")
            fix = f"def lstm_param_count(units, features): return {formula}"
        fail_with("lstm_gate_count",
                  f"lstm_param_count(units={units}, features={features}) returned {answer!r}; "
                  f"LSTM({units}) on {features} features has {truth} parameters"
                  + (f": {why}" if why else ""), fix)


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
    configs = _configs(answers.rng("symbolic"), batch=False)
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
