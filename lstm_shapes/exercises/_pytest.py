"""Fixtures of the exercise series (registered by lstm_shapes.pytest_plugin).

An exercise's test module ``<dir>/test_<name>.py`` defines ``probe_<key>(module, rng)``
functions and tests that take the ``answers`` fixture. Without options the fixture imports
the learner's ``<dir>/<name>.py`` afresh, runs the probes, writes their answers to files and
loads the files back (the same round trip as grading). With ``--lstm-answers=DIR`` it only
loads ``DIR/<name>/``: the learner's code is not imported at all.

This module must stay cheap to import (no NumPy, no TensorFlow at import time).
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

ANSWERS_HELP = ("judge the answers stored in DIR/<exercise name>/ instead of running the "
                "learner's code (the grader writes them in a sandboxed process)")
SEED_HELP = "seed of the probes' inputs (default 0); tests re-derive inputs from it"
_counter = itertools.count()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lstm-shapes")
    group.addoption("--lstm-answers", metavar="DIR", default=None, help=ANSWERS_HELP)
    group.addoption("--lstm-seed", metavar="N", type=int, default=0, help=SEED_HELP)


class Answers(Mapping[str, Any]):
    """What the learner's code answered, by probe key.

    ``answers["k"]`` is the loaded value; it fails the test with a learner-readable message
    when the probe raised, when it never ran, or when the learner file did not import.
    ``answers.rng("k")`` is a fresh copy of the generator the probe got.
    """

    def __init__(self, exercise: str, values: Mapping[str, Any], *, seed: int,
                 keys: frozenset[str], hint: str, failure: str | None = None) -> None:
        self.exercise = exercise
        self.seed = seed
        self._values = dict(values)
        self._keys = keys
        self._hint = hint
        self._failure = failure

    def __getitem__(self, key: str) -> Any:
        from lstm_shapes.exercises._answers import AnswerError

        if self._failure is not None:
            pytest.fail(f"{self._failure}\n{self._hint}", pytrace=False)
        if key not in self._values:
            if key not in self._keys:
                raise KeyError(f"{key!r}: the test module defines no probe_{key}")
            pytest.fail(f"{self.exercise}: no answer for {key!r}: the probe did not finish "
                        f"(it timed out or its process crashed)\n{self._hint}", pytrace=False)
        value = self._values[key]
        if isinstance(value, AnswerError):
            pytest.fail(describe_error(self.exercise, value) + "\n" + self._hint, pytrace=False)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._values and key in self._keys | set(self._values)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._keys | set(self._values)))

    def __len__(self) -> int:
        return len(self._keys | set(self._values))

    def rng(self, key: str) -> Any:
        """The ``np.random.Generator`` that ``probe_<key>`` received (a fresh copy)."""
        from lstm_shapes.exercises._answers import probe_rng

        return probe_rng(self.seed, key)

    def __repr__(self) -> str:
        return f"Answers({self.exercise!r}, keys={sorted(self)}, seed={self.seed})"


def describe_error(exercise: str, error: Any) -> str:
    """One learner-readable paragraph for a probe that raised (an ``AnswerError``)."""
    where = f" (at {error.location})" if error.location else ""
    if error.type == "NotImplementedError":
        return f"{exercise}: not done yet: {error.message}{where}"
    tag = f" [{error.code}]" if error.code else ""
    joint = " " if "\n" not in error.message and len(error.message) < 200 else "\n"
    return f"{exercise}: your code raised {error.type}{tag}{where}:{joint}{error.message}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Every failing test of an exercise ends with the way to its next hint.

    An ``assert`` with a message reads as that message (``your answer: ...``), without
    pytest's source lines and introspection: the message is written for the learner.
    """
    report = yield
    if report.failed and "answers" in getattr(item, "fixturenames", ()):
        text = _assert_message(call.excinfo) or report.longreprtext
        if "lstm-shapes hint" not in text:
            test_file = Path(str(item.path)).resolve()
            hint = _hint_line(test_file, test_file.stem.removeprefix("test_"))
            report.longrepr = f"{text}\n{hint}"
    return report


def _assert_message(excinfo: Any) -> str:
    """``your answer: <message>`` of a failed ``assert cond, message`` (else empty)."""
    if excinfo is None or not excinfo.errisinstance(AssertionError):
        return ""
    message, rewritten, _ = str(excinfo.value).rpartition("\nassert ")
    return f"your answer: {message.strip()}" if rewritten and message.strip() else ""


def _hint_line(test_file: Path, exercise: str) -> str:
    from lstm_shapes.exercises._manifest import exercise_number

    found = exercise_number(test_file)
    ref = found[0] if found else exercise
    return f"  -> stuck? run `lstm-shapes hint {ref}`"


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


def _import_failure(path: Path, err: BaseException) -> str:
    from lstm_shapes.exercises._answers import error_location

    where = error_location(err, path) or path.name
    if isinstance(err, SyntaxError):
        detail = f"SyntaxError: {err.msg}"
        if err.text:
            detail += f"\n    {err.text.rstrip()}"
    else:
        detail = f"{type(err).__name__}: {err}"
    return (f"{path.name} could not be imported ({where}), so none of its tests can run:\n"
            f"{detail}\nFix that line first: every test of this exercise needs the file to "
            f"import.")


@pytest.fixture(scope="module")
def answers(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> Answers:
    """The learner's answers for this test module's exercise (see the module docstring)."""
    from lstm_shapes.exercises import _answers

    test_file = Path(str(request.module.__file__)).resolve()
    exercise = test_file.stem.removeprefix("test_")
    probes = _answers.probes_of(request.module)
    if not probes:
        pytest.fail(f"{test_file.name} defines no probe_<key>(module, rng) functions, so the "
                    f"`answers` fixture has nothing to run", pytrace=False)
    seed = request.config.getoption("lstm_seed")
    hint = _hint_line(test_file, exercise)
    keys = frozenset(probes)
    stored = request.config.getoption("lstm_answers")
    if stored is not None:
        folder = Path(stored) / exercise
        try:
            values = _answers.load_answers(folder) if folder.is_dir() else {}
        except _answers.AnswerFormatError as err:
            return Answers(exercise, {}, seed=seed, keys=keys, hint=hint,
                           failure=f"{exercise}: the stored answers are not valid: {err}")
        return Answers(exercise, values, seed=seed, keys=keys, hint=hint)
    learner_file = test_file.parent / f"{exercise}.py"
    if not learner_file.is_file():
        return Answers(exercise, {}, seed=seed, keys=keys, hint=hint,
                       failure=f"{exercise}: the learner file {learner_file.name} is missing "
                               f"beside {test_file.name}")
    try:
        learner = import_learner(learner_file)
    except Exception as err:  # noqa: BLE001 - any import failure is the learner's to fix
        return Answers(exercise, {}, seed=seed, keys=keys, hint=hint,
                       failure=_import_failure(learner_file, err))
    folder = tmp_path_factory.mktemp(f"answers_{exercise}")
    _answers.run_probes(request.module, learner, folder, seed)
    try:
        values = _answers.load_answers(folder)
    except _answers.AnswerFormatError as err:  # e.g. a probe's answer too large
        return Answers(exercise, {}, seed=seed, keys=keys, hint=hint,
                       failure=f"{exercise}: an answer could not be stored: {err}")
    return Answers(exercise, values, seed=seed, keys=keys, hint=hint)
