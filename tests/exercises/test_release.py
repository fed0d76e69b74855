"""``release``: the learner copy holds stubs, no solution text and no hidden test."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus.exercise_tree import SOLUTION_LINE, STUB_MESSAGE, make_tree

from lstm_shapes.cli import main
from lstm_shapes.exercises.learner_copy import release
from lstm_shapes.exercises.manifest import instructor_root, load_manifest
from lstm_shapes.exercises.markers import (
    BEGIN_SOLUTION,
    END_SOLUTION,
    MARKERS,
    ReleaseError,
    solution_text,
    strip_markers,
)
from lstm_shapes.exercises.runner import run_exercise_tests


def _solution_lines(path: Path) -> set[str]:
    """Lines that occur only inside solution blocks (and are long enough to be telling)."""
    inside, outside, in_block, in_prompt = set(), set(), False, False
    for line in path.read_text().splitlines():
        text = line.strip()
        if text.startswith(BEGIN_SOLUTION):
            in_block = True
        elif text.startswith(END_SOLUTION):
            in_block = False
        elif text.startswith(("### BEGIN PROMPT", "### END PROMPT")):
            in_prompt = text.startswith("### BEGIN")
        elif in_prompt:  # the broken code the learner gets may share lines with the fix
            outside.add(text.removeprefix("#").strip())
        elif len(text) > 12 and not text.startswith("#"):
            (inside if in_block else outside).add(text)
    return inside - outside


def _assert_clean_release(src: Path, out: Path) -> None:
    manifest = load_manifest(src)
    for exercise in manifest.exercises:
        for path in (exercise.learner_file, exercise.test_file):
            released = (out / path.relative_to(src)).read_text()
            compile(released, str(path), "exec")  # every released file compiles
            for marker in MARKERS:
                assert marker not in released, f"{path.name} keeps {marker!r}"
            for line in _solution_lines(path):
                assert line not in released, f"{path.name} leaks solution line {line!r}"
            assert "HIDDEN" not in released


def test_release_writes_only_the_learner_files(tmp_path):
    src = make_tree(tmp_path / "src")
    (src / "01_double" / "__pycache__").mkdir()
    (src / "01_double" / "__pycache__" / "double.cpython-311.pyc").write_bytes(b"\0")
    (src / "notes.txt").write_text("instructor notes")
    report = release(src, tmp_path / "out")
    files = sorted(p.relative_to(tmp_path / "out").as_posix()
                   for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert files == ["01_double/double.py", "01_double/test_double.py", "02_count/count.py",
                     "02_count/test_count.py", "README.md", "info.toml"]
    assert list(report.files) == files
    assert (report.stubs, report.hidden_blocks) == (2, 1)
    assert (tmp_path / "out" / "info.toml").read_text() == (src / "info.toml").read_text()
    _assert_clean_release(src, tmp_path / "out")


def test_stub_message_and_indentation(tmp_path):
    out = release(make_tree(tmp_path / "src"), tmp_path / "out").out
    double = (out / "01_double" / "double.py").read_text()
    assert f'    raise NotImplementedError("{STUB_MESSAGE}")\n' in double
    assert SOLUTION_LINE not in double
    assert '"""Return 2 * x with the same shape."""' in double  # the prompt stays
    # a "fix" exercise: the PROMPT block (the broken code) replaces the solution
    count = (out / "02_count" / "count.py").read_text()
    assert "    return int(x.shape[-1])  # BUG: that is the feature axis\n" in count
    assert "x.shape[0]" not in count and "NotImplementedError" not in count
    tests = (out / "01_double" / "test_double.py").read_text()
    assert "test_twice" in tests and "test_hidden_keeps_shape" not in tests


def test_default_stub_message_names_the_function():
    text = "def build(units):\n    x = 1\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n"
    assert strip_markers(text) == (
        'def build(units):\n    x = 1\n    raise NotImplementedError("implement build()")\n')
    nested = ("class A:\n    def go(self):\n        if True:\n            ### BEGIN SOLUTION "
              'say "hi"\n            pass\n            ### END SOLUTION\n')
    assert '            raise NotImplementedError("say \\"hi\\"")' in strip_markers(nested)


@pytest.mark.parametrize("text, words", [
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", ["x.py:2", "never closed"]),
    ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN HIDDEN TESTS\n    ### END SOLUTION\n",
     ["x.py:3", "do not nest"]),
    ("def f():\n    return 1\n    ### END SOLUTION\n", ["x.py:3", "without its BEGIN"]),
    ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", ["x.py:1", "module level"]),
    ("def f():\n    ### BEGIN PROMPT\n    # x\n    ### END PROMPT\n", ["x.py:2", "PROMPT"]),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n"
     "    ### BEGIN PROMPT\n    return 2\n    ### END PROMPT\n", ["x.py:6", "comment"]),
])
def test_malformed_markers_name_file_and_line(text, words):
    with pytest.raises(ReleaseError) as caught:
        strip_markers(text, name="x.py")
    for word in words:
        assert word in str(caught.value)


def test_refuses_to_overwrite_without_force(tmp_path, capsys):
    src = make_tree(tmp_path / "src")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(ReleaseError, match="not empty; pass --force"):
        release(src, out)
    assert (out / "keep.txt").exists()
    assert main(["release", "--dir", str(src), "--out", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert main(["release", "--dir", str(src), "--out", str(out), "--force"]) == 0
    assert "2 solutions replaced by stubs" in capsys.readouterr().out
    assert not (out / "keep.txt").exists() and (out / "info.toml").exists()
    with pytest.raises(ReleaseError, match="inside the instructor copy"):
        release(src, src / "learner", force=True)


def test_released_stubs_score_zero_and_reference_scores_full(tmp_path):
    src = make_tree(tmp_path / "src")
    out = release(src, tmp_path / "out").out
    stub = run_exercise_tests(out / "01_double" / "test_double.py", timeout=120)
    assert [t.status for t in stub.tests] == ["failed"]  # the hidden test is gone
    assert f"not done yet: {STUB_MESSAGE}" in stub.output
    reference = run_exercise_tests(src / "01_double" / "test_double.py", timeout=120)
    assert reference.passed and len(reference.tests) == 2
    broken_fix = run_exercise_tests(out / "02_count" / "test_count.py", timeout=120)
    assert not broken_fix.passed and "assert 3 ==" in broken_fix.output


def test_solution_text_is_what_lies_between_the_markers(tmp_path):
    src = make_tree(tmp_path / "src")
    text = solution_text(src / "01_double" / "double.py")
    assert text.splitlines() == ["double.py:8-9", f"    {SOLUTION_LINE}", "    return scaled"]
    released = release(src, tmp_path / "out").out
    assert solution_text(released / "01_double" / "double.py") is None


def test_release_of_the_real_series_leaks_nothing(tmp_path):
    src = instructor_root()
    report = release(src, tmp_path / "learner")
    assert report.stubs >= 12
    _assert_clean_release(src, tmp_path / "learner")
