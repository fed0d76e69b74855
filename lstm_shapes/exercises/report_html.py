"""A check's report as HTML for Jupyter: the points, each test, the mistake's code and its fix.

The text of every message is the file edition's (the same tests wrote it); this module
only lays it out: a score bar, one row per test (its points, and for a failure the
message with its ``[code]`` and ``fix:`` line set apart), the notes of a notebook check,
the takeaway of a pass and the closing summary. Everything is escaped. Only a known
misconception code (``lstm_shapes.MISCONCEPTIONS``) is highlighted: ``y[i]`` is code.

>>> message, fix = split_message("your answer: y[i] is the last value\\n"
...     "  [window_misalignment] off by one.\\n  fix: y[i] = series[i + timesteps]\\n"
...     "  -> stuck? run `lstm-shapes hint 1`")
>>> print(message)
your answer: y[i] is the last value
[window_misalignment] off by one.
>>> fix
'y[i] = series[i + timesteps]'
>>> print(highlight_codes(message))  # doctest: +ELLIPSIS
your answer: y[i] is the last value
<b ...>[window_misalignment]</b> off by one.
"""

from __future__ import annotations

import html
import re
from typing import Any

_FIX = re.compile(r"^\s*fix:\s?(.*)$")
_CODE = re.compile(r"\[([a-z][a-z0-9_]*)\]")  # a misconception code in a message: bold
_STUCK = re.compile(r"^\s*-> stuck\?")
_GREEN, _RED, _AMBER = "#2e7d32", "#c62828", "#ef6c00"


def split_message(output: str) -> tuple[str, str]:
    """``(message, fix)`` of one test's failure text (the hint line left out)."""
    message, fixes = [], []
    for line in output.splitlines():
        found = _FIX.match(line)
        if found:
            fixes.append(found.group(1))
        elif not _STUCK.match(line):
            message.append(line.strip())
    return "\n".join(x for x in message if x).strip(), "\n".join(fixes)


def highlight_codes(message: str) -> str:
    """``message`` escaped for HTML, each known misconception code in bold."""
    from lstm_shapes.core.codes import MISCONCEPTIONS

    def bold(found: re.Match[str]) -> str:
        if found.group(1) not in MISCONCEPTIONS:
            return found.group(0)
        return f'<b style="color:{_RED}">{found.group(0)}</b>'

    return _CODE.sub(bold, html.escape(message))


def _title(name: str) -> str:
    return name.removeprefix("test_").replace("_", " ")


def _points(test: Any) -> str:
    if test.max_score is None:
        return ""
    return f"{test.score or 0:g}/{test.max_score:g}"


def _row(test: Any) -> str:
    ok = test.status == "passed"
    mark = (f'<span style="color:{_GREEN}">&#10004;</span>' if ok
            else f'<span style="color:{_RED}">&#10008;</span>')
    detail = ""
    if not ok:
        message, fix = split_message(test.output)
        shown = highlight_codes(message)
        detail = (f'<pre style="white-space:pre-wrap;margin:2px 0">{shown}</pre>'
                  if message else "")
        if fix:
            detail += (f'<div><b>fix:</b> <code style="color:{_GREEN}">{html.escape(fix)}'
                       "</code></div>")
    return (f'<tr><td style="vertical-align:top">{mark}</td>'
            f'<td style="text-align:left;vertical-align:top">{html.escape(_title(test.name))}'
            f'{detail}</td><td style="vertical-align:top">{_points(test)}</td></tr>')


def _bar(score: float, max_score: float, color: str) -> str:
    share = 0 if not max_score else max(0.0, min(1.0, score / max_score))
    return (f'<div style="background:#e0e0e0;width:240px;height:8px;border-radius:4px;'
            f'margin:4px 0"><div style="background:{color};width:{share * 100:.0f}%;'
            'height:8px;border-radius:4px"></div></div>')


def check_html(report: Any) -> str:
    """The HTML of a :class:`~lstm_shapes.exercises.learner.CheckReport`."""
    e, result = report.exercise, report.result
    passed = report.passed
    score, max_score = result.score or 0.0, result.max_score or float(e.points)
    color = _GREEN if passed else _AMBER if score > 0 else _RED
    parts = [f'<div style="font-weight:bold;color:{color}">{html.escape(report.headline())}'
             "</div>", _bar(score, max_score, color)]
    if result.tests:
        parts.append('<table style="border-collapse:collapse">'
                     + "".join(_row(t) for t in result.tests) + "</table>")
    elif result.output.strip():
        parts.append(f"<pre>{html.escape(result.output.strip()[-4000:])}</pre>")
    for note in report.notes:
        parts.append(f'<div style="color:{_AMBER}">{html.escape(note)}</div>')
    if passed and report.takeaway:
        parts.append(f'<div style="border-left:3px solid {_GREEN};padding-left:8px">'
                     f"<pre style=\"margin:0\">{html.escape(report.takeaway)}</pre></div>")
    parts.append(f"<pre>{html.escape(chr(10).join(report.next_steps()))}</pre>")
    if result.output.strip() and result.tests:
        parts.append("<details><summary>the tests' whole output</summary><pre>"
                     f"{html.escape(result.output.strip()[-20000:])}</pre></details>")
    return '<div class="lstm-shapes-check">' + "".join(parts) + "</div>"
