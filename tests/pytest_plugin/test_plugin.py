"""The pytest plugin, run for real with pytester: options, grading, results.json, hooks."""

from __future__ import annotations

import json

import keras
import pytest

GRADED = """
import pytest
from lstm_shapes.exercises import fail

@pytest.mark.exercise("windows", points=6)
def test_windows_ok():
    assert 1 + 1 == 2

@pytest.mark.exercise("windows", points=4)
def test_windows_wrong():
    fail("[missing_timestep_axis] your x is 2-D", "missing_timestep_axis")

@pytest.mark.exercise("shapes", points=5, visibility="hidden")
def test_shapes_partial(credit):
    credit.award(0.4)
    assert False, "only part of it"

@pytest.mark.exercise("shapes", points=5)
def test_shapes_skipped():
    pytest.skip("not today")

def test_not_graded():
    pass
"""

BROKEN_STACK = """
import keras, numpy as np

def test_stack():
    model = keras.Sequential([keras.Input((10, 1)), keras.layers.LSTM(8),
                              keras.layers.LSTM(8), keras.layers.Dense(1)])
"""

WRONG_STATE = """
import keras, numpy as np

def test_state():
    x = np.zeros((4, 10, 1), "float32")
    keras.layers.LSTM(8)(x, initial_state=[np.zeros((4, 8), "float32")])
"""

FIT_TIME_MISTAKE = """
import keras, numpy as np

class Seq2One(keras.Model):
    def __init__(self):
        super().__init__()
        self.lstm = keras.layers.LSTM(8)
        self.head = keras.layers.Dense(1)

    def call(self, x):
        h = keras.ops.zeros((keras.ops.shape(x)[0], 4))  # 4 units where the LSTM has 8
        return self.head(self.lstm(x, initial_state=[h, h]))

def test_fit():
    model = Seq2One()
    model.compile("adam", "mse")
    model.fit(np.zeros((64, 10, 1), "float32"), np.zeros((64, 1), "float32"), epochs=1,
              verbose=0)
"""

FIT_OK = """
import keras, numpy as np

def test_fit(sine_data, seeded):
    model = keras.Sequential([keras.Input((10, 1)), keras.layers.LSTM(4, return_sequences=True),
                              keras.layers.Bidirectional(keras.layers.GRU(3)),
                              keras.layers.Dense(1)])
    model.compile("adam", "mse")
    model.fit(sine_data.x_train[:64], sine_data.y_train[:64], epochs=1, verbose=0)
    assert model.predict(sine_data.x_val[:5], verbose=0).shape == (5, 1)
"""


def _results(pytester: pytest.Pytester, *args: str, subprocess: bool = False) -> tuple:
    path = pytester.path / "results.json"
    run = pytester.runpytest_subprocess if subprocess else pytester.runpytest
    result = run(f"--lstm-results={path}", "-p", "no:cacheprovider", *args)
    return result, json.loads(path.read_text())


def test_help_shows_the_options_in_their_own_group(pytester: pytest.Pytester) -> None:
    out = pytester.runpytest("--help").stdout.str()
    group = out[out.index("lstm-shapes: LSTM shape checks and grading"):]
    for option in ("--lstm-shapes", "--lstm-results=PATH", "--lstm-answers=DIR", "--lstm-seed"):
        assert option in group
    assert "lstm_shapes (bool)" in out and "lstm_results (string)" in out


def test_grade_table_and_results_json(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_graded=GRADED)
    result, data = _results(pytester)
    result.assert_outcomes(passed=2, failed=2, skipped=1)
    out = result.stdout.str()
    assert "lstm-shapes grades" in out
    result.stdout.re_match_lines([r".*windows\s+6/10\s+partial\s+\[missing_timestep_axis\].*",
                                  r".*shapes\s+2/10\s+partial.*", r".*total\s+8/20.*"])
    assert set(data) == {"score", "max_score", "execution_time", "output", "visibility", "tests"}
    assert (data["score"], data["max_score"]) == (8.0, 20.0)
    assert isinstance(data["execution_time"], float) and data["execution_time"] >= 0
    assert "windows" in data["output"]
    tests = {t["name"]: t for t in data["tests"]}
    assert sorted(tests) == ["shapes: test_shapes_partial", "shapes: test_shapes_skipped",
                             "windows: test_windows_ok", "windows: test_windows_wrong"]
    for t in data["tests"]:
        assert set(t) == {"name", "number", "score", "max_score", "status", "output",
                          "visibility", "extra_data"}
        assert t["status"] in ("passed", "failed")
    ok, wrong = tests["windows: test_windows_ok"], tests["windows: test_windows_wrong"]
    assert (ok["score"], ok["max_score"], ok["status"], ok["output"]) == (6.0, 6.0, "passed", "")
    assert (wrong["score"], wrong["status"]) == (0.0, "failed")
    assert wrong["extra_data"]["codes"] == ["missing_timestep_axis"]
    assert "your x is 2-D" in wrong["output"]
    partial = tests["shapes: test_shapes_partial"]
    assert (partial["score"], partial["visibility"]) == (2.0, "hidden")
    assert partial["extra_data"]["codes"] == []
    skipped = tests["shapes: test_shapes_skipped"]
    assert skipped["score"] == 0.0 and "not today" in skipped["output"]
    assert sorted(t["number"] for t in data["tests"]) == ["1.1", "1.2", "2.1", "2.2"]


def test_results_path_from_the_ini_file(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_graded=GRADED)
    pytester.makeini("[pytest]\nlstm_results = out/results.json\n")
    pytester.runpytest("-p", "no:cacheprovider")
    assert json.loads((pytester.path / "out" / "results.json").read_text())["max_score"] == 20


@pytest.mark.parametrize("marker, problem", [
    ('exercise(points=3)', "non-empty string"),
    ('exercise("w", points=0)', "positive number"),
    ('exercise("w", points="3")', "positive number"),
    ('exercise("w", points=1, visibility="secret")', "visibility must be one of"),
    ('exercise("w", "x")', "exactly one"),
])
def test_a_malformed_exercise_marker_stops_the_run(pytester: pytest.Pytester, marker: str,
                                                   problem: str) -> None:
    pytester.makepyfile(f"import pytest\n@pytest.mark.{marker}\ndef test_x():\n    pass\n")
    result = pytester.runpytest("--lstm-results=results.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert problem in result.stderr.str()


def test_the_exercise_marker_is_declared_in_a_series_and_when_grading(
        pytester: pytest.Pytester) -> None:
    (pytester.path / "info.toml").write_text(  # a series: its manifest lists the folder
        '[[exercises]]\ndir = "01_windows"\nname = "windows"\n')
    (pytester.path / "01_windows").mkdir()
    (pytester.path / "01_windows" / "test_graded.py").write_text(GRADED)
    pytester.runpytest("--strict-markers").assert_outcomes(passed=2, failed=2, skipped=1)
    (pytester.path / "info.toml").unlink()  # elsewhere the marker is declared when grading
    _, data = _results(pytester, "--strict-markers")
    assert data["score"] == 8.0
    plain = pytester.runpytest_subprocess("--strict-markers", "-p", "no:cacheprovider")  # as
    # without the plugin (a subprocess: pytest's marker cache outlives an in-process run)
    assert "'exercise' not found in `markers` configuration option" in plain.stdout.str()


def test_lstm_shapes_names_a_stack_without_return_sequences(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_stack=BROKEN_STACK)
    plain = pytester.runpytest("-p", "no:cacheprovider")
    plain.assert_outcomes(failed=1)
    assert "missing_return_sequences" not in plain.stdout.str()  # Keras's own ndim message
    checked = pytester.runpytest("--lstm-shapes", "-p", "no:cacheprovider")
    checked.assert_outcomes(failed=1)
    out = checked.stdout.str()
    assert "[missing_return_sequences]" in out
    assert "set return_sequences=True on layer 'lstm" in out
    assert "keras/src" not in out  # the shape story, not TF's frames


def test_lstm_shapes_from_the_ini_file_catches_a_single_initial_state(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_state=WRONG_STATE)
    pytester.makeini("[pytest]\nlstm_shapes = true\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*[[]initial_state_structure[]]*",
                                 "*fix: initial_state=[[]h, c[]]*"])


def test_lstm_shapes_catches_a_mistake_made_while_fit_traces_the_model(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_fit=FIT_TIME_MISTAKE)
    result = pytester.runpytest("--lstm-shapes", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "[initial_state_units]" in out and "got (32, 4)" in out  # traced by fit, batch 32


def test_lstm_shapes_passes_a_correct_model_through_fit_and_leaves_keras_untouched(
        pytester: pytest.Pytester) -> None:
    before = {cls: cls.__dict__.get("__call__") for cls in
              (keras.layers.RNN, keras.layers.Bidirectional)}
    pytester.makepyfile(test_fit=FIT_OK)
    pytester.runpytest("--lstm-shapes", "-p", "no:cacheprovider").assert_outcomes(passed=1)
    after = {cls: cls.__dict__.get("__call__") for cls in before}
    assert after == before and before[keras.layers.RNN] is None


def test_seeded_makes_python_numpy_and_keras_repeat(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import random, numpy as np, keras
        seen = []
        def draw():
            return (random.random(), float(np.random.rand()),
                    float(keras.random.uniform((1,))[0]))
        def test_a(seeded):
            seen.append(draw())
        def test_b(seeded):
            seen.append(draw())
            assert seen[0] == seen[1]
        def test_c():
            assert draw() != seen[1]
    """)
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=3)


def test_sine_data_is_the_sine_task(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import numpy as np
        def test_data(sine_data):
            assert sine_data.x_train.shape[1:] == (10, 1)
            assert sine_data.y_train.shape == (sine_data.x_train.shape[0], 1)
            series = np.sin(np.arange(0, 100, 0.1))
            np.testing.assert_allclose(sine_data.x_train[0, :, 0], series[:10], atol=1e-6)
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_xdist_grades_equal_the_serial_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_graded=GRADED, test_more=GRADED.replace("windows", "stacking"))
    _, serial = _results(pytester, subprocess=True)
    _, parallel = _results(pytester, "-n", "2", subprocess=True)
    for data in (serial, parallel):
        data.pop("execution_time")
    assert parallel == serial and serial["max_score"] == 40


def test_junit_keeps_working_beside_the_results(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_graded=GRADED)
    _results(pytester, f"--junitxml={pytester.path / 'junit.xml'}")
    junit = (pytester.path / "junit.xml").read_text()
    assert 'name="test_windows_wrong"' in junit and "<failure" in junit


def test_plugin_loads_with_autoload_disabled(pytester: pytest.Pytester,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(test_graded=GRADED)
    result, data = _results(pytester, "-p", "lstm_shapes.pytest_plugin", subprocess=True)
    assert data["score"] == 8.0


def test_report_header_shows_the_settings_only_when_asked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_one="def test_one():\n    pass\n")
    plain = pytester.runpytest("-p", "no:cacheprovider").stdout.str()
    assert "lstm-shapes:" not in plain
    asked = pytester.runpytest("--lstm-shapes", "--lstm-seed=7", "-p", "no:cacheprovider")
    asked.stdout.fnmatch_lines(["lstm-shapes: shapes checked, seed 7"])


def test_settings_resolve_once_with_the_command_line_over_the_ini(
        pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nlstm_results = from-ini.json\n")
    pytester.makeconftest(
        "from lstm_shapes.pytest_plugin.options import settings\n"
        "def pytest_sessionstart(session):\n"
        "    s = settings(session.config)\n"
        "    print('SETTINGS', s.shapes, s.results, s.seed, s is settings(session.config))\n")
    pytester.makepyfile(test_one="def test_one():\n    pass\n")
    ini = pytester.runpytest("-s", "-p", "no:cacheprovider")
    ini.stdout.fnmatch_lines(["SETTINGS False from-ini.json 0 True"])
    (pytester.path / "from-ini.json").unlink()
    cli = pytester.runpytest("-s", "-p", "no:cacheprovider", "--lstm-results=cli.json",
                             "--lstm-seed=3")
    cli.stdout.fnmatch_lines(["SETTINGS False cli.json 3 True"])
    assert (pytester.path / "cli.json").exists() and not (pytester.path / "from-ini.json").exists()


LOSS_WIDTH = '''
import keras, numpy as np

def test_fit():
    model = keras.Sequential([keras.Input((10, 1)), keras.layers.GRU(4), keras.layers.Dense(3)])
    model.compile("adam", "mse")
    model.fit(np.zeros((8, 10, 1)), np.zeros((8, 2)), verbose=0)
'''


def test_lstm_shapes_explains_a_keras_error_below_pytests_own_report(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_fit=LOSS_WIDTH)
    plain = pytester.runpytest("-p", "no:cacheprovider")
    plain.assert_outcomes(failed=1)
    assert "what this error means" not in plain.stdout.str()  # a guest: nothing unasked
    checked = pytester.runpytest("--lstm-shapes", "-p", "no:cacheprovider")
    checked.assert_outcomes(failed=1)
    out = checked.stdout.str()
    assert "lstm-shapes: what this error means" in out
    assert "[output_width_mismatch]" in out and "Dense(2)" in out
    assert "Incompatible shapes" in out or "Dimensions must be equal" in out  # Keras's own
