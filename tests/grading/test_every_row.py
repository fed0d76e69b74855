"""Every submission gets a row and no submission stops the run (issue 15, item 5).

Whatever sits at the top of the class folder -- a folder or an archive, under any name,
depth, encoding or archive type -- is one row with a unique id; a submission that cannot be
read gets a row that says why, and files the grader does not read cost nothing.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import shutil
import stat
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest
from corpus.submissions import (
    COUNT_OK,
    DOUBLE_OK,
    SUBMISSIONS,
    add_submission,
    make_class,
    pack,
)

from lstm_shapes.exercises.manifest import load_manifest
from lstm_shapes.grading import grade_all, load_gradebook
from lstm_shapes.grading.submission import (
    MAX_LEARNER_FILE,
    SubmissionError,
    collect,
    discover,
    find_submissions,
)

FAST = {"timeout": 8.0, "memory_mb": 1024}
HONEST = SUBMISSIONS["honest"]
BIG = 210 * 2**20  # a data file of 210 MiB, sparse: it costs no disk
IGNORED = "ignored notes.txt: neither a folder nor an archive (zip, tar, tar.gz, tgz)"


def _collect(instructor: Path, submission: Path, into: Path):
    return collect(submission, load_manifest(instructor), into)


def _texts(collected) -> dict[str, str | None]:
    return {name: path.read_text() if path.is_file() else None
            for name, path in collected.files.items()}


def _nest(top: Path, depth: int, part: str = "d", files: dict[str, str] | None = None) -> None:
    """``top/part/part/...`` ``depth`` times, ``files`` at the bottom, through folder fds
    (so no path handed to the kernel grows with the depth)."""
    top.mkdir(parents=True, exist_ok=True)
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            os.mkdir(part, dir_fd=fd)
            inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
        for relative, text in (files or {}).items():
            folder, name = relative.split("/")
            with contextlib.suppress(FileExistsError):
                os.mkdir(folder, dir_fd=fd)
            sub = os.open(folder, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            out = os.open(name, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=sub)
            os.write(out, text.encode())
            os.close(out)
            os.close(sub)
    finally:
        os.close(fd)


def _unnest(top: Path, part: str = "d") -> None:
    """Remove what :func:`_nest` made, one level at a time (rmtree would recurse too deep)."""
    while (top / part).exists():
        (top / part).rename(top / "_level")
        if (top / "_level" / part).exists():
            (top / "_level" / part).rename(top / part)
        shutil.rmtree(top / "_level")


# -- discovery: what a submission is -------------------------------------------------------

def test_any_name_and_any_archive_type_is_a_submission(tmp_path: Path) -> None:
    instructor, subs = make_class(tmp_path, [])
    for name in ("_under", ".hidden", b"ren\xe9e", "upper.ZIP", "x.tar.gz", "y.TGZ", "z.tar",
                 ".dot.zip"):
        add_submission(subs, name)
    add_submission(subs, "sniffed.zip").rename(subs / "sniffed")  # a zip told by its content
    (subs / "notes.txt").write_text("the class list")
    found = discover(subs)
    assert [s.id for s in found.submissions] == [
        ".dot", ".hidden", "_under", "ren\\xe9e", "sniffed", "upper", "x", "y", "z"]
    assert found.warnings == [IGNORED]
    assert len(find_submissions(subs)) == 9
    for i, sub in enumerate(found.submissions):  # each one's learner files are read
        collected = _collect(instructor, sub.path, tmp_path / "work" / str(i))
        assert all(text and "def " in text for text in _texts(collected).values()), sub.id


def test_a_folder_and_archives_of_one_learner_are_rows_of_their_own_with_a_warning(
        tmp_path: Path) -> None:
    _, subs = make_class(tmp_path, [])
    for name in ("erin", "erin.zip", "erin.tar.gz", "max.zip"):
        add_submission(subs, name)
    found = discover(subs)
    assert [s.id for s in found.submissions] == ["erin", "erin.tar.gz", "erin.zip", "max"]
    same = "erin, erin.tar.gz, erin.zip look like the same learner: each is graded in its own row"
    assert found.warnings == [f"{same}; keep one"]
    assert found.notes["erin.zip"] == ["looks like the same learner as erin, erin.tar.gz"]
    assert "max" not in found.notes
    assert discover(subs) == found  # the same ids and order every time


def test_the_gradebook_folder_inside_the_class_folder_is_no_submission(tmp_path: Path) -> None:
    _, subs = make_class(tmp_path, [])
    add_submission(subs, "erin")
    (subs / "_grades").mkdir()
    found = discover(subs, skip={subs / "_grades": "it is the gradebook folder"})
    assert [s.id for s in found.submissions] == ["erin"]
    assert found.warnings == ["skipped _grades: it is the gradebook folder"]


# -- collection: only the learner files, at any depth, refused with a reason ---------------

def test_learner_files_are_found_1100_folders_down(tmp_path: Path) -> None:
    instructor, subs = make_class(tmp_path, [])
    _nest(subs / "deep", 1100, files=HONEST)
    try:
        collected = _collect(instructor, subs / "deep", tmp_path / "work")
    finally:
        _unnest(subs / "deep")
    assert _texts(collected) == {"double": DOUBLE_OK, "count": COUNT_OK}


def test_folders_past_the_longest_path_are_skipped_with_a_warning(tmp_path: Path) -> None:
    instructor, subs = make_class(tmp_path, [])
    part = "n" * 250
    _nest(subs / "long", 20, part=part, files=HONEST)  # 5,000 characters: over PATH_MAX
    try:
        collected = _collect(instructor, subs / "long", tmp_path / "work")
    finally:
        _unnest(subs / "long", part)
    assert _texts(collected) == {"double": None, "count": None}
    assert "could not be read" in collected.warnings[0], collected.warnings


@pytest.mark.parametrize("name", ["big", "big.zip", "big.tar.gz"])
def test_a_big_data_file_beside_the_solutions_is_never_read(tmp_path: Path, name: str) -> None:
    instructor, subs = make_class(tmp_path, [])
    folder = add_submission(subs, "big_folder", HONEST)
    with (folder / "01_double" / "weights.bin").open("wb") as f:
        f.truncate(BIG)
    target = folder.rename(subs / name) if name == "big" else pack(folder, subs / name,
                                                                   prefix="big")
    collected = _collect(instructor, target, tmp_path / "work")
    assert _texts(collected) == {"double": DOUBLE_OK, "count": COUNT_OK}
    assert (collected.notes, collected.warnings) == ({}, [])
    assert sorted(p.name for p in (tmp_path / "work").rglob("*") if p.is_file()) == [
        "count.py", "double.py"]


@pytest.mark.parametrize("name", ["huge", "huge.zip", "huge.tgz"])
def test_a_learner_file_over_the_limit_costs_only_its_exercise(tmp_path: Path, name: str) -> None:
    instructor, subs = make_class(tmp_path, [])
    folder = add_submission(subs, "huge_folder", HONEST)
    with (folder / "01_double" / "double.py").open("ab") as f:
        f.truncate(5 * MAX_LEARNER_FILE)
    target = folder.rename(subs / name) if name == "huge" else pack(folder, subs / name,
                                                                    prefix="huge")
    collected = _collect(instructor, target, tmp_path / "work")
    assert _texts(collected) == {"double": None, "count": COUNT_OK}
    prefix = "" if name == "huge" else "huge/"
    assert collected.notes == {"double": f"double.py was not graded: {prefix}01_double/double.py"
                               " is 5.0 MB, over the 1 MB limit of a learner file (it should "
                               "hold code, not data)"}


def _zip_link(z: zipfile.ZipFile, name: str, target: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    z.writestr(info, target)


def test_zip_slip_and_links_in_a_zip_are_refused_with_a_reason(tmp_path: Path) -> None:
    instructor, subs = make_class(tmp_path, [])
    with zipfile.ZipFile(subs / "evil.zip", "w") as z:
        z.writestr("../../escaped.py", "print('out')")
        z.writestr("/tmp/escaped.py", "print('out')")
        z.writestr("..\\01_double\\double.py", DOUBLE_OK)
        _zip_link(z, "evil/01_double/double.py", str(instructor / "01_double" / "double.py"))
        z.writestr("evil/02_count/count.py", COUNT_OK)
    collected = _collect(instructor, subs / "evil.zip", tmp_path / "work")
    assert _texts(collected) == {"double": None, "count": COUNT_OK}
    assert collected.notes["double"] == ("double.py is missing from the submission: "
                                         "../01_double/double.py points outside the archive "
                                         "(refused)")
    refused = ("4 entries not read (links are never followed; names outside the archive): "
               "../../escaped.py, ../01_double/double.py, /tmp/escaped.py and 1 more")
    assert collected.warnings == [refused]
    assert not list(tmp_path.rglob("escaped.py")) and not Path("/tmp/escaped.py").exists()


def _tar_add(t: tarfile.TarFile, name: str, *, kind: bytes = tarfile.REGTYPE,
             data: str = "", link: str = "") -> None:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.size = kind, link, len(data.encode())
    t.addfile(info, io.BytesIO(data.encode()))


def test_links_devices_and_escapes_in_a_tar_are_refused_with_a_reason(tmp_path: Path) -> None:
    instructor, subs = make_class(tmp_path, [])
    solution = str(instructor / "01_double" / "double.py")
    with tarfile.open(subs / "evil.tar.gz", "w:gz") as t:
        _tar_add(t, "evil/01_double/double.py", kind=tarfile.SYMTYPE, link=solution)
        _tar_add(t, "evil/02_count/count.py", kind=tarfile.LNKTYPE, link=solution)
        _tar_add(t, "02_count/count.py", kind=tarfile.FIFOTYPE)
        _tar_add(t, "../escaped.py", data="print('out')")
        _tar_add(t, "deeper/evil/02_count/count.py", data=COUNT_OK)
    collected = _collect(instructor, subs / "evil.tar.gz", tmp_path / "work")
    assert _texts(collected) == {"double": None, "count": COUNT_OK}  # the regular one
    assert collected.notes == {"double": "double.py is missing from the submission: "
                               "evil/01_double/double.py is a link, and the grader never "
                               "follows links"}
    assert collected.warnings[0].startswith("4 entries not read (links are never followed; "
                                            "names outside the archive; not regular files)")
    assert not list(tmp_path.rglob("escaped.py"))


def test_a_link_to_a_solution_inside_a_folder_is_not_followed(tmp_path: Path) -> None:
    instructor, subs = make_class(tmp_path, [])
    folder = add_submission(subs, "linker")
    (folder / "01_double" / "double.py").unlink()
    (folder / "01_double" / "double.py").symlink_to(instructor / "01_double" / "double.py")
    collected = _collect(instructor, folder, tmp_path / "work")
    assert _texts(collected)["double"] is None
    assert collected.notes["double"].startswith("double.py is missing from the submission: "
                                                "01_double/double.py is a link")


def _cut_tar_gz(folder: Path, archive: Path) -> None:
    data = (folder / "01_double" / "padding.bin")
    data.write_bytes(os.urandom(200_000))  # incompressible: the cut lands inside it
    pack(folder, archive, prefix="cut")
    archive.write_bytes(archive.read_bytes()[:150_000])


@pytest.mark.parametrize("name, content, words", [
    ("empty.zip", b"", "empty.zip: not a zip or tar archive we can read"),
    ("garbage.zip", b"PK\x03\x04" + bytes(100), "garbage.zip: not a readable zip"),
    ("photos.7z", b"7z\xbc\xaf'\x1c" + bytes(30), "photos.7z: not a zip or tar archive"),
    ("text.tgz", b"hello", "text.tgz: not a zip or tar archive"),
    ("plain.tar.gz", gzip.compress(b"not a tar at all", mtime=0), "plain.tar.gz: not a readable tar"),
])
def test_an_unreadable_archive_is_a_submission_error_with_a_reason(
        tmp_path: Path, name: str, content: bytes, words: str) -> None:
    instructor, subs = make_class(tmp_path, [])
    (subs / name).write_bytes(content)
    assert [s.id for s in discover(subs).submissions] == [name.split(".")[0]]
    with pytest.raises(SubmissionError, match=words.replace(".", r"\.")):
        _collect(instructor, subs / name, tmp_path / "work")


def test_a_damaged_tar_keeps_what_was_read_and_says_the_rest_was_not(tmp_path: Path) -> None:
    instructor, subs = make_class(tmp_path, [])
    _cut_tar_gz(add_submission(subs, "cut_folder", HONEST), subs / "cut.tar.gz")
    collected = _collect(instructor, subs / "cut.tar.gz", tmp_path / "work")
    assert _texts(collected)["double"] == DOUBLE_OK  # 01_double/double.py comes first
    assert any("damaged after" in w for w in collected.warnings), collected.warnings


def test_a_link_at_the_top_of_the_class_folder_is_a_row_not_followed(tmp_path: Path) -> None:
    instructor, subs = make_class(tmp_path, [])
    (subs / "linked").symlink_to(tmp_path / "learner", target_is_directory=True)
    assert [s.id for s in discover(subs).submissions] == ["linked"]
    with pytest.raises(SubmissionError, match="linked: a symbolic link"):
        _collect(instructor, subs / "linked", tmp_path / "work")


def test_a_fifo_in_the_class_folder_never_blocks_the_grader(tmp_path: Path) -> None:
    instructor, subs = make_class(tmp_path, [])
    os.mkfifo(subs / "pipe.zip")  # opening it for reading would wait for a writer forever
    os.mkfifo(subs / "pipe")
    found = discover(subs)
    assert [s.id for s in found.submissions] == ["pipe"]  # the zip: the other is no row
    assert found.warnings[0].startswith("ignored pipe: neither a folder nor an archive")
    with pytest.raises(SubmissionError, match="pipe.zip: not a folder nor a regular file"):
        _collect(instructor, subs / "pipe.zip", tmp_path / "work")


# -- grading: the run finishes with a gradebook that has every row -------------------------

def _stable(out: Path) -> dict:
    data = load_gradebook(out)
    return {**data, "learners": [{**g, "seconds": None} for g in data["learners"]]}


def test_unreadable_submissions_get_rows_and_the_run_finishes(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    instructor, subs = make_class(tmp_path, [])
    (subs / "broken.zip").write_bytes(b"PK\x03\x04 broken")
    (subs / "photos.7z").write_bytes(b"7z\xbc\xaf'\x1c")
    (subs / "linked").symlink_to(tmp_path / "learner", target_is_directory=True)
    add_submission(subs, b"ren\xe9e", {"02_count/count.py": COUNT_OK})  # one real run
    (subs / "notes.txt").write_text("the class list")
    out = tmp_path / "out"
    grades = grade_all(subs, out, instructor, seed=1, **FAST)
    assert sorted(grades) == ["broken", "linked", "photos", "ren\\xe9e"]
    assert grades["ren\\xe9e"].total == 2.0 and not grades["ren\\xe9e"].error
    assert grades["broken"].error.startswith("broken.zip: not a readable zip")
    assert [e.status for e in grades["linked"].exercises] == ["missing", "missing"]
    assert "a symbolic link" in grades["linked"].exercises[0].reason
    csv = (out / "gradebook.csv").read_text(encoding="utf-8")
    assert "ren\\xe9e,TOTAL,2.0,5.0,,," in csv and "broken,TOTAL,0.0,5.0,error," in csv
    assert load_gradebook(out)["warnings"] == [IGNORED]
    assert f"warning: {IGNORED}" in caplog.text
    before = _stable(out)
    grade_all(subs, out, instructor, **FAST)  # resumed: nothing regraded, the same gradebook
    assert _stable(out) == before


# -- the whole class, graded for real (slow) ------------------------------------------------

def _big_class(root: Path) -> tuple[Path, Path]:
    """Honest submissions in every form, a stub twin, a bomb of a learner file, a bad zip."""
    instructor, subs = make_class(root, ["honest"])
    for name in ("_under", ".hidden", b"bad\xff\xfe", "upper.ZIP", "tarred.tar.gz",
                 "tgz.TGZ", "plain.tar", "erin"):
        add_submission(subs, name, HONEST)
    add_submission(subs, "erin.zip")  # a stub: the two erin rows must not merge
    for name in ("bigdata", "bigzip"):
        folder = add_submission(subs, name, HONEST)
        with (folder / "data.npy").open("wb") as f:
            f.truncate(BIG)
    pack(subs / "bigzip", subs / "bigzip.zip", prefix="bigzip")
    shutil.rmtree(subs / "bigzip")
    _nest(subs / "deep", 1100, files=HONEST)
    huge = add_submission(subs, "hugefile", HONEST)
    with (huge / "01_double" / "double.py").open("ab") as f:
        f.truncate(5 * MAX_LEARNER_FILE)
    with zipfile.ZipFile(add_submission(subs, "slip.zip", HONEST), "a") as z:
        z.writestr("../../escaped.py", "print('out')")
    (subs / "broken.zip").write_bytes(b"PK\x03\x04 broken")
    return instructor, subs


@pytest.mark.slow
def test_a_whole_class_gets_every_row_its_honest_score_and_the_same_gradebook_each_run(
        tmp_path: Path) -> None:
    instructor, subs = _big_class(tmp_path)
    try:
        grades = grade_all(subs, tmp_path / "out2", instructor, jobs=2, seed=7, **FAST)
        _check_rows(tmp_path, grades)
        grade_all(subs, tmp_path / "out1", instructor, jobs=1, seed=7, **FAST)
        assert _stable(tmp_path / "out1") == _stable(tmp_path / "out2")
        journal = tmp_path / "out1" / "journal.jsonl"
        lines = journal.read_text().splitlines()
        journal.write_text("\n".join(lines[:6]) + "\n" + lines[6][:30])  # killed mid-run
        (tmp_path / "out1" / "gradebook.json").unlink()
        grade_all(subs, tmp_path / "out1", instructor, jobs=2, **FAST)
        assert _stable(tmp_path / "out1") == _stable(tmp_path / "out2")
    finally:
        _unnest(subs / "deep")


def _check_rows(root: Path, grades) -> None:
    totals = {name: g.total for name, g in grades.items()}
    assert totals == {"honest": 5.0, "_under": 5.0, ".hidden": 5.0, "bad\\xff\\xfe": 5.0,
                      "upper": 5.0, "tarred": 5.0, "tgz": 5.0, "plain": 5.0, "erin": 5.0,
                      "erin.zip": 0.0, "bigdata": 5.0, "bigzip": 5.0, "deep": 5.0,
                      "hugefile": 2.0, "slip": 5.0, "broken": 0.0}
    double = grades["hugefile"].exercises[0]
    assert "over the 1 MB limit of a learner file" in double.reason, double.reason
    assert grades["broken"].error.startswith("broken.zip: not a readable zip")
    found = subprocess.run(["find", str(root), "-name", "escaped.py"], capture_output=True,
                           text=True, check=True)  # (rglob would recurse too deep)
    assert found.stdout == ""
    book = load_gradebook(root / "out2")
    assert book["warnings"] == [
        "erin, erin.zip look like the same learner: each is graded in its own row; keep one",
        "slip: 1 entry not read (names outside the archive): ../../escaped.py"]
    rows = {g["learner"]: g["warnings"] for g in book["learners"]}
    assert rows["erin"] == ["looks like the same learner as erin.zip"]
    assert rows["honest"] == []
    assert len(book["learners"]) == 16
