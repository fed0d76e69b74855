"""How long a learner waits: `lstm-shapes check N` per exercise, and the whole series once.

    python benchmarks/bench_exercise_checks.py [--repeats 3] [--exercises 1 2 ...]

Each exercise is checked on a copy of the instructor's series (reference solutions: every
test runs, full marks), as the learner's command runs it: a fresh `lstm-shapes check N`
process, wall time, median of the repeats. Also reports whether the check imported
TensorFlow (an exercise that needs none must not pay for it) and the reference suite of the
whole series in one pytest process. Budgets (issue 14): a check under 15 s, one that needs
no TensorFlow under 2 s, the whole series under 60 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from _timing import machine  # noqa: E402

from lstm_shapes.exercises import load_manifest  # noqa: E402
from lstm_shapes.exercises.manifest import instructor_root  # noqa: E402
from lstm_shapes.exercises.runner import (  # noqa: E402
    child_env,
    pytest_command,
    run_series_tests,
)

def _check(root: Path, number: str) -> tuple[float, bool]:
    """Seconds of one `lstm-shapes check N` (a fresh process) and whether it passed."""
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "lstm_shapes.cli", "check", number, "--dir",
                          str(root)], capture_output=True, text=True, timeout=600)
    return time.perf_counter() - start, run.returncode == 0


_WATCH = """
import sys, pytest
code = pytest.main(sys.argv[2:])
open(sys.argv[1], "w").write(str("tensorflow" in sys.modules))
sys.exit(code)
"""


def _imports_tensorflow(exercise: Any, tmp: Path) -> bool:
    """Does the exercise's pytest child (the command the check runs) import TensorFlow?"""
    command = pytest_command(exercise.test_file, rootdir=exercise.root,
                             results=tmp / "results.json", junit=tmp / "junit.xml")
    assert command[1:3] == ["-m", "pytest"], command
    marker = tmp / "tensorflow.txt"
    subprocess.run([sys.executable, "-c", _WATCH, str(marker), *command[3:]],
                   capture_output=True, env=child_env(), cwd=exercise.root, timeout=600)
    return marker.read_text() == "True"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--exercises", nargs="*", default=None)
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "series"
        shutil.copytree(instructor_root(), root)
        manifest = load_manifest(root)
        chosen = [manifest.get(n) for n in args.exercises] if args.exercises else list(
            manifest.exercises)
        print("| exercise | check s (median) | runs | passed | TensorFlow |")
        print("|---|---:|---|---|---|")
        for exercise in chosen:
            runs = [_check(root, str(exercise.number)) for _ in range(args.repeats)]
            seconds = [r[0] for r in runs]
            tf = "imported" if _imports_tensorflow(exercise, Path(tmp)) else "not imported"
            print(f"| {exercise.number} {exercise.name} | {statistics.median(seconds):.1f} | "
                  f"{', '.join(f'{s:.1f}' for s in seconds)} | "
                  f"{'yes' if all(r[1] for r in runs) else 'NO'} | {tf} |", flush=True)
        start = time.perf_counter()
        results = run_series_tests(root, timeout=600)
        seconds = time.perf_counter() - start
        full = sum(r.score == e.points for e, r in
                   ((e, results[e.name]) for e in manifest.exercises))
        print(f"\nwhole series in one pytest process: {seconds:.1f} s "
              f"({full}/{len(manifest.exercises)} exercises with full marks)")


if __name__ == "__main__":
    main()
