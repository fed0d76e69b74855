"""Error types. A wrong *value* raises ShapeError; a malformed *spec* raises SpecError."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Binding:
    """A named dimension's size, the place that fixed it, and whether the caller declared it.

    ``term`` is how the caller's own code writes this size (an argument name such as
    ``timesteps``, or ``len(x)``): fix lines then speak the caller's language.
    """

    size: int
    where: str
    declared: bool = False  # ``units=64`` given by the caller, not shown by a tensor
    term: str | None = None


class ShapeError(ValueError):
    """A tensor's shape contradicts what the code expects.

    Fields: ``where`` (function/layer and argument), ``expected`` (the named dims),
    ``actual`` (the shape received), ``bindings`` (dim name -> Binding), ``code`` (a
    misconception code), ``fix`` (one line to copy) and ``detail`` (the precise reason).
    ``str(error)`` renders them into one message.
    """

    # TensorFlow's AutoGraph rewraps errors raised while tracing a tf.function (as
    # StagingError when it cannot rebuild them); this attribute makes it let ours through.
    ag_pass_through = True
    # Keras rewraps errors raised in a layer call as RuntimeError to add the call's
    # arguments, unless this is set; our message already says where it happened.
    _keras_call_info_injected = True

    def __init__(
        self,
        *,
        where: str,
        expected: tuple[str, ...] = (),
        actual: tuple[int | None, ...] | None = None,
        bindings: dict[str, Binding] | None = None,
        code: str = "dimension_mismatch",
        fix: str = "",
        detail: str = "",
    ) -> None:
        self.where = where
        self.expected = tuple(expected)
        self.actual = None if actual is None else tuple(actual)
        self.bindings = dict(bindings or {})
        self.code = code
        self.fix = fix
        self.detail = detail
        super().__init__(self._render())

    def _render(self) -> str:
        from lstm_shapes.core.messages import render_shape_error

        return render_shape_error(self)

    def __reduce__(self):  # picklable across processes (pytest-xdist, the grader)
        return _rebuild, (type(self), self.__dict__.copy())


def _rebuild(cls, state):
    state = {k: v for k, v in state.items() if k != "args"}
    return cls(**state)


class TensorTypeError(ShapeError, TypeError):
    """The value is not a tensor of the expected kind (list, string, int dtype, ragged...)."""


class SpecError(TypeError):
    """A shape spec or annotation itself is malformed (a mistake of its author)."""


for _cls in (ShapeError, TensorTypeError, SpecError, Binding):
    _cls.__module__ = "lstm_shapes"
