"""The lstm-shapes pytest plugin (registered through the ``pytest11`` entry point).

- ``--lstm-shapes`` (ini ``lstm_shapes = true``): every Keras RNN layer call during the run is
  checked against its contract; a mismatch fails the test with the ShapeError message.
- ``@pytest.mark.exercise(name, points=N)``, in a series (``info.toml`` beside the test's
  folder) or when grading is asked for: a graded test; the terminal summary shows a
  per-exercise table; ``--lstm-results=PATH`` (ini ``lstm_results``) writes Gradescope's
  results.json. The ``credit`` fixture gives partial credit: ``credit.award(0.5)``.
- Fixtures ``seeded`` (Python/NumPy/TF seeds, deterministic ops), ``sine_data`` and the
  exercises' ``answers``.
- Unequal shapes in ``assert x.shape == (...)`` are explained axis by axis with dim names
  (plain tuples too, under ``--lstm-shapes`` and in exercise tests); nothing else changes.

It must stay cheap to import: pytest loads it in every run in this environment. The parts
live in :mod:`.options`, :mod:`.hooks` and :mod:`.fixtures`; this module only registers them.
"""

from lstm_shapes.pytest_plugin.fixtures import answers, credit, seeded, sine_data
from lstm_shapes.pytest_plugin.hooks import (
    pytest_assertrepr_compare,
    pytest_collect_file,
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_report_header,
    pytest_runtest_makereport,
    pytest_runtest_protocol,
    pytest_unconfigure,
)
from lstm_shapes.pytest_plugin.options import pytest_addoption

__all__ = [
    "answers", "credit", "pytest_addoption", "pytest_assertrepr_compare", "pytest_collect_file",
    "pytest_collection_modifyitems", "pytest_configure", "pytest_report_header",
    "pytest_runtest_makereport", "pytest_runtest_protocol", "pytest_unconfigure", "seeded",
    "sine_data",
]
