"""Exercise 2: predict an LSTM's shapes and its parameter count, without running it.

    layer = keras.layers.LSTM(units, return_sequences=..., return_state=True)
    output, h, c = layer(x)          # x is (batch, timesteps, features)

Work out the three shapes from the shape story (the table in README.md) and count the weights: the kernel
is (features, 4·units), the recurrent kernel (units, 4·units), the bias (4·units,).
No TensorFlow needed here: plain arithmetic.
"""


def lstm_output_shapes(batch, timesteps, features, units, return_sequences):
    """The shapes (output, h, c) of LSTM(units, return_sequences, return_state=True)(x).

    Return the three shapes as tuples of ints, e.g. ((32, 50), (32, 50), (32, 50)); a batch
    of None (unknown, as in model.summary()) stays None. Every size may be 1 (one timestep
    included: a sequence of one step is still a sequence).
    """
    ### BEGIN SOLUTION return (output_shape, h_shape, c_shape) as tuples of ints
    state = (batch, units)
    output = (batch, timesteps, units) if return_sequences else state
    return output, state, state
    ### END SOLUTION


def lstm_param_count(units, features):
    """How many trainable numbers (an int) an LSTM(units) has on ``features`` input features."""
    ### BEGIN SOLUTION count the kernel, recurrent kernel and bias entries
    return 4 * (units * (features + units) + units)
    ### END SOLUTION
