"""The learner's CLI and notebook API on a tiny synthetic series."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from corpus.exercise_tree import CORRECT, SOLUTION_LINE, make_tree

from lstm_shapes import exercises
from lstm_shapes.cli import main
from lstm_shapes.exercises.learner_copy import release
from lstm_shapes.exercises.progress import NOTE, STATE_FILE, Progress

STUB = '    raise NotImplementedError("multiply x by 2")'


@pytest.fixture
def series(tmp_path):
    return make_tree(tmp_path / "series", body=STUB)


def _state(root: Path) -> dict:
    return json.loads((root / STATE_FILE).read_text())


def test_status_shows_progress_and_the_next_exercise(series, tmp_path, capsys, monkeypatch):
    learner = release(series, tmp_path / "learner").out
    monkeypatch.chdir(learner / "02_count")  # found from below, no --dir
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "Welcome to the tiny series." in out
    assert "Progress: 0/2 exercises solved, 0/4 points" in out
    assert "Next: 1 double (implement): Double an array" in out
    assert f"edit   {os.path.join('..', '01_double', 'double.py')}" in out
    assert "check  lstm-shapes check 1" in out
    # an instructor copy found by searching is refused; named with --dir it is used
    monkeypatch.chdir(series / "02_count")
    assert main([]) == 2
    err = capsys.readouterr().err
    assert f"{series} is an instructor copy" in err and f"--dir {series}" in err
    assert main(["--dir", str(series)]) == 0


def test_hint_reveals_one_more_per_call_and_remembers(series, capsys):
    assert main(["hint", "1", "--dir", str(series)]) == 0
    first = capsys.readouterr().out
    assert "hint 1/2: What does multiplying" in first and "Which operator" not in first
    assert "again for hint 2/2" in first
    assert main(["hint", "double", "--dir", str(series)]) == 0
    second = capsys.readouterr().out
    assert "hint 2/2: Which operator" in second
    assert "shown once `lstm-shapes check 1` passes" in second  # no solution before passing
    assert SOLUTION_LINE not in second
    assert main(["hint", "1", "--dir", str(series)]) == 0
    assert "That was the last hint." in capsys.readouterr().out
    state = _state(series)
    assert state["hints"] == {"double": 2} and state["_note"] == NOTE


def test_bad_exercise_number_is_a_usage_error(series, capsys):
    assert main(["hint", "13", "--dir", str(series)]) == 2
    assert "no exercise '13': use a number from 1 to 2" in capsys.readouterr().err
    assert main(["status", "--dir", str(series / "01_double")]) == 2
    assert "no info.toml there" in capsys.readouterr().err


@pytest.mark.parametrize("content", ["{not json", '{"format": 1, "solved": {"x": "ten"}}',
                                     '["a list"]', '{"format": 99}'])
def test_corrupt_state_starts_over_with_a_warning(series, capsys, content):
    (series / STATE_FILE).write_text(content)
    assert main(["--dir", str(series)]) == 0
    out = capsys.readouterr().out
    assert f"warning: {STATE_FILE} could not be read" in out and "progress starts over" in out
    assert (series / (STATE_FILE + ".corrupt")).read_text() == content
    assert main(["hint", "1", "--dir", str(series)]) == 0
    assert _state(series)["hints"] == {"double": 1}


def test_check_fails_then_passes_and_shows_the_solution(series, capsys):
    assert main(["check", "--dir", str(series)]) == 1  # the next unsolved: 1
    out = capsys.readouterr().out
    assert "not done yet: multiply x by 2" in out
    assert "1 double: not solved yet, 0/3 points (2 of 2 tests failed)" in out
    assert "Stuck? `lstm-shapes hint 1` shows hint 1/2." in out
    assert SOLUTION_LINE not in out
    (series / "01_double" / "double.py").write_text(
        (series / "01_double" / "double.py").read_text().replace(STUB, CORRECT))
    assert main(["check", "1", "--dir", str(series)]) == 0
    out = capsys.readouterr().out
    assert "1 double: solved, 3/3 points." in out
    assert "Reference solution (you passed, so here it is):" in out and SOLUTION_LINE in out
    assert "Next: 2 count: Fix the sample count" in out
    assert _state(series)["solved"] == {"double": 3}
    assert main(["--dir", str(series)]) == 0
    out = capsys.readouterr().out
    assert "Progress: 1/2 exercises solved, 3/5 points" in out and "Next: 2 count" in out
    # breaking a solved exercise un-solves it
    (series / "01_double" / "double.py").write_text("raise SystemExit(3)\n")
    assert main(["check", "1", "--dir", str(series)]) == 1
    assert _state(series)["solved"] == {}


def test_learner_copy_has_no_solution_to_show(tmp_path, capsys):
    learner = release(make_tree(tmp_path / "src"), tmp_path / "learner").out
    text = (learner / "02_count" / "count.py").read_text()
    (learner / "02_count" / "count.py").write_text(text.replace("shape[-1]", "shape[0]"))
    assert main(["check", "2", "--dir", str(learner)]) == 0
    out = capsys.readouterr().out
    assert "2 count: solved, 2/2 points." in out
    assert "solution" not in out  # nothing to show, and no promise of it
    assert main(["hint", "2", "--dir", str(learner)]) == 0
    assert "solution" not in capsys.readouterr().out


def test_a_learner_copy_says_that_hidden_tests_hold_more_points(tmp_path, capsys):
    learner = release(make_tree(tmp_path / "src"), tmp_path / "learner").out
    (learner / "01_double" / "double.py").write_text("def double(x):\n    return x * 2.0\n")
    assert main(["check", "1", "--dir", str(learner)]) == 0
    out = capsys.readouterr().out
    assert ("1 double: solved, 2/2 points of the tests here (the instructor's hidden tests "
            "hold 1 more of its 3)") in out, out
    assert "more tests than you have here (hidden ones" in (learner / "README.md").read_text()


def test_status_points_add_up_to_the_series_total_with_the_hidden_ones(tmp_path, capsys):
    """Everything solved in a learner copy: 4 points here + 1 hidden = the series' 5."""
    learner = release(make_tree(tmp_path / "src"), tmp_path / "learner").out
    (learner / "01_double" / "double.py").write_text("def double(x):\n    return x * 2.0\n")
    text = (learner / "02_count" / "count.py").read_text()
    (learner / "02_count" / "count.py").write_text(text.replace("shape[-1]", "shape[0]"))
    for n in ("1", "2"):
        assert main(["check", n, "--dir", str(learner)]) == 0
    capsys.readouterr()
    assert main(["status", "--dir", str(learner)]) == 0
    out = capsys.readouterr().out
    assert ("2/2 exercises solved, 4/4 points in the tests here; your instructor's hidden "
            "tests hold 1 more (5 in all)") in out, out
    assert "2/2   +1 hidden Double an array" in out and "2/2             Fix the" in out


def test_hint_and_status_do_not_import_tensorflow(series):
    code = ("import sys, time; from lstm_shapes.cli import main; t = time.perf_counter(); "
            f"main(['hint', '1', '--dir', {str(series)!r}]); "
            f"main(['status', '--dir', {str(series)!r}]); "
            "print('HEAVY', sorted(m for m in ('tensorflow', 'keras', 'numpy') "
            "if m in sys.modules), round(time.perf_counter() - t, 3))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    heavy = done.stdout.strip().splitlines()[-1].split(" ", 1)[1]
    assert heavy.startswith("[]"), done.stdout


def test_notebook_api_returns_printable_reports(series, tmp_path, monkeypatch):
    series = release(series, tmp_path / "learner").out
    count = series / "02_count" / "count.py"
    count.write_text(count.read_text().replace("shape[-1]", "shape[0]"))
    monkeypatch.chdir(series)
    status = exercises.status()
    assert "Progress: 0/2" in str(status) and status.next.name == "double"
    assert status._repr_html_().startswith("<pre>") and "&lt;" not in status._repr_html_()
    shown = exercises.hint(1)
    assert shown.shown == 1 and "hint 1/2" in str(shown)
    report = exercises.check(2)
    assert report.passed and "2 count: solved, 2/2 points." in str(report)
    assert "2 count" in report._repr_html_()
    assert Progress.load(series).solved == {"count": 2}
    assert exercises.status().solved == 1


def _read_until(stream, marker: str, lines: list[str], timeout: float) -> bool:
    found = threading.Event()

    def pump():
        for line in stream:
            lines.append(line)
            if marker in line:
                found.set()
                return

    threading.Thread(target=pump, daemon=True).start()
    return found.wait(timeout)


def test_watch_rechecks_on_save(series):
    command = [sys.executable, "-m", "lstm_shapes.cli", "watch", "1", "--dir", str(series),
               "--interval", "0.1", "--max-checks", "2"]
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        assert _read_until(child.stdout, "watching", lines, 60), "".join(lines)
        assert "Ctrl-C quits" in lines[-1]  # stdin is not a terminal: no keys
        time.sleep(0.2)
        path = series / "01_double" / "double.py"
        path.write_text(path.read_text().replace(STUB, CORRECT))
        assert child.wait(timeout=60) == 0
    finally:
        if child.poll() is None:
            child.kill()
    out = "".join(lines) + child.stdout.read()
    first, second = out.split("=== checking", 2)[1:]
    assert "not done yet: multiply x by 2" in first
    assert "1 double: solved, 3/3 points." in second


@pytest.mark.skipif(os.name != "posix", reason="keys need a POSIX terminal")
def test_watch_keys_h_shows_a_hint_and_q_quits(series):
    import pty

    master, slave = pty.openpty()
    command = [sys.executable, "-m", "lstm_shapes.cli", "watch", "--dir", str(series),
               "--interval", "0.1"]
    child = subprocess.Popen(command, stdin=slave, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    os.close(slave)
    lines: list[str] = []
    try:
        assert _read_until(child.stdout, "watching", lines, 60), "".join(lines)
        assert "keys: h hint, c check now, q quit" in lines[-1]
        os.write(master, b"h")
        assert _read_until(child.stdout, "hint 1/2", lines, 30), "".join(lines)
        os.write(master, b"q")
        assert child.wait(timeout=30) == 0
    finally:
        if child.poll() is None:
            child.kill()
        os.close(master)
    assert json.loads((series / STATE_FILE).read_text())["hints"] == {"double": 1}
