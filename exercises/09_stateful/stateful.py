"""Exercise 9: a stateful LSTM with a fixed batch size.

A stateful LSTM keeps h and c from one call to the next (per batch row), so a long sequence
can be fed in chunks: chunk 1, chunk 2, ... and the result equals one call on the whole
sequence. Keras must know the batch size in advance (the states are (batch, units)
variables), and you must reset the states before a new sequence. In Keras 3 the states
belong to the layer: call reset_state() on the stateful LSTM layer (there is no
``model.reset_states()`` any more).

    model = build_stateful(batch_size=4, timesteps=10, units=8)
    run_in_chunks(model, long_x)     # long_x is (4, k * 10, 1)
"""

import keras
import numpy as np


def build_stateful(batch_size, timesteps, units):
    """Input((timesteps, 1), batch_size=batch_size) -> stateful LSTM(units) -> Dense(1)."""
    ### BEGIN SOLUTION fix the batch size in the Input and make the LSTM stateful
    model = keras.Sequential([
        keras.Input((timesteps, 1), batch_size=batch_size),
        keras.layers.LSTM(units, stateful=True),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse")
    return model
    ### END SOLUTION


def run_in_chunks(model, long_x):
    """Reset the states, feed long_x (batch, k * timesteps, 1) chunk by chunk of the model's
    timesteps, and return the prediction after the last chunk as a NumPy array (batch, 1)."""
    ### BEGIN SOLUTION reset, then call the model on each chunk in order
    timesteps = model.inputs[0].shape[1]
    for layer in model.layers:
        if getattr(layer, "stateful", False):
            layer.reset_state()
    out = None
    for start in range(0, long_x.shape[1], timesteps):
        out = model(long_x[:, start:start + timesteps], training=False)
    return np.asarray(out)
    ### END SOLUTION
