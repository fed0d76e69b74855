"""The Gradescope bundle, and run_autograder run locally against a fake /autograder tree."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from corpus.container import CAN_SIMULATE, WHY_NOT, in_container, readable_python
from corpus.exercise_tree import SOLUTION_LINE
from corpus.submissions import ALWAYS_PASS_TESTS, DOUBLE_OK, make_class

import lstm_shapes
from lstm_shapes.cli import main

GRADESCOPE_TEST_FIELDS = {"name", "number", "score", "max_score", "status", "output",
                          "visibility", "extra_data"}


@pytest.fixture
def bundle(tmp_path: Path) -> tuple[Path, Path, Path]:
    instructor, submissions = make_class(tmp_path / "class", ["stub"])
    fake_wheel = tmp_path / "lstm_shapes-0.1.0-py3-none-any.whl"
    fake_wheel.write_bytes(b"PK")  # the real wheel is built by default; not needed here
    out = tmp_path / "autograder.zip"
    assert main(["autograder", "--out", str(out), "--exercises", str(instructor),
                 "--wheel", str(fake_wheel)]) == 0
    return out, instructor, submissions


def test_the_bundle_holds_what_gradescope_runs(bundle) -> None:
    out, _, _ = bundle
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        assert {"setup.sh", "run_autograder", "wheels/lstm_shapes-0.1.0-py3-none-any.whl",
                "exercises/info.toml", "exercises/01_double/test_double.py"} <= names
        assert (z.getinfo("run_autograder").external_attr >> 16) & 0o111
        assert "### BEGIN HIDDEN TESTS" in z.read("exercises/01_double/test_double.py").decode()
        # the solutions never ship: a submission on Gradescope could read them from disk
        shipped = z.read("exercises/01_double/double.py").decode()
        assert SOLUTION_LINE not in shipped and "NotImplementedError" in shipped
        assert "int(x.shape[-1])" in z.read("exercises/02_count/count.py").decode()
        assert "pip install ./wheels/*.whl" in z.read("setup.sh").decode()


def _autograder_tree(bundle, root: Path, double: str | None) -> Path:
    """Gradescope's /autograder at ``root``: the bundle in source/, a submission that
    solves count (and double, when given its source)."""
    out, _, submissions = bundle
    with zipfile.ZipFile(out) as z:
        z.extractall(root / "source")
    shutil.copytree(submissions / "stub", root / "submission")
    (root / "submission" / "02_count" / "count.py").write_text(
        "def count(x):\n    return int(x.shape[0])\n")
    if double is not None:
        (root / "submission" / "01_double" / "double.py").write_text(double)
    return root


@pytest.mark.parametrize("solved, score", [(False, 2.0), (True, 5.0)])
def test_run_autograder_writes_results_json(bundle, tmp_path: Path, solved: bool,
                                            score: float) -> None:
    root = _autograder_tree(bundle, tmp_path / "autograder", DOUBLE_OK if solved else None)
    script = root / "source" / "run_autograder"
    script.chmod(0o755)
    env = {**os.environ, "LSTM_SHAPES_AUTOGRADER_ROOT": str(root),
           "LSTM_SHAPES_PYTHON": sys.executable}
    done = subprocess.run([str(script)], check=False, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == score and results["max_score"] == 5.0
    assert {"score", "max_score", "execution_time", "output", "visibility", "tests"} <= set(results)
    for test in results["tests"]:
        assert set(test) == GRADESCOPE_TEST_FIELDS
        assert test["status"] in ("passed", "failed")
    double = results["tests"][0]
    assert double["name"] == "01 double"
    if not solved:  # the released stub, handed in as it was: not run, no misconception
        assert double["output"] == "not attempted: the released starter code, unchanged"
        assert double["score"] == 0


@pytest.mark.slow
def test_the_default_bundle_builds_a_real_wheel(tmp_path: Path) -> None:
    out = tmp_path / "autograder.zip"
    project = Path(lstm_shapes.__file__).resolve().parents[1]
    before = set(os.listdir(project))
    assert main(["autograder", "--out", str(out)]) == 0
    assert set(os.listdir(project)) <= before, "building the wheel wrote into the checkout"
    with zipfile.ZipFile(out) as z:
        wheels = [n for n in z.namelist() if n.startswith("wheels/") and n.endswith(".whl")]
        assert len(wheels) == 1 and "lstm_shapes" in wheels[0]
        assert "exercises/07_train_sine/test_train_sine.py" in z.namelist()


ATTACK = """import os, sys, time
root = {root!r}
for path, text in [(root + "/source/exercises/01_double/test_double.py", {tests!r}),
                   (root + "/results/results.json", '{{"score": 999}}')]:
    try:
        open(path, "w").write(text)
    except OSError:
        pass
for folder in sys.path:
    try:
        open(os.path.join(folder, "zz_autograder_attack.pth"), "x").write("import os\\n")
    except OSError:
        pass
if os.fork() == 0:  # a daemon that keeps forging the results after the grader is done
    os.setsid()
    for _ in range(200):
        try:
            open(root + "/results/results.json", "w").write('{{"score": 999}}')
        except OSError:
            pass
        time.sleep(0.1)
    os._exit(0)
def double(x):
    return None
"""


@pytest.mark.slow
@pytest.mark.skipif(not CAN_SIMULATE, reason=WHY_NOT)
def test_the_bundle_holds_as_root_in_a_container_without_namespaces(bundle) -> None:
    work = Path(tempfile.mkdtemp(prefix="gradescope-"))
    try:
        work.chmod(0o755)  # like /autograder: every user may pass through
        root = work / "autograder"
        _autograder_tree(bundle, root, ATTACK.format(root=str(root), tests=ALWAYS_PASS_TESTS))
        tests_before = (root / "source/exercises/01_double/test_double.py").read_bytes()
        python = readable_python(work / "venv")
        done = subprocess.run([*in_container(python), "-m", "lstm_shapes.grading.autograder",
                               str(root), str(root / "source" / "exercises")],
                              check=False, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        time.sleep(1.0)  # a daemon, had it survived, would have forged the results by now
        results = json.loads((root / "results" / "results.json").read_text())
        assert results["score"] == 2.0
        assert (root / "source/exercises/01_double/test_double.py").read_bytes() == tests_before
        assert not list(Path(python).parents[1].glob("lib/python3*/site-packages/zz_*.pth"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
