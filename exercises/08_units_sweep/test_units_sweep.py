"""Tests of exercise 8 (units_sweep).

Your process records each training step of sweep() (model.fit on arrays, datasets or
generators, model.train_on_batch, a hand-written loop) with the model, the windows it trained
on, its epochs and times, and measures every trained model afterwards: its layers, head,
parameters and MSE on the validation and training windows. The rows sweep() returns are judged
against those measurements; plot() is judged from the PNG it saves and from what its
matplotlib figure holds.

Wall-clock time is told from CPU time and from time spent outside model.fit: while sweep()
runs, each model.fit ends with a pause that costs no CPU, and compile, evaluate and predict
(outside fit) pause too. A fit of two epochs or more starts its last epoch from disturbed
weights, so the loss after training is not the lowest one seen during training.
"""

import contextlib
import functools
import inspect
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from lstm_shapes.exercises import (
    TRAINING_PATHS,
    describe_model,
    fail,
    fail_with,
    leaks,
    training_recorded,
)

# the library's sweep (and the builder it trains) would answer sweep(): they refuse while
# the probes run
OFF_LIMITS = ("units_sweep", "build_lstm")
DEFAULT_UNITS = (16, 32, 64)
FIT_PAUSE, OUTSIDE_PAUSE = 0.1, 0.12  # seconds without CPU: at the end of fit, around it
EARLY, LATE = 0.01, 0.05  # how much a timer may start late / end late around model.fit
LOOP_FIX = ("for units in units_list:   # one model per value, in the caller's order; "
            "model.fit(x_train, y_train, epochs=epochs)")
PARAMS_FIX = '"params": model.count_params()   # every layer: the LSTM and its Dense(1) head'
VAL_FIX = '"val_loss": model.evaluate(x_val, y_val)   # after model.fit, on the validation windows'
MSE_FIX = ('model.compile(optimizer="adam", loss="mse")   # model.evaluate returns the '
           "compiled loss: the row's val_loss is the MSE")
TIME_FIX = ("start = time.perf_counter() right before model.fit(...), "
            '"seconds": time.perf_counter() - start right after it')
PLOT_FIX = ('ax.plot([r["units"] for r in rows], [r["val_loss"] for r in rows], "o-"); '
            "fig.savefig(path)")
LAYERS_FIX = "keras.layers.LSTM(units)   # the loop's units, then keras.layers.Dense(1)"
HEAD_FIX = "keras.layers.Dense(1)   # linear: a forecast can be any number, negative too"


def _sweep_question(rng):
    """units_list, epochs and the number of training windows of the visible sweep: two units
    values drawn each run (never the defaults), in the drawn order (descending too), and 3
    epochs (not the default 2)."""
    units = rng.choice([u for u in range(2, 40) if u not in DEFAULT_UNITS], size=2,
                       replace=False)
    return tuple(int(u) for u in units), 3, int(rng.integers(150, 300))


def _other_question(rng):
    """The second sweep: one units value, two epochs, fewer windows."""
    return (int(rng.choice([u for u in range(2, 40) if u not in DEFAULT_UNITS])),), 2, 128


def _mse(model, x, y):
    return float(np.mean((np.asarray(model(x, training=False), dtype="float64") - y) ** 2))


@contextlib.contextmanager
def fit_timing_marked(clocks):
    """While inside, the wall-clock time of model.fit differs from what else a timer could
    read: each fit's training ends (in on_train_end, before the learner's callbacks) with a
    pause that costs no CPU, long enough that the CPU time of the whole fit stays FIT_PAUSE
    below the wall-clock time of its training; compile, evaluate and predict outside fit
    pause OUTSIDE_PAUSE. ``clocks`` gets each fit's {"model", "cpu", "training"}: its CPU
    seconds, and the wall-clock seconds from on_train_begin to the end of the pause. The last
    epoch of a fit of several starts from disturbed weights (Spoil)."""
    import keras

    names = ("fit", "compile", "evaluate", "predict")
    own = {name: keras.Model.__dict__.get(name) for name in names}
    inherited = {name: getattr(keras.Model, name) for name in names}
    busy = [0]

    class Pause(keras.callbacks.Callback):
        def __init__(self, model):
            super().__init__()
            self.owner, self.cpu, self.begin = model, time.process_time(), time.perf_counter()

        def on_train_begin(self, logs=None):
            self.begin = time.perf_counter()

        def on_train_end(self, logs=None):
            used = time.process_time() - self.cpu
            time.sleep(max(FIT_PAUSE, used - (time.perf_counter() - self.begin) + FIT_PAUSE))
            clocks.append({"model": self.owner, "cpu": used,
                           "training": time.perf_counter() - self.begin})

    class Spoil(keras.callbacks.Callback):
        """The last epoch starts from disturbed weights: its val_loss is then worse than an
        earlier epoch's, so the loss after training is not the lowest one seen."""

        def __init__(self, last):
            super().__init__()
            self.last = last

        def on_epoch_begin(self, epoch, logs=None):
            if epoch == self.last:
                noise = np.random.default_rng(epoch)
                for w in self.model.trainable_weights:
                    w.assign(np.asarray(w) + noise.normal(scale=1.0, size=w.shape))

    @functools.wraps(inherited["fit"])  # its signature: training_recorded binds to it
    def fit(self, *args, **kwargs):
        try:
            bound = inspect.signature(inherited["fit"]).bind(self, *args, **kwargs).arguments
        except TypeError:  # fit itself will say what is wrong with the call
            return inherited["fit"](self, *args, **kwargs)
        bound.pop("self", None)
        extra = bound.pop("kwargs", {})
        given = bound.get("callbacks")
        if given is None or isinstance(given, (list, tuple)):
            epochs = bound.get("epochs", 1)
            spoil = [Spoil(epochs - 1)] if isinstance(epochs, int) and epochs > 1 else []
            bound["callbacks"] = [Pause(self), *spoil, *(given or [])]
        busy[0] += 1
        try:
            return inherited["fit"](self, **bound, **extra)
        finally:
            busy[0] -= 1

    def pausing(name):
        def method(self, *args, **kwargs):
            result = inherited[name](self, *args, **kwargs)
            if not busy[0]:
                time.sleep(OUTSIDE_PAUSE)
            return result
        return method

    keras.Model.fit = fit
    for name in names[1:]:
        setattr(keras.Model, name, pausing(name))
    try:
        yield clocks
    finally:
        for name, method in own.items():
            if method is None:
                delattr(keras.Model, name)
            else:
                setattr(keras.Model, name, method)


def _compiled_loss(model, x, y):
    """The model's compiled loss on (x, y) and its name, when that loss is not the MSE."""
    import keras

    loss = getattr(model, "loss", None)
    if loss is None:
        return None, None
    fn = keras.losses.get(loss) if isinstance(loss, str) else loss
    at_2 = float(np.mean(np.asarray(fn(np.zeros((1, 1), "float32"),
                                       np.full((1, 1), 2.0, "float32")))))
    if at_2 == 4.0:
        return None, None
    pred = np.asarray(model(x, training=False), dtype="float32")
    name = loss if isinstance(loss, str) else getattr(loss, "name", None) or getattr(
        loss, "__name__", type(loss).__name__)
    return float(np.mean(np.asarray(fn(np.asarray(y, "float32"), pred)))), str(name)


def _measure(model, calls, clocks, w, x_train, y_train):
    """What the tests need of one trained model and of its training steps."""
    facts = describe_model(lambda: model, w.x_val[:32], w.y_val[:32])
    if "error" in facts or facts["findings"]:
        return {"facts": facts}
    fits = [c for c in calls if c["via"] == "fit"]
    compiled, loss_name = _compiled_loss(model, w.x_val, w.y_val)
    return {
        "facts": facts, "features": int(x_train.shape[-1]),
        "val_mse": _mse(model, w.x_val, w.y_val), "train_mse": _mse(model, x_train, y_train),
        "val_compiled": compiled, "loss_name": loss_name,
        "last_loss": fits[-1]["last_loss"] if fits else None,
        "epochs": sum(c["epochs"] for c in fits),
        "outside_fit": sorted({c["via"] for c in calls} - {"fit"}),
        "leak": leaks(calls),
        "fit_seconds": sum(c["end"] - c["start"] for c in fits),
        "fit_span": fits[-1]["end"] - fits[0]["start"] if fits else 0.0,
        "fit_cpu": sum(c["cpu"] for c in clocks if c["model"] is model),
        "training_seconds": sum(c["training"] for c in clocks if c["model"] is model)
        if sum(c["model"] is model for c in clocks) == len(fits) else None,
    }


def run_sweep(module, units_list, epochs, windows):
    """sweep()'s rows, and what the tests measured of each model it trained."""
    from lstm_shapes import sine_windows

    w = sine_windows(timesteps=10)
    x_train, y_train = w.x_train[:windows], w.y_train[:windows]
    clocks = []
    with warnings.catch_warnings(), fit_timing_marked(clocks), \
            training_recorded(w.x_val) as steps:
        # Keras's note on a generator (it shuffles nothing) is not the learner's mistake
        warnings.filterwarnings("ignore", message=r".*shuffle=True. was passed")
        rows = module.sweep(x_train, y_train, w.x_val, w.y_val, units_list=units_list,
                            epochs=epochs)
    import keras

    models = []
    for call in sorted(steps, key=lambda c: c["start"]):
        model = call["model"]
        if not isinstance(model, keras.Model):  # a layer called by hand: its model's step
            model = next((c["model"] for c in steps if isinstance(c["model"], keras.Model)
                          and any(model is layer for layer in
                                  c["model"]._flatten_layers(include_self=False))), None)
            if model is None:
                continue
        if not any(model is m["model"] for m in models):
            models.append({"model": model, "calls": []})
        next(m for m in models if m["model"] is model)["calls"].append(call)
    return {"rows": rows, "models": [_measure(m["model"], m["calls"], clocks, w, x_train,
                                              y_train) for m in models]}


def probe_rows(module, rng):
    return run_sweep(module, *_sweep_question(rng))


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


def _plot_units(rng):
    """The units of the visible plot's rows: two to four values, drawn each run."""
    return tuple(sorted(int(u) for u in rng.choice([2, 4, 8, 12, 16, 24, 32, 48, 64, 128],
                                                    size=int(rng.integers(2, 5)),
                                                    replace=False)))


def plot_rows(rng, units):
    return [{"units": u, "params": 4 * u * (u + 2) + u + 1,
             "val_loss": float(rng.uniform(0.001, 0.1)), "seconds": 1.0} for u in units]


def _plot_question(rng):
    return plot_rows(rng, _plot_units(rng))


def draw(module, rows):
    drawn = []
    with tempfile.TemporaryDirectory() as tmp, figures_recorded(drawn):
        path = Path(tmp) / "sweep.png"
        module.plot(rows, path)
        data = path.read_bytes() if path.is_file() else b""
    return {"header": list(data[:8]), "size": len(data), "axes": drawn}


def probe_png(module, rng):
    return draw(module, _plot_question(rng))


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
                  f"{len(models)} model(s); one per units value is {len(units_list)}",
                  LOOP_FIX)
    for model in models:
        error = model["facts"].get("error")
        if error is not None:
            fail(error["text"], error["code"])
        for finding in model["facts"]["findings"]:
            fail_with(finding["code"], finding["message"], finding["fix"],
                      where=finding["where"])
    return models


def judge_rows(answer, units_list):
    """One row per units value in order; each model is a plain LSTM(units) + a linear
    Dense(1) on its last h, for any batch, and its row holds the units and the parameters of
    that whole model."""
    from lstm_shapes import lstm_param_count

    rows, models = _rows(answer, units_list), _models(answer, units_list)
    for units, row, model in zip(units_list, rows, models):
        facts = model["facts"]
        if row["units"] != units:
            fail_with("ignored_argument", f"the rows hold units {[r['units'] for r in rows]}; "
                      f"sweep was asked for units_list={units_list}, in that order", LOOP_FIX)
        rnns = facts["rnns"]
        if [(r["kind"], r["units"], r["bidirectional"]) for r in rnns] != [
                ("LSTM", units, False)]:
            layers = ", ".join(f"{'Bidirectional ' * r['bidirectional']}{r['kind']}"
                               f"({r['units']})" for r in rnns) or "none"
            code = ("ignored_argument" if [(r["kind"], r["bidirectional"]) for r in rnns]
                    == [("LSTM", False)] else "model_layers")
            fail_with(code, f"the model of the row units={units} has the recurrent layers "
                      f"{layers}", LAYERS_FIX)
        flags = [f"{flag}=True" for flag in ("go_backwards", "stateful") if rnns[0][flag]]
        if flags:
            fail_with("model_layers", f"the LSTM of units={units} is built with "
                      f"{', '.join(flags)}: the sweep's LSTMs read each window forward, from "
                      "a fresh h and c", LAYERS_FIX)
        if facts["batch"] is not None:
            fail_with("batch_in_input_shape", f"the model of units={units} fixes the batch at "
                      f"{facts['batch']} windows; it must read any number of windows",
                      "keras.Input(x_train.shape[1:])   # (timesteps, features) of one window")
        if facts["head_activation"] not in (None, "linear"):
            fail_with("model_layers", f"the model of units={units} ends with "
                      f"{facts['head_activation']}; the sweep's Dense(1) is linear: a "
                      f"forecast may need any value, and {facts['head_activation']} bends or "
                      "cuts its outputs", HEAD_FIX)
        off_last_h = facts.get("last_h_gap") is None or facts["last_h_gap"] > 1e-4
        if off_last_h and rnns[0]["return_sequences"]:
            fail_with("unexpected_sequence_output", f"the LSTM of units={units} returns its "
                      "whole sequence, and a later layer makes one vector of it another way "
                      "than taking its last step: Dense(1) should read the LSTM's last h",
                      "keras.layers.LSTM(units)   # without return_sequences: its last h")
        whole = lstm_param_count(units=units, features=model["features"]) + units + 1
        if facts["params"] != whole:
            fail_with("model_layers", f"the model of units={units} has "
                      f"{facts['params']} parameters; LSTM({units}) + Dense(1) have {whole}",
                      "keras.layers.LSTM(units), then keras.layers.Dense(1): nothing else")
        if off_last_h:
            fail_with("model_layers", f"the prediction of the model of units={units} is not "
                      "Dense(1) of the LSTM's last h",
                      "keras.layers.LSTM(units), then keras.layers.Dense(1)   # Dense(1) reads "
                      "the LSTM's last h, nothing in between")
        if row["params"] != facts["params"]:
            lstm = lstm_param_count(units=units, features=model["features"])
            what = (f"the LSTM's {lstm} only: the Dense(1) head adds {units + 1} (units + 1)"
                    if row["params"] == lstm else f"{row['params']}")
            fail_with("wrong_measurement", f"units {units}: the model has {facts['params']} "
                      f"parameters; the row says {what}", PARAMS_FIX)


def judge_training(answer, units_list, epochs):
    """Each model trains with model.fit for ``epochs`` epochs on the training windows only."""
    for units, model in zip(units_list, _models(answer, units_list)):
        if model["leak"]:
            fail_with("validation_on_training_data", f"the model of units={units} trained on "
                      f"validation windows: {model['leak']}. Its validation loss no longer "
                      "measures unseen windows", "model.fit(x_train, y_train, epochs=epochs)"
                      "   # the validation windows only measure")
        if model["outside_fit"]:
            ways = ", ".join(TRAINING_PATHS[via] for via in model["outside_fit"])
            fail_with("ignored_argument", f"the model of units={units} also trained outside "
                      f"model.fit ({ways}): the sweep trains each model with model.fit for "
                      f"epochs={epochs} epochs, nothing more",
                      "model.fit(x_train, y_train, epochs=epochs)")
        if model["epochs"] != epochs:
            fail_with("ignored_argument", f"the model of units={units} trained "
                      f"{model['epochs']} epoch(s) with model.fit; sweep was asked for "
                      f"epochs={epochs}", "model.fit(x_train, y_train, epochs=epochs)")


def judge_val_loss(answer, units_list):
    """val_loss is the trained model's MSE on the validation windows."""
    rows, models = _rows(answer, units_list), _models(answer, units_list)

    def near(got, value):
        return value is not None and isinstance(got, (int, float)) and not isinstance(
            got, bool) and abs(got - value) <= 1e-4 * abs(value) + 1e-7

    for units, row, model in zip(units_list, rows, models):
        got, want = row["val_loss"], model["val_mse"]
        if near(got, want):
            continue
        close = [name for name, value in (("its MSE on the training windows", model[
            "train_mse"]), ("the training loss of its last epoch", model["last_loss"]))
            if near(got, value)]
        if close:
            fail_with("validation_on_training_data", f"units {units}: the row's val_loss "
                      f"{got:.6g} is {close[0]}; its MSE on the validation windows is {want:.6g}",
                      VAL_FIX)
        if near(got, model["val_compiled"]):
            fail_with("compile_settings", f"units {units}: the row's val_loss {got:.6g} is the "
                      f"model's compiled loss ({model['loss_name']}) on the validation windows; "
                      f"the row asks for their MSE, {want:.6g}", MSE_FIX)
        fail_with("wrong_measurement", f"units {units}: the row's val_loss is {got!r:.30}; "
                  f"the trained model's MSE on the validation windows is {want:.6g}", VAL_FIX)


def judge_seconds(answer, units_list):
    """seconds is the wall-clock time of that model's model.fit: from the start of its
    training (or of the call) to its end, and nothing around it (CPU time, or time outside
    fit, differ from it)."""
    rows, models = _rows(answer, units_list), _models(answer, units_list)
    for units, row, model in zip(units_list, rows, models):
        got, fit_s, span = row["seconds"], model["fit_seconds"], model["fit_span"]
        least = model["training_seconds"] if model["training_seconds"] is not None else fit_s
        took = f"its model.fit took {fit_s:.3f} s of wall-clock time"
        if not isinstance(got, (int, float)) or isinstance(got, bool):
            fail_with("wrong_measurement", f"units {units}: the row says {got!r:.30} seconds; "
                      f"{took}", TIME_FIX)
        if got < least - EARLY:
            cpu = model["fit_cpu"]
            why = (f": about the CPU time of that fit ({cpu:.3f} s); time.process_time() "
                   "counts the CPU's work, not the time that passed" if cpu and abs(
                       got - cpu) <= 0.1 * cpu + 0.05 else ": less than the fit itself")
            fail_with("wrong_measurement", f"units {units}: the row says {got:.3f} s; {took}"
                      + why, TIME_FIX)
        if got > span + LATE:
            why = (": in milliseconds?" if 500 * fit_s < got < 2000 * span + 50 else
                   ": the timer also counts time outside model.fit (building, compiling or "
                   "evaluating the model, or the models before it)")
            fail_with("wrong_measurement", f"units {units}: the row says {got:.3f} s; {took}"
                      + why, TIME_FIX)


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
    judge_rows(answers["rows"], _sweep_question(answers.rng("rows"))[0])


@pytest.mark.exercise("units_sweep", points=1)
def test_each_model_trains_epochs_on_the_training_windows(answers):
    units_list, epochs, _ = _sweep_question(answers.rng("rows"))
    judge_training(answers["rows"], units_list, epochs)


@pytest.mark.exercise("units_sweep", points=2)
def test_val_loss_is_the_validation_mse(answers):
    judge_val_loss(answers["rows"], _sweep_question(answers.rng("rows"))[0])


@pytest.mark.exercise("units_sweep", points=1)
def test_seconds_is_the_wall_clock_time_of_model_fit(answers):
    judge_seconds(answers["rows"], _sweep_question(answers.rng("rows"))[0])


@pytest.mark.exercise("units_sweep", points=2)
def test_the_plot_shows_val_loss_against_units(answers):
    judge_plot(answers["png"], _plot_question(answers.rng("png")))


OTHER_PLOT_UNITS = (2, 100)


def probe_rows_other(module, rng):
    return run_sweep(module, *_other_question(rng))


def probe_png_other(module, rng):
    return draw(module, plot_rows(rng, OTHER_PLOT_UNITS))


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("units_sweep", points=1)
def test_another_units_list_and_epochs(answers):
    answer = answers["rows_other"]
    units_list, epochs, _ = _other_question(answers.rng("rows_other"))
    judge_rows(answer, units_list)
    judge_training(answer, units_list, epochs)
    judge_val_loss(answer, units_list)
    judge_seconds(answer, units_list)


@pytest.mark.exercise("units_sweep", points=1)
def test_the_plot_of_other_rows(answers):
    judge_plot(answers["png_other"], plot_rows(answers.rng("png_other"), OTHER_PLOT_UNITS))
### END HIDDEN TESTS
