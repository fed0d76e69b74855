"""Message text is part of the product: pin it."""

import numpy as np
import pytest

from lstm_shapes import MISCONCEPTIONS, LSTMInput, ShapeError, shape_checked


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
