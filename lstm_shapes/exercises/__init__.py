"""The exercise series: manifest, learner progress, notebook check/hint, answers protocol.

From a notebook, IPython or a script (each shows its report once and returns it)::

    from lstm_shapes import exercises
    exercises.status()      # progress and the next exercise
    exercises.check(3)      # run exercise 3's tests (in a child process), with progress
    exercises.hint(3)       # one more hint for exercise 3

Names load lazily: the pytest plugin imports this package in every test run.

>>> from lstm_shapes import exercises
>>> [name for name in exercises.__all__ if name.islower()]  # doctest: +NORMALIZE_WHITESPACE
['assert_close', 'assert_shape', 'assert_shape_tuple', 'batches_seen', 'changed_settings', 'check',
 'describe_model', 'fail', 'fail_with', 'find_root', 'fits_recorded', 'hint', 'last_h_gap',
 'leaks', 'load_manifest', 'plain_data', 'release', 'run_exercise_tests', 'status', 'training_recorded', 'with_fix']
"""

from __future__ import annotations

from lstm_shapes._lazy import lazy_exports

_EXPORTS = {  # module -> the public names it defines
    "lstm_shapes.exercises.feedback": ("status", "check", "hint", "ExerciseError",
                                       "CheckInterrupted"),
    "lstm_shapes.exercises.manifest": (
        "Exercise", "Manifest", "ManifestError", "load_manifest", "find_root",
    ),
    "lstm_shapes.exercises.learner_copy": ("release",),
    "lstm_shapes.exercises.markers": ("ReleaseError",),
    "lstm_shapes.exercises.runner": ("run_exercise_tests", "CheckResult"),
    "lstm_shapes.exercises.judge": (
        "fail", "fail_with", "Verdict", "assert_shape", "assert_shape_tuple", "assert_close",
    ),
    "lstm_shapes.exercises.observe": (
        "changed_settings", "describe_model", "last_h_gap", "plain_data", "with_fix",
    ),
    "lstm_shapes.exercises.training": (
        "TRAINING_PATHS", "batches_seen", "fits_recorded", "leaks", "training_recorded",
    ),
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = __dir__()
