"""Which of a submission's entries is each exercise's learner work (see :mod:`.submission`).

Of each kind -- learner file ``<dir>/<name>.py``, notebook ``<dir>.ipynb`` or
``<dir>/<name>.ipynb`` -- the best is the one at the shallowest series level (the folder
holding ``<dir>/``), then by path. Where an exercise has both kinds, the shallower wins; at one
level the submission's edition decides, as in the learner's check (:mod:`lstm_shapes.
exercises.work`): the edition its ``info.toml`` records at that level (``release
--notebooks`` writes ``edition = "notebooks"``), else the notebook edition when the
submission hands some exercise in as a notebook only. The one not graded is always named
(:meth:`Picker.choose`), never dropped silently.

A notebook of an exercise under another name (``03_outputs-Copy1.ipynb``, ``01_windows
(1).ipynb``) is a copy: it is never graded, but a row whose notebook is missing, or differs
from the copy, says which file to rename.
"""

from __future__ import annotations

import tomllib
from typing import Any

from lstm_shapes.exercises.copies import belongs
from lstm_shapes.exercises.manifest import EDITIONS, MANIFEST, Manifest
from lstm_shapes.exercises.notebooks import (
    MAX_NOTEBOOK_BYTES,
    NotebookError,
    learner_source,
    read_notebook,
)
from lstm_shapes.grading.archives import Entry

MAX_LEARNER_FILE = 1_000_000  # bytes; a learner file is code, not data
_MAX_COPIES = 20  # other notebooks read to tell whose copy they are
_REFUSED = {"link": "is a link, and the grader never follows links",
            "outside": "points outside the archive (refused)",
            "other": "is not a regular file", "unreadable": "could not be read"}
_REFUSED_SHORT = {"link": "links are never followed", "outside": "names outside the archive",
                  "other": "not regular files", "unreadable": "unreadable"}
_MISSING = ("link", "outside", "other")  # refused for what they are, not for their content
FILE, NOTEBOOK = 0, 1


def printable(name: str) -> str:
    """A file name fit for a gradebook: bytes that are not UTF-8 and control characters escaped."""
    import os

    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


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


def _name(path: str) -> str:
    return path.rpartition("/")[2]


class Picker:
    """The best acceptable file and notebook per exercise, and why a refused one was refused.

    ``best[(name, FILE | NOTEBOOK)]`` is ``((level, path), learner file bytes, notebook)``.
    """

    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest
        self.files = {(e.dir, f"{e.name}.py"): e.name for e in manifest.exercises}
        self.files.update({(e.dir, f"{e.name}.ipynb"): e.name for e in manifest.exercises})
        self.notebooks = {f"{e.dir}.ipynb": e.name for e in manifest.exercises}
        self.dirs = {e.dir: [e.name] for e in manifest.exercises}
        self.best: dict[tuple[str, int], tuple[tuple[int, str], bytes, Any]] = {}
        self.refused: dict[str, tuple[tuple[int, int, str], str]] = {}
        self.editions: dict[int, str] = {}  # series level -> the edition its info.toml records
        self.copies: dict[str, list[tuple[str, bytes | None]]] = {}  # name -> (path, answers)
        self.odd: list[Entry] = []  # the first few links and escaping names
        self.odd_count, self.odd_kinds, self.copies_read = 0, set(), 0

    def complete(self, entry: Entry, ordered: bool) -> bool:
        """Nothing later can beat what was found (a walk shallowest first, past it)."""
        names = {name for name, _ in self.best}
        if len(names) < len(self.dirs) or not ordered:
            return False
        return entry.depth - 2 > max(key[0] for key, _, _ in self.best.values())

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
        elif entry.kind == "file" and parts[-1] == MANIFEST:
            self._edition(entry)
        elif entry.kind == "file" and _notebook(parts[-1]) and not any(
                p.startswith(".") for p in parts) and not parts[-1].endswith("-checkpoint.ipynb"):
            self._copy(entry)

    def _edition(self, entry: Entry) -> None:
        try:
            data = tomllib.loads(entry.read(64_000)[:64_000].decode("utf-8"))
        except Exception:  # noqa: BLE001 - not the series' manifest: no edition from it
            return
        if data.get("edition") in EDITIONS:
            self.editions.setdefault(entry.depth - 1, data["edition"])

    def _copy(self, entry: Entry) -> None:
        """Remember a notebook of an exercise under another name (never graded)."""
        if self.copies_read >= _MAX_COPIES or entry.size > MAX_NOTEBOOK_BYTES:
            return
        self.copies_read += 1
        try:
            notebook = read_notebook(entry.read(MAX_NOTEBOOK_BYTES))
        except Exception:  # noqa: BLE001 - unreadable: no one's copy
            return
        meta = notebook.get("metadata", {}).get("lstm_shapes", {})
        meta = meta.get("exercise") if isinstance(meta, dict) else None
        for exercise in self.manifest.exercises:
            if belongs(_name(entry.path), meta if isinstance(meta, str) else None, exercise):
                try:
                    answers: bytes | None = learner_source(notebook).encode("utf-8")
                except NotebookError:
                    answers = None
                self.copies.setdefault(exercise.name, []).append((entry.path, answers))
                return

    def _take(self, name: str, entry: Entry, level: int) -> None:
        notebook = _notebook(entry.path)
        kind = NOTEBOOK if notebook else FILE
        key = (level, entry.path)
        limit = MAX_NOTEBOOK_BYTES if notebook else MAX_LEARNER_FILE
        why = _REFUSED.get(entry.kind) or (_too_big(entry.size, limit)
                                           if entry.size > limit else "")
        if not why:
            if (name, kind) in self.best and self.best[(name, kind)][0] <= key:
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
                    self.best[(name, FILE)] = (key, data, None)
                    return
                if not why:
                    return
        refused_key = (level, kind, entry.path)
        if name not in self.refused or refused_key < self.refused[name][0]:
            shown = _name(entry.path) if notebook else f"{name}.py"
            self.refused[name] = (refused_key, _note(shown, entry.path, why,
                                                     entry.kind in _MISSING))

    def _answers(self, name: str, key: tuple[int, str], data: bytes, path: str) -> str:
        """Keep a notebook's answer cells as the learner file; '' or why it was refused."""
        try:
            notebook = read_notebook(data)
            source = learner_source(notebook, name=_name(path))
        except NotebookError as err:
            return f"could not be graded: {err}"
        encoded = source.encode("utf-8")
        if len(encoded) > MAX_LEARNER_FILE:
            return f"holds answer cells that {_too_big(len(encoded))[3:]}"
        self.best[(name, NOTEBOOK)] = (key, encoded, notebook)
        return ""

    def _edition_at(self, level: int) -> tuple[str, str]:
        """``(edition, why)`` of the series at ``level`` of this submission."""
        if level in self.editions:
            word = "notebook" if self.editions[level] == "notebooks" else "file"
            return self.editions[level], f"its {MANIFEST} records the {word} edition"
        only = [e.name for e in self.manifest.exercises if (e.name, NOTEBOOK) in self.best
                and (e.name, FILE) not in self.best]
        if only:
            return "notebooks", (f"it records no edition, and hands in {only[0]} as a notebook "
                                 "only: the notebook edition")
        return "files", ("it records no edition, and has a learner file for every exercise "
                         "it hands in as a notebook: the file edition")

    def choose(self, name: str) -> tuple[tuple[bytes, Any, str] | None, str]:
        """``((learner file bytes, notebook or None, path), warning)`` of exercise ``name``:
        what is graded, and -- when the submission holds both kinds -- which one was not."""
        file, notebook = self.best.get((name, FILE)), self.best.get((name, NOTEBOOK))
        if file is None or notebook is None:
            found = file or notebook
            return (None if found is None else (found[1], found[2], found[0][1])), ""
        if file[0][0] != notebook[0][0]:
            graded = min(file, notebook, key=lambda x: x[0][0])
            why = "it is the shallower one"
        else:
            edition, why = self._edition_at(file[0][0])
            graded = notebook if edition == "notebooks" else file
        other = file if graded is notebook else notebook
        warning = (f"{name}: graded {printable(graded[0][1])}, not {printable(other[0][1])} "
                   f"(the submission holds both; {why})")
        return (graded[1], graded[2], graded[0][1]), warning

    def copy_note(self, name: str, graded: tuple[bytes, Any, str] | None) -> str:
        """What to rename, when a copy of ``name``'s notebook is there and its notebook is
        missing, or differs from the copy ('' otherwise)."""
        exercise = self.manifest.get(name)
        expected = exercise.notebook_file.name
        if graded is not None and not _notebook(graded[2]):
            return ""
        found = [path for path, answers in self.copies.get(name, [])
                 if graded is None or answers != graded[0]]
        if not found:
            return ""
        shown = ", ".join(printable(p) for p in found)
        if graded is None:
            return (f"{expected} is missing from the submission, but it holds {shown}, a "
                    f"notebook of this exercise: rename it to {expected} (only that name is "
                    "graded)")
        return (f"graded {printable(graded[2])}; {shown}, another notebook of this exercise "
                f"with other answer cells, was not graded: if it holds the work, rename it "
                f"to {expected}")

    def refusals(self) -> list[str]:
        """One warning about links and escaping names anywhere in the submission."""
        if not self.odd_count:
            return []
        kinds = "; ".join(sorted(self.odd_kinds))
        shown = ", ".join(printable(e.path) for e in self.odd)
        more = f" and {self.odd_count - 3} more" if self.odd_count > 3 else ""
        entries_ = "entry" if self.odd_count == 1 else "entries"
        return [f"{self.odd_count} {entries_} not read ({kinds}): {shown}{more}"]

