"""The class report: who passed what, and which misconceptions the failures carry.

    lstm-shapes report grades/ [--html report.html]

Per exercise: learners passed / graded, how many attempted it, their mean score, and the
misconception codes found in the failing tests' messages, most frequent first -- so a
workshop sees "most of the room still forgets return_sequences" and re-teaches it.

Only the learners' own work counts: an exercise left as the released starter code
(``not_attempted``) or not handed in (``missing``) is no attempt -- no score in the mean, no
code in the misconceptions. A submission with nothing graded at all (unreadable, or nothing
but starter code) is left out of the table and named under it (:func:`left_out`), never
averaged in silently.
"""

from __future__ import annotations

import base64
import html
from collections import Counter
from dataclasses import dataclass
from typing import Any

NO_ATTEMPT = ("missing", "not_attempted")


@dataclass(frozen=True)
class ExerciseSummary:
    exercise: str
    graded: int  # learners in the table
    passed: int
    mean_score: float  # over the attempts
    max_score: float
    codes: list[tuple[str, int]]  # (code, learners whose failure carries it)
    attempted: int = 0  # learners who handed in their own work for it


def left_out(gradebook: dict[str, Any]) -> list[tuple[str, str]]:
    """``(learner, why)`` of each submission with nothing graded: not in the table."""
    out = []
    for learner in gradebook["learners"]:
        rows = learner.get("exercises", [])
        if rows and all(r.get("status") in NO_ATTEMPT for r in rows):
            why = (f"not graded: {learner['error']}" if learner.get("error") else
                   "nothing to grade: every exercise missing or the released starter code")
            out.append((str(learner.get("learner", "?")), why))
    return out


def summarize(gradebook: dict[str, Any]) -> list[ExerciseSummary]:
    """Per exercise, in the series' order; the learners of :func:`left_out` are not counted."""
    order = gradebook.get("exercises") or []
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in order}
    out_ = {name for name, _ in left_out(gradebook)}
    for learner in gradebook["learners"]:
        if learner.get("learner") in out_:
            continue
        for e in learner.get("exercises", []):
            rows.setdefault(e["exercise"], []).append(e)
    out = []
    for name, results in rows.items():
        tried = [r for r in results if r.get("status") not in NO_ATTEMPT]
        codes = Counter(c for r in tried for c in set(r.get("codes", [])))
        out.append(ExerciseSummary(
            name, len(results), sum(r["status"] == "passed" for r in tried),
            round(sum(r["score"] for r in tried) / len(tried), 2) if tried else 0.0,
            max((r["max_score"] for r in results), default=0.0), codes.most_common(),
            attempted=len(tried)))
    return out


def left_out_text(missing: list[tuple[str, str]]) -> str:
    """The lines under the table: who is not in it, and why."""
    if not missing:
        return ""
    return "\n".join([f"not in the table ({len(missing)}):",
                      *(f"  {learner}: {why}" for learner, why in missing)])


def table_text(summaries: list[ExerciseSummary], width: int = 110) -> str:
    from rich import box
    from rich.table import Table

    from lstm_shapes.display import tables

    table = Table(box=box.SIMPLE_HEAD, title="class report")
    numbers = ("passed", "attempted", "mean of attempts")
    for column in ("exercise", *numbers, "misconceptions in failures"):
        table.add_column(column, justify="right" if column in numbers else "left")
    for s in summaries:
        codes = ", ".join(f"{code} ×{n}" for code, n in s.codes) or "-"
        table.add_row(s.exercise, f"{s.passed}/{s.graded}", f"{s.attempted}/{s.graded}",
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


def html_page(summaries: list[ExerciseSummary], title: str = "lstm-shapes class report", *,
              missing: list[tuple[str, str]] | tuple = ()) -> str:
    """A self-contained page: the table and the chart (an inline PNG), no external files;
    ``missing``: the learners not in the table (:func:`left_out`)."""
    from lstm_shapes.core.codes import summary

    chart = base64.b64encode(_chart_png(summaries)).decode()
    rows = "".join(
        f"<tr><td>{html.escape(s.exercise)}</td><td>{s.passed}/{s.graded}</td>"
        f"<td>{s.attempted}/{s.graded}</td>"
        f"<td>{s.mean_score:g}/{s.max_score:g}</td><td>"
        + "<br>".join(f"<b>{html.escape(c)}</b> ×{n}: {html.escape(summary(c))}"
                      for c, n in s.codes) + "</td></tr>" for s in summaries)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            "</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:"
            "collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}</style>"
            f"</head><body><h1>{html.escape(title)}</h1>"
            f"<img alt='chart' src='data:image/png;base64,{chart}'>"
            "<table><tr><th>exercise</th><th>passed</th><th>attempted</th>"
            f"<th>mean of attempts</th><th>misconceptions in failures</th></tr>{rows}</table>"
            f"{_left_out_html(missing)}</body></html>")


def _left_out_html(missing: list[tuple[str, str]] | tuple) -> str:
    if not missing:
        return ""
    items = "".join(f"<li><b>{html.escape(learner)}</b>: {html.escape(why)}</li>"
                    for learner, why in missing)
    return f"<h2>Not in the table ({len(missing)})</h2><ul>{items}</ul>"
