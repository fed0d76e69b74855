"""Tests of exercise 10 (numpy_cell): your cell against the LSTM's equations.

The probes call your functions on random sizes and on the edge cases (a batch of one, one
timestep), and watch which libraries your code calls while it runs: the exercise asks for
NumPy, so a call into TensorFlow or Keras (an LSTMCell given your weights) is Keras's answer,
not yours. When a result is wrong, the tests find which equation it follows instead.
"""

import itertools

import numpy as np
import pytest

from lstm_shapes.exercises import assert_close, fail, fail_with

OFF_LIMITS = ("lstm_step", "lstm_unroll",  # the library's answers refuse inside the probes
              "lstm_shapes.builders.reference._step")
FRAMEWORKS = ("tensorflow", "keras", "tf_keras", "torch", "jax")  # not NumPy

MATH = "lstm_cell_math"  # a wrong equation of the cell (the gate ORDER is lstm_gate_count)
Z_FIX = "z = x_t @ kernel + h @ recurrent_kernel + bias   # (batch, 4·units)"
SPLIT_FIX = ("z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)   # (batch, units) each, in Keras's "
             "order i, f, c, o")
GATES_FIX = ("i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o)   # sigmoid(v) = 1 / (1 + "
             "np.exp(-v)): gates lie in (0, 1)")
CAND_FIX = "g = np.tanh(z_c)   # the candidate lies in (-1, 1)"
C_FIX = "c_new = f * c + i * g"
FORGET_FIX = ("z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)   # nothing added to z_f: bias "
              "already holds the forget gate's offset")
H_FIX = "h_new = o * np.tanh(c_new)"
NUMPY_FIX = ("write the equations with NumPy arrays: " + Z_FIX.split("   #")[0] + "; then the "
             "gates, c_new and h_new (no keras/tensorflow call)")
UNROLL_FIX = ("h, c = np.zeros((len(x), units)), np.zeros((len(x), units))   # once, before "
              "the loop; then at each timestep t: h, c = lstm_step(x[:, t, :], h, c, kernel, "
              "recurrent_kernel, bias) and keep every h")
STACK_FIX = "sequence = np.stack(hs, axis=1)   # (batch, timesteps, units): time is axis 1"
RETURN_FIX = "return sequence, h, c   # (batch, timesteps, units), (batch, units), (batch, units)"
ATOL = 1e-5


# ----------------------------------------------------------------------------- questions


def _sizes(rng, key):
    """(batch, timesteps, units, features): random, distinct where they can be mixed up, and
    the edge cases the text allows (a batch of one, one timestep)."""
    low, high = (6, 17) if key.endswith("again") else (2, 9)
    batch, t, units = (int(v) for v in rng.choice(np.arange(low, high), 3, replace=False))
    features = int(rng.integers(1, 4))
    if key.startswith("step_edge"):
        batch = 1
    if key.startswith("unroll_edge"):
        batch, t = 1, 1
    return batch, t, units, features


def _question(rng, key):
    batch, t, units, f = _sizes(rng, key)
    x = rng.normal(size=(batch, t, f))
    weights = [rng.normal(scale=0.5, size=s) for s in
               ((f, 4 * units), (units, 4 * units), (4 * units,))]
    return x, weights


def _states(rng, x, weights):
    units = weights[1].shape[0]
    return rng.normal(size=(x.shape[0], units)), rng.normal(size=(x.shape[0], units))


# ----------------------------------------------------------------------------- probe helpers


def _framework_roots():
    """The folders of the installed frameworks other than NumPy (found without importing)."""
    import importlib.util
    import os

    roots = {}
    for name in FRAMEWORKS:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        for folder in (spec.submodule_search_locations or []) if spec else []:
            for path in {folder, os.path.realpath(folder)}:
                roots[os.path.join(path, "")] = name
    return roots


def _watched(call, learner_file):
    """``call()``, and where the learner's code called into a framework: its lines (file:line
    `code`), or the framework's name when it was only imported there."""
    import linecache
    import os
    import sys

    roots = _framework_roots()
    prefixes, before, seen = tuple(roots), {n for n in FRAMEWORKS if n in sys.modules}, []

    def profile(frame, event, arg):
        if event != "call" or len(seen) >= 3 or not frame.f_code.co_filename.startswith(
                prefixes):
            return
        caller = frame.f_back
        if caller is not None and caller.f_code.co_filename == learner_file:
            line = linecache.getline(learner_file, caller.f_lineno).strip()
            where = f"{os.path.basename(learner_file)}:{caller.f_lineno} `{line}`"
            if where not in seen:
                seen.append(where)

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        result = call()
    finally:
        sys.setprofile(previous)
    imported = [f"import {n}" for n in FRAMEWORKS if n in sys.modules and n not in before]
    return result, seen or imported


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


def _learner_frame(err, learner_file):
    """(function, line) of the learner's file where ``err`` was raised (innermost there)."""
    import linecache
    import traceback

    mine = [f for f in traceback.extract_tb(err.__traceback__) if f.filename == learner_file]
    if not mine:
        return "", ""
    line = mine[-1].line or linecache.getline(mine[-1].filename, mine[-1].lineno)
    return mine[-1].name, line.strip()[:200]


def _call(module, call, steps=None):
    """``call()`` as plain data, with the frameworks it used and (``steps``) what it gave
    lstm_step; NumPy's errors (shapes that do not fit) kept, with the learner's function
    and line, for the test to explain."""
    learner_file = getattr(module, "__file__", None)
    try:
        result, frameworks = _watched(call, learner_file)
    except (ValueError, IndexError) as err:
        function, line = _learner_frame(err, learner_file)
        answer = {"numpy_error": f"{type(err).__name__}: {err}"[:600], "function": function,
                  "line": line, "frameworks": []}
    else:
        answer = {**_plain(result), "frameworks": frameworks}
    return answer if steps is None else {**answer, "steps": steps}


def _step(module, rng, key):
    x, (k, rk, b) = _question(rng, key)
    h, c = _states(rng, x, (k, rk, b))
    return _call(module, lambda: module.lstm_step(x[:, 0], h, c, k, rk, b))


def _same(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=0, atol=1e-9))


def _unroll(module, rng, key):
    """lstm_unroll's answer, and what it handed to your lstm_step at each call: the shapes,
    which timestep of x, whether h and c were zeros or the ones the previous call returned."""
    x, weights = _question(rng, key)
    step, steps, last = getattr(module, "lstm_step", None), [], {}

    def recording(x_t, h, c, *args, **kwargs):
        seen = {"shapes": [list(np.shape(v)) for v in (x_t, h, c)], "t": None}
        try:
            seen["t"] = next((j for j in range(x.shape[1]) if _same(x_t, x[:, j])), None)
            seen["zeros"] = [bool(np.size(v)) and not np.any(np.asarray(v, dtype=float))
                             for v in (h, c)]
            seen["carried"] = [bool(last) and _same(v, last[n]) for v, n in ((h, "h"),
                                                                           (c, "c"))]
        except (TypeError, ValueError):
            pass
        steps.append(seen)
        out = step(x_t, h, c, *args, **kwargs)
        try:
            last.update(h=np.asarray(out[0], dtype=float), c=np.asarray(out[1], dtype=float))
        except (TypeError, ValueError, IndexError):
            last.clear()
        return out

    if callable(step):
        module.lstm_step = recording
    try:
        return _call(module, lambda: module.lstm_unroll(x, *weights), steps)
    finally:
        if callable(step):
            module.lstm_step = step


def probe_step(module, rng):
    return _step(module, rng, "step")


def probe_step_edge(module, rng):
    return _step(module, rng, "step_edge")


def probe_unroll(module, rng):
    return _unroll(module, rng, "unroll")


def probe_unroll_edge(module, rng):
    return _unroll(module, rng, "unroll_edge")


# other sizes for the hidden tests (probes are never hidden: the grader runs the released
# copy's probes, so a probe inside the hidden block would never run)
def probe_step_again(module, rng):
    return _step(module, rng, "step_again")


def probe_unroll_again(module, rng):
    return _unroll(module, rng, "unroll_again")


# ----------------------------------------------------------------------------- the equations


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


# Each part of the cell, the right way first, then ways it is written wrong:
# (what it is, function, fix line). The tests look for the combination that gives your result.
Z_WAYS = (
    ("", lambda x, h, c, k, rk, b: x @ k + h @ rk + b, ""),
    ("z without the bias", lambda x, h, c, k, rk, b: x @ k + h @ rk, Z_FIX),
    ("z without h @ recurrent_kernel", lambda x, h, c, k, rk, b: x @ k + b, Z_FIX),
    ("c in place of h in z (c @ recurrent_kernel)", lambda x, h, c, k, rk, b: x @ k + c @ rk + b,
     Z_FIX),
    ("z without x_t @ kernel", lambda x, h, c, k, rk, b: h @ rk + b, Z_FIX),
    ("1 added to z_f", lambda x, h, c, k, rk, b: x @ k + h @ rk + b + np.repeat(
        [0.0, 1.0, 0.0, 0.0], len(b) // 4), FORGET_FIX),
)
GATE_WAYS = (
    ("", _sigmoid, ""),
    ("tanh for the gates i, f, o (sigmoids: values in (0, 1))", np.tanh, GATES_FIX),
    ("a hard sigmoid for the gates i, f, o", lambda v: np.clip(v / 6 + 0.5, 0, 1), GATES_FIX),
    ("a hard sigmoid (0.2·v + 0.5) for the gates i, f, o",
     lambda v: np.clip(0.2 * v + 0.5, 0, 1), GATES_FIX),
    ("sigmoid(-v) for the gates i, f, o (1 / (1 + np.exp(+v)))", lambda v: _sigmoid(-v),
     GATES_FIX),
    ("no activation on the gates i, f, o", lambda v: v, GATES_FIX),
)
CAND_WAYS = (
    ("", np.tanh, ""),
    ("a sigmoid candidate g (tanh: values in (-1, 1))", _sigmoid, CAND_FIX),
    ("no tanh on the candidate g", lambda v: v, CAND_FIX),
)
C_WAYS = (
    ("", lambda f, i, g, c: f * c + i * g, ""),
    ("c_new = i·g: the old c forgotten", lambda f, i, g, c: i * g, C_FIX),
    ("c_new = c + i·g: no forget gate", lambda f, i, g, c: c + i * g, C_FIX),
    ("c_new = f·c + g: no input gate", lambda f, i, g, c: f * c + g, C_FIX),
    ("c_new = f·c + (1 - f)·g", lambda f, i, g, c: f * c + (1 - f) * g, C_FIX),
    ("c_new = f·c·i·g (a product)", lambda f, i, g, c: f * c * i * g, C_FIX),
)
H_WAYS = (
    ("", lambda o, c_new, c, h: o * np.tanh(c_new), ""),
    ("h_new = o·c_new: no tanh on c", lambda o, c_new, c, h: o * c_new, H_FIX),
    ("h_new = tanh(c_new): no output gate", lambda o, c_new, c, h: np.tanh(c_new), H_FIX),
    ("h_new from the OLD c", lambda o, c_new, c, h: o * np.tanh(c), H_FIX),
    ("h_new = c_new (c in place of h)", lambda o, c_new, c, h: c_new, H_FIX),
    ("h_new = o·sigmoid(c_new) (tanh expected)", lambda o, c_new, c, h: o * _sigmoid(c_new),
     H_FIX),
    ("h_new = the h it was given, unchanged", lambda o, c_new, c, h: h, H_FIX),
)


def _cell_ways(x_t, h, c, k, rk, b):
    """Every combination of the parts above, fewest mistakes first: (mistakes, c_new, h_new
    for each way of computing h)."""
    combos = itertools.product(Z_WAYS, GATE_WAYS, CAND_WAYS, C_WAYS)
    for parts in sorted(combos, key=lambda parts: sum(bool(p[0]) for p in parts)):
        (_, z_of, _), (_, act, _), (_, cand, _), (_, update, _) = parts
        with np.errstate(all="ignore"):
            zi, zf, zc, zo = np.split(z_of(x_t, h, c, k, rk, b), 4, axis=-1)
            i, f, o, g = act(zi), act(zf), act(zo), cand(zc)
            c_new = update(f, i, g, c)
            yield [p for p in parts if p[0]], c_new, [
                (way, way[1](o, c_new, c, h)) for way in H_WAYS]


def _close(got, want):
    return got.shape == want.shape and bool(np.all(np.abs(got - want) <= ATOL))


def _fixes(mistakes):
    """The fix lines of ``mistakes``, each once; with their comments only when alone."""
    fixes = list(dict.fromkeys(m[2] for m in mistakes))
    return fixes[0] if len(fixes) == 1 else "; ".join(f.split("   #")[0] for f in fixes)


def _judge_math(x_t, h, c, k, rk, b, got_h, got_c, what):
    """Fail with the mistake that turns the LSTM's equations into your (h, c)."""
    _, want_c, ways = next(_cell_ways(x_t, h, c, k, rk, b))
    want_h = ways[0][1]
    if _close(got_c, want_c):
        for way, h_new in ways[1:]:
            if _close(got_h, h_new):
                fail_with(MATH, f"{what}: the new c is right; the new h is {way[0]}", way[2])
        assert_close(got_h, want_h, f"{what}: the new h (your c is right)", code=MATH,
                     fix=H_FIX + "   # o = sigmoid(z_o)")
        return
    for mistakes, c_new, h_ways in _cell_ways(x_t, h, c, k, rk, b):
        if mistakes and _close(got_c, c_new):
            h_way = next((way for way, h_new in h_ways if _close(got_h, h_new)), None)
            if h_way is None:
                fail_with(MATH, f"{what}: your new c is what the cell gives with "
                          f"{'; '.join(m[0] for m in mistakes)} (and your new h is not what "
                          "those equations give either)", _fixes([*mistakes, H_WAYS[1]]))
            mistakes += [h_way] if h_way[0] else []
            fail_with(MATH, f"{what}: your new h and c are what the cell gives with "
                      f"{'; '.join(m[0] for m in mistakes)}", _fixes(mistakes))
    assert_close(got_c, want_c, f"{what}: the new c (c_new = f·c + i·g)", code=MATH,
                 fix=f"{Z_FIX.split('   #')[0]}; z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1); "
                     f"{GATES_FIX.split('   #')[0]}; {CAND_FIX.split('   #')[0]}; {C_FIX}   "
                     "# sigmoid(v) = 1 / (1 + np.exp(-v))")


# ----------------------------------------------------------------------------- judging


def _frameworks(answer, function):
    used = answer.get("frameworks") or []
    if used:
        fail_with("library_answer", f"{function} ran TensorFlow/Keras code ({'; '.join(used)}): "
                  "this exercise asks for the cell's equations in NumPy; a Keras cell given "
                  "your weights is Keras's answer, not yours", NUMPY_FIX)


def _raised(answer, function):
    line = answer.get("line")
    return f"{function} raised {answer['numpy_error']}" + (f" at `{line}`" if line else "")


def _numpy_error(answer, function, units):
    """Word a NumPy error of the learner's lstm_step: which equation its shapes break."""
    error, line, said = answer["numpy_error"], answer.get("line", ""), _raised(answer, function)
    if "split" in line or "array split" in error:
        fail_with("lstm_gate_count", f"{said}: z is (batch, 4·units), the four gates side by "
                  "side along its LAST axis, units columns each", SPLIT_FIX)
    if f",{4 * units})" in error.replace(" ", "") and "broadcast" in error:
        fail_with("lstm_gate_count", f"{said}: a gate is 4·units = {4 * units} wide where it "
                  f"should hold units = {units} columns: split z along its last axis",
                  SPLIT_FIX)
    if "matmul" in error or "@" in line or "dot(" in line:
        fail_with(MATH, f"{said}: x_t is (batch, features) and kernel (features, 4·units), "
                  "h is (batch, units) and recurrent_kernel (units, 4·units): the inputs come "
                  "first", Z_FIX)
    fail_with(MATH, f"{said}: x_t is (batch, features), h and c (batch, units), kernel "
              "(features, 4·units), recurrent_kernel (units, 4·units), bias (4·units,)", Z_FIX)


def _items(answer, function, count, fix, code, units):
    _frameworks(answer, function)
    if "numpy_error" in answer:
        _numpy_error(answer, function, units)
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
    (batch, _, _), units, x_t = x.shape, rk.shape[0], x[:, 0]
    items = _items(answers[key], "lstm_step", 2, "return h_new, c_new",
                   "initial_state_structure", units)
    for got, name in zip(items, ("h", "c")):
        shape = None if got is None else got.shape
        if shape == (batch, 4 * units):
            fail_with("lstm_gate_count", f"the new {name} is {shape}: 4·units wide, the four "
                      "gates side by side", SPLIT_FIX)
        if shape != (batch, units):
            fail_with("initial_state_units", f"the new {name} is {shape}: (batch, units) = "
                      f"{(batch, units)} is asked for (x_t is {x_t.shape}, h {h.shape})",
                      f"{Z_FIX.split('   #')[0]}; {SPLIT_FIX}")
    got_h, got_c = items
    want_h, want_c = lstm_step(x_t, h, c, k, rk, b)
    if _close(got_h, want_h) and _close(got_c, want_c):
        return
    if _close(got_h, want_c) and _close(got_c, want_h):
        fail_with("return_state_unpacking", "lstm_step returned (c, h)", "return h_new, c_new")
    names = "ifco"
    for order in itertools.permutations(range(4)):
        if order == (0, 1, 2, 3):
            continue
        perm = np.concatenate([np.split(np.arange(4 * units), 4)[j] for j in order])
        if _close(got_c, lstm_step(x_t, h, c, k[:, perm], rk[:, perm], b[perm])[1]):
            fail_with("lstm_gate_count", "your gates are split in the order "
                      f"{', '.join(names[j] for j in order)}; Keras stores them as i, f, c, o",
                      SPLIT_FIX)
    _judge_math(x_t, h, c, k, rk, b, got_h, got_c, "lstm_step")


def _step_verdict(answers, key):
    """The failure of test_one_step on ``key``'s probe, or None when lstm_step is right."""
    try:
        _judge_step(answers, key)
    except pytest.fail.Exception as err:
        return err
    return None


def _defer_to_step(answers, key, said):
    """Fail with test_one_step's verdict when lstm_step is wrong (the unroll inherits it)."""
    step = _step_verdict(answers, key.replace("unroll", "step"))
    if step is not None:
        fail(f"your answer: {said}, and one step of your lstm_step is wrong too: fix lstm_step "
             f"first (test_one_step):\n{step.msg.removeprefix('your answer: ')}",
             *getattr(step, "codes", ()))


def _judge_steps(steps, x, units, *, complete=True):
    """What lstm_unroll handed to lstm_step: the shapes; and when the unroll ``complete``d,
    the timesteps in order, h and c from zeros, each call's states those of the call before."""
    (batch, t, features) = x.shape
    for j, seen in enumerate(steps):
        shapes = [tuple(s) for s in seen["shapes"]]
        if shapes[0] != (batch, features):
            fail_with("swapped_axes", f"call {j} of lstm_step got x_t of shape {shapes[0]}: "
                      f"x is (batch, timesteps, features) = {x.shape}, so timestep t is "
                      f"x[:, t, :], ({batch}, {features})", "x_t = x[:, t, :]   # (batch, "
                      "features)")
        if shapes[1:] != [(batch, units)] * 2:
            fail_with("initial_state_units", f"call {j} of lstm_step got h {shapes[1]} and c "
                      f"{shapes[2]}: both are (batch, units) = {(batch, units)}",
                      "units = recurrent_kernel.shape[0]   # then np.zeros((len(x), units)) "
                      "for h and for c")
    if not complete or not steps or "zeros" not in steps[0]:
        return
    order = [seen["t"] for seen in steps]
    if order != list(range(t)):
        fail_with("swapped_axes", f"lstm_step read the timesteps {order} of x (None: not a "
                  f"timestep of x); the cell reads x[:, 0, :], x[:, 1, :], ... x[:, {t - 1}, :]"
                  ", each once, in order", UNROLL_FIX)
    if steps[0]["zeros"] != [True, True]:
        fail_with("initial_state_structure", "the first call of lstm_step got h and c that "
                  "are not zeros: lstm_unroll starts from zero states", UNROLL_FIX)
    for j, seen in enumerate(steps[1:], start=1):
        if seen["carried"] != [True, True]:
            which = " and ".join(n for n, ok in zip("hc", seen["carried"]) if not ok)
            fail_with("no_temporal_context", f"timestep {j} did not start from the {which} "
                      f"that timestep {j - 1} returned"
                      + (" (it started again from zeros)" if all(seen["zeros"]) else "")
                      + ": the cell carries h and c from one step to the next", UNROLL_FIX)


def _judge_unroll(answers, key):
    from lstm_shapes import lstm_step, lstm_unroll

    x, weights = _question(answers.rng(key), key)
    (batch, t, _), units = x.shape, weights[1].shape[0]
    answer = answers[key]
    _frameworks(answer, "lstm_unroll")
    steps = answer.get("steps") or []
    if "numpy_error" in answer:
        said = _raised(answer, "lstm_unroll")
        if answer.get("function") == "lstm_step":
            _judge_steps(steps, x, units, complete=False)  # its arguments, then the step
            _defer_to_step(answers, key, said)
        if "matmul" in answer["numpy_error"]:
            fail_with("initial_state_units", f"{said}: are h and c (batch, units), with units "
                      "= recurrent_kernel.shape[0]?", "units = recurrent_kernel.shape[0]   # "
                      "then np.zeros((len(x), units)) for h and for c")
        fail_with("swapped_axes", f"{said}: x is (batch, timesteps, features), so timestep t "
                  "is x[:, t, :]", "x_t = x[:, t, :]   # (batch, features)")
    items = _items(answer, "lstm_unroll", 3, RETURN_FIX, "return_state_unpacking", units)
    sequence = items[0]
    shape = None if sequence is None else sequence.shape
    if shape == (t, batch, units) and t != batch:
        fail_with("swapped_axes", f"the sequence is {shape}: (timesteps, batch, units), "
                  "time first", STACK_FIX)
    if shape == (batch, units):
        fail_with("missing_return_sequences", f"the sequence is {shape}: only one h, not one "
                  "per timestep", "hs.append(h) at every timestep, then " + STACK_FIX)
    if shape != (batch, t, units):
        fail_with("wrong_rank", f"the sequence is {shape}: (batch, timesteps, units) = "
                  f"{(batch, t, units)} is asked for (x is {x.shape})", STACK_FIX)
    want, want_h, want_c = lstm_unroll(x, *weights)
    if not _close(sequence, want):
        _judge_steps(steps, x, units)
        _defer_to_step(answers, key, "the sequence differs from the LSTM's")
        restarted = np.concatenate([lstm_unroll(x[:, i:i + 1], *weights)[0]
                                    for i in range(t)], axis=1)
        if t > 1 and _close(sequence, restarted):
            fail_with("no_temporal_context", "every timestep starts again from zero h and c, "
                      "as if each timestep were a sequence of its own: nothing is carried "
                      "from one step to the next", UNROLL_FIX)
        if _close(sequence, _states_over(x, weights, lstm_step)[1]):
            fail_with(MATH, "the sequence holds c at every timestep: the LSTM's output is h",
                      "hs.append(h)   # h, not c, after each lstm_step")
        first = next(j for j in range(t) if not _close(sequence[:, j], want[:, j]))
        where = (f"from timestep {first} on (timesteps 0..{first - 1} are right)" if first
                 else "from the first timestep on (h and c start as zeros, then x[:, 0, :])")
        assert_close(sequence, want, f"your lstm_step is right; the sequence of lstm_unroll "
                     f"differs {where}", code=MATH, fix=UNROLL_FIX)
    for got, want_state, name in ((items[1], want_h, "h"), (items[2], want_c, "c")):
        if got is None or got.shape != (batch, units):
            fail_with("return_state_unpacking", f"the {name} that lstm_unroll returned is "
                      f"{None if got is None else got.shape}: the last {name}, (batch, units) "
                      f"= {(batch, units)}, is asked for", RETURN_FIX)
        if not _close(got, want_state):
            fail_with("return_state_unpacking", f"the {name} that lstm_unroll returned is not "
                      f"the last {name}", RETURN_FIX)


def _states_over(x, weights, step):
    """The h's and c's of the reference cell at every timestep, from zeros."""
    units = weights[1].shape[0]
    h, c = np.zeros((len(x), units)), np.zeros((len(x), units))
    hs, cs = [], []
    for t in range(x.shape[1]):
        h, c = step(x[:, t], h, c, *weights)
        hs.append(h)
        cs.append(c)
    return np.stack(hs, axis=1), np.stack(cs, axis=1)


@pytest.mark.exercise("numpy_cell", points=4)
def test_one_step(answers):
    _judge_step(answers, "step")
    _judge_step(answers, "step_edge")


@pytest.mark.exercise("numpy_cell", points=4)
def test_unrolled_over_the_timesteps_from_zero_states(answers):
    _judge_unroll(answers, "unroll")
    _judge_unroll(answers, "unroll_edge")


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("numpy_cell", points=2)
def test_other_sizes(answers):
    _judge_step(answers, "step_again")
    _judge_unroll(answers, "unroll_again")
### END HIDDEN TESTS
