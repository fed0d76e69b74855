"""The judge: the instructor's tests read a submission's answer files, one bomb per exercise.

Parent side, :func:`judge_series` (called by ``run_series_tests`` when grading): it starts
the child below, watches the time each exercise takes, and when the child runs too long on
one, runs out of memory or dies, kills it, marks that exercise and starts a fresh child for
the exercises after it. Child side, :func:`main`:

    python -I -S -B -c <boot> PLAN.json      (see :func:`.interpreter.child_command`)

The plan (JSON) holds ``args`` (pytest's arguments), ``progress`` (a file), ``results`` (the
plugin's results.json), ``cpu_seconds``, ``memory_mb`` (or null), ``isolate``, ``hide`` and
``writable``. The child lowers its limits, optionally enters the namespaces of
:mod:`.isolate`, then runs pytest in this process. Whenever a test of a new exercise starts
it first saves the results so far, then appends the exercise's name to the progress file:
the parent (:mod:`lstm_shapes.exercises.runner`) knows which exercise to blame if it has to
kill the judge, and keeps what the judge had already decided. The judge never imports the
submission's code, so what it writes can be trusted.

When a test runs out of memory (``MemoryError``, TensorFlow's ``ResourceExhaustedError``) the
child exits at once with :data:`OUT_OF_MEMORY`: an answer that exhausts the judge costs its
own exercise, and the next exercises are judged by a fresh process.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

OUT_OF_MEMORY = 86  # the exit status of a judge whose test ran out of memory
DONE = "__done__"  # the progress file's last line when pytest returned normally
_MEMORY_ERRORS = {"MemoryError", "ResourceExhaustedError"}
_OUTPUT_LIMIT = 200_000  # characters of the judge's output kept


# --- the parent ------------------------------------------------------------------------------


def judge_series(manifest: Any, chosen: list[Any], answers_dir: str | os.PathLike[str], *,
                 seed: int, timeout: float, memory_mb: int | None = None,
                 isolate: bool = False, hide: list[Path] | tuple = ()) -> dict[str, Any]:
    """Judge ``chosen`` exercises' stored answers: ``{name: CheckResult}``.

    ``timeout`` is per exercise (the whole judging stops after ``timeout`` times the number
    of exercises); results of the exercises judged before a fault are kept.
    """
    start = time.perf_counter()
    total = timeout * len(chosen)
    deadline = time.monotonic() + total
    done: dict[str, Any] = {}
    output = ""
    with tempfile.TemporaryDirectory(prefix="lstm-shapes-judge-") as tmp:
        from lstm_shapes.grading.reaper import register

        register("path", tmp)  # removed even if the grader is killed
        todo, attempt = list(chosen), 0
        while todo:
            attempt += 1
            folder = Path(tmp) / f"run-{attempt}"
            run = _run_child(manifest, todo, folder, answers_dir, seed=seed, timeout=timeout,
                             deadline=deadline, memory_mb=memory_mb, isolate=isolate, hide=hide)
            output += run["output"]
            limits = {"timeout": timeout, "total": total, "memory_mb": memory_mb}
            done.update(_settle(run, todo, folder, out_of_time=time.monotonic() >= deadline,
                                limits=limits))
            todo = [e for e in todo if e.name not in done]
    seconds = time.perf_counter() - start
    output = output[-_OUTPUT_LIMIT:]
    return {e.name: replace(done[e.name], seconds=seconds,
                            output=output + (f"\n{e.name}: {done[e.name].fault}\n"
                                             if done[e.name].fault else ""))
            for e in chosen}


def _settle(run: dict[str, Any], todo: list[Any], folder: Path, *, out_of_time: bool,
            limits: dict[str, Any]) -> dict[str, Any]:
    """The results one child decided: all of ``todo`` when pytest returned, else the
    exercises it had finished, and the fault of the one it was judging (of every exercise
    left when no time is left, or when it died before judging any)."""
    from lstm_shapes.exercises.results import per_exercise, read_results, read_tests
    from lstm_shapes.exercises.runner import CheckResult, exercise_code, series_outcome

    graded = per_exercise(read_tests(read_results(folder / "results.json")))
    finished = run["stopped"] is None and run["done"]
    current = run["started"][-1] if run["started"] and not finished else None
    current = current if current in [e.name for e in todo] else None
    out = {}
    for e in todo:
        if finished or (e.name in graded and e.name in run["started"] and e.name != current):
            score, max_score, tests = series_outcome(e, graded, folder / "junit.xml")
            out[e.name] = CheckResult(e.name, score, max_score,
                                      exercise_code(tests, run["returncode"]), tests)
    if finished:
        return out
    fault = _fault(run["stopped"], run["returncode"], **limits)
    timed_out = run["stopped"] is not None
    if current is None:  # it died before judging anything: it would again
        blamed, fault = todo, f"the judge could not start: {fault}"
    else:
        out[current] = _faulted(current, todo, fault, timed_out=timed_out)
        blamed = todo if out_of_time else []
        fault, timed_out = _fault("total", None, **{**limits, "memory_mb": None}), True
    for e in blamed:
        out.setdefault(e.name, _faulted(e.name, todo, fault, timed_out=timed_out))
    return out


def _faulted(name: str, todo: list[Any], fault: str, *, timed_out: bool) -> Any:
    """Zero points, with one failed "judge" test that says why (the gradebook's reason)."""
    from lstm_shapes.exercises.results import TestOutcome
    from lstm_shapes.exercises.runner import CheckResult

    points = float(next(e.points for e in todo if e.name == name))
    test = TestOutcome("judge", "failed", 0.0, points, fault, exercise=name)
    return CheckResult(name, 0.0, points, None, (test,), timed_out=timed_out, fault=fault)


def _visible(hide: list[Path] | tuple, needed: list[Path]) -> list[str]:
    """The folders of ``hide`` that hold none of the folders the judge must read."""
    needed = [Path(n).resolve() for n in needed]
    folders = [Path(h).resolve() for h in hide]
    return [str(h) for h in folders if not any(n == h or h in n.parents for n in needed)]


def _run_child(manifest: Any, todo: list[Any], folder: Path,
               answers_dir: str | os.PathLike[str], *, seed: int, timeout: float,
               deadline: float, memory_mb: int | None, isolate: bool,
               hide: list[Path] | tuple) -> dict[str, Any]:
    """One judge child for ``todo``: what it started, how it ended, why it was stopped."""
    from lstm_shapes.exercises.runner import child_env, pytest_command
    from lstm_shapes.grading.interpreter import child_command

    folder.mkdir(parents=True)
    progress = folder / "progress.txt"
    command = pytest_command([e.test_file for e in todo], rootdir=manifest.root,
                             results=folder / "results.json", junit=folder / "junit.xml",
                             answers_dir=answers_dir, seed=seed,
                             extra_args=(f"--basetemp={folder / 'tmp'}",))
    plan = {"args": command[3:],  # without "python -m pytest": the child calls pytest.main
            "progress": str(progress),
            "results": str(folder / "results.json"),
            "cpu_seconds": int(timeout * len(todo)) + 60, "memory_mb": memory_mb,
            "isolate": isolate, "writable": str(folder),
            "hide": _visible(hide, [manifest.root, Path(answers_dir), folder])}
    (folder / "plan.json").write_text(json.dumps(plan))
    log = folder / "output.txt"
    with log.open("wb") as out:
        child = subprocess.Popen(
            child_command("lstm_shapes.grading.judge_child", str(folder / "plan.json")),
            cwd=manifest.root, env={**child_env(), "TMPDIR": str(folder)},
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
        try:
            stopped = _watch(child, progress, timeout, deadline)
        finally:
            _kill(child)
    started = _lines(progress)
    return {"started": [s for s in started if s != DONE], "done": started[-1:] == [DONE],
            "stopped": stopped, "returncode": child.returncode,
            "output": log.read_bytes()[-_OUTPUT_LIMIT:].decode("utf-8", "replace")}


def _lines(progress: Path) -> list[str]:
    try:
        return [ln for ln in progress.read_text().splitlines() if ln]
    except OSError:
        return []


def _watch(child: subprocess.Popen[bytes], progress: Path, timeout: float,
           deadline: float) -> str | None:
    """Wait for the child to exit (not reaping it); ``"exercise"`` or ``"total"`` when it
    ran too long on one exercise, or in all."""
    seen, since, pause = 0, time.monotonic(), 0.01
    while os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        time.sleep(pause)
        pause = min(pause * 2, 0.1)
        started = len(_lines(progress))
        if started != seen:
            seen, since = started, time.monotonic()
        now = time.monotonic()
        if now >= deadline:
            return "total"
        if now - since > timeout:
            return "exercise"
    return None


def _kill(child: subprocess.Popen[bytes]) -> None:
    """Kill the child's process group, then reap the child (its pid holds the group id)."""
    from lstm_shapes.exercises.runner import kill_group

    kill_group(child)
    child.wait()


def _fault(stopped: str | None, returncode: int | None, *, timeout: float, total: float,
           memory_mb: int | None) -> str:
    """Why the judge gave up, in the learner's words."""
    reading = "reading this exercise's answers"
    limit = f" (limit {memory_mb} MiB)" if memory_mb else ""
    if stopped == "exercise":
        return (f"the judge stopped after {timeout:g} s {reading}: an answer (a .keras "
                f"model?) makes its tests run far too long")
    if stopped == "total":
        return f"the judge stopped: it used up its {total:g} s for all the exercises"
    if returncode == OUT_OF_MEMORY:
        return (f"the judge ran out of memory{limit} {reading}: an answer (a .keras "
                f"model?) is far too large")
    if returncode is not None and returncode < 0:
        sig = -returncode
        if sig == signal.SIGXCPU:
            return f"the judge used up its CPU time {reading}"
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else sig
        guess = (f"; out of memory{limit}? an answer (a .keras model?) may be far too large"
                 if memory_mb and sig in (signal.SIGABRT, signal.SIGKILL, signal.SIGSEGV)
                 else "")
        return f"the judge crashed ({name}) {reading}{guess}"
    return f"the judge ended unexpectedly (exit status {returncode}) {reading}"


# --- the child -------------------------------------------------------------------------------


def exercise_of_file(path: str) -> str:
    """``02_shapes/test_shapes.py`` -> ``shapes``."""
    return Path(path).stem.removeprefix("test_")


def ran_out_of_memory(error: BaseException | None) -> bool:
    """Is ``error``, or an error it was raised from or during, an out-of-memory error?"""
    seen: list[BaseException] = []
    while error is not None and all(error is not s for s in seen):
        if any(c.__name__ in _MEMORY_ERRORS for c in type(error).__mro__):
            return True
        seen.append(error)
        error = error.__cause__ or error.__context__
    return False


class Progress:
    """The pytest plugin of the judge: the progress file, snapshots, the memory exit."""

    def __init__(self, progress: Path, results: Path) -> None:
        self.progress = progress
        self.results = results
        self.current: str | None = None
        self.config: Any = None
        self.start = time.perf_counter()

    def pytest_configure(self, config: Any) -> None:
        self.config = config

    def pytest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]
                                ) -> None:
        name = exercise_of_file(location[0])
        if name == self.current:
            return
        self._snapshot()
        self.current = name
        with self.progress.open("a") as f:
            f.write(name + "\n")
            f.flush()

    def pytest_runtest_makereport(self, item: Any, call: Any) -> None:
        error = call.excinfo.value if call.excinfo is not None else None
        if ran_out_of_memory(error):
            print(f"lstm-shapes judge: {self.current}: {type(error).__name__}: "
                  f"{str(error)[:500]}", file=sys.stderr, flush=True)
            sys.stdout.flush()
            os._exit(OUT_OF_MEMORY)

    def _snapshot(self) -> None:
        """Save the grades so far (the exercises before the one about to start)."""
        grader = self.config.pluginmanager.get_plugin("lstm-shapes-grader") \
            if self.config is not None else None
        if grader is None or not grader.grades:
            return
        from lstm_shapes.exercises.results import write_results

        try:
            write_results(self.results, grader.grades.tests(),
                          execution_time=time.perf_counter() - self.start)
        except (OSError, MemoryError):
            pass  # the parent judges those exercises again


def _limit(cpu_seconds: int, memory_mb: int | None) -> None:
    """The sandbox's limits; without ``memory_mb``, CPU time only (and no core files)."""
    if memory_mb is not None:
        from lstm_shapes.grading.sandbox import apply_limits

        apply_limits(cpu_seconds, memory_mb)
        return
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: list[str]) -> int:
    plan = json.loads(Path(argv[0]).read_text())
    _limit(int(plan["cpu_seconds"]), plan.get("memory_mb"))
    if plan.get("isolate"):
        from lstm_shapes.grading.isolate import isolate

        how = isolate(hide=list(plan.get("hide", [])), writable=plan["writable"])
        if how.startswith("none:"):
            print(f"lstm-shapes judge: not isolated ({how[5:].strip()})", file=sys.stderr)
    import pytest

    progress = Path(plan["progress"])
    code = pytest.main(list(plan["args"]), plugins=[Progress(progress, Path(plan["results"]))])
    with progress.open("a") as f:
        f.write(DONE + "\n")
    return int(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
