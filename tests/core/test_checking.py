"""@shape_checked and expect: inputs that must pass AND inputs that must fail, for every kind
of tensor (np arrays, eager tensors, tf.Variable, symbolic KerasTensor, inside tf.function)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from lstm_shapes import (
    CellState,
    HiddenState,
    LSTMInput,
    SequenceOutput,
    ShapeError,
    SpecError,
    TensorTypeError,
    expect,
    shape_checked,
)
from lstm_shapes.core.annotations import Float, Series, TensorLike


@shape_checked
def run(x: LSTMInput, h: HiddenState, units: int) -> SequenceOutput:
    if isinstance(x, keras.KerasTensor):
        return keras.KerasTensor((x.shape[0], x.shape[1], units))
    if tf.is_tensor(x):
        return tf.zeros((tf.shape(x)[0], x.shape[1], units))
    return np.zeros((x.shape[0], x.shape[1], units), "float32")


@shape_checked
def broken(x: LSTMInput) -> HiddenState:
    return np.zeros((x.shape[0], 3, 4), "float32")  # returns a sequence: must be caught


KINDS = {
    "numpy": lambda a: a,
    "eager": tf.constant,
    "variable": tf.Variable,
}


@pytest.mark.parametrize("kind", KINDS)
def test_good_shapes_pass_for_every_tensor_kind(kind):
    wrap = KINDS[kind]
    out = run(wrap(np.zeros((4, 10, 1), "float32")), wrap(np.zeros((4, 8), "float32")), 8)
    assert tuple(out.shape) == (4, 10, 8)


@pytest.mark.parametrize("kind", KINDS)
def test_2d_input_is_caught_for_every_tensor_kind(kind):
    wrap = KINDS[kind]
    with pytest.raises(ShapeError) as info:
        run(wrap(np.zeros((990, 10), "float32")), wrap(np.zeros((990, 8), "float32")), 8)
    err = info.value
    assert err.code == "missing_timestep_axis"
    assert err.actual == (990, 10)
    assert err.where == "run argument x"
    assert err.fix == "x = x.reshape(990, 10, 1)   # (batch, timesteps, features)"


@pytest.mark.parametrize("kind", KINDS)
def test_batch_bound_by_first_argument_is_enforced(kind):
    wrap = KINDS[kind]
    with pytest.raises(ShapeError) as info:
        run(wrap(np.zeros((4, 10, 1), "float32")), wrap(np.zeros((5, 8), "float32")), 8)
    assert info.value.code == "batch_mismatch"
    assert info.value.bindings["batch"].size == 4
    assert info.value.bindings["batch"].where == "run argument x"


def test_return_value_is_checked():
    with pytest.raises(ShapeError) as info:
        broken(np.zeros((2, 3, 1), "float32"))
    assert info.value.where == "broken return value"
    assert info.value.code == "unexpected_sequence_output"


def test_units_bound_by_state_is_enforced_on_return():
    @shape_checked
    def wrong_units(x: LSTMInput, h: HiddenState) -> SequenceOutput:
        return np.zeros((x.shape[0], x.shape[1], h.shape[1] + 1), "float32")

    with pytest.raises(ShapeError, match="units should be 8, got 9"):
        wrong_units(np.zeros((4, 10, 1), "float32"), np.zeros((4, 8), "float32"))


def test_symbolic_none_batch_never_binds_and_never_fails():
    x = keras.Input((10, 1))
    h = keras.Input((8,))
    out = run(x, h, 8)
    assert tuple(out.shape)[1:] == (10, 8)
    # A concrete batch next to a symbolic one is not a conflict either.
    run(keras.Input((10, 1)), np.zeros((3, 8), "float32"), 8)


def test_symbolic_known_dims_still_fail():
    with pytest.raises(ShapeError) as info:
        run(keras.Input((10,)), keras.Input((8,)), 8)
    assert info.value.code == "missing_timestep_axis"
    assert info.value.actual == (None, 10)


def test_checks_run_inside_tf_function():
    @tf.function
    def traced(x, h):
        return run(x, h, 8)

    out = traced(tf.zeros((4, 10, 1)), tf.zeros((4, 8)))
    assert tuple(out.shape) == (4, 10, 8)
    with pytest.raises(ShapeError) as info:
        traced(tf.zeros((4, 10)), tf.zeros((4, 8)))
    assert info.value.code == "missing_timestep_axis"

    @tf.function(input_signature=[tf.TensorSpec((None, 10, 1)), tf.TensorSpec((None, 7))])
    def unknown_batch(x, h):
        return run(x, h, 7)

    assert tuple(unknown_batch(tf.zeros((2, 10, 1)), tf.zeros((2, 7))).shape) == (2, 10, 7)


@pytest.mark.parametrize(
    "bad, code, error_type",
    [
        (np.zeros((4, 10, 1), "int64"), "wrong_dtype", TensorTypeError),
        (np.array(["a"] * 40).reshape(4, 10, 1), "wrong_dtype", TensorTypeError),
        ([[[0.0]] * 10] * 4, "not_a_tensor", TensorTypeError),
        ([[0.0, 1.0], [2.0]], "ragged_sequences", TensorTypeError),
        (np.array([np.zeros(3), np.zeros(2)], dtype=object), "ragged_sequences", TensorTypeError),
        (tf.ragged.constant([[1.0, 2.0], [3.0]]), "ragged_sequences", TensorTypeError),
        ("not a tensor", "not_a_tensor", TensorTypeError),
        (3.0, "not_a_tensor", TensorTypeError),
        (np.zeros((0, 10, 1), "float32"), "empty_batch", ShapeError),
        (np.zeros((4, 10, 1, 1), "float32"), "wrong_rank", ShapeError),  # np.squeeze(x, -1)
        (np.zeros((4, 10, 1, 8), "float32"), "embedding_input_rank", ShapeError),  # ids (b,t,1)
        (np.zeros((4, 10, 3, 2), "float32"), "wrong_rank", ShapeError),
        (np.zeros((40,), "float32"), "wrong_rank", ShapeError),
    ],
)
def test_bad_input_gets_a_named_error(bad, code, error_type):
    with pytest.raises(error_type) as info:
        run(bad, np.zeros((4, 8), "float32"), 8)
    assert info.value.code == code
    assert "run argument x" in str(info.value)


def test_wrong_dtype_is_also_a_type_error():
    with pytest.raises(TypeError, match="expected a float tensor, got dtype int64"):
        run(np.zeros((4, 10, 1), "int64"), np.zeros((4, 8), "float32"), 8)


def test_plain_annotations_are_checked_by_typeguard():
    with pytest.raises(TypeError, match="run argument units"):
        run(np.zeros((4, 10, 1), "float32"), np.zeros((4, 8), "float32"), "8")


def test_expect_passes_through_and_binds_keywords():
    x = np.zeros((32, 10, 50))
    assert expect(x, "batch timesteps units", units=50) is x
    with pytest.raises(ShapeError) as info:
        expect(np.zeros((32, 10, 10)), "batch timesteps units", timesteps=10, units=50)
    assert info.value.code == "units_equals_timesteps"
    with pytest.raises(ShapeError) as info:
        expect(np.zeros((32, 100)), "batch units", units=50)
    assert info.value.code == "bidirectional_doubling"


@pytest.mark.parametrize(
    "actual, code, fix",
    [
        ((32, 1, 10), "window_as_features", "x = x.reshape(32, 10, 1)   # (batch, timesteps, features)"),
        ((32, 1, 10), None, None),
        ((32, 3, 10), "swapped_axes", "x = np.transpose(x, (0, 2, 1))   # -> (batch, 10, 3)"),
        ((32, 20, 3), "input_shape_data_mismatch", None),
        ((32, 60), "missing_timestep_axis", "x = x.reshape(32, 20, 3)   # (batch, timesteps, features)"),
        ((32, 10, 1, 1), "wrong_rank", "x = np.squeeze(x, axis=-1)   # -> (batch, timesteps, features)"),
    ],
)
def test_misconceptions_follow_from_bound_dims(actual, code, fix):
    dims = {"timesteps": 10, "features": 1} if actual[1] == 1 else {"timesteps": 10, "features": 3}
    if code is None:  # the same array is a valid sequence when no dims are fixed
        assert expect(np.zeros(actual), "batch timesteps features").shape == actual
        return
    if actual == (32, 60):
        dims = {"features": 3}
    with pytest.raises(ShapeError) as info:
        expect(np.zeros(actual), "batch timesteps features", name="x", **dims)
    assert info.value.code == code
    if fix:
        assert info.value.fix == fix


def test_fixed_and_multiple_dims():
    expect(np.zeros((3, 40)), "features 4*units", units=10)
    with pytest.raises(ShapeError, match="4\\*units should be 40, got 36"):
        expect(np.zeros((3, 36)), "features 4*units", units=10)
    with pytest.raises(ShapeError, match="multiple of 4"):
        expect(np.zeros((3, 37)), "features 4*units")
    with pytest.raises(ShapeError, match="axis 1 must be 1, got 2"):
        expect(np.zeros((3, 2)), "batch 1")
    expect(np.zeros((2, 3, 4, 5)), "batch *rest units", units=5)


@pytest.mark.parametrize("spec, message", [
    ("batch, timesteps", "spaces, not commas"),
    ("batch *a *b", "at most one variadic"),
    ("batch 3x", "bad axis"),
    (None, "a shape spec is a string"),
])
def test_malformed_spec_is_a_spec_error(spec, message):
    with pytest.raises(SpecError, match=message):
        expect(np.zeros((1, 2)), spec)


def test_bad_dim_keyword_is_refused():
    with pytest.raises(TypeError, match="Received: units=-1"):
        expect(np.zeros((1, 2)), "batch units", units=-1)


def test_shape_error_pickles_with_its_fields():
    import pickle

    with pytest.raises(ShapeError) as info:
        expect(np.zeros((32, 10)), "batch timesteps features", name="x")
    copy = pickle.loads(pickle.dumps(info.value))
    assert (copy.code, copy.actual, str(copy)) == (info.value.code, (32, 10), str(info.value))


def test_fixes_name_the_argument_and_a_column_vector_is_raveled():
    @shape_checked
    def window(series: Series) -> Series:
        return series

    with pytest.raises(TensorTypeError) as info:
        window([0.1, 0.2])
    assert info.value.fix == "series = np.asarray(series, dtype='float32')"
    with pytest.raises(ShapeError) as info:
        window(np.zeros((100, 1), "float32"))
    assert info.value.fix == "series = series.ravel()   # (steps,)"


@shape_checked
def states(x: LSTMInput, h: HiddenState, c: CellState) -> HiddenState:
    return h


@shape_checked(units=64)
def states_of_64(x: LSTMInput, h: HiddenState, c: CellState) -> HiddenState:
    return h


def _zeros(*shape, dtype="float32"):
    return np.zeros(shape, dtype)


@pytest.mark.parametrize("h_units, c_units, blamed", [(32, 64, "h"), (64, 32, "c")])
def test_a_declared_size_blames_the_tensor_that_differs_from_it(h_units, c_units, blamed):
    with pytest.raises(ShapeError) as info:
        states_of_64(_zeros(4, 10, 1), _zeros(4, h_units), _zeros(4, c_units))
    text = str(info.value)
    assert info.value.where == f"states_of_64 argument {blamed}"
    assert "you declared units=64: units should be 64, got 32" in text
    assert "declared sizes: units = 64" in text
    assert "first seen" not in text and "units = 32 by" not in text
    assert info.value.fix == f"{blamed} = np.zeros((4, 64), 'float32')   # (batch, units)"


def test_a_declared_size_is_also_checked_on_the_return_value():
    @shape_checked(units=8)
    def widen(x: LSTMInput) -> HiddenState:
        return np.zeros((x.shape[0], 9), "float32")

    with pytest.raises(ShapeError, match="you declared units=8: units should be 8, got 9") as info:
        widen(_zeros(4, 10, 1))
    assert info.value.where.endswith("widen return value")


def test_a_declared_size_needs_a_dim_of_the_annotations():
    with pytest.raises(SpecError, match=r"@shape_checked\(unit=...\) names no dim of"):
        shape_checked(unit=64)(states.__wrapped__)
    with pytest.raises(TypeError, match="Received: units=-1"):
        shape_checked(units=-1)(states.__wrapped__)

    @shape_checked(features=1)  # a dim of an argument only: no return annotation
    def first_step(x: LSTMInput):
        return x[:, 0]

    with pytest.raises(ShapeError, match="you declared features=1"):
        first_step(_zeros(4, 10, 3))


@pytest.mark.parametrize("where", ["ExpectShape", "expect"])
def test_expect_and_expect_shape_say_what_was_declared(where):
    from lstm_shapes import ExpectShape

    with pytest.raises(ShapeError) as info:
        if where == "expect":
            expect(_zeros(4, 32), "batch units", units=64)
        else:
            ExpectShape("batch units", units=64)(_zeros(4, 32))
    text = str(info.value)
    assert "you declared units=64: units should be 64, got 32" in text
    assert "first seen" not in text
    assert info.value.code == "dimension_mismatch"
    assert ("[dimension_mismatch] a named dimension has a different size here than the size "
            "you declared for it.") in text


@pytest.mark.parametrize("h_units, c_units", [(32, 64), (64, 32)])
def test_h_and_c_that_disagree_are_named_together_and_neither_is_blamed(h_units, c_units):
    with pytest.raises(ShapeError) as info:
        states(_zeros(4, 10, 1), _zeros(4, h_units), _zeros(4, c_units))
    text = str(info.value)
    assert (f"h and c disagree on units: units = {h_units} in h, units = {c_units} in c; the h "
            "and c of one LSTM both have units columns") in text
    assert info.value.code == "initial_state_units"
    assert info.value.fix == "give h and c the units of the layer they start: both (batch, units)"


def test_a_disagreement_of_peers_lists_every_argument_that_shows_the_dim():
    @shape_checked
    def step(h: HiddenState, c: CellState, kernel: Float[TensorLike, "features 4*units"]):
        return h

    with pytest.raises(ShapeError) as info:
        step(_zeros(4, 32), _zeros(4, 64), _zeros(3, 256))
    assert "units = 32 in h, units = 64 in c and kernel" in str(info.value)


def test_tensors_of_other_axes_keep_the_first_one_as_reference():
    with pytest.raises(ShapeError) as info:  # x fixed the batch; h is the one that differs
        states(_zeros(4, 10, 1), _zeros(5, 8), _zeros(4, 8))
    assert info.value.code == "batch_mismatch"
    assert info.value.fix == "give h the same batch size (4) as states argument x"


def test_a_keras_layer_argument_declares_its_units():
    @shape_checked
    def start(h: HiddenState, c: CellState, lstm: keras.layers.LSTM) -> HiddenState:
        return h

    assert start(_zeros(4, 64), _zeros(4, 64), keras.layers.LSTM(64)).shape == (4, 64)
    for h_units, c_units, blamed in [(32, 64, "h"), (64, 32, "c")]:
        with pytest.raises(ShapeError) as info:
            start(_zeros(4, h_units), _zeros(4, c_units), keras.layers.LSTM(64))
        assert info.value.where.endswith(f"start argument {blamed}")
        assert "units = 64 by " in str(info.value)
        assert "start argument lstm (lstm.units)" in str(info.value)
    with pytest.raises(ShapeError, match="lstm.units is 32, but you declared units=64"):
        shape_checked(units=64)(start.__wrapped__)(_zeros(4, 64), _zeros(4, 64),
                                                    keras.layers.LSTM(32))


def _outcome(call):
    try:
        out = call()
    except (TypeError, ValueError) as err:
        return type(err).__name__, str(err)
    return "ok", tuple(out.shape)


def _full_check(fn, *args, **kwargs):
    """A call of ``fn`` that takes the full check, never the fast test."""
    checker = fn.__shape_checker__
    bindings = checker.check_args(args, kwargs)
    result = fn.__wrapped__(*args, **kwargs)
    checker.check_return(result, bindings)
    return result


@pytest.mark.parametrize("kind", KINDS)
def test_the_fast_path_agrees_with_the_full_check(kind):
    wrap = KINDS[kind]
    xs = [_zeros(4, 10, 1), _zeros(4, 10), _zeros(4, 0, 1), _zeros(4, 10, 1, dtype="int64"),
          np.zeros((4, 10, 1), ">f4"), np.zeros((4, 10, 1), object)]
    hs = [_zeros(4, 8), _zeros(5, 8), _zeros(4, 9), _zeros(4), _zeros(4, 8, dtype="float64")]
    for x in xs:
        for h in hs:
            for units in (8, 9, "8"):
                if x.dtype == object and kind != "numpy":
                    continue
                x_, h_ = wrap(x), wrap(h)
                full = _outcome(lambda: _full_check(run, x_, h_, units))
                assert _outcome(lambda: run(x_, h_, units)) == full, (x.shape, h.shape, units)
                assert _outcome(lambda: run(x_, units=units, h=h_)) == full


def test_numpy_and_eager_calls_take_the_fast_path():
    checker = states.__shape_checker__
    for wrap in (np.asarray, tf.constant):
        x, h, c = (wrap(a) for a in (_zeros(4, 10, 1), _zeros(4, 8), _zeros(4, 8)))
        for args, kwargs in [((x, h, c), {}), ((x,), {"c": c, "h": h})]:
            assert checker.fast_sizes(args, kwargs) == {
                "batch": (4, "states argument x", False),
                "timesteps": (10, "states argument x", False),
                "features": (1, "states argument x", False),
                "units": (8, "states argument h", False)}
