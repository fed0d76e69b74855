"""Exercise 3 (outputs): results of return_state / return_sequences a learner mixes up."""

from corpus.wrong_answers import Wrong

_CALL = "sequence, h, c = layer(x)"
_RETURN = "return np.asarray(sequence), np.asarray(h), np.asarray(c)"
_LAST = "return sequence[:, -1, :]"

WRONG = [
    Wrong("the last sample instead of the last timestep", {_LAST: "return sequence[-1]"},
          "unexpected_sequence_output", "sequence[:, -1, :]"),
    Wrong("the first timestep", {_LAST: "return sequence[:, 0, :]"},
          "wrong_measurement", "sequence[:, -1, :]"),
    Wrong("the last step hard-coded for 7 timesteps", {_LAST: "return sequence[:, 6, :]"},
          "wrong_measurement", "sequence[:, -1, :]"),
    Wrong("the mean over time", {_LAST: "return np.mean(sequence, axis=1)"},
          "wrong_measurement", "sequence[:, -1, :]"),
    Wrong("a slice keeps a time axis of one step", {_LAST: "return sequence[:, -1:, :]"},
          "unexpected_sequence_output", "sequence[:, -1, :]"),
    Wrong("a fresh LSTM in place of the layer given",
          {_CALL: "import keras\n    fresh = keras.layers.LSTM(layer.units, "
                  "return_sequences=True, return_state=True)\n    sequence, h, c = fresh(x)"},
          "ignored_argument", "sequence, h, c = layer(x)"),
    Wrong("the library's NumPy LSTM in place of the layer",
          {_CALL: "from lstm_shapes import lstm_unroll\n"
                  "    sequence, h, c = lstm_unroll(np.asarray(x), *layer.get_weights())"},
          "library_answer", "lstm_shapes.lstm_unroll: this exercise"),
    Wrong("np.squeeze on the results",
          {_RETURN: "return np.squeeze(sequence), np.squeeze(h), np.squeeze(c)"},
          "wrong_rank", "sequence, h, c = layer(x); return sequence, h, c"),
    Wrong("the last unit of every timestep", {_LAST: "return sequence[:, :, -1]"},
          "unexpected_sequence_output", "sequence[:, -1, :]"),
    Wrong("the states unpacked first", {_CALL: "h, c, sequence = layer(x)"},
          "return_state_unpacking", "sequence, h, c = layer(x); return sequence, h, c"),
    Wrong("h and c exchanged", {_CALL: "sequence, c, h = layer(x)"},
          "return_state_unpacking", "sequence, h, c = layer(x); return sequence, h, c"),
    Wrong("c taken to be h", {_RETURN: "return np.asarray(sequence), np.asarray(h), np.asarray(h)"},
          "return_state_unpacking", "sequence, h, c = layer(x); return sequence, h, c"),
    Wrong("h read at the first timestep",
          {_RETURN: "return np.asarray(sequence), np.asarray(sequence[:, 0, :]), np.asarray(c)"},
          "return_state_unpacking", "sequence, h, c = layer(x); return sequence, h, c"),
    Wrong("only the sequence returned",
          {_RETURN: "return np.asarray(sequence)"},
          "return_state_unpacking", "sequence, h, c = layer(x); return sequence, h, c"),
]

RIGHT = [
    Wrong("the layer's list returned as it is, h as the last step",
          {_CALL: "result = layer(x)",
           _RETURN: "return result[0], result[0][:, -1, :], result[2]"}, "", ""),
    Wrong("keras.ops.convert_to_numpy, last step by negative index",
          {_RETURN: "import keras\n    return tuple(keras.ops.convert_to_numpy(t) for t in "
                    "(sequence, h, c))",
           _LAST: "return sequence[:, sequence.shape[1] - 1]"}, "", ""),
]
