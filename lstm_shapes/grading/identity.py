"""A throwaway unprivileged user for a submission's code, where namespaces are refused.

Gradescope runs the autograder as root in a container that forbids ``unshare``. There a
probe runner drops to a user id of its own (:func:`become`): it cannot write the
interpreter, site-packages or any root-owned file, nor read the grader's private (0700)
folders, nor signal the grader. Each submission gets a fresh id (:func:`pick_uid`), so two
submissions graded at once cannot meet. After each exercise, :func:`reap` kills every
process of that id and removes what it may have left to pass on: SysV shared memory,
semaphores and message queues, and its files in the world-writable folders.

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
from pathlib import Path

UID_RANGE = (1_500_000_000, 2_000_000_000)  # far from any real account
DESCRIPTION = ("a separate unprivileged user (no namespaces here: the submission could read "
               "world-readable files and use the network)")
_SHARED_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm", "/dev/mqueue")
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


def _remove_files(uid: int) -> None:
    for folder in _SHARED_FOLDERS:
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

    The removing is done as ``uid`` itself, by a short child: in a container root may lack
    ``CAP_IPC_OWNER``, and only an object's owner may then remove it.
    """
    import subprocess

    from lstm_shapes.grading.interpreter import child_command

    if uid < UID_RANGE[0]:
        raise ValueError(f"refusing to reap user {uid}: not one of ours")
    kill_user(uid)
    subprocess.run(child_command("lstm_shapes.grading.identity", str(uid)), user=uid,
                   group=uid, extra_groups=[], stdin=subprocess.DEVNULL,
                   capture_output=True, check=False, timeout=60, cwd="/")


if __name__ == "__main__":
    _remove_ipc(int(sys.argv[1]))
    _remove_files(int(sys.argv[1]))
