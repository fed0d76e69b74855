"""Exercise 6 (fix): a stack without return_sequences, and targets that broadcast.

This model should predict the NEXT value of each window (targets y of shape (batch, 1)).
As written, Keras refuses the stack; and when you move `return_sequences` to the wrong layer,
Keras trains WITHOUT A WORD on predictions (batch, timesteps, 1) against targets (batch, 1):
the loss broadcasts and the model learns the wrong thing. Make the shapes right.
"""

import keras


def build_model(timesteps, units=16):
    """Input (timesteps, 1) -> LSTM(units) -> LSTM(units) -> Dense(1), compiled (adam, mse):
    any number of windows in, one prediction per window out, made by the linear Dense(1) from
    the last LSTM's last h (both LSTMs read each window forward)."""
    ### BEGIN SOLUTION
    model = keras.Sequential([
        keras.Input((timesteps, 1)),
        keras.layers.LSTM(units, return_sequences=True),
        keras.layers.LSTM(units),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse")
    return model
    ### END SOLUTION
    ### BEGIN PROMPT
    # model = keras.Sequential([
    #     keras.Input((timesteps, 1)),
    #     keras.layers.LSTM(units),
    #     keras.layers.LSTM(units, return_sequences=True),
    #     keras.layers.Dense(1),
    # ])
    # model.compile(optimizer="adam", loss="mse")
    # return model
    ### END PROMPT
