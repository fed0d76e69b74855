"""A throwaway unprivileged user for a submission's code, where namespaces are refused.

Gradescope runs the autograder as root in a container that forbids ``unshare``. There a
probe runner drops to a user id of its own (:func:`become`): it cannot write the
interpreter, site-packages or any root-owned file, nor read the grader's private (0700)
folders, nor signal the grader. Each submission gets a fresh id (:func:`pick_uid`), so two
submissions graded at once cannot meet. After each exercise, :func:`reap` kills every
process of that id and removes what it may have left to pass on: SysV shared memory,
semaphores and message queues, and its files in every world-writable folder.

What it cannot do: hide world-readable files, or cut the network. The isolation text says so.

>>> 0 < pick_uid() < 2**31
True
"""

from __future__ import annotations

import ctypes
import os
import random
import shutil
import signal
import sys
import time
from functools import cache
from pathlib import Path

UID_RANGE = (1_500_000_000, 2_000_000_000)  # far from any real account
DESCRIPTION = ("a separate unprivileged user (no namespaces here: the submission could read "
               "world-readable files and use the network)")
_SKIP = ("/proc", "/sys")  # no files of a user there
IPC_RMID = 0


def pick_uid() -> int:
    """A user id no process uses now, from :data:`UID_RANGE`."""
    busy = {uid for _, uid in _processes()}
    while True:
        uid = random.SystemRandom().randrange(*UID_RANGE)
        if uid not in busy:
            return uid


def hidden_from_others(paths: list[str]) -> str | None:
    """The first of ``paths`` another user could not read (or a folder on the way), if any."""
    import stat

    for path in map(Path, paths):
        for step in [*reversed(path.parents), path]:
            try:
                mode = step.stat().st_mode
            except OSError:
                return str(step)
            need = stat.S_IXOTH | (stat.S_IROTH if step == path else 0)
            if mode & need != need:
                return str(step)
    return None


def reachable_by_others(path: Path) -> bool:
    """Whether another user can reach ``path`` (every folder on the way lets others pass)."""
    import stat

    try:
        return all(step.stat().st_mode & stat.S_IXOTH for step in [*path.parents, path])
    except OSError:
        return False


def become(uid: int) -> None:
    """Drop this (root) process to ``uid``: no groups, no capabilities, for good."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid:  # pragma: no cover - the kernel refused
        raise PermissionError(f"could not become user {uid}")


def _processes() -> list[tuple[int, int]]:
    """``(pid, real uid)`` of every process (``/proc/PID/status``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            uids = next((ln.split()[1:] for ln in status.splitlines()
                         if ln.startswith("Uid:")), [])
            found += [(int(entry.name), int(u)) for u in set(uids)]
    return found


def kill_user(uid: int) -> None:
    """SIGKILL every process of ``uid`` until none is left (a forking one respawns)."""
    for _ in range(100):
        pids = {pid for pid, owner in _processes() if owner == uid}
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.01)


def _remove_ipc(uid: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    remove = {"shm": lambda i: libc.shmctl(i, IPC_RMID, None),
              "sem": lambda i: libc.semctl(i, 0, IPC_RMID),
              "msg": lambda i: libc.msgctl(i, IPC_RMID, None)}
    for kind, rm in remove.items():
        try:
            header, *rows = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
        except OSError:
            continue
        names = header.split()
        for row in rows:
            values = dict(zip(names, row.split()))
            if str(uid) in (values.get("uid"), values.get("cuid")):
                rm(int(values[f"{kind}id" if kind != "msg" else "msqid"]))


@cache
def shared_folders() -> tuple[str, ...]:
    """Every folder any user may write to (``/tmp``, ``/run/lock``, ...), on every mount.

    A throwaway user can leave files only there (and in its own folder), so these are what
    is cleaned after it. The walk takes a few seconds, once per process (a submission's
    probe child), never while a submission's code runs.
    """
    import stat

    found = []
    for top, folders, _ in os.walk("/", onerror=lambda err: None):
        if top.startswith(_SKIP):
            folders[:] = []
            continue
        try:
            mode = os.lstat(top).st_mode
        except OSError:
            continue
        if mode & stat.S_IWOTH and stat.S_ISDIR(mode):
            found.append(top)
            folders[:] = []  # what lies below belongs to whoever made it: cleaned by owner
    return tuple(found)


def _remove_files(uid: int, folders: list[str]) -> None:
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                continue


def reap(uid: int) -> None:
    """Kill ``uid``'s processes, then remove its IPC objects and shared-folder files.

    The killing and removing is done as ``uid`` itself, by a short child: ``kill(-1)`` as
    that user reaches all its processes at once, and in a container root may lack
    ``CAP_IPC_OWNER``, so that only an object's owner may remove it.
    """
    import subprocess

    from lstm_shapes.grading.interpreter import child_command

    if uid < UID_RANGE[0]:
        raise ValueError(f"refusing to reap user {uid}: not one of ours")
    kill_user(uid)
    subprocess.run(child_command("lstm_shapes.grading.identity", str(uid), *shared_folders()),
                   user=uid,
                   group=uid, extra_groups=[], stdin=subprocess.DEVNULL,
                   capture_output=True, check=False, timeout=120, cwd="/")
    kill_user(uid)


def _as_the_user(uid: int, folders: list[str]) -> None:
    """Run as ``uid`` by :func:`reap`: kill all its processes in one system call (a process
    that forks and exits at once cannot slip between a scan of /proc and the kills), then
    remove what only an owner may remove."""
    for _ in range(3):
        try:
            os.kill(-1, signal.SIGKILL)  # every process of this user but this one
        except ProcessLookupError:
            break
    _remove_ipc(uid)
    _remove_files(uid, folders)


if __name__ == "__main__":
    _as_the_user(int(sys.argv[1]), sys.argv[2:])
