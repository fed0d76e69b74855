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

``release(..., notebooks=True)`` writes the notebook edition instead of the learner files:
``<dir>.ipynb`` per exercise beside ``info.toml``, built from the released text of
``<dir>/<name>.py`` (:mod:`.notebook_build`), and the same visible tests. Its ``info.toml``
records ``edition = "notebooks"``, so the check and the grader know the notebook is the
work even when a ``.py`` file turns up beside it (:mod:`.work`).

>>> print(strip_markers('''def double(x):
...     ### BEGIN SOLUTION
...     return 2 * x
...     ### END SOLUTION
... '''), end="")
def double(x):
    raise NotImplementedError("implement double()")
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from lstm_shapes.exercises.manifest import MANIFEST, load_manifest
from lstm_shapes.exercises.markers import ReleaseError, count_blocks, strip_markers
from lstm_shapes.exercises.story import SHAPE_STORY


@dataclass(frozen=True)
class Release:
    """What ``release`` wrote: the output folder and the files, relative to it."""

    out: Path
    files: tuple[str, ...]
    stubs: int
    hidden_blocks: int
    notebooks: int = 0

    def __str__(self) -> str:
        edition = (f"the notebook edition ({self.notebooks} notebooks)" if self.notebooks
                   else "the learner copy")
        return (f"wrote {edition} to {self.out}: {len(self.files)} files, "
                f"{self.stubs} solutions replaced by stubs, {self.hidden_blocks} hidden test "
                f"blocks removed")


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

{story}

## The exercises

{table}
"""


_NOTEBOOK_README = """# lstm-shapes exercises: the notebook edition

{welcome}

Open this folder in Jupyter (JupyterLab, Notebook, VS Code) and work through the notebooks
in order, `{first}.ipynb` first. Keep them here, beside `info.toml` and the test folders:
the check needs both.

In each notebook, the code cells under **Your answer** (tagged `answer`) are your work:
only they are checked and graded, top to bottom, as one Python file. Keep what they need
(imports, helpers) inside them; every other cell is yours to experiment in. The check cell
runs the exercise's tests on the **saved** notebook, so save (Ctrl-S) before you run it; a
failure names the mistake (a code such as `[missing_timestep_axis]`) and the fix. The hint
cell shows one more hint per run. Your instructor grades with more tests than you have here
(hidden ones, on fresh inputs), so a check shows the points of the tests in this copy.

From a terminal in this folder the same works: `lstm-shapes` (progress), `lstm-shapes check
3`, `lstm-shapes hint 3`, `lstm-shapes watch` (re-checks each time you save a notebook).
To hand in: this folder, or a zip of it (the notebooks are what is graded).

## The shape story

{story}

## The exercises

{table}
"""


def learner_readme(manifest: object, *, notebooks: bool = False) -> str:
    """The README.md of the learner copy (how to run ``lstm-shapes``, check, hint, watch)."""
    exercises = manifest.exercises  # type: ignore[attr-defined]
    work = "{e.dir}.ipynb" if notebooks else "{e.dir}/{e.name}.py"
    table = "\n".join(f"{e.number}. `{work.format(e=e)}` ({e.kind}, {e.points} points): "
                      f"{e.title}" for e in exercises)
    template = _NOTEBOOK_README if notebooks else _README
    return template.format(welcome=manifest.welcome_message,  # type: ignore[attr-defined]
                           count=len(exercises), first=exercises[0].dir,
                           first_name=exercises[0].name, table=table, story=SHAPE_STORY)


def release(src: str | os.PathLike[str], out: str | os.PathLike[str], *,
            force: bool = False, notebooks: bool = False) -> Release:
    """Write the learner copy of the exercises in ``src`` to ``out``.

    Every learner and test file goes through :func:`strip_markers` and must compile;
    ``info.toml`` is copied, a learner ``README.md`` written; nothing else (no caches).
    With ``notebooks``, each learner file is written as the notebook ``<dir>.ipynb`` built
    from its released text instead (the notebook edition).

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
            if notebooks and path == exercise.learner_file:
                from lstm_shapes.exercises.notebook_build import notebook_json

                texts[f"{exercise.dir}.ipynb"] = notebook_json(
                    released, exercise, count=len(manifest.exercises))
            else:
                texts[relative] = released
    texts[MANIFEST] = (manifest.root / MANIFEST).read_text(encoding="utf-8")
    if notebooks:
        from lstm_shapes.exercises.work import record_edition

        texts[MANIFEST] = record_edition(texts[MANIFEST], "notebooks")
    conftest = manifest.root / "conftest.py"
    if conftest.is_file():  # shared fixtures of the exercises' tests
        texts["conftest.py"] = strip_markers(conftest.read_text(encoding="utf-8"),
                                             name="conftest.py")
    texts["README.md"] = learner_readme(manifest, notebooks=notebooks)
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
    return Release(out=out, files=tuple(sorted(texts)), stubs=stubs, hidden_blocks=hidden,
                   notebooks=len(manifest.exercises) if notebooks else 0)
