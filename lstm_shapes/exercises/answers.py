"""Answers: what a learner's code produced, as plain files the judge can trust.

An exercise's test file defines ``probe_<key>(module, rng)`` functions. Only they run the
learner's code; each returns a plain value that is written to ``<key>.npy`` (numeric
arrays), ``<key>.json`` (numbers, strings, bools, lists, dicts), ``<key>.keras`` (a Keras
model, reloaded with ``safe_mode=True``) or ``<key>.error.json`` (the exception it
raised). The tests then judge the *files*. The grader runs the probes in a child process
and judges in its own process, so a submission can forge answers but never the verdict.

>>> import numpy as np, tempfile
>>> d = tempfile.mkdtemp()
>>> save_answer(d, "shape", [32, 10, 50]); save_answer(d, "x", np.zeros((2, 3)))
>>> sorted(load_answers(d))
['shape', 'x']
"""

from __future__ import annotations

import json
import math
import re
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_ARRAY_BYTES = 64 * 2**20
MAX_JSON_BYTES = 2**20


class AnswerFormatError(ValueError):
    """A probe returned (or a file holds) something that is not a plain answer."""

    code: str | None = None  # a misconception code when the reason is the learner's


@dataclass(frozen=True)
class AnswerError:
    """The learner's code raised instead of answering."""

    key: str
    type: str
    message: str
    code: str | None = None  # the misconception code of a ShapeError
    location: str | None = None  # "file.py:12 in build" (the learner's innermost frame)


def _check_key(key: str) -> None:
    if not _KEY.match(key):
        raise AnswerFormatError(f"answer key {key!r} must match {_KEY.pattern}")


def _plain_json(value: Any, depth: int = 0) -> Any:
    """Validate and normalise JSON-able answers (no NaN, no custom objects)."""
    if depth > 8:
        raise AnswerFormatError("answer nested too deeply")
    if isinstance(value, (bool, str)) or value is None:
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            err = AnswerFormatError(f"answer number {value!r} is not finite: a loss or a "
                                    "measurement became NaN or inf")
            err.code = "non_finite_values"  # the learner's data or training, named
            raise err
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_plain_json(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain_json(v, depth + 1) for k, v in value.items()}
    raise AnswerFormatError(f"an answer of type {type(value).__name__} is not plain data")


def save_answer(directory: str | Path, key: str, value: Any) -> None:
    """Write one answer (see the module docstring for the formats)."""
    _check_key(key)
    directory = Path(directory)
    if type(value).__name__ in ("EagerTensor", "ResourceVariable", "Tensor") or (
            hasattr(value, "numpy") and not hasattr(value, "save")):
        value = np.asarray(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise AnswerFormatError(f"answer {key}: arrays must be numeric, got {value.dtype}")
        np.save(directory / f"{key}.npy", np.ascontiguousarray(value), allow_pickle=False)
        return
    if hasattr(value, "save") and hasattr(value, "layers"):  # a keras.Model
        value.save(directory / f"{key}.keras")
        return
    text = json.dumps(_plain_json(value))
    (directory / f"{key}.json").write_text(text)


def error_location(error: BaseException, learner_file: str | Path | None = None) -> str | None:
    """``"name.py:12 in build"``: the innermost frame of ``learner_file`` (else the last one).

    >>> try:
    ...     compile("x = (", "windows.py", "exec")
    ... except SyntaxError as err:
    ...     print(error_location(err))
    windows.py:1
    """
    if isinstance(error, SyntaxError) and error.filename:
        return f"{Path(error.filename).name}:{error.lineno}"
    frames = traceback.extract_tb(error.__traceback__)
    if learner_file is not None:
        wanted = str(Path(learner_file).resolve())
        mine = [f for f in frames if f.filename and str(Path(f.filename).resolve()) == wanted]
        frames = mine or frames
    if not frames:
        return None
    frame = frames[-1]
    return f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}"


_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # Keras 3 makes its messages bold in a terminal


def _raised_by(error: BaseException) -> str | None:
    """The package whose code raised ``error`` when it is not the learner's: the innermost
    frame's top-level module, if it is a library's (keras, tensorflow, numpy, ...)."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    module = str(tb.tb_frame.f_globals.get("__name__", "")) if tb is not None else ""
    top = module.partition(".")[0]
    return top if top in ("keras", "tensorflow", "numpy", "sklearn", "keras_tuner") else None


def save_error(directory: str | Path, key: str, error: BaseException, *,
               location: str | None = None) -> None:
    """Record that the probe for ``key`` raised ``error`` (``location``: where, if known).

    A NotImplementedError is the stub's "not done yet" only when the learner's code raised
    it: one a library raised (Keras's Lambda that cannot infer its shape) is named so.
    """
    _check_key(key)
    message = _ANSI.sub("", str(error)) or type(error).__name__
    kind = type(error).__name__
    library = _raised_by(error) if isinstance(error, NotImplementedError) else None
    record = {"type": f"{kind} inside {library}" if library else kind,
              "message": message[:4000],
              "code": getattr(error, "code", None) if isinstance(
                  getattr(error, "code", None), str) else None,
              "where": "".join(traceback.format_exception_only(type(error), error))[-2000:],
              "location": (location or error_location(error) or "")[:300] or None}
    (Path(directory) / f"{key}.error.json").write_text(json.dumps(record))


def load_answers(directory: str | Path) -> dict[str, Any]:
    """Read every answer file; AnswerError values for probes that raised.

    Raises:
        AnswerFormatError: a file is not a valid answer (too big, pickled, malformed).
    """
    out: dict[str, Any] = {}
    for path in sorted(Path(directory).iterdir()):
        if path.is_symlink() or not path.is_file():
            raise AnswerFormatError(f"{path.name}: answers are plain files")
        name = path.name
        key, _, suffix = name.partition(".")
        _check_key(key)
        if suffix == "npy":
            if path.stat().st_size > MAX_ARRAY_BYTES:
                raise AnswerFormatError(f"{name}: larger than {MAX_ARRAY_BYTES} bytes")
            try:
                out[key] = np.load(path, allow_pickle=False)
            except ValueError as err:
                raise AnswerFormatError(f"{name}: {err}") from None
        elif suffix in ("json", "error.json"):
            if path.stat().st_size > MAX_JSON_BYTES:
                raise AnswerFormatError(f"{name}: larger than {MAX_JSON_BYTES} bytes")
            try:
                data = json.loads(path.read_text())
            except (ValueError, UnicodeDecodeError) as err:
                raise AnswerFormatError(f"{name}: not JSON ({err})") from None
            if suffix == "json":
                out[key] = _plain_json(data)
            else:
                out[key] = AnswerError(key, str(data.get("type")), str(data.get("message")),
                                       data.get("code") if isinstance(data.get("code"), str)
                                       else None,
                                       data.get("location") if isinstance(
                                           data.get("location"), str) else None)
        elif suffix == "keras":
            import keras

            try:
                import lstm_shapes.core.layers  # noqa: F401 - ExpectShape layers load too

                out[key] = keras.saving.load_model(path, safe_mode=True, compile=False)
            except MemoryError:
                raise  # the judge's memory limit: the grader names it per exercise
            except Exception as err:  # noqa: BLE001 - any load failure means "not a model"
                out[key] = AnswerError(key, "ModelLoadError",
                                       f"the model could not be loaded safely: {err}")
        else:
            raise AnswerFormatError(f"{name}: unknown answer file type")
    return out
