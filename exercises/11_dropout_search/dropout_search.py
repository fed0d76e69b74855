"""Exercise 11: dropout, recurrent_dropout and a random search with keras-tuner.

`dropout` drops inputs of the LSTM, `recurrent_dropout` drops parts of h between timesteps;
both fight over-fitting. Which values (and how many units) work best is found by search:
train a few configurations briefly and keep the one with the lowest validation loss.

keras-tuner does this the ecosystem's way (and spreads the trials over machines when a
search outgrows one). You write two pieces:

* a hypermodel ``build(hp, timesteps=10)``: it reads units, dropout and recurrent_dropout
  from ``hp`` (``hp.Choice``, or ``hp.Int`` / ``hp.Float`` with a step), each over exactly
  the values of SPACE below, and returns a compiled
  Input((timesteps, 1)) -> LSTM(units, dropout=..., recurrent_dropout=...) -> Dense(1)
  (MSE loss).
* ``search(...)``: a ``keras_tuner.RandomSearch`` over that hypermodel that minimizes
  ``val_loss``. It builds each trial's model for the windows' timesteps (x_train.shape[1]),
  trains ONE model per trial (keras-tuner's default) on the training windows only, for
  ``epochs`` epochs, and measures val_loss on the validation windows; it runs ``max_trials`` trials drawn with
  ``seed`` (the same seed draws the same trials); it keeps its files in
  ``directory/dropout_search`` (``project_name="dropout_search"``) and starts afresh there
  (``overwrite=True``), so an older search in that folder is not reloaded.

Random, not grid: the grid of SPACE has 2 x 3 x 3 = 18 configurations; random search tries
``max_trials`` of them and, for the same budget, covers more values of each one.
Two facts of keras-tuner 1.4.8 worth knowing: a trial's ``score`` is its objective at its
best epoch (the lowest val_loss over its epochs), and ``seed=0`` counts as "no seed".
"""

import tempfile

import keras
import keras_tuner

SPACE = {"units": (16, 32), "dropout": (0.0, 0.1, 0.2), "recurrent_dropout": (0.0, 0.1, 0.2)}


def build(hp, timesteps=10):
    """The hypermodel: the compiled LSTM of the trial whose hyperparameters are ``hp``."""
    ### BEGIN SOLUTION
    model = keras.Sequential([
        keras.Input((timesteps, 1)),
        keras.layers.LSTM(hp.Choice("units", SPACE["units"]),
                          dropout=hp.Choice("dropout", SPACE["dropout"]),
                          recurrent_dropout=hp.Choice("recurrent_dropout",
                                                      SPACE["recurrent_dropout"])),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mse")
    return model
    ### END SOLUTION


def search(x_train, y_train, x_val, y_val, *, max_trials=4, epochs=3, seed=1, directory=None):
    """Run the random search; return
    {"trials": [{"units", "dropout", "recurrent_dropout", "val_loss"}, ...] in the order the
     tuner ran them, "val_loss" being the trial's score,
     "best": <the trial with the lowest val_loss>}.
    ``directory=None``: a temporary folder."""
    ### BEGIN SOLUTION
    with tempfile.TemporaryDirectory() as tmp:
        tuner = keras_tuner.RandomSearch(
            lambda hp: build(hp, timesteps=x_train.shape[1]),
            objective="val_loss", max_trials=max_trials, seed=seed,
            directory=directory or tmp, project_name="dropout_search", overwrite=True)
        tuner.search(x_train, y_train, validation_data=(x_val, y_val), epochs=epochs,
                     batch_size=32, verbose=0)
        trials = [{**trial.hyperparameters.values, "val_loss": float(trial.score)}
                  for trial in tuner.oracle.trials.values()]
    return {"trials": trials, "best": min(trials, key=lambda trial: trial["val_loss"])}
    ### END SOLUTION


if __name__ == "__main__":
    from lstm_shapes import sine_windows

    w = sine_windows(timesteps=10)
    found = search(w.x_train, w.y_train, w.x_val, w.y_val)
    for row in found["trials"]:
        print(row)
    print("best:", found["best"])
