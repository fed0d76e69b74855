"""lstm-shapes: teach, check and grade the shapes of recurrent networks in Keras.

Public names are imported lazily, so ``import lstm_shapes`` (and the pytest plugin and the
CLI's light commands) do not pay for importing TensorFlow until a name needs it.

>>> import numpy as np, lstm_shapes
>>> lstm_shapes.expect(np.zeros((32, 10, 1)), "batch timesteps features").shape
(32, 10, 1)
"""

from __future__ import annotations

from ._lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    # errors and messages (no TensorFlow)
    "ShapeError": "._errors",
    "TensorTypeError": "._errors",
    "SpecError": "._errors",
    "Binding": "._errors",
    "MISCONCEPTIONS": "._misconceptions",
    # annotations and checks
    "TensorLike": "._annotations",
    "LSTMInput": "._annotations",
    "HiddenState": "._annotations",
    "CellState": "._annotations",
    "LastOutput": "._annotations",
    "SequenceOutput": "._annotations",
    "Targets": "._annotations",
    "shape_checked": "._checking",
    "expect": "._checking",
    "ExpectShape": "._layers",
    # builders and the NumPy reference LSTM
    "seed_everything": "._seeding",
    "SineWindows": "._builders",
    "sine_windows": "._builders",
    "build_lstm": "._builders",
    "build_stacked_lstm": "._builders",
    "build_stateful_lstm": "._builders",
    "lstm_param_count": "._builders",
    "units_sweep": "._sweep",
    "SweepResult": "._sweep",
    "lstm_step": "._reference",
    "lstm_unroll": "._reference",
    # diagnosis
    "check_model": "._diagnosis",
    "Report": "._diagnosis",
    "Finding": "._diagnosis",
    "diagnosing": "._diagnosing",
    "install": "._diagnosing",
    "explain": "._story",
    "ShapeStory": "._story",
}

__all__ = sorted([*_EXPORTS, "__version__"])

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
