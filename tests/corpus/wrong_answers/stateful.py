"""Exercise 9 (stateful): wrong answers, and other valid ways to write it (``RIGHT``)."""

from corpus.wrong_answers import Wrong

from lstm_shapes import MISCONCEPTIONS

# chunks out of time order: its own code once the catalogue has it (asked for), else the
# nearest one, stateful_reset (the states carry from call to call)
_ORDER = "chunk_order" if "chunk_order" in MISCONCEPTIONS else "stateful_reset"

_RESET = """    for layer in model.layers:
        if getattr(layer, "stateful", False):
            layer.reset_state()
"""
_LOOP = """    for start in range(0, long_x.shape[1], timesteps):
        out = model(long_x[:, start:start + timesteps], training=False)
"""

WRONG = [
    Wrong("the LSTM is not stateful", {"keras.layers.LSTM(units, stateful=True)":
                                       "keras.layers.LSTM(units)"},
          "stateful_reset", "keras.layers.LSTM(units, stateful=True)"),
    Wrong("a stateful LSTM that reads each chunk backwards",
          {"keras.layers.LSTM(units, stateful=True)":
           "keras.layers.LSTM(units, stateful=True, go_backwards=True)"},
          "model_layers", "keras.layers.LSTM(units, stateful=True)"),
    Wrong("a fixed batch of 4, not batch_size",
          {"keras.Input((timesteps, 1), batch_size=batch_size)":
           "keras.Input((timesteps, 1), batch_size=4)"},
          "stateful_batch", "keras.Input((timesteps, 1), batch_size=batch_size)"),
    Wrong("states never reset", {"layer.reset_state()": "pass"},
          "stateful_reset", "reset_state()"),
    Wrong("a stateful LSTM without a batch size",
          {"keras.Input((timesteps, 1), batch_size=batch_size)": "keras.Input((timesteps, 1))"},
          "stateful_batch", "keras.Input((timesteps, 1), batch_size=batch_size)"),
    Wrong("the batch inside the input shape",
          {"keras.Input((timesteps, 1), batch_size=batch_size)":
           "keras.Input((batch_size, timesteps, 1))"},
          "batch_in_input_shape", "keras.Input((timesteps, 1), batch_size=batch_size)"),
    Wrong("a fixed batch of 32, not batch_size",
          {"keras.Input((timesteps, 1), batch_size=batch_size)":
           "keras.Input((timesteps, 1), batch_size=32)"},
          "stateful_batch", "keras.Input((timesteps, 1), batch_size=batch_size)"),
    Wrong("timesteps on the feature axis",
          {"keras.Input((timesteps, 1), batch_size=batch_size)":
           "keras.Input((1, timesteps), batch_size=batch_size)"},
          "swapped_axes", "keras.Input((timesteps, 1), batch_size=batch_size)"),
    Wrong("units taken for timesteps", {"keras.layers.LSTM(units, stateful=True)":
                                        "keras.layers.LSTM(timesteps, stateful=True)"},
          "units_equals_timesteps", "keras.layers.LSTM(units, stateful=True)"),
    Wrong("no Dense(1) head", {"        keras.layers.Dense(1),\n": ""},
          "output_width_mismatch", "keras.layers.Dense(1)"),
    Wrong("the stateful LSTM returns sequences",
          {"keras.layers.LSTM(units, stateful=True)":
           "keras.layers.LSTM(units, stateful=True, return_sequences=True)"},
          "sequence_output_vs_last_target", "keras.layers.LSTM(units, stateful=True)"),
    Wrong("the whole sequence in one call, never chunked",
          {_LOOP: "    out = model(long_x, training=False)\n"},
          "input_shape_data_mismatch", "for start in range(0, long_x.shape[1], timesteps)"),
    Wrong("chunks of 10 steps, not the model's timesteps",
          {"timesteps = model.inputs[0].shape[1]": "timesteps = 10"},
          "input_shape_data_mismatch", "timesteps = model.inputs[0].shape[1]"),
    Wrong("sliding windows instead of chunks",
          {"range(0, long_x.shape[1], timesteps)":
           "range(0, long_x.shape[1] - timesteps + 1)"},
          _ORDER, "for start in range(0, long_x.shape[1], timesteps)"),
    Wrong("the chunks fed last to first",
          {"range(0, long_x.shape[1], timesteps)":
           "reversed(range(0, long_x.shape[1], timesteps))"},
          _ORDER, "for start in range(0, long_x.shape[1], timesteps)"),
    Wrong("the prediction after the first chunk returned",
          {"        out = model(long_x[:, start:start + timesteps], training=False)\n":
           "        step = model(long_x[:, start:start + timesteps], training=False)\n"
           "        out = step if out is None else out\n"},
          "wrong_measurement", "the model's output on the LAST chunk"),
    Wrong("Keras 2's model.reset_states()", {_RESET: "    model.reset_states()\n"},
          "stateful_reset", "reset_state() on the stateful LSTM layer"),
    Wrong("states reset before every chunk",
          {_RESET: "", "        out = model(": "        model.layers[0].reset_state()\n"
                                               "        out = model("},
          "stateful_reset", "once, before the first chunk"),
    Wrong("states reset after the run, not before",
          {_RESET: "", "    return np.asarray(out)": _RESET + "    return np.asarray(out)"},
          "stateful_reset", "before the first chunk"),
    Wrong("predict one sequence at a time",
          {"out = model(long_x[:, start:start + timesteps], training=False)":
           "out = model.predict(long_x[:, start:start + timesteps], batch_size=1, verbose=0)"},
          "stateful_batch", "out = model(long_x[:, start:start + timesteps])"),
    Wrong("the tensor returned as it is", {"return np.asarray(out)": "return out"},
          "not_numpy", "return np.asarray(out)"),
]

_BUILD = """    model = keras.Sequential([
        keras.Input((timesteps, 1), batch_size=batch_size),
        keras.layers.LSTM(units, stateful=True),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse")
    return model
"""

WRONG.append(Wrong("a subclassed model built on a batch of 4", {
    "def build_stateful(": '''class StatefulForecaster(keras.Model):
    def __init__(self, units):
        super().__init__()
        self.lstm = keras.layers.LSTM(units, stateful=True)
        self.head = keras.layers.Dense(1)

    def call(self, x):
        return self.head(self.lstm(x))


def build_stateful(''',
    _BUILD: """    model = StatefulForecaster(units)
    model(np.zeros((4, timesteps, 1), "float32"))  # the states get 4 rows
    return model
"""}, "stateful_batch", "model(np.zeros((batch_size, timesteps, 1)))"))

RIGHT = [
    Wrong("functional API, RNN(LSTMCell), Input(batch_shape=...), predict_on_batch", {
        _BUILD: """    inputs = keras.Input(batch_shape=(batch_size, timesteps, 1))
    hidden = keras.layers.RNN(keras.layers.LSTMCell(units), stateful=True)(inputs)
    return keras.Model(inputs, keras.layers.Dense(1)(hidden))
""",
        "timesteps = model.inputs[0].shape[1]": "timesteps = model.input_shape[1]",
        _LOOP: """    for chunk in np.split(long_x, long_x.shape[1] // timesteps, axis=1):
        out = model.predict_on_batch(chunk)
"""}, "", ""),
    Wrong("a subclassed model built by a first call; predict() per chunk", {
        "def build_stateful(": '''class StatefulForecaster(keras.Model):
    def __init__(self, units):
        super().__init__()
        self.lstm = keras.layers.LSTM(units, stateful=True)
        self.head = keras.layers.Dense(1)

    def call(self, x):
        return self.head(self.lstm(x))


def build_stateful(''',
        _BUILD: """    model = StatefulForecaster(units)
    model(np.zeros((batch_size, timesteps, 1), "float32"))  # the states get batch_size rows
    return model
""",
        _RESET: "    model.layers[0].reset_state()\n",
        _LOOP: """    for i in range(long_x.shape[1] // timesteps):
        chunk = long_x[:, i * timesteps:(i + 1) * timesteps]
        out = model.predict(chunk, batch_size=len(long_x), verbose=0)
"""}, "", ""),
]
