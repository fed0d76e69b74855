"""Wrong answers of exercise 11 (dropout_search): a keras-tuner random search.

The mistakes the issue saw on the hand-written search (a validation loss that is the
training loss, the worst trial reported as best, an argument that is ignored), and the ones
keras-tuner adds (an objective on the wrong split, a folder reloaded instead of overwritten,
a continuous search space).
"""

from corpus.wrong_answers import Wrong

_LAST_CALLBACK = '''_LAST = []


class LastValLoss(keras.callbacks.Callback):
    """Keeps the val_loss of the last epoch of each trial."""

    def on_epoch_end(self, epoch, logs=None):
        self.last = float(logs["val_loss"])

    def on_train_end(self, logs=None):
        _LAST.append(self.last)'''

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
    Wrong("a tf.data dataset of the training and the validation windows",
          {"import keras\n": "import keras\nimport numpy as np\nimport tensorflow as tf\n",
           "tuner.search(x_train, y_train,":
           "tuner.search(tf.data.Dataset.from_tensor_slices((np.concatenate([x_train, x_val]), "
           "np.concatenate([y_train, y_val]))).batch(32),",
           "epochs=epochs,\n                     batch_size=32, verbose=0)":
           "epochs=epochs,\n                     verbose=0)"},
          "validation_on_training_data",
          "tuner.search(x_train, y_train, validation_data=(x_val, y_val), ...)"),
    Wrong("val_loss of each trial's last epoch, kept by a callback", {
        "def search(": _LAST_CALLBACK + "\n\ndef search(",
        "epochs=epochs,\n                     batch_size=32, verbose=0)":
        "epochs=epochs,\n                     batch_size=32, verbose=0, "
        "callbacks=[LastValLoss()])",
        '"val_loss": float(trial.score)}\n                  for trial in':
        '"val_loss": _LAST[i]}\n                  for i, trial in',
        "tuner.oracle.trials.values()]": "enumerate(tuner.oracle.trials.values())]"},
          "wrong_measurement", '"val_loss": trial.score'),
    Wrong("the hypermodel left at its default timesteps",
          {"lambda hp: build(hp, timesteps=x_train.shape[1]),": "build,"},
          "input_shape_data_mismatch", "lambda hp: build(hp, timesteps=x_train.shape[1])"),
    Wrong("two models per trial",
          {"overwrite=True)": "overwrite=True, executions_per_trial=2)"},
          "wrong_measurement", "executions_per_trial=1"),
    Wrong("trained on the training and the validation windows",
          {"import keras\n": "import keras\nimport numpy as np\n",
           "tuner.search(x_train, y_train,":
           "tuner.search(np.concatenate([x_train, x_val]), np.concatenate([y_train, y_val]),"},
          "validation_on_training_data",
          "tuner.search(x_train, y_train, validation_data=(x_val, y_val), ...)"),
]

RIGHT = [
    Wrong("val_loss read from the trial's metrics; a tf.data dataset of the training windows", {
        '"val_loss": float(trial.score)':
        '"val_loss": float(trial.metrics.get_last_value("val_loss"))',  # its best epoch's
        "import keras\n": "import keras\nimport tensorflow as tf\n",
        "tuner.search(x_train, y_train,":
        "tuner.search(tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(32),",
        "epochs=epochs,\n                     batch_size=32, verbose=0)":
        "epochs=epochs,\n                     verbose=0)"}, "", ""),
]
