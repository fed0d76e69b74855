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
import weakref
from collections.abc import Iterator
from typing import Any

from lstm_shapes.core import keras_graph

_ORIGINALS: dict[type, Any] = {}  # class -> its own __call__ before patching (or None)
_MISSING = object()


def _inputs_and_state(args: tuple, kwargs: dict) -> tuple[Any, Any]:
    """``(sequences, initial_state)`` of an RNN/Bidirectional ``__call__``."""
    inputs = args[0] if args else kwargs.get("sequences", kwargs.get("inputs"))
    state = args[1] if len(args) > 1 else kwargs.get("initial_state")
    return inputs, state


def _with(err: Any, **changes: Any) -> Any:
    """A copy of the ShapeError ``err`` with some fields changed."""
    fields = {"where": err.where, "expected": err.expected, "actual": err.actual,
              "bindings": err.bindings, "code": err.code, "fix": err.fix, "detail": err.detail}
    return type(err)(**{**fields, **changes})


def _one_batch(err: Any) -> Any:
    """A layer sees one batch (32 inside ``fit``), not the data: reshapes keep it as -1."""
    batch = err.actual[0] if err.actual else None
    if batch is None or f".reshape({batch}, " not in (err.fix or ""):
        return err
    return _with(err, fix=err.fix.replace(f".reshape({batch}, ", ".reshape(-1, ", 1))


def _from_producer(err: Any, inputs: Any, layer: Any = None) -> Any:
    """Name the mistake from the layers that produced a wrong input, when Keras knows them.

    A 2-D input made by an RNN without return_sequences (directly, or through Dense/Dropout
    layers) is ``missing_return_sequences``; one straight from an ``Input`` gets the Input's
    fix; a 4-D input straight from an ``Input`` is ``batch_in_input_shape``, one from an
    ``Embedding`` is ``embedding_input_rank``.
    """
    err = _one_batch(err)
    if err.actual is None:
        return err
    producer = keras_graph.producer(inputs)
    if producer is not None:
        rnn, passed = keras_graph.last_step_source(inputs)
    else:  # no Keras graph (a subclassed model, an eager call): what the RNNs handed on
        rnn, passed = _last_step_layer(inputs), []
    if rnn is not None and len(err.actual) == 2:
        via = f" (through {', '.join(repr(n) for n in reversed(passed))})" if passed else ""
        return _with(err, code="missing_return_sequences", fix=_sequences_fix(rnn),
                     detail=f"layer {rnn.name!r} hands on only its last h{via}: (batch, "
                            f"units) = {tuple(err.actual)}")
    if producer is None:
        return err
    kind, rank = type(producer).__name__, len(err.actual)
    if layer is not None and rank in (2, 4):  # what the tensor IS decides, not its rank
        from lstm_shapes.diagnosis import rnn_rank

        found = (rnn_rank.two_d(layer, inputs) if rank == 2 and kind != "InputLayer"
                 else rnn_rank.four_d_input(layer, inputs) if rank == 4 else None)
        if found is not None:
            return _with(err, code=found.code, fix=found.fix, detail=found.detail)
        if rank == 2 and kind != "InputLayer":  # a layer's output, not the data: no reshape
            return _with(err, fix="")
    code = fix = None
    if rank == 2 and kind == "InputLayer":
        code = "missing_timestep_axis"
        steps = err.actual[-1]
        fix = (f"x = x.reshape(-1, {steps}, 1) and keras.Input(shape=({steps}, 1))   # "
               f"(timesteps, features): the Input declares one sample")
        from lstm_shapes.diagnosis.rnn_rank import chain_builds

        if layer is not None and not chain_builds((None, steps, 1), [layer]):
            fix = ""
    elif rank == 4 and kind == "InputLayer":  # no reading of the extra axis builds
        code, fix = "wrong_rank", ""
    elif rank == 4 and type(_through_elementwise(inputs)).__name__ == "Embedding":
        code = "embedding_input_rank"
        steps, extra = err.actual[1], err.actual[2]
        fix = (f"feed the Embedding (batch, timesteps) integer ids: ids = ids.reshape("
               f"len(ids), {steps}) and Input(shape=({steps},))" if extra == 1 else
               f"the Embedding was fed (batch, {steps}, {extra}), not ids: if x holds "
               f"one-hot rows, ids = np.argmax(x, axis=-1) and Input(shape=({steps},)); if "
               f"it holds {extra} real features per step, remove the Embedding and give the "
               f"RNN x itself with Input(shape=({steps}, {extra}))")
    return err if code is None else _with(err, code=code, fix=fix)


_ELEMENTWISE = {"Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "AlphaDropout",
                "Activation", "BatchNormalization", "LayerNormalization",
                "ActivityRegularization"}  # keep every axis and what it means


def _through_elementwise(tensor: Any) -> Any:
    """The layer that made ``tensor``, looking through layers that keep every axis."""
    for _ in range(16):
        op, node = keras_graph.producer(tensor), keras_graph.producer_node(tensor)
        inputs = keras_graph.node_inputs(node) if node is not None else []
        if type(op).__name__ not in _ELEMENTWISE or len(inputs) != 1:
            return op
        tensor = inputs[0]
    return None


_last_steps: dict[int, tuple[Any, Any]] = {}  # id(output) -> (weakref to it, RNN layer)


def _remember_last_step(outputs: Any, layer: Any) -> None:
    """Note an RNN output without its time axis, for layers that have no Keras graph
    (subclassed models, eager calls): the next RNN fed it can name the layer."""
    output = outputs[0] if isinstance(outputs, (list, tuple)) else outputs
    if getattr(layer, "return_sequences", True) or not hasattr(output, "shape"):
        return
    try:
        ref = weakref.ref(output, lambda _, key=id(output): _last_steps.pop(key, None))
    except TypeError:  # not weak-referenceable: nothing to remember
        return
    _last_steps[id(output)] = (ref, layer)


def _last_step_layer(tensor: Any) -> Any:
    """The RNN whose last-step output ``tensor`` is (noted by :func:`_remember_last_step`)."""
    ref, layer = _last_steps.get(id(tensor), (None, None))
    return layer if ref is not None and ref() is tensor else None


def _sequences_fix(rnn: Any) -> str:
    """Where ``return_sequences=True`` goes: on the RNN, or on the one a Bidirectional wraps."""
    inner = getattr(rnn, "forward_layer", None)
    if inner is not None:
        return (f"set return_sequences=True on the {type(inner).__name__} inside layer "
                f"{rnn.name!r}: Bidirectional({type(inner).__name__}(..., "
                f"return_sequences=True)); the RNN after it needs the whole sequence")
    return (f"set return_sequences=True on layer {rnn.name!r}: the RNN after it needs the "
            f"whole sequence")


def _explained(err: Any, layer: Any, inputs: Any, state: Any) -> Any:
    """``err`` with the mistake named from the layers that made the wrong tensor."""
    if " initial_state[" in err.where:
        from lstm_shapes.diagnosis.state_sources import state_error

        return state_error(err, layer, state)
    if err.where.endswith(" input"):
        return _from_producer(err, inputs, layer)
    return err


def _check_mask_reaches(layer: Any, inputs: Any) -> None:
    """A mask made above this RNN and lost on the way (a layer or op that cannot carry it)
    is ``mask_dropped``; only symbolic inputs have the graph to tell."""
    if keras_graph.producer(inputs) is None:
        return
    from lstm_shapes.core.errors import ShapeError
    from lstm_shapes.diagnosis.masks import lost_mask_above

    lost = lost_mask_above(inputs)
    if lost is not None:
        raise ShapeError(where=f"layer {layer.name!r}", code="mask_dropped", fix="",
                         detail=f"the mask made by {lost[1]} ends at {lost[0]!r}, so layer "
                                f"{layer.name!r} reads the padded steps as data")


def _checked(original: Any) -> Any:
    from lstm_shapes.core.contracts import check_call, contract_of
    from lstm_shapes.core.errors import ShapeError

    @functools.wraps(original)
    def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True  # pytest shows the user's call of the layer, not this
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
                    raise _explained(err, self, inputs, state) from None
                if "mask" not in kwargs and keras_graph.keras_mask(inputs) is None:
                    _check_mask_reaches(self, inputs)
        outputs = original(self, *args, **kwargs)
        _remember_last_step(outputs, self)
        return outputs

    import tensorflow as tf

    # autograph would otherwise convert the wrapper (and the checks) on every trace
    return tf.autograph.experimental.do_not_convert(__call__)


def instrument_keras() -> None:
    """Check each call of LSTM/GRU/SimpleRNN/Bidirectional layers until ``restore_keras()``."""
    import keras

    for cls in (keras.layers.RNN, keras.layers.Bidirectional):
        if cls in _ORIGINALS:
            continue
        _ORIGINALS[cls] = own = cls.__dict__.get("__call__", _MISSING)
        cls.__call__ = _checked(own if own is not _MISSING else _inherited(cls))


def _inherited(cls: type) -> Any:
    """``cls``'s inherited ``__call__``, looked up at each call: whoever patches
    ``Layer.__call__`` later (``record_calls``) still sees the calls of ``cls``."""
    def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
        return super(cls, self).__call__(*args, **kwargs)
    return __call__


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
