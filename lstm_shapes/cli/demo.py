"""``lstm-shapes demo``: the stacked LSTM on the sine task, with its shape story.

Seeds everything, cuts ``np.sin(np.arange(0, 100, 0.1))`` into windows of 10 steps, builds
LSTM(50, return_sequences=True) -> LSTM(50) -> Dense(1), prints every tensor's shape with
named dims, trains (MSE + Adam), compares the validation MSE with a naive last-value baseline
and saves a plot of the predictions.

>>> _parse_units("50,50")
(50, 50)
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_OUT = "lstm-shapes-demo"
TIMESTEPS = 10


@dataclass(frozen=True)
class DemoResult:
    """What one demo run measured."""

    units: tuple[int, ...]
    epochs: int
    seed: int
    train_loss: float  # MSE on the training windows after the last epoch
    val_mse: float  # the model's MSE on the validation windows
    baseline_mse: float  # MSE of predicting the last value of each window
    train_seconds: float
    seconds: float  # the whole run: data, model, story, training, plot
    plot_path: Path

    @property
    def ratio(self) -> float:
        """``val_mse / baseline_mse``: below 1 the model beats the naive baseline."""
        return self.val_mse / self.baseline_mse


def _parse_units(text: str) -> tuple[int, ...]:
    try:
        units = tuple(int(part) for part in text.split(","))
    except ValueError:
        units = ()
    if not units or any(u < 1 for u in units):
        raise argparse.ArgumentTypeError(
            f"expected positive integers separated by commas, one per LSTM layer (e.g. 50,50); "
            f"got {text!r}")
    return units


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``lstm-shapes demo``."""
    parser.add_argument("--epochs", type=_positive, default=20,
                        help="training epochs (default: 20)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--out", type=Path, default=Path(DEFAULT_OUT), metavar="DIR",
                        help=f"folder for the prediction plot (default: {DEFAULT_OUT}/)")
    parser.add_argument("--units", type=_parse_units, default=(50, 50),
                        help="units of each stacked LSTM, comma-separated (default: 50,50)")


def run(args: argparse.Namespace) -> int:
    """Run the demo; print the story, the training and the scores. Returns the exit code."""
    result = train_demo(units=args.units, epochs=args.epochs, seed=args.seed, out=args.out)
    return 0 if np.isfinite(result.val_mse) else 1


def train_demo(
    *,
    series: Any = None,
    units: Sequence[int] = (50, 50),
    epochs: int = 20,
    seed: int = 0,
    out: str | Path = DEFAULT_OUT,
    batch_size: int = 32,
    verbose: bool = True,
) -> DemoResult:
    """Train the stacked LSTM on windows of ``series`` (the sine wave by default).

    Args:
        series: a 1-D float series; ``None`` for ``np.sin(np.arange(0, 100, 0.1))``.
        units: units of each stacked LSTM; every LSTM but the last returns sequences.
        epochs, seed, batch_size: training settings.
        out: folder for ``predictions.png``.
        verbose: print the story, a progress display and the scores.

    Raises:
        ShapeError: the series holds NaN/inf (``non_finite_values``), is not 1-D or is too
            short, before anything is trained.
    """
    from rich.console import Console

    from lstm_shapes.builders.data import sine_windows
    from lstm_shapes.builders.models import build_stacked_lstm
    from lstm_shapes.builders.seeding import seed_everything
    from lstm_shapes.builders.validate import _positive_int

    epochs = _positive_int("epochs", epochs)
    batch_size = _positive_int("batch_size", batch_size)
    started = time.perf_counter()
    console = Console(quiet=not verbose, highlight=False)
    if not console.is_terminal:
        console.width = 100  # a log or a pipe: do not wrap at 80 columns
    seed_everything(seed)
    data = sine_windows(series, timesteps=TIMESTEPS)
    model = build_stacked_lstm(units, timesteps=TIMESTEPS)
    source = "np.sin(np.arange(0, 100, 0.1))" if series is None else "your series"
    layers = " -> ".join(f"LSTM({u})" for u in units)
    console.print(f"[bold]lstm-shapes demo[/]: {layers} -> Dense(1) learns the next value")
    console.print(f"of {source}, cut into windows of timesteps={TIMESTEPS};")
    console.print("the last 20 % of the series is held out for validation.\n")
    _print_story(console, model, data)

    train_started = time.perf_counter()
    history = model.fit(data.x_train, data.y_train, epochs=epochs, batch_size=batch_size,
                        validation_data=(data.x_val, data.y_val), verbose=0,
                        callbacks=[_progress_callback(console, epochs)])
    train_seconds = time.perf_counter() - train_started

    predictions = model.predict(data.x_val, batch_size=256, verbose=0)
    val_mse = float(np.mean((predictions - data.y_val) ** 2))
    baseline = data.x_val[:, -1, :]  # predict "the same as the last value of the window"
    baseline_mse = float(np.mean((baseline - data.y_val) ** 2))
    plot_path = _save_plot(Path(out), data.y_val[:, 0], predictions[:, 0], baseline[:, 0],
                           val_mse, baseline_mse)
    result = DemoResult(
        units=tuple(units), epochs=epochs, seed=seed,
        train_loss=float(history.history["loss"][-1]), val_mse=val_mse,
        baseline_mse=baseline_mse, train_seconds=train_seconds,
        seconds=time.perf_counter() - started, plot_path=plot_path)
    _print_result(console, result)
    return result


# --- the shape story ---------------------------------------------------------------------

def _print_story(console: Any, model: Any, data: Any) -> None:
    x_train, x_val = str(data.x_train.shape), str(data.x_val.shape)
    width = max(len(x_train), len(x_val))
    console.print(f"data  x_train {x_train:<{width}}  y_train {data.y_train.shape}   "
                  "x: (batch, timesteps, features)  y: (batch, horizon)")
    console.print(f"      x_val   {x_val:<{width}}  y_val   {data.y_val.shape}\n")
    from rich.text import Text

    from lstm_shapes.diagnosis.story import explain

    console.print(Text(str(explain(model))))
    console.print()
    console.print("LSTM params = 4·(units·(features+units)+units):")
    for formula in _param_formulas(model):
        console.print(f"  {formula}")
    lstm = next((layer for layer in model.layers if type(layer).__name__ == "LSTM"), None)
    if lstm is not None:
        console.print(f"One LSTM cell is unrolled over the {data.x_train.shape[1]} timesteps;"
                      f" units ({lstm.units}) is the size of h and c,\nnot a number of cells.\n")


def _param_formulas(model: Any) -> list[str]:
    """Each LSTM's parameter count worked out: ``lstm: 4·(50·(1+50)+50) = 10,400``."""
    from lstm_shapes.builders.models import lstm_param_count

    return [f"{layer.name}: 4·({layer.units}·({layer.input.shape[-1]}+{layer.units})+"
            f"{layer.units}) = {lstm_param_count(layer.units, layer.input.shape[-1]):,}"
            for layer in model.layers if type(layer).__name__ == "LSTM"]


# --- training progress -------------------------------------------------------------------

def _progress_callback(console: Any, epochs: int) -> Any:
    """A Keras callback: a rich progress bar on a terminal, one line per epoch otherwise."""
    import keras

    class _Progress(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.bar = None
            if console.is_terminal and not console.quiet:
                from rich.progress import (
                    BarColumn,
                    MofNCompleteColumn,
                    Progress,
                    TextColumn,
                )

                self.bar = Progress(TextColumn("training"), BarColumn(), MofNCompleteColumn(),
                                    TextColumn("{task.fields[losses]}"), console=console)
                self.task = self.bar.add_task("fit", total=epochs, losses="")
                self.bar.start()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            losses = f"loss {logs.get('loss', float('nan')):.2e}  " \
                     f"val_loss {logs.get('val_loss', float('nan')):.2e}"
            if self.bar is not None:
                self.bar.update(self.task, advance=1, losses=losses)
            else:
                console.print(f"epoch {epoch + 1:>{len(str(epochs))}}/{epochs}  {losses}")

        def on_train_end(self, logs=None):
            if self.bar is not None:
                self.bar.stop()

    return _Progress()


# --- results and the plot ----------------------------------------------------------------

def _save_plot(out: Path, truth: np.ndarray, model: np.ndarray, baseline: np.ndarray,
               val_mse: float, baseline_mse: float) -> Path:
    """Truth vs model vs baseline on the validation windows, as ``out/predictions.png``."""
    from lstm_shapes.display.plots import new_figure, save_png

    out.mkdir(parents=True, exist_ok=True)
    figure, (top, bottom) = new_figure((9, 6), 2, 1, dpi=100, sharex=True,
                                       height_ratios=(3, 2))
    steps = np.arange(len(truth))
    top.plot(steps, truth, color="black", linewidth=2.5, label="truth (next value)")
    top.plot(steps, model, color="tab:blue", linewidth=1.2, label=f"LSTM (MSE {val_mse:.2e})")
    top.plot(steps, baseline, color="tab:orange", linestyle="--", linewidth=1,
             label=f"last value of the window (MSE {baseline_mse:.2e})")
    top.set_ylabel("value")
    top.set_title("Next-value prediction on the held-out end of the series")
    top.legend(loc="lower center", bbox_to_anchor=(0.5, 1.08), ncol=3, fontsize=8,
               frameon=False)
    bottom.axhline(0, color="black", linewidth=0.8)
    bottom.plot(steps, model - truth, color="tab:blue", linewidth=1.2, label="LSTM error")
    bottom.plot(steps, baseline - truth, color="tab:orange", linestyle="--", linewidth=1,
                label="baseline error")
    bottom.set_xlabel("validation window")
    bottom.set_ylabel("prediction - truth")
    bottom.legend(loc="upper right", fontsize=8)
    figure.tight_layout()
    return save_png(figure, out / "predictions.png", dpi=100)


def _print_result(console: Any, result: DemoResult) -> None:
    console.print(f"\nvalidation MSE     {result.val_mse:.3e}")
    console.print(f"last-value MSE     {result.baseline_mse:.3e}   (predict the window's "
                  "last value)")
    console.print(f"ratio              {result.ratio:.4f}   (model / baseline; < 1: the LSTM "
                  "wins)")
    console.print(f"plot               {result.plot_path}", soft_wrap=True,
                  markup=False)  # copyable, even with [ ] in the path
    console.print(f"time               {result.seconds:.1f} s (training "
                  f"{result.train_seconds:.1f} s, {result.epochs} epochs)")
