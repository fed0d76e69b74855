"""Turn Keras/TensorFlow errors into ShapeErrors that name the mistake and its fix.

``with diagnosing():`` checks every RNN layer call against its contract (like the plugin's
``--lstm-shapes``) and translates the errors Keras and TF raise themselves -- "expected
ndim=3, found ndim=2", a MatMul inside the cell, "too many values to unpack" after
``return_state=True`` -- into a ShapeError with a misconception code; the original error
stays chained (``err.__cause__``). ``install()`` does the same for every uncaught error of a
script or an IPython/Jupyter session.

>>> import keras
>>> with diagnosing():
...     keras.Sequential([keras.Input((10,)), keras.layers.LSTM(8)])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
lstm_shapes.ShapeError: layer 'lstm...' input: expected (batch, timesteps, features), got (None, 10)
...
"""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections.abc import Callable
from typing import Any

from lstm_shapes.core.errors import ShapeError
from lstm_shapes.diagnosis.translate import translate


_KERAS_FILTERED = False  # install() turned Keras's traceback filtering off, to show it filtered


class _Diagnosing(contextlib.ContextDecorator):
    """The ``with diagnosing():`` block (a class: only ``__exit__`` can hand an error on with
    the traceback Keras would have shown, which a generator's context manager restores)."""

    def __enter__(self) -> None:
        import keras

        from lstm_shapes.diagnosis.instrument import instrumented

        self._filtering = keras.config.is_traceback_filtering_enabled()
        keras.config.disable_traceback_filtering()  # keep the failing layer call's frames
        self._checks = instrumented()
        self._checks.__enter__()

    def __exit__(self, kind: Any, err: BaseException | None, tb: Any) -> bool:
        import keras

        try:
            if not isinstance(err, Exception) or isinstance(err, ShapeError):
                return False
            explained = translate(err)
            if explained is not None:
                raise explained from err
            if self._filtering or _KERAS_FILTERED:  # untouched: as Keras would show it
                err.__traceback__ = _as_keras_shows(err.__traceback__)
            return False
        finally:
            self._checks.__exit__(None, None, None)
            if self._filtering:
                keras.config.enable_traceback_filtering()


def diagnosing() -> _Diagnosing:
    """Inside the block, RNN calls are checked and Keras/TF errors explained (see module)."""
    return _Diagnosing()


def _as_keras_shows(tb: Any) -> Any:
    """``tb`` without Keras's frames (what its filtering shows) nor the RNN checks' own
    wrapper frames: the error reads as if lstm-shapes were not there."""
    import types
    from pathlib import Path

    from keras.src.utils.traceback_utils import _process_traceback_frames

    ours = str(Path(__file__).resolve().parents[1])
    kept = [(f, n) for f, n in traceback.walk_tb(_process_traceback_frames(tb))
            if not str(Path(f.f_code.co_filename).resolve()).startswith(ours)]
    shown = None
    for frame, line in reversed(kept):
        shown = types.TracebackType(shown, frame, frame.f_lasti, line)
    return shown or tb


def _shown(tb: Any) -> Any:
    """``tb`` as Keras would have shown it: install() keeps Keras's frames for the
    explainer, the user still sees them filtered."""
    return _as_keras_shows(tb) if _KERAS_FILTERED else tb


def _excepthook(previous: Callable[..., Any]) -> Callable[..., Any]:
    def hook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        explained = translate(value) if isinstance(value, Exception) else None
        value.__traceback__ = tb = _shown(tb)  # what Python prints is the error's own
        previous(kind, value, tb)
        if explained is not None and explained is not value:
            print(f"\nlstm-shapes: {explained}", file=sys.stderr)
    hook._lstm_shapes = True  # type: ignore[attr-defined]
    return hook


def install() -> None:
    """Explain every uncaught Keras/TF shape error of this script or IPython session.

    The original traceback is printed as usual; the explanation (code and fix) follows it.
    RNN layer calls are checked against their contracts from now on. Keras's traceback
    filtering is turned off so that the explainer can read the failing layer call; the
    tracebacks it prints are filtered as before (an error your own code catches carries
    Keras's frames). Calling it twice is harmless.
    """
    import keras

    from lstm_shapes.diagnosis.instrument import instrument_keras

    global _KERAS_FILTERED
    instrument_keras()
    if keras.config.is_traceback_filtering_enabled():  # the explainer reads Keras's frames
        _KERAS_FILTERED = True
        keras.config.disable_traceback_filtering()
    if not getattr(sys.excepthook, "_lstm_shapes", False):
        sys.excepthook = _excepthook(sys.excepthook)
    try:
        shell = sys.modules["IPython"].get_ipython() if "IPython" in sys.modules else None
    except Exception:  # noqa: BLE001 - no usable IPython: the excepthook is enough
        shell = None
    if shell is not None:
        def _ipython(shell: Any, kind: Any, value: Any, tb: Any, tb_offset: Any = None) -> Any:
            value.__traceback__ = tb = _shown(tb)
            shell.showtraceback((kind, value, tb), tb_offset=tb_offset)
            explained = translate(value)
            if explained is not None and explained is not value:
                print(f"\nlstm-shapes: {explained}", file=sys.stderr)
        shell.set_custom_exc((Exception,), _ipython)
