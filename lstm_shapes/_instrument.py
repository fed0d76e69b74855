"""Check every Keras RNN layer call against its contract (the plugin's ``--lstm-shapes``).

``instrument_keras()`` puts a ``__call__`` on ``keras.layers.RNN`` (so LSTM, GRU and
SimpleRNN) and on ``keras.layers.Bidirectional`` that runs :func:`check_call` before Keras's
own ``Layer.__call__``; ``restore_keras()`` removes it again. A ``model.fit`` calls each layer
only while tracing its train step, so the check costs nothing per batch; an eager call pays
a few microseconds.

>>> import keras, numpy as np
>>> with instrumented():
...     keras.layers.LSTM(4)(np.zeros((2, 10), "float32"))  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
lstm_shapes.ShapeError: layer 'lstm...' input: expected (batch, timesteps, features), got (2, 10)
...
>>> "__call__" in keras.layers.RNN.__dict__
False
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

_ORIGINALS: dict[type, Any] = {}  # class -> its own __call__ before patching (or None)
_MISSING = object()


def _inputs_and_state(args: tuple, kwargs: dict) -> tuple[Any, Any]:
    """``(sequences, initial_state)`` of an RNN/Bidirectional ``__call__``."""
    inputs = args[0] if args else kwargs.get("sequences", kwargs.get("inputs"))
    state = args[1] if len(args) > 1 else kwargs.get("initial_state")
    return inputs, state


def _from_producer(err: Any, inputs: Any) -> Any:
    """Name the mistake from the layer that produced a wrong input, when Keras knows it.

    A 2-D input made by an RNN without return_sequences is ``missing_return_sequences``; one
    straight from an ``Input`` gets the Input's fix; a 4-D input straight from an ``Input``
    is ``batch_in_input_shape``.
    """
    history = getattr(inputs, "_keras_history", None)
    producer = getattr(history, "operation", None)
    if producer is None:
        return err
    from ._contracts import contract_of

    code = fix = detail = None
    if err.code == "missing_timestep_axis":
        contract = contract_of(producer)
        if contract is not None and not contract.return_sequences:
            code = "missing_return_sequences"
            fix = (f"set return_sequences=True on layer {producer.name!r}: the RNN after it "
                   f"needs the whole sequence")
            detail = (f"layer {producer.name!r} hands on only its last h, (batch, units) = "
                      f"{tuple(err.actual)}")
    elif err.code == "missing_timestep_axis" and type(producer).__name__ == "InputLayer":
        code = err.code
        fix = (f"keras.Input(shape=({err.actual[-1]}, 1))   # (timesteps, features): the "
               f"Input declares one sample")
    elif err.code == "embedding_input_rank" and type(producer).__name__ == "InputLayer":
        code = "batch_in_input_shape"
        fix = f"keras.Input(shape={tuple(err.actual[2:])})   # one sample, without the batch"
    if code is None:
        return err
    return type(err)(where=err.where, expected=err.expected, actual=err.actual,
                     bindings=err.bindings, code=code, fix=fix, detail=detail)


def _checked(original: Any) -> Any:
    from ._contracts import check_call, contract_of
    from ._errors import ShapeError

    @functools.wraps(original)
    def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
        inputs, state = _inputs_and_state(args, kwargs)
        if hasattr(inputs, "shape"):  # lists of tensors etc. are Keras's to judge
            try:
                contract = contract_of(self)
            except Exception:  # noqa: BLE001 - an exotic layer: never break the user's model
                contract = None
            if contract is not None:
                try:
                    check_call(contract, inputs, state, where=f"layer {self.name!r}")
                except ShapeError as err:
                    raise _from_producer(err, inputs) from None
        return original(self, *args, **kwargs)

    import tensorflow as tf

    # autograph would otherwise convert the wrapper (and the checks) on every trace
    return tf.autograph.experimental.do_not_convert(__call__)


def instrument_keras() -> None:
    """Check each call of LSTM/GRU/SimpleRNN/Bidirectional layers until ``restore_keras()``."""
    import keras

    for cls in (keras.layers.RNN, keras.layers.Bidirectional):
        if cls in _ORIGINALS:
            continue
        _ORIGINALS[cls] = cls.__dict__.get("__call__", _MISSING)
        cls.__call__ = _checked(cls.__call__)


def restore_keras() -> None:
    """Undo :func:`instrument_keras`: Keras's classes are as they were."""
    for cls, original in list(_ORIGINALS.items()):
        if original is _MISSING:
            del cls.__call__
        else:
            cls.__call__ = original
        del _ORIGINALS[cls]


def is_instrumented() -> bool:
    return bool(_ORIGINALS)


@contextlib.contextmanager
def instrumented() -> Iterator[None]:
    """``with instrumented():`` check RNN layer calls inside the block only."""
    already = is_instrumented()
    instrument_keras()
    try:
        yield
    finally:
        if not already:
            restore_keras()
