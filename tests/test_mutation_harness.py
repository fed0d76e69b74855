"""The mutation harness (benchmarks/mutation/) on a tiny exercise: no TensorFlow, a few seconds.

The exercise's visible test sees ``double(0)`` only, a hidden one ``double(5)`` -- after
waiting for ``ready()``, which hangs on the mutant that returns False. So the visible
tests kill neither mutant, the hidden ones kill both, one of them by the timeout.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parent.parent / "benchmarks" / "mutation"

INFO = """format_version = 1
welcome_message = "hi"

[[exercises]]
name = "double"
dir = "01_double"
title = "Double a number"
points = 3
kind = "implement"
hints = ["one", "two"]
"""

LEARNER = '''"""Double a number."""


def helper():
    """Scaffolding: never mutated."""
    return 1 + 1


def double(x):
    """2 * x."""
    ### BEGIN SOLUTION
    return x + x
    ### END SOLUTION


def ready():
    """Whether double() may be called."""
    ### BEGIN SOLUTION
    return True
    ### END SOLUTION
'''

TESTS = '''import pytest


def probe_zero(module, rng):
    return module.double(0)


@pytest.mark.exercise("double", points=1)
def test_zero(answers):
    assert answers["zero"] == 0


### BEGIN HIDDEN TESTS
def probe_five(module, rng):
    while not module.ready():
        pass
    return module.double(5)


@pytest.mark.exercise("double", points=2)
def test_five(answers):
    assert answers["five"] == 10
### END HIDDEN TESTS
'''


def _load(name: str):
    if name in sys.modules:
        return sys.modules[name]
    sys.path.insert(0, str(HARNESS))
    spec = importlib.util.spec_from_file_location(name, HARNESS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def exercises(tmp_path: Path) -> Path:
    root = tmp_path / "exercises"
    (root / "01_double").mkdir(parents=True)
    (root / "info.toml").write_text(INFO)
    (root / "01_double" / "double.py").write_text(LEARNER)
    (root / "01_double" / "test_double.py").write_text(TESTS)
    return root


def test_only_solution_lines_are_mutated_and_ids_survive_a_line_shift(exercises: Path) -> None:
    mutants = _load("mutants")
    learner = exercises / "01_double" / "double.py"
    found = mutants.generate(learner)
    assert [m.after for m in found] == [["    return x - x"], ["    return False"]]
    assert {m.function for m in found} == {"double", "ready"}  # helper() is scaffolding
    assert [m.id for m in mutants.generate(learner)] == [m.id for m in found]
    learner.write_text("# one more line\n" + LEARNER)
    shifted = mutants.generate(learner)
    assert [m.id for m in shifted] == [m.id for m in found]
    assert [m.line for m in shifted] == [m.line + 1 for m in found]


def test_visible_and_hidden_scores_and_a_hang_stopped_by_the_timeout(
        exercises: Path, tmp_path: Path) -> None:
    run = _load("run")
    out = tmp_path / "out"
    equivalent = tmp_path / "equivalent.toml"
    mutants = _load("mutants").generate(exercises / "01_double" / "double.py")
    equivalent.write_text(f'[[equivalent]]\nexercise = "double"\nid = "{mutants[0].id}"\n'
                          f'reason = "a documented one"\n')
    code = run.main(["--dir", str(exercises), "--out", str(out), "--min-timeout", "4",
                     "--timeout-factor", "3", "--equivalent", str(equivalent)])
    assert code == 0
    data = json.loads((out / "results" / "01_double.json").read_text())
    assert data["baseline"]["visible"]["max_score"] == 1.0  # hidden test removed
    assert data["baseline"]["full"]["max_score"] == 3.0
    verdicts = [(m["visible"]["verdict"], m["full"]["verdict"]) for m in data["mutants"]]
    assert verdicts == [("survived", "killed"), ("survived", "timeout")], data["timeouts"]
    assert data["mutants"][0]["full"]["failed"] == ["test_five"]
    assert data["mutants"][0]["full"]["score"] == 1.0  # the visible test's point only
    summary = data["summary"]
    assert (summary["killed_visible"], summary["killed_full"], summary["total"]) == (0, 2, 2)
    assert summary["equivalent"] == [mutants[0].id]
    survivors = (out / "survivors" / "01_double.md").read_text()
    assert "a documented one" in survivors and "return x - x" in survivors
    assert "| 1 double | 2 | 0/2 (0 %) | 2/2 (100 %) | 0 / 1 |" in (out / "summary.md").read_text()
