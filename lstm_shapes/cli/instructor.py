"""The instructor's verbs: ``grade``, ``autograder``, ``report``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _exercises(value: str | None) -> Path:
    from lstm_shapes.exercises.manifest import instructor_root

    return Path(value) if value else instructor_root()


def add_grade_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submissions", help="folder of submissions: one folder or archive (zip, tar.gz, ...) per learner")
    parser.add_argument("--out", default="grades", help="gradebook folder (default: grades)")
    parser.add_argument("--exercises", help="the instructor copy (default: the bundled one)")
    parser.add_argument("--jobs", type=int, default=1, help="submissions graded at once")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="wall seconds per exercise of one submission (default 120)")
    parser.add_argument("--memory", type=int, default=4096,
                        help="memory limit of a submission's process in MiB (default 4096)")
    parser.add_argument("--seed", type=int, help="seed of the probes' inputs (default: random,"
                        " kept in the journal)")
    parser.add_argument("--fresh", action="store_true", help="ignore an earlier journal")
    parser.add_argument("--no-isolation", action="store_true",
                        help="do not run submissions in Linux namespaces (they could then "
                        "read the instructor copy and each other's files)")


def _progress_bar(console, count: int):
    """A live bar under the per-learner lines, on a terminal only (logs stay plain)."""
    if not console.is_terminal:
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress("grading", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, transient=True)
    bar.add_task("grading", total=count)
    return bar


def run_grade(args: argparse.Namespace) -> int:
    from rich.console import Console

    from lstm_shapes.grading.batch import GradingError, grade_all
    from lstm_shapes.grading.submission import find_submissions

    console = Console(stderr=True)
    if args.jobs < 1 or args.timeout <= 0 or args.memory < 512:
        console.print("lstm-shapes grade: --jobs >= 1, --timeout > 0, --memory >= 512 MiB")
        return 2
    try:
        count = len(find_submissions(Path(args.submissions)))
    except FileNotFoundError as err:
        console.print(f"lstm-shapes grade: {err}")
        return 2
    console.print(f"grading {count} submission(s) with {args.jobs} job(s) -> {args.out}/")

    bar = _progress_bar(console, count)

    def on_done(grade, done: int, total: int) -> None:
        faults = [e.exercise for e in grade.exercises if e.status != "passed"]
        console.print(f"[{done}/{total}] {grade.learner}: {grade.total:g}/{grade.max_total:g}"
                      f" ({grade.seconds:.0f} s)" + (f"  not passed: {', '.join(faults)}"
                                                     if faults else ""), highlight=False)
        if bar is not None:
            bar.update(bar.task_ids[0], completed=done, total=total)

    try:
        if bar is not None:
            bar.start()
        grades = grade_all(Path(args.submissions), Path(args.out), _exercises(args.exercises),
                           jobs=args.jobs, timeout=args.timeout, memory_mb=args.memory,
                           seed=args.seed, fresh=args.fresh, on_done=on_done,
                           isolate=not args.no_isolation)
    except (GradingError, ValueError, OSError) as err:
        console.print(f"lstm-shapes grade: {err}", highlight=False)
        return 1
    finally:
        if bar is not None:
            bar.stop()
    bare = sorted({g.isolation for g in grades.values() if g.isolation.startswith("none")})
    if bare:
        console.print(f"warning: submissions ran without namespaces ({'; '.join(bare)}): they "
                      "could read the instructor copy and each other; grade in a container",
                      highlight=False)
    console.print(f"gradebook: {args.out}/gradebook.csv and gradebook.json "
                  f"({len(grades)} learners)")
    return 0


def add_autograder_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="autograder.zip", help="the bundle to write")
    parser.add_argument("--exercises", help="the instructor copy (default: the bundled one)")
    parser.add_argument("--wheel", help="a built wheel of lstm-shapes (default: build one)")


def run_autograder(args: argparse.Namespace) -> int:
    import subprocess

    from lstm_shapes.grading.autograder import build_bundle

    try:
        out = build_bundle(Path(args.out), _exercises(args.exercises),
                           wheel=Path(args.wheel) if args.wheel else None)
    except (ValueError, OSError, subprocess.CalledProcessError) as err:
        print(f"lstm-shapes autograder: {err}", file=sys.stderr)
        return 1
    print(f"wrote {out}: upload it as the Gradescope autograder (setup.sh, run_autograder)")
    return 0


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("gradebook", help="gradebook.json or the folder that holds it")
    parser.add_argument("--html", help="also write a self-contained HTML page with a chart")


def run_report(args: argparse.Namespace) -> int:
    from lstm_shapes.grading.class_report import html_page, summarize, table_text
    from lstm_shapes.grading.gradebook import load_gradebook

    try:
        summaries = summarize(load_gradebook(args.gradebook))
    except ValueError as err:
        print(f"lstm-shapes report: {err}", file=sys.stderr)
        return 2
    print(table_text(summaries))
    if args.html:
        Path(args.html).write_text(html_page(summaries), encoding="utf-8")
        print(f"html: {args.html}")
    return 0
