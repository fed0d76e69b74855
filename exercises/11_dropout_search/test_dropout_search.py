"""Tests of exercise 11 (dropout_search).

The probes run your search into a folder they own, then read what keras-tuner wrote there:
each trial's hyperparameters, score and best-epoch weights. They rebuild each trial with your
``build(hp)``, load its weights and evaluate it on the validation windows themselves, so the
val_loss you report is compared with a measurement, not with a number you computed. Every
training step your code takes is recorded (fit on arrays, a tf.data dataset or a generator,
train_on_batch), with the windows it saw. In the visible search, each trial's last epoch
starts from disturbed weights, so its last val_loss is not its best one: the score of a
trial is its best epoch's.
"""

import math
import re

import numpy as np
import pytest

from lstm_shapes.exercises import fail, fail_with, plain_data

OFF_LIMITS = ("build_lstm",)  # the library's answer: refused while the probes run

SPACE = {"units": (16, 32), "dropout": (0.0, 0.1, 0.2), "recurrent_dropout": (0.0, 0.1, 0.2)}
PROJECT = "dropout_search"
TRIAL_KEYS = ("units", "dropout", "recurrent_dropout", "val_loss")


# ----------------------------------------------------------------------------- probe helpers


def _hp(values):
    import keras_tuner

    hp = keras_tuner.HyperParameters()
    hp.values.update(values)  # a trial's values: build(hp) must read them, not the defaults
    return hp


def _windows(series, timesteps):
    x = np.stack([series[i:i + timesteps] for i in range(len(series) - timesteps)])
    return x[..., None].astype("float32"), series[timesteps:, None].astype("float32")


def _data(rng, n_train, timesteps):
    """Clean sine windows to train on; noisy ones after them to validate on (so a loss
    measured on the wrong windows is far from the right one)."""
    series = np.sin(np.arange(0, 100, 0.1))
    x_train, y_train = _windows(series[:n_train + timesteps], timesteps)
    noisy = series[800:880] + 0.3 * rng.standard_normal(80)
    x_val, y_val = _windows(noisy, timesteps)
    return x_train, y_train, x_val, y_val


def _draw(build, timesteps, seed, max_trials, directory, project):
    """What keras-tuner's RandomSearch draws for ``seed`` over build's space (no training)."""
    import keras_tuner

    class Draws(keras_tuner.RandomSearch):
        def run_trial(self, trial, *args, **kwargs):
            return 0.0  # a dummy score: only the drawn hyperparameters are wanted

    Draws(lambda hp: build(hp, timesteps=timesteps), objective="val_loss", seed=seed,
          max_trials=max_trials, directory=str(directory), project_name=project,
          overwrite=True).search(verbose=0)


def _read(build, folder, timesteps, x_val, y_val):
    """Every trial keras-tuner wrote under ``folder``; trials with weights are rebuilt with
    ``build`` (as ``tuner.load_model`` does) and their MSE on the validation windows measured."""
    import warnings

    from keras_tuner.engine.trial import Trial

    found = []
    for path in folder.glob("*/trial_*/trial.json"):
        trial = Trial.load(str(path))
        said = [line for line in str(trial.message or "").splitlines() if line.strip()]
        said = [line for line in said if re.match(r"[\w.]*(Error|Exception)\b", line)] or said
        row = {"project": path.parent.parent.name, "id": int(trial.trial_id),
               "values": plain_data(dict(trial.hyperparameters.values)),
               "score": plain_data(trial.score), "evaluated": None,
               "failed": said[-1][-300:] if trial.status == "FAILED" and said else None}
        weights = path.parent / "checkpoint.weights.h5"
        if weights.is_file() and trial.score not in (None, 0.0):
            model = build(trial.hyperparameters, timesteps=timesteps)
            model(x_val[:1], training=False)  # creates every weight, a subclassed model's too
            with warnings.catch_warnings():  # the optimizer's variables are not needed
                warnings.simplefilter("ignore")
                model.load_weights(str(weights))
            prediction = np.asarray(model(x_val, training=False))  # eager: nothing to trace
            row["evaluated"] = plain_data(float(np.mean((prediction - y_val) ** 2)))
        found.append(row)
    return sorted(found, key=lambda row: (row["project"], row["id"]))


def _trained(model):
    """What a model the search trained shows: its epochs, losses and recurrent cells."""
    history = getattr(getattr(model, "history", None), "history", None) or {}
    return {"epochs": len(history.get("loss", [])), "loss": plain_data(history.get("loss", [])),
            "val_loss": plain_data(history.get("val_loss", [])), "params": model.count_params(),
            "cells": _cells(model)}


def _declared(model):
    """The (timesteps, features) the model's Input declares; None when it declares none."""
    inputs = getattr(model, "inputs", None)
    try:
        return [None if d is None else int(d) for d in inputs[0].shape[1:]] if inputs else None
    except (AttributeError, IndexError, TypeError, ValueError):
        return None


def _cells(model):
    """(units, dropout, recurrent_dropout) of each recurrent layer: LSTM or RNN(LSTMCell)."""
    return [[int(layer.cell.units), float(layer.cell.dropout),
             float(layer.cell.recurrent_dropout)]
            for layer in model.layers if hasattr(getattr(layer, "cell", None), "units")]


def _spoiler(last, seed):
    """A callback that disturbs the weights when epoch ``last`` begins: that epoch's val_loss
    is then worse than an earlier one, so a trial's last val_loss is not its best."""
    import keras

    class Spoil(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == last:
                noise = np.random.default_rng(seed)
                for w in self.model.trainable_weights:
                    w.assign(np.asarray(w) + noise.normal(scale=1.0, size=w.shape))

    return Spoil()


def _run_search(module, rng, *, n_train, timesteps, max_trials, epochs, stale, spoil):
    """Run the learner's search(); return it with what the tuner wrote and trained."""
    import gc
    import tempfile
    import warnings
    from pathlib import Path

    from lstm_shapes.exercises import training_recorded

    seed = int(rng.integers(1, 10_000))  # never 0: keras-tuner reads seed=0 as "no seed"
    x_train, y_train, x_val, y_val = _data(rng, n_train, timesteps)
    original, models, windows = module.build, [], {}
    lookup = {**{row.tobytes(): ("train", i) for i, row in enumerate(x_train)},
              **{row.tobytes(): ("val", i) for i, row in enumerate(x_val)}}

    def recording_build(hp, *args, **kwargs):
        model = original(hp, *args, **kwargs)
        fit = model.fit

        def recording_fit(*f_args, **f_kwargs):  # which windows the tuner trains it on
            windows[id(model)] = _which(f_args[0] if f_args else f_kwargs.get("x"), lookup)
            last = f_kwargs.get("epochs", 1) - 1 if isinstance(f_kwargs.get("epochs", 1),
                                                               int) else 0
            if spoil and last > 0:
                f_kwargs["callbacks"] = [*(f_kwargs.get("callbacks") or []),
                                         _spoiler(last, seed)]
            return fit(*f_args, **f_kwargs)

        model.fit = recording_fit
        models.append(model)
        return model

    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as scratch:
        _draw(original, timesteps, seed, max_trials, scratch, "draws")
        expected = [row["values"] for row in _read(original, Path(scratch), timesteps,
                                                   x_val, y_val)]
        old = []
        if stale:  # a finished older search (other seed, dummy scores 0.0) in the folder
            other = seed + 1
            while True:
                _draw(original, timesteps, other, max_trials, tmp, PROJECT)
                old = [row["values"] for row in _read(original, Path(tmp), timesteps,
                                                      x_val, y_val)]
                if old != expected:
                    break
                other += 1
        module.build = recording_build
        gc.freeze()  # keras-tuner runs gc.collect() twice a trial: skip TensorFlow's objects
        raised = None
        try:
            with training_recorded(x_val) as steps, warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*shuffle=True.*")  # a dataset's
                result = module.search(x_train, y_train, x_val, y_val, max_trials=max_trials,
                                       epochs=epochs, seed=seed, directory=tmp)
        except Exception as err:  # noqa: BLE001 - the tests word it, with the trials' errors
            result, raised = None, f"{type(err).__name__}: {err}"[:400]
        finally:
            gc.unfreeze()
            module.build = original
        tuner = _read(original, Path(tmp), timesteps, x_val, y_val)
    leaked = {}  # validation windows each model trained on, however it was trained
    for step in steps:
        leaked[id(step["model"])] = leaked.get(id(step["model"]), 0) + step["val_windows"]
    return {"seed": seed, "max_trials": max_trials, "epochs": epochs, "n_train": n_train,
            "n_val": len(x_val), "raised": raised, "timesteps": timesteps, "result": plain_data(result), "tuner": tuner,
            "expected": expected, "stale": old, "spoiled": bool(spoil and epochs > 1),
            "untracked": sum(1 for step in steps if all(step["model"] is not m for m in models)),
            "trained": [dict(_trained(m), windows=windows.get(id(m)),
                             leaked=leaked.get(id(m), 0), declared=_declared(m))
                        for m in models if getattr(m, "history", None) or id(m) in leaked]}


def _which(x, lookup):
    """How many distinct training and validation windows (and others) ``x`` holds."""
    try:
        rows = np.asarray(x, dtype="float32")
    except (TypeError, ValueError):
        return None
    found = {"train": set(), "val": set(), "other": 0}
    for row in rows:
        part, index = lookup.get(row.tobytes(), ("other", None))
        if part == "other":
            found["other"] += 1
        else:
            found[part].add(index)
    return {"train": len(found["train"]), "val": len(found["val"]), "other": found["other"]}


def _space(module, rng, timesteps=10):
    """The values each hyperparameter of build(hp) can take, and the compiled loss."""
    import keras_tuner

    hp = keras_tuner.HyperParameters()
    model = module.build(hp, timesteps=timesteps)
    space = {h.name: sorted(plain_data(list(getattr(h, "values", None) or [h.value])))
             for h in hp.space}
    x = rng.normal(size=(4, timesteps, 1)).astype("float32")
    y = rng.normal(size=(4, 1)).astype("float32")
    try:
        prediction = model(x, training=False)
    except Exception as err:  # noqa: BLE001 - e.g. a declared input of other features
        return {"space": space, "refused": {"code": getattr(err, "code", None),
                                            "text": f"{type(err).__name__}: {err}"[:400]}}
    loss = model.compute_loss(x=x, y=y, y_pred=prediction, training=False)
    mse = np.mean((np.asarray(prediction) - y) ** 2)
    return {"space": space, "loss": plain_data(float(loss)), "mse": plain_data(float(mse))}


# ----------------------------------------------------------------------------- probes


def probe_space(module, rng):
    return _space(module, rng)


TRIAL = {"units": 32, "dropout": 0.2, "recurrent_dropout": 0.1}
OTHER_TRIAL = {"units": 16, "dropout": 0.1, "recurrent_dropout": 0.2}


def _describe(model, timesteps):
    """What a built model is, as plain data: its recurrent cells, parameters, declared input
    (None for a subclassed model, which declares none) and output on (2, timesteps, 1)."""
    try:
        output = list(np.shape(model(np.zeros((2, timesteps, 1), "float32"), training=False)))
    except Exception as err:  # noqa: BLE001 - e.g. a declared input of other timesteps
        output = f"{type(err).__name__}: {err}"[:300]
    inputs = getattr(model, "inputs", None)
    return {"cells": _cells(model), "params": int(model.count_params()),
            "declared": plain_data(list(inputs[0].shape[1:])) if inputs else None,
            "output": output}


def probe_model(module, rng):
    timesteps = int(rng.integers(5, 12))
    return _describe(module.build(_hp(TRIAL), timesteps=timesteps), timesteps)


def probe_other_model(module, rng):
    timesteps = int(rng.integers(5, 12))
    return _describe(module.build(_hp(OTHER_TRIAL), timesteps=timesteps), timesteps)


def _timesteps(rng, low, high):
    """Timesteps other than build's default 10, so a hypermodel left at 10 shows."""
    return int(rng.choice([t for t in range(low, high) if t != 10]))


def probe_search(module, rng):
    return _run_search(module, rng, n_train=96, timesteps=_timesteps(rng, 6, 15), max_trials=2,
                       epochs=2, stale=True, spoil=True)


# the probes of the hidden tests: grading runs the released probes, so they stay visible
def probe_model_again(module, rng):
    timesteps = int(rng.integers(12, 20))
    return _describe(module.build(_hp({"units": 32, "dropout": 0.1, "recurrent_dropout": 0.0}),
                                  timesteps=timesteps), timesteps)


def probe_search_again(module, rng):
    return _run_search(module, rng, n_train=int(rng.integers(48, 80)),
                       timesteps=_timesteps(rng, 5, 13), max_trials=1, epochs=1, stale=False,
                       spoil=False)


# ----------------------------------------------------------------------------- judging


def _fmt(value):
    return f"{value:.5g}" if isinstance(value, float) else repr(value)


def _close(a, b, rtol=1e-4):
    return isinstance(a, float) and isinstance(b, float) and math.isclose(a, b, rel_tol=rtol,
                                                                          abs_tol=1e-7)


def _judge_model(model, values, timesteps):
    """``model`` (a _describe() dict) is Input((timesteps, 1)) -> LSTM of ``values`` -> Dense(1)."""
    from lstm_shapes import lstm_param_count

    layers_fix = ("keras.Input((timesteps, 1)), keras.layers.LSTM(units, dropout=dropout, "
                  "recurrent_dropout=recurrent_dropout), keras.layers.Dense(1)   # the layers")
    if not model["cells"]:
        fail_with("model_layers", "the model has no recurrent layer: an LSTM is asked for",
                  layers_fix)
    for name, got in zip(SPACE, model["cells"][0]):
        if not math.isclose(float(got), float(values[name]), abs_tol=1e-9):
            fail_with("ignored_argument",
                      f"the trial's hp['{name}'] is {values[name]}, but the LSTM's {name} is "
                      f"{got}: build(hp) must read it from hp",
                      f'{name}=hp.Choice("{name}", SPACE["{name}"])' if name != "units" else
                      'units = hp.Choice("units", SPACE["units"]); keras.layers.LSTM(units, ...)')
    if model["declared"] not in (None, [timesteps, 1]):
        fail_with("input_shape_data_mismatch", f"the input is {tuple(model['declared'])} for "
                  f"timesteps={timesteps}", "keras.Input((timesteps, 1))")
    output = model["output"]
    if output != [2, 1]:
        if isinstance(output, list) and len(output) == 3:
            fail_with("sequence_output_vs_last_target", f"2 windows of (timesteps, 1) give "
                      f"{tuple(output)}: one value per timestep; one per window, (2, 1), is "
                      "asked for", "keras.layers.LSTM(units, ...)   # without return_sequences")
        if isinstance(output, list) and len(output) == 2:
            fail_with("output_width_mismatch", f"2 windows of (timesteps, 1) give "
                      f"{tuple(output)}: {output[1]} values per window, not 1",
                      "keras.layers.Dense(1)   # the last layer")
        fail(f"your answer: 2 windows of (timesteps, 1) give {output}; one value per "
             "window, shape (2, 1), is asked for\n  fix: " + layers_fix)
    units = values["units"]
    want = lstm_param_count(units, 1) + units + 1
    if model["params"] != want:
        fail_with("model_layers", f"LSTM({units}) + Dense(1) has {want} parameters, the model "
                  f"{model['params']}: Input((timesteps, 1)) -> LSTM -> Dense(1) is asked for",
                  layers_fix)


def _result_trials(found):
    failed = [row for row in found["tuner"] if row.get("failed")]
    if found.get("raised") or failed:
        said = f"search() raised {found['raised']}" if found.get("raised") else (
            "search() returned")
        why = (f"; keras-tuner's trial {failed[0]['values']} failed with: {failed[0]['failed']}"
               if failed else "")
        fail(f"your answer: {said}{why}\n  (test_the_hypermodel_builds_the_trial_it_is_given "
             "says what is wrong with build(hp), if anything)")
    result = found["result"]
    trials = result.get("trials") if isinstance(result, dict) else None
    if not isinstance(trials, list) or not all(isinstance(t, dict) for t in trials):
        fail(f"your answer: search() must return {{'trials': [dict, ...], 'best': dict}}, got "
             f"{result!r:.200}")
    for trial in trials:
        missing = [k for k in TRIAL_KEYS if k not in trial]
        if missing:
            fail(f"your answer: the trial {trial!r:.150} lacks {missing}: each trial is "
                 f"{{'units', 'dropout', 'recurrent_dropout', 'val_loss'}}")
        if not isinstance(trial["val_loss"], float):  # NaN arrives as the string 'nan'
            fail(f"your answer: the val_loss of {trial!r:.150} is not a finite number")
    return trials


def _config(trial):
    return {name: trial[name] for name in SPACE}


def _unordered(configs):
    """Configurations as a sorted list (a reloaded tuner lists its trials in file order)."""
    return sorted(repr(sorted(c.items())) for c in configs)


def _judge_runs(found):
    """The tuner ran max_trials fresh trials of seed's draws, in directory, for epochs each."""
    trials = _result_trials(found)
    n, seed, epochs = found["max_trials"], found["seed"], found["epochs"]
    mine = [row for row in found["tuner"] if row["project"] == PROJECT and row["score"] != 0.0]
    if found["stale"] and _unordered(map(_config, trials)) == _unordered(found["stale"]):
        fail_with("ignored_argument",
                  "directory already held a finished search (other seed, scores 0.0); yours "
                  "reloaded it and reported ITS trials instead of running seed's",
                  "keras_tuner.RandomSearch(..., overwrite=True)")
    if not mine:
        others = sorted({row["project"] for row in found["tuner"]} - {PROJECT})
        fix = ('keras_tuner.RandomSearch(..., directory=directory, '
               'project_name="dropout_search")')
        where = (f"in directory/{others[0]}, not directory/{PROJECT}" if others else
                 "somewhere else than the `directory` it was given")
        fail_with("ignored_argument", f"the tuner wrote its trials {where}", fix)
    if len(trials) != n or len(mine) != n:
        fail_with("ignored_argument", f"max_trials={n}, but the tuner ran {len(mine)} trials "
                  f"and search() returned {len(trials)}",
                  "keras_tuner.RandomSearch(..., max_trials=max_trials)")
    if [row["values"] for row in mine] != found["expected"]:
        fail_with("ignored_argument",
                  f"the tuner's trials {[row['values'] for row in mine]} are not those "
                  f"RandomSearch draws with seed={seed}: {found['expected']}",
                  "keras_tuner.RandomSearch(..., seed=seed)")
    if [_config(t) for t in trials] != [row["values"] for row in mine]:
        ran = [row["values"] for row in mine]
        by_score = [row["values"] for row in sorted(
            mine, key=lambda row: (not isinstance(row["score"], float), row["score"] or 0.0))]
        why = (": they are sorted by score (as get_best_trials() sorts them), and the order "
               "the tuner ran them is asked for" if [_config(t) for t in trials] == by_score
               else " (in the order it ran them)")
        fail(f"your answer: the trials returned {[_config(t) for t in trials]} are not the "
             f"tuner's {ran}{why}\n  fix: [... for trial in tuner.oracle.trials.values()]   "
             "# the trials in the order they ran")
    trained = found["trained"]
    if len(trained) != n:
        per = len(trained) // n if n and len(trained) % n == 0 else 0
        if per > 1:
            fail_with("wrong_measurement", f"{len(trained)} models were trained for {n} trials: "
                      f"{per} per trial (executions_per_trial={per}), so a trial's score "
                      "averages them; one model per trial is asked for",
                      "keras_tuner.RandomSearch(..., executions_per_trial=1)   # the default")
        fail_with("wrong_measurement", f"{len(trained)} models were built by build(hp) and "
                  f"trained for {n} trials: one model per trial, trained by the tuner only",
                  "tuner.search(x_train, y_train, validation_data=(x_val, y_val), "
                  "epochs=epochs)   # and no other fit")
    timesteps = found.get("timesteps")
    for row, model in zip(mine, trained):
        declared = model.get("declared")
        if declared is not None and timesteps and declared != [timesteps, 1]:
            fail_with("input_shape_data_mismatch", f"trial {row['values']} built a model for "
                      f"windows of {tuple(declared)}; the windows are ({timesteps}, 1): Keras "
                      "ran it anyway, but it is not the model build(hp, timesteps) declares",
                      "keras_tuner.RandomSearch(lambda hp: build(hp, "
                      "timesteps=x_train.shape[1]), ...)")
        if model["cells"][:1] != [[row["values"][k] for k in SPACE]]:
            fail_with("ignored_argument", f"trial {row['values']} trained an LSTM with (units, "
                      f"dropout, recurrent_dropout) = {model['cells'][:1]}: build(hp) must "
                      "read them from hp", "keras.layers.LSTM(units, dropout=dropout, "
                      "recurrent_dropout=recurrent_dropout), each one read with "
                      'hp.Choice(name, SPACE[name])')
        seen = model["windows"]
        leaked = max(seen["val"] if seen else 0, model.get("leaked") or 0)
        if leaked:
            fail_with("validation_on_training_data", f"trial {row['values']} trained on "
                      f"{leaked} of the {found.get('n_val', '')} validation windows: val_loss "
                      "then measures "
                      "windows the model has learned",
                      "tuner.search(x_train, y_train, validation_data=(x_val, y_val), ...)")
        if seen and (seen["train"], seen["other"]) != (found["n_train"], 0):
            fail(f"your answer: trial {row['values']} trained on {seen['train']} of the "
                 f"{found['n_train']} training windows and {seen['other']} other rows: "
                 "train each trial on all of x_train, y_train\n"
                 "  fix: tuner.search(x_train, y_train, validation_data=(x_val, y_val), ...)")
        if model["epochs"] != epochs:
            fail_with("ignored_argument", f"epochs={epochs}, but each trial trained "
                      f"{model['epochs']} epochs", "tuner.search(..., epochs=epochs)")


def _judge_val_loss(found):
    """Each reported val_loss is the trial's score: its lowest loss on the VALIDATION windows."""
    trials = _result_trials(found)
    mine = [row for row in found["tuner"] if row["project"] == PROJECT and row["score"] != 0.0]
    for trial, row, model in zip(trials, mine, found["trained"]):
        score, history = row["score"], model["val_loss"]
        if not all(isinstance(v, float) for v in [*history, *model["loss"]]):
            fail(f"your answer: trial {row['values']} trained to losses that are not finite: "
                 f"loss {model['loss']}, val_loss {history}")
        if not history:
            fail_with("validation_on_training_data", "the trials were trained without "
                      "validation data: keras-tuner has no val_loss to score them by",
                      "tuner.search(x_train, y_train, validation_data=(x_val, y_val), ...)")
        if not _close(score, min(history)):
            if _close(score, min(model["loss"])):
                fail_with("validation_on_training_data", f"trial {row['values']}: the tuner "
                          f"scored it by its TRAINING loss {_fmt(score)}",
                          'keras_tuner.RandomSearch(..., objective="val_loss")')
            if _close(score, max(history)):
                fail_with("best_not_lowest", f"trial {row['values']}: the tuner scored it by "
                          f"its HIGHEST val_loss {_fmt(score)}; lower is better",
                          'keras_tuner.RandomSearch(..., objective="val_loss")')
            fail_with("validation_on_training_data", f"trial {row['values']}: score {score!r}"
                      f" is not its lowest val_loss {_fmt(min(history))}",
                      'keras_tuner.RandomSearch(..., objective="val_loss")')
        if not _close(row["evaluated"], score):
            fail_with("validation_on_training_data",
                      f"trial {row['values']}: its val_loss {_fmt(score)} was measured on other "
                      f"windows: its weights score {_fmt(row['evaluated'])} on x_val, y_val",
                      "tuner.search(x_train, y_train, validation_data=(x_val, y_val), ...)")
        mine_loss = trial["val_loss"]
        if not _close(mine_loss, score):
            if _close(mine_loss, history[-1]):
                fail_with("wrong_measurement", f"trial {row['values']}: val_loss "
                          f"{_fmt(mine_loss)} is its LAST epoch's; the trial's score is its "
                          f"best epoch's, the lowest val_loss over its epochs: {_fmt(score)}",
                          '"val_loss": trial.score')
            if any(_close(mine_loss, v) for v in model["loss"]):
                fail_with("validation_on_training_data", f"trial {row['values']}: val_loss "
                          f"{mine_loss!r} is its TRAINING loss; its validation score is "
                          f"{_fmt(score)}", '"val_loss": trial.score')
            fail_with("validation_on_training_data", f"trial {row['values']}: val_loss "
                      f"{mine_loss!r} is not its validation score {_fmt(score)}",
                      '"val_loss": trial.score')


def _judge_best(found):
    trials = _result_trials(found)
    best = found["result"].get("best")
    lowest = min(trials, key=lambda t: t["val_loss"])
    if best == lowest:
        return
    highest = max(trials, key=lambda t: t["val_loss"])
    what = "the HIGHEST" if best == highest else "not the lowest"
    fail_with("best_not_lowest", f"best is {best!r:.150}, {what} val_loss of the trials; "
              f"the lowest is {lowest!r:.150}",
              'best = min(trials, key=lambda trial: trial["val_loss"])')


# ----------------------------------------------------------------------------- tests


@pytest.mark.exercise("dropout_search", points=1)
def test_the_hypermodel_declares_the_space_and_an_mse_loss(answers):
    found = answers["space"]
    space = found["space"]
    refused = found.get("refused")
    if refused:
        fail_with(refused["code"] if isinstance(refused["code"], str) else
                  "input_shape_data_mismatch", "build(hp, timesteps=10)'s model refused 4 "
                  f"windows of (10, 1): {refused['text'].splitlines()[0]}",
                  "keras.Input((timesteps, 1))")
    for name, values in SPACE.items():
        if name not in space:
            fail_with("search_space_mismatch", f"build(hp) never asks hp for {name!r} (it asks "
                      f"for {sorted(space)}), so the search cannot vary it",
                      f'hp.Choice("{name}", SPACE["{name}"])')
        got = space[name]
        if len(got) != len(values) or not np.allclose(got, sorted(values)):
            fail_with("search_space_mismatch", f"hp[{name!r}] can take {got}; the "
                      f"space is {list(values)}", f'hp.Choice("{name}", SPACE["{name}"])')
    if not _close(found["loss"], found["mse"], rtol=1e-3):
        fail(f"your answer: the model's loss is {found['loss']!r} where the MSE is "
             f"{_fmt(found['mse'])}: model.compile(optimizer=..., loss=\"mse\")")


@pytest.mark.exercise("dropout_search", points=2)
def test_the_hypermodel_builds_the_trial_it_is_given(answers):
    for key, values in (("model", TRIAL), ("other_model", OTHER_TRIAL)):
        _judge_model(answers[key], values, int(answers.rng(key).integers(5, 12)))


@pytest.mark.exercise("dropout_search", points=2)
def test_the_search_runs_max_trials_of_seed_for_epochs_in_directory(answers):
    _judge_runs(answers["search"])


@pytest.mark.exercise("dropout_search", points=2)
def test_val_loss_is_the_trial_score_on_the_validation_windows(answers):
    _judge_runs(answers["search"])
    _judge_val_loss(answers["search"])


@pytest.mark.exercise("dropout_search", points=1)
def test_best_is_the_trial_with_the_lowest_val_loss(answers):
    _judge_best(answers["search"])


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("dropout_search", points=1)
def test_another_trial_is_built_as_given(answers):
    timesteps = int(answers.rng("model_again").integers(12, 20))
    _judge_model(answers["model_again"],
                 {"units": 32, "dropout": 0.1, "recurrent_dropout": 0.0}, timesteps)


@pytest.mark.exercise("dropout_search", points=1)
def test_another_search_other_seed_trials_and_timesteps(answers):
    found = answers["search_again"]
    _judge_runs(found)
    _judge_val_loss(found)
    _judge_best(found)
### END HIDDEN TESTS
