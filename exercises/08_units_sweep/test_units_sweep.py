"""Tests of exercise 8 (units_sweep).

Your process records each model.fit call of sweep() (the model, the windows it trained on,
the epochs it ran, when it started and ended) and measures every trained model afterwards:
its layers, parameters and MSE on the validation and training windows. The rows sweep()
returns are judged against those measurements; plot() is judged from the PNG it saves and
from what its matplotlib figure holds.
"""

import contextlib
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from lstm_shapes.exercises import fail, fail_with, fits_recorded

# the library's sweep (and the builder it trains) would answer sweep(): they refuse while
# the probes run
OFF_LIMITS = ("units_sweep", "build_lstm")
UNITS, EPOCHS, WINDOWS = (4, 24), 1, 256  # not the defaults: the arguments must be used
PLOT_UNITS = (8, 16, 32, 64)
LOOP_FIX = ("for units in units_list:   # one model per value, in the caller's order; "
            "model.fit(x_train, y_train, epochs=epochs)")
PARAMS_FIX = '"params": model.count_params()   # every layer: the LSTM and its Dense(1) head'
VAL_FIX = '"val_loss": model.evaluate(x_val, y_val)   # after model.fit, on the validation windows'
TIME_FIX = ("start = time.perf_counter() right before model.fit(...), "
            '"seconds": time.perf_counter() - start right after it')
PLOT_FIX = ('ax.plot([r["units"] for r in rows], [r["val_loss"] for r in rows], "o-"); '
            "fig.savefig(path)")


def _mse(model, x, y):
    return float(np.mean((np.asarray(model(x, training=False), dtype="float64") - y) ** 2))


def run_sweep(module, units_list, epochs, windows):
    """sweep()'s rows, and what the tests measured of each model it trained with model.fit."""
    from lstm_shapes import explain, sine_windows

    w = sine_windows(timesteps=10)
    x_train, y_train = w.x_train[:windows], w.y_train[:windows]
    started = time.perf_counter()
    with fits_recorded(w.x_val) as fits:
        rows = module.sweep(x_train, y_train, w.x_val, w.y_val, units_list=units_list,
                            epochs=epochs)
    ended = time.perf_counter()
    models = []
    for call in fits:
        if not any(call["model"] is m["model"] for m in models):
            models.append({"model": call["model"], "fits": []})
        next(m for m in models if m["model"] is call["model"])["fits"].append(call)
    measured = []
    for i, entry in enumerate(models):
        model, calls = entry["model"], entry["fits"]
        window_start = models[i - 1]["fits"][-1]["end"] if i else started
        window_end = models[i + 1]["fits"][0]["start"] if i + 1 < len(models) else ended
        measured.append({
            "recurrent": [[c.contract.kind, c.contract.units]  # RNN(LSTMCell) is an LSTM
                          for c in explain(model, w.x_val[:2]).rnn_calls],
            "features": int(x_train.shape[-1]),
            "params": int(model.count_params()),
            "val_mse": _mse(model, w.x_val, w.y_val), "train_mse": _mse(model, x_train, y_train),
            "last_loss": calls[-1]["last_loss"], "epochs": sum(c["epochs"] for c in calls),
            "windows": calls[0]["windows"], "val_windows": max(c["val_windows"] for c in calls),
            "fit_seconds": sum(c["end"] - c["start"] for c in calls),
            "window_seconds": window_end - window_start,  # from the previous fit to the next
        })
    return {"rows": rows, "models": measured}


def probe_rows(module, rng):
    return run_sweep(module, UNITS, EPOCHS, WINDOWS)


@contextlib.contextmanager
def figures_recorded(drawn):
    """Note what each matplotlib figure holds when it is saved: lines, points and bars as
    (x, y) data, and the x tick labels."""
    from matplotlib.figure import Figure

    own = Figure.__dict__["savefig"]

    def savefig(self, *args, **kwargs):
        saved = own(self, *args, **kwargs)  # drawing it sets the tick labels
        for ax in self.get_axes():
            series = [[np.asarray(line.get_xdata(), float).tolist(),
                       np.asarray(line.get_ydata(), float).tolist()] for line in ax.get_lines()]
            series += [np.asarray(c.get_offsets(), float).T.tolist() for c in ax.collections
                       if len(c.get_offsets())]
            bars = [p for p in ax.patches if hasattr(p, "get_height")]
            if bars:
                series.append([[p.get_x() + p.get_width() / 2 for p in bars],
                               [p.get_height() for p in bars]])
            ticks = [t.get_text() for t in ax.get_xticklabels()]
            drawn.append({"series": series, "xticks": ticks})
        return saved

    Figure.savefig = savefig
    try:
        yield drawn
    finally:
        Figure.savefig = own


def plot_rows(rng, units):
    return [{"units": u, "params": 4 * u * (u + 2) + u + 1,
             "val_loss": float(rng.uniform(0.001, 0.1)), "seconds": 1.0} for u in units]


def draw(module, rows):
    drawn = []
    with tempfile.TemporaryDirectory() as tmp, figures_recorded(drawn):
        path = Path(tmp) / "sweep.png"
        module.plot(rows, path)
        data = path.read_bytes() if path.is_file() else b""
    return {"header": list(data[:8]), "size": len(data), "axes": drawn}


def probe_png(module, rng):
    return draw(module, plot_rows(rng, PLOT_UNITS))


def _rows(answer, units_list):
    rows = answer["rows"]
    if not isinstance(rows, list) or len(rows) != len(units_list) or not all(
            isinstance(row, dict) for row in rows):
        fail_with("ignored_argument", f"sweep(..., units_list={units_list}) must return one "
                  f"row (a dict) per units value, {len(units_list)} rows; got {rows!r:.200}",
                  LOOP_FIX)
    for row in rows:
        missing = {"units", "params", "val_loss", "seconds"} - set(row)
        if missing:
            fail(f"your answer: row {row!r:.100} lacks {sorted(missing)}")
    return rows


def _models(answer, units_list):
    models = answer["models"]
    if len(models) != len(units_list):
        fail_with("ignored_argument", f"sweep(..., units_list={units_list}) trained "
                  f"{len(models)} model(s) with model.fit; one per units value is "
                  f"{len(units_list)}", LOOP_FIX)
    return models


def judge_rows(answer, units_list):
    """One row per units value in order; each model is LSTM(units) + Dense(1), and its row
    holds the units and the parameters of that whole model."""
    from lstm_shapes import lstm_param_count

    rows, models = _rows(answer, units_list), _models(answer, units_list)
    for units, row, model in zip(units_list, rows, models):
        if row["units"] != units:
            fail_with("ignored_argument", f"the rows hold units {[r['units'] for r in rows]}; "
                      f"sweep was asked for units_list={units_list}, in that order", LOOP_FIX)
        if model["recurrent"] != [["LSTM", units]]:
            layers = ", ".join(f"{k}({u})" for k, u in model["recurrent"]) or "none"
            code = ("ignored_argument" if [k for k, _ in model["recurrent"]] == ["LSTM"]
                    else "model_layers")
            fail_with(code, f"the model of the row units={units} has the recurrent layers "
                      f"{layers}", "keras.layers.LSTM(units)   # the loop's units, then "
                      "keras.layers.Dense(1)")
        whole = lstm_param_count(units=units, features=model["features"]) + units + 1
        if model["params"] != whole:
            fail_with("model_layers", f"the model of units={units} has "
                      f"{model['params']} parameters; LSTM({units}) + Dense(1) have {whole}",
                      "keras.layers.LSTM(units), then keras.layers.Dense(1): nothing else")
        if row["params"] != model["params"]:
            lstm = lstm_param_count(units=units, features=model["features"])
            what = (f"the LSTM's {lstm} only: the Dense(1) head adds {units + 1} (units + 1)"
                    if row["params"] == lstm else f"{row['params']}")
            fail_with("wrong_measurement", f"units {units}: the model has {model['params']} "
                      f"parameters; the row says {what}", PARAMS_FIX)


def judge_training(answer, units_list, epochs):
    """Each model trains for ``epochs`` epochs on the training windows only."""
    for units, model in zip(units_list, _models(answer, units_list)):
        if model["val_windows"]:
            fail_with("validation_on_training_data", f"the model of units={units} trained on "
                      f"{model['windows']} windows, {model['val_windows']} of them validation "
                      "windows: its validation loss no longer measures unseen windows",
                      "model.fit(x_train, y_train, epochs=epochs)   # the validation windows "
                      "only measure")
        if model["epochs"] != epochs:
            fail_with("ignored_argument", f"the model of units={units} trained "
                      f"{model['epochs']} epoch(s); sweep was asked for epochs={epochs}",
                      "model.fit(x_train, y_train, epochs=epochs)")


def judge_val_loss(answer, units_list):
    """val_loss is the trained model's MSE on the validation windows."""
    rows, models = _rows(answer, units_list), _models(answer, units_list)
    for units, row, model in zip(units_list, rows, models):
        got, want = row["val_loss"], model["val_mse"]
        if isinstance(got, (int, float)) and abs(got - want) <= 1e-4 * want + 1e-7:
            continue
        close = [name for name, value in (("its MSE on the training windows", model[
            "train_mse"]), ("the training loss of its last epoch", model["last_loss"]))
            if value is not None and isinstance(got, (int, float))
            and abs(got - value) <= 1e-4 * abs(value) + 1e-7]
        if close:
            fail_with("validation_on_training_data", f"units {units}: the row's val_loss "
                      f"{got:.6g} is {close[0]}; its MSE on the validation windows is {want:.6g}",
                      VAL_FIX)
        fail_with("wrong_measurement", f"units {units}: the row's val_loss is {got!r:.30}; "
                  f"the trained model's MSE on the validation windows is {want:.6g}", VAL_FIX)


def judge_seconds(answer, units_list):
    """seconds is the wall-clock time of that model's training, in seconds."""
    rows, models = _rows(answer, units_list), _models(answer, units_list)
    for units, row, model in zip(units_list, rows, models):
        got, fit_s, room = row["seconds"], model["fit_seconds"], model["window_seconds"]
        if not isinstance(got, (int, float)) or not 0.5 * fit_s <= got <= room:
            fail_with("wrong_measurement", f"units {units}: the row says {got!r:.12} seconds; "
                      f"its model.fit took {fit_s:.2f} s, and the time from the previous "
                      f"model's training to the next one's is {room:.2f} s", TIME_FIX)


def judge_plot(png, rows):
    """A PNG saved at path, showing val_loss (y) against units (x)."""
    if png["header"] != list(b"\x89PNG\r\n\x1a\n") or png["size"] < 2000:
        fail_with("plot_content", "plot() must save a PNG image at path; the file there is "
                  + ("missing or not a PNG" if png["size"] == 0 or png["header"]
                     != list(b"\x89PNG\r\n\x1a\n") else f"nearly empty ({png['size']} bytes)"),
                  "fig.savefig(path)   # or plt.savefig(path), after drawing")
    if not png["axes"]:  # drawn without matplotlib: the PNG is all the tests can judge
        return
    units = [float(r["units"]) for r in rows]
    losses = [r["val_loss"] for r in rows]

    def same(a, b):
        return len(a) == len(b) and np.allclose(a, b, rtol=1e-6, atol=1e-9)

    for ax in png["axes"]:
        ticks = [t.replace("\u2212", "-") for t in ax["xticks"] if t]
        for x, y in ax["series"]:
            if same(y, losses) and (same(x, units) or ticks == [str(r["units"]) for r in rows]):
                return
    swapped = any(same(x, losses) and same(y, units) for ax in png["axes"]
                  for x, y in ax["series"])
    fail_with("plot_content", "the figure plot() saves shows no series of the rows' val_loss "
              "(y axis) against their units (x axis)"
              + (": units are on the y axis, the losses on the x axis" if swapped else ""),
              PLOT_FIX)


@pytest.mark.exercise("units_sweep", points=2)
def test_one_row_per_units_with_the_whole_models_parameters(answers):
    judge_rows(answers["rows"], UNITS)


@pytest.mark.exercise("units_sweep", points=1)
def test_each_model_trains_epochs_on_the_training_windows(answers):
    judge_training(answers["rows"], UNITS, EPOCHS)


@pytest.mark.exercise("units_sweep", points=2)
def test_val_loss_is_the_validation_mse(answers):
    judge_val_loss(answers["rows"], UNITS)


@pytest.mark.exercise("units_sweep", points=1)
def test_seconds_is_the_training_time(answers):
    judge_seconds(answers["rows"], UNITS)


@pytest.mark.exercise("units_sweep", points=2)
def test_the_plot_shows_val_loss_against_units(answers):
    judge_plot(answers["png"], plot_rows(answers.rng("png"), PLOT_UNITS))


OTHER_UNITS, OTHER_EPOCHS, OTHER_WINDOWS, OTHER_PLOT_UNITS = (12,), 2, 128, (2, 100)


def probe_rows_other(module, rng):
    return run_sweep(module, OTHER_UNITS, OTHER_EPOCHS, OTHER_WINDOWS)


def probe_png_other(module, rng):
    return draw(module, plot_rows(rng, OTHER_PLOT_UNITS))


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("units_sweep", points=1)
def test_another_units_list_and_epochs(answers):
    answer = answers["rows_other"]
    judge_rows(answer, OTHER_UNITS)
    judge_training(answer, OTHER_UNITS, OTHER_EPOCHS)
    judge_val_loss(answer, OTHER_UNITS)
    judge_seconds(answer, OTHER_UNITS)


@pytest.mark.exercise("units_sweep", points=1)
def test_the_plot_of_other_rows(answers):
    judge_plot(answers["png_other"], plot_rows(answers.rng("png_other"), OTHER_PLOT_UNITS))
### END HIDDEN TESTS
