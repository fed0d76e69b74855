"""A watcher that cleans up after the grader, even when the grader dies of ``kill -9``.

    with reaping():                     # starts the watcher process
        register("path", run_folder)    # removed at the end
        register("token", token)        # processes with LSTM_SHAPES_SANDBOX=<token>: killed
        register("uid", sandbox_uid)    # every process of that uid (never 0, never ours)
        ...

The watcher (``python -I -S -B``, in a session of its own, deaf to SIGINT, SIGTERM and
SIGHUP) reads one JSON line per registration from its stdin. Its stdin reaches end of file
when the grader closes it, or when the grader dies and the kernel closes it: the watcher
then kills the registered processes (and any process working inside a registered folder)
with SIGKILL until none is left, removes the registered folders, and exits.

:func:`register` does nothing when no watcher runs, so a lone ``grade_submission`` works.
"""

from __future__ import annotations

import json
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

KINDS = ("path", "uid", "token")
TOKEN_VARIABLE = "LSTM_SHAPES_SANDBOX"  # the same as sandbox.TOKEN_VARIABLE
READY_SECONDS = 30.0  # for the watcher to start (a loaded machine)
KILL_SECONDS = 10.0  # the watcher stops killing after this long (a fork bomb as root...)

log = logging.getLogger("lstm_shapes.grading")


# -- the grader's side ----------------------------------------------------------------------

class Reaper:
    """The grader's end of one watcher process: :meth:`send` registrations, :meth:`close`."""

    def __init__(self) -> None:
        from lstm_shapes.grading.interpreter import child_command

        self._lock = threading.Lock()
        self._process = subprocess.Popen(
            child_command("lstm_shapes.grading.reaper"), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, start_new_session=True, close_fds=True)
        self._broken = False
        assert self._process.stdout is not None
        with self._process.stdout:  # "ready": it ignores the signals now, and reads
            if select.select([self._process.stdout], [], [], READY_SECONDS)[0]:
                ready = self._process.stdout.readline()
            else:
                ready = b""
        self._warned = ready != b"ready\n"
        if self._warned:
            log.warning("warning: the clean-up watcher did not start: a killed grader may "
                        "leave processes and temp files behind")

    def send(self, kind: str, value: str | int) -> None:
        line = (json.dumps([kind, value]) + "\n").encode("ascii")
        with self._lock:
            if self._broken or self._process.stdin is None:
                return
            try:
                self._process.stdin.write(line)
                self._process.stdin.flush()
            except (OSError, ValueError) as err:
                self._broken = True
                if not self._warned:
                    log.warning("warning: the clean-up watcher is gone (%s): a killed "
                                "grader may leave processes and temp files behind", err)

    def close(self, timeout: float = 5.0) -> None:
        """End of file for the watcher: it cleans up; wait up to ``timeout`` s for it."""
        with self._lock:
            try:
                if self._process.stdin is not None:
                    self._process.stdin.close()
            except OSError:
                pass
            self._broken = True
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("warning: the clean-up watcher (pid %d) still runs after %g s",
                        self._process.pid, timeout)


_current: Reaper | None = None
_current_lock = threading.Lock()


@contextmanager
def reaping(timeout: float = 5.0) -> Iterator[Reaper]:
    """Start a watcher, make it the one :func:`register` talks to; clean up on exit."""
    global _current
    reaper = Reaper()
    with _current_lock:
        previous, _current = _current, reaper
    try:
        yield reaper
    finally:
        with _current_lock:
            _current = previous
        reaper.close(timeout)


def _encode(kind: str, value: str | int | os.PathLike[str]) -> str | int:
    """The value as sent; raises ValueError for one the watcher must never act on."""
    if kind == "path":
        path = os.path.abspath(os.fspath(value))
        if path == os.path.dirname(path):
            raise ValueError(f"refusing to register {path!r} for removal")
        return path
    if kind == "uid":
        if isinstance(value, bool) or not isinstance(value, int) and not str(value).isdigit():
            raise ValueError(f"not a uid: {value!r}")
        uid = int(value)
        if uid in (0, os.getuid(), os.geteuid()):
            raise ValueError(f"refusing to kill every process of uid {uid} (root or ours)")
        return uid
    if kind == "token":
        token = str(value)
        if not token or "\0" in token:
            raise ValueError(f"not a token: {token!r}")
        return token
    raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")


def register(kind: str, value: str | int | os.PathLike[str]) -> None:
    """Tell the current watcher about a folder, a uid or a token (no-op without one).

    Raises ValueError for an unknown kind, the root folder, uid 0 or our own uid.
    """
    encoded = _encode(kind, value)
    with _current_lock:
        reaper = _current
    if reaper is not None:
        reaper.send(kind, encoded)


# -- the watcher's side ---------------------------------------------------------------------

def _processes(spare: int | None) -> Iterator[tuple[int, Path]]:
    """``(pid, /proc/pid)`` of every live process but this one, ``spare`` and zombies."""
    skip = {os.getpid(), spare}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in skip:
            continue
        try:
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in ("Z", "X"):
            yield int(entry.name), entry


def _uids(proc: Path) -> set[int]:
    for line in (proc / "status").read_text().splitlines():
        if line.startswith("Uid:"):
            return {int(u) for u in line.split()[1:4]}  # real, effective, saved
    return set()


def _inside(path: str, folders: set[str]) -> bool:
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


def targets(paths: set[str], uids: set[int], tokens: set[str],
            spare: int | None = None) -> list[int]:
    """The live processes to kill: a registered uid or token, or working in a folder."""
    needles = {f"{TOKEN_VARIABLE}={t}".encode() for t in tokens}
    found = []
    for pid, proc in _processes(spare):
        try:
            if (uids and uids & _uids(proc)
                    or needles and needles & set((proc / "environ").read_bytes().split(b"\0"))
                    or paths and _inside(os.readlink(proc / "cwd"), paths)):
                found.append(pid)
        except OSError:
            continue  # gone, or not ours to read
    return found


def clean(paths: set[str], uids: set[int], tokens: set[str],
          grader: int | None = None) -> list[str]:
    """Kill until no target is left, then remove ``paths``; returns what went wrong.

    ``grader`` (our parent's pid at start) is spared while it is still our parent: alive.
    """
    problems: list[str] = []
    uids = uids - {0, os.getuid(), os.geteuid()}
    folders = (paths | {os.path.realpath(p) for p in paths}) - {"/"}  # cwd is resolved
    deadline, pause = time.monotonic() + KILL_SECONDS, 0.005
    while left := targets(folders, uids, tokens, grader if os.getppid() == grader else None):
        if time.monotonic() > deadline:
            problems.append(f"processes still alive after {KILL_SECONDS:g} s: {left[:20]}")
            break
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(pause)
        pause = min(pause * 2, 0.1)
    for path in sorted(paths):
        for _ in range(3):  # a process killed just now may have been writing there
            shutil.rmtree(path, ignore_errors=True)
            if not os.path.lexists(path):
                break
        else:
            problems.append(f"could not remove {path}")
    return problems


def _read(stream) -> tuple[set[str], set[int], set[str]]:
    """Registrations from ``stream`` until end of file (a bad line is skipped)."""
    paths: set[str] = set()
    uids: set[int] = set()
    tokens: set[str] = set()
    for raw in stream:
        try:
            kind, value = json.loads(raw)
            if kind == "path" and isinstance(value, str) and os.path.isabs(value):
                paths.add(os.path.normpath(value))
            elif kind == "uid" and isinstance(value, int) and not isinstance(value, bool):
                uids.add(value)
            elif kind == "token" and isinstance(value, str) and value:
                tokens.add(value)
        except (ValueError, TypeError):
            continue
    paths.discard("/")
    return paths, uids, tokens


def main() -> int:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    os.chdir("/")
    grader = os.getppid()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # the grader stopped reading
    registered = _read(sys.stdin.buffer)
    problems = clean(*registered, grader=grader)
    for problem in problems:
        print(f"lstm-shapes clean-up: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
