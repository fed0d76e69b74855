"""The exercise machinery on a tiny synthetic series: manifest, the answers fixture, grading.

Every run of an exercise's tests goes through ``run_exercise_tests`` (pytest in a child
process), the same path as ``lstm-shapes check``.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from corpus.exercise_tree import INFO, STUB_MESSAGE, make_tree

from lstm_shapes.exercises import answers as _answers
from lstm_shapes.exercises import probes as _probes
from lstm_shapes.exercises.manifest import (
    ManifestError,
    exercise_number,
    find_root,
    instructor_root,
    load_manifest,
)
from lstm_shapes.exercises.probes import import_learner
from lstm_shapes.exercises.runner import run_exercise_tests

# ---------------------------------------------------------------- manifest


def test_manifest_loads_in_order(tmp_path):
    manifest = load_manifest(make_tree(tmp_path))
    assert [(e.number, e.name, e.kind, e.points) for e in manifest.exercises] == [
        (1, "double", "implement", 3), (2, "count", "fix", 2)]
    assert manifest.total_points == 5
    assert manifest.get(2) is manifest.get("count") is manifest.get("02_count")
    assert manifest.exercises[0].test_file == tmp_path / "01_double" / "test_double.py"
    assert len(manifest.exercises[1].hints) == 2


@pytest.mark.parametrize("old, new, words", [
    ('name = "count"', 'name = "double"', ["#2 (double)", "duplicate name 'double'"]),
    ('dir = "02_count"', 'dir = "01_double"', ["#2 (count)", "duplicate dir"]),
    ('kind = "fix"', 'kind = "repair"', ["#2 (count)", "'kind'", "implement, fix"]),
    ("points = 2", "points = 0", ["#2 (count)", "'points' must be positive"]),
    ("points = 2", 'points = "2"', ["#2 (count)", "'points' must be an integer"]),
    ('hints = ["Which axis holds the samples?", "What is x.shape[0]?"]',
     'hints = ["Which axis?"]', ["#2 (count)", "2 or 3 hints, got 1"]),
    ('hints = ["Which axis holds the samples?", "What is x.shape[0]?"]',
     'hints = ["a", "b", "c", "d"]', ["#2 (count)", "got 4"]),
    ('hints = ["Which axis holds the samples?", "What is x.shape[0]?"]',
     'hints = ["a", " "]', ["#2 (count)", "hint 2 must be non-empty"]),
    ('title = "Fix the sample count"\n', "", ["#2 (count)", "missing field 'title'"]),
    ('dir = "02_count"', 'dir = "../elsewhere"', ["#2 (count)", "inside the exercises root"]),
    ('kind = "fix"', 'kind = "fix"\nhint = "x"', ["#2 (count)", "unknown field(s) hint"]),
    ('name = "count"', 'name = "Count Me"', ["#2", "'name' must match"]),
    ("format_version = 1", "format_version = 2", ["'format_version' must be 1"]),
])
def test_manifest_errors_name_the_entry_and_field(tmp_path, old, new, words):
    assert old in INFO
    make_tree(tmp_path, info=INFO.replace(old, new, 1))
    with pytest.raises(ManifestError) as caught:
        load_manifest(tmp_path)
    for word in words:
        assert word in str(caught.value)


def test_manifest_missing_files_and_bad_toml(tmp_path):
    make_tree(tmp_path)
    (tmp_path / "02_count" / "test_count.py").unlink()
    with pytest.raises(ManifestError, match=r"#2 \(count\): test file 02_count/test_count.py"):
        load_manifest(tmp_path)
    assert load_manifest(tmp_path, check_files=False).get(2).name == "count"
    (tmp_path / "info.toml").write_text("format_version = [")
    with pytest.raises(ManifestError, match="not valid TOML"):
        load_manifest(tmp_path)
    with pytest.raises(ManifestError, match="no info.toml"):
        load_manifest(tmp_path / "01_double")


def test_manifest_get_unknown_exercise_lists_the_range(tmp_path):
    manifest = load_manifest(make_tree(tmp_path))
    for ref in (0, 3, "nope"):
        with pytest.raises(ManifestError, match="a number from 1 to 2"):
            manifest.get(ref)


def test_find_root_order(tmp_path, monkeypatch):
    series = make_tree(tmp_path / "course" / "exercises")
    assert find_root(series / "01_double") == series  # nearest info.toml up
    assert find_root(tmp_path / "course") == series  # an exercises/info.toml child
    assert find_root(tmp_path, explicit=series) == series
    with pytest.raises(ManifestError, match="no info.toml there"):  # --dir or root=
        find_root(explicit=tmp_path)
    monkeypatch.chdir(series / "02_count")
    assert find_root() == series
    # nothing above: never the instructor copy beside the package, unless asked for
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    with pytest.raises(ManifestError, match="no exercise series here") as caught:
        find_root(lonely)
    assert "lstm-shapes release --out my-series" in str(caught.value)
    assert find_root(lonely, default=instructor_root()) == instructor_root()
    assert exercise_number(series / "02_count" / "test_count.py") == (2, 2)
    assert exercise_number(tmp_path / "test_other.py") is None


def test_the_real_manifest_is_valid():
    """The instructor copy's info.toml: folders numbered 01, 02, ... in the manifest's order
    (the count is the manifest's, not a constant here), files present."""
    manifest = load_manifest(instructor_root())
    assert manifest.exercises
    assert [e.dir[:3] for e in manifest.exercises] == [
        f"{number:02d}_" for number in range(1, len(manifest.exercises) + 1)]
    assert all(e.learner_file.is_file() and e.test_file.is_file() for e in manifest.exercises)


# ---------------------------------------------------------------- the answers fixture


def _run(root: Path, name: str = "double", **kwargs):
    folder = load_manifest(root).get(name).test_file
    return run_exercise_tests(folder, rootdir=root, timeout=kwargs.pop("timeout", 120), **kwargs)


def test_correct_solution_passes_every_test(tmp_path):
    result = _run(make_tree(tmp_path))
    assert result.returncode == 0, result.output
    assert [(t.name, t.status) for t in result.tests] == [
        ("test_twice", "passed"), ("test_hidden_keeps_shape", "passed")]
    assert result.passed
    if result.max_score is not None:  # the plugin's results.json
        assert result.score == result.max_score == 3
    assert not list(tmp_path.rglob("__pycache__"))  # the check leaves the learner's folder clean


def test_stub_scores_zero_with_not_done_yet(tmp_path):
    root = make_tree(tmp_path, body=f'    raise NotImplementedError("{STUB_MESSAGE}")')
    result = _run(root)
    assert not result.passed and result.returncode == 1
    assert [t.status for t in result.tests] == ["failed", "failed"]
    assert f"double: not done yet: {STUB_MESSAGE} (at double.py:8 in double)" in result.output
    assert "run `lstm-shapes hint 1`" in result.output
    if result.max_score is not None:
        assert result.score == 0


def test_wrong_value_fails_with_the_assertion(tmp_path):
    result = _run(make_tree(tmp_path, body="    return x * 3.0"))
    assert [t.status for t in result.tests] == ["failed", "passed"]
    assert "Mismatched elements" in result.output


def test_an_assert_message_reads_as_the_answer_without_pytest_internals(tmp_path):
    root = make_tree(tmp_path, body="    return (x * 2.0).T")
    tests = load_manifest(root).get("double").test_file
    tests.write_text(tests.read_text().replace(
        'assert answers["twice"].shape == (3, 4)',
        'assert answers["twice"].shape == (3, 4), f"keep the shape: got {answers[\'twice\'].shape}"'))
    result = _run(root)
    hidden = next(t for t in result.tests if t.name == "test_hidden_keeps_shape")
    assert hidden.status == "failed"
    assert "your answer: keep the shape: got (4, 3)" in hidden.output, hidden.output
    assert "assert (4, 3) ==" not in hidden.output and "def test_" not in hidden.output
    assert "lstm-shapes hint 1" in hidden.output


def test_shape_error_shows_its_misconception_code(tmp_path):
    body = '    expect(x, "batch timesteps features", name="x")\n    return 2 * x'
    result = _run(make_tree(tmp_path, body=body))
    assert not result.passed
    assert "your code raised ShapeError [missing_timestep_axis] (at double.py:8 in double)" \
        in result.output
    assert "fix:" in result.output  # the ShapeError's own message, rendered once


@pytest.mark.parametrize("header, words", [
    ("def broken(:\n    pass", ["double.py could not be imported (double.py:3)",
                                "SyntaxError", "def broken(:"]),
    ("VALUE = undefined_name + 1", ["double.py could not be imported (double.py:3",
                                    "NameError: name 'undefined_name' is not defined"]),
])
def test_broken_import_fails_every_test_clearly(tmp_path, header, words):
    result = _run(make_tree(tmp_path, header=header))
    assert result.returncode == 1, result.output  # test failures, not a collection crash
    assert [t.status for t in result.tests] == ["failed", "failed"]
    for word in words:
        assert word in result.output
    assert "run `lstm-shapes hint 1`" in result.output


def test_hanging_learner_code_is_stopped(tmp_path):
    result = _run(make_tree(tmp_path, body="    while True:\n        pass"), timeout=4)
    assert result.timed_out and not result.passed and result.returncode is None
    assert "stopped after 4 s" in result.output
    assert result.seconds < 30


@pytest.fixture
def exercise_marker(pytestconfig):
    """Importing an exercise's test file here needs its marker known (--strict-markers)."""
    pytestconfig.addinivalue_line("markers", "exercise(name, points): an exercise's test")


def _store_answers(source_root: Path, out: Path, name: str = "double", seed: int = 0) -> None:
    exercise = load_manifest(source_root).get(name)
    tests = import_learner(exercise.test_file)
    learner = import_learner(exercise.learner_file)
    (out / name).mkdir(parents=True)
    _probes.run_probes(tests, learner, out / name, _probes.exercise_seed(seed, name))


def test_stored_answers_are_judged_without_importing_the_learner_file(tmp_path,
                                                                     exercise_marker):
    _store_answers(make_tree(tmp_path / "good"), tmp_path / "answers", seed=7)
    poisoned = make_tree(tmp_path / "submission",
                         header='raise RuntimeError("the learner file was imported")')
    result = _run(poisoned, answers_dir=tmp_path / "answers", seed=7)
    assert "the learner file was imported" not in result.output
    assert result.passed, result.output
    # a different seed means different inputs: the stored answers no longer match
    wrong_seed = _run(poisoned, answers_dir=tmp_path / "answers", seed=8)
    assert [t.status for t in wrong_seed.tests] == ["failed", "passed"]


def test_stored_wrong_answers_fail_and_missing_answers_say_so(tmp_path, exercise_marker):
    _store_answers(make_tree(tmp_path / "bad", body="    return -x"), tmp_path / "answers")
    poisoned = make_tree(tmp_path / "submission", header='raise RuntimeError("imported")')
    result = _run(poisoned, answers_dir=tmp_path / "answers")
    assert [t.status for t in result.tests] == ["failed", "passed"]
    missing = _run(poisoned, name="count", answers_dir=tmp_path / "answers")
    assert not missing.passed
    assert "count: no answer for 'n': the probe did not finish" in missing.output


def test_malformed_stored_answers_fail_every_test_clearly(tmp_path):
    poisoned = make_tree(tmp_path / "submission", header='raise RuntimeError("imported")')
    (tmp_path / "answers" / "double").mkdir(parents=True)
    (tmp_path / "answers" / "double" / "twice.pkl").write_bytes(b"\x80\x04")
    result = _run(poisoned, answers_dir=tmp_path / "answers")
    assert result.returncode == 1 and [t.status for t in result.tests] == ["failed", "failed"]
    assert "double: the stored answers are not valid: twice.pkl: unknown answer file type" \
        in result.output


def test_answers_mapping_keys_rng_and_unknown_key(tmp_path):
    from lstm_shapes.pytest_plugin.fixtures import Answers

    values = {"twice": np.ones(2)}
    answers = Answers("double", values, seed=3, keys=frozenset({"twice", "late"}), hint="h")
    assert sorted(answers) == ["late", "twice"] and len(answers) == 2
    assert "twice" in answers and "late" not in answers
    assert answers.rng("twice").integers(10**9) == _probes.probe_rng(3, "twice").integers(10**9)
    with pytest.raises(KeyError, match="no probe_nope"):
        answers["nope"]
    with pytest.raises(pytest.fail.Exception, match="no answer for 'late'"):
        answers["late"]


def test_probe_errors_round_trip_through_files(tmp_path):
    try:
        compile("x = (", str(tmp_path / "windows.py"), "exec")
    except SyntaxError as err:
        _answers.save_error(tmp_path, "k", err)
    loaded = _answers.load_answers(tmp_path)["k"]
    assert (loaded.type, loaded.location) == ("SyntaxError", "windows.py:1")


def test_run_probes_seeds_numpy_global_generator(tmp_path):
    Probes = SimpleNamespace(probe_a=lambda module, rng: np.random.random(3))

    _probes.run_probes(Probes, None, tmp_path, 5)
    first = np.load(tmp_path / "a.npy")
    os.remove(tmp_path / "a.npy")
    np.random.seed(123)
    _probes.run_probes(Probes, None, tmp_path, 5)
    np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), first)


def test_whole_series_in_one_process(tmp_path):
    from lstm_shapes.exercises.runner import run_series_tests

    root = make_tree(tmp_path, body=f'    raise NotImplementedError("{STUB_MESSAGE}")')
    results = run_series_tests(root, timeout=120)
    assert [t.status for t in results["double"].tests] == ["failed", "failed"]
    assert [t.status for t in results["count"].tests] == ["passed"]
    assert not results["double"].passed and results["count"].passed


def test_a_model_answer_with_expect_shape_layers_loads_in_a_fresh_process(tmp_path):
    import subprocess
    import sys

    import keras

    from lstm_shapes import ExpectShape

    model = keras.Sequential([keras.Input((10, 1)), keras.layers.LSTM(4, return_sequences=True),
                              ExpectShape("batch timesteps units", units=4),
                              keras.layers.LSTM(4), keras.layers.Dense(1)])
    _answers.save_answer(tmp_path, "model", model)
    code = ("import sys; from lstm_shapes.exercises.answers import load_answers; "
            "m = load_answers(sys.argv[1])['model']; print(type(m).__name__, len(m.layers))")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.stdout.split() == ["Sequential", "4"], done.stderr[-2000:]


def test_assert_close_says_where_the_largest_gap_is_in_a_few_lines():
    from lstm_shapes.exercises import assert_close

    want = np.zeros((4, 6))
    got = want.copy()
    got[2, 5], got[0, 0] = 0.5, 0.01
    with pytest.raises(pytest.fail.Exception) as info:
        assert_close(got, want, "h", fix="keep the gate order")
    text = str(info.value)
    assert text.startswith("your answer: h differs from the reference in 2 of 24 values; the "
                           "largest gap is at (2, 5): yours 0.5, expected 0"), text
    assert text.endswith("fix: keep the gate order") and text.count("\n") == 1
    with pytest.raises(pytest.fail.Exception, match=r"(?s)shape \(4, 6\).*\[lstm_gate_count\]"):
        assert_close(got, np.zeros((6, 4)), "h", code="lstm_gate_count")
    assert_close(got, got + 1e-7, "h")  # within the tolerance: passes
