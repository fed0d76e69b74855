"""A grader killed with ``kill -9`` leaves no sandbox process and no temp file behind."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from corpus.submissions import COUNT_OK, make_class

from lstm_shapes.grading.reaper import TOKEN_VARIABLE, reaping, register

SLEEP = [sys.executable, "-c", "import time; time.sleep(600)"]


def _live() -> dict[int, Path]:
    """``/proc/PID`` of every live process (zombies are dead, only not yet reaped)."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and \
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX":
                found[int(entry.name)] = entry
        except (OSError, IndexError):
            continue
    return found


def _environ(proc: Path) -> list[bytes]:
    try:
        return (proc / "environ").read_bytes().split(b"\0")
    except OSError:
        return []


def _comm(proc: Path) -> str:
    try:
        return (proc / "comm").read_text().strip()
    except OSError:
        return ""


def _eventually(check, seconds: float = 10.0):
    """``check()`` once it is truthy, or its last value after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not (value := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


# -- the reaper alone -------------------------------------------------------------------------

OWNER = """import sys, time
from lstm_shapes.grading.reaper import reaping, register
with reaping():
    register("path", sys.argv[1])
    register("token", sys.argv[2])
    print("ready", flush=True)
    time.sleep(600)
"""


def _sleeper(token: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(SLEEP, env={**os.environ, TOKEN_VARIABLE: token},
                            start_new_session=True)


def test_the_reaper_cleans_up_after_an_owner_killed_with_sigkill(tmp_path: Path) -> None:
    folder = tmp_path / "run folder\nwith a newline and \u00e9"
    (folder / "instructor").mkdir(parents=True)
    (folder / "instructor" / "solution.py").write_text("secret")
    token = secrets.token_hex(16)
    sleeper = _sleeper(token)
    owner = subprocess.Popen([sys.executable, "-c", OWNER, str(folder), token],
                             stdout=subprocess.PIPE, start_new_session=True)
    try:
        assert owner.stdout.readline() == b"ready\n"
        owner.kill()
        owner.wait()
        assert _eventually(lambda: sleeper.poll() is not None and not folder.exists()), \
            (sleeper.poll(), folder.exists())
        assert sleeper.returncode == -signal.SIGKILL
    finally:
        for child in (sleeper, owner):
            child.kill()
            child.wait()


def test_the_reaper_cleans_up_when_the_grader_is_done(tmp_path: Path) -> None:
    token = secrets.token_hex(16)
    sleeper = _sleeper(token)
    try:
        with reaping() as reaper:
            register("path", tmp_path / "run")
            register("token", token)
            (tmp_path / "run").mkdir()
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # Ctrl-C, logout
                os.kill(reaper._process.pid, sig)
        assert reaper._process.returncode == 0
        assert not (tmp_path / "run").exists()
        assert sleeper.wait(5) == -signal.SIGKILL
    finally:
        sleeper.kill()
        sleeper.wait()


def test_register_refuses_what_must_never_be_killed_and_needs_no_reaper(tmp_path) -> None:
    for uid in (0, os.getuid()):
        with pytest.raises(ValueError, match="refusing"):
            register("uid", uid)
    with pytest.raises(ValueError, match="refusing"):
        register("path", "/")
    with pytest.raises(ValueError, match="unknown kind"):
        register("pid", 1)
    register("path", tmp_path)  # no reaper runs: nothing happens
    assert tmp_path.exists()
    from lstm_shapes.grading import sandbox

    assert sandbox.TOKEN_VARIABLE == TOKEN_VARIABLE


# -- the whole grader, killed in the middle of a submission ---------------------------------

# The learner file starts a daemon (fork, setsid, fork) that renames itself, so the test
# can find it in /proc whatever PID namespace it runs in (a pid it wrote down would be of
# its namespace, and the file unreadable from here), then keeps the probe busy: the grader
# is killed while the sandbox still runs. In either mode only the reaper's token kill
# catches it (the probe child dies with the grader; the runner and its PID namespace not).
DAEMON = """import os, time
def _daemon():
    if os.fork():
        return
    os.setsid()
    if os.fork():
        os._exit(0)
    with open("/proc/self/comm", "w") as f:
        f.write({name!r})
    while True:
        time.sleep(1)
_daemon()
time.sleep(600)
def double(x):
    return x * 2.0
"""


def _grader(tmp_path: Path, private: Path, isolate: bool, name: str) -> subprocess.Popen:
    instructor, submissions = make_class(tmp_path, ["stub"])
    (submissions / "stub" / "01_double" / "double.py").write_text(DAEMON.format(name=name))
    (submissions / "stub" / "02_count" / "count.py").write_text(COUNT_OK)
    command = [sys.executable, "-m", "lstm_shapes.cli", "grade", str(submissions), "--out",
               str(tmp_path / "out"), "--exercises", str(instructor), "--timeout", "60",
               "--seed", "1", *(["--no-isolation"] if not isolate else [])]
    with (tmp_path / "grader.log").open("wb") as log:
        return subprocess.Popen(command, cwd=tmp_path, stdout=log, stderr=log,
                                env={**os.environ, "TMPDIR": str(private)})


@pytest.mark.parametrize("isolate", [True, False], ids=["isolated", "no-isolation"])
def test_a_killed_grader_leaves_no_process_and_no_temp_file(tmp_path: Path,
                                                            isolate: bool) -> None:
    private = tmp_path / "tmp"
    private.mkdir()
    name = f"lsd-{secrets.token_hex(5)}"  # 14 characters: a whole comm
    grader = _grader(tmp_path, private, isolate, name)
    try:
        daemons = _eventually(lambda: [pid for pid, p in _live().items() if _comm(p) == name],
                              40.0)
        assert daemons, (tmp_path / "grader.log").read_text()
        tokens = {v for v in _environ(Path(f"/proc/{daemons[0]}"))
                  if v.startswith(TOKEN_VARIABLE.encode() + b"=")}
        assert tokens, "the daemon does not carry the sandbox's token"
        assert grader.poll() is None
        assert any(e.name.startswith("lstm-shapes-") for e in private.iterdir())
    finally:
        grader.kill()
        grader.wait()

    ours = str(private).encode()

    def left() -> list[str]:
        return [f"{pid} {_comm(p)}" for pid, p in _live().items()
                if pid in daemons or tokens & set(_environ(p))
                or any(ours in v for v in _environ(p))]

    try:
        assert _eventually(lambda: not left()), f"still running: {left()}"
        assert _eventually(lambda: not list(private.glob("lstm-shapes-*"))), \
            sorted(private.iterdir())
    finally:  # a failed run must not leave its daemon to the next tests
        for entry in left():
            os.kill(int(entry.split()[0]), signal.SIGKILL)
