"""The exercise series: manifest, learner progress, notebook check/hint, answers protocol.

From a notebook::

    from lstm_shapes import exercises
    exercises.status()      # progress and the next exercise
    exercises.check(3)      # run exercise 3's tests (in a child process)
    exercises.hint(3)       # one more hint for exercise 3

Names load lazily: the pytest plugin imports this package in every test run.

>>> from lstm_shapes import exercises
>>> [name for name in exercises.__all__ if name.islower()]  # doctest: +NORMALIZE_WHITESPACE
['assert_close', 'assert_shape', 'assert_shape_tuple', 'check', 'fail_with', 'find_root',
 'hint', 'load_manifest', 'release', 'run_exercise_tests', 'status']
"""

from __future__ import annotations

from lstm_shapes._lazy import lazy_exports

_EXPORTS = {
    "status": "._notebook",
    "check": "._notebook",
    "hint": "._notebook",
    "Exercise": "._manifest",
    "Manifest": "._manifest",
    "ManifestError": "._manifest",
    "load_manifest": "._manifest",
    "find_root": "._manifest",
    "release": "._release",
    "ReleaseError": "._release",
    "run_exercise_tests": "._runner",
    "CheckResult": "._runner",
    "fail_with": "._judge",
    "assert_shape": "._judge",
    "assert_shape_tuple": "._judge",
    "assert_close": "._judge",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
