"""Matplotlib pictures as PNG: the one place that picks the Agg backend and saves a figure.

Figures get their own Agg canvas (no pyplot), so the caller's backend stays untouched.

>>> fig, ax = new_figure((2, 1))
>>> _ = ax.plot([0, 1], [1, 0])
>>> png_bytes(fig, dpi=50)[:4]
b'\\x89PNG'
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any


def new_figure(figsize: tuple[float, float], nrows: int = 1, ncols: int = 1, *,
               dpi: float | None = None, **subplots: Any) -> tuple[Any, Any]:
    """A ``Figure`` of ``figsize`` inches on an Agg canvas and its axes (``Figure.subplots``)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig, fig.subplots(nrows, ncols, **subplots)


def save_png(fig: Any, path: str | Path, *, dpi: float = 120, **savefig: Any) -> Path:
    """Save ``fig`` as a PNG at ``path`` (``savefig`` options such as ``bbox_inches``)."""
    path = Path(path)
    fig.savefig(path, format="png", dpi=dpi, **savefig)
    return path


def png_bytes(fig: Any, *, dpi: float = 120, **savefig: Any) -> bytes:
    """``fig`` as PNG bytes, e.g. to inline as base64 in an HTML page."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, **savefig)
    return buffer.getvalue()
