"""explain(): every tensor with named dims, the PNG, and `lstm-shapes explain FILE`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest
from corpus.graphs import Chain, seq2seq

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
    assert "pass x" in str(explain(Chain(L.SimpleRNN(5))))
    story = explain(Chain(L.SimpleRNN(5)), np.zeros((7, 4, 2), "float32"))
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
                          check=False, timeout=120,
                          env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})


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


# --- the whole graph: named inputs, every edge, axis meanings, the picture ----------------

def _skip() -> keras.Model:
    """lstm1's sequence is read twice: by lstm2 and, skipping it, by the Add."""
    x = keras.Input((10, 3), name="series")
    first = L.LSTM(8, return_sequences=True, name="lstm1")(x)
    second = L.LSTM(8, return_sequences=True, name="lstm2")(first)
    return keras.Model(x, L.Dense(1, name="head")(L.Add(name="skip_add")([first, second])))


def _edges(story: ShapeStory) -> list[str]:
    return [str(e) for e in story.edges]


def test_a_two_input_model_keeps_the_names_of_its_inputs() -> None:
    prices, calendar = keras.Input((10, 3), name="prices"), keras.Input((4,), name="calendar")
    merged = L.Concatenate(name="merge")([L.LSTM(8, name="lstm")(prices), calendar])
    story = explain(keras.Model([prices, calendar], L.Dense(1, name="head")(merged)))
    inputs = [(r.layer, r.shape, r.dims) for r in story.rows if r.kind == "Input"]
    assert inputs == [("prices", (None, 10, 3), ("batch", "timesteps", "features")),
                      ("calendar", (None, 4), ("batch", "features"))]
    assert _edges(story) == ["prices ─▶ lstm", "lstm ─▶ merge input[0]",
                             "calendar ─▶ merge input[1]", "merge ─▶ head"]
    text = str(story)
    assert "prices (Input)" in text and "calendar (Input)" in text
    assert "calendar ─▶ merge input[1]   (None, 4)" in text


def test_seq2seq_story_draws_the_initial_state_edges() -> None:
    story = explain(seq2seq())
    edges = {str(e): e for e in story.edges}
    assert list(edges) == [
        "encoder_tokens ─▶ enc_embed", "enc_embed ─▶ encoder", "decoder_tokens ─▶ dec_embed",
        "dec_embed ─▶ decoder", "encoder state h ─▶ decoder initial_state h",
        "encoder state c ─▶ decoder initial_state c", "decoder ─▶ next_token"]
    state = edges["encoder state h ─▶ decoder initial_state h"]
    assert (state.shape, state.dims) == ((None, 64), ("batch", "units"))
    decoder = [(r.role, r.dims) for r in story.rows if r.layer == "decoder"][:4]
    assert decoder == [("input", ("batch", "timesteps", "features")),
                       ("initial_state h", ("batch", "units")),
                       ("initial_state c", ("batch", "units")),
                       ("output", ("batch", "timesteps", "units"))]
    text = str(story)
    assert "encoder state c ─▶ decoder initial_state c   (None, 64)       (batch, units)" in text
    assert "encoder_tokens (Input)" in text and "decoder_tokens (Input)" in text


def test_token_ids_into_an_embedding_are_batch_by_timesteps() -> None:
    story = explain(seq2seq())
    rows = {(r.layer, r.role): (r.shape, r.dims) for r in story.rows}
    assert rows[("encoder_tokens", "token ids")] == ((None, 12), ("batch", "timesteps"))
    assert rows[("enc_embed", "output")] == ((None, 12, 32), ("batch", "timesteps", "features"))
    assert rows[("enc_embed", "embeddings")] == ((500, 32), ("vocab", "features"))
    assert rows[("encoder", "state h")] == ((None, 64), ("batch", "units"))
    assert "encoder_tokens (Input)   token ids          (None, 12)       (batch, timesteps)" \
        in str(story)


def test_axis_meaning_comes_from_the_reader_and_the_dtype_not_the_name() -> None:
    ids = keras.Input((7,), name="features")  # float, misleading name, read by an Embedding
    other = keras.Input((7,), dtype="int32", name="ids")  # integer, read by a Dense
    h0 = keras.Input((5,), name="start")  # read as an initial state
    seq = L.GRU(5, name="gru")(L.Embedding(30, 4, name="embed")(ids), initial_state=[h0])
    out = L.Concatenate(name="cat")([seq, L.Dense(5, name="dense")(other)])
    story = explain(keras.Model([ids, other, h0], out))
    inputs = {r.layer: (r.role, r.dims) for r in story.rows if r.kind == "Input"}
    assert inputs == {"features": ("input", ("batch", "timesteps")),
                      "ids": ("input", ("batch", "features")),
                      "start": ("input", ("batch", "units"))}
    assert "start ─▶ gru initial_state h" in _edges(story)


def test_a_skip_connection_is_drawn_as_two_edges_from_one_tensor() -> None:
    story = explain(_skip())
    assert _edges(story) == ["series ─▶ lstm1", "lstm1 ─▶ lstm2", "lstm1 ─▶ skip_add input[0]",
                             "lstm2 ─▶ skip_add input[1]", "skip_add ─▶ head"]


def test_a_shared_layer_gets_one_box_per_call() -> None:
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    shared = L.Dense(2, name="shared")
    story = explain(keras.Model([a, b], L.Add(name="add")([shared(a), shared(b)])))
    assert "shared call 2 ─▶ add input[1]" in _edges(story)
    assert [r.layer for r in story.rows if r.kind == "Dense"] == ["shared call 1",
                                                                  "shared call 2"]


def _arrows(fig: Any) -> dict[str, Any]:
    from matplotlib.text import Annotation

    return {a.get_gid(): a for a in fig.axes[0].texts if isinstance(a, Annotation)}


def test_the_picture_has_an_arrow_per_edge_labelled_with_its_slot(tmp_path: Path) -> None:
    story = explain(seq2seq())
    fig = story.figure()
    arrows = _arrows(fig)
    assert sorted(arrows) == sorted(_edges(story))
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert "initial_state h" in labels and "initial_state c" in labels
    state = arrows["encoder state h ─▶ decoder initial_state h"]
    assert state.arrow_patch.get_connectionstyle().rad > 0  # curved, past dec_embed
    skip = _arrows(explain(_skip()).figure())
    assert len(skip) == 5 and "lstm1 ─▶ skip_add input[0]" in skip
    path = story.to_png(tmp_path / "seq2seq.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_traced_story_draws_the_call_order_dashed() -> None:
    story = explain(Chain(L.SimpleRNN(5), L.Dense(1)), np.zeros((7, 4, 2), "float32"))
    assert story.traced and story.edges == []  # no graph: no edges claimed in the text
    arrows = list(_arrows(story.figure()).values())
    assert len(arrows) == 2 and all(a.arrow_patch.get_linestyle() == "--" for a in arrows)
