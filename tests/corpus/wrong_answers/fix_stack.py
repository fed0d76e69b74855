"""Exercise 6 (fix_stack): incomplete or wrong repairs of the stack and its broadcast targets."""

from corpus.wrong_answers import Wrong

_FIRST = "keras.layers.LSTM(units, return_sequences=True),"
_LAST = "keras.layers.LSTM(units),\n"

WRONG = [
    Wrong("return_sequences on both LSTMs: the loss broadcasts silently",
          {_LAST: "keras.layers.LSTM(units, return_sequences=True),\n"},
          "sequence_output_vs_last_target", "keras.layers.LSTM(units)   # the last LSTM"),
    Wrong("return_sequences removed from both LSTMs", {_FIRST: "keras.layers.LSTM(units),"},
          "missing_return_sequences", "keras.layers.LSTM(units, return_sequences=True)"),
    Wrong("a RepeatVector feeds the second LSTM copies of the last h",
          {_FIRST: "keras.layers.LSTM(units),\n        keras.layers.RepeatVector(timesteps),"},
          "missing_return_sequences", "keras.layers.LSTM(units, return_sequences=True)"),
    Wrong("a Reshape makes the last h a one-step sequence",
          {_FIRST: "keras.layers.LSTM(units),\n        keras.layers.Reshape((1, units)),"},
          "missing_return_sequences", "keras.layers.LSTM(units, return_sequences=True)"),
    Wrong("the second LSTM's sequence flattened into Dense(1)",
          {_LAST: "keras.layers.LSTM(units, return_sequences=True),\n"
                  "        keras.layers.Flatten(),\n"},
          "unexpected_sequence_output", "keras.layers.LSTM(units)   # the last LSTM"),
    Wrong("the second LSTM's sequence averaged over time",
          {_LAST: "keras.layers.LSTM(units, return_sequences=True),\n"
                  "        keras.layers.GlobalAveragePooling1D(),\n"},
          "unexpected_sequence_output", "keras.layers.LSTM(units)   # the last LSTM"),
    Wrong("the default 16 units hard-coded",
          {_FIRST: "keras.layers.LSTM(16, return_sequences=True),",
           _LAST: "keras.layers.LSTM(16),\n"},
          "ignored_argument", "then keras.layers.LSTM(units)   # units"),
    Wrong("the first LSTM sized by the window length",
          {_FIRST: "keras.layers.LSTM(timesteps, return_sequences=True),"},
          "units_equals_timesteps", "then keras.layers.LSTM(units)   # units"),
    Wrong("the loss changed instead of the shapes", {'loss="mse"': 'loss="mae"'},
          "compile_settings", 'model.compile(optimizer="adam", loss="mse")'),
    Wrong("the library's builder called instead of the repair",
          {"import keras\n": "import keras\nfrom lstm_shapes import build_stacked_lstm\n",
           "    model = keras.Sequential([\n        keras.Input((timesteps, 1)),\n"
           "        keras.layers.LSTM(units, return_sequences=True),\n"
           "        keras.layers.LSTM(units),\n        keras.layers.Dense(1),\n    ])\n":
           "    model = build_stacked_lstm((units, units), timesteps=timesteps)\n"},
          "library_answer", "yourself"),
    Wrong("a hidden Dense layer added before the output",
          {"keras.layers.Dense(1),": "keras.layers.Dense(units, activation=\"relu\"),\n"
           "        keras.layers.Dense(1),"},
          "model_layers", "keras.layers.Dense(1): nothing else"),
    Wrong("a sigmoid head: no forecast below 0",
          {"keras.layers.Dense(1),": 'keras.layers.Dense(1, activation="sigmoid"),'},
          "model_layers", "keras.layers.Dense(1)   # linear"),
    Wrong("the second LSTM reads the sequence backwards",
          {_LAST: "keras.layers.LSTM(units, go_backwards=True),\n"},
          "model_layers", "then keras.layers.LSTM(units)   # units"),
    Wrong("the window declared as one step of timesteps features",
          {"keras.Input((timesteps, 1)),": "keras.Input((1, timesteps)),"},
          "window_as_features", "keras.Input((timesteps, 1))   # (timesteps, features)"),
    Wrong("a fixed batch of 32 windows in the Input",
          {"keras.Input((timesteps, 1)),": "keras.Input((timesteps, 1), batch_size=32),"},
          "batch_in_input_shape", "keras.Input((timesteps, 1))   # (timesteps, features)"),
]

_MODEL = """    model = keras.Sequential([
        keras.Input((timesteps, 1)),
        keras.layers.LSTM(units, return_sequences=True),
        keras.layers.LSTM(units),
        keras.layers.Dense(1),
    ])
"""

RIGHT = [  # valid idioms: each earns every visible point
    Wrong("functional model, loss object", {
        _MODEL: """    windows = keras.Input(shape=(timesteps, 1))
    sequence = keras.layers.LSTM(units, return_sequences=True)(windows)
    last_h = keras.layers.LSTM(units)(sequence)
    model = keras.Model(windows, keras.layers.Dense(1)(last_h))
""", 'optimizer="adam", loss="mse"':
        "optimizer=keras.optimizers.Adam(), loss=keras.losses.MeanSquaredError()"},
        code="", fix=""),
    Wrong("RNN(LSTMCell) layers with an open time axis", {_MODEL: """    model = keras.Sequential([
        keras.Input((None, 1)),
        keras.layers.RNN(keras.layers.LSTMCell(units), return_sequences=True),
        keras.layers.RNN(keras.layers.LSTMCell(units)),
        keras.layers.Dense(1),
    ])
"""}, code="", fix=""),
    Wrong("the last step taken from the second LSTM's sequence by a Lambda",
          {_LAST: "keras.layers.LSTM(units, return_sequences=True),\n"
                  "        keras.layers.Lambda(lambda s: s[:, -1, :]),\n"}, code="", fix=""),
    Wrong("subclassed model", {_MODEL: """    class Stack(keras.Model):
        def __init__(self):
            super().__init__()
            self.first = keras.layers.LSTM(units, return_sequences=True)
            self.second = keras.layers.LSTM(units)
            self.head = keras.layers.Dense(1)

        def call(self, windows):
            return self.head(self.second(self.first(windows)))

    model = Stack()
"""}, code="", fix=""),
]
