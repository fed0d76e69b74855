"""Submissions on disk: find them in the class folder, collect the learner files they hold.

A submission is whatever sits at the top of the class folder and is a folder or an archive
file (zip, tar, tar.gz, tgz, ... in any case of extension, told by its content first), under
any name: hidden, odd, not even UTF-8. Each gets one row under a unique, printable id: a
folder's name, an archive's name without its suffix -- or its whole name when that would
clash, so ``erin/`` and ``erin.zip`` give the rows ``erin`` and ``erin.zip`` (and a warning
that they look like one learner). Anything else at the top (``notes.txt``) is named in the
warnings, never graded silently nor dropped silently.

From a submission only the learner files of the manifest are read (``<dir>/<name>.py``, the
shallowest at any depth), at most ``MAX_LEARNER_FILE`` bytes each; nothing is extracted, so
data files of any size cost nothing, and links or names leaving an archive are refused.

A notebook of the notebook edition (``<dir>.ipynb``, or ``<dir>/<name>.ipynb``; at most
``MAX_NOTEBOOK_BYTES``) stands for the learner file: its answer cells -- and nothing else of
it -- are written as ``<dir>/<name>.py`` (:func:`lstm_shapes.exercises.notebooks.
learner_source`), which is then graded like any learner file. Nothing of the notebook runs
here. Where a submission holds both a notebook and a learner file of one exercise, its
edition decides which is graded, and a warning names the other (:mod:`.picker`).

    >>> printable(os.fsdecode(b"bad\\xffname\\n"))
    'bad\\\\xffname\\\\n'
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_shapes.exercises.manifest import Manifest
from lstm_shapes.grading.archives import (
    ArchiveError,
    archive_stem,
    entries,
    named_like_archive,
    sniff,
)
from lstm_shapes.grading.picker import (  # noqa: F401 - MAX_LEARNER_FILE: the public limit
    MAX_LEARNER_FILE,
    Picker,
    printable,
)


class SubmissionError(ValueError):
    """The submission cannot be read at all (a damaged archive, a link, an unreadable folder)."""


@dataclass(frozen=True)
class Submission:
    """One row of the gradebook: ``id`` is unique in the class and printable."""

    id: str
    path: Path


@dataclass
class ClassFolder:
    """What :func:`discover` found: the submissions (by id), warnings, notes per id."""

    submissions: list[Submission]
    warnings: list[str] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Collected:
    """The learner files copied out of one submission.

    ``files[exercise]`` is where its file was written (absent when the submission has none);
    ``notes[exercise]`` says why a file the submission does hold was not taken (too big, a
    link, a copy of the notebook under another name); ``remarks[exercise]`` what was not
    graded beside the file that was; ``notebooks[exercise]`` the notebook (its name and JSON)
    whose answer cells the file is; ``warnings`` are about the submission as a whole
    (refused entries, a damaged tar, an exercise handed in twice).
    """

    files: dict[str, Path]
    notes: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    remarks: dict[str, str] = field(default_factory=dict)
    notebooks: dict[str, tuple[str, Any]] = field(default_factory=dict)


def _kind(path: Path) -> str:
    """What a top-level entry is: a ``folder`` or a ``file`` submission, or ``other``.

    A file is a submission when it is an archive by name or content; a link at the top is
    one too (its row says that links are not followed). ``other`` is named, not graded.
    """
    try:
        mode = path.lstat().st_mode
    except OSError:
        return "other"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISLNK(mode) or named_like_archive(path.name):
        return "file"
    return "file" if stat.S_ISREG(mode) and sniff(path) else "other"


def _identity(path: Path, follow: bool = True) -> tuple[int, int] | None:
    try:
        info = path.stat() if follow else path.lstat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _unique(preferred: list[str], full: list[str]) -> list[str]:
    """Ids: the preferred one, an archive's full name where preferred ones clash, then ~N.

    >>> _unique(["erin", "erin", "max"], ["erin", "erin.zip", "max.tgz"])
    ['erin', 'erin.zip', 'max']
    """
    ids = list(preferred)
    while True:
        counts = Counter(ids)
        clashing = [i for i, x in enumerate(ids) if counts[x] > 1 and x != full[i]]
        if not clashing:
            break
        for i in clashing:
            ids[i] = full[i]
    seen: set[str] = set()
    for i, x in enumerate(ids):  # only printable() can still make two ids equal
        n = 1
        while ids[i] in seen:
            n += 1
            ids[i] = f"{x}~{n}"
        seen.add(ids[i])
    return ids


def _same_learner(found: ClassFolder, bases: list[str]) -> None:
    """Warn about rows whose names differ only by archive suffix or case (``erin``, ``Erin.zip``)."""
    groups: dict[str, list[str]] = {}
    for sub, base in zip(found.submissions, bases):
        groups.setdefault(base.casefold(), []).append(sub.id)
    for ids in groups.values():
        if len(ids) < 2:
            continue
        found.warnings.append(f"{', '.join(ids)} look like the same learner: each is graded in "
                              "its own row; keep one")
        for one in ids:
            others = ", ".join(x for x in ids if x != one)
            found.notes.setdefault(one, []).append(f"looks like the same learner as {others}")


def discover(folder: Path, *, skip: dict[Path, str] | None = None) -> ClassFolder:
    """The submissions at the top of ``folder``, sorted by id; ``skip``: path -> what it is.

    >>> import tempfile; root = Path(tempfile.mkdtemp())
    >>> for name in ("erin", ".hidden"): (root / name).mkdir()
    >>> for name in ("erin.zip", "notes.txt"): _ = (root / name).write_text("x")
    >>> found = discover(root)
    >>> [s.id for s in found.submissions], len(found.warnings)
    (['.hidden', 'erin', 'erin.zip'], 2)
    """
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of submissions")
    own = {_identity(p): what for p, what in (skip or {}).items() if _identity(p)}
    found = ClassFolder([])
    paths, kinds = [], []
    for path in sorted(folder.iterdir(), key=lambda p: os.fsencode(p.name)):
        kind, same = _kind(path), _identity(path, follow=False)
        if kind == "folder" and same in own:
            found.warnings.append(f"skipped {printable(path.name)}: {own[same]}")
        elif kind == "other":
            found.warnings.append(f"ignored {printable(path.name)}: neither a folder nor an "
                                  "archive (zip, tar, tar.gz, tgz)")
        else:
            paths.append(path)
            kinds.append(kind)
    bases = [printable(p.name if k == "folder" else archive_stem(p.name))
             for p, k in zip(paths, kinds)]
    ids = _unique(bases, [printable(p.name) for p in paths])
    order = sorted(range(len(paths)), key=lambda i: ids[i])
    found.submissions = [Submission(ids[i], paths[i]) for i in order]
    _same_learner(found, [bases[i] for i in order])
    return found


def find_submissions(folder: Path) -> list[Path]:
    """The submissions in ``folder`` (see :func:`discover`), in the order of their ids."""
    return [s.path for s in discover(folder).submissions]


def collect(submission: Path, manifest: Manifest, into: Path) -> Collected:
    """Write the submission's learner files to ``into/<dir>/<name>.py``; nothing else.

    Which entry is an exercise's work, where a submission holds several, is
    :class:`.picker.Picker`'s to say; what was not graded is named in ``warnings`` (both a
    notebook and a learner file) and ``remarks`` (a copy of the notebook), or -- when nothing
    was -- in ``notes``.

    Raises SubmissionError when the submission cannot be read at all.
    """
    picker, warnings = Picker(manifest), []
    try:
        tree, ordered = entries(submission, warnings.append)
        with contextlib.closing(tree):
            for entry in tree:
                if picker.complete(entry, ordered):
                    break
                picker.consider(entry)
    except ArchiveError as err:
        raise SubmissionError(f"{printable(submission.name)}: {err}") from None
    found = Collected({}, warnings=warnings + picker.refusals())
    for exercise in manifest.exercises:
        target = into / exercise.dir / f"{exercise.name}.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        graded, warning = picker.choose(exercise.name)
        copy = picker.copy_note(exercise.name, graded)
        if graded is not None:
            target.write_bytes(graded[0])
            if graded[1] is not None:
                found.notebooks[exercise.name] = (_name_of(graded[2]), graded[1])
            if copy:
                found.remarks[exercise.name] = copy
        elif copy:
            found.notes[exercise.name] = copy
        elif exercise.name in picker.refused:
            found.notes[exercise.name] = picker.refused[exercise.name][1]
        if warning:
            found.warnings.append(warning)
            found.remarks[exercise.name] = "; ".join(
                x for x in (warning.partition(": ")[2], found.remarks.get(exercise.name)) if x)
        elif copy and graded is not None:
            found.warnings.append(f"{exercise.name}: {copy}")
        found.files[exercise.name] = target
    return found


def _name_of(path: str) -> str:
    return printable(path.rpartition("/")[2])


def collect_learner_files(submission: Path, manifest: Manifest, into: Path) -> dict[str, Path]:
    """Copy the submission's learner files (only those) to ``into/learner``; name -> path."""
    return collect(submission, manifest, into / "learner").files
