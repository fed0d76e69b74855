"""Probes: import the learner's file afresh, run each probe_<key>(module, rng), store the answers."""

from __future__ import annotations

import importlib.util
import itertools
import sys
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


def _seed_frameworks(seed: int, key: str) -> None:
    """Seed Python, NumPy and (if the learner's code imported it) Keras before a probe."""
    import random
    import sys

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
    loaded) Keras's generators are seeded the same way, so training is reproducible.
    """
    import contextlib
    import sys

    learner_file = getattr(learner_module, "__file__", None)
    for key, probe in sorted(probes_of(test_module).items()):
        rng = probe_rng(seed, key)
        checks: Any = contextlib.nullcontext()
        if "keras" in sys.modules:  # name Keras's errors: the learner sees code and fix
            from lstm_shapes.diagnosis.diagnosing import diagnosing

            checks = diagnosing()
        try:
            _seed_frameworks(seed, key)
            with checks:
                value = probe(learner_module, rng)
            save_answer(directory, key, value)
        except Exception as err:  # noqa: BLE001 - the learner's error IS the answer
            cause = err.__cause__ if err.__cause__ is not None else err
            save_error(directory, key, err, location=error_location(cause, learner_file))


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
