"""Initial states of an RNN call: how many, how wide, and which tensor each one is.

An LSTM starts from ``[h, c]``, a Bidirectional LSTM from ``[h_fwd, c_fwd, h_bwd, c_bwd]``
(Keras's order: the forward layer's states, then the backward layer's), a GRU or SimpleRNN
from ``[h]`` per direction; each state is ``(batch, units)``. A state taken from a
``return_state`` layer is named by what it is -- the last output of a one-direction RNN
without return_sequences IS its last h -- and the names are compared with what the layer
reads, in its order.

>>> from lstm_shapes.core.contracts import RNNContract
>>> expected_states(RNNContract("LSTM", 8, bidirectional=True))
['h_fwd', 'c_fwd', 'h_bwd', 'c_bwd']
"""

from __future__ import annotations

from typing import Any

from lstm_shapes.core.contracts import contract_of
from lstm_shapes.core.messages import format_shape
from lstm_shapes.diagnosis.findings import Finding
from lstm_shapes.diagnosis.state_sources import expected_states, explain_state


def _meaning(source: Any) -> tuple[str, str] | None:
    """``(kind, direction)`` of a state tensor made by a return_state RNN: ``("h", "fwd")``,
    ``("c", "")`` for a one-direction layer, ``("output", "")``; None when not known."""
    producer = contract_of(source.layer) if source is not None else None
    if producer is None or not producer.return_state:
        return None
    n_out = 2 if producer.bidirectional and producer.merge_mode is None else 1
    i = source.tensor_index
    if i < n_out:
        return ("h", "") if not (producer.return_sequences or producer.bidirectional) else (
            "output", "")
    names = expected_states(producer)
    if i - n_out >= len(names):
        return None
    kind, _, direction = names[i - n_out].partition("_")
    return kind, direction


def _tensor(sources: tuple, i: int) -> Any:
    """The symbolic tensor of initial state ``i`` (its maker's output), or None."""
    source = sources[i] if i < len(sources) else None
    if source is None:
        return None
    from lstm_shapes.core import keras_graph

    node = keras_graph.inbound_nodes(source.layer)[source.node_index]
    outputs = keras_graph.node_outputs(node)
    return outputs[source.tensor_index] if source.tensor_index < len(outputs) else None


def _label(meaning: tuple[str, str]) -> str:
    return "_".join(m for m in meaning if m)


def check_states(call: Any, out: list[Finding]) -> None:
    """Findings on ``call``'s initial states (a story.RNNCall): count, widths, meanings."""
    c, shapes = call.contract, call.state_shapes
    if not shapes:
        return
    want = expected_states(c)
    where = f"layer {call.layer.name!r} initial_state"
    fix = f"initial_state=[{', '.join(want)}]   # each (batch, {c.units})"
    if len(shapes) != len(want):
        per = (" (h and c of the forward layer, then of the backward layer)"
               if c.bidirectional and c.n_states == 2 else "")
        out.append(Finding("initial_state_structure", where, f"{c.name} takes {len(want)} "
                           f"initial state tensor(s){per}, got {len(shapes)}"
                           + (" (a GRU ignores the extra c silently)" if c.kind == "GRU"
                              else ""), fix))
        return
    for i, shape in enumerate(shapes):
        if len(shape) != 2 or shape[-1] != c.units:
            why = explain_state(call.layer, i, _tensor(call.state_sources, i))
            out.append(Finding(why.code, where, why.detail, why.fix) if why else Finding(
                "initial_state_units" if len(shape) == 2 else "initial_state_structure",
                where, f"state {i} ({want[i]}) is {format_shape(shape)}, the layer's "
                f"states are (batch, units={c.units})", f"make state {i} (batch, {c.units})"))
    if c.n_states == 2:
        _check_meanings(call, want, where, out)


def _check_meanings(call: Any, want: list[str], where: str, out: list[Finding]) -> None:
    """Each direction's pair must be an h and the c of the same direction, in that order."""
    got = [_meaning(s) for s in call.state_sources]
    if len(got) != len(want) or any(m is None for m in got):
        return
    pairs = [(got[k], got[k + 1]) for k in range(0, len(got), 2)]
    if all(h[0] == "h" and c[0] == "c" and h[1] == c[1] for h, c in pairs):
        return
    names = ", ".join(_label(m) for m in got)
    producers = sorted({s.layer.name for s in call.state_sources})
    mixed = not call.contract.bidirectional and any(m[1] for m in got)
    if mixed:  # a one-direction layer started from a Bidirectional encoder's states
        fix = ("initial_state=[h_fwd, c_fwd] (or [h_bwd, c_bwd]); to start from both, "
               "concatenate them and double the units")
    else:
        fix = f"initial_state=[{', '.join(want)}]   # Keras's order"
    out.append(Finding("bidirectional_doubling" if mixed else "initial_state_structure", where,
                       f"initial_state=[{names}] from {', '.join(map(repr, producers))}: "
                       f"{call.contract.name} starts from [{', '.join(want)}]", fix))


def check_sequential_states(model: Any, out: list[Finding]) -> None:
    """A Sequential model hands ONE tensor from layer to layer: an RNN with
    return_state=True in it makes a list of [output, *states] that no next layer or loss
    reads as one (Keras then raises far away: a KeyError in the loss, undefined shapes)."""
    import keras

    if not isinstance(model, keras.Sequential):
        return
    for layer in model.layers:
        contract = contract_of(layer)
        if contract is not None and contract.return_state:
            states = ", ".join(expected_states(contract))
            out.append(Finding("return_state_unpacking", f"layer {layer.name!r}",
                               f"return_state=True inside a Sequential model: the layer "
                               f"returns [output, {states}] and a Sequential passes one "
                               "tensor on", f"drop return_state=True (to use the states, "
                               f"build a functional model: output, {states} = "
                               f"{layer.name}(x))"))
