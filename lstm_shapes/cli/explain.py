"""`lstm-shapes explain FILE`: the shape story of a saved model or a build_model() script.

A file that cannot be loaded gets one line saying why, and exit code 2; Keras's own error
(with its config dump) is read for the name of what is missing:

>>> err = TypeError("Could not locate class 'MyLayer'. Make sure custom classes ... {...}")
>>> print(load_problem(Path("model.keras"), err))  # doctest: +NORMALIZE_WHITESPACE
cannot load model.keras: it uses the class 'MyLayer', which is not registered here; import
the module that defines it (with @keras.saving.register_keras_serializable) and try again
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from lstm_shapes.diagnosis.story import explain

# Keras 3: "Could not locate class 'MyLayer'. Make sure custom classes ..." (also "function")
_UNREGISTERED = re.compile(r"Could not locate (class|function) '([^']+)'")


class CannotLoad(Exception):
    """A file that is not a model we can read; the message is one line for the learner."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", help="a .keras file, or a .py file defining build_model()")
    parser.add_argument("--png", metavar="PATH", help="also draw the story as a PNG")


def load_model_from(path: str | Path) -> Any:
    """A model from a ``.keras`` file or from ``build_model()`` of a Python file.

    Raises CannotLoad for a missing file, a foreign or broken one, or one that needs a
    class this process does not know; whatever ``build_model()`` raises passes through.
    """
    path = Path(path)
    if not path.exists():
        raise CannotLoad(f"cannot load {path.name}: the file does not exist (looked for "
                         f"{path.absolute()})")
    if path.is_dir():
        raise CannotLoad(f"cannot load {path.name}: it is a folder, not a model file")
    if path.suffix == ".keras":
        return _load_keras(path)
    if path.suffix != ".py":
        raise CannotLoad(f"cannot load {path.name}: give a .keras model or a .py file "
                         "with build_model()")
    return _build_from_script(path)


def _load_keras(path: Path) -> Any:
    """``keras.saving.load_model`` on a file checked to be a Keras archive first."""
    import warnings
    import zipfile

    if not zipfile.is_zipfile(path):
        raise CannotLoad(f"cannot load {path.name}: it is not a Keras model file (a .keras "
                         "file is the zip archive that model.save('model.keras') writes)")
    with zipfile.ZipFile(path) as archive:
        if "config.json" not in archive.namelist():
            raise CannotLoad(f"cannot load {path.name}: it is a zip archive but not a Keras "
                             "model (it has no config.json; save it with model.save(...))")
    import keras

    with warnings.catch_warnings(record=True) as said:  # shown only if the load works
        warnings.simplefilter("always")
        try:
            model = keras.saving.load_model(path, compile=False)
        except Exception as err:  # every Keras load error becomes one line
            raise CannotLoad(load_problem(path, err)) from err
    for w in said:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return model


def load_problem(path: Path, err: BaseException) -> str:
    """One line naming why Keras could not load ``path`` (see the module docstring)."""
    text = str(err)
    missing = _UNREGISTERED.search(text)
    if missing:
        kind, name = missing.groups()
        return (f"cannot load {path.name}: it uses the {kind} '{name}', which is not "
                "registered here; import the module that defines it (with "
                "@keras.saving.register_keras_serializable) and try again")
    if "safe_mode" in text:
        return (f"cannot load {path.name}: it holds a Lambda layer's Python code, which Keras "
                "does not load from a file unless asked; if you trust the file, rebuild the "
                "model from its code (or load it with safe_mode=False)")
    first = re.split(r"\n|config=|Full object config", text, maxsplit=1)[0].strip(" .:")
    first = first if len(first) <= 160 else first[:157] + "..."
    return f"cannot load {path.name}: Keras said {type(err).__name__}: {first}"


def _build_from_script(path: Path) -> Any:
    """``build_model()`` of the Python file at ``path``, a shape mistake named (ShapeError)."""
    import importlib.util

    from lstm_shapes.diagnosis.diagnosing import diagnosing

    spec = importlib.util.spec_from_file_location(f"_lstm_shapes_explain_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    with diagnosing():
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    build = getattr(module, "build_model", None)
    if not callable(build):
        raise CannotLoad(f"cannot load {path.name}: it defines no build_model() function")
    with diagnosing():
        model = build()
    import keras

    if not isinstance(model, keras.Model):
        raise CannotLoad(f"cannot explain {path.name}: build_model() returned "
                         f"{type(model).__name__}, not a keras.Model")
    return model


def _where_in(err: BaseException, path: Path) -> str:
    """`` (at model.py:12)``: the last line of the user's file that the error passed."""
    import traceback

    lines = [f.lineno for f in traceback.extract_tb(err.__traceback__)
             if Path(f.filename).resolve() == path.resolve()]
    return f" (at {path.name}:{lines[-1]})" if lines else ""


def run(args: argparse.Namespace) -> int:
    import sys

    from lstm_shapes.core.errors import ShapeError

    try:
        model = load_model_from(args.model)
    except CannotLoad as err:  # not a model file we can read
        print(f"lstm-shapes explain: {err}", file=sys.stderr)
        return 2
    except ShapeError as err:  # the model's own shape mistake, named
        print(f"lstm-shapes explain: {err}", file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 - the user's build_model() is broken
        path = Path(args.model)
        print(f"lstm-shapes explain: {path.name}: building the model raised "
              f"{type(err).__name__}: {err}{_where_in(err, path)}", file=sys.stderr)
        return 1
    story = explain(model)
    print(story)
    if args.png:
        print(f"diagram: {story.to_png(args.png)}")
    return 0
