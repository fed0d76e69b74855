"""``@shape_checked`` and ``expect``: real checks of jaxtyping-annotated shapes.

jaxtyping supplies the annotations (dims and dtype kind) and typeguard checks every
non-array annotation. The dims are bound here rather than by jaxtyping's own checker
because that one binds a symbolic ``None`` batch literally and its messages name no
misconception; see DESIGN.md. A call of positional NumPy arrays and eager tensors that
fit takes a fast test compiled at decoration time; any other call, and any doubt, takes
the full check, which alone words a verdict.
"""

from __future__ import annotations

import functools
import inspect
import sys
import typing
from typing import Any, Callable, TypeVar

import numpy as np
import typeguard

from lstm_shapes.core.classify import classify_mismatch
from lstm_shapes.core.dims import (_array_spec, _ArraySpec, conflict, declared, dim_names,
                                   dtype_name, implied_size, match, parse_spec, shape_of,
                                   value_test)
from lstm_shapes.core.errors import Binding, ShapeError, SpecError, TensorTypeError
from lstm_shapes.core.messages import render_disagreement

F = TypeVar("F", bound=Callable[..., Any])
_ANY = object()
_Test = Callable[[Any, dict], bool]  # (value, sizes) -> True only if the full check passes
_KINDS = inspect.Parameter  # POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD, KEYWORD_ONLY, VAR_*
_MISSING = object()


def _not_a_tensor(value: Any, where: str, expected: tuple[str, ...],
                  arg: str = "x") -> TensorTypeError:
    kind = type(value).__name__
    if type(value).__name__ == "RaggedTensor":
        return TensorTypeError(where=where, expected=expected, code="ragged_sequences",
                               detail="got a tf.RaggedTensor",
                               fix=f"{arg} = {arg}.to_tensor()   # pads with zeros to one length")
    if isinstance(value, (list, tuple)) and value and all(
            shape_of(v) is not None and len(shape_of(v)) > 0 for v in value):
        shapes = ", ".join(str(shape_of(v)) for v in value[:4])
        return TensorTypeError(
            where=where, expected=expected, code="not_a_tensor",
            detail=f"got a {kind} of {len(value)} arrays with shapes {shapes}",
            fix="pass one array here (was it (x, y), or a list of batches? use "
                "np.concatenate)")
    if isinstance(value, (list, tuple)):
        try:
            arr = np.asarray(value)
        except ValueError:
            arr = None
        if arr is None or arr.dtype == object:
            return TensorTypeError(
                where=where, expected=expected, code="ragged_sequences",
                detail=f"got a ragged Python {kind} (its rows have different lengths)",
                fix=f"{arg} = keras.utils.pad_sequences({arg}, dtype='float32')")
        return TensorTypeError(
            where=where, expected=expected, code="not_a_tensor",
            detail=f"got a Python {kind} of shape {arr.shape}, not an array",
            fix=f"{arg} = np.asarray({arg}, dtype='float32')")
    if value is None:
        fix = "the value is None: does the function that made it return it?"
    elif isinstance(value, str):
        fix = f"a file name? load it first: {arg} = np.load({value!r:.40})"
    elif kind.endswith("Dataset"):
        fix = ("pass the dataset to model.fit itself, or take one batch: "
               f"{arg}, y = next(iter(dataset))")
    else:
        fix = f"{arg} = np.asarray({arg}, dtype='float32')"
    return TensorTypeError(where=where, expected=expected, code="not_a_tensor",
                           detail=f"got {kind} {value!r:.60}, not an array or tensor", fix=fix)


def check_value(value: Any, spec: _ArraySpec, bindings: dict[str, Binding], where: str,
                arg: str = "x") -> None:
    """Check one value against a compiled spec, binding dims into ``bindings``."""
    if value is None and spec.optional:
        return
    if isinstance(value, np.ndarray) and value.dtype == object:
        raise TensorTypeError(where=where, expected=dim_names(spec.dims), actual=value.shape,
                              code="ragged_sequences",
                              detail="got an object array (ragged rows or mixed types)",
                              fix=f"{arg} = keras.utils.pad_sequences({arg}, dtype='float32')")
    shape = None if type(value).__name__ == "RaggedTensor" else shape_of(value)
    if shape is None:
        raise _not_a_tensor(value, where, dim_names(spec.dims), arg)
    if spec.dtypes is not None:
        name = dtype_name(value)
        if name not in spec.dtypes:
            want = {"Float": "float32", "Int": "int32"}.get(spec.kind, sorted(spec.dtypes)[0])
            raise TensorTypeError(
                where=where, expected=dim_names(spec.dims), actual=shape, code="wrong_dtype",
                detail=f"expected a {spec.kind.lower()} tensor, got dtype {name}",
                fix=f"{arg} = {arg}.astype('{want}')" if isinstance(value, np.ndarray)
                else f"{arg} = tf.cast({arg}, '{want}')")
    reason = match(spec.dims, shape, bindings, where)  # binds only on success
    if not reason and 0 in shape:
        reason = "an axis is empty"
    if reason:
        expected = dim_names(spec.dims)
        code, fix = classify_mismatch(expected, shape, bindings, arg)
        same_rank = len(shape) == len(spec.dims) or any(d.variadic for d in spec.dims)
        raise ShapeError(where=where, expected=expected, actual=shape, bindings=bindings,
                         code=code, fix=fix, detail=reason if same_rank else "")


def _preset(dims: dict[str, int], where: str) -> dict[str, Binding]:
    out = {}
    for name, size in dims.items():
        if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 0:
            raise TypeError(f"{where}: expected {name} to be a non-negative integer. "
                            f"Received: {name}={size!r}")
        out[name] = declared(name, size)
    return out


def expect(tensor: Any, spec: str, *, name: str = "tensor", **dims: int) -> Any:
    """Assert that ``tensor`` has the named axes of ``spec``; return it unchanged.

    Keyword arguments declare the size of named dims.

    >>> import numpy as np
    >>> expect(np.zeros((32, 10, 50)), "batch timesteps units", units=50).shape
    (32, 10, 50)

    Raises:
        ShapeError: the shape does not fit (with a misconception code and a fix).
        SpecError: ``spec`` itself is malformed.
    """
    where = f"expect {name}"
    array = _ArraySpec(parse_spec(spec), None, "Shaped")
    check_value(tensor, array, _preset(dims, where), where, arg=name)
    return tensor


def _plain_test(annotation: Any) -> _Test | None:
    """``isinstance`` for a plain class (a False lets typeguard say why); None otherwise."""
    if annotation is Any:
        return lambda value, sizes: True
    if (isinstance(annotation, type) and not getattr(annotation, "_is_protocol", False)
            and not typing.is_typeddict(annotation)):
        return lambda value, sizes: isinstance(value, annotation)
    return None


def _array_items(annotation: Any) -> tuple | None:
    """The items of ``tuple[HiddenState, CellState]``-like annotations, else None."""
    if typing.get_origin(annotation) is tuple:
        items = typing.get_args(annotation)
        if items and items[-1] is not Ellipsis and any(_array_spec(a) for a in items):
            return items
    return None


def _fields(annotation: Any) -> dict[str, Any] | None:
    """The annotated fields of a NamedTuple class, else None."""
    if isinstance(annotation, type) and issubclass(annotation, tuple) and hasattr(
            annotation, "_fields"):
        return typing.get_type_hints(annotation) or None
    return None


def _return_test(annotation: Any) -> _Test | None:
    """The test of a return value (no annotation, an array, a class); None: always check."""
    if annotation is _ANY:
        return lambda value, sizes: True
    spec = _array_spec(annotation)
    if spec is not None:
        return value_test(spec, "return value")
    return None if _fields(annotation) or _array_items(annotation) else _plain_test(
        annotation)


def _dims_in(annotation: Any) -> set[str]:
    """The dim names of an annotation: ``{"batch", "units"}`` for HiddenState."""
    spec = _array_spec(annotation)
    if spec is not None:
        return {d.name for d in spec.dims if d.name}
    parts = (_fields(annotation) or {}).values() or _array_items(annotation) or ()
    return set().union(*map(_dims_in, parts))


def _is_layer_class(annotation: Any) -> bool:
    """Whether ``annotation`` is a Keras layer class (never imports Keras)."""
    keras = sys.modules.get("keras")
    return (keras is not None and isinstance(annotation, type)
            and issubclass(annotation, keras.layers.Layer))


class _Checker:
    """Per-function compiled annotations: a fast test of the common call, and the full check.

    The fast test passes NumPy arrays and eager tensors whose shapes and dtypes fit;
    anything else (a symbolic tensor, a variadic spec, a wrong shape) goes to
    :meth:`check_args`, the only place that forms a verdict and a message.
    """

    def __init__(self, fn: Callable, dims: dict[str, int]) -> None:
        self.name = getattr(fn, "__qualname__", getattr(fn, "__name__", "function"))
        self.signature = inspect.signature(fn)
        hints = typing.get_type_hints(fn, include_extras=True)
        annotated = {p: hints[p] for p in self.signature.parameters if p in hints}
        specs = {p: _array_spec(a) for p, a in annotated.items()}
        self.arrays = {p: spec for p, spec in specs.items() if spec is not None}
        self.plain = {p: a for p, a in annotated.items() if specs[p] is None}
        self.returns = hints.get("return", _ANY)
        self.dims = set().union(*map(_dims_in, [*annotated.values(), self.returns]))
        if set(dims) - self.dims:
            raise SpecError(f"@shape_checked({', '.join(sorted(set(dims) - self.dims))}=...) "
                            f"names no dim of {self.name}; its dims: {sorted(self.dims)}")
        self.declared = _preset(dims, f"@shape_checked of {self.name}")
        self.layers = [p for p, ann in self.plain.items() if _is_layer_class(ann)]
        self.places = {f"{self.name} argument {p}": p for p in self.arrays}
        self.sizes = {n: (b.size, b.where, b.declared) for n, b in self.declared.items()}
        params = list(self.signature.parameters.values())
        self.positional = sum(p.kind in (_KINDS.POSITIONAL_ONLY, _KINDS.POSITIONAL_OR_KEYWORD)
                              for p in params)
        self.keywords = {p.name for p in params if p.kind in (_KINDS.POSITIONAL_OR_KEYWORD,
                                                              _KINDS.KEYWORD_ONLY)}
        self.arg_tests = None if self.layers else self._arg_tests(params)
        self.return_test = _return_test(self.returns)

    def _arg_tests(self, params) -> tuple[tuple[int, str, _Test], ...] | None:
        tests = []
        for index, p in enumerate(params):
            if p.name in self.arrays:
                test = value_test(self.arrays[p.name], f"{self.name} argument {p.name}")
            elif p.name in self.plain:
                test = _plain_test(self.plain[p.name])
            else:
                continue
            if test is None or p.kind in (_KINDS.VAR_POSITIONAL, _KINDS.VAR_KEYWORD):
                return None
            tests.append((index, p.name, test))
        return tuple(tests)

    def fast_sizes(self, args: tuple, kwargs: dict) -> dict[str, tuple[int, str, bool]] | None:
        """The dims of a call whose arguments surely pass; None: :meth:`check_args` decides.

        ``f(np.zeros((4, 10, 1)), h=np.zeros((4, 32)))`` -> ``{"batch": (4, "f argument
        x", False), ...}``: the fields of each dim's Binding.
        """
        if self.arg_tests is None or len(args) > self.positional or (
                kwargs and not kwargs.keys() <= self.keywords):
            return None
        sizes = dict(self.sizes)
        for index, name, test in self.arg_tests:
            value = args[index] if index < len(args) else kwargs.get(name, _MISSING)
            if value is not _MISSING and not test(value, sizes):
                return None
        return sizes

    def check_args(self, args, kwargs) -> dict[str, Binding]:
        arguments = self.signature.bind(*args, **kwargs).arguments
        bindings = dict(self.declared)
        self._bind_layers(arguments, bindings)
        for param, value in arguments.items():
            if param in self.plain:
                try:
                    typeguard.check_type(value, self.plain[param])
                except typeguard.TypeCheckError as err:
                    raise TypeError(f"{self.name} argument {param}: {err}") from None
            elif param in self.arrays:
                try:
                    check_value(value, self.arrays[param], bindings,
                                f"{self.name} argument {param}", arg=param)
                except ShapeError as err:
                    raise self._between_peers(err, param, arguments) or err from None
        return bindings

    def _bind_layers(self, arguments: dict[str, Any], bindings: dict[str, Binding]) -> None:
        """Bind the dims a Keras layer argument sizes (an LSTM's ``units``) before any tensor."""
        for param in self.layers:
            for name in sorted(self.dims):
                size = getattr(arguments.get(param), name, None)
                if not isinstance(size, int) or isinstance(size, bool):
                    continue
                known = bindings.setdefault(
                    name, Binding(size, f"{self.name} argument {param} ({param}.{name})"))
                if known.size != size:
                    said = (f"you declared {known.where}" if known.declared
                            else f"{name} = {known.size} by {known.where}")
                    raise ShapeError(where=f"{self.name} argument {param}",
                                     detail=f"{param}.{name} is {size}, but {said}")

    def _between_peers(self, err: ShapeError, param: str,
                       arguments: dict[str, Any]) -> ShapeError | None:
        """``err`` restated when ``param`` disagrees with an earlier argument of its axes.

        Peers such as h and c, both ``(batch, units)``, share every dim and the one checked
        first is no more right than the other: for h (4, 32) and c (4, 64) the message
        names both sizes (and those of the other arguments) and blames neither.
        """
        dims = self.arrays[param].dims
        if isinstance(err, TensorTypeError) or err.actual is None:
            return None
        name = conflict(dims, err.actual, err.bindings)
        first = self.places.get(err.bindings[name].where) if name else None
        if first is None or self.arrays[first].dims != dims:
            return None
        sizes: dict[int, list[str]] = {}
        for other, value in arguments.items():
            shape = shape_of(value) if other in self.arrays else None
            size = None if shape is None else implied_size(self.arrays[other].dims, shape, name)
            if size is not None:
                sizes.setdefault(size, []).append(other)
        detail, fix = render_disagreement(name, (first, param), sizes, dim_names(dims))
        return ShapeError(where=err.where, expected=err.expected, actual=err.actual,
                          bindings=err.bindings, code=err.code, fix=fix, detail=detail)

    def check_return(self, value: Any, bindings: dict[str, Binding]) -> None:
        _check_return(value, self.returns, bindings, f"{self.name} return value")


def _check_return(value: Any, annotation: Any, bindings: dict[str, Binding], where: str) -> None:
    if annotation is _ANY:
        return
    spec = _array_spec(annotation)
    if spec is not None:
        check_value(value, spec, bindings, where, arg="result")
        return
    fields = _fields(annotation)
    if fields:
        if not isinstance(value, annotation):
            raise TypeError(f"{where}: expected {annotation.__name__}, got {type(value).__name__}")
        for field_name, field_ann in fields.items():
            _check_return(getattr(value, field_name), field_ann, bindings,
                          f"{where} .{field_name}")
        return
    items = _array_items(annotation)
    if items:
        if not isinstance(value, (tuple, list)) or len(value) != len(items):
            raise TypeError(f"{where}: expected a tuple of {len(items)}, got {value!r:.80}")
        for i, (item, item_ann) in enumerate(zip(value, items)):
            _check_return(item, item_ann, bindings, f"{where}[{i}]")
        return
    try:
        typeguard.check_type(value, annotation)
    except typeguard.TypeCheckError as err:
        raise TypeError(f"{where}: {err}") from None


def shape_checked(fn: F | None = None, /, **dims: int) -> Any:
    """Check every jaxtyping-annotated argument and the return value at each call.

    Each named dim binds once per call (the first argument that has it fixes it); an
    unknown size (``None``) never binds and never fails. ``@shape_checked(units=64)``
    declares sizes, and so does a Keras layer argument for the dims it has as int
    attributes (an LSTM's ``units``): a tensor that shows another size is the one blamed.
    Non-array annotations are checked with typeguard.

    >>> import numpy as np
    >>> from lstm_shapes import HiddenState, LSTMInput
    >>> @shape_checked
    ... def zeros_state(x: LSTMInput, units: int) -> HiddenState:
    ...     return np.zeros((x.shape[0], units), "float32")
    >>> zeros_state(np.zeros((4, 10, 1), "float32"), 16).shape
    (4, 16)
    >>> @shape_checked(units=64)
    ... def last_h(h: HiddenState) -> HiddenState:
    ...     return h
    >>> last_h(np.zeros((4, 32), "float32"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    lstm_shapes.ShapeError: last_h argument h: expected (batch, units), got (4, 32)
      you declared units=64: units should be 64, got 32
    ...

    Raises:
        ShapeError: an argument or the result has the wrong shape (TensorTypeError, also a
            TypeError, for non-tensors and wrong dtypes).
        SpecError: a declared dim is in none of the annotations.
    """
    if fn is None:
        return functools.partial(shape_checked, **dims)
    checker = _Checker(fn, dims)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        sizes = checker.fast_sizes(args, kwargs)
        if sizes is None:
            bindings = checker.check_args(args, kwargs)
            result = fn(*args, **kwargs)
            checker.check_return(result, bindings)
        else:
            result = fn(*args, **kwargs)
            test = checker.return_test
            if test is None or not test(result, dict(sizes)):  # a copy: bound only on success
                checker.check_return(result, {n: Binding(*b) for n, b in sizes.items()})
        return result

    wrapper.__shape_checker__ = checker  # type: ignore[attr-defined]
    # An AutoGraph artifact is called as plain Python inside tf.function (shapes are static
    # at trace time), instead of being converted.
    wrapper.autograph_info__ = None  # type: ignore[attr-defined]
    return wrapper
