"""Core: named dims and annotations, shape checks, RNN contracts, errors and the one message renderer.

Imports only the standard library, NumPy, jaxtyping, typeguard and (lazily) TensorFlow/Keras.
"""
