"""A corpus of broken recurrent models: the mistakes people post about, each with its fix.

Each Case builds (model, x, y, fit_kwargs) the broken way and the fixed way. ``loud`` says
whether Keras itself raises (at build or fit) -- the others train without a word. ``code``
is the misconception check_model / diagnosing() must name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

L = keras.layers
N, T = 64, 10
Built = tuple[Any, Any, Any, dict]


def _series(n: int = 200) -> np.ndarray:
    return np.sin(np.arange(0, n * 0.1, 0.1))[:n].astype("float32")


def _windows(t: int = T, offset: int = 1, horizon: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Stride-1 windows of the sine wave; y starts ``offset`` steps after the window's end."""
    s = _series()
    x = np.stack([s[i:i + t] for i in range(N)])[..., None]
    y = np.stack([s[i + t - 1 + offset:i + t - 1 + offset + horizon] for i in range(N)])
    return x, y


def _seq(*layers: Any, loss: str = "mse", shape: tuple = (T, 1), **input_kw: Any) -> Any:
    model = keras.Sequential([keras.Input(shape, **input_kw), *layers])
    model.compile("adam", loss)
    return model


def _labels(classes: int = 3) -> np.ndarray:
    return np.random.default_rng(0).integers(0, classes, N)


@dataclass(frozen=True)
class Case:
    name: str
    code: str
    loud: bool
    broken: Callable[[], Built]
    fixed: Callable[[], Built]
    accept: tuple[str, ...] = field(default=())  # other codes that are right too


def _bidi_states(order: tuple[int, int]) -> Callable[[], Built]:
    def build() -> Built:
        i = keras.Input((T, 1))
        out = L.Bidirectional(L.LSTM(8, return_state=True))(i)
        dec = L.LSTM(8)(i, initial_state=[out[order[0]], out[order[1]]])
        model = keras.Model(i, L.Dense(1)(L.Concatenate()([dec, out[0]])))
        model.compile("adam", "mse")
        x, y = _windows()
        return model, x, y, {}
    return build


def _state_model(states: Callable[[Any], list], rnn: Any = L.LSTM) -> Callable[[], Built]:
    def build() -> Built:
        i = keras.Input((T, 1))
        h = keras.Input((8,))
        c = keras.Input((8,))
        extra = states((h, c))
        out = rnn(8)(i, initial_state=extra)
        model = keras.Model([i, h, c], L.Dense(1)(out))
        model.compile("adam", "mse")
        x, y = _windows()
        return model, [x, np.zeros((N, 8), "float32"), np.zeros((N, 8), "float32")], y, {}
    return build


def _unit_state_model(units_state: int) -> Callable[[], Built]:
    def build() -> Built:
        i, h, c = keras.Input((T, 1)), keras.Input((units_state,)), keras.Input((units_state,))
        out = L.LSTM(4)(i, initial_state=[h, c])
        model = keras.Model([i, h, c], L.Dense(1)(out))
        model.compile("adam", "mse")
        x, y = _windows()
        z = np.zeros((N, units_state), "float32")
        return model, [x, z, z], y, {}
    return build


def _stateful(samples: int, fit_batch: int) -> Callable[[], Built]:
    def build() -> Built:
        model = _seq(L.LSTM(8, stateful=True), L.Dense(1), batch_size=16)
        x, y = _windows()
        return model, x[:samples], y[:samples], {"batch_size": fit_batch, "shuffle": False}
    return build


def _plain(*layers: Any, x_y: Callable[[], tuple] = _windows, loss: str = "mse",
           shape: tuple = (T, 1), **input_kw: Any) -> Callable[[], Built]:
    def build() -> Built:
        made = [layer() if callable(layer) and not isinstance(layer, L.Layer) else layer
                for layer in layers]
        x, y = x_y()
        return _seq(*made, loss=loss, shape=shape, **input_kw), x, y, {}
    return build


def _lstm(units: int = 8, **kw: Any) -> Callable[[], Any]:
    return lambda: L.LSTM(units, **kw)


def _dense(units: int = 1, **kw: Any) -> Callable[[], Any]:
    return lambda: L.Dense(units, **kw)


def _onehot() -> tuple[np.ndarray, np.ndarray]:
    return _windows()[0], np.eye(3, dtype="float32")[_labels()]


def _ints() -> tuple[np.ndarray, np.ndarray]:
    return _windows()[0], _labels()


def _binary() -> tuple[np.ndarray, np.ndarray]:
    return _windows()[0], _labels(2).astype("float32")[:, None]


def _with_nan() -> tuple[np.ndarray, np.ndarray]:
    x, y = _windows()
    x = x.copy()
    x[3, 4, 0] = np.nan
    return x, y


CASES: list[Case] = [
    # targets against predictions: Keras trains silently on all of these
    Case("sequence_output_vs_last_target", "sequence_output_vs_last_target", False,
         _plain(_lstm(return_sequences=True), _dense()), _plain(_lstm(), _dense())),
    Case("last_output_vs_sequence_target", "last_output_vs_sequence_target", False,
         _plain(_lstm(), _dense(), x_y=lambda: (_windows()[0], _windows()[0])),
         _plain(_lstm(return_sequences=True), _dense(),
                x_y=lambda: (_windows()[0], _windows()[0]))),
    Case("flat_targets_broadcast_over_timesteps", "target_broadcast", False,
         _plain(_lstm(return_sequences=True), _dense(),
                x_y=lambda: (_windows()[0], _windows()[1][:, 0])),
         _plain(_lstm(), _dense(), x_y=lambda: (_windows()[0], _windows()[1][:, 0]))),
    Case("horizon_against_one_value_head", "multistep_horizon_mismatch", False,
         _plain(_lstm(), _dense(1), x_y=lambda: _windows(horizon=5)),
         _plain(_lstm(), _dense(5), x_y=lambda: _windows(horizon=5))),
    Case("head_narrower_than_targets", "output_width_mismatch", True,
         _plain(_lstm(), _dense(3), x_y=lambda: _windows(horizon=5)),
         _plain(_lstm(), _dense(5), x_y=lambda: _windows(horizon=5))),
    Case("lstm_output_used_as_prediction", "units_equals_timesteps", False,
         _plain(_lstm(T)), _plain(_lstm(T), _dense())),
    Case("conv_valid_shortens_time", "conv_pool_shrinks_time", True,
         _plain(lambda: L.Conv1D(4, 3), _lstm(return_sequences=True), _dense(),
                x_y=lambda: (_windows()[0], _windows()[0])),
         _plain(lambda: L.Conv1D(4, 3, padding="same"), _lstm(return_sequences=True),
                _dense(), x_y=lambda: (_windows()[0], _windows()[0])),
         accept=("output_width_mismatch",)),
    # the data against the declared input
    Case("window_on_the_feature_axis", "window_as_features", False,
         _plain(_lstm(), _dense(), shape=(1, T),
                x_y=lambda: (_windows()[0].transpose(0, 2, 1), _windows()[1])),
         _plain(_lstm(), _dense())),
    Case("one_timestep_per_sample", "no_temporal_context", False,
         _plain(_lstm(), _dense(), shape=(1, 1),
                x_y=lambda: (_windows()[0][:, -1:, :], _windows()[1])),
         _plain(_lstm(), _dense())),
    Case("sequential_declared_other_timesteps", "input_shape_data_mismatch", False,
         _plain(_lstm(), _dense(), shape=(20, 1)), _plain(_lstm(), _dense())),
    Case("features_and_timesteps_swapped", "swapped_axes", True,
         _plain(_lstm(), _dense(), shape=(T, 3),
                x_y=lambda: (np.repeat(_windows()[0], 3, axis=2).transpose(0, 2, 1),
                             _windows()[1])),
         _plain(_lstm(), _dense(), shape=(T, 3),
                x_y=lambda: (np.repeat(_windows()[0], 3, axis=2), _windows()[1])),
         accept=("input_shape_data_mismatch",)),
    Case("input_shape_holds_the_sample_count", "batch_in_input_shape", True,
         _plain(_lstm(), _dense(), shape=(N, T)), _plain(_lstm(), _dense()),
         accept=("input_shape_data_mismatch",)),
    Case("two_d_data_silently_expanded", "missing_timestep_axis", False,
         _plain(_lstm(), _dense(), x_y=lambda: (_windows()[0][..., 0], _windows()[1])),
         _plain(_lstm(), _dense())),
    Case("data_with_an_extra_trailing_axis", "wrong_rank", False,  # Keras squeezes it
         _plain(_lstm(), _dense(), x_y=lambda: (_windows()[0][..., None], _windows()[1])),
         _plain(_lstm(), _dense())),
    Case("pooling_leaves_one_timestep", "conv_pool_shrinks_time", False,
         _plain(lambda: L.Conv1D(4, 3), lambda: L.MaxPooling1D(8), _lstm(), _dense()),
         _plain(lambda: L.Conv1D(4, 3, padding="same"), lambda: L.MaxPooling1D(2), _lstm(),
                _dense())),
    Case("nan_in_the_data", "non_finite_values", False,
         _plain(_lstm(), _dense(), x_y=_with_nan), _plain(_lstm(), _dense())),
    # losses that do not fit the labels
    Case("binary_crossentropy_on_softmax", "loss_label_encoding_mismatch", False,
         _plain(_lstm(), _dense(3, activation="softmax"), x_y=_onehot,
                loss="binary_crossentropy"),
         _plain(_lstm(), _dense(3, activation="softmax"), x_y=_onehot,
                loss="categorical_crossentropy")),
    Case("categorical_crossentropy_on_integer_labels", "loss_label_encoding_mismatch", True,
         _plain(_lstm(), _dense(3, activation="softmax"), x_y=_ints,
                loss="categorical_crossentropy"),
         _plain(_lstm(), _dense(3, activation="softmax"), x_y=_ints,
                loss="sparse_categorical_crossentropy")),
    Case("sparse_crossentropy_on_one_hot", "loss_label_encoding_mismatch", True,
         _plain(_lstm(), _dense(3, activation="softmax"), x_y=_onehot,
                loss="sparse_categorical_crossentropy"),
         _plain(_lstm(), _dense(3, activation="softmax"), x_y=_onehot,
                loss="categorical_crossentropy")),
    Case("softmax_over_one_unit", "loss_label_encoding_mismatch", False,
         _plain(_lstm(), _dense(1, activation="softmax"), x_y=_binary,
                loss="binary_crossentropy"),
         _plain(_lstm(), _dense(1, activation="sigmoid"), x_y=_binary,
                loss="binary_crossentropy")),
    Case("categorical_crossentropy_on_one_unit", "loss_label_encoding_mismatch", False,
         _plain(_lstm(), _dense(1, activation="sigmoid"), x_y=_binary,
                loss="categorical_crossentropy"),  # the loss is 0.0 on every batch
         _plain(_lstm(), _dense(1, activation="sigmoid"), x_y=_binary,
                loss="binary_crossentropy")),
    # windows
    Case("target_inside_its_window", "window_misalignment", False,
         _plain(_lstm(), _dense(), x_y=lambda: _windows(offset=0)), _plain(_lstm(), _dense())),
    Case("target_one_step_late", "window_misalignment", False,
         _plain(_lstm(), _dense(), x_y=lambda: _windows(offset=2)), _plain(_lstm(), _dense())),
    Case("one_target_fewer_than_windows", "window_misalignment", True,
         _plain(_lstm(), _dense(), x_y=lambda: (_windows()[0], _windows()[1][:-1])),
         _plain(_lstm(), _dense())),
    # states
    Case("bidirectional_states_paired_across_directions", "bidirectional_doubling", False,
         _bidi_states((1, 3)), _bidi_states((1, 2))),
    Case("single_initial_state_for_lstm", "initial_state_structure", True,
         _state_model(lambda hc: [hc[0]]), _state_model(lambda hc: list(hc))),
    Case("gru_given_h_and_c", "initial_state_structure", False,
         _state_model(lambda hc: list(hc), rnn=L.GRU), _state_model(lambda hc: [hc[0]],
                                                                    rnn=L.GRU)),
    Case("initial_state_with_other_units", "initial_state_units", True,
         _unit_state_model(8), _unit_state_model(4)),
    Case("stateful_samples_not_divisible", "stateful_batch", True,
         _stateful(samples=40, fit_batch=16), _stateful(samples=48, fit_batch=16)),
    Case("stateful_fit_with_other_batch", "stateful_batch", True,
         _stateful(samples=48, fit_batch=8), _stateful(samples=48, fit_batch=16)),
    # Keras refuses these while building: diagnosing() names them
    Case("stack_without_return_sequences", "missing_return_sequences", True,
         _plain(_lstm(), _lstm(), _dense()),
         _plain(_lstm(return_sequences=True), _lstm(), _dense())),
    Case("gru_stack_without_return_sequences", "missing_return_sequences", True,
         _plain(lambda: L.GRU(8), lambda: L.GRU(8), _dense()),
         _plain(lambda: L.GRU(8, return_sequences=True), lambda: L.GRU(8), _dense())),
    Case("dense_between_stacked_lstms", "missing_return_sequences", True,
         _plain(_lstm(), _dense(8), _lstm(), _dense()),
         _plain(_lstm(return_sequences=True), _dense(8), _lstm(), _dense())),
    Case("input_without_feature_axis", "missing_timestep_axis", True,
         _plain(_lstm(), _dense(), shape=(T,)), _plain(_lstm(), _dense())),
    Case("batch_in_input_shape", "batch_in_input_shape", True,
         _plain(_lstm(), _dense(), shape=(N, T, 1)), _plain(_lstm(), _dense())),
    Case("embedding_fed_ids_with_extra_axis", "embedding_input_rank", True,
         _plain(lambda: L.Embedding(20, 4), _lstm(), _dense(),
                x_y=lambda: (np.zeros((N, T, 1), "int32"), _windows()[1])),
         _plain(lambda: L.Embedding(20, 4), _lstm(), _dense(), shape=(T,),
                x_y=lambda: (np.zeros((N, T), "int32"), _windows()[1]))),
    Case("timedistributed_after_last_step", "timedistributed_rank", True,
         _plain(_lstm(), lambda: L.TimeDistributed(L.Dense(1)),
                x_y=lambda: (_windows()[0], _windows()[0])),
         _plain(_lstm(return_sequences=True), lambda: L.TimeDistributed(L.Dense(1)),
                x_y=lambda: (_windows()[0], _windows()[0]))),
    Case("return_state_inside_sequential", "return_state_unpacking", True,
         _plain(_lstm(return_state=True), _dense()), _plain(_lstm(), _dense())),
]
