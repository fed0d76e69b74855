"""Probes under OFF_LIMITS: the library's own answer to an exercise is refused, however reached."""

from __future__ import annotations

import textwrap
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import lstm_shapes
from lstm_shapes.exercises.answers import AnswerError, load_answers
from lstm_shapes.exercises.probes import OffLimits, import_learner, off_limits, run_probes


def _x_and_weights(rng):
    x = rng.normal(size=(2, 3, 1))
    return x, [rng.normal(size=s) for s in ((1, 8), (2, 8), (8,))]


def _tests(off_limits_names):
    def probe_seq(module, rng):
        x, weights = _x_and_weights(rng)
        return module.unroll(x, *weights)

    return SimpleNamespace(OFF_LIMITS=off_limits_names, probe_seq=probe_seq)


HONEST = """
import numpy as np
def unroll(x, kernel, recurrent, bias):
    h = np.zeros((x.shape[0], recurrent.shape[0])); c = np.zeros_like(h)
    out = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f, g, o = np.split(z, 4, axis=-1)
        s = lambda v: 1 / (1 + np.exp(-v))
        c = s(f) * c + s(i) * np.tanh(g)
        h = s(o) * np.tanh(c)
        out.append(h)
    return np.stack(out, axis=1)
"""

CHEATS = {
    "imported": "from lstm_shapes import lstm_unroll\n"
                "def unroll(*args):\n    return lstm_unroll(*args)[0]\n",
    "module_attribute": "import lstm_shapes\n"
                        "def unroll(*args):\n    return lstm_shapes.lstm_unroll(*args)[0]\n",
    "defining_module": "from lstm_shapes.builders import reference as r\n"
                       "def unroll(*args):\n    return r.lstm_unroll(*args)[0]\n",
    "alias_is_the_answer": "from lstm_shapes.builders.reference import lstm_unroll as _u\n"
                           "import functools\n"
                           "unroll = lambda *a: _u(*a)[0]\n",
    "caught_and_retried": "from lstm_shapes import lstm_unroll\n"
                          "def unroll(*args):\n"
                          "    try:\n        return lstm_unroll(*args)[0]\n"
                          "    except Exception as err:\n"
                          "        raise ValueError('wrapped') from err\n",
}


def _run(tmp_path: Path, source: str, names=("lstm_step", "lstm_unroll")) -> object:
    learner = tmp_path / "cell.py"
    learner.write_text(textwrap.dedent(source))
    answers = tmp_path / "answers"
    answers.mkdir()
    run_probes(_tests(names), import_learner(learner), answers, seed=3)
    return load_answers(answers)["seq"]


@pytest.mark.parametrize("how", sorted(CHEATS))
def test_calling_the_library_answer_is_refused_with_its_code(tmp_path, how):
    answer = _run(tmp_path, CHEATS[how])
    assert isinstance(answer, AnswerError), answer
    assert answer.code == "library_answer"
    assert "lstm_shapes.lstm_unroll" in answer.message
    assert "write that part yourself" in answer.message


def test_an_honest_answer_passes_and_equals_the_library(tmp_path):
    answer = _run(tmp_path, HONEST)
    x, weights = _x_and_weights(np.random.default_rng([3, *b"seq"]))
    np.testing.assert_allclose(answer, lstm_shapes.lstm_unroll(x, *weights)[0], atol=1e-6)


def test_without_off_limits_the_same_call_is_an_answer(tmp_path):
    """The guard is what refuses: the cheat answers when nothing is off limits."""
    assert isinstance(_run(tmp_path, CHEATS["imported"], names=()), np.ndarray)


def test_the_functions_work_again_after_the_probes(tmp_path):
    _run(tmp_path, CHEATS["imported"])
    assert lstm_shapes.lstm_param_count(50, 1) == 10400
    x, weights = _x_and_weights(np.random.default_rng(0))
    assert lstm_shapes.lstm_unroll(x, *weights)[0].shape == (2, 3, 2)


def test_an_unknown_name_is_an_authoring_error():
    with pytest.raises(AttributeError), off_limits(["no_such_function"]):
        pass


def test_off_limits_refuses_through_an_alias_taken_before():
    step = lstm_shapes.lstm_step
    with off_limits(["lstm_step"]), pytest.raises(OffLimits):
        step(np.zeros((1, 1)), np.zeros((1, 2)), np.zeros((1, 2)), np.zeros((1, 8)),
             np.zeros((2, 8)), np.zeros(8))


def test_a_function_of_a_module_not_imported_yet_refuses_once_imported(tmp_path):
    """sine_windows's module imports TensorFlow: off_limits must not import it itself, and
    still refuse when the learner's code imports it."""
    import subprocess
    import sys

    script = """
import sys
from lstm_shapes.exercises.probes import OffLimits, off_limits
with off_limits(["sine_windows"]):
    assert "lstm_shapes.builders.data" not in sys.modules
    from lstm_shapes import sine_windows
    try:
        sine_windows(timesteps=5)
    except OffLimits:
        print("refused")
print(len(sine_windows(timesteps=5).x_train) > 0)
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120)
    assert run.stdout.split() == ["refused", "True"], run.stdout + run.stderr


def test_a_nan_in_an_answer_is_named_non_finite_values(tmp_path):
    tests = SimpleNamespace(probe_loss=lambda module, rng: {"val_loss": module.loss()})
    learner = tmp_path / "sweep.py"
    learner.write_text("def loss():\n    return float('nan')\n")
    (tmp_path / "answers").mkdir()
    run_probes(tests, import_learner(learner), tmp_path / "answers", seed=0)
    answer = load_answers(tmp_path / "answers")["loss"]
    assert isinstance(answer, AnswerError) and answer.code == "non_finite_values", answer


def test_a_renamed_function_is_named_as_missing_not_as_an_internal_attribute_error(tmp_path):
    learner = tmp_path / "cell.py"
    learner.write_text("def my_unroll(x, kernel, recurrent, bias):\n    return x\n")
    (tmp_path / "answers").mkdir()
    run_probes(_tests(()), import_learner(learner), tmp_path / "answers", seed=0)
    answer = load_answers(tmp_path / "answers")["seq"]
    assert isinstance(answer, AnswerError) and answer.code == "missing_definition"
    assert "cell.py defines no 'unroll'" in answer.message
    assert "lstm_shapes_learner" not in answer.message and answer.location is None


def test_an_internal_given_by_its_full_path_refuses_too():
    from lstm_shapes.core import contracts

    with off_limits(["lstm_shapes.core.contracts.expected_shapes"]), pytest.raises(OffLimits):
        contracts.expected_shapes((2, 3, 1), contracts.RNNContract("LSTM", 4))
    assert contracts.expected_shapes((2, 3, 1), contracts.RNNContract("LSTM", 4))


def test_a_not_implemented_error_raised_by_a_library_is_no_stub(tmp_path):
    from lstm_shapes.core.messages import render_answer_error
    from lstm_shapes.exercises.answers import load_answers, save_error

    library = {"__name__": "keras.src.layers.core.lambda_layer"}
    exec("def call():\n    raise NotImplementedError('\\x1b[1mcould not infer the shape\\x1b[0m')",
         library)
    for key, raiser in (("mine", _raise_stub), ("keras", library["call"])):
        try:
            raiser()
        except NotImplementedError as err:
            save_error(tmp_path, key, err)
    answers = load_answers(tmp_path)
    assert render_answer_error("ex", answers["mine"]).startswith("ex: not done yet: implement")
    said = render_answer_error("ex", answers["keras"])
    assert said.startswith("ex: your code raised NotImplementedError inside keras"), said
    assert "could not infer the shape" in said and "\x1b" not in said


def _raise_stub():
    raise NotImplementedError("implement f()")
