"""Where a wrong initial state comes from, and a fix that keeps the encoder's information.

An RNN's initial state is (batch, units) of ITS units. A state of the wrong width handed on
by another layer is explained by that layer, never fixed with zeros (zeros throw the
encoder away):

* another RNN's ``return_state`` h or c, of other units: make the units agree, or bridge
  with ``Dense(units)``;
* a concatenation of a Bidirectional's forward and backward states: twice its units
  (``bidirectional_doubling``): the decoder needs ``units = 2 * encoder units``;
* an RNN's OUTPUT used as a state (no ``return_state``): its sequence (3-D) is no state at
  all, and for an LSTM its last output is h, never c: ``return_state=True``;
* a computed tensor of unknown origin (a subclassed model's call): make the units agree
  or bridge; only data the user wrote as an array gets a zeros line elsewhere.

>>> import keras
>>> ei, di = keras.Input((6, 3)), keras.Input((5, 2))
>>> _, h, c = keras.layers.LSTM(16, return_state=True, name="enc")(ei)
>>> dec = keras.layers.LSTM(8, name="dec")
>>> explain_state(dec, 0, h).code
'initial_state_units'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lstm_shapes.core import keras_graph
from lstm_shapes.core.contracts import contract_of


@dataclass(frozen=True)
class StateWhy:
    """The mistake behind one wrong initial state: code, what happened, a fix line."""

    code: str
    detail: str
    fix: str


def expected_states(contract: Any) -> list[str]:
    """The initial states ``contract``'s layer reads, in Keras's order."""
    names = ["h", "c"][:contract.n_states]
    if not contract.bidirectional:
        return names
    return [f"{n}_fwd" for n in names] + [f"{n}_bwd" for n in names]


def _units(layer: Any) -> int | None:
    units = getattr(layer, "units", None)
    if units is None:
        units = getattr(getattr(layer, "forward_layer", None), "units", None)
    return units if isinstance(units, int) else None


def _bidirectional_halves(tensor: Any) -> Any:
    """The Bidirectional whose two directions' states ``tensor`` concatenates, or None."""
    node = keras_graph.producer_node(tensor)
    if node is None or type(node.operation).__name__ != "Concatenate":
        return None
    parts = [keras_graph.history(s.tensor) for s in keras_graph.node_slots(node)]
    layers = {id(p.layer): p.layer for p in parts if p is not None}
    if len(parts) == 2 and len(layers) == 1:
        layer = next(iter(layers.values()))
        if type(layer).__name__ == "Bidirectional":
            return layer
    return None


def explain_state(layer: Any, index: int, state: Any) -> StateWhy | None:
    """Why ``state`` (initial state ``index`` of ``layer``) has the wrong shape, from the layer
    that made it; None when nothing can be said beyond the shapes."""
    units, shape = _units(layer), tuple(getattr(state, "shape", ()) or ())
    if units is None or not shape:
        return None
    name, kind = layer.name, type(layer).__name__
    width = shape[-1]
    bridge = (f"or bridge it: keras.layers.Dense({units}, activation='tanh')(state) before "
              f"layer {name!r}")
    bi = _bidirectional_halves(state)
    if bi is not None:
        return StateWhy("bidirectional_doubling", f"state {index} joins the forward and "
                        f"backward states of {bi.name!r}: {width} values wide, and layer "
                        f"{name!r} has units={units}", f"give layer {name!r} units={width} "
                        f"(both directions), {bridge}")
    history = keras_graph.history(state)
    source = history.layer if history is not None else None
    contract = contract_of(source) if source is not None else None
    if contract is not None and history.tensor_index == 0:
        kind_src = type(getattr(source, "forward_layer", source)).__name__
        states = ", ".join(expected_states(contract))
        outputs = "_, _" if contract.bidirectional and contract.merge_mode is None else "_"
        made = (f"keras.layers.Bidirectional(keras.layers.{kind_src}({contract.units}, "
                "return_state=True))" if contract.bidirectional else
                f"keras.layers.{kind_src}({contract.units}, return_state=True)")
        if len(shape) == 3:
            what = f"the whole output sequence of {source.name!r}, not a state"
            code = "initial_state_structure"
        else:
            what = (f"the last output of {source.name!r}" + (", which is h but never c"
                                                          if contract.n_states == 2 else ""))
            code = "initial_state_units" if width != units else "initial_state_structure"
        return StateWhy(code, f"state {index} is {what}", f"build {source.name!r} with "
                        f"return_state=True and pass its states: {outputs}, {states} = "
                        f"{made}(...); initial_state=[{states}]" + (f", and give layer {name!r} "
                                                       f"units={contract.units}"
                                                       if contract.units != units else ""))
    if width == units:
        return None
    if contract is not None:
        return StateWhy("initial_state_units", f"state {index} comes from layer "
                        f"{source.name!r}, which has {contract.units} units; layer {name!r} "
                        f"has {units}", f"give layer {name!r} units={width}, or layer "
                        f"{source.name!r} units={units}, {bridge}")
    if source is None and not hasattr(state, "numpy") and type(state).__module__ == "numpy":
        return None  # the user's own array: the shape rule's fix line fits
    origin = f"layer {source.name!r}" if source is not None else "the model's call()"
    return StateWhy("initial_state_units", f"state {index} is (batch, {width}), made by "
                    f"{origin}, and layer {name!r} ({kind}) has units={units}",
                    f"give layer {name!r} units={width}, {bridge}")


def state_error(err: Any, layer: Any, state: Any) -> Any:
    """``err`` (a ShapeError on ``initial_state[i]``) with the mistake named from the layer
    that made that state; ``err`` itself when nothing more can be said."""
    import re

    found = re.search(r"initial_state\[(\d+)\]", err.where or "")
    states = list(state) if isinstance(state, (list, tuple)) else [state]
    if found is None or int(found[1]) >= len(states):
        return err
    why = explain_state(layer, int(found[1]), states[int(found[1])])
    if why is None:
        return err
    fields = {"where": err.where, "expected": err.expected, "actual": err.actual,
              "bindings": err.bindings, "code": why.code, "fix": why.fix,
              "detail": why.detail}
    return type(err)(**fields)
