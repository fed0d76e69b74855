"""Exercise 1: cut the sine wave into (batch, timesteps, features) windows.

An LSTM reads a batch of SEQUENCES: x is (batch, timesteps, features). For a univariate
series, each sample is a window of ``timesteps`` consecutive values (features = 1) and its
target is the value right AFTER the window.

    series = [s0, s1, s2, s3, s4],  timesteps = 2
    x[0] = [[s0], [s1]]   y[0] = [s2]
    x[1] = [[s1], [s2]]   y[1] = [s3]
    x[2] = [[s2], [s3]]   y[2] = [s4]      -> x (3, 2, 1), y (3, 1)

Run `lstm-shapes check 1` when you are done.
"""

import numpy as np


def sine_series():
    """The sine task's series: np.sin over 0, 0.1, 0.2, ... up to (not including) 100."""
    ### BEGIN SOLUTION return the 1000 values of np.sin(np.arange(0, 100, 0.1))
    return np.sin(np.arange(0, 100, 0.1))
    ### END SOLUTION


def make_windows(series, timesteps):
    """Cut a 1-D series into NumPy arrays: windows x (batch, timesteps, 1), targets y (batch, 1).

    batch = len(series) - timesteps; x[i] = series[i:i + timesteps], y[i] = series[i + timesteps]:
    the series' own values (float32 or float64; no scaling). Any timesteps >= 1 and any series
    longer than timesteps: a series of timesteps + 1 values gives ONE window, x (1, timesteps, 1).
    """
    ### BEGIN SOLUTION build x (batch, timesteps, 1) and y (batch, 1); see the docstring
    series = np.asarray(series, dtype="float32")
    n_windows = len(series) - timesteps
    x = np.stack([series[i:i + timesteps] for i in range(n_windows)])
    y = series[timesteps:]
    return x[:, :, np.newaxis], y[:, np.newaxis]
    ### END SOLUTION
