"""The pure contracts mirror Keras's own compute_output_shape, and check calls."""

import itertools

import keras
import numpy as np
import pytest

from lstm_shapes import ShapeError
from lstm_shapes.core.contracts import (
    RNNContract,
    check_call,
    contract_of,
    expected_shapes,
)

RNNS = [keras.layers.LSTM, keras.layers.GRU, keras.layers.SimpleRNN]
CELLS = [keras.layers.LSTMCell, keras.layers.GRUCell, keras.layers.SimpleRNNCell]


def _of_cell(cell_cls):
    """``RNN(LSTMCell(units))``: the generic RNN layer around one standard cell."""
    return lambda units, **kw: keras.layers.RNN(cell_cls(units), **kw)


def _as_list(shapes):
    if isinstance(shapes[0], (int, type(None))):
        return [tuple(shapes)]
    return [tuple(s) for s in shapes]


@pytest.mark.parametrize(
    "cls, seq, state, merge",
    [(c, s, st, m) for c, s, st, m in itertools.product(
        RNNS + [_of_cell(c) for c in CELLS], [False, True], [False, True],
        ["plain", "concat", "sum", "mul", "ave", None])],
)
def test_expected_shapes_equal_keras(cls, seq, state, merge):
    layer = cls(6, return_sequences=seq, return_state=state)
    if merge != "plain":
        layer = keras.layers.Bidirectional(layer, merge_mode=merge)
    for input_shape in [(None, 7, 3), (5, 1, 2)]:
        want = _as_list(layer.compute_output_shape(input_shape))
        assert expected_shapes(input_shape, contract_of(layer)) == want


def test_contract_reads_built_features_and_stateful_batch():
    layer = keras.layers.LSTM(4, stateful=True)
    layer(keras.Input(batch_shape=(8, 10, 3)))
    c = contract_of(layer)
    assert (c.features, c.batch_size, c.n_states) == (3, 8, 2)
    assert contract_of(keras.layers.Dense(3)) is None
    assert contract_of(keras.layers.RNN(keras.layers.LSTMCell(4))).n_states == 2
    stacked = keras.layers.StackedRNNCells([keras.layers.LSTMCell(4)] * 2)
    assert contract_of(keras.layers.RNN(stacked)) is None  # not one cell: left to Keras


def test_check_call_catches_feature_and_state_mistakes():
    c = RNNContract(kind="LSTM", units=16, features=1)
    check_call(c, np.zeros((4, 10, 1), "float32"), [np.zeros((4, 16))] * 2, where="lstm")
    with pytest.raises(ShapeError) as info:
        check_call(c, np.zeros((4, 10, 2), "float32"), where="lstm")
    assert info.value.code == "input_shape_data_mismatch"
    with pytest.raises(ShapeError) as info:
        check_call(c, np.zeros((4, 10, 1)), np.zeros((4, 16)), where="lstm")
    assert info.value.code == "initial_state_structure"
    assert "[h, c]" in info.value.fix
    with pytest.raises(ShapeError) as info:
        check_call(c, np.zeros((4, 10, 1)), [np.zeros((4, 8))] * 2, where="lstm")
    assert info.value.code == "initial_state_units"
    gru = RNNContract(kind="GRU", units=8)
    with pytest.raises(ShapeError, match="takes 1 initial state tensor"):
        check_call(gru, np.zeros((4, 10, 1)), [np.zeros((4, 8))] * 2, where="gru")


def test_stateful_batch_is_enforced():
    c = RNNContract(kind="LSTM", units=4, stateful=True, batch_size=8)
    with pytest.raises(ShapeError) as info:
        check_call(c, np.zeros((6, 10, 1)), where="lstm")
    assert info.value.code == "stateful_batch"


@keras.saving.register_keras_serializable(package="test_contracts")  # Bidirectional clones it
class _MyLSTM(keras.layers.LSTM):
    """A practitioner's own LSTM subclass: still an LSTM."""


class LSTM(keras.layers.Layer):  # noqa: N801 - a user layer that only shares the name
    def call(self, x):
        return x


def test_subclasses_of_keras_rnns_have_contracts_and_namesakes_do_not():
    mine = contract_of(_MyLSTM(7, return_sequences=True))
    assert (mine.kind, mine.units, mine.return_sequences) == ("LSTM", 7, True)
    wrapped = contract_of(keras.layers.Bidirectional(_MyLSTM(3)))
    assert wrapped.bidirectional and wrapped.units == 3
    assert contract_of(LSTM()) is None
