"""Assertions for exercise tests: a failure names the misconception and what to change.

Exercise tests judge the learner's *answers* (plain arrays, numbers, reloaded models). When
an answer is wrong, these helpers fail the test with the same message format as the rest
of the product (one renderer: ``lstm_shapes.core.messages``), so every failed exercise shows a
misconception code, a one-line explanation and a fix.

>>> import numpy as np
>>> assert_shape(np.zeros((4, 10, 1)), "batch timesteps features", "x", timesteps=10)
>>> assert_shape_tuple((32, 50), (32, 50), "batch units", "h")
>>> assert_close(np.ones(3), np.ones(3) + 1e-7, "h")
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

import pytest


class Verdict(pytest.fail.Exception):
    """A failed exercise test that carries its misconception codes as data.

    pytest treats it as ``pytest.fail(message, pytrace=False)``; the plugin copies
    ``codes`` into the report, and from there into results.json and the gradebook.
    """

    def __init__(self, message: str, codes: Iterable[str | None] = ()) -> None:
        super().__init__(message, pytrace=False)
        self.codes = tuple(dict.fromkeys(c for c in codes if c))


def fail(message: str, *codes: str | None) -> NoReturn:
    """Fail the current test with ``message``, naming the misconception ``codes``."""
    __tracebackhide__ = True
    raise Verdict(message, codes)


def fail_with(code: str, message: str, fix: str = "", *, where: str = "your answer") -> NoReturn:
    """Fail the current test with a finding: ``[code]`` summary, ``message`` and ``fix``."""
    from lstm_shapes.core.messages import render_finding

    fail(render_finding(code, "", message, fix, where), code)


def assert_shape(value: Any, spec: str, what: str, *, terms: dict[str, str] | None = None,
                 **dims: int) -> None:
    """Fail unless ``value`` (array/tensor) has the axes ``spec`` with the sizes ``dims``.

    ``terms`` says how the learner's code writes each size (``{"timesteps": "timesteps",
    "batch": "len(x)"}``): the fix line then uses those words instead of the probe's numbers,
    and it is printed only if the same fix, in numbers, gives ``value`` the right shape.
    """
    from lstm_shapes.core.checking import expect
    from lstm_shapes.core.errors import ShapeError

    try:
        expect(value, spec, name=what, **dims)
    except ShapeError as err:
        if terms:
            err = _in_terms(err, value, spec, what, dims, terms)
        message, code = str(err), err.code
    else:
        return
    fail(message, code)  # outside the except: no "during handling" echo


def _in_terms(err: Any, value: Any, spec: str, what: str, dims: dict[str, int],
              terms: dict[str, str]) -> Any:
    """``err`` with its fix in the learner's terms, or with no fix if the fix is not proven."""
    from dataclasses import replace

    from lstm_shapes.core.checking import expect
    from lstm_shapes.core.classify import classify_mismatch
    from lstm_shapes.core.errors import Binding, ShapeError
    from lstm_shapes.core.fixes import apply_fix

    bindings = dict(err.bindings)
    names, actual = err.expected, err.actual or ()
    if "batch" in terms and "batch" not in bindings and names[:1] == ("batch",) and actual:
        bindings["batch"] = Binding(int(actual[0]), what)  # len(x) is the answer's own count
    worded = {n: replace(b, term=terms.get(n)) for n, b in bindings.items()}
    _, fix = classify_mismatch(names, actual, worded, what)
    applied = apply_fix(err.fix, {what: value}) if what.isidentifier() else None
    if applied is not None and applied.is_code:
        try:
            expect(applied.value, spec, name=what, **dims)
        except Exception:  # noqa: BLE001 - not proven: say nothing rather than mislead
            fix = ""
    elif applied is None:
        fix = err.fix  # a fix for an expression cannot be applied: keep the numbers
    return ShapeError(where=err.where, expected=names, actual=err.actual, bindings=err.bindings,
                      code=err.code, fix=fix, detail=err.detail)


def assert_shape_tuple(answer: Any, expected: tuple[int, ...], spec: str, what: str,
                       code: str | None = None, *, terms: dict[str, str] | None = None,
                       **known: int) -> None:
    """Fail unless the predicted shape ``answer`` equals ``expected`` (axes named ``spec``).

    ``known`` gives the sizes of other dims of the question (e.g. ``timesteps=10``), so a
    mistake is classified from the axis names (e.g. ``units_equals_timesteps``); ``code``
    overrides the classification. ``terms`` names the learner's arguments for the axes
    (``{"units": "units"}``): the fix then says which argument belongs on which axis.
    """
    from lstm_shapes.core.classify import classify_mismatch
    from lstm_shapes.core.errors import Binding, ShapeError

    names = tuple(spec.split())
    try:
        got = tuple(None if d is None else int(d) for d in answer)
    except (TypeError, ValueError):
        fail_with("wrong_rank", f"{what}: a shape is a tuple of ints like {expected}, "
                                f"got {answer!r}", where=what)
    if got == tuple(expected):
        return
    sizes = {**known, **dict(zip(names, expected))}
    bindings = {n: Binding(int(s), "the question") for n, s in sizes.items() if s is not None}
    found, _ = classify_mismatch(names, got, bindings, "answer")  # its fix is for tensors
    correct = ", ".join(f"{n} = {s}" for n, s in zip(names, expected))
    detail = f"you predicted {got}; the axes are ({', '.join(names)}) with {correct}"
    words = [(terms or {}).get(n, n) for n in names]
    fix = f"({', '.join(words)})   # the shape of {what}"
    fail(str(ShapeError(where=what, expected=names, actual=got, code=code or found, fix=fix,
                        detail=detail)), code or found)


def assert_close(got: Any, want: Any, what: str, *, atol: float = 1e-5, fix: str = "",
                 code: str | None = None) -> None:
    """Fail unless ``got`` equals ``want`` to ``atol``, in a few lines (not an array dump).

    The message says where the largest difference is and how many values are off; with
    ``code`` it is a finding (``[code]``, ``fix``), else a plain ``your answer:`` line.
    """
    import numpy as np

    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got.shape != want.shape:
        message = f"{what} has shape {got.shape}, expected {want.shape}"
    else:
        diff = np.abs(got - want)
        diff[np.isnan(got) != np.isnan(want)] = np.inf
        if not (diff > atol).any():
            return
        where = tuple(int(i) for i in np.unravel_index(np.nanargmax(diff), diff.shape))
        message = (f"{what} differs from the reference in {int((diff > atol).sum())} of "
                   f"{diff.size} values; the largest gap is at {where}: yours "
                   f"{got[where]:.5g}, expected {want[where]:.5g}")
    if code is not None:
        fail_with(code, message, fix)
    from lstm_shapes.core.messages import render_answer

    fail(render_answer(message, fix))

