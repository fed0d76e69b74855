"""Exercise 1 (windows): windows and targets a learner cuts wrong."""

from corpus.wrong_answers import Wrong

_RETURN = "return x[:, :, np.newaxis], y[:, np.newaxis]"
_STACK = "x = np.stack([series[i:i + timesteps] for i in range(n_windows)])"

WRONG = [
    Wrong("y is the last value inside the window",
          {"y = series[timesteps:]": "y = series[timesteps - 1:-1]"},
          "window_misalignment", "y[i] = series[i + timesteps]"),
    Wrong("no feature axis", {_RETURN: "return x, y[:, np.newaxis]"},
          "missing_timestep_axis", "x = x.reshape(len(x), timesteps, 1)"),
    Wrong("the window put on the feature axis",
          {_RETURN: "x = x[:, np.newaxis, :]\n    return x, y[:, np.newaxis]"},
          "window_as_features", "x = x.reshape(len(x), timesteps, 1)"),
    Wrong("time-major windows (one row per lag)",
          {_STACK: "x = np.stack([series[j:j + n_windows] for j in range(timesteps)])",
           _RETURN: "x = x[:, :, np.newaxis]\n    return x, y[:, np.newaxis]"},
          "swapped_axes", "x = np.transpose(x, (1, 0, 2))"),
    Wrong("one window too few",
          {"n_windows = len(series) - timesteps": "n_windows = len(series) - timesteps - 1",
           "y = series[timesteps:]": "y = series[timesteps:-1]"},
          "batch_mismatch", "range(len(series) - timesteps)"),
    Wrong("the sine task's 10 hard-coded",
          {"n_windows = len(series) - timesteps": "n_windows = len(series) - 10",
           _STACK: "x = np.stack([series[i:i + 10] for i in range(n_windows)])",
           "y = series[timesteps:]": "y = series[10:]"},
          "dimension_mismatch", "x[i] = series[i:i + timesteps]"),
    Wrong("windows start one step late",
          {_STACK: "x = np.stack([series[i + 1:i + 1 + timesteps] for i in range(n_windows)])",
           "n_windows = len(series) - timesteps": "n_windows = len(series) - timesteps - 1",
           "y = series[timesteps:]": "y = series[timesteps:-1]"},
          "window_misalignment", "x[i] = series[i:i + timesteps]"),
    Wrong("the window holds its own target",
          {_STACK: "x = np.stack([series[i:i + timesteps + 1] for i in range(n_windows)])"},
          "window_misalignment", "x[i] = series[i:i + timesteps]"),
    Wrong("y left 1-D", {_RETURN: "return x[:, :, np.newaxis], y"},
          "wrong_rank", "y = y.reshape(-1, 1)"),
    Wrong("sliding_window_view keeps the last window, which has no target",
          {_STACK: "x = np.lib.stride_tricks.sliding_window_view(series, timesteps)"},
          "batch_mismatch", "x = x[:len(series) - timesteps]"),
    Wrong("np.linspace for the time grid",
          {"return np.sin(np.arange(0, 100, 0.1))": "return np.sin(np.linspace(0, 100, 1000))"},
          "series_grid", "return np.sin(np.arange(0, 100, 0.1))"),
    Wrong("the library's windows instead of one's own",
          {"def make_windows(series, timesteps):":
           "from lstm_shapes import sine_windows\n\n\ndef make_windows(series, timesteps):",
           "    series = np.asarray(series, dtype=\"float32\")":
           "    w = sine_windows(np.asarray(series, dtype=\"float32\"), timesteps=timesteps)\n"
           "    series = np.asarray(series, dtype=\"float32\")"},
          "library_answer", "write that part yourself"),
    Wrong("np.squeeze drops the batch axis of a single window",
          {_RETURN: "x = np.squeeze(x)[..., np.newaxis]\n    return x, y[:, np.newaxis]"},
          "wrong_rank", "x = x.reshape(len(series) - timesteps, timesteps, 1)"),
    Wrong("np.squeeze leaves one window's target 1-D",
          {_RETURN: "return x[:, :, np.newaxis], np.squeeze(y)[..., np.newaxis]"},
          "wrong_rank", "y = y.reshape(-1, 1)"),
    Wrong("Python lists returned",
          {_RETURN: "x, y = x[:, :, np.newaxis].tolist(), y[:, np.newaxis].tolist()\n"
                    "    return x, y"},
          "not_a_tensor", "return np.asarray(x), np.asarray(y)"),
    Wrong("a list of window arrays returned",
          {_RETURN: "return list(x[:, :, np.newaxis]), y[:, np.newaxis]"},
          "not_a_tensor", "return np.asarray(x), np.asarray(y)"),
    Wrong("the windows standardised",
          {_RETURN: "x = (x - x.mean()) / x.std()\n    return x[:, :, np.newaxis], y[:, np.newaxis]"},
          "wrong_measurement", "delete the line that rescales"),
    Wrong("the targets scaled to [0, 1]",
          {"y = series[timesteps:]":
           "y = series[timesteps:]\n    y = (y - y.min()) / (y.max() - y.min())"},
          "wrong_measurement", "delete the line that rescales"),
    Wrong("float16 to save memory",
          {"series = np.asarray(series, dtype=\"float32\")":
           "series = np.asarray(series).astype(\"float16\")"},
          "wrong_dtype", '.astype("float32")'),
]

RIGHT = [
    Wrong("sliding_window_view without its last window, reshape for the axes",
          {_STACK: "x = np.lib.stride_tricks.sliding_window_view(series, timesteps)[:-1]",
           _RETURN: "return x.reshape(len(x), timesteps, 1), y.reshape(-1, 1)"}, "", ""),
    Wrong("index arithmetic, float64 kept, sine from a step count",
          {"series = np.asarray(series, dtype=\"float32\")": "series = np.asarray(series)",
           _STACK: "x = series[np.arange(n_windows)[:, None] + np.arange(timesteps)]",
           "return np.sin(np.arange(0, 100, 0.1))": "return np.sin(np.arange(1000) * 0.1)"},
          "", ""),
]
