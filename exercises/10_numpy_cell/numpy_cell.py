"""Exercise 10: one LSTM cell in NumPy, unrolled over the timesteps.

There is ONE cell, applied at every timestep with the same weights. Keras stores the four
gates side by side, in the order i (input), f (forget), c (candidate), o (output):

    kernel (features, 4·units)   recurrent_kernel (units, 4·units)   bias (4·units,)

    z = x_t·kernel + h·recurrent_kernel + bias     (batch, 4·units), split into z_i z_f z_c z_o
    i, f, o = σ(z_i), σ(z_f), σ(z_o);  g = tanh(z_c)
    c_new = f·c + i·g;  h_new = o·tanh(c_new)

Write it with NumPy only: the point is to see these equations work. A Keras LSTMCell (or
LSTM) given your weights computes the same numbers, but then Keras did the exercise; the
tests watch for calls into TensorFlow or Keras and do not count them.
"""

import numpy as np


def lstm_step(x_t, h, c, kernel, recurrent_kernel, bias):
    """One timestep: x_t (batch, features), h and c (batch, units) -> new (h, c)."""
    ### BEGIN SOLUTION compute the four gates and the new h and c
    z = x_t @ kernel + h @ recurrent_kernel + bias
    zi, zf, zc, zo = np.split(z, 4, axis=-1)

    def sigmoid(v):
        return 1.0 / (1.0 + np.exp(-v))

    c = sigmoid(zf) * c + sigmoid(zi) * np.tanh(zc)
    h = sigmoid(zo) * np.tanh(c)
    return h, c
    ### END SOLUTION


def lstm_unroll(x, kernel, recurrent_kernel, bias):
    """Run the cell over x (batch, timesteps, features) from zero states.

    Return (sequence (batch, timesteps, units), h (batch, units), c (batch, units)).
    """
    ### BEGIN SOLUTION start from zeros and apply lstm_step at every timestep
    units = recurrent_kernel.shape[0]
    h = np.zeros((x.shape[0], units))
    c = np.zeros((x.shape[0], units))
    outputs = []
    for t in range(x.shape[1]):
        h, c = lstm_step(x[:, t, :], h, c, kernel, recurrent_kernel, bias)
        outputs.append(h)
    return np.stack(outputs, axis=1), h, c
    ### END SOLUTION
