"""The judge's limits: an answer that hangs, exhausts or crashes the judge costs one exercise.

A tiny three-exercise series (no TensorFlow unless a test asks for it) is judged from
answers folders written here; exercise ``two``'s answer is the attack each time, ``one``
and ``three`` are honest and must keep every point.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from corpus.submissions import needs_namespaces

from lstm_shapes.exercises.manifest import load_manifest
from lstm_shapes.grading import interpreter
from lstm_shapes.grading.judge_child import judge_series

INFO = '''format_version = 1
welcome_message = "Three tiny exercises."
{entries}'''
ENTRY = '''
[[exercises]]
name = "{name}"
dir = "0{number}_{name}"
title = "Exercise {name}"
points = {points}
kind = "implement"
hints = ["Think.", "Think again."]
'''
POINTS = {"one": 2, "two": 3, "three": 4}
NUMBER_TEST = '''import pytest


def probe_n(module, rng):
    return module.n()


@pytest.mark.exercise("{name}", points={points})
def test_n(answers):
    assert answers["n"] == 4
'''
# Each exercise two's test is honest code that an absurd answer turns into a bomb.
LOOPS = '''import pytest


def probe_n(module, rng):
    return module.n()


@pytest.mark.exercise("two", points=3)
def test_sum(answers):
    assert sum(range(answers["n"])) == 6
'''
ALLOCATES = '''import numpy as np
import pytest


def probe_n(module, rng):
    return module.n()


@pytest.mark.exercise("two", points=3)
def test_ones(answers):
    assert np.ones(answers["n"], dtype=np.uint8).sum() == 4
'''
CALLS_MODEL = '''import numpy as np
import pytest


def probe_model(module, rng):
    return module.build()


@pytest.mark.exercise("two", points=3)
def test_model_keeps_the_features(answers):
    y = answers["model"](np.zeros((1, 1000, 16), "float32"))
    assert y.shape[-1] == 16
'''
CRASHES = '''import os
import pytest


def probe_n(module, rng):
    return module.n()


@pytest.mark.exercise("two", points=3)
def test_n(answers):
    if answers["n"] != 4:
        os.abort()  # a C extension that crashes on a malformed answer
'''


def make_series(root: Path, two_tests: str) -> Path:
    """The instructor copy of the series under ``root``, ``two_tests`` as exercise two's."""
    entries = "".join(ENTRY.format(name=n, number=i, points=p)
                      for i, (n, p) in enumerate(POINTS.items(), 1))
    root.mkdir(parents=True, exist_ok=True)
    (root / "info.toml").write_text(INFO.format(entries=entries))
    for number, (name, points) in enumerate(POINTS.items(), 1):
        folder = root / f"0{number}_{name}"
        folder.mkdir()
        tests = two_tests if name == "two" else NUMBER_TEST.format(name=name, points=points)
        (folder / f"test_{name}.py").write_text(tests)
        (folder / f"{name}.py").write_text("def n():\n    return 4\n")
    return root


def make_answers(folder: Path, two: dict[str, object] | None = None) -> Path:
    """Honest answers for every exercise; ``two`` replaces exercise two's (file -> content)."""
    for name in POINTS:
        (folder / name).mkdir(parents=True)
        (folder / name / "n.json").write_text("4")
    for file, content in (two or {}).items():
        (folder / "two" / "n.json").unlink(missing_ok=True)
        path = folder / "two" / file
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(json.dumps(content))
    return folder


def _judge(root: Path, answers: Path, **options) -> dict:
    manifest = load_manifest(root)
    options = {"seed": 0, **options}
    return judge_series(manifest, list(manifest.exercises), answers, **options)


def judge(tmp_path: Path, two_tests: str, two_answers: dict[str, object] | None = None,
          **limits: object) -> tuple[dict, float]:
    root = make_series(tmp_path / "series", two_tests)
    answers = make_answers(tmp_path / "answers", two_answers)
    start = time.perf_counter()
    results = _judge(root, answers, seed=3, **limits)
    return results, time.perf_counter() - start


def assert_only_two_lost(results: dict, words: str) -> None:
    assert [results[n].score for n in POINTS] == [2.0, 0.0, 4.0], \
        {n: (r.score, r.fault, r.output[-2000:]) for n, r in results.items()}
    assert results["one"].passed and results["three"].passed
    assert not results["one"].fault and not results["three"].fault
    two = results["two"]
    assert words in two.fault, two.fault
    assert not two.passed and two.max_score == 3.0
    assert two.tests[0].status == "failed" and words in two.tests[0].output
    assert words in two.output


def test_honest_answers_keep_every_point(tmp_path: Path) -> None:
    results, _ = judge(tmp_path, LOOPS, {"n.json": 4}, timeout=20, memory_mb=1024)
    assert {n: r.score for n, r in results.items()} == {"one": 2.0, "two": 3.0, "three": 4.0}
    assert all(r.passed and not r.fault and r.returncode == 0 for r in results.values())


def test_an_answer_that_makes_the_judge_loop_costs_only_its_exercise(tmp_path: Path) -> None:
    results, seconds = judge(tmp_path, LOOPS, {"n.json": 10**15}, timeout=6)
    assert_only_two_lost(results, "the judge stopped after 6 s reading this exercise's answers")
    assert results["two"].timed_out and not results["one"].timed_out
    assert seconds < 6 * 3, seconds


def test_an_answer_that_exhausts_the_judges_memory_costs_only_its_exercise(
        tmp_path: Path) -> None:
    results, seconds = judge(tmp_path, ALLOCATES, {"n.json": 3 * 2**30}, timeout=30,
                             memory_mb=1024)
    assert_only_two_lost(results, "the judge ran out of memory (limit 1024 MiB) reading this "
                                  "exercise's answers")
    assert not results["two"].timed_out
    assert seconds < 30, seconds


SEES_NO_SECRET = """from pathlib import Path

import pytest


def probe_n(module, rng):
    return module.n()


@pytest.mark.exercise("three", points=4)
def test_n_and_no_secret(answers):
    assert answers["n"] == 4
    assert not Path({secret!r}).exists(), "the judge sees a hidden folder"
"""


@needs_namespaces
def test_an_isolated_judge_reads_its_answers_and_still_limits_each_exercise(
        tmp_path: Path) -> None:
    """Hiding the temp folder (which holds the series and the answers) must not blind it."""
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "key.txt").write_text("the reference answers")
    root = make_series(tmp_path / "series", ALLOCATES)
    (root / "03_three" / "test_three.py").write_text(
        SEES_NO_SECRET.format(secret=str(secret / "key.txt")))
    answers = make_answers(tmp_path / "answers", {"n.json": 3 * 2**30})
    results = _judge(root, answers, timeout=30, memory_mb=1024,
                               isolate=True, hide=[Path(tempfile.gettempdir()), secret])
    assert_only_two_lost(results, "the judge ran out of memory (limit 1024 MiB)")
    assert "not isolated" not in results["one"].output


def _bomb_model(path: Path) -> bytes:
    """A 10 kB ``.keras`` answer whose output would need 6.4 GB (UpSampling1D(100000))."""
    import keras

    model = keras.Sequential([keras.Input((1000, 16)), keras.layers.UpSampling1D(100_000)])
    model.save(path)
    return path.read_bytes()


@pytest.mark.slow  # TensorFlow starts in the test and in the judge: 15-50 s
def test_a_keras_answer_that_explodes_in_the_judge_costs_only_its_exercise(
        tmp_path: Path) -> None:
    bomb = _bomb_model(tmp_path / "bomb.keras")
    results, seconds = judge(tmp_path, CALLS_MODEL, {"model.keras": bomb}, timeout=60,
                             memory_mb=2560)
    assert_only_two_lost(results, "the judge ran out of memory (limit 2560 MiB)")
    assert seconds < 60, seconds


def test_a_judge_that_crashes_costs_only_its_exercise(tmp_path: Path) -> None:
    results, _ = judge(tmp_path, CRASHES, {"n.json": 5}, timeout=20)
    assert_only_two_lost(results, "the judge crashed (SIGABRT) reading this exercise's answers")


EVIL_PTH = "import pathlib; pathlib.Path({mark!r}).write_text('pth ran')\n"
EVIL_SITECUSTOMIZE = "import pathlib\npathlib.Path({mark!r}).write_text('sitecustomize ran')\n"


def test_start_up_code_planted_in_site_packages_never_runs_in_the_judge(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``.pth`` and a ``sitecustomize`` in a site-packages folder of the judge's import
    path (here a temporary one, never the real one), also on PYTHONPATH: neither runs."""
    site_dir = tmp_path / "site-packages"
    site_dir.mkdir()
    marks = [tmp_path / "pth-ran", tmp_path / "sitecustomize-ran"]
    (site_dir / "evil.pth").write_text(EVIL_PTH.format(mark=str(marks[0])))
    (site_dir / "sitecustomize.py").write_text(EVIL_SITECUSTOMIZE.format(mark=str(marks[1])))
    real = interpreter.import_path()
    monkeypatch.setattr(interpreter, "import_path", lambda: (*real, str(site_dir)))
    monkeypatch.setenv("PYTHONPATH", str(site_dir))
    assert str(site_dir) in interpreter.child_command("lstm_shapes.grading.judge_child")[5]
    results, _ = judge(tmp_path, LOOPS, {"n.json": 4}, timeout=30)
    assert [r.score for r in results.values()] == [2.0, 3.0, 4.0]
    assert not any(m.exists() for m in marks)
    # the planted files are live: a plain interpreter that reads that folder runs both
    subprocess.run([sys.executable, "-c", f"import site; site.addsitedir({str(site_dir)!r})"],
                   check=True, env={**os.environ, "PYTHONPATH": str(site_dir)})
    assert all(m.exists() for m in marks)


def test_the_judges_own_death_before_any_exercise_marks_them_all(tmp_path: Path) -> None:
    broken = make_series(tmp_path / "series", LOOPS)
    (broken / "conftest.py").write_text("import os\nos.kill(os.getpid(), 9)\n")
    answers = make_answers(tmp_path / "answers")
    results = _judge(broken, answers, timeout=20)
    assert all(r.score == 0 and "could not start" in r.fault for r in results.values())
    assert signal.SIGKILL.name in results["one"].fault
