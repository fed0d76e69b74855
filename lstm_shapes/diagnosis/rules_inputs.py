"""Rules on what reaches the RNNs: the data against the declared input, each RNN call, initial states."""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_shapes.core.messages import format_shape
from lstm_shapes.diagnosis.data_axes import features_ordered, reads_data
from lstm_shapes.diagnosis.findings import Finding
from lstm_shapes.diagnosis.rules_states import check_states
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
    looped = {id(c.layer) for c in story.rnn_calls if c.state_shapes}
    for call in story.rnn_calls:
        _, t, f = call.input_shape
        if t is None and x0 is not None and x0.ndim == 3 and reads_data(model, call.layer) is True:
            t = x0.shape[1]  # Input((None, F)): the data says how many steps arrive
        name, c = f"layer {call.layer.name!r}", call.contract
        shrink = _shrinkers_before(model, call.layer) if t == 1 else []
        if t == 1 and id(call.layer) in looped:
            pass  # one step of a layer that is handed states: a loop unrolled by hand
        elif shrink:
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
        if c.stateful and call.input_shape[0] is None and not story.traced:  # a traced
            # (subclassed) model's batch is shown as None: its layers saw the real one
            out.append(Finding("stateful_batch", name, "stateful=True without a fixed batch",
                               "keras.Input(shape=(timesteps, features), batch_size=B)"))
        check_states(call, out)
    frames(model, x0, y0, out)
