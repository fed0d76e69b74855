"""Exercise 8: sweep units -- loss, parameters and time.

More units = a bigger h and c = more capacity, more parameters, more time per epoch (and,
on small data, more over-fitting). For each value of units_list, build LSTM(units) + Dense(1),
train it with model.fit on the training windows for ``epochs`` epochs, measure it on the
validation windows and report a row; then draw validation loss against units.
"""

import time

import keras
import numpy as np


def sweep(x_train, y_train, x_val, y_val, units_list=(16, 32, 64), epochs=2):
    """One row per value of ``units_list``, in its order:
    {"units": u, "params": <trainable parameters of the whole model>,
     "val_loss": <MSE on (x_val, y_val) after training>,
     "seconds": <wall-clock seconds of that model's training, its model.fit: the time that
                 passed (not CPU time), and nothing before or after the fit>}.
    Each model, LSTM(u) then a linear Dense(1) on its last h, trains with model.fit on
    (x_train, y_train) only, for ``epochs`` epochs."""
    ### BEGIN SOLUTION train LSTM(u) + Dense(1) for each u; collect the four numbers per row
    rows = []
    for units in units_list:
        model = keras.Sequential([keras.Input(x_train.shape[1:]), keras.layers.LSTM(units),
                                  keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mse")
        start = time.perf_counter()
        model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0)
        seconds = time.perf_counter() - start
        val_loss = float(model.evaluate(x_val, y_val, verbose=0))
        rows.append({"units": int(units), "params": int(model.count_params()),
                     "val_loss": val_loss, "seconds": seconds})
    return rows
    ### END SOLUTION


def plot(rows, path):
    """Save a PNG of validation loss (y axis) against units (x axis) to ``path``."""
    ### BEGIN SOLUTION draw with matplotlib and save to path
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot([r["units"] for r in rows], [r["val_loss"] for r in rows], "o-")
    ax.set_xlabel("units")
    ax.set_ylabel("validation MSE")
    ax.set_xscale("log", base=2)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    ### END SOLUTION


if __name__ == "__main__":
    from lstm_shapes import sine_windows

    w = sine_windows(timesteps=10)
    table = sweep(w.x_train, w.y_train, w.x_val, w.y_val)
    for row in table:
        print(row)
    plot(table, "units_sweep.png")
    print("plot: units_sweep.png", np.round([r["val_loss"] for r in table], 5))
