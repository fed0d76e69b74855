"""The learner's actions as functions returning printable reports (CLI and notebooks).

``status()``, ``check(n)`` and ``hint(n)`` find the exercises folder like the CLI does
(``find_root``), keep progress in the same state file, and return objects that print as
text and render as HTML in Jupyter. ``status`` and ``hint`` never import TensorFlow.

>>> from lstm_shapes.exercises.learner import StatusReport
>>> StatusReport.__name__
'StatusReport'
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, replace
from pathlib import Path

from lstm_shapes.exercises.manifest import Exercise, Manifest, find_root, load_manifest
from lstm_shapes.exercises.progress import Progress

PathLike = str | os.PathLike[str] | None


def _pre(text: str) -> str:
    return f"<pre>{html.escape(text)}</pre>"


def _open(root: PathLike) -> tuple[Manifest, Progress]:
    manifest = load_manifest(find_root(explicit=root) if root is not None else find_root())
    return manifest, Progress.load(manifest.root)


def _where(exercise: Exercise) -> str:
    try:
        return os.path.relpath(exercise.learner_file)
    except ValueError:  # another drive on Windows
        return str(exercise.learner_file)


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
    def points(self) -> int:
        return sum(self.progress.solved.get(e.name, 0) for e in self.manifest.exercises)

    @property
    def visible(self) -> dict[str, float]:
        """Each exercise's points in the tests of this copy (the rest are hidden)."""
        return {e.name: e.visible_points for e in self.manifest.exercises}

    def _points_line(self) -> str:
        total, here = self.manifest.total_points, sum(self.visible.values())
        line = f"{self.points}/{here:g} points"
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
            earned = self.progress.solved.get(e.name, 0)
            lines.append(f"  {mark} {e.number:>2} {e.name:<{width}}  {earned:>3}/"
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
            lines.append(f"  (run `lstm-shapes hint {e.number}` again for hint "
                         f"{self.shown + 1}/{total})")
        elif self.solved and self.solution is not None:
            lines.append(_solution_lines(self.solution))
        elif self.has_solution:
            lines.append(f"  The reference solution is shown once `lstm-shapes check "
                         f"{e.number}` passes.")
        return "\n".join(lines)

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


@dataclass(frozen=True)
class CheckReport:
    """The result of checking one exercise, with the next step for the learner."""

    exercise: Exercise
    result: object  # a _runner.CheckResult
    hints_shown: int
    next: Exercise | None
    solution: str | None = None

    @property
    def passed(self) -> bool:
        return bool(self.result.passed)  # type: ignore[attr-defined]

    def summary(self) -> str:
        """The closing lines: score, and what to do next."""
        e, r = self.exercise, self.result
        score = (f"{r.score:g}/{r.max_score:g} points" if r.score is not None  # type: ignore
                 and r.max_score is not None else "points unknown")  # type: ignore
        hidden = e.points - (r.max_score or e.points)  # type: ignore[attr-defined]
        if hidden > 0:
            score += (f" of the tests here (the instructor's hidden tests hold {hidden:g} more "
                      f"of its {e.points})")
        if self.passed:
            lines = [f"{e.number} {e.name}: solved, {score}."]
            if self.solution is not None:
                lines.append(_solution_lines(self.solution))
            if self.next is not None:
                lines.append(f"Next: {self.next.number} {self.next.name}: {self.next.title}\n"
                             f"  edit {_where(self.next)}, then `lstm-shapes check "
                             f"{self.next.number}`")
            else:
                lines.append("All exercises solved. Well done!")
            return "\n".join(lines)
        failed = len(r.failed_tests)  # type: ignore[attr-defined]
        total = len(r.tests)  # type: ignore[attr-defined]
        what = (f"{failed} of {total} tests failed" if total else "the tests did not run")
        if r.timed_out:  # type: ignore[attr-defined]
            what = "stopped: it ran too long"
        lines = [f"{e.number} {e.name}: not solved yet, {score} ({what})."]
        lines.append("Read the first failure above: it says what your code produced and what "
                     "to change.")
        hints = len(e.hints)
        if self.hints_shown < hints:
            lines.append(f"Stuck? `lstm-shapes hint {e.number}` shows hint "
                         f"{self.hints_shown + 1}/{hints}.")
        else:
            lines.append(f"All {hints} hints shown (`lstm-shapes hint {e.number}` repeats them).")
        return "\n".join(lines)

    def __str__(self) -> str:
        output = self.result.output.rstrip()  # type: ignore[attr-defined]
        if self.passed:
            return self.summary()
        return f"{output}\n\n{self.summary()}" if output else self.summary()

    def _repr_html_(self) -> str:
        return _pre(str(self))


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
          timeout: float | None = None) -> CheckReport:
    """Run exercise ``n``'s tests in a child process (default: the next unsolved one).

    Marks the exercise solved (or no longer solved) in the progress file.
    """
    from lstm_shapes.exercises.runner import DEFAULT_TIMEOUT, run_exercise_tests

    manifest, progress = _open(root)
    exercise = manifest.get(n) if n is not None else (
        next_exercise(manifest, progress) or manifest.exercises[-1])
    result = run_exercise_tests(exercise.test_file, exercise=exercise.name,
                                rootdir=manifest.root,
                                timeout=DEFAULT_TIMEOUT if timeout is None else timeout)
    if result.max_score is None:  # the plugin wrote no results.json: points from the manifest
        if result.passed:
            result = replace(result, score=float(exercise.points),
                             max_score=float(exercise.points))
        elif not any(t.status == "passed" for t in result.tests):
            result = replace(result, score=0.0, max_score=float(exercise.points))
    if result.passed:
        progress.mark_solved(exercise.name, int(result.score or exercise.points))
    else:
        progress.mark_unsolved(exercise.name)
    return CheckReport(exercise, result, hints_shown=progress.hints.get(exercise.name, 0),
                       next=next_exercise(manifest, progress),
                       solution=_solution(exercise) if result.passed else None)


def resolve_root(root: PathLike) -> Path:
    """The exercises folder for ``root`` (the CLI's ``--dir``), as ``find_root`` decides."""
    return find_root(explicit=root) if root is not None else find_root()
