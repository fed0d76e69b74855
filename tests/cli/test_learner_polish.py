"""The learner's CLI at its edges: outside a series, closed pipes, explain on an exercise
file, and watch once everything is solved."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from corpus.exercise_tree import INFO, make_tree
from test_learner_cli import _read_until

from lstm_shapes.cli import main
from lstm_shapes.exercises.learner_copy import release
from lstm_shapes.exercises.manifest import instructor_root

LSTM_SHAPES = Path(sys.executable).with_name("lstm-shapes")


def test_outside_a_series_it_says_how_to_start(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for argv in ([], ["check", "1"], ["hint", "1"], ["watch"]):
        assert main(argv) == 2
        out, err = capsys.readouterr()
        assert out == "" and "no exercise series here" in err, (argv, err)
        assert "lstm-shapes release --out my-series" in err and "--notebooks" in err
        assert "Progress" not in err and "windows" not in err  # no instructor copy listed


def test_the_instructor_copy_is_listed_only_when_named(capsys, monkeypatch):
    monkeypatch.chdir(instructor_root().parent)  # a checkout of the project
    assert main([]) == 2
    assert "is an instructor copy" in capsys.readouterr().err
    assert main(["--dir", str(instructor_root())]) == 0
    assert "Progress: " in capsys.readouterr().out


@pytest.mark.parametrize("args", [["status"], ["--help"], ["hint", "1"]])
def test_a_reader_that_stops_early_ends_every_verb_cleanly(tmp_path, args):
    """``lstm-shapes | head -1`` with more output than a pipe holds."""
    long_welcome = "Welcome.\n" + "A line of the welcome message.\n" * 20_000
    series = make_tree(tmp_path / "series", info=INFO.replace(
        'welcome_message = "Welcome to the tiny series."',
        f'welcome_message = """{long_welcome}"""').replace(
        '"What does multiplying', '"' + "x" * 100_000 + ' What does multiplying'))
    learner = release(series, tmp_path / "learner").out
    command = f"{LSTM_SHAPES} {' '.join(args)} | head -1; exit ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", command], cwd=learner, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 1
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr


def test_explain_calls_an_exercise_files_build_function_with_the_sine_sizes(capsys):
    stacking = instructor_root() / "04_stacking" / "stacking.py"
    assert main(["explain", str(stacking)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("build_stacked(timesteps=10, features=1)  (the sine task's sizes)")
    assert "(None, 10, 50)" in out and "(batch, timesteps, units)" in out
    train = instructor_root() / "07_train_sine" / "train_sine.py"
    assert main(["explain", str(train)]) == 2
    err = capsys.readouterr().err
    assert "build_and_train need(s) more than sizes" in err and "model.save(" in err


def test_explain_reads_a_notebooks_answer_cells(tmp_path, capsys):
    series = release(instructor_root(), tmp_path / "nb", notebooks=True).out
    assert main(["explain", str(series / "04_stacking.ipynb")]) == 1  # the released stub
    err = capsys.readouterr().err
    assert "building the model raised NotImplementedError" in err
    assert "(at 04_stacking.ipynb: answer cell 2 of 2 (`def build_stacked(" in err


def test_watch_keeps_watching_when_everything_is_solved(tmp_path):
    learner = release(make_tree(tmp_path / "src"), tmp_path / "learner").out
    (learner / "01_double" / "double.py").write_text("def double(x):\n    return x * 2.0\n")
    count = learner / "02_count" / "count.py"
    count.write_text(count.read_text().replace("shape[-1]", "shape[0]"))
    for n in ("1", "2"):
        assert main(["check", n, "--dir", str(learner)]) == 0
    command = [sys.executable, "-m", "lstm_shapes.cli", "watch", "--dir", str(learner),
               "--interval", "0.1", "--max-checks", "1"]
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        assert _read_until(child.stdout, "All solved: watching all 2 exercises", lines, 60), \
            "".join(lines)
        time.sleep(0.3)
        count.write_text(count.read_text().replace("shape[0]", "shape[1]"))  # broken again
        assert child.wait(timeout=60) == 1  # it re-checked that one: not solved
    finally:
        if child.poll() is None:
            child.kill()
    out = "".join(lines) + child.stdout.read()
    assert out.startswith("All exercises solved. Well done!")
    assert "=== checking 2 count" in out and "2 count: not solved yet" in out
