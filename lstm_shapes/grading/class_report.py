"""The class report: who passed what, and which misconceptions the failures carry.

    lstm-shapes report grades/ [--html report.html]

Per exercise: learners passed / graded, the mean score, and the misconception codes found in
the failing tests' messages, most frequent first -- so a workshop sees "most of the room
still forgets return_sequences" and re-teaches it.
"""

from __future__ import annotations

import base64
import html
from collections import Counter
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ExerciseSummary:
    exercise: str
    graded: int
    passed: int
    mean_score: float
    max_score: float
    codes: list[tuple[str, int]]  # (code, learners whose failure carries it)


def summarize(gradebook: dict[str, Any]) -> list[ExerciseSummary]:
    """Per exercise, in the series' order."""
    order = gradebook.get("exercises") or []
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in order}
    for learner in gradebook["learners"]:
        for e in learner.get("exercises", []):
            rows.setdefault(e["exercise"], []).append(e)
    out = []
    for name, results in rows.items():
        codes = Counter(c for r in results for c in set(r.get("codes", [])))
        n = len(results)
        out.append(ExerciseSummary(
            name, n, sum(r["status"] == "passed" for r in results),
            round(sum(r["score"] for r in results) / n, 2) if n else 0.0,
            max((r["max_score"] for r in results), default=0.0), codes.most_common()))
    return out


def table_text(summaries: list[ExerciseSummary], width: int = 110) -> str:
    from rich import box
    from rich.table import Table

    from lstm_shapes.display import tables

    table = Table(box=box.SIMPLE_HEAD, title="class report")
    for column in ("exercise", "passed", "mean score", "misconceptions in failures"):
        table.add_column(column, justify="right" if column in ("passed", "mean score")
                         else "left")
    for s in summaries:
        codes = ", ".join(f"{code} ×{n}" for code, n in s.codes) or "-"
        table.add_row(s.exercise, f"{s.passed}/{s.graded}",
                      f"{s.mean_score:g}/{s.max_score:g}", codes)
    return tables.table_text(table, width=width)


def _chart_png(summaries: list[ExerciseSummary]) -> bytes:
    from lstm_shapes.display.plots import new_figure, png_bytes

    codes = Counter()
    for s in summaries:
        codes.update(dict(s.codes))
    fig, (left, right) = new_figure((11, 4), 1, 2)
    names = [s.exercise for s in summaries]
    left.barh(names, [s.passed / s.graded if s.graded else 0 for s in summaries],
              color="#4c8bd6")
    left.set_xlim(0, 1)
    left.invert_yaxis()
    left.set_title("share of learners who passed")
    common = codes.most_common(10)
    right.barh([c for c, _ in common], [n for _, n in common], color="#d6714c")
    right.invert_yaxis()
    right.set_title("misconceptions in failures (learner-exercises)")
    fig.tight_layout()
    return png_bytes(fig, dpi=100)


def html_page(summaries: list[ExerciseSummary], title: str = "lstm-shapes class report") -> str:
    """A self-contained page: the table and the chart (an inline PNG), no external files."""
    from lstm_shapes.core.codes import summary

    chart = base64.b64encode(_chart_png(summaries)).decode()
    rows = "".join(
        f"<tr><td>{html.escape(s.exercise)}</td><td>{s.passed}/{s.graded}</td>"
        f"<td>{s.mean_score:g}/{s.max_score:g}</td><td>"
        + "<br>".join(f"<b>{html.escape(c)}</b> ×{n}: {html.escape(summary(c))}"
                      for c, n in s.codes) + "</td></tr>" for s in summaries)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            "</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:"
            "collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}</style>"
            f"</head><body><h1>{html.escape(title)}</h1>"
            f"<img alt='chart' src='data:image/png;base64,{chart}'>"
            "<table><tr><th>exercise</th><th>passed</th><th>mean score</th>"
            f"<th>misconceptions in failures</th></tr>{rows}</table></body></html>")
