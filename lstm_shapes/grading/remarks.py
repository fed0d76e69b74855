"""What a gradebook row says beyond the judge's verdict: untouched starter code, notebooks.

- **Not attempted.** A learner file that is the released one byte for byte -- the stub of an
  "implement" exercise, the broken code of a "fix" exercise -- or a notebook whose answer
  cells are the released ones, is the starter code, not the learner's work. It is not run:
  its row is ``not_attempted``, scores 0 and carries no misconception code, so the class
  report never counts the starter code's mistakes as the class's.
- **Notebooks.** A row graded from a notebook says where each ``<name>.py:<line>`` of its
  reason is among the answer cells, and which untagged cell defines a name the answer cells
  lack (:func:`lstm_shapes.exercises.notebooks.untagged_notes`) -- as the learner's check does.
- **What else was there.** The file not graded beside the one that was, a copy of the
  notebook under another name (:class:`lstm_shapes.grading.submission.Collected`).
"""

from __future__ import annotations

from typing import Any

from lstm_shapes.exercises.manifest import Manifest

NOT_ATTEMPTED = "not_attempted"
NOT_ATTEMPTED_REASON = "not attempted: the released starter code, unchanged"


def released_sources(manifest: Manifest) -> dict[str, set[bytes]]:
    """Each exercise's starter code as the grader sees it: the released learner file, and
    the learner file the released notebook's answer cells make."""
    from lstm_shapes.exercises.markers import strip_markers
    from lstm_shapes.exercises.notebook_build import notebook_cells, notebook_wording
    from lstm_shapes.exercises.notebooks import ANSWER_TAG, learner_source

    found = {}
    for exercise in manifest.exercises:
        text = strip_markers(exercise.learner_file.read_text(encoding="utf-8"))
        cells = [{"cell_type": "code", "metadata": {"tags": [ANSWER_TAG]},
                  "source": notebook_wording(source)}
                 for kind, _, source in notebook_cells(text) if kind == "code"]
        found[exercise.name] = {text.encode("utf-8"),
                                learner_source({"cells": cells}).encode("utf-8")}
    return found


def untouched(files: dict[str, Any], released: dict[str, set[bytes]]) -> set[str]:
    """The exercises whose collected learner file is their starter code, unchanged."""
    same = set()
    for name, path in files.items():
        try:
            if path.is_file() and path.read_bytes() in released.get(name, ()):
                same.add(name)
        except OSError:
            continue
    return same


def explain(rows: list[Any], collected: Any, unchanged: set[str]) -> None:
    """Complete each row's reason (and status) from what the submission held."""
    from lstm_shapes.exercises.notebooks import cite_cells, untagged_notes

    for row in rows:
        name = row.exercise
        if name in unchanged:
            row.score, row.status, row.codes = 0.0, NOT_ATTEMPTED, []
            row.reason = NOT_ATTEMPTED_REASON
            continue
        if name in collected.notes:
            row.reason = collected.notes[name]
            continue
        extra = []
        if name in collected.notebooks and row.status != "passed":
            notebook_name, notebook = collected.notebooks[name]
            extra += cite_cells(notebook, row.reason, f"{name}.py", notebook_name)
            extra += [note.removeprefix("note: ") for note in
                      untagged_notes(notebook, row.reason, notebook_name)]
        if name in collected.remarks:
            extra.append(collected.remarks[name])
        row.reason = "; ".join(x for x in (row.reason, *extra) if x)
