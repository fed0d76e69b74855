"""Tests of exercise 13 (walk_forward).

The probes watch your cross-validation from the outside: every model your code builds with
``build`` is recorded, with the windows each ``fit`` received, and after your function
returns they measure each fold's model on its validation windows themselves.
"""

import math

import numpy as np
import pytest

from lstm_shapes.exercises import batches_seen, fail, fail_with, plain_data

CONFIG = {"units": 16, "dropout": 0.1}
FIX_SPLIT = ("size = n // (k + 1); val = np.arange(n - (k - i) * size, n - (k - i - 1) * size); "
             "train = np.arange(n - (k - i) * size)")
BUILD_FIX = 'build(config["units"], config["dropout"], timesteps=x.shape[1])'


# ----------------------------------------------------------------------------- probe helpers


def _split_questions(rng, more=False):
    """(n, k) cases: random, and the edge cases the text allows: a remainder n % (k + 1)
    that the first block takes, blocks of one window (n = k + 1), a single fold (k = 1), and
    no remainder."""
    top = 12 if more else 6
    k = int(rng.integers(2, top))
    cases = [((k + 1) * int(rng.integers(3, 15)) + int(rng.integers(1, k + 1)), k)]
    k = int(rng.integers(1, top))
    cases.append((k + 1, k))
    cases.append((int(rng.integers(5, 40)), 1))
    k = int(rng.integers(2, top))
    cases.append(((k + 1) * int(rng.integers(2, 12)), k))
    cases.append((int(rng.integers(30, 120 if more else 80)), int(rng.integers(2, top))))
    return cases


def _splits(module, n, k):
    folds = module.walk_forward_splits(n, k)
    return [[plain_data(np.asarray(part)) for part in fold] for fold in folds]


def _windows(rng, n, timesteps):
    """n noisy sine windows, oldest first (the noise makes every window and target unique)."""
    t = np.arange(n + timesteps) * 0.1
    series = np.sin(t) + 0.1 * rng.standard_normal(len(t))
    x = np.stack([series[i:i + timesteps] for i in range(n)])[..., None].astype("float32")
    return x, series[timesteps:, None].astype("float32")


def _expected_folds(n, k):
    """Walk-forward folds as the exercise text defines them (the tests' own copy)."""
    block = n // (k + 1)
    return [(list(range(n - (k - i) * block)),
             list(range(n - (k - i) * block, n - (k - i - 1) * block))) for i in range(k)]


def _rows(rows, lookup):
    """Which windows (by index) the rows handed to fit() are; -1 for rows that are none."""
    try:
        return [lookup.get(np.asarray(row, dtype="float32").tobytes(), -1) for row in rows]
    except (TypeError, ValueError):
        return None


def _cv_question(rng, *, ks, epochs, config):
    """n windows (a remainder n % (k + 1) included) of timesteps other than build's 10."""
    k = int(rng.choice(ks))
    n = (k + 1) * int(rng.integers(10, 16)) + int(rng.integers(1, k + 1))
    return dict(n=n, timesteps=int(rng.choice([6, 7, 8, 9, 11, 12])), k=k, epochs=epochs,
                config=config)


def _declared(model):
    try:
        return [None if d is None else int(d) for d in model.inputs[0].shape[1:]]
    except (AttributeError, IndexError, TypeError, ValueError):
        return None


def _cross_validate(module, rng, *, ks, epochs, config):
    """Run the learner's cross_validate, recording every model build() made and its fits."""
    question = _cv_question(rng, ks=ks, epochs=epochs, config=config)
    n, timesteps, k = question["n"], question["timesteps"], question["k"]
    x, y = _windows(rng, n, timesteps)
    x_lookup = {row.tobytes(): i for i, row in enumerate(x)}
    y_lookup = {row.tobytes(): i for i, row in enumerate(y)}
    original, built = module.build, []

    def recording_build(*args, **kwargs):
        model = original(*args, **kwargs)
        fits, fit = [], model.fit

        def recording_fit(*f_args, **f_kwargs):
            data = dict(zip(("x", "y"), f_args), **f_kwargs)
            xs, ys = [], []  # arrays, or what a dataset or generator yields as fit reads it
            seen = batches_seen(data.get("x"), xs, ys)
            if data.get("y") is not None:
                ys = list(np.asarray(data["y"]))
            f_args = (seen, *f_args[1:]) if f_args else f_args
            history = fit(*f_args, **({**f_kwargs, "x": seen} if "x" in f_kwargs else f_kwargs))
            fits.append({"x": _rows(xs, x_lookup), "y": _rows(ys, y_lookup),
                         "epochs": len(getattr(history, "epoch", []) or [])})
            return history

        model.fit = recording_fit
        built.append((model, fits))
        return model

    module.build = recording_build
    try:
        result = module.cross_validate(x, y, dict(config), k=k, epochs=epochs)
    finally:
        module.build = original
    folds = _expected_folds(n, k)
    models = []
    for i, (model, fits) in enumerate(built):
        train, val = folds[i] if i < len(folds) else ([], [])
        mse = {}
        for part, index in (("val", val), ("train", train)):
            if index:
                prediction = np.asarray(model(x[index], training=False))
                mse[part] = plain_data(float(np.mean((prediction - y[index]) ** 2)))
        models.append({"fits": fits, "mse": mse, "declared": _declared(model), "cells": [
            [int(layer.cell.units), float(layer.cell.dropout)]
            for layer in model.layers if hasattr(getattr(layer, "cell", None), "units")]})
    return {"n": n, "k": k, "epochs": epochs, "config": config, "result": plain_data(result),
            "models": models, "timesteps": timesteps}


# Means and slopes of the fake fold losses of three configurations: the lowest MEAN is the
# second one, the lowest first fold the first one, the lowest last fold the third one.
FAKE = ((0.25, 0.3), (0.15, 0.0), (0.21, -0.19))
CONFIGS = [{"units": 16, "dropout": 0.0}, {"units": 32, "dropout": 0.2},
           {"units": 32, "dropout": 0.0}]


def _fake_losses(index, k):
    mean, slope = FAKE[index]
    return [mean + slope * (j - (k - 1) / 2) / max(k - 1, 1) for j in range(k)]


# ----------------------------------------------------------------------------- probes


def probe_splits(module, rng):
    return [_splits(module, n, k) for n, k in _split_questions(rng)]


def probe_refusals(module, rng):
    """walk_forward_splits on too few windows for k, and k = 0: a ValueError, or what else."""
    outcomes = []
    for n, k in ((4, 4), (10, 0)):
        try:
            folds = module.walk_forward_splits(n, k)
            if hasattr(folds, "__next__"):  # a generator refuses when it is read
                folds = list(folds)
            outcomes.append(f"returned {plain_data(folds)!r:.80}")
        except ValueError:
            outcomes.append("ValueError")
        except NotImplementedError:
            raise  # not done yet: the answer says so
        except Exception as err:  # noqa: BLE001 - e.g. a ZeroDivisionError: a refusal, unnamed
            outcomes.append(f"raised {type(err).__name__}: {err}"[:120])
    return outcomes


def probe_cv(module, rng):
    return _cross_validate(module, rng, ks=(2, 3), epochs=2, config=CONFIG)


def probe_choose(module, rng):
    """choose() with a stand-in cross_validate (no training): it records its arguments and
    returns fold losses chosen so that the lowest mean is not the lowest fold."""
    x, y = _windows(rng, 40, 8)
    calls = []

    given_x, given_y = x, y

    def fake_cross_validate(x, y, config, k=4, epochs=3):
        try:  # the windows and targets choose() was given, as they were given
            same = bool(np.array_equal(np.asarray(x), given_x)
                        and np.array_equal(np.asarray(y), given_y))
        except (TypeError, ValueError):
            same = False
        calls.append({"config": plain_data(config), "k": plain_data(k), "epochs": plain_data(epochs),
                      "n": len(x), "same_data": same})
        fake = _fake_losses(len(calls) - 1, k) if len(calls) <= len(FAKE) else [1.0] * k
        return {"fold_losses": fake, "mean": float(np.mean(fake))}

    original = module.cross_validate
    module.cross_validate = fake_cross_validate
    try:
        result = module.choose(x, y, [dict(c) for c in CONFIGS], k=5, epochs=2)
    finally:
        module.cross_validate = original
    return {"result": plain_data(result), "calls": calls}


# the probes of the hidden tests: grading runs the released probes, so they stay visible
def probe_more_splits(module, rng):
    return [_splits(module, n, k) for n, k in _split_questions(rng, more=True)]


def probe_cv_again(module, rng):
    return _cross_validate(module, rng, ks=(1,), epochs=2, config={"units": 8, "dropout": 0.2})


# ----------------------------------------------------------------------------- judging


def _judge_splits(folds, n, k):
    where = f"walk_forward_splits({n}, {k})"
    if not isinstance(folds, list) or not all(
            isinstance(f, list) and len(f) == 2 for f in folds):
        fail(f"your answer: {where} must return {k} (train, val) pairs, got {folds!r:.200}\n"
             "  fix: folds.append((train, val)) for each i in range(k); return folds")
    if len(folds) != k:
        fail_with("ignored_argument", f"{where} returned {len(folds)} folds; k = {k} asks for "
                  f"{k}", "for i in range(k): ... folds.append((train, val))")
    want = _expected_folds(n, k)
    for i, (train, val) in enumerate(folds):
        if not all(isinstance(j, int) and 0 <= j < n for j in [*train, *val]):
            fail(f"your answer: {where}, fold {i}: indices must be integers in [0, {n}), got "
                 f"train {train!r:.80}, val {val!r:.80}")
        if not val:
            fail_with("series_too_short", f"{where}, fold {i}: the validation block is empty",
                      "each block holds n // (k + 1) windows")
        shared = sorted(set(train) & set(val))
        if shared:
            fail_with("validation_on_training_data", f"{where}, fold {i}: windows {shared[:5]}"
                      " are in both its training and its validation part", FIX_SPLIT)
        if train and max(train) > min(val):
            fail_with("future_leakage", f"{where}, fold {i}: it trains on window {max(train)},"
                      f" which comes after its validation window {min(val)}: the future "
                      "leaks into training", FIX_SPLIT)
        if i and min(val) <= max(folds[i - 1][1]):
            fail_with("wrong_measurement", f"{where}: the validation block of fold {i} "
                      f"({min(val)}...{max(val)}) does not come after that of fold {i - 1}; "
                      "the blocks walk forward in time without overlap", FIX_SPLIT)
        if [sorted(train), sorted(val)] != [want[i][0], want[i][1]]:
            size, rest = n // (k + 1), n % (k + 1)
            why = (f"blocks of {len(val)} windows: size = n // (k + 1) = {size}"
                   if len(val) != size else
                   f"the {rest} window(s) left over (n % (k + 1)) go to the FIRST block, so "
                   "the last validation block ends at the last window" if rest and
                   max(val) != want[i][1][-1] else "")
            fail_with("wrong_measurement", f"{where}, fold {i}: train {_span(train)}, val "
                      f"{_span(val)}; walk-forward trains on {_span(want[i][0])} and "
                      f"validates on {_span(want[i][1])}" + (f" ({why})" if why else ""),
                      FIX_SPLIT)


def _span(index):
    index = sorted(index)
    if not index:
        return "nothing"
    if index == list(range(index[0], index[-1] + 1)):
        return f"windows {index[0]}..{index[-1]}"
    return f"windows {index[:6]}{'...' if len(index) > 6 else ''}"


def _fmt(value):
    return f"{value:.5g}" if isinstance(value, float) else repr(value)


def _close(a, b, rtol=1e-4):
    return isinstance(a, float) and isinstance(b, float) and math.isclose(
        a, b, rel_tol=rtol, abs_tol=1e-7)


def _judge_cv(found):
    n, k, epochs, config = found["n"], found["k"], found["epochs"], found["config"]
    result, models = found["result"], found["models"]
    losses = result.get("fold_losses") if isinstance(result, dict) else None
    if not isinstance(losses, list) or len(losses) != k or not all(
            isinstance(v, float) for v in [*losses, result.get("mean")]):
        fail(f"your answer: cross_validate(..., k={k}) must return {{'fold_losses': [{k} "
             f"finite floats], 'mean': float}}, got {result!r:.200}")
    if len(models) != k or any(len(m["fits"]) != 1 for m in models):
        fail_with("wrong_measurement", f"cross_validate(..., k={k}) built {len(models)} models "
                  f"and fit them {[len(m['fits']) for m in models]} times: one fresh "
                  "build(...) per fold, fit once", "model = " + BUILD_FIX + "   # in the loop "
                  "over the folds")
    for i, ((train, val), model) in enumerate(zip(_expected_folds(n, k), models)):
        if model["cells"][:1] != [[config["units"], config["dropout"]]]:
            fail_with("ignored_argument", f"config is {config}, but fold {i} built an LSTM "
                      f"with (units, dropout) = {model['cells'][:1]}",
                      'build(config["units"], config["dropout"], timesteps=x.shape[1])')
        declared = model["declared"]
        if declared is not None and declared != [found["timesteps"], 1]:
            fail_with("input_shape_data_mismatch", f"fold {i} built a model for windows of "
                      f"{tuple(declared)}; x holds windows of ({found['timesteps']}, 1): Keras "
                      "ran it anyway, but it is not the model declared", BUILD_FIX)
        fit = model["fits"][0]
        seen = fit["x"]
        if seen is None or -1 in seen:
            fail(f"your answer: fold {i}: fit() got x that is not a selection of the windows "
                 "x it was given\n  fix: model.fit(x[train], y[train], ...)")
        later = sorted(j for j in set(seen) if j > val[-1])
        if later:
            fail_with("future_leakage", f"fold {i} trained on {_span(later)}, after its "
                      f"validation block ({_span(val)}): the future leaks into training",
                      "train each fold on its walk_forward_splits(len(x), k) training "
                      "windows only: model.fit(x[train], y[train], ...)")
        if set(seen) & set(val):
            fail_with("validation_on_training_data", f"fold {i} trained on windows of its "
                      f"validation block ({_span(sorted(set(seen) & set(val)))})",
                      "model.fit(x[train], y[train], ...)")
        if sorted(seen) != train:
            fail_with("wrong_measurement", f"fold {i} trained on {_span(seen)}; it trains on "
                      f"every window before its validation block: {_span(train)}",
                      "model.fit(x[train], y[train], ...)")
        if fit["y"] != seen:
            fail_with("window_misalignment", f"fold {i}: the targets handed to fit() are not "
                      "those of its windows", "model.fit(x[train], y[train], ...)")
        if fit["epochs"] != epochs:
            fail_with("ignored_argument", f"epochs={epochs}, but fold {i} trained "
                      f"{fit['epochs']} epochs", "model.fit(x[train], y[train], epochs=epochs)")
        got, want = losses[i], model["mse"]["val"]
        if not _close(got, want):
            if _close(got, model["mse"].get("train")):
                fail_with("validation_on_training_data", f"fold {i}: loss {_fmt(got)} is the "
                          f"model's MSE on its TRAINING windows; on its validation windows it "
                          f"is {_fmt(want)}", "model.evaluate(x[val], y[val], verbose=0)")
            fail_with("wrong_measurement", f"fold {i}: loss {got!r} is not the MSE of its model "
                      f"on its validation windows ({_fmt(want)})",
                      "model.evaluate(x[val], y[val], verbose=0)")
    if not _close(result["mean"], float(np.mean(losses))):
        fail_with("wrong_measurement", f"mean {result['mean']!r} is not the mean of the fold "
                  f"losses ({float(np.mean(losses)):.5g})", "float(np.mean(fold_losses))")


# ----------------------------------------------------------------------------- tests


@pytest.mark.exercise("walk_forward", points=2)
def test_splits_walk_forward_in_time(answers):
    for (n, k), folds in zip(_split_questions(answers.rng("splits")), answers["splits"]):
        _judge_splits(folds, n, k)


@pytest.mark.exercise("walk_forward", points=1)
def test_splits_refuse_too_few_windows(answers):
    for (n, k), outcome in zip(((4, 4), (10, 0)), answers["refusals"]):
        if outcome != "ValueError":
            fail_with("series_too_short", f"walk_forward_splits({n}, {k}) {outcome}: "
                      f"{n} windows cannot make {k + 1} blocks of at least one window",
                      "raise ValueError when k < 1 or n < k + 1")


@pytest.mark.exercise("walk_forward", points=3)
def test_cross_validate_trains_the_past_and_scores_the_next_block(answers):
    _judge_cv(answers["cv"])


@pytest.mark.exercise("walk_forward", points=1)
def test_choose_keeps_the_lowest_mean(answers):
    found = answers["choose"]
    calls, result = found["calls"], found["result"]
    if [c["config"] for c in calls] != CONFIGS:
        fail(f"your answer: choose() must call cross_validate once per config, in order; it "
             f"called it for {[c['config'] for c in calls]}\n"
             "  fix: [cross_validate(x, y, config, k=k, epochs=epochs) for config in configs]")
    for call in calls:
        if not call.get("same_data", True):
            fail_with("ignored_argument", "choose(x, y, configs, ...) called cross_validate on "
                      "other windows or targets than the x and y it was given",
                      "cross_validate(x, y, config, k=k, epochs=epochs)")
        if (call["k"], call["epochs"], call["n"]) != (5, 2, 40):
            fail_with("ignored_argument", f"choose(x, y, configs, k=5, epochs=2) called "
                      f"cross_validate with k={call['k']}, epochs={call['epochs']} on "
                      f"{call['n']} windows", "cross_validate(x, y, config, k=k, epochs=epochs)")
    means = [float(np.mean(_fake_losses(i, 5))) for i in range(len(CONFIGS))]
    results = result.get("results") if isinstance(result, dict) else None
    if not isinstance(results, list) or [r.get("mean") if isinstance(r, dict) else r
                                         for r in results] != means:
        fail(f"your answer: 'results' must hold cross_validate's results in the order of "
             f"configs, got {results!r:.200}")
    best = result.get("best")
    lowest = CONFIGS[int(np.argmin(means))]
    if best != lowest:
        what = "the HIGHEST mean" if best == CONFIGS[int(np.argmax(means))] else (
            "not the lowest mean")
        fail_with("best_not_lowest", f"best is {best}, {what} (means {means}); the lowest "
                  f"mean validation loss is {lowest}'s",
                  'best = configs[min(range(len(configs)), key=lambda i: results[i]["mean"])]')


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("walk_forward", points=2)
def test_splits_for_other_sizes(answers):
    for (n, k), folds in zip(_split_questions(answers.rng("more_splits"), more=True),
                             answers["more_splits"]):
        _judge_splits(folds, n, k)


@pytest.mark.exercise("walk_forward", points=1)
def test_cross_validate_with_another_k_config_and_epochs(answers):
    _judge_cv(answers["cv_again"])
### END HIDDEN TESTS
