"""Live progress of a check: the child's pytest writes events, the parent shows them.

``run_exercise_tests(..., on_progress=f)`` starts pytest with the small plugin
:mod:`lstm_shapes.pytest_plugin.live` and ``LSTM_SHAPES_PROGRESS=<file>``; the plugin
appends one line per event (tests collected, the learner's code running on the probes'
inputs and done, a test started, a test finished) and the parent reads the file while it waits.
Only the learner's own check does this: grading never reads anything its child writes.

>>> live = parse_events("collected 4\\nstart t.py::test_a\\nprobes\\nprobed\\n"
...                     "end t.py::test_a passed\\nstart t.py::test_b\\n")
>>> live.line("1 windows", 7.0)
'checking 1 windows: test 2/4 test_b (1 passed) -- 7 s'
>>> live.line("1 windows", 7.0, limit=300)
'checking 1 windows: test 2/4 test_b (1 passed) -- 7 s of at most 300 s'

When a check runs out of time, the parent asks the child (``SIGUSR1``) to write its stack to
:func:`stack_file`, to say where the learner's code was.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROGRESS_ENV = "LSTM_SHAPES_PROGRESS"


def stack_file(progress: str | os.PathLike[str]) -> Path:
    """Where the child of a check writes its stack when asked (beside the progress file)."""
    return Path(f"{os.fspath(progress)}.stack")


def write_event(text: str) -> None:
    """Append one event line to the progress file named by the environment (if any)."""
    path = os.environ.get(PROGRESS_ENV)
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as f:
            f.write(text.replace("\n", " ") + "\n")
    except OSError:
        pass  # progress is a courtesy; the check itself must not fail for it


@dataclass
class Live:
    """What the child has said so far."""

    total: int | None = None
    started: int = 0
    outcomes: list[str] = field(default_factory=list)
    current: str = ""
    probing: bool = False

    def line(self, label: str, seconds: float, *, limit: float | None = None) -> str:
        """One status line: ``checking 1 windows: test 2/4 test_b (1 passed) -- 7 s``
        (``of at most 300 s`` with the check's time ``limit``)."""
        if self.probing:
            what = "running your code on the tests' inputs"
        elif self.current:
            total = f"/{self.total}" if self.total else ""
            what = f"test {self.started}{total} {self.current}"
        elif self.total is not None:
            what = f"{self.total} tests collected"
        else:
            what = "starting pytest"
        passed = sum(o == "passed" for o in self.outcomes)
        failed = len(self.outcomes) - passed
        done = ", ".join(f"{n} {word}" for n, word in ((passed, "passed"), (failed, "failed"))
                         if n)
        of = f" of at most {limit:g} s" if limit else ""
        return f"checking {label}: {what}" + (f" ({done})" if done else "") + \
            f" -- {seconds:.0f} s{of}"


def parse_events(text: str) -> Live:
    """The state after the event lines of ``text`` (unknown lines are skipped)."""
    live = Live()
    for line in text.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "collected" and rest.isdigit():
            live.total = int(rest)
        elif kind in ("probes", "probed"):
            live.probing = kind == "probes"
        elif kind == "start":
            live.started += 1
            live.current = rest.rpartition("::")[2]
        elif kind == "end":
            live.outcomes.append(rest.rpartition(" ")[2])
    return live


def read_events(path: Path) -> Live:
    """The state the progress file holds now (an empty state when there is none yet)."""
    try:
        return parse_events(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return Live()
