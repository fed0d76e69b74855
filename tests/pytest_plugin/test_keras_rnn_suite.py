"""Keras's own RNN layer tests pass unchanged with ``--lstm-shapes`` (issue 13's must-hold).

The tests of keras v3.15.1 (``tests/third_party/keras_rnn``) run in a child pytest twice,
without and with the plugin's option; every test must have the same outcome both ways. A
test that fails both ways is Keras's own matter (three do outside Keras's source tree: their
cells are not importable under Keras's module names), never the plugin's.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

SUITE = Path(__file__).parents[1] / "third_party" / "keras_rnn"


def _outcomes(folder: Path, *options: str) -> dict[str, str]:
    """Each test id of a child pytest run in ``folder`` -> passed/failed/error/skipped."""
    report = folder / f"report{len(options)}.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly",
                    "-p", "no:cacheprovider", "-p", "no:xdist", f"--junitxml={report}",
                    *options, "."], check=False, cwd=folder, capture_output=True, text=True,
                   timeout=900)
    outcomes = {}
    for case in ET.parse(report).iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        outcomes[f"{case.get('classname')}::{case.get('name')}"] = (
            kinds[0] if kinds else "passed")
    return outcomes


@pytest.mark.slow
def test_keras_rnn_tests_have_the_same_outcome_with_the_plugin(tmp_path: Path) -> None:
    folder = tmp_path / "keras_rnn"
    shutil.copytree(SUITE, folder)
    (folder / "pytest.ini").write_text("[pytest]\n")  # not the project's options
    plain = _outcomes(folder)
    checked = _outcomes(folder, "--lstm-shapes")
    assert sum(o == "passed" for o in plain.values()) >= 70, plain  # the suite really ran
    changed = {test: (plain.get(test), outcome) for test, outcome in checked.items()
               if plain.get(test) != outcome}
    assert not changed and checked.keys() == plain.keys(), changed
