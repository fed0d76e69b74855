"""The layer call an error came out of, and whether a layer builds on a shape.

The primitives of the explainers (``failing_call``, ``merge_calls``, ``rnn_rank``): the
innermost Keras ``Layer.__call__`` in a traceback with what it was handed, and the proof a
fix line needs before it is printed -- a fresh copy of the layer builds on the shape it
gives.

>>> import keras
>>> builds(keras.layers.LSTM(4), [(None, 10, 3)]), builds(keras.layers.LSTM(4), [(None, 10)])
(True, False)
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Call(NamedTuple):
    """The innermost Keras layer call an error came out of: ``layer(*args, **kwargs)``."""

    layer: Any
    args: tuple
    kwargs: dict


def is_layer(obj: Any) -> bool:
    module = type(obj).__module__
    return hasattr(obj, "get_config") and hasattr(obj, "_inbound_nodes") and (
        module.startswith("keras.") or any(c.__module__.startswith("keras.src.layers")
                                           for c in type(obj).__mro__))


def frames_of(err: BaseException) -> list[Any]:
    frames, tb = [], err.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    return frames


def failing_call(err: BaseException) -> Call | None:
    """The innermost ``Layer.__call__`` in ``err``'s traceback (None if there is none).

    A model's own call (Sequential building its layers) is passed over: its innermost layer
    is the one that failed.
    """
    for frame in reversed(frames_of(err)):
        if frame.f_code.co_name != "__call__":
            continue
        if not str(frame.f_globals.get("__name__", "")).startswith("keras.src."):
            continue
        layer = frame.f_locals.get("self")
        if not is_layer(layer) or "Model" in {c.__name__ for c in type(layer).__mro__}:
            continue
        args = frame.f_locals.get("args", ())
        kwargs = frame.f_locals.get("kwargs", {})
        return Call(layer, tuple(args), dict(kwargs))
    return None


def shape_of(tensor: Any) -> tuple | None:
    shape = getattr(tensor, "shape", None)
    try:
        return None if shape is None else tuple(None if d is None else int(d) for d in shape)
    except TypeError:
        return None


def builds(layer: Any, shapes: list[tuple], *, wrap: Any = None) -> bool:
    """Whether a fresh copy of ``layer`` (optionally wrapped, e.g. in TimeDistributed) builds
    and computes an output on symbolic inputs of ``shapes`` (one, or a list for merges)."""
    import keras

    try:
        fresh = layer.__class__.from_config(layer.get_config())
        if wrap is not None:
            fresh = wrap(fresh)
        inputs = [keras.Input(batch_shape=s) for s in shapes]
        fresh(inputs if len(inputs) > 1 or takes_list(layer) else inputs[0])
        return True
    except Exception:  # noqa: BLE001 - a fix that does not build is not printed
        return False


def takes_list(layer: Any) -> bool:
    kinds = {c.__name__ for c in type(layer).__mro__}
    return bool(kinds & {"Merge", "Concatenate", "Dot", "Attention", "AdditiveAttention"})
