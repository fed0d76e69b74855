"""Explain two unequal shapes axis by axis (the plugin's ``assert a.shape == (...)`` help).

The right-hand side is read as the expected shape; its axes get the names of the LSTM story
by rank: ``(batch, units)``, ``(batch, timesteps, features)``.

>>> print("\\n".join(explain_shapes((32, 10), (32, 10, 1))))
shapes differ: got (32, 10), expected (batch, timesteps, features) = (32, 10, 1)
  axis 0 batch: 32 == 32
  axis 1 timesteps: 10 == 10
  axis 2 features: missing
  [missing_timestep_axis] an RNN reads a sequence per sample, shaped (batch, timesteps, features); a 2-D array lacks one of these axes (usually the feature axis).
  fix: answer = answer.reshape(32, 10, 1)   # (batch, timesteps, features)
"""

from __future__ import annotations

from typing import Any

_NAMES = {1: ("batch",), 2: ("batch", "units"), 3: ("batch", "timesteps", "features"),
          4: ("batch", "timesteps", "features", "channels")}


def _as_shape(value: Any) -> tuple[int | None, ...] | None:
    if type(value).__name__ == "TensorShape":
        value = tuple(value.as_list()) if value.rank is not None else None
    if not isinstance(value, tuple) or not 1 <= len(value) <= 4:
        return None
    if not all(d is None or (isinstance(d, int) and not isinstance(d, bool) and d >= 0)
               for d in value):
        return None
    return value


def explain_shapes(left: Any, right: Any) -> list[str] | None:
    """Lines that explain ``left != right`` when both are shapes; None otherwise."""
    from ._errors import Binding
    from ._messages import format_dims, format_shape
    from ._misconceptions import classify_mismatch, summary

    got, want = _as_shape(left), _as_shape(right)
    if got is None or want is None or got == want:
        return None
    names = _NAMES[len(want)]
    lines = [f"shapes differ: got {format_shape(got)}, expected {format_dims(names)} = "
             f"{format_shape(want)}"]
    for axis, name in enumerate(names):
        if axis >= len(got):
            lines.append(f"  axis {axis} {name}: missing")
            continue
        sign = "==" if got[axis] == want[axis] else "!="
        lines.append(f"  axis {axis} {name}: {got[axis]} {sign} {want[axis]}")
    lines.extend(f"  axis {axis} (extra): {got[axis]}" for axis in range(len(want), len(got)))
    bindings = {n: Binding(s, "the expected shape") for n, s in zip(names, want)
                if s is not None}
    code, fix = classify_mismatch(names, got, bindings, "answer")
    lines.append(f"  [{code}] {summary(code)}")
    if fix:
        lines.append(f"  fix: {fix}")
    return lines
