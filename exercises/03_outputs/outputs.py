"""Exercise 3: return_sequences and return_state -- which tensor is which.

    layer = keras.layers.LSTM(units, return_sequences=True, return_state=True)
    result = layer(x)                       # x is (batch, timesteps, features)

``result`` holds three tensors: the whole sequence of h's (batch, timesteps, units), the
last h (batch, units) and the last c (batch, units). With return_sequences=False the first
one is just the last h.
"""

import numpy as np


def sequence_h_c(layer, x):
    """Call ``layer`` (an LSTM built with return_sequences=True, return_state=True) on x.

    Return its three results as (sequence, h, c), in this order (NumPy arrays or tensors),
    shaped as the layer returns them, for any batch and timesteps (1 included).
    """
    ### BEGIN SOLUTION call the layer and unpack its three outputs
    sequence, h, c = layer(x)
    return np.asarray(sequence), np.asarray(h), np.asarray(c)
    ### END SOLUTION


def last_step(sequence):
    """The output at the last timestep of a (batch, timesteps, units) sequence: (batch, units).

    Any batch, timesteps and units (1 included); ``sequence`` is an array or a tensor.
    """
    ### BEGIN SOLUTION slice the last timestep
    return sequence[:, -1, :]
    ### END SOLUTION
