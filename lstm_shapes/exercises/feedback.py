"""``status()``, ``check(n)`` and ``hint(n)`` for notebooks, IPython and scripts.

The public ``lstm_shapes.exercises.status/check/hint``. Each returns its report (``r =
exercises.check(3); r.passed``) and shows it exactly once, wherever it runs:

- as the value of a cell or a REPL line (``exercises.check(3)`` last in a Jupyter cell),
  the display hook shows it: HTML in Jupyter, its text in terminal IPython;
- anywhere else -- ``r = exercises.check(3)``, a script run by ``python`` or ``ipython``,
  a notebook run by ``ipython nb.ipynb`` -- it shows itself at once (``display`` in IPython,
  ``print`` elsewhere). Which case applies is read from the caller's next instruction:
  only an expression statement compiled for the display hook is followed by
  ``PRINT_EXPR``.

While a check runs, one line says which test runs, for how long and the time limit:
updated in place in Jupyter (a display that then says how long the check took), on stderr in
a terminal. A check in a kernel also passes the kernel's input history and the notebook it
runs (when Jupyter says), so that answer cells run but not saved, or a copy of the notebook
worked in, are named (the check reads the saved notebook: :mod:`.notebooks`).

A problem the learner must fix before anything can be checked (no series here, no such
exercise) and an interrupted check end in one message, without a traceback, in IPython and
Jupyter (``_render_traceback_``): a notebook outside its series is told the notebook's way
out (``exercises.check(1, root=...)``), not the command line's.

``status`` and ``hint`` import neither TensorFlow nor IPython.

>>> import sys
>>> shows_itself(sys._getframe())  # a REPL line: the display hook prints the value
False
>>> def inner():
...     return shows_itself(sys._getframe())  # the value goes back to a function
>>> inner()
True
"""

from __future__ import annotations

import dis
import os
import sys
import time
from types import FrameType
from typing import Any

from lstm_shapes.exercises import learner
from lstm_shapes.exercises.manifest import MANIFEST, ManifestError, NoSeriesError

PathLike = str | os.PathLike[str] | None
_EVERY = 0.5  # seconds between two updates of the progress line
NOT_IN_A_SERIES = """no exercise series here: {here} and the folders above it hold no {manifest}.
The check needs the series folder -- {manifest} and the exercises' test folders -- so keep
this notebook in it (the folder your instructor handed out, or the one
`lstm-shapes release --notebooks` wrote) and open it from there. Or name that folder:
    {call}"""


class ExerciseError(ManifestError):
    """What the learner must fix first (the series, the exercise named); shown without a
    traceback in IPython and Jupyter."""

    __module__ = "lstm_shapes.exercises"

    def _render_traceback_(self) -> list[str]:
        return [f"lstm-shapes: {line}" if i == 0 else line
                for i, line in enumerate(str(self).splitlines())]


class CheckInterrupted(KeyboardInterrupt):
    """A check stopped by the learner (Ctrl-C, Jupyter's interrupt): its tests were killed."""

    __module__ = "lstm_shapes.exercises"

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


def _call(verb: str, n: int | str | None) -> str:
    ref = "" if n is None else f"{n!r}, "
    return f"exercises.{verb}({ref}root='path/to/the/series')"


def _setup_error(err: ManifestError, verb: str, n: int | str | None) -> ExerciseError:
    if isinstance(err, NoSeriesError):
        return ExerciseError(NOT_IN_A_SERIES.format(here=os.getcwd(), manifest=MANIFEST,
                                                    call=_call(verb, n)))
    return ExerciseError(str(err))


def shows_itself(frame: FrameType | None) -> bool:
    """Whether a value returned to ``frame`` would go unseen (no display hook prints it)."""
    if frame is None:
        return True
    following = next((i for i in dis.get_instructions(frame.f_code)
                      if i.offset > frame.f_lasti), None)
    if following is None:
        return True
    return not (following.opname == "PRINT_EXPR" or following.argrepr == "INTRINSIC_PRINT")


def _shell() -> Any:
    """The running IPython shell, if any (IPython is never imported here for nothing)."""
    if "IPython" not in sys.modules:
        return None
    return sys.modules["IPython"].get_ipython()


def _in_kernel(shell: Any) -> bool:
    return shell is not None and hasattr(shell, "kernel")


def show(report: Any, frame: FrameType | None) -> Any:
    """Show ``report`` unless the caller's display hook will; return it."""
    if shows_itself(frame):
        shell = _shell()
        if shell is not None:
            from IPython.display import display

            display(report)
        else:
            print(report, flush=True)
    return report


class LiveLine:
    """The live line of one check: in place in Jupyter, on a terminal's stderr, or nowhere.

    Call it with each progress state (``on_progress``), then ``close(seconds)``.
    """

    def __init__(self, label: str, *, limit: float | None = None) -> None:
        self.label, self.limit, self.last, self.width = label, limit, 0.0, 0
        self.handle: Any = None
        shell = _shell()
        self.kernel = _in_kernel(shell)
        self.terminal = not self.kernel and _isatty(sys.stderr)

    def __call__(self, live: Any, seconds: float) -> None:
        if time.monotonic() - self.last < _EVERY or not (self.kernel or self.terminal):
            return
        self.last = time.monotonic()
        line = live.line(self.label, seconds, limit=self.limit)
        if self.kernel:
            from IPython.display import display

            if self.handle is None:
                self.handle = display({"text/plain": line}, raw=True, display_id=True)
            else:
                self.handle.update({"text/plain": line}, raw=True)
        else:
            sys.stderr.write("\r" + line.ljust(self.width))
            sys.stderr.flush()
            self.width = len(line)

    def close(self, seconds: float, *, interrupted: bool = False) -> None:
        if self.handle is not None:
            text = (f"interrupted {self.label} after {seconds:.0f} s" if interrupted
                    else f"checked {self.label} in {seconds:.0f} s")
            self.handle.update({"text/plain": text}, raw=True)
        elif self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _history(shell: Any) -> list[str] | None:
    inputs = shell.user_ns.get("In") if shell is not None else None
    return [x for x in inputs if isinstance(x, str)] if isinstance(inputs, list) else None


def _running(shell: Any) -> str | None:
    """The notebook the kernel runs: Jupyter's ``__session__``, VS Code's own name."""
    names = shell.user_ns if shell is not None else {}
    found = names.get("__session__") or names.get("__vsc_ipynb_file__")
    return found if isinstance(found, str) and found.endswith(".ipynb") else None


def status(*, root: PathLike = None) -> Any:
    """Progress N/12, points, and the next exercise (shown; see the module docstring)."""
    try:
        report = learner.status(root=root)
    except ManifestError as err:
        raise _setup_error(err, "status", None) from None
    return show(report, sys._getframe(1))


def hint(n: int | str, *, root: PathLike = None) -> Any:
    """One more hint for exercise ``n`` (shown; see the module docstring)."""
    try:
        report = learner.hint(n, root=root)
    except ManifestError as err:
        raise _setup_error(err, "hint", n) from None
    return show(report, sys._getframe(1))


def check(n: int | str | None = None, *, root: PathLike = None,
          timeout: float | None = None) -> Any:
    """Run exercise ``n``'s tests (default: the next unsolved one); progress, then the report.

    A notebook-edition exercise is checked from its saved notebook (save first).

    Raises:
        ExerciseError: no series here, or no such exercise (shown without a traceback).
        CheckInterrupted: the learner interrupted it (the tests' process is killed).
    """
    from lstm_shapes.exercises.runner import DEFAULT_TIMEOUT

    try:
        manifest, progress = learner._open(root)
        exercise = manifest.get(n) if n is not None else (
            learner.next_exercise(manifest, progress) or manifest.exercises[-1])
    except ManifestError as err:
        raise _setup_error(err, "check", n) from None
    limit = DEFAULT_TIMEOUT if timeout is None else timeout
    live = LiveLine(exercise.label, limit=limit)
    start, shell, interrupted = time.monotonic(), _shell(), False
    try:
        report = learner.check(exercise.name, root=manifest.root, timeout=limit,
                               on_progress=live, history=_history(shell),
                               running=_running(shell))
    except KeyboardInterrupt:
        interrupted = True
        raise CheckInterrupted(
            f"check of {exercise.label} interrupted after {time.monotonic() - start:.0f} s: "
            "its tests were stopped (their process killed); nothing was recorded.") from None
    finally:
        live.close(time.monotonic() - start, interrupted=interrupted)
    return show(report, sys._getframe(1))
