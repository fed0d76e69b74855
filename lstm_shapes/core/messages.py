"""The one place that turns structured errors, findings and answers into text.

Every ``[code]`` tag, ``fix:`` line, ``your answer:`` line and shape diff of the product is
written here; the error and finding types hold fields only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lstm_shapes.core.codes import summary


def format_shape(shape: Sequence[int | None] | None) -> str:
    """``(990, 10)`` -> ``"(990, 10)"``; unknown dims print as ``None``; any sequence."""
    if shape is None:
        return "?"
    shape = tuple(shape)
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def format_dims(names: tuple[str, ...]) -> str:
    """``("batch", "units")`` -> ``"(batch, units)"``."""
    return "(" + ", ".join(names) + ")" if len(names) != 1 else f"({names[0]},)"


def _alignment(expected: tuple[str, ...], actual: tuple[int | None, ...]) -> str:
    """``batch = 990, timesteps = 10, features = missing`` for plain named dims."""
    parts = []
    for i, name in enumerate(expected):
        if name.startswith("*") or name == "...":
            return ""
        size = actual[i] if i < len(actual) else "missing"
        parts.append(f"{name} = {'None' if size is None else size}")
    if len(actual) > len(expected):
        return ""  # which axis is the extra one is a guess; the headline shows both
    return ", ".join(parts)


# Codes whose axes do not line up with the expected names: "timesteps = 50" would be the
# units of the layer below, so the axis-by-axis line would mislead.
_MISALIGNED = frozenset({"missing_return_sequences"})


# The catalogue's sentence for these codes speaks of the size a tensor showed first; when
# the size that the tensor contradicts was declared by the caller, it says that instead.
_AGAINST_DECLARED = {
    "dimension_mismatch": "a named dimension has a different size here than the size you "
    "declared for it.",
}


def _contradicts_declared(err: Any) -> bool:
    """Whether an axis of ``err.actual`` differs from a size the caller declared."""
    if err.actual is None or len(err.actual) != len(err.expected) or any(
            t.startswith("*") or t == "..." for t in err.expected):
        return False
    for text, size in zip(err.expected, err.actual):
        factor, _, name = text.rpartition("*")  # "4*units" -> ("4", "*", "units")
        known = err.bindings.get(name)
        if known is not None and known.declared and size is not None and (
                size != int(factor or 1) * known.size):
            return True
    return False


def render_disagreement(dim: str, peers: tuple[str, str], sizes: dict[int, list[str]],
                        axes: tuple[str, ...]) -> tuple[str, str]:
    """``(detail, fix)`` for two tensors of the same axes that disagree on ``dim``.

    Neither is the reference, so both sizes are named (with every other argument that shows
    ``dim``) and neither is blamed.

    >>> detail, fix = render_disagreement("units", ("h", "c"), {32: ["h"], 64: ["c"]},
    ...                                   ("batch", "units"))
    >>> print(detail); print(fix)
    h and c disagree on units: units = 32 in h, units = 64 in c; the h and c of one LSTM both have units columns
    give h and c the units of the layer they start: both (batch, units)
    """
    a, b = peers
    seen = ", ".join(f"{dim} = {size} in {_and(names)}" for size, names in sizes.items())
    if axes == ("batch", "units") and dim == "units":
        return (f"{a} and {b} disagree on units: {seen}; the h and c of one LSTM both have "
                "units columns", f"give {a} and {b} the units of the layer they start: both "
                "(batch, units)")
    return (f"{a} and {b} disagree on {dim}: {seen}; both are {format_dims(axes)}, so they "
            f"share one {dim}", f"give {a} and {b} the same {dim}")


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def render_shape_error(err: Any) -> str:
    """Render a ShapeError as the multi-line message a learner reads.

    >>> from lstm_shapes import ShapeError
    >>> print(ShapeError(where="f argument x", expected=("batch", "units"), actual=(4,),
    ...                  code="wrong_rank"))  # doctest: +NORMALIZE_WHITESPACE
    f argument x: expected (batch, units), got (4,)
      batch = 4, units = missing
      [wrong_rank] the tensor has a different number of axes than expected.
    """
    head = f"{err.where}: "
    if err.expected and err.actual is not None:
        head += f"expected {format_dims(err.expected)}, got {format_shape(err.actual)}"
    elif err.detail:
        head += err.detail
    lines = [head]
    if err.detail and err.expected and err.actual is not None:
        lines.append(f"  {err.detail}")
    if err.expected and err.actual is not None and err.code not in _MISALIGNED:
        aligned = _alignment(err.expected, err.actual)
        if aligned:
            lines.append(f"  {aligned}")
    known = {n: b for n, b in err.bindings.items() if b.where and n in err.expected}
    asked = [f"{n} = {b.size}" for n, b in known.items() if b.declared]
    seen = [f"{n} = {b.size} by {b.where}" for n, b in known.items() if not b.declared]
    if asked:  # sizes the caller named: expect(x, "...", timesteps=10)
        lines.append("  declared sizes: " + ", ".join(asked))
    if seen:  # sizes fixed by an earlier argument or layer
        lines.append("  sizes fixed earlier: " + "; ".join(seen))
    text = summary(err.code)
    if err.code in _AGAINST_DECLARED and _contradicts_declared(err):
        text = _AGAINST_DECLARED[err.code]
    lines.append(f"  [{err.code}] {text}".rstrip())
    if err.fix:
        lines.append(f"  fix: {err.fix}")
    return "\n".join(lines)


def render_finding(code: str, where: str, message: str, fix: str, severity: str) -> str:
    """One finding of check_model as text (``error`` / ``warning``)."""
    head = f"{severity}: {where}: {message}" if where else f"{severity}: {message}"
    lines = [head, f"  [{code}] {summary(code)}".rstrip()]
    if fix:
        lines.append(f"  fix: {fix}")
    return "\n".join(lines)


def render_shape_diff(got: tuple, want: tuple, names: tuple[str, ...], code: str,
                      fix: str) -> list[str]:
    """``assert got == want`` of two shapes, axis by axis, then the mistake and its fix."""
    lines = [f"shapes differ: got {format_shape(got)}, expected {format_dims(names)} = "
             f"{format_shape(want)}"]
    for axis, name in enumerate(names):
        if axis >= len(got):
            lines.append(f"  axis {axis} {name}: missing")
            continue
        sign = "==" if got[axis] == want[axis] else "!="
        lines.append(f"  axis {axis} {name}: {got[axis]} {sign} {want[axis]}")
    lines.extend(f"  axis {axis} (extra): {got[axis]}" for axis in range(len(want), len(got)))
    lines.append(f"  [{code}] {summary(code)}")
    if fix:
        lines.append(f"  fix: {fix}")
    return lines


def render_answer(message: str, fix: str = "") -> str:
    """A plain verdict on the learner's answer: ``your answer: ...`` (and a fix line)."""
    return f"your answer: {message}" + (f"\n  fix: {fix}" if fix else "")


def render_answer_error(exercise: str, error: Any) -> str:
    """One learner-readable paragraph for a probe that raised (an ``AnswerError``)."""
    where = f" (at {error.location})" if error.location else ""
    if error.type == "NotImplementedError":
        return f"{exercise}: not done yet: {error.message}{where}"
    tag = f" [{error.code}]" if error.code else ""
    joint = " " if "\n" not in error.message and len(error.message) < 200 else "\n"
    return f"{exercise}: your code raised {error.type}{tag}{where}:{joint}{error.message}"
