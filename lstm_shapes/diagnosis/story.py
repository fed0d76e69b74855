"""The shape story of a model: every tensor with named dims, as a table and as a picture.

``explain(model, x=None)`` follows a functional or Sequential model's graph (a subclassed
model is traced by calling it on two samples of ``x``): a row per tensor, an RNN's weights
too (kernel ``(features, 4·units)``, recurrent kernel ``(units, 4·units)``, bias), then every
edge, e.g. ``encoder state h ─▶ decoder initial_state h``. Axes are named by what reads
them: ids into an ``Embedding`` are ``(batch, timesteps)``, a state is ``(batch, units)``.

>>> import keras
>>> model = keras.Sequential([keras.Input((10, 1), name="window"), keras.layers.LSTM(50),
...                           keras.layers.Dense(1)])
>>> print(explain(model))  # doctest: +ELLIPSIS
layer...tensor...shape...dims
...
window (Input)...input...(None, 10, 1)...(batch, timesteps, features)
...
lstm...(LSTM)...kernel...(1, 200)...(features, 4·units)
...
window ─▶ lstm...(None, 10, 1)...(batch, timesteps, features)
...
"""

from __future__ import annotations

import textwrap
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby, pairwise
from pathlib import Path
from typing import Any

from lstm_shapes.core.contracts import RNNContract, contract_of
from lstm_shapes.core.messages import format_shape

_GATES = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}
_PLAIN = ("input", "output", "token ids")  # roles an edge does not repeat


@dataclass(frozen=True)
class TensorRow:
    """One tensor of the story: which layer, which role, its shape and its axis names."""

    layer: str
    kind: str
    role: str  # "input", "token ids", "output", "output[1]", "state h", "kernel", ...
    shape: tuple[int | None, ...]
    dims: tuple[str, ...]


@dataclass(frozen=True)
class Edge:
    """One tensor passed from the layer call that makes it to a layer call that reads it.

    ``Edge("encoder", "state h", "decoder", "initial_state h", (None, 64), ("batch", "units"))``
    reads ``encoder state h ─▶ decoder initial_state h``.
    """

    source: str
    output: str  # which tensor of the source: "output", "state h", "output[1]", ...
    target: str
    slot: str  # how the target takes it: "input", "input[1]", "initial_state c", ...
    shape: tuple[int | None, ...]
    dims: tuple[str, ...]

    def __str__(self) -> str:
        source = self.source if self.output in _PLAIN else f"{self.source} {self.output}"
        target = self.target if self.slot == "input" else f"{self.target} {self.slot}"
        return f"{source} ─▶ {target}"


@dataclass(frozen=True)
class RNNCall:
    """One call of an RNN layer found while tracing (what check_model's rules read)."""

    layer: Any
    contract: RNNContract
    input_shape: tuple[int | None, ...]
    state_sources: tuple[Any, ...] = ()  # keras_graph.History of each initial-state tensor
    state_shapes: tuple[tuple[int | None, ...], ...] = ()


@dataclass
class ShapeStory:
    """Every tensor of a model with named dims; ``print(story)`` or ``story.to_png(path)``."""

    model_name: str
    rows: list[TensorRow] = field(default_factory=list)
    rnn_calls: list[RNNCall] = field(default_factory=list)
    inputs: list[tuple[int | None, ...]] = field(default_factory=list)
    outputs: list[tuple[int | None, ...]] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    traced: bool = False  # rows come from calling the model: the call order, not a graph
    note: str = ""
    meanings: list = field(default_factory=list, repr=False)  # meanings.Call per layer call

    def __str__(self) -> str:
        if not self.rows:
            return self.note
        text = _render(("layer", "tensor", "shape", "dims"),
                       [(f"{r.layer} ({r.kind})", r.role, format_shape(r.shape), _dims(r.dims))
                        for r in self.rows])
        if self.edges:
            text += ("\n\nedges (each arrow is one tensor, from the layer that makes it to the "
                     "layer that reads it)\n"
                     + _render(("from ─▶ to", "shape", "dims"),
                               [(str(e), format_shape(e.shape), _dims(e.dims))
                                for e in self.edges]))
        return f"{text}\n{self.note}".rstrip() if self.note else text

    def figure(self) -> Any:
        """The story as a matplotlib Figure: a box per layer call, an arrow per edge."""
        from matplotlib.patches import Rectangle

        from lstm_shapes.display.plots import new_figure

        boxes = [(name, list(rows)) for name, rows in groupby(self.rows, lambda r: r.layer)]
        heights = [max(1.0, 0.3 + 0.17 * len(rows)) for _, rows in boxes]
        fig, ax = new_figure((11, sum(heights) + 0.6))
        ax.set_xlim(-3, 10)
        ax.set_ylim(0, sum(heights) + 0.3)
        ax.axis("off")
        top, places = sum(heights), {}
        for (name, rows), height in zip(boxes, heights):
            mid = top - height / 2
            places[name] = mid
            kind = rows[0].kind
            color = "#cfe3f7" if kind in _GATES or "Bidirectional" in kind else "#eeeeee"
            ax.add_patch(Rectangle((0.2, mid - 0.35), 3.6, 0.7, color=color, ec="#333"))
            ax.text(2.0, mid, f"{name}\n{kind}", ha="center", va="center", fontsize=10)
            lines = [f"{r.role}: {format_shape(r.shape)}  ({', '.join(r.dims)})" for r in rows]
            ax.text(4.1, mid, "\n".join(lines), va="center", fontsize=8, family="monospace")
            top -= height
        calls = [Edge(a, "output", b, "input", (), ()) for a, b in pairwise(places)]
        _draw_edges(ax, calls if self.traced else self.edges, places, dashed=self.traced)
        ax.set_title(f"{self.model_name}: the shape story", fontsize=12)
        return fig

    def to_png(self, path: str | Path) -> Path:
        """Draw the story (one box per layer call, an arrow per edge) as a PNG."""
        from lstm_shapes.display.plots import save_png

        return save_png(self.figure(), path, dpi=120, bbox_inches="tight")


def _render(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A plain-text table: ``columns`` as the header, one line per row."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from lstm_shapes.display.tables import table_text

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=None)
    for name in columns:
        table.add_column(name, no_wrap=True)
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    lines = table_text(table, width=120).splitlines()
    return textwrap.dedent("\n".join(line.rstrip() for line in lines)).strip("\n")


def _dims(dims: tuple[str, ...]) -> str:
    return "(" + ", ".join(dims) + ")"


def _draw_edges(ax: Any, edges: list[Edge], places: dict[str, float], *,
                dashed: bool = False) -> None:
    """An arrow per edge: straight down to the next box, else curved on the left, labelled
    with how the target takes it (``initial_state h``, ``input[1]``). Dashed: call order."""
    order = {name: i for i, name in enumerate(places)}
    seen: Counter[tuple[str, str]] = Counter()
    for edge in (e for e in edges if e.source in places and e.target in places):
        k = seen[(edge.source, edge.target)]
        seen[(edge.source, edge.target)] += 1
        y0, y1 = places[edge.source], places[edge.target]
        label = "" if edge.slot == "input" else edge.slot
        style = {"arrowstyle": "->", "color": "#333", "linestyle": "--" if dashed else "-"}
        if order[edge.target] == order[edge.source] + 1 and k == 0:
            arrow = ax.annotate("", xy=(2.0, y1 + 0.35), xytext=(2.0, y0 - 0.35), arrowprops=style)
            ax.text(2.1, (y0 + y1) / 2, label, fontsize=7, va="center", color="#333")
        else:
            bulge = 0.6 + 0.35 * k  # half the distance of the curve's control point
            style.update(color="#a33", connectionstyle=f"arc3,rad={2 * bulge / abs(y0 - y1):.3f}")
            arrow = ax.annotate("", xy=(0.2, y1 + 0.1), xytext=(0.2, y0 - 0.1), arrowprops=style)
            ax.text(0.1 - 1.3 * bulge, (y0 + y1) / 2 - 0.2 * k, label, fontsize=7, ha="right",
                    va="center", color="#a33")
        arrow.set_gid(str(edge))


def _shape(tensor: Any) -> tuple[int | None, ...]:
    return tuple(None if d is None else int(d) for d in tensor.shape)


def _generic_dims(rank: int, kind: str = "") -> tuple[str, ...]:
    from lstm_shapes.core.dims import axis_names  # ranks 1-3 only: rank 4 may be an image

    return axis_names(rank, last="units" if kind == "Dense" else None, named_up_to=3)


def _id_dims(rank: int) -> tuple[str, ...]:
    """Axes of token ids: ``(batch, timesteps)``; an extra axis stays unnamed (``d2``)."""
    return ("batch", "timesteps", *(f"d{i}" for i in range(2, rank)))[:rank]


def _state_names(contract: RNNContract) -> list[str]:
    """The states of an RNN in Keras's order: ``h, c`` (LSTM), ``h fwd, c fwd, h bwd, ...``."""
    names = ["h", "c"][:contract.n_states]
    if not contract.bidirectional:
        return names
    return [f"{n} fwd" for n in names] + [f"{n} bwd" for n in names]


def _rnn_outputs(contract: RNNContract, count: int) -> list[tuple[str, tuple[str, ...]]]:
    """Role and axes of each output of an RNN call: the output(s), then the states."""
    width = "2·units" if contract.bidirectional and contract.merge_mode == "concat" else "units"
    n_out = 2 if contract.bidirectional and contract.merge_mode is None else 1
    seq = ("batch", "timesteps", width if n_out == 1 else "units")
    last = seq[:1] + seq[2:]
    out = [("output" if n_out == 1 else f"output[{i}]", seq if contract.return_sequences
            else last) for i in range(min(n_out, count))]
    states = _state_names(contract)
    return out + [(f"state {states[k % len(states)]}", ("batch", "units"))
                  for k in range(count - len(out))]


def _rnn_rows(name: str, layer: Any, contract: RNNContract,
              inputs: list[tuple[str, tuple[int | None, ...]]],
              outputs: list[tuple[int | None, ...]]) -> list[TensorRow]:
    """The input, initial states, outputs, states and weights of one RNN call (by shape)."""
    kind = type(layer).__name__
    rows = [TensorRow(name, kind, role, shape, ("batch", "timesteps", "features")
                      if role == "input" else ("batch", "units")) for role, shape in inputs]
    rows += [TensorRow(name, kind, role, shape, dims)
             for shape, (role, dims) in zip(outputs, _rnn_outputs(contract, len(outputs)))]
    g = _GATES[contract.kind]
    gates = f"{g}·units" if g > 1 else "units"
    cells = [(layer.forward_layer.cell, " fwd"), (layer.backward_layer.cell, " bwd")] \
        if contract.bidirectional else [(layer.cell, "")]
    for cell, suffix in (c for c in cells if getattr(c[0], "built", False)):
        rows += [TensorRow(name, kind, f"kernel{suffix}", _shape(cell.kernel), ("features", gates)),
                 TensorRow(name, kind, f"recurrent kernel{suffix}", _shape(cell.recurrent_kernel),
                           ("units", gates))]
        if getattr(cell, "bias", None) is not None:  # a GRU's is (2, 3·units)
            bias = _shape(cell.bias)
            dims = (gates,) if len(bias) == 1 else ("input|recurrent", gates)
            rows.append(TensorRow(name, kind, f"bias{suffix}", bias, dims))
    return rows


def _read_as(tensor: Any, readers: list[tuple[Any, Any]], role: str,
             dims: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """What the layers reading ``tensor`` make of it, e.g. ``(None, 12)`` int32 into an
    Embedding: ``("token ids", ("batch", "timesteps"))``; else ``(role, dims)``."""
    rank = len(tensor.shape)
    for layer, slot in readers:
        if type(layer).__name__ == "Embedding" and slot.argument == "input":
            integer = str(getattr(tensor, "dtype", "")).startswith(("int", "uint"))
            return ("token ids" if integer and role in _PLAIN else role), _id_dims(rank)
        if slot.argument == "initial_state" and rank == 2 and contract_of(layer) is not None:
            return role, ("batch", "units")
    return role, dims


def _layer_outputs(layer: Any, slots: list[Any], outputs: list[Any],
                   readers: dict[int, list[Any]]) -> list[tuple[str, tuple[str, ...]]]:
    """Role and axes of each output of a non-RNN call (an Embedding adds ``features``)."""
    kind, out = type(layer).__name__, []
    for i, tensor in enumerate(outputs):
        role = "output" if len(outputs) == 1 else f"output[{i}]"
        dims = _generic_dims(len(tensor.shape), kind)
        if kind == "Embedding" and slots and len(tensor.shape) == len(slots[0].tensor.shape) + 1:
            dims = (*_id_dims(len(slots[0].tensor.shape)), "features")
        out.append(_read_as(tensor, readers.get(id(tensor), []), role, dims))
    return out


def _weight_rows(name: str, layer: Any) -> list[TensorRow]:
    """An Embedding's table: ``(vocab, features)``, one vector of features per token id."""
    table = getattr(layer, "embeddings", None) if type(layer).__name__ == "Embedding" \
        and getattr(layer, "built", False) else None
    return [] if table is None else [TensorRow(name, "Embedding", "embeddings", _shape(table),
                                               ("vocab", "features"))]


def _slot_label(slot: Any, contract: RNNContract | None) -> str:
    """How a call takes one input: ``input``, ``input[1]``, ``initial_state h``, ..."""
    if slot.argument == "initial_state" and contract is not None:
        states = _state_names(contract)
        if slot.index < len(states):
            return f"initial_state {states[slot.index]}"
    return slot.argument if slot.count == 1 else f"{slot.argument}[{slot.index}]"


def _from_graph(model: Any, story: ShapeStory) -> None:
    """Follow the layer calls of a functional/Sequential model (no computation)."""
    from lstm_shapes.core import keras_graph
    from lstm_shapes.diagnosis.meanings import labels, propagate

    story.meanings = propagate(model)
    named = labels(story.meanings)  # each axis's meaning, where one is known
    story.inputs = [_shape(t) for t in model.inputs]
    story.outputs = [_shape(t) for t in model.outputs]
    nodes = keras_graph.model_nodes(model)
    names, readers = keras_graph.call_names(nodes), keras_graph.tensor_readers(nodes)
    made: dict[int, tuple[str, str, tuple[str, ...]]] = {}  # tensor -> source, role, dims
    for node in nodes:
        name, outputs = names[id(node)], keras_graph.node_outputs(node)
        outs = _add_call(story, node, name, readers, made, named)
        made.update({id(t): (name, role, dims) for t, (role, dims) in zip(outputs, outs)})


def _add_call(story: ShapeStory, node: Any, name: str, readers: dict[int, list[Any]],
              made: dict[int, tuple[str, str, tuple]], named: dict) -> list[tuple[str, Any]]:
    """Add one layer call's edges and rows; return the role and axes of each output."""
    from lstm_shapes.core import keras_graph

    layer, slots, outputs = node.operation, keras_graph.node_slots(node), node.outputs
    contract = contract_of(layer) if slots else None
    labels = [_slot_label(s, contract) for s in slots]
    for slot, label in zip(slots, labels):
        source, role, dims = made.get(id(slot.tensor), ("?", "output", ()))
        story.edges.append(Edge(source, role, name, label, _shape(slot.tensor),
                                dims or _generic_dims(len(slot.tensor.shape))))
    kind = "Input" if not slots else type(layer).__name__
    if contract is not None and len(slots[0].tensor.shape) == 3:
        states = keras_graph.initial_states(node)
        story.rnn_calls.append(RNNCall(layer, contract, _shape(slots[0].tensor),
                                       tuple(keras_graph.history(s) for s in states),
                                       tuple(_shape(s) for s in states)))
        ins = [(label, _shape(s.tensor)) for s, label in zip(slots, labels)
               if label == "input" or s.argument == "initial_state"]
        story.rows += _rnn_rows(name, layer, contract, ins, [_shape(t) for t in outputs])
        return _rnn_outputs(contract, len(outputs))
    if not slots:  # an Input: its meaning comes from the layers that read it
        outs = [_read_as(t, readers.get(id(t), []), "input", _generic_dims(len(t.shape)))
                for t in outputs]
    else:
        outs = _layer_outputs(layer, slots, outputs, readers)
    outs = [(role, named.get(id(t), lambda d: d)(dims)) for t, (role, dims) in zip(outputs, outs)]
    story.rows += [TensorRow(name, kind, role, _shape(t), dims)
                   for t, (role, dims) in zip(outputs, outs)] + _weight_rows(name, layer)
    return outs


def _by_calling(model: Any, x: Any, story: ShapeStory) -> None:
    """Trace a subclassed model: call it on two samples and record each layer call."""
    import keras
    import numpy as np

    from lstm_shapes.core import keras_graph

    sample = [np.asarray(v)[:2] for v in x] if isinstance(x, (list, tuple)) \
        else np.asarray(x)[:2]
    calls, result = keras_graph.record_calls(model, sample)
    first = sample[0] if isinstance(sample, list) else sample
    story.traced = True
    story.inputs = [(None, *np.shape(first)[1:])]
    story.outputs = [(None, *_shape(o)[1:]) for o in keras.tree.flatten(result)]
    story.rows.append(TensorRow("input", "data", "input", story.inputs[0],
                                _generic_dims(len(story.inputs[0]))))
    for layer, ins, outs in calls:
        contract, kind = contract_of(layer), type(layer).__name__
        ins = [(None, *_shape(i)[1:]) for i in ins]  # the batch shown symbolic, like a graph's
        outs = [(None, *_shape(o)[1:]) for o in outs]
        if contract is not None and ins and len(ins[0]) == 3:
            story.rnn_calls.append(RNNCall(layer, contract, ins[0]))
            story.rows += _rnn_rows(layer.name, layer, contract, [("input", ins[0])], outs)
        else:
            story.rows += [TensorRow(layer.name, kind, "output", o, _generic_dims(len(o), kind))
                           for o in outs]


def trace(model: Any, x: Any = None) -> ShapeStory:
    """The story of ``model``; raises what building/calling the model raises."""
    story = ShapeStory(getattr(model, "name", type(model).__name__))
    if not getattr(model, "built", False) and x is not None and hasattr(model, "layers") \
            and type(model).__name__ == "Sequential":
        import numpy as np

        model.build((None, *np.shape(x)[1:]))
    try:
        graph = bool(model.inputs) and bool(model.outputs)
    except (AttributeError, ValueError):
        graph = False
    if graph:
        _from_graph(model, story)
    elif x is not None:
        _by_calling(model, x, story)
    else:
        story.note = ("(this model has no graph to follow: pass x to trace it by calling it "
                      "on two samples)")
    return story


def explain(model: Any, x: Any = None) -> ShapeStory:
    """Every tensor of ``model`` with named dims (see the module docstring)."""
    if not hasattr(model, "layers"):
        raise TypeError(f"explain() needs a keras.Model, got {type(model).__name__}")
    return trace(model, x)
