"""Tests of exercise 2 (shapes): your predictions against a real Keras LSTM."""

import pytest

from lstm_shapes.exercises import assert_shape_tuple, fail_with


def _configs(rng, n=4, batch=True):
    return [dict(batch=int(rng.integers(2, 65)) if batch else None,
                 timesteps=int(rng.integers(2, 30)),
                 features=int(rng.integers(1, 8)), units=int(rng.integers(2, 80)),
                 return_sequences=bool(i % 2)) for i in range(n)]


def probe_shapes(module, rng):
    return [list(map(list, module.lstm_output_shapes(**c))) for c in _configs(rng)]


def probe_symbolic(module, rng):  # batch=None, as in a model's summary
    return [list(map(list, module.lstm_output_shapes(**c))) for c in _configs(rng, batch=False)]


def probe_params(module, rng):
    return [module.lstm_param_count(c["features"], c["units"]) for c in _configs(rng)]


def _keras(c):
    import keras

    layer = keras.layers.LSTM(c["units"], return_sequences=c["return_sequences"],
                              return_state=True)
    return [tuple(s) for s in layer.compute_output_shape(
        (c["batch"], c["timesteps"], c["features"]))]


def _check(answers, index, what, key="shapes"):
    configs = _configs(answers.rng(key), batch=key != "symbolic")
    for config, answer in zip(configs, answers[key]):
        truth = _keras(config)[index]
        spec = "batch timesteps units" if len(truth) == 3 else "batch units"
        name = f"{what} of LSTM({config['units']}, return_sequences=" \
               f"{config['return_sequences']}) on {(config['batch'], config['timesteps'], config['features'])}"
        if not isinstance(answer, list) or len(answer) != 3:
            fail_with("return_state_unpacking", f"return (output, h, c): three shapes, got "
                      f"{answer!r}", "return output_shape, h_shape, c_shape")
        assert_shape_tuple(answer[index], truth, spec, name, timesteps=config["timesteps"],
                           features=config["features"])


@pytest.mark.exercise("shapes", points=3)
def test_output_shape(answers):
    _check(answers, 0, "the output")


@pytest.mark.exercise("shapes", points=3)
def test_state_shapes(answers):
    _check(answers, 1, "h")
    _check(answers, 2, "c")


@pytest.mark.exercise("shapes", points=3)
def test_parameter_count(answers):
    import keras

    for config, answer in zip(_configs(answers.rng("params")), answers["params"]):
        layer = keras.layers.LSTM(config["units"])
        layer.build((None, 5, config["features"]))
        truth = layer.count_params()
        if answer != truth:
            fail_with("lstm_gate_count",
                      f"LSTM({config['units']}) on {config['features']} features has {truth} "
                      f"parameters, you said {answer}",
                      "4 gates × (units·features + units·units + units)")


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("shapes", points=1)
def test_an_unknown_batch_stays_unknown(answers):
    for index, what in enumerate(("the output", "h", "c")):
        _check(answers, index, f"{what} (batch=None)", key="symbolic")
### END HIDDEN TESTS
