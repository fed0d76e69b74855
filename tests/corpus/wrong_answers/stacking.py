"""Exercise 4 (stacking): stacked models a learner gets wrong, and other valid ways to write it."""

from corpus.wrong_answers import Wrong

_INPUT = "keras.Input((timesteps, features)),"
_FIRST = "keras.layers.LSTM(units, return_sequences=True),"
_SECOND = "keras.layers.LSTM(units),"
_HEAD = "keras.layers.Dense(1),"
_COMPILE = 'model.compile(optimizer="adam", loss="mse")'
_MODEL = '''    model = keras.Sequential([
        keras.Input((timesteps, features)),
        keras.layers.LSTM(units, return_sequences=True),
        keras.layers.LSTM(units),
        keras.layers.Dense(1),
    ])
'''

WRONG = [
    Wrong("the first LSTM hands on only its last h", {_FIRST: "keras.layers.LSTM(units),"},
          "missing_return_sequences", "return_sequences=True"),
    Wrong("both LSTMs return sequences",
          {_SECOND: "keras.layers.LSTM(units, return_sequences=True),"},
          "sequence_output_vs_last_target", "keras.layers.LSTM(units)"),
    Wrong("units read as the number of timesteps",
          {_FIRST: "keras.layers.LSTM(timesteps, return_sequences=True),",
           _SECOND: "keras.layers.LSTM(timesteps),"},
          "units_equals_timesteps", "keras.layers.LSTM(units)"),
    Wrong("the units argument ignored (50 hard-coded)",
          {_FIRST: "keras.layers.LSTM(50, return_sequences=True),",
           _SECOND: "keras.layers.LSTM(50),"},
          "dimension_mismatch", "keras.layers.LSTM(units, return_sequences=True)"),
    Wrong("a head as wide as the LSTM", {_HEAD: "keras.layers.Dense(units),"},
          "output_width_mismatch", "keras.layers.Dense(1)"),
    Wrong("the batch axis in Input", {_INPUT: "keras.Input((None, timesteps, features)),"},
          "batch_in_input_shape", "keras.Input(shape=(timesteps, features))"),
    Wrong("the input declared (features, timesteps)",
          {_INPUT: "keras.Input((features, timesteps)),"},
          "input_shape_data_mismatch", "keras.Input(shape=(timesteps, features))"),
    Wrong("an extra Dense layer before the head",
          {_HEAD: "keras.layers.Dense(units, activation='relu'),\n        keras.layers.Dense(1),"},
          "model_layers", "keep only Input(shape=(timesteps, features))"),
    Wrong("compiled with the mean absolute error",
          {_COMPILE: 'model.compile(optimizer="adam", loss="mae")'},
          "compile_settings", 'model.compile(optimizer="adam", loss="mse")'),
    Wrong("never compiled", {_COMPILE: "pass"},
          "compile_settings", 'model.compile(optimizer="adam", loss="mse")'),
    Wrong("the library's builder",
          {_MODEL: "    from lstm_shapes import build_stacked_lstm\n"
                   "    model = build_stacked_lstm((units, units), timesteps=timesteps, "
                   "features=features)\n"},
          "library_answer", "lstm_shapes.build_stacked_lstm: this exercise"),
    Wrong("a sigmoid head", {_HEAD: "keras.layers.Dense(1, activation='sigmoid'),"},
          "model_layers", "keras.layers.Dense(1)   # linear"),
    Wrong("a relu head", {_HEAD: "keras.layers.Dense(1, activation='relu'),"},
          "model_layers", "keras.layers.Dense(1)   # linear"),
    Wrong("a sigmoid Activation layer after the head",
          {_HEAD: "keras.layers.Dense(1),\n        keras.layers.Activation('sigmoid'),"},
          "model_layers", "keras.layers.Dense(1)   # linear"),
    Wrong("the batch fixed in Input",
          {_INPUT: "keras.Input(batch_shape=(32, timesteps, features)),"},
          "batch_in_input_shape", "keras.Input(shape=(timesteps, features))"),
    Wrong("Adam with a learning rate of 10",
          {_COMPILE: "model.compile(optimizer=keras.optimizers.Adam(learning_rate=10.0), "
                     "loss=\"mse\")"},
          "compile_settings", 'model.compile(optimizer="adam", loss="mse")'),
    Wrong("the LSTMs without biases",
          {_FIRST: "keras.layers.LSTM(units, return_sequences=True, use_bias=False),"},
          "model_layers", "keras.layers.LSTM(units)   # use_bias left at its default"),
    Wrong("the head without a bias", {_HEAD: "keras.layers.Dense(1, use_bias=False),"},
          "model_layers", "keras.layers.Dense(1)   # use_bias left at its default"),
    Wrong("relu LSTMs (not Keras's default tanh)",
          {_FIRST: "keras.layers.LSTM(units, activation='relu', return_sequences=True),",
           _SECOND: "keras.layers.LSTM(units, activation='relu'),"},
          "model_layers", "keras.layers.LSTM(units, return_sequences=True)   # only units"),
    Wrong("dropout in the second LSTM",
          {_SECOND: "keras.layers.LSTM(units, dropout=0.2, recurrent_dropout=0.2),"},
          "model_layers", "keras.layers.LSTM(units)   # only units and return_sequences"),
    Wrong("the last LSTM's sequence flattened into the head",
          {_SECOND: "keras.layers.LSTM(units, return_sequences=True),\n"
                    "        keras.layers.Flatten(),"},
          "unexpected_sequence_output", "keras.layers.LSTM(units)"),
    Wrong("the second LSTM reads backwards",
          {_SECOND: "keras.layers.LSTM(units, go_backwards=True),"},
          "model_layers", "keras.layers.LSTM(units)"),
]

RIGHT = [
    Wrong("the last LSTM's sequence cut to its last step by a Lambda",
          {_SECOND: "keras.layers.LSTM(units, return_sequences=True),\n"
                    "        keras.layers.Lambda(lambda t: t[:, -1, :]),"}, "", ""),
    Wrong("any number of timesteps in Input",
          {_INPUT: "keras.Input((None, features)),"}, "", ""),
    Wrong("an explicit linear head and Adam's default rate",
          {_HEAD: "keras.layers.Dense(1, activation='linear'),",
           _COMPILE: "model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), "
                     "loss=\"mean_squared_error\")"}, "", ""),
    Wrong("keras.layers.RNN of LSTMCells",
          {_FIRST: "keras.layers.RNN(keras.layers.LSTMCell(units), return_sequences=True),",
           _SECOND: "keras.layers.RNN(keras.layers.LSTMCell(units)),"}, "", ""),
    Wrong("the functional API",
          {_MODEL: "    inputs = keras.Input(shape=(timesteps, features))\n"
                   "    h = keras.layers.LSTM(units, return_sequences=True)(inputs)\n"
                   "    h = keras.layers.LSTM(units)(h)\n"
                   "    model = keras.Model(inputs, keras.layers.Dense(1)(h))\n"}, "", ""),
    Wrong("a subclassed model that assigns its head first",
          {_MODEL: "    model = HeadFirst(units)\n",
           "def build_stacked(": '''class HeadFirst(keras.Model):
    """Dense(1) assigned before the LSTMs, called after them."""

    def __init__(self, units):
        super().__init__()
        self.head = keras.layers.Dense(1)
        self.first = keras.layers.LSTM(units, return_sequences=True)
        self.second = keras.layers.LSTM(units)

    def call(self, x):
        return self.head(self.second(self.first(x)))


def build_stacked('''}, "", ""),
    Wrong("a subclassed model",
          {_MODEL: "    model = Stacked(units)\n",
           "def build_stacked(": '''class Stacked(keras.Model):
    """Two LSTMs and a Dense(1), called in order."""

    def __init__(self, units):
        super().__init__()
        self.first = keras.layers.LSTM(units, return_sequences=True)
        self.second = keras.layers.LSTM(units)
        self.head = keras.layers.Dense(1)

    def call(self, x):
        return self.head(self.second(self.first(x)))


def build_stacked('''}, "", ""),
    Wrong("Sequential.add, input_shape on the first layer, a loss object",
          {_MODEL: "    model = keras.Sequential()\n"
                   "    model.add(keras.layers.LSTM(units, return_sequences=True, "
                   "input_shape=(timesteps, features)))\n"
                   "    model.add(keras.layers.LSTM(units))\n"
                   "    model.add(keras.layers.Dense(1))\n",
           _COMPILE: "model.compile(optimizer=keras.optimizers.Adam(), "
                     "loss=keras.losses.MeanSquaredError())"}, "", ""),
]
