"""The released notebooks, executed for real: nbclient in an ipykernel, and terminal IPython.

Exercise 1 (NumPy only) runs in the default suite; exercise 4 (Keras) is marked slow.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from corpus.notebooks import fill, solved_cells

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

from lstm_shapes.exercises.learner_copy import release  # noqa: E402
from lstm_shapes.exercises.manifest import instructor_root, load_manifest  # noqa: E402
from lstm_shapes.exercises.notebooks import META  # noqa: E402
from lstm_shapes.exercises.progress import Progress  # noqa: E402

ROOT = instructor_root()
MANIFEST = load_manifest(ROOT)
IPYTHON = Path(sys.executable).with_name("ipython")
WINDOWS_WITHOUT_FEATURES = '''def make_windows(series, timesteps):
    """My windows: x (batch, timesteps), y (batch, 1)."""
    series = np.asarray(series, dtype="float32")
    n = len(series) - timesteps
    x = np.stack([series[i:i + timesteps] for i in range(n)])
    return x, series[timesteps:, None]
'''
STACK_WITHOUT_SEQUENCES = '''def build_stacked(timesteps, features, units=50):
    model = keras.Sequential([
        keras.Input((timesteps, features)),
        keras.layers.LSTM(units),
        keras.layers.LSTM(units),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse")
    return model
'''


@pytest.fixture
def series(tmp_path) -> Path:
    return release(ROOT, tmp_path / "series", notebooks=True).out


def _execute(notebook_path: Path, *, in_memory: dict[str, str] | None = None):
    """Run every cell of the notebook in a fresh python3 kernel, in its folder."""
    notebook = nbformat.read(notebook_path, as_version=4)
    for cell in notebook.cells:  # what the kernel runs but the saved file does not hold
        part = cell.metadata.get(META, {}).get("part")
        if in_memory and part in in_memory:
            cell.source = in_memory[part]
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(notebook_path.parent)}}
                            ).execute()
    return notebook


def _outputs(notebook, part: str) -> list:
    cell = next(c for c in notebook.cells if c.metadata.get(META, {}).get("part") == part)
    return cell.outputs


def _shown(notebook, part: str, mime: str = "text/plain") -> str:
    """The cell's result in ``mime`` (its execute_result, or what it displayed)."""
    texts = [o.get("data", {}).get(mime, "") for o in _outputs(notebook, part)
             if o.output_type in ("execute_result", "display_data")]
    return "\n".join(texts)


def _score(text: str) -> tuple[float, float]:
    found = re.search(r": (?:solved|not solved yet), ([\d.]+)/([\d.]+) points", text)
    assert found, text
    return float(found.group(1)), float(found.group(2))


def _with_takeaway(series: Path, name: str) -> str:
    """The takeaway of exercise ``name`` in the series' info.toml (one is written if none)."""
    info = series / "info.toml"
    if not load_manifest(series).get(name).takeaway:
        info.write_text(info.read_text().replace(
            f'name = "{name}"\n', f'name = "{name}"\ntakeaway = """\nA window is '
            '(timesteps, features);\nthe batch stacks them: (batch, timesteps, features)."""\n'))
    return load_manifest(series).get(name).takeaway


def test_a_correct_notebook_is_solved_in_a_real_kernel(series):
    exercise = load_manifest(series).get(1)
    takeaway = _with_takeaway(series, exercise.name)
    fill(exercise.notebook_file, solved_cells(MANIFEST.get(1)))
    notebook = _execute(exercise.notebook_file)
    text = _shown(notebook, "check")
    assert "1 windows: solved" in text, text
    assert _score(text) == (exercise.visible_points, exercise.visible_points)
    assert f"\n{takeaway}\n" in text  # the manifest's takeaway, exactly
    page = _shown(notebook, "check", "text/html")
    assert "1 windows: solved" in page and "&#10004;" in page and "&#10008;" not in page
    progress = [o for o in _outputs(notebook, "check") if o.output_type == "display_data"]
    assert progress and progress[0]["data"]["text/plain"].startswith("checked 1 windows in")
    assert "hint 1/" in _shown(notebook, "hint")
    assert Progress.load(series).solved == {"windows": exercise.visible_points}


def test_a_wrong_notebook_gets_partial_credit_the_code_and_the_fix(series):
    exercise = load_manifest(series).get(1)
    fill(exercise.notebook_file, {**solved_cells(MANIFEST.get(1)),
                                  "make_windows": WINDOWS_WITHOUT_FEATURES})
    notebook = _execute(exercise.notebook_file)
    text = _shown(notebook, "check")
    score, most = _score(text)
    assert "1 windows: not solved yet" in text and 0 < score < most, text
    assert "[missing_timestep_axis]" in text and "fix: x = x.reshape(" in text
    assert "\x1b[" not in text  # plain text, although the kernel forces colours
    page = _shown(notebook, "check", "text/html")
    assert re.search(r"<b style=\"[^\"]*\">\[missing_timestep_axis\]</b>", page), page
    assert "<b>fix:</b> <code" in page and "x = x.reshape(" in page
    assert f"{score:g}/{most:g} points" in page
    assert Progress.load(series).points("windows") == score  # partial credit kept
    assert Progress.load(series).solved == {}


def test_cells_run_but_not_saved_are_named(series):
    """The kernel runs the solution; the saved notebook still holds the stubs."""
    exercise = load_manifest(series).get(1)
    notebook = _execute(exercise.notebook_file, in_memory=solved_cells(MANIFEST.get(1)))
    text = _shown(notebook, "check")
    assert "not solved yet" in text and "not done yet" in text
    assert "01_windows.ipynb as saved differs from what you last ran for" in text
    assert "make_windows" in text and "Ctrl-S" in text


def test_a_notebook_outside_its_series_says_so_without_a_traceback(series, tmp_path):
    away = tmp_path / "Downloads"
    away.mkdir()
    shutil.copy(load_manifest(series).get(1).notebook_file, away)
    notebook = nbformat.read(away / "01_windows.ipynb", as_version=4)
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(away)}}).execute()
    errors = [o for o in _outputs(notebook, "check") if o.output_type == "error"]
    assert len(errors) == 1
    shown = "\n".join(errors[0].traceback)
    assert shown.startswith("lstm-shapes: no exercise series here:"), shown
    assert "exercises.check('windows', root='path/to/the/series')" in shown
    assert "Traceback" not in shown and "File " not in shown and "lstm-shapes --dir" not in shown


def _ipython(*args: str, cwd: Path, stdin: str | None = None) -> str:
    done = subprocess.run([str(IPYTHON), "--no-banner", "--colors=NoColor", *args],
                          cwd=cwd, input=stdin, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(shutil.which(str(IPYTHON)) is None, reason="no ipython")
def test_terminal_ipython_runs_the_notebook_and_prints_readable_reports(series):
    exercise = load_manifest(series).get(1)
    fill(exercise.notebook_file, solved_cells(MANIFEST.get(1)))
    out = _ipython(exercise.notebook_file.name, cwd=series)  # `ipython 01_windows.ipynb`
    assert out.count("1 windows: solved") == 1 and "hint 1/" in out, out
    script = series / "learn.py"  # `ipython nb.py`: status, check and hint all print
    script.write_text("from lstm_shapes import exercises\nexercises.status()\n"
                      "exercises.check(1)\nexercises.hint(2)\n")
    out = _ipython(script.name, cwd=series)
    assert "Progress: 1/" in out and "1 windows: solved" in out and "2 shapes" in out, out
    # interactive: a value shown by the display hook once, an assignment shows itself once
    out = _ipython(cwd=series, stdin="from lstm_shapes import exercises\n"
                                     "r = exercises.check(1)\nr.passed\nexercises.status()\n")
    assert out.count("1 windows: solved") == 1 and out.count("Progress: 1/") == 1, out
    assert "True" in out
    assert "CheckReport(" not in out and "StatusReport(" not in out


@pytest.mark.skipif(os.name != "posix", reason="needs a pseudo-terminal")
def test_a_check_in_a_terminal_says_which_test_runs(series):
    import pty

    master, slave = pty.openpty()
    child = subprocess.Popen([sys.executable, "-m", "lstm_shapes.cli", "check", "1"],
                             cwd=series, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    seen = b""
    try:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    finally:
        child.wait(timeout=120)
        os.close(master)
    text = seen.decode(errors="replace")
    assert re.search(r"checking 1 windows: .* -- \d+ s", text), text
    assert "1 windows: not solved yet" in text


@pytest.mark.slow
def test_a_keras_exercise_in_a_real_kernel(series):
    """Exercise 4 builds Keras models: right, then without return_sequences."""
    exercise = load_manifest(series).get("stacking")
    fill(exercise.notebook_file, solved_cells(MANIFEST.get("stacking")))
    text = _shown(_execute(exercise.notebook_file), "check")
    assert "stacking: solved" in text, text
    fill(exercise.notebook_file, {"build_stacked": STACK_WITHOUT_SEQUENCES})
    text = _shown(_execute(exercise.notebook_file), "check")
    score, most = _score(text)
    assert "stacking: not solved yet" in text and score < most, text
    assert "[missing_return_sequences]" in text and "return_sequences=True" in text
    assert json.loads(exercise.notebook_file.read_text())["nbformat"] == 4
