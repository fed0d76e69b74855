"""``lstm-shapes demo``: the story, the progress display, the scores, the plot, refusals."""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from lstm_shapes import ShapeError, build_lstm, sine_windows
from lstm_shapes.cli.demo import (
    DemoResult,
    _progress_callback,
    add_arguments,
    run,
    train_demo,
)


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="lstm-shapes demo")
    add_arguments(parser)
    return parser.parse_args(list(argv))


def _number(label: str, text: str) -> float:
    return float(re.search(rf"^{label}\s+([0-9.e+-]+)", text, re.M).group(1))


def test_defaults_and_bad_options():
    args = _args()
    assert (args.epochs, args.seed, args.units, args.out) == (20, 0, (50, 50),
                                                              Path("lstm-shapes-demo"))
    assert _args("--units", "16,8,4").units == (16, 8, 4)
    for argv in (["--units", "50,x"], ["--units", "50,0"], ["--units", ""],
                 ["--epochs", "0"], ["--epochs", "two"]):
        with pytest.raises(SystemExit):
            _args(*argv)


def test_short_run_prints_the_story_one_line_per_epoch_and_saves_the_plot(tmp_path, capsys):
    out = tmp_path / "demo"
    assert run(_args("--epochs", "2", "--units", "8,4", "--out", str(out))) == 0
    text = capsys.readouterr().out
    # the shape story: every tensor with named dims, and the parameter counts worked out
    for line in ("(None, 10, 1)   (batch, timesteps, features)",
                 "(None, 10, 8)   (batch, timesteps, units)", "(None, 4)       (batch, units)",
                 "(1, 32)         (features, 4·units)",
                 "lstm_1: 4·(8·(1+8)+8) = 320", "lstm_2: 4·(4·(8+4)+4) = 208"):
        assert line in text, line
    assert "x_train (790, 10, 1)" in text and "y_val   (190, 1)" in text
    # captured stdout is not a terminal: one plain line per epoch, no bar
    assert re.findall(r"^epoch (\d)/2 ", text, re.M) == ["1", "2"]
    baseline = _number("last-value MSE", text)
    assert baseline == pytest.approx(5.0e-3, rel=0.01)  # sin step 0.1: about 0.1² / 2
    assert _number("ratio", text) == pytest.approx(_number("validation MSE", text) / baseline,
                                                   rel=0.01)
    plot = out / "predictions.png"
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and plot.stat().st_size > 10_000
    assert f"plot               {plot}" in text


def test_train_demo_returns_its_numbers(tmp_path):
    result = train_demo(units=(4,), epochs=1, out=tmp_path, verbose=False)
    assert isinstance(result, DemoResult)
    assert result.units == (4,) and result.epochs == 1
    w = sine_windows(timesteps=10)
    expected_baseline = float(np.mean((w.x_val[:, -1, :] - w.y_val) ** 2))
    assert result.baseline_mse == pytest.approx(expected_baseline)
    assert result.ratio == pytest.approx(result.val_mse / result.baseline_mse)
    assert 0 < result.train_seconds <= result.seconds
    assert result.plot_path == tmp_path / "predictions.png" and result.plot_path.exists()


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_data_is_refused_before_training(tmp_path, bad):
    series = np.sin(np.arange(0, 100, 0.1)).astype("float32")
    series[500] = bad
    out = tmp_path / "never"
    with pytest.raises(ShapeError) as info:
        train_demo(series=series, epochs=1, out=out, verbose=False)
    assert info.value.code == "non_finite_values"
    assert "step 500" in str(info.value)
    assert not out.exists()  # nothing was trained or saved


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 0}, "Expected epochs to be a positive integer. Received: epochs=0"),
    ({"batch_size": 0}, "Received: batch_size=0"),
    ({"units": (50, 0)}, "Received: units=(50, 0)"),
])
def test_bad_settings_are_refused(tmp_path, kwargs, message):
    with pytest.raises(ValueError) as info:
        train_demo(out=tmp_path, verbose=False, **kwargs)
    assert message in str(info.value)


def test_progress_bar_on_a_terminal():
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    w = sine_windows(timesteps=5, stop=20.0)
    build_lstm(4, timesteps=5).fit(w.x_train, w.y_train, epochs=3, verbose=0,
                                   validation_data=(w.x_val, w.y_val),
                                   callbacks=[_progress_callback(console, 3)])
    text = buffer.getvalue()
    assert "3/3" in text and "val_loss" in text
    assert not re.search(r"^epoch \d", text, re.M)  # the bar, not the plain lines


@pytest.mark.slow
def test_full_demo_beats_the_baseline_below_1e_3_within_a_minute(tmp_path, capsys):
    started = time.perf_counter()
    assert run(_args("--out", str(tmp_path))) == 0
    elapsed = time.perf_counter() - started
    text = capsys.readouterr().out
    val_mse, baseline = _number("validation MSE", text), _number("last-value MSE", text)
    assert val_mse < 1e-3
    assert val_mse < 0.1 * baseline  # "well below": at least ten times better
    assert elapsed < 60
    assert (tmp_path / "predictions.png").exists()


@pytest.mark.slow
def test_console_script_runs_the_demo(tmp_path):
    script = Path(sys.executable).with_name("lstm-shapes")
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run([str(script), "demo", "--epochs", "1", "--units", "4",
                           "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no TensorFlow/CUDA/absl start-up lines (see test_quiet.py)
    assert "epoch 1/1" in done.stdout and "(None, 4)       (batch, units)" in done.stdout
    assert (tmp_path / "out" / "predictions.png").exists()
