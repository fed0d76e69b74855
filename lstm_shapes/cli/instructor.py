"""The instructor's verbs: ``grade``, ``autograder``, ``report``."""

from __future__ import annotations

import argparse
import logging
import sys
from contextlib import contextmanager
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
    parser.add_argument("--submission-timeout", type=float,
                        help="wall seconds for all exercises of one submission together "
                        "(default: 4 times --timeout)")
    parser.add_argument("--memory", type=int, default=4096,
                        help="memory one exercise's process may add, in MiB (default 4096)")
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


@contextmanager
def _grading_log(console):
    """The grader's log records on ``console`` (above the bar), each once.

    The gradebook's warnings are left out: :func:`_print_warnings` prints them afterwards.
    """
    from lstm_shapes.grading.batch import GRADEBOOK_WARNING

    class ToConsole(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if not getattr(record, GRADEBOOK_WARNING, False):
                console.print(self.format(record), highlight=False, markup=False)

    logger = logging.getLogger("lstm_shapes.grading")
    handler, propagate = ToConsole(logging.WARNING), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False  # not a second time through the root logger's handlers
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _print_warnings(console, out: Path) -> None:
    from lstm_shapes.grading.gradebook import load_gradebook

    try:
        warnings = load_gradebook(out).get("warnings") or []
    except ValueError as err:
        warnings = [str(err)]
    for warning in warnings:
        console.print(f"warning: {warning}", highlight=False, markup=False, soft_wrap=True)


NAMES_SHOWN = 20


def _warn_unisolated(console, grades: dict, asked: bool) -> None:
    """One loud block on stderr when some submissions ran without namespaces."""
    import os

    bare = {name: g.isolation for name, g in grades.items() if g.isolation.startswith("none")}
    if not bare:
        return
    names = sorted(bare)
    shown = ", ".join(names[:NAMES_SHOWN]) + (f" and {len(names) - NAMES_SHOWN} more"
                                              if len(names) > NAMES_SHOWN else "")
    ways = ["run `lstm-shapes grade` as root, or"] * (os.geteuid() != 0) + [
        "enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1;",
        "  on Ubuntu 24.04+ also kernel.apparmor_restrict_unprivileged_userns=0), or",
        "grade in a throw-away container or VM that holds only the class folder and",
        "  the instructor copy (where namespaces are refused, the container isolates)."]
    lines = [
        "=" * 78,
        f"warning: submissions ran without namespaces ({'; '.join(sorted(set(bare.values())))})",
        f"  {len(names)} of {len(grades)} submission(s) ran without isolation: {shown}",
        "  Their code ran as you, with your rights: it could read other files on this",
        "  machine (the instructor copy with its solutions and hidden tests, the other",
        "  submissions, your home folder) and write to the environment (your files, the",
        "  network, processes that outlive the grading). Treat their grades with care.",
        "  To fix it, " + ("drop --no-isolation and " if not asked else "")
        + "let the grader use Linux namespaces:",
        *(f"    {way}" for way in ways),
        "=" * 78,
    ]
    for line in lines:
        console.print(line, style="bold red", highlight=False, markup=False, soft_wrap=True)


def _note_throwaway_user(console, grades: dict, jobs: int) -> None:
    """What a throwaway user (root without namespaces) does not hide, once."""
    users = sorted(n for n, g in grades.items() if g.isolation.startswith("a separate"))
    if not users:
        return
    console.print(
        f"note: {len(users)} submission(s) ran as a throwaway user, not in namespaces: their "
        f"code could read world-readable files (keep the instructor copy in a 0700 folder) "
        f"and use the network" + (f"; with --jobs {jobs} two of them could talk over it, "
                                  f"grade with --jobs 1" if jobs > 1 else ""),
        style="yellow", highlight=False, markup=False)


def run_grade(args: argparse.Namespace) -> int:
    from rich.console import Console

    from lstm_shapes.grading.batch import GradingError, grade_all
    from lstm_shapes.grading.submission import find_submissions

    console = Console(stderr=True)
    budget = args.submission_timeout or 4 * args.timeout
    if args.jobs < 1 or args.timeout <= 0 or budget <= 0 or args.memory < 512:
        console.print("lstm-shapes grade: --jobs >= 1, --timeout > 0, --submission-timeout > 0, "
                      "--memory >= 512 MiB")
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
        with _grading_log(console):
            grades = grade_all(Path(args.submissions), Path(args.out), _exercises(args.exercises),
                               jobs=args.jobs, timeout=args.timeout, budget=budget,
                               memory_mb=args.memory, seed=args.seed, fresh=args.fresh,
                               on_done=on_done, isolate=not args.no_isolation)
    except (GradingError, ValueError, OSError) as err:
        console.print(f"lstm-shapes grade: {err}", highlight=False)
        return 1
    finally:
        if bar is not None:
            bar.stop()
    _print_warnings(console, Path(args.out))
    _warn_unisolated(console, grades, asked=not args.no_isolation)
    _note_throwaway_user(console, grades, args.jobs)
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
    from lstm_shapes.grading.class_report import (
        html_page,
        left_out,
        left_out_text,
        summarize,
        table_text,
    )
    from lstm_shapes.grading.gradebook import load_gradebook

    try:
        gradebook = load_gradebook(args.gradebook)
        summaries, missing = summarize(gradebook), left_out(gradebook)
    except ValueError as err:
        print(f"lstm-shapes report: {err}", file=sys.stderr)
        return 2
    print(table_text(summaries))
    if missing:
        print(left_out_text(missing))
    if args.html:
        Path(args.html).write_text(html_page(summaries, missing=missing), encoding="utf-8")
        print(f"html: {args.html}")
    return 0
