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
    asked = [f"{n} = {b.size}" for n, b in known.items() if b.where == f"{n}={b.size}"]
    seen = [f"{n} = {b.size} by {b.where}" for n, b in known.items()
            if b.where != f"{n}={b.size}"]
    if asked:  # sizes the caller named: expect(x, "...", timesteps=10)
        lines.append("  expected sizes: " + ", ".join(asked))
    if seen:  # sizes fixed by an earlier argument or layer
        lines.append("  sizes fixed earlier: " + "; ".join(seen))
    text = summary(err.code)
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
