"""The exercise manifest ``info.toml``: the ordered curriculum, loaded and validated.

Fields (top level):
    format_version   must be 1.
    welcome_message  text shown by ``lstm-shapes`` before the first exercise is solved.
    edition          (optional) ``"notebooks"`` or ``"files"``: written by ``lstm-shapes
                     release --notebooks`` into the learner copy it makes (see below).
    [[exercises]]    the series, in order (the order is the curriculum; numbers start at 1).

Fields of each ``[[exercises]]`` entry:
    name    unique identifier (``[a-z][a-z0-9_]*``); the learner file is ``<dir>/<name>.py``,
            its tests ``<dir>/test_<name>.py``.
    dir     the exercise's folder, relative to the folder holding ``info.toml``.
    title   one line shown by ``lstm-shapes`` and ``lstm-shapes check``.
    points  the exercise's total points, a positive integer.
    kind    ``"implement"`` (write the missing code) or ``"fix"`` (repair broken code).
    hints   2 or 3 non-empty hints, revealed one per ``lstm-shapes hint N``.
    takeaway  (optional) what the exercise taught, shown exactly as written after it
            passes (surrounding blank space aside). Without it, none is shown.

An exercise's learner work is its file ``<dir>/<name>.py`` (the file edition) or the notebook
``<dir>.ipynb`` beside ``info.toml`` (the notebook edition, ``lstm-shapes release
--notebooks``); either one is enough. Where both exist, the series' edition decides
(:attr:`Exercise.source`): the one it released is the work, and the check names the other
(:mod:`.work`; a copy of the notebook: :mod:`.copies`). A copy released before the edition was recorded is the notebook edition
when some exercise has its notebook and no learner file.

Reading the manifest needs only the standard library (``lstm-shapes hint`` stays instant).

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> _ = (root / "info.toml").write_text('''format_version = 1
... welcome_message = "hi"
... [[exercises]]
... name = "windows"
... dir = "01_windows"
... title = "Windows"
... points = 10
... kind = "implement"
... hints = ["What is a window?", "Which axis is time?"]
... ''')
>>> manifest = load_manifest(root, check_files=False)
>>> [(e.number, e.name, e.points) for e in manifest.exercises]
[(1, 'windows', 10)]
>>> manifest.get("1").learner_file.relative_to(root).as_posix()
'01_windows/windows.py'
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

MANIFEST = "info.toml"
KINDS = ("implement", "fix")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_FIELDS = {"name": str, "dir": str, "title": str, "points": int, "kind": str, "hints": list}
_OPTIONAL = {"takeaway": str}
NOTEBOOK_SUFFIX = ".ipynb"
EDITIONS = ("files", "notebooks")
_TYPE_NAMES = {str: "a string", int: "an integer", list: "a list"}


class ManifestError(ValueError):
    """``info.toml`` is missing or malformed; the message names the entry and the field."""


class NoSeriesError(ManifestError):
    """No ``info.toml`` was found from the current folder up (the message says how to start)."""


@dataclass(frozen=True)
class Exercise:
    """One entry of the series (see the module docstring for the fields)."""

    number: int
    name: str
    dir: str
    title: str
    points: int
    kind: str
    hints: tuple[str, ...]
    root: Path
    takeaway: str = ""
    edition: str = "files"  # the series' (Manifest.edition): which file is the work

    @property
    def folder(self) -> Path:
        return self.root / self.dir

    @property
    def notebook_file(self) -> Path:
        """The notebook edition's learner file: ``<root>/<dir>.ipynb``."""
        return self.root / f"{self.dir}{NOTEBOOK_SUFFIX}"

    @property
    def source(self) -> Path:
        """Where the learner works: the edition's file (the notebook in the notebook
        edition, else the learner file) when it exists, else the other one if that exists."""
        mine, other = ((self.notebook_file, self.learner_file) if self.edition == "notebooks"
                       else (self.learner_file, self.notebook_file))
        return other if not mine.is_file() and other.is_file() else mine

    @property
    def learner_file(self) -> Path:
        return self.folder / f"{self.name}.py"

    @property
    def test_file(self) -> Path:
        return self.folder / f"test_{self.name}.py"

    @property
    def label(self) -> str:
        """``"3 outputs"``: how the CLI names an exercise."""
        return f"{self.number} {self.name}"

    @property
    def visible_points(self) -> float:
        """The points of the tests in this copy (a learner copy has no hidden tests)."""
        try:
            return sum(points for _, points in marker_points(self.test_file))
        except (OSError, SyntaxError, ValueError):
            return float(self.points)  # unreadable tests: no claim of hidden points


@dataclass(frozen=True)
class Manifest:
    """The loaded ``info.toml``: ``exercises`` in curriculum order."""

    root: Path
    format_version: int
    welcome_message: str
    exercises: tuple[Exercise, ...]
    edition: str = "files"

    @property
    def total_points(self) -> int:
        return sum(e.points for e in self.exercises)

    def get(self, ref: int | str) -> Exercise:
        """The exercise by number (``3``, ``"3"``), name (``"outputs"``), folder, or the path
        of its notebook or one of its files (``03_outputs.ipynb``, ``03_outputs/outputs.py``).

        Raises:
            ManifestError: no such exercise (the message lists the valid range).
        """
        text = str(ref).strip()
        if isinstance(ref, os.PathLike) or text.endswith((".py", NOTEBOOK_SUFFIX)):
            return self._by_path(Path(text))
        if text.isdigit():
            number = int(text)
            if 1 <= number <= len(self.exercises):
                return self.exercises[number - 1]
        for exercise in self.exercises:
            if exercise.name == text or exercise.dir == text:
                return exercise
        raise ManifestError(
            f"no exercise {text!r}: use a number from 1 to {len(self.exercises)} "
            f"or a name ({', '.join(e.name for e in self.exercises[:3])}, ...)")

    def _by_path(self, path: Path) -> Exercise:
        """The exercise whose notebook, learner file or test file ``path`` names."""
        for exercise in self.exercises:
            named = (path.name == exercise.notebook_file.name and path.parent.name in
                     ("", ".", self.root.name) or path.name in (exercise.learner_file.name,
                     exercise.test_file.name) and path.parent.name in ("", ".", exercise.dir))
            if named and (not path.exists() or path.resolve() in (exercise.notebook_file,
                          exercise.learner_file, exercise.test_file)):
                return exercise
        from lstm_shapes.exercises.copies import not_an_exercise

        raise ManifestError(not_an_exercise(self, path))


def marker_points(test_file: Path) -> list[tuple[str, float]]:
    """``(name, points)`` of every ``@pytest.mark.exercise`` in ``test_file``, read without
    running it (no pytest, no TensorFlow).

    Raises:
        OSError, SyntaxError, ValueError: the file cannot be read or parsed.
    """
    import ast

    found = []
    for node in ast.walk(ast.parse(test_file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "pytest.mark.exercise":
            name = ast.literal_eval(node.args[0]) if node.args else None
            points = next((ast.literal_eval(k.value) for k in node.keywords
                           if k.arg == "points"), 1)
            found.append((name, float(points)))
    return found


def _entry_error(index: int, raw: dict[str, Any], message: str) -> ManifestError:
    name = raw.get("name") if isinstance(raw.get("name"), str) else "?"
    return ManifestError(f"{MANIFEST}: exercise #{index} ({name}): {message}")


def _exercise(index: int, raw: Any, root: Path) -> Exercise:
    if not isinstance(raw, dict):
        raise ManifestError(f"{MANIFEST}: exercise #{index} must be a [[exercises]] table")
    for field, kind in {**_FIELDS, **_OPTIONAL}.items():
        if field not in raw:
            if field in _OPTIONAL:
                continue
            raise _entry_error(index, raw, f"missing field {field!r}")
        value = raw[field]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise _entry_error(index, raw, f"field {field!r} must be {_TYPE_NAMES[kind]}, "
                                           f"got {value!r}")
    unknown = sorted(set(raw) - set(_FIELDS) - set(_OPTIONAL))
    if unknown:
        raise _entry_error(index, raw, f"unknown field(s) {', '.join(unknown)} "
                                       f"(known: {', '.join([*_FIELDS, *_OPTIONAL])})")
    if not _NAME.match(raw["name"]):
        raise _entry_error(index, raw, f"field 'name' must match {_NAME.pattern}, "
                                       f"got {raw['name']!r}")
    if raw["points"] <= 0:
        raise _entry_error(index, raw, f"field 'points' must be positive, got {raw['points']}")
    if raw["kind"] not in KINDS:
        raise _entry_error(index, raw, f"field 'kind' must be one of {', '.join(KINDS)}, "
                                       f"got {raw['kind']!r}")
    if not raw["title"].strip() or "\n" in raw["title"]:
        raise _entry_error(index, raw, "field 'title' must be one non-empty line")
    hints = raw["hints"]
    if not 2 <= len(hints) <= 3:
        raise _entry_error(index, raw, f"field 'hints' must hold 2 or 3 hints, got {len(hints)}")
    for i, hint in enumerate(hints, 1):
        if not isinstance(hint, str) or not hint.strip():
            raise _entry_error(index, raw, f"field 'hints': hint {i} must be non-empty text")
    folder = Path(raw["dir"])
    if folder.is_absolute() or ".." in folder.parts or not raw["dir"].strip():
        raise _entry_error(index, raw, f"field 'dir' must be a folder inside the exercises "
                                       f"root, got {raw['dir']!r}")
    return Exercise(number=index, name=raw["name"], dir=raw["dir"], title=raw["title"],
                    points=raw["points"], kind=raw["kind"],
                    hints=tuple(h.strip() for h in hints), root=root,
                    takeaway=raw.get("takeaway", "").strip())


def _check_files(exercise: Exercise) -> None:
    for label, path in (("dir", exercise.folder), ("learner file", exercise.learner_file),
                        ("test file", exercise.test_file)):
        exists = path.is_dir() if label == "dir" else path.is_file()
        if label == "learner file" and not exists and exercise.notebook_file.is_file():
            continue  # the notebook edition: the notebook holds the learner's code
        if not exists:
            nor = ""
            if label == "learner file":
                from lstm_shapes.exercises.copies import rename_advice

                nor = f" (nor the notebook {exercise.notebook_file.name}){rename_advice(exercise)}"
            raise ManifestError(f"{MANIFEST}: exercise #{exercise.number} ({exercise.name}): "
                                f"{label} {path.relative_to(exercise.root).as_posix()} "
                                f"does not exist{nor}")


def load_manifest(root: str | os.PathLike[str], *, check_files: bool = True) -> Manifest:
    """Load and validate ``root/info.toml``.

    Args:
        root: the exercises folder (the one holding ``info.toml``).
        check_files: also require every exercise's folder, learner file and test file.

    Raises:
        ManifestError: the file is missing, not TOML, or an entry is malformed; the message
            names the entry (number and name) and the field.
    """
    root = Path(root).resolve()
    path = root / MANIFEST
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"no {MANIFEST} in {root}") from None
    except tomllib.TOMLDecodeError as err:
        raise ManifestError(f"{path}: not valid TOML: {err}") from None
    if data.get("format_version") != 1:
        raise ManifestError(f"{MANIFEST}: field 'format_version' must be 1, "
                            f"got {data.get('format_version')!r}")
    welcome = data.get("welcome_message", "")
    if not isinstance(welcome, str):
        raise ManifestError(f"{MANIFEST}: field 'welcome_message' must be text")
    raw_list = data.get("exercises")
    if not isinstance(raw_list, list) or not raw_list:
        raise ManifestError(f"{MANIFEST}: needs at least one [[exercises]] entry")
    exercises = tuple(_exercise(i, raw, root) for i, raw in enumerate(raw_list, 1))
    for field in ("name", "dir"):
        seen: dict[str, int] = {}
        for exercise in exercises:
            value = getattr(exercise, field)
            if value in seen:
                raise ManifestError(f"{MANIFEST}: exercise #{exercise.number} ({exercise.name}): "
                                    f"duplicate {field} {value!r} (also exercise "
                                    f"#{seen[value]})")
            seen[value] = exercise.number
    if check_files:
        for exercise in exercises:
            _check_files(exercise)
    edition = data.get("edition")
    if edition is None:  # a copy released before the edition was recorded
        edition = EDITIONS[any(not e.learner_file.is_file() and e.notebook_file.is_file()
                               for e in exercises)]
    elif edition not in EDITIONS:
        raise ManifestError(f"{MANIFEST}: field 'edition' must be one of {', '.join(EDITIONS)}, "
                            f"got {edition!r}")
    return Manifest(root=root, format_version=1, welcome_message=welcome.strip(),
                    exercises=tuple(replace(e, edition=edition) for e in exercises),
                    edition=edition)


def instructor_root() -> Path:
    """The instructor copy beside the package (an editable install or a source checkout)."""
    import lstm_shapes

    return Path(lstm_shapes.__file__).resolve().parents[1] / "exercises"


NO_SERIES = """no exercise series here: lstm-shapes looks for {manifest} in {here} and above.
To start, work in a learner copy of the series:
  - your instructor hands it out (a folder, or a zip to unpack): cd there, run lstm-shapes
  - or make one from the bundled series: lstm-shapes release --out my-series && cd my-series
    (add --notebooks for the Jupyter edition: one notebook per exercise)
Elsewhere, name the folder: lstm-shapes --dir <folder holding {manifest}>, or after the verb:
  lstm-shapes check 1 --dir <folder holding {manifest}>"""


def find_root(start: str | os.PathLike[str] | None = None, *,
              explicit: str | os.PathLike[str] | None = None,
              default: Path | None = None) -> Path:
    """The exercises folder to work in.

    In order: ``explicit`` (the ``--dir`` option); the nearest folder at or above ``start``
    (default: the current directory) that holds ``info.toml``, or an ``exercises/info.toml``
    child; ``default`` (``release`` passes the instructor copy beside the package; the
    learner's verbs pass nothing, so they never wander into an instructor copy).

    Raises:
        ManifestError: ``explicit`` has no ``info.toml``.
        NoSeriesError: nothing was found (the message says how to start, from the CLI).
    """
    if explicit is not None:
        root = Path(explicit).expanduser().resolve()
        if not (root / MANIFEST).is_file():
            raise ManifestError(f"{explicit}: no {MANIFEST} there (name the folder that holds "
                                f"the series' {MANIFEST})")
        return root
    here = Path.cwd() if start is None else Path(start)
    for folder in (here.resolve(), *here.resolve().parents):
        if (folder / MANIFEST).is_file():
            return folder
        if (folder / "exercises" / MANIFEST).is_file():
            return folder / "exercises"
    if default is not None and (default / MANIFEST).is_file():
        return default
    raise NoSeriesError(NO_SERIES.format(manifest=MANIFEST, here=here.resolve()))


def is_instructor_copy(manifest: Manifest) -> bool:
    """Whether a learner file of ``manifest`` still holds a solution block (no learner copy).

    >>> import tempfile
    >>> from types import SimpleNamespace as Stub
    >>> f = Path(tempfile.mkdtemp()) / "a.py"
    >>> _ = f.write_text("def f():\\n    ### BEGIN SOLUTION\\n")
    >>> is_instructor_copy(Stub(exercises=[Stub(learner_file=f)]))
    True
    """
    from lstm_shapes.exercises.markers import BEGIN_SOLUTION

    for exercise in manifest.exercises:
        try:
            if BEGIN_SOLUTION in exercise.learner_file.read_text(encoding="utf-8"):
                return True
        except (OSError, UnicodeDecodeError):
            continue
    return False


def exercise_number(test_file: str | os.PathLike[str]) -> tuple[int, int] | None:
    """``(number, count)`` of the exercise whose test file this is, or None (never raises).

    Used in failure messages ("run `lstm-shapes hint 3`"), so it reads the manifest leniently.
    """
    try:
        path = Path(test_file).resolve()
        data = tomllib.loads((path.parent.parent / MANIFEST).read_text(encoding="utf-8"))
        entries = data["exercises"]
        for i, raw in enumerate(entries, 1):
            if raw.get("dir") == path.parent.name and f"test_{raw.get('name')}.py" == path.name:
                return i, len(entries)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return None
