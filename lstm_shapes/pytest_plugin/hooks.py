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
import types
from pathlib import Path
from typing import Any

import pytest

from lstm_shapes.pytest_plugin.options import SETTINGS, resolve, settings

MARKER = ("exercise(name, points=1, visibility='visible'): a graded test of exercise NAME "
          "worth POINTS; visibility is Gradescope's (visible, hidden, after_due_date, "
          "after_published)")
PROPS = ("lstm_order", "lstm_exercise", "lstm_points", "lstm_visibility")
CODES = "lstm_codes"
_EXERCISE_RUNNING = pytest.StashKey[bool]()  # the running test is an exercise's
_MARKER_DECLARED = pytest.StashKey[bool]()
_LIBRARIES = {"lstm_shapes", "keras", "tensorflow", "tf_keras", "absl", "numpy"}
_WORKER_LINE = re.compile(r"^\[gw\d+\] .*\n", re.MULTILINE)  # xdist's header of a failure
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")


def _stable(text: str) -> str:
    """A failure text that is the same in every run (serial or xdist, any memory layout)."""
    return _ADDRESS.sub(">", _WORKER_LINE.sub("", text)).strip("\n")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SETTINGS] = resolve(config)
    asked = settings(config)
    if asked.results or asked.answers is not None:
        _register_marker(config)
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


def _register_marker(config: pytest.Config) -> None:
    """Declare ``exercise`` (once, and never over a project's own marker of that name)."""
    if not config.stash.get(_MARKER_DECLARED, False) and not _project_owns_marker(config):
        config.addinivalue_line("markers", MARKER)
    config.stash[_MARKER_DECLARED] = True


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> None:
    """A test file of a series declares the marker before it is imported (--strict-markers)."""
    if _in_series(file_path.parent):
        _register_marker(parent.config)


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


def _project_owns_marker(config: pytest.Config) -> bool:
    """Did the project declare a marker ``exercise`` of its own? Then it is not a grade."""
    return any(line.split(":")[0].split("(")[0].strip() == "exercise"
               for line in config.getini("markers") if line != MARKER)


def _uses_our(item: pytest.Item, fixture: str) -> bool:
    """Does ``item`` use this plugin's ``fixture`` (not a project's own of that name)?"""
    info = getattr(item, "_fixtureinfo", None)
    defs = info.name2fixturedefs.get(fixture) if info is not None else None
    return bool(defs) and defs[-1].func.__module__ == "lstm_shapes.pytest_plugin.fixtures"


def _is_exercise(item: pytest.Item) -> bool:
    """A graded test, or one that judges a learner's ``answers``."""
    return any(name == PROPS[1] for name, _ in item.user_properties) or _uses_our(
        item, "answers")


def _in_series(folder: Path) -> bool:
    """Is ``folder`` an exercise of a series: does the manifest beside it list it?

    A project's own ``info.toml`` (any other content) does not make its tests exercises.
    """
    from lstm_shapes.exercises.manifest import MANIFEST

    manifest = folder.parent / MANIFEST
    if not manifest.is_file():
        return False
    import tomllib

    try:
        entries = tomllib.loads(manifest.read_text(encoding="utf-8")).get("exercises", [])
        return any(isinstance(e, dict) and e.get("dir") == folder.name for e in entries)
    except (OSError, ValueError, AttributeError):
        return False


def _grades_here(config: pytest.Config, item: pytest.Item) -> bool:
    """Exercise markers grade when results or answers were asked for, or in a series; a
    project that merely has a marker of that name is left as it was."""
    asked = settings(config)
    return bool(asked.results) or asked.answers is not None or _in_series(item.path.parent)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _project_owns_marker(config):
        return
    for order, item in enumerate(items):
        if item.get_closest_marker("exercise") is None or not _grades_here(config, item):
            continue
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
def pytest_runtest_protocol(item: pytest.Item) -> Any:
    """Shape explanations of plain tuples apply inside exercise tests (see assertrepr)."""
    item.config.stash[_EXERCISE_RUNNING] = _is_exercise(item)
    try:
        return (yield)
    finally:
        item.config.stash[_EXERCISE_RUNNING] = False


def _explain_keras_error(report: pytest.TestReport, error: Exception) -> None:
    """Under --lstm-shapes, a Keras/TF error the test raised gets a section that names the
    mistake (pytest's own report above it is left as it is)."""
    from lstm_shapes.diagnosis.translate import translate

    try:
        explained = translate(error)
    except Exception:  # noqa: BLE001 - an explanation must never break a report
        return
    if explained is not None and explained is not error:
        report.sections.append(("lstm-shapes: what this error means", str(explained)))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if call.excinfo is None or not report.failed:
        return report
    exercise = _is_exercise(item)
    if not (exercise or settings(item.config).shapes):
        return report  # a project that did not ask: pytest's report, untouched
    error = call.excinfo.value
    found = _shape_error_in(error)
    if found is not None and not call.excinfo.errisinstance(pytest.fail.Exception):
        report.longrepr = _in_user_frames(item, call.excinfo, found)
    elif settings(item.config).shapes and isinstance(error, Exception):
        _explain_keras_error(report, error)
    if _uses_our(item, "answers"):
        text = _assert_message(call.excinfo) or report.longreprtext
        if "-> stuck?" not in text and "lstm-shapes hint" not in text:
            test_file = Path(str(item.path)).resolve()
            exercise_name = test_file.stem.removeprefix("test_")
            report.longrepr = f"{text}\n{hint_line(test_file, exercise_name)}"
    if exercise:
        codes = _codes_of(error)
        if codes:
            report.user_properties.append((CODES, codes))
    return report


def _in_user_frames(item: pytest.Item, excinfo: pytest.ExceptionInfo, found: BaseException
                    ) -> Any:
    """pytest's report of ``found`` (a ShapeError) raised in the user's own frames.

    The test, its helpers and the line that built or called the layer stay; the frames of
    Keras, TensorFlow and this package go, so pytest's own cut and styles apply to the rest.
    """
    kept, tb = [], excinfo.tb
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__", "").split(".")[0] not in _LIBRARIES:
            kept.append(tb)
        tb = tb.tb_next
    user_tb = None
    for entry in reversed(kept):
        user_tb = types.TracebackType(user_tb, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    info = pytest.ExceptionInfo.from_exc_info((type(found), found, user_tb or excinfo.tb))
    return item.repr_failure(info)


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
    """How to get the next hint of the exercise that ``test_file`` tests: the hint cell in
    the notebook edition (its ``info.toml`` says ``edition = "notebooks"``), else the CLI."""
    from lstm_shapes.exercises.manifest import exercise_number

    if _edition(test_file) == "notebooks":
        return f"  -> stuck? run the hint cell: `exercises.hint({exercise!r})`"
    found = exercise_number(test_file)
    ref = found[0] if found else exercise
    return f"  -> stuck? run `lstm-shapes hint {ref}`"


def _edition(test_file: Path) -> str | None:
    """The edition recorded in the series' ``info.toml`` (None: none, or unreadable)."""
    import tomllib

    try:
        data = tomllib.loads((Path(test_file).resolve().parent.parent / "info.toml")
                             .read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("edition") if isinstance(data.get("edition"), str) else None


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
    """``assert x.shape == (32, 10, 1)``: axis by axis, with the mistake's name and fix.

    Only where it was asked for: real shapes (a TensorShape, or an operand that reads
    ``.shape``), or any tuples under ``--lstm-shapes`` and in exercise tests. Elsewhere
    pytest's own explanation stays, byte for byte.
    """
    if op != "==":
        return None
    from lstm_shapes.pytest_plugin.asserts import (
        Comparison,
        array_name,
        failing_comparison,
        fix_works,
        is_shape,
    )

    found = failing_comparison()
    if found is not None and is_shape(found.right) and not is_shape(found.left):
        left, right = right, left  # ``(32, 10, 1) == x.shape``: x.shape is what was got
        found = Comparison(found.right, found.left, found.frame)
    real = "TensorShape" in (type(left).__name__, type(right).__name__) or (
        found is not None and is_shape(found.left))
    if not (real or settings(config).shapes or config.stash.get(_EXERCISE_RUNNING, False)):
        return None
    from lstm_shapes.core.classify import explain_shapes

    if found is None:
        return explain_shapes(left, right)
    return explain_shapes(left, right, array_name(found.left),
                          lambda fix: fix_works(fix, found, tuple(right)))
