"""The import hook that registers ExpectShape with Keras, on stand-in modules (fast).

The real round trip through a saved ``.keras`` file in fresh processes is in test_layers.py.
"""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
import textwrap

import pytest

from lstm_shapes.core import registration
from lstm_shapes.core.import_hooks import wrap_import


@pytest.fixture
def module_file(tmp_path, monkeypatch):
    """Write ``name.py`` on sys.path; the module is forgotten again afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    names = []

    def write(name: str, body: str = "VALUE = 1\n") -> str:
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(body))
        names.append(name)
        return name

    yield write
    for name in names:
        sys.modules.pop(name, None)


def test_wrapper_runs_around_the_next_import_once(module_file):
    name = module_file("hooked_once")
    calls = []

    def wrapper(exec_module, module):
        calls.append(("before", hasattr(module, "VALUE")))
        exec_module(module)
        calls.append(("after", module.VALUE))

    wrap_import(name, wrapper)
    assert importlib.util.find_spec(name) is not None  # a look-up is not an import
    assert calls == []
    module = importlib.import_module(name)
    assert calls == [("before", False), ("after", 1)]
    assert type(module.__loader__).__name__ == "SourceFileLoader"  # the real loader again
    assert type(module.__spec__.loader).__name__ == "SourceFileLoader"
    sys.modules.pop(name)
    importlib.import_module(name)  # a second import runs no wrapper
    assert len(calls) == 2


def test_wrappers_nest_and_errors_of_the_module_propagate(module_file):
    name = module_file("hooked_broken", "raise RuntimeError('broken module')\n")
    calls = []

    def outer(exec_module, module):
        calls.append("outer")
        exec_module(module)

    def inner(exec_module, module):
        calls.append("inner")
        exec_module(module)

    wrap_import(name, inner)
    wrap_import(name, outer)
    with pytest.raises(RuntimeError, match="broken module"):
        importlib.import_module(name)
    assert calls == ["outer", "inner"] and name not in sys.modules


def test_a_failing_registration_never_breaks_the_import_of_keras(monkeypatch):
    """The hook runs inside someone else's ``import keras``: it must swallow its failure."""
    monkeypatch.setitem(sys.modules, "lstm_shapes.core.layers", None)  # import now fails
    loaded = []
    registration._after_keras(lambda module: loaded.append(module), "keras module")
    assert loaded == ["keras module"]
    assert registration.register_layers() is False


def test_import_lstm_shapes_loads_neither_keras_nor_tensorflow_but_watches_for_keras():
    code = ("import sys, lstm_shapes\n"
            "from lstm_shapes.core.import_hooks import _Finder, _wrappers\n"
            "heavy = [m for m in ('keras', 'tensorflow', 'lstm_shapes.core.layers', 'wrapt')"
            " if m in sys.modules]\n"
            "print(heavy, any(isinstance(f, _Finder) for f in sys.meta_path),"
            " sorted(_wrappers))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stdout.strip() == "[] True ['keras']"
