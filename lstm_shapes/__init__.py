"""lstm-shapes: teach, check and grade the shapes of recurrent networks in Keras.

Public names are imported lazily, so ``import lstm_shapes`` (and the pytest plugin and the
CLI's light commands) do not pay for importing TensorFlow until a name needs it. The
``ExpectShape`` layer is registered with Keras right after Keras is imported, so a saved model
that holds it loads with ``keras.saving.load_model`` after a plain ``import lstm_shapes``.

>>> import numpy as np, lstm_shapes
>>> lstm_shapes.expect(np.zeros((32, 10, 1)), "batch timesteps features").shape
(32, 10, 1)
"""

from __future__ import annotations

from lstm_shapes._lazy import lazy_exports
from lstm_shapes.core.registration import install as _register_with_keras

__version__ = "0.1.0"

_EXPORTS = {  # module -> the public names it defines
    "lstm_shapes.core.errors": ("ShapeError", "TensorTypeError", "SpecError", "Binding"),
    "lstm_shapes.core.codes": ("MISCONCEPTIONS",),
    "lstm_shapes.core.annotations": (
        "TensorLike", "LSTMInput", "HiddenState", "CellState", "LastOutput", "SequenceOutput",
        "Targets",
    ),
    "lstm_shapes.core.checking": ("shape_checked", "expect"),
    "lstm_shapes.core.layers": ("ExpectShape",),
    "lstm_shapes.builders.seeding": ("seed_everything",),
    "lstm_shapes.builders.data": ("SineWindows", "sine_windows"),
    "lstm_shapes.builders.models": (
        "build_lstm", "build_stacked_lstm", "build_stateful_lstm", "lstm_param_count",
    ),
    "lstm_shapes.builders.sweep": ("units_sweep", "SweepResult"),
    "lstm_shapes.builders.reference": ("lstm_step", "lstm_unroll"),
    "lstm_shapes.diagnosis.check": ("check_model",),
    "lstm_shapes.diagnosis.findings": ("Report", "Finding"),
    "lstm_shapes.diagnosis.diagnosing": ("diagnosing", "install"),
    "lstm_shapes.diagnosis.story": ("explain", "ShapeStory"),
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted([*__dir__(), "__version__"])
_register_with_keras()  # last: it may import core.layers at once if keras is imported
