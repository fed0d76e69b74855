"""The learner's reports: progress, hints and a check's result, as text and as HTML.

Each prints as text (``str`` and ``repr``: readable in a terminal IPython too) and renders
as HTML in Jupyter (:mod:`.report_html` for a check). They speak the edition of the
exercise: the notebook's check and hint cells for a notebook, the CLI for a file.

>>> from lstm_shapes.exercises.reports import CheckReport
>>> CheckReport.__name__
'CheckReport'
"""

from __future__ import annotations

import html
import os
import sys
from dataclasses import dataclass

from lstm_shapes.exercises.manifest import Exercise, Manifest
from lstm_shapes.exercises.progress import Progress


def next_exercise(manifest: Manifest, progress: Progress) -> Exercise | None:
    """The first exercise in curriculum order that is not solved yet."""
    return next((e for e in manifest.exercises if e.name not in progress.solved), None)


def _pre(text: str) -> str:
    return f"<pre>{html.escape(text)}</pre>"


def _where(exercise: Exercise) -> str:
    try:
        return os.path.relpath(exercise.source)
    except ValueError:  # another drive on Windows
        return str(exercise.source)


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
            welcome = manifest.welcome_message
            if manifest.edition == "notebooks" and _in_ipython():  # said the notebook's way
                from lstm_shapes.exercises.notebook_build import notebook_wording

                welcome = notebook_wording(welcome)
            lines += [welcome, ""]
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
            check = (f"its check cell (`exercises.check({upcoming.name!r})`)    (stuck? its "
                     "hint cell)" if _in_notebook(upcoming) else
                     f"lstm-shapes check {upcoming.number}    "
                     f"(stuck? lstm-shapes hint {upcoming.number})")
            lines += [(f"Next: {upcoming.number} {upcoming.name} ({upcoming.kind}): "
                       f"{upcoming.title}"), f"  edit   {_where(upcoming)}", f"  check  {check}"]
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

def _in_ipython() -> bool:
    """Shown inside IPython or Jupyter (where ``exercises.status()`` is how to ask), not on
    a terminal's ``lstm-shapes``."""
    ipython = sys.modules.get("IPython")
    return ipython is not None and ipython.get_ipython() is not None


def _in_notebook(exercise: Exercise) -> bool:
    return exercise.source.suffix == ".ipynb"


def _hint_how(exercise: Exercise) -> str:
    if _in_notebook(exercise):
        return f"the hint cell (`exercises.hint({exercise.name!r})`)"
    return f"`lstm-shapes hint {exercise.number}`"


def _stopped(exercise: Exercise, result: object) -> str:
    """What to do about a check stopped at its time limit."""
    limit = getattr(result, "limit", None) or 0
    where = getattr(result, "stopped_in", "")
    longer = f"{max(2 * limit, 60):g}"
    again = (f"`exercises.check({exercise.name!r}, timeout={longer})`" if _in_notebook(exercise)
             else f"`lstm-shapes check {exercise.number} --timeout {longer}`")
    return (f"Your code was still running when the time limit ({limit:g} s) ended"
            + (f", in {where}" if where else "") + ": look for a loop that never ends (a "
            "`while` whose condition never changes), or training far longer than it needs "
            f"(fewer epochs, less data). If it is only slow, check with a longer limit: {again}.")


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
        r = self.result
        if r.timed_out:  # type: ignore[attr-defined]
            lines = [_stopped(e, r)]
        elif r.failed_tests:  # type: ignore[attr-defined]
            lines = ["Read the first failure above: it says what your code produced and what "
                     "to change."]
        else:
            lines = ["Read the error above: it says why the tests could not run."]
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
