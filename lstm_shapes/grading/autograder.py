"""A Gradescope autograder bundle: ``setup.sh``, ``run_autograder``, the instructor series.

Gradescope unpacks the bundle into ``/autograder/source``, runs ``setup.sh`` once when the
image is built, and ``run_autograder`` for each submission (files in
``/autograder/submission``); the result must land in ``/autograder/results/results.json``.
The bundle carries a wheel of this package and the instructor copy with its hidden tests but
WITHOUT the solutions (the learner version of each exercise file: grading never needs them);
grading is the same as ``lstm-shapes grade`` for one learner. The submission's code never
sees ``/autograder/source`` or ``/autograder/results``: namespaces hide them where allowed;
on Gradescope, root in a container that refuses them, the code runs as a throwaway user
and both folders are made root's alone (0700) first.

``LSTM_SHAPES_AUTOGRADER_ROOT`` replaces ``/autograder`` (for a local test run).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once while building the autograder image.
set -euo pipefail
cd "$(dirname "$0")"
apt-get install -y python3-pip python3-venv >/dev/null 2>&1 || true
python3 -m pip install --upgrade pip
python3 -m pip install ./wheels/*.whl
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission.
set -uo pipefail
ROOT="${LSTM_SHAPES_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${LSTM_SHAPES_PYTHON:-python3}"
"$PYTHON" -m lstm_shapes.grading.autograder "$ROOT" "$ROOT/source/exercises"
"""


def build_bundle(out: Path, exercises: Path, *, wheel: Path | None = None) -> Path:
    """Write the bundle zip; ``wheel`` is a built wheel of lstm-shapes (built if None)."""
    from lstm_shapes.exercises.manifest import load_manifest
    from lstm_shapes.exercises.markers import strip_markers

    manifest = load_manifest(exercises)  # refuse a broken series before shipping it
    # the grader never needs the solutions: ship the learner version of those files, so
    # no submission can read them from /autograder/source (hidden tests stay: they judge)
    learner_files = {e.learner_file.resolve() for e in manifest.exercises}
    with tempfile.TemporaryDirectory() as tmp:
        wheels = Path(tmp) / "wheels"
        wheels.mkdir()
        if wheel is None:
            _build_wheel(Path(tmp), wheels)
        else:
            shutil.copy(wheel, wheels)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
                info = zipfile.ZipInfo(name)
                info.external_attr = 0o755 << 16
                z.writestr(info, text)
            for path in sorted(wheels.iterdir()):
                z.write(path, f"wheels/{path.name}")
            for path in sorted(exercises.rglob("*")):
                if not path.is_file() or "__pycache__" in path.parts:
                    continue
                name = f"exercises/{path.relative_to(exercises)}"
                if path.resolve() in learner_files:
                    z.writestr(name, strip_markers(path.read_text(), name=path.name))
                else:
                    z.write(path, name)
    return out


def _build_wheel(tmp: Path, wheels: Path) -> None:
    """Build this package's wheel from a copy of its source, so that setuptools' ``build/``
    and ``*.egg-info`` never land in the instructor's checkout."""
    project = Path(__file__).resolve().parents[2]
    if not (project / "pyproject.toml").is_file():
        raise FileNotFoundError(
            f"no pyproject.toml in {project}: lstm-shapes is not installed from a source "
            "checkout here, so its wheel cannot be built; pass --wheel PATH")
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(project / name, source / name)
    shutil.copytree(project / "lstm_shapes", source / "lstm_shapes",
                    ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                    "-w", str(wheels), str(source)], check=True)


def run(root: Path, exercises: Path, *, timeout: float = 300.0, memory_mb: int = 4096) -> dict:
    """Grade ``root/submission`` and write ``root/results/results.json``; return it."""
    from lstm_shapes.exercises.manifest import load_manifest
    from lstm_shapes.exercises.results import TestOutcome, write_results
    from lstm_shapes.grading.grade import grade_submission

    for folder in (root / "source", root / "results"):  # root's alone, for a throwaway user
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
    with tempfile.TemporaryDirectory(prefix="lstm-shapes-instructor-") as private:
        copy = Path(private) / "exercises"
        shutil.copytree(exercises, copy)
        manifest = load_manifest(copy)
        seed = int.from_bytes(os.urandom(4), "big") % 2**31
        grade = grade_submission(root / "submission", manifest, seed=seed, timeout=timeout,
                                 memory_mb=memory_mb,
                                 hide=[root / "source", root / "results", Path(private)])
    tests = [TestOutcome(name=f"{number:02d} {e.exercise}", status=e.status,
                         score=e.score, max_score=e.max_score, codes=tuple(e.codes),
                         exercise=e.exercise,
                         output=e.reason + (f"\nmisconceptions: {', '.join(e.codes)}"
                                            if e.codes else ""))
             for number, e in enumerate(grade.exercises, 1)]
    output = f"{grade.total:g}/{grade.max_total:g} points" + (
        f"\n{grade.error}" if grade.error else "") + "".join(
        f"\nwarning: {warning}" for warning in grade.warnings)
    if grade.isolation.startswith("none"):  # the instructor reads this in Gradescope
        output += (f"\nWARNING: this submission's code ran unconfined ({grade.isolation}); "
                   f"it could read and write what the autograder can")
        print(output.splitlines()[-1], file=sys.stderr)
    results = write_results(root / "results" / "results.json", tests,
                            execution_time=grade.seconds, output=output)
    return results


if __name__ == "__main__":
    data = run(Path(sys.argv[1]), Path(sys.argv[2]))
    print(json.dumps({"score": data["score"], "max_score": data["max_score"]}))
