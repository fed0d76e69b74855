"""What a learner's check reads and says, in the notebook edition and beside it (issue 16's
tester findings): which file is the work, copies of a notebook, untagged cells, a notebook
outside its series, a check out of time or interrupted, the notebook's own words, paths as
exercise names, takeaways.

Fast: the tiny synthetic series (no TensorFlow, no kernel; IPython's shell in-process).
"""

from __future__ import annotations

import _thread
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from corpus.exercise_tree import INFO, make_tree
from corpus.notebooks import fill
from corpus.submissions import COUNT_OK, DOUBLE_OK

from lstm_shapes import exercises
from lstm_shapes.cli import main
from lstm_shapes.exercises import feedback, learner
from lstm_shapes.exercises.learner_copy import release
from lstm_shapes.exercises.manifest import ManifestError, load_manifest

STUB_FILE = "def double(x):\n    return None\n"
LOOP = "def double(x):\n    while True:\n        x = x + 0\n"


@pytest.fixture
def instructor(tmp_path: Path) -> Path:
    return make_tree(tmp_path / "instructor")


@pytest.fixture
def notebooks(instructor: Path, tmp_path: Path) -> Path:
    return release(instructor, tmp_path / "series", notebooks=True).out


@pytest.fixture
def files(instructor: Path, tmp_path: Path) -> Path:
    return release(instructor, tmp_path / "files").out


def _scratch(path: Path, source: str) -> None:
    """Add an untagged code cell (the learner's scratch work) after the answer cells."""
    notebook = json.loads(path.read_text())
    at = max(i for i, c in enumerate(notebook["cells"]) if "answer" in c["metadata"].get(
        "tags", [])) + 1
    notebook["cells"].insert(at, {"cell_type": "code", "metadata": {}, "outputs": [],
                                  "execution_count": None, "source": source})
    path.write_text(json.dumps(notebook))


# ------------------------------------------------- 1. the edition decides, never silently


def test_a_learner_file_beside_a_notebook_is_named_and_not_checked(notebooks, capsys):
    fill(notebooks / "01_double.ipynb", {"double": DOUBLE_OK})
    (notebooks / "01_double" / "double.py").write_text(STUB_FILE)
    assert load_manifest(notebooks).edition == "notebooks"  # the release recorded it
    report = learner.check(1, root=notebooks)
    assert report.passed, str(report)
    assert ("note: checked 01_double.ipynb: this series is the notebook edition, so the "
            "notebook is your work. 01_double/double.py is here too and was NOT checked"
            in str(report))
    assert main(["check", "1", "--dir", str(notebooks)]) == 0
    assert "01_double/double.py is here too and was NOT checked" in capsys.readouterr().out
    # a copy released before the edition was recorded: count is a notebook only, so the
    # series is the notebook edition all the same
    info = notebooks / "info.toml"
    info.write_text(info.read_text().split('edition = "notebooks"\n', 1)[1])
    assert load_manifest(notebooks).edition == "notebooks"
    assert learner.check(1, root=notebooks).passed


def test_in_the_file_edition_the_learner_file_is_checked_and_a_notebook_named(files,
                                                                              notebooks):
    (files / "01_double" / "double.py").write_text(DOUBLE_OK)
    shutil.copy(notebooks / "01_double.ipynb", files / "01_double.ipynb")  # still the stub
    report = learner.check(1, root=files)
    assert report.passed, str(report)
    assert ("this series is the file edition, so the learner file is your work. "
            "01_double.ipynb is here too and was NOT checked" in str(report))


# ------------------------------------------------------------- 2. copies of a notebook


def test_a_renamed_notebook_says_what_to_rename(notebooks, capsys):
    (notebooks / "01_double.ipynb").rename(notebooks / "01_double (1).ipynb")
    with pytest.raises(ManifestError, match=r"rename it to 01_double\.ipynb"):
        learner.check(1, root=notebooks)
    assert main(["check", "1", "--dir", str(notebooks)]) == 2
    err = capsys.readouterr().err
    assert "01_double (1).ipynb is a notebook of this exercise" in err
    assert "Ctrl-S" not in err


def test_working_in_a_copy_is_named_instead_of_save_advice(notebooks):
    copy = notebooks / "01_double-Copy1.ipynb"
    shutil.copy(notebooks / "01_double.ipynb", copy)
    fill(copy, {"double": DOUBLE_OK})  # the learner's work, saved in the copy
    text = str(learner.check(1, root=notebooks, history=[DOUBLE_OK]))  # the copy's kernel
    assert "Ctrl-S" not in text, text
    assert ("note: you are working in 01_double-Copy1.ipynb, a copy: the check read "
            "01_double.ipynb, whose answer cells differ" in text)
    assert "rename 01_double-Copy1.ipynb to 01_double.ipynb" in text
    # Jupyter names the notebook its kernel runs (__session__): said without a history too
    text = str(learner.check(1, root=notebooks, running=str(copy)))
    assert "you are working in 01_double-Copy1.ipynb" in text
    # a copy the kernel did not run is still named
    text = str(learner.check(1, root=notebooks))
    assert "01_double-Copy1.ipynb is another notebook of this exercise" in text


# ------------------------------------------------------------------ 3. untagged cells


def test_a_helper_in_an_untagged_cell_is_named(notebooks):
    path = notebooks / "01_double.ipynb"
    fill(path, {"double": "def double(x):\n    return helper(x)\n"})
    _scratch(path, "def helper(x):\n    return x * 2.0\n")
    text = str(learner.check(1, root=notebooks))
    assert "NameError" in text
    assert ("note: `helper` is defined in a cell of 01_double.ipynb that is not tagged answer "
            "(`def helper(x):`): only answer cells are checked and graded. Tag that cell "
            "answer" in text), text


def test_an_answer_defined_again_in_an_untagged_cell_gets_no_save_advice(notebooks):
    path = notebooks / "01_double.ipynb"
    _scratch(path, DOUBLE_OK)  # the answer, written in a scratch cell; the answer cell: stub
    text = str(learner.check(1, root=notebooks, history=[DOUBLE_OK]))
    assert "Ctrl-S" not in text, text
    assert ("note: double is defined again in a cell that is not tagged answer (`def "
            "double(x):`): the check read only the answer cells" in text), text


def test_an_answer_left_in_an_untagged_cell_is_named(notebooks):
    path = notebooks / "01_double.ipynb"
    notebook = json.loads(path.read_text())
    for cell in notebook["cells"]:  # the answer cells hold something else
        if "answer" in cell["metadata"].get("tags", []):
            cell["source"] = "x = 1\n"
    path.write_text(json.dumps(notebook))
    _scratch(path, DOUBLE_OK)  # the answer, in a cell without the tag
    text = str(learner.check(1, root=notebooks))
    assert "defines no 'double'" in text, text
    assert "note: `double` is defined in a cell of 01_double.ipynb that is not tagged answer" \
        in text, text


def test_jupyters_display_in_an_answer_cell_gets_its_import(notebooks):
    path = notebooks / "01_double.ipynb"
    fill(path, {"double": DOUBLE_OK + "display(double(1.0))\n"})
    text = str(learner.check(1, root=notebooks))
    assert ("`display` exists only inside Jupyter, and the check runs your answer cells as a "
            "plain Python file: add `from IPython.display import display`" in text), text
    fill(path, {"double": "from IPython.display import display\n" + DOUBLE_OK
                + "display(double(1.0))\n"})
    assert learner.check(1, root=notebooks).passed  # the note's fix, applied


# ------------------------------------------------------- 5. a notebook outside its series


def test_a_kernel_elsewhere_checking_the_series_by_root_is_told_which_notebook_was_read(
        notebooks, tmp_path, monkeypatch):
    away = tmp_path / "Downloads"
    away.mkdir()
    shutil.copy(notebooks / "01_double.ipynb", away)
    fill(away / "01_double.ipynb", {"double": DOUBLE_OK})  # saved, but not the series'
    monkeypatch.chdir(away)  # Jupyter starts a kernel in its notebook's folder
    text = str(learner.check(1, root=notebooks, history=[DOUBLE_OK]))
    assert "Ctrl-S" not in text, text
    assert (f"note: the check read {notebooks / '01_double.ipynb'}, the notebook of the "
            f"series you named, not the notebook this kernel runs (in {away})" in text), text
    monkeypatch.chdir(notebooks)  # in the series, unsaved work is what it says
    assert "Ctrl-S" in str(learner.check(1, root=notebooks, history=[DOUBLE_OK]))


def test_a_notebook_named_by_its_path_is_checked_in_its_own_series(notebooks, tmp_path,
                                                                   monkeypatch, capsys):
    other = release(notebooks.parent / "instructor", tmp_path / "other", notebooks=True).out
    fill(notebooks / "01_double.ipynb", {"double": DOUBLE_OK})
    monkeypatch.chdir(other)
    assert main(["check", str(Path("..") / "series" / "01_double.ipynb")]) == 0
    assert "solved" in capsys.readouterr().out
    assert main(["check", "1"]) == 1  # the series here is still its own




def test_a_notebook_outside_its_series_gets_notebook_advice_without_a_traceback(
        notebooks, tmp_path, monkeypatch, capsys):
    from IPython.core.interactiveshell import InteractiveShell

    away = tmp_path / "Downloads"
    away.mkdir()
    shutil.copy(notebooks / "01_double.ipynb", away)
    monkeypatch.chdir(away)
    shell = InteractiveShell.instance()
    try:
        shell.run_cell("from lstm_shapes import exercises\nexercises.check('double')")
        shell.run_cell("exercises.hint('double')")
    finally:
        InteractiveShell.clear_instance()
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text and "ManifestError" not in text and 'File "' not in text
    assert f"lstm-shapes: no exercise series here: {away}" in text, text
    assert "exercises.check('double', root='path/to/the/series')" in text
    assert "exercises.hint('double', root='path/to/the/series')" in text
    assert "lstm-shapes --dir" not in text


def test_the_cli_advice_outside_a_series_is_a_command_that_works(notebooks, tmp_path):
    away = tmp_path / "elsewhere"
    away.mkdir()
    cli = [sys.executable, "-m", "lstm_shapes.cli"]
    done = subprocess.run([*cli, "check", "1"], cwd=away, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 2
    placeholder = "<folder holding info.toml>"
    commands = re.findall(rf"lstm-shapes [^,\n]*--dir {placeholder}", done.stderr)
    assert len(commands) == 2, done.stderr
    for command in commands:  # copied, the folder filled in, and run
        args = shlex.split(command.replace(placeholder, shlex.quote(str(notebooks))))[1:]
        ran = subprocess.run([*cli, *args], cwd=away, capture_output=True, text=True,
                             check=False)
        assert ran.returncode in (0, 1), (command, ran.stderr)  # 1: a check not solved
    assert main(["--dir", str(notebooks), "check", "1"]) == 1  # --dir before the verb


# ----------------------------------------------------- 6. out of time, and interrupted


def test_a_check_out_of_time_says_the_limit_where_and_what_to_look_for(files, capsys,
                                                                      monkeypatch):
    (files / "01_double" / "double.py").write_text(LOOP)
    monkeypatch.setattr(feedback, "_isatty", lambda stream: True)  # the terminal's line
    report = exercises.check(1, root=files, timeout=6)
    err = capsys.readouterr().err
    assert re.search(r"checking 1 double: .* -- \d+ s of at most 6 s", err), err
    text = str(report)
    assert report.result.timed_out
    assert re.search(r"while your code ran double \(double\.py:[23]\)", text), text
    assert "look for a loop that never ends" in text
    assert "Read the first failure above" not in text
    assert "`lstm-shapes check 1 --timeout 60`" in text


def test_a_notebook_check_out_of_time_names_the_answer_cell(notebooks):
    fill(notebooks / "01_double.ipynb", {"double": LOOP})
    text = str(exercises.check(1, root=notebooks, timeout=6))
    assert re.search(r"in 01_double\.ipynb: double\.py:\d+ is answer cell 2 of 2 "
                     r"\(`def double\(x\):`\)", text), text
    assert "`exercises.check('double', timeout=60)`" in text


def test_an_interrupted_check_ends_in_one_line_and_its_tests_are_killed(files, tmp_path,
                                                                       capsys):
    from IPython.core.interactiveshell import InteractiveShell

    pid_file = tmp_path / "pid"
    (files / "01_double" / "double.py").write_text(
        f"import os\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\n{LOOP}")

    def interrupt() -> None:  # Ctrl-C (Jupyter's interrupt) once the learner's code runs
        deadline = time.monotonic() + 60
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        _thread.interrupt_main()

    threading.Thread(target=interrupt, daemon=True).start()
    shell = InteractiveShell.instance()
    try:
        shell.run_cell(f"from lstm_shapes import exercises\n"
                       f"exercises.check(1, root={str(files)!r}, timeout=120)")
    finally:
        InteractiveShell.clear_instance()
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("check of 1 double interrupted after"), out
    assert "its tests were stopped (their process killed)" in lines[0]
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


# ------------------------------------------------------- 7. the notebook's own words


def test_a_notebook_failure_points_to_its_hint_cell_and_a_file_to_the_cli(notebooks, files):
    text = learner.check(1, root=notebooks).result.output
    assert "-> stuck? run the hint cell: `exercises.hint('double')`" in text, text
    assert "lstm-shapes hint" not in text
    text = learner.check(1, root=files).result.output
    assert "-> stuck? run `lstm-shapes hint 1`" in text, text


# ------------------------------------------------------------------------- 8. HTML


def test_only_misconception_codes_are_highlighted_in_html(notebooks):
    from lstm_shapes.exercises.report_html import check_html
    from lstm_shapes.exercises.learner import CheckReport
    from lstm_shapes.exercises.results import TestOutcome
    from lstm_shapes.exercises.runner import CheckResult

    failure = ("your answer: y[i] is the last value of window i\n"
               "  [window_misalignment] y is one step early.\n  fix: y[i] = series[i + t]")
    result = CheckResult("double", 0.0, 2.0, 1, (TestOutcome("test_y", "failed", 0.0, 2.0,
                                                             failure),))
    page = check_html(CheckReport(load_manifest(notebooks).get(1), result, 0, None))
    assert re.search(r"<b style=\"[^\"]*\">\[window_misalignment\]</b>", page), page
    assert "y[i] is the last value" in page and "[i]</b>" not in page


# ------------------------------------------------- 9. a path where a number is accepted


def test_a_notebook_or_file_path_names_its_exercise(notebooks, capsys, monkeypatch):
    manifest = load_manifest(notebooks)
    assert manifest.get("01_double.ipynb").name == "double"
    assert manifest.get(notebooks / "02_count.ipynb").name == "count"
    assert manifest.get("01_double/double.py").name == "double"
    assert manifest.get("02_count/test_count.py").name == "count"
    monkeypatch.chdir(notebooks)
    assert main(["check", "01_double.ipynb"]) == 1  # checked, not solved: not a usage error
    assert "1 double: not solved yet" in capsys.readouterr().out
    assert main(["hint", "./02_count.ipynb"]) == 0
    shutil.copy("01_double.ipynb", "01_double-Copy1.ipynb")
    assert main(["check", "01_double-Copy1.ipynb"]) == 2
    err = capsys.readouterr().err
    assert "01_double-Copy1.ipynb is not the notebook of exercise 1" in err
    assert "rename it to 01_double.ipynb" in err


# ---------------------------------------------------------------------- 10. takeaways


def test_an_explicit_takeaway_is_shown_exactly_and_none_is_guessed(tmp_path):
    said = "Doubling keeps the shape:\n  (batch, features) in, (batch, features) out."
    info = INFO.replace('name = "double"\n', f'name = "double"\ntakeaway = """\n{said}"""\n')
    series = release(make_tree(tmp_path / "src", info=info), tmp_path / "series").out
    (series / "01_double" / "double.py").write_text(DOUBLE_OK)
    (series / "02_count" / "count.py").write_text(COUNT_OK)
    one, two = learner.check(1, root=series), learner.check(2, root=series)
    assert one.passed and two.passed
    assert one.takeaway == said and f"\n{said}\n" in str(one)
    assert two.takeaway == "" and "taught" not in str(two)
