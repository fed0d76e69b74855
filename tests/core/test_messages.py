"""Message text is part of the product: pin it."""

import numpy as np
import pytest

from lstm_shapes import (
    MISCONCEPTIONS,
    CellState,
    HiddenState,
    LSTMInput,
    ShapeError,
    shape_checked,
)


@shape_checked
def build_stacked_lstm_demo(x: LSTMInput) -> LSTMInput:
    return x


def test_design_example_message():
    with pytest.raises(ShapeError) as info:
        build_stacked_lstm_demo(np.zeros((990, 10), "float32"))
    assert str(info.value) == (
        "build_stacked_lstm_demo argument x: expected (batch, timesteps, features), got (990, 10)\n"
        "  batch = 990, timesteps = 10, features = missing\n"
        "  [missing_timestep_axis] " + MISCONCEPTIONS["missing_timestep_axis"] + "\n"
        "  fix: x = x.reshape(990, 10, 1)   # (batch, timesteps, features)"
    )


def test_every_design_code_has_a_summary():
    design_codes = """missing_timestep_axis swapped_axes window_as_features no_temporal_context
    batch_in_input_shape input_shape_data_mismatch embedding_input_rank missing_return_sequences
    sequence_output_vs_last_target last_output_vs_sequence_target multistep_horizon_mismatch
    output_width_mismatch target_broadcast loss_label_encoding_mismatch timedistributed_rank
    conv_pool_shrinks_time initial_state_units initial_state_structure return_state_unpacking
    bidirectional_doubling stateful_batch units_equals_timesteps window_misalignment""".split()
    missing = [c for c in design_codes if not MISCONCEPTIONS.get(c)]
    assert missing == []


def test_summaries_are_single_sentences_without_fixes():
    for code, text in MISCONCEPTIONS.items():
        assert text.endswith("."), code
        assert "fix:" not in text, code


@shape_checked(units=64)
def start_64(h: HiddenState, c: CellState) -> HiddenState:
    return h


@shape_checked
def start(h: HiddenState, c: CellState) -> HiddenState:
    return h


def test_a_declared_size_message_blames_the_tensor_that_differs():
    with pytest.raises(ShapeError) as info:
        start_64(np.zeros((4, 32), "float32"), np.zeros((4, 64), "float32"))
    assert str(info.value) == (
        "start_64 argument h: expected (batch, units), got (4, 32)\n"
        "  you declared units=64: units should be 64, got 32\n"
        "  batch = 4, units = 32\n"
        "  declared sizes: units = 64\n"
        "  [initial_state_units] " + MISCONCEPTIONS["initial_state_units"] + "\n"
        "  fix: h = np.zeros((4, 64), 'float32')   # (batch, units)"
    )


def test_states_that_disagree_are_both_named():
    with pytest.raises(ShapeError) as info:
        start(np.zeros((4, 32), "float32"), np.zeros((4, 64), "float32"))
    assert str(info.value) == (
        "start argument c: expected (batch, units), got (4, 64)\n"
        "  h and c disagree on units: units = 32 in h, units = 64 in c; the h and c of one "
        "LSTM both have units columns\n"
        "  batch = 4, units = 64\n"
        "  sizes fixed earlier: batch = 4 by start argument h; units = 32 by start argument h\n"
        "  [initial_state_units] " + MISCONCEPTIONS["initial_state_units"] + "\n"
        "  fix: give h and c the units of the layer they start: both (batch, units)"
    )


def test_a_size_declared_to_a_layer_is_named_as_declared():
    from lstm_shapes import ExpectShape

    with pytest.raises(ShapeError) as info:
        ExpectShape("batch units", units=64, name="state_check")(np.zeros((4, 32), "float32"))
    assert str(info.value) == (
        "ExpectShape 'state_check' input: expected (batch, units), got (4, 32)\n"
        "  you declared units=64: units should be 64, got 32\n"
        "  batch = 4, units = 32\n"
        "  declared sizes: units = 64\n"
        "  [dimension_mismatch] a named dimension has a different size here than the size "
        "you declared for it.\n"
        "  fix: make the last axis of tensor 64 wide (units)"
    )
