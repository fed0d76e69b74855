"""The learner's actions as functions returning printable reports (CLI and notebooks).

``status()``, ``check(n)`` and ``hint(n)`` find the exercises folder like the CLI does
(``find_root``; never an instructor copy unless it is named), keep progress in the same
state file, and return reports (:mod:`.reports`) that print as text and render as HTML in
Jupyter. ``status`` and ``hint`` never import TensorFlow. The notebook-facing versions, which also show themselves and the check's
progress, are in :mod:`.feedback`.

An exercise of the notebook edition is checked from its SAVED notebook: its answer cells
become the learner file, in a scratch copy of the exercise (:mod:`.notebooks` says why).

>>> from lstm_shapes.exercises.learner import StatusReport
>>> StatusReport.__name__
'StatusReport'
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from lstm_shapes.exercises.manifest import (
    Exercise,
    Manifest,
    ManifestError,
    find_root,
    is_instructor_copy,
    load_manifest,
)
from lstm_shapes.exercises.progress import Progress
from lstm_shapes.exercises.reports import (  # noqa: F401 - _where: the CLI's
    CheckReport,
    HintReport,
    StatusReport,
    _in_notebook,
    _where,
    next_exercise,
)

PathLike = str | os.PathLike[str] | None


def _open(root: PathLike, start: PathLike = None) -> tuple[Manifest, Progress]:
    manifest = load_manifest(resolve_root(root, start))
    return manifest, Progress.load(manifest.root)


def _solution(exercise: Exercise) -> str | None:
    from lstm_shapes.exercises.markers import ReleaseError, solution_text

    try:
        return solution_text(exercise.learner_file)
    except (OSError, ReleaseError):
        return None


def status(*, root: PathLike = None) -> StatusReport:
    """Progress N/12, points, and the next exercise (no TensorFlow import)."""
    manifest, progress = _open(root)
    return StatusReport(manifest, progress)


def hint(n: int | str, *, root: PathLike = None) -> HintReport:
    """Reveal one more hint for exercise ``n`` (a number or a name); remembered."""
    manifest, progress = _open(root)
    exercise = manifest.get(n)
    before = progress.hints.get(exercise.name, 0)
    shown = progress.next_hint(exercise.name, len(exercise.hints))
    solved = exercise.name in progress.solved
    solution = _solution(exercise)
    return HintReport(exercise, shown, newly_shown=shown > before, solved=solved,
                      solution=solution if solved else None,
                      has_solution=solution is not None)


def check(n: int | str | None = None, *, root: PathLike = None,
          timeout: float | None = None, on_progress: Any = None,
          history: list[str] | None = None,
          running: str | os.PathLike[str] | None = None) -> CheckReport:
    """Run exercise ``n``'s tests in a child process (default: the next unsolved one).

    Records the points in the progress file (a partial score is kept) and marks the
    exercise solved or not. A notebook-edition exercise is checked from its saved
    notebook; ``history`` (a kernel's inputs, oldest first) names the answer cells that
    were run but not saved, ``running`` the notebook the kernel runs (when Jupyter says: a
    copy of the exercise's notebook is named). ``on_progress(live, seconds)`` sees the run
    as it goes.
    """
    from lstm_shapes.exercises.runner import DEFAULT_TIMEOUT

    manifest, progress = _open(root)
    exercise = manifest.get(n) if n is not None else (
        next_exercise(manifest, progress) or manifest.exercises[-1])
    result, notes = _run_check(exercise, DEFAULT_TIMEOUT if timeout is None else timeout,
                               on_progress, history or [], running)
    if result.max_score is None:  # the plugin wrote no results.json: the tests' own points
        here = float(exercise.visible_points)
        if result.passed:
            result = replace(result, score=here, max_score=here)
        elif not any(t.status == "passed" for t in result.tests):
            result = replace(result, score=0.0, max_score=here)
    progress.record(exercise.name, result.score or 0.0, solved=result.passed)
    from lstm_shapes.exercises.story import takeaway

    return CheckReport(exercise, result, hints_shown=progress.hints.get(exercise.name, 0),
                       next=next_exercise(manifest, progress),
                       solution=_solution(exercise) if result.passed else None,
                       notes=notes, takeaway=takeaway(exercise) if result.passed else "")


def _run_check(exercise: Exercise, timeout: float, on_progress: Any, history: list[str],
               running: str | os.PathLike[str] | None) -> tuple[Any, tuple[str, ...]]:
    """``(CheckResult, notes)``: the exercise's tests on its learner file or notebook.

    The notes say which file was read when the other kind is there too (:mod:`.work`).
    """
    from lstm_shapes.exercises.runner import CheckResult, run_exercise_tests
    from lstm_shapes.exercises.work import copy_notes, record_edition, source_notes

    notes = source_notes(exercise)
    if not _in_notebook(exercise):
        return run_exercise_tests(exercise.test_file, exercise=exercise.name,
                                  rootdir=exercise.root, timeout=timeout,
                                  on_progress=on_progress), notes
    import tempfile

    from lstm_shapes.exercises import notebooks

    with tempfile.TemporaryDirectory(prefix="lstm-shapes-notebook-") as tmp:
        try:
            saved = notebooks.read_notebook(exercise.notebook_file)
            test_file = notebooks.checkable_copy(exercise, Path(tmp), notebook=saved)
        except notebooks.NotebookError as err:
            return CheckResult(exercise.name, score=0.0,
                               max_score=float(exercise.visible_points),
                               output=f"{exercise.name}: {err}", fault=str(err)), notes
        info = Path(tmp) / "info.toml"  # the failures' hint lines speak the notebook's way
        info.write_text(record_edition(info.read_text(encoding="utf-8"), "notebooks"),
                        encoding="utf-8")
        result = run_exercise_tests(test_file, exercise=exercise.name, rootdir=tmp,
                                    timeout=timeout, on_progress=on_progress)
    copied, ran_copy = copy_notes(exercise, saved, history, running=running)
    return result, (*notes, *copied, *notebooks.report_notes(
        saved, result.output, exercise, history, saved_elsewhere=ran_copy))


INSTRUCTOR_COPY = """{root} is an instructor copy: its exercise files hold the solutions.
Learners work in a released copy: lstm-shapes release --out my-series (add --notebooks for
the Jupyter edition), then cd my-series. To use the instructor copy itself, name it:
--dir {root}"""


def resolve_root(root: PathLike, start: PathLike = None) -> Path:
    """The exercises folder for ``root`` (the CLI's ``--dir``), as ``find_root`` decides
    (searching from ``start``, default the current folder).

    A folder found by searching (no ``--dir``) that is an instructor copy is refused: a
    learner never lands in the solutions by accident.

    Raises:
        ManifestError: no series, or an instructor copy found by searching.
    """
    if root is not None:
        return find_root(explicit=root)
    found = find_root(start)
    if is_instructor_copy(load_manifest(found, check_files=False)):
        raise ManifestError(INSTRUCTOR_COPY.format(root=found))
    return found
