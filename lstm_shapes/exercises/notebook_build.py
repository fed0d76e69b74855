r'''Build an exercise's notebook from its released learner file (the notebook edition).

The notebook is made from the learner copy's text -- after ``strip_markers`` -- so it can
hold nothing the released file does not: no solution, no hidden test. It is never edited by
hand: ``lstm-shapes release --notebooks`` rebuilds every notebook from the exercise files as
they are. The file is split with ``ast`` at its top-level statements:

- the module docstring becomes markdown (the exercise text), with the shape story table;
- each top-level function or class, and each run of other statements (imports, constants),
  becomes a code cell tagged ``answer`` (see :mod:`.notebooks`: those cells ARE the learner
  file, in order); comments and decorators go with the definition below them;
- an ``if __name__ == "__main__":`` block becomes an untagged "try it" cell (its body);
- a check cell and a hint cell close the notebook.

The exercise files speak the file edition ("Run `lstm-shapes check 1`", "the module
docstring"); the notebook says the same the notebook's way (:func:`notebook_wording`: its
check and hint cells, ``exercises.check(1)``, the exercise text above). The file edition's
text is never changed.

nbformat builds and validates it; jupytext's percent format would need ``# %%`` markers in
the exercise files, which the file edition does not want. Cell ids are derived from the
exercise, so a release is reproducible byte for byte.

>>> text = "\n".join(['"""Exercise 9: double it.', '',
...     'Return ``2 * x``: the shape stays (batch, units).', '"""', '', 'import numpy as np',
...     '', '', 'def double(x):', '    raise NotImplementedError("implement double()")'])
>>> nb = notebook_cells(text)
>>> [(kind, part) for kind, part, _ in nb]
[('markdown', 'text'), ('code', 'imports'), ('code', 'double')]
>>> print(nb[0][2])
Return `2 * x`: the shape stays (batch, units).
'''

from __future__ import annotations

import ast
import re
import textwrap
from typing import Any

from lstm_shapes.exercises.notebooks import ANSWER_TAG, META
from lstm_shapes.exercises.story import SHAPE_STORY

HOW = """## How this notebook works

- Write your code in the cells under **Your answer**: they are tagged `{tag}`, and only
  they are checked and graded, top to bottom, as `{file}` (the file edition's learner file).
  Keep everything they need -- imports, helpers -- inside them; the other cells are yours
  to try things in and are never graded.
- The check cell at the end runs this exercise's tests on the **saved** notebook: save
  (Ctrl-S) before you run it. A failure names the mistake (a code such as
  `[missing_timestep_axis]`) and the fix.
- Stuck? The hint cell shows one more hint each time you run it.

### The shape story

{story}"""

_TITLE = re.compile(r"^Exercise\s+\d+\b[^:]*:\s*")
_WORDING = (  # the file edition's words -> the notebook's, most specific first
    (re.compile(r"`lstm-shapes (check|hint) (\d+)`"), r"the \1 cell (`exercises.\1(\2)`)"),
    (re.compile(r"`lstm-shapes (check|hint)`"), r"the \1 cell"),
    (re.compile(r"`lstm-shapes`"), "`exercises.status()`"),
    (re.compile(r"\blstm-shapes (check|hint) (\d+)"), r"exercises.\1(\2)"),
    (re.compile(r"\b[Tt]he module docstring\b"), "the exercise text at the top of this notebook"),
    (re.compile(r"\bmodule docstring\b"), "exercise text"),
)
_MAIN = "__main__"


def _is_main_guard(node: ast.stmt) -> bool:
    """``if __name__ == "__main__":`` (either order of the comparison)."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    sides = [node.test.left, *node.test.comparators]
    names = {s.id for s in sides if isinstance(s, ast.Name)}
    values = {s.value for s in sides if isinstance(s, ast.Constant)}
    return names == {"__name__"} and values == {_MAIN}


def _start(node: ast.stmt, lines: list[str], floor: int) -> int:
    """The first line (1-based) of ``node`` with its decorators and the comments above it."""
    start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    while start - 1 > floor and lines[start - 2].strip().startswith("#"):
        start -= 1
    return start


def notebook_wording(text: str) -> str:
    """The file edition's words in ``text`` said the notebook's way.

    >>> notebook_wording("Run `lstm-shapes check 1` when you are done.")
    'Run the check cell (`exercises.check(1)`) when you are done.'
    >>> notebook_wording('raise NotImplementedError("the model in the module docstring")')
    'raise NotImplementedError("the model in the exercise text at the top of this notebook")'
    """
    for pattern, words in _WORDING:
        text = pattern.sub(words, text)
    return text


def markdown_text(docstring: str) -> str:
    """A module docstring as markdown: ````x```` -> ```x```; indented blocks stay code."""
    out: list[str] = []
    for line in docstring.replace("``", "`").splitlines():
        indented = line.startswith("    ") and line.strip()
        if indented and out and out[-1].strip() and not out[-1].startswith("    "):
            out.append("")  # markdown needs a blank line before an indented code block
        out.append(line)
    return "\n".join(out).strip()


def notebook_cells(text: str) -> list[tuple[str, str, str]]:
    """``(kind, part, source)`` of the learner file's text: the text, answers, try-it code.

    ``kind`` is ``markdown`` (part ``text``), ``code`` (an answer cell; part: the function
    or class name, or ``imports`` / ``module_code_N``) or ``try`` (the ``__main__`` body).
    """
    tree = ast.parse(text)
    lines = text.splitlines()
    cells: list[tuple[str, str, str]] = []
    body = list(tree.body)
    floor = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        doc = textwrap.dedent(body[0].value.value).strip()
        first, _, rest = doc.partition("\n")
        if _TITLE.match(first):
            doc = rest.strip()
        cells.append(("markdown", "text", markdown_text(doc)))
        floor = body.pop(0).end_lineno or 0
    group: list[ast.stmt] = []
    others = 0

    def flush() -> None:
        nonlocal others, floor
        if not group:
            return
        start = _start(group[0], lines, floor)
        part = "imports" if not others else f"module_code_{others + 1}"
        others += 1
        cells.append(("code", part, "\n".join(lines[start - 1:group[-1].end_lineno])))
        floor = group[-1].end_lineno or floor
        group.clear()

    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            flush()
            start = _start(node, lines, floor)
            cells.append(("code", node.name, "\n".join(lines[start - 1:node.end_lineno])))
            floor = node.end_lineno or floor
        elif _is_main_guard(node):
            flush()
            inner = "\n".join(lines[node.body[0].lineno - 1:node.end_lineno])
            cells.append(("try", _MAIN, textwrap.dedent(inner).strip()))
            floor = node.end_lineno or floor
        else:
            group.append(node)
    flush()
    return cells


def build_notebook(text: str, exercise: Any, *, count: int) -> Any:
    """The notebook (an nbformat ``NotebookNode``) of ``exercise`` from its released text.

    Args:
        text: the learner copy of ``<dir>/<name>.py`` (after ``strip_markers``).
        exercise: the manifest entry (number, name, title, kind, points, dir).
        count: how many exercises the series holds.
    """
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    ref = repr(exercise.name)
    kind = ("fix: the code below is broken; repair it" if exercise.kind == "fix"
            else "implement: replace each `raise NotImplementedError(...)`")
    header = (f"# Exercise {exercise.number} of {count}: {exercise.title}\n\n"
              f"*{exercise.points} points -- {kind}*")
    cells: list[Any] = []
    answers: list[Any] = []
    tried: list[Any] = []
    for kind_, part, source in notebook_cells(text):
        source = notebook_wording(source)
        if kind_ == "markdown":
            header += f"\n\n{source}"
        elif kind_ == "code":
            answers.append(new_code_cell(source, metadata={
                "tags": [ANSWER_TAG], "deletable": False, META: {"part": part}}))
        else:
            tried.append(new_code_cell(source, metadata={META: {"part": "try"}}))
    learner = f"{exercise.dir}/{exercise.name}.py"
    cells.append(new_markdown_cell(header))
    cells.append(new_markdown_cell(HOW.format(tag=ANSWER_TAG, file=learner,
                                              story=SHAPE_STORY)))
    cells.append(new_markdown_cell("## Your answer"))
    cells.extend(answers)
    if tried:
        cells.append(new_markdown_cell("## Try it (not graded)\n\nRun your answer cells "
                                       "first, then this one."))
        cells.extend(tried)
    cells.append(new_markdown_cell("## Check your work\n\nSave the notebook first: the "
                                   "check reads the saved answer cells."))
    cells.append(new_code_cell(f"from lstm_shapes import exercises\n\nexercises.check({ref})",
                               metadata={"deletable": False, META: {"part": "check"}}))
    cells.append(new_markdown_cell("Stuck? Each run shows one more hint:"))
    cells.append(new_code_cell(f"from lstm_shapes import exercises\n\nexercises.hint({ref})",
                               metadata={"deletable": False, META: {"part": "hint"}}))
    for i, cell in enumerate(cells):
        cell["id"] = f"{exercise.name[:50]}-{i:02d}"
    notebook = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        META: {"exercise": exercise.name, "number": exercise.number, "dir": exercise.dir}})
    nbformat.validate(notebook)
    return notebook


def notebook_json(text: str, exercise: Any, *, count: int) -> str:
    """The ``.ipynb`` file's text of :func:`build_notebook`."""
    import nbformat

    return nbformat.writes(build_notebook(text, exercise, count=count)) + "\n"
