"""``@shape_checked`` and ``expect``: real checks of jaxtyping-annotated shapes.

jaxtyping supplies the annotations (dims and dtype kind) and typeguard checks every
non-array annotation. The dims are bound here rather than by jaxtyping's own checker
because that one binds a symbolic ``None`` batch literally and its messages name no
misconception; see DESIGN.md.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

import numpy as np
import typeguard

from lstm_shapes.core.classify import classify_mismatch
from lstm_shapes.core.dims import Dim, dim_names, match, parse_spec, shape_of
from lstm_shapes.core.errors import Binding, ShapeError, TensorTypeError

F = TypeVar("F", bound=Callable[..., Any])
_ANY = object()


@dataclass(frozen=True)
class _ArraySpec:
    dims: tuple[Dim, ...]
    dtypes: frozenset[str] | None  # None: any dtype
    kind: str  # "Float", "Int", "Shaped": for messages
    optional: bool = False


def _array_spec(annotation: Any) -> _ArraySpec | None:
    """The spec of a jaxtyping annotation (or a Union / Optional of them), else None."""
    if hasattr(annotation, "dim_str") and hasattr(annotation, "dtypes"):
        dtype = getattr(annotation, "dtype", None)
        kind = getattr(dtype, "__name__", "Shaped")
        dtypes = None if kind == "Shaped" else frozenset(annotation.dtypes)
        return _ArraySpec(parse_spec(annotation.dim_str), dtypes, kind)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        specs = [_array_spec(a) for a in args if a is not type(None)]
        if specs and all(s is not None and s.dims == specs[0].dims for s in specs):
            return _ArraySpec(specs[0].dims, specs[0].dtypes, specs[0].kind,
                              optional=type(None) in args)
    return None


_DTYPE_NAMES: dict[Any, str] = {}  # NumPy computes dtype.name in Python: cache it


def _dtype_name(value: Any) -> str | None:
    dtype = getattr(value, "dtype", None)
    if dtype is None or isinstance(dtype, str):
        return dtype
    name = _DTYPE_NAMES.get(dtype)
    if name is None:
        name = _DTYPE_NAMES[dtype] = getattr(dtype, "name", None) or str(dtype)
    return name


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
        name = _dtype_name(value)
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
        out[name] = Binding(int(size), f"{name}={size}")
    return out


def expect(tensor: Any, spec: str, *, name: str = "tensor", **dims: int) -> Any:
    """Assert that ``tensor`` has the named axes of ``spec``; return it unchanged.

    Keyword arguments fix the size of named dims.

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


class _Checker:
    """Per-function compiled annotations."""

    def __init__(self, fn: Callable) -> None:
        self.name = getattr(fn, "__qualname__", getattr(fn, "__name__", "function"))
        self.signature = inspect.signature(fn)
        hints = typing.get_type_hints(fn, include_extras=True)
        self.arrays: dict[str, _ArraySpec] = {}
        self.plain: dict[str, Any] = {}
        for param in self.signature.parameters:
            if param in hints:
                spec = _array_spec(hints[param])
                if spec is not None:
                    self.arrays[param] = spec
                else:
                    self.plain[param] = hints[param]
        self.returns = hints.get("return", _ANY)
        self.return_spec = _array_spec(self.returns)

    def check_args(self, args, kwargs) -> dict[str, Binding]:
        bound = self.signature.bind(*args, **kwargs)
        bindings: dict[str, Binding] = {}
        for param, value in bound.arguments.items():
            if param in self.plain:
                try:
                    typeguard.check_type(value, self.plain[param])
                except typeguard.TypeCheckError as err:
                    raise TypeError(f"{self.name} argument {param}: {err}") from None
            elif param in self.arrays:
                check_value(value, self.arrays[param], bindings,
                            f"{self.name} argument {param}", arg=param)
        return bindings

    def check_return(self, value: Any, bindings: dict[str, Binding]) -> None:
        where = f"{self.name} return value"
        if self.return_spec is not None:
            check_value(value, self.return_spec, bindings, where, arg="result")
        else:
            _check_return(value, self.returns, bindings, where)


def _check_return(value: Any, annotation: Any, bindings: dict[str, Binding], where: str) -> None:
    if annotation is _ANY:
        return
    spec = _array_spec(annotation)
    if spec is not None:
        check_value(value, spec, bindings, where, arg="result")
        return
    fields = typing.get_type_hints(annotation) if _is_namedtuple(annotation) else None
    if fields:
        if not isinstance(value, annotation):
            raise TypeError(f"{where}: expected {annotation.__name__}, got {type(value).__name__}")
        for field_name, field_ann in fields.items():
            _check_return(getattr(value, field_name), field_ann, bindings,
                          f"{where} .{field_name}")
        return
    if typing.get_origin(annotation) is tuple:
        items = typing.get_args(annotation)
        if items and items[-1] is not Ellipsis and any(_array_spec(a) for a in items):
            if not isinstance(value, (tuple, list)) or len(value) != len(items):
                raise TypeError(f"{where}: expected a tuple of {len(items)}, got {value!r:.80}")
            for i, (item, item_ann) in enumerate(zip(value, items)):
                _check_return(item, item_ann, bindings, f"{where}[{i}]")
            return
    try:
        typeguard.check_type(value, annotation)
    except typeguard.TypeCheckError as err:
        raise TypeError(f"{where}: {err}") from None


def _is_namedtuple(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, tuple) and hasattr(
        annotation, "_fields")


def shape_checked(fn: F) -> F:
    """Check every jaxtyping-annotated argument and the return value at each call.

    Each named dim binds once per call (the first argument that has it fixes it); an
    unknown size (``None``) never binds and never fails. Non-array annotations are
    checked with typeguard.

    >>> import numpy as np
    >>> from lstm_shapes import HiddenState, LSTMInput
    >>> @shape_checked
    ... def zeros_state(x: LSTMInput, units: int) -> HiddenState:
    ...     return np.zeros((x.shape[0], units), "float32")
    >>> zeros_state(np.zeros((4, 10, 1), "float32"), 16).shape
    (4, 16)

    Raises:
        ShapeError: an argument or the result has the wrong shape (TensorTypeError, also a
            TypeError, for non-tensors and wrong dtypes).
    """
    checker = _Checker(fn)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        bindings = checker.check_args(args, kwargs)
        result = fn(*args, **kwargs)
        checker.check_return(result, bindings)
        return result

    wrapper.__shape_checker__ = checker  # type: ignore[attr-defined]
    # An AutoGraph artifact is called as plain Python inside tf.function (shapes are static
    # at trace time), instead of being converted.
    wrapper.autograph_info__ = None  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
