"""The real exercise series: solutions earn full marks, stubs earn zero, wrong answers are named.

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


def _solve(copy: Path, exercise: str, replace: dict[str, str]) -> None:
    entry = MANIFEST.get(exercise)
    path = copy / entry.dir / f"{exercise}.py"
    text = (ROOT / entry.dir / f"{exercise}.py").read_text()
    text = re.sub(r"\s*### BEGIN PROMPT.*?### END PROMPT", "", text, flags=re.S)
    text = re.sub(r"\s*### (BEGIN|END) SOLUTION[^\n]*", "", text)
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text)


WRONG = [  # (exercise, a plausible wrong solution, the code its failure must name)
    ("windows", {"y = series[timesteps:]": "y = series[timesteps - 1:-1]"},
     "window_misalignment"),
    ("windows", {"return x[:, :, np.newaxis], y[:, np.newaxis]": "return x, y[:, np.newaxis]"},
     "missing_timestep_axis"),
    ("shapes", {"output = (batch, timesteps, units) if return_sequences else state":
                "output = (batch, units, units) if return_sequences else state"},
     "units_equals_timesteps"),
    ("stacking", {"keras.layers.LSTM(units, return_sequences=True)": "keras.layers.LSTM(units)"},
     "missing_return_sequences"),
    ("fix_input", {"keras.layers.LSTM(units)": "keras.layers.LSTM(timesteps)"},
     "units_equals_timesteps"),
    ("fix_stack", {"keras.layers.LSTM(units),\n": "keras.layers.LSTM(units, "
                   "return_sequences=True),\n"}, "sequence_output_vs_last_target"),
    ("stateful", {"keras.layers.LSTM(units, stateful=True)": "keras.layers.LSTM(units)"},
     "stateful_batch"),
    ("numpy_cell", {"zi, zf, zc, zo = np.split(z, 4, axis=-1)":
                    "zi, zf, zo, zc = np.split(z, 4, axis=-1)"}, "lstm_gate_count"),
    ("many_to_many", {"keras.layers.Dense(y_train.shape[1])": "keras.layers.Dense(1)"},
     "multistep_horizon_mismatch"),
    # mistakes a learner trial made in functions that only hidden tests judged before
    ("shapes", {"return 4 * (units * (features + units) + units)":
                "return 3 * (units * (features + units) + units)"}, "lstm_gate_count"),
    ("outputs", {"return sequence[:, -1, :]": "return sequence[-1]"},
     "unexpected_sequence_output"),
    ("stateful", {"layer.reset_state()": "pass"}, "stateful_batch"),
    ("many_to_many", {"        keras.layers.LSTM(units, return_sequences=True),":
                      "        keras.layers.LSTM(units),"}, "last_output_vs_sequence_target"),
]


@pytest.mark.slow
def test_wrong_solutions_fail_with_the_misconception_and_the_next_hint(tmp_path: Path) -> None:
    copies = []
    for i, (exercise, replace, _) in enumerate(WRONG):
        copy = tmp_path / f"learner{i}"
        shutil.copytree(ROOT, copy)
        _solve(copy, exercise, replace)
        copies.append(copy)
    # one child per wrong solution would cost a TF import each: judge them in turn, but
    # only the one exercise that was changed
    for copy, (exercise, _, code) in zip(copies, WRONG):
        result = run_series_tests(copy, [exercise], timeout=120)[exercise]
        assert result.score is not None and result.score < MANIFEST.get(exercise).points
        failing = "\n".join(t.output for t in result.failed_tests)
        assert f"[{code}]" in failing, (exercise, failing[:1500])
        assert "lstm-shapes hint" in failing


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
    reasons = {e.exercise: e.reason for e in grades["stubs"].exercises}
    assert "not done yet" in reasons["windows"] and "[" in reasons["fix_stack"]
