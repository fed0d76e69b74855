"""Judging helpers: failures in the learner's terms, and only fixes that work."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_shapes.exercises.judge import Verdict, assert_shape, assert_shape_tuple

TERMS = {"timesteps": "timesteps", "batch": "len(x)"}


def _failure(value, **dims) -> Verdict:
    with pytest.raises(Verdict) as info:
        assert_shape(value, "batch timesteps features", "x", terms=TERMS, **dims)
    return info.value


@pytest.mark.parametrize("shape, code, fix", [
    ((40, 7), "missing_timestep_axis", "fix: x = x.reshape(len(x), timesteps, 1)"),
    ((40, 1, 7), "window_as_features", "fix: x = x.reshape(len(x), timesteps, 1)"),
    ((7, 40, 1), "swapped_axes", "fix: x = np.transpose(x, (1, 0, 2))   # -> (40, timesteps, 1)"),
])
def test_fix_lines_use_the_learners_terms_not_the_probe_sizes(shape, code, fix):
    err = _failure(np.zeros(shape), batch=40, timesteps=7, features=1)
    assert err.codes == (code,)
    assert fix in str(err.msg)
    assert "reshape(40, 7" not in str(err.msg)


def test_without_terms_the_numbers_stay():
    with pytest.raises(Verdict, match=r"x\.reshape\(40, 7, 1\)"):
        assert_shape(np.zeros((40, 7)), "batch timesteps features", "x", batch=40,
                     timesteps=7, features=1)


def test_a_fix_that_would_not_give_the_right_shape_is_not_printed():
    """(40, 6) against timesteps=7: reshaping to (40, 6, 1) keeps the wrong timesteps."""
    err = _failure(np.zeros((40, 6)), batch=40, timesteps=7, features=1)
    assert err.codes == ("missing_timestep_axis",)
    assert "fix:" not in str(err.msg)


def test_a_predicted_shape_fix_names_the_learners_arguments():
    with pytest.raises(Verdict) as info:
        assert_shape_tuple((32, 10), (32, 50), "batch units", "h", terms={"units": "units"},
                           timesteps=10)
    assert info.value.codes == ("units_equals_timesteps",)
    assert "fix: (batch, units)" in str(info.value.msg)
