"""The notebook edition: which cells are the learner's answer, and the learner file they make.

A released notebook (``lstm-shapes release --notebooks``; built by :mod:`.notebook_build`)
holds the exercise text as markdown, the code of the exercise's learner file in code cells
tagged ``answer`` (nbformat cell metadata ``tags``), a try-it cell, a check and a hint cell.

**The learner file of a notebook is its answer cells, in notebook order, and nothing else**
(:func:`learner_source`): no markdown, no output, no untagged cell (the learner's scratch
work, the check and hint cells). Running those cells top to bottom is what the grader
imports, so a helper or an import an answer needs belongs in an answer cell. In a cell that
is not Python only because of IPython syntax (``%timeit ...``, ``!ls``), those lines become
comments, line for line; valid Python is never changed.

Why this one rule:

- ``check(N)`` grades the SAVED notebook, through this function -- not the kernel's live
  definitions. The saved file is what the learner hands in, and a kernel also holds what
  deleted, untagged or re-ordered cells defined, so a live check could pass code that the
  grader then fails. Running the tests in a child process (the learner's code may hang)
  needs source code anyway. A cell run in the kernel but not saved is named in the report
  (:func:`stale_cells`).
- The grader turns a notebook submission into this learner file before anything runs
  (:mod:`lstm_shapes.grading.submission`); from there it is graded like any learner file,
  in the sandbox. So a notebook and the same code as a file get the same grade and the
  same messages, and nothing but the answer cells is ever executed.

Only JSON is read here (no nbformat, no kernel, no TensorFlow).

>>> nb = {"nbformat": 4, "cells": [
...     {"cell_type": "markdown", "metadata": {}, "source": "# Exercise 1"},
...     {"cell_type": "code", "metadata": {"tags": ["answer"]}, "source": "import numpy as np\\n"},
...     {"cell_type": "code", "metadata": {}, "source": "print(x.shape)  # scratch"},
...     {"cell_type": "code", "metadata": {"tags": ["answer"]},
...      "source": ["def f(x):\\n", "    return np.zeros((len(x), 3, 1))\\n"]}]}
>>> print(learner_source(nb), end="")
import numpy as np
<BLANKLINE>
<BLANKLINE>
def f(x):
    return np.zeros((len(x), 3, 1))
>>> cell_location(nb, 5)
'answer cell 2 of 2 (`def f(x):`), line 2'
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

ANSWER_TAG = "answer"
META = "lstm_shapes"  # notebook and cell metadata: {"exercise": ..., "part": ...}
MAX_NOTEBOOK_BYTES = 16 * 2**20  # a notebook keeps its outputs (plots): more than a .py
_SEPARATOR = "\n\n\n"  # two blank lines between answer cells, as between top-level defs
_IPYTHON_LINE = re.compile(r"^(\s*)([%!].*)$")


class NotebookError(ValueError):
    """The file is not a notebook we can read, or it has no answer cell; says which."""


def read_notebook(source: str | os.PathLike[str] | bytes) -> dict[str, Any]:
    """The notebook's JSON (a path, or the file's bytes), checked to be an nbformat 4 notebook.

    Raises:
        NotebookError: not JSON, not a notebook, or over ``MAX_NOTEBOOK_BYTES``.
    """
    name = "the notebook"
    if not isinstance(source, bytes):
        path = Path(source)
        name = path.name
        try:
            if path.stat().st_size > MAX_NOTEBOOK_BYTES:
                raise NotebookError(f"{name} is over {MAX_NOTEBOOK_BYTES // 2**20} MB")
            source = path.read_bytes()
        except OSError as err:
            raise NotebookError(f"{name} cannot be read ({err.strerror})") from None
    if len(source) > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{name} is over {MAX_NOTEBOOK_BYTES // 2**20} MB")
    try:
        data = json.loads(source.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise NotebookError(f"{name} is not a notebook file (not JSON: {err})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError(f"{name} is not a Jupyter notebook (no list of cells)")
    if data.get("nbformat") != 4:
        raise NotebookError(f"{name} is nbformat {data.get('nbformat')!r}; save it from "
                            "Jupyter (nbformat 4) and try again")
    return data


def _text(source: Any) -> str:
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def is_answer(cell: Any) -> bool:
    """A code cell whose metadata ``tags`` hold ``answer``."""
    if not isinstance(cell, dict) or cell.get("cell_type") != "code":
        return False
    tags = cell.get("metadata", {}).get("tags", []) if isinstance(cell.get("metadata"),
                                                                 dict) else []
    return isinstance(tags, list) and ANSWER_TAG in tags


def answer_sources(notebook: dict[str, Any]) -> list[str]:
    """The source of each non-empty answer cell, in order, without blank lines around it."""
    out = []
    for cell in notebook.get("cells", []):
        if is_answer(cell):
            lines = _text(cell.get("source")).splitlines()
            while lines and not lines[0].strip():
                lines.pop(0)
            while lines and not lines[-1].strip():
                lines.pop()
            if lines:  # an emptied cell adds nothing
                out.append("\n".join(lines))
    return out


def _plain_python(cell: str) -> str:
    """The cell, or -- if only that makes it Python -- its IPython lines (``%magic``,
    ``!shell``) as comments, line for line. Valid Python is never changed."""
    try:
        ast.parse(cell)
        return cell
    except SyntaxError:
        pass
    commented = "\n".join(_IPYTHON_LINE.sub(r"\1# (IPython only, not graded) \2", line)
                          for line in cell.splitlines())
    try:
        ast.parse(commented)
    except SyntaxError:
        return cell  # the learner's own syntax error: shown as it is
    return commented


def learner_source(notebook: dict[str, Any], *, name: str = "the notebook") -> str:
    """The learner file of ``notebook``: its answer cells joined (see the module docstring).

    Raises:
        NotebookError: no code cell is tagged ``answer``.
    """
    cells = answer_sources(notebook)
    if not cells:
        raise NotebookError(
            f"{name} has no cell tagged {ANSWER_TAG!r}: only answer cells are checked and "
            "graded. Did the tags get lost (a copy pasted into a new notebook)? Start again "
            "from the released notebook, or add the tag back (JupyterLab: the property "
            "inspector, the gear icon on the right)")
    return _SEPARATOR.join(_plain_python(cell) for cell in cells) + "\n"


def _starts(cells: list[str]) -> list[int]:
    """The line of the learner file where each answer cell starts (1-based)."""
    starts, line = [], 1
    for cell in cells:
        starts.append(line)
        line += len(cell.splitlines()) + _SEPARATOR.count("\n") - 1
    return starts


def cell_location(notebook: dict[str, Any], line: int) -> str | None:
    """Where line ``line`` of the learner file is in the notebook, or None (a separator)."""
    cells = answer_sources(notebook)
    for number, (start, cell) in enumerate(zip(_starts(cells), cells), 1):
        lines = cell.splitlines()
        if start <= line < start + len(lines):
            first = next((x.strip() for x in lines if x.strip()), "")
            first = first if len(first) <= 50 else first[:47] + "..."
            return (f"answer cell {number} of {len(cells)} (`{first}`), "
                    f"line {line - start + 1}")
    return None


def _defined_names(source: str, *, every: bool = False) -> set[str]:
    """The functions and classes a cell defines at its top level (``every``: also the names
    it assigns or imports there)."""
    try:
        tree = ast.parse(_plain_python(source))
    except SyntaxError:
        return set()
    names = {node.name for node in tree.body
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    if every:
        for node in tree.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def untagged_cells(notebook: dict[str, Any]) -> list[str]:
    """The source of each code cell that is not an answer cell (scratch, try-it, check)."""
    return [_text(c.get("source")) for c in notebook.get("cells", [])
            if isinstance(c, dict) and c.get("cell_type") == "code" and not is_answer(c)]


def _first_line(cell: str) -> str:
    first = next((x.strip() for x in cell.splitlines() if x.strip()), "")
    return first if len(first) <= 50 else first[:47] + "..."


def stale_cells(notebook: dict[str, Any], history: list[str]) -> list[str]:
    """The answer cells whose saved source differs from what the kernel last ran for them.

    ``history`` is the kernel's input history (IPython's ``In``), oldest first. A cell is
    matched to the newest input that defines one of its functions or classes; a cell never
    run, or one that defines none (imports), is not stale. An input that is a saved
    untagged cell is not an unsaved answer (:func:`untagged_notes` names it).

    >>> nb = {"cells": [{"cell_type": "code", "metadata": {"tags": ["answer"]},
    ...                  "source": "def f():\\n    return 1"}]}
    >>> stale_cells(nb, ["def f():\\n    return 1\\n"])
    []
    >>> stale_cells(nb, ["def f():\\n    return 2"])
    ['f']
    """
    stale = []
    saved = {cell.strip() for cell in untagged_cells(notebook)}
    ran = [(_defined_names(entry), entry) for entry in history
           if isinstance(entry, str) and entry.strip() not in saved]
    for cell in answer_sources(notebook):
        names = _defined_names(cell)
        last = next((entry for bound, entry in reversed(ran) if bound & names), None)
        if last is not None and last.strip() != cell.strip():
            stale.append(", ".join(sorted(names)))
    return stale


_JUPYTER_ONLY = {"display": "from IPython.display import display",
                 "get_ipython": "from IPython import get_ipython"}  # IPython's builtins
# a name the answer cells lack: Python's NameError, or a probe's missing_definition
_MISSING_NAME = re.compile(r"NameError\b.*?name '(\w+)' is not defined|defines no '(\w+)'")


def untagged_notes(notebook: dict[str, Any], output: str, notebook_name: str) -> list[str]:
    """What the untagged cells explain: a name the answer cells lack (a ``NameError`` or a
    missing definition in ``output``) that an untagged cell defines, and answers defined
    again in untagged cells.

    >>> nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": "def helper(x): ..."},
    ...       {"cell_type": "code", "metadata": {"tags": ["answer"]}, "source": "f = 1"}]}
    >>> print(untagged_notes(nb, "NameError: name 'helper' is not defined", "nb.ipynb")[0])
    ... # doctest: +NORMALIZE_WHITESPACE
    note: `helper` is defined in a cell of nb.ipynb that is not tagged answer (`def
    helper(x): ...`): only answer cells are checked and graded. Tag that cell answer, or move
    its code into an answer cell.
    """
    notes, untagged = [], untagged_cells(notebook)
    answers = set().union(*(_defined_names(c, every=True) for c in answer_sources(notebook)))
    for name in dict.fromkeys(a or b for a, b in _MISSING_NAME.findall(output)):
        if name in _JUPYTER_ONLY and name not in answers:
            notes.append(f"note: `{name}` exists only inside Jupyter, and the check runs your "
                         f"{ANSWER_TAG} cells as a plain Python file: add "
                         f"`{_JUPYTER_ONLY[name]}` at the top of the {ANSWER_TAG} cell.")
            continue
        cell = next((c for c in untagged if name in _defined_names(c, every=True)), None)
        if cell is not None and name not in answers:
            notes.append(f"note: `{name}` is defined in a cell of {notebook_name} that is not "
                         f"tagged {ANSWER_TAG} (`{_first_line(cell)}`): only {ANSWER_TAG} "
                         f"cells are checked and graded. Tag that cell {ANSWER_TAG}, or move "
                         f"its code into an {ANSWER_TAG} cell.")
    answered = set().union(*(_defined_names(c) for c in answer_sources(notebook)))
    for cell in untagged:
        again = sorted(_defined_names(cell) & answered)
        if again:
            notes.append(f"note: {', '.join(again)} is defined again in a cell that is not "
                         f"tagged {ANSWER_TAG} (`{_first_line(cell)}`): the check read only "
                         f"the {ANSWER_TAG} cells. If that version is your answer, put it in "
                         f"the {ANSWER_TAG} cell.")
    return notes


def cite_cells(notebook: dict[str, Any], text: str, file_name: str,
               notebook_name: str) -> list[str]:
    """Where each ``<file_name>:<line>`` that ``text`` names is in the notebook's cells."""
    notes = []
    pattern = rf"(?<![\w/.]){re.escape(file_name)}:(\d+)"
    for line in sorted({int(n) for n in re.findall(pattern, text)}):
        where = cell_location(notebook, line)
        if where:
            notes.append(f"in {notebook_name}: {file_name}:{line} is {where} "
                         f"({file_name} is your answer cells, in order)")
    return notes


def checkable_copy(exercise: Any, into: Path, *,
                   notebook: dict[str, Any] | None = None) -> Path:
    """A scratch series in ``into`` where ``exercise`` can be checked from its notebook.

    It holds ``info.toml`` (and ``conftest.py``), the exercise's folder as it is (its
    tests), and the learner file made from the notebook (``notebook``: already read);
    returns the test file's path there. Nothing of the learner's series is changed.

    Raises:
        NotebookError: the notebook cannot be read or has no answer cell.
    """
    notebook = notebook if notebook is not None else read_notebook(exercise.notebook_file)
    source = learner_source(notebook, name=exercise.notebook_file.name)
    for name in ("info.toml", "conftest.py"):
        if (exercise.root / name).is_file():
            shutil.copy2(exercise.root / name, into / name)
    folder = into / exercise.dir
    shutil.copytree(exercise.folder, folder, ignore=shutil.ignore_patterns(
        "__pycache__", ".ipynb_checkpoints", f"{exercise.name}.py"))
    (folder / f"{exercise.name}.py").write_text(source, encoding="utf-8")
    return folder / exercise.test_file.name


def report_notes(notebook: dict[str, Any], output: str, exercise: Any,
                 history: list[str], *, saved_elsewhere: bool = False) -> tuple[str, ...]:
    """What a notebook check adds to the file edition's report (the messages stay theirs).

    Answer cells run in the kernel but not saved (``history``; not when ``saved_elsewhere``:
    the kernel ran a copy of the notebook), what the untagged cells explain, and where each
    line of the learner file that ``output`` names is in the notebook.
    """
    notes = []
    file_name, notebook_name = f"{exercise.name}.py", exercise.notebook_file.name
    stale = [] if saved_elsewhere else stale_cells(notebook, history)
    if stale:
        notes.append(f"note: {notebook_name} as saved differs from what you last ran for "
                     f"{'; '.join(stale)}. The check read the SAVED notebook: save it "
                     "(Ctrl-S) and check again to check what you ran.")
    notes += untagged_notes(notebook, output, notebook_name)
    notes += cite_cells(notebook, output, file_name, notebook_name)
    return tuple(notes)
