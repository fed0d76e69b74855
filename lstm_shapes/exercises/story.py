"""The shape story of the series: one table for the READMEs, the notebooks and the takeaways.

After an exercise passes, ``check`` closes with a takeaway: the ``takeaway`` field of its
manifest entry when it has one, else the rows of this table that the exercise is about --
found from its title and hints, so an exercise added to ``info.toml`` gets one too.

>>> from types import SimpleNamespace as Entry
>>> print(takeaway(Entry(title="Fix: a 2-D input", hints=(), takeaway="")))
The shape story it taught:
  LSTM input: (batch, timesteps, features) -- three axes, even for one feature
"""

from __future__ import annotations

import re
from typing import Any

# (tensor, shape, note, what in an exercise's title or hints makes this row its lesson)
ROWS = (
    ("LSTM input", "(batch, timesteps, features)", "three axes, even for one feature",
     r"\(batch, timesteps, features\)|2-D|ndim|three axes"),
    ("hidden state h, cell state c", "(batch, units)",
     "units = size of h and c, NOT the number of timesteps",
     r"\bunits\b|\bh and c\b|\bstate(s|ful)?\b"),
    ("output, return_sequences=False", "(batch, units)", "equals the last h",
     r"return_state|\blast h\b|\btargets?\b"),
    ("output, return_sequences=True", "(batch, timesteps, units)",
     "needed by the next stacked LSTM",
     r"return_sequences|\bstack(ed)? (two )?LSTMs?\b|per timestep|many-to-many|sequence outputs"),
    ("LSTM weights", "kernel (features, 4·units), recurrent kernel (units, 4·units), "
     "bias (4·units,)", "4 gates, in Keras's order i, f, c, o",
     r"\bkernel\b|\bparam(eter)?s?\b|\bgates?\b|parameter count"),
)
UNROLLED = "One LSTM cell is unrolled over timesteps; there are not timesteps cells."
_UNROLLED_WHEN = r"\bunroll(ed)?\b|\bone (lstm )?cell\b"


def _code(text: str) -> str:
    """Shapes and arguments in backticks, for markdown."""
    return re.sub(r"(\([^()]*(?:\([^()]*\))?[^()]*\)|return_sequences=\w+|\bunits\b)",
                  r"`\1`", text)


SHAPE_STORY = "\n".join([
    "| tensor | shape | note |", "|---|---|---|",
    *(f"| {_code(tensor)} | {_code(shape)} | {_code(note)} |"
      for tensor, shape, note, _ in ROWS),
    "", UNROLLED.replace("timesteps", "`timesteps`")])


def takeaway(exercise: Any) -> str:
    """What ``exercise`` taught, shown after it passes ('' when no row is about it)."""
    if getattr(exercise, "takeaway", ""):
        return f"What it taught: {exercise.takeaway}"
    text = " ".join([exercise.title, *exercise.hints])
    rows = [f"  {tensor}: {shape} -- {note}" for tensor, shape, note, when in ROWS
            if re.search(when, text, flags=re.IGNORECASE)]
    if re.search(_UNROLLED_WHEN, text, flags=re.IGNORECASE):
        rows.append(f"  {UNROLLED}")
    return "\n".join(["The shape story it taught:", *rows]) if rows else ""
