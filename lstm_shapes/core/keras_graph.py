"""The one module that reads Keras's private graph attributes.

A symbolic Keras tensor remembers the call that made it (``tensor._keras_history``: the
layer, which of its calls, which of that call's outputs); each layer keeps one node per call
(``layer._inbound_nodes``) with the call's arguments (``node.arguments``), input tensors
(``node.input_tensors``) and outputs (``node.outputs``). None of these is public API, so the
rest of the package asks the functions here and a Keras upgrade is fixed in one place.

Importing this module imports no TensorFlow or Keras; every function takes Keras objects
and answers None (or an empty list) for anything that is not a symbolic Keras tensor,
such as NumPy arrays and eager or traced tensors.

>>> producer([1.0, 2.0]) is None, history(None), initial_states(object())
(True, None, [])
"""

from __future__ import annotations

from typing import Any, NamedTuple


class History(NamedTuple):
    """Where a symbolic tensor comes from: ``layer._inbound_nodes[node_index]``, output
    ``tensor_index`` of that call (Keras's ``KerasHistory``, fields renamed)."""

    layer: Any  # the layer (Keras Operation) whose call made the tensor; None for an entry
    node_index: int
    tensor_index: int


def history(tensor: Any) -> History | None:
    """The call that made a symbolic ``tensor``; None for eager, traced or NumPy data."""
    h = getattr(tensor, "_keras_history", None)
    if h is None:
        return None
    return History(h.operation, h.node_index, h.tensor_index)


def producer(tensor: Any) -> Any:
    """The Keras layer that made a symbolic ``tensor`` (None for eager/traced data)."""
    h = history(tensor)
    return None if h is None else h.layer


def inbound_nodes(layer: Any) -> list[Any]:
    """One node per call of ``layer`` in a functional graph, in call order."""
    return list(getattr(layer, "_inbound_nodes", None) or [])


def producer_node(tensor: Any) -> Any:
    """The node (layer call) that made a symbolic ``tensor``; None if there is none."""
    h = history(tensor)
    if h is None or h.layer is None:
        return None
    nodes = inbound_nodes(h.layer)
    return nodes[h.node_index] if 0 <= h.node_index < len(nodes) else None


def node_inputs(node: Any) -> list[Any]:
    """The input tensors of one layer call (every Keras tensor among its arguments)."""
    return list(node.input_tensors)


def node_outputs(node: Any) -> list[Any]:
    """The output tensors of one layer call, flattened (an RNN's output, then its states)."""
    return list(node.outputs)


def initial_states(node: Any) -> list[Any]:
    """The ``initial_state`` tensors of an RNN call node (keyword or second positional)."""
    arguments = getattr(node, "arguments", None)
    if arguments is None:
        return []
    state = arguments.kwargs.get("initial_state")
    if state is None and len(arguments.args) > 1:
        state = arguments.args[1]
    if state is None:
        return []
    return list(state) if isinstance(state, (list, tuple)) else [state]


def last_step_source(tensor: Any) -> tuple[Any, list[str]]:
    """Walk up one-input layers (Dense, Dropout, ...) to the RNN that dropped the time axis.

    Returns ``(rnn layer or None, names of the layers passed on the way)``: None when the
    walk reaches an ``Input``, a layer with several inputs, an RNN that returns sequences,
    or data that is not a symbolic tensor.
    """
    from lstm_shapes.core.contracts import contract_of

    passed: list[str] = []
    for _ in range(20):
        layer = producer(tensor)
        if layer is None or type(layer).__name__ == "InputLayer":
            return None, passed
        contract = contract_of(layer)
        if contract is not None:
            return (layer, passed) if not contract.return_sequences else (None, passed)
        node = producer_node(tensor)
        inputs = node_inputs(node) if node is not None else []
        if len(inputs) != 1:
            return None, passed
        passed.append(layer.name)
        tensor = inputs[0]
    return None, passed
