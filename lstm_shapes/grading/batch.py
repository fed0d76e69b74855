"""Grade a whole class: snapshot the instructor copy, grade submissions in threads, keep a journal."""

from __future__ import annotations

import hashlib
import random
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from lstm_shapes.exercises.manifest import Manifest, load_manifest
from lstm_shapes.grading.grade import SubmissionGrade, grade_submission
from lstm_shapes.grading.gradebook import Journal, write_gradebook
from lstm_shapes.grading.submission import find_submissions


class GradingError(RuntimeError):
    """The run cannot go on (the instructor files changed, a journal of another series)."""


def _git_dirs(folder: Path) -> list[Path]:
    """The ``.git`` folder of the repository holding ``folder`` (its history has solutions)."""
    return [f / ".git" for f in (folder, *folder.parents) if (f / ".git").is_dir()][:1]


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _snapshot(exercises: Path, into: Path) -> tuple[Manifest, str]:
    copy = into / "instructor"
    shutil.copytree(exercises, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return load_manifest(copy), _digest(copy)


def grade_all(submissions: Path, out: Path, exercises: Path, *, jobs: int = 1,
              timeout: float = 120.0, memory_mb: int = 4096, seed: int | None = None,
              fresh: bool = False, isolate: bool = True,
              on_done: Callable[[SubmissionGrade, int, int], None] | None = None,
              ) -> dict[str, SubmissionGrade]:
    """Grade every submission in ``submissions``; the gradebook goes to ``out``.

    Args:
        jobs: submissions graded at once (each uses ~1 core while it trains).
        timeout: wall seconds per exercise of one submission.
        memory_mb: address-space limit of a submission's process.
        seed: the probes' seed (default: random, kept in the journal for a resumed run).
        fresh: forget an earlier journal in ``out``.
        isolate: run submissions in Linux namespaces where possible (see ``_isolate``):
            they cannot see the instructor copy (nor its git history), the other
            submissions or the gradebook, and cannot write outside their work folder.
        on_done: called with (grade, done, total) after each submission.
    """
    out.mkdir(parents=True, exist_ok=True)
    journal = Journal(out)
    if fresh and journal.path.exists():
        journal.path.unlink()
    header, done = journal.read()
    todo_paths = find_submissions(submissions)
    with tempfile.TemporaryDirectory(prefix="lstm-shapes-instructor-") as private:
        manifest, digest = _snapshot(exercises, Path(private))
        names = [e.name for e in manifest.exercises]
        if header is None:
            header = {"seed": seed if seed is not None else random.SystemRandom().randrange(2**31),
                      "exercises": names}
            journal.append({"header": header})
        elif header.get("exercises") != names:
            raise GradingError(f"{journal.path} belongs to another series; use --fresh")
        elif seed is not None and seed != header["seed"]:
            raise GradingError(f"{journal.path} was graded with seed {header['seed']}; "
                               f"use --fresh to regrade with seed {seed}")
        pending = [p for p in todo_paths if (p.stem if p.is_file() else p.name) not in done]
        total, count = len(todo_paths), len(todo_paths) - len(pending)

        hidden = [Path(private), exercises.resolve(), submissions.resolve(), out.resolve(),
                  *_git_dirs(exercises.resolve())]

        def unchanged() -> None:
            if _digest(manifest.root) != digest:
                raise GradingError("the instructor's files changed during grading: a "
                                   "submission wrote to them; grade in a container")

        def one(path: Path) -> SubmissionGrade:
            grade = grade_submission(path, manifest, seed=int(header["seed"]),
                                     timeout=timeout, memory_mb=memory_mb,
                                     before_judge=unchanged, isolate=isolate, hide=hidden)
            unchanged()
            return grade

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {pool.submit(one, p): p for p in pending}
            for future in as_completed(futures):
                grade = future.result()
                journal.append(grade.to_dict())
                done[grade.learner] = grade
                count += 1
                if on_done is not None:
                    on_done(grade, count, total)
    write_gradebook(out, done, header)
    return done
