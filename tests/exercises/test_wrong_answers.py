"""Every exercise rejects at least five plausible wrong answers on its *visible* tests, and
accepts the other valid ways to solve it (``RIGHT``) with full marks.

The answers live in ``tests/corpus/wrong_answers/<exercise>.py``. Each is judged on a
released copy (hidden tests removed), so "solved" on the learner's machine means correct:
it must lose points, name its misconception code, and show the fix in the learner's terms.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from corpus.wrong_answers import Wrong, apply, corpus, solved_text

from lstm_shapes.exercises import load_manifest, release
from lstm_shapes.exercises.manifest import instructor_root
from lstm_shapes.exercises.runner import run_series_tests

ROOT = instructor_root()
MANIFEST = load_manifest(ROOT)
CORPUS = corpus([e.name for e in MANIFEST.exercises])
VALID = corpus([e.name for e in MANIFEST.exercises], "RIGHT")
ROUNDS = max((len(w) for w in CORPUS.values()), default=0)
VALID_ROUNDS = max((len(w) for w in VALID.values()), default=0)


@pytest.mark.parametrize("exercise", MANIFEST.exercises, ids=lambda e: e.name)
def test_each_exercise_has_five_wrong_answers_that_apply(exercise) -> None:
    wrong = CORPUS.get(exercise.name, [])
    assert len(wrong) >= 5, f"{exercise.name}: {len(wrong)} wrong answers, 5 wanted"
    text = solved_text(exercise.learner_file)
    assert len({w.name for w in wrong}) == len(wrong), "names are unique"
    for w in wrong:
        assert apply(text, w) != text, w.name


def test_an_edit_that_does_not_apply_is_refused() -> None:
    with pytest.raises(ValueError, match="occurs 0 times"):
        apply("def f():\n    return 1\n", Wrong("n", {"return 2": "return 3"}, "c", "f"))


@pytest.fixture(scope="module")
def learner_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release") / "series"
    release(ROOT, out)
    return out


def _hand_in(answers: dict[str, list[Wrong]], round_: int, learner_copy: Path,
             tmp_path: Path) -> tuple[dict[str, Wrong], dict]:
    """Round k: the k-th answer of every exercise in one copy, judged in one child run."""
    copy = tmp_path / "series"
    shutil.copytree(learner_copy, copy)
    chosen = {}
    for exercise in MANIFEST.exercises:
        given = answers.get(exercise.name, [])
        if round_ < len(given):
            chosen[exercise.name] = w = given[round_]
            (copy / exercise.dir / exercise.learner_file.name).write_text(
                apply(solved_text(exercise.learner_file), w))
            for name, text in w.files.items():
                (copy / exercise.dir / name).write_text(text)
    return chosen, run_series_tests(copy, list(chosen), timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(VALID_ROUNDS))
def test_other_valid_solutions_earn_full_visible_marks(round_: int, learner_copy: Path,
                                                       tmp_path: Path) -> None:
    chosen, results = _hand_in(VALID, round_, learner_copy, tmp_path)
    problems = [f"{name} / {w.name}: {results[name].score}/{results[name].max_score}\n"
                + "\n".join(t.output for t in results[name].failed_tests)[:1200]
                for name, w in chosen.items() if not results[name].passed]
    assert not problems, "\n\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_wrong_answers_lose_visible_points_with_their_code_and_fix(
        round_: int, learner_copy: Path, tmp_path: Path) -> None:
    chosen, results = _hand_in(CORPUS, round_, learner_copy, tmp_path)
    problems = []
    for name, w in chosen.items():
        result = results[name]
        failing = "\n".join(t.output for t in result.failed_tests) or result.output
        if result.passed or result.score is None or result.score >= (result.max_score or 0):
            problems.append(f"{name} / {w.name}: shown as solved ({result.score})")
        elif f"[{w.code}]" not in failing:
            problems.append(f"{name} / {w.name}: [{w.code}] not named:\n{failing[:1200]}")
        elif w.fix not in failing:
            problems.append(f"{name} / {w.name}: fix {w.fix!r} not shown:\n{failing[:1200]}")
    assert not problems, "\n\n".join(problems)
