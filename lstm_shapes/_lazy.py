"""Lazy public names for a package: ``import lstm_shapes`` costs no TensorFlow import.

>>> getattr_, dir_ = lazy_exports("lstm_shapes", {"lstm_shapes.core.errors": ("ShapeError",)})
>>> getattr_("ShapeError").__name__, dir_()
('ShapeError', ['ShapeError'])
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, modules: dict[str, tuple[str, ...]]
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: each name imports its module on first use.

    ``modules`` maps a module to the public names it defines.
    """
    exports = {name: module for module, names in modules.items() for name in names}

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        setattr(sys.modules[package], name, value)  # the next access skips this hook
        return value

    def __dir__() -> list[str]:
        return sorted(exports)

    return __getattr__, __dir__
