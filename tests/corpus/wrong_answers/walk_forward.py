"""Wrong answers of exercise 13 (walk_forward): walk-forward cross-validation.

Random or K-fold splits that train on the future, folds whose parts share a window,
validation measured on the training windows, the worst configuration kept, and arguments
(units, k, epochs) that never arrive.
"""

from corpus.wrong_answers import Wrong

FIX_SPLIT = "val = np.arange(n - (k - i) * size"

WRONG = [
    Wrong("shuffled windows before the split (a random K-fold)",
          {"index = np.arange(n)": "index = np.random.default_rng(0).permutation(n)"},
          "future_leakage", FIX_SPLIT),
    Wrong("K-fold: train on every other block, later ones included",
          {"folds.append((index[:start], index[start:start + size]))":
           "folds.append((np.concatenate([index[:start], index[start + size:]]), "
           "index[start:start + size]))"},
          "future_leakage", FIX_SPLIT),
    Wrong("the training part overlaps the validation block by one window",
          {"folds.append((index[:start], index[start:start + size]))":
           "folds.append((index[:start + 1], index[start:start + size]))"},
          "validation_on_training_data", FIX_SPLIT),
    Wrong("blocks counted from the start: the remainder dropped at the end",
          {"start = n - (k - i) * size": "start = (i + 1) * size"},
          "wrong_measurement", FIX_SPLIT),
    Wrong("blocks of the ceiling of n / (k + 1)",
          {"size = n // (k + 1)": "size = -(-n // (k + 1))"},
          "wrong_measurement", "size = n // (k + 1)"),
    Wrong("timesteps not passed to build (its default 10)",
          {'build(config["units"], config["dropout"], timesteps=x.shape[1])':
           'build(config["units"], config["dropout"])'},
          "input_shape_data_mismatch", "timesteps=x.shape[1]"),
    Wrong("no refusal of too few windows",
          {"if k < 1 or n < k + 1:": "if n < 1:"},
          "series_too_short", "raise ValueError when k < 1 or n < k + 1"),
    Wrong("each fold scored on its training windows",
          {"model.evaluate(x[val], y[val]": "model.evaluate(x[train], y[train]"},
          "validation_on_training_data", "model.evaluate(x[val], y[val], verbose=0)"),
    Wrong("each fold trained on its validation block too",
          {"model.fit(x[train], y[train],": "model.fit(x[:val[-1] + 1], y[:val[-1] + 1],"},
          "validation_on_training_data", "model.fit(x[train], y[train], ...)"),
    Wrong("targets shifted by one window",
          {"model.fit(x[train], y[train],": "model.fit(x[train], y[train + 1],"},
          "window_misalignment", "model.fit(x[train], y[train], ...)"),
    Wrong("units ignored", {'build(config["units"], config["dropout"]':
                            'build(32, config["dropout"]'},
          "ignored_argument", 'build(config["units"], config["dropout"]'),
    Wrong("epochs ignored", {"epochs=epochs, batch_size=32": "epochs=3, batch_size=32"},
          "ignored_argument", "epochs=epochs"),
    Wrong("k not passed on by choose",
          {"[cross_validate(x, y, config, k=k, epochs=epochs) for config in configs]":
           "[cross_validate(x, y, config, epochs=epochs) for config in configs]"},
          "ignored_argument", "cross_validate(x, y, config, k=k, epochs=epochs)"),
    Wrong("the worst configuration kept",
          {"best = min(range(len(configs))": "best = max(range(len(configs))"},
          "best_not_lowest", "best = configs[min(range(len(configs))"),
]

RIGHT = [
    Wrong("the splits yielded by a generator, as scikit-learn's splitters do",
          {"    folds = []\n": "", "        folds.append((index[:start], index[start:start + size]))\n"
           "    return folds\n": "        yield index[:start], index[start:start + size]\n"},
          "", ""),
    Wrong("each fold trained from a shuffled tf.data dataset of its windows",
          {"        model.fit(x[train], y[train], epochs=epochs, batch_size=32, verbose=0)\n":
           "        import tensorflow as tf\n"
           "        data = tf.data.Dataset.from_tensor_slices((x[train], y[train]))\n"
           "        model.fit(data.shuffle(len(train), seed=1).batch(32), epochs=epochs, "
           "verbose=0)\n"}, "", ""),
]
