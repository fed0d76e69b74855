"""Probes: import the learner's file afresh, run each probe_<key>(module, rng), store the answers.

A test module may name library functions the exercise asks the learner to write, in
``OFF_LIMITS = ("lstm_step", "lstm_unroll")`` (public names, or full dotted paths of
internals such as ``"lstm_shapes.core.contracts.expected_shapes"``): while its probes run, calling any of them --
through any import or alias -- raises :class:`OffLimits`, and the answer is that error.
So the probes never call those functions themselves (the tests, which judge, may).
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from lstm_shapes.exercises.answers import error_location, save_answer, save_error


def probes_of(test_module: Any) -> dict[str, Any]:
    """The ``probe_<key>`` functions of an exercise's test module, by key."""
    return {name[len("probe_"):]: fn for name, fn in vars(test_module).items()
            if name.startswith("probe_") and callable(fn)}


def exercise_seed(seed: int, exercise: str) -> int:
    """The seed of one exercise's probes in a run seeded ``seed``.

    A grading child is given only this number: it reproduces its own exercise's inputs and
    no other exercise's.

    >>> exercise_seed(0, "windows") == exercise_seed(0, "windows") != exercise_seed(0, "shapes")
    True
    """
    return int(np.random.default_rng([seed, *exercise.encode()]).integers(2**62))


def probe_rng(seed: int, key: str) -> np.random.Generator:
    """The generator probe ``key`` gets in a run seeded ``seed`` (tests re-derive inputs).

    >>> bool(probe_rng(0, "shape").integers(100) == probe_rng(0, "shape").integers(100))
    True
    """
    return np.random.default_rng([seed, *key.encode()])


class OffLimits(RuntimeError):
    """The learner's code called a library function that its exercise asks them to write."""

    code = "library_answer"


class MissingDefinition(AttributeError):
    """The learner's file lacks a function (or name) that the exercise's tests call."""

    code = "missing_definition"


_REFUSAL = "_lstm_shapes_off_limits"


def _refusing_code(function: Any, name: str) -> Any:
    """A code object with ``function``'s free variables that raises OffLimits for ``name``."""
    free = function.__code__.co_freevars
    touch = f"        ({', '.join(free)},)\n" if free else ""  # keeps them free, in order
    source = (f"def _outer({', '.join(free)}):\n    def {function.__name__}(*args, **kwargs):\n"
              f"{touch}        raise {_REFUSAL}({name!r})\n    return {function.__name__}\n")
    namespace: dict[str, Any] = {}
    exec(source, namespace)
    code = namespace["_outer"](*free).__code__
    if code.co_freevars != free:
        raise TypeError(f"OFF_LIMITS: the code of {name} cannot be swapped")
    return code


@contextlib.contextmanager
def off_limits(names: Iterable[str]) -> Iterator[None]:
    """While inside, the public ``lstm_shapes`` functions ``names`` raise OffLimits.

    Their code objects are swapped, so every reference -- ``from lstm_shapes import
    lstm_step``, a module attribute, an alias taken earlier -- refuses. A function whose
    module is not imported yet is swapped when it is imported (so an exercise that needs no
    TensorFlow does not import it here). Copying the library's source is copying; no guard
    in a process can tell that from writing it.

    >>> import lstm_shapes
    >>> with off_limits(["lstm_param_count"]):
    ...     lstm_shapes.lstm_param_count(50, 1)
    Traceback (most recent call last):
    ...
    lstm_shapes.exercises.probes.OffLimits: lstm_param_count
    >>> lstm_shapes.lstm_param_count(50, 1)
    10400
    """
    import lstm_shapes
    from lstm_shapes.core.import_hooks import wrap_import

    home = {n: module for module, public in lstm_shapes._EXPORTS.items() for n in public}
    swapped: list[tuple[Any, Any]] = []
    window = {"open": True}

    def swap(function: Any, name: str) -> None:
        while function is not None:  # the decorator's wrapper and what it wraps
            function.__globals__[_REFUSAL] = _refuse
            swapped.append((function, function.__code__))
            function.__code__ = _refusing_code(function, name)
            function = getattr(function, "__wrapped__", None)

    def when_imported(name: str) -> Any:
        def run(exec_module: Any, module: Any) -> None:
            exec_module(module)
            if window["open"]:
                swap(getattr(module, name.rpartition(".")[2]), name)
        return run

    try:
        for name in names:
            if "." in name:  # a full path to a library internal: lstm_shapes.core.x.f
                where, _, short = name.rpartition(".")
            elif name in home:
                where, short = home[name], name
            else:
                raise AttributeError(f"OFF_LIMITS: lstm_shapes has no public {name!r}")
            module = sys.modules.get(where)
            if module is not None:
                swap(getattr(module, short), name)
            else:
                wrap_import(where, when_imported(name))
        yield
    finally:
        window["open"] = False
        for function, code in swapped:
            function.__code__ = code
            function.__globals__.pop(_REFUSAL, None)


def _refuse(name: str) -> OffLimits:
    """What a swapped function raises: its own name (run_probes words the message)."""
    return OffLimits(name)


def _seed_frameworks(seed: int, key: str) -> None:
    """Seed Python, NumPy and (if the learner's code imported it) Keras before a probe."""
    import random

    derived = int(probe_rng(seed, key).integers(2**31 - 1))
    random.seed(derived)
    np.random.seed(derived)
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(derived)


def run_probes(test_module: Any, learner_module: Any, directory: str | Path,
               seed: int) -> None:
    """Run every probe against the learner's module; write answers (or errors) to files.

    Each probe gets its own ``np.random.Generator`` seeded from ``seed`` and the key, so the
    inputs do not depend on the order probes run in; Python's, NumPy's global and (when
    loaded) Keras's generators are seeded the same way, so training is reproducible. The
    test module's ``OFF_LIMITS`` functions refuse while the probes run.
    """
    learner_file = getattr(learner_module, "__file__", None)
    forbidden = tuple(getattr(test_module, "OFF_LIMITS", ()))
    with off_limits(forbidden):
        for key, probe in sorted(probes_of(test_module).items()):
            checks: Any = contextlib.nullcontext()
            if "keras" in sys.modules:  # name Keras's errors: the learner sees code and fix
                from lstm_shapes.diagnosis.diagnosing import diagnosing

                checks = diagnosing()
            try:
                _seed_frameworks(seed, key)
                with checks:
                    value = probe(learner_module, probe_rng(seed, key))
                save_answer(directory, key, value)
            except Exception as err:  # noqa: BLE001 - the learner's error IS the answer
                cause = err.__cause__ if err.__cause__ is not None else err
                called = _off_limits_in(err)
                if called is not None:  # however Keras or the learner wrapped it
                    full = called if called.startswith("lstm_shapes.") else (
                        f"lstm_shapes.{called}")
                    err = OffLimits(f"your code called {full}: this exercise "
                                    "asks you to write that part yourself, so the library's "
                                    "own answer is off limits here")
                elif isinstance(err, AttributeError) and err.obj is learner_module:
                    err = MissingDefinition(
                        f"{Path(learner_file or 'your file').name} defines no {err.name!r}, "
                        "which the tests call: keep the names the exercise gives (was it "
                        "renamed, deleted, or left out?)")
                where = None if isinstance(err, MissingDefinition) else error_location(
                    cause, learner_file)  # the probe's line in the test file says nothing
                save_error(directory, key, err, location=where)


def _off_limits_in(err: BaseException | None) -> str | None:
    """The name of the off-limits function behind ``err`` (its causes included), if any."""
    for _ in range(20):
        if err is None:
            return None
        if isinstance(err, OffLimits):
            return str(err)
        err = err.__cause__ or err.__context__
    return None


_counter = itertools.count()


def import_learner(path: Path) -> Any:
    """Import the learner's file afresh under a unique module name (errors propagate)."""
    name = f"lstm_shapes_learner_{path.stem}_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look their module up here
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module
