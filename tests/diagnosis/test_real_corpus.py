"""The real-mistake corpus is what it says (issue 13, item 7).

Each broken case fails in today's Keras exactly when it is recorded as loud (at build,
compile or a one-epoch fit) and trains silently otherwise; each fixed version and each
correct model trains one epoch to a finite loss. Names are unique, sources are public
addresses, codes are known. Whether today's diagnosis detects the mistakes is measured by
benchmarks/bench_real_mistakes.py, never asserted here.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest
from corpus.real_mistakes import (
    FAMILIES,
    NEW_CODES,
    CorrectModel,
    RealCase,
    all_cases,
    all_correct,
)

CASES = all_cases()
CORRECT = all_correct()
URL = re.compile(r"^https://\S+$")
# Errors of the corpus's own code, never the Keras refusal a loud case records.
CORPUS_BUGS = (NameError, ImportError, SyntaxError, UnboundLocalError)


@pytest.fixture(autouse=True)
def _fresh_keras():
    import keras

    keras.utils.clear_session()
    keras.utils.set_random_seed(0)
    yield


def _train(build) -> float:
    model, x, y, fit_kwargs = build()
    history = model.fit(x, y, epochs=1, verbose=0, **fit_kwargs)
    return float(history.history["loss"][-1])


def test_the_corpus_is_large_and_covers_every_family() -> None:
    assert len(CASES) >= 100 and len(CORRECT) >= 30
    assert {c.family for c in CASES} == set(FAMILIES)
    assert sum(not c.loud for c in CASES) >= 25  # the silent ones are the point
    for family, count in Counter(c.family for c in CASES).items():
        assert count >= 3, family


def test_names_are_unique_and_families_known() -> None:
    names = [c.name for c in CASES] + [m.name for m in CORRECT]
    assert len(names) == len(set(names)), [n for n, k in Counter(names).items() if k > 1]
    assert all(isinstance(c, RealCase) and c.family in FAMILIES for c in CASES)
    assert all(isinstance(m, CorrectModel) and m.family in FAMILIES for m in CORRECT)


def test_every_source_is_a_public_address_and_every_symptom_is_told() -> None:
    for item in [*CASES, *CORRECT]:
        assert URL.match(item.source), (item.name, item.source)
    for case in CASES:
        assert len(case.symptom) > 20, case.name


def test_codes_are_known() -> None:
    from lstm_shapes import MISCONCEPTIONS

    known = set(MISCONCEPTIONS) | set(NEW_CODES)
    for case in CASES:
        assert case.code in known, (case.name, case.code)
        assert set(case.accept) <= known, (case.name, case.accept)
        assert case.code not in case.accept, case.name
    # A new code is only for a mistake none of the shared vocabulary names, and is used.
    assert not set(NEW_CODES) & set(MISCONCEPTIONS)
    used = {c.code for c in CASES} | {a for c in CASES for a in c.accept}
    assert set(NEW_CODES) <= used


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_broken_version_is_loud_or_silent_as_recorded(case: RealCase) -> None:
    if case.loud:
        with pytest.raises(Exception) as raised:
            _train(case.broken)
        assert not isinstance(raised.value, CORPUS_BUGS), raised.value
    else:
        _train(case.broken)  # silent: one epoch without an exception


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_fixed_version_trains(case: RealCase) -> None:
    assert math.isfinite(_train(case.fixed))


@pytest.mark.slow
@pytest.mark.parametrize("model", CORRECT, ids=[m.name for m in CORRECT])
def test_the_correct_model_trains(model: CorrectModel) -> None:
    assert math.isfinite(_train(model.build))
