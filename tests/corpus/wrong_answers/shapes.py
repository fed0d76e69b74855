"""Exercise 2 (shapes): predicted LSTM shapes and parameter counts a learner gets wrong."""

from corpus.wrong_answers import Wrong

_OUTPUT = "output = (batch, timesteps, units) if return_sequences else state"
_STATE = "state = (batch, units)"
_COUNT = "return 4 * (units * (features + units) + units)"

WRONG = [
    Wrong("units taken for the length of the output sequence",
          {_OUTPUT: "output = (batch, units, units) if return_sequences else state"},
          "units_equals_timesteps", "(batch, timesteps, units)"),
    Wrong("three gates counted", {_COUNT: "return 3 * (units * (features + units) + units)"},
          "lstm_gate_count", "4 * (units * (features + units) + units)"),
    Wrong("the biases left out of the count", {_COUNT: "return 4 * (units * (features + units))"},
          "lstm_gate_count", "4 * (units * (features + units) + units)"),
    Wrong("the old argument order (features, units)",
          {"def lstm_param_count(units, features):": "def lstm_param_count(features, units):"},
          "lstm_gate_count", "def lstm_param_count(units, features):"),
    Wrong("return_sequences read the other way round",
          {_OUTPUT: "output = (batch, timesteps, units) if not return_sequences else state"},
          "unexpected_sequence_output", "(batch, units)"),
    Wrong("h and c follow return_sequences too",
          {"return output, state, state": "return output, output, output"},
          "unexpected_sequence_output", "(batch, units)"),
    Wrong("the states sized by timesteps", {_STATE: "state = (batch, timesteps)"},
          "units_equals_timesteps", "(batch, units)"),
    Wrong("shapes of one sample, without the batch axis",
          {_STATE: "state = (units,)",
           _OUTPUT: "output = (timesteps, units) if return_sequences else state"},
          "wrong_rank", "(batch, units)"),
    Wrong("the library's count instead of one's own",
          {_COUNT: "from lstm_shapes import lstm_param_count as count\n"
                   "    return count(units, features)"},
          "library_answer", "lstm_shapes.lstm_param_count: this exercise"),
    Wrong("a one-step sequence taken for a last output",
          {_OUTPUT: "output = (batch, timesteps, units) if return_sequences and timesteps > 1 "
                    "else state"},
          "wrong_rank", "(batch, timesteps, units)"),
    Wrong("a float count", {_COUNT: "return 4.0 * (units * (features + units) + units)"},
          "wrong_dtype", "return 4 * (units * (features + units) + units)"),
    Wrong("the states as wide as the input (features for units)",
          {_STATE: "state = (batch, features)"},
          "dimension_mismatch", "(batch, units)"),
    Wrong("an unknown batch replaced by a guess",
          {_STATE: "batch = 32 if batch is None else batch\n    state = (batch, units)"},
          "batch_mismatch", "(batch, units)"),
    Wrong("the library's contracts answer the shapes",
          {_STATE: "from lstm_shapes.core.contracts import RNNContract, expected_shapes\n"
                   "    contract = RNNContract(kind=\"LSTM\", units=units, return_state=True,\n"
                   "                           return_sequences=return_sequences)\n"
                   "    return tuple(expected_shapes((batch, timesteps, features), contract))\n"
                   "    state = (batch, units)"},
          "library_answer", "lstm_shapes.core.contracts.expected_shapes: this exercise"),
]

RIGHT = [
    Wrong("the count summed over the weights' shapes with NumPy (a NumPy integer)",
          {_COUNT: "import numpy as np\n    shapes = [(features, 4 * units), (units, 4 * units), "
                   "(4 * units,)]\n    return sum(np.prod(s) for s in shapes)"}, "", ""),
    Wrong("the count factored, the shapes built by branches",
          {_COUNT: "return 4 * units * (features + units + 1)",
           _OUTPUT: "if return_sequences:\n        output = (batch, timesteps, units)\n"
                    "    else:\n        output = (batch, units)"}, "", ""),
    Wrong("the count weight by weight, lists for shapes",
          {_COUNT: "kernel, recurrent, bias = features * 4 * units, units * 4 * units, 4 * units"
                   "\n    return kernel + recurrent + bias",
           "return output, state, state": "return list(output), list(state), list(state)"},
          "", ""),
]
