"""The learner's verbs of ``lstm-shapes``: status (the default), check, hint, watch, release.

Each verb has ``add_<verb>_arguments(parser)`` and ``run_<verb>(args) -> exit code``.
``status`` and ``hint`` import neither TensorFlow nor NumPy; ``check`` runs pytest in a
child process. Exit codes: 0 ok (for ``check``: solved), 1 not solved, 2 bad usage.

>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> add_check_arguments(parser)
>>> parser.parse_args(["3"]).exercise
'3'
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from lstm_shapes.exercises.manifest import Exercise, ManifestError
from lstm_shapes.exercises.markers import ReleaseError

DIR_HELP = ("the exercises folder (default: the nearest folder holding info.toml, from the "
            "current one up)")


def _add_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", metavar="DIR", default=None, help=DIR_HELP)


def _fail(err: Exception) -> int:
    print(f"lstm-shapes: {err}", file=sys.stderr)
    return 2


def add_status_arguments(parser: argparse.ArgumentParser) -> None:
    _add_dir(parser)


def run_status(args: argparse.Namespace) -> int:
    from lstm_shapes.exercises.learner import status

    try:
        print(status(root=args.dir))
    except ManifestError as err:
        return _fail(err)
    return 0


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("exercise", nargs="?", default=None,
                        help="number, name, or its notebook or file (01_windows.ipynb) "
                        "(default: the next unsolved exercise)")
    parser.add_argument("--timeout", type=float, default=None, metavar="S",
                        help="stop the tests after S seconds (default 300)")
    _add_dir(parser)


def _checked(exercise: Exercise, root: object, timeout: float | None) -> object:
    """``check`` of one exercise with its live line on a terminal's stderr."""
    from lstm_shapes.exercises.feedback import LiveLine
    from lstm_shapes.exercises.learner import check
    from lstm_shapes.exercises.runner import DEFAULT_TIMEOUT

    limit = DEFAULT_TIMEOUT if timeout is None else timeout
    line, start = LiveLine(exercise.label, limit=limit), time.monotonic()
    try:
        return check(exercise.name, root=root, timeout=limit, on_progress=line)
    finally:
        line.close(time.monotonic() - start)


def run_check(args: argparse.Namespace) -> int:
    from lstm_shapes.exercises import learner

    try:
        named = Path(args.exercise) if args.exercise is not None else None
        # a file named by its path is checked in its own series, wherever the shell is
        start = named.parent if named is not None and named.is_file() else None
        manifest, progress = learner._open(args.dir, start)
        exercise = manifest.get(args.exercise) if args.exercise is not None else (
            learner.next_exercise(manifest, progress) or manifest.exercises[-1])
    except ManifestError as err:
        return _fail(err)
    start = time.monotonic()
    try:
        report = _checked(exercise, manifest.root, args.timeout)
    except KeyboardInterrupt:
        print(f"\nlstm-shapes: check of {exercise.label} interrupted after "
              f"{time.monotonic() - start:.0f} s: its tests were stopped (their process "
              "killed); nothing was recorded.", file=sys.stderr)
        return 130
    print(report)
    return 0 if report.passed else 1  # type: ignore[attr-defined]


def add_hint_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("exercise", help="number or name of the exercise, or its notebook "
                        "or file")
    _add_dir(parser)


def run_hint(args: argparse.Namespace) -> int:
    from lstm_shapes.exercises.learner import hint

    try:
        print(hint(args.exercise, root=args.dir))
    except ManifestError as err:
        return _fail(err)
    return 0


def add_release_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="where to write the learner copy (must be empty, or --force)")
    parser.add_argument("--force", action="store_true",
                        help="replace the content of a non-empty --out folder")
    parser.add_argument("--notebooks", action="store_true",
                        help="write the notebook edition: one Jupyter notebook per exercise "
                        "(its answer cells tagged), instead of the learner .py files")
    parser.add_argument("--dir", metavar="DIR", default=None,
                        help="the instructor copy (default: the nearest folder holding "
                        "info.toml, else the series bundled with lstm-shapes)")


def run_release(args: argparse.Namespace) -> int:
    from lstm_shapes.exercises.learner_copy import release
    from lstm_shapes.exercises.manifest import find_root, instructor_root

    try:
        src = find_root(explicit=args.dir, default=instructor_root())
        print(release(src, args.out, force=args.force, notebooks=args.notebooks))
    except (ManifestError, ReleaseError) as err:
        return _fail(err)
    return 0


def add_watch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("exercise", nargs="?", default=None,
                        help="number or name (default: follow the next unsolved exercise)")
    parser.add_argument("--interval", type=float, default=0.5, metavar="S",
                        help="seconds between looks at the files (default 0.5)")
    parser.add_argument("--timeout", type=float, default=None, metavar="S",
                        help="stop each check after S seconds (default 300)")
    parser.add_argument("--max-checks", type=int, default=None, help=argparse.SUPPRESS)
    _add_dir(parser)


def _mtimes(exercise: Exercise) -> tuple[float, ...]:
    stamps = []
    for path in (exercise.learner_file, exercise.notebook_file, exercise.test_file):
        try:
            stamps.append(path.stat().st_mtime_ns)
        except OSError:
            stamps.append(-1)
    return tuple(stamps)


class _Keys:
    """Single key presses from a terminal (cbreak mode); nothing when stdin is not a TTY."""

    def __init__(self) -> None:
        self.enabled = sys.stdin.isatty() and os.name == "posix"
        self._saved: list | None = None

    def __enter__(self) -> _Keys:
        if self.enabled:
            import termios
            import tty

            self._saved = termios.tcgetattr(sys.stdin.fileno())
            tty.setcbreak(sys.stdin.fileno())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._saved is not None:
            import termios

            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, self._saved)

    def read(self, seconds: float) -> str | None:
        """A key pressed within ``seconds`` (sleeps that long when keys are off)."""
        if not self.enabled:
            time.sleep(seconds)
            return None
        import select

        ready, _, _ = select.select([sys.stdin], [], [], seconds)
        return sys.stdin.read(1) if ready else None


def run_watch(args: argparse.Namespace) -> int:
    """Check, then wait for a save and check again. With everything solved it keeps
    watching every exercise: a save re-checks the exercise that changed."""
    from lstm_shapes.exercises import learner as _notebook

    try:
        root = _notebook.resolve_root(args.dir)
        manifest, progress = _notebook._open(root)
        fixed = manifest.get(args.exercise) if args.exercise is not None else None
    except ManifestError as err:
        return _fail(err)

    def current() -> Exercise | None:
        manifest, progress = _notebook._open(root)
        return fixed or _notebook.next_exercise(manifest, progress)

    checks = 0
    exercise = current()
    try:
        with _Keys() as keys:
            keys_help = "keys: h hint, c check now, q quit" if keys.enabled else "Ctrl-C quits"
            if exercise is None:
                print("All exercises solved. Well done!")
            while True:
                if exercise is not None:
                    print(f"\n=== checking {exercise.label}: {exercise.title}", flush=True)
                    report = _checked(exercise, root, args.timeout)
                    checks += 1
                    print(report, flush=True)
                    if args.max_checks is not None and checks >= args.max_checks:
                        return 0 if report.passed else 1
                following = current()
                if following is None:
                    everything = _notebook._open(root)[0].exercises
                    keys_all = "keys: c check again, q quit" if keys.enabled else "Ctrl-C quits"
                    print(f"\nAll solved: watching all {len(everything)} exercises; a save "
                          f"re-checks the one that changed ({keys_all})", flush=True)
                    changed = _wait_for_any(everything, keys, args.interval)
                    if changed == "quit":
                        return 0
                    exercise = changed
                    continue
                print(f"\nwatching {_notebook._where(following)} for changes ({keys_help})",
                      flush=True)
                if _wait_for_change(following, keys, args.interval,
                                    lambda: print(_notebook.hint(following.name, root=root),
                                                  flush=True)) == "quit":
                    return 0
                exercise = following
    except KeyboardInterrupt:
        print("\nstopped watching")
        return 0


def _wait_for_any(exercises: tuple[Exercise, ...], keys: _Keys,
                  interval: float) -> Exercise | str:
    """The first exercise whose files change, or "quit" (q); c re-checks the last one."""
    before = {e.name: _mtimes(e) for e in exercises}
    while True:
        key = keys.read(interval)
        if key in ("q", "Q"):
            return "quit"
        if key in ("c", "C", "\n"):
            return exercises[-1]
        for exercise in exercises:
            if _mtimes(exercise) != before[exercise.name]:
                time.sleep(0.1)  # let the editor finish writing
                return exercise


def _wait_for_change(exercise: Exercise, keys: _Keys, interval: float,
                     show_hint: Callable[[], None]) -> str:
    """Block until the exercise's files change ("changed"), or q / c is pressed."""
    before = _mtimes(exercise)
    while True:
        key = keys.read(interval)
        if key in ("q", "Q"):
            return "quit"
        if key in ("h", "H"):
            show_hint()
        if key in ("c", "C", "\n"):
            return "changed"
        if _mtimes(exercise) != before:
            time.sleep(0.1)  # let the editor finish writing
            return "changed"
