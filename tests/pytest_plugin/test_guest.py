"""The plugin as a guest: a project that asked for nothing sees pytest's output byte for byte;
shape explanations only where asked; a ShapeError keeps the user's own frame."""

from __future__ import annotations

import re

import keras  # noqa: F401 - imported once: pytester's in-process runs would import TF again
import pytest

PLAIN_PROJECT = '''
import collections
import sys

import numpy as np
import pytest

from lstm_shapes import expect

Colour = collections.namedtuple("Colour", "r g b")


def helper(value):
    assert value == (3, 2)


def test_version():
    assert sys.version_info[:3] == (3, 12, 0)

def test_divmod():
    assert divmod(7, 2) == (3, 2)

def test_rgba():
    assert (255, 128, 0) == (255, 128, 0, 255)

def test_named():
    assert Colour(1, 2, 3) == (1, 2, 4)

def test_in_a_helper():
    helper(divmod(7, 2))

def test_raises():
    raise ValueError("not a shape")

def test_library_used_by_the_project():
    expect(np.zeros((4, 10)), "batch timesteps features")

def test_own_answers(answers):
    assert answers == (1, 2)

@pytest.mark.exercise("hard")
def test_own_marker():
    assert (1, 2) == (1, 3)

@pytest.mark.exercise(level=3)
def test_own_marker_other_form():
    pass

@pytest.mark.skip(reason="later")
def test_skipped():
    pass

@pytest.mark.xfail
def test_xfail():
    assert (1,) == (2,)
'''

OWN_CONFTEST = '''
import pytest

@pytest.fixture
def answers():
    return (1, 3)
'''

_DURATION = re.compile(r" in \d+\.\d+s")


def _output(pytester: pytest.Pytester, *args: str) -> list[str]:
    """The run's lines, but for its duration and pytest's list of the installed plugins."""
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rA", *args)
    return [_DURATION.sub(" in Ns", line) for line in result.outlines
            if not line.startswith("plugins: ")]


def test_a_project_that_asked_nothing_sees_pytests_output_byte_for_byte(
        pytester: pytest.Pytester) -> None:
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_plain.py").write_text(PLAIN_PROJECT)
    pytester.makeconftest(OWN_CONFTEST)
    pytester.makeini("[pytest]\nmarkers =\n    exercise: the project's own difficulty marker\n")
    for args in ((), ("-v",), ("--tb=long",), ("--tb=short",)):
        guest = _output(pytester, *args)
        absent = _output(pytester, "-p", "no:lstm_shapes", *args)
        assert guest == absent, args
    (pytester.path / "tox.ini").unlink()  # now an `exercise` marker the project never declared
    (pytester.path / "info.toml").write_text(  # and a file of that name that is no series
        'title = "my app"\n[[exercises]]\ndir = "other"\n')
    assert _output(pytester, "-W", "error::pytest.PytestUnknownMarkWarning") == _output(
        pytester, "-p", "no:lstm_shapes", "-W", "error::pytest.PytestUnknownMarkWarning")
    assert _output(pytester) == _output(pytester, "-p", "no:lstm_shapes")
    assert any("At index 1 diff" in line for line in guest)  # pytest's own explanations
    assert not any("shapes differ" in line or "lstm-shapes" in line for line in guest)


SHAPE_ASSERTS = '''
import types

import numpy as np


def test_array():
    x = np.zeros((32, 10))
    assert x.shape == (32, 10, 1)

def test_expected_on_the_left():
    x = np.zeros((32, 1, 10))
    assert (32, 10, 1) == x.shape

def test_attribute_chain():
    w = types.SimpleNamespace(x_train=np.zeros((32, 10, 1, 1)))
    assert tuple(w.x_train.shape) == (32, 10, 1)

def test_time_major():
    x = np.zeros((10, 990, 1))
    assert x.shape == (990, 10, 1)

def test_a_batch_of_none_never_equals():
    x = np.zeros((990, 10))
    assert x.shape == (None, 10, 1)

def test_transposed_matrix():
    out = np.zeros((4, 5))
    assert out.shape == (5, 4)

def test_trailing_axis_of_one():
    out = np.zeros((32, 10, 1))
    assert out.shape == (32, 10)

def test_no_variable():
    assert np.zeros((32, 10)).shape == (32, 10, 1)

def test_plain_tuples():
    assert (32, 10) == (32, 10, 1)
'''


def _failure(out: str, test: str) -> str:
    """The report of one failed test in ``out``, up to the next report or the summary."""
    return re.split(r"\n(?:_{3,}|={3,})", out.split(f"_ {test} _", 1)[1], maxsplit=1)[0]


def test_real_shapes_are_explained_with_fixes_that_name_the_asserted_array(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_shapes=SHAPE_ASSERTS)
    out = pytester.runpytest("-p", "no:cacheprovider").stdout.str()
    array = _failure(out, "test_array")
    assert "[missing_timestep_axis]" in array and "fix: x = x.reshape(32, 10, 1)" in array
    left = _failure(out, "test_expected_on_the_left")
    assert "got (32, 1, 10)" in left and "[window_as_features]" in left
    assert "fix: x = x.reshape(32, 10, 1)" in left
    chain = _failure(out, "test_attribute_chain")
    assert "[wrong_rank]" in chain and "fix: w.x_train = np.squeeze(w.x_train, axis=-1)" in chain
    assert "x_train=np.zeros((32, 10, 1, 1))" in chain  # the fix was tried, not assigned
    time_major = _failure(out, "test_time_major")  # a reshape would scramble the series
    assert "[swapped_axes]" in time_major and "fix: x = np.transpose(x, (1, 0, 2))" in time_major
    assert "fix: out = np.transpose(out, (1, 0))" in _failure(out, "test_transposed_matrix")
    assert "fix: out = np.squeeze(out, axis=-1)" in _failure(out, "test_trailing_axis_of_one")
    never = _failure(out, "test_a_batch_of_none_never_equals")
    assert "[missing_timestep_axis]" in never and "fix:" not in never
    no_variable = _failure(out, "test_no_variable")
    assert "[missing_timestep_axis]" in no_variable and "fix:" not in no_variable
    plain = _failure(out, "test_plain_tuples")
    assert "shapes differ" not in plain and "Right contains one more item" in plain


def test_plain_tuples_are_shapes_when_asked_for(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_shapes=SHAPE_ASSERTS)
    out = pytester.runpytest("-p", "no:cacheprovider", "--lstm-shapes").stdout.str()
    plain = _failure(out, "test_plain_tuples")
    assert "[missing_timestep_axis]" in plain
    assert "fix:" not in plain  # no array in that assert to name
    (pytester.path / "info.toml").write_text(  # a series: its manifest lists the folder
        '[[exercises]]\ndir = "02_shapes"\nname = "shapes"\n')
    (pytester.path / "02_shapes").mkdir()
    (pytester.path / "02_shapes" / "test_graded.py").write_text('''
import pytest

@pytest.mark.exercise("shapes")
def test_graded():
    assert (32, 10) == (32, 10, 1)
''')
    graded = pytester.runpytest("-p", "no:cacheprovider", "02_shapes").stdout.str()
    assert "[missing_timestep_axis]" in graded


def test_a_fix_that_would_not_work_is_not_printed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_tensor='''
import tensorflow as tf

def test_tensor():
    t = tf.zeros((32, 10))
    assert t.shape == (32, 10, 1)
''')
    out = pytester.runpytest("-p", "no:cacheprovider").stdout.str()
    assert "[missing_timestep_axis]" in out  # a TensorShape is a real shape
    assert "t.reshape" not in out  # tf tensors have no .reshape: that fix would raise


LAYER_IN_A_HELPER = '''
import keras


def build(units):
    inputs = keras.Input((10, 1))
    h = keras.layers.LSTM(units)(inputs)
    return keras.layers.LSTM(units)(h)


def test_stack():
    build(8)
'''


def test_a_shape_error_keeps_the_users_frame_and_prunes_the_librarys(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_stack=LAYER_IN_A_HELPER)
    out = _failure(pytester.runpytest("--lstm-shapes", "-p", "no:cacheprovider").stdout.str(),
                   "test_stack")
    assert "test_stack.py:11: " in out  # the test's call of the helper
    assert "return keras.layers.LSTM(units)(h)" in out and "test_stack.py:7: ShapeError" in out
    assert "[missing_return_sequences]" in out
    assert "site-packages" not in out and "lstm_shapes/" not in out
