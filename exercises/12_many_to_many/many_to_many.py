"""Exercise 12: many-to-many -- several future steps, and one prediction per timestep.

Multi-step forecasting: from a window of ``timesteps`` values predict the next ``horizon``
values at once: x (batch, timesteps, 1) -> y (batch, horizon). The head is Dense(horizon).

Per-timestep predictions: with return_sequences=True the LSTM keeps (batch, timesteps,
units) and a Dense(1) after it acts on every timestep: (batch, timesteps, 1).
"""

import keras
import numpy as np


def multistep_windows(series, timesteps, horizon):
    """x[i] = series[i:i+timesteps] as (timesteps, 1); y[i] = the next ``horizon`` values.

    batch = len(series) - timesteps - horizon + 1; returns x (batch, timesteps, 1),
    y (batch, horizon).
    """
    ### BEGIN SOLUTION
    series = np.asarray(series, dtype="float32")
    starts = range(len(series) - timesteps - horizon + 1)
    x = np.stack([series[i:i + timesteps] for i in starts])[..., None]
    y = np.stack([series[i + timesteps:i + timesteps + horizon] for i in starts])
    return x, y
    ### END SOLUTION


def build_and_train_forecaster(x_train, y_train):
    """An LSTM forecaster of y_train.shape[1] steps, trained briefly (< 10 s); return it.

    It reads windows of x_train.shape[1:] (any number of them: no batch size in its input).
    """
    ### BEGIN SOLUTION
    model = keras.Sequential([
        keras.Input(x_train.shape[1:]),
        keras.layers.LSTM(32),
        keras.layers.Dense(y_train.shape[1]),
    ])
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mse")
    model.fit(x_train, y_train, epochs=10, batch_size=32, verbose=0)
    return model
    ### END SOLUTION


def build_per_timestep(timesteps, units=16):
    """A model mapping (batch, timesteps, 1) to one prediction per timestep (batch, timesteps, 1).

    It has one LSTM, of ``units`` units; the prediction at timestep j is made from h at step
    j, so it reads steps 0..j only. Its input is one sample, (timesteps, 1): any batch size
    (no batch_size in the Input).
    """
    ### BEGIN SOLUTION
    return keras.Sequential([
        keras.Input((timesteps, 1)),
        keras.layers.LSTM(units, return_sequences=True),
        keras.layers.Dense(1),
    ])
    ### END SOLUTION
