"""The learner's progress: one small JSON file in the exercises folder.

``.lstm-shapes-progress.json`` holds which exercises are solved (with their points), the
points of each exercise's last check -- a partial 6/9 stays 6, solved or not -- and how many
hints each one has shown. A file that cannot be read is set aside and progress starts
over with a warning; the learner's work never depends on it (``check`` re-derives "solved").

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> state = Progress.load(root)
>>> state.mark_solved("windows", 10); state.next_hint("windows", 3)
1
>>> state.record("shapes", 6.5, solved=False)
>>> Progress.load(root).solved, Progress.load(root).points("shapes")
({'windows': 10}, 6.5)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STATE_FILE = ".lstm-shapes-progress.json"
NOTE = ("written by lstm-shapes: don't edit. Delete this file to start over; "
        "`lstm-shapes check N` marks an exercise solved again.")
_FORMAT = 1


@dataclass
class Progress:
    """Solved exercises (name -> points), the last check's points, hints shown (name -> count)."""

    root: Path
    solved: dict[str, int] = field(default_factory=dict)
    hints: dict[str, int] = field(default_factory=dict)
    warning: str | None = None
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.root / STATE_FILE

    @classmethod
    def load(cls, root: str | os.PathLike[str]) -> Progress:
        """Read the state file; missing -> fresh; unreadable -> fresh with ``warning`` set."""
        root = Path(root)
        path = root / STATE_FILE
        if not path.exists():
            return cls(root)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(root, solved=_counts(data, "solved"), hints=_counts(data, "hints"),
                       scores=_counts(data, "scores", number=float))
        except (OSError, ValueError, TypeError, UnicodeDecodeError) as err:
            backup = path.with_name(path.name + ".corrupt")
            try:
                os.replace(path, backup)
                kept = f" (the old file is kept as {backup.name})"
            except OSError:
                kept = ""
            return cls(root, warning=f"warning: {STATE_FILE} could not be read ({err}); "
                                     f"progress starts over{kept}")

    def save(self) -> None:
        """Write atomically (a crash mid-write never leaves half a file)."""
        data: dict[str, Any] = {"_note": NOTE, "format": _FORMAT,
                                "solved": dict(sorted(self.solved.items())),
                                "scores": dict(sorted(self.scores.items())),
                                "hints": dict(sorted(self.hints.items()))}
        from lstm_shapes.display.files import atomic_write_text

        atomic_write_text(self.path, json.dumps(data, indent=1) + "\n")

    def points(self, name: str) -> float:
        """The points of the exercise's last check (0 before the first)."""
        return self.scores.get(name, self.solved.get(name, 0))

    def record(self, name: str, points: float, *, solved: bool) -> None:
        """Keep the points of a check, and whether it solved the exercise."""
        self.scores[name] = round(float(points), 4)
        if solved:
            self.solved[name] = int(points)
        else:
            self.solved.pop(name, None)
        self.save()

    def mark_solved(self, name: str, points: int) -> None:
        self.record(name, points, solved=True)

    def mark_unsolved(self, name: str) -> None:
        if self.solved.pop(name, None) is not None:
            self.save()

    def next_hint(self, name: str, available: int) -> int:
        """Reveal one more hint; returns how many are shown now (at most ``available``)."""
        shown = min(self.hints.get(name, 0) + 1, available)
        self.hints[name] = shown
        self.save()
        return shown


def _counts(data: Any, key: str, *, number: type = int) -> dict[str, Any]:
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        raise ValueError("not a progress file of this version")
    value = data.get(key, {})
    kinds = (int, float) if number is float else (int,)
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, kinds) and not isinstance(v, bool) and v >= 0
            for k, v in value.items()):
        raise ValueError(f"field {key!r} is malformed")
    return dict(value)
