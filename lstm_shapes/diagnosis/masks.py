"""Masks through a model: where Keras makes one, which layers carry it, where it is lost.

Keras keeps a layer's output mask on the tensor (``core.keras_graph.keras_mask``). A mask is
MADE by ``Masking``, ``Embedding(mask_zero=True)`` (any layer whose ``compute_mask`` answers
for an unmasked input), or passed explicitly (``lstm(x, mask=m)``); a layer that supports
masking CARRIES it (``compute_mask``: Dense, Dropout, TimeDistributed, an RNN with
``return_sequences=True``) or CONSUMES it (an RNN returning its last step,
GlobalAveragePooling1D); a layer that does not support masking DROPS it (Keras warns "will
therefore destroy the mask information"), and so does an op between layers (``x * 2``,
slicing), silently. Nothing here lists layer classes: the masks are read from the tensors
Keras built, and on data they are computed by Keras itself.

>>> import keras
>>> model = keras.Sequential([keras.Input((5,)), keras.layers.Embedding(10, 4, mask_zero=True),
...                           keras.layers.LSTM(3, return_sequences=True),
...                           keras.layers.Flatten(), keras.layers.Dense(1)])
>>> [(c.name, c.state) for c in mask_flow(model).calls if c.state]  # doctest: +SKIP
[('embedding', 'made'), ('lstm', 'carried'), ('flatten', 'dropped')]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lstm_shapes.core import keras_graph
from lstm_shapes.core.contracts import contract_of


@dataclass
class MaskCall:
    """One layer call and what it does with a mask: ``state`` is "made", "explicit",
    "carried", "consumed", "dropped" or "" (no mask comes near it)."""

    name: str
    layer: Any
    state: str
    origin: str = ""  # the call that made the mask this call reads (or makes)
    rnn_input: Any = None  # an RNN call: its input tensor (graph) or None
    mask: Any = None  # the mask reaching an RNN (a symbolic tensor, or eager values)
    after: list[str] = field(default_factory=list)  # RNN calls below a dropped mask
    loss_below: bool = False  # a per-step model output (a loss that would use it) below


@dataclass
class MaskFlow:
    """Every call of a model with its mask state, in reading order."""

    calls: list[MaskCall] = field(default_factory=list)
    graph: bool = True  # False: traced by calling a subclassed model

    @property
    def dropped(self) -> list[MaskCall]:
        return [c for c in self.calls if c.state == "dropped"]

    @property
    def rnns(self) -> list[MaskCall]:
        return [c for c in self.calls if contract_of(c.layer) is not None]


def _origin_label(layer: Any) -> str:
    """``'embedding' (mask_zero=True)``, ``'masking' (mask_value=0.0)``, ``'mask' (input)``."""
    try:
        config = layer.get_config()
    except Exception:  # noqa: BLE001 - a layer without a config is named only
        config = {}
    for key in ("mask_zero", "mask_value"):
        if key in config:
            return f"{layer.name!r} ({key}={config[key]})"
    return repr(layer.name)


def _supports(layer: Any) -> bool:
    """Keras's own answer: layers (not bare ops) with ``supports_masking``."""
    return bool(getattr(layer, "supports_masking", False))


def mask_flow(model: Any, x: Any = None) -> MaskFlow:
    """Follow masks through ``model``'s graph (or, for a subclassed model, a call on ``x``)."""
    try:
        graph = bool(model.inputs) and bool(model.outputs)
    except (AttributeError, ValueError):
        graph = False
    if graph:
        return _graph_flow(model)
    if x is None or any(getattr(layer, "stateful", False) for layer in model.layers):
        return MaskFlow(graph=False)  # calling a stateful model would move its states
    return _called_flow(model, x)


def _graph_flow(model: Any) -> MaskFlow:
    nodes = keras_graph.model_nodes(model)
    names = keras_graph.call_names(nodes)
    readers = keras_graph.tensor_readers(nodes)
    origin: dict[int, str] = {}  # id(tensor) -> the call that made its mask
    flow = MaskFlow()
    node_of = {}
    for node in nodes:
        slots = keras_graph.node_slots(node)
        if not slots:
            continue
        layer, name = node.operation, names[id(node)]
        inputs = [s.tensor for s in slots if s.argument == "input"]
        explicit = [s.tensor for s in slots if s.argument == "mask"]
        masked = [t for t in inputs if keras_graph.keras_mask(t) is not None]
        outputs = keras_graph.node_outputs(node)
        out_masked = any(keras_graph.keras_mask(t) is not None for t in outputs)
        source = next((origin[id(t)] for t in masked if id(t) in origin), "")
        if explicit:
            state = "explicit"
            source = _origin_label(keras_graph.producer(explicit[0]))
        elif not masked:
            state, source = ("made", _origin_label(layer)) if out_masked else ("", "")
        elif out_masked:
            state = "carried"
        else:
            state = "consumed" if _supports(layer) else "dropped"
        if out_masked:
            origin.update({id(t): source for t in outputs})
        call = MaskCall(name, layer, state, source)
        if contract_of(layer) is not None and inputs:
            call.rnn_input = inputs[0]
            call.mask = explicit[0] if explicit else keras_graph.keras_mask(inputs[0])
        flow.calls.append(call)
        node_of[id(call)] = node
    per_step = {id(t) for t in model.outputs if len(t.shape) >= 3}
    for call in flow.dropped:
        call.after, reached = _rnns_below(node_of[id(call)], readers, names)
        call.loss_below = bool(per_step & reached)
    return flow


def _rnns_below(node: Any, readers: dict[int, list[Any]],
                names: dict[int, str]) -> tuple[list[str], set[int]]:
    """The RNN calls that read (directly or through other calls) what ``node`` made, and the
    ids of every tensor below it."""
    found, todo, seen = [], list(keras_graph.node_outputs(node)), set()
    reached: set[int] = set()
    while todo:
        tensor = todo.pop(0)
        reached.add(id(tensor))
        for layer, slot in readers.get(id(tensor), []):
            for reader in keras_graph.inbound_nodes(layer):
                if id(reader) in seen or not any(
                        s.tensor is slot.tensor for s in keras_graph.node_slots(reader)):
                    continue
                seen.add(id(reader))
                if contract_of(layer) is not None and slot.argument == "input":
                    found.append(names.get(id(reader), layer.name))
                todo += keras_graph.node_outputs(reader)
    return list(dict.fromkeys(found)), reached


def _called_flow(model: Any, x: Any) -> MaskFlow:
    """A subclassed model: its own layers' calls on a few rows of ``x``, masks as values."""
    sample = [np.asarray(v)[:8] for v in x] if isinstance(x, (list, tuple)) \
        else np.asarray(x)[:8]
    flow = MaskFlow(graph=False)
    made = ""
    for layer, first, explicit, outputs in keras_graph.record_mask_calls(model, sample):
        in_mask = keras_graph.keras_mask(first)
        out_masked = any(keras_graph.keras_mask(t) is not None for t in outputs)
        if explicit is not None:
            state, source = "explicit", "the mask argument"
        elif in_mask is None:
            state, source = ("made", _origin_label(layer)) if out_masked else ("", "")
        elif out_masked:
            state, source = "carried", made
        else:
            state, source = ("consumed" if _supports(layer) else "dropped"), made
        made = source if state in ("made", "explicit", "carried") else made
        call = MaskCall(layer.name, layer, state, source)
        if contract_of(layer) is not None:
            mask = explicit if explicit is not None else in_mask
            call.mask = None if mask is None else np.asarray(mask)
            if state == "" and made:  # a mask was made above, and lost by an op on the way
                call.state, call.origin = "lost", made
        flow.calls.append(call)
    for i, call in enumerate(flow.calls):
        if call.state == "dropped":
            call.after = [c.name for c in flow.calls[i + 1:]
                          if contract_of(c.layer) is not None]
    return flow


def rnn_masks_on(model: Any, flow: MaskFlow, x: Any) -> dict[str, np.ndarray | None]:
    """The mask each RNN call reads when ``model`` gets ``x``: (rows, timesteps) booleans,
    computed by Keras (a graph model: the sub-model from the inputs to each mask)."""
    if not flow.graph:
        return {c.name: c.mask for c in flow.rnns}
    import keras

    out: dict[str, np.ndarray | None] = {}
    for call in flow.rnns:
        if call.mask is None:
            out[call.name] = None
            continue
        probe = keras.Model(model.inputs, call.mask)
        value = probe(x if not isinstance(x, list) or len(x) > 1 else x[0], training=False)
        out[call.name] = np.asarray(value).astype(bool).reshape(len(np.asarray(value)), -1)
    return out


def _maker(tensor: Any) -> str:
    """The call that made the mask ``tensor`` carries (walking up through its carriers)."""
    for _ in range(100):
        node = keras_graph.producer_node(tensor)
        inputs = [s.tensor for s in keras_graph.node_slots(node) if s.argument == "input"] \
            if node is not None else []
        above = [t for t in inputs if keras_graph.keras_mask(t) is not None]
        if not above:
            return _origin_label(keras_graph.producer(tensor))
        tensor = above[0]
    return _origin_label(keras_graph.producer(tensor))


def lost_mask_above(tensor: Any) -> tuple[str, str] | None:
    """Why a symbolic RNN input without a mask has none although one was made above it:
    ``(the call that dropped it, the call that made it)``, or None (no mask was lost).

    The walk goes up through calls whose inputs carry no mask, and stops at RNNs and at
    layers that consume a mask on purpose (they support masking).
    """
    todo, seen = [tensor], set()
    while todo:
        node = keras_graph.producer_node(todo.pop())
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        inputs = [s.tensor for s in keras_graph.node_slots(node) if s.argument == "input"]
        masked = [t for t in inputs if keras_graph.keras_mask(t) is not None]
        if masked:
            if not _supports(node.operation):
                return node.operation.name, _maker(masked[0])
            continue
        if contract_of(node.operation) is None:
            todo += inputs
    return None
