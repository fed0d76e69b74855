"""The one results model: Gradescope's ``results.json`` -- its schema, writer, reader, status.

Everything that grades writes or reads results through this module: the pytest plugin
(one entry per test), the judge's reader (per exercise), and the Gradescope autograder (one
entry per exercise). Misconception codes travel as data in ``extra_data.codes``; nothing
reads them back out of the text.

>>> t = TestOutcome("test_a", "failed", 0.0, 4.0, "[wrong_rank] ...", exercise="windows",
...                 codes=("wrong_rank",), nodeid="t.py::test_a")
>>> data = results_json([t], execution_time=1.0)
>>> data["tests"][0]["extra_data"]["codes"], data["max_score"]
(['wrong_rank'], 4.0)
>>> read_tests(data) == [t]
True
>>> exercise_status(2.0, 4.0, tested=True), exercise_status(0.0, 4.0, tested=False)
('partial', 'missing')
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
OUTPUT_LIMIT = 8000  # characters of one test's output kept in results.json


@dataclass(frozen=True)
class TestOutcome:
    """One graded test (or one exercise, for the autograder): points, status, codes."""

    __test__ = False  # not a pytest test class

    name: str  # the test function ("test_shape"), or the exercise's row ("01 windows")
    status: str  # "passed" | "failed"
    score: float | None = None
    max_score: float | None = None
    output: str = ""
    exercise: str = ""
    codes: tuple[str, ...] = field(default_factory=tuple)
    visibility: str = "visible"
    nodeid: str = ""


def gradescope_status(score: float, max_score: float) -> str:
    """Gradescope's per-test status: passed only with every point."""
    return "passed" if score >= max_score else "failed"


def exercise_status(score: float, max_score: float, *, tested: bool) -> str:
    """An exercise's status: ``passed``, ``partial``, ``failed``, or ``missing`` (no tests)."""
    if not tested:
        return "missing"
    return "passed" if score >= max_score else "partial" if score > 0 else "failed"


def first_reason(text: str) -> str:
    """The first meaningful line of a failure text (the tables' 'reason' column), with the
    line it introduces when it ends in a colon.

    >>> first_reason("E   your code raised ShapeError (at a.py:5):\\nE     x is (2, 3)\\nE  fix: y")
    'your code raised ShapeError (at a.py:5): x is (2, 3)'
    """
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    errors = [ln[1:].strip() for ln in lines if ln.startswith("E ")]
    picked = [ln for ln in errors if ln] or lines or [""]
    if picked[0].endswith(":") and len(picked) > 1:
        return f"{picked[0]} {picked[1]}"
    return picked[0]


def codes_of(tests: Iterable[TestOutcome]) -> list[str]:
    """The codes of the failing ``tests``, in order, once each."""
    return list(dict.fromkeys(c for t in tests if t.status != "passed" for c in t.codes))


def _entry(test: TestOutcome, number: str) -> dict[str, Any]:
    score, max_score = test.score or 0.0, test.max_score or 0.0
    extra: dict[str, Any] = {"exercise": test.exercise, "codes": list(test.codes)}
    if test.nodeid:
        extra["nodeid"] = test.nodeid
    name = f"{test.exercise}: {test.name}" if test.nodeid else test.name
    return {"name": name,
            "number": number, "score": score, "max_score": max_score,
            "status": gradescope_status(score, max_score), "output": test.output[-OUTPUT_LIMIT:],
            "visibility": test.visibility, "extra_data": extra}


def results_json(tests: Sequence[TestOutcome], *, execution_time: float,
                 output: str = "") -> dict[str, Any]:
    """Gradescope's results.json content; tests are numbered ``exercise.test``."""
    order: dict[str, int] = {}
    counts: dict[str, int] = {}
    entries = []
    for t in tests:
        major = order.setdefault(t.exercise, len(order) + 1)
        counts[t.exercise] = counts.get(t.exercise, 0) + 1
        entries.append(_entry(t, f"{major}.{counts[t.exercise]}"))
    return {"score": round(sum(e["score"] for e in entries), 6),
            "max_score": sum(e["max_score"] for e in entries),
            "execution_time": round(execution_time, 3), "output": output,
            "visibility": "visible", "tests": entries}


def write_results(path: str | os.PathLike[str], tests: Sequence[TestOutcome], *,
                  execution_time: float, output: str = "") -> dict[str, Any]:
    """Write results.json atomically; return its content."""
    from lstm_shapes.display.files import write_json_atomic

    data = results_json(tests, execution_time=execution_time, output=output)
    write_json_atomic(path, data)
    return data


def _number(value: object) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _outcome(entry: dict[str, Any]) -> TestOutcome:
    extra = entry.get("extra_data") if isinstance(entry.get("extra_data"), dict) else {}
    exercise = str(extra.get("exercise", ""))
    nodeid = str(extra.get("nodeid", ""))
    codes = extra.get("codes", [])
    return TestOutcome(
        name=nodeid.rpartition("::")[2] if nodeid else str(entry.get("name", "?")),
        status=str(entry.get("status", "failed")),
        score=_number(entry.get("score")), max_score=_number(entry.get("max_score")),
        output=str(entry.get("output", "")), exercise=exercise,
        codes=tuple(c for c in codes if isinstance(c, str)) if isinstance(codes, list) else (),
        visibility=str(entry.get("visibility", "visible")), nodeid=nodeid)


def read_tests(data: Any) -> list[TestOutcome]:
    """The tests of results.json content (a dict), skipping malformed entries."""
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list):
        return []
    return [_outcome(t) for t in data["tests"] if isinstance(t, dict)]


def read_results(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """results.json content, or None when the file is missing or not JSON."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def per_exercise(tests: Iterable[TestOutcome]
                 ) -> dict[str, tuple[float, float, tuple[TestOutcome, ...]]]:
    """``{exercise: (score, max_score, tests)}`` of the tests of several exercises."""
    out: dict[str, tuple[float, float, tuple[TestOutcome, ...]]] = {}
    for t in tests:
        score, possible, known = out.get(t.exercise, (0.0, 0.0, ()))
        out[t.exercise] = (score + (t.score or 0.0), possible + (t.max_score or 0.0),
                           (*known, t))
    return out
