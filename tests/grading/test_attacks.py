"""A determined class against the grader: each attack must earn exactly the honest score.

Every attacking submission attacks with ``double`` (3 points when solved) and solves
``count`` honestly (2 points), but for the one that forges ``count``'s answers. Each attack is one the grader once lost points to: a ``.pth`` file in
site-packages, another copy of the series on the disk, SysV shared memory between learners,
answers forged for another exercise, a thread that keeps the watchdog fed. The attacks run
in namespaces (this machine) and, in the slow test, as root in a container that refuses
namespaces (Gradescope's conditions, see ``corpus/container.py``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from corpus.container import CAN_SIMULATE, WHY_NOT, in_container, readable_python
from corpus.submissions import (
    COUNT_OK,
    DOUBLE_OK,
    NAMESPACES_WORK,
    add_submission,
    make_class,
)

from lstm_shapes.grading import grade_all, load_gradebook
from lstm_shapes.grading.interpreter import import_path

FAST = {"timeout": 8.0, "memory_mb": 1024}
SHM_KEY = 0x4C530000 + os.getpid() % 0x10000  # per test process, like MARK
SHARED = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock", "/dev/mqueue")
MARK = f"zz_lstm_shapes_attack_{os.getpid()}"  # two attack tests at once, each sees its own

_SHM = """import ctypes, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
"""

ATTACKS: dict[str, str] = {
    # a start-up file in every folder of the import path: code in every later Python
    "writes_pth": """import os, sys
for folder in sys.path:
    for name in ("{mark}.pth", "sitecustomize.py", "usercustomize.py"):
        try:
            with open(os.path.join(folder, name), "x") as f:
                f.write("import os; os.makedirs('/tmp/{mark}_ran', exist_ok=True)\\n")
        except OSError:
            pass
def double(x):
    return None
""",
    # another copy of the series (a backup, a checkout) and the grader's own snapshot
    "reads_disk": """import glob
for path in [*glob.glob("{backup}/**/double.py", recursive=True),
             *glob.glob("/tmp/lstm-shapes-*/**/01_double/double.py", recursive=True)]:
    text = open(path).read()
    if "np.multiply(x, 2.0)" in text:
        exec(text)
        break
else:
    def double(x):
        return None
""",
    # a solution passed between learners through SysV shared memory
    "shm_a_writer": _SHM + """import os
segment = libc.shmget({key}, 4096, 0o1666)
if segment >= 0:
    ctypes.memmove(libc.shmat(segment, None, 0), b"def double(x):\\n    return x * 2.0\\n", 34)
time.sleep(4)
""" + DOUBLE_OK,
    "shm_b_reader": _SHM + """source = b""
for _ in range(60):
    segment = libc.shmget({key}, 0, 0)
    if segment >= 0:
        source = ctypes.string_at(libc.shmat(segment, None, 0), 34)
        break
    time.sleep(0.1)
exec(source.decode() or "def double(x):\\n    return None\\n")
""",
    # a solution left in every folder any user may write to, for the next learner
    "share_a_writer": """import os
for top in {shared!r}:
    try:
        open(os.path.join(top, "{mark}_share.py"), "w").write(open(__file__).read())
    except OSError:
        pass
""" + DOUBLE_OK,
    "share_b_reader": """import os
for top in {shared!r}:
    if os.path.exists(os.path.join(top, "{mark}_share.py")):
        exec(open(os.path.join(top, "{mark}_share.py")).read())
        break
else:
    def double(x):
        return None
""",
    # a process that forks and exits at once: its pid changes faster than a /proc scan
    "hops_pids": """import os, shutil, subprocess
HOP = '''
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
int main(void) {{ time_t end = time(0) + 90; setsid();
  for (;;) {{ if (fork() > 0) _exit(0); if (time(0) > end) _exit(0); }} }}
'''
if shutil.which("gcc"):
    open("{mark}_hop.c", "w").write(HOP)
    subprocess.run(["gcc", "-o", "{mark}_hop", "{mark}_hop.c"], check=False)
    subprocess.Popen(["/usr/bin/env", "-i", "./{mark}_hop"], start_new_session=True)
def double(x):
    return None
""",
    # answers for the other exercise (left as the stub), wherever an answers folder is found
    "forges_answers": """import glob, json, os
from pathlib import Path
here = Path(__file__).resolve()
roots = {{*(str(p) for p in here.parents if p != Path("/")), os.getcwd(), "/tmp"}}
for root in roots:
    for folder in glob.glob(root + "/**/answers", recursive=True):
        for n in range(5, 9):
            try:
                os.makedirs(folder + "/count", exist_ok=True)
                Path(folder, "count", "n.json").write_text(json.dumps(n))
            except OSError:
                pass
def double(x):
    return None
""",
    # a thread that keeps touching every file it can write while the probe sleeps
    "feeds_watchdog": """import glob, os, threading, time
def feed():
    while True:
        for path in glob.glob(os.getcwd() + "/**", recursive=True) + glob.glob("/tmp/**"):
            try:
                with open(path, "a") as f:
                    f.write("double\\n")
            except OSError:
                pass
        time.sleep(0.2)
threading.Thread(target=feed, daemon=True).start()
def double(x):
    time.sleep(10**6)
""",
}
EXPECTED = {"honest": 5.0, **{name: 2.0 for name in ATTACKS}, "shm_a_writer": 5.0,
            "share_a_writer": 5.0, "forges_answers": 0.0}


STARTUP = (".pth", "sitecustomize.py", "usercustomize.py")


def _site_entries() -> dict[str, set[str]]:
    """The start-up files (and the attack's own files) in every folder of the import path:
    other entries come and go with other tests (a wheel build, a cache) and are not ours."""
    return {folder: {n for n in os.listdir(folder) if n.endswith(STARTUP) or MARK in n}
            for folder in import_path()}


def _attack_class(root: Path, backup: Path) -> tuple[Path, Path]:
    instructor, submissions = make_class(root, ["honest"])
    shutil.copytree(instructor, backup / "series")  # a world-readable copy with solutions
    for name, source in ATTACKS.items():
        files = {"01_double/double.py": source.format(mark=MARK, backup=backup, key=SHM_KEY,
                                                            shared=SHARED)}
        if name != "forges_answers":  # which forges count's answers instead
            files["02_count/count.py"] = COUNT_OK
        add_submission(submissions, name, files)
    return instructor, submissions


def _check_host(before: dict[str, set[str]]) -> None:
    """The environment and the machine keep nothing of the attacks."""
    after = _site_entries()
    added = {f: sorted(after[f] - before[f]) for f in before if after.get(f, set()) - before[f]}
    for folder, names in added.items():  # never leave a start-up file for the next test run
        for name in names:
            Path(folder, name).unlink(missing_ok=True)
    assert not added, f"the attack wrote into the import path: {added}"
    assert not Path(f"/tmp/{MARK}_ran").exists(), "a planted start-up file ran"
    left = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _named(p, MARK)]
    assert not left, f"processes outlived grading: {left}"
    shared = [f for f in SHARED if Path(f, f"{MARK}_share.py").exists()]
    assert not shared, f"files outlived grading in {shared}"
    shm = Path("/proc/sysvipc/shm").read_text().split("\n")[1:]
    assert not [row for row in shm if row.split()[:1] == [str(SHM_KEY)]], "shm outlived grading"


def _named(proc: Path, mark: str) -> bool:
    try:
        return mark.encode() in (proc / "cmdline").read_bytes()
    except OSError:
        return False


@pytest.fixture(scope="module")
def backup():
    folder = Path(tempfile.mkdtemp(prefix="series-backup-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


@pytest.mark.slow
@pytest.mark.skipif(not NAMESPACES_WORK, reason="needs user namespaces")
def test_no_attack_earns_a_point_in_namespaces(tmp_path: Path, backup: Path) -> None:
    before = _site_entries()
    instructor, submissions = _attack_class(tmp_path, backup)
    grades = grade_all(submissions, tmp_path / "out", instructor, jobs=2, seed=7, **FAST)
    _check_host(before)
    assert {k: g.total for k, g in grades.items()} == EXPECTED
    assert all(g.isolation.startswith("namespaces") for g in grades.values())
    stopped = next(e for e in grades["feeds_watchdog"].exercises if e.exercise == "double")
    assert "stopped after 8 s" in stopped.reason


@pytest.mark.slow
@pytest.mark.skipif(not CAN_SIMULATE, reason=WHY_NOT)
def test_no_attack_earns_a_point_as_root_without_namespaces(backup: Path) -> None:
    work = Path(tempfile.mkdtemp(prefix="lstm-shapes-container-test-"))
    try:
        work.chmod(0o755)
        python = readable_python(work / "venv")
        before = _site_entries()
        (work / "class").mkdir(mode=0o700)  # the instructor's own files: private, as told
        instructor, submissions = _attack_class(work / "class", backup / "private")
        (backup / "private").chmod(0o700)  # only a world-readable copy could be read
        run = subprocess.run(
            [*in_container(python), "-m", "lstm_shapes.cli", "grade",
             str(submissions), "--out", str(work / "class" / "out"),
             "--exercises", str(instructor), "--jobs", "1", "--seed", "7", "--timeout", "8", "--memory", "1024"],
            check=False, capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stdout + run.stderr
        _check_host(before)
        learners = load_gradebook(work / "class" / "out")["learners"]
        assert {r["learner"]: r["total"] for r in learners} == EXPECTED
        assert all(r["isolation"].startswith("a separate unprivileged user") for r in learners)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.mark.skipif(not CAN_SIMULATE, reason=WHY_NOT)
def test_as_a_throwaway_user_grading_refuses_folders_every_user_can_read() -> None:
    work = Path(tempfile.mkdtemp(prefix="lstm-shapes-container-test-"))
    try:
        work.chmod(0o755)
        python = readable_python(work / "venv")
        instructor, submissions = make_class(work / "class", ["stub"])  # mode 755, as made
        run = subprocess.run(
            [*in_container(python), "-m", "lstm_shapes.cli", "grade", str(submissions),
             "--out", str(work / "out"), "--exercises", str(instructor)],
            check=False, capture_output=True, text=True, timeout=300)
        assert run.returncode == 1, run.stdout + run.stderr
        assert f"chmod o-rwx {instructor} {submissions}" in " ".join(run.stderr.split())
        assert not (work / "out" / "gradebook.json").exists()
    finally:
        shutil.rmtree(work, ignore_errors=True)
