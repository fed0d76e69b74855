"""x and y as check_model sees them: arrays from datasets, dicts by name, lists per output."""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_shapes.core.messages import format_shape
from lstm_shapes.diagnosis.findings import Finding, Report


def _by_name(value: Any, names: list[str], what: str, out: list[Finding]) -> Any:
    """A dict of arrays keyed by the model's input/output names, as a list in their order."""
    if not isinstance(value, dict):
        return value
    if names and set(value) == set(names):
        return [value[n] for n in names]
    if what == "y" and names and value and set(value) < set(names):
        return [value.get(n) for n in names]  # outputs without a loss need no targets
    out.append(Finding("not_a_tensor", what, f"{what} is a dict with keys {sorted(value)} but "
                       f"the model's {'inputs' if what == 'x' else 'outputs'} are named "
                       f"{names or 'nothing (no named inputs)'}",
                       f"key {what} by those names, or pass a list in their order"))
    return None


def _data(model: Any, x: Any, y: Any, report: Report) -> tuple[Any, Any]:
    """What ``model.fit`` accepts, as arrays: one batch of a dataset, dicts by name."""
    out = report.findings
    if hasattr(x, "element_spec"):  # a tf.data.Dataset: its first batch is the evidence
        try:
            first = next(iter(x))
        except StopIteration:
            out.append(Finding("empty_batch", "x", "the dataset is empty",
                               "check how the dataset was built (a filter or take(0)?)"))
            return None, None
        if isinstance(first, (tuple, list)) and len(first) >= 2 and y is None:
            x, y = first[0], first[1]
        else:
            x = first
        report.note = "(checked the first batch of the dataset)"
    elif hasattr(x, "__next__"):  # a generator: checking would consume the learner's data
        out.append(Finding("not_a_tensor", "x", "x is a generator (or iterator)",
                           "check one batch: xb, yb = next(gen); check_model(model, xb, yb)"))
        return None, None
    inputs = [t.name for t in getattr(model, "inputs", None) or []]
    outputs = list(getattr(model, "output_names", None) or [])
    return _by_name(x, inputs, "x", out), _by_name(y, outputs, "y", out)


def _as_array(value: Any, name: str, out: list[Finding]) -> np.ndarray | None:
    """``value`` as a numeric array, or None with a finding saying why not."""
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    lengths = _ragged(value)
    if lengths is not None:  # sequences of different lengths: pad, then mask the padding
        count, short, long, step = lengths
        mask = ("; a Masking() layer (or Embedding(mask_zero=True)) before the RNN then skips "
                "the padded steps") if name.startswith("x") else " (pad the inputs the same way)"
        out.append(Finding(
            "ragged_sequences", name, f"{name} holds {count} sequences of {short} to {long} "
            "steps: not one array",
            f"{name} = keras.utils.pad_sequences({name}, dtype='float32', padding='post')   "
            f"# {format_shape((count, long, *step))}{mask}"))
        return None
    try:
        array = np.asarray(value)
    except ValueError:
        out.append(Finding("not_a_tensor", name, f"{name} is not one numeric array: its items "
                           "do not stack", f"build {name} as one array (samples, ...)"))
        return None
    if array.dtype == object:
        out.append(Finding("not_a_tensor", name, f"{name} is not one numeric array (dtype "
                           f"object)", f"{name} = np.asarray({name}, dtype='float32')"))
        return None
    if array.dtype.kind not in "biuf":
        out.append(Finding("wrong_dtype", name, f"{name} has dtype {array.dtype}",
                           f"{name} = {name}.astype('float32')"))
        return None
    if array.ndim == 0 or 0 in array.shape:
        out.append(Finding("empty_batch", name, f"{name} is empty {format_shape(array.shape)}",
                           f"check how {name} was sliced"))
        return None
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        bad = int((~np.isfinite(array)).sum())
        out.append(Finding("non_finite_values", name, f"{name} holds {bad} NaN/inf value(s)",
                           f"drop or fill them: {name} = np.nan_to_num({name})"))
    return array


def _ragged(value: Any) -> tuple[int, int, int, tuple] | None:
    """(count, shortest, longest, shape of a step) when ``value`` (a list, tuple or object array) holds numeric
    sequences of different lengths whose steps all have one shape; None otherwise.

    >>> _ragged([[1.0, 2.0], [3.0]]), _ragged([[1.0], [2.0]]), _ragged(["a", "bc"])
    ((2, 1, 2, ()), None, None)
    """
    if isinstance(value, np.ndarray) and value.dtype == object:
        items = list(value.ravel())
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        return None
    if len(items) < 2 or isinstance(items[0], (str, bytes)):
        return None
    try:
        arrays = [np.asarray(v) for v in items]
    except ValueError:
        return None
    if any(a.ndim == 0 or a.dtype.kind not in "biuf" for a in arrays):
        return None
    if len({a.shape[1:] for a in arrays}) != 1:
        return None
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) < 2:
        return None
    return len(arrays), min(lengths), max(lengths), arrays[0].shape[1:]
