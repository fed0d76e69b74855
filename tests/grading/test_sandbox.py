"""The probe sandbox on its own: one runner per exercise, the grader's clock, a clean import path."""

from __future__ import annotations

from pathlib import Path

import pytest

from lstm_shapes.grading import interpreter, sandbox

PROBES = "def probe_v(module, rng):\n    return module.value()\n"


def _plan(tmp_path: Path, sources: dict[str, str]) -> list[dict]:
    plan = []
    for name, source in sources.items():
        folder = tmp_path / "series" / name
        folder.mkdir(parents=True)
        (folder / f"test_{name}.py").write_text(PROBES)
        (folder / f"{name}.py").write_text(source)
        plan.append({"name": name, "tests": str(folder / f"test_{name}.py"),
                     "learner": str(folder / f"{name}.py"),
                     "answers": str(tmp_path / "answers" / name)})
    return plan


def _run(tmp_path: Path, sources: dict[str, str], **kwargs) -> sandbox.ProbeRun:
    work = tmp_path / "work"
    work.mkdir()
    options = {"seed": 3, "timeout": 6.0, "memory_mb": 1024, **kwargs}
    return sandbox.run_probes(_plan(tmp_path, sources), work, **options)


def test_without_isolation_a_start_up_file_on_the_import_path_is_removed_and_reported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    site.mkdir()
    paths = (*interpreter.import_path(), str(site))
    monkeypatch.setattr(interpreter, "import_path", lambda: paths)
    source = (f"open({str(site / 'zz.pth')!r}, 'w').write('import os\\n')\n"
              "def value():\n    return 1\n")
    run = _run(tmp_path, {"a": source}, isolate=False)
    assert run.environment == [str(site / "zz.pth")]
    assert not (site / "zz.pth").exists()
    assert run.isolation.startswith("none: not asked for")


def test_an_exercise_sees_only_its_own_answers_and_the_seed_of_its_own_probes(
        tmp_path: Path) -> None:
    spy = ("import gc, json, os\n"
           "def value():\n"
           "    seen = sorted(os.listdir('answers'))\n"
           "    ints = sorted({o['seed'] for o in gc.get_objects()\n"
           "                   if type(o) is dict and isinstance(o.get('seed'), int)})\n"
           "    return json.dumps([sorted(os.listdir('.')), seen, ints])\n")
    run = _run(tmp_path, {"a": "def value():\n    return 1\n", "b": spy})
    assert run.faults == {}
    import json

    from lstm_shapes.exercises.probes import exercise_seed

    folders, answers, seeds = json.loads(json.loads((tmp_path / "answers" / "b" / "v.json")
                                                    .read_text()))
    assert answers == [] and set(seeds) <= {exercise_seed(3, "b")}
    assert folders == ["answers", "b.py", "home", "probes"]  # no plan, no other exercise
    assert (tmp_path / "answers" / "a" / "v.json").read_text() == "1"


def test_a_fault_costs_only_its_exercise_and_the_clock_is_the_graders(tmp_path: Path) -> None:
    hang = "import os, time\ndef value():\n    time.sleep(10**6)\n"
    crash = "import os\ndef value():\n    os.kill(os.getpid(), 9)\n"
    run = _run(tmp_path, {"a": hang, "b": crash, "c": "def value():\n    return 3\n"},
               timeout=3.0)
    assert run.faults["a"].startswith("stopped after 3 s")
    assert "crashed (SIGKILL)" in run.faults["b"]
    assert "c" not in run.faults
    assert (tmp_path / "answers" / "c" / "v.json").read_text() == "3"
    home = f"HOME={tmp_path / 'work'}".encode()  # the probe child's, inherited by runners
    assert not [p for p in Path("/proc").iterdir() if p.name.isdigit() and _carries(p, home)]


def _carries(proc: Path, entry: bytes) -> bool:
    try:
        return entry in (proc / "environ").read_bytes().split(b"\0")
    except OSError:
        return False


@pytest.mark.parametrize("isolate", [True, False], ids=["confined", "bare"])
def test_a_runner_cannot_write_outside_its_folder(tmp_path: Path, isolate: bool) -> None:
    target = tmp_path / "outside.txt"
    source = (f"def value():\n    try:\n        open({str(target)!r}, 'w').write('x')\n"
              f"    except OSError as err:\n        return type(err).__name__\n"
              f"    return 'wrote'\n")
    run = _run(tmp_path, {"a": source}, isolate=isolate)
    written = (tmp_path / "answers" / "a" / "v.json").read_text()
    if run.isolation.startswith("none"):
        assert written == '"wrote"' and not isolate
    else:
        assert written != '"wrote"' and not target.exists()


def test_the_submission_s_budget_bounds_the_sum_of_its_exercises(tmp_path: Path) -> None:
    slow = "import time\ndef value():\n    time.sleep(2.5)\n    return 1\n"
    run = _run(tmp_path, {"a": slow, "b": slow, "c": slow}, timeout=4.0, budget=4.0)
    assert "a" not in run.faults
    assert run.faults["b"].startswith("stopped after 1.")
    assert run.faults["c"].startswith("not run: the exercises before it used up the time")
    assert run.spent < 4.5
