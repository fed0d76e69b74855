"""Exercise 5 (fix_input): incomplete or wrong repairs of the 2-D input and LSTM(timesteps)."""

from corpus.wrong_answers import Wrong

_RESHAPE = "return x.reshape(x.shape[0], x.shape[1], 1)"
_INPUT = "keras.Input((timesteps, 1)),"

WRONG = [
    Wrong("units still copied from the window length",
          {"keras.layers.LSTM(units)": "keras.layers.LSTM(timesteps)"},
          "units_equals_timesteps", "keras.layers.LSTM(units)"),
    Wrong("the model repaired, the input left 2-D", {_RESHAPE: "return x"},
          "missing_timestep_axis", "return x.reshape(len(x), x.shape[1], 1)"),
    Wrong("the window put on the feature axis",
          {_RESHAPE: "return x.reshape(x.shape[0], 1, x.shape[1])"},
          "window_as_features", "return x.reshape(len(x), x.shape[1], 1)"),
    Wrong("the new axis added in front", {_RESHAPE: "return x[np.newaxis]"},
          "swapped_axes", "return x.reshape(len(x), x.shape[1], 1)"),
    Wrong("the Input still declares (timesteps,)", {_INPUT: "keras.Input((timesteps,)),"},
          "missing_timestep_axis", "keras.Input((timesteps, 1))"),
    Wrong("the batch put into the Input", {_INPUT: "keras.Input((None, timesteps, 1)),"},
          "batch_in_input_shape", "keras.Input((timesteps, 1))"),
    Wrong("the Input declares the window as features", {_INPUT: "keras.Input((1, timesteps)),"},
          "window_as_features", "keras.Input((timesteps, 1))"),
    Wrong("the Input hard-codes the sine task's 10 timesteps", {_INPUT: "keras.Input((10, 1)),"},
          "input_shape_data_mismatch", "keras.Input((timesteps, 1))"),
    Wrong("the units argument ignored", {"keras.layers.LSTM(units)": "keras.layers.LSTM(32)"},
          "ignored_argument", "keras.layers.LSTM(units)"),
    Wrong("the LSTM returns its whole sequence",
          {"keras.layers.LSTM(units)": "keras.layers.LSTM(units, return_sequences=True)"},
          "sequence_output_vs_last_target", "keras.layers.LSTM(units)"),
    Wrong("a hidden Dense layer added before the output",
          {"keras.layers.Dense(1),": "keras.layers.Dense(units, activation=\"relu\"),\n"
           "        keras.layers.Dense(1),"},
          "model_layers", "keras.layers.Dense(1): nothing else"),
    Wrong("the compile line dropped", {'    model.compile(optimizer="adam", loss="mse")\n': ""},
          "compile_settings", 'model.compile(optimizer="adam", loss="mse")'),
    Wrong("the library's builder called instead of the repair",
          {"import keras\n": "import keras\nfrom lstm_shapes import build_lstm\n",
           "    model = keras.Sequential([\n        keras.Input((timesteps, 1)),\n"
           "        keras.layers.LSTM(units),\n        keras.layers.Dense(1),\n    ])\n":
           "    model = build_lstm(units, timesteps=timesteps)\n"},
          "library_answer", "yourself"),
    Wrong("another optimizer and loss than the colleague's adam and mse",
          {'optimizer="adam", loss="mse"': 'optimizer="sgd", loss="mae"'},
          "compile_settings", 'model.compile(optimizer="adam", loss="mse")'),
    Wrong("a sigmoid head: no forecast below 0",
          {"keras.layers.Dense(1),": 'keras.layers.Dense(1, activation="sigmoid"),'},
          "model_layers", "keras.layers.Dense(1)   # linear"),
    Wrong("a relu head: no forecast below 0",
          {"keras.layers.Dense(1),": 'keras.layers.Dense(1, activation="relu"),'},
          "model_layers", "keras.layers.Dense(1)   # linear"),
    Wrong("np.squeeze, then a new last axis: one window loses its batch axis",
          {_RESHAPE: "return np.squeeze(x)[:, :, None]"},
          "wrong_rank", "return x.reshape(len(x), x.shape[1], 1)"),
    Wrong("the sine task's 10 timesteps hard-coded in the reshape",
          {_RESHAPE: "return x.reshape(-1, 10, 1)"},
          "ignored_argument", "return x.reshape(len(x), x.shape[1], 1)"),
    Wrong("a fixed batch of 32 windows in the Input",
          {_INPUT: "keras.Input(batch_shape=(32, timesteps, 1)),"},
          "batch_in_input_shape", "keras.Input((timesteps, 1))"),
    Wrong("the LSTM reads the windows backwards",
          {"keras.layers.LSTM(units)": "keras.layers.LSTM(units, go_backwards=True)"},
          "model_layers", "keras.layers.LSTM(units)"),
    Wrong("the whole sequence averaged over time instead of the last h",
          {"keras.layers.LSTM(units),": "keras.layers.LSTM(units, return_sequences=True),\n"
                                        "        keras.layers.GlobalAveragePooling1D(),"},
          "unexpected_sequence_output", "keras.layers.LSTM(units)   # without return_sequences"),
]

_MODEL = """    model = keras.Sequential([
        keras.Input((timesteps, 1)),
        keras.layers.LSTM(units),
        keras.layers.Dense(1),
    ])
"""

RIGHT = [  # valid idioms: each earns every visible point
    Wrong("functional model and np.expand_dims", {
        _RESHAPE: "return np.expand_dims(x, axis=-1)",
        _MODEL: """    inputs = keras.Input(shape=(timesteps, 1))
    h = keras.layers.LSTM(units)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(h))
"""}, code="", fix=""),
    Wrong("RNN(LSTMCell) with an open time axis, x[..., None]", {
        _RESHAPE: "return x[..., None]",
        _MODEL: """    model = keras.Sequential([
        keras.Input((None, 1)),
        keras.layers.RNN(keras.layers.LSTMCell(units)),
        keras.layers.Dense(1),
    ])
"""}, code="", fix=""),
    Wrong("np.atleast_3d; the last step of the sequence taken by a Lambda", {
        _RESHAPE: "return np.atleast_3d(x)",
        "keras.layers.LSTM(units),": "keras.layers.LSTM(units, return_sequences=True),\n"
                                     "        keras.layers.Lambda(lambda s: s[:, -1, :]),"},
        code="", fix=""),
    Wrong("subclassed model", {_MODEL: """    class Forecaster(keras.Model):
        def __init__(self):
            super().__init__()
            self.lstm = keras.layers.LSTM(units)
            self.head = keras.layers.Dense(1)

        def call(self, inputs):
            return self.head(self.lstm(inputs))

    model = Forecaster()
"""}, code="", fix=""),
]
