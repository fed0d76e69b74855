"""The shape story of the series: one table for the READMEs and the notebooks; takeaways.

After an exercise passes, ``check`` closes with its takeaway: the ``takeaway`` field of its
manifest entry, exactly as written, or nothing when it has none. (Takeaways guessed from an
exercise's title and hints were wrong too often -- a keyword is not a lesson -- so each
exercise says its own in ``info.toml``.)

>>> from types import SimpleNamespace as Entry
>>> print(takeaway(Entry(takeaway="units is the size of h and c: (batch, units).")))
units is the size of h and c: (batch, units).
>>> takeaway(Entry(takeaway=""))
''
"""

from __future__ import annotations

import re
from typing import Any

# (tensor, shape, note)
ROWS = (
    ("LSTM input", "(batch, timesteps, features)", "three axes, even for one feature"),
    ("hidden state h, cell state c", "(batch, units)",
     "units = size of h and c, NOT the number of timesteps"),
    ("output, return_sequences=False", "(batch, units)", "equals the last h"),
    ("output, return_sequences=True", "(batch, timesteps, units)",
     "needed by the next stacked LSTM"),
    ("LSTM weights", "kernel (features, 4·units), recurrent kernel (units, 4·units), "
     "bias (4·units,)", "4 gates, in Keras's order i, f, c, o"),
)
UNROLLED = "One LSTM cell is unrolled over timesteps; there are not timesteps cells."


def _code(text: str) -> str:
    """Shapes and arguments in backticks, for markdown."""
    return re.sub(r"(\([^()]*(?:\([^()]*\))?[^()]*\)|return_sequences=\w+|\bunits\b)",
                  r"`\1`", text)


SHAPE_STORY = "\n".join([
    "| tensor | shape | note |", "|---|---|---|",
    *(f"| {_code(tensor)} | {_code(shape)} | {_code(note)} |"
      for tensor, shape, note in ROWS),
    "", UNROLLED.replace("timesteps", "`timesteps`")])


def takeaway(exercise: Any) -> str:
    """What ``exercise`` taught, shown after it passes: its ``takeaway``, exactly ('' when
    it has none)."""
    return getattr(exercise, "takeaway", "") or ""
