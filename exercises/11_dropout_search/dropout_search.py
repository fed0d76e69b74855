"""Exercise 11: dropout, recurrent_dropout and a small random search.

`dropout` drops inputs of the LSTM, `recurrent_dropout` drops parts of h between timesteps;
both fight over-fitting. Which values (and how many units) work best is found by search:
try a few random configurations, train each briefly, keep the lowest validation loss.
(keras-tuner does this at scale; here three trials by hand.)
"""

import keras
import numpy as np

SPACE = {"units": (16, 32), "dropout": (0.0, 0.1, 0.2), "recurrent_dropout": (0.0, 0.1, 0.2)}


def build(units, dropout, recurrent_dropout, timesteps=10):
    """Input((timesteps, 1)) -> LSTM(units, dropout=..., recurrent_dropout=...) -> Dense(1)."""
    ### BEGIN SOLUTION
    model = keras.Sequential([
        keras.Input((timesteps, 1)),
        keras.layers.LSTM(units, dropout=dropout, recurrent_dropout=recurrent_dropout),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mse")
    return model
    ### END SOLUTION


def random_search(x_train, y_train, x_val, y_val, trials=3, epochs=2, seed=0):
    """Try ``trials`` random configurations from SPACE; return
    {"trials": [{"units", "dropout", "recurrent_dropout", "val_loss"}, ...],
     "best": <the trial with the lowest val_loss>}."""
    ### BEGIN SOLUTION draw configs with np.random.default_rng(seed), train, evaluate, pick
    rng = np.random.default_rng(seed)
    results = []
    for _ in range(trials):
        config = {name: values[int(rng.integers(len(values)))]
                  for name, values in SPACE.items()}
        model = build(**config, timesteps=x_train.shape[1])
        model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0)
        val_loss = float(model.evaluate(x_val, y_val, verbose=0))
        results.append({**config, "val_loss": val_loss})
    return {"trials": results, "best": min(results, key=lambda r: r["val_loss"])}
    ### END SOLUTION
