"""Keras/TensorFlow error texts -> a ShapeError with a misconception code and a fix.

Each ``@_rule(pattern)`` reads one family of Keras/TF messages; :func:`translate` tries them
in order and returns None when none fits, so the caller re-raises the original untouched.

>>> err = translate(ValueError("Input 0 of layer 'lstm' is incompatible with the layer: "
...                            "expected ndim=3, found ndim=2. Full shape received: (None, 10)"))
>>> err.code
'missing_timestep_axis'
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lstm_shapes.core.errors import ShapeError

_Fix = Callable[[re.Match[str]], tuple[str, str]]  # match -> (code, fix)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # Keras 3 makes its messages bold in a terminal
_RULES: list[tuple[re.Pattern[str], _Fix]] = []


def _rule(pattern: str) -> Callable[[_Fix], _Fix]:
    def register(fn: _Fix) -> _Fix:
        _RULES.append((re.compile(pattern, re.DOTALL), fn))
        return fn
    return register


def _constant(pattern: str, code: str, fix: str) -> None:
    """A rule whose fix does not depend on the message, registered in its place in order."""
    _rule(pattern)(lambda m: (code, fix))


def _dims(text: str) -> list[str]:
    return [d.strip() for d in text.split(",") if d.strip()]


@_rule(r"expected ndim=3, found ndim=2\. Full shape received: \(([^)]*)\)")
def _two_d(m: re.Match[str]) -> tuple[str, str]:
    steps = (_dims(m[1]) + ["?", "?"])[1]  # not the tensors: each reading, none re-dealt
    return "missing_timestep_axis", (
        f"if this tensor is the data: x = x[..., np.newaxis] and keras.Input(shape=({steps}, "
        f"1)) ({steps} steps of one value); if an RNN made it, give that layer "
        f"return_sequences=True; if a Dense/Flatten/pooling layer made it, that layer has no "
        f"time axis to hand on: move the RNN before it")


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
    from lstm_shapes.core.classify import classify_mismatch
    from lstm_shapes.core.errors import Binding

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


_constant(r"expects 1 input\(s\), but it received ([235]) input tensors",
          "return_state_unpacking",
          "with return_state=True the layer returns [output, h, c]: unpack it in a "
          "functional model, output, h, c = layer(x), and pass only output on "
          "(Sequential cannot)")


_constant(r"(?:too many|not enough) values to unpack \(expected (\d)(?:, got (\d))?\)",
          "return_state_unpacking",
          "LSTM(return_state=True) returns 3 tensors (output, h, c), GRU/SimpleRNN 2, a "
          "Bidirectional LSTM 5 (output, h_fwd, c_fwd, h_bwd, c_bwd)")


_constant(r"stateful=True.{0,40}batch size must be static",
          "stateful_batch",
          "keras.Input(shape=(timesteps, features), batch_size=B)")


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


def _loss_shapes(target: list[str], predicted: list[str]) -> tuple[str, str]:
    """Targets against predictions in the loss, by what their axes mean: a time axis more on
    one side is a sequence against a last step; the same rank is a width."""
    if len(predicted) == len(target) + 1:
        return "sequence_output_vs_last_target", (
            "the model predicts one value per timestep: drop return_sequences=True from its "
            "last RNN (or give y one row per timestep)")
    if len(target) == len(predicted) + 1:
        return "last_output_vs_sequence_target", (
            "y has one row per timestep: give the last RNN return_sequences=True so the model "
            "predicts every step")
    if len(target) >= 3 and target[1] != predicted[1]:
        return "conv_pool_shrinks_time", (
            f"the model predicts {predicted[1]} steps and y has {target[1]}: keep the time "
            "axis with padding='same' on Conv1D/pooling layers (or cut y to the model's steps)")
    if target[-1:] != predicted[-1:]:
        return "output_width_mismatch", (
            f"make the last layer Dense({target[-1]}) to predict the target's {target[-1]} "
            f"column(s)")
    return "target_broadcast", "give y the shape of the model's predictions"


@_rule(r"Incompatible shapes: \[([\d,]+)\] vs\. \[([\d,]+)\]\s*\[\[\{\{node "
       r"[^}]*compile_loss")
def _partial_batch(m: re.Match[str]) -> tuple[str, str]:
    first, second = _dims(m[1]), _dims(m[2])
    if first[0] == second[0]:  # the loss's inputs: y first, then the predictions
        return _loss_shapes(first, second)
    fixed = max(int(first[0]), int(second[0]))
    return "stateful_batch", (
        f"the model has a fixed batch of {fixed} (stateful / Input(batch_size=...)) and the "
        f"last batch is partial: keep a multiple of it, x = x[:len(x) // {fixed} * {fixed}]")


_constant(r"BroadcastGradientArgs.*(?:lstm|gru|rnn)[^/]*/while",
          "stateful_batch",
          "a stateful RNN needs every batch to be full: drop the remainder, "
          "x = x[:len(x) // B * B] (same for y)")


@_rule(r"Dimensions must be equal, but are (\d+) and (\d+) for '\{\{node compile_loss/.*"
       r"with input shapes: \[([\d,?]*)\], \[([\d,?]*)\]")
def _loss_width(m: re.Match[str]) -> tuple[str, str]:
    return _loss_shapes(_dims(m[3]), _dims(m[4]))


@_rule(r"Data cardinality is ambiguous.*'x' sizes: (\d+).*'y' sizes: (\d+)")
def _cardinality(m: re.Match[str]) -> tuple[str, str]:
    gap = abs(int(m[1]) - int(m[2]))
    if 0 < gap <= 50:
        return "window_misalignment", (
            f"x has {m[1]} windows and y {m[2]} targets: cut both from one loop, "
            f"x[i] = s[i:i+T], y[i] = s[i+T] (or use lstm_shapes.sine_windows)")
    return "batch_mismatch", "x and y need one row per sample"


_constant(r"`target` and `output` must have the same rank.*target\.shape=\(\d+,?\)",
          "loss_label_encoding_mismatch",
          "integer labels go with loss='sparse_categorical_crossentropy' (or one-hot "
          "them: keras.utils.to_categorical(y))")


_constant(r"Argument `output` must have rank \(ndim\) `target\.ndim - 1`",
          "loss_label_encoding_mismatch",
          "one-hot labels go with loss='categorical_crossentropy'")


@_rule(r"`target` and `output` must have the same (?:rank \(ndim\)|shape)\.? Received: "
       r"target\.shape=\(([^)]*)\), output\.shape=\(([^)]*)\)")
def _target_output(m: re.Match[str]) -> tuple[str, str]:
    """A loss that compares y with the predictions element by element (binary or categorical
    cross-entropy): their axes, read as in any loss."""
    return _loss_shapes(_dims(m[1]), _dims(m[2]))


@_rule(r"label value of (\d+) which is outside the valid range of \[0, (\d+)\)")
def _classes(m: re.Match[str]) -> tuple[str, str]:
    return "output_width_mismatch", (
        f"the labels reach {m[1]}: the head needs Dense({int(m[1]) + 1}, "
        f"activation='softmax') (one unit per class)")


_constant(r"output_size must be an integer|Cannot convert '?\(\d+, \d+\.\d*\)'? to a shape"
          r"|Cannot convert \(np\.float\d+\(",
          "units_type",
          "units counts the numbers in h and c: pass a Python int, "
          "keras.layers.LSTM(int(units))")


_constant(r"'\w+' object has no attribute 'reset_states'",
          "stateful_reset",
          "Keras 3 resets the states of each stateful layer: [layer.reset_state() for layer "
          "in model.layers if getattr(layer, 'stateful', False)]")


_constant(r"TimeDistributed.*at least 3 dimensions",
          "timedistributed_rank",
          "give the RNN before it return_sequences=True, or drop TimeDistributed")


@_rule(r"Layer '(\w+)' \(of type (\w+)\) was passed an input with a mask attached to it")
def _mask_dropped(m: re.Match[str]) -> tuple[str, str]:
    """Keras's warning that a layer without mask support destroys a mask (an error inside
    diagnosing(): the mask the model made does nothing past that layer)."""
    name, kind = m[1], m[2]
    if kind == "Lambda":
        return "mask_dropped", (f"if {name!r} keeps the time axis: keras.layers.Lambda(<its "
                                "function>, mask=lambda inputs, mask: mask)")
    if kind == "Flatten" or kind.startswith("Global"):
        return "mask_dropped", (f"instead of {name!r}: return_sequences=False on the RNN before "
                                "it, or keras.layers.GlobalAveragePooling1D() (both use the mask)")
    return "mask_dropped", (f"{kind} {name!r} cannot carry the mask: make the mask after it "
                            "(check_model(model, x, y) tries the fixes on a copy)")


_FLAT_DATA = re.compile(r"[Ee]xpected shape[= ]\((None, (?:None|\d+), \d+)\),? (?:found shape="
                        r"|but input has incompatible shape )\(((?:None|\d+), \d+)\)")


def _int(d: str) -> int | None:
    return None if d == "None" else int(d)


_LAYER = re.compile(r"""[Ll]ayer ["'](\w+)["']|calling (\w+)\.call\(\)|node [^}]*?/(\w+?)_\d+/""")
_FRAMEWORKS = frozenset({"keras", "tensorflow"})


def _raised_in_rnn(err: BaseException) -> bool:
    """Was ``err`` raised inside Keras's recurrent layers' own code (where an initial_state
    of the wrong structure fails)? Judged by module name, never by file path (a learner's
    folder may well be called ``alice_keras``): the innermost Keras frame decides, so a
    Lambda's or the learner's own failure is not read as an RNN's."""
    tb, innermost = err.__traceback__, ""
    while tb is not None:
        module = str(tb.tb_frame.f_globals.get("__name__", ""))
        if module.partition(".")[0] in _FRAMEWORKS:
            innermost = module
        tb = tb.tb_next
    return innermost.startswith("keras.src.layers.rnn.")


def _shrinks_time(err: BaseException) -> bool:
    """Whether the model being trained (found in the traceback) has a layer that shortens
    the time axis; True when no model can be found (the text rule stands)."""
    from lstm_shapes.diagnosis.layer_call import frames_of

    for frame in frames_of(err):
        model = frame.f_locals.get("self")
        if hasattr(model, "layers") and hasattr(model, "fit"):
            return any(type(layer).__name__ in ("Conv1D", "MaxPooling1D", "AveragePooling1D")
                       for layer in model.layers)
    return True


def translate(err: BaseException) -> ShapeError | None:
    """The ShapeError that explains ``err`` (a Keras/TF error), or None if none fits."""
    if isinstance(err, ShapeError):
        return err
    from lstm_shapes.diagnosis.failing_call import explain

    by_call = explain(err)  # the layer call that failed, read from the traceback
    if by_call is not None:
        return by_call
    text = _ANSI.sub("", str(err))
    flat = _FLAT_DATA.search(text)  # 2-D data against a declared (T, F): check_model's rule
    if flat:
        from lstm_shapes.diagnosis.rnn_rank import data_against_input

        found = data_against_input(err, tuple(_int(d) for d in _dims(flat[1])),
                                   tuple(_int(d) for d in _dims(flat[2])))
        if found is not None:
            return found
    said = ""  # the line of Keras's message that the rule read (not "Graph execution error:")
    for pattern, fix in _RULES:
        m = pattern.search(text)
        if m:
            code, fix_line = fix(m)
            said = text[text.rfind("\n", 0, m.start()) + 1:].split("\n", 1)[0].strip()
            if code == "conv_pool_shrinks_time" and not _shrinks_time(err):
                code, fix_line = "dimension_mismatch", (
                    "the model predicts another number of steps than y has: per-step "
                    "targets need one row per input step; a horizon of future values needs "
                    "return_sequences=False and Dense(<steps of y>)")
            break
    else:
        if isinstance(err, (IndexError, KeyError, NotImplementedError)) and _raised_in_rnn(err):
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
    first = said or next((ln.strip() for ln in text.splitlines() if ln.strip()
                  and not ln.startswith("Exception encountered")), type(err).__name__)
    detail = f"Keras said: {first[:300]}"
    return ShapeError(where=where, code=code, fix=fix_line, detail=detail)
