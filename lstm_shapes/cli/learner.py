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
                        help="number or name (default: the next unsolved exercise)")
    parser.add_argument("--timeout", type=float, default=None, metavar="S",
                        help="stop the tests after S seconds (default 300)")
    _add_dir(parser)


def run_check(args: argparse.Namespace) -> int:
    from lstm_shapes.exercises.learner import check

    try:
        report = check(args.exercise, root=args.dir, timeout=args.timeout)
    except ManifestError as err:
        return _fail(err)
    print(report)
    return 0 if report.passed else 1


def add_hint_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("exercise", help="number or name of the exercise")
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
    _add_dir(parser)


def run_release(args: argparse.Namespace) -> int:
    from lstm_shapes.exercises.learner import resolve_root
    from lstm_shapes.exercises.learner_copy import release

    try:
        print(release(resolve_root(args.dir), args.out, force=args.force))
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
    for path in (exercise.learner_file, exercise.test_file):
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
    try:
        with _Keys() as keys:
            keys_help = "keys: h hint, c check now, q quit" if keys.enabled else "Ctrl-C quits"
            while True:
                exercise = current()
                if exercise is None:
                    print("All exercises solved. Well done!")
                    return 0
                print(f"\n=== checking {exercise.label}: {exercise.title}", flush=True)
                report = _notebook.check(exercise.name, root=root, timeout=args.timeout)
                checks += 1
                print(report, flush=True)
                if args.max_checks is not None and checks >= args.max_checks:
                    return 0 if report.passed else 1
                following = current()
                if following is None:
                    print("All exercises solved. Well done!")
                    return 0
                print(f"\nwatching {_notebook._where(following)} for changes ({keys_help})",
                      flush=True)
                if _wait_for_change(following, keys, args.interval,
                                    lambda: print(_notebook.hint(following.name, root=root),
                                                  flush=True)) == "quit":
                    return 0
    except KeyboardInterrupt:
        print("\nstopped watching")
        return 0


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
