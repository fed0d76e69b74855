"""Register ``ExpectShape`` with Keras as soon as Keras is imported, without importing Keras.

A saved ``.keras`` file names the layer ``"lstm_shapes>ExpectShape"``. Keras 3 finds such a
class only in its registry, filled by ``@keras.saving.register_keras_serializable`` when
``lstm_shapes.core.layers`` is imported: it imports the config's ``"module"`` only for its
own packages (``keras``, ``keras_hub``, ...) and reads no entry points. So ``import
lstm_shapes`` calls :func:`install`, which imports ``core.layers`` right after Keras has been
imported (at once if it already is). Nothing happens if Keras is never imported, and a
failure here never breaks ``import keras``: ``from lstm_shapes import ExpectShape`` would
then show the real error.

>>> import keras, lstm_shapes
>>> keras.saving.get_registered_object("lstm_shapes>ExpectShape").__name__
'ExpectShape'
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

from lstm_shapes.core.import_hooks import wrap_import

REGISTERED_NAME = "lstm_shapes>ExpectShape"

_installed = False


def register_layers() -> bool:
    """Import ``core.layers`` so its decorator registers ``ExpectShape``; ``False`` on failure."""
    try:
        import lstm_shapes.core.layers  # noqa: F401 - the import registers the layer
    except Exception:  # someone else's `import keras` must work even if we cannot
        return False
    return True


def _after_keras(exec_module: Callable[[ModuleType], None], module: ModuleType) -> None:
    exec_module(module)  # Keras' own errors propagate untouched
    register_layers()


def install() -> None:
    """Register ``ExpectShape`` now if Keras is imported, else right after its import."""
    global _installed
    if _installed:
        return
    _installed = True
    keras = sys.modules.get("keras")
    if keras is None:
        wrap_import("keras", _after_keras)
    elif getattr(getattr(keras, "__spec__", None), "_initializing", False):
        pass  # imported from inside Keras' own import: too early, and unusual; skip
    else:
        register_layers()
