"""Fixtures: ``credit``, ``seeded``, ``sine_data`` and the exercises' ``answers``.

An exercise's test module ``<dir>/test_<name>.py`` defines ``probe_<key>(module, rng)``
functions and tests that take the ``answers`` fixture. Without options the fixture imports
the learner's ``<dir>/<name>.py`` afresh, runs the probes, writes their answers to files and
loads the files back (the same round trip as grading). With ``--lstm-answers=DIR`` it only
loads ``DIR/<name>/``: the learner's code is not imported at all.

This module must stay cheap to import (no NumPy, no TensorFlow at import time).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from lstm_shapes.exercises.judge import fail
from lstm_shapes.pytest_plugin.hooks import exercise_of, hint_line
from lstm_shapes.pytest_plugin.options import settings


class Credit:
    """Partial credit of one graded test: ``credit.award(fraction)`` with 0 <= fraction <= 1.

    The last award counts, whether the test then passes or fails.
    """

    def __init__(self, item: pytest.Item) -> None:
        self._item = item

    def award(self, fraction: float) -> None:
        if isinstance(fraction, bool) or not 0 <= float(fraction) <= 1:
            raise ValueError(f"credit must be between 0 and 1, got {fraction!r}")
        props = [p for p in self._item.user_properties if p[0] != "lstm_credit"]
        self._item.user_properties[:] = [*props, ("lstm_credit", float(fraction))]


@pytest.fixture
def credit(request: pytest.FixtureRequest) -> Credit:
    """Partial credit for an exercise-marked test (see :class:`Credit`)."""
    if exercise_of(request.node) is None:
        pytest.fail("the credit fixture needs @pytest.mark.exercise(name, points=N)",
                    pytrace=False)
    return Credit(request.node)


@pytest.fixture
def seeded(request: pytest.FixtureRequest) -> int:
    """Seed Python, NumPy and TensorFlow (deterministic ops); the seed is ``--lstm-seed``."""
    from lstm_shapes.builders.seeding import seed_everything

    return seed_everything(settings(request.config).seed)


@pytest.fixture
def sine_data() -> Any:
    """The sine task, windows of 10: ``x_train`` (790, 10, 1), ``y_train`` (790, 1), ..."""
    from lstm_shapes.builders.data import sine_windows

    return sine_windows(timesteps=10)


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
        from lstm_shapes.exercises.answers import AnswerError

        if self._failure is not None:
            fail(f"{self._failure}\n{self._hint}")
        if key not in self._values:
            if key not in self._keys:
                raise KeyError(f"{key!r}: the test module defines no probe_{key}")
            fail(f"{self.exercise}: no answer for {key!r}: the probe did not finish "
                 f"(it timed out or its process crashed)\n{self._hint}")
        value = self._values[key]
        if isinstance(value, AnswerError):
            from lstm_shapes.core.messages import render_answer_error

            fail(render_answer_error(self.exercise, value) + "\n" + self._hint, value.code)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._values and key in self._keys | set(self._values)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._keys | set(self._values)))

    def __len__(self) -> int:
        return len(self._keys | set(self._values))

    def rng(self, key: str) -> Any:
        """The ``np.random.Generator`` that ``probe_<key>`` received (a fresh copy)."""
        from lstm_shapes.exercises.probes import probe_rng

        return probe_rng(self.seed, key)

    def __repr__(self) -> str:
        return f"Answers({self.exercise!r}, keys={sorted(self)}, seed={self.seed})"


def _import_failure(path: Path, err: BaseException) -> str:
    from lstm_shapes.exercises.answers import error_location

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
    from lstm_shapes.exercises import answers as _answers
    from lstm_shapes.exercises import probes as _probes

    test_file = Path(str(request.module.__file__)).resolve()
    exercise = test_file.stem.removeprefix("test_")
    probes = _probes.probes_of(request.module)
    if not probes:
        pytest.fail(f"{test_file.name} defines no probe_<key>(module, rng) functions, so the "
                    f"`answers` fixture has nothing to run", pytrace=False)
    seed = _probes.exercise_seed(settings(request.config).seed, exercise)
    hint = hint_line(test_file, exercise)
    keys = frozenset(probes)
    stored = settings(request.config).answers
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
    from lstm_shapes.exercises.probes import import_learner

    try:
        learner = import_learner(learner_file)
    except Exception as err:  # noqa: BLE001 - any import failure is the learner's to fix
        return Answers(exercise, {}, seed=seed, keys=keys, hint=hint,
                       failure=_import_failure(learner_file, err))
    folder = tmp_path_factory.mktemp(f"answers_{exercise}")
    _probes.run_probes(request.module, learner, folder, seed)
    try:
        values = _answers.load_answers(folder)
    except _answers.AnswerFormatError as err:  # e.g. a probe's answer too large
        return Answers(exercise, {}, seed=seed, keys=keys, hint=hint,
                       failure=f"{exercise}: an answer could not be stored: {err}")
    return Answers(exercise, values, seed=seed, keys=keys, hint=hint)
