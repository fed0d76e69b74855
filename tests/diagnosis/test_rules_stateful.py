"""rules_stateful: a fixed batch against the data, with fixes that keep every sample."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from lstm_shapes import check_model

L = keras.layers


def _stateful(batch: int, *, kind: str = "lstm", functional: bool = False) -> keras.Model:
    rnn = {"lstm": L.LSTM, "gru": L.GRU}[kind](6, stateful=True, return_sequences=True)
    if functional:
        i = keras.Input(batch_shape=(batch, 9, 2))
        model = keras.Model(i, L.Dense(1)(rnn(i)))
    else:
        model = keras.Sequential([keras.Input(batch_shape=(batch, 9, 2)), rnn, L.Dense(1)])
    model.compile("adam", "mse")
    return model


def _data(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 9, 2)).astype("float32"), np.zeros((n, 9, 1), "float32")


@pytest.mark.parametrize(("batch", "n", "fit_batch", "kind", "functional"), [
    (12, 10, 5, "lstm", False),  # fewer samples than one batch: trimming would empty x
    (8, 6, None, "gru", True),
    (4, 10, None, "lstm", True),  # 2 left over
])
def test_a_fixed_batch_the_data_cannot_fill_gets_a_proven_batch_that_keeps_every_sample(
        batch: int, n: int, fit_batch: int | None, kind: str, functional: bool) -> None:
    x, y = _data(n)
    report = check_model(_stateful(batch, kind=kind, functional=functional), x, y,
                         batch_size=fit_batch)
    assert report.codes == ["stateful_batch"], str(report)
    fix = report.findings[0].fix
    assert "x[:0]" not in fix and "batch_shape=(" in fix, fix
    b = int(fix.split("batch_shape=(")[1].split(",")[0])
    assert n % b == 0 and b <= batch and (fit_batch is None or b == fit_batch), fix
    fixed = keras.models.clone_model(_stateful(batch, kind=kind),
                                     input_tensors=keras.Input(batch_shape=(b, 9, 2)))
    fixed.compile("adam", "mse")
    fixed.fit(x, y, batch_size=b, epochs=1, shuffle=False, verbose=0)  # the promise holds
    if n > batch:
        assert f"drops the last {n % batch} samples" in fix


def test_a_fit_batch_that_differs_from_a_fitting_fixed_batch_says_fit_with_it() -> None:
    x, y = _data(12)
    report = check_model(_stateful(4), x, y, batch_size=32)
    assert report.codes == ["stateful_batch"], str(report)
    assert report.findings[0].fix == "fit(..., batch_size=4, shuffle=False)"


def test_a_fixed_batch_the_data_fills_is_quiet() -> None:
    x, y = _data(12)
    assert check_model(_stateful(4), x, y, batch_size=4).findings == []
    assert check_model(_stateful(3, functional=True), x, y).findings == []
