"""The learner's actions as functions returning printable reports (CLI and notebooks).

``status()``, ``check(n)`` and ``hint(n)`` find the exercises folder like the CLI does
(``find_root``; never an instructor copy unless it is named), keep progress in the same
state file, and return objects that print as text (``str`` and ``repr``: readable in a
terminal IPython too) and render as HTML in Jupyter. ``status`` and ``hint`` never import
TensorFlow. The notebook-facing versions, which also show themselves and the check's
progress, are in :mod:`.feedback`.

An exercise of the notebook edition is checked from its SAVED notebook: its answer cells
become the learner file, in a scratch copy of the exercise (:mod:`.notebooks` says why).

>>> from lstm_shapes.exercises.learner import StatusReport
>>> StatusReport.__name__
'StatusReport'
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, replace
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

PathLike = str | os.PathLike[str] | None


def _pre(text: str) -> str:
    return f"<pre>{html.escape(text)}</pre>"


def _open(root: PathLike) -> tuple[Manifest, Progress]:
    manifest = load_manifest(resolve_root(root))
    return manifest, Progress.load(manifest.root)


def _where(exercise: Exercise) -> str:
    try:
        return os.path.relpath(exercise.source)
    except ValueError:  # another drive on Windows
        return str(exercise.source)


def next_exercise(manifest: Manifest, progress: Progress) -> Exercise | None:
    """The first exercise in curriculum order that is not solved yet."""
    return next((e for e in manifest.exercises if e.name not in progress.solved), None)


@dataclass(frozen=True)
class StatusReport:
    """Progress through the series and the next exercise."""

    manifest: Manifest
    progress: Progress

    @property
    def solved(self) -> int:
        return sum(e.name in self.progress.solved for e in self.manifest.exercises)

    @property
    def points(self) -> float:
        return sum(self.progress.points(e.name) for e in self.manifest.exercises)

    @property
    def visible(self) -> dict[str, float]:
        """Each exercise's points in the tests of this copy (the rest are hidden)."""
        return {e.name: e.visible_points for e in self.manifest.exercises}

    def _points_line(self) -> str:
        total, here = self.manifest.total_points, sum(self.visible.values())
        line = f"{self.points:g}/{here:g} points"
        if total > here:
            line += (f" in the tests here; your instructor's hidden tests hold {total - here:g} "
                     f"more ({total} in all)")
        return line

    @property
    def next(self) -> Exercise | None:
        return next_exercise(self.manifest, self.progress)

    def __str__(self) -> str:
        manifest, lines = self.manifest, []
        if self.progress.warning:
            lines.append(self.progress.warning)
        if not self.solved and manifest.welcome_message:
            lines += [manifest.welcome_message, ""]
        lines.append(f"Progress: {self.solved}/{len(manifest.exercises)} exercises solved, "
                     f"{self._points_line()}")
        width = max(len(e.name) for e in manifest.exercises)
        visible = self.visible
        hidden = {e.name: f"+{e.points - visible[e.name]:g} hidden"
                  if e.points > visible[e.name] else "" for e in manifest.exercises}
        hidden_width = max(map(len, hidden.values()))
        for e in manifest.exercises:
            mark = "[x]" if e.name in self.progress.solved else "[ ]"
            earned = self.progress.points(e.name)
            lines.append(f"  {mark} {e.number:>2} {e.name:<{width}}  {earned:>3g}/"
                         f"{visible[e.name]:<3g} {hidden[e.name]:<{hidden_width}} {e.title}")
        upcoming = self.next
        if upcoming is None:
            lines.append("All exercises solved. Well done!")
        else:
            lines += [f"Next: {upcoming.number} {upcoming.name} ({upcoming.kind}): "
                      f"{upcoming.title}",
                      f"  edit   {_where(upcoming)}",
                      f"  check  lstm-shapes check {upcoming.number}    "
                      f"(stuck? lstm-shapes hint {upcoming.number})"]
        return "\n".join(lines)

    __repr__ = __str__  # IPython shows repr(): the text, not the dataclass

    def _repr_html_(self) -> str:
        return _pre(str(self))


@dataclass(frozen=True)
class HintReport:
    """The hints revealed so far for one exercise (the newest last)."""

    exercise: Exercise
    shown: int
    newly_shown: bool
    solution: str | None = None
    solved: bool = False
    has_solution: bool = False  # an instructor copy: the solution is shown after passing

    def __str__(self) -> str:
        e, total = self.exercise, len(self.exercise.hints)
        lines = [f"{e.number} {e.name}: {e.title}"]
        if self.newly_shown:
            for i in range(self.shown - 1):
                lines.append(f"  hint {i + 1}/{total} (seen): {e.hints[i]}")
            lines.append(f"  hint {self.shown}/{total}: {e.hints[self.shown - 1]}")
        else:
            lines += [f"  hint {i + 1}/{total}: {h}" for i, h in enumerate(e.hints)]
            lines.append("  That was the last hint.")
        if self.shown < total:
            again = f"`lstm-shapes hint {e.number}`"
            if _in_notebook(e):
                again = f"the hint cell, or {again},"
            lines.append(f"  (run {again} again for hint {self.shown + 1}/{total})")
        elif self.solved and self.solution is not None:
            lines.append(_solution_lines(self.solution))
        elif self.has_solution:
            lines.append(f"  The reference solution is shown once `lstm-shapes check "
                         f"{e.number}` passes.")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return _pre(str(self))


def _solution_lines(solution: str) -> str:
    body = "\n".join("    " + line for line in solution.splitlines())
    return f"  Reference solution (you passed, so here it is):\n{body}"


def _solution(exercise: Exercise) -> str | None:
    from lstm_shapes.exercises.markers import ReleaseError, solution_text

    try:
        return solution_text(exercise.learner_file)
    except (OSError, ReleaseError):
        return None


def _in_notebook(exercise: Exercise) -> bool:
    return exercise.source.suffix == ".ipynb"


def _hint_how(exercise: Exercise) -> str:
    if _in_notebook(exercise):
        return f"the hint cell (`exercises.hint({exercise.name!r})`)"
    return f"`lstm-shapes hint {exercise.number}`"


@dataclass(frozen=True)
class CheckReport:
    """The result of checking one exercise, with the next step for the learner.

    ``notes`` come first (a notebook's unsaved cells, where a line of its learner file
    is); ``takeaway`` closes a pass (:func:`lstm_shapes.exercises.story.takeaway`).
    """

    exercise: Exercise
    result: object  # a _runner.CheckResult
    hints_shown: int
    next: Exercise | None
    solution: str | None = None
    notes: tuple[str, ...] = ()
    takeaway: str = ""

    @property
    def passed(self) -> bool:
        return bool(self.result.passed)  # type: ignore[attr-defined]

    def score_text(self) -> str:
        """``7/9 points of the tests here (...)``: the score as the summary words it."""
        e, r = self.exercise, self.result
        score = (f"{r.score:g}/{r.max_score:g} points" if r.score is not None  # type: ignore
                 and r.max_score is not None else "points unknown")  # type: ignore
        hidden = e.points - (r.max_score or e.points)  # type: ignore[attr-defined]
        if hidden > 0:
            score += (f" of the tests here (the instructor's hidden tests hold {hidden:g} more "
                      f"of its {e.points})")
        return score

    def headline(self) -> str:
        """``1 windows: not solved yet, 7/9 points (...) (1 of 4 tests failed).``"""
        e, r = self.exercise, self.result
        if self.passed:
            return f"{e.number} {e.name}: solved, {self.score_text()}."
        failed = len(r.failed_tests)  # type: ignore[attr-defined]
        total = len(r.tests)  # type: ignore[attr-defined]
        what = (f"{failed} of {total} tests failed" if total else "the tests did not run")
        if r.timed_out:  # type: ignore[attr-defined]
            what = "stopped: it ran too long"
        return f"{e.number} {e.name}: not solved yet, {self.score_text()} ({what})."

    def next_steps(self) -> list[str]:
        """What to do now: the solution and the next exercise, or where to look and hints."""
        e = self.exercise
        if self.passed:
            lines = [] if self.solution is None else [_solution_lines(self.solution)]
            if self.next is not None:
                check = ("its check cell" if _in_notebook(self.next)
                         else f"`lstm-shapes check {self.next.number}`")
                lines.append(f"Next: {self.next.number} {self.next.name}: {self.next.title}\n"
                             f"  edit {_where(self.next)}, then {check}")
            else:
                lines.append("All exercises solved. Well done!")
            return lines
        lines = ["Read the first failure above: it says what your code produced and what "
                 "to change."]
        hints = len(e.hints)
        if self.hints_shown < hints:
            shown = f"hint {self.hints_shown + 1}/{hints}"
            lines.append(f"Stuck? Run {_hint_how(e)} for {shown}." if _in_notebook(e)
                         else f"Stuck? {_hint_how(e)} shows {shown}.")
        else:
            lines.append(f"All {hints} hints shown ({_hint_how(e)} repeats them).")
        return lines

    def summary(self) -> str:
        """The closing lines: score, the takeaway of a pass, and what to do next."""
        takeaway = [self.takeaway] if self.passed and self.takeaway else []
        return "\n".join([self.headline(), *takeaway, *self.next_steps()])

    def __str__(self) -> str:
        output = self.result.output.rstrip()  # type: ignore[attr-defined]
        notes = "\n".join(self.notes)
        if self.passed:
            return "\n\n".join(x for x in (notes, self.summary()) if x)
        return "\n\n".join(x for x in (output, notes, self.summary()) if x)

    __repr__ = __str__  # IPython shows repr(): the text, not the dataclass

    def _repr_html_(self) -> str:
        from lstm_shapes.exercises.report_html import check_html

        return check_html(self)


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
          history: list[str] | None = None) -> CheckReport:
    """Run exercise ``n``'s tests in a child process (default: the next unsolved one).

    Records the points in the progress file (a partial score is kept) and marks the
    exercise solved or not. A notebook-edition exercise is checked from its saved
    notebook; ``history`` (a kernel's inputs, oldest first) names the answer cells that
    were run but not saved. ``on_progress(live, seconds)`` sees the run as it goes.
    """
    from lstm_shapes.exercises.runner import DEFAULT_TIMEOUT

    manifest, progress = _open(root)
    exercise = manifest.get(n) if n is not None else (
        next_exercise(manifest, progress) or manifest.exercises[-1])
    result, notes = _run_check(exercise, DEFAULT_TIMEOUT if timeout is None else timeout,
                               on_progress, history)
    if result.max_score is None:  # the plugin wrote no results.json: points from the manifest
        if result.passed:
            result = replace(result, score=float(exercise.points),
                             max_score=float(exercise.points))
        elif not any(t.status == "passed" for t in result.tests):
            result = replace(result, score=0.0, max_score=float(exercise.points))
    progress.record(exercise.name, result.score or 0.0, solved=result.passed)
    from lstm_shapes.exercises.story import takeaway

    return CheckReport(exercise, result, hints_shown=progress.hints.get(exercise.name, 0),
                       next=next_exercise(manifest, progress),
                       solution=_solution(exercise) if result.passed else None,
                       notes=notes, takeaway=takeaway(exercise) if result.passed else "")


def _run_check(exercise: Exercise, timeout: float, on_progress: Any,
               history: list[str] | None) -> tuple[Any, tuple[str, ...]]:
    """``(CheckResult, notes)``: the exercise's tests on its learner file or notebook."""
    from lstm_shapes.exercises.runner import CheckResult, run_exercise_tests

    if not _in_notebook(exercise):
        return run_exercise_tests(exercise.test_file, exercise=exercise.name,
                                  rootdir=exercise.root, timeout=timeout,
                                  on_progress=on_progress), ()
    import tempfile

    from lstm_shapes.exercises import notebooks

    with tempfile.TemporaryDirectory(prefix="lstm-shapes-notebook-") as tmp:
        try:
            saved = notebooks.read_notebook(exercise.notebook_file)
            test_file = notebooks.checkable_copy(exercise, Path(tmp), notebook=saved)
        except notebooks.NotebookError as err:
            return CheckResult(exercise.name, score=0.0,
                               max_score=float(exercise.visible_points),
                               output=f"{exercise.name}: {err}", fault=str(err)), ()
        result = run_exercise_tests(test_file, exercise=exercise.name, rootdir=tmp,
                                    timeout=timeout, on_progress=on_progress)
    return result, notebooks.report_notes(saved, result.output, exercise, history or [])


INSTRUCTOR_COPY = """{root} is an instructor copy: its exercise files hold the solutions.
Learners work in a released copy: lstm-shapes release --out my-series (add --notebooks for
the Jupyter edition), then cd my-series. To use the instructor copy itself, name it:
--dir {root}"""


def resolve_root(root: PathLike) -> Path:
    """The exercises folder for ``root`` (the CLI's ``--dir``), as ``find_root`` decides.

    A folder found by searching (no ``--dir``) that is an instructor copy is refused: a
    learner never lands in the solutions by accident.

    Raises:
        ManifestError: no series, or an instructor copy found by searching.
    """
    if root is not None:
        return find_root(explicit=root)
    found = find_root()
    if is_instructor_copy(load_manifest(found, check_files=False)):
        raise ManifestError(INSTRUCTOR_COPY.format(root=found))
    return found
