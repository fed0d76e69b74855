"""Exercise 10 (numpy_cell): wrong answers, and other valid ways to write it (``RIGHT``)."""

from corpus.wrong_answers import Wrong

_SPLIT = "zi, zf, zc, zo = np.split(z, 4, axis=-1)"
_C = "c = sigmoid(zf) * c + sigmoid(zi) * np.tanh(zc)"
_H = "h = sigmoid(zo) * np.tanh(c)"
_ZEROS = """    h = np.zeros((x.shape[0], units))
    c = np.zeros((x.shape[0], units))
"""

_Z = "z = x_t @ kernel + h @ recurrent_kernel + bias"
_SIGMOID = "        return 1.0 / (1.0 + np.exp(-v))"
_STEP_BODY = """    z = x_t @ kernel + h @ recurrent_kernel + bias
    zi, zf, zc, zo = np.split(z, 4, axis=-1)
"""
_UNROLL_BODY = """    units = recurrent_kernel.shape[0]
    h = np.zeros((x.shape[0], units))
"""
_MATH = "lstm_cell_math"

WRONG = [
    Wrong("gates split as i, f, o, c", {_SPLIT: "zi, zf, zo, zc = np.split(z, 4, axis=-1)"},
          "lstm_gate_count", "in Keras's order i, f, c, o"),
    Wrong("gates split along the batch axis", {_SPLIT: "zi, zf, zc, zo = np.split(z, 4, axis=0)"},
          "lstm_gate_count", "np.split(z, 4, axis=-1)"),
    Wrong("h without the tanh of c", {_H: "h = sigmoid(zo) * c"},
          _MATH, "h_new = o * np.tanh(c_new)"),
    Wrong("a sigmoid candidate", {_C: "c = sigmoid(zf) * c + sigmoid(zi) * sigmoid(zc)"},
          _MATH, "g = np.tanh(z_c)"),
    Wrong("tanh gates", {_SIGMOID: "        return np.tanh(v)"},
          _MATH, "i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o)"),
    Wrong("a hard sigmoid for the gates", {_SIGMOID: "        return np.clip(0.2 * v + 0.5, 0, 1)"},
          _MATH, "sigmoid(v) = 1 / (1 + np.exp(-v))"),
    Wrong("tanh and sigmoid swapped everywhere", {
        _C: "c = np.tanh(zf) * c + np.tanh(zi) * sigmoid(zc)",
        _H: "h = np.tanh(zo) * sigmoid(c)"},
          _MATH, "i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o)"),
    Wrong("the old c forgotten", {_C: "c = sigmoid(zi) * np.tanh(zc)"},
          _MATH, "c_new = f * c + i * g"),
    Wrong("no recurrent term", {_Z: "z = x_t @ kernel + bias"}, _MATH, _Z),
    Wrong("no bias", {_Z: "z = x_t @ kernel + h @ recurrent_kernel"}, _MATH, _Z),
    Wrong("c in place of h in the recurrent term",
          {_Z: "z = x_t @ kernel + c @ recurrent_kernel + bias"}, _MATH, _Z),
    Wrong("1 added to the forget gate", {_SPLIT: _SPLIT + "\n    zf = zf + 1.0"}, _MATH,
          "nothing added to z_f"),
    Wrong("kernel and x_t multiplied the other way",
          {_Z: "z = kernel @ x_t + recurrent_kernel @ h + bias"}, _MATH, _Z),
    Wrong("lstm_step returns (c, h)", {"    return h, c\n": "    return c, h\n"},
          "return_state_unpacking", "return h_new, c_new"),
    Wrong("the h's stacked time first", {"np.stack(outputs, axis=1)": "np.stack(outputs)"},
          "swapped_axes", "np.stack(hs, axis=1)"),
    Wrong("h and c reset at every timestep", {_ZEROS: "", "    for t in range(x.shape[1]):\n":
                                              "    for t in range(x.shape[1]):\n    " +
                                              _ZEROS.replace("\n    ", "\n        ")},
          "no_temporal_context", "once, before the loop"),
    Wrong("units read from the kernel's 4·units columns",
          {"units = recurrent_kernel.shape[0]": "units = kernel.shape[1]"},
          "initial_state_units", "units = recurrent_kernel.shape[0]"),
    Wrong("timestep t read as x[t]", {"lstm_step(x[:, t, :], h, c,": "lstm_step(x[t], h, c,"},
          "swapped_axes", "x_t = x[:, t, :]"),
    Wrong("only the sequence returned", {"return np.stack(outputs, axis=1), h, c":
                                         "return np.stack(outputs, axis=1)"},
          "return_state_unpacking", "return sequence, h, c"),
    Wrong("the last h and c swapped", {"return np.stack(outputs, axis=1), h, c":
                                       "return np.stack(outputs, axis=1), c, h"},
          "return_state_unpacking", "return sequence, h, c"),
    Wrong("only the last h kept", {"return np.stack(outputs, axis=1), h, c": "return h, h, c"},
          "missing_return_sequences", "hs.append(h)"),
    Wrong("the c's stacked as the sequence", {"        outputs.append(h)\n":
                                              "        outputs.append(c)\n"},
          _MATH, "hs.append(h)"),
    Wrong("the cell is Keras's LSTMCell given the weights", {_STEP_BODY: """    import keras

    cell = keras.layers.LSTMCell(h.shape[1])
    cell.build((None, x_t.shape[1]))
    cell.set_weights([kernel, recurrent_kernel, bias])
    _, (h, c) = cell(x_t.astype("float32"), [h.astype("float32"), c.astype("float32")])
    return np.asarray(h), np.asarray(c)
"""}, "library_answer", "in NumPy"),
    Wrong("the unroll is Keras's LSTM given the weights", {_UNROLL_BODY: """    import keras

    units = recurrent_kernel.shape[0]
    layer = keras.layers.LSTM(units, return_sequences=True, return_state=True)
    layer.build((None, None, x.shape[2]))
    layer.set_weights([kernel, recurrent_kernel, bias])
    sequence, h, c = layer(x.astype("float32"))
    return np.asarray(sequence), np.asarray(h), np.asarray(c)
    h = np.zeros((x.shape[0], units))
"""}, "library_answer", "in NumPy"),
]

RIGHT = [
    Wrong("gates sliced by hand, a tanh-based sigmoid", {
        _SPLIT: "n = h.shape[1]; zi, zf, zc, zo = (z[:, j * n:(j + 1) * n] for j in range(4))",
        "        return 1.0 / (1.0 + np.exp(-v))": "        return 0.5 * (1.0 + np.tanh(0.5 * v))",
    }, "", ""),
    Wrong("a preallocated float32 sequence and a list of gates", {
        "    outputs = []\n": "    outputs = np.zeros((x.shape[0], x.shape[1], units), 'float32')\n",
        "        outputs.append(h)\n": "        outputs[:, t] = h\n",
        "np.stack(outputs, axis=1), h, c": "outputs, h, c",
        _SPLIT: "gates = np.split(z, 4, axis=1); zi, zf, zc, zo = gates",
    }, "", ""),
    Wrong("keras imported at the top but unused, float32 arithmetic", {
        "import numpy as np\n": "import keras  # noqa: F401 - imported, never called\nimport numpy as np\n",
        "    z = x_t @ kernel": "    x_t, h, c = (np.asarray(a, 'float32') for a in (x_t, h, c))\n    z = x_t @ kernel",
    }, "", ""),
]

WRONG.append(Wrong("the library's cell imported", {
    "    z = x_t @ kernel + h @ recurrent_kernel + bias\n":
    "    from lstm_shapes import lstm_step as step\n"
    "    return step(x_t, h, c, kernel, recurrent_kernel, bias)\n"
    "    z = x_t @ kernel + h @ recurrent_kernel + bias\n"}, "library_answer", "yourself"))
WRONG.append(Wrong("the library's internal step imported", {
    "    z = x_t @ kernel + h @ recurrent_kernel + bias\n":
    "    from lstm_shapes.builders.reference import _step\n"
    "    return _step(x_t, h, c, kernel, recurrent_kernel, bias)\n"
    "    z = x_t @ kernel + h @ recurrent_kernel + bias\n"}, "library_answer", "yourself"))
