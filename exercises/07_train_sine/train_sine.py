"""Exercise 7: train a stacked LSTM on the sine task.

The data: windows of 10 values of np.sin(np.arange(0, 100, 0.1)) and the next value,
split into training and validation parts (lstm_shapes.sine_windows does it for you):

    x_train (790, 10, 1)   y_train (790, 1)   x_val (190, 10, 1)   y_val (190, 1)

Build two stacked LSTMs of 50 units and Dense(1), train them with adam and mse on the
training windows only (the validation windows are for validation), and return the trained
model. The tests measure its validation MSE themselves: it must beat 1e-3 and the naive
"tomorrow = today" baseline (about 5e-3) by far. A few epochs are enough (the reference
trains 6, in about 4 s).
"""

import keras


def build_and_train(x_train, y_train, x_val, y_val):
    """Build LSTM(50) -> LSTM(50) -> Dense(1) (linear, on the last LSTM's last h), train it
    (adam, mse) on the training windows only, with model.fit or a loop of your own, and return
    the trained model; it predicts any number of windows."""
    ### BEGIN SOLUTION build the stacked model, fit it, return it
    model = keras.Sequential([
        keras.Input(x_train.shape[1:]),
        keras.layers.LSTM(50, return_sequences=True),
        keras.layers.LSTM(50),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=5e-3), loss="mse")
    model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=6, batch_size=32,
              verbose=0)
    return model
    ### END SOLUTION
