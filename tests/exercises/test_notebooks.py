"""The notebook edition: built from the exercise files, leak-free, checked from the saved file.

Fast: no kernel and no TensorFlow (the checks run the tiny synthetic series). The notebooks
are executed in a real kernel in ``test_notebook_kernel.py``.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import pytest
from corpus.exercise_tree import CORRECT, SOLUTION_LINE, make_tree
from corpus.notebooks import cells_of, fill
from test_release import _solution_lines

from lstm_shapes import exercises
from lstm_shapes.exercises.learner_copy import release
from lstm_shapes.exercises.manifest import ManifestError, instructor_root, load_manifest
from lstm_shapes.exercises.markers import BEGIN_HIDDEN, END_HIDDEN, MARKERS, strip_markers
from lstm_shapes.exercises.notebook_build import notebook_wording
from lstm_shapes.exercises.notebooks import (
    ANSWER_TAG,
    NotebookError,
    answer_sources,
    cell_location,
    learner_source,
    read_notebook,
    stale_cells,
)
from lstm_shapes.exercises.progress import Progress

ROOT = instructor_root()
MANIFEST = load_manifest(ROOT)
STUB = '    raise NotImplementedError("multiply x by 2")'


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> tuple[Path, Path]:
    """The real series released twice: as files and as notebooks."""
    base = tmp_path_factory.mktemp("editions")
    return (release(ROOT, base / "files").out,
            release(ROOT, base / "notebooks", notebooks=True).out)


def _hidden_blocks(text: str) -> list[str]:
    """The hidden test blocks of an instructor test file, one string each."""
    blocks, inside = [], None
    for line in text.splitlines():
        if line.strip().startswith(BEGIN_HIDDEN):
            inside = []
        elif line.strip().startswith(END_HIDDEN):
            blocks.append("\n".join(inside or []))
            inside = None
        elif inside is not None:
            inside.append(line)
    return blocks


def test_one_valid_notebook_per_exercise_and_no_learner_files(editions):
    files, notebooks = editions
    names = sorted(p.name for p in notebooks.iterdir())
    assert names == sorted([*(f"{e.dir}.ipynb" for e in MANIFEST.exercises),
                            *(e.dir for e in MANIFEST.exercises), "README.md", "info.toml"])
    for e in MANIFEST.exercises:
        assert not (notebooks / e.dir / f"{e.name}.py").exists()
        assert (notebooks / e.dir / e.test_file.name).read_text() == \
            (files / e.dir / e.test_file.name).read_text()  # the same visible tests
        notebook = nbformat.read(notebooks / f"{e.dir}.ipynb", as_version=4)
        nbformat.validate(notebook)
        assert notebook.metadata["lstm_shapes"]["exercise"] == e.name
        sources = [c.source for c in notebook.cells if c.cell_type == "code"]
        assert f"exercises.check({e.name!r})" in sources[-2]
        assert f"exercises.hint({e.name!r})" in sources[-1]
        text = notebook.cells[0].source + notebook.cells[1].source
        assert e.title in text and "| LSTM input | `(batch, timesteps, features)` |" in text
    readme = (notebooks / "README.md").read_text()
    assert "notebook edition" in readme and "`01_windows.ipynb`" in readme


def test_the_answer_cells_are_the_released_file(editions):
    """Every function and import of the released learner file is in an answer cell, and the
    learner file the notebook makes compiles and defines the same names."""
    files, notebooks = editions
    for e in MANIFEST.exercises:
        released = notebook_wording((files / e.dir / f"{e.name}.py").read_text())
        made = learner_source(read_notebook(notebooks / f"{e.dir}.ipynb"))
        names = {type(n).__name__ + ":" + getattr(n, "name", ast.unparse(n))
                 for n in ast.parse(released).body if not isinstance(n, (ast.Expr, ast.If))}
        assert names == {type(n).__name__ + ":" + getattr(n, "name", ast.unparse(n))
                         for n in ast.parse(made).body}, e.name
        for cell in answer_sources(read_notebook(notebooks / f"{e.dir}.ipynb")):
            assert cell in released, (e.name, cell[:80])


def test_released_notebooks_say_it_the_notebook_way_and_the_files_stay_as_they_were(editions):
    files, notebooks = editions
    for e in MANIFEST.exercises:
        cells = json.loads((notebooks / f"{e.dir}.ipynb").read_text())["cells"]
        text = "\n".join("".join(c["source"]) for c in cells)
        assert "lstm-shapes" not in text and "module docstring" not in text, e.name
        assert (files / e.dir / f"{e.name}.py").read_text() == strip_markers(
            e.learner_file.read_text(), name=f"{e.dir}/{e.name}.py")  # byte for byte
    first = json.loads((notebooks / "01_windows.ipynb").read_text())["cells"][0]["source"]
    assert "Run the check cell (`exercises.check(1)`) when you are done." in "".join(first)
    assert "Run `lstm-shapes check 1` when you are done." in (
        files / "01_windows" / "windows.py").read_text()
    fixes = "".join(json.loads((notebooks / "05_fix_input.ipynb").read_text())["cells"][0][
        "source"])
    assert "exercises.check(5)" in fixes and "exercises.hint(5)" in fixes
    status = str(exercises.status(root=notebooks))  # on a terminal: the CLI's words
    assert "`lstm-shapes check`" in status and "exercises.status()" not in status
    from IPython.core.interactiveshell import InteractiveShell

    InteractiveShell.instance()  # in IPython or Jupyter: the welcome, said the notebook's way
    try:
        status = str(exercises.status(root=notebooks))
    finally:
        InteractiveShell.clear_instance()
    assert "`exercises.status()`" in status and "lstm-shapes check" not in status


def test_released_notebooks_leak_no_solution_hidden_test_or_reference(editions):
    _, notebooks = editions
    for e in MANIFEST.exercises:
        raw = (notebooks / f"{e.dir}.ipynb").read_text()
        for marker in MARKERS:
            assert marker not in raw, (e.name, marker)
        assert "HIDDEN" not in raw
        code = "\n".join(c.source for c in nbformat.reads(raw, as_version=4).cells)
        for line in _solution_lines(e.learner_file):
            assert line not in code, f"{e.name} leaks solution line {line!r}"
        for block in _hidden_blocks(e.test_file.read_text()):
            for test in (n.name for n in ast.parse(block).body
                         if isinstance(n, ast.FunctionDef)):
                assert test not in raw, (e.name, test)
        tests = (notebooks / e.dir / e.test_file.name).read_text()
        assert "HIDDEN" not in tests and BEGIN_HIDDEN not in tests
    readme = (notebooks / "README.md").read_text()  # the other new file of this edition
    for e in MANIFEST.exercises:
        for line in _solution_lines(e.learner_file):
            assert line not in readme, (e.name, line)


def test_a_release_is_reproducible(tmp_path):
    one = release(ROOT, tmp_path / "a", notebooks=True).out
    two = release(ROOT, tmp_path / "b", notebooks=True).out
    for e in MANIFEST.exercises:
        assert (one / f"{e.dir}.ipynb").read_bytes() == (two / f"{e.dir}.ipynb").read_bytes()


def test_only_tagged_cells_make_the_learner_file():
    notebook = {"nbformat": 4, "cells": [
        {"cell_type": "code", "metadata": {"tags": [ANSWER_TAG]}, "source": "import numpy as np"},
        {"cell_type": "code", "metadata": {}, "source": "import os; os.remove('x')"},
        {"cell_type": "markdown", "metadata": {"tags": [ANSWER_TAG]}, "source": "# not code"},
        {"cell_type": "raw", "metadata": {"tags": [ANSWER_TAG]}, "source": "raw text"},
        {"cell_type": "code", "metadata": {"tags": ["other", ANSWER_TAG]},
         "source": ["%matplotlib inline\n", "def f():\n", "    !ls\n", "    return 1\n"]},
        {"cell_type": "code", "metadata": {"tags": [ANSWER_TAG]}, "source": "\n\n"}]}
    made = learner_source(notebook)
    assert "os.remove" not in made and "not code" not in made and "raw text" not in made
    assert made == ("import numpy as np\n\n\n# (IPython only, not graded) %matplotlib inline\n"
                    "def f():\n    # (IPython only, not graded) !ls\n    return 1\n")
    compile(made, "f.py", "exec")
    assert cell_location(notebook, 6) == "answer cell 2 of 2 (`%matplotlib inline`), line 3"
    assert cell_location(notebook, 2) is None  # a line between two cells
    valid = "label = ('%d windows'\n         % 3)\n"  # Python whose line starts with %
    notebook["cells"] = [{"cell_type": "code", "metadata": {"tags": [ANSWER_TAG]},
                          "source": valid}]
    assert learner_source(notebook) == valid


@pytest.mark.parametrize("content, words", [
    (b"{not json", "not a notebook file (not JSON"),
    (b'{"cells": "x", "nbformat": 4}', "not a Jupyter notebook"),
    (b'{"cells": [], "nbformat": 3}', "nbformat 3"),
    (json.dumps({"nbformat": 4, "cells": [{"cell_type": "code", "metadata": {},
                                          "source": "x = 1"}]}).encode(),
     "has no cell tagged 'answer'"),
])
def test_a_notebook_that_cannot_be_graded_says_why(content, words):
    with pytest.raises(NotebookError, match=words.replace("(", r"\(")):
        learner_source(read_notebook(content))


def test_stale_cells_are_cells_run_differently_than_saved():
    notebook = {"nbformat": 4, "cells": [
        {"cell_type": "code", "metadata": {"tags": [ANSWER_TAG]},
         "source": "def f(x):\n    return x"},
        {"cell_type": "code", "metadata": {"tags": [ANSWER_TAG]},
         "source": "def g(x):\n    return 2 * x"}]}
    assert stale_cells(notebook, []) == []
    history = ["", "def f(x):\n    return x\n", "def g(x):\n    return 3 * x", "g(1)"]
    assert stale_cells(notebook, history) == ["g"]
    assert stale_cells(notebook, [*history, "def g(x):\n    return 2 * x"]) == []


# ------------------------------------------------------- checks on a notebook series


@pytest.fixture
def notebook_series(tmp_path) -> Path:
    src = make_tree(tmp_path / "src", body=CORRECT)
    return release(src, tmp_path / "series", notebooks=True).out


def test_check_reads_the_saved_notebook_and_keeps_partial_scores(notebook_series, capsys):
    series = notebook_series
    assert load_manifest(series).get(1).source == series / "01_double.ipynb"
    report = exercises.check(1, root=series)
    assert not report.passed and report.result.score == 0
    out = capsys.readouterr().out  # called in a function: the report showed itself
    assert "not done yet: multiply x by 2 and return it" in out
    assert "in 01_double.ipynb: double.py:7 is answer cell 2 of 2 (`def double(x):`), line 3" \
        in out
    assert "Stuck? Run the hint cell (`exercises.hint('double')`) for hint 1/2." in out
    fill(series / "01_double.ipynb", cells_of(
        (series.parent / "src" / "01_double" / "double.py").read_text()
        .replace("    ### BEGIN SOLUTION multiply x by 2 and return it\n", "")
        .replace("    ### END SOLUTION\n", "")))
    report = exercises.check("double", root=series)
    assert report.passed and "1 double: solved, 2/2 points of the tests here" in str(report)
    assert SOLUTION_LINE.split("  #")[0] in (series / "01_double.ipynb").read_text()
    assert Progress.load(series).solved == {"double": 2}
    # a partial score stays in the progress file, and status counts it
    count = series / "02_count.ipynb"
    assert "shape[-1]" in count.read_text()  # the broken code of the fix exercise
    report = exercises.check(2, root=series)
    assert not report.passed and Progress.load(series).points("count") == 0
    assert "02_count.ipynb\n" in str(exercises.status(root=series))
    capsys.readouterr()


def test_partial_credit_is_kept_in_progress(tmp_path):
    """A failing check that earned some points keeps them (it used to reset them to 0)."""
    tests = (make_tree(tmp_path / "t") / "01_double" / "test_double.py")
    tests.write_text(tests.read_text().replace(
        "### BEGIN HIDDEN TESTS", "@pytest.mark.exercise('double', points=1)\n"
        "def test_fails_always(answers):\n    assert False\n\n\n### BEGIN HIDDEN TESTS"))
    info = tmp_path / "t" / "info.toml"
    info.write_text(info.read_text().replace("points = 3", "points = 4"))
    learner = release(tmp_path / "t", tmp_path / "learner").out
    (learner / "01_double" / "double.py").write_text("def double(x):\n    return x * 2.0\n")
    report = exercises.check(1, root=learner)
    assert (report.result.score, report.result.max_score, report.passed) == (2, 3, False)
    assert Progress.load(learner).points("double") == 2
    status = str(exercises.status(root=learner))
    assert "0/2 exercises solved, 2/5 points" in status and "1 double    2/3" in status


def test_a_notebook_without_answer_cells_is_named_and_scores_zero(notebook_series):
    path = notebook_series / "01_double.ipynb"
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:
        cell["metadata"].pop("tags", None)
    path.write_text(json.dumps(notebook))
    report = exercises.check(1, root=notebook_series)
    assert not report.passed and report.result.score == 0
    assert "01_double.ipynb has no cell tagged 'answer'" in str(report)
    assert "the tests did not run" in str(report)


def test_the_report_prints_readably_and_renders_html(notebook_series):
    report = exercises.check(1, root=notebook_series)
    assert repr(report) == str(report) and "CheckReport(" not in repr(report)
    page = report._repr_html_()
    assert "not solved yet, 0/2 points" in page and "&#10008;" in page
    assert "<script" not in page and "not done yet: multiply x by 2" in page
    status = exercises.status(root=notebook_series)
    assert repr(status).startswith("Progress") or "Progress:" in repr(status)
    assert "StatusReport(" not in repr(status) and "HintReport(" not in repr(
        exercises.hint(1, root=notebook_series))


def test_the_manifest_accepts_a_notebook_for_the_learner_file(notebook_series):
    (notebook_series / "02_count.ipynb").unlink()
    with pytest.raises(ManifestError, match=r"learner file 02_count/count.py does not exist "
                                            r"\(nor the notebook 02_count.ipynb\)"):
        load_manifest(notebook_series)
