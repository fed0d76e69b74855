"""Grade one submission: its learner files only, probes sandboxed, verdict from our own tests.

A submission (a folder, or a zip of one) is searched for the learner files of the
instructor's manifest -- ``<dir>/<name>.py``, at any depth, or the notebooks that stand for
them -- and for nothing else: its tests,
``conftest.py``, ini files and plugins never reach a process that judges. The probes run in
a limited child (:mod:`._sandbox`) that writes plain answer files; the instructor's tests
(hidden ones included) then judge those files in a separate pytest child with
``--lstm-answers``, which never imports the submission.

A row's status: ``passed``, ``partial`` (some points), ``failed`` (no points), ``missing``
(nothing of the exercise could be graded: no file, an unreadable submission), or -- set by
the batch, :mod:`.remarks` -- ``not_attempted`` (the released starter code, unchanged).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lstm_shapes.exercises.manifest import Manifest
from lstm_shapes.exercises.markers import strip_markers
from lstm_shapes.grading.submission import SubmissionError, collect

JUDGE_BASE_MB = 2048  # the judge's interpreter with TensorFlow maps about 1.5 GiB


@dataclass
class ExerciseGrade:
    """One learner's result on one exercise (a gradebook row)."""

    exercise: str
    score: float
    max_score: float
    status: str  # "passed" | "partial" | "failed" | "missing" | "not_attempted"
    reason: str = ""
    codes: list[str] = field(default_factory=list)


@dataclass
class SubmissionGrade:
    learner: str
    exercises: list[ExerciseGrade]
    seconds: float = 0.0
    error: str = ""
    isolation: str = ""  # how the submission's process was isolated (see _isolate)
    warnings: list[str] = field(default_factory=list, compare=False)  # not journaled: the
    # batch keeps its own (it grades a staged copy); the autograder shows these

    @property
    def total(self) -> float:
        return round(sum(e.score for e in self.exercises), 6)

    @property
    def max_total(self) -> float:
        return sum(e.max_score for e in self.exercises)

    def to_dict(self) -> dict[str, Any]:
        return {"learner": self.learner, "total": self.total, "max_total": self.max_total,
                "seconds": round(self.seconds, 2), "error": self.error,
                "isolation": self.isolation,
                "exercises": [asdict(e) for e in self.exercises]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionGrade:
        return cls(data["learner"], [ExerciseGrade(**e) for e in data["exercises"]],
                   data.get("seconds", 0.0), data.get("error", ""),
                   data.get("isolation", ""))


def grade_submission(submission: Path, manifest: Manifest, *, seed: int, timeout: float,
                     memory_mb: int, judge_timeout: float = 120.0,
                     before_judge: Callable[[], None] | None = None,
                     isolate: bool = True, hide: list[Path] | tuple = (),
                     tmp_root: Path | None = None, budget: float | None = None,
                     ) -> SubmissionGrade:
    """Grade one submission against ``manifest`` (the instructor's copy).

    The probes run one exercise at a time (:mod:`.sandbox`): ``timeout`` wall seconds each,
    ``budget`` for all, ``memory_mb`` of address space each on top of the warm interpreter;
    with ``isolate`` in namespaces or as a throwaway user where possible. The judge gets
    ``judge_timeout`` per exercise and its own memory limit, and (with ``isolate``) runs in
    namespaces that hide ``hide``, the submission and the home folder. ``before_judge``
    runs after the submission's processes are gone and before the judge (the batch checks
    there that the instructor's files are unchanged).
    """
    from lstm_shapes.exercises.results import codes_of, exercise_status, first_reason
    from lstm_shapes.grading.judge_child import judge_series
    from lstm_shapes.grading.remarks import explain, released_sources, untouched
    from lstm_shapes.grading.sandbox import run_probes

    learner = submission.stem if submission.is_file() else submission.name
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"lstm-shapes-grade-{learner[:20]}-",
                                     dir=tmp_root) as tmp:
        work = Path(tmp)
        try:
            collected = collect(submission, manifest, work / "learner")
        except SubmissionError as err:
            grades = [ExerciseGrade(e.name, 0.0, float(e.points), "missing", str(err))
                      for e in manifest.exercises]
            return SubmissionGrade(learner, grades, time.perf_counter() - start, str(err))
        files = collected.files
        unchanged = untouched(files, released_sources(manifest))
        for name in unchanged:  # the starter code: not run (:mod:`.remarks`)
            files[name].unlink()
        handed_in = {name for name, path in files.items() if path.is_file()}
        answers = work / "answers"
        # The child gets copies without the hidden tests: it never learns where the grader's
        # own instructor files are, nor what the hidden tests check (probes are not hidden).
        probes_dir = work / "probes"
        plan = []
        for e in manifest.exercises:
            probes = probes_dir / e.dir / e.test_file.name
            probes.parent.mkdir(parents=True, exist_ok=True)
            probes.write_text(strip_markers(e.test_file.read_text()))
            plan.append({"name": e.name, "tests": str(probes), "learner": str(files[e.name]),
                         "answers": str(answers / e.name)})
        sandbox = work / "sandbox"
        sandbox.mkdir()
        probes = run_probes(plan, sandbox, seed=seed, timeout=timeout, memory_mb=memory_mb,
                            isolate=isolate, budget=budget)
        answers.mkdir(exist_ok=True)
        if before_judge is not None:
            before_judge()
        verdicts = judge_series(manifest, list(manifest.exercises), answers, seed=seed,
                                timeout=judge_timeout, memory_mb=memory_mb + JUDGE_BASE_MB,
                                isolate=isolate, hide=[*hide, submission, Path.home()])
    grades = []
    for exercise in manifest.exercises:
        if exercise.name not in handed_in:  # nothing to grade: no tests, no codes
            grades.append(ExerciseGrade(
                exercise.name, 0.0, float(exercise.points), "missing",
                f"{exercise.name}: missing from the submission (neither "
                f"{exercise.dir}/{exercise.name}.py nor {exercise.dir}.ipynb)"))
            continue
        result = verdicts[exercise.name]
        score = result.score or 0.0
        failing = [t.output for t in result.tests if t.status != "passed"]
        status = exercise_status(score, float(exercise.points), tested=bool(result.tests))
        reason = (probes.faults.get(exercise.name) or result.fault
                  or (first_reason(failing[0]) if failing else ""))
        codes = codes_of(result.tests)
        grades.append(ExerciseGrade(exercise.name, round(score, 6), float(exercise.points),
                                    status, reason[:500], codes))
    error = ""
    if probes.environment:
        written = ", ".join(probes.environment)[:300]
        error = (f"the submission wrote to the Python environment ({written}); what it added "
                 f"was removed; grade without --no-isolation")
    explain(grades, collected, unchanged)
    return SubmissionGrade(learner, grades, time.perf_counter() - start, error,
                           isolation=probes.isolation, warnings=collected.warnings)
