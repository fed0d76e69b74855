"""`lstm-shapes explain FILE`: the whole story of a saved model, and one line when a file
cannot be loaded (exit code 2, no config dump, no traceback)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import keras
import pytest
from corpus.graphs import seq2seq

from lstm_shapes.cli import main
from lstm_shapes.cli.explain import load_problem

L = keras.layers
UNREGISTERED = ("it uses the class 'MyLayer', which is not registered here; import the module "
                "that defines it (with @keras.saving.register_keras_serializable) and try again")


class MyLayer(L.Layer):
    """A learner's own layer, saved without @keras.saving.register_keras_serializable."""

    def call(self, x):
        return x * 2.0


@keras.saving.register_keras_serializable(package="lstm_shapes_tests")
class Doubler(L.Layer):
    """The same layer, registered: it loads."""

    def call(self, x):
        return x * 2.0


def _save(model: keras.Model, path: Path) -> Path:
    model.save(path)
    return path


def _with(layer: L.Layer, path: Path) -> Path:
    x = keras.Input((10, 3), name="window")
    return _save(keras.Model(x, L.LSTM(4, name="rnn")(layer(x))), path)


def _seq2seq(path: Path) -> Path:
    return _save(seq2seq(units=16, embed=8, vocab=(50, 40)), path)


def _explain(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["explain", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line(capsys: pytest.CaptureFixture[str], path: Path) -> str:
    """Explain ``path``, which must fail: exit 2, nothing on stdout, one line on stderr."""
    code, out, err = _explain(capsys, str(path))
    assert (code, out) == (2, ""), err
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err and "config=" not in err and "{" not in err, err  # no dump
    return err.strip()


def test_an_unregistered_custom_class_is_named_in_one_line(tmp_path, capsys) -> None:
    path = _with(MyLayer(), tmp_path / "model.keras")
    line = _one_line(capsys, path)
    assert line == f"lstm-shapes explain: cannot load model.keras: {UNREGISTERED}"


def test_the_class_name_comes_from_the_real_keras_error(tmp_path) -> None:
    path = _with(MyLayer(), tmp_path / "model.keras")
    with pytest.raises(Exception) as raised:
        keras.saving.load_model(path, compile=False)
    assert "Could not locate class 'MyLayer'" in str(raised.value)  # what Keras 3 says
    assert "config=" in str(raised.value)  # ... with the dump the learner must not see
    assert load_problem(path, raised.value) == f"cannot load model.keras: {UNREGISTERED}"


def test_an_unregistered_function_is_named_too(tmp_path, capsys) -> None:
    def my_activation(x):
        return x

    x = keras.Input((10, 3))
    path = _save(keras.Model(x, L.Dense(2, activation=my_activation)(x)), tmp_path / "f.keras")
    line = _one_line(capsys, path)
    assert "cannot load f.keras: it uses the function 'my_activation', which is not " \
           "registered here" in line


def test_a_registered_custom_class_loads_and_is_explained(tmp_path, capsys) -> None:
    path = _with(Doubler(name="doubler"), tmp_path / "ok.keras")
    code, out, err = _explain(capsys, str(path))
    assert code == 0, err
    assert "doubler (Doubler)" in out and "window ─▶ doubler" in out


def test_a_file_that_is_not_a_keras_zip_is_named(tmp_path, capsys) -> None:
    text = tmp_path / "notes.keras"
    text.write_text("these are my notes, not a model\n")
    assert _one_line(capsys, text) == (
        "lstm-shapes explain: cannot load notes.keras: it is not a Keras model file (a .keras "
        "file is the zip archive that model.save('model.keras') writes)")
    other = tmp_path / "archive.keras"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "cannot load archive.keras: it is a zip archive but not a Keras model (it has no " \
           "config.json" in _one_line(capsys, other)
    cut = _with(Doubler(), tmp_path / "cut.keras")
    cut.write_bytes(cut.read_bytes()[:500])  # a download that stopped half way
    assert "cannot load cut.keras: it is not a Keras model file" in _one_line(capsys, cut)


def test_a_missing_file_or_a_folder_is_named(tmp_path, capsys) -> None:
    missing = tmp_path / "model.keras"
    assert _one_line(capsys, missing) == (
        f"lstm-shapes explain: cannot load model.keras: the file does not exist "
        f"(looked for {missing})")
    (tmp_path / "saved.keras").mkdir()
    assert _one_line(capsys, tmp_path / "saved.keras").endswith(
        "cannot load saved.keras: it is a folder, not a model file")


def test_a_build_model_that_returns_no_model_or_raises_is_named_with_its_line(
        tmp_path, capsys) -> None:
    script = tmp_path / "model.py"
    script.write_text("def build_model():\n    return 42\n")
    assert _one_line(capsys, script) == (
        "lstm-shapes explain: cannot explain model.py: build_model() returned int, "
        "not a keras.Model")
    script.write_text("def helper():\n    raise RuntimeError('boom')\n\n"
                      "def build_model():\n    return helper()\n")
    code, out, err = _explain(capsys, str(script))
    assert (code, out) == (1, "") and err.strip() == (
        "lstm-shapes explain: model.py: building the model raised RuntimeError: boom "
        "(at model.py:2)")


def test_a_lambda_layer_is_refused_in_one_line(tmp_path, capsys) -> None:
    x = keras.Input((10, 3))
    path = _save(keras.Model(x, L.Lambda(lambda t: t * 2.0)(x)), tmp_path / "lam.keras")
    line = _one_line(capsys, path)
    assert "cannot load lam.keras: it holds a Lambda layer's Python code" in line
    assert "safe_mode=False" in line


def test_other_keras_errors_keep_only_their_first_sentence() -> None:
    err = TypeError("Something odd happened.\n\nconfig={'module': 'keras', 'huge': 1}")
    assert load_problem(Path("m.keras"), err) == (
        "cannot load m.keras: Keras said TypeError: Something odd happened")


def _cli(*args: str) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("lstm-shapes")
    return subprocess.run([str(script), "explain", *args], capture_output=True, text=True,
                          check=False, timeout=180,
                          env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})


def test_the_real_cli_explains_a_seq2seq_file_and_refuses_a_custom_class(tmp_path) -> None:
    done = _cli(str(_seq2seq(tmp_path / "translator.keras")), "--png", str(tmp_path / "s.png"))
    assert done.returncode == 0, done.stderr
    ids_row = r"^encoder_tokens \(Input\) +token ids +\(None, 12\) +\(batch, timesteps\)$"
    assert re.search(ids_row, done.stdout, re.MULTILINE), done.stdout
    for line in ("encoder state h ─▶ decoder initial_state h",
                 "encoder state c ─▶ decoder initial_state c"):
        assert line in done.stdout, done.stdout
    assert (tmp_path / "s.png").stat().st_size > 10_000
    done = _cli(str(_with(MyLayer(), tmp_path / "model.keras")))
    assert done.returncode == 2 and done.stdout == ""
    ours = [ln for ln in done.stderr.splitlines() if ln.startswith("lstm-shapes")]
    assert ours == [f"lstm-shapes explain: cannot load model.keras: {UNREGISTERED}"]
    assert "Traceback" not in done.stderr and "config=" not in done.stderr


def test_a_reader_that_stops_early_ends_the_run_cleanly(tmp_path) -> None:
    script = Path(sys.executable).with_name("lstm-shapes")
    model = _seq2seq(tmp_path / "translator.keras")
    with subprocess.Popen([str(script), "explain", str(model), "--png", str(tmp_path / "s.png")],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}) as run:
        first = run.stdout.readline()  # `| head -1`: one line, then the reader is gone
        run.stdout.close()
        stderr = run.stderr.read()
        code = run.wait(timeout=180)
    assert first.startswith("layer")
    assert code == 0 and "BrokenPipeError" not in stderr and "Traceback" not in stderr, stderr
