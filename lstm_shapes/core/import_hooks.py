"""Run code around the import of a top-level module, without importing it.

``wrap_import("keras", wrapper)`` puts one small finder on ``sys.meta_path``. The next time
``keras`` is imported, its loader runs ``wrapper(exec_module, module)`` instead of
``exec_module(module)``; every other import is passed on at the cost of one dict look-up.
Each wrapper runs once. A module that is already imported is not touched (callers handle
that case themselves).

>>> calls = []
>>> def after(exec_module, module):
...     exec_module(module)
...     calls.append(module.__name__)
>>> wrap_import("colorsys", after)
>>> import sys; sys.modules.pop("colorsys", None) and None
>>> import colorsys
>>> calls
['colorsys']

(This is the post-import hook of ``wrapt.register_post_import_hook``, written out here: the
``wrapt`` 2.x package costs about 85 ms to import, three times ``import lstm_shapes``.)
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

Wrapper = Callable[[Callable[[ModuleType], None], ModuleType], None]

_wrappers: dict[str, list[Wrapper]] = {}
_lock = threading.RLock()


def wrap_import(name: str, wrapper: Wrapper) -> None:
    """Run ``wrapper(exec_module, module)`` in place of the next import of ``name``."""
    with _lock:
        _wrappers.setdefault(name, []).append(wrapper)
        if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
            sys.meta_path.insert(0, _Finder())


class _Finder:
    """A meta-path finder that hands out a wrapped loader for the watched names."""

    def __init__(self) -> None:
        self._busy = threading.local()  # names this thread is looking up right now

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        busy = self._busy.__dict__.setdefault("names", set())
        if fullname not in _wrappers or fullname in busy:
            return None
        busy.add(fullname)
        try:  # ask the other finders for the real spec
            spec = importlib.util.find_spec(fullname)
        finally:
            busy.discard(fullname)
        if spec is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _Loader(spec.loader, fullname)
        return spec


class _Loader:
    """The real loader, with the wrappers around ``exec_module``; otherwise the same."""

    def __init__(self, loader: Any, name: str) -> None:
        self._loader = loader
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._loader, attr)

    def create_module(self, spec: Any) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = self._loader  # the module sees its real loader
        if getattr(module, "__spec__", None) is not None:
            module.__spec__.loader = self._loader
        with _lock:
            wrappers = _wrappers.pop(self._name, [])
        run = self._loader.exec_module
        for wrapper in wrappers:  # the first one added runs innermost
            run = _chain(wrapper, run)
        run(module)


def _chain(wrapper: Wrapper, inner: Callable[[ModuleType], None]
           ) -> Callable[[ModuleType], None]:
    return lambda module: wrapper(inner, module)
