"""Rules on what reaches the RNNs: the data against the declared input, each RNN call, initial states."""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_shapes.core.messages import format_shape
from lstm_shapes.diagnosis.data_axes import features_ordered, reads_data
from lstm_shapes.diagnosis.findings import Finding
from lstm_shapes.diagnosis.rules_data_axes import frames, one_step, two_d_into_sequence
from lstm_shapes.diagnosis.rules_targets import _SHRINK
from lstm_shapes.diagnosis.story import ShapeStory


def _check_input(x: np.ndarray, declared: tuple, out: list[Finding], model: Any = None) -> None:
    """The data against the model's declared input ``(None, T, F)``."""
    from lstm_shapes.core.classify import classify_mismatch
    from lstm_shapes.core.errors import Binding

    if tuple(declared[1:]) == tuple(x.shape):
        out.append(Finding(
            "missing_timestep_axis", "x", f"x is {format_shape(x.shape)}: ONE sample without its "
            f"batch axis; Keras would read it as {x.shape[0]} samples and silently return "
            f"{x.shape[0]} predictions",
            f"x = x[np.newaxis]   # if it is ONE sample of {x.shape[0]} timesteps; "
            f"x[:, np.newaxis, :] if it is {x.shape[0]} samples of one step"))
        return
    rows = x.ndim == 2 and len(declared) == 3 and declared[1] not in (1, x.shape[0])
    if len(declared) == x.ndim + 1 and tuple(declared[2:]) == tuple(x.shape[1:]) and not rows:
        out.append(Finding(
            "batch_in_input_shape", "model input",
            f"the model's input is {format_shape(declared)} (rank {len(declared)}) but x is "
            f"{format_shape(x.shape)}: the declared shape includes the batch",
            f"keras.Input(shape={tuple(x.shape[1:])})   # one sample, no batch"))
        return
    if (x.ndim == len(declared) + 1 and x.shape[-1] == 1 and len(declared) >= 3
            and all(d in (None, s) for d, s in zip(declared[1:], x.shape[1:-1]))):
        # Keras 3 squeezes a trailing axis of one to fit the declared rank: it trains
        out.append(Finding(
            "wrong_rank", "x", f"x is {format_shape(x.shape)}, one axis more than the model's "
            f"{format_shape(declared)}; Keras drops the trailing 1 silently here, other code will not",
            f"x = np.squeeze(x, axis=-1)   # {format_shape(x.shape[:-1])}", "warning"))
        return
    if len(declared) != 3:
        return
    t_decl, f_decl = declared[1], declared[2]
    if x.ndim == 2 and two_d_into_sequence(x, declared, out, model):
        return
    if x.ndim == 3 and (t_decl in (None, x.shape[1])) and (f_decl in (None, x.shape[2])):
        return
    if x.shape[0] > 1 and t_decl == x.shape[0] and f_decl == x.shape[1]:
        out.append(Finding(
            "batch_in_input_shape", "model input",
            f"the model reads (batch, timesteps={t_decl}, features={f_decl}) but x is "
            f"{format_shape(x.shape)}: the declared shape starts with the number of samples",
            f"keras.Input(shape={tuple(x.shape[1:])})   # one sample: (timesteps, features)"))
        return
    if (x.ndim == 3 and None not in (t_decl, f_decl) and t_decl != f_decl
            and (x.shape[1], x.shape[2]) == (f_decl, t_decl) and x.shape[1] != 1):
        # the same two axes in the other order: which side is wrong is a judgement
        if t_decl == 1:  # a declaration of one step: the window sits on the model's features
            out.append(Finding(
                "window_as_features", "model input",
                f"the model reads (batch, timesteps=1, features={f_decl}) and x is "
                f"{format_shape(x.shape)}: the Input puts the window on the feature axis",
                f"keras.Input(shape=({x.shape[1]}, {x.shape[2]}))   # (timesteps, features)"))
        else:
            out.append(Finding(
                "swapped_axes", "x or the model input",
                f"x is {format_shape(x.shape)} and the model reads (batch, timesteps={t_decl}, "
                f"features={f_decl}): the same axes in the other order",
                f"if x is laid out (batch, timesteps, features), declare keras.Input(shape="
                f"({x.shape[1]}, {x.shape[2]})); if the model is right, x = np.transpose(x, "
                "(0, 2, 1))"))
        return
    bindings = {n: Binding(int(s), "the model's Input") for n, s in
                (("timesteps", t_decl), ("features", f_decl)) if s is not None}
    code, fix = classify_mismatch(("batch", "timesteps", "features"), tuple(x.shape),
                                  bindings, "x")
    out.append(Finding(code, "x", f"x is {format_shape(x.shape)} but the model reads "
                       f"(batch, timesteps={t_decl}, features={f_decl})", fix))


def _shrinkers_before(model: Any, layer: Any) -> list[str]:
    """Names of the Conv1D/pooling layers that come before ``layer`` in ``model``."""
    layers = list(getattr(model, "layers", []))
    before = layers[:layers.index(layer)] if layer in layers else []
    return [x.name for x in before if type(x).__name__ in _SHRINK]


def _check_rnn_calls(model: Any, story: ShapeStory, out: list[Finding], x: list | None = None,
                     y: list | None = None) -> None:
    """Rules on each RNN call's input and initial states, from the layer configs; ``x`` and
    ``y`` (lists of arrays) let the data say what an axis of one step holds."""
    x0 = x[0] if x and len(x) == 1 else None
    y0 = y[0] if y and len(y) == 1 else None
    for call in story.rnn_calls:
        _, t, f = call.input_shape
        if t is None and x0 is not None and x0.ndim == 3 and reads_data(model, call.layer) is True:
            t = x0.shape[1]  # Input((None, F)): the data says how many steps arrive
        name, c = f"layer {call.layer.name!r}", call.contract
        shrink = _shrinkers_before(model, call.layer) if t == 1 else []
        if shrink:
            out.append(Finding("conv_pool_shrinks_time", name, f"input (batch, timesteps=1, "
                               f"features={f}): {', '.join(shrink)} shrank the time axis to "
                               "ONE step, so the recurrence has nothing to remember",
                               "Conv1D(..., padding='same') and a smaller pool_size (or none) "
                               "before the RNN", "warning"))
        elif t == 1:
            one_step(model, call, x0, y0, out)
        elif t is not None and f is not None and t <= 4 and f >= 8 * t and (
                reads_data(model, call.layer) is True  # x's own axes, not learned features
                and (x0 is None or features_ordered(x0))):  # with x: only if its features are a series
            out.append(Finding("swapped_axes", name, f"input (batch, timesteps={t}, "
                               f"features={f}): few steps of many features looks like data "
                               f"laid out (batch, features, timesteps)",
                               "if so: x = np.transpose(x, (0, 2, 1)) and "
                               f"Input(shape=({f}, {t}))", "warning"))
        if c.stateful and call.input_shape[0] is None and not story.traced:  # traced: batch unknown
            out.append(Finding("stateful_batch", name, "stateful=True without a fixed batch",
                               "keras.Input(shape=(timesteps, features), batch_size=B)"))
        _check_state_shapes(call, out)
        _check_state_sources(call, out)
    frames(model, x0, y0, out)


def _check_state_shapes(call: Any, out: list[Finding]) -> None:
    """Initial states: n_states tensors per direction, each (batch, units)."""
    c, shapes = call.contract, call.state_shapes
    if not shapes:
        return
    n = c.n_states * (2 if c.bidirectional else 1)
    name = f"layer {call.layer.name!r} initial_state"
    if len(shapes) != n:
        wanted = "[h, c]" if c.n_states == 2 else "[h]"
        out.append(Finding("initial_state_structure", name, f"{c.name} takes {n} initial "
                           f"state tensor(s), got {len(shapes)}"
                           + (" (a GRU ignores the extra c silently)" if c.kind == "GRU"
                              else ""), f"initial_state={wanted}   # each (batch, {c.units})"))
        return
    for i, shape in enumerate(shapes):
        if len(shape) != 2 or shape[-1] != c.units:
            out.append(Finding("initial_state_units" if len(shape) == 2
                               else "initial_state_structure", name,
                               f"state {i} is {format_shape(shape)}, the layer's h and c are "
                               f"(batch, units={c.units})",
                               f"make state {i} (batch, {c.units})"))


def _check_state_sources(call: Any, out: list[Finding]) -> None:
    """Initial states taken from a return_state layer: h and c of ONE direction, in order."""
    sources = [s for s in call.state_sources if s is not None]
    if len(sources) != len(call.state_sources) or call.contract.n_states != 2:
        return
    from lstm_shapes.core.contracts import contract_of

    for i in range(0, len(sources) - 1, 2):  # each a keras_graph.History
        op_h, ih = sources[i].layer, sources[i].tensor_index
        op_c, ic = sources[i + 1].layer, sources[i + 1].tensor_index
        producer = contract_of(op_h) if op_h is op_c else None
        if producer is None or not producer.return_state or producer.n_states != 2:
            continue
        n_out = 2 if producer.bidirectional and producer.merge_mode is None else 1
        h_ok, c_ok = (ih - n_out) % 2 == 0, ic == ih + 1
        if h_ok and c_ok:
            continue
        names = ["output"] * n_out + (["h_fwd", "c_fwd", "h_bwd", "c_bwd"]
                                      if producer.bidirectional else ["h", "c"])
        got = f"[{names[ih]}, {names[ic]}]"
        code = "bidirectional_doubling" if producer.bidirectional else "initial_state_structure"
        out.append(Finding(code, f"layer {call.layer.name!r} initial_state",
                           f"initial_state={got} from {op_h.name!r}: an LSTM starts from "
                           f"[h, c] of one direction", "initial_state=[h_fwd, c_fwd] (or "
                           "[h_bwd, c_bwd]); to start from both, concatenate them and double "
                           "the units" if producer.bidirectional else "initial_state=[h, c]"))
