"""What probes observe: every way a learner can train with Keras is recorded with its data."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from lstm_shapes.exercises import describe_model, training_recorded

RNG = np.random.default_rng(0)
X_TRAIN = RNG.normal(size=(24, 5, 1)).astype("float32")
Y_TRAIN = X_TRAIN[:, -1]
X_VAL = RNG.normal(size=(8, 5, 1)).astype("float32")
Y_VAL = X_VAL[:, -1]
BOTH_X, BOTH_Y = np.concatenate([X_TRAIN, X_VAL]), np.concatenate([Y_TRAIN, Y_VAL])


def _model():
    model = keras.Sequential([keras.Input((5, 1)), keras.layers.LSTM(3), keras.layers.Dense(1)])
    model.compile("adam", "mse")
    return model


def _generator():
    for i in range(0, len(BOTH_X), 8):
        yield BOTH_X[i:i + 8], BOTH_Y[i:i + 8]


class _Batches(keras.utils.PyDataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return BOTH_X[i * 8:(i + 1) * 8], BOTH_Y[i * 8:(i + 1) * 8]


def _custom_loop(model, training=True, forward=None):
    optimizer = keras.optimizers.Adam()
    for i in range(0, len(BOTH_X), 8):
        with tf.GradientTape() as tape:
            pred = (forward or model)(BOTH_X[i:i + 8], training=training)
            loss = keras.ops.mean((pred - BOTH_Y[i:i + 8]) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))


LEAKS = {
    "fit on arrays": lambda m: m.fit(BOTH_X, BOTH_Y, epochs=1, verbose=0),
    "fit on tf.data": lambda m: m.fit(tf.data.Dataset.from_tensor_slices((BOTH_X, BOTH_Y))
                                      .batch(8), epochs=1, verbose=0),
    "fit on a generator": lambda m: m.fit(_generator(), steps_per_epoch=4, epochs=1, verbose=0),
    "fit on a PyDataset": lambda m: m.fit(_Batches(), epochs=1, verbose=0),
    "train_on_batch": lambda m: [m.train_on_batch(BOTH_X[i:i + 8], BOTH_Y[i:i + 8])
                                 for i in range(0, 32, 8)],
    "a GradientTape loop": _custom_loop,
    "a GradientTape loop without training=True": lambda m: _custom_loop(m, training=None),
    "a GradientTape loop calling model.call": lambda m: _custom_loop(m, forward=m.call),
    "a GradientTape loop calling the layers": lambda m: _custom_loop(
        m, forward=lambda x, training: m.layers[1](m.layers[0](x, training=training))),
}


@pytest.mark.parametrize("how", sorted(LEAKS))
def test_every_way_of_training_on_validation_windows_is_seen(how):
    with training_recorded(X_VAL) as steps:
        LEAKS[how](_model())
    assert sum(step["val_windows"] for step in steps) == len(X_VAL), steps


def test_training_on_the_training_windows_only_counts_no_validation_window():
    before = {name: keras.Model.__dict__.get(name) for name in ("fit", "train_on_batch",
                                                                 "__call__")}
    tape_enter = tf.GradientTape.__enter__
    with training_recorded(X_VAL) as steps:
        model = _model()
        model.fit(X_TRAIN, Y_TRAIN, validation_data=(X_VAL, Y_VAL), epochs=1, verbose=0)
        model.evaluate(X_VAL, Y_VAL, verbose=0)
        model(X_VAL)  # predicting is not training
        with tf.GradientTape():
            model(X_TRAIN)  # a training step, on training windows
    assert [(s["via"], s["windows"], s["val_windows"]) for s in steps] == [
        ("fit", 24, 0), ("tape", 24, 0)]
    assert {name: keras.Model.__dict__.get(name) for name in before} == before  # restored
    assert tf.GradientTape.__enter__ is tape_enter  # restored


def test_a_description_says_what_the_head_and_the_batch_are():
    model = keras.Sequential([keras.Input((5, 1), batch_size=4), keras.layers.LSTM(3,
                              go_backwards=True), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "mse")
    facts = describe_model(lambda: model, np.zeros((4, 5, 1), "float32"),
                           np.zeros((4, 1), "float32"))
    assert facts["head_activation"] == "sigmoid" and facts["batch"] == 4
    assert facts["rnns"][0]["go_backwards"] is True
