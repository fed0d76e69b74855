"""Exercise 4: stack two LSTMs of 50 units.

The second LSTM reads a SEQUENCE (batch, timesteps, features), so the first one must hand it
the whole sequence of its h's, not only the last one. The model ends with a linear Dense(1)
(no activation: a sine goes down to -1): one predicted value per window.

    Input (batch, timesteps, features)
      -> LSTM(50, ...)     -> (batch, timesteps, 50)
      -> LSTM(50)          -> (batch, 50)
      -> Dense(1)          -> (batch, 1)
"""

import keras


def build_stacked(timesteps, features, units=50):
    """A model compiled with optimizer="adam" (Adam's defaults) and loss="mse": Input,
    LSTM(units), LSTM(units), Dense(1), each with Keras's default settings otherwise.

    Any way of writing a Keras model will do: Sequential, functional or a subclass of
    keras.Model. The input is (batch, timesteps, features) for ANY batch size (a batch of
    one included: the batch is not fixed), for any timesteps >= 1.
    """
    ### BEGIN SOLUTION build, compile and return the model drawn in the module docstring
    model = keras.Sequential([
        keras.Input((timesteps, features)),
        keras.layers.LSTM(units, return_sequences=True),
        keras.layers.LSTM(units),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse")
    return model
    ### END SOLUTION
