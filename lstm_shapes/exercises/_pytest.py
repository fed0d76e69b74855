"""Fixtures of the exercise series (registered by lstm_shapes.pytest_plugin)."""
