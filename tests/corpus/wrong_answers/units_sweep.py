"""Exercise 8 (units_sweep): plausible wrong sweeps and plots."""

from corpus.wrong_answers import Wrong

_FIT = "        model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0)\n"
_EVAL = "val_loss = float(model.evaluate(x_val, y_val, verbose=0))"
_BUILD = ("        model = keras.Sequential([keras.Input(x_train.shape[1:]), "
          "keras.layers.LSTM(units),\n" + " " * 34 + "keras.layers.Dense(1)])\n")
_PLOT = 'ax.plot([r["units"] for r in rows], [r["val_loss"] for r in rows], "o-")'

WRONG = [
    Wrong("val_loss is the last epoch's training loss",
          {_FIT: _FIT.replace("model.fit", "history = model.fit"),
           _EVAL: 'val_loss = history.history["loss"][-1]'},
          "validation_on_training_data", "model.evaluate(x_val, y_val)"),
    Wrong("val_loss is the lowest validation loss of any epoch, not the one after training",
          {_FIT: "        history = model.fit(x_train, y_train, epochs=epochs, batch_size=32, "
                 "verbose=0,\n                            validation_data=(x_val, y_val))\n",
           _EVAL: 'val_loss = min(history.history["val_loss"])'},
          "wrong_measurement", "model.evaluate(x_val, y_val)"),
    Wrong("val_loss measured on the training windows",
          {_EVAL: "val_loss = float(model.evaluate(x_train, y_train, verbose=0))"},
          "validation_on_training_data", "model.evaluate(x_val, y_val)"),
    Wrong("val_loss measured before training",
          {_FIT: f"        {_EVAL}\n{_FIT}", f"        {_EVAL}\n        rows": "        rows"},
          "wrong_measurement", "model.evaluate(x_val, y_val)"),
    Wrong("trained on the training and the validation windows",
          {"model.fit(x_train, y_train,": "model.fit(np.concatenate([x_train, x_val]), "
                                          "np.concatenate([y_train, y_val]),"},
          "validation_on_training_data", "model.fit(x_train, y_train, epochs=epochs)"),
    Wrong("units_list ignored: the default values hard-coded",
          {"for units in units_list:": "for units in (16, 32, 64):"},
          "ignored_argument", "for units in units_list:"),
    Wrong("epochs hard-coded", {"epochs=epochs, batch_size=32": "epochs=2, batch_size=32"},
          "ignored_argument", "model.fit(x_train, y_train, epochs=epochs)"),
    Wrong("params of the LSTM only, without its Dense head",
          {"int(model.count_params())": "int(model.layers[0].count_params())"},
          "wrong_measurement", '"params": model.count_params()'),
    Wrong("one timer for the whole sweep: the seconds add up",
          {"    rows = []\n": "    rows = []\n    start = time.perf_counter()\n",
           "        start = time.perf_counter()\n": ""},
          "wrong_measurement", "start = time.perf_counter() right before model.fit"),
    Wrong("seconds in milliseconds",
          {"seconds = time.perf_counter() - start":
           "seconds = (time.perf_counter() - start) * 1000"},
          "wrong_measurement", "start = time.perf_counter() right before model.fit"),
    Wrong("the plot's axes swapped",
          {_PLOT: 'ax.plot([r["val_loss"] for r in rows], [r["units"] for r in rows], "o-")'},
          "plot_content", 'ax.plot([r["units"] for r in rows], [r["val_loss"] for r in rows]'),
    Wrong("the plot shown, never saved", {"    fig.savefig(path)\n": "    plt.show()\n"},
          "plot_content", "fig.savefig(path)"),
    Wrong("the library's builder trains each model",
          {"import keras\n": "import keras\nfrom lstm_shapes import build_lstm\n",
           _BUILD: "        model = build_lstm(units, timesteps=x_train.shape[1])\n"},
          "library_answer", "yourself"),
    Wrong("CPU time instead of wall-clock time",
          {"start = time.perf_counter()": "start = time.process_time()",
           "seconds = time.perf_counter() - start": "seconds = time.process_time() - start"},
          "wrong_measurement", "start = time.perf_counter() right before model.fit"),
    Wrong("the timer runs from building the model to after evaluate", {
        "        model = keras.Sequential(": "        start = time.perf_counter()\n"
                                            "        model = keras.Sequential(",
        "        start = time.perf_counter()\n        model.fit": "        model.fit",
        "        seconds = time.perf_counter() - start\n        " + _EVAL + "\n":
        f"        {_EVAL}\n        seconds = time.perf_counter() - start\n"},
        "wrong_measurement", "start = time.perf_counter() right before model.fit"),
    Wrong("compiled with mae: evaluate returns the MAE", {'loss="mse"': 'loss="mae"'},
          "compile_settings", 'model.compile(optimizer="adam", loss="mse")'),
    Wrong("fit on a generator of training and validation batches", {_FIT: """\
        x_all, y_all = np.concatenate([x_train, x_val]), np.concatenate([y_train, y_val])

        def batches():
            while True:
                for i in range(0, len(x_all), 32):
                    yield x_all[i:i + 32], y_all[i:i + 32]

        model.fit(batches(), steps_per_epoch=-(-len(x_all) // 32), epochs=epochs, verbose=0)
"""}, "validation_on_training_data", "model.fit(x_train, y_train, epochs=epochs)"),
    Wrong("model.train_on_batch on the validation windows after fit",
          {_FIT: _FIT + "        model.train_on_batch(x_val, y_val)\n"},
          "validation_on_training_data", "model.fit(x_train, y_train, epochs=epochs)"),
    Wrong("a sigmoid head: no forecast below 0",
          {"keras.layers.Dense(1)])": 'keras.layers.Dense(1, activation="sigmoid")])'},
          "model_layers", "keras.layers.Dense(1)   # linear"),
    Wrong("the whole sequence averaged over time instead of the last h",
          {"keras.layers.LSTM(units),\n": "keras.layers.LSTM(units, return_sequences=True),\n"
           + " " * 34 + "keras.layers.GlobalAveragePooling1D(),\n"},
          "unexpected_sequence_output", "keras.layers.LSTM(units)   # without return_sequences"),
]

RIGHT = [  # valid idioms: each earns every visible point
    Wrong("the training timed by a callback, from on_train_begin to on_train_end", {
        "        start = time.perf_counter()\n" + _FIT + "        seconds = time.perf_counter()"
        " - start\n": """\
        class Timer(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.start = time.monotonic()

            def on_train_end(self, logs=None):
                self.seconds = time.monotonic() - self.start

        timer = Timer()
        model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0, callbacks=[timer])
        seconds = timer.seconds
"""}, code="", fix=""),
    Wrong("functional models, validation loss from fit's history, a scatter plot", {
        _BUILD: """        inputs = keras.Input(shape=x_train.shape[1:])
        model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.LSTM(units)(inputs)))
""", _FIT: _FIT.replace("model.fit", "history = model.fit").replace(
            "verbose=0)", "verbose=0,\n" + " " * 28 + "validation_data=(x_val, y_val))"),
        _EVAL: 'val_loss = history.history["val_loss"][-1]',
        _PLOT: 'ax.scatter([r["units"] for r in rows], [r["val_loss"] for r in rows])'},
        code="", fix=""),
    Wrong("RNN(LSTMCell), time.time(), a bar chart through pyplot", {
        "keras.layers.LSTM(units)": "keras.layers.RNN(keras.layers.LSTMCell(units))",
        "start = time.perf_counter()": "start = time.time()",
        "seconds = time.perf_counter() - start": "seconds = time.time() - start",
        _PLOT + '\n    ax.set_xlabel("units")\n    ax.set_ylabel("validation MSE")\n'
        '    ax.set_xscale("log", base=2)\n':
        'plt.bar([str(r["units"]) for r in rows], [r["val_loss"] for r in rows])\n',
        "    fig.tight_layout()\n": "",
        "    fig.savefig(path)\n": "    plt.savefig(path)\n"}, code="", fix=""),
]
