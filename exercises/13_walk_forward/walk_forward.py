"""Exercise 13: walk-forward cross-validation of a units/dropout choice.

One validation split gives one number, and a lucky or unlucky split can decide which
configuration wins. Cross-validation scores a configuration on k validation blocks and
averages. But the windows of a time series are not exchangeable: a random K-fold (a
shuffled split, or KFold with the validation block in the middle) trains on windows that
come AFTER the validation windows. Those later windows hold the validation targets among
their inputs, so the model is scored on values it has already seen: the future leaks into
training, and the score flatters the model that memorizes best.

Walk-forward cross-validation keeps time's order. The n windows (oldest first) are cut into
k + 1 blocks of ``n // (k + 1)`` windows (call that number size), the first block also taking
the ``n % (k + 1)`` left over; fold i (i = 0 .. k-1) validates on the windows
``[n - (k - i) * size, n - (k - i - 1) * size)`` and trains on EVERY window before them:

    fold 0:  [train      ][val]
    fold 1:  [train           ][val]
    fold 2:  [train                ][val]

So each validation block lies strictly after its training windows, the validation blocks
follow each other in time without overlap, and no window is in both parts of a fold.
(``fit`` may shuffle the training windows among themselves: that leaks nothing. Where the
validation windows sit is what matters.)

scikit-learn's ``TimeSeriesSplit(n_splits=k)`` yields exactly these indices (for k >= 2; it
refuses a single fold). Here you write them by hand: where the validation block must sit,
and why, is the lesson; they take a few lines; and scikit-learn (with SciPy) would be a
large new dependency for those few lines.
"""

import keras
import numpy as np


def build(units, dropout, timesteps=10):
    """Given: Input((timesteps, 1)) -> LSTM(units, dropout=dropout) -> Dense(1), MSE + Adam."""
    model = keras.Sequential([
        keras.Input((timesteps, 1)),
        keras.layers.LSTM(units, dropout=dropout),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    return model


def walk_forward_splits(n, k):
    """The k folds over n windows, oldest first: a list of (train, val) integer index arrays,
    fold i as the module docstring says. Raise ValueError when k < 1 or n < k + 1 (a block
    would be empty)."""
    ### BEGIN SOLUTION
    if k < 1 or n < k + 1:
        raise ValueError(f"{n} windows cannot make {k} folds: walk-forward needs k + 1 blocks "
                         "of at least one window")
    size = n // (k + 1)
    index = np.arange(n)
    folds = []
    for i in range(k):
        start = n - (k - i) * size
        folds.append((index[:start], index[start:start + size]))
    return folds
    ### END SOLUTION


def cross_validate(x, y, config, k=4, epochs=3):
    """Walk-forward cross-validation of one configuration {"units": u, "dropout": d} on the
    windows x, y (oldest first). For each fold of walk_forward_splits(len(x), k), in order:
    a fresh build(units, dropout, timesteps) trained for ``epochs`` epochs on the fold's
    training windows only, then its MSE on the fold's validation windows.
    Return {"fold_losses": [k floats, in fold order], "mean": their mean}."""
    ### BEGIN SOLUTION
    losses = []
    for train, val in walk_forward_splits(len(x), k):
        model = build(config["units"], config["dropout"], timesteps=x.shape[1])
        model.fit(x[train], y[train], epochs=epochs, batch_size=32, verbose=0)
        losses.append(float(model.evaluate(x[val], y[val], verbose=0)))
    return {"fold_losses": losses, "mean": float(np.mean(losses))}
    ### END SOLUTION


def choose(x, y, configs, k=4, epochs=3):
    """Compare configurations: cross_validate(x, y, config, k=k, epochs=epochs) for each one.
    Return {"results": [its result per config, in the order of configs],
            "best": the config with the lowest mean validation loss}."""
    ### BEGIN SOLUTION
    results = [cross_validate(x, y, config, k=k, epochs=epochs) for config in configs]
    best = min(range(len(configs)), key=lambda i: results[i]["mean"])
    return {"results": results, "best": configs[best]}
    ### END SOLUTION


if __name__ == "__main__":
    series = np.sin(np.arange(0, 100, 0.1)).astype("float32")  # the whole series, in order
    x = np.stack([series[i:i + 10] for i in range(len(series) - 10)])[..., None]
    found = choose(x, series[10:, None], [{"units": 16, "dropout": 0.0},
                                          {"units": 32, "dropout": 0.2}])
    for config, result in zip([16, 32], found["results"]):
        print(config, np.round(result["fold_losses"], 5), round(result["mean"], 5))
    print("best:", found["best"])
