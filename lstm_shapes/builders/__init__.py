"""Builders: the sine windows, annotated LSTM builders, the units sweep and a NumPy reference LSTM."""
