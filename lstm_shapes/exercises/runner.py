"""Run one exercise's tests with pytest in a child process and read back its points.

The learner's code may hang or crash, so it never runs in the caller's process: the child
is killed (with its process group) after ``timeout`` seconds. Points come from the plugin's
``--lstm-results`` file (Gradescope's results.json); per-test outcomes fall back to pytest's
own JUnit XML when that file is missing. Grading's judge (stored answers, per-exercise
limits) builds on this module: :mod:`lstm_shapes.grading.judge_child`.

>>> CheckResult("windows", score=10.0, max_score=10.0, returncode=0).passed
True
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_shapes.exercises.results import (
    TestOutcome,
    per_exercise,
    read_results,
    read_tests,
)

DEFAULT_TIMEOUT = 300.0
_OUTPUT_LIMIT = 200_000
_TICK = 0.25  # seconds between two looks at a check's progress
LIVE_PLUGIN = "lstm_shapes.pytest_plugin.live"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of running one exercise's tests.

    ``passed`` means every test passed and every point was earned; ``returncode`` is
    pytest's exit code (None when the run was killed). ``fault`` says, in the learner's
    words, why the judge had to stop on this exercise (it then scores 0). A run stopped at
    its time ``limit`` says, when it could tell, where the learner's code was
    (``stopped_in``: ``"double (double.py:3)"``).
    """

    exercise: str
    score: float | None = None
    max_score: float | None = None
    returncode: int | None = None
    tests: tuple[TestOutcome, ...] = field(default_factory=tuple)
    output: str = ""
    timed_out: bool = False
    seconds: float = 0.0
    fault: str = ""  # why the judge gave up on this exercise (time, memory, a crash)
    limit: float | None = None  # the time limit of a run that was stopped at it
    stopped_in: str = ""

    @property
    def passed(self) -> bool:
        if self.timed_out or self.fault or self.returncode != 0:
            return False
        if self.score is not None and self.max_score is not None:
            return self.max_score > 0 and self.score >= self.max_score
        return bool(self.tests) and all(t.status == "passed" for t in self.tests)

    @property
    def failed_tests(self) -> tuple[TestOutcome, ...]:
        return tuple(t for t in self.tests if t.status != "passed")


def pytest_command(test_file: Path | list[Path], *, rootdir: Path, results: Path, junit: Path,
                   answers_dir: str | os.PathLike[str] | None = None, seed: int = 0,
                   extra_args: tuple[str, ...] = ()) -> list[str]:
    """The child's command line: only our plugin, no ini file of an enclosing project."""
    files = [str(f) for f in (test_file if isinstance(test_file, list) else [test_file])]
    command = [sys.executable, "-m", "pytest", *files, "-q", "--tb=short",
               "-c", os.devnull, "--rootdir", str(rootdir),
               "-p", "lstm_shapes.pytest_plugin", "-p", "no:cacheprovider",
               "--show-capture=stdout",  # the learner's prints, not TensorFlow's start-up log
               "-W", "ignore::DeprecationWarning",  # Keras's own, not the learner's to fix
               f"--lstm-results={results}", f"--junitxml={junit}", f"--lstm-seed={seed}"]
    if answers_dir is not None:
        command.append(f"--lstm-answers={answers_dir}")
    return [*command, *extra_args]


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1",
               PY_COLORS="0")  # plain text: a Jupyter kernel sets FORCE_COLOR=1
    for forced in ("FORCE_COLOR", "CLICOLOR_FORCE"):
        env.pop(forced, None)
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("LSTM_SHAPES_PROGRESS", None)  # set again only for a check that shows progress
    return env


def run_exercise_tests(test_file: str | os.PathLike[str], *, exercise: str | None = None,
                       timeout: float = DEFAULT_TIMEOUT, rootdir: str | os.PathLike[str] | None = None,
                       answers_dir: str | os.PathLike[str] | None = None, seed: int = 0,
                       extra_args: tuple[str, ...] = (),
                       on_progress: Callable[[Any, float], None] | None = None) -> CheckResult:
    """Run ``test_file`` with pytest in a child process; its score from results.json.

    Args:
        test_file: an exercise's ``test_<name>.py``.
        exercise: the name to report (default: from the file name).
        timeout: seconds before the child (and everything it started) is killed.
        rootdir: pytest's rootdir (default: the folder above the exercise's folder).
        answers_dir: judge stored answers (``--lstm-answers``) instead of running code.
        seed: ``--lstm-seed``.
        extra_args: more pytest arguments.
        on_progress: called about 4 times a second while the child runs, with what it
            said so far (an :class:`~lstm_shapes.exercises.live.Live`) and the seconds
            elapsed: which test runs (a learner's check shows it).
    """
    test_file = Path(test_file).resolve()
    if not test_file.is_file():
        raise FileNotFoundError(f"test file {test_file} does not exist")
    name = exercise or test_file.stem.removeprefix("test_")
    root = Path(rootdir).resolve() if rootdir is not None else test_file.parent.parent
    with tempfile.TemporaryDirectory(prefix="lstm-shapes-check-") as tmp:
        results, junit = Path(tmp) / "results.json", Path(tmp) / "junit.xml"
        watch: tuple[Path, Callable[[Any, float], None]] | None = None
        if on_progress is not None:
            extra_args = ("-p", LIVE_PLUGIN, *extra_args)
            watch = (Path(tmp) / "progress.txt", on_progress)
        command = pytest_command(test_file, rootdir=root, results=results, junit=junit,
                                 answers_dir=answers_dir, seed=seed, extra_args=extra_args)
        start = time.perf_counter()
        returncode, output, timed_out = _run(command, root, timeout, watch=watch)
        if returncode == 4 and "unrecognized arguments: --lstm-results" in output:
            # a plugin without results.json: per-test outcomes from JUnit only
            command = [c for c in command if not c.startswith("--lstm-results=")]
            returncode, output, timed_out = _run(command, root, timeout, watch=watch)
        seconds = time.perf_counter() - start
        score, max_score, tests = _read_results(results)
        if not tests:
            tests = _read_junit(junit)
        where = stopped_in(watch[0], f"{name}.py") if timed_out and watch else ""
    if timed_out:
        output += (f"\n{name}: the tests were stopped after {timeout:g} s (the time limit)"
                   + (f" while your code ran {where}" if where else "")
                   + ". Does your code loop forever, or train far longer than it needs to?\n")
        score = 0.0 if max_score is not None else None
    return CheckResult(exercise=name, score=score, max_score=max_score,
                       returncode=returncode, tests=tests,
                       output=output, timed_out=timed_out, seconds=seconds,
                       limit=timeout if timed_out else None, stopped_in=where)


_FRAME = re.compile(r'^\s*File "(?P<path>[^"]+)", line (?P<line>\d+) in (?P<function>\S+)',
                    re.MULTILINE)


def stopped_in(progress: Path, file_name: str) -> str:
    """Where the learner's file was when the check's child was stopped (``""``: unknown),
    from the child's stack (:func:`lstm_shapes.exercises.live.stack_file`)."""
    from lstm_shapes.exercises.live import stack_file

    try:
        stack = stack_file(progress).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    for frame in _FRAME.finditer(stack):  # the most recent call first
        if Path(frame["path"]).name == file_name:
            where = f"{file_name}:{frame['line']}"
            return (f"{where}, as it was imported" if frame["function"] == "<module>"
                    else f"{frame['function']} ({where})")
    return ""


def _wait(child: subprocess.Popen[bytes], timeout: float,
          watch: tuple[Path, Callable[[Any, float], None]] | None) -> bytes:
    """The child's output once it exits; with ``watch``, its progress shown meanwhile.

    Raises:
        subprocess.TimeoutExpired: after ``timeout`` seconds.
    """
    if watch is None:
        return child.communicate(timeout=timeout)[0]
    from lstm_shapes.exercises.live import read_events

    path, show = watch
    start = time.perf_counter()
    while True:
        elapsed = time.perf_counter() - start
        try:
            return child.communicate(timeout=max(0.0, min(_TICK, timeout - elapsed)))[0]
        except subprocess.TimeoutExpired:
            if time.perf_counter() - start >= timeout:
                raise
            show(read_events(path), time.perf_counter() - start)


def _run(command: list[str], cwd: Path, timeout: float, *,
         watch: tuple[Path, Callable[[Any, float], None]] | None = None
         ) -> tuple[int | None, str, bool]:
    """``(exit code or None if killed, output, timed out)`` of one child run."""
    env = child_env()
    if watch is not None:
        from lstm_shapes.exercises.live import PROGRESS_ENV

        env[PROGRESS_ENV] = str(watch[0])
    child = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True)
    timed_out = False
    try:
        raw = _wait(child, timeout, watch)
    except subprocess.TimeoutExpired:
        timed_out = True
        if watch is not None:
            _dump_stack(child, watch[0])
        kill_group(child)
        raw, _ = child.communicate()
    except BaseException:  # Ctrl-C: never leave the learner's code running
        kill_group(child)
        child.communicate()
        raise
    output = raw.decode("utf-8", "replace")[-_OUTPUT_LIMIT:]
    return (None if timed_out else child.returncode), output, timed_out


def _dump_stack(child: subprocess.Popen[bytes], progress: Path) -> None:
    """Ask a check's child to write its stack (the live plugin's SIGUSR1), then wait a bit."""
    from lstm_shapes.exercises.live import stack_file

    path = stack_file(progress)
    try:
        os.kill(child.pid, signal.SIGUSR1)
    except (ProcessLookupError, PermissionError, AttributeError):  # no SIGUSR1 on Windows
        return
    size, deadline = -1, time.monotonic() + 1.0
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = path.stat().st_size if path.exists() else 0
        if now and now == size:
            return
        size = now


def kill_group(child: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        child.kill()


def _read_results(path: Path) -> tuple[float | None, float | None, tuple[TestOutcome, ...]]:
    data = read_results(path)
    tests = tuple(read_tests(data))
    if not isinstance(data, dict):
        return None, None, ()
    score, max_score = data.get("score"), data.get("max_score")
    if not isinstance(max_score, (int, float)) and tests and \
            all(t.max_score is not None for t in tests):
        max_score = sum(t.max_score or 0.0 for t in tests)
    return (float(score) if isinstance(score, (int, float)) else None,
            float(max_score) if isinstance(max_score, (int, float)) else None, tests)


def _read_junit(path: Path, prefix: str | None = None) -> tuple[TestOutcome, ...]:
    try:
        tree = ET.parse(path)
    except (OSError, ET.ParseError):
        return ()
    outcomes = []
    for case in tree.iter("testcase"):
        if prefix is not None and not case.get("classname", "").startswith(prefix):
            continue
        bad = next((c for c in case if c.tag in ("failure", "error")), None)
        skipped = case.find("skipped") is not None
        status = "failed" if bad is not None or skipped else "passed"
        message = (bad.get("message") or "") if bad is not None else ""
        outcomes.append(TestOutcome(name=case.get("name", "?"), status=status, output=message))
    return tuple(outcomes)


def run_series_tests(root: str | os.PathLike[str], names: list[str] | None = None, *,
                     timeout: float = DEFAULT_TIMEOUT,
                     answers_dir: str | os.PathLike[str] | None = None,
                     seed: int = 0) -> dict[str, CheckResult]:
    """Run several exercises' tests in ONE pytest child; a result per exercise name.

    The child (the learner's code included, or with ``answers_dir`` the stored answers) is
    killed after ``timeout`` seconds in all. Grading judges with per-exercise limits instead
    (:func:`lstm_shapes.grading.judge_child.judge_series`).

    Points come from the plugin's results.json (each test names its exercise); per-test
    outcomes fall back to JUnit (by test file) when it is missing. ``returncode`` is 0 or 1
    per exercise (pytest's own code when the file was not collected); ``output`` is the
    whole run's.
    """
    from lstm_shapes.exercises.manifest import load_manifest

    manifest = load_manifest(root)
    chosen = [manifest.get(n) for n in names] if names else list(manifest.exercises)
    return _series_in_one_child(manifest, chosen, timeout=timeout, seed=seed,
                                answers_dir=answers_dir)


def _series_in_one_child(manifest: Any, chosen: list[Any], *, timeout: float, seed: int,
                         answers_dir: str | os.PathLike[str] | None) -> dict[str, CheckResult]:
    """One pytest child for ``chosen``, ``timeout`` for all of it."""
    with tempfile.TemporaryDirectory(prefix="lstm-shapes-series-") as tmp:
        results, junit = Path(tmp) / "results.json", Path(tmp) / "junit.xml"
        command = pytest_command([e.test_file for e in chosen], rootdir=manifest.root,
                                 results=results, junit=junit, seed=seed,
                                 answers_dir=answers_dir)
        start = time.perf_counter()
        returncode, output, timed_out = _run(command, manifest.root, timeout)
        seconds = time.perf_counter() - start
        graded = per_exercise(read_tests(read_results(results)))
        found = {e.name: series_outcome(e, graded, junit) for e in chosen}
    return {e.name: CheckResult(exercise=e.name, score=found[e.name][0],
                                max_score=found[e.name][1],
                                returncode=None if timed_out else
                                exercise_code(found[e.name][2], returncode),
                                tests=found[e.name][2], output=output,
                                timed_out=timed_out, seconds=seconds)
            for e in chosen}


def series_outcome(exercise: Any, graded: dict, junit: Path
                   ) -> tuple[float | None, float | None, tuple[TestOutcome, ...]]:
    """``(score, max_score, tests)`` of one exercise: results.json, else its JUnit cases."""
    return graded.get(exercise.name) or (
        None, None, _read_junit(junit, prefix=f"{exercise.dir}.test_{exercise.name}"))


def exercise_code(tests: tuple[TestOutcome, ...], returncode: int | None) -> int | None:
    """0 or 1 by the exercise's own tests; pytest's code when its file was not collected."""
    if not tests:
        return returncode
    return 0 if all(t.status == "passed" for t in tests) else 1
