"""Run a submission's probes in a child process with time, CPU, memory and file-size limits.

One child runs the exercises in order (one TensorFlow import per submission). When an
exercise runs past ``timeout`` seconds, crashes the interpreter, or exhausts its memory, the
child is killed with its whole process group, that exercise is marked, and a fresh child
carries on with the next one: a fault costs only its own exercise.

When a child ends, everything it left behind is killed before the judge runs: its process
group, and every process whose environment carries this run's random token (a daemon that
forked and called ``setsid`` keeps it), so no submission process outlives its probes.
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

OUTPUT_LIMIT = 20_000  # characters of the child's output kept for the gradebook
FILE_LIMIT = 256 * 2**20  # no file (answers, output) may grow beyond this


@dataclass
class ProbeRun:
    """What happened to each exercise's probes: ``faults[name]`` says why one has none."""

    faults: dict[str, str] = field(default_factory=dict)
    output: str = ""
    seconds: float = 0.0
    isolation: str = ""  # _isolate.NAMESPACES, or "none: <why>"


def apply_limits(cpu_seconds: int, memory_mb: int) -> None:
    """Lower this process's limits for good: the child calls it first thing.

    (Setting them from the parent with ``preexec_fn`` is unsafe while the grader runs jobs in
    threads, so the trusted child does it before it imports any submission code.)
    """
    memory = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))  # SIGXCPU first
    for limit, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_FSIZE, FILE_LIMIT),
                         (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(limit, (value, value))


TOKEN_VARIABLE = "LSTM_SHAPES_SANDBOX"


def _env(home: Path, token: str) -> dict[str, str]:
    """A minimal environment: nothing of the grader's (PYTEST_*, PYTHONPATH, tokens)."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
            TOKEN_VARIABLE: token,
            "TMPDIR": str(home), "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
            "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONDONTWRITEBYTECODE": "1",
            "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1"}


def _marked(token: str) -> list[int]:
    """Processes whose environment holds ``TOKEN_VARIABLE=token`` (the sandbox's own)."""
    needle = f"{TOKEN_VARIABLE}={token}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue  # gone, or not ours to read
    return found


def _finish(child: subprocess.Popen[bytes], token: str) -> None:
    """Kill the child's group and every process that carries ``token``, then reap the child.

    The child has exited (or must go) but is not reaped yet, so its pid still reserves the
    process-group id and ``killpg`` cannot hit a stranger's group.
    """
    for _ in range(50):  # a forking process may spawn while we kill: repeat until quiet
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        survivors = [pid for pid in _marked(token) if pid != child.pid]
        for pid in survivors:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if not survivors:
            break
        time.sleep(0.02)
    child.wait()


def _describe(returncode: int | None, memory_mb: int) -> str:
    if returncode is not None and returncode < 0:
        sig = -returncode
        if sig == signal.SIGXCPU:
            return "it used up its CPU time"
        if sig == signal.SIGXFSZ:
            return "it wrote a file larger than 256 MiB"
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else sig
        return f"the Python process crashed ({name})"
    return (f"the process ended before answering (exit status {returncode}; os._exit? "
            f"out of memory, limit {memory_mb} MiB?)")


def run_probes(exercises: list[dict], workdir: Path, *, seed: int, timeout: float,
               memory_mb: int, isolate: bool = True, hide: list[Path] | tuple = (),
               writable: Path | None = None) -> ProbeRun:
    """Run the probes of ``exercises`` (dicts: name, tests, learner, answers) in children.

    Args:
        isolate: run the children in Linux namespaces (:mod:`._isolate`) when possible.
        hide: folders the children must not see (the instructor copy, submissions, ...).
        writable: the one folder they may write to (default ``workdir``); it must hold
            ``workdir`` and the answers folders.

    Returns the faults per exercise name (timeouts, crashes); exercises without a fault
    have answer files (or error records) in their ``answers`` folder.
    """
    run = ProbeRun()
    start = time.perf_counter()
    token = secrets.token_hex(16)
    todo = list(exercises)
    attempt = 0
    while todo:
        attempt += 1
        progress = workdir / f"progress-{attempt}.txt"
        plan = workdir / f"plan-{attempt}.json"
        plan.write_text(json.dumps({"seed": seed, "progress": str(progress),
                                    "cpu_seconds": int(timeout * len(todo) + 30),
                                    "memory_mb": memory_mb, "exercises": todo,
                                    "isolate": isolate, "hide": [str(h) for h in hide],
                                    "writable": str(writable or workdir)}))
        log = workdir / f"output-{attempt}.txt"
        with log.open("wb") as out:
            child = subprocess.Popen(
                [sys.executable, "-I", "-B", "-m", "lstm_shapes.grading.probe_child", str(plan)],
                cwd=workdir, env=_env(workdir, token), stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True)
            fault = _watch(child, progress, timeout, memory_mb)
            _finish(child, token)
        run.output += log.read_bytes()[-OUTPUT_LIMIT:].decode("utf-8", "replace")
        run.isolation = run.isolation or _isolation(progress)
        started = _started(progress)
        if fault is None and started[-1:] == ["__done__"]:
            break
        current = started[-1] if started and started[-1] != "__done__" else todo[0]["name"]
        run.faults[current] = fault or _describe(child.returncode, memory_mb)
        names = [e["name"] for e in todo]
        todo = todo[names.index(current) + 1:] if current in names else []
    run.output = run.output[-OUTPUT_LIMIT:]
    run.seconds = time.perf_counter() - start
    return run


def _isolation(progress: Path) -> str:
    try:
        return progress.with_name(progress.name + ".isolation").read_text()[:200]
    except OSError:
        return "none: the child ended before it could isolate itself"


def _started(progress: Path) -> list[str]:
    try:
        return [ln for ln in progress.read_text().splitlines() if ln]
    except OSError:
        return []


def _watch(child: subprocess.Popen[bytes], progress: Path, timeout: float,
           memory_mb: int) -> str | None:
    """Wait for the child to exit (not reaping it); kill it when an exercise runs too long."""
    seen, since, pause = 0, time.monotonic(), 0.01
    while True:
        done = os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        if done is not None:
            status = (-done.si_status if done.si_code in (os.CLD_KILLED, os.CLD_DUMPED)
                      else done.si_status)
            return None if status == 0 else _describe(status, memory_mb)
        time.sleep(pause)
        pause = min(pause * 2, 0.1)
        started = len(_started(progress))
        if started != seen:
            seen, since = started, time.monotonic()
        if time.monotonic() - since > timeout:
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            return (f"stopped after {timeout:g} s: does the code loop forever, or train far "
                    f"longer than it needs to?")
