"""Named dimensions: parse a spec, read a value's shape, bind dims and say why a match fails.

A spec is a string of space-separated axes, as in jaxtyping: ``"batch timesteps features"``.
An axis is a name (binds once per call), an integer (fixed size), ``k*name`` (a multiple of
a named dim, e.g. ``4*units`` for LSTM gate matrices), ``_`` (any size) or ``*name`` /
``...`` (any number of axes). An unknown size (``None``, a symbolic batch) never binds and
never fails. A size the caller declares (``units=64``) is a Binding whose place is
``"units=64"`` (:func:`declared`); it beats any size a tensor shows.

A jaxtyping annotation reads into an ``_ArraySpec`` (dims, dtypes); :func:`value_test`
compiles one into a quick test of NumPy arrays and eager tensors that only says "passes"
when :func:`match` would pass too.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import numpy as np

from lstm_shapes.core.errors import Binding, SpecError

_NAME = re.compile(r"^(?:(\d+)\*)?([A-Za-z_][A-Za-z0-9_]*)$")

AXIS_NAMES: dict[int, tuple[str, ...]] = {
    1: ("batch",),
    2: ("batch", "features"),
    3: ("batch", "timesteps", "features"),
    4: ("batch", "timesteps", "features", "channels"),
}
"""The axes of the LSTM story by rank: data is (batch, timesteps, features); rank 4 is a
sequence with a trailing channels axis. Read it through :func:`axis_names`."""


def axis_names(rank: int, *, last: str | None = None, named_up_to: int = 4) -> tuple[str, ...]:
    """The names of the axes of a rank-``rank`` tensor, from :data:`AXIS_NAMES`.

    ``last`` renames the last axis when the caller knows what it holds: ``"units"`` for
    what an RNN or Dense layer outputs, ``"features"`` (the table's own) for data. A rank
    above ``named_up_to`` or missing from the table gets generic names ``d1, d2, ...``
    after the batch.

    >>> axis_names(3)
    ('batch', 'timesteps', 'features')
    >>> axis_names(2), axis_names(2, last="units")
    (('batch', 'features'), ('batch', 'units'))
    >>> axis_names(1, last="units"), axis_names(4, named_up_to=3, last="units")
    (('batch',), ('batch', 'd1', 'd2', 'units'))
    """
    names = AXIS_NAMES.get(rank) if rank <= named_up_to else None
    if names is None:
        names = ("batch", *(f"d{i}" for i in range(1, rank)))
    return names[:-1] + (last,) if last is not None and rank > 1 else names


@dataclass(frozen=True)
class Dim:
    """One axis of a spec."""

    text: str
    name: str | None = None  # None for fixed and anonymous axes
    size: int | None = None  # fixed size
    factor: int = 1  # size = factor * bindings[name]
    variadic: bool = False


@lru_cache(maxsize=512)
def parse_spec(spec: str) -> tuple[Dim, ...]:
    """Parse ``"batch timesteps features"`` into Dims.

    >>> [d.name for d in parse_spec("batch 4*units")]
    ['batch', 'units']
    """
    if not isinstance(spec, str):
        raise SpecError(f"a shape spec is a string like 'batch timesteps features', got {spec!r}")
    if "," in spec:
        raise SpecError(f"axes are separated with spaces, not commas: {spec!r}")
    dims: list[Dim] = []
    for token in spec.split():
        if token in ("...", "*_"):
            dims.append(Dim(token, variadic=True))
        elif token.startswith("*"):
            if not _NAME.match(token[1:]):
                raise SpecError(f"bad variadic axis {token!r} in spec {spec!r}")
            dims.append(Dim(token, name=token[1:], variadic=True))
        elif token.isdigit():
            dims.append(Dim(token, size=int(token)))
        elif token == "_":
            dims.append(Dim(token))
        elif m := _NAME.match(token):
            dims.append(Dim(token, name=m.group(2), factor=int(m.group(1) or 1)))
        else:
            raise SpecError(
                f"bad axis {token!r} in spec {spec!r}: use a name, an integer, k*name, "
                "_ or *name"
            )
    if sum(d.variadic for d in dims) > 1:
        raise SpecError(f"at most one variadic axis (*name or ...) in spec {spec!r}")
    return tuple(dims)


def dim_names(dims: tuple[Dim, ...]) -> tuple[str, ...]:
    """The axis labels used in messages: ``("batch", "4*units")``."""
    return tuple(d.text for d in dims)


def shape_of(value: Any) -> tuple[int | None, ...] | None:
    """The static shape of a tensor-like value, ``None`` dims unknown; None if it has none."""
    shape = getattr(value, "shape", None)
    if shape is None:
        return None
    try:
        if hasattr(shape, "as_list"):  # tf.TensorShape
            if shape.rank is None:
                return None
            return tuple(shape.as_list())
        return tuple(None if d is None else int(d) for d in shape)
    except (TypeError, ValueError):
        return None


def match(
    dims: tuple[Dim, ...],
    shape: tuple[int | None, ...],
    bindings: dict[str, Binding],
    where: str,
) -> str:
    """Check ``shape`` against ``dims``, binding new names into ``bindings``.

    Returns "" on success, else the reason. Bindings are only committed on success, so a
    failed match leaves ``bindings`` as it was.
    """
    var_at = next((i for i, d in enumerate(dims) if d.variadic), None)
    if var_at is None:
        if len(shape) != len(dims):
            return f"expected {len(dims)} axes, got {len(shape)}"
        pairs = list(zip(dims, shape))
    else:
        fixed = len(dims) - 1
        if len(shape) < fixed:
            return f"expected at least {fixed} axes, got {len(shape)}"
        tail = len(dims) - var_at - 1
        pairs = list(zip(dims[:var_at], shape[:var_at]))
        pairs += list(zip(dims[var_at + 1:], shape[len(shape) - tail:]))
    new: dict[str, Binding] = {}
    for dim, size in pairs:
        if size is None or (dim.name is None and dim.size is None):
            continue
        if dim.size is not None:
            if size != dim.size:
                return f"axis {dim.text} must be {dim.size}, got {size}"
            continue
        known = new.get(dim.name) or bindings.get(dim.name)
        if known is not None:
            want = dim.factor * known.size
            if size != want:
                said = f"you declared {known.where}: " if known.declared else ""
                return f"{said}{dim.text} should be {want}, got {size}"
        elif size % dim.factor:
            return f"axis {dim.text} must be a multiple of {dim.factor}, got {size}"
        else:
            new[dim.name] = Binding(size // dim.factor, where)
    bindings.update(new)
    return ""


def declared(name: str, size: int) -> Binding:
    """The Binding of a size the caller declared: ``declared("units", 64).where == "units=64"``."""
    return Binding(int(size), f"{name}={size}", declared=True)


@dataclass(frozen=True)
class _ArraySpec:
    """What a jaxtyping annotation asks: ``Float[TensorLike, "batch units"]`` -> dims, floats."""

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


def _plain_pairs(dims: tuple[Dim, ...], shape) -> list[tuple[Dim, Any]]:
    """Axis and size side by side for a spec without variadic axes and of the same rank."""
    if len(shape) != len(dims) or any(d.variadic for d in dims):
        return []
    return list(zip(dims, shape))


def conflict(dims: tuple[Dim, ...], shape, bindings: dict[str, Binding]) -> str | None:
    """The first dim that ``shape`` sizes differently from ``bindings``; None if there is none.

    >>> conflict(parse_spec("batch units"), (4, 64), {"units": Binding(32, "h")})
    'units'
    """
    for dim, size in _plain_pairs(dims, shape):
        known = bindings.get(dim.name) if dim.name else None
        if known is not None and size is not None and size != dim.factor * known.size:
            return dim.name
    return None


def implied_size(dims: tuple[Dim, ...], shape, name: str) -> int | None:
    """The size of dim ``name`` that ``shape`` shows, if it shows one.

    >>> implied_size(parse_spec("features 4*units"), (3, 256), "units")
    64
    """
    for dim, size in _plain_pairs(dims, shape):
        if dim.name == name and size is not None and size % dim.factor == 0:
            return size // dim.factor
    return None


@dataclass(frozen=True)
class Plan:
    """A spec without variadic axes, compiled for checks of concrete shapes."""

    rank: int
    fixed: tuple[tuple[int, int], ...]  # (axis, size)
    named: tuple[tuple[int, str, int], ...]  # (axis, name, factor)


def compile_plan(dims: tuple[Dim, ...]) -> Plan | None:
    """The plan of ``dims``; None when a variadic axis makes it a case for :func:`match`.

    >>> compile_plan(parse_spec("batch 4*units 1"))
    Plan(rank=3, fixed=((2, 1),), named=((0, 'batch', 1), (1, 'units', 4)))
    """
    if any(d.variadic for d in dims):
        return None
    return Plan(len(dims), tuple((i, d.size) for i, d in enumerate(dims) if d.size is not None),
                tuple((i, d.name, d.factor) for i, d in enumerate(dims) if d.name))


def fits(plan: Plan, shape, sizes: dict[str, tuple[int, str, bool]], where: str) -> bool:
    """Whether a concrete ``shape`` (no ``None``) passes :func:`match` without a word to say.

    ``sizes`` maps a dim to ``(size, where, declared)``, the fields of its Binding; new dims bind into
    it, also when the answer is False (then :func:`match` has the last word).

    >>> sizes = {}
    >>> fits(compile_plan(parse_spec("batch units")), (4, 32), sizes, "h"), sizes
    (True, {'batch': (4, 'h', False), 'units': (32, 'h', False)})
    >>> fits(compile_plan(parse_spec("batch units")), (4, 64), sizes, "c")
    False
    """
    if len(shape) != plan.rank or 0 in shape:
        return False
    for axis, size in plan.fixed:
        if shape[axis] != size:
            return False
    for axis, name, factor in plan.named:
        size = shape[axis]
        known = sizes.get(name)
        if known is None:
            if size % factor:
                return False
            sizes[name] = (size // factor, where, False)
        elif size != factor * known[0]:
            return False
    return True


def _reader(cls: type) -> Callable[[Any], Any] | None:
    if cls is np.ndarray:
        return lambda value: value.shape
    if cls.__name__ == "EagerTensor" and cls.__module__.startswith("tensorflow"):
        return lambda value: value.shape.as_list()  # eager: every size is known
    return None


_READERS: dict[type, Callable[[Any], Any] | None] = {}
_UNSEEN = object()


def concrete_shape(value: Any):
    """The shape of a NumPy array or an eager tf.Tensor, quickly; None for any other value.

    >>> concrete_shape(np.zeros((4, 32))), concrete_shape([0.0])
    ((4, 32), None)
    """
    cls = type(value)
    reader = _READERS.get(cls, _UNSEEN)
    if reader is _UNSEEN:
        reader = _READERS[cls] = _reader(cls)
    return None if reader is None else reader(value)


_DTYPE_NAMES: dict[Any, str] = {}  # NumPy computes dtype.name in Python: cache it


def dtype_name(value: Any) -> str | None:
    """``"float32"`` for a float32 array or tensor; None when the value has no dtype."""
    dtype = getattr(value, "dtype", None)
    if dtype is None or isinstance(dtype, str):
        return dtype
    name = _DTYPE_NAMES.get(dtype)
    if name is None:
        name = _DTYPE_NAMES[dtype] = getattr(dtype, "name", None) or str(dtype)
    return name


def _dtype_test(dtypes: frozenset[str] | None) -> Callable[[Any], bool]:
    """``value -> bool``: whether the value's dtype is one of ``dtypes``, kept per dtype."""
    seen: dict[int, tuple[Any, bool]] = {}

    def accepts(value: Any) -> bool:
        dtype = value.dtype
        hit = seen.get(id(dtype))
        if hit is not None and hit[0] is dtype:  # the entry holds dtype: its id stays its own
            return hit[1]
        name = dtype_name(value)
        ok = name != "object" and (dtypes is None or name in dtypes)
        if len(seen) < 64:  # some NumPy dtypes are new objects per array: keep a few
            seen[id(dtype)] = (dtype, ok)
        return ok

    return accepts


def value_test(spec: _ArraySpec, where: str) -> Callable[[Any, dict], bool] | None:
    """A quick ``(value, sizes) -> bool`` for NumPy arrays and eager tensors; None if variadic.

    True only when a full check (``match``, the dtype, no empty axis, no object array)
    would pass; False when it might not, or the value is of another kind.

    >>> test = value_test(_ArraySpec(parse_spec("batch units"), frozenset({"float32"}), "Float"),
    ...                   "h")
    >>> test(np.zeros((4, 32), "float32"), {}), test(np.zeros((4, 32), "int64"), {})
    (True, False)
    """
    plan = compile_plan(spec.dims)
    if plan is None:
        return None
    accepts, optional = _dtype_test(spec.dtypes), spec.optional

    def test(value: Any, sizes: dict) -> bool:
        if value is None:
            return optional
        shape = concrete_shape(value)
        return shape is not None and accepts(value) and fits(plan, shape, sizes, where)

    return test
