"""Grades of a pytest run: per test and per exercise, for the terminal table and results.json.

The plugin feeds each test report in (on the xdist controller too: everything needed travels
in ``report.user_properties``, the codes included), so a serial and a parallel run grade the
same.

>>> g = Grades()
>>> g.add("t.py::test_a", 0, "windows", 6, "passed", None, "")
>>> g.add("t.py::test_b", 1, "windows", 4, "failed", 0.5, "2-D input",
...       codes=["missing_timestep_axis"])
>>> [(e.name, e.earned, e.possible, e.status) for e in g.exercises()]
[('windows', 8.0, 10.0, 'partial')]
>>> g.tests()[1].codes
('missing_timestep_axis',)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lstm_shapes.exercises.results import (
    OUTPUT_LIMIT,
    TestOutcome,
    exercise_status,
    first_reason,
)


@dataclass(frozen=True)
class ExerciseTotal:
    """One exercise's points in this run (a row of the terminal table)."""

    name: str
    earned: float
    possible: float
    status: str  # "passed" | "partial" | "failed"
    reason: str


class Grades:
    """The graded tests of one run, in collection order."""

    def __init__(self) -> None:
        self._tests: dict[str, tuple[int, TestOutcome]] = {}

    def add(self, nodeid: str, order: int, exercise: str, points: float, status: str,
            credit: float | None, output: str, visibility: str = "visible", *,
            codes: Iterable[str] = ()) -> None:
        """Record one phase's outcome; a later failure of the same test wins over a pass.

        ``credit`` (in [0, 1]) is the partial credit the test awarded itself, if any.
        """
        known = self._tests.get(nodeid)
        if known is not None and known[1].status != "passed":
            return  # the first failing phase explains the failure
        points = float(points)
        if credit is not None:
            score = round(points * credit, 6)
        else:
            score = points if status == "passed" else 0.0
        self._tests[nodeid] = (order, TestOutcome(
            name=nodeid.rpartition("::")[2], status=status, score=score, max_score=points,
            output=output[-OUTPUT_LIMIT:], exercise=exercise, codes=tuple(codes),
            visibility=visibility, nodeid=nodeid))

    def __bool__(self) -> bool:
        return bool(self._tests)

    def tests(self) -> list[TestOutcome]:
        return [t for _, t in sorted(self._tests.values(), key=lambda p: (p[0], p[1].nodeid))]

    def exercises(self) -> list[ExerciseTotal]:
        """Per exercise, in order of first appearance."""
        by_name: dict[str, list[TestOutcome]] = {}
        for test in self.tests():
            by_name.setdefault(test.exercise, []).append(test)
        out = []
        for name, tests in by_name.items():
            earned = round(sum(t.score or 0.0 for t in tests), 6)
            possible = sum(t.max_score or 0.0 for t in tests)
            failing = [t for t in tests if (t.score or 0.0) < (t.max_score or 0.0)]
            out.append(ExerciseTotal(name, earned, possible,
                                     exercise_status(earned, possible, tested=True),
                                     first_reason(failing[0].output) if failing else ""))
        return out

    def table(self, width: int = 100) -> str:
        """The per-exercise table of the terminal summary (plain text)."""
        from rich import box
        from rich.table import Table
        from rich.text import Text

        from lstm_shapes.display.tables import table_text

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
        return table_text(table, width=width).rstrip() + "\n"
