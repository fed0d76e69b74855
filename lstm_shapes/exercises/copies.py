"""Copies of an exercise's notebook: the same exercise under another file name.

Only ``<dir>.ipynb`` is an exercise's notebook; one of its copies -- Jupyter's
``03_outputs-Copy1.ipynb``, a browser's ``01_windows (1).ipynb`` -- is never checked nor
graded, but where one is found the learner is told which file to rename. A copy is told by
the exercise its notebook metadata names (``lstm_shapes.exercise``, kept by every copy),
else by its name starting with the exercise's folder. Only JSON is read here.

>>> from types import SimpleNamespace as Entry
>>> belongs("01_windows (1).ipynb", None, Entry(name="windows", dir="01_windows"))
True
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

NOTEBOOK_SUFFIX = ".ipynb"
_COPY_LIMIT = 16 * 2**20  # bytes of a notebook read to tell whose copy it is


def _metadata_exercise(path: Path) -> str | None:
    """The exercise a notebook's metadata names (None: unreadable or none named)."""
    try:
        if path.stat().st_size > _COPY_LIMIT:
            return None
        meta = json.loads(path.read_bytes()).get("metadata", {}).get("lstm_shapes", {})
    except (OSError, ValueError, AttributeError):
        return None
    name = meta.get("exercise") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else None


def belongs(file_name: str, meta_exercise: str | None, exercise: Any) -> bool:
    """Whether a notebook (its file name and the exercise its metadata names) is one of
    ``exercise``'s, under any name."""
    if meta_exercise is not None:
        return meta_exercise == exercise.name
    return file_name.casefold().startswith(exercise.dir.casefold())


def copies(exercise: Any) -> list[Path]:
    """The other notebooks of ``exercise`` beside its own (in the series folder), by name."""
    found = []
    try:
        children = sorted(exercise.root.iterdir())
    except OSError:
        return []
    for path in children:
        if (path.suffix != NOTEBOOK_SUFFIX or path == exercise.notebook_file
                or path.name.startswith(".") or not path.is_file()
                or (exercise.root / path.stem).is_dir()):  # another exercise's notebook
            continue
        if belongs(path.name, _metadata_exercise(path), exercise):
            found.append(path)
    return found


def rename_advice(exercise: Any) -> str:
    """``". 01_windows (1).ipynb is a notebook of this exercise: rename it ..."`` or ''."""
    found = copies(exercise)
    if not found:
        return ""
    names = ", ".join(p.name for p in found)
    return (f". {names} {'is a notebook' if len(found) == 1 else 'are notebooks'} of this "
            f"exercise, but only {exercise.notebook_file.name} is checked and graded: rename "
            f"{'it' if len(found) == 1 else 'the one you work in'} to "
            f"{exercise.notebook_file.name}")


def not_an_exercise(manifest: Any, path: Path) -> str:
    """Why ``path`` names no exercise's notebook or file (a copy says what to rename)."""
    copy = next((e for e in manifest.exercises if path.suffix == NOTEBOOK_SUFFIX
                 and belongs(path.name, _metadata_exercise(path) if path.is_file() else None,
                             e)), None)
    if copy is not None:
        return (f"{path.name} is not the notebook of exercise {copy.number} ({copy.name}): "
                f"only {copy.notebook_file.name} is checked and graded. If your work is in "
                f"{path.name}, rename it to {copy.notebook_file.name}")
    return (f"{path} is not the notebook or a file of an exercise of the series in "
            f"{manifest.root}: name the exercise by its number (1 to "
            f"{len(manifest.exercises)}) or name")
