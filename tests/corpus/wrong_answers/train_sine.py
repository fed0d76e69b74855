"""Exercise 7 (train_sine): plausible wrong ways to build and train the stacked LSTM."""

from corpus.wrong_answers import Wrong

_FIT = "model.fit(x_train, y_train, validation_data=(x_val, y_val),"
_FIRST = "keras.layers.LSTM(50, return_sequences=True),"
_FIT_FIX = "model.fit(x_train, y_train, validation_data=(x_val, y_val)"
_LAST = "        keras.layers.LSTM(50),\n"

WRONG = [
    Wrong("trained on the training and the validation windows",
          {"import keras\n": "import keras\nimport numpy as np\n",
           _FIT: "model.fit(np.concatenate([x_train, x_val]), np.concatenate([y_train, y_val]),"
                 "\n              validation_data=(x_val, y_val),"},
          "validation_on_training_data", _FIT_FIX),
    Wrong("the two splits swapped in fit",
          {_FIT: "model.fit(x_val, y_val, validation_data=(x_train, y_train),"},
          "validation_on_training_data", _FIT_FIX),
    Wrong("the first LSTM hands on only its last h", {_FIRST: "keras.layers.LSTM(50),"},
          "missing_return_sequences", "keras.layers.LSTM(50, return_sequences=True)"),
    Wrong("return_sequences on both LSTMs: trains silently on broadcast targets",
          {_LAST: "        keras.layers.LSTM(50, return_sequences=True),\n"},
          "sequence_output_vs_last_target", "keras.layers.LSTM(50)"),
    Wrong("units taken from the window length",
          {_FIRST: "keras.layers.LSTM(x_train.shape[1], return_sequences=True),",
           _LAST: "        keras.layers.LSTM(x_train.shape[1]),\n"},
          "units_equals_timesteps", "keras.layers.LSTM(50, return_sequences=True), then"),
    Wrong("the last LSTM's single unit used as the prediction",
          {_LAST + "        keras.layers.Dense(1),\n": "        keras.layers.LSTM(1),\n"},
          "units_equals_timesteps", "keras.layers.LSTM(50, return_sequences=True), then"),
    Wrong("the windows declared without their feature axis",
          {"keras.Input(x_train.shape[1:])": "keras.Input((10,))"},
          "missing_timestep_axis", "keras.Input(x_train.shape[1:])"),
    Wrong("mean absolute error instead of mse", {'loss="mse"': 'loss="mae"'},
          "compile_settings", 'Adam(learning_rate=5e-3), loss="mse")'),
    Wrong("one epoch only", {"epochs=6": "epochs=1"},
          "undertrained", "more epochs"),
    Wrong("the library's builder called",
          {"import keras\n": "import keras\nfrom lstm_shapes import build_stacked_lstm\n",
           "    model = keras.Sequential([\n        keras.Input(x_train.shape[1:]),\n"
           "        keras.layers.LSTM(50, return_sequences=True),\n"
           "        keras.layers.LSTM(50),\n        keras.layers.Dense(1),\n    ])\n":
           "    model = build_stacked_lstm((50, 50), timesteps=10)\n"},
          "library_answer", "yourself"),
    Wrong("a hidden Dense layer added before the output",
          {"keras.layers.Dense(1),": "keras.layers.Dense(25, activation=\"relu\"),\n"
           "        keras.layers.Dense(1),"},
          "model_layers", "keras.layers.Dense(1): nothing else"),
    Wrong("a GradientTape loop over the training and the validation windows", {
        _FIT + " epochs=6, batch_size=32,\n              verbose=0)\n": """import numpy as np
    import tensorflow as tf

    x_all, y_all = np.concatenate([x_train, x_val]), np.concatenate([y_train, y_val])
    for epoch in range(2):
        for i in range(0, len(x_all), 64):
            with tf.GradientTape() as tape:
                loss = keras.ops.mean((model(x_all[i:i + 64]) - y_all[i:i + 64]) ** 2)
            grads = tape.gradient(loss, model.trainable_variables)
            model.optimizer.apply_gradients(zip(grads, model.trainable_variables))
"""}, "validation_on_training_data", "train on the training windows only: " + _FIT_FIX),
    Wrong("model.train_on_batch on the validation windows after fit", {
        "              verbose=0)\n": "              verbose=0)\n"
        "    model.train_on_batch(x_val, y_val)\n"},
        "validation_on_training_data", "train on the training windows only: " + _FIT_FIX),
    Wrong("fit on a generator of training and validation batches", {
        _FIT + " epochs=6, batch_size=32,\n              verbose=0)\n": """import numpy as np

    x_all, y_all = np.concatenate([x_train, x_val]), np.concatenate([y_train, y_val])

    def batches():
        while True:
            for i in range(0, len(x_all), 32):
                yield x_all[i:i + 32], y_all[i:i + 32]

    model.fit(batches(), steps_per_epoch=len(x_all) // 32, epochs=6, verbose=0)
"""}, "validation_on_training_data", "train on the training windows only: " + _FIT_FIX),
    Wrong("a sigmoid head: no forecast below 0",
          {"keras.layers.Dense(1),": 'keras.layers.Dense(1, activation="sigmoid"),'},
          "model_layers", "keras.layers.Dense(1)   # linear"),
    Wrong("a fixed batch of 32 windows in the Input",
          {"keras.Input(x_train.shape[1:])": "keras.Input(batch_shape=(32, 10, 1))"},
          "batch_in_input_shape", "keras.Input(x_train.shape[1:])"),
    Wrong("the second LSTM reads the sequence backwards",
          {_LAST: "        keras.layers.LSTM(50, go_backwards=True),\n"},
          "model_layers", "keras.layers.LSTM(50)   # the last LSTM"),
]

_MODEL = """    model = keras.Sequential([
        keras.Input(x_train.shape[1:]),
        keras.layers.LSTM(50, return_sequences=True),
        keras.layers.LSTM(50),
        keras.layers.Dense(1),
    ])
"""

RIGHT = [  # valid idioms: each earns every visible point
    Wrong("functional model", {_MODEL: """    windows = keras.Input(shape=(10, 1))
    sequence = keras.layers.LSTM(50, return_sequences=True)(windows)
    prediction = keras.layers.Dense(1)(keras.layers.LSTM(50)(sequence))
    model = keras.Model(windows, prediction)
"""}, code="", fix=""),
    Wrong("RNN(LSTMCell) trained from a tf.data.Dataset", {
        _MODEL: """    model = keras.Sequential([
        keras.layers.RNN(keras.layers.LSTMCell(50), return_sequences=True),
        keras.layers.RNN(keras.layers.LSTMCell(50)),
        keras.layers.Dense(1),
    ])
""", _FIT: """import tensorflow as tf

    train = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(800, seed=1)
    model.fit(train.batch(32), validation_data=(x_val, y_val),"""}, code="", fix=""),
    Wrong("a compiled training step of its own over the training windows", {
        _FIT + " epochs=6, batch_size=32,\n              verbose=0)\n": """import tensorflow as tf

    data = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(800, seed=1).batch(32)

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(x, training=True) - y) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        model.optimizer.apply_gradients(zip(grads, model.trainable_variables))

    for epoch in range(6):
        for x, y in data:
            step(x, y)
"""}, code="", fix=""),
    Wrong("subclassed model with early stopping on val_loss", {
        _MODEL: """    class Forecaster(keras.Model):
        def __init__(self):
            super().__init__()
            self.first = keras.layers.LSTM(50, return_sequences=True)
            self.second = keras.layers.LSTM(50)
            self.head = keras.layers.Dense(1)

        def call(self, windows):
            return self.head(self.second(self.first(windows)))

    model = Forecaster()
""", "verbose=0)": "verbose=0, callbacks=[keras.callbacks.EarlyStopping("
                    "patience=2, restore_best_weights=True)])"}, code="", fix=""),
]
