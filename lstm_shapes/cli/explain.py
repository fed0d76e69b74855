"""`lstm-shapes explain FILE`: the shape story of a saved model or a build_model() script.

A Python file -- or an exercise's notebook, whose answer cells are its code -- is explained
through ``build_model()``. Without one (an exercise file: ``build_stacked(timesteps,
features, units=50)``), each ``build*`` function whose arguments are all sizes is called
with the sine task's sizes (:data:`SINE_SIZES`; a default the function gives wins) and its
model explained; a function that needs data (``build_and_train(x_train, ...)``) is not
called, since it would train.

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
# The sine task's sizes (windows of 10 values, one feature; the 50-unit LSTMs of the series)
SINE_SIZES = {"timesteps": 10, "features": 1, "units": 50, "batch_size": 32, "horizon": 3,
              "dropout": 0.0, "recurrent_dropout": 0.0}


class CannotLoad(Exception):
    """A file that is not a model we can read; the message is one line for the learner."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", help="a .keras file, a .py file defining build_model(), or "
                        "an exercise's file or notebook (its build functions, sine sizes)")
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
    if path.suffix not in (".py", ".ipynb"):
        raise CannotLoad(f"cannot load {path.name}: give a .keras model or a .py file "
                         "with build_model()")
    return _build_from_script(path)[0][1]


def models_from(path: str | Path) -> list[tuple[str, Any]]:
    """``(what was called, model)`` for each model a file gives (one for .keras files)."""
    path = Path(path)
    if path.suffix in (".py", ".ipynb") and path.is_file():
        return _build_from_script(path)
    return [("", load_model_from(path))]


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


def _module_of(path: Path) -> Any:
    """The Python file (or a notebook's answer cells) at ``path``, executed as a module."""
    import importlib.util
    import types

    from lstm_shapes.diagnosis.diagnosing import diagnosing

    if path.suffix == ".ipynb":
        from lstm_shapes.exercises.notebooks import NotebookError, learner_source, read_notebook

        try:
            source = learner_source(read_notebook(path), name=path.name)
        except NotebookError as err:
            raise CannotLoad(f"cannot load {path.name}: {err}") from None
        module = types.ModuleType(f"_lstm_shapes_explain_{path.stem}")
        module.__file__ = str(path)
        with diagnosing():
            exec(compile(source, str(path), "exec"), module.__dict__)  # noqa: S102 - theirs
        return module
    spec = importlib.util.spec_from_file_location(f"_lstm_shapes_explain_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    with diagnosing():
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _sizes_for(function: Any) -> dict[str, Any] | None:
    """Keyword arguments that call ``function`` with the sine sizes, or None if it needs more."""
    import inspect

    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return None
    kwargs: dict[str, Any] = {}
    for p in parameters:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.default is not p.empty:
            continue
        if p.name in SINE_SIZES:
            kwargs[p.name] = SINE_SIZES[p.name]
        elif p.name == "hp":  # a keras-tuner hypermodel: each choice's first value
            try:
                import keras_tuner
            except ImportError:
                return None
            kwargs[p.name] = keras_tuner.HyperParameters()
        else:
            return None
    return kwargs


def _builders(module: Any) -> list[tuple[str, Any, dict[str, Any]]]:
    """``(call text, function, kwargs)``: build_model(), else every callable build*."""
    build = getattr(module, "build_model", None)
    own = [(name, f) for name, f in vars(module).items() if name.startswith("build")
           and callable(f) and getattr(f, "__module__", None) == module.__name__]
    if callable(build) and _sizes_for(build) == {}:
        own = [("build_model", build)]
    found = []
    for name, function in own:
        kwargs = _sizes_for(function)
        if kwargs is not None:
            shown = ", ".join(f"{k}={v!r}" if k != "hp" else "hp=HyperParameters()"
                              for k, v in kwargs.items())
            found.append((f"{name}({shown})", function, kwargs))
    return found


def _build_from_script(path: Path) -> list[tuple[str, Any]]:
    """The models of the file's build functions, a shape mistake named (ShapeError)."""
    from lstm_shapes.diagnosis.diagnosing import diagnosing

    module = _module_of(path)
    builders = _builders(module)
    if not builders:
        others = sorted(name for name, f in vars(module).items()
                        if name.startswith("build") and callable(f))
        why = (f"; {', '.join(others)} need(s) more than sizes (data to train on?): save "
               "the model it returns with model.save('model.keras') and explain that file"
               if others else "")
        raise CannotLoad(f"cannot load {path.name}: it defines no build_model() function "
                         f"nor a build function taking only sizes ({', '.join(SINE_SIZES)})"
                         f"{why}")
    import keras

    models = []
    for call, function, kwargs in builders:
        with diagnosing():
            model = function(**kwargs)
        if not isinstance(model, keras.Model):
            raise CannotLoad(f"cannot explain {path.name}: {call.split('(')[0]}() returned "
                             f"{type(model).__name__}, not a keras.Model")
        models.append((call if call != "build_model()" else "", model))
    return models


def _where_in(err: BaseException, path: Path) -> str:
    """`` (at model.py:12)``: the last line of the user's file that the error passed."""
    import traceback

    lines = [f.lineno for f in traceback.extract_tb(err.__traceback__)
             if Path(f.filename).resolve() == path.resolve()]
    if lines and path.suffix == ".ipynb":  # the line of its answer cells, as a cell
        from lstm_shapes.exercises.notebooks import cell_location, read_notebook

        where = cell_location(read_notebook(path), lines[-1])
        return f" (at {path.name}: {where})" if where else ""
    return f" (at {path.name}:{lines[-1]})" if lines else ""


def run(args: argparse.Namespace) -> int:
    import sys

    from lstm_shapes.core.errors import ShapeError

    try:
        models = models_from(args.model)
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
    for number, (call, model) in enumerate(models):
        if call:
            print(f"{'' if not number else chr(10)}{call}  (the sine task's sizes)")
        story = explain(model)
        print(story)
        if args.png:
            png = Path(args.png)
            if len(models) > 1:
                png = png.with_name(f"{png.stem}_{call.split('(')[0]}{png.suffix}")
            print(f"diagram: {story.to_png(png)}")
    return 0
