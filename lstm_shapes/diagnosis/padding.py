"""Is this data zero-padded? Variable-length sequences padded with all-zero timesteps.

``keras.utils.pad_sequences`` (and hand-made padding) gives every short sequence a run of
timesteps that are exactly 0 in EVERY feature, at its end (``padding="post"``) or its start
(``padding="pre"``, the default), of a different length per sequence. That is the evidence
:func:`find_padding` looks for, and the reasons ordinary data does not show it:

* sensor data with some zeros: a timestep is padding only when all its features are 0, and
  zeros that occur by chance sit inside sequences as often as at their ends;
* one-hot sequences: a real step has a 1 somewhere; only padding is all-zero;
* token ids where 0 is a real token: its zeros are spread through the sequences, so runs of
  two or more at the ends are as rare as chance makes them;
* sliding windows over a series with zero stretches (rain, sales): runs reach both ends.

So a side counts as padded when at least two sequences end (or start) with a run of two or
more zero steps, the runs have different lengths, the other end shows at most a quarter as
many such runs, and zero steps inside the sequences are too rare to make those runs by
chance (at the inner rate ``q`` a run of two happens to ``N·q²`` rows; padding needs ten
times that). Two padded sequences concatenated on time (a pre-padded question and a
post-padded answer) pad BOTH ends: ``side == "both"`` when each end alone qualifies and no
zero step occurs inside.

The padding is ``certain`` (not a judgement) when no all-zero step occurs anywhere but in
those end runs, at least three sequences are padded, and the rows are not stride-1 windows
of one series (a series that ends in a zero stretch gives windows with growing zero tails).

>>> import numpy as np
>>> x = np.ones((4, 6, 2)); x[0, 4:] = 0; x[1, 2:] = 0
>>> pad = find_padding(x)
>>> pad.side, pad.lengths.tolist()
('post', [2, 4, 0, 0])
>>> find_padding(np.ones((4, 6, 2))) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Padding:
    """Where the padding of ``x`` is: ``side`` "post" or "pre", ``lengths`` per row."""

    side: str  # "post", "pre" or "both"
    lengths: np.ndarray  # padded timesteps per row (0: a full-length sequence)
    certain: bool = False  # zeros only in the end runs of 3+ independent sequences
    pre: np.ndarray | None = None  # side "both": the leading run per row (lengths: trailing)

    def steps(self, timesteps: int) -> np.ndarray:
        """A boolean (rows, timesteps) array: True at every padded timestep."""
        index = np.arange(timesteps)[None, :]
        if self.side == "both":
            return (index >= timesteps - self.lengths[:, None]) | (index < self.pre[:, None])
        if self.side == "post":
            return index >= timesteps - self.lengths[:, None]
        return index < self.lengths[:, None]

    def describe(self, name: str = "x") -> str:
        if self.side == "both":
            return (f"{self.rows} of {len(self.lengths)} sequences of {name} start or end "
                    "with all-zero timesteps, and none occurs inside: padded sequences "
                    "joined on the time axis (pre-padding at the start, post-padding at "
                    "the end)")
        padded = self.lengths[self.lengths > 0]
        return (f"{self.rows} of {len(self.lengths)} sequences of {name} "
                f"{'end' if self.side == 'post' else 'start'} with all-zero timesteps "
                f"({int(padded.min())} to {int(padded.max())} of them): "
                f"{self.side}-padding of variable-length sequences")

    @property
    def rows(self) -> int:
        """How many sequences are padded (side \"both\": at either end)."""
        both = self.lengths if self.pre is None else self.lengths + self.pre
        return int((both > 0).sum())


def _leading_runs(zero: np.ndarray) -> np.ndarray:
    """Per row of a boolean (rows, timesteps) array: how many leading steps are True."""
    return np.where(zero.all(axis=1), zero.shape[1], np.argmin(zero, axis=1))


def zero_steps(x: np.ndarray) -> np.ndarray:
    """A boolean (rows, timesteps) array: True where every feature of the step is 0."""
    x = np.asarray(x)
    return (x == 0).reshape(x.shape[0], x.shape[1], -1).all(axis=2)


def find_padding(x: np.ndarray) -> Padding | None:
    """The zero-padding of ``x`` ((batch, timesteps, ...) values or (batch, timesteps) ids),
    or None when ``x`` does not look padded (see the module docstring for the evidence)."""
    x = np.asarray(x)
    if x.ndim < 2 or x.shape[0] < 2 or x.shape[1] < 3 or x.dtype.kind not in "biuf":
        return None
    zero = zero_steps(x)
    if zero.sum() < 4:
        return None
    rows, steps = zero.shape
    pre, post = _leading_runs(zero), _leading_runs(zero[:, ::-1])
    empty = zero.all(axis=1)  # a sequence of length 0: padding only, on both sides
    inner = (np.arange(steps)[None, :] >= pre[:, None]) & \
        (np.arange(steps)[None, :] < steps - post[:, None])
    q = float(zero[inner].mean()) if inner.any() else 0.0
    sure = q == 0 and not _windows(x)
    varied = {side: int(((runs >= 2) & ~empty).sum()) >= 2 and len(set(runs[~empty].tolist()))
              >= 2 for side, runs in (("post", post), ("pre", pre))}
    for side, runs, other in (("post", post, pre), ("pre", pre, post)):
        long_runs = int(((runs >= 2) & ~empty).sum())
        other_runs = int(((other >= 2) & ~empty).sum())
        if not varied[side] or long_runs < 10 * rows * q * q:
            continue
        if other_runs * 4 > long_runs:
            if sure and all(varied.values()):  # padded sequences joined on time
                both = int(((runs + other > 0) & ~empty).sum())
                return Padding("both", np.where(empty, steps, post), both >= 3,
                               np.where(empty, 0, pre))
            continue
        padded = int(((runs > 0) & ~empty).sum())
        return Padding(side, np.where(empty, steps, runs), sure and padded >= 3)
    return None


def _windows(x: np.ndarray) -> bool:
    """Are the rows stride-1 windows of one series (row i+1 is row i moved by one step)?"""
    s = x[:512].reshape(min(len(x), 512), x.shape[1], -1)
    return len(s) > 2 and bool(np.array_equal(s[1:, :-1], s[:-1, 1:]))
