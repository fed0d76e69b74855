"""Try a fix line before printing it: ``x = <expr>`` is evaluated, never assigned.

>>> import numpy as np
>>> applied = apply_fix("x = x.reshape(4, 3, 1)   # (batch, timesteps, features)",
...                     {"x": np.zeros((4, 3))})
>>> applied.value.shape
(4, 3, 1)
>>> apply_fix("give x a time axis", {}).is_code
False
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Applied:
    """What applying a fix gave: ``is_code`` False for prose; ``value`` None if it raised."""

    is_code: bool
    value: Any = None
    ok: bool = False


def apply_fix(fix: str, names: dict[str, Any]) -> Applied:
    """Evaluate the right-hand side of a one-line ``name = expr`` fix in a copy of ``names``.

    NumPy is available as ``np``. Prose (anything but one assignment) is not code.
    """
    try:
        body = ast.parse(fix.split("#", 1)[0].strip()).body
    except SyntaxError:
        return Applied(is_code=False)
    if len(body) != 1 or not isinstance(body[0], ast.Assign):
        return Applied(is_code=False)
    import numpy as np

    scope: dict[str, Any] = {"np": np, **names}
    try:
        value = eval(compile(ast.Expression(body[0].value), "<fix>", "eval"), scope)
    except Exception:  # noqa: BLE001 - a fix that fails here is not printed
        return Applied(is_code=True)
    return Applied(is_code=True, value=value, ok=True)
