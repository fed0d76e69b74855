"""Exercise 10 (numpy_cell): wrong answers, and other valid ways to write it (``RIGHT``)."""

from corpus.wrong_answers import Wrong

_SPLIT = "zi, zf, zc, zo = np.split(z, 4, axis=-1)"
_C = "c = sigmoid(zf) * c + sigmoid(zi) * np.tanh(zc)"
_H = "h = sigmoid(zo) * np.tanh(c)"
_ZEROS = """    h = np.zeros((x.shape[0], units))
    c = np.zeros((x.shape[0], units))
"""

WRONG = [
    Wrong("gates split as i, f, o, c", {_SPLIT: "zi, zf, zo, zc = np.split(z, 4, axis=-1)"},
          "lstm_gate_count", "in Keras's order i, f, c, o"),
    Wrong("h without the tanh of c", {_H: "h = sigmoid(zo) * c"},
          "lstm_gate_count", "h_new = o * np.tanh(c_new)"),
    Wrong("a sigmoid candidate", {_C: "c = sigmoid(zf) * c + sigmoid(zi) * sigmoid(zc)"},
          "lstm_gate_count", "g = np.tanh(z_c)"),
    Wrong("tanh gates", {"        return 1.0 / (1.0 + np.exp(-v))": "        return np.tanh(v)"},
          "lstm_gate_count", "f, i = sigmoid(z_f), sigmoid(z_i)"),
    Wrong("the old c forgotten", {_C: "c = sigmoid(zi) * np.tanh(zc)"},
          "lstm_gate_count", "c_new = f * c + i * g"),
    Wrong("no recurrent term", {"z = x_t @ kernel + h @ recurrent_kernel + bias":
                                "z = x_t @ kernel + bias"},
          "lstm_gate_count", "z = x_t @ kernel + h @ recurrent_kernel + bias"),
    Wrong("kernel and x_t multiplied the other way",
          {"z = x_t @ kernel + h @ recurrent_kernel + bias":
           "z = kernel @ x_t + recurrent_kernel @ h + bias"},
          "lstm_gate_count", "z = x_t @ kernel + h @ recurrent_kernel + bias"),
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
]

WRONG.append(Wrong("the library's cell imported", {
    "    z = x_t @ kernel + h @ recurrent_kernel + bias\n":
    "    from lstm_shapes import lstm_step as step\n"
    "    return step(x_t, h, c, kernel, recurrent_kernel, bias)\n"
    "    z = x_t @ kernel + h @ recurrent_kernel + bias\n"}, "library_answer", "yourself"))
