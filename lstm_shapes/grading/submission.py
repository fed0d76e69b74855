"""A submission on disk: find them, unpack archives, collect the learner files of the manifest."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from lstm_shapes.exercises.manifest import Manifest

MAX_LEARNER_FILE = 1_000_000  # bytes; a learner file is code, not data
MAX_ZIP_MEMBERS = 2_000
MAX_ZIP_BYTES = 200 * 2**20


class SubmissionError(ValueError):
    """The submission cannot be read (a broken or dangerous zip, not a folder)."""


def _extract(archive: Path, into: Path) -> Path:
    try:
        with zipfile.ZipFile(archive) as z:
            members = z.infolist()
            if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_ZIP_BYTES:
                raise SubmissionError(f"{archive.name}: too many or too large files")
            for m in members:
                target = (into / m.filename).resolve()
                if not str(target).startswith(str(into.resolve())) or m.is_dir():
                    continue  # absolute paths and ../ escapes are skipped
                if not m.filename.endswith(".py"):
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(z.read(m)[:MAX_LEARNER_FILE + 1])
    except (zipfile.BadZipFile, OSError) as err:
        raise SubmissionError(f"{archive.name}: not a readable zip ({err})") from None
    return into


def _own_file(root: Path, path: Path) -> bool:
    """A regular file that really lies inside ``root``: no symlink on the way out of it.

    (A symlinked folder would otherwise hand over, say, the instructor's solution.)
    """
    try:
        return (path.is_file() and not path.is_symlink()
                and path.resolve().is_relative_to(root.resolve()))
    except OSError:
        return False


def _find(root: Path, relative: str, name: str) -> Path | None:
    """``root/<dir>/<name>.py``, else the shallowest match anywhere below root."""
    direct = root / relative
    if _own_file(root, direct):
        return direct
    matches = sorted((p for p in root.rglob(name) if _own_file(root, p)
                      and p.parent.name == Path(relative).parent.name),
                     key=lambda p: len(p.parts))
    return matches[0] if matches else None


def collect_learner_files(submission: Path, manifest: Manifest, into: Path) -> dict[str, Path]:
    """Copy the submission's learner files (only those) to ``into``; name -> copied path."""
    source = submission
    if submission.is_file():
        if submission.suffix != ".zip":
            raise SubmissionError(f"{submission.name}: a submission is a folder or a .zip")
        source = _extract(submission, into / "_unzipped")
    found: dict[str, Path] = {}
    for exercise in manifest.exercises:
        relative = f"{exercise.dir}/{exercise.name}.py"
        path = _find(source, relative, f"{exercise.name}.py")
        target = into / "learner" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if path is not None and path.stat().st_size <= MAX_LEARNER_FILE:
            target.write_bytes(path.read_bytes())
        found[exercise.name] = target
    if source != submission:
        shutil.rmtree(source, ignore_errors=True)
    return found


def find_submissions(folder: Path) -> list[Path]:
    """The submissions in ``folder``: sub-folders and .zip files, sorted, hidden ones skipped."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of submissions")
    return sorted(p for p in folder.iterdir() if not p.name.startswith((".", "_"))
                  and (p.is_dir() or p.suffix == ".zip"))
