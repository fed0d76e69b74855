"""The ``assert a == b`` that pytest asks to explain: is it about shapes, and of which array?

``pytest_assertrepr_compare`` receives only the two values. The statement is read from the
test's own frame instead: an operand such as ``x.shape``, ``np.shape(x)`` or
``layer.output_shape`` is a real shape, and ``x`` is the array a fix may name. A fix is
applied (its right-hand side evaluated, nothing assigned) before it is printed.

>>> import ast
>>> test = ast.parse("assert w.x_train.shape == (32, 10, 1)").body[0].test
>>> array_name(test.left), array_name(test.comparators[0])
('w.x_train', None)
"""

from __future__ import annotations

import ast
import functools
import linecache
import sys
from dataclasses import dataclass
from types import FrameType

_SHAPE_ATTRIBUTES = {"shape", "output_shape", "input_shape"}
_SHAPE_FUNCTIONS = {"shape", "get_shape", "int_shape"}  # np.shape(x), x.get_shape(), ...
_NOT_THE_TEST = ("_pytest", "pluggy", "lstm_shapes")  # the frames between the assert and here


@dataclass(frozen=True)
class Comparison:
    """The two operands of the failing ``assert left == right``, and the test's frame."""

    left: ast.expr
    right: ast.expr
    frame: FrameType


def _array_of(node: ast.expr) -> ast.expr | None:
    """The expression whose shape ``node`` reads (``x`` of ``x.shape``), else None."""
    if isinstance(node, ast.Attribute) and node.attr in _SHAPE_ATTRIBUTES:
        return node.value
    if isinstance(node, ast.Call) and len(node.args) <= 1 and not node.keywords:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "tuple" and node.args:
            return _array_of(node.args[0])
        if name in _SHAPE_FUNCTIONS:
            if node.args:
                return node.args[0]
            return func.value if isinstance(func, ast.Attribute) else None
    return None


def _dotted(node: ast.expr) -> str | None:
    """``w.x_train`` for a chain of plain names, else None (a call, a subscript, ...)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        owner = _dotted(node.value)
        return None if owner is None else f"{owner}.{node.attr}"
    return None


def is_shape(node: ast.expr) -> bool:
    """Does ``node`` read the shape of an array or tensor (``x.shape``, ``np.shape(x)``)?"""
    return _array_of(node) is not None


def array_name(node: ast.expr) -> str | None:
    """The variable (``x``, ``w.x_train``) whose shape ``node`` reads, if it is one."""
    array = _array_of(node)
    return None if array is None else _dotted(array)


@functools.lru_cache(maxsize=64)
def _asserts(filename: str, source: str) -> tuple[ast.Assert, ...]:
    try:
        tree = ast.parse(source, filename)
    except SyntaxError:
        return ()
    return tuple(node for node in ast.walk(tree) if isinstance(node, ast.Assert))


def _test_frame() -> FrameType | None:
    frame = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.split(".")[0] not in _NOT_THE_TEST:
            return frame
        frame = frame.f_back
    return None


def failing_comparison() -> Comparison | None:
    """The ``assert left == right`` being explained, read from the test's source."""
    frame = _test_frame()
    if frame is None:
        return None
    filename, line = frame.f_code.co_filename, frame.f_lineno
    source = "".join(linecache.getlines(filename, frame.f_globals))
    for node in _asserts(filename, source):
        test = node.test
        if (node.lineno <= line <= (node.end_lineno or node.lineno)
                and isinstance(test, ast.Compare) and len(test.ops) == 1
                and isinstance(test.ops[0], ast.Eq)):
            return Comparison(test.left, test.comparators[0], frame)
    return None


def fix_works(fix: str, comparison: Comparison, want: tuple) -> bool:
    """Would the assert pass after the code of ``fix``? Prose passes as it is.

    Only the right-hand side of ``x = <expr>`` is evaluated, in a copy of the test's names:
    the test's objects are never assigned to.
    """
    from lstm_shapes.core.fixes import apply_fix

    applied = apply_fix(fix, {**comparison.frame.f_globals, **comparison.frame.f_locals})
    if not applied.is_code:
        return True  # words, not code
    try:
        shape = tuple(applied.value.shape) if applied.ok else None
    except Exception:  # noqa: BLE001 - no readable shape: not proven
        return False
    return shape == want  # the assert itself would pass (a None never equals a size)
