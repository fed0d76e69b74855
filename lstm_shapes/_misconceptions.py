"""The misconception catalogue: the shared vocabulary of errors, hints and grading.

Each code names one mistake learners make with recurrent shapes. The summary is one
sentence a learner understands at first read; it never contains the fix (the fix depends
on the actual shapes and is rendered next to it).
"""

from __future__ import annotations

MISCONCEPTIONS: dict[str, str] = {
    "missing_timestep_axis": "an RNN reads a sequence per sample, shaped (batch, timesteps, "
    "features); a 2-D array lacks one of these axes (usually the feature axis).",
    "swapped_axes": "timesteps and features are exchanged: the data is laid out "
    "(batch, features, timesteps).",
    "window_as_features": "the look-back window sits on the feature axis with timesteps=1, "
    "so the recurrence sees one step.",
    "no_temporal_context": "each sample has one timestep: the recurrence has nothing to remember.",
    "batch_in_input_shape": "input_shape / Input(shape=...) describes ONE sample; the batch "
    "dimension must not be in it.",
    "input_shape_data_mismatch": "the model was declared for other timesteps/features than "
    "the data has.",
    "embedding_input_rank": "an Embedding turns (batch, timesteps) ids into (batch, timesteps, "
    "dim); ids with an extra axis make the RNN input 4-D.",
    "missing_return_sequences": "a stacked RNN needs the whole sequence from the RNN below it: "
    "that one needs return_sequences=True.",
    "sequence_output_vs_last_target": "the model predicts one value per timestep but the "
    "targets have one value per sequence.",
    "last_output_vs_sequence_target": "the model predicts one value per sequence but the "
    "targets have one value per timestep.",
    "multistep_horizon_mismatch": "the targets hold several future steps but the head "
    "predicts a different number.",
    "output_width_mismatch": "the last layer's width differs from the number of target columns.",
    "target_broadcast": "targets and predictions have shapes that broadcast silently in the "
    "loss: it trains, on the wrong thing.",
    "loss_label_encoding_mismatch": "the loss does not fit the labels' encoding or the "
    "output activation.",
    "timedistributed_rank": "TimeDistributed needs a (batch, timesteps, ...) tensor.",
    "conv_pool_shrinks_time": "a 'valid' Conv1D or a pooling layer shortens the time axis: "
    "the RNN or the per-step targets see fewer timesteps than the data has.",
    "initial_state_units": "initial states h and c are (batch, units), with the units of the "
    "layer they start.",
    "initial_state_structure": "an LSTM takes initial_state=[h, c] (two tensors); a GRU or "
    "SimpleRNN takes [h]; each is (batch, units).",
    "return_state_unpacking": "return_state=True returns [output, h, c] for an LSTM "
    "([output, h] for GRU/SimpleRNN, 5 tensors for a Bidirectional LSTM).",
    "bidirectional_doubling": "a Bidirectional RNN concatenates both directions: its output "
    "is 2*units wide.",
    "stateful_batch": "a stateful RNN keeps h and c per batch row, so it needs one fixed "
    "batch size that divides the samples.",
    "units_equals_timesteps": "units is the size of h and c, not the number of timesteps; "
    "one cell is unrolled over all timesteps.",
    "window_misalignment": "the targets are not the values that follow their windows "
    "(off by one, or they leak into the input).",
    "unexpected_sequence_output": "this tensor is a whole sequence (return_sequences=True) "
    "where one vector per sample is expected.",
    "lstm_gate_count": "an LSTM has 4 gates, in Keras's order input, forget, cell, output, "
    "each with its own kernel, recurrent kernel and bias: 4·(units·(features+units)+units) "
    "parameters.",
    # Codes outside DESIGN.md's table, for mistakes that are not about RNN semantics.
    "wrong_rank": "the tensor has a different number of axes than expected.",
    "dimension_mismatch": "a named dimension has a different size here than where it was "
    "first seen.",
    "batch_mismatch": "the number of samples (the first, batch axis) differs from the one "
    "expected, or from another tensor of the same call.",
    "empty_batch": "the batch (or another axis) is empty: there is nothing to compute on.",
    "wrong_dtype": "the tensor's dtype is not the kind the layer computes with.",
    "not_a_tensor": "the value is not an array or tensor.",
    "ragged_sequences": "the sequences have different lengths; pad them to one length "
    "(keras.utils.pad_sequences) or bucket them.",
    "non_finite_values": "the data contains NaN or inf; the loss becomes NaN.",
    "series_too_short": "the series is too short to cut one window plus its targets from "
    "each part of the train/validation split.",
}


def summary(code: str) -> str:
    """The one-sentence explanation of ``code`` (empty for an unknown code)."""
    return MISCONCEPTIONS.get(code, "")


def _size(bindings, name: str) -> int | None:
    b = bindings.get(name)
    return None if b is None else b.size


def _shape_text(dims) -> str:
    return ", ".join("-1" if d is None else str(d) for d in dims)


def classify_mismatch(
    names: tuple[str, ...],
    actual: tuple[int | None, ...],
    bindings: dict,
    arg: str = "x",
) -> tuple[str, str]:
    """Name the misconception behind ``actual`` not fitting the axes ``names``.

    ``bindings`` holds the dims bound before this value (name -> Binding). Returns
    ``(code, fix)``; the rules follow the semantics of the axis names, not any example.

    >>> classify_mismatch(("batch", "timesteps", "features"), (990, 10), {})
    ('missing_timestep_axis', 'x = x.reshape(990, 10, 1)   # (batch, timesteps, features)')
    """
    if any(d == 0 for d in actual):
        return "empty_batch", f"{arg} has an empty axis {tuple(actual)}: check how it was sliced"
    batch = actual[0] if actual else None
    b_text = "-1" if batch is None else str(batch)
    if names[-2:] == ("timesteps", "features"):
        t_exp, f_exp = _size(bindings, "timesteps"), _size(bindings, "features")
        layout = "   # (batch, timesteps, features)"
        if len(actual) == len(names) - 1 and len(actual) >= 2:
            n = actual[-1]
            if f_exp is not None and n == f_exp and (t_exp is None or actual[0] == t_exp):
                return "missing_timestep_axis", (
                    f"{arg} = {arg}[np.newaxis]   # if it is ONE sample of {actual[0]} "
                    f"timesteps; {arg}[:, np.newaxis, :] if it is {actual[0]} samples of one "
                    f"step")
            if f_exp and f_exp > 1 and n and n % f_exp == 0:
                return "missing_timestep_axis", (
                    f"{arg} = {arg}.reshape({b_text}, {n // f_exp}, {f_exp}){layout}")
            return "missing_timestep_axis", (
                f"{arg} = {arg}.reshape({_shape_text(actual)}, 1){layout}")
        if len(actual) == len(names):
            t, f = actual[-2], actual[-1]
            window_on_features = (t_exp and t_exp > 1 and f == t_exp * (f_exp or 1)
                                  or t_exp is None and f_exp == 1 and f is not None and f > 1)
            if t == 1 and window_on_features:
                return "window_as_features", (
                    f"{arg} = {arg}.reshape({b_text}, {t_exp or f}, {f_exp or 1}){layout}")
            if t_exp and f_exp and t_exp != f_exp and (t, f) == (f_exp, t_exp):
                return "swapped_axes", (
                    f"{arg} = np.transpose({arg}, (0, 2, 1))   # -> (batch, {t_exp}, {f_exp})")
            if t == 1:
                return "no_temporal_context", (
                    "give each sample a window of past steps: "
                    f"{arg} shaped (batch, timesteps > 1, features)")
            if f_exp is not None and f != f_exp:
                return "input_shape_data_mismatch", (
                    f"the layer reads {f_exp} feature(s) per step: give {arg} {f_exp} on its "
                    f"last axis, or declare Input(shape=({t}, {f}))")
            if t_exp is not None and t != t_exp:
                return "input_shape_data_mismatch", (
                    f"declare the input as Input(shape=({t}, {f})) or window the data with "
                    f"timesteps={t_exp if t_exp is not None else t}")
        if len(actual) == 1:
            return "wrong_rank", (
                f"cut the series into windows: w = lstm_shapes.sine_windows({arg}, "
                f"timesteps={t_exp or 10})   # w.x_train is (batch, timesteps, 1)")
        if len(actual) == len(names) + 1:
            if actual[-1] == 1:  # a trailing axis of one, e.g. x[..., np.newaxis] done twice
                return "wrong_rank", (
                    f"{arg} = np.squeeze({arg}, axis=-1)   # -> ({', '.join(names)})")
            code = "embedding_input_rank" if actual[2] == 1 else "wrong_rank"  # (b, t, 1, dim)
            return code, (
                f"{arg} = {arg}.reshape({b_text}, {actual[1]}, -1)   # merge the extra axis")
    if len(names) == 2 and len(actual) == 1 and _size(bindings, names[1]) == 1:
        return "wrong_rank", f"{arg} = {arg}.reshape(-1, 1)   # ({names[0]}, {names[1]})"
    if len(names) == 1 and len(actual) == 2 and 1 in actual:
        return "wrong_rank", f"{arg} = {arg}.ravel()   # ({names[0]},)"
    units = _size(bindings, "units")
    if names and names[-1] == "units" and actual:
        last = actual[-1]
        is_state = any(k in arg for k in ("h", "c", "state"))
        if len(actual) == len(names) + 1 and names == ("batch", "units"):
            code = "initial_state_structure" if is_state else "unexpected_sequence_output"
            fix = (f"pass the last step {arg}[:, -1, :] or build the layer with "
                   "return_sequences=False")
            return code, fix
        if len(actual) + 1 == len(names) and names[1] == "timesteps":
            return "missing_return_sequences", (
                "set return_sequences=True on the RNN layer that produces this tensor")
        if len(actual) == len(names) and units is not None and last != units:
            if last == 2 * units and not is_state:
                return "bidirectional_doubling", (
                    f"a Bidirectional layer of {units} units outputs {2 * units}: expect "
                    f"{2 * units} or use merge_mode='sum'")
            if is_state:
                return "initial_state_units", (
                    f"{arg} = np.zeros(({b_text}, {units}), 'float32')   # (batch, units)")
            if last == _size(bindings, "timesteps"):
                return "units_equals_timesteps", (
                    f"units is the size of h and c ({units} here), not the number of "
                    "timesteps: keep the timesteps in the input shape")
            return "dimension_mismatch", f"make the last axis of {arg} {units} wide (units)"
        if len(actual) == len(names) and "timesteps" in names and units is not None:
            t_exp = _size(bindings, "timesteps")
            got = actual[names.index("timesteps")]
            if t_exp is not None and got != t_exp and got == units:
                return "units_equals_timesteps", (
                    f"the time axis keeps the input's {t_exp} timesteps; units ({units}) is "
                    "only the size of the last axis")
    if names and names[0] == "batch" and actual and "batch" in bindings:
        size, where = bindings["batch"].size, bindings["batch"].where
        if actual[0] is not None and actual[0] != size:
            if where == f"batch={size}":  # a size the caller asked for: say it plainly
                return "batch_mismatch", (
                    f"{arg} should hold {size} samples on its first axis, not {actual[0]}: "
                    "count the samples (windows) again")
            return "batch_mismatch", f"give {arg} the same batch size ({size}) as {where}"
    if len(actual) != len([n for n in names if not n.startswith("*") and n != "..."]):
        return "wrong_rank", f"give {arg} the axes ({', '.join(names)})"
    return "dimension_mismatch", ""
