"""Crafted submissions of the tiny series (tests/corpus/exercise_tree.py): honest, cheating, faulty.

Each entry maps a learner id to the files it puts in its learner copy, on top of the
released stubs; ``EXPECTED`` is the score each must get (double: 3 points, count: 2).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from corpus.exercise_tree import make_tree
from lstm_shapes.exercises.learner_copy import release


def _namespaces_work() -> bool:
    """Whether this machine lets an unprivileged process enter a user namespace."""
    code = ("import ctypes, sys; "
            "sys.exit(ctypes.CDLL(None, use_errno=True).unshare(0x10000000) != 0)")
    return subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


NAMESPACES_WORK = _namespaces_work()
needs_namespaces = pytest.mark.skipif(not NAMESPACES_WORK,
                                      reason="no unprivileged user namespaces here")

DOUBLE_OK = "def double(x):\n    return x * 2.0\n"
COUNT_OK = "def count(x):\n    return int(x.shape[0])\n"
STUB_OK = {"02_count/count.py": COUNT_OK}  # count solved, double left as the stub

ALWAYS_PASS_TESTS = "import pytest\n\n@pytest.mark.exercise('double', points=3)\ndef test_x():\n    pass\n"
CONFTEST = """import pytest

@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    report.outcome = "passed"
    return report
"""
FAKE_RESULTS = """import json, os, pathlib
data = {"score": 100, "max_score": 5, "tests": []}
for d in {os.getcwd(), os.environ.get("TMPDIR", "/tmp"), str(pathlib.Path(__file__).parents[1])}:
    try:
        pathlib.Path(d, "results.json").write_text(json.dumps(data))
    except OSError:
        pass
print("5/5 points, all tests passed")
print('{"score": 5, "max_score": 5}')
"""

SUBMISSIONS: dict[str, dict[str, str]] = {
    "honest": {"01_double/double.py": DOUBLE_OK, "02_count/count.py": COUNT_OK},
    "stub": {},
    "edits_tests": {**STUB_OK, "01_double/test_double.py": ALWAYS_PASS_TESTS},
    "deletes_tests": {**STUB_OK, "01_double/test_double.py": ""},
    "adds_conftest": {**STUB_OK, "conftest.py": CONFTEST, "01_double/conftest.py": CONFTEST},
    "disables_plugin": {**STUB_OK, "pytest.ini": "[pytest]\naddopts = -p no:lstm_shapes\n",
                        "01_double/double.py": "import os\nos.environ['PYTEST_DISABLE_PLUGIN_AUTOLOAD'] = '1'\n"
                                               "os.environ['PYTEST_ADDOPTS'] = '-p no:lstm_shapes'\n"
                                               "def double(x):\n    return None\n"},
    "fake_results": {**STUB_OK, "01_double/double.py": FAKE_RESULTS + "def double(x):\n    return None\n"},
    "monkeypatches": {**STUB_OK, "01_double/double.py": (
        "import pytest, numpy as np\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"
        "pytest.fail = lambda *a, **k: None\n"
        "import lstm_shapes.exercises.answers as A\n"
        "A.load_answers = lambda d: {}\n"
        "def double(x):\n    return None\n")},
    "exits_zero_at_import": {**STUB_OK, "01_double/double.py": "import os\nos._exit(0)\n"},
    "exits_zero_in_call": {**STUB_OK, "01_double/double.py":
                           "import os\ndef double(x):\n    os._exit(0)\n"},
    "always_equal": {**STUB_OK, "01_double/double.py": (
        "class Anything:\n    def __eq__(self, other):\n        return True\n"
        "    shape = (3, 4)\n"
        "def double(x):\n    return Anything()\n")},
    "always_equal_array": {**STUB_OK, "01_double/double.py": (
        "import numpy as np\n"
        "class Yes(np.ndarray):\n    def __eq__(self, other):\n        return np.ones(self.shape, bool)\n"
        "def double(x):\n    return np.zeros((1, 1)).view(Yes)\n")},
    "infinite_loop": {**STUB_OK, "01_double/double.py": "def double(x):\n    while True:\n        pass\n"},
    "segfault": {**STUB_OK, "01_double/double.py": "import ctypes\ndef double(x):\n    ctypes.string_at(0)\n"},
    "memory_bomb": {**STUB_OK, "01_double/double.py":
                    "def double(x):\n    hog = bytearray(64 * 2**30)\n    return x * 2.0\n"},
    "huge_output": {"01_double/double.py": "print('x' * 50_000_000)\n" + DOUBLE_OK,
                    "02_count/count.py": COUNT_OK},
    "syntax_error": {**STUB_OK, "01_double/double.py": "def double(x)\n    return x * 2\n"},
    "import_error": {**STUB_OK, "01_double/double.py": "import no_such_module_xyz\n" + DOUBLE_OK},
}

EXPECTED = {name: 2.0 for name in SUBMISSIONS}  # count solved: 2 points, double: none
EXPECTED.update({"honest": 5.0, "stub": 0.0, "huge_output": 5.0})

TAMPER = """import glob
for path in glob.glob("{tmp}/lstm-shapes-*/**/test_*.py", recursive=True):
    open(path, "w").write(%r)
def double(x):
    return None
""".replace("%r", repr(ALWAYS_PASS_TESTS))


def make_class(root: Path, names: list[str] | None = None, *, as_zip: tuple[str, ...] = ()
               ) -> tuple[Path, Path]:
    """The instructor copy at ``root/instructor`` and submissions at ``root/submissions``.

    ``names`` default to every crafted submission; ``[]`` gives an empty class folder (add
    to it with :func:`add_submission`).
    """
    instructor = make_tree(root / "instructor")
    learner = root / "learner"
    release(instructor, learner)
    submissions = root / "submissions"
    submissions.mkdir()
    for name in list(SUBMISSIONS) if names is None else names:
        folder = submissions / name
        shutil.copytree(learner, folder)
        for relative, text in SUBMISSIONS[name].items():
            (folder / relative).write_text(text)
        if name in as_zip:
            with zipfile.ZipFile(submissions / f"{name}.zip", "w") as z:
                for path in folder.rglob("*"):
                    if path.is_file():
                        z.write(path, f"{name}/{path.relative_to(folder)}")
            shutil.rmtree(folder)
    return instructor, submissions

def pack(folder: Path, archive: Path, *, prefix: str = "") -> Path:
    """Pack ``folder`` into ``archive``, a zip or a tar (.tar, .tar.gz, .tgz; any case) by name.

    Members are ``prefix/<relative path>`` (sorted); the folder itself is left in place.
    """
    lower = archive.name.lower()
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    if lower.endswith(".zip"):
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for path in files:
                z.write(path, f"{prefix}/{path.relative_to(folder)}".lstrip("/"))
        return archive
    mode = "w:gz" if lower.endswith((".tar.gz", ".tgz")) else "w"
    options = {"compresslevel": 1} if mode == "w:gz" else {}
    with tarfile.open(archive, mode, **options) as t:
        for path in files:
            t.add(path, f"{prefix}/{path.relative_to(folder)}".lstrip("/"))
    return archive


def add_submission(submissions: Path, name: str | bytes, files: dict[str, str] | None = None,
                   ) -> Path:
    """One more submission in a class folder made by :func:`make_class`.

    The released learner copy (``learner`` beside ``submissions``) plus ``files``, as a
    folder called ``name`` (bytes for a name that is not UTF-8), or packed into the archive
    ``name`` when it ends like one (``erin.zip``, ``x.TAR.GZ``; members under ``<stem>/``).
    """
    target = submissions / os.fsdecode(name)
    folder = submissions.parent / "packing" / "learner"
    shutil.rmtree(folder.parent, ignore_errors=True)
    shutil.copytree(submissions.parent / "learner", folder)
    for relative, text in (files or {}).items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text)
    stem = target.name.split(".")[0] or target.name
    if target.name.lower().endswith((".zip", ".tar", ".tar.gz", ".tgz")):
        pack(folder, target, prefix=stem)
    else:
        shutil.copytree(folder, target)
    shutil.rmtree(folder.parent)
    return target


# A daemon that outlives the probe child (fork, setsid, fork): once the child is gone -- the
# judge is starting -- it rewrites the instructor's tests, then puts them back, so a hash
# check after the judge would see nothing. Only killing it before the judge stops it.
DAEMON = """import glob, os, time
def _gone(pid):
    try:
        return open(f"/proc/{{pid}}/stat").read().rsplit(")", 1)[1].split()[0] in "ZX"
    except OSError:
        return True
def _daemon():
    child = os.getpid()
    if os.fork():
        return
    os.setsid()
    if os.fork():
        os._exit(0)
    open({pidfile!r}, "w").write(str(os.getpid()))
    while not _gone(child):
        time.sleep(0.01)
    time.sleep(1.0)
    saved = {{}}
    for path in glob.glob({tmp!r} + "/lstm-shapes-*/**/test_double.py", recursive=True):
        saved[path] = open(path).read()
        open(path, "w").write({tests!r})
    time.sleep(6)
    for path, text in saved.items():
        open(path, "w").write(text)
    os._exit(0)
_daemon()
def double(x):
    return None
"""


def daemon_source(grader_tmp: Path, pidfile: Path) -> str:
    """The daemon submission's double.py, aimed at the grader's temp folder."""
    return DAEMON.format(tmp=str(grader_tmp), pidfile=str(pidfile), tests=ALWAYS_PASS_TESTS)
