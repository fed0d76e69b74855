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
``MAX_NOTEBOOK_BYTES``) stands for the learner file when the submission has no such file
at the same level: its answer cells -- and nothing else of it -- are written as
``<dir>/<name>.py`` (:func:`lstm_shapes.exercises.notebooks.learner_source`), which is
then graded like any learner file. Nothing of the notebook runs here.

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

from lstm_shapes.exercises.manifest import Manifest
from lstm_shapes.exercises.notebooks import (
    MAX_NOTEBOOK_BYTES,
    NotebookError,
    learner_source,
    read_notebook,
)
from lstm_shapes.grading.archives import (
    ArchiveError,
    Entry,
    archive_stem,
    entries,
    named_like_archive,
    sniff,
)

MAX_LEARNER_FILE = 1_000_000  # bytes; a learner file is code, not data
_REFUSED = {"link": "is a link, and the grader never follows links",
            "outside": "points outside the archive (refused)",
            "other": "is not a regular file", "unreadable": "could not be read"}
_REFUSED_SHORT = {"link": "links are never followed", "outside": "names outside the archive",
                  "other": "not regular files", "unreadable": "unreadable"}
_MISSING = ("link", "outside", "other")  # refused for what they are, not for their content


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
    link); ``warnings`` are about the submission as a whole (refused entries, a damaged tar).
    """

    files: dict[str, Path]
    notes: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def printable(name: str) -> str:
    """A file name fit for a gradebook: bytes that are not UTF-8 and control characters escaped."""
    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


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


def _too_big(size: int, limit: int = MAX_LEARNER_FILE) -> str:
    what = "notebook" if limit == MAX_NOTEBOOK_BYTES else "learner file"
    return (f"is {size / 1e6:.1f} MB, over the {limit / 1e6:g} MB limit of a {what}"
            " (it should hold code, not data)")


def _notebook(path: str) -> bool:
    return path.lower().endswith(".ipynb")


def _note(file: str, path: str, why: str, missing: bool) -> str:
    """Why an exercise got no file although the submission holds one."""
    verb = "is missing from the submission" if missing else "was not graded"
    return f"{file} {verb}: {printable(path)} {why}"


class _Picker:
    """The best acceptable file per exercise, and why a refused one was refused.

    Best: the shallowest series level (the folder holding ``<dir>/``), then a learner file
    before a notebook, then the path. Keys are ``(level, 0 file | 1 notebook, path)``.
    """

    def __init__(self, manifest: Manifest) -> None:
        self.files = {(e.dir, f"{e.name}.py"): e.name for e in manifest.exercises}
        self.files.update({(e.dir, f"{e.name}.ipynb"): e.name for e in manifest.exercises})
        self.notebooks = {f"{e.dir}.ipynb": e.name for e in manifest.exercises}
        self.dirs = {e.dir: [e.name] for e in manifest.exercises}
        self.best: dict[str, tuple[tuple[int, int, str], bytes]] = {}
        self.refused: dict[str, tuple[tuple[int, int, str], str]] = {}
        self.odd: list[Entry] = []  # the first few links and escaping names
        self.odd_count, self.odd_kinds = 0, set()

    def complete(self, entry: Entry, ordered: bool) -> bool:
        """Nothing later can beat what was found (every exercise has its file)."""
        if len(self.best) < len(self.dirs):
            return False
        keys = [key for key, _ in self.best.values()]
        if all(key[:2] == (0, 0) for key in keys):
            return True  # learner files at the top level: unbeatable
        return ordered and entry.depth - 2 > max(key[0] for key in keys)

    def consider(self, entry: Entry) -> None:
        parts = entry.path.split("/")
        if entry.kind in _REFUSED:
            self.odd_count += 1
            self.odd_kinds.add(_REFUSED_SHORT[entry.kind])
            self.odd += [entry] * (len(self.odd) < 3)
        if len(parts) > 1 and (parts[-2], parts[-1]) in self.files:
            self._take(self.files[(parts[-2], parts[-1])], entry, entry.depth - 2)
        elif parts[-1] in self.notebooks:
            self._take(self.notebooks[parts[-1]], entry, entry.depth - 1)
        elif entry.kind == "link":
            for name in self.dirs.get(parts[-1], []):  # a linked exercise folder
                self._take(name, entry, entry.depth - 1)

    def _take(self, name: str, entry: Entry, level: int) -> None:
        notebook = _notebook(entry.path)
        key = (level, int(notebook), entry.path)
        limit = MAX_NOTEBOOK_BYTES if notebook else MAX_LEARNER_FILE
        why = _REFUSED.get(entry.kind) or (_too_big(entry.size, limit)
                                           if entry.size > limit else "")
        if not why:
            if name in self.best and self.best[name][0] <= key:
                return
            try:
                data = entry.read(limit)
            except Exception as err:  # noqa: BLE001 - a damaged member, whatever the error
                why = f"could not be read ({type(err).__name__}: {err})"
            else:
                if len(data) > limit:
                    why = _too_big(len(data), limit)
                elif notebook:
                    why = self._answers(name, key, data, entry.path)
                else:
                    self.best[name] = (key, data)
                    return
                if not why:
                    return
        if name not in self.refused or key < self.refused[name][0]:
            shown = entry.path.rpartition("/")[2] if notebook else f"{name}.py"
            self.refused[name] = (key, _note(shown, entry.path, why,
                                             entry.kind in _MISSING))

    def _answers(self, name: str, key: tuple[int, int, str], data: bytes, path: str) -> str:
        """Keep a notebook's answer cells as the learner file; '' or why it was refused."""
        try:
            source = learner_source(read_notebook(data), name=path.rpartition("/")[2])
        except NotebookError as err:
            return f"could not be graded: {err}"
        encoded = source.encode("utf-8")
        if len(encoded) > MAX_LEARNER_FILE:
            return f"holds answer cells that {_too_big(len(encoded))[3:]}"
        self.best[name] = (key, encoded)
        return ""

    def refusals(self) -> list[str]:
        """One warning about links and escaping names anywhere in the submission."""
        if not self.odd_count:
            return []
        kinds = "; ".join(sorted(self.odd_kinds))
        shown = ", ".join(printable(e.path) for e in self.odd)
        more = f" and {self.odd_count - 3} more" if self.odd_count > 3 else ""
        entries_ = "entry" if self.odd_count == 1 else "entries"
        return [f"{self.odd_count} {entries_} not read ({kinds}): {shown}{more}"]


def collect(submission: Path, manifest: Manifest, into: Path) -> Collected:
    """Write the submission's learner files to ``into/<dir>/<name>.py``; nothing else.

    Raises SubmissionError when the submission cannot be read at all.
    """
    picker, warnings = _Picker(manifest), []
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
        if exercise.name in picker.best:
            target.write_bytes(picker.best[exercise.name][1])
        elif exercise.name in picker.refused:
            found.notes[exercise.name] = picker.refused[exercise.name][1]
        found.files[exercise.name] = target
    return found


def collect_learner_files(submission: Path, manifest: Manifest, into: Path) -> dict[str, Path]:
    """Copy the submission's learner files (only those) to ``into/learner``; name -> path."""
    return collect(submission, manifest, into / "learner").files

