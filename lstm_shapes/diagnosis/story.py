"""The shape story of a model: every tensor with named dims, as a table and as a picture.

``explain(model, x=None)`` follows a functional or Sequential model's graph (a subclassed
model is traced by calling it on two samples of ``x``); each RNN layer also shows its
weights: kernel ``(features, 4·units)``, recurrent kernel ``(units, 4·units)``, bias.

>>> import keras
>>> model = keras.Sequential([keras.Input((10, 1)), keras.layers.LSTM(50), keras.layers.Dense(1)])
>>> print(explain(model))  # doctest: +ELLIPSIS
layer...tensor...shape...dims
...
lstm...(LSTM)...kernel...(1, 200)...(features, 4·units)
...
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_shapes.core.contracts import RNNContract, contract_of
from lstm_shapes.core.messages import format_shape

_GATES = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}


@dataclass(frozen=True)
class TensorRow:
    """One tensor of the story: which layer, which role, its shape and its axis names."""

    layer: str
    kind: str
    role: str  # "input", "output", "output[1]", "state h", "kernel", ...
    shape: tuple[int | None, ...]
    dims: tuple[str, ...]


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
    note: str = ""

    def __str__(self) -> str:
        if not self.rows:
            return self.note
        from rich import box
        from rich.table import Table
        from rich.text import Text

        from lstm_shapes.display.tables import table_text

        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=None)
        for name in ("layer", "tensor", "shape", "dims"):
            table.add_column(name, no_wrap=True)
        for r in self.rows:
            table.add_row(Text(f"{r.layer} ({r.kind})"), r.role, format_shape(r.shape),
                          "(" + ", ".join(r.dims) + ")")
        lines = table_text(table, width=120).splitlines()
        text = textwrap.dedent("\n".join(line.rstrip() for line in lines)).strip("\n")
        return f"{text}\n{self.note}".rstrip() if self.note else text

    def to_png(self, path: str | Path) -> Path:
        """Draw the story (one box per layer, the tensors between them) as a PNG."""
        from matplotlib.patches import Rectangle

        from lstm_shapes.display.plots import new_figure, save_png

        layers: list[tuple[str, list[TensorRow]]] = []
        for r in self.rows:
            if not layers or layers[-1][0] != r.layer:
                layers.append((r.layer, []))
            layers[-1][1].append(r)
        height = max(2.0, 1.1 * len(layers) + 0.6)
        fig, ax = new_figure((9, height))
        ax.set_xlim(0, 10)
        ax.set_ylim(0, len(layers) + 0.5)
        ax.axis("off")
        for i, (name, rows) in enumerate(layers):
            y = len(layers) - i - 0.2
            kind = rows[0].kind
            color = "#cfe3f7" if kind in _GATES or "Bidirectional" in kind else "#eeeeee"
            ax.add_patch(Rectangle((0.2, y - 0.75), 3.6, 0.7, color=color, ec="#333"))
            ax.text(2.0, y - 0.4, f"{name}\n{kind}", ha="center", va="center", fontsize=10)
            lines = [f"{r.role}: {format_shape(r.shape)}  ({', '.join(r.dims)})" for r in rows]
            ax.text(4.1, y - 0.4, "\n".join(lines), va="center", fontsize=8, family="monospace")
            if i:
                ax.annotate("", xy=(2.0, y - 0.05), xytext=(2.0, y + 0.25),
                            arrowprops={"arrowstyle": "->", "color": "#333"})
        ax.set_title(f"{self.model_name}: the shape story", fontsize=12)
        return save_png(fig, path, dpi=120, bbox_inches="tight")


def _shape(tensor: Any) -> tuple[int | None, ...]:
    return tuple(None if d is None else int(d) for d in tensor.shape)


def _generic_dims(rank: int, kind: str = "") -> tuple[str, ...]:
    from lstm_shapes.core.dims import axis_names

    # the story names ranks 1-3 only: a rank-4 tensor of a model may be an image
    return axis_names(rank, last="units" if kind == "Dense" else None, named_up_to=3)


def _rnn_rows(layer: Any, contract: RNNContract, inputs: list[Any],
              outputs: list[Any]) -> list[TensorRow]:
    kind = type(layer).__name__
    rows = [TensorRow(layer.name, kind, "input", _shape(inputs[0]),
                      ("batch", "timesteps", "features"))]
    width = "2·units" if contract.bidirectional and contract.merge_mode == "concat" else "units"
    for i, out in enumerate(outputs):
        shape = _shape(out)
        n_out = 2 if contract.bidirectional and contract.merge_mode is None else 1
        if i < n_out:
            role = "output" if n_out == 1 else f"output[{i}]"
            dims = ("batch", "timesteps", width) if len(shape) == 3 else ("batch", width)
            dims = dims if n_out == 1 else dims[:-1] + ("units",)
        else:
            k = i - n_out
            state = ("h", "c")[k % 2] if contract.n_states == 2 else "h"
            direction = ("" if not contract.bidirectional
                         else " fwd" if k < contract.n_states else " bwd")
            role, dims = f"state {state}{direction}", ("batch", "units")
        rows.append(TensorRow(layer.name, kind, role, shape, dims))
    g = _GATES[contract.kind]
    gates = f"{g}·units" if g > 1 else "units"
    cells = [(layer.forward_layer.cell, " fwd"), (layer.backward_layer.cell, " bwd")] \
        if contract.bidirectional else [(layer.cell, "")]
    for cell, suffix in cells:
        if getattr(cell, "built", False):
            rows += [
                TensorRow(layer.name, kind, f"kernel{suffix}", _shape(cell.kernel),
                          ("features", gates)),
                TensorRow(layer.name, kind, f"recurrent kernel{suffix}",
                          _shape(cell.recurrent_kernel), ("units", gates)),
            ]
            if getattr(cell, "bias", None) is not None:  # a GRU's is (2, 3·units)
                bias = _shape(cell.bias)
                dims = (gates,) if len(bias) == 1 else ("input|recurrent", gates)
                rows.append(TensorRow(layer.name, kind, f"bias{suffix}", bias, dims))
    return rows


def _from_graph(model: Any, story: ShapeStory) -> None:
    """Follow the layer nodes of a functional/Sequential model (no computation)."""
    from lstm_shapes.core import keras_graph

    for tensor in model.inputs:
        story.inputs.append(_shape(tensor))
        story.rows.append(TensorRow("input", "Input", "input", _shape(tensor),
                                    _generic_dims(len(tensor.shape))))
    story.outputs = [_shape(t) for t in model.outputs]
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        for node in keras_graph.inbound_nodes(layer):
            inputs, outputs = keras_graph.node_inputs(node), keras_graph.node_outputs(node)
            contract = contract_of(layer)
            if contract is not None and inputs and len(inputs[0].shape) == 3:
                states = keras_graph.initial_states(node)
                story.rnn_calls.append(RNNCall(
                    layer, contract, _shape(inputs[0]),
                    tuple(keras_graph.history(s) for s in states),
                    tuple(_shape(s) for s in states)))
                story.rows += _rnn_rows(layer, contract, inputs, outputs)
                continue
            for i, out in enumerate(outputs):
                role = "output" if len(outputs) == 1 else f"output[{i}]"
                kind = type(layer).__name__
                story.rows.append(TensorRow(layer.name, kind, role, _shape(out),
                                            _generic_dims(len(out.shape), kind)))


def _by_calling(model: Any, x: Any, story: ShapeStory) -> None:
    """Trace a subclassed model: call it on two samples and record each layer call."""
    import keras
    import numpy as np

    calls: list[tuple[Any, list[Any], list[Any]]] = []
    original = keras.layers.Layer.__call__
    depth = [0]

    def recording(self: Any, *args: Any, **kwargs: Any) -> Any:
        depth[0] += 1
        try:
            out = original(self, *args, **kwargs)
        finally:
            depth[0] -= 1
        if depth[0] == 1 and self is not model and not any(c[0] is self for c in calls):
            # the model's own layers (not their insides), once: building calls them twice
            ins = [a for a in keras.tree.flatten((args, kwargs)) if hasattr(a, "shape")]
            calls.append((self, ins, [o for o in keras.tree.flatten(out)
                                      if hasattr(o, "shape")]))
        return out

    sample = [np.asarray(v)[:2] for v in x] if isinstance(x, (list, tuple)) \
        else np.asarray(x)[:2]
    keras.layers.Layer.__call__ = recording
    try:
        result = model(sample)
    finally:
        keras.layers.Layer.__call__ = original
    first = sample[0] if isinstance(sample, list) else sample
    story.inputs = [(None, *np.shape(first)[1:])]
    story.outputs = [(None, *_shape(o)[1:]) for o in keras.tree.flatten(result)]
    story.rows.append(TensorRow("input", "data", "input", story.inputs[0],
                                _generic_dims(len(story.inputs[0]))))
    for layer, ins, outs in calls:
        contract = contract_of(layer)
        ins = [_Sym(i) for i in ins]
        outs = [_Sym(o) for o in outs]
        if contract is not None and ins and len(ins[0].shape) == 3:
            story.rnn_calls.append(RNNCall(layer, contract, _shape(ins[0])))
            story.rows += _rnn_rows(layer, contract, ins, outs)
        else:
            kind = type(layer).__name__
            story.rows += [TensorRow(layer.name, kind, "output", _shape(o),
                                     _generic_dims(len(o.shape), kind)) for o in outs]


class _Sym:
    """A traced eager tensor shown with a symbolic batch (None), like a graph tensor."""

    def __init__(self, tensor: Any) -> None:
        self.shape = (None, *tuple(tensor.shape)[1:])


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
