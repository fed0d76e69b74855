"""Progress events of a learner's check, for the parent that shows them (see exercises.live).

Loaded only by ``run_exercise_tests(..., on_progress=...)`` (``-p lstm_shapes.pytest_plugin.live``)
with ``LSTM_SHAPES_PROGRESS`` naming the file to append to; it changes no outcome.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lstm_shapes.exercises.live import write_event


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
