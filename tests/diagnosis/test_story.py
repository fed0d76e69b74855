"""explain(): every tensor with named dims, the PNG, and `lstm-shapes explain FILE`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from lstm_shapes import ShapeStory, build_stacked_lstm, explain

L = keras.layers
MODEL_PY = """
import keras

def build_model():
    return keras.Sequential([keras.Input((10, 1)), keras.layers.LSTM(50, return_sequences=True),
                             keras.layers.LSTM(50), keras.layers.Dense(1)])
"""


def _rows(story: ShapeStory, role: str) -> list:
    return [r for r in story.rows if r.role == role]


def test_the_seed_model_story_names_every_dim() -> None:
    story = explain(build_stacked_lstm(units=(50, 50), timesteps=10))
    outputs = {r.layer: (r.shape, r.dims) for r in _rows(story, "output")}
    first, second = [r.layer for r in _rows(story, "input") if r.kind == "LSTM"]
    assert outputs[first] == ((None, 10, 50), ("batch", "timesteps", "units"))
    assert outputs[second] == ((None, 50), ("batch", "units"))
    kernels = [(r.shape, r.dims) for r in _rows(story, "kernel")]
    assert kernels == [((1, 200), ("features", "4·units")), ((50, 200), ("features", "4·units"))]
    assert [r.shape for r in _rows(story, "recurrent kernel")] == [(50, 200), (50, 200)]
    text = str(story)
    assert "(None, 10, 50)" in text and "(units, 4·units)" in text


def test_bidirectional_return_state_and_gru_weights() -> None:
    i = keras.Input((12, 3))
    out = L.Bidirectional(L.LSTM(4, return_state=True, return_sequences=True))(i)
    gru = L.GRU(6)(out[0])
    story = explain(keras.Model(i, gru))
    bidi = [r for r in story.rows if r.kind == "Bidirectional"]
    roles = [r.role for r in bidi]
    assert roles[:6] == ["input", "output", "state h fwd", "state c fwd", "state h bwd",
                         "state c bwd"]
    assert bidi[1].shape == (None, 12, 8) and bidi[1].dims[-1] == "2·units"
    assert [r.dims for r in story.rows if r.kind == "GRU" and r.role == "kernel"] == [
        ("features", "3·units")]


def test_subclassed_model_needs_x_and_says_so() -> None:
    class Tiny(keras.Model):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = L.SimpleRNN(5)

        def call(self, x):  # noqa: ANN001
            return self.rnn(x)

    assert "pass x" in str(explain(Tiny()))
    story = explain(Tiny(), np.zeros((7, 4, 2), "float32"))
    assert [r.shape for r in story.rows if r.role == "output"] == [(None, 5)]


def test_explain_refuses_what_is_not_a_model() -> None:
    with pytest.raises(TypeError, match="keras.Model"):
        explain(np.zeros((3, 4)))


def test_to_png_draws_a_real_image(tmp_path: Path) -> None:
    path = explain(build_stacked_lstm(units=(8, 8), timesteps=10)).to_png(tmp_path / "s.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


def _cli(*args: str) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("lstm-shapes")
    return subprocess.run([str(script), "explain", *args], capture_output=True, text=True,
                          timeout=120, env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})


def test_cli_explains_a_python_file_and_a_saved_model(tmp_path: Path) -> None:
    source = tmp_path / "model.py"
    source.write_text(MODEL_PY)
    done = _cli(str(source), "--png", str(tmp_path / "story.png"))
    assert done.returncode == 0, done.stderr
    assert "(None, 10, 50)   (batch, timesteps, units)" in done.stdout
    assert (tmp_path / "story.png").stat().st_size > 10_000
    saved = tmp_path / "m.keras"
    build_stacked_lstm(units=(4, 4), timesteps=10).save(saved)
    done = _cli(str(saved))
    assert done.returncode == 0 and "(4, 16)" in done.stdout


def test_cli_names_the_mistake_of_a_broken_build_model(tmp_path: Path) -> None:
    source = tmp_path / "broken.py"
    source.write_text(MODEL_PY.replace("return_sequences=True", "return_sequences=False"))
    done = _cli(str(source))
    assert done.returncode == 1
    assert "[missing_return_sequences]" in done.stderr


def test_cli_refuses_missing_and_foreign_files(tmp_path: Path) -> None:
    assert "does not exist" in _cli(str(tmp_path / "nope.py")).stderr
    (tmp_path / "x.txt").write_text("hi")
    assert "give a .keras model or a .py file" in _cli(str(tmp_path / "x.txt")).stderr
    (tmp_path / "empty.py").write_text("x = 1\n")
    assert "defines no build_model()" in _cli(str(tmp_path / "empty.py")).stderr


def test_cli_reports_a_build_model_that_crashes(tmp_path: Path) -> None:
    source = tmp_path / "typo.py"
    source.write_text("def build_model():\n    return kears.Sequential()\n")
    done = _cli(str(source))
    assert done.returncode == 1
    assert "building the model raised NameError: name 'kears' is not defined" in done.stderr
    assert "Traceback" not in done.stderr
