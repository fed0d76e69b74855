"""Run a command as root in a "container" that refuses namespaces: Gradescope's conditions.

    python tests/corpus/container.py COMMAND [ARG ...]

Gradescope runs the autograder as root in a Docker container whose seccomp profile and
capabilities forbid ``unshare`` and ``mount``. The command here runs as root (uid 0) in a
user namespace of its own that maps root and the grader's throwaway users
(``identity.UID_RANGE``) onto themselves, with ``user.max_user_namespaces`` set to 0 inside:
it can change to another user, chown and kill, but it can create no namespace and mount
nothing (the mount namespace belongs to the host). Must itself be started by real root.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

CLONE_NEWUSER = 0x10000000
LOW, HIGH = 1_500_000_000, 2_000_000_000  # lstm_shapes.grading.identity.UID_RANGE


def main(argv: list[str]) -> int:
    ready_r, ready_w = os.pipe()
    mapped_r, mapped_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        if ctypes.CDLL(None, use_errno=True).unshare(CLONE_NEWUSER) != 0:
            os._exit(97)
        os.write(ready_w, b"1")
        os.read(mapped_r, 1)
        Path("/proc/sys/user/max_user_namespaces").write_text("0")
        os.execvp(argv[0], argv)
    os.read(ready_r, 1)
    for kind in ("uid", "gid"):
        Path(f"/proc/{pid}/{kind}_map").write_text(f"0 0 1\n{LOW} {LOW} {HIGH - LOW}\n")
    os.write(mapped_w, b"1")
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
