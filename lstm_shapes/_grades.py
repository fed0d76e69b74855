"""Grades of a pytest run: per test, per exercise, as a table and as Gradescope's results.json.

The plugin feeds each test report in (on the xdist controller too: everything needed travels
in ``report.user_properties``), so a serial and a parallel run grade the same.

>>> g = Grades()
>>> g.add("t.py::test_a", 0, "windows", 6, "passed", None, "")
>>> g.add("t.py::test_b", 1, "windows", 4, "failed", 0.5, "[missing_timestep_axis] 2-D input")
>>> [(e.name, e.earned, e.possible, e.status) for e in g.exercises()]
[('windows', 8.0, 10.0, 'partial')]
>>> g.results(execution_time=1.5)["tests"][1]["extra_data"]["codes"]
['missing_timestep_axis']
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
_CODE = re.compile(r"\[([a-z][a-z0-9_]*)\]")
_OUTPUT_LIMIT = 8000


def codes_in(text: str) -> list[str]:
    """The misconception codes named as ``[code]`` in a failure text, in order, once each."""
    from ._misconceptions import MISCONCEPTIONS

    return list(dict.fromkeys(c for c in _CODE.findall(text) if c in MISCONCEPTIONS))


def first_reason(text: str) -> str:
    """The first meaningful line of a failure text (the table's 'reason' column)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    errors = [ln[1:].strip() for ln in lines if ln.startswith("E ")]
    return (errors or lines or [""])[0]


@dataclass
class GradedTest:
    """One graded test: its points, outcome and (optional) partial credit in [0, 1]."""

    nodeid: str
    order: int  # position in the collection (identical on every xdist worker)
    exercise: str
    points: float
    status: str  # "passed" | "failed" | "skipped"
    credit: float | None = None
    output: str = ""
    visibility: str = "visible"

    @property
    def score(self) -> float:
        if self.credit is not None:
            return round(self.points * self.credit, 6)
        return float(self.points) if self.status == "passed" else 0.0


@dataclass(frozen=True)
class ExerciseGrade:
    name: str
    earned: float
    possible: float
    status: str  # "passed" | "partial" | "failed"
    reason: str


class Grades:
    """The graded tests of one run, in collection order."""

    def __init__(self) -> None:
        self._tests: dict[str, GradedTest] = {}

    def add(self, nodeid: str, order: int, exercise: str, points: float, status: str,
            credit: float | None, output: str, visibility: str = "visible") -> None:
        """Record one phase's outcome; a later failure of the same test wins over a pass."""
        known = self._tests.get(nodeid)
        if known is not None and known.status != "passed":
            return  # the first failing phase explains the failure
        self._tests[nodeid] = GradedTest(nodeid, order, exercise, float(points), status, credit,
                                        output[-_OUTPUT_LIMIT:], visibility)

    def __bool__(self) -> bool:
        return bool(self._tests)

    def tests(self) -> list[GradedTest]:
        return sorted(self._tests.values(), key=lambda t: (t.order, t.nodeid))

    def exercises(self) -> list[ExerciseGrade]:
        """Per exercise, in order of first appearance."""
        by_name: dict[str, list[GradedTest]] = {}
        for test in self.tests():
            by_name.setdefault(test.exercise, []).append(test)
        out = []
        for name, tests in by_name.items():
            earned = sum(t.score for t in tests)
            possible = sum(t.points for t in tests)
            failing = [t for t in tests if t.score < t.points]
            status = "passed" if not failing else "partial" if earned > 0 else "failed"
            reason = first_reason(failing[0].output) if failing else ""
            out.append(ExerciseGrade(name, round(earned, 6), possible, status, reason))
        return out

    def results(self, *, execution_time: float, output: str = "") -> dict[str, Any]:
        """Gradescope's results.json content."""
        tests = []
        numbers: dict[str, int] = {}
        order = {e.name: i for i, e in enumerate(self.exercises(), 1)}
        for t in self.tests():
            numbers[t.exercise] = numbers.get(t.exercise, 0) + 1
            tests.append({
                "name": f"{t.exercise}: {t.nodeid.rpartition('::')[2]}",
                "number": f"{order[t.exercise]}.{numbers[t.exercise]}",
                "score": t.score, "max_score": t.points,
                "status": "passed" if t.score >= t.points else "failed",
                "output": t.output, "visibility": t.visibility,
                "extra_data": {"exercise": t.exercise, "nodeid": t.nodeid,
                               "codes": codes_in(t.output)},
            })
        return {"score": round(sum(t["score"] for t in tests), 6),
                "max_score": sum(t["max_score"] for t in tests),
                "execution_time": round(execution_time, 3), "output": output,
                "visibility": "visible", "tests": tests}

    def table(self, width: int = 100) -> str:
        """The per-exercise table of the terminal summary (plain text)."""
        from rich import box
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(box=box.SIMPLE_HEAD, show_footer=True, pad_edge=False)
        exercises = self.exercises()
        earned = sum(e.earned for e in exercises)
        possible = sum(e.possible for e in exercises)
        table.add_column("exercise", footer="total", no_wrap=True)
        table.add_column("points", justify="right", footer=f"{earned:g}/{possible:g}",
                         no_wrap=True)
        table.add_column("status", no_wrap=True)
        table.add_column("first failing reason", no_wrap=True)
        room = width - max([len(e.name) for e in exercises] + [8]) - 30
        for e in exercises:
            reason = e.reason if len(e.reason) <= room else e.reason[:max(room - 1, 10)] + "…"
            table.add_row(Text(e.name), f"{e.earned:g}/{e.possible:g}", e.status, Text(reason))
        console = Console(width=width, color_system=None, force_terminal=False,
                          file=open(os.devnull, "w"), record=True)  # noqa: SIM115
        console.print(table)
        console.file.close()
        return console.export_text().rstrip() + "\n"


def write_json_atomic(path: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` as JSON so a reader sees the old file or the whole new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
