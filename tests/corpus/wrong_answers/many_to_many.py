"""Exercise 12 (many_to_many): wrong answers, and other valid ways to write it (``RIGHT``)."""

from corpus.wrong_answers import Wrong

_STARTS = "starts = range(len(series) - timesteps - horizon + 1)"
_X = "x = np.stack([series[i:i + timesteps] for i in starts])[..., None]"
_Y = "y = np.stack([series[i + timesteps:i + timesteps + horizon] for i in starts])"
_PER_STEP = """    return keras.Sequential([
        keras.Input((timesteps, 1)),
        keras.layers.LSTM(units, return_sequences=True),
        keras.layers.Dense(1),
    ])
"""
_FORECASTER = """    model = keras.Sequential([
        keras.Input(x_train.shape[1:]),
        keras.layers.LSTM(32),
        keras.layers.Dense(y_train.shape[1]),
    ])
"""

_SEQ2SEQ = """    horizon = y_train.shape[1]
    model = keras.Sequential([
        keras.Input(x_train.shape[1:]),
        keras.layers.LSTM(32),
        keras.layers.RepeatVector(horizon),
        keras.layers.LSTM(32, return_sequences=True),
        keras.layers.TimeDistributed(keras.layers.Dense(1)),
"""  # an encoder-decoder forecaster, its last line left open

WRONG = [
    Wrong("the per-timestep LSTM reads each window backwards",
          {"        keras.layers.LSTM(units, return_sequences=True),\n        keras.layers.Dense(1),":
           "        keras.layers.LSTM(units, return_sequences=True, go_backwards=True),\n"
           "        keras.layers.Dense(1),"},
          "model_layers", "go_backwards left False"),
    Wrong("an encoder-decoder forecaster whose output keeps a trailing axis of 1",
          {_FORECASTER: _SEQ2SEQ + "    ])\n"}, "wrong_rank", "keras.layers.Reshape((y_train.shape[1],))"),
    Wrong("y starts at the last value of its window",
          {_Y: "y = np.stack([series[i + timesteps - 1:i + timesteps - 1 + horizon] "
               "for i in starts])"},
          "window_misalignment", "y[i] = series[i + timesteps : i + timesteps + horizon]"),
    Wrong("x without its feature axis", {_X: _X.replace("[..., None]", "")},
          "missing_timestep_axis", "x = x[..., np.newaxis]"),
    Wrong("one window short", {_STARTS: "starts = range(len(series) - timesteps - horizon)"},
          "batch_mismatch", "range(len(series) - timesteps - horizon + 1)"),
    Wrong("windows that ignore the horizon", {_STARTS: "starts = range(len(series) - timesteps)"},
          "batch_mismatch", "range(len(series) - timesteps - horizon + 1)"),
    Wrong("one target value per window",
          {_Y: "y = np.stack([series[i + timesteps] for i in starts])"},
          "multistep_horizon_mismatch", "y[i] = series[i + timesteps : i + timesteps + horizon]"),
    Wrong("the window holds its own target",
          {_X: "x = np.stack([series[i:i + timesteps + 1] for i in starts])[..., None]"},
          "window_misalignment", "x[i] = series[i : i + timesteps]"),
    Wrong("y with a trailing axis of one", {_Y: _Y[:-1] + ")[..., None]"},
          "wrong_rank", "y = y[..., 0]"),
    Wrong("a head of one value", {"keras.layers.Dense(y_train.shape[1])": "keras.layers.Dense(1)"},
          "multistep_horizon_mismatch", "keras.layers.Dense(y_train.shape[1])"),
    Wrong("a head of 5 values, hard-coded",
          {"keras.layers.Dense(y_train.shape[1])": "keras.layers.Dense(5)"},
          "multistep_horizon_mismatch", "keras.layers.Dense(y_train.shape[1])"),
    Wrong("the forecaster returns sequences",
          {"keras.layers.LSTM(32),": "keras.layers.LSTM(32, return_sequences=True),"},
          "sequence_output_vs_last_target", "keras.layers.LSTM(32)"),
    Wrong("a 2-D forecaster input",
          {"keras.Input(x_train.shape[1:]),": "keras.Input((x_train.shape[1],)),"},
          "missing_timestep_axis", "keras.Input(x_train.shape[1:])"),
    Wrong("a GRU forecaster", {"keras.layers.LSTM(32),": "keras.layers.GRU(32),"},
          "lstm_gate_count", "keras.layers.LSTM(32)"),
    Wrong("per-step model without return_sequences",
          {"        keras.layers.LSTM(units, return_sequences=True),":
           "        keras.layers.LSTM(units),"},
          "last_output_vs_sequence_target", "keras.layers.LSTM(units, return_sequences=True)"),
    Wrong("the last h spread over the timesteps",
          {_PER_STEP: """    return keras.Sequential([
        keras.Input((timesteps, 1)),
        keras.layers.LSTM(units),
        keras.layers.Dense(timesteps),
        keras.layers.Reshape((timesteps, 1)),
    ])
"""}, "last_output_vs_sequence_target", "keras.layers.LSTM(units, return_sequences=True)"),
    Wrong("a Bidirectional per-step model",
          {"        keras.layers.LSTM(units, return_sequences=True),":
           "        keras.layers.Bidirectional(keras.layers.LSTM(units, return_sequences=True)),"},
          "model_layers", "keras.layers.LSTM(units, return_sequences=True)"),
    Wrong("units ignored: always 16",
          {"keras.layers.LSTM(units, return_sequences=True)":
           "keras.layers.LSTM(16, return_sequences=True)"},
          "dimension_mismatch", "keras.layers.LSTM(units, return_sequences=True)"),
    Wrong("units taken for timesteps",
          {"keras.layers.LSTM(units, return_sequences=True)":
           "keras.layers.LSTM(timesteps, return_sequences=True)"},
          "units_equals_timesteps", "keras.layers.LSTM(units, return_sequences=True)"),
    Wrong("windows squeezed (one window or one step loses its axis)",
          {_X: "x = np.squeeze(np.stack([series[i:i + timesteps] for i in starts]))[..., None]"},
          "wrong_rank", "x = x.reshape(-1, timesteps, 1)"),
    Wrong("targets squeezed (horizon 1 or one window loses its axis)",
          {_Y: _Y[:-1] + ").squeeze()"}, "wrong_rank", "y = y.reshape(-1, horizon)"),
    Wrong("the forecaster's input hard-coded to 10 timesteps",
          {"keras.Input(x_train.shape[1:]),": "keras.Input((10, 1)),"},
          "input_shape_data_mismatch", "keras.Input(x_train.shape[1:])"),
    Wrong("the forecaster's input fixes a batch of 32",
          {"keras.Input(x_train.shape[1:]),": "keras.Input(x_train.shape[1:], batch_size=32),"},
          "batch_in_input_shape", "keras.Input(x_train.shape[1:])"),
    Wrong("an extra LSTM(16) in the per-step model",
          {"        keras.layers.LSTM(units, return_sequences=True),":
           "        keras.layers.LSTM(units, return_sequences=True),\n"
           "        keras.layers.LSTM(16, return_sequences=True),"},
          "model_layers", "keras.layers.LSTM(units, return_sequences=True)"),
    Wrong("the per-step model fixes a batch of 5",
          {"        keras.Input((timesteps, 1)),\n        keras.layers.LSTM(units, return_":
           "        keras.Input((timesteps, 1), batch_size=5),\n        keras.layers.LSTM(units, return_"},
          "batch_in_input_shape", "keras.Input((timesteps, 1))"),
    Wrong("per-step predictions reshaped to (batch, timesteps)",
          {"        keras.layers.Dense(1),\n    ])\n":
           "        keras.layers.Dense(1),\n        keras.layers.Reshape((timesteps,)),\n    ])\n"},
          "wrong_rank", "keras.layers.LSTM(units, return_sequences=True), then keras.layers.Dense(1)"),
    Wrong("a per-step head as wide as units",
          {"        keras.layers.Dense(1),\n    ])\n": "        keras.layers.Dense(units),\n    ])\n"},
          "output_width_mismatch", "then keras.layers.Dense(1)"),
]

RIGHT = [
    Wrong("an encoder-decoder forecaster, reshaped to (batch, horizon)",
          {_FORECASTER: _SEQ2SEQ + "        keras.layers.Reshape((horizon,)),\n    ])\n"}, "", ""),
    Wrong("functional API, RNN(LSTMCell), TimeDistributed, sliding_window_view", {
        _X + "\n    " + _Y: """windows = np.lib.stride_tricks.sliding_window_view(series, timesteps + horizon)
    x, y = windows[:, :timesteps, None], windows[:, timesteps:]""",
        _FORECASTER: """    inputs = keras.Input(shape=(x_train.shape[1], x_train.shape[2]))
    hidden = keras.layers.RNN(keras.layers.LSTMCell(32))(inputs)
    model = keras.Model(inputs, keras.layers.Dense(y_train.shape[-1])(hidden))
""",
        _PER_STEP: """    inputs = keras.Input(shape=(timesteps, 1))
    sequence = keras.layers.RNN(keras.layers.LSTMCell(units), return_sequences=True)(inputs)
    return keras.Model(inputs, keras.layers.TimeDistributed(keras.layers.Dense(1))(sequence))
"""}, "", ""),
    Wrong("subclassed per-step model, a stacked forecaster", {
        "def build_per_timestep(": '''class PerStep(keras.Model):
    def __init__(self, units):
        super().__init__()
        self.lstm = keras.layers.LSTM(units, return_sequences=True)
        self.head = keras.layers.Dense(1)

    def call(self, x):
        return self.head(self.lstm(x))


def build_per_timestep(''',
        _PER_STEP: "    return PerStep(units)\n",
        _FORECASTER: """    model = keras.Sequential([
        keras.layers.LSTM(32, return_sequences=True),
        keras.layers.LSTM(16),
        keras.layers.Dense(y_train.shape[1]),
    ])
""",
        "epochs=10, batch_size=32": "epochs=12, batch_size=32"}, "", ""),
]
