"""rules_states: initial states judged by what each tensor is, in the order Keras reads them."""

from __future__ import annotations

import keras
import pytest

from lstm_shapes import check_model

L = keras.layers


def _encoder_decoder(order: str, *, encoder: str = "bi", decoder: str = "bi") -> keras.Model:
    enc, dec = keras.Input((7, 5)), keras.Input((6, 5))
    if encoder == "bi":
        _, hf, cf, hb, cb = L.Bidirectional(L.LSTM(8, return_state=True))(enc)
        named = {"h_fwd": hf, "c_fwd": cf, "h_bwd": hb, "c_bwd": cb}
    else:
        out, h, c = L.LSTM(8, return_state=True)(enc)
        named = {"output": out, "h": h, "c": c}
    rnn = L.LSTM(8, return_sequences=True)
    layer = L.Bidirectional(rnn) if decoder == "bi" else rnn
    seq = layer(dec, initial_state=[named[n] for n in order.split()])
    return keras.Model([enc, dec], L.Dense(1)(seq))


@pytest.mark.parametrize(("order", "encoder", "decoder"), [
    ("h_fwd c_fwd h_bwd c_bwd", "bi", "bi"),
    ("h_bwd c_bwd h_fwd c_fwd", "bi", "bi"),  # backward states first: a choice, not an error
    ("h_fwd c_fwd", "bi", "one"),
    ("h c", "one", "one"),
    ("output c", "one", "one"),  # the last output of a one-direction LSTM is its last h
    ("h c h c", "one", "bi"),
])
def test_states_in_keras_order_are_quiet(order: str, encoder: str, decoder: str) -> None:
    report = check_model(_encoder_decoder(order, encoder=encoder, decoder=decoder))
    assert report.findings == [], str(report)


@pytest.mark.parametrize(("order", "encoder", "decoder", "code", "fix"), [
    ("h_fwd h_bwd c_fwd c_bwd", "bi", "bi", "initial_state_structure",
     "initial_state=[h_fwd, c_fwd, h_bwd, c_bwd]"),
    ("c h", "one", "one", "initial_state_structure", "initial_state=[h, c]"),
    ("c h c h", "one", "bi", "initial_state_structure", "initial_state=[h_fwd, c_fwd, h_bwd"),
    ("h_fwd h_bwd", "bi", "one", "bidirectional_doubling", "concatenate them"),
    ("h_fwd c_bwd", "bi", "one", "bidirectional_doubling", "[h_fwd, c_fwd]"),
])
def test_states_out_of_order_are_named(order: str, encoder: str, decoder: str, code: str,
                                       fix: str) -> None:
    report = check_model(_encoder_decoder(order, encoder=encoder, decoder=decoder))
    assert report.codes == [code], str(report)
    assert fix in report.findings[0].fix


def test_a_bidirectional_layer_given_two_states_is_told_the_four_it_reads() -> None:
    x, states = keras.Input((7, 6)), [keras.Input((8,)) for _ in range(2)]
    out = L.Bidirectional(L.LSTM(8, return_sequences=True))(x, initial_state=states)
    report = check_model(keras.Model([x, *states], out))
    assert report.codes == ["initial_state_structure"], str(report)
    assert "initial_state=[h_fwd, c_fwd, h_bwd, c_bwd]" in report.findings[0].fix
    assert "forward layer, then of the backward" in report.findings[0].message


@pytest.mark.parametrize("rnn", [L.LSTM(6, return_state=True), L.GRU(6, return_state=True),
                                 L.Bidirectional(L.LSTM(3, return_state=True))])
def test_return_state_inside_a_sequential_model_is_named(rnn) -> None:
    import numpy as np

    model = keras.Sequential([keras.Input((5, 2)), L.LSTM(6, return_sequences=True), rnn])
    model.compile("adam", "mse")
    x, y = np.zeros((8, 5, 2), "float32"), np.zeros((8, 6), "float32")
    report = check_model(model, x, y)
    assert report.codes[:1] == ["return_state_unpacking"], str(report)
    assert "drop return_state=True" in report.findings[0].fix
    fixed = keras.Sequential([keras.Input((5, 2)), L.LSTM(6, return_sequences=True),
                              type(rnn).from_config({**rnn.get_config(), "return_state": False})
                              if not isinstance(rnn, L.Bidirectional) else
                              L.Bidirectional(L.LSTM(3))])
    fixed.compile("adam", "mse")
    assert check_model(fixed, x, y).errors == []
    fixed.fit(x, y, epochs=1, verbose=0)  # the fix trains


def test_return_state_in_a_functional_model_is_quiet() -> None:
    i = keras.Input((5, 2))
    out, h, c = L.LSTM(6, return_state=True)(i)
    model = keras.Model(i, L.Dense(1)(L.Concatenate()([out, h, c])))
    assert check_model(model).findings == []


def test_an_encoders_states_of_other_units_are_explained_by_the_encoder_never_zeroed() -> None:
    enc, dec = keras.Input((7, 5)), keras.Input((6, 5))
    _, h, c = L.LSTM(16, return_state=True, name="encoder")(enc)
    seq = L.LSTM(8, return_sequences=True, name="decoder")(dec, initial_state=[h, c])
    report = check_model(keras.Model([enc, dec], L.Dense(1)(seq)))
    assert set(report.codes) == {"initial_state_units"}, str(report)
    fix = report.findings[0].fix
    assert "units=16" in fix and "zeros" not in fix, fix


@pytest.mark.parametrize("encoder", [L.Bidirectional(L.GRU(4)), L.GRU(8), L.LSTM(8)])
def test_an_output_used_as_a_state_gets_an_unpacking_that_matches_what_keras_returns(
        encoder) -> None:
    enc, dec = keras.Input((7, 5)), keras.Input((6, 5))
    out = encoder(enc)  # the last output, not return_state's states
    seq = L.GRU(5, return_sequences=True)(dec, initial_state=[out])  # units differ
    report = check_model(keras.Model([enc, dec], L.Dense(1)(seq)))
    fixes = [f.fix for f in report.findings if "return_state=True" in f.fix]
    assert fixes, str(report)
    unpack, _, rest = fixes[0].partition(" = ")  # "_, h_fwd, h_bwd = keras.layers..."
    made = rest.split("(...)")[0]
    names = [n.strip() for n in unpack.split(":")[-1].split(",")]
    returned = eval(made, {"keras": keras})(keras.Input((7, 5)))  # noqa: S307 - our own line
    assert len(returned) == len(names), (fixes[0], len(returned))
