"""Rules on masks: a mask dropped on its way, and zero-padded data that reaches an RNN unmasked.

``mask_dropped``: a layer (or an op) that cannot carry a mask receives one (see
:mod:`lstm_shapes.diagnosis.masks`): an error when an RNN or a per-step loss below would have
read it, or when Keras's mask hides steps of the user's data and no layer below re-applies
it by hand (:mod:`mask_harm`); else a warning. ``padding_without_mask``: ``x`` is padded
(:mod:`lstm_shapes.diagnosis.padding`) and the mask Keras computes for the first RNN on its
path, on the padded rows themselves, leaves padded steps unmasked (no mask, or one made
with another ``mask_value``): an error when the padding is certain and its harm too (the
targets mark the padded steps, or the last step of post-padded rows is taken by hand:
:mod:`padding_harm`), else a warning. Every fix is proven on a clone (:mod:`mask_fixes`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_shapes.core import keras_graph
from lstm_shapes.core.contracts import contract_of
from lstm_shapes.diagnosis.findings import Finding
from lstm_shapes.diagnosis.mask_fixes import Edit, _batch, apply_edit, first_proven
from lstm_shapes.diagnosis.mask_harm import hides_steps, reapplied
from lstm_shapes.diagnosis.masks import MaskCall, MaskFlow, mask_flow, rnn_masks_on
from lstm_shapes.diagnosis.padding import Padding, find_padding
from lstm_shapes.diagnosis.padding_harm import (
    last_step_taken,
    marks_padding,
    rnn_output,
)


def check_masks(model: Any, arrays: list[np.ndarray] | None, y: Any,
                out: list[Finding]) -> None:
    """Add the mask findings of ``model`` (and its data ``arrays``, one per input) to ``out``."""
    x = None if not arrays else arrays if len(arrays) > 1 else arrays[0]
    flow = mask_flow(model, x)
    pads = [find_padding(a) for a in arrays or []]
    rows = _rows(pads, arrays)
    for call in flow.dropped:
        fix = ""
        if flow.graph and x is not None:
            fix = first_proven(model, _dropped_edits(model, call), x, y,
                               lambda clone, n=call.name: any(
                                   c.name == n for c in mask_flow(clone).dropped), rows)
        # certain harm when an RNN or a per-step loss below would have read the mask, or
        # when the data has steps the mask hides and nothing below hides them again; else
        # (no data, or no masked step in it) a warning
        harm = flow.graph and x is not None and hides_steps(
            model, call.layer, _batch(x, rows)) and not reapplied(model, call.layer,
                                                                  _batch(x, rows))
        severity = "error" if call.after or call.loss_below or not flow.graph or harm \
            else "warning"
        out.append(Finding("mask_dropped", f"layer {call.name!r}", _dropped_message(call), fix,
                           severity))
    for call in (c for c in flow.calls if c.state == "lost"):
        out.append(Finding("mask_dropped", f"layer {call.name!r}",
                           f"the mask made by {call.origin} does not reach {call.name!r}: an "
                           "op between the layers in call() drops it", ""))
    if any(p is not None for p in pads):
        below = {n for c in flow.dropped for n in c.after}  # already told: the mask was lost
        for finding, edits in _padding(model, flow, arrays, pads, rows, y):
            if finding.where in {f"layer {n!r}" for n in below}:
                continue
            fix = first_proven(model, _then_keep_mask(model, edits), x, y,
                               lambda clone: bool(_padding(
                clone, mask_flow(clone), arrays, pads, rows) or mask_flow(clone).dropped),
                rows) if flow.graph else ""
            out.append(Finding(finding.code, finding.where, finding.message, fix,
                               finding.severity))


def _rows(pads: list[Padding | None], arrays: list[np.ndarray] | None) -> np.ndarray:
    """A few rows to compute masks and a train step on: padded ones first."""
    if not arrays:
        return np.arange(0)
    n = len(arrays[0])
    padded = [np.flatnonzero(p.steps(a.shape[1]).any(axis=1))
              for p, a in zip(pads, arrays) if p is not None]
    first = np.unique(np.concatenate(padded))[:16] if padded else np.arange(0)
    rest = np.setdiff1d(np.arange(min(n, 24)), first)[:4]
    return np.concatenate([first, rest]).astype(int) if len(first) else np.arange(min(n, 8))


def _dropped_message(call: MaskCall) -> str:
    kind = type(call.layer).__name__
    what = (f"{kind} {call.name!r} does not support masking" if hasattr(call.layer, "compute_mask")
            else f"the op {call.name!r} ({kind}) between layers does not carry masks")
    after = (f", so {', '.join(repr(n) for n in call.after)} read(s) the padded steps as data"
             if call.after else ", so every layer after it computes on the padded steps as "
             "if they were data")
    return f"{what}: the mask made by {call.origin} stops here{after}"


def _dropped_edits(model: Any, call: MaskCall) -> list[Edit]:
    """Candidates for a dropped mask, by what the dropping layer does with the time axis."""
    import keras

    layer, edits = call.layer, []
    node = next(iter(keras_graph.inbound_nodes(layer)), None)
    if node is None or not hasattr(layer, "compute_mask"):
        return []
    inputs = [s.tensor for s in keras_graph.node_slots(node) if s.argument == "input"]
    outputs = keras_graph.node_outputs(node)
    if len(inputs) != 1 or len(outputs) != 1:
        return []
    rnn = keras_graph.producer(inputs[0])
    contract = contract_of(rnn) if rnn is not None else None
    collapses = len(outputs[0].shape) < len(inputs[0].shape)
    if collapses and contract is not None and contract.return_sequences:
        edits.append(Edit(f"drop {call.name!r} and give {rnn.name!r} return_sequences=False: "
                          "its last output is taken at each sequence's last real step",
                          config={rnn.name: {"return_sequences": False}}, drop={call.name}))
    if collapses and len(inputs[0].shape) == 3:
        edits.append(Edit(f"replace {call.name!r} by keras.layers.GlobalAveragePooling1D(): "
                          "it averages over the unmasked steps only",
                          replace={call.name: keras.layers.GlobalAveragePooling1D}))
    if type(layer).__name__ == "Lambda" and tuple(outputs[0].shape[:2]) == tuple(
            inputs[0].shape[:2]):
        function, shape = layer.function, getattr(layer, "_output_shape", None)
        edits.append(Edit(f"keras.layers.Lambda(<its function>, mask=lambda inputs, mask: mask)"
                          f"   # layer {call.name!r}: hand the mask on",
                          replace={call.name: lambda: keras.layers.Lambda(
                              function, output_shape=shape, mask=lambda i, m=None: m)}))
    return edits


def _data_inputs(tensor: Any) -> set[int]:
    """ids of the model inputs that ``tensor`` is computed from without passing an RNN."""
    found, todo, seen = set(), [tensor], set()
    while todo:
        t = todo.pop()
        node = keras_graph.producer_node(t)
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        slots = keras_graph.node_slots(node)
        if not slots:
            found.add(id(t))
        elif contract_of(node.operation) is None:
            todo += [s.tensor for s in slots]
    return found


def _padding(model: Any, flow: MaskFlow, arrays: list[np.ndarray], pads: list[Padding | None],
             rows: np.ndarray, y: Any = None) -> list[tuple[Finding, list[Edit]]]:
    """A finding (and candidate fixes) per padded input whose first RNN reads it unmasked."""
    x = [a[rows] for a in arrays]
    masks = rnn_masks_on(model, flow, x if len(x) > 1 else x[0])
    found: list[tuple[Finding, list[Edit]]] = []
    told: set[str] = set()
    for i, pad in enumerate(pads):
        if pad is None:
            continue
        name = "x" if len(arrays) == 1 else f"x[{i}]"
        for call in _first_rnns(model, flow, i):
            if call.name in told:
                continue
            mask = masks.get(call.name)
            steps = pad.steps(arrays[i].shape[1])[rows]
            merged = _merged_inputs(model, flow, call, len(arrays))
            if len(merged) > 1:
                # inputs joined step by step: a step is padding only where every one of them
                # is padded, and Keras ANDs their masks (one input's padding would hide the
                # other's data), so no single mask fits: a judgement, never certain
                steps = steps.copy()
                for j in merged:
                    other = pads[j].steps(arrays[j].shape[1])[rows] if pads[j] is not None \
                        and arrays[j].shape[1] == steps.shape[1] else np.zeros_like(steps)
                    steps &= other
                if not steps.any():
                    continue
            told.add(call.name)
            if mask is not None and mask.shape == steps.shape and not mask[steps].any():
                continue
            if mask is not None and mask.shape != steps.shape:
                continue  # the time axis changed on the way: the steps cannot be matched
            how = ("no mask reaches it" if mask is None else
                   f"the mask made by {call.origin} leaves {int(mask[steps].sum())} of "
                   f"{int(steps.sum())} padded steps of these rows unmasked")
            # a certainty only when the zeros occur nowhere but in the end runs of several
            # independent sequences (pad_sequences' signature), read as the model's own
            # sequences; a padded context next to an unpadded sequence input (an encoder
            # seeding a decoder, as Keras's own seq2seq examples feed it) stays a judgement
            context = any(pads[j] is None for j in range(len(arrays)) if j != i)
            harm = ""
            if pad.certain and len(merged) <= 1 and not context and flow.graph:
                harm = _harm(model, call, pad, steps, x, y, rows)
            severity = "error" if harm else "warning"
            found.append((Finding("padding_without_mask", f"layer {call.name!r}",
                                  f"{pad.describe(name)}; {call.name!r} reads them and {how}, "
                                  f"so it treats the padding as data{harm}", "", severity),
                          _padding_edits(model, i, call)))
            break
    return found


def _harm(model: Any, call: MaskCall, pad: Padding, steps: np.ndarray, x: list,
          y: Any, rows: np.ndarray) -> str:
    """Why this unmasked padding certainly harms (see :mod:`padding_harm`), or ""."""
    if isinstance(y, np.ndarray) and marks_padding(y[rows], steps):
        return (": the targets mark the padded steps (one value found only there), and the "
                "loss and metrics score them")
    if pad.side in ("post", "both"):
        taken = last_step_taken(model, rnn_output(call), x if len(x) > 1 else x[0])
        if taken:
            return (f"; {taken!r} takes the last step, which is padding for every padded "
                    "row, not the last real step")
    return ""


def _then_keep_mask(model: Any, edits: list[Edit]) -> list[Edit]:
    """Each edit, and after it each fix of a mask it makes that a later layer drops (a mask
    added above a last-step slice must also replace the slice): both proven together."""
    out = []
    for edit in edits:
        out.append(edit)
        try:
            clone = apply_edit(model, edit)
        except Exception:  # noqa: BLE001, S112 - an edit that does not build is not proposed
            continue
        for call in mask_flow(clone).dropped:
            for then in _dropped_edits(clone, call):
                out.append(Edit(f"{edit.line}; then {then.line}",
                                {**edit.config, **then.config},
                                {**edit.replace, **then.replace}, edit.drop | then.drop,
                                {**edit.insert_before, **then.insert_before}))
    return out


def _merged_inputs(model: Any, flow: MaskFlow, call: MaskCall, count: int) -> list[int]:
    """The model inputs an RNN call reads with no RNN in between (a graph model)."""
    if not flow.graph or call.rnn_input is None or count < 2:
        return []
    feeding = _data_inputs(call.rnn_input)
    return [j for j in range(count) if id(model.inputs[j]) in feeding]


def _first_rnns(model: Any, flow: MaskFlow, index: int) -> list[MaskCall]:
    """The RNN calls that read input ``index`` with no RNN in between."""
    if not flow.graph:
        return flow.rnns[:1]
    target = id(model.inputs[index])
    return [c for c in flow.rnns if c.rnn_input is not None
            and target in _data_inputs(c.rnn_input)]


def _padding_edits(model: Any, index: int, call: MaskCall) -> list[Edit]:
    """Mask the padding where it is still all-zero: at the Embedding, or right after the Input."""
    import keras

    try:
        entry = model.inputs[index]
    except (AttributeError, IndexError, ValueError):
        return []
    readers = [layer for layer, slot in keras_graph.tensor_readers(
        keras_graph.model_nodes(model)).get(id(entry), []) if slot.argument == "input"]
    edits = []
    for layer in readers:
        config = layer.get_config()
        if "mask_zero" in config:
            edits.append(Edit(f"keras.layers.Embedding({config['input_dim']}, "
                              f"{config['output_dim']}, mask_zero=True)   # layer "
                              f"{layer.name!r}: id 0 is the padding", config={layer.name: {
                                  "mask_zero": True}}))
        elif "mask_value" in config:
            edits.append(Edit(f"keras.layers.Masking(mask_value=0.0)   # layer {layer.name!r}: "
                              "the padding is 0", config={layer.name: {"mask_value": 0.0}}))
    if readers and not edits:
        first = readers[0].name
        edits.append(Edit(f"insert keras.layers.Masking(mask_value=0.0) right after the Input, "
                          f"before {first!r}, so {call.name!r} skips the padded steps",
                          insert_before={first: lambda: keras.layers.Masking(mask_value=0.0)}))
    return edits
