"""Every option and ini key of the plugin, with one help text each, resolved once.

Precedence: the command line, then the ini file, then the default. ``pytest_configure``
resolves them into one frozen :class:`Settings` kept in ``config.stash``; every hook and
fixture reads that record and nothing else.

>>> Settings().shapes, Settings().seed
(False, 0)
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

SHAPES_HELP = "check every Keras RNN layer call against its contract"
RESULTS_HELP = "write Gradescope's results.json for the exercise-marked tests to PATH"
ANSWERS_HELP = ("judge the answers stored in DIR/<exercise name>/ instead of running the "
                "learner's code (the grader writes them in a sandboxed process)")
SEED_HELP = "seed of the probes' inputs and of the seeded fixture (default 0)"


@dataclass(frozen=True)
class Settings:
    """The plugin's settings for one run."""

    shapes: bool = False  # --lstm-shapes / ini lstm_shapes
    results: str = ""  # --lstm-results / ini lstm_results
    answers: str | None = None  # --lstm-answers
    seed: int = 0  # --lstm-seed

    def header(self) -> list[str]:
        """The report-header line of an active plugin (empty when nothing was asked)."""
        parts = [name for name, on in (("shapes checked", self.shapes),) if on]
        if self.results:
            parts.append(f"results to {self.results}")
        if self.answers is not None:
            parts.append(f"answers from {self.answers}")
        if not parts:
            return []
        return [f"lstm-shapes: {', '.join(parts)}, seed {self.seed}"]


SETTINGS = pytest.StashKey[Settings]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lstm-shapes", "lstm-shapes: LSTM shape checks and grading")
    group.addoption("--lstm-shapes", action="store_true", default=None,
                    help=f"{SHAPES_HELP} (ini: lstm_shapes = true)")
    group.addoption("--lstm-results", metavar="PATH", default=None,
                    help=f"{RESULTS_HELP} (ini: lstm_results)")
    group.addoption("--lstm-answers", metavar="DIR", default=None, help=ANSWERS_HELP)
    group.addoption("--lstm-seed", metavar="N", type=int, default=0, help=SEED_HELP)
    parser.addini("lstm_shapes", type="bool", default=False, help=SHAPES_HELP)
    parser.addini("lstm_results", type="string", default="", help=RESULTS_HELP)


def resolve(config: pytest.Config) -> Settings:
    """Read the options once: the command line wins over the ini file."""

    def pick(name: str):
        value = config.getoption(name)
        return value if value is not None else config.getini(name)

    return Settings(shapes=bool(pick("lstm_shapes")), results=str(pick("lstm_results") or ""),
                    answers=config.getoption("lstm_answers"),
                    seed=int(config.getoption("lstm_seed")))


def settings(config: pytest.Config) -> Settings:
    """The run's settings (resolved in ``pytest_configure``)."""
    found = config.stash.get(SETTINGS, None)
    if found is None:
        found = config.stash[SETTINGS] = resolve(config)
    return found
