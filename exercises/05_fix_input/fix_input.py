"""Exercise 5 (fix): a 2-D input and units mistaken for timesteps.

A colleague windowed a series into x of shape (batch, timesteps) and wrote the model below.
Keras refuses it ("expected ndim=3, found ndim=2"), and even the model's LSTM size is wrong:
they believed an LSTM needs one unit per timestep. Fix both functions; keep what is right
(adam, mse, the linear Dense(1) head). They must work for any number of windows of any
length, one window and windows of one value included.

    lstm-shapes check 5      # your tests
    lstm-shapes hint 5       # one more hint
"""

import keras
import numpy as np


def to_lstm_input(x):
    """x holds windows of a univariate series, (batch, timesteps): return what an LSTM reads,
    every value in its place."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype="float32")
    return x.reshape(x.shape[0], x.shape[1], 1)
    ### END SOLUTION
    ### BEGIN PROMPT
    # return np.asarray(x, dtype="float32")
    ### END PROMPT


def build_model(timesteps, units=32):
    """A model compiled with adam and mse: an LSTM of ``units`` units reading windows of
    ``timesteps`` values forward (as to_lstm_input returns them, any number of windows), then a
    linear Dense(1) on its last h: one prediction per window."""
    ### BEGIN SOLUTION
    model = keras.Sequential([
        keras.Input((timesteps, 1)),
        keras.layers.LSTM(units),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse")
    return model
    ### END SOLUTION
    ### BEGIN PROMPT
    # model = keras.Sequential([
    #     keras.Input((timesteps,)),
    #     keras.layers.LSTM(timesteps),   # one unit per timestep?
    #     keras.layers.Dense(1),
    # ])
    # model.compile(optimizer="adam", loss="mse")
    # return model
    ### END PROMPT
