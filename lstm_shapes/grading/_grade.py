"""Grade one submission: its learner files only, probes sandboxed, verdict from our own tests.

A submission (a folder, or a zip of one) is searched for the learner files of the
instructor's manifest -- ``<dir>/<name>.py``, at any depth -- and for nothing else: its tests,
``conftest.py``, ini files and plugins never reach a process that judges. The probes run in
a limited child (:mod:`._sandbox`) that writes plain answer files; the instructor's tests
(hidden ones included) then judge those files in a separate pytest child with
``--lstm-answers``, which never imports the submission.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lstm_shapes.exercises._manifest import Manifest
from lstm_shapes.exercises._release import strip_markers

MAX_LEARNER_FILE = 1_000_000  # bytes; a learner file is code, not data
MAX_ZIP_MEMBERS = 2_000
MAX_ZIP_BYTES = 200 * 2**20


@dataclass
class ExerciseGrade:
    """One learner's result on one exercise (a gradebook row)."""

    exercise: str
    score: float
    max_score: float
    status: str  # "passed" | "partial" | "failed" | "missing"
    reason: str = ""
    codes: list[str] = field(default_factory=list)


@dataclass
class SubmissionGrade:
    learner: str
    exercises: list[ExerciseGrade]
    seconds: float = 0.0
    error: str = ""
    isolation: str = ""  # how the submission's process was isolated (see _isolate)

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


class SubmissionError(ValueError):
    """The submission cannot be read (a broken or dangerous zip, not a folder)."""


def _extract(archive: Path, into: Path) -> Path:
    try:
        with zipfile.ZipFile(archive) as z:
            members = z.infolist()
            if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_ZIP_BYTES:
                raise SubmissionError(f"{archive.name}: too many or too large files")
            for m in members:
                target = (into / m.filename).resolve()
                if not str(target).startswith(str(into.resolve())) or m.is_dir():
                    continue  # absolute paths and ../ escapes are skipped
                if not m.filename.endswith(".py"):
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(z.read(m)[:MAX_LEARNER_FILE + 1])
    except (zipfile.BadZipFile, OSError) as err:
        raise SubmissionError(f"{archive.name}: not a readable zip ({err})") from None
    return into


def _own_file(root: Path, path: Path) -> bool:
    """A regular file that really lies inside ``root``: no symlink on the way out of it.

    (A symlinked folder would otherwise hand over, say, the instructor's solution.)
    """
    try:
        return (path.is_file() and not path.is_symlink()
                and path.resolve().is_relative_to(root.resolve()))
    except OSError:
        return False


def _find(root: Path, relative: str, name: str) -> Path | None:
    """``root/<dir>/<name>.py``, else the shallowest match anywhere below root."""
    direct = root / relative
    if _own_file(root, direct):
        return direct
    matches = sorted((p for p in root.rglob(name) if _own_file(root, p)
                      and p.parent.name == Path(relative).parent.name),
                     key=lambda p: len(p.parts))
    return matches[0] if matches else None


def collect_learner_files(submission: Path, manifest: Manifest, into: Path) -> dict[str, Path]:
    """Copy the submission's learner files (only those) to ``into``; name -> copied path."""
    source = submission
    if submission.is_file():
        if submission.suffix != ".zip":
            raise SubmissionError(f"{submission.name}: a submission is a folder or a .zip")
        source = _extract(submission, into / "_unzipped")
    found: dict[str, Path] = {}
    for exercise in manifest.exercises:
        relative = f"{exercise.dir}/{exercise.name}.py"
        path = _find(source, relative, f"{exercise.name}.py")
        target = into / "learner" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if path is not None and path.stat().st_size <= MAX_LEARNER_FILE:
            target.write_bytes(path.read_bytes())
        found[exercise.name] = target
    if source != submission:
        shutil.rmtree(source, ignore_errors=True)
    return found


def grade_submission(submission: Path, manifest: Manifest, *, seed: int, timeout: float,
                     memory_mb: int, judge_timeout: float = 600.0,
                     before_judge: Callable[[], None] | None = None,
                     isolate: bool = True, hide: list[Path] | tuple = ()) -> SubmissionGrade:
    """Grade one submission against ``manifest`` (the instructor's copy).

    ``before_judge`` runs after the submission's processes are gone and before the judge
    (the batch checks there that the instructor's files are unchanged). With ``isolate``
    (Linux namespaces where available, :mod:`._isolate`) the submission's process sees
    neither ``hide`` nor the instructor copy, the submission folder, the temp folder (other
    learners' files in flight) or the home folder, and can write only its work folder.
    """
    from lstm_shapes._grades import codes_in, first_reason
    from lstm_shapes.exercises._runner import run_series_tests

    from ._sandbox import run_probes

    learner = submission.stem if submission.is_file() else submission.name
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"lstm-shapes-grade-{learner[:20]}-") as tmp:
        work = Path(tmp)
        try:
            files = collect_learner_files(submission, manifest, work)
        except SubmissionError as err:
            grades = [ExerciseGrade(e.name, 0.0, float(e.points), "missing", str(err))
                      for e in manifest.exercises]
            return SubmissionGrade(learner, grades, time.perf_counter() - start, str(err))
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
        hidden = [*hide, manifest.root, submission, Path(tempfile.gettempdir()), Path.home()]
        probes = run_probes(plan, sandbox, seed=seed, timeout=timeout, memory_mb=memory_mb,
                            isolate=isolate, hide=hidden, writable=work)
        answers.mkdir(exist_ok=True)
        if before_judge is not None:
            before_judge()
        verdicts = run_series_tests(manifest.root, answers_dir=answers, seed=seed,
                                    timeout=judge_timeout)
    grades = []
    for exercise in manifest.exercises:
        result = verdicts[exercise.name]
        score = result.score or 0.0
        failing = [t.output for t in result.tests if t.status != "passed"]
        if not result.tests:
            status = "missing"  # the judge could not even collect the tests
        else:
            status = "passed" if score >= exercise.points else "partial" if score else "failed"
        reason = probes.faults.get(exercise.name) or (first_reason(failing[0]) if failing
                                                      else "")
        if result.timed_out:
            reason = reason or "the judge timed out"
        codes = list(dict.fromkeys(c for text in failing for c in codes_in(text)))
        grades.append(ExerciseGrade(exercise.name, round(score, 6), float(exercise.points),
                                    status, reason[:500], codes))
    return SubmissionGrade(learner, grades, time.perf_counter() - start,
                           isolation=probes.isolation)
