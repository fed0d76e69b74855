"""Named dimensions: parse a spec, read a value's shape, bind dims and say why a match fails.

A spec is a string of space-separated axes, as in jaxtyping: ``"batch timesteps features"``.
An axis is a name (binds once per call), an integer (fixed size), ``k*name`` (a multiple of
a named dim, e.g. ``4*units`` for LSTM gate matrices), ``_`` (any size) or ``*name`` /
``...`` (any number of axes). An unknown size (``None``, a symbolic batch) never binds and
never fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

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
                return f"{dim.text} should be {want}, got {size}"
        elif size % dim.factor:
            return f"axis {dim.text} must be a multiple of {dim.factor}, got {size}"
        else:
            new[dim.name] = Binding(size // dim.factor, where)
    bindings.update(new)
    return ""
