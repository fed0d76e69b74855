"""The lstm-shapes pytest plugin (registered through the ``pytest11`` entry point).

- ``--lstm-shapes`` (ini ``lstm_shapes = true``): every Keras RNN layer call during the run is
  checked against its contract; a mismatch fails the test with the ShapeError message.
- ``@pytest.mark.exercise(name, points=N)``: a graded test; the terminal summary shows a
  per-exercise table; ``--lstm-results=PATH`` (ini ``lstm_results``) writes Gradescope's
  results.json. The ``credit`` fixture gives partial credit: ``credit.award(0.5)``.
- Fixtures ``seeded`` (Python/NumPy/TF seeds, deterministic ops) and ``sine_data``.
- Unequal shape tuples in ``assert`` are explained axis by axis with dim names.

It must stay cheap to import: pytest loads it in every run in this environment.
"""

from __future__ import annotations

import re
import sys
import time
from typing import Any

import pytest

# The exercise fixtures (``answers``) and their options live with the exercises.
pytest_plugins = ["lstm_shapes.exercises._pytest"]

_MARKER = ("exercise(name, points=1, visibility='visible'): a graded test of exercise NAME "
           "worth POINTS; visibility is Gradescope's (visible, hidden, after_due_date, "
           "after_published)")
_WORKER_LINE = re.compile(r"^\[gw\d+\] .*\n", re.MULTILINE)  # xdist's header of a failure
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")


def _stable(text: str) -> str:
    """A failure text that is the same in every run (serial or xdist, any memory layout)."""
    return _ADDRESS.sub(">", _WORKER_LINE.sub("", text)).strip("\n")

_PROPS = ("lstm_order", "lstm_exercise", "lstm_points", "lstm_visibility")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lstm-shapes", "lstm-shapes: LSTM shape checks and grading")
    group.addoption("--lstm-shapes", action="store_true", default=None,
                    help="check every Keras RNN layer call against its contract "
                         "(ini: lstm_shapes = true)")
    group.addoption("--lstm-results", metavar="PATH", default=None,
                    help="write Gradescope's results.json for the exercise-marked tests "
                         "(ini: lstm_results)")
    parser.addini("lstm_shapes", type="bool", default=False,
                  help="check every Keras RNN layer call (like --lstm-shapes)")
    parser.addini("lstm_results", type="string", default="",
                  help="where to write Gradescope's results.json (like --lstm-results)")


def _option(config: pytest.Config, name: str) -> Any:
    value = config.getoption(name)
    return value if value is not None else config.getini(name)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _MARKER)
    config.pluginmanager.register(_Grader(config), "lstm-shapes-grader")
    if _option(config, "lstm_shapes"):
        from lstm_shapes._instrument import instrument_keras

        instrument_keras()


def pytest_unconfigure(config: pytest.Config) -> None:
    if "lstm_shapes._instrument" in sys.modules:
        from lstm_shapes._instrument import restore_keras

        restore_keras()


def _exercise_of(item: pytest.Item) -> tuple[str, float, str] | None:
    """The validated ``exercise`` marker of ``item`` (name, points, visibility), if any."""
    from lstm_shapes._grades import VISIBILITIES

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
        graded = _exercise_of(item)
        if graded is not None:
            item.user_properties.extend(zip(_PROPS, (order, *graded)))


class Credit:
    """Partial credit of one graded test: ``credit.award(fraction)`` with 0 <= fraction <= 1.

    The last award counts, whether the test then passes or fails.
    """

    def __init__(self, item: pytest.Item) -> None:
        self._item = item

    def award(self, fraction: float) -> None:
        if isinstance(fraction, bool) or not 0 <= float(fraction) <= 1:
            raise ValueError(f"credit must be between 0 and 1, got {fraction!r}")
        props = [p for p in self._item.user_properties if p[0] != "lstm_credit"]
        self._item.user_properties[:] = [*props, ("lstm_credit", float(fraction))]


@pytest.fixture
def credit(request: pytest.FixtureRequest) -> Credit:
    """Partial credit for an exercise-marked test (see :class:`Credit`)."""
    if _exercise_of(request.node) is None:
        pytest.fail("the credit fixture needs @pytest.mark.exercise(name, points=N)",
                    pytrace=False)
    return Credit(request.node)


@pytest.fixture
def seeded(request: pytest.FixtureRequest) -> int:
    """Seed Python, NumPy and TensorFlow (deterministic ops); the seed is ``--lstm-seed``."""
    from lstm_shapes._seeding import seed_everything

    return seed_everything(request.config.getoption("lstm_seed"))


@pytest.fixture
def sine_data() -> Any:
    """The sine task, windows of 10: ``x_train`` (790, 10, 1), ``y_train`` (790, 1), ..."""
    from lstm_shapes._builders import sine_windows

    return sine_windows(timesteps=10)


def _shape_error_in(exc: BaseException | None) -> BaseException | None:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if type(exc).__name__ in ("ShapeError", "TensorTypeError") and hasattr(exc, "code"):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if call.excinfo is not None and report.failed and \
            not call.excinfo.errisinstance(pytest.fail.Exception):  # our own messages stay
        found = _shape_error_in(call.excinfo.value)
        if found is not None:  # the learner reads the shape story, not TF's frames
            report.longrepr = str(found)
    return report


class _Grader:
    """Collects graded outcomes (on the xdist controller too) and writes the results."""

    def __init__(self, config: pytest.Config) -> None:
        from lstm_shapes._grades import Grades

        self.config = config
        self.grades = Grades()
        self.start = time.perf_counter()
        self.worker = hasattr(config, "workerinput")  # an xdist worker: the controller grades

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties)
        if "lstm_exercise" not in props or (report.when != "call" and report.passed):
            return
        status = "passed" if report.passed else "skipped" if report.skipped else "failed"
        output = "" if report.passed else _stable(report.longreprtext)
        if report.skipped:
            output = f"skipped: {output}"
        self.grades.add(report.nodeid, props["lstm_order"], props["lstm_exercise"], props["lstm_points"], status,
                        props.get("lstm_credit"), output, props["lstm_visibility"])

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.grades and not self.worker:
            terminalreporter.write_sep("=", "lstm-shapes grades")
            terminalreporter.write(self.grades.table(width=terminalreporter._tw.fullwidth))

    def pytest_sessionfinish(self) -> None:
        path = _option(self.config, "lstm_results")
        if not path or self.worker:
            return
        from lstm_shapes._grades import write_json_atomic

        output = self.grades.table() if self.grades else "no exercise-marked tests ran"
        elapsed = time.perf_counter() - self.start
        write_json_atomic(path, self.grades.results(execution_time=elapsed, output=output))


def pytest_assertrepr_compare(config: pytest.Config, op: str, left: Any,
                              right: Any) -> list[str] | None:
    """``assert (32, 10) == (32, 10, 1)``: axis by axis, with the mistake's name."""
    if op != "==":
        return None
    from lstm_shapes._shape_compare import explain_shapes

    return explain_shapes(left, right)
