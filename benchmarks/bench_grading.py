"""Grading throughput on the real series, side by side with running the reference suite once.

    python benchmarks/bench_grading.py [--submissions 20] [--jobs 2]

Builds N submissions from the released learner copy: half solve everything (the reference
solutions), a quarter solve the first six exercises, a quarter hand in the stubs. Runs the
instructor's suite once on the reference solutions (one pytest process), then
``grade_all`` on the N submissions with ``--jobs``. Prints seconds per submission and the
ratio to the reference run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from _timing import machine  # noqa: E402

from lstm_shapes.exercises import load_manifest, release  # noqa: E402
from lstm_shapes.exercises.manifest import instructor_root
from lstm_shapes.grading import grade_all  # noqa: E402


def _submissions(root: Path, n: int) -> Path:
    source = instructor_root()
    manifest = load_manifest(source)
    learner = root / "learner"
    release(source, learner)
    folder = root / "submissions"
    for i in range(n):
        target = folder / f"learner{i:02d}"
        shutil.copytree(learner, target)
        solved = manifest.exercises if i % 2 == 0 else manifest.exercises[:6] if i % 4 == 1 else []
        for e in solved:
            shutil.copy(e.learner_file, target / e.dir / e.learner_file.name)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = _submissions(root, args.submissions)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", str(instructor_root()), "-q",
                        "-p", "no:cacheprovider", "-o", "addopts="], check=True,
                       capture_output=True)
        reference = time.perf_counter() - start
        start = time.perf_counter()
        grades = grade_all(folder, root / "out", instructor_root(), jobs=args.jobs, seed=0)
        elapsed = time.perf_counter() - start
    totals = sorted({g.total for g in grades.values()})
    per = elapsed / args.submissions
    print(f"machine: {machine()}")
    print(f"reference suite once (1 process):        {reference:6.1f} s")
    print(f"grade {args.submissions} submissions, --jobs {args.jobs}:       {elapsed:6.1f} s"
          f"  ({per:.1f} s per submission, {per / reference:.2f}x the reference run)")
    print(f"distinct totals: {totals}")


if __name__ == "__main__":
    main()
