"""Notebook submissions: only the answer cells are read, and they grade like the same file.

Fast: the tiny synthetic series (no TensorFlow). Slow: the real series, every exercise, with
its reference solution and one wrong answer, as notebooks and as files -- graded by
``grade_all`` and checked by ``run_series_tests``: the same grades and the same messages.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from corpus.exercise_tree import make_tree
from corpus.notebooks import cells_of, fill
from corpus.submissions import COUNT_OK, DOUBLE_OK
from corpus.wrong_answers import apply, corpus, solved_text

from lstm_shapes.exercises.learner_copy import release
from lstm_shapes.exercises.manifest import instructor_root, load_manifest
from lstm_shapes.exercises.notebooks import (
    checkable_copy,
    learner_source,
    read_notebook,
)
from lstm_shapes.cli import main
from lstm_shapes.exercises.runner import run_series_tests
from lstm_shapes.grading import grade_all, load_gradebook
from lstm_shapes.grading.submission import collect

FAST = {"timeout": 20.0, "memory_mb": 1024}
CITED = re.compile(r"; in \S+\.ipynb: \w+\.py:\d+ is answer cell .*?\(\w+\.py is your answer "
                   r"cells, in order\)")
HINT_LINE = re.compile(r"-> stuck\? run the hint cell: `exercises\.hint\('(\w+)'\)`")


def _as_file(row: tuple) -> tuple:
    """A notebook row as the same code's file row: without the answer cells it cites."""
    return (*row[:3], CITED.sub("", row[3]), *row[4:])
SCRATCH = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
           "source": "import os\nos._exit(3)  # a scratch cell: never graded, never run"}


def _notebooks(instructor: Path, into: Path, sources: dict[str, dict[str, str]]) -> Path:
    """The notebook edition of ``instructor`` with answer cells filled (exercise -> parts)."""
    out = release(instructor, into, notebooks=True).out
    manifest = load_manifest(out)
    for name, parts in sources.items():
        notebook = fill(manifest.get(name).notebook_file, parts)
        notebook["cells"].insert(3, SCRATCH)
        manifest.get(name).notebook_file.write_text(json.dumps(notebook))
    return out


def _files_of(notebooks: Path, into: Path) -> Path:
    """The file edition holding, as each learner file, the code of each notebook's answers."""
    manifest = load_manifest(notebooks)
    out = release(_instructor_of(notebooks), into).out
    for e in manifest.exercises:
        code = learner_source(read_notebook(e.notebook_file))
        (out / e.dir / f"{e.name}.py").write_text(code)
    return out


_INSTRUCTORS: dict[Path, Path] = {}


def _instructor_of(notebooks: Path) -> Path:
    return _INSTRUCTORS[notebooks]


@pytest.fixture
def tiny(tmp_path) -> Path:
    return make_tree(tmp_path / "instructor")


def test_only_the_answer_cells_are_collected(tiny, tmp_path):
    sub = _notebooks(tiny, tmp_path / "erin", {"double": cells_of(DOUBLE_OK)})
    learner = collect(sub, load_manifest(tiny), tmp_path / "staged")
    double = learner.files["double"].read_text()
    assert double == learner_source(read_notebook(sub / "01_double.ipynb"))
    assert "def double(x):\n    return x * 2.0" in double and "os._exit" not in double
    assert "raise NotImplementedError" not in double  # the filled cell replaced the stub
    count = learner.files["count"].read_text()
    assert "shape[-1]" in count  # the broken code the fix exercise starts from
    shutil.make_archive(str(tmp_path / "erin"), "zip", sub)
    zipped = collect(tmp_path / "erin.zip", load_manifest(tiny), tmp_path / "staged2")
    assert zipped.files["double"].read_text() == double


def test_a_notebook_that_cannot_be_graded_says_why(tiny, tmp_path):
    sub = release(tiny, tmp_path / "max", notebooks=True).out
    notebook = json.loads((sub / "01_double.ipynb").read_text())
    for cell in notebook["cells"]:
        cell["metadata"].pop("tags", None)
    (sub / "01_double.ipynb").write_text(json.dumps(notebook))
    (sub / "02_count.ipynb").write_text("{broken")
    found = collect(sub, load_manifest(tiny), tmp_path / "staged")
    assert not found.files["double"].exists() and not found.files["count"].exists()
    assert "01_double.ipynb has no cell tagged 'answer'" in found.notes["double"]
    assert "02_count.ipynb was not graded" in found.notes["count"]
    assert "not a notebook file (not JSON" in found.notes["count"]


def test_the_shallower_of_a_notebook_and_a_learner_file_is_graded(tiny, tmp_path):
    nested = tmp_path / "nested"
    (nested / "deep" / "01_double").mkdir(parents=True)
    (nested / "deep" / "01_double" / "double.py").write_text("def double(x):\n    return 0\n")
    sub = _notebooks(tiny, tmp_path / "both", {"double": cells_of(DOUBLE_OK)})
    shutil.copy(sub / "01_double.ipynb", nested / "01_double.ipynb")
    found = collect(nested, load_manifest(tiny), tmp_path / "staged2")
    assert "x * 2.0" in found.files["double"].read_text()  # the shallower one
    assert found.warnings == ["double: graded 01_double.ipynb, not deep/01_double/double.py "
                              "(the submission holds both; it is the shallower one)"]


def test_notebook_submissions_grade_exactly_like_their_files(tiny, tmp_path):
    submissions = tmp_path / "class"
    submissions.mkdir()
    answers = {"honest": {"double": cells_of(DOUBLE_OK), "count": cells_of(COUNT_OK)},
               "wrong": {"double": cells_of("def double(x):\n    return x * 3.0\n"),
                         "count": cells_of(COUNT_OK)},
               "syntax": {"double": {"double": "def double(x)\n    return x\n"}},
               "stub": {}}
    for name, cells in answers.items():
        notebooks = _notebooks(tiny, submissions / f"{name}_nb", cells)
        _INSTRUCTORS[notebooks] = tiny
        _files_of(notebooks, submissions / f"{name}_py")
    shutil.make_archive(str(submissions / "honest_zip"), "zip", submissions / "honest_nb")
    grades = grade_all(submissions, tmp_path / "out", tiny, seed=5, **FAST)
    rows = {name: [(e.exercise, e.score, e.status, e.reason, e.codes) for e in g.exercises]
            for name, g in grades.items()}
    for name in answers:
        assert [_as_file(row) for row in rows[f"{name}_nb"]] == rows[f"{name}_py"], name
    assert rows["honest_zip"] == rows["honest_py"]
    assert grades["honest_nb"].total == 5 and grades["stub_nb"].total == 0
    assert grades["wrong_nb"].total == 3  # count 2 + the hidden shape test of double
    assert "SyntaxError" in rows["syntax_nb"][0][3]
    # a notebook's row says where the line is, as the learner's check does
    assert "double.py:5 is answer cell 2 of 2 (`def double(x)`), line 1" in rows["syntax_nb"][0][3]


def _add_cell(path: Path, source: str) -> None:
    """An untagged code cell (scratch work) at the end of the notebook."""
    notebook = json.loads(path.read_text())
    notebook["cells"].append({**SCRATCH, "source": source})
    path.write_text(json.dumps(notebook))


def test_what_a_notebook_submission_holds_beside_its_work_is_never_silent(tiny, tmp_path,
                                                                         capsys):
    """Both kinds of file, a copy of a notebook, a helper in an untagged cell, the released
    notebooks untouched: each row says what was graded and why, and `grade` warns."""
    subs = tmp_path / "class"
    subs.mkdir()
    wrong = cells_of("def double(x):\n    return x * 3.0\n")
    both = _notebooks(tiny, subs / "both", {"double": cells_of(DOUBLE_OK)})
    (both / "01_double" / "double.py").write_text("def double(x):\n    return None\n")
    files = _notebooks(tiny, subs / "py_files", {})  # the notebooks untouched, .py files solved
    (files / "01_double" / "double.py").write_text(DOUBLE_OK)
    (files / "02_count" / "count.py").write_text(COUNT_OK)
    renamed = _notebooks(tiny, subs / "renamed", {"double": cells_of(DOUBLE_OK)})
    (renamed / "01_double.ipynb").rename(renamed / "01_double (1).ipynb")
    copied = _notebooks(tiny, subs / "copied", {"double": wrong})
    shutil.copy(copied / "01_double.ipynb", copied / "01_double-Copy1.ipynb")
    fill(copied / "01_double-Copy1.ipynb", cells_of(DOUBLE_OK))
    (copied / ".ipynb_checkpoints").mkdir()  # Jupyter's own copies: never named
    shutil.copy(copied / "01_double-Copy1.ipynb",
                copied / ".ipynb_checkpoints" / "01_double-checkpoint.ipynb")
    helper = _notebooks(tiny, subs / "helper", {"double": cells_of(
        "def double(x):\n    return helper(x)\n")})
    _add_cell(helper / "01_double.ipynb", "def helper(x):\n    return x * 2.0\n")
    _notebooks(tiny, subs / "untouched", {})
    out = tmp_path / "out"
    assert main(["grade", str(subs), "--out", str(out), "--exercises", str(tiny),
                 "--timeout", "20", "--seed", "5"]) == 0
    printed = capsys.readouterr().err
    book = load_gradebook(out)
    rows = {g["learner"]: {e["exercise"]: e for e in g["exercises"]} for g in book["learners"]}
    # 1. the edition the release recorded decides; the other file is named, and printed
    assert (rows["both"]["double"]["score"], rows["both"]["double"]["status"]) == (3, "passed")
    said = ("double: graded 01_double.ipynb, not 01_double/double.py (the submission holds "
            "both; its info.toml records the notebook edition)")
    assert f"both: {said}" in book["warnings"] and f"warning: both: {said}" in printed
    assert said.partition(": ")[2] in rows["both"]["double"]["reason"]
    assert "both,TOTAL,3.0,5.0,warning," in (out / "gradebook.csv").read_text()
    assert {e["status"] for e in rows["py_files"].values()} == {"not_attempted"}
    assert any(w.startswith("py_files: count: graded 02_count.ipynb, not 02_count/count.py")
               for w in book["warnings"])
    # 2. a copy of a notebook: what to rename, when the notebook is missing or differs
    double = rows["renamed"]["double"]
    assert (double["status"], double["reason"]) == ("missing", (
        "01_double.ipynb is missing from the submission, but it holds 01_double (1).ipynb, a "
        "notebook of this exercise: rename it to 01_double.ipynb (only that name is graded)"))
    double = rows["copied"]["double"]
    assert double["score"] < 3 and ("graded 01_double.ipynb; 01_double-Copy1.ipynb, another "
                                    "notebook of this exercise with other answer cells, was "
                                    "not graded: if it holds the work, rename it to "
                                    "01_double.ipynb") in double["reason"], double
    assert "checkpoint" not in json.dumps(book)
    # 3. a name an untagged cell defines; the answer cell each line is in
    reason = rows["helper"]["double"]["reason"]
    assert "NameError" in reason and "double.py:6 is answer cell 2 of 2" in reason, reason
    assert "`helper` is defined in a cell of 01_double.ipynb that is not tagged answer" in reason
    # 4. the released notebooks, untouched: not attempted, no codes
    assert [(e["status"], e["codes"]) for e in rows["untouched"].values()] == [
        ("not_attempted", []), ("not_attempted", [])]


# ------------------------------------------------------- the real series, every exercise


def _wrong_cells(exercise) -> dict[str, str]:
    """One wrong answer of ``exercise``: its corpus's first that applies, else the reference
    with its last answer cell back to the released stub (partial credit)."""
    text = solved_text(exercise.learner_file)
    for wrong in corpus([exercise.name]).get(exercise.name, []):
        try:
            return cells_of(apply(text, wrong))
        except ValueError:
            continue
    from lstm_shapes.exercises.markers import strip_markers

    stubs = cells_of(strip_markers(exercise.learner_file.read_text()))
    cells = cells_of(text)
    last = [part for part in cells if cells[part] != stubs.get(part)][-1]
    return {**cells, last: stubs[last]}


@pytest.mark.slow
def test_every_exercise_grades_and_checks_alike_as_notebook_and_file(tmp_path):
    root = instructor_root()
    manifest = load_manifest(root)
    submissions = tmp_path / "class"
    submissions.mkdir()
    answers = {"reference": {e.name: cells_of(solved_text(e.learner_file))
                             for e in manifest.exercises},
               "wrong": {e.name: _wrong_cells(e) for e in manifest.exercises}}
    series = {}
    for name, cells in answers.items():
        notebooks = _notebooks(root, submissions / f"{name}_nb", cells)
        _INSTRUCTORS[notebooks] = root
        series[name] = (notebooks, _files_of(notebooks, submissions / f"{name}_py"))
    grades = grade_all(submissions, tmp_path / "out", root, seed=11, timeout=120.0,
                       memory_mb=4096)
    rows = {name: [(e.exercise, e.score, e.status, e.reason, e.codes) for e in g.exercises]
            for name, g in grades.items()}
    for name in answers:
        assert [_as_file(row) for row in rows[f"{name}_nb"]] == rows[f"{name}_py"], name
    assert grades["reference_nb"].total == manifest.total_points
    assert all(row[1] < e.points for row, e in zip(rows["wrong_nb"], manifest.exercises))
    # the learner's check of the wrong answers (the reference's is all passes): the
    # notebooks' checkable copy against the file edition, every message word for word
    notebooks, files = series["wrong"]
    scratch = tmp_path / "check"
    scratch.mkdir()
    for e in load_manifest(notebooks).exercises:
        checkable_copy(e, scratch)
    by_notebook = run_series_tests(scratch, timeout=600)
    by_file = run_series_tests(files, timeout=600)
    numbers = {e.name: e.number for e in manifest.exercises}
    for e in manifest.exercises:
        one, two = by_notebook[e.name], by_file[e.name]
        assert (one.score, one.max_score) == (two.score, two.max_score), e.name
        # word for word, but for the way to a hint: the notebook's hint cell, the CLI's verb
        assert [(t.name, t.status, t.score, t.codes, HINT_LINE.sub(
            lambda m: f"-> stuck? run `lstm-shapes hint {numbers[m[1]]}`", t.output))
            for t in one.tests] == \
            [(t.name, t.status, t.score, t.codes, t.output) for t in two.tests], e.name
    assert sum(r.score or 0 for r in by_notebook.values()) < sum(
        r.max_score or 0 for r in by_notebook.values())
