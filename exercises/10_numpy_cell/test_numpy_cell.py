"""Tests of exercise 10 (numpy_cell): your cell against the library's NumPy LSTM.

The library's ``lstm_step`` / ``lstm_unroll`` are tested against ``keras.layers.LSTM``
elsewhere; here they only judge (imported inside the tests, never in the probes).
"""

import numpy as np
import pytest

from lstm_shapes.exercises import assert_close, fail_with

OFF_LIMITS = ("lstm_step", "lstm_unroll")  # the library's answers refuse inside the probes

STEP_FIX = ("z = x_t @ kernel + h @ recurrent_kernel + bias; z_i, z_f, z_c, z_o = np.split(z, "
            "4, axis=-1)   # (batch, units) each, in Keras's order i, f, c, o")
C_FIX = "c_new = f * c + i * g   # f, i = sigmoid(z_f), sigmoid(z_i); g = np.tanh(z_c)"
H_FIX = "h_new = o * np.tanh(c_new)   # o = sigmoid(z_o)"
UNROLL_FIX = ("h, c = np.zeros((len(x), units)), np.zeros((len(x), units))   # once, before "
              "the loop; then at each timestep t: h, c = lstm_step(x[:, t, :], h, c, kernel, "
              "recurrent_kernel, bias) and keep every h")
STACK_FIX = "sequence = np.stack(hs, axis=1)   # (batch, timesteps, units): time is axis 1"
RETURN_FIX = "return sequence, h, c   # (batch, timesteps, units), (batch, units), (batch, units)"


SIZES = {"step": (2, 9), "unroll": (2, 9), "step_again": (6, 17), "unroll_again": (6, 17)}


def _question(rng, key):
    """batch, timesteps and units differ from each other, so a mixed-up axis shows."""
    batch, t, units = (int(v) for v in rng.choice(np.arange(*SIZES[key]), 3, replace=False))
    f = int(rng.integers(1, 4))
    x = rng.normal(size=(batch, t, f))
    weights = [rng.normal(scale=0.5, size=s) for s in
               ((f, 4 * units), (units, 4 * units), (4 * units,))]
    return x, weights


def _states(rng, x, weights):
    units = weights[1].shape[0]
    return rng.normal(size=(x.shape[0], units)), rng.normal(size=(x.shape[0], units))


def _plain(result):
    """The learner's result as JSON: a list of arrays (or why it is not one)."""
    if not isinstance(result, (tuple, list)):
        return {"items": None, "type": type(result).__name__}
    items = []
    for value in result:
        try:
            items.append(np.asarray(value, dtype=float).tolist())
        except (TypeError, ValueError):
            items.append(None)
    return {"items": items, "type": type(result).__name__}


def _numpy_error(call):
    """``call()`` as plain data; NumPy's shape errors kept for the test to explain."""
    try:
        return _plain(call())
    except (ValueError, IndexError) as err:
        text = str(err)
        if any(word in text for word in ("matmul", "broadcast", "out of bounds", "align")):
            return {"numpy_error": f"{type(err).__name__}: {text}"}
        raise


def _step(module, rng, key):
    x, (k, rk, b) = _question(rng, key)
    h, c = _states(rng, x, (k, rk, b))
    return _numpy_error(lambda: module.lstm_step(x[:, 0], h, c, k, rk, b))


def _unroll(module, rng, key):
    x, weights = _question(rng, key)
    return _numpy_error(lambda: module.lstm_unroll(x, *weights))


def probe_step(module, rng):
    return _step(module, rng, "step")


def probe_unroll(module, rng):
    return _unroll(module, rng, "unroll")


def _items(answer, function, count, fix, code):
    if "numpy_error" in answer:
        return answer
    items = answer["items"]
    if items is None or len(items) != count:
        got = "one value" if items is None else f"{len(items)} values"
        fail_with(code, f"{function} returned {got} ({answer['type']}), {count} are asked "
                  "for", fix)
    return [None if v is None else np.asarray(v, dtype=float) for v in items]


def _judge_step(answers, key):
    from lstm_shapes import lstm_step

    rng = answers.rng(key)
    x, (k, rk, b) = _question(rng, key)
    h, c = _states(rng, x, (k, rk, b))
    units, x_t = rk.shape[0], x[:, 0]
    items = _items(answers[key], "lstm_step", 2, "return h_new, c_new",
                   "initial_state_structure")
    if isinstance(items, dict):
        fail_with("lstm_gate_count", f"lstm_step raised {items['numpy_error']}", STEP_FIX)
    for got, name in zip(items, ("h", "c")):
        shape = None if got is None else got.shape
        if shape == (x.shape[0], 4 * units):
            fail_with("lstm_gate_count", f"the new {name} is {shape}: 4·units wide, the four "
                      "gates side by side", STEP_FIX)
        if shape != (x.shape[0], units):
            fail_with("initial_state_units", f"the new {name} is {shape}: (batch, units) = "
                      f"{(x.shape[0], units)} is asked for", STEP_FIX)
    got_h, got_c = items
    want_h, want_c = lstm_step(x_t, h, c, k, rk, b)
    if np.allclose(got_h, want_c, atol=1e-5) and np.allclose(got_c, want_h, atol=1e-5):
        fail_with("return_state_unpacking", "lstm_step returned (c, h)", "return h_new, c_new")
    for order, names in (((0, 1, 3, 2), "i, f, o, c"), ((0, 2, 1, 3), "i, c, f, o"),
                         ((1, 0, 2, 3), "f, i, c, o"), ((0, 2, 3, 1), "i, c, o, f"),
                         ((2, 0, 1, 3), "c, i, f, o")):
        perm = np.concatenate([np.split(np.arange(4 * units), 4)[j] for j in order])
        if np.allclose(got_c, lstm_step(x_t, h, c, k[:, perm], rk[:, perm], b[perm])[1],
                       atol=1e-5):
            fail_with("lstm_gate_count", f"your gates are split in the order {names}; Keras "
                      "stores them as i, f, c, o", STEP_FIX)
    if not np.allclose(got_c, want_c, atol=1e-5):
        for without, fix in (("h", STEP_FIX), ("c", C_FIX), ("bias", STEP_FIX)):
            args = dict(x_t=x_t, h=h, c=c, bias=b)
            args[without] = np.zeros_like(args[without])
            if np.allclose(got_c, lstm_step(args["x_t"], args["h"], args["c"], k, rk,
                                            args["bias"])[1], atol=1e-5):
                fail_with("lstm_gate_count", f"the new c is what it would be without {without} "
                          f"(as if {without} were zeros)", fix)
        assert_close(got_c, want_c, "the new c of lstm_step", code="lstm_gate_count",
                     fix=C_FIX)
    assert_close(got_h, want_h, "the new h of lstm_step (your c is right)",
                 code="lstm_gate_count", fix=H_FIX)


def _passes(judge, answers, key):
    try:
        judge(answers, key)
    except pytest.fail.Exception:
        return False
    return True


def _judge_unroll(answers, key):
    from lstm_shapes import lstm_unroll

    x, weights = _question(answers.rng(key), key)
    (batch, t, _), units = x.shape, weights[1].shape[0]
    items = _items(answers[key], "lstm_unroll", 3, RETURN_FIX, "return_state_unpacking")
    if isinstance(items, dict):
        error = items["numpy_error"]
        if "matmul" in error:
            fail_with("initial_state_units", f"lstm_unroll raised {error}: are h and c "
                      "(batch, units), with units = recurrent_kernel.shape[0]?",
                      "units = recurrent_kernel.shape[0]   # then np.zeros((len(x), units)) for h "
                      "and for c")
        fail_with("swapped_axes", f"lstm_unroll raised {error}: x is (batch, timesteps, "
                  "features), so timestep t is x[:, t, :]", "x_t = x[:, t, :]   # (batch, features)")
    sequence = items[0]
    shape = None if sequence is None else sequence.shape
    if shape == (t, batch, units):
        fail_with("swapped_axes", f"the sequence is {shape}: (timesteps, batch, units), "
                  "time first", STACK_FIX)
    if shape == (batch, units):
        fail_with("missing_return_sequences", f"the sequence is {shape}: only one h, not one "
                  "per timestep", "hs.append(h) at every timestep, then " + STACK_FIX)
    if shape != (batch, t, units):
        fail_with("wrong_rank", f"the sequence is {shape}: (batch, timesteps, units) = "
                  f"{(batch, t, units)} is asked for", STACK_FIX)
    want, want_h, want_c = lstm_unroll(x, *weights)
    restarted = np.concatenate([lstm_unroll(x[:, i:i + 1], *weights)[0] for i in range(t)],
                               axis=1)
    if np.allclose(sequence, restarted, atol=1e-5):
        fail_with("no_temporal_context", "every timestep starts again from zero h and c: "
                  "nothing is carried from one step to the next", UNROLL_FIX)
    if not np.allclose(sequence, want, atol=1e-5) and not _passes(_judge_step, answers,
                                                                   key.replace("unroll", "step")):
        fail_with("lstm_gate_count", "the sequence differs from the reference, and so does one "
                  "step of your lstm_step: fix lstm_step first (test_one_step says how), then "
                  "call it at every timestep", UNROLL_FIX)
    assert_close(sequence, want, "the sequence of lstm_unroll", code="lstm_gate_count",
                 fix=UNROLL_FIX)
    for got, want_state, name in ((items[1], want_h, "h"), (items[2], want_c, "c")):
        if got is None or got.shape != (batch, units):
            fail_with("return_state_unpacking", f"the {name} that lstm_unroll returned is "
                      f"{None if got is None else got.shape}: the last {name}, (batch, units) "
                      f"= {(batch, units)}, is asked for", RETURN_FIX)
        if not np.allclose(got, want_state, atol=1e-5):
            fail_with("return_state_unpacking", f"the {name} that lstm_unroll returned is not "
                      f"the last {name}", RETURN_FIX)


@pytest.mark.exercise("numpy_cell", points=4)
def test_one_step(answers):
    _judge_step(answers, "step")


@pytest.mark.exercise("numpy_cell", points=4)
def test_unrolled_over_the_timesteps_from_zero_states(answers):
    _judge_unroll(answers, "unroll")


# other sizes for the hidden tests (probes are never hidden: the grader runs the released
# copy's probes, so a probe inside the hidden block would never run)
def probe_step_again(module, rng):
    return _step(module, rng, "step_again")


def probe_unroll_again(module, rng):
    return _unroll(module, rng, "unroll_again")


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("numpy_cell", points=2)
def test_other_sizes(answers):
    _judge_step(answers, "step_again")
    _judge_unroll(answers, "unroll_again")
### END HIDDEN TESTS
