"""The misconception catalogue: the shared vocabulary of errors, hints and grading.

Each code names one mistake learners make with recurrent shapes. The summary is one
sentence a learner understands at first read; it never contains the fix (the fix depends
on the actual shapes and is rendered next to it).
"""

from __future__ import annotations

MISCONCEPTIONS: dict[str, str] = {
    "missing_timestep_axis": "an RNN reads a sequence per sample, shaped (batch, timesteps, "
    "features); a 2-D array lacks one of these axes (usually the feature axis).",
    "swapped_axes": "the right axes in the wrong order: e.g. (batch, features, timesteps), "
    "or time-major (timesteps, batch, features); a reshape would scramble the data, a "
    "transpose reorders it.",
    "window_as_features": "the look-back window sits on the feature axis with timesteps=1, "
    "so the recurrence sees one step.",
    "no_temporal_context": "each sample has one timestep: the recurrence has nothing to remember.",
    "batch_in_input_shape": "input_shape / Input(shape=...) describes ONE sample; the batch "
    "dimension must not be in it.",
    "input_shape_data_mismatch": "the model was declared for other timesteps/features than "
    "the data has.",
    "embedding_input_rank": "an Embedding turns (batch, timesteps) ids into (batch, timesteps, "
    "dim); ids with an extra axis make the RNN input 4-D.",
    "missing_return_sequences": "a stacked RNN needs the whole sequence from the RNN below it: "
    "that one needs return_sequences=True.",
    "sequence_output_vs_last_target": "the model predicts one value per timestep but the "
    "targets have one value per sequence.",
    "last_output_vs_sequence_target": "the model predicts one value per sequence but the "
    "targets have one value per timestep.",
    "multistep_horizon_mismatch": "the targets hold several future steps but the head "
    "predicts a different number.",
    "output_width_mismatch": "the last layer's width differs from the number of target columns.",
    "target_broadcast": "targets and predictions have shapes that broadcast silently in the "
    "loss: it trains, on the wrong thing.",
    "loss_label_encoding_mismatch": "the loss does not fit the labels' encoding or the "
    "output activation.",
    "timedistributed_rank": "TimeDistributed needs a (batch, timesteps, ...) tensor.",
    "conv_pool_shrinks_time": "a 'valid' Conv1D or a pooling layer shortens the time axis: "
    "the RNN or the per-step targets see fewer timesteps than the data has.",
    "initial_state_units": "initial states h and c are (batch, units), with the units of the "
    "layer they start.",
    "initial_state_structure": "an LSTM takes initial_state=[h, c] (two tensors); a GRU or "
    "SimpleRNN takes [h]; each is (batch, units).",
    "return_state_unpacking": "return_state=True returns [output, h, c] for an LSTM "
    "([output, h] for GRU/SimpleRNN, 5 tensors for a Bidirectional LSTM).",
    "bidirectional_doubling": "a Bidirectional RNN concatenates both directions: its output "
    "is 2*units wide.",
    "stateful_batch": "a stateful RNN keeps h and c per batch row, so it needs one fixed "
    "batch size that divides the samples.",
    "units_equals_timesteps": "units is the size of h and c, not the number of timesteps; "
    "one cell is unrolled over all timesteps.",
    "window_misalignment": "the targets are not the values that follow their windows "
    "(off by one, or they leak into the input).",
    "missing_channel_axis": "images and frames for Conv2D/ConvLSTM2D carry a channel axis, "
    "last by default: (batch, [time,] rows, cols, channels); grayscale frames need a "
    "trailing 1.",
    "missing_timedistributed": "a per-frame layer (Conv2D, pooling, a whole CNN) is applied "
    "to a (batch, time, ...) sequence without TimeDistributed, or a Flatten merges the "
    "frames before the RNN.",
    "attention_axes": "an attention's roles or axes are mixed up: scores contract the feature "
    "axis of query and keys, the weights sum over the value's timesteps, and the output "
    "keeps the query's timesteps.",
    "unexpected_sequence_output": "this tensor is a whole sequence (return_sequences=True) "
    "where one vector per sample is expected.",
    "wrong_axis_slice": "a slice or index took the wrong axis: t[..., -1] is the last unit "
    "of every step and t[-1] the last sample; the last step of (batch, timesteps, units) is "
    "t[:, -1, :].",
    "lambda_late_binding": "Lambda layers made in a loop read the loop variable when they run, "
    "not when they were made: every one of them sees its last value.",
    "lstm_gate_count": "an LSTM has 4 gates, in Keras's order input, forget, cell, output, "
    "each with its own kernel, recurrent kernel and bias: 4·(units·(features+units)+units) "
    "parameters.",
    # Codes outside DESIGN.md's table, for mistakes that are not about RNN semantics.
    "wrong_rank": "the tensor has a different number of axes than expected.",
    "dimension_mismatch": "a named dimension has a different size here than where it was "
    "first seen.",
    "batch_mismatch": "the number of samples (the first, batch axis) differs from the one "
    "expected, or from another tensor of the same call.",
    "empty_batch": "the batch (or another axis) is empty: there is nothing to compute on.",
    "wrong_dtype": "the tensor's dtype is not the kind the layer computes with.",
    "not_a_tensor": "the value is not an array or tensor.",
    "ragged_sequences": "the sequences have different lengths; pad them to one length "
    "(keras.utils.pad_sequences) or bucket them.",
    "non_finite_values": "the data contains NaN or inf; the loss becomes NaN.",
    "units_type": "units is how many numbers h and c hold: a Python int, not a float or "
    "a NumPy scalar.",
    "stateful_reset": "a stateful RNN carries h and c from call to call until they are reset; "
    "in Keras 3 each stateful layer resets with reset_state() (models lost reset_states()).",
    "future_leakage": "a validation window comes before some of its model's training windows: "
    "the model trained on the future it is scored on (a shuffled or K-fold split of a time "
    "series does this).",
    "validation_on_training_data": "the validation loss was measured on windows the model "
    "trained on, or is the training loss itself: it rewards memorizing, not forecasting.",
    "best_not_lowest": "the best trial or configuration is the one with the LOWEST validation "
    "loss (MSE: lower is better); another one was kept.",
    "ignored_argument": "an argument the function was given (or a trial's hyperparameter) has "
    "no effect: a fixed value, a default or an earlier result is used instead.",
    "search_space_mismatch": "the hyperparameters the model-building function declares "
    "(hp.Choice/hp.Int/hp.Float) do not take exactly the values of the search space.",
    "series_grid": "the series is sampled on another grid than the task's: np.arange(start, "
    "stop, step) excludes stop; np.linspace takes a count and includes stop.",
    "model_layers": "the model's layers differ from the ones the task names (one missing, "
    "one extra, or another kind).",
    "compile_settings": "the model is compiled with another optimizer or loss than the task "
    "asks for, or not at all.",
    "not_numpy": "a NumPy array is asked for and this is a framework tensor; np.asarray(t) "
    "converts an eager one.",
    "wrong_measurement": "the number reported is not the measurement asked for: another split, "
    "another moment (before training), part of the model, or another unit.",
    "undertrained": "the model has not trained long or fast enough: its validation loss is not "
    "yet far below the naive baseline.",
    "plot_content": "the saved plot does not show what was asked (which quantity on which "
    "axis), or no image was saved at the path.",
    "missing_definition": "the tests call a function the exercise names, and your file does "
    "not define it (renamed, deleted, or never written).",
    "lstm_cell_math": "the cell's equations are wrong: i, f, o = sigmoid(...), g = tanh(...), "
    "c = f*c + i*g, h = o*tanh(c) (the gates' ORDER is lstm_gate_count).",
    "library_answer": "the exercise asks you to write this yourself; calling the library's "
    "own implementation answers nothing about what you understood.",
    "target_shape_mismatch": "the targets' shape cannot be paired with the predictions' "
    "(the loss refuses them) and no reshape keeps their meaning: the model predicts "
    "something else than the targets hold.",
    "padding_without_mask": "the sequences were padded to one length with zero timesteps "
    "and no mask tells the RNN which steps are padding: it reads the zeros as data "
    "(Masking(mask_value=0.0), or Embedding(mask_zero=True) for token ids, makes one).",
    "mask_dropped": "a mask (from Masking, Embedding(mask_zero=True) or a mask input) reaches "
    "a layer or op that cannot carry it: the mask ends there and the layers after it see "
    "the padded steps as data.",
    "output_names_mismatch": "dict targets or losses are keyed by names the model's outputs "
    "do not carry (a subclassed model's outputs have no names): Keras cannot pair them; give "
    "a list in the order the model returns its outputs.",
    "series_too_short": "the series is too short to cut one window plus its targets from "
    "each part of the train/validation split.",
}


def summary(code: str) -> str:
    """The one-sentence explanation of ``code`` (empty for an unknown code)."""
    return MISCONCEPTIONS.get(code, "")
