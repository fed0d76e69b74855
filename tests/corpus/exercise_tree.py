"""A tiny synthetic exercise series for the machinery's tests (no TensorFlow, runs in ms).

Exercise 1 "double" (implement, 3 points: a visible test of 2 points, a hidden one of 1).
Exercise 2 "count" (fix, 2 points): the learner copy gets the broken code of a PROMPT block.
"""

from __future__ import annotations

from pathlib import Path

INFO = '''format_version = 1
welcome_message = "Welcome to the tiny series."

[[exercises]]
name = "double"
dir = "01_double"
title = "Double an array"
points = 3
kind = "implement"
hints = ["What does multiplying an array by 2 do to its shape?", "Which operator scales every element?"]

[[exercises]]
name = "count"
dir = "02_count"
title = "Fix the sample count"
points = 2
kind = "fix"
hints = ["Which axis holds the samples?", "What is x.shape[0]?"]
'''

SOLUTION_LINE = "scaled = np.multiply(x, 2.0)  # the reference answer"
CORRECT = f"""    {SOLUTION_LINE}
    return scaled"""
STUB_MESSAGE = "multiply x by 2 and return it"

DOUBLE = '''import numpy as np
from lstm_shapes import expect
{header}

def double(x):
    """Return 2 * x with the same shape."""
    ### BEGIN SOLUTION {message}
{body}
    ### END SOLUTION
'''

DOUBLE_TESTS = '''import numpy as np
import pytest


def probe_twice(module, rng):
    return module.double(rng.normal(size=(3, 4)))


@pytest.mark.exercise("double", points=2)
def test_twice(answers):
    x = answers.rng("twice").normal(size=(3, 4))
    np.testing.assert_allclose(answers["twice"], 2 * x)


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("double", points=1)
def test_hidden_keeps_shape(answers):
    assert answers["twice"].shape == (3, 4)
### END HIDDEN TESTS
'''

COUNT = '''import numpy as np


def count(x):
    """How many samples x holds."""
    ### BEGIN SOLUTION
    return int(x.shape[0])
    ### END SOLUTION
    ### BEGIN PROMPT
    # return int(x.shape[-1])  # BUG: that is the feature axis
    ### END PROMPT
'''

COUNT_TESTS = '''import pytest


def probe_n(module, rng):
    return module.count(rng.normal(size=(int(rng.integers(5, 9)), 3)))


@pytest.mark.exercise("count", points=2)
def test_count(answers):
    assert answers["n"] == answers.rng("n").integers(5, 9)
'''


def make_tree(root: Path, *, body: str = CORRECT, header: str = "",
              message: str = STUB_MESSAGE, info: str = INFO) -> Path:
    """Write the instructor copy of the tiny series under ``root``; returns ``root``."""
    (root / "01_double").mkdir(parents=True, exist_ok=True)
    (root / "02_count").mkdir(exist_ok=True)
    (root / "info.toml").write_text(info)
    (root / "01_double" / "double.py").write_text(
        DOUBLE.format(header=header, body=body, message=message))
    (root / "01_double" / "test_double.py").write_text(DOUBLE_TESTS)
    (root / "02_count" / "count.py").write_text(COUNT)
    (root / "02_count" / "test_count.py").write_text(COUNT_TESTS)
    return root
