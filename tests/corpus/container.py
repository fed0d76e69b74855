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
import subprocess
import sys
from pathlib import Path

CLONE_NEWUSER = 0x10000000
SYSTEM_PYTHON = Path("/usr/bin/python3.11")
_PROJECT = Path(__file__).resolve().parents[2]  # a throwaway user must read the package
CAN_SIMULATE = (os.getuid() == 0 and SYSTEM_PYTHON.exists()
                and all(os.stat(p).st_mode & 0o001 for p in [*_PROJECT.parents, _PROJECT]))
WHY_NOT = ("simulating a container needs root, /usr/bin/python3.11 and a project folder "
           "every user can pass through")
LOW, HIGH = 1_500_000_000, 2_000_000_000  # lstm_shapes.grading.identity.UID_RANGE


def in_container(python: Path) -> list[str]:
    """The command prefix that runs ``python`` in the simulated container."""
    return [sys.executable, __file__, str(python)]


def readable_python(folder: Path) -> Path:
    """A virtualenv of the system Python that every user can read, on this environment's
    libraries (a Python under /root, like pyenv's, is unreadable to another user)."""
    from lstm_shapes.grading.interpreter import import_path

    subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(folder)], check=True)
    site = next(folder.glob("lib/python3*/site-packages"))
    base = Path(sys.base_prefix).resolve()  # its standard library is the system one
    libraries = [p for p in import_path() if not Path(p).is_relative_to(base)]
    (site / "host.pth").write_text("\n".join(libraries) + "\n")
    subprocess.run(["chmod", "-R", "a+rX", str(folder)], check=True)
    return folder / "bin" / "python"


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
