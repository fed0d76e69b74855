"""Property tests: the contracts predict what Keras builds, and corruption is always caught."""

import keras
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lstm_shapes import ShapeError, expect
from lstm_shapes.core.contracts import (
    RNNContract,
    check_call,
    contract_of,
    expected_shapes,
)

RNNS = {"LSTM": keras.layers.LSTM, "GRU": keras.layers.GRU, "SimpleRNN": keras.layers.SimpleRNN}
FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def stacks(draw):
    depth = draw(st.integers(1, 3))
    return dict(
        kind=draw(st.sampled_from(sorted(RNNS))),
        batch=draw(st.integers(1, 5)),
        timesteps=draw(st.integers(1, 12)),
        features=draw(st.integers(1, 6)),
        units=[draw(st.integers(1, 16)) for _ in range(depth)],
        return_sequences=draw(st.booleans()),
        return_state=draw(st.booleans()),
        bidirectional=draw(st.sampled_from([None, "concat", "sum"])),
    )


@FEW
@given(stacks())
def test_predicted_shapes_equal_what_keras_produces(cfg):
    """Build a real stacked model and compare every RNN's outputs with the contract."""
    inputs = keras.Input(batch_shape=(cfg["batch"], cfg["timesteps"], cfg["features"]))
    x, shape = inputs, tuple(inputs.shape)
    depth = len(cfg["units"])
    for i, units in enumerate(cfg["units"]):
        last = i == depth - 1
        layer = RNNS[cfg["kind"]](units, return_sequences=not last or cfg["return_sequences"],
                                  return_state=last and cfg["return_state"])
        if cfg["bidirectional"]:
            layer = keras.layers.Bidirectional(layer, merge_mode=cfg["bidirectional"])
        out = layer(x)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        predicted = expected_shapes(shape, contract_of(layer))
        assert [tuple(o.shape) for o in outs] == predicted
        x, shape = outs[0], predicted[0]
    # And the real tensors of an eager call agree too.
    data = np.random.default_rng(0).normal(
        size=(cfg["batch"], cfg["timesteps"], cfg["features"])).astype("float32")
    model = keras.Model(inputs, outs)
    real = model(data)
    real = list(real) if isinstance(real, (list, tuple)) else [real]
    assert [tuple(r.shape) for r in real] == [tuple(o.shape) for o in outs]


CORRUPTIONS = {
    # axis name -> (how to corrupt (b, t, f), the code that must name it)
    "drop_time": (lambda b, t, f: (b, t * f), "missing_timestep_axis"),
    "swap": (lambda b, t, f: (b, f, t), "swapped_axes"),
    "window_on_features": (lambda b, t, f: (b, 1, t * f), "window_as_features"),
    "timesteps": (lambda b, t, f: (b, t + 1, f), "input_shape_data_mismatch"),
    "features": (lambda b, t, f: (b, t, f + 1), "input_shape_data_mismatch"),
    "extra_axis": (lambda b, t, f: (b, t, f, 1), "wrong_rank"),  # np.squeeze(x, -1)
    "ids_axis_before_embedding": (lambda b, t, f: (b, t, 1, f + 1), "embedding_input_rank"),
    "empty_batch": (lambda b, t, f: (0, t, f), "empty_batch"),
}


@FEW
@given(
    batch=st.integers(1, 64), timesteps=st.integers(2, 50), features=st.integers(1, 8),
    units=st.integers(1, 64), corruption=st.sampled_from(sorted(CORRUPTIONS)),
)
def test_single_axis_corruption_of_the_input_is_caught_with_its_code(
        batch, timesteps, features, units, corruption):
    make, code = CORRUPTIONS[corruption]
    bad = make(batch, timesteps, features)
    if corruption == "swap" and timesteps == features:
        return  # swapping equal axes changes nothing: no mistake to catch
    contract = RNNContract(kind="LSTM", units=units, features=features)
    good = np.zeros((batch, timesteps, features), "float32")
    check_call(contract, good, where="lstm")  # the uncorrupted input passes
    with pytest.raises(ShapeError) as info:
        expect(np.zeros(bad, "float32"), "batch timesteps features", name="x",
               timesteps=timesteps, features=features)
    allowed = {code}
    if corruption == "swap" and features == 1:  # (b, 1, t): the same array as a window on features
        allowed.add("window_as_features")
    assert info.value.code in allowed, str(info.value)


@FEW
@given(batch=st.integers(1, 32), units=st.integers(2, 64), kind=st.sampled_from(sorted(RNNS)),
       which=st.sampled_from(["units", "batch", "rank", "count"]))
@example(batch=2, units=4, kind="LSTM", which="units")  # units + 1 == timesteps: still a state
def test_corrupted_initial_state_is_caught(batch, units, kind, which):
    contract = RNNContract(kind=kind, units=units, features=3)
    x = np.zeros((batch, 5, 3), "float32")
    states = [np.zeros((batch, units), "float32") for _ in range(contract.n_states)]
    check_call(contract, x, states, where="rnn")
    codes = {"units": "initial_state_units", "batch": "batch_mismatch",
             "rank": "initial_state_structure", "count": "initial_state_structure"}
    if which == "units":
        states[-1] = np.zeros((batch, units + 1), "float32")
    elif which == "batch":
        states[0] = np.zeros((batch + 1, units), "float32")
    elif which == "rank":
        states[0] = np.zeros((batch, 5, units), "float32")
    else:
        states = states + [states[0]]
    with pytest.raises(ShapeError) as info:
        check_call(contract, x, states, where="rnn")
    assert info.value.code == codes[which], str(info.value)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.integers(1, 4), timesteps=st.integers(1, 9), features=st.integers(1, 4),
       units=st.integers(1, 8), seed=st.integers(0, 2**16))
def test_lstm_unroll_equals_keras_on_random_weights(batch, timesteps, features, units, seed):
    from lstm_shapes import lstm_unroll

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, timesteps, features)).astype("float32")
    weights = [rng.normal(scale=0.5, size=s).astype("float32")
               for s in ((features, 4 * units), (units, 4 * units), (4 * units,))]
    layer = keras.layers.LSTM(units, return_sequences=True, return_state=True)
    layer.build((None, timesteps, features))
    layer.set_weights(weights)
    keras_seq, keras_h, keras_c = (np.asarray(t) for t in layer(x))
    seq, h, c = lstm_unroll(x, *weights)
    np.testing.assert_allclose(seq, keras_seq, atol=1e-5)
    np.testing.assert_allclose(h, keras_h, atol=1e-5)
    np.testing.assert_allclose(c, keras_c, atol=1e-5)
