"""Quiet start: no TensorFlow start-up lines on stderr unless --verbose; real errors pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lstm_shapes.cli import main, quiet
from lstm_shapes.cli.quiet import is_noise

# What `lstm-shapes explain` printed on stderr before the quiet start (TensorFlow 2.21, CPU).
TF_START_UP = """\
WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
I0000 00:00:1796164010.123969    4824 port.cc:153] oneDNN custom operations are on. You may \
see slightly different numerical results due to floating-point round-off errors.
I0000 00:00:1796164010.124472    4824 cudart_stub.cc:31] Could not find cuda drivers on your \
machine, GPU will not be used.
I0000 00:00:1796164010.309422    4824 cpu_feature_guard.cc:227] This TensorFlow binary is \
optimized to use available CPU instructions in performance-critical operations.
To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild \
TensorFlow with the appropriate compiler flags.
E0000 00:00:1796164023.105593    4824 cuda_platform.cc:52] failed call to cuInit: INTERNAL: \
CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)
W0000 00:00:1796164023.105593    4824 gpu_device.cc:2344] Cannot dlopen some GPU libraries.
""".splitlines()

KEPT = ["Traceback (most recent call last):",
        "F0000 00:00:1796164023.105593    4824 cpu_feature_guard.cc:72] The TensorFlow library "
        "was compiled to use AVX instructions, but these aren't available on your machine.",
        "/x/site-packages/tensorflow/__init__.py:3: UserWarning: something real",
        "lstm-shapes explain: tiny.py: building the model raised ValueError: bad"]


def test_noise_is_the_absl_start_up_lines_and_nothing_else():
    assert all(is_noise(line) for line in TF_START_UP)
    assert not any(is_noise(line) for line in KEPT)


_FILTERED = """
import os, sys
from lstm_shapes.cli.quiet import filtered_stderr
os.write(2, b"before\\n")
with filtered_stderr():
    for line in sys.argv[1:]:
        os.write(2, line.encode() + b"\\n")  # native, as TensorFlow's C++ writes
    print("python stderr inside", file=sys.stderr)
    if os.environ.get("CRASH"):
        os.abort()  # the interpreter dies inside the filtered block
os.write(2, b"after\\n")
"""


@pytest.mark.parametrize("crash", [False, True])
def test_filter_drops_only_noise_and_loses_nothing_on_a_crash(crash):
    env = {**os.environ, "CRASH": "1" if crash else ""}
    done = subprocess.run([sys.executable, "-c", _FILTERED, *TF_START_UP[:3], *KEPT],
                          capture_output=True, text=True, env=env, timeout=60)
    lines = done.stderr.splitlines()
    assert not any(is_noise(line) for line in lines), done.stderr
    expected = ["before", *KEPT, "python stderr inside"]
    if crash:
        assert done.returncode != 0 and lines[:len(expected)] == expected, done.stderr
    else:
        assert done.returncode == 0 and lines == [*expected, "after"], done.stderr


def test_quiet_start_sets_only_what_the_user_did_not(monkeypatch):
    armed = []
    monkeypatch.setattr(quiet, "wrap_import", lambda name, wrapper: armed.append(name))
    monkeypatch.setattr(quiet, "_armed", False)
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    quiet.quiet_start(verbose=True)
    assert "TF_CPP_MIN_LOG_LEVEL" not in os.environ and armed == []
    quiet.quiet_start()
    quiet.quiet_start()  # a second call arms no second filter
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3" and armed == ["tensorflow"]
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")  # the user's choice is kept
    quiet.quiet_start()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0"


def test_verbose_is_a_global_flag_before_or_after_the_verb(monkeypatch, capsys):
    seen = []
    monkeypatch.setattr(quiet, "quiet_start", lambda verbose=False: seen.append(verbose))
    monkeypatch.setattr("lstm_shapes.cli.quiet_start", quiet.quiet_start)
    for argv in (["--verbose", "report", "nowhere"], ["report", "nowhere", "--verbose"],
                 ["report", "nowhere"]):
        assert main(argv) == 2  # no gradebook there; the flag itself is accepted
        assert "lstm-shapes report: nowhere: not a gradebook" in capsys.readouterr().err
    assert seen == [True, True, False]
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    assert "--verbose" in capsys.readouterr().out
    assert main(["--help"]) == 0 and "--verbose" in capsys.readouterr().out


TINY_MODEL = """\
import keras

def build_model():
    return keras.Sequential([keras.Input((10, 1)), keras.layers.LSTM(2)])
"""


def test_the_real_cli_starts_quietly_and_verbose_shows_tensorflow(tmp_path):
    """`explain` of a tiny model imports TensorFlow and builds one LSTM (device start-up)."""
    model = tmp_path / "tiny.py"
    model.write_text(TINY_MODEL)
    script = Path(sys.executable).with_name("lstm-shapes")
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    runs = {flags: subprocess.Popen([str(script), *flags, "explain", str(model)],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    env=env)
            for flags in ((), ("--verbose",))}
    (out, err), (_, verbose_err) = (child.communicate(timeout=180) for child in runs.values())
    assert [child.returncode for child in runs.values()] == [0, 0], err + verbose_err
    assert "(batch, timesteps, features)" in out
    assert err == ""  # not one line of start-up noise
    assert any(is_noise(line) for line in verbose_err.splitlines()), verbose_err
