"""A notebook check's own overhead: ``check(N)`` from a notebook against the same code as a file.

Both editions of the series are released into a temporary folder, and each exercise timed
gets the reference solution -- as the learner file, and as the notebook's answer cells. The
two checks of an exercise run in turns (interleaved, the order rotated per repeat), through
the learner's own ``lstm_shapes.exercises.learner.check``; the overhead is the median of the
per-repeat differences. The in-process part of a notebook check (read the notebook, make
its learner file, copy the exercise's folder) is timed on its own as well.

    python benchmarks/bench_notebook_check.py                  # exercises 1 and 4
    python benchmarks/bench_notebook_check.py --exercises 2 7 --repeats 7
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _timing import machine

from lstm_shapes.exercises.learner import check
from lstm_shapes.exercises.learner_copy import release
from lstm_shapes.exercises.manifest import instructor_root, load_manifest
from lstm_shapes.exercises.notebook_build import notebook_cells
from lstm_shapes.exercises.notebooks import (
    META,
    checkable_copy,
    is_answer,
    learner_source,
    read_notebook,
)


def _solved(path: Path) -> str:
    text = path.read_text()
    text = re.sub(r"\n[ \t]*### BEGIN PROMPT.*?### END PROMPT[^\n]*", "", text, flags=re.S)
    return re.sub(r"\n[ \t]*### (BEGIN|END) SOLUTION[^\n]*", "", text)


def _prepare(root: Path, names: list[str]) -> tuple[Path, Path]:
    """Both editions with the reference solutions of ``names`` filled in (the same code)."""
    import json

    files = release(instructor_root(), root / "files").out
    notebooks = release(instructor_root(), root / "notebooks", notebooks=True).out
    for exercise in load_manifest(notebooks).exercises:
        if exercise.name not in names:
            continue
        cells = {part: source for kind, part, source in
                 notebook_cells(_solved(instructor_root() / exercise.dir /
                                        f"{exercise.name}.py")) if kind == "code"}
        notebook = json.loads(exercise.notebook_file.read_text())
        for cell in notebook["cells"]:
            part = cell["metadata"].get(META, {}).get("part")
            if is_answer(cell) and part in cells:
                cell["source"] = cells[part]
        exercise.notebook_file.write_text(json.dumps(notebook))
        code = learner_source(read_notebook(exercise.notebook_file))
        (files / exercise.dir / f"{exercise.name}.py").write_text(code)
    return files, notebooks


def _seconds(name: str, root: Path) -> float:
    start = time.perf_counter()
    report = check(name, root=root)
    seconds = time.perf_counter() - start
    if not report.passed:
        sys.exit(f"{name} did not pass in {root.name}:\n{report}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercises", nargs="+", default=["1", "4"])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        manifest = load_manifest(instructor_root())
        chosen = [manifest.get(n) for n in args.exercises]
        files, notebooks = _prepare(Path(tmp), [e.name for e in chosen])
        print(f"{machine()}; {args.repeats} interleaved repeats per exercise\n")
        print("| exercise | file check s | notebook check s | overhead s (median of "
              "differences) | in-process part ms |")
        print("|---|---:|---:|---:|---:|")
        for e in chosen:
            pairs = []
            for r in range(args.repeats):
                order = [("file", files), ("notebook", notebooks)][::1 if r % 2 else -1]
                times = {label: _seconds(e.name, root) for label, root in order}
                pairs.append((times["file"], times["notebook"]))
            local = []
            for _ in range(20):
                with tempfile.TemporaryDirectory() as scratch:
                    start = time.perf_counter()
                    checkable_copy(load_manifest(notebooks).get(e.name), Path(scratch))
                    local.append((time.perf_counter() - start) * 1000)
            print(f"| {e.number} {e.name} | {statistics.median(p[0] for p in pairs):.2f} | "
                  f"{statistics.median(p[1] for p in pairs):.2f} | "
                  f"{statistics.median(p[1] - p[0] for p in pairs):+.2f} | "
                  f"{statistics.median(local):.1f} |")


if __name__ == "__main__":
    main()
