"""units_sweep: one trained LSTM per units value, a table, the best row and a PNG."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_shapes import (
    ShapeError,
    SweepResult,
    lstm_param_count,
    sine_windows,
    units_sweep,
)
from lstm_shapes.builders.sweep import SweepRow


@pytest.fixture(scope="module")
def small_sweep():
    data = sine_windows(timesteps=5, stop=30.0)
    return data, units_sweep((4, 8), data=data, epochs=2, batch_size=32, seed=1, verbose=False)


def test_small_sweep_records_every_units_value(small_sweep):
    data, result = small_sweep
    assert isinstance(result, SweepResult)
    assert [row.units for row in result.rows] == [4, 8]
    for row in result.rows:
        assert row.params == lstm_param_count(row.units, 1) + row.units + 1  # + Dense head
        assert np.isfinite(row.train_loss) and row.train_loss > 0
        assert np.isfinite(row.val_mse) and row.val_mse > 0
        assert row.seconds > 0
    assert result.best.val_mse == min(row.val_mse for row in result.rows)


def test_sweep_is_repeatable_with_the_same_seed(small_sweep):
    data, result = small_sweep
    again = units_sweep((4,), data=data, epochs=2, seed=1, verbose=False)
    assert again.rows[0].val_mse == result.rows[0].val_mse
    assert again.rows[0].train_loss == result.rows[0].train_loss


def test_table_text_and_png(small_sweep, tmp_path):
    _, result = small_sweep
    text = str(result)
    assert text.splitlines()[0] == f"units sweep (best: {result.best.units} units)"
    for column in ("units", "params", "train loss", "val MSE", "seconds"):
        assert column in text
    for row in result.rows:
        assert f"{row.params:,}" in text and f"{row.val_mse:.2e}" in text
    assert "\x1b[" not in text  # plain text, no terminal colours
    path = result.to_png(tmp_path / "sub" / "sweep.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_best_is_the_lowest_validation_mse():
    rows = (SweepRow(16, 1168, 1e-3, 5e-4, 1.0), SweepRow(32, 4384, 1e-4, 2e-4, 2.0),
            SweepRow(64, 16960, 1e-5, 9e-4, 4.0))  # the biggest over-fits
    assert SweepResult(rows).best.units == 32


def test_verbose_prints_one_line_per_model(capsys):
    data = sine_windows(timesteps=3, stop=8.0)
    units_sweep((2,), data=data, epochs=1)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("units    2:") and "val MSE" in lines[0]


@pytest.mark.parametrize("kwargs, message", [
    ({"units": ()}, "Received: units=()"),
    ({"units": (16, 0)}, "Received: units=(16, 0)"),
    ({"epochs": 0}, "Expected epochs to be a positive integer. Received: epochs=0"),
    ({"batch_size": -4}, "Received: batch_size=-4"),
])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError) as info:
        units_sweep(**{"data": sine_windows(timesteps=3, stop=8.0), **kwargs})
    assert message in str(info.value)


def test_bad_data_is_refused_with_the_field_named():
    data = sine_windows(timesteps=3, stop=8.0)
    with pytest.raises(ShapeError) as info:
        units_sweep((2,), data=data._replace(x_val=data.x_val[:, :, 0]), epochs=1)
    assert info.value.where == "units_sweep argument data.x_val"
    assert info.value.code == "missing_timestep_axis"
    with pytest.raises(ShapeError, match="data.y_train"):
        units_sweep((2,), data=data._replace(y_train=data.y_train[:-1]), epochs=1)
    with pytest.raises(TypeError, match="Expected data to be SineWindows"):
        units_sweep((2,), data=(data.x_train, data.y_train), epochs=1)


@pytest.mark.slow
def test_full_sweep_on_the_sine_task(tmp_path):
    result = units_sweep((16, 32, 64), epochs=20, verbose=False)
    assert [row.params for row in result.rows] == [
        lstm_param_count(u, 1) + u + 1 for u in (16, 32, 64)]
    assert result.best.val_mse < 1e-3
    assert result.rows[0].params < result.rows[1].params < result.rows[2].params
    assert result.to_png(tmp_path / "sweep.png").exists()
