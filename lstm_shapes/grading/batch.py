"""Grade a whole class: snapshot the instructor copy, grade submissions in threads, keep a journal.

Every submission the class folder holds (:func:`.submission.discover`) gets exactly one row,
whatever it is: its learner files are first copied to a private staging folder (only those,
so names, depth and data files do not matter), and a submission that cannot be read at all,
or on which the grader itself fails, gets a row that says why instead of stopping the run.
Warnings go to the gradebook and, through the ``lstm_shapes.grading`` logger, to stderr.
Everything temporary lives in one run folder that a watcher process (:mod:`.reaper`)
removes, with every sandbox process, even when the grader is killed.
"""

from __future__ import annotations

import hashlib
import logging
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path

from lstm_shapes.exercises.manifest import Manifest, load_manifest
from lstm_shapes.grading.grade import ExerciseGrade, SubmissionGrade, grade_submission
from lstm_shapes.grading.gradebook import Journal, write_gradebook
from lstm_shapes.grading.reaper import reaping, register
from lstm_shapes.grading.remarks import explain, released_sources, untouched
from lstm_shapes.grading.submission import (
    Submission,
    SubmissionError,
    collect,
    discover,
)

log = logging.getLogger("lstm_shapes.grading")
GRADEBOOK_WARNING = "gradebook_warning"  # set on the log records of the gradebook's warnings


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


@contextmanager
def _run_folder() -> Iterator[Path]:
    """``lstm-shapes-run-*``: the snapshot, the staging folders and every work folder.

    Registered with the clean-up watcher (:mod:`.reaper`), so it goes even with the grader.
    """
    run = Path(tempfile.mkdtemp(prefix="lstm-shapes-run-"))
    try:
        register("path", run)
        yield run
    finally:
        shutil.rmtree(run, ignore_errors=True)


def _private_enough(folders: list[Path]) -> None:
    """Refuse to grade as a throwaway user while it could read the instructor's folders.

    Where namespaces are refused, only file permissions hide the solutions, the classmates'
    submissions and the gradebook from a submission's code.
    """
    from lstm_shapes.grading.identity import reachable_by_others
    from lstm_shapes.grading.sandbox import confinement

    exposed = [f for f in folders if reachable_by_others(f.resolve())]
    if exposed and confinement() == "user":
        raise GradingError(
            f"this machine refuses namespaces, so submissions run as a throwaway user, and "
            f"every user can read {', '.join(map(str, exposed))}: a submission could copy "
            f"the solutions or a classmate's work. Make them private first "
            f"(chmod o-rwx {' '.join(map(str, exposed))}), or grade where user namespaces "
            f"are allowed")


def _snapshot(exercises: Path, into: Path) -> tuple[Manifest, str]:
    copy = into / "instructor"
    shutil.copytree(exercises, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return load_manifest(copy), _digest(copy)


def _not_graded(sub: Submission, manifest: Manifest, reason: str,
                start: float) -> SubmissionGrade:
    """The row of a submission that could not be graded: every exercise missing, with why."""
    rows = [ExerciseGrade(e.name, 0.0, float(e.points), "missing", reason)
            for e in manifest.exercises]
    return SubmissionGrade(sub.id, rows, time.perf_counter() - start, reason)


def _fingerprint(sub: Submission, manifest: Manifest, folder: Path) -> str:
    """The digest of the learner files ``sub`` holds now (what its grade depends on)."""
    try:
        collect(sub.path, manifest, folder)
        return _digest(folder)
    except SubmissionError as err:
        return f"unreadable: {err}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _stage_and_grade(sub: Submission, manifest: Manifest, folder: Path,
                     grade: Callable[[Path], SubmissionGrade],
                     released: dict[str, set[bytes]]) -> tuple[SubmissionGrade, list[str], str]:
    """Copy the learner files of ``sub`` to ``folder``, grade that copy under ``sub.id``.

    Returns the grade, the warnings about the submission (entries it holds but that were
    not read, an exercise handed in twice) and the digest of its learner files. A file
    refused for a reason (too big, a link) gets that reason in its row; the starter code
    (``released``), unchanged, is not run and its row is ``not_attempted`` (:mod:`.remarks`).
    """
    start = time.perf_counter()
    try:
        collected = collect(sub.path, manifest, folder)
    except SubmissionError as err:
        return _not_graded(sub, manifest, str(err), start), [], f"unreadable: {err}"
    digest = _digest(folder)
    unchanged = untouched(collected.files, released)
    for name in unchanged:
        collected.files[name].unlink()
    try:
        result = grade(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result.learner, result.seconds = sub.id, time.perf_counter() - start
    explain(result.exercises, collected, unchanged)
    return result, collected.warnings, digest


def _class_warnings(found_warnings: list[str], staged: dict[str, list[str]]) -> list[str]:
    """The gradebook's list: the class folder's own, then each learner's staging warnings."""
    return [*found_warnings, *(f"{learner}: {note}" for learner in sorted(staged)
                               for note in staged[learner])]


def grade_all(submissions: Path, out: Path, exercises: Path, *, jobs: int = 1,
              timeout: float = 120.0, budget: float | None = None,
              memory_mb: int = 4096, seed: int | None = None,
              fresh: bool = False, isolate: bool = True,
              on_done: Callable[[SubmissionGrade, int, int], None] | None = None,
              ) -> dict[str, SubmissionGrade]:
    """Grade every submission in ``submissions``; the gradebook goes to ``out``.

    Args:
        jobs: submissions graded at once (each uses ~1 core while it trains).
        timeout: wall seconds per exercise of one submission.
        budget: wall seconds for all exercises of one submission (default: timeout times
            their number).
        memory_mb: address space one exercise's process may add to the warm interpreter.
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
    staged = journal.notes()  # learner -> warnings about its submission, kept in the journal
    found = discover(submissions, skip={out: "it is the gradebook folder",
                                        exercises: "it is the instructor copy"})
    if isolate:
        _private_enough([exercises, submissions, out, *_git_dirs(exercises.resolve())])
    with reaping(), _run_folder() as private:  # even a killed grader leaves nothing behind
        manifest, digest = _snapshot(exercises, private)
        released = released_sources(manifest)
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
        journaled = journal.digests()
        changed = {s.id for s in found.submissions if s.id in journaled and journaled[s.id]
                   != _fingerprint(s, manifest, private / "fingerprint")}
        for learner in sorted(changed):  # handed in again since: graded again
            log.info("%s changed since it was graded: grading it again", learner)
            done.pop(learner, None)
        pending = [s for s in found.submissions if s.id not in done]
        total, count = len(found.submissions), len(found.submissions) - len(pending)

        hidden = [private, exercises.resolve(), submissions.resolve(), out.resolve(),
                  *_git_dirs(exercises.resolve())]

        def unchanged() -> None:
            if _digest(manifest.root) != digest:
                raise GradingError("the instructor's files changed during grading: a "
                                   "submission wrote to them; grade in a container")

        def grade(folder: Path) -> SubmissionGrade:
            result = grade_submission(folder, manifest, seed=int(header["seed"]),
                                      timeout=timeout, budget=budget, memory_mb=memory_mb,
                                      before_judge=unchanged, isolate=isolate, hide=hidden,
                                      tmp_root=private)
            unchanged()
            return result

        def one(index: int, sub: Submission) -> tuple[SubmissionGrade, list[str], str, bool]:
            """(grade, warnings, digest, whether to journal it): a grader fault is retried on
            resume."""
            start = time.perf_counter()
            try:
                return (*_stage_and_grade(sub, manifest, staging / f"{index:05d}", grade,
                                          released), True)
            except GradingError:
                raise
            except Exception as err:  # one submission never stops the run
                log.exception("grading %s failed", sub.id)
                reason = f"the grader failed on this submission ({type(err).__name__}: {err})"
                return _not_graded(sub, manifest, reason[:500], start), [], "", False

        staging = private / "staged"
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = [pool.submit(one, i, sub) for i, sub in enumerate(pending)]
            for future in as_completed(futures):
                result, warnings, files, keep = future.result()
                if keep:
                    journal.append({**result.to_dict(), "warnings": warnings, "digest": files})
                done[result.learner] = result
                staged[result.learner] = warnings
                count += 1
                if on_done is not None:
                    on_done(result, count, total)
    staged = {k: v for k, v in staged.items() if v}
    notes = {k: [*found.notes.get(k, []), *staged.get(k, [])] for k in done}
    warnings = _class_warnings(found.warnings, staged)
    write_gradebook(out, done, header, notes={k: v for k, v in notes.items() if v},
                    warnings=warnings)
    for warning in warnings:  # flagged: the command line prints them from the gradebook
        log.warning("warning: %s", warning, extra={GRADEBOOK_WARNING: True})
    return done
