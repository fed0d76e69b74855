"""RNN contracts: what a recurrent layer takes and returns, derived from its config alone.

``expected_shapes`` is a pure branch on config, mirroring Keras's ``compute_output_shape``
for LSTM, GRU, SimpleRNN and Bidirectional (tested against Keras itself).

>>> c = RNNContract(kind="LSTM", units=50, return_sequences=True, return_state=True)
>>> expected_shapes((None, 10, 1), c)
[(None, 10, 50), (None, 50), (None, 50)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lstm_shapes.core.checking import _ArraySpec, check_value
from lstm_shapes.core.dims import parse_spec
from lstm_shapes.core.errors import Binding, ShapeError

_STATES = {"LSTM": 2, "GRU": 1, "SimpleRNN": 1}
_INPUT = _ArraySpec(parse_spec("batch timesteps features"), None, "Shaped")
_STATE = _ArraySpec(parse_spec("batch units"), None, "Shaped")


@dataclass(frozen=True)
class RNNContract:
    """The shape-relevant config of one recurrent layer (or a Bidirectional pair)."""

    kind: str  # "LSTM", "GRU" or "SimpleRNN" (of the wrapped layer for Bidirectional)
    units: int
    return_sequences: bool = False
    return_state: bool = False
    stateful: bool = False
    go_backwards: bool = False
    bidirectional: bool = False
    merge_mode: str | None = "concat"
    features: int | None = None  # known once the layer is built (kernel rows)
    batch_size: int | None = None  # the fixed batch of a stateful layer, when known

    @property
    def n_states(self) -> int:
        """Initial/returned states per direction: 2 (h, c) for LSTM, 1 (h) otherwise."""
        return _STATES[self.kind]

    @property
    def width(self) -> int | None:
        """Width of the (merged) output: 2*units for a concatenated Bidirectional."""
        if self.bidirectional and self.merge_mode == "concat":
            return 2 * self.units
        return self.units

    @property
    def name(self) -> str:
        return f"Bidirectional({self.kind})" if self.bidirectional else self.kind


def _keras_kind(obj: Any, names: tuple[str, ...]) -> str | None:
    """The first of ``names`` that is a Keras class ``obj`` is an instance of (subclasses
    too), read from its MRO so that core never imports Keras."""
    for cls in type(obj).__mro__:
        if cls.__name__ in names and cls.__module__.partition(".")[0] == "keras":
            return cls.__name__
    return None


def contract_of(layer: Any) -> RNNContract | None:
    """The contract of a Keras RNN layer (LSTM, GRU, SimpleRNN, RNN of one of their cells,
    or a Bidirectional of those), else None."""
    bidirectional = _keras_kind(layer, ("Bidirectional",)) is not None
    inner = layer.forward_layer if bidirectional else layer
    kind = _keras_kind(inner, (*_STATES, "RNN"))
    if kind == "RNN":  # keras.layers.RNN(LSTMCell(8)): the cell says what it is
        cell = _keras_kind(getattr(inner, "cell", None), tuple(f"{k}Cell" for k in _STATES))
        kind = cell.removesuffix("Cell") if cell else None
    if kind is None:
        return None
    features = None
    cell = getattr(inner, "cell", None)
    kernel = getattr(cell, "kernel", None) if getattr(inner, "built", False) else None
    if kernel is not None:
        features = int(kernel.shape[0])
    batch_size = None
    if inner.stateful and getattr(inner, "states", None):  # built: states are (batch, units)
        batch_size = int(inner.states[0].shape[0])
    return RNNContract(
        kind=kind,
        units=int(inner.units) if hasattr(inner, "units") else int(cell.units),
        return_sequences=bool(layer.return_sequences),
        return_state=bool(layer.return_state),
        stateful=bool(inner.stateful),
        go_backwards=bool(inner.go_backwards),
        bidirectional=bidirectional,
        merge_mode=layer.merge_mode if bidirectional else None,
        features=features,
        batch_size=batch_size,
    )


def expected_shapes(input_shape: tuple, contract: RNNContract) -> list[tuple]:
    """The output shapes Keras produces for ``input_shape`` (batch, timesteps, features).

    Returns a list: the output(s) first (two for a Bidirectional with merge_mode=None),
    then the states when ``return_state`` (forward states before backward ones).
    """
    batch, timesteps = input_shape[0], input_shape[1]
    units = contract.units
    per_dir = (batch, timesteps, units) if contract.return_sequences else (batch, units)
    state = (batch, units)
    if not contract.bidirectional:
        outputs = [per_dir]
        states = [state] * contract.n_states
    else:
        if contract.merge_mode == "concat":
            outputs = [per_dir[:-1] + (2 * units,)]
        elif contract.merge_mode is None:
            outputs = [per_dir, per_dir]
        else:  # sum, mul, ave
            outputs = [per_dir]
        states = [state] * (2 * contract.n_states)
    return outputs + states if contract.return_state else outputs


def check_call(contract: RNNContract, inputs: Any, initial_state: Any = None,
               *, where: str) -> dict[str, Binding]:
    """Check one call of an RNN layer against its contract; return the bound dims.

    Raises:
        ShapeError: the input is not (batch, timesteps, features) with the layer's features,
            or the initial states are not ``n_states`` tensors of (batch, units).
    """
    bindings: dict[str, Binding] = {}
    if contract.features is not None:
        bindings["features"] = Binding(contract.features, f"{where} (built with "
                                       f"{contract.features} features)")
    if contract.stateful and contract.batch_size is not None:
        bindings["batch"] = Binding(contract.batch_size, f"{where} (stateful batch)")
    try:
        check_value(inputs, _INPUT, bindings, f"{where} input", arg="x")
    except ShapeError as err:
        if err.code != "batch_mismatch" or not contract.stateful:
            raise
        raise ShapeError(where=err.where, expected=err.expected, actual=err.actual,
                         bindings=err.bindings, code="stateful_batch",
                         fix=f"fit/predict with batch_size={contract.batch_size}, "
                             f"shuffle=False, on a number of samples divisible by it") from None
    if initial_state is None:
        return bindings
    states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
    n = contract.n_states * (2 if contract.bidirectional else 1)
    if len(states) != n:
        names = {2: "[h, c]", 1: "[h]", 4: "[h_fwd, c_fwd, h_bwd, c_bwd]",
                 }.get(n, f"{n} tensors")
        raise ShapeError(
            where=f"{where} initial_state", code="initial_state_structure",
            detail=f"{contract.name} takes {n} initial state tensor{'s' * (n > 1)} "
                   f"{names}, got {len(states)}",
            fix=f"initial_state={names}   # each (batch, {contract.units})")
    bindings["units"] = Binding(contract.units, f"{where} (units={contract.units})")
    for i, state in enumerate(states):
        label = ("h", "c")[i % 2] if contract.n_states == 2 else "h"
        check_value(state, _STATE, bindings, f"{where} initial_state[{i}] ({label})",
                    arg=f"{label}0")
    return bindings
