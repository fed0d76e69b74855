"""Plausible wrong answers, one module per exercise (``<exercise name>.py`` with ``WRONG``).

A module may also hold ``RIGHT``: other valid ways to solve the exercise (``RNN(LSTMCell)``,
a functional or subclassed model, ...), in the same format; each must earn full marks.

Each wrong answer is an edit of the exercise's reference solution (its markers and prompt
blocks removed) that a learner with one of DESIGN.md's misconceptions would write. It must
lose points on the *visible* tests of a released copy, and the failure must name ``code``
and show a fix line that contains ``fix`` (a fragment: the fix, in the learner's terms).

>>> w = Wrong("y is the last value inside the window", {"a": "b"}, "window_misalignment", "x[")
>>> w.code
'window_misalignment'
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Wrong:
    """One wrong answer: ``edits`` (old -> new text) applied to the reference solution."""

    name: str  # what the learner did, in a few words
    edits: dict[str, str]
    code: str  # the misconception code the failing visible test must name
    fix: str  # a fragment of the fix line the learner is shown
    files: dict[str, str] = field(default_factory=dict)  # extra files beside the solution


def solved_text(instructor_file: Path) -> str:
    """The reference solution as a learner would hand it in: markers and prompts removed."""
    text = instructor_file.read_text()
    text = re.sub(r"\n[ \t]*### BEGIN PROMPT.*?### END PROMPT[^\n]*", "", text, flags=re.S)
    return re.sub(r"\n[ \t]*### (BEGIN|END) SOLUTION[^\n]*", "", text)


def apply(text: str, wrong: Wrong) -> str:
    """``text`` with the wrong answer's edits (each ``old`` must occur exactly once)."""
    for old, new in wrong.edits.items():
        count = text.count(old)
        if count != 1:
            raise ValueError(f"{wrong.name}: {old!r} occurs {count} times in the solution")
        text = text.replace(old, new)
    return text


def corpus(names: list[str], kind: str = "WRONG") -> dict[str, list[Wrong]]:
    """The ``WRONG`` (or ``RIGHT``) answers of each exercise in ``names`` with a module here."""
    here = Path(__file__).parent
    found = {}
    for name in names:
        if (here / f"{name}.py").is_file():
            found[name] = list(getattr(importlib.import_module(f"{__name__}.{name}"), kind, []))
    return found
