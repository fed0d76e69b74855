"""Real mistakes with recurrent Keras models, rebuilt from public reports, and correct models.

Each ``RealCase`` comes from one public report (``source``: the issue, thread or page where
the poster showed it; ``symptom``: what they saw) and rebuilds the poster's mistake as small
runnable Keras 3 code: ``broken()`` and ``fixed()`` each return ``(model, x, y, fit_kwargs)``
(x/y arrays, lists/dicts of arrays, or a ``tf.data.Dataset`` with y None), ready for
``model.fit(x, y, epochs=1, **fit_kwargs)``. ``loud`` records whether today's Keras raises at
build, compile or a one-epoch fit of the broken version (measured, and re-measured by
tests/diagnosis/test_real_corpus.py); ``code`` is the misconception a correct diagnosis names
(``accept``: other codes that are right too). ``fixed`` is the real fix (a maintainer's answer
or the evident change), never a reshape that scrambles data nor a fix that throws data or
state away.

``CorrectModel`` is a model that is right as it stands (a documented example, or a posted
model that Keras 3 trains as intended): no diagnosis may raise an error on it.

The cases live one module per family (``FAMILIES``); ``all_cases()`` / ``all_correct()``
collect them. This is the measuring stick of issue 13; benchmarks/bench_real_mistakes.py
measures today's diagnosis with it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Built = tuple[Any, Any, Any, dict]

FAMILIES: tuple[str, ...] = (
    "beyond_3d",      # ConvLSTM1D/2D, TimeDistributed CNNs, frames and channels
    "masking",        # padding, masks made and dropped
    "lambda_custom",  # Lambda slicing, hand-written attention and custom ops
    "targets",        # targets against outputs and losses
    "states",         # initial_state, return_state, Bidirectional states
    "rnn_variants",   # GRU, SimpleRNN, Bidirectional merge modes
    "seq2seq",        # encoder-decoder models and attention between them
    "multi_io",       # several inputs or outputs
    "subclassed",     # subclassed models and custom recurrent layers
    "datasets",       # tf.data, timeseries_dataset_from_array, windows and their targets
    "stateful",       # stateful RNNs: fixed batch, predict with another batch size
    "input_shapes",   # input_shape with the batch, 2-D input, ranks, units vs timesteps, stacks
)

# Misconceptions the corpus needs that lstm_shapes.MISCONCEPTIONS does not name yet.
NEW_CODES: dict[str, str] = {
    # every code the corpus names is in lstm_shapes.core.codes now
}


@dataclass(frozen=True)
class RealCase:
    """One real mistake: where it was reported, what the poster saw, broken and fixed builds."""

    name: str
    family: str
    source: str
    symptom: str
    code: str
    loud: bool
    broken: Callable[[], Built]
    fixed: Callable[[], Built]
    accept: tuple[str, ...] = field(default=())
    note: str = ""


@dataclass(frozen=True)
class CorrectModel:
    """A model that is right as it stands; no diagnosis may report an error on it."""

    name: str
    family: str
    source: str
    build: Callable[[], Built]


def _modules() -> list[Any]:
    return [importlib.import_module(f"{__name__}.{family}") for family in FAMILIES]


def all_cases() -> list[RealCase]:
    """Every real mistake, family by family (each module's ``CASES``)."""
    return [case for module in _modules() for case in module.CASES]


def all_correct() -> list[CorrectModel]:
    """Every correct model, family by family (each module's ``CORRECT``)."""
    return [model for module in _modules() for model in getattr(module, "CORRECT", [])]
