"""One call that makes a Keras training run repeatable.

>>> import numpy as np
>>> seed_everything(7)
7
>>> a = np.random.rand(3); _ = seed_everything(7); bool((a == np.random.rand(3)).all())
True
"""

from __future__ import annotations

import random

import numpy as np

_MAX_SEED = 2**32 - 1  # NumPy's legacy seeding refuses larger values


def seed_everything(seed: int = 0, *, deterministic_ops: bool = True) -> int:
    """Seed Python's ``random``, NumPy and TensorFlow/Keras; return the seed.

    Args:
        seed: a non-negative integer below 2**32.
        deterministic_ops: also make TensorFlow's ops deterministic
            (``tf.config.experimental.enable_op_determinism()``): two trainings from the same
            seed then give bit-identical weights, at some cost in speed. ``False`` leaves the
            op setting as it is.

    Returns:
        The seed, so a caller can log it.

    Raises:
        TypeError: ``seed`` is not an integer.
        ValueError: ``seed`` is negative or too large.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"Expected seed to be an integer. Received: seed={seed!r}")
    if not 0 <= seed <= _MAX_SEED:
        raise ValueError(
            f"Expected seed to be an integer in [0, 2**32 - 1]. Received: seed={seed}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    import keras  # lazy: light commands need no TensorFlow
    import tensorflow as tf

    keras.utils.set_random_seed(seed)  # Python, NumPy, TF and Keras's own SeedGenerator
    if deterministic_ops:
        tf.config.experimental.enable_op_determinism()
    return seed
