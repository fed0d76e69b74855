"""Run a submission's probes, one confined runner per exercise, on the grader's own clock.

A warm child (:mod:`.probe_child`) imports TensorFlow once and forks a runner per exercise
that sees only that exercise (its two files, its answers folder, the seed of its own
probes), confined by namespaces, else by a throwaway user, else (loudly) not at all. Limits
the submission cannot touch: the grader's wall clock, per exercise and per submission (the
runner has no handle on the pipe that says an exercise started or ended), and address-space,
CPU and file-size limits per runner. A fault costs only its own exercise: the runner is
killed, the exercise marked, and the next one goes on (in a fresh child if need be).

When a child ends, everything it left behind is killed before the judge runs: its process
group, and every process whose environment carries this run's random token (a daemon that
forked and called ``setsid`` keeps it), so no submission process outlives its probes.
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import select
import shutil
import signal
import subprocess
import tempfile
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
    isolation: str = ""  # isolate.MINIMAL, identity.DESCRIPTION, or "none: <why>"
    environment: list[str] = field(default_factory=list)  # what it wrote on the import path
    spent: float = 0.0  # wall seconds the exercises took (what ``budget`` limits)


def apply_limits(cpu_seconds: int, memory_mb: int, *, on_top: bool = False) -> None:
    """Lower this process's limits for good: the child calls it first thing.

    With ``on_top`` the address space may grow by ``memory_mb`` beyond what the process
    maps already (a runner forked from a warm child that holds TensorFlow).
    (Setting them from the parent with ``preexec_fn`` is unsafe while the grader runs jobs in
    threads, so the trusted child does it before it imports any submission code.)
    """
    memory = memory_mb * 2**20 + (_mapped_bytes() if on_top else 0)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))  # SIGXCPU first
    for limit, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_FSIZE, FILE_LIMIT),
                         (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(limit, (value, value))


def _mapped_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


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


def kill_marked(token: str, spare: int | None = None) -> None:
    """SIGKILL every process carrying ``token`` but ``spare``, until none is left."""
    for _ in range(50):  # a forking process may spawn while we kill: repeat until quiet
        survivors = [pid for pid in _marked(token) if pid != spare]
        for pid in survivors:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if not survivors:
            return
        time.sleep(0.02)


def _finish(child: subprocess.Popen[bytes], token: str) -> None:
    """Kill the child's group and every process that carries ``token``, then reap the child.

    The child has exited (or must go) but is not reaped yet, so its pid still reserves the
    process-group id and ``killpg`` cannot hit a stranger's group.
    """
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    kill_marked(token, spare=child.pid)
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


STARTUP_SECONDS = 300.0  # importing TensorFlow on a loaded machine


def _import_path_entries() -> dict[str, tuple[int, int]]:
    """``path -> (mtime, size)`` of what the import path's folders hold at their top level
    (where a ``.pth``, a ``sitecustomize`` or a module shadowing a library would go)."""
    from lstm_shapes.grading.interpreter import import_path

    project = str(Path(__file__).resolve().parents[2])  # an editable install's own tree
    found = {}
    for folder in (f for f in import_path() if f != project):
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    info = entry.stat(follow_symlinks=False)
                    found[entry.path] = (info.st_mtime_ns, info.st_size)
        except OSError:
            continue
    return found


def _restore(before: dict[str, tuple[int, int]]) -> list[str]:
    """Remove start-up files added to the import path since ``before``; list all changes.

    Only an unconfined submission (``--no-isolation``) can write there; its grade is safe
    (children start with ``-S``), but the instructor's own Python would run a ``.pth`` or a
    ``sitecustomize``. Other changes are only reported: another program may have made them.
    """
    after = _import_path_entries()
    changed = sorted(p for p in after if after[p] != before.get(p, after[p]) or p not in before)
    startup = (p for p in changed if p not in before and (
        p.endswith(".pth") or Path(p).stem in ("sitecustomize", "usercustomize")))
    for path in startup:
        if Path(path).is_dir() and not Path(path).is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            Path(path).unlink(missing_ok=True)
    return changed


def _register(kind: str, value: object) -> None:
    from lstm_shapes.grading import reaper

    reaper.register(kind, value)


class _Replies:
    """The probe child's reply pipe, read line by line against a deadline."""

    def __init__(self, fd: int) -> None:
        self.fd, self.buffer = fd, b""

    def next(self, deadline: float) -> dict | None:
        """The next message, or None at the deadline or when the child closed the pipe."""
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                return None
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)


def _mode(isolate: bool) -> tuple[str, int | None]:
    """The confinement to ask for, and the throwaway user id where root might need one."""
    from lstm_shapes.grading.identity import pick_uid

    uid = pick_uid() if os.getuid() == 0 else None
    return ("auto" if isolate else "none"), uid


def confinement() -> str:
    """How runners started now would be confined: ``namespaces``, ``user`` or ``none``."""
    from lstm_shapes.grading.interpreter import child_command

    trial = subprocess.run(child_command("lstm_shapes.grading.probe_child", "--trial"),
                           capture_output=True, text=True, check=False, timeout=120)
    if trial.returncode == 0 and not trial.stdout.strip():
        return "namespaces"
    return "user" if os.getuid() == 0 else "none"


def run_probes(exercises: list[dict], workdir: Path, *, seed: int, timeout: float,
               memory_mb: int, isolate: bool = True, budget: float | None = None) -> ProbeRun:
    """Run the probes of ``exercises`` (dicts: name, tests, learner, answers), one at a time.

    Each exercise gets ``timeout`` wall seconds, the whole submission ``budget`` (default:
    ``timeout`` times their number); ``memory_mb`` limits each runner's address space. Returns the faults by exercise
    name (timeouts, crashes); an exercise without a fault has answer files (or error
    records) in its ``answers`` folder.
    """
    from lstm_shapes.exercises.probes import exercise_seed

    run = ProbeRun()
    start = time.monotonic()
    token = secrets.token_hex(16)
    mode, uid = _mode(isolate)
    scratch = Path(tempfile.mkdtemp(prefix="lstm-shapes-sandbox-"))
    scratch.chmod(0o711)  # a throwaway user reaches its own folder, and lists nothing
    for kind, value in (("token", token), ("path", scratch), ("uid", uid)):
        if value is not None:
            _register(kind, value)
    before = _import_path_entries()
    budget = budget or timeout * len(exercises)
    plan = [{**e, "seed": exercise_seed(seed, e["name"]), "memory_mb": memory_mb,
             "cpu_seconds": int(timeout * (os.cpu_count() or 1) + 30),
             "scratch": str(scratch / f"{i:02d}-{secrets.token_hex(8)}")}
            for i, e in enumerate(exercises)]
    try:
        attempt = 0
        while plan:
            attempt += 1
            plan = _serve(plan, run, workdir / f"output-{attempt}.txt", mode=mode, uid=uid,
                          token=token, timeout=timeout, budget=budget, memory_mb=memory_mb)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if run.isolation.startswith("a separate"):
            from lstm_shapes.grading.identity import reap

            reap(uid)
        if run.isolation.startswith("none"):  # confined runners cannot write there
            run.environment = _restore(before)
    run.seconds = time.monotonic() - start
    return run


def _serve(plan: list[dict], run: ProbeRun, log: Path, *, mode: str, uid: int | None,
           token: str, timeout: float, budget: float, memory_mb: int) -> list[dict]:
    """Run ``plan`` in one probe child; returns what is left when the child had to go."""
    from lstm_shapes.grading.interpreter import child_command

    read_end, write_end = os.pipe()
    args = [str(write_end), mode, "-" if uid is None else str(uid),
            "keras" if any(_uses_keras(e) for e in plan) else "plain"]
    with log.open("wb") as out:
        child = subprocess.Popen(
            child_command("lstm_shapes.grading.probe_child", *args), cwd=log.parent,
            env=_env(log.parent, token), stdin=subprocess.PIPE, stdout=out,
            stderr=subprocess.STDOUT, pass_fds=(write_end,), start_new_session=True)
    os.close(write_end)
    replies = _Replies(read_end)
    try:
        ready = replies.next(time.monotonic() + STARTUP_SECONDS)
        left = _exercises(plan, run, child, replies, timeout=timeout, budget=budget,
                          memory_mb=memory_mb) if ready else None
        run.isolation = run.isolation or (ready or {}).get("isolation", "")
        if left is None:  # the child never became ready: nothing can run
            why = "the sandbox did not start: " + _tail(log)
            run.faults.update({e["name"]: why for e in plan})
            left = []
    finally:
        if child.stdin:
            child.stdin.close()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        _finish(child, token)
        os.close(read_end)
        run.output = (run.output + log.read_bytes()[-OUTPUT_LIMIT:].decode(
            "utf-8", "replace"))[-OUTPUT_LIMIT:]
    return left


def _uses_keras(exercise: dict) -> bool:
    """Whether an exercise's files name Keras or TensorFlow: the child then imports them
    once, before it forks the runners."""
    for key in ("tests", "learner"):
        try:
            text = Path(exercise[key]).read_text("utf-8", "replace")
        except OSError:
            continue
        if "keras" in text or "tensorflow" in text:
            return True
    return False


def _tail(log: Path) -> str:
    lines = log.read_text("utf-8", "replace").strip().splitlines()
    return lines[-1][:300] if lines else "it printed nothing"


def _exercises(plan: list[dict], run: ProbeRun, child: subprocess.Popen[bytes],
               replies: _Replies, *, timeout: float, budget: float,
               memory_mb: int) -> list[dict]:
    """Send the exercises one by one; returns those left when the child stopped answering."""
    for index, item in enumerate(plan):
        name = item["name"]
        if run.spent >= budget:
            run.faults[name] = ("not run: the exercises before it used up the time this "
                                "submission is given")
            continue
        try:
            child.stdin.write((json.dumps(item) + "\n").encode())
            child.stdin.flush()
        except (BrokenPipeError, OSError):
            return plan[index:]
        started = replies.next(time.monotonic() + 30)
        if not started or started.get("started") != name:
            return plan[index:]
        began, allowed = time.monotonic(), min(timeout, budget - run.spent)
        ended = replies.next(began + allowed)
        run.spent += time.monotonic() - began
        if ended is None and child.poll() is None:
            _kill_runner(int(started["pid"]))
            run.faults[name] = (f"stopped after {round(allowed, 1):g} s: does the code loop "
                                f"forever, or train far longer than it needs to?")
            ended = replies.next(time.monotonic() + 30)
            if ended is None:
                return plan[index + 1:]
            continue
        if ended is None:
            run.faults[name] = _describe(None, memory_mb)
            return plan[index + 1:]
        status = int(ended["status"])
        if not ended.get("confined", True):
            run.faults[name] = ("not run: the sandbox could not be set up for this exercise "
                                "(see the output)")
        elif status != 0 or not ended.get("finished"):  # os._exit(0) halfway: no success
            run.faults[name] = _describe(status, memory_mb)
    return []


def _kill_runner(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
