"""The real exercise series: solutions earn full marks, stubs earn zero (wrong answers:
test_wrong_answers.py).

Each run starts a child pytest over the whole series (one process, as a workshop would).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from corpus.submissions import NAMESPACES_WORK

from lstm_shapes.exercises import load_manifest, release
from lstm_shapes.exercises.manifest import instructor_root
from lstm_shapes.exercises.runner import run_series_tests

ROOT = instructor_root()
MANIFEST = load_manifest(ROOT)


@pytest.fixture(scope="module")
def learner_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release") / "series"
    release(ROOT, out)
    return out


def test_every_reference_solution_earns_full_marks() -> None:
    results = run_series_tests(ROOT, timeout=170)  # issue 6: the series runs in < 3 min
    for exercise in MANIFEST.exercises:
        result = results[exercise.name]
        assert result.max_score == exercise.points, (exercise.name, result.output[-2000:])
        assert result.score == exercise.points, (exercise.name, [
            (t.name, t.output[:500]) for t in result.failed_tests])


def test_every_released_stub_earns_zero_with_a_readable_message(learner_copy: Path) -> None:
    results = run_series_tests(learner_copy, timeout=170)
    for number, exercise in enumerate(MANIFEST.exercises, 1):
        result = results[exercise.name]
        assert result.score == 0 and result.tests, exercise.name
        for test in result.tests:
            if exercise.kind == "implement":
                assert "not done yet" in test.output, (exercise.name, test.output[:300])
            else:  # the broken code runs: its mistake is named with a code
                assert re.search(r"\[[a-z_]+\]", test.output), (exercise.name, test.output)
            assert f"lstm-shapes hint {number}" in test.output


@pytest.mark.slow
def test_grading_the_real_series_gives_full_and_zero_marks(learner_copy: Path,
                                                           tmp_path: Path) -> None:
    from lstm_shapes.grading import grade_all

    submissions = tmp_path / "submissions"
    shutil.copytree(learner_copy, submissions / "stubs")
    solved = submissions / "solved"
    shutil.copytree(learner_copy, solved)
    for exercise in MANIFEST.exercises:
        shutil.copy(exercise.learner_file, solved / exercise.dir / exercise.learner_file.name)
    grades = grade_all(submissions, tmp_path / "out", ROOT, jobs=2, seed=11)
    assert grades["solved"].total == MANIFEST.total_points
    assert grades["stubs"].total == 0
    if NAMESPACES_WORK:  # the solutions were graded through the isolated sandbox
        assert grades["solved"].isolation.startswith("namespaces")
    rows = {e.exercise: e for e in grades["stubs"].exercises}
    # the released starter code, unchanged, is no attempt: its stubs' "not done yet" and the
    # broken prompts' misconceptions are not the learner's (the class report counts neither)
    assert {(r.status, r.score, tuple(r.codes)) for r in rows.values()} == {
        ("not_attempted", 0.0, ())}
