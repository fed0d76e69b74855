"""The learner copy: solutions replaced by stubs, hidden tests removed.

Markers in the instructor copy (whole lines, any indentation; the nbgrader/otter convention):

``### BEGIN SOLUTION [message]`` ... ``### END SOLUTION``
    Replaced by ``raise NotImplementedError("<message>")`` at the marker's indentation. The
    message is the text after ``BEGIN SOLUTION``, or "implement <function>()" from the
    enclosing ``def``. A solution block must sit inside a function (a stub that raises at
    import would fail every test with an import error instead of "not done yet").
``### BEGIN PROMPT`` ... ``### END PROMPT``
    Right after a solution block: what the learner gets INSTEAD of the ``raise`` (for "fix"
    exercises: the broken code). Its lines are comments in the instructor copy; the release
    removes one ``# `` after the indentation of each line.
``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``
    Removed with the markers (the grader keeps them: it grades with the instructor's tests).

>>> print(strip_markers('''def double(x):
...     ### BEGIN SOLUTION
...     return 2 * x
...     ### END SOLUTION
... '''), end="")
def double(x):
    raise NotImplementedError("implement double()")
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from lstm_shapes.exercises._manifest import MANIFEST, load_manifest

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_PROMPT = "### BEGIN PROMPT"
END_PROMPT = "### END PROMPT"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
MARKERS = (BEGIN_SOLUTION, END_SOLUTION, BEGIN_PROMPT, END_PROMPT, BEGIN_HIDDEN, END_HIDDEN)
_DEF = re.compile(r"^(\s*)(?:async\s+)?def\s+(\w+)")


class ReleaseError(ValueError):
    """The instructor copy's markers are malformed, or the output folder is not empty."""


@dataclass(frozen=True)
class Release:
    """What ``release`` wrote: the output folder and the files, relative to it."""

    out: Path
    files: tuple[str, ...]
    stubs: int
    hidden_blocks: int

    def __str__(self) -> str:
        return (f"wrote the learner copy to {self.out}: {len(self.files)} files, "
                f"{self.stubs} solutions replaced by stubs, {self.hidden_blocks} hidden test "
                f"blocks removed")


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _enclosing_function(lines: list[str], index: int, indent: str) -> str | None:
    for line in reversed(lines[:index]):
        match = _DEF.match(line)
        if match and len(match.group(1)) < len(indent):
            return match.group(2)
    return None


def _block_end(lines: list[str], start: int, end_marker: str, name: str) -> int:
    for j in range(start + 1, len(lines)):
        text = lines[j].strip()
        if text.startswith(end_marker):
            return j
        if any(text.startswith(m) for m in MARKERS):
            raise ReleaseError(f"{name}:{j + 1}: {text!r} inside the block opened at line "
                               f"{start + 1} (blocks do not nest; close it with {end_marker})")
    raise ReleaseError(f"{name}:{start + 1}: block never closed with {end_marker!r}")


def _uncomment(line: str, indent: str, name: str, number: int) -> str:
    body = line[len(indent):] if line.startswith(indent) else line.lstrip()
    if not line.strip():
        return ""
    if not body.startswith("#"):
        raise ReleaseError(f"{name}:{number}: a PROMPT line must be a comment in the "
                           f"instructor copy (got {line.strip()!r})")
    body = body[2:] if body.startswith("# ") else body[1:]
    return indent + body


def strip_markers(text: str, *, name: str = "<file>") -> str:
    """The learner version of one file (see the module docstring for the markers).

    Raises:
        ReleaseError: an unclosed, nested or stray marker, or a module-level solution;
            the message names the file and line.
    """
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith(BEGIN_SOLUTION):
            end = _block_end(lines, i, END_SOLUTION, name)
            indent = _indent(line)
            if not indent:
                raise ReleaseError(f"{name}:{i + 1}: a solution block at module level would "
                                   f"raise at import; put it inside a function")
            following = end + 1
            if following < len(lines) and lines[following].strip().startswith(BEGIN_PROMPT):
                prompt_end = _block_end(lines, following, END_PROMPT, name)
                out.extend(_uncomment(lines[k], indent, name, k + 1)
                           for k in range(following + 1, prompt_end))
                i = prompt_end + 1
                continue
            message = stripped[len(BEGIN_SOLUTION):].strip()
            if not message:
                function = _enclosing_function(lines, i, indent)
                message = f"implement {function}()" if function else "write this part"
            out.append(f"{indent}raise NotImplementedError({json.dumps(message)})")
            i = end + 1
        elif stripped.startswith(BEGIN_HIDDEN):
            i = _block_end(lines, i, END_HIDDEN, name) + 1
        elif stripped.startswith(BEGIN_PROMPT):
            raise ReleaseError(f"{name}:{i + 1}: a PROMPT block must follow right after a "
                               f"solution block's {END_SOLUTION!r} line")
        elif any(stripped.startswith(m) for m in MARKERS):
            raise ReleaseError(f"{name}:{i + 1}: {stripped!r} without its BEGIN marker")
        else:
            out.append(line)
            i += 1
    return "\n".join(out) + "\n"


def count_blocks(text: str) -> tuple[int, int]:
    """``(solution blocks, hidden test blocks)`` in an instructor file."""
    lines = [line.strip() for line in text.splitlines()]
    return (sum(line.startswith(BEGIN_SOLUTION) for line in lines),
            sum(line.startswith(BEGIN_HIDDEN) for line in lines))


def solution_text(path: str | os.PathLike[str]) -> str | None:
    """The reference solution of an instructor file (its solution blocks), or None.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "a.py"
    >>> _ = f.write_text("def f():\\n    ### BEGIN SOLUTION\\n    return 1\\n    ### END SOLUTION\\n")
    >>> print(solution_text(f))
    a.py:3-3
        return 1
    """
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    parts: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i].strip().startswith(BEGIN_SOLUTION):
            end = _block_end(lines, i, END_SOLUTION, path.name)
            parts.append(f"{path.name}:{i + 2}-{end}\n" + "\n".join(lines[i + 1:end]))
            i = end
        i += 1
    return "\n\n".join(parts) if parts else None


_README = """# lstm-shapes exercises

{welcome}

Edit the file of each exercise (`<folder>/<name>.py`): every
`raise NotImplementedError(...)` marks code for you to write; "fix" exercises hold a broken
model to repair. Do not change the tests (`test_<name>.py`): they are how your work is
checked. Your instructor grades with more tests than you have here (hidden ones, on fresh
inputs), so `check` shows the points of the tests in this copy -- 8/8 of an exercise worth
10, say -- and a solution that only fits the visible tests may still lose points.

Run these commands inside this folder:

| command | what it does |
|---|---|
| `lstm-shapes` | your progress (solved N/{count}, points) and the next exercise |
| `lstm-shapes check` | check the next unsolved exercise (`lstm-shapes check 3` for number 3) |
| `lstm-shapes hint 3` | one more hint for exercise 3 (each call shows the next one) |
| `lstm-shapes watch` | re-check on every save; press `h` for a hint, `q` to quit |

A failing check prints what your code produced, the misconception it shows (a code in
brackets such as `[missing_timestep_axis]`) and what to change. You can also check from a
notebook:

```python
from lstm_shapes import exercises
exercises.status()
exercises.check(1)
exercises.hint(1)
```

Or run the tests directly: `pytest {first}/test_{first_name}.py`.

## The shape story

| tensor | shape | note |
|---|---|---|
| LSTM input | `(batch, timesteps, features)` | three axes, even for one feature |
| hidden state h, cell state c | `(batch, units)` | `units` = size of h and c, NOT the number of timesteps |
| output, `return_sequences=False` | `(batch, units)` | equals the last h |
| output, `return_sequences=True` | `(batch, timesteps, units)` | needed by the next stacked LSTM |
| LSTM weights | kernel `(features, 4·units)`, recurrent kernel `(units, 4·units)`, bias `(4·units,)` | 4 gates, in Keras's order i, f, c, o |

One LSTM cell is unrolled over `timesteps`; there are not `timesteps` cells.

## The exercises

{table}
"""


def learner_readme(manifest: object) -> str:
    """The README.md of the learner copy (how to run ``lstm-shapes``, check, hint, watch)."""
    exercises = manifest.exercises  # type: ignore[attr-defined]
    table = "\n".join(f"{e.number}. `{e.dir}/{e.name}.py` ({e.kind}, {e.points} points): "
                      f"{e.title}" for e in exercises)
    return _README.format(welcome=manifest.welcome_message,  # type: ignore[attr-defined]
                          count=len(exercises), first=exercises[0].dir,
                          first_name=exercises[0].name, table=table)


def release(src: str | os.PathLike[str], out: str | os.PathLike[str], *,
            force: bool = False) -> Release:
    """Write the learner copy of the exercises in ``src`` to ``out``.

    Every learner and test file goes through :func:`strip_markers` and must compile;
    ``info.toml`` is copied, a learner ``README.md`` written; nothing else (no caches).

    Raises:
        ReleaseError: ``out`` is not empty (without ``force``), ``out`` is inside ``src``,
            or a file's markers are malformed.
        ManifestError: ``src/info.toml`` is invalid.
    """
    manifest = load_manifest(src)
    out = Path(out).expanduser().resolve()
    if out == manifest.root or manifest.root in out.parents:
        raise ReleaseError(f"--out {out} is inside the instructor copy {manifest.root}")
    if out.exists() and not out.is_dir():
        raise ReleaseError(f"--out {out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise ReleaseError(f"--out {out} is not empty; pass --force to replace its content")
        if out in manifest.root.parents:
            raise ReleaseError(f"--out {out} contains the instructor copy; refusing to clear it")
    texts: dict[str, str] = {}
    stubs = hidden = 0
    for exercise in manifest.exercises:
        for path in (exercise.learner_file, exercise.test_file):
            relative = path.relative_to(manifest.root).as_posix()
            source = path.read_text(encoding="utf-8")
            released = strip_markers(source, name=relative)
            try:
                compile(released, relative, "exec")
            except SyntaxError as err:
                raise ReleaseError(f"{relative}:{err.lineno}: the released file does not "
                                   f"compile: {err.msg}") from None
            solutions, hidden_blocks = count_blocks(source)
            stubs += solutions
            hidden += hidden_blocks
            texts[relative] = released
    texts[MANIFEST] = (manifest.root / MANIFEST).read_text(encoding="utf-8")
    conftest = manifest.root / "conftest.py"
    if conftest.is_file():  # shared fixtures of the exercises' tests
        texts["conftest.py"] = strip_markers(conftest.read_text(encoding="utf-8"),
                                             name="conftest.py")
    texts["README.md"] = learner_readme(manifest)
    if out.is_dir():
        for child in out.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    for relative, text in texts.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return Release(out=out, files=tuple(sorted(texts)), stubs=stubs, hidden_blocks=hidden)
