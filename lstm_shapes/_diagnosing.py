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
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

from ._errors import ShapeError

_Fix = Callable[[re.Match[str]], tuple[str, str]]  # match -> (code, fix)
_RULES: list[tuple[re.Pattern[str], _Fix]] = []


def _rule(pattern: str) -> Callable[[_Fix], _Fix]:
    def register(fn: _Fix) -> _Fix:
        _RULES.append((re.compile(pattern, re.DOTALL), fn))
        return fn
    return register


def _dims(text: str) -> list[str]:
    return [d.strip() for d in text.split(",") if d.strip()]


@_rule(r"expected ndim=3, found ndim=2\. Full shape received: \(([^)]*)\)")
def _two_d(m: re.Match[str]) -> tuple[str, str]:
    batch, steps = (_dims(m[1]) + ["?", "?"])[:2]
    batch = "-1" if batch == "None" else batch
    return "missing_timestep_axis", (
        f"if this tensor is your data: x = x.reshape({batch}, {steps}, 1); if it comes from "
        f"another RNN, give that layer return_sequences=True")


@_rule(r"expected ndim=3, found ndim=4\. Full shape received: \(([^)]*)\)")
def _four_d(m: re.Match[str]) -> tuple[str, str]:
    dims = _dims(m[1])
    if len(dims) == 4 and dims[2] == "1":
        return "embedding_input_rank", (
            "feed the Embedding ids shaped (batch, timesteps): ids = ids.reshape(len(ids), -1)")
    return "batch_in_input_shape", (
        f"Input(shape=({', '.join(dims[2:])}))   # one sample: (timesteps, features), no batch")


@_rule(r"[Ee]xpected shape[= ]\(None, (\d+), (\d+)\),? (?:found shape=|but input has "
       r"incompatible shape )\(([^)]*)\)")
def _declared_shape(m: re.Match[str]) -> tuple[str, str]:
    from ._errors import Binding
    from ._misconceptions import classify_mismatch

    actual = tuple(None if d == "None" else int(d) for d in _dims(m[3]))
    if actual == (int(m[1]),):  # one window, without its batch and feature axes
        return "missing_timestep_axis", (
            f"x = x.reshape(1, {m[1]}, {m[2]})   # ONE window: (batch=1, timesteps, features)")
    if len(actual) == 2 and m[2] == "1" and actual[1] != int(m[1]):  # Keras drops the 1
        return "input_shape_data_mismatch", (
            f"the data has {actual[1]} timesteps, the model {m[1]}: declare "
            f"Input(shape=({actual[1]}, 1)) or window the data with timesteps={m[1]}")
    bindings = {"timesteps": Binding(int(m[1]), "the model's Input"),
                "features": Binding(int(m[2]), "the model's Input")}
    return classify_mismatch(("batch", "timesteps", "features"), actual, bindings, "x")


@_rule(r"expected axis -1 of input shape to have value (\d+), but received input with shape "
       r"\(([^)]*)\)")
def _features(m: re.Match[str]) -> tuple[str, str]:
    return "input_shape_data_mismatch", (
        f"declare Input(shape=(timesteps, {_dims(m[2])[-1]})) or give the data "
        f"{m[1]} feature(s) on its last axis")


@_rule(r"(?:Dimensions must be equal, but are (\d+) and (\d+) for '\{\{node [^}]*"
       r"(?:lstm|gru|simple_rnn)_cell[^}]*/MatMul(_1)?\}\})|(?:Matrix size-incompatible: "
       r"In\[0\]: \[\d+,(\d+)\], In\[1\]: \[(\d+),(\d+)\])")
def _cell_matmul(m: re.Match[str]) -> tuple[str, str]:
    recurrent = m[3] is not None if m[1] else int(m[6]) in (int(m[5]) * k for k in (1, 3, 4))
    if recurrent:
        return "initial_state_units", (
            "initial states h and c are (batch, units) with the layer's units: "
            "np.zeros((batch, units), 'float32')")
    return "input_shape_data_mismatch", (
        "the data's feature axis differs from the model's: declare "
        "Input(shape=(timesteps, x.shape[-1]))")


@_rule(r"expects 1 input\(s\), but it received ([235]) input tensors")
def _state_list(m: re.Match[str]) -> tuple[str, str]:
    return "return_state_unpacking", (
        "with return_state=True the layer returns [output, h, c]: unpack it in a functional "
        "model, output, h, c = layer(x), and pass only output on (Sequential cannot)")


@_rule(r"(?:too many|not enough) values to unpack \(expected (\d)(?:, got (\d))?\)")
def _unpack(m: re.Match[str]) -> tuple[str, str]:
    return "return_state_unpacking", (
        "LSTM(return_state=True) returns 3 tensors (output, h, c), GRU/SimpleRNN 2, a "
        "Bidirectional LSTM 5 (output, h_fwd, c_fwd, h_bwd, c_bwd)")


@_rule(r"stateful=True.{0,40}batch size must be static")
def _stateful_static(m: re.Match[str]) -> tuple[str, str]:
    return "stateful_batch", "keras.Input(shape=(timesteps, features), batch_size=B)"


@_rule(r"stateful.*Expected batch size: (\d+)\s*- Received batch size: (\d+)")
def _stateful_fit(m: re.Match[str]) -> tuple[str, str]:
    return "stateful_batch", (f"fit/predict with batch_size={m[1]}, shuffle=False, and a "
                              f"number of samples divisible by {m[1]}")


@_rule(r"Incompatible shapes: \[(\d+),(\d+)\] vs\. \[(\d+),(\d+)\].*(?:lstm|gru|rnn)")
def _state_broadcast(m: re.Match[str]) -> tuple[str, str]:
    if m[1] != m[3]:
        return "stateful_batch", (
            f"a stateful RNN needs every batch to hold {max(int(m[1]), int(m[3]))} samples: "
            f"x = x[:len(x) // B * B]")
    return "initial_state_units", "initial states h and c are (batch, units)"


@_rule(r"Incompatible shapes: \[(\d+),[\d,]*\] vs\. \[(\d+),[\d,]*\]\s*\[\[\{\{node "
       r"[^}]*compile_loss")
def _partial_batch(m: re.Match[str]) -> tuple[str, str]:
    if m[1] == m[2]:
        return "target_broadcast", "give y the shape of the model's predictions"
    fixed = max(int(m[1]), int(m[2]))
    return "stateful_batch", (
        f"the model has a fixed batch of {fixed} (stateful / Input(batch_size=...)) and the "
        f"last batch is partial: keep a multiple of it, x = x[:len(x) // {fixed} * {fixed}]")


@_rule(r"BroadcastGradientArgs.*(?:lstm|gru|rnn)[^/]*/while")
def _stateful_grad(m: re.Match[str]) -> tuple[str, str]:
    return "stateful_batch", ("a stateful RNN needs every batch to be full: drop the "
                              "remainder, x = x[:len(x) // B * B] (same for y)")


@_rule(r"Dimensions must be equal, but are (\d+) and (\d+) for '\{\{node compile_loss/.*"
       r"with input shapes: \[([\d,?]*)\], \[([\d,?]*)\]")
def _loss_width(m: re.Match[str]) -> tuple[str, str]:
    target = _dims(m[3])
    return "output_width_mismatch", (
        f"make the last layer Dense({target[-1]}) to predict the target's {target[-1]} "
        f"column(s)")


@_rule(r"Data cardinality is ambiguous.*'x' sizes: (\d+).*'y' sizes: (\d+)")
def _cardinality(m: re.Match[str]) -> tuple[str, str]:
    gap = abs(int(m[1]) - int(m[2]))
    if 0 < gap <= 50:
        return "window_misalignment", (
            f"x has {m[1]} windows and y {m[2]} targets: cut both from one loop, "
            f"x[i] = s[i:i+T], y[i] = s[i+T] (or use lstm_shapes.sine_windows)")
    return "batch_mismatch", "x and y need one row per sample"


@_rule(r"`target` and `output` must have the same rank.*target\.shape=\(\d+,?\)")
def _sparse_labels(m: re.Match[str]) -> tuple[str, str]:
    return "loss_label_encoding_mismatch", (
        "integer labels go with loss='sparse_categorical_crossentropy' "
        "(or one-hot them: keras.utils.to_categorical(y))")


@_rule(r"Argument `output` must have rank \(ndim\) `target\.ndim - 1`")
def _onehot_labels(m: re.Match[str]) -> tuple[str, str]:
    return "loss_label_encoding_mismatch", (
        "one-hot labels go with loss='categorical_crossentropy'")


@_rule(r"`target` and `output` must have the same shape")
def _binary(m: re.Match[str]) -> tuple[str, str]:
    return "loss_label_encoding_mismatch", (
        "binary_crossentropy wants one sigmoid column per label: Dense(1, "
        "activation='sigmoid') for 0/1 labels, or categorical losses for several classes")


@_rule(r"label value of (\d+) which is outside the valid range of \[0, (\d+)\)")
def _classes(m: re.Match[str]) -> tuple[str, str]:
    return "output_width_mismatch", (
        f"the labels reach {m[1]}: the head needs Dense({int(m[1]) + 1}, "
        f"activation='softmax') (one unit per class)")


@_rule(r"TimeDistributed.*at least 3 dimensions")
def _time_distributed(m: re.Match[str]) -> tuple[str, str]:
    return "timedistributed_rank", (
        "give the RNN before it return_sequences=True, or drop TimeDistributed")


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LAYER = re.compile(r"""layer ["'](\w+)["']|calling (\w+)\.call\(\)|node [^}]*?/(\w+?)_\d+/""")


def _keras_frames(err: BaseException) -> bool:
    tb = err.__traceback__
    while tb is not None:
        if "keras" in tb.tb_frame.f_code.co_filename:
            return True
        tb = tb.tb_next
    return False


def translate(err: BaseException) -> ShapeError | None:
    """The ShapeError that explains ``err`` (a Keras/TF error), or None if none fits."""
    if isinstance(err, ShapeError):
        return err
    text = str(err)
    for pattern, fix in _RULES:
        m = pattern.search(text)
        if m:
            code, fix_line = fix(m)
            break
    else:
        if isinstance(err, (IndexError, KeyError, NotImplementedError)) and _keras_frames(err):
            code, fix_line = "initial_state_structure", (
                "an LSTM takes initial_state=[h, c], a GRU/SimpleRNN [h], each (batch, units); "
                "return_state=True layers belong in functional models")
        else:
            return None
    layer = _LAYER.search(text)
    name = next((g for g in layer.groups() if g), None) if layer else None
    if name in ("Sequential", "Functional"):  # "calling Sequential.call()": the model itself
        name = None
    where = (f"layer {name!r}" if name else "the loss" if "compile_loss" in text
             else "the model")
    plain = _ANSI.sub("", text)
    first = next((ln.strip() for ln in plain.splitlines() if ln.strip()
                  and not ln.startswith("Exception encountered")), type(err).__name__)
    detail = f"Keras said: {first[:300]}"
    return ShapeError(where=where, code=code, fix=fix_line, detail=detail)


@contextlib.contextmanager
def diagnosing() -> Iterator[None]:
    """Inside the block, RNN calls are checked and Keras/TF errors explained (see module)."""
    from ._instrument import instrumented

    with instrumented():
        try:
            yield
        except ShapeError:
            raise
        except Exception as err:
            explained = translate(err)
            if explained is None:
                raise
            raise explained from err


def _excepthook(previous: Callable[..., Any]) -> Callable[..., Any]:
    def hook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        explained = translate(value) if isinstance(value, Exception) else None
        if explained is None or explained is value:
            previous(kind, value, tb)
            return
        previous(kind, value, tb)
        print(f"\nlstm-shapes: {explained}", file=sys.stderr)
    hook._lstm_shapes = True  # type: ignore[attr-defined]
    return hook


def install() -> None:
    """Explain every uncaught Keras/TF shape error of this script or IPython session.

    The original traceback is printed as usual; the explanation (code and fix) follows it.
    RNN layer calls are checked against their contracts from now on. Calling it twice is
    harmless.
    """
    from ._instrument import instrument_keras

    instrument_keras()
    if not getattr(sys.excepthook, "_lstm_shapes", False):
        sys.excepthook = _excepthook(sys.excepthook)
    try:
        shell = sys.modules["IPython"].get_ipython() if "IPython" in sys.modules else None
    except Exception:  # noqa: BLE001 - no usable IPython: the excepthook is enough
        shell = None
    if shell is not None:
        def _ipython(shell: Any, kind: Any, value: Any, tb: Any, tb_offset: Any = None) -> Any:
            shell.showtraceback((kind, value, tb), tb_offset=tb_offset)
            explained = translate(value)
            if explained is not None and explained is not value:
                print(f"\nlstm-shapes: {explained}", file=sys.stderr)
        shell.set_custom_exc((Exception,), _ipython)
