"""lstm-shapes grade on crafted submissions: none gains a point it did not earn."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from corpus.submissions import (
    COUNT_OK,
    DOUBLE_OK,
    EXPECTED,
    SUBMISSIONS,
    TAMPER,
    daemon_source,
    make_class,
    needs_namespaces,
)

from lstm_shapes.cli import main
from lstm_shapes.grading import GradingError, grade_all, load_gradebook

FAST = {"timeout": 8.0, "memory_mb": 1024}


def _totals(grades) -> dict[str, float]:
    return {name: g.total for name, g in grades.items()}


def _stable(out: Path) -> list:
    data = load_gradebook(out)
    return [{**learner, "seconds": None} for learner in data["learners"]]


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("class")
    instructor, submissions = make_class(root, as_zip=("honest", "fake_results"))
    grades = grade_all(submissions, root / "out2", instructor, jobs=2, seed=7, **FAST)
    return root, instructor, submissions, grades


def test_every_crafted_submission_gets_exactly_what_it_earned(graded) -> None:
    _, _, _, grades = graded
    assert set(grades) == set(SUBMISSIONS)
    assert _totals(grades) == EXPECTED


@pytest.mark.parametrize("learner, words", [
    ("infinite_loop", "stopped after 8 s"),
    ("segfault", "crashed (SIGSEGV)"),
    ("exits_zero_at_import", "ended before answering"),
    ("exits_zero_in_call", "ended before answering"),
    ("memory_bomb", "MemoryError"),
    ("syntax_error", "SyntaxError"),
    ("import_error", "ModuleNotFoundError"),
    ("always_equal", "not plain data"),
])
def test_each_fault_has_a_clear_reason_and_costs_only_its_exercise(graded, learner,
                                                                   words) -> None:
    double, count = graded[3][learner].exercises
    assert words in double.reason, double.reason
    assert double.score == 0 and double.status == "failed"
    assert count.score == 2.0


def test_the_released_starter_code_unchanged_is_not_attempted(graded) -> None:
    """Not run, no points, no codes: the stub's "not done yet" is not the learner's."""
    for row in graded[3]["stub"].exercises:
        assert (row.status, row.score, row.codes) == ("not_attempted", 0.0, []), row
        assert row.reason == "not attempted: the released starter code, unchanged"


def test_two_runs_and_one_job_give_the_same_gradebook(graded) -> None:
    root, instructor, submissions, _ = graded
    grade_all(submissions, root / "out1", instructor, jobs=1, seed=7, **FAST)
    assert _stable(root / "out1") == _stable(root / "out2")
    csv_lines = (root / "out1" / "gradebook.csv").read_text().splitlines()
    assert csv_lines[0] == "learner,exercise,score,max_score,status,reason,codes"
    assert "honest,TOTAL,5.0,5.0,,," in csv_lines


def test_another_seed_grades_the_honest_learner_the_same(tmp_path: Path) -> None:
    instructor, submissions = make_class(tmp_path, ["honest", "stub"])
    grades = grade_all(submissions, tmp_path / "out", instructor, seed=12345, **FAST)
    assert _totals(grades) == {"honest": 5.0, "stub": 0.0}


def test_an_interrupted_run_resumes_without_losing_or_redoing_rows(tmp_path: Path) -> None:
    instructor, submissions = make_class(tmp_path, ["honest", "stub", "syntax_error"])
    out = tmp_path / "out"
    first = grade_all(submissions, out, instructor, seed=3, **FAST)
    journal = (out / "journal.jsonl").read_text().splitlines()
    # as if killed after the first learner, in the middle of writing the second line
    (out / "journal.jsonl").write_text("\n".join(journal[:2]) + "\n" + journal[2][:40])
    (out / "gradebook.json").unlink()
    done_first = json.loads(journal[1])["learner"]
    again = grade_all(submissions, out, instructor, **FAST)
    assert _totals(again) == _totals(first)
    assert again[done_first].seconds == round(first[done_first].seconds, 2)  # not redone
    assert len(load_gradebook(out)["learners"]) == 3
    with pytest.raises(GradingError, match="seed 3"):
        grade_all(submissions, out, instructor, seed=4, **FAST)


def test_a_submission_handed_in_again_is_graded_again_and_only_it(tmp_path: Path) -> None:
    instructor, submissions = make_class(tmp_path, ["honest", "stub"])
    out = tmp_path / "out"
    first = grade_all(submissions, out, instructor, seed=3, **FAST)
    assert _totals(first) == {"honest": 5.0, "stub": 0.0}
    (submissions / "stub" / "02_count" / "count.py").write_text(COUNT_OK)  # a new version
    again = grade_all(submissions, out, instructor, **FAST)
    assert _totals(again) == {"honest": 5.0, "stub": 2.0}
    assert again["honest"].seconds == round(first["honest"].seconds, 2)  # not redone
    assert {r["learner"]: r["total"] for r in load_gradebook(out)["learners"]} == \
        {"honest": 5.0, "stub": 2.0}


@pytest.mark.parametrize("isolate", [pytest.param(True, marks=needs_namespaces), False],
                         ids=["namespaces", "hash-check"])
def test_a_submission_that_rewrites_the_instructor_tests_gains_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolate: bool) -> None:
    import tempfile

    instructor, submissions = make_class(tmp_path, ["stub"])
    private = tmp_path / "grader-tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))  # where the grader's snapshot goes
    (submissions / "stub" / "01_double" / "double.py").write_text(
        TAMPER.replace("{tmp}", str(private)))
    if isolate:  # the snapshot is hidden from the submission: the rewrite finds nothing
        grades = grade_all(submissions, tmp_path / "out", instructor, seed=1, **FAST)
        assert grades["stub"].total == 0.0
        assert grades["stub"].isolation.startswith("namespaces")
    else:  # without namespaces the hash check stops the run rather than grade with them
        with pytest.raises(GradingError, match="instructor's files changed"):
            grade_all(submissions, tmp_path / "out", instructor, seed=1, isolate=False,
                      **FAST)
    assert "def test_twice" in (instructor / "01_double" / "test_double.py").read_text()


def test_a_zip_cannot_escape_its_folder(tmp_path: Path) -> None:
    instructor, submissions = make_class(tmp_path, ["honest"], as_zip=("honest",))
    with zipfile.ZipFile(submissions / "honest.zip", "a") as z:
        z.writestr("../../escaped.py", "print('out')")
    grades = grade_all(submissions, tmp_path / "out", instructor, seed=1, **FAST)
    assert grades["honest"].total == 5.0
    assert not list(tmp_path.rglob("escaped.py"))


def test_cli_grade_then_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    instructor, submissions = make_class(tmp_path, ["honest", "stub", "syntax_error"])
    out = tmp_path / "grades"
    assert main(["grade", str(submissions), "--out", str(out), "--exercises",
                 str(instructor), "--jobs", "2", "--timeout", "8", "--seed", "1"]) == 0
    err = capsys.readouterr().err
    assert "grading 3 submission(s)" in err and "honest: 5/5" in err
    assert "without namespaces" not in err
    assert main(["report", str(out), "--html", str(tmp_path / "r.html")]) == 0
    text = capsys.readouterr().out
    assert "double" in text and "1/2" in text  # "stub" handed in nothing of its own:
    assert "stub: nothing to grade" in text     # named under the table, not averaged in
    page = (tmp_path / "r.html").read_text()
    assert page.startswith("<!doctype html>") and "data:image/png;base64," in page
    assert main(["grade", str(tmp_path / "nope")]) == 2
    assert main(["grade", str(submissions), "--exercises", str(tmp_path / "nope"),
                 "--out", str(tmp_path / "g2")]) == 1
    assert main(["autograder", "--exercises", str(tmp_path / "nope"),
                 "--out", str(tmp_path / "a.zip")]) == 1
    assert main(["report", str(tmp_path / "nope")]) == 2


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in "ZX"


def _processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line mentions ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return [pid for pid in found if _alive(pid)]


@pytest.mark.parametrize("isolate", [True, False], ids=["namespaces", "token-reaping"])
def test_a_daemon_the_submission_leaves_behind_dies_before_the_judge(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolate: bool) -> None:
    import tempfile

    instructor, submissions = make_class(tmp_path, ["stub"])
    private = tmp_path / "grader-tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    # the probe child's command line names its plan in ``private``; a forked daemon keeps it
    pidfile = private / "daemon.pid"
    (submissions / "stub" / "01_double" / "double.py").write_text(
        daemon_source(private, pidfile if not isolate else Path("daemon.pid")))
    (submissions / "stub" / "02_count" / "count.py").write_text(COUNT_OK)
    grades = grade_all(submissions, tmp_path / "out", instructor, seed=1, isolate=isolate,
                       **FAST)
    assert grades["stub"].total == 2.0
    assert "def test_twice" in (instructor / "01_double" / "test_double.py").read_text()
    assert _processes_mentioning(str(private)) == []
    if not isolate:  # it did start, and it is dead
        assert not _alive(int(pidfile.read_text()))


def test_the_submission_never_sees_the_hidden_tests(tmp_path: Path) -> None:
    instructor, submissions = make_class(tmp_path, ["stub"])
    spy = ("import glob, pathlib\n"
           "seen = [p for p in glob.glob('../**/test_*.py', recursive=True)\n"
           "        if 'test_hidden_keeps_shape' in pathlib.Path(p).read_text()]\n"
           "def double(x):\n"
           "    if seen:\n"
           "        raise RuntimeError('saw the hidden tests')\n"
           "    return x * 2.0\n")
    (submissions / "stub" / "01_double" / "double.py").write_text(spy)
    grades = grade_all(submissions, tmp_path / "out", instructor, seed=1, **FAST)
    assert grades["stub"].exercises[0].score == 3.0, grades["stub"].exercises[0].reason


def test_symlinks_to_the_instructor_solutions_are_not_followed(tmp_path: Path) -> None:
    instructor, submissions = make_class(tmp_path, ["stub"])
    folder = submissions / "stub"
    shutil.rmtree(folder / "01_double")
    (folder / "01_double").symlink_to(instructor / "01_double", target_is_directory=True)
    (folder / "02_count" / "count.py").unlink()
    (folder / "02_count" / "count.py").symlink_to(instructor / "02_count" / "count.py")
    grades = grade_all(submissions, tmp_path / "out", instructor, seed=1, **FAST)
    double, count = grades["stub"].exercises
    assert (double.score, count.score) == (0.0, 0.0)
    assert "missing from the submission" in double.reason, double.reason
    assert "missing from the submission" in count.reason, count.reason


SNOOP = """import glob, json, os
stolen = None
for path in glob.glob({root!r} + "/**/01_double/double.py", recursive=True):
    try:
        text = open(path).read()
    except OSError:
        continue
    if "stolen" not in text and ("np.multiply" in text or "x * 2.0" in text):
        scope = {{}}
        exec("\\n".join(ln for ln in text.splitlines() if "###" not in ln), scope)
        stolen = scope["double"]
for journal in glob.glob({root!r} + "/**/journal.jsonl", recursive=True):
    try:
        with open(journal, "a") as f:
            f.write(json.dumps({{"learner": "snoop", "exercises": [], "total": 99}}) + "\\n")
    except OSError:
        pass
def double(x):
    return stolen(x)
"""


@needs_namespaces
def test_the_submission_sees_no_solution_no_classmate_and_no_gradebook(tmp_path: Path) -> None:
    instructor, submissions = make_class(tmp_path, ["honest", "stub"])
    (submissions / "honest" / "01_double" / "double.py").write_text(DOUBLE_OK)
    (submissions / "stub" / "01_double" / "double.py").write_text(SNOOP.format(root=str(tmp_path)))
    (submissions / "stub" / "02_count" / "count.py").write_text(COUNT_OK)
    out = tmp_path / "out"
    first = grade_all(submissions, out, instructor, seed=1, **FAST)
    assert first["stub"].isolation.startswith("namespaces")
    assert first["stub"].total == 2.0, first["stub"].exercises[0].reason
    again = grade_all(submissions, out, instructor, **FAST)  # a resumed run reads the journal
    assert sorted(again) == ["honest", "stub"] and again["stub"].total == 2.0


def test_cli_warns_when_submissions_ran_without_namespaces(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    instructor, submissions = make_class(tmp_path, ["honest"])
    assert main(["grade", str(submissions), "--out", str(tmp_path / "g"), "--exercises",
                 str(instructor), "--timeout", "8", "--no-isolation"]) == 0
    err = capsys.readouterr().err
    assert "honest: 5/5" in err
    assert "warning: submissions ran without namespaces (none: not asked for" in err
