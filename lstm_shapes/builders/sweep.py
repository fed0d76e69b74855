"""``units_sweep``: train one LSTM per number of units and compare capacity, fit and time.

More units mean more parameters (``4*(units*(features+units)+units)``), more capacity, more
time per epoch and, on a small data set, more room to over-fit. The sweep measures it.

>>> row = SweepRow(units=16, params=1168, train_loss=2e-4, val_mse=3e-4, seconds=1.5)
>>> print(SweepResult((row,)))  # doctest: +NORMALIZE_WHITESPACE
units sweep (best: 16 units)
 units  params  train loss  val MSE  seconds
 16     1,168   2.00e-04    3.00e-04 1.5
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lstm_shapes.builders.data import SineWindows
from lstm_shapes.builders.validate import _positive_int, _units_tuple


@dataclass(frozen=True)
class SweepRow:
    """One trained model of the sweep."""

    units: int
    params: int  # all trainable parameters of the model (LSTM + Dense head)
    train_loss: float  # training MSE after the last epoch
    val_mse: float  # MSE on the validation windows
    seconds: float  # time to build and train


@dataclass(frozen=True)
class SweepResult:
    """The rows of a units sweep, in the order the units were given."""

    rows: tuple[SweepRow, ...]

    @property
    def best(self) -> SweepRow:
        """The row with the lowest validation MSE."""
        return min(self.rows, key=lambda row: row.val_mse)

    def __str__(self) -> str:
        from rich.table import Table

        from lstm_shapes.display.tables import table_text

        table = Table(title=f"units sweep (best: {self.best.units} units)",
                      title_justify="left", box=None)
        for column in ("units", "params", "train loss", "val MSE", "seconds"):
            table.add_column(column)
        for row in self.rows:
            table.add_row(str(row.units), f"{row.params:,}", f"{row.train_loss:.2e}",
                          f"{row.val_mse:.2e}", f"{row.seconds:.1f}")
        return "\n".join(line.rstrip() for line in table_text(table, width=100).splitlines())

    def to_png(self, path: str | Path) -> Path:
        """Save validation MSE and parameters against units as a PNG; return its path."""
        from matplotlib.ticker import NullLocator

        from lstm_shapes.display.plots import new_figure, save_png

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        units = [row.units for row in self.rows]
        figure, (left, right) = new_figure((8, 3.5), 1, 2, dpi=100)
        left.plot(units, [row.val_mse for row in self.rows], marker="o", label="validation")
        left.plot(units, [row.train_loss for row in self.rows], marker="s", linestyle="--",
                  label="training")
        left.set_yscale("log")
        left.set_xscale("log", base=2)  # units usually double: 16, 32, 64
        left.set_xticks(units, [str(u) for u in units])
        left.xaxis.set_minor_locator(NullLocator())
        left.set_xlabel("units")
        left.set_ylabel("MSE")
        left.set_title("error against units")
        left.legend(fontsize=8)
        right.bar([str(u) for u in units], [row.params for row in self.rows],
                  color="tab:gray")
        right.set_xlabel("units")
        right.set_ylabel("trainable parameters")
        right.set_title("parameters against units")
        figure.tight_layout()
        return save_png(figure, path, dpi=100)


def units_sweep(
    units: Sequence[int] = (16, 32, 64),
    *,
    data: SineWindows | None = None,
    epochs: int = 20,
    batch_size: int = 32,
    seed: int = 0,
    verbose: bool = True,
) -> SweepResult:
    """Train ``build_lstm(u)`` for each ``u`` in ``units`` on the same windows and seed.

    Args:
        units: the sizes to compare (of h and c, not a number of timesteps).
        data: windows from ``sine_windows``; by default the sine task with timesteps=10.
        epochs, batch_size: training settings, the same for every model.
        seed: every model starts from the same seed (``seed_everything``).
        verbose: print one line per trained model.

    Returns:
        A ``SweepResult``: ``print(result)`` shows the table, ``result.best`` the row with the
        lowest validation MSE, ``result.to_png(path)`` draws it.

    Raises:
        ValueError: bad units, epochs or batch_size.
        TypeError: ``data`` is not ``SineWindows``-like (x_train, y_train, x_val, y_val).
    """
    from lstm_shapes.builders.data import sine_windows
    from lstm_shapes.builders.models import build_lstm
    from lstm_shapes.builders.seeding import seed_everything

    sizes = _units_tuple(units)
    epochs = _positive_int("epochs", epochs)
    batch_size = _positive_int("batch_size", batch_size)
    data = sine_windows() if data is None else _as_windows(data)
    _, timesteps, features = data.x_train.shape
    rows = []
    for size in sizes:
        started = time.perf_counter()
        seed_everything(seed)
        model = build_lstm(size, timesteps=timesteps, features=features,
                           outputs=data.y_train.shape[-1])
        history = model.fit(data.x_train, data.y_train, epochs=epochs, batch_size=batch_size,
                            verbose=0)
        predictions = model.predict(data.x_val, batch_size=256, verbose=0)
        row = SweepRow(units=size, params=model.count_params(),
                       train_loss=float(history.history["loss"][-1]),
                       val_mse=float(np.mean((predictions - data.y_val) ** 2)),
                       seconds=time.perf_counter() - started)
        rows.append(row)
        if verbose:
            print(f"units {size:>4}: {row.params:>7,} params, train loss "
                  f"{row.train_loss:.2e}, val MSE {row.val_mse:.2e}, {row.seconds:.1f} s",
                  flush=True)
    return SweepResult(tuple(rows))


def _as_windows(data: Any) -> SineWindows:
    """``data`` as SineWindows, each field checked against its annotation (shared dims)."""
    import typing

    from lstm_shapes.core.checking import _array_spec, check_value

    try:
        windows = SineWindows(*data)
    except TypeError:
        raise TypeError("Expected data to be SineWindows(x_train, y_train, x_val, y_val), "
                        f"e.g. lstm_shapes.sine_windows(). Received: data={data!r:.80}") from None
    bindings: dict = {}
    for name, annotation in typing.get_type_hints(SineWindows).items():
        check_value(getattr(windows, name), _array_spec(annotation), bindings,
                    f"units_sweep argument data.{name}", arg=f"data.{name}")
    return windows
