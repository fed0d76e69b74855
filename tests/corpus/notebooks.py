"""Notebooks of the real series as a learner would save them: answer cells filled in.

``fill(notebook, sources)`` puts code into the answer cells of a released notebook, found by
their ``part`` (the function they define, or ``imports``); ``solved_cells(exercise)`` are the
reference solution's cells, split the way the release splits a learner file.
"""

from __future__ import annotations

import json
from pathlib import Path

from corpus.wrong_answers import solved_text
from lstm_shapes.exercises.notebook_build import notebook_cells
from lstm_shapes.exercises.notebooks import META, is_answer


def cells_of(text: str) -> dict[str, str]:
    """The answer cells (part -> source) that a learner file's text makes."""
    return {part: source for kind, part, source in notebook_cells(text) if kind == "code"}


def solved_cells(exercise) -> dict[str, str]:
    return cells_of(solved_text(exercise.learner_file))


def fill(path: Path, sources: dict[str, str]) -> dict:
    """Write ``sources`` into the answer cells of the notebook at ``path`` (saved); its JSON."""
    notebook = json.loads(path.read_text())
    parts = set(sources)
    for cell in notebook["cells"]:
        part = cell.get("metadata", {}).get(META, {}).get("part")
        if is_answer(cell) and part in sources:
            cell["source"] = sources[part]
            parts.discard(part)
    assert not parts, f"no answer cell for {sorted(parts)} in {path.name}"
    path.write_text(json.dumps(notebook, indent=1))
    return notebook
