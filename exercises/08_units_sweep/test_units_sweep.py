"""Tests of exercise 8 (units_sweep)."""

import math
import tempfile
from pathlib import Path

import pytest

from lstm_shapes.exercises import fail_with

UNITS = (16, 32, 64)


def probe_rows(module, rng):
    from lstm_shapes import sine_windows

    w = sine_windows(timesteps=10)
    return module.sweep(w.x_train[:400], w.y_train[:400], w.x_val, w.y_val,
                        units_list=UNITS, epochs=2)


def probe_png(module, rng):
    rows = [{"units": u, "params": 0, "val_loss": float(rng.uniform(0.001, 0.1)),
             "seconds": 1.0} for u in UNITS]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sweep.png"
        module.plot(rows, path)
        data = path.read_bytes() if path.is_file() else b""
    return {"header": list(data[:8]), "size": len(data)}


def _rows(answers):
    rows = answers["rows"]
    if not isinstance(rows, list) or len(rows) != len(UNITS):
        pytest.fail(f"sweep() must return one row per units value ({len(UNITS)}), got "
                    f"{rows!r:.200}", pytrace=False)
    for row in rows:
        missing = {"units", "params", "val_loss", "seconds"} - set(row)
        if missing:
            pytest.fail(f"row {row!r:.100} lacks {sorted(missing)}", pytrace=False)
    return rows


@pytest.mark.exercise("units_sweep", points=3)
def test_one_row_per_units_with_the_right_parameter_count(answers):
    from lstm_shapes import lstm_param_count

    for units, row in zip(UNITS, _rows(answers)):
        assert row["units"] == units, f"rows in the order {UNITS}"
        lstm, head = lstm_param_count(units, 1), units + 1  # LSTM, Dense(1)
        if row["params"] == lstm:
            pytest.fail(f"your answer: units {units}: the row holds the LSTM's {lstm} "
                        f"parameters only; the Dense(1) head adds {head} (units + 1): "
                        "params = model.count_params()", pytrace=False)
        if row["params"] != lstm + head:
            fail_with("lstm_gate_count", f"LSTM({units}) + Dense(1) has {lstm + head} "
                      f"parameters, the row says {row['params']}",
                      "params = model.count_params()")


@pytest.mark.exercise("units_sweep", points=3)
def test_losses_and_times_are_measured(answers):
    for row in _rows(answers):
        # a real validation MSE after 2 epochs: finite, positive, and not far above the 0.5
        # of predicting 0 (how well 2 epochs train depends on the batch size: not judged here)
        assert math.isfinite(row["val_loss"]) and 0 < row["val_loss"] < 1.0, (
            f"units {row['units']}: validation loss {row['val_loss']} is not a validation MSE "
            "of the sine task (predicting 0 gives 0.5): return history.history['val_loss'][-1]")
        assert 0 < row["seconds"] < 120, f"units {row['units']}: {row['seconds']} s"


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("units_sweep", points=2)
def test_bigger_models_have_more_parameters(answers):
    rows = _rows(answers)
    assert rows[-1]["params"] > rows[0]["params"] * 4


@pytest.mark.exercise("units_sweep", points=2)
def test_the_plot_is_a_png(answers):
    png = answers["png"]
    assert png["header"] == list(b"\x89PNG\r\n\x1a\n"), "plot() must save a PNG file at path"
    assert png["size"] > 2000, "the PNG is nearly empty"
### END HIDDEN TESTS
