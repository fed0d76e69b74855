"""Linux namespaces for the probe child: hidden folders, a read-only disk, no network, no escape.

The trusted child calls :func:`isolate` before it imports any submission code. On Linux,
when unprivileged user namespaces (or root) allow it, the rest of the child then runs with:

- the grader's folders (the instructor copy and its git history, the submissions, the
  gradebook, the grader's snapshot) covered by empty read-only folders;
- every other mount read-only, except the child's own work folder;
- its own network namespace (no interface but a down loopback: no network);
- its own PID namespace with a fresh ``/proc``: it sees and signals only its own processes,
  and when the child ends the kernel kills everything it started (no daemon survives);
- the mounts locked by a second user namespace, so the submission cannot unmount them.

Elsewhere (macOS, a container that forbids ``unshare``) :func:`isolate` changes nothing and
says why; the grader records that in the gradebook and falls back to its other defences.

>>> isinstance(available(), str)
True
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
MS_NOATIME, MS_NODIRATIME, MS_RELATIME, MS_STRICTATIME = 0x400, 0x800, 0x200000, 1 << 24
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 0x20, 0x1000, 0x4000, 1 << 18
MNT_DETACH, PR_SET_PDEATHSIG = 2, 1
_ALL = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS
_KEEP = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC,
         "noatime": MS_NOATIME, "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME,
         "strictatime": MS_STRICTATIME}
NAMESPACES = "namespaces (no network, read-only disk, own PIDs, grader folders hidden)"
MINIMAL = ("namespaces (a minimal read-only root with only the interpreter and this exercise's "
           "folder; no network; own PIDs and IPC)")
# what a minimal root holds of /etc: enough for the dynamic loader, users and time zones
_ETC = ("ld.so.cache", "ld.so.conf", "localtime", "passwd", "group", "nsswitch.conf", "hosts")
_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "ppc64le": 203, "s390x": 217}  # no libc wrapper
_DEVICES = ("null", "zero", "full", "random", "urandom")


class IsolationError(OSError):
    """A namespace step failed (the caller falls back to running without isolation)."""


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _call(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise IsolationError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    enc = (lambda s: None if s is None else s.encode())
    _call(_libc().mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags),
                        enc(data)), f"mount {target}")


def die_with_parent() -> None:
    """SIGKILL this process when its parent ends (reset by fork and identity changes)."""
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _map_ids(uid: int, gid: int) -> None:
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _mountpoints() -> list[tuple[str, set[str]]]:
    """``(mount point, per-mount options)`` from ``/proc/self/mountinfo``, parents first."""
    out = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        point = fields[4].encode().decode("unicode_escape")
        out.append((point, set(fields[5].split(","))))
    return sorted(out, key=lambda m: m[0].count("/"))


def _read_only_except(writable: Path) -> None:
    """Remount every mount read-only (keeping its locked flags), then bind ``writable`` rw."""
    _mount(str(writable), str(writable), None, MS_BIND | MS_REC)
    for point, options in _mountpoints():
        if _inside(Path(point), writable) or point.startswith("/proc"):
            continue
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        for name, bit in _KEEP.items():
            if name in options:
                flags |= bit
        try:
            _mount(None, point, None, flags)
        except IsolationError:
            continue  # e.g. a mount under a hidden folder; the hidden ones are ro already


def _try_read_only(path: Path) -> None:
    for extra in (0, MS_NOEXEC):  # keep whatever flags the source mount had locked
        try:
            _mount(None, str(path), None,
                   MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | extra)
            return
        except IsolationError:
            continue


def _hide(folders: list[Path], writable: Path, keep: list[Path]) -> list[str]:
    """Cover each folder with an empty read-only tmpfs; kept folders inside it reappear.

    A kept folder inside a hidden one (the work folder inside /tmp, a virtualenv inside
    the home folder) is bound back from a file descriptor opened before the cover.
    """
    hidden: list[Path] = []
    for folder in sorted(set(folders), key=lambda f: len(f.parts)):
        if not folder.is_dir() or any(_inside(folder, h) for h in hidden):
            continue
        inner = sorted({k for k in (writable, *keep) if k != folder and _inside(k, folder)
                        and k.is_dir()}, key=lambda k: len(k.parts))
        inner = [k for k in inner if not any(_inside(k, o) and k != o for o in inner)]
        fds = {k: os.open(k, os.O_PATH | os.O_DIRECTORY) for k in inner}
        try:
            _mount("tmpfs", str(folder), "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755")
            for k, fd in fds.items():
                k.mkdir(parents=True, exist_ok=True)
                _mount(f"/proc/self/fd/{fd}", str(k), None, MS_BIND | MS_REC)
                if k != writable:
                    _try_read_only(k)
            _mount(None, str(folder), None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
                   "size=64k,mode=755")
        finally:
            for fd in fds.values():
                os.close(fd)
        hidden.append(folder)
    return [str(h) for h in hidden]


def _wait_and_relay(pid: int) -> None:
    """Wait for ``pid``, then end this process the same way (exit code or signal)."""
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except ChildProcessError:
            os._exit(70)
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if os.getpid() != 1:  # the namespace's init cannot die of most signals: exit 128+sig
            _die_of(sig)
        os._exit(128 + sig)
    code = os.WEXITSTATUS(status)
    if os.getpid() != 1 and code > 128 and code - 128 in signal.Signals._value2member_map_:
        _die_of(code - 128)  # relayed from the namespace's init: die of it, as the child did
    os._exit(code)


def _die_of(sig: int) -> None:
    if sig not in (signal.SIGKILL, signal.SIGSTOP):  # those two cannot be caught anyway
        signal.signal(sig, signal.SIG_DFL)
    os.kill(os.getpid(), sig)
    os._exit(128 + sig)  # a signal that does not kill (SIGCHLD, ...)


def available() -> str:
    """``""`` when namespaces can be used here, else the reason they cannot."""
    if not sys.platform.startswith("linux"):
        return f"no Linux namespaces on {sys.platform}"
    if not Path("/proc/self/ns/user").exists():
        return "the kernel has no user namespaces"
    return ""


def isolate(*, hide: list[str], writable: str) -> str:
    """Enter the namespaces (see the module docstring); returns what was done or why not.

    Only the process that returns runs the submission; the caller's original process waits
    in :func:`_wait_and_relay` (two of them, in fact: the namespace's init and its parent)
    and ends the way the submission's process ended.
    """
    reason = available()
    if reason:
        return f"none: {reason}"
    uid, gid = os.getuid(), os.getgid()
    work = Path(writable).resolve()
    keep = [Path(p).resolve() for p in (sys.prefix, sys.base_prefix, *sys.path) if p]
    keep += [Path(__file__).resolve().parents[1], Path(sys.executable).resolve().parent]
    folders = [Path(p).resolve() for p in hide]
    folders = [f for f in folders if not any(k == f for k in (work, *keep))]
    try:
        _call(_libc().unshare(_ALL), "unshare")
    except IsolationError as err:
        return f"none: {err.strerror}"
    try:
        _map_ids(uid, gid)
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        _read_only_except(work)
        hidden = _hide(folders, work, keep)
    except (IsolationError, OSError) as err:
        # half isolated is no worse than not isolated: go on, and say so in the gradebook
        return f"none: isolation failed ({err})"
    sys.stdout.flush()
    sys.stderr.flush()
    _as_init()
    # PID 1 of the new namespace: its own /proc, locked mounts, then the worker
    try:
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        _lock(uid, gid)
    except (IsolationError, OSError) as err:  # run on as the namespace's init, unlocked
        return f"none: isolation failed ({err})"
    _as_worker()
    print(f"lstm-shapes sandbox: hidden {', '.join(hidden) or 'nothing'}", file=sys.stderr)
    return NAMESPACES


def _as_init() -> None:
    """Fork; the parent relays the child's end. The child is PID 1 of the new namespace."""
    sys.stdout.flush()
    sys.stderr.flush()
    init = os.fork()
    if init:
        _wait_and_relay(init)  # never returns
    die_with_parent()


def _as_worker() -> None:
    """Fork the process that runs on; init relays its end, then the kernel kills the rest."""
    worker = os.fork()
    if worker:
        _wait_and_relay(worker)
    die_with_parent()


def _lock(uid: int, gid: int) -> None:
    """A second user namespace: every mount becomes locked (no remount rw, no unmount)."""
    _call(_libc().unshare(CLONE_NEWUSER | CLONE_NEWNS), "unshare (lock)")
    _map_ids(uid, gid)


def _bind_into(root: Path, source: Path, *, writable: bool) -> None:
    """Bind ``source`` (a folder or a file) at the same path under ``root``."""
    target = root / source.relative_to("/")
    if source.is_dir():
        target.mkdir(parents=True, exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()
    _mount(str(source), str(target), None, MS_BIND | MS_REC)
    if not writable:
        _try_read_only(target)


def _system_paths() -> list[Path]:
    """The top-level folders the dynamic loader and a shell need (links are kept as links)."""
    names = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")
    return [Path("/", n) for n in names if Path("/", n).exists()]


def _build_root(root: Path, read_only: list[Path], writable: list[Path]) -> None:
    _mount("tmpfs", str(root), "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
    for name, size in (("tmp", "256m"), ("dev/shm", "64m")):
        (root / name).mkdir(parents=True)
        _mount("tmpfs", str(root / name), "tmpfs", MS_NOSUID | MS_NODEV,
               f"size={size},mode=1777")
    for device in _DEVICES:
        _bind_into(root, Path("/dev", device), writable=True)
    for link in (p for p in _system_paths() if p.is_symlink()):
        (root / link.name).symlink_to(os.readlink(link))
    etc = [Path("/etc", n) for n in _ETC if Path("/etc", n).is_file()]
    folders = [p for p in _system_paths() if not p.is_symlink()] + read_only + etc
    for path in sorted(set(folders), key=lambda p: len(p.parts)):
        if not any(_inside(path, o) and path != o for o in folders):
            _bind_into(root, path, writable=False)
    for path in writable:
        _bind_into(root, path, writable=True)
    (root / "proc").mkdir()
    _mount("proc", str(root / "proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)


def confine(*, read_only: list[str], writable: list[str], scratch: str) -> str:
    """Go on in a minimal root built in the empty folder ``scratch``; raise if impossible.

    The root holds the system libraries, ``read_only`` folders and files (read-only, at
    their own paths), ``writable`` ones, a private ``/tmp`` and ``/dev/shm``, five devices
    and a fresh ``/proc``. The process also gets its own network (none), PID, IPC and UTS
    namespaces, locked mounts, and dies with its parent. Unlike :func:`isolate` this fails
    closed: the caller must not run the submission when it raises :class:`IsolationError`.
    """
    reason = available()
    if reason:
        raise IsolationError(0, reason)
    uid, gid = os.getuid(), os.getgid()
    _call(_libc().unshare(_ALL), "unshare")
    _map_ids(uid, gid)
    die_with_parent()  # a new user namespace is a change of credentials: it was reset
    _as_init()
    root = Path(scratch)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _build_root(root, [Path(p) for p in read_only], [Path(p) for p in writable])
    old = root / ".old"
    old.mkdir()
    number = _PIVOT_ROOT.get(os.uname().machine)
    if number is None:
        raise IsolationError(0, f"pivot_root: unknown system call number on {os.uname().machine}")
    _call(_libc().syscall(number, str(root).encode(), str(old).encode()), "pivot_root")
    os.chdir("/")
    _call(_libc().umount2(b"/.old", MNT_DETACH), "umount old root")
    os.rmdir("/.old")
    _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    _lock(uid, gid)
    _as_worker()
    return MINIMAL
