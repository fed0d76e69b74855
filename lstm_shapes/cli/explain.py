"""`lstm-shapes explain FILE`: the shape story of a saved model or a build_model() script."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from lstm_shapes.diagnosis.story import explain


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", help="a .keras file, or a .py file defining build_model()")
    parser.add_argument("--png", metavar="PATH", help="also draw the story as a PNG")


def load_model_from(path: str | Path) -> Any:
    """A model from a ``.keras`` file or from ``build_model()`` of a Python file."""
    import importlib.util

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    if path.suffix == ".keras":
        import keras

        return keras.saving.load_model(path, compile=False)
    if path.suffix != ".py":
        raise ValueError(f"{path.name}: give a .keras model or a .py file with build_model()")
    spec = importlib.util.spec_from_file_location(f"_lstm_shapes_explain_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    if not callable(getattr(module, "build_model", None)):
        raise ValueError(f"{path.name} defines no build_model() function")
    return module.build_model()


def run(args: argparse.Namespace) -> int:
    import sys

    from lstm_shapes.core.errors import ShapeError
    from lstm_shapes.diagnosis.diagnosing import diagnosing

    try:
        with diagnosing():
            model = load_model_from(args.model)
    except ShapeError as err:  # the model's own shape mistake, named
        print(f"lstm-shapes explain: {err}", file=sys.stderr)
        return 1
    except (FileNotFoundError, ValueError) as err:  # not a model file we can read
        print(f"lstm-shapes explain: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # noqa: BLE001 - the user's build_model() is broken
        print(f"lstm-shapes explain: {Path(args.model).name}: building the model raised "
              f"{type(err).__name__}: {err}", file=sys.stderr)
        return 1
    story = explain(model)
    print(story)
    if args.png:
        print(f"diagram: {story.to_png(args.png)}")
    return 0
