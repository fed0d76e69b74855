"""info.toml is the single source of exercise names, order and points (fast: no TensorFlow).

Each test file's ``@pytest.mark.exercise(name, points=N)`` markers are read from its source
(hidden tests included) and must name its own exercise and add up to the manifest's points.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from lstm_shapes.exercises.manifest import instructor_root, load_manifest, marker_points

MANIFEST = load_manifest(instructor_root())


@pytest.mark.parametrize("exercise", MANIFEST.exercises, ids=lambda e: e.name)
def test_markers_add_up_to_the_manifest(exercise) -> None:
    markers = marker_points(exercise.test_file)
    assert markers, f"{exercise.test_file.name} has no exercise markers"
    assert {name for name, _ in markers} == {exercise.name}, markers
    assert sum(points for _, points in markers) == exercise.points


def test_a_drifted_marker_is_caught(tmp_path: Path) -> None:
    """The check can fail: one marker's points changed, or another exercise's name."""
    source = MANIFEST.exercises[0].test_file.read_text()
    drifted = tmp_path / "test_drift.py"
    drifted.write_text(source.replace("points=3", "points=4", 1))
    assert sum(p for _, p in marker_points(drifted)) == MANIFEST.exercises[0].points + 1
    drifted.write_text(source.replace(f'exercise("{MANIFEST.exercises[0].name}"',
                                      'exercise("other"', 1))
    assert {n for n, _ in marker_points(drifted)} == {MANIFEST.exercises[0].name, "other"}


def test_names_are_unique_and_the_total_is_the_series_total() -> None:
    names = [e.name for e in MANIFEST.exercises]
    assert len(names) == len(set(names))
    markers = sum(points for e in MANIFEST.exercises for _, points in marker_points(e.test_file))
    assert MANIFEST.total_points == sum(e.points for e in MANIFEST.exercises) == markers > 0


def test_reading_the_manifest_imports_no_tensorflow() -> None:
    code = ("import sys; from lstm_shapes.exercises.manifest import instructor_root, "
            "load_manifest; load_manifest(instructor_root()); print('tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


def _probes(source: str) -> set[str]:
    return {node.name for node in ast.parse(source).body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("probe_")}


@pytest.mark.parametrize("exercise", MANIFEST.exercises, ids=lambda e: e.name)
def test_no_probe_hides_among_the_hidden_tests(exercise) -> None:
    """Grading runs the probes of the released tests: a probe in a hidden block never runs
    there, and the hidden test that reads its answer fails for every learner."""
    from lstm_shapes.exercises.markers import strip_markers

    source = exercise.test_file.read_text()
    released = strip_markers(source, name=exercise.test_file.name)
    assert _probes(released) == _probes(source), sorted(_probes(source) - _probes(released))
