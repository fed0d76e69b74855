"""Instructor grading: many submissions, isolated, tamper-resistant, Gradescope-ready.

    lstm-shapes grade submissions/ --jobs 2 --timeout 120 --memory 4096
    lstm-shapes report grades/ --html report.html
    lstm-shapes autograder --out autograder.zip

A submission's code runs only in limited child processes that write plain answer files; the
instructor's own tests judge those files in processes that never import the submission.
"""

from __future__ import annotations

from lstm_shapes._lazy import lazy_exports

_EXPORTS = {  # module -> the public names it defines
    "lstm_shapes.grading.batch": ("grade_all", "GradingError"),
    "lstm_shapes.grading.grade": ("grade_submission", "SubmissionGrade", "ExerciseGrade"),
    "lstm_shapes.grading.gradebook": ("load_gradebook",),
    "lstm_shapes.grading.autograder": ("build_bundle",),
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = __dir__()
