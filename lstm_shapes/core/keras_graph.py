"""The one module that reads Keras's private graph attributes.

A symbolic Keras tensor remembers the call that made it (``tensor._keras_history``: the
layer, which of its calls, which of that call's outputs); each layer keeps one node per call
(``layer._inbound_nodes``) with the call's arguments (``node.arguments``), input tensors
(``node.input_tensors``) and outputs (``node.outputs``). None of these is public API, so the
rest of the package asks the functions here and a Keras upgrade is fixed in one place.
``model_nodes(model)`` lists a model's calls in reading order and ``node_slots(node)`` says
which argument each input tensor of a call came in (``input``, ``initial_state``, ...); a
subclassed model has no nodes, so ``record_calls`` watches ``Layer.__call__`` instead.

Importing this module imports no TensorFlow or Keras; every function takes Keras objects
and answers None (or an empty list) for anything that is not a symbolic Keras tensor,
such as NumPy arrays and eager or traced tensors.

>>> producer([1.0, 2.0]) is None, history(None), initial_states(object())
(True, None, [])
"""

from __future__ import annotations

import inspect
from collections import Counter
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


class Slot(NamedTuple):
    """One input tensor of a layer call and the argument it came in.

    ``decoder(x, initial_state=[h, c])`` has three: ``Slot("input", 0, 1, x)``,
    ``Slot("initial_state", 0, 2, h)`` and ``Slot("initial_state", 1, 2, c)``.
    """

    argument: str  # "input" (the first positional argument), else the call's parameter name
    index: int  # position of the tensor inside that argument (0 for a lone tensor)
    count: int  # how many tensors the argument holds
    tensor: Any


def node_slots(node: Any) -> list[Slot]:
    """The symbolic tensors a layer call read, in argument order (see :class:`Slot`).

    A mask Keras passed on by itself (the ``_keras_mask`` of an input, e.g. after
    ``Embedding(mask_zero=True)``) is left out: the user's code never wrote that edge.
    """
    arguments = getattr(node, "arguments", None)
    if arguments is None:
        return []
    names = _positional_names(getattr(node, "operation", None))
    passed = [("input" if i == 0 else names[i] if i < len(names) else f"argument {i + 1}", value)
              for i, value in enumerate(arguments.args)]
    passed += [("input" if names and key == names[0] else key, value)
               for key, value in arguments.kwargs.items()]
    implicit = {id(getattr(t, "_keras_mask", None)) for t in _symbolic(arguments.args)}
    slots: list[Slot] = []
    for name, value in passed:
        tensors = _symbolic(value)
        if name == "mask" and all(id(t) in implicit for t in tensors):
            continue
        slots += [Slot(name, i, len(tensors), t) for i, t in enumerate(tensors)]
    return slots


def _symbolic(value: Any) -> list[Any]:
    """The symbolic tensors in a (nested) call argument, in order."""
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _symbolic(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _symbolic(v)]
    return [value] if history(value) is not None else []


def _positional_names(operation: Any) -> list[str]:
    """The names of ``operation.call``'s positional parameters (``query, value`` ...)."""
    try:
        parameters = inspect.signature(operation.call).parameters.values()
    except (AttributeError, TypeError, ValueError):
        return []
    return [p.name for p in parameters
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def model_nodes(model: Any) -> list[Any]:
    """Every layer call of a functional or Sequential model, each after the calls it reads.

    The walk starts from ``model.outputs``, so calls of the same layers in another model are
    left out. A branch is told to its end before the next one starts: for a seq2seq model,
    ``encoder_tokens, enc_embed, encoder, decoder_tokens, dec_embed, decoder, head``.
    """
    nodes = _reachable(list(getattr(model, "outputs", None) or []))
    parents = {id(n): _unique(producer_node(s.tensor) for s in node_slots(n)) for n in nodes}
    rank = {id(op): i for i, op in enumerate(getattr(model, "operations", None)
                                              or getattr(model, "layers", []))}
    readers: dict[int, list[Any]] = {id(n): [] for n in nodes}
    for node in sorted(nodes, key=lambda n: rank.get(id(n.operation), len(rank))):
        for parent in parents[id(node)]:
            readers[id(parent)].append(node)
    first = {id(producer_node(t)): i for i, t in enumerate(getattr(model, "inputs", []))}
    waiting = {id(n): len(parents[id(n)]) for n in nodes}
    ready = sorted((n for n in nodes if not waiting[id(n)]),
                   key=lambda n: first.get(id(n), len(first)), reverse=True)
    order: list[Any] = []
    while ready:
        node = ready.pop()
        order.append(node)
        for reader in reversed(readers[id(node)]):
            waiting[id(reader)] -= 1
            if not waiting[id(reader)]:
                ready.append(reader)
    return order


def tensor_readers(nodes: list[Any]) -> dict[int, list[tuple[Any, Slot]]]:
    """Who reads each tensor among ``nodes``: ``id(tensor) -> [(layer, Slot), ...]``.

    A tensor read twice is a skip connection: ``lstm1``'s output read by ``lstm2`` and by
    ``add`` (as its ``input[0]``).
    """
    readers: dict[int, list[tuple[Any, Slot]]] = {}
    for node in nodes:
        for slot in node_slots(node):
            readers.setdefault(id(slot.tensor), []).append((node.operation, slot))
    return readers


def call_names(nodes: list[Any]) -> dict[int, str]:
    """A name per call (``id(node) -> name``): the layer's own, ``dense call 2`` for the
    second call of a layer that ``nodes`` call twice."""
    calls = Counter(id(n.operation) for n in nodes)
    seen: Counter[int] = Counter()
    names = {}
    for node in nodes:
        op = node.operation
        seen[id(op)] += 1
        names[id(node)] = op.name if calls[id(op)] == 1 else f"{op.name} call {seen[id(op)]}"
    return names


def _reachable(outputs: list[Any]) -> list[Any]:
    """The nodes that ``outputs`` are computed from, outputs' own calls first."""
    todo = [producer_node(t) for t in reversed(outputs)]
    seen: dict[int, Any] = {}
    while todo:
        node = todo.pop()
        if node is None or id(node) in seen:
            continue
        seen[id(node)] = node
        todo += [producer_node(s.tensor) for s in reversed(node_slots(node))]
    return list(seen.values())


def _unique(nodes: Any) -> list[Any]:
    """``nodes`` without None and repeats, in order."""
    out: dict[int, Any] = {}
    for node in nodes:
        if node is not None:
            out.setdefault(id(node), node)
    return list(out.values())


def _layer_calls(model: Any, sample: Any) -> tuple[list[tuple[Any, Any, Any, list[Any]]], Any]:
    """Call ``model(sample)`` and record its own layers' calls (not their insides), once
    each: ``([(layer, args, kwargs, output tensors), ...], model's result)``."""
    import keras

    calls: list[tuple[Any, Any, Any, list[Any]]] = []
    original = keras.layers.Layer.__call__
    depth = [0]

    def recording(self: Any, *args: Any, **kwargs: Any) -> Any:
        depth[0] += 1
        try:
            out = original(self, *args, **kwargs)
        finally:
            depth[0] -= 1
        if depth[0] == 1 and self is not model and not any(c[0] is self for c in calls):
            # once per layer: building the model calls them twice
            calls.append((self, args, kwargs,
                          [o for o in keras.tree.flatten(out) if hasattr(o, "shape")]))
        return out

    keras.layers.Layer.__call__ = recording
    try:
        result = model(sample)
    finally:
        keras.layers.Layer.__call__ = original
    return calls, result


def record_calls(model: Any, sample: Any) -> tuple[list[tuple[Any, list[Any], list[Any]]], Any]:
    """Call ``model(sample)`` and record its own layers' calls (not their insides), once each.

    Returns ``([(layer, input tensors, output tensors), ...], model's result)``; this is how
    the story of a subclassed model, which keeps no graph, is traced.
    """
    import keras

    calls, result = _layer_calls(model, sample)
    return [(layer, [a for a in keras.tree.flatten((args, kwargs)) if hasattr(a, "shape")],
             outs) for layer, args, kwargs, outs in calls], result


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


def keras_mask(tensor: Any) -> Any:
    """The mask Keras attached to ``tensor`` (symbolic or eager), or None.

    Keras keeps a layer's output mask on the tensor itself (``_keras_mask``): Masking and
    ``Embedding(mask_zero=True)`` make one, layers that support masking carry it on, an RNN
    reads it (and hands it on only with ``return_sequences=True``).
    """
    return getattr(tensor, "_keras_mask", None)


def record_mask_calls(model: Any, sample: Any) -> list[tuple[Any, Any, Any, list[Any]]]:
    """Call ``model(sample)`` and record each of its own layers' calls with their masks.

    Returns ``[(layer, first input, explicit mask argument or None, outputs), ...]``, once
    per layer; this is how masks are followed through a subclassed model (no graph).
    """
    return [(layer, args[0] if args else next(iter(kwargs.values()), None),
             kwargs.get("mask"), outs)
            for layer, args, kwargs, outs in _layer_calls(model, sample)[0]]
