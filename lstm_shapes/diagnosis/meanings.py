"""What each axis of each tensor of a model means, propagated layer by layer.

Keras already computed every shape of a functional or Sequential graph; this module adds a
meaning per axis -- batch, time, features, units, channels, height, width, ... -- by ONE
rule per layer kind: an RNN consumes time (unless ``return_sequences``) and outputs its
units, Dense maps the last axis to units, Flatten merges axes, Reshape keeps the axes it
keeps whole and merges the rest, RepeatVector adds time, Embedding adds features. A layer
with no rule (Lambda, custom layers, ``keras.ops`` calls) is called once on a *probe*: a
batch size no other axis has and values that are their own flat index, so each output
value says which input element it is (``t[..., -1]`` keeps batch and time and takes the
last position of the units axis). Calls the check reads later are kept as ``Call`` s.

>>> import keras
>>> i = keras.Input((10, 3))
>>> model = keras.Model(i, keras.layers.Dense(1)(keras.layers.LSTM(8)(i)))
>>> [c.outs[0] for c in propagate(model)][-1]
('batch', 'units')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lstm_shapes.diagnosis.layouts import _kinds, _rank_of, input_axes

_BATCHES = (13, 17, 19, 23, 29, 31, 37, 41)  # a probe's batch: a size no other axis has
_FRACTION = 0.25  # probe values are their flat index + 1/4 (exact in float32 below 2**21)
_KEEP = ("Dropout", "Activation", "Normalization", "Masking", "Softmax", "ReLU", "LeakyReLU",
         "GaussianNoise", "GaussianDropout", "SpatialDropout", "ActivityRegularization")


class Axis(str):
    """One axis's meaning (compares as its name: ``Axis("time") == "time"``) and how it
    got it: ``origin`` the layer call that made it, ``recurrent`` the units of an RNN
    (``last_only``: of one that returned its last step), ``inserted`` a new length-1
    axis, ``parts`` the axes a merge (Flatten, Reshape) is made of."""

    origin: str = ""
    recurrent: bool = False
    last_only: bool = False
    inserted: bool = False
    scrambled: bool = False  # a Reshape regrouped it with others in another order
    parts: tuple = ()

    def __new__(cls, meaning: str, origin: str = "", **facts: Any) -> Axis:
        axis = super().__new__(cls, meaning)
        axis.origin = origin
        for key, value in facts.items():
            setattr(axis, key, value)
        return axis

    @property
    def leaves(self) -> tuple[Axis, ...]:
        """The whole axes this one is made of (itself when it is whole)."""
        return tuple(p for part in self.parts for p in part.leaves) if self.parts else (self,)


def merge(axes: tuple[Axis, ...], origin: str, *, scrambled: bool = False) -> Axis:
    """One axis made of several: ``time x features`` (Flatten), a regrouping (Reshape)."""
    if len(axes) == 1 and not scrambled:
        return axes[0]
    leaves = tuple(p for a in axes for p in a.leaves)
    return Axis(" x ".join(leaves), origin, parts=leaves, scrambled=scrambled)


@dataclass
class Taken:
    """An input axis a probed call took one position of (``t[..., -1]``: the last unit),
    or sliced (``a[3:]``: ``kept`` of ``size`` positions)."""

    input: int
    axis: int
    index: int
    size: int
    kept: int = 1


@dataclass
class Call:
    """One layer call: the meanings of what it reads and makes."""

    node: Any
    layer: Any
    name: str
    ins: list[tuple[Axis, ...]]
    outs: list[tuple[Axis, ...]]
    in_shapes: list[tuple[int | None, ...]]
    out_shapes: list[tuple[int | None, ...]]
    taken: list[Taken] = field(default_factory=list)  # from a probe that moved values only
    probe: Any = None  # the probe's first input, for checking a fix expression on it


def _shape(t: Any) -> tuple[int | None, ...]:
    return tuple(None if d is None else int(d) for d in t.shape)


def _entry(tensor: Any, readers: list, name: str) -> tuple[Axis, ...]:
    """A model input: the axes its first reader reads, else by rank."""
    rank = len(tensor.shape)
    for layer, slot in readers:
        read = input_axes(layer) if slot.argument == "input" else None
        if read is not None and len(read) == rank:
            return tuple(Axis(m, name) for m in read)
    default = {1: ("batch",), 2: ("batch", "features"), 3: ("batch", "time", "features"),
               4: ("batch", "height", "width", "channels"),
               5: ("batch", "time", "height", "width", "channels")}
    names = default.get(rank, ("batch", *["unknown"] * (rank - 1)))
    if rank == 2 and str(getattr(tensor, "dtype", "")).startswith(("int", "uint")):
        names = ("batch", "time")
    return tuple(Axis(m, name) for m in names)


def _reshape(axes: tuple[Axis, ...], sizes: tuple, target: tuple, name: str) -> tuple | None:
    """Reshape's axes: a segment of equal products keeps an axis kept whole, splits one
    axis into parts, or merges several; a segment whose sizes come back in another order
    ((14, 3) -> (3, 14)) regroups values that a transpose would have reordered."""
    if None in sizes or None in target:
        return None
    out: list[Axis] = []
    i = j = 0
    while i < len(sizes) or j < len(target):
        if j < len(target) and target[j] == 1 and (i >= len(sizes) or sizes[i] != 1):
            out.append(Axis("unknown", name, inserted=True))  # a new length-1 axis
            j += 1
            continue
        if i < len(sizes) and sizes[i] == 1 and (j >= len(target) or target[j] != 1):
            i += 1  # a length-1 axis dropped
            continue
        i0, j0, a, b = i, j, sizes[i], target[j]
        i, j = i + 1, j + 1
        while a != b:
            if a < b:
                a, i = a * sizes[i], i + 1
            else:
                b, j = b * target[j], j + 1
        seg, n_out = axes[i0:i], j - j0
        if len(seg) == 1 and n_out == 1:
            out.append(seg[0])
        elif n_out == 1:
            out.append(merge(seg, name))
        else:
            scrambled = len(seg) > 1 and sorted(sizes[i0:i]) == sorted(target[j0:j])
            out += [merge(seg, name, scrambled=scrambled) if len(seg) > 1 else
                    Axis(f"{seg[0]} (part)", name, parts=(seg[0],)) for _ in range(n_out)]
    return tuple(out)


def _rule(layer: Any, ins: list[tuple[Axis, ...]], in_shapes: list, out_shapes: list,
          name: str) -> list[tuple[Axis, ...]] | None:
    """The meanings of each output of ``layer`` by its kind's rule, None when it has none."""
    kinds, x = _kinds(layer), ins[0]
    rank = [len(s) for s in out_shapes]
    if "TimeDistributed" in kinds:
        inner = _rule(layer.layer, [(x[0], *x[2:])], [in_shapes[0][:1] + in_shapes[0][2:]],
                      [s[:1] + s[2:] for s in out_shapes], name)
        return None if inner is None else [(x[0], x[1], *o[1:]) for o in inner]
    if "ConvLSTM" in kinds or ("RNN" in kinds or "Bidirectional" in kinds):
        seqs = bool(getattr(layer, "return_sequences", False))
        if "ConvLSTM" in kinds:
            first = getattr(layer, "data_format", "channels_last") == "channels_first"
            body = list(x)
            body[2 if first else -1] = Axis("channels", name, recurrent=True)
            return [tuple(body) if r == len(x) else (body[0], *body[2:]) for r in rank]
        return [(x[0], x[1], Axis("units", name, recurrent=True)) if r == 3 else
                (x[0], Axis("units", name, recurrent=True, last_only=k > 0 or not seqs))
                for k, r in enumerate(rank)]
    if "Embedding" in kinds:
        return [(*x, Axis("features", name))]
    if "Dense" in kinds or "EinsumDense" in kinds and rank[0] == len(x):
        return [(*x[:-1], Axis("units", name))]
    if "Flatten" in kinds:
        return [(x[0], merge(x[1:], name))]
    if "RepeatVector" in kinds:
        return [(x[0], Axis("time", name, inserted=layer.n == 1), *x[1:])]
    if "Permute" in kinds:
        return [(x[0], *(x[d] for d in layer.dims))]
    if "Reshape" in kinds:
        axes = _reshape(x[1:], in_shapes[0][1:], out_shapes[0][1:], name)
        return None if axes is None else [(x[0], *axes)]
    if any(k in kinds for k in ("Attention", "AdditiveAttention", "MultiHeadAttention")):
        return [x if r == len(x) else (x[0], *[Axis("unknown", name)] * (r - 1)) for r in rank]
    if any(k.startswith("Global") for k in kinds) and rank[0] == 2:
        first = getattr(layer, "data_format", "channels_last") == "channels_first"
        return [(x[0], x[1] if first else x[-1])]
    n = _rank_of(layer)
    if n is not None and rank[0] == len(x) and type(layer).__module__.startswith("keras."):
        conv = any("Conv" in k for k in kinds)
        first = getattr(layer, "data_format", "channels_last") == "channels_first"
        made = Axis("features" if n == 1 else "channels", name)
        return [tuple(made if conv and i == (1 if first else len(x) - 1) else a
                      for i, a in enumerate(x))]
    if any(k in kinds for k in ("Concatenate", "Add", "Subtract", "Multiply", "Average",
                                "Maximum", "Minimum")) and len({len(a) for a in ins}) == 1:
        axis = getattr(layer, "axis", None)
        if axis is not None and any(a[axis] != x[axis] for a in ins):
            return [tuple(merge(tuple(a[axis] for a in ins), name) if i == axis % len(x)
                          else m for i, m in enumerate(x))]
        return [x]
    keras_made = type(layer).__module__.startswith("keras.") and "Lambda" not in kinds \
        and "Layer" in kinds
    if keras_made and len(ins) == 1 and out_shapes == in_shapes[:1] or \
            any(k.endswith(_KEEP) for k in kinds[:1]):
        return [x]
    return None


def _batch(sizes: set[int]) -> int:
    return next((b for b in _BATCHES if b not in sizes), 43)


def _traced(values: np.ndarray, shapes: list[tuple], out: np.ndarray) -> list | None:
    """If every output value is one input value (a slice, transpose, expand_dims, ...),
    where each output axis comes from: ``[(input, input axis or None, step), ...]`` and
    the first element's input coordinates; else None (the call computed new values)."""
    if out.size == 0 or values.size > 2 ** 21 or not np.all(np.isfinite(out)):
        return None
    ids = out.astype(np.float64) - _FRACTION  # an input value is its index + 1/4: a sum
    if np.any(ids != np.round(ids)):  # or a difference of two has another fraction
        return None
    ids = ids.astype(np.int64)
    if ids.min() < 0 or ids.max() >= values.size:
        return None
    starts = np.cumsum([0] + [math.prod(s) for s in shapes])
    first = int(ids.flat[0])
    k = int(np.searchsorted(starts, first, side="right") - 1)
    coords0 = np.unravel_index(first - starts[k], shapes[k])
    steps, origin = [], []
    for a in range(out.ndim):
        if out.shape[a] == 1:
            origin.append((k, None, 0))
            steps.append(0)
            continue
        index = [0] * out.ndim
        index[a] = 1
        step = int(ids[tuple(index)]) - first
        if step == 0:  # the same value along an axis: a broadcast, not a moved axis
            return None
        steps.append(step)
        second = int(ids[tuple(index)])
        if not starts[k] <= second < starts[k + 1]:
            return None
        moved = [j for j, (c0, c1) in enumerate(zip(coords0, np.unravel_index(
            second - starts[k], shapes[k]))) if c0 != c1]
        origin.append((k, moved[-1] if len(moved) == 1 else None, step))
    grid = np.indices(out.shape).reshape(out.ndim, -1)
    expected = first + np.tensordot(np.asarray(steps), grid, axes=1).reshape(out.shape) \
        if out.ndim else np.asarray(first)
    return (origin, k, coords0) if np.array_equal(expected, ids) else None


def _probe(node: Any, ins: list, in_shapes: list, out_shapes: list, name: str,
           call: Call) -> list[tuple[Axis, ...]]:
    """Call a layer with no rule on a probe and match its output axes to input axes."""
    import keras

    from lstm_shapes.core import keras_graph

    tensors = keras_graph.node_inputs(node)
    b = _batch({d for s in in_shapes + out_shapes for d in s if d})
    shapes = [tuple(b if d is None else d for d in _shape(t)) for t in tensors]
    total = sum(math.prod(s) for s in shapes)
    flat = np.arange(total, dtype="float32") + _FRACTION
    values, start = {}, 0
    for t, s in zip(tensors, shapes):
        n = math.prod(s)
        integer = str(getattr(t, "dtype", "")).startswith(("int", "uint", "bool"))
        values[id(t)] = np.zeros(s, "int32") if integer else flat[start:start + n].reshape(s)
        start += n
    try:
        args, kwargs = node.arguments.fill_in(values)
        result = [np.asarray(keras.ops.convert_to_numpy(o))
                  for o in keras.tree.flatten(node.operation(*args, **kwargs))]
    except Exception:  # noqa: BLE001 - a layer that cannot run on a probe: match by size
        result = None
    call.probe = values.get(id(tensors[0])) if tensors else None
    by_size = [(k, j) for k, s in enumerate(shapes) for j, _ in enumerate(s)]
    out: list[tuple[Axis, ...]] = []
    for o_index, o_shape in enumerate(out_shapes):
        got = result[o_index] if result is not None and o_index < len(result) else None
        traced = _traced(flat, shapes, got) if got is not None and got.dtype.kind == "f" \
            else None
        if traced is not None:
            origin, k, coords0 = traced
            used = {j for _, j, _ in origin if j is not None}
            axes = []
            for (kk, j, _), size in zip(origin, got.shape):
                if j is None:
                    axes.append(Axis("unknown", name, inserted=size == 1))
                    continue
                axes.append(ins[kk][j])
                if size != shapes[kk][j]:
                    call.taken.append(Taken(kk, j, int(coords0[j]), shapes[kk][j], size))
            call.taken += [Taken(k, j, int(coords0[j]), shapes[k][j])
                           for j in range(len(shapes[k])) if j not in used
                           and shapes[k][j] > 1]
            out.append(tuple(axes))
            continue
        sizes = got.shape if got is not None else tuple(b if d is None else d for d in o_shape)
        axes = []
        for size in sizes:
            match = [(k, j) for k, j in by_size if shapes[k][j] == size]
            same = {ins[k][j] for k, j in match}
            axes.append(ins[match[0][0]][match[0][1]] if len(same) == 1
                        else Axis("unknown", name))  # two meanings of one size: unknown
        out.append(tuple(axes))
    return out


def propagate(model: Any) -> list[Call]:
    """Every layer call of a functional/Sequential ``model`` with the meaning of each axis
    it reads and makes (empty for a model with no graph, or one this cannot follow)."""
    try:
        return _propagate(model) if model.inputs and model.outputs else []
    except Exception:  # noqa: BLE001 - meanings add to the story; they never break it
        return []


def _propagate(model: Any) -> list[Call]:
    from lstm_shapes.core import keras_graph

    nodes = keras_graph.model_nodes(model)
    names, readers = keras_graph.call_names(nodes), keras_graph.tensor_readers(nodes)
    known: dict[int, tuple[Axis, ...]] = {}
    calls: list[Call] = []
    for node in nodes:
        slots, outputs = keras_graph.node_slots(node), keras_graph.node_outputs(node)
        name = names[id(node)]
        if not slots:
            known.update({id(t): _entry(t, readers.get(id(t), []), name) for t in outputs})
            continue
        ins = [known.get(id(s.tensor)) or tuple(Axis("unknown") for _ in s.tensor.shape)
               for s in slots]
        in_shapes = [_shape(s.tensor) for s in slots]
        out_shapes = [_shape(t) for t in outputs]
        call = Call(node, node.operation, name, ins, [], in_shapes, out_shapes)
        try:
            outs = _rule(node.operation, ins, in_shapes, out_shapes, name)
        except (AttributeError, IndexError, TypeError, ValueError):
            outs = None
        if outs is None or [len(o) for o in outs] != [len(s) for s in out_shapes]:
            outs = _probe(node, ins, in_shapes, out_shapes, name, call)
        call.outs = outs
        known.update({id(t): o for t, o in zip(outputs, outs)})
        calls.append(call)
    return calls


def labels(calls: list[Call]) -> dict[int, Any]:
    """For the story: ``id(tensor) -> rename`` where ``rename(dims)`` puts each known
    meaning of the call's output in place of the generic name (``time`` said
    ``timesteps``)."""
    from lstm_shapes.core import keras_graph

    def renamer(axes: tuple[Axis, ...]) -> Any:
        def rename(dims: tuple[str, ...]) -> tuple[str, ...]:
            if len(dims) != len(axes):
                return dims
            return tuple(d if a == "unknown" else a.replace("time", "timesteps")
                         for a, d in zip(axes, dims))
        return rename

    return {id(t): renamer(axes)
            for c in calls for t, axes in zip(keras_graph.node_outputs(c.node), c.outs)}
