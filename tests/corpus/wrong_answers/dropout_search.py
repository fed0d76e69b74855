"""Wrong answers of exercise 11 (dropout_search): a keras-tuner random search.

The mistakes the issue saw on the hand-written search (a validation loss that is the
training loss, the worst trial reported as best, an argument that is ignored), and the ones
keras-tuner adds (an objective on the wrong split, a folder reloaded instead of overwritten,
a continuous search space).
"""

from corpus.wrong_answers import Wrong

WRONG = [
    Wrong("val_loss reported from the training loss",
          {'"val_loss": float(trial.score)':
           '"val_loss": float(trial.metrics.get_last_value("loss"))'},
          "validation_on_training_data", '"val_loss": trial.score'),
    Wrong("validated on the training windows",
          {"validation_data=(x_val, y_val)": "validation_data=(x_train, y_train)"},
          "validation_on_training_data", "validation_data=(x_val, y_val)"),
    Wrong("the tuner minimizes the training loss",
          {'objective="val_loss"': 'objective="loss"'},
          "validation_on_training_data", 'objective="val_loss"'),
    Wrong("the worst trial reported as best",
          {'"best": min(trials,': '"best": max(trials,'},
          "best_not_lowest", 'best = min(trials, key=lambda trial: trial["val_loss"])'),
    Wrong("max_trials ignored", {"max_trials=max_trials": "max_trials=4"},
          "ignored_argument", "max_trials=max_trials"),
    Wrong("seed ignored", {"seed=seed": "seed=42"}, "ignored_argument", "seed=seed"),
    Wrong("epochs ignored", {"epochs=epochs": "epochs=3"}, "ignored_argument",
          "epochs=epochs"),
    Wrong("directory ignored", {"directory=directory or tmp": "directory=tmp"},
          "ignored_argument", "directory=directory"),
    Wrong("an older search reloaded (no overwrite)",
          {', overwrite=True)': ')'}, "ignored_argument", "overwrite=True"),
    Wrong("units declared but a fixed LSTM(32) built",
          {'    model = keras.Sequential([\n        keras.Input((timesteps, 1)),\n'
           '        keras.layers.LSTM(hp.Choice("units", SPACE["units"]),':
           '    units = hp.Choice("units", SPACE["units"])\n'
           '    model = keras.Sequential([\n        keras.Input((timesteps, 1)),\n'
           '        keras.layers.LSTM(32,'},
          "ignored_argument", 'units = hp.Choice("units", SPACE["units"]); keras.layers.LSTM(units'),
    Wrong("dropout from a continuous range",
          {'dropout=hp.Choice("dropout", SPACE["dropout"])':
           'dropout=hp.Float("dropout", 0.0, 0.2)'},
          "search_space_mismatch", 'hp.Choice("dropout", SPACE["dropout"])'),
    Wrong("recurrent_dropout never read from hp",
          {'recurrent_dropout=hp.Choice("recurrent_dropout",\n'
           '                                                      SPACE["recurrent_dropout"])':
           "recurrent_dropout=0.1"},
          "search_space_mismatch", 'hp.Choice("recurrent_dropout", SPACE["recurrent_dropout"])'),
    Wrong("trained on the training and the validation windows",
          {"import keras\n": "import keras\nimport numpy as np\n",
           "tuner.search(x_train, y_train,":
           "tuner.search(np.concatenate([x_train, x_val]), np.concatenate([y_train, y_val]),"},
          "validation_on_training_data",
          "tuner.search(x_train, y_train, validation_data=(x_val, y_val), ...)"),
]
