"""Read a submission's tree -- a folder, a zip or a tar -- without extracting anything.

Each reader yields :class:`Entry` records (relative path, depth, kind, size, a bounded reader)
and never follows a link, never writes to disk, and never reads a member nobody asked for, so
a 200 MiB data file or a 1,100-folder nesting costs nothing. Members whose names leave the
archive (``../x``, ``/etc/x``, ``C:x``) or that are links or devices are reported as such,
never read.

    >>> archive_stem("erin.TAR.gz"), archive_stem("upper.ZIP"), archive_stem("erin")
    ('erin', 'upper', 'erin')
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import stat
import tarfile
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_ENTRIES = 100_000  # entries looked at in one submission (folders, files, links)
MAX_SCAN_BYTES = 2 * 2**30  # bytes a tar may make us decompress while looking for files
SUPPORTED = (".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tbz2", ".tbz", ".txz", ".tar", ".zip")
UNSUPPORTED = (".7z", ".rar", ".gz", ".bz2", ".xz")  # archives we name, but cannot read
_MAGIC = ((0, b"PK\x03\x04", "zip"), (0, b"PK\x05\x06", "zip"), (0, b"\x1f\x8b", "tar"),
          (0, b"BZh", "tar"), (0, b"\xfd7zXZ\x00", "tar"), (257, b"ustar", "tar"))
_DRIVE = re.compile(r"^[A-Za-z]:")


class ArchiveError(ValueError):
    """The archive cannot be opened at all (damaged, unsupported, unreadable)."""


@dataclass(frozen=True)
class Entry:
    """One thing in a submission: ``kind`` is file, link, outside (escapes) or other.

    ``read(limit)`` returns at most ``limit + 1`` bytes, so a caller can tell "too big"
    (folders also have "unreadable": listed, but its kind could not be told).
    """

    path: str  # "/"-separated, relative to the submission's root
    depth: int  # number of parts: "01_double/double.py" has depth 2
    kind: str
    size: int
    read: Callable[[int], bytes]


def _no_read(limit: int) -> bytes:
    raise OSError("not a regular file")


def archive_stem(name: str) -> str:
    """``name`` without its archive suffix (any case); the name itself if that leaves nothing."""
    lower = name.lower()
    for suffix in SUPPORTED + UNSUPPORTED:
        if lower.endswith(suffix) and len(name) > len(suffix):
            return name[:-len(suffix)]
    return name


def named_like_archive(name: str) -> bool:
    """Whether the name ends like an archive: ``Erin.ZIP``, ``erin.tgz``, ``erin.7z``."""
    return archive_stem(name) != name


def sniff(path: Path) -> str | None:
    """"zip" or "tar" from the file's first bytes (compressed tars too), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        head = os.pread(fd, 512, 0)
    finally:
        os.close(fd)
    return next((kind for at, magic, kind in _MAGIC if head[at:at + len(magic)] == magic), None)


def _safe(name: str) -> str | None:
    """The member's path with ``/`` separators, or None when it would leave the archive."""
    name = name.replace("\\", "/")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if name.startswith("/") or _DRIVE.match(name) or ".." in parts or not parts:
        return None
    return "/".join(parts)


def _entry(name: str, kind: str, size: int, read: Callable[[int], bytes]) -> Entry:
    safe = _safe(name)
    if safe is None:
        return Entry(name.replace("\\", "/"), name.count("/") + 1, "outside", size, _no_read)
    return Entry(safe, safe.count("/") + 1, kind, size, read if kind == "file" else _no_read)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    with archive.open(info) as member:
        return member.read(limit + 1)


def _zip_kind(mode: int) -> str:
    """A member's kind from its Unix mode; no file type bits (DOS, 0o600) is a plain file."""
    kind = {stat.S_IFLNK: "link", stat.S_IFDIR: "dir", stat.S_IFREG: "file", 0: "file"}
    return kind.get(stat.S_IFMT(mode), "other")


def _zip_order(info: zipfile.ZipInfo) -> tuple[int, str]:
    name = info.filename.replace("\\", "/")
    return name.count("/"), name


def _zip_count(path: Path) -> int:
    """The entry count the zip's end record claims (0 when it has none we can read)."""
    end_record = getattr(zipfile, "_EndRecData", None)  # read before zipfile loads them all
    with path.open("rb") as f:
        end = end_record(f) if end_record else None
    return int(end[zipfile._ECD_ENTRIES_TOTAL]) if end else 0


def _zip_entries(path: Path, warn: Callable[[str], None]) -> Iterator[Entry]:
    try:
        if _zip_count(path) > MAX_ENTRIES:
            raise ArchiveError(f"{_zip_count(path)} entries, over the {MAX_ENTRIES} a "
                               "submission may hold")
        archive = zipfile.ZipFile(path)
    except ArchiveError:
        raise
    except Exception as err:  # noqa: BLE001 - whatever a damaged zip raises, it is a reason
        raise ArchiveError(f"not a readable zip ({err})") from None
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        for info in sorted(infos, key=_zip_order):
            kind = _zip_kind(info.external_attr >> 16)  # Unix mode bits, when any
            if kind == "dir":
                continue
            yield _entry(info.filename, kind, info.file_size,
                         functools.partial(_read_member, archive, info))


def _read_tar_member(archive: tarfile.TarFile, member: tarfile.TarInfo, limit: int) -> bytes:
    with archive.extractfile(member) as data:  # type: ignore[union-attr]
        return data.read(limit + 1)


def _tar_entries(path: Path, warn: Callable[[str], None]) -> Iterator[Entry]:
    try:
        archive = tarfile.open(path, "r:*")  # noqa: SIM115 - closed by the with below
    except Exception as err:  # noqa: BLE001 - whatever a damaged tar raises, it is a reason
        raise ArchiveError(f"not a readable tar archive ({err})") from None
    with archive:
        scanned, count = 0, 0
        while True:
            try:
                member = archive.next()
            except Exception as err:  # noqa: BLE001 - (zlib, lzma, bz2, tarfile errors)
                warn(f"damaged after {count} entries, the rest was not read ({err})")
                return
            if member is None:
                return
            archive.members.clear()  # keep memory flat on a long archive
            count, scanned = count + 1, scanned + max(member.size, 0)
            if count > MAX_ENTRIES or scanned > MAX_SCAN_BYTES:
                warn(f"only the first {count - 1} entries were searched (an archive of "
                     f"over {MAX_ENTRIES} entries or {MAX_SCAN_BYTES // 2**30} GiB)")
                return
            if member.isdir():
                continue
            kind = ("link" if member.issym() or member.islnk() else
                    "file" if member.isfile() else "other")
            yield _entry(member.name, kind, member.size,
                         functools.partial(_read_tar_member, archive, member))


def _read_file(path: str, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a regular file, never through a link or a FIFO."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("not a regular file")
        return f.read(limit + 1)


def _folder_kind(entry: os.DirEntry[str]) -> tuple[str, int]:
    """(kind, size) from the directory listing itself; a file's size needs one lstat."""
    try:
        if entry.is_symlink():
            return "link", 0
        if entry.is_dir(follow_symlinks=False):
            return "dir", 0
        if entry.is_file(follow_symlinks=False):
            return "file", entry.stat(follow_symlinks=False).st_size
    except OSError:
        return "unreadable", 0
    return "other", 0


def folder_entries(root: Path, warn: Callable[[str], None]) -> Iterator[Entry]:
    """The folder's entries breadth first (shallowest first, sorted within a depth).

    Iterative, so any depth is fine; a folder that cannot be listed (too long a path, no
    permission) is skipped with a warning, and only ``MAX_ENTRIES`` entries are looked at.
    """
    queue: deque[tuple[str, int]] = deque([("", 0)])
    seen, unreadable = 0, []
    while queue:
        relative, depth = queue.popleft()
        try:
            with os.scandir(os.path.join(root, relative)) as listing:
                children = sorted(itertools.islice(listing, MAX_ENTRIES - seen + 1),
                                  key=lambda e: e.name)
        except OSError as err:
            if not relative:
                raise ArchiveError(f"the folder cannot be read ({err.strerror})") from None
            unreadable.append(f"{relative[:60]}... ({err.strerror})")
            continue
        for child in children:
            seen += 1
            if seen > MAX_ENTRIES:
                warn(f"only the first {MAX_ENTRIES} entries were searched")
                return
            name = f"{relative}/{child.name}" if relative else child.name
            kind, size = _folder_kind(child)
            if kind == "dir":
                queue.append((name, depth + 1))
            else:
                reader = functools.partial(_read_file, os.path.join(root, name))
                yield Entry(name, depth + 1, kind, size, reader if kind == "file" else _no_read)
    if unreadable:
        warn(f"{len(unreadable)} folder(s) could not be read: {unreadable[0]}")


def entries(submission: Path, warn: Callable[[str], None]) -> tuple[Iterator[Entry], bool]:
    """The submission's entries and whether they come shallowest first.

    Raises ArchiveError for a file that is no archive we can read.
    """
    if submission.is_dir() and not submission.is_symlink():
        return folder_entries(submission, warn), True
    kind = sniff(submission)
    if kind == "zip":
        return _zip_entries(submission, warn), False
    if kind == "tar":
        return _tar_entries(submission, warn), False
    if submission.is_symlink():
        raise ArchiveError("a symbolic link: the grader never follows links (copy the "
                           "submission itself into the class folder)")
    if not submission.is_file():
        raise ArchiveError("not a folder nor a regular file")
    raise ArchiveError("not a zip or tar archive we can read (zip, tar, tar.gz, tgz, "
                       "tar.bz2, tar.xz)")
