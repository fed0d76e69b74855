"""The plugin's hooks: markers, --lstm-shapes instrumentation, the one report rewrite, grading.

A failing test's report is rewritten once, in :func:`pytest_runtest_makereport`:
1. a ShapeError anywhere in the failure's chain replaces TensorFlow's frames by its message;
2. an exercise test (one that takes ``answers``) reads as the learner's verdict, with the
   way to its next hint;
3. the failure's misconception codes travel as data in ``report.user_properties``
   (``lstm_codes``), never re-read from the text.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from lstm_shapes.pytest_plugin.options import SETTINGS, resolve, settings

MARKER = ("exercise(name, points=1, visibility='visible'): a graded test of exercise NAME "
          "worth POINTS; visibility is Gradescope's (visible, hidden, after_due_date, "
          "after_published)")
PROPS = ("lstm_order", "lstm_exercise", "lstm_points", "lstm_visibility")
CODES = "lstm_codes"
_WORKER_LINE = re.compile(r"^\[gw\d+\] .*\n", re.MULTILINE)  # xdist's header of a failure
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")


def _stable(text: str) -> str:
    """A failure text that is the same in every run (serial or xdist, any memory layout)."""
    return _ADDRESS.sub(">", _WORKER_LINE.sub("", text)).strip("\n")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)
    config.stash[SETTINGS] = resolve(config)
    config.pluginmanager.register(_Grader(config), "lstm-shapes-grader")
    if settings(config).shapes:
        from lstm_shapes.diagnosis.instrument import instrument_keras

        instrument_keras()


def pytest_unconfigure(config: pytest.Config) -> None:
    if "lstm_shapes.diagnosis.instrument" in sys.modules:
        from lstm_shapes.diagnosis.instrument import restore_keras

        restore_keras()


def pytest_report_header(config: pytest.Config) -> list[str]:
    """One line with the active settings, so that a run can be reproduced."""
    return settings(config).header()


def exercise_of(item: pytest.Item) -> tuple[str, float, str] | None:
    """The validated ``exercise`` marker of ``item`` (name, points, visibility), if any."""
    from lstm_shapes.exercises.results import VISIBILITIES

    marks = list(item.iter_markers("exercise"))
    if not marks:
        return None
    mark = marks[0]
    problem = None
    if len(marks) > 1 or len(mark.args) > 1 or set(mark.kwargs) - {"points", "visibility"}:
        problem = "use exactly one @pytest.mark.exercise(name, points=N)"
    name, points = (mark.args or [None])[0], mark.kwargs.get("points", 1)
    visibility = mark.kwargs.get("visibility", "visible")
    if not isinstance(name, str) or not name.strip():
        problem = problem or f"the exercise name must be a non-empty string, got {name!r}"
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not points > 0:
        problem = problem or f"points must be a positive number, got {points!r}"
    if visibility not in VISIBILITIES:
        problem = problem or f"visibility must be one of {', '.join(VISIBILITIES)}"
    if problem:
        raise pytest.UsageError(f"{item.nodeid}: bad exercise marker: {problem}")
    return name, float(points), visibility


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for order, item in enumerate(items):
        graded = exercise_of(item)
        if graded is not None:
            item.user_properties.extend(zip(PROPS, (order, *graded)))


def _chain(exc: BaseException | None) -> list[BaseException]:
    """``exc`` and the errors it was raised from or during, outermost first."""
    seen: list[BaseException] = []
    while exc is not None and all(exc is not s for s in seen):
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


def _shape_error_in(exc: BaseException | None) -> BaseException | None:
    from lstm_shapes.core.errors import ShapeError

    return next((e for e in _chain(exc) if isinstance(e, ShapeError)), None)


def _codes_of(exc: BaseException | None) -> list[str]:
    """The misconception codes a failure carries: a Verdict's, or its ShapeErrors'."""
    from lstm_shapes.core.errors import ShapeError
    from lstm_shapes.exercises.judge import Verdict

    codes: list[str] = []
    for e in _chain(exc):
        if isinstance(e, Verdict):
            codes += e.codes
        elif isinstance(e, ShapeError):
            codes.append(e.code)
    return list(dict.fromkeys(codes))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if call.excinfo is None or not report.failed:
        return report
    error = call.excinfo.value
    if not call.excinfo.errisinstance(pytest.fail.Exception):  # our own messages stay
        found = _shape_error_in(error)
        if found is not None:  # the learner reads the shape story, not TF's frames
            report.longrepr = str(found)
    if "answers" in getattr(item, "fixturenames", ()):
        text = _assert_message(call.excinfo) or report.longreprtext
        if "lstm-shapes hint" not in text:
            test_file = Path(str(item.path)).resolve()
            exercise = test_file.stem.removeprefix("test_")
            report.longrepr = f"{text}\n{hint_line(test_file, exercise)}"
    if any(name == PROPS[1] for name, _ in item.user_properties):
        codes = _codes_of(error)
        if codes:
            report.user_properties.append((CODES, codes))
    return report


def _assert_message(excinfo: Any) -> str:
    """``your answer: <message>`` of a failed ``assert cond, message`` (else empty)."""
    if excinfo is None or not excinfo.errisinstance(AssertionError):
        return ""
    message, rewritten, _ = str(excinfo.value).rpartition("\nassert ")
    if not (rewritten and message.strip()):
        return ""
    from lstm_shapes.core.messages import render_answer

    return render_answer(message.strip())


def hint_line(test_file: Path, exercise: str) -> str:
    """How to get the next hint of the exercise that ``test_file`` tests."""
    from lstm_shapes.exercises.manifest import exercise_number

    found = exercise_number(test_file)
    ref = found[0] if found else exercise
    return f"  -> stuck? run `lstm-shapes hint {ref}`"


class _Grader:
    """Collects graded outcomes (on the xdist controller too) and writes the results."""

    def __init__(self, config: pytest.Config) -> None:
        from lstm_shapes.pytest_plugin.grades import Grades

        self.config = config
        self.grades = Grades()
        self.start = time.perf_counter()
        self.worker = hasattr(config, "workerinput")  # an xdist worker: the controller grades

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        if PROPS[1] not in props or (report.when != "call" and report.passed):
            return
        status = "passed" if report.passed else "skipped" if report.skipped else "failed"
        output = "" if report.passed else _stable(report.longreprtext)
        if report.skipped:
            output = f"skipped: {output}"
        self.grades.add(report.nodeid, props["lstm_order"], props["lstm_exercise"],
                        props["lstm_points"], status, props.get("lstm_credit"), output,
                        props["lstm_visibility"], codes=props.get(CODES, ()))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.grades and not self.worker:
            terminalreporter.write_sep("=", "lstm-shapes grades")
            terminalreporter.write(self.grades.table(width=terminalreporter._tw.fullwidth))

    def pytest_sessionfinish(self) -> None:
        path = settings(self.config).results
        if not path or self.worker:
            return
        from lstm_shapes.exercises.results import write_results

        output = self.grades.table() if self.grades else "no exercise-marked tests ran"
        elapsed = time.perf_counter() - self.start
        write_results(path, self.grades.tests(), execution_time=elapsed, output=output)


def pytest_assertrepr_compare(config: pytest.Config, op: str, left: Any,
                              right: Any) -> list[str] | None:
    """``assert (32, 10) == (32, 10, 1)``: axis by axis, with the mistake's name."""
    if op != "==":
        return None
    from lstm_shapes.core.classify import explain_shapes

    return explain_shapes(left, right)
