"""Progress events of a learner's check, for the parent that shows them (see exercises.live).

Loaded only by ``run_exercise_tests(..., on_progress=...)`` (``-p lstm_shapes.pytest_plugin.live``)
with ``LSTM_SHAPES_PROGRESS`` naming the file to append to; it changes no outcome.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from lstm_shapes.exercises.live import PROGRESS_ENV, stack_file, write_event

_STACK: list = []  # the open stack file: faulthandler writes to it from a signal handler


def pytest_configure(config: pytest.Config) -> None:
    """On SIGUSR1 (a check out of time), write every thread's stack to the stack file."""
    import faulthandler
    import signal

    path = os.environ.get(PROGRESS_ENV)
    if not path or not hasattr(signal, "SIGUSR1"):
        return
    try:
        _STACK.append(open(stack_file(path), "w", encoding="utf-8"))  # noqa: SIM115
    except OSError:
        return
    faulthandler.register(signal.SIGUSR1, file=_STACK[-1], all_threads=True)


def pytest_collection_finish(session: pytest.Session) -> None:
    write_event(f"collected {len(session.items)}")


def pytest_runtest_logstart(nodeid: str, location: tuple) -> None:
    write_event(f"start {nodeid}")


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef, request: pytest.FixtureRequest
                         ) -> Iterator[None]:
    probing = fixturedef.argname == "answers"  # the learner's code runs in this fixture
    if probing:
        write_event("probes")
    try:
        return (yield)
    finally:
        if probing:
            write_event("probed")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or (report.when == "setup" and not report.passed):
        write_event(f"end {report.nodeid} {report.outcome}")
