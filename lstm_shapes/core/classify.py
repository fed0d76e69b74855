"""Name the misconception behind a shape that does not fit its named axes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lstm_shapes.core.dims import axis_names
from lstm_shapes.core.errors import Binding
from lstm_shapes.core.messages import render_shape_diff


def _as_shape(value: Any) -> tuple[int | None, ...] | None:
    """``value`` as a shape: a TensorShape, or a plain tuple (not a namedtuple) of dims."""
    if type(value).__name__ == "TensorShape":
        value = tuple(value.as_list()) if value.rank is not None else None
    if type(value) is not tuple or not 1 <= len(value) <= 4:
        return None
    if not all(d is None or (isinstance(d, int) and not isinstance(d, bool) and d >= 0)
               for d in value):
        return None
    return value


def _names_a_state(arg: str) -> bool:
    """``h``, ``c``, ``h0``, ``enc_c``, ``initial_state``: a name for an RNN state, not ``batch``.

    >>> [_names_a_state(a) for a in ("h", "c_0", "enc_h", "states", "batch", "scale")]
    [True, True, True, True, False, False]
    """
    words = arg.lower().replace(".", "_").split("_")
    return "state" in arg.lower() or any(w.rstrip("0123456789") in ("h", "c") for w in words)


def _axis_order(actual: tuple, names: tuple[str, ...], bindings) -> tuple[int, ...] | None:
    """The transpose that gives ``actual`` the axes ``names``, when it holds them reordered.

    Only sizes known to differ can tell axes apart: ``(10, 990, 1)`` against (batch=990,
    timesteps=10, features=1) is time-major: ``np.transpose(x, (1, 0, 2))``.

    >>> from lstm_shapes.core.errors import Binding
    >>> known = {n: Binding(s, "") for n, s in zip(("batch", "timesteps", "features"),
    ...                                            (990, 10, 1))}
    >>> _axis_order((10, 990, 1), ("batch", "timesteps", "features"), known)
    (1, 0, 2)
    """
    want = [_size(bindings, n) for n in names]
    moved = [i for i, w in enumerate(want) if w is not None]  # unknown sizes stay in place
    sizes = [want[i] for i in moved]
    if len(moved) < 2 or len(set(sizes)) != len(sizes) or sorted(
            actual[i] or 0 for i in moved) != sorted(sizes):
        return None  # repeated or missing sizes cannot tell the axes apart
    order = list(range(len(names)))
    for i in moved:
        order[i] = next(j for j in moved if actual[j] == want[i])
    return None if order == sorted(order) else tuple(order)


def _transpose(arg: str, order: tuple[int, ...], names: tuple[str, ...], bindings) -> str:
    said = [_say(bindings, n, _size(bindings, n)) if _size(bindings, n) else n for n in names]
    # a term such as len(x) reads the array before the transpose: show the number there
    goal = ", ".join(w if w.isidentifier() or w.isdigit() else str(_size(bindings, n))
                     for w, n in zip(said, names))
    return f"{arg} = np.transpose({arg}, {order})   # -> ({goal})"


def _size(bindings, name: str) -> int | None:
    b = bindings.get(name)
    return None if b is None else b.size


def _say(bindings, name: str, size: int | None) -> str:
    """``size`` as the caller writes it: its term (``timesteps``) when ``name`` is bound to
    exactly that size with one, else the number (``-1`` for an unknown size)."""
    b = bindings.get(name)
    if size is None:
        return "-1"
    return b.term if b is not None and b.term and b.size == size else str(size)


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
    b_text = _say(bindings, names[0], batch) if names else "-1"
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
                    f"{arg} = {arg}.reshape({b_text}, {_say(bindings, 'timesteps', n // f_exp)}, "
                    f"{_say(bindings, 'features', f_exp)}){layout}")
            given = ", ".join(_say(bindings, name, d) for name, d in zip(names, actual))
            return "missing_timestep_axis", (
                f"{arg} = {arg}.reshape({given}, {_say(bindings, 'features', 1)}){layout}")
        if len(actual) == len(names):
            t, f = actual[-2], actual[-1]
            window_on_features = (t_exp and t_exp > 1 and f == t_exp * (f_exp or 1)
                                  or t_exp is None and f_exp == 1 and f is not None and f > 1)
            if t == 1 and window_on_features:
                return "window_as_features", (
                    f"{arg} = {arg}.reshape({b_text}, {_say(bindings, 'timesteps', t_exp or f)}, "
                    f"{_say(bindings, 'features', f_exp or 1)}){layout}")
            order = _axis_order(actual, names, bindings)
            if order is not None:
                return "swapped_axes", _transpose(arg, order, names, bindings)
            if t == 1:
                return "no_temporal_context", (
                    "give each sample a window of past steps: "
                    f"{arg} shaped (batch, timesteps > 1, features)")
            if f_exp is not None and f != f_exp and t == f_exp:  # features on the time axis?
                return "input_shape_data_mismatch", (
                    f"the layer reads {f_exp} feature(s) per step and {arg} has {f_exp} on its "
                    f"time axis: if those are the features, {arg} = np.transpose({arg}, "
                    f"(0, 2, 1)); if not, give {arg} {f_exp} on its last axis")
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
                f"{arg} = {arg}.reshape({'len(' + arg + ')' if b_text == '-1' else b_text}, "
                f"{_say(bindings, names[1], actual[1])}, -1)   # merge the extra axis "
                "(NumPy takes one -1)")
    if len(names) == 2 and len(actual) == 1 and _size(bindings, names[1]) == 1:
        return "wrong_rank", f"{arg} = {arg}.reshape(-1, 1)   # ({names[0]}, {names[1]})"
    if len(names) == 1 and len(actual) == 2 and 1 in actual:
        return "wrong_rank", f"{arg} = {arg}.ravel()   # ({names[0]},)"
    order = _axis_order(actual, names, bindings) if len(actual) == len(names) else None
    if order is not None:
        return "swapped_axes", _transpose(arg, order, names, bindings)
    units = _size(bindings, "units")
    if names and names[-1] == "units" and actual:
        last = actual[-1]
        is_state = _names_a_state(arg)
        if (len(actual) == len(names) + 1 and actual[-1] == 1
                and tuple(actual[:-1]) == tuple(_size(bindings, n) for n in names)):
            return "wrong_rank", f"{arg} = np.squeeze({arg}, axis=-1)   # a trailing axis of one"
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
                    f"{arg} = np.zeros(({b_text}, {_say(bindings, 'units', units)}), 'float32')"
                    "   # (batch, units)")
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
    fixed = [n for n in names if not n.startswith("*") and n != "..."]
    if (names and names[0] == "batch" and actual and "batch" in bindings
            and (len(actual) == len(names) or len(fixed) < len(names))):  # rank first
        size, where = bindings["batch"].size, bindings["batch"].where
        if actual[0] is not None and actual[0] != size:
            if bindings["batch"].declared:  # a size the caller asked for: say it plainly
                return "batch_mismatch", (
                    f"{arg} should hold {_say(bindings, 'batch', size)} samples on its first "
                    f"axis, not {actual[0]}: count the samples (windows) again")
            return "batch_mismatch", f"give {arg} the same batch size ({size}) as {where}"
    if len(actual) != len(fixed):
        return "wrong_rank", f"give {arg} the axes ({', '.join(names)})"
    return "dimension_mismatch", ""


def explain_shapes(got: Any, want: Any, arg: str | None = None,
                   proven: Callable[[str], bool] = lambda fix: True) -> list[str] | None:
    """Lines that explain ``got != want`` when both are shapes; None otherwise.

    ``want``'s axes get the names of the LSTM story by rank: ``(batch, units)``, ``(batch,
    timesteps, features)``. A fix names ``arg``, the array whose shape ``got`` is; without
    one, or when ``proven(fix)`` is false, no fix is printed.

    >>> print("\\n".join(explain_shapes((32, 10), (32, 10, 1), arg="x")))
    shapes differ: got (32, 10), expected (batch, timesteps, features) = (32, 10, 1)
      axis 0 batch: 32 == 32
      axis 1 timesteps: 10 == 10
      axis 2 features: missing
      [missing_timestep_axis] an RNN reads a sequence per sample, shaped (batch, timesteps, features); a 2-D array lacks one of these axes (usually the feature axis).
      fix: x = x.reshape(32, 10, 1)   # (batch, timesteps, features)
    """
    got, want = _as_shape(got), _as_shape(want)
    if got is None or want is None or got == want:
        return None
    names = axis_names(len(want), last="units" if len(want) == 2 else None)  # 2-D: last h
    bindings = {n: Binding(s, "the expected shape") for n, s in zip(names, want)
                if s is not None}
    code, fix = classify_mismatch(names, got, bindings, arg or "x")
    return render_shape_diff(got, want, names, code, fix if arg and proven(fix) else "")
