"""Rich tables as plain text: the one way every layer prints a table.

>>> from rich.table import Table
>>> t = Table("units", "params")
>>> t.add_row("16", "1,152")
>>> print(table_text(t, width=40))  # doctest: +NORMALIZE_WHITESPACE
┏━━━━━━━┳━━━━━━━━┓
┃ units ┃ params ┃
┡━━━━━━━╇━━━━━━━━┩
│ 16    │ 1,152  │
└───────┴────────┘
"""

from __future__ import annotations

import io
from typing import Any


def table_text(table: Any, *, width: int = 100) -> str:
    """``table`` (a ``rich.table.Table``) rendered without colour at ``width`` columns."""
    from rich.console import Console

    console = Console(width=width, color_system=None, force_terminal=False,
                      file=io.StringIO(), record=True)
    console.print(table)
    return console.export_text()
