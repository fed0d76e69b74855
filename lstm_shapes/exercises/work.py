"""Which file is the learner's work, and what else beside it could be mistaken for it.

The series' edition decides (``edition`` in ``info.toml``; :mod:`.manifest`): in the notebook
edition the work of an exercise is its notebook ``<dir>.ipynb``, in the file edition its
learner file ``<dir>/<name>.py``. The other kind, when it is there too, is never checked nor
graded -- and never silently: the check says which one it read and why
(:func:`source_notes`), the grader warns (:mod:`lstm_shapes.grading.submission`).

A notebook of an exercise under another name (:mod:`.copies`) is never checked: where one
is found, the learner is told which file to rename (:func:`copy_notes`).

Only JSON and TOML are read here (no nbformat, no kernel, no TensorFlow).

>>> print(record_edition('format_version = 1\\n', "notebooks").splitlines()[2])
edition = "notebooks"
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from lstm_shapes.exercises.copies import copies, rename_advice
from lstm_shapes.exercises.manifest import Exercise

_EDITION_LINE = re.compile(r'(?m)^edition\s*=\s*"[^"\n]*"[ \t]*(#.*)?$')
_RECORD = """# Written by `lstm-shapes release`: this copy is the {word} edition (each exercise's
# work is {what}; the other kind of file, if you add one, is not checked nor graded).
edition = "{edition}"

"""
_WHAT = {"notebooks": ("notebook", "its notebook <dir>.ipynb"),
         "files": ("file", "its file <dir>/<name>.py")}


def record_edition(text: str, edition: str) -> str:
    """``info.toml``'s text with ``edition`` recorded (a top-level key, so before any table)."""
    try:
        recorded = tomllib.loads(text).get("edition")
    except tomllib.TOMLDecodeError:
        recorded = None
    if recorded == edition:
        return text
    if recorded is not None and _EDITION_LINE.search(text):
        return _EDITION_LINE.sub(f'edition = "{edition}"', text, count=1)
    word, what = _WHAT[edition]
    return _RECORD.format(edition=edition, word=word, what=what) + text


def _relative(exercise: Exercise, path: Path) -> str:
    return path.relative_to(exercise.root).as_posix()


def source_notes(exercise: Exercise) -> tuple[str, ...]:
    """Which of the notebook and the learner file a check reads, and why, when it is not
    the only one there (or not the edition's own)."""
    checked = exercise.source
    notebook = checked == exercise.notebook_file
    other = exercise.learner_file if notebook else exercise.notebook_file
    edition = "notebook" if exercise.edition == "notebooks" else "file"
    mine = exercise.notebook_file if edition == "notebook" else exercise.learner_file
    if checked != mine:  # the edition's own file is missing: the other one stands in
        advice = rename_advice(exercise) if edition == "notebook" else ""
        note = (f"note: checked {_relative(exercise, checked)}: this series is the {edition} "
                f"edition, whose work is {_relative(exercise, mine)}, and that is not "
                f"here{advice}.")
        return (note,)
    if not other.is_file():
        return ()
    move = ("delete it, or move its code into the notebook's answer cells" if notebook
            else f"move its code into {exercise.learner_file.name}")
    note = (f"note: checked {_relative(exercise, checked)}: this series is the {edition} "
            f"edition, so {'the notebook' if notebook else 'the learner file'} is your work. "
            f"{_relative(exercise, other)} is here too and was NOT checked (only the "
            f"{edition} edition's file is checked and graded): {move}.")
    return (note,)


def copy_notes(exercise: Exercise, saved: dict[str, Any], history: list[str], *,
               running: str | Path | None = None) -> tuple[tuple[str, ...], bool]:
    """``(notes, ran_a_copy)`` about the copies of ``exercise``'s notebook whose answer
    cells differ from ``saved`` (the notebook the check read).

    ``ran_a_copy``: the kernel ran a copy, not the notebook checked -- ``running`` (the
    notebook the kernel runs, when Jupyter says) is one, or what the kernel last ran
    (``history``) is a copy's answers and not the saved notebook's. Then saving would not
    help; renaming does.
    """
    from lstm_shapes.exercises.notebooks import (
        NotebookError,
        learner_source,
        read_notebook,
        stale_cells,
    )

    notes, ran_copy = [], False
    name = exercise.notebook_file.name
    mine = learner_source(saved)
    unsaved = bool(stale_cells(saved, history))
    for path in copies(exercise):
        try:
            notebook = read_notebook(path)
            if learner_source(notebook) == mine:
                continue
        except NotebookError:
            continue
        # Jupyter's session path may be relative to the server's root: the name decides
        here = running is not None and Path(running).name == path.name
        if here or (unsaved and not stale_cells(notebook, history)):
            ran_copy = True
            notes.append(f"note: you are working in {path.name}, a copy: the check read "
                         f"{name}, whose answer cells differ. Only {name} is checked and "
                         f"graded: rename {path.name} to {name} (replacing it), open it, and "
                         "check again.")
        else:
            notes.append(f"note: {path.name} is another notebook of this exercise, with other "
                         f"answer cells: the check read {name} (only it is checked and "
                         f"graded). If your work is in {path.name}, rename it to {name} "
                         "(replacing it).")
    elsewhere = None if ran_copy or not unsaved else _running_elsewhere(exercise, running)
    if elsewhere is not None:
        ran_copy = True
        notes.append(f"note: the check read {exercise.notebook_file}, the notebook of the "
                     f"series you named, not the notebook this kernel runs (in {elsewhere}). "
                     f"Only {name} in the series is checked and graded: work in that "
                     "notebook, or copy your answer cells into it and save it.")
    return tuple(notes), ran_copy


def _running_elsewhere(exercise: Exercise, running: str | Path | None) -> Path | None:
    """The folder of the notebook the kernel runs, when it is not the series' folder
    (``running`` when Jupyter names it, else the kernel's working folder, which Jupyter
    sets to the notebook's); None when it is the series."""
    folder = Path.cwd()
    if running is not None and (folder / running).is_file():
        folder = (folder / running).parent
    folder = folder.resolve()
    return None if folder == exercise.root.resolve() else folder
