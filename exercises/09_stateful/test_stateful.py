"""Tests of exercise 9 (stateful).

The probes measure your model where it runs (so Sequential, functional and subclassed
models are judged alike): its declared input, its stateful layers, its weights and what it
outputs when fed a long sequence chunk by chunk. ``run_in_chunks`` gets a stateful model
whose LSTM records every call it receives.
"""

import numpy as np
import pytest

from lstm_shapes.exercises import assert_shape, fail_with

OFF_LIMITS = ("build_stateful_lstm",)  # the library's answer: refused while the probes run

BATCH_FIX = "keras.Input((timesteps, 1), batch_size=batch_size)"
STATEFUL_FIX = f"keras.layers.LSTM(units, stateful=True)   # after {BATCH_FIX}"
CHUNKS_FIX = ("for start in range(0, long_x.shape[1], timesteps): out = model(long_x[:, start:"
              "start + timesteps])   # timesteps = model.inputs[0].shape[1]")
ATOL = 1e-5  # float32 against float32; a state left over or lost moves the output > 1e-3
RESET_FIX = ("call reset_state() on the stateful LSTM layer (model.layers[0].reset_state() in "
             "a Sequential model) once, before the first chunk")


def _sizes(rng, key):
    """(batch, timesteps, units, chunks): random and different from each other (so a mix-up
    shows), and the edge cases the text allows: a batch of one, one timestep, one chunk."""
    batch = int(rng.integers(2, 9 if key.endswith("again") else 6))
    t, units = (int(v) for v in rng.choice([v for v in range(3, 13 if key.endswith("again")
                                                             else 10) if v != batch], 2,
                                           replace=False))
    k = int(rng.integers(2, 5 if key.endswith("again") else 4))
    if key == "model_edge":  # one sequence, one timestep per chunk
        batch, t = 1, 1
    if key == "chunks_edge":  # one sequence, one chunk
        batch, k = 1, 1
    return batch, t, units, k


def _question(rng, key):
    """The sizes, a long input, weights, and another sequence the states held before."""
    batch, t, units, k = _sizes(rng, key)
    x = rng.normal(size=(batch, k * t, 1)).astype("float32")
    weights = [rng.normal(scale=0.2, size=s).astype("float32") for s in
               ((1, 4 * units), (units, 4 * units), (4 * units,), (units, 1), (1,))]
    weights[2][units:2 * units] += 6.0  # forget gates near 1: the states carry over chunks,
    weights[3] = (np.sign(weights[3]) * (0.5 + np.abs(weights[3]))).astype("float32")
    dirt = 2 * rng.normal(size=(batch, t, 1)).astype("float32")  # so a state left over shows
    return batch, t, units, x, weights, dirt


def _code(wanted, fallback):
    """``wanted`` once the library's catalogue has it (asked for), else ``fallback``."""
    from lstm_shapes import MISCONCEPTIONS

    return wanted if wanted in MISCONCEPTIONS else fallback


CHUNK_ORDER = _code("chunk_order", "stateful_reset")  # chunks not in time order, each once


def _reference_model(weights, units, stateful=False, batch=None, timesteps=None):
    import keras

    model = keras.Sequential([keras.Input((timesteps, 1), batch_size=batch),
                              keras.layers.LSTM(units, stateful=stateful),
                              keras.layers.Dense(1)])
    model.set_weights(weights)
    return model


def _sublayers(model):
    try:
        return list(model._flatten_layers(include_self=False))
    except (AttributeError, TypeError):  # not a Keras model: only what it lists
        return list(getattr(model, "layers", []))


def _measure(model, t, x):
    """What a model built by build_stateful does with x, fed chunk by chunk of t steps."""
    answer = {"declared": None, "stateful": 0, "outputs": None, "error": None,
              "state_rows": [], "go_backwards": False}
    try:
        answer["declared"] = [None if d is None else int(d) for d in model.inputs[0].shape]
    except (AttributeError, IndexError, TypeError, ValueError):
        pass  # a subclassed model declares no input: its calls tell
    layers = _sublayers(model)
    stateful = [layer for layer in layers if getattr(layer, "stateful", False)]
    answer["stateful"] = len(stateful)
    answer["go_backwards"] = any(getattr(layer, "go_backwards", False) is True
                                 for layer in layers)
    for layer in stateful:  # the rows its states were built for: the batch it fixed
        states = getattr(layer, "states", None)
        if states is not None:
            answer["state_rows"].append(int(np.shape(states[0])[0]))
    try:
        for layer in stateful:
            if getattr(layer, "states", None) is not None:
                layer.reset_state()
        answer["outputs"] = [np.asarray(model(x[:, s:s + t]), dtype=float).tolist()
                             for s in range(0, x.shape[1], t)]
    except Exception as err:  # noqa: BLE001 - the test names it
        answer["error"] = _explained(err) or {"code": None, "message": str(err)}
    answer["weights"] = [[str(getattr(w, "path", w.name)), np.asarray(w).tolist()]
                         for w in model.weights]
    return answer


def _explained(err):
    """``{code, message}`` of a Keras error the library explains, else None."""
    from lstm_shapes.diagnosis.translate import translate

    explained = translate(err)
    if explained is None or not isinstance(getattr(explained, "code", None), str):
        return None
    return {"code": explained.code, "message": str(explained)}


def _build(module, rng, key):
    batch, t, units, x, _, _ = _question(rng, key)
    try:
        model = module.build_stateful(batch, t, units)
    except Exception as err:
        explained = _explained(err)
        if explained is None:
            raise
        return {"build_error": explained}  # judged in your terms below
    return _measure(model, t, x)


def probe_model(module, rng):
    return _build(module, rng, "model")


def probe_model_edge(module, rng):
    return _build(module, rng, "model_edge")


def _run(module, rng, key):
    """Two runs of run_in_chunks on a stateful model that saw another sequence before."""
    batch, t, units, x, weights, dirt = _question(rng, key)
    model = _reference_model(weights, units, True, batch, t)
    model.run_eagerly = True  # predict() too calls the layer in Python: every call is seen
    lstm, calls = model.layers[0], []
    call = lstm.call

    def recording(sequences, *args, **kwargs):
        try:
            seen = np.asarray(sequences)
            n = seen.shape[1]
            start = next((s for s in range(x.shape[1] - n + 1) if seen.shape == (
                len(x), n, 1) and np.allclose(seen, x[:, s:s + n], rtol=0, atol=1e-7)), None)
            calls.append([*(int(d) for d in seen.shape), start])
        except Exception:  # noqa: BLE001 - traced (a compiled predict): its shape only
            calls.append([*(None if d is None else int(d) for d in sequences.shape), "traced"])
        return call(sequences, *args, **kwargs)

    lstm.call = recording
    model(dirt)  # the states now hold another sequence's h and c
    runs = []
    for _ in range(2):
        calls.clear()
        try:
            out = module.run_in_chunks(model, x)
        except AttributeError as err:
            if "reset_states" in str(err):
                return {"reset_states": str(err)}
            raise
        except Exception as err:
            explained = _explained(err)
            if explained is None:
                raise
            return {"call_error": explained}
        runs.append({"numpy": isinstance(out, np.ndarray), "type": type(out).__name__,
                     "out": np.asarray(out, dtype=float).tolist(), "calls": list(calls)})
    return {"runs": runs}


def probe_chunks(module, rng):
    return _run(module, rng, "chunks")


def probe_chunks_edge(module, rng):
    return _run(module, rng, "chunks_edge")


def _model_answer(answers, key):
    """The measurements of build_stateful's model; fails on a build error, in your terms."""
    answer = answers[key]
    error = answer.get("build_error")
    if error is not None:
        said = error["message"].splitlines()[0]
        if error["code"] in ("stateful_batch", "batch_in_input_shape"):
            fail_with(error["code"], f"build_stateful raised: {said}", BATCH_FIX)
        fail_with(error["code"], f"build_stateful raised: {error['message']}")
    return answer


def _judge_stateful(answers, key):
    batch, t, _, _, _, _ = _question(answers.rng(key), key)
    answer = _model_answer(answers, key)
    if not answer["stateful"]:
        fail_with("stateful_reset", "no layer of the model is stateful: every call starts "
                  "from zero h and c, as if reset before each chunk, so the chunks are not one "
                  "sequence", STATEFUL_FIX)
    declared = answer["declared"]
    if declared is not None:  # a subclassed model declares none: its states tell (below)
        if len(declared) == 3 and declared[0] != batch:
            fail_with("stateful_batch", f"the input is declared {tuple(declared)}: its batch "
                      f"is {declared[0]}, not the batch_size argument ({batch})", BATCH_FIX)
        if declared[1:] != [t, 1]:
            code = "swapped_axes" if declared[1:] == [1, t] else "input_shape_data_mismatch"
            fail_with(code, f"the input is declared {tuple(declared)}: (batch_size, "
                      f"timesteps, 1) = {(batch, t, 1)} is asked for", BATCH_FIX)
    _judge_state_rows(answer, batch)


def _judge_state_rows(answer, batch):
    """The stateful layers' states hold batch_size rows (the batch they were built for)."""
    rows = [n for n in answer["state_rows"] if n != batch]
    if rows:
        fix = BATCH_FIX if answer["declared"] is not None else (
            "model(np.zeros((batch_size, timesteps, 1)))   # the first call builds the states: "
            "batch_size rows")
        fail_with("stateful_batch", f"the stateful LSTM's states hold {rows[0]} rows: its "
                  f"batch was fixed at {rows[0]}, not at the batch_size argument ({batch}), so "
                  f"a batch of batch_size sequences does not fit", fix)
    error = answer["error"]
    if error is not None and error["code"] == "stateful_batch":
        fail_with("stateful_batch", f"the model refused a batch of batch_size ({batch}) "
                  "sequences: its stateful layer was built for another batch", BATCH_FIX)


def _weights(answer, units, t):
    """The LSTM's and the Dense's weights, in Sequential order; fails when they do not fit."""
    weights = [(path, np.asarray(w, dtype="float32")) for path, w in answer["weights"]]
    kernels = [w.shape for path, w in weights
               if path.endswith("recurrent_kernel") and w.ndim == 2]
    if len(kernels) != 1:
        fail_with("model_layers", f"the model holds {len(kernels)} recurrent layers: one "
                  "stateful LSTM is asked for", STATEFUL_FIX)
    n, gates = kernels[0][0], kernels[0][1] // max(kernels[0][0], 1)
    if gates != 4:
        fail_with("lstm_gate_count", f"the recurrent layer has {gates} gates, an LSTM has 4",
                  STATEFUL_FIX)
    if n != units:
        code, same = ("units_equals_timesteps", " (= timesteps)") if n == t else (
            "dimension_mismatch", "")
        fail_with(code, f"the LSTM has {n} units{same}; the units argument is {units}",
                  STATEFUL_FIX)
    by_shape = {w.shape: w for _, w in weights}
    want = [(1, 4 * units), (units, 4 * units), (4 * units,), (units, 1), (1,)]
    if sorted(w.shape for _, w in weights) != sorted(want) or len(by_shape) != len(want):
        fail_with("output_width_mismatch", "the model's weights are "
                  f"{[w.shape for _, w in weights]}: LSTM(units) -> Dense(1) has {want}",
                  "keras.layers.Dense(1)   # right after the LSTM")
    return [by_shape[s] for s in want]


def _judge_structure(answers, key):
    batch, t, units, x, _, _ = _question(answers.rng(key), key)
    answer = _model_answer(answers, key)
    error = answer["error"]
    _judge_state_rows(answer, batch)
    if error is not None:  # the input it was declared for is not (batch_size, timesteps, 1)
        fail_with(error["code"] or "input_shape_data_mismatch", "the model refused chunks of "
                  f"(batch_size, timesteps, 1) = {(batch, t, 1)}: "
                  f"{error['message'].splitlines()[0]}", BATCH_FIX)
    last = np.asarray(answer["outputs"][-1])
    if last.ndim == 3:
        fail_with("sequence_output_vs_last_target", f"the model outputs {last.shape}: one "
                  "value per timestep", "keras.layers.LSTM(units, stateful=True)   # without "
                  "return_sequences: one output per sequence")
    if last.ndim == 2 and last.shape[0] == batch and last.shape[1] != 1:
        fail_with("output_width_mismatch", f"the model outputs {last.shape}: "
                  f"{last.shape[1]} values per sequence, not 1", "keras.layers.Dense(1)   # "
                  "right after the LSTM")
    assert_shape(last, "batch outputs", "model(chunk)", batch=batch, outputs=1)
    weights = _weights(answer, units, t)
    whole = np.asarray(_reference_model(weights, units)(x))
    if np.allclose(last, whole, atol=ATOL):
        return
    fresh = np.asarray(_reference_model(weights, units)(x[:, -t:]))
    if np.allclose(last, fresh, atol=ATOL) and t < x.shape[1]:
        fail_with("stateful_reset", "after the last chunk the model output what a fresh model "
                  "outputs on that chunk alone: its h and c did not carry over", STATEFUL_FIX)
    if answer["go_backwards"]:
        fail_with("model_layers", "the LSTM reads each chunk backwards (go_backwards=True): "
                  "chunk after chunk, the sequence then runs neither forwards nor backwards",
                  STATEFUL_FIX + "   # no go_backwards")
    fail_with("model_layers", "after the chunks the model's output differs from LSTM(units) "
              "-> Dense(1) (with its weights) on the whole sequence: Input((timesteps, 1), "
              "batch_size=batch_size) -> LSTM(units, stateful=True) -> Dense(1) is asked for",
              STATEFUL_FIX)


def _runs(answers, key):
    answer = answers[key]
    if "reset_states" in answer:
        fail_with("stateful_reset", f"run_in_chunks raised AttributeError: "
                  f"{answer['reset_states']}: Keras 3 resets a stateful layer, not a model",
                  RESET_FIX)
    error = answer.get("call_error")
    if error is not None:
        said = error["message"].splitlines()[0]
        if error["code"] == "stateful_batch":  # e.g. predict(chunk, batch_size=1)
            fail_with("stateful_batch", f"run_in_chunks raised: {said}: the model's states "
                      "hold len(long_x) rows, so every call must pass all of them",
                      "out = model(long_x[:, start:start + timesteps])   # all rows at once")
        fail_with(error["code"], f"run_in_chunks raised: {error['message']}")
    return answer["runs"]


def _judge_calls(answers, key):
    batch, t, _, x, _, _ = _question(answers.rng(key), key)
    starts = list(range(0, x.shape[1], t))
    for run in _runs(answers, key):
        calls = run["calls"]
        if not calls:
            fail_with(CHUNK_ORDER, "run_in_chunks never called the model", CHUNKS_FIX)
        for shape in calls:
            if shape[1] != t:
                fail_with("input_shape_data_mismatch", f"run_in_chunks called the model on "
                          f"{tuple(shape[:3])}: the model reads chunks of its {t} timesteps, "
                          f"and long_x has {x.shape[1]}", CHUNKS_FIX)
        got = [shape[3] for shape in calls]
        if got != starts and "traced" not in got:  # a traced call shows its shape only
            what = ("in reverse: the states then carry the END of the sequence into its "
                    "start" if got == starts[::-1] and len(got) > 1 else
                    "not one after the other, each once")
            fail_with(CHUNK_ORDER, f"the chunks started at steps {got} of long_x, {what}; "
                      f"in time order they start at {starts}", CHUNKS_FIX)


def _judge_values(answers, key):
    batch, t, units, x, weights, dirt = _question(answers.rng(key), key)
    runs = _runs(answers, key)
    for i, run in enumerate(runs):
        got = np.asarray(run["out"])
        assert_shape(got, "batch outputs", "run_in_chunks(model, long_x)", batch=batch,
                     outputs=1)
        whole = np.asarray(_reference_model(weights, units)(x))
        if np.allclose(got, whole, atol=ATOL):
            continue
        before = ([dirt, x], [dirt, x, x], [x, x])  # not reset, or reset in the first run only
        if any(np.allclose(got, _reference_model(weights, units)(np.concatenate(seqs, axis=1)),
                           atol=ATOL) for seqs in before):
            fail_with("stateful_reset", f"{'the first' if i == 0 else 'a second'} run "
                      "started from the h and c the model held before it", RESET_FIX)
        if np.allclose(got, _reference_model(weights, units)(x[:, -t:]), atol=ATOL):
            fail_with("stateful_reset", "the result is that of the last chunk alone: the "
                      "states were reset between the chunks", RESET_FIX)
        for j in range(x.shape[1] // t - 1):  # the prediction after an earlier chunk
            if np.allclose(got, _reference_model(weights, units)(x[:, :(j + 1) * t]),
                           atol=ATOL):
                fail_with("wrong_measurement", f"the result is the prediction after chunk "
                          f"{j + 1} of {x.shape[1] // t}, not after the last one",
                          "return np.asarray(out)   # out: the model's output on the LAST "
                          "chunk, after all the others")
        chunks = [x[:, s:s + t] for s in range(0, x.shape[1], t)]
        if len(chunks) > 1 and np.allclose(got, _reference_model(weights, units)(
                np.concatenate(chunks[::-1], axis=1)), atol=ATOL):
            fail_with(CHUNK_ORDER, "the result is that of the chunks fed last to first",
                      CHUNKS_FIX)
        starts = [call[3] for call in run["calls"]]
        if starts != list(range(0, x.shape[1], t)) and "traced" not in starts:
            fail_with(CHUNK_ORDER, "the result differs from one call on the whole "
                      "sequence: the chunks did not go in one after the other, each once",
                      CHUNKS_FIX)
        fail_with("wrong_measurement", "the chunks went in in order, but the result differs "
                  "from one call on the whole sequence: return the model's prediction after "
                  "the LAST chunk", "return np.asarray(out)   # out = model(last chunk), "
                  "after all the others")
    if not runs[0]["numpy"]:
        fail_with("not_numpy", f"run_in_chunks returned an object of type {runs[0]['type']}"
                  ", not a NumPy array", "return np.asarray(out)")


@pytest.mark.exercise("stateful", points=2)
def test_the_model_is_stateful_with_a_fixed_batch(answers):
    _judge_stateful(answers, "model")
    _judge_stateful(answers, "model_edge")


@pytest.mark.exercise("stateful", points=2)
def test_the_model_is_a_stateful_lstm_of_units_then_dense_1(answers):
    _judge_structure(answers, "model")
    _judge_structure(answers, "model_edge")


@pytest.mark.exercise("stateful", points=2)
def test_the_chunks_go_in_one_by_one_in_order(answers):
    _judge_calls(answers, "chunks")
    _judge_calls(answers, "chunks_edge")


@pytest.mark.exercise("stateful", points=3)
def test_states_reset_then_chunks_equal_one_call_on_the_whole_sequence(answers):
    _judge_values(answers, "chunks")
    _judge_values(answers, "chunks_edge")


# other sizes for the hidden tests (probes are never hidden: the grader runs the released
# copy's probes, so a probe inside the hidden block would never run)
def probe_model_again(module, rng):
    return _build(module, rng, "model_again")


def probe_chunks_again(module, rng):
    return _run(module, rng, "chunks_again")


### BEGIN HIDDEN TESTS
@pytest.mark.exercise("stateful", points=1)
def test_other_sizes(answers):
    for judge in (_judge_stateful, _judge_structure):
        judge(answers, "model_again")
    for judge in (_judge_calls, _judge_values):
        judge(answers, "chunks_again")
### END HIDDEN TESTS
