"""The instructor copy's markers: BEGIN/END SOLUTION, PROMPT and HIDDEN TESTS blocks."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_PROMPT = "### BEGIN PROMPT"
END_PROMPT = "### END PROMPT"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
MARKERS = (BEGIN_SOLUTION, END_SOLUTION, BEGIN_PROMPT, END_PROMPT, BEGIN_HIDDEN, END_HIDDEN)
_DEF = re.compile(r"^(\s*)(?:async\s+)?def\s+(\w+)")


class ReleaseError(ValueError):
    """The instructor copy's markers are malformed, or the output folder is not empty."""


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _enclosing_function(lines: list[str], index: int, indent: str) -> str | None:
    for line in reversed(lines[:index]):
        match = _DEF.match(line)
        if match and len(match.group(1)) < len(indent):
            return match.group(2)
    return None


def _block_end(lines: list[str], start: int, end_marker: str, name: str) -> int:
    for j in range(start + 1, len(lines)):
        text = lines[j].strip()
        if text.startswith(end_marker):
            return j
        if any(text.startswith(m) for m in MARKERS):
            raise ReleaseError(f"{name}:{j + 1}: {text!r} inside the block opened at line "
                               f"{start + 1} (blocks do not nest; close it with {end_marker})")
    raise ReleaseError(f"{name}:{start + 1}: block never closed with {end_marker!r}")


def _uncomment(line: str, indent: str, name: str, number: int) -> str:
    body = line[len(indent):] if line.startswith(indent) else line.lstrip()
    if not line.strip():
        return ""
    if not body.startswith("#"):
        raise ReleaseError(f"{name}:{number}: a PROMPT line must be a comment in the "
                           f"instructor copy (got {line.strip()!r})")
    body = body[2:] if body.startswith("# ") else body[1:]
    return indent + body


def strip_markers(text: str, *, name: str = "<file>") -> str:
    """The learner version of one file (see the module docstring for the markers).

    Raises:
        ReleaseError: an unclosed, nested or stray marker, or a module-level solution;
            the message names the file and line.
    """
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith(BEGIN_SOLUTION):
            end = _block_end(lines, i, END_SOLUTION, name)
            indent = _indent(line)
            if not indent:
                raise ReleaseError(f"{name}:{i + 1}: a solution block at module level would "
                                   f"raise at import; put it inside a function")
            following = end + 1
            if following < len(lines) and lines[following].strip().startswith(BEGIN_PROMPT):
                prompt_end = _block_end(lines, following, END_PROMPT, name)
                out.extend(_uncomment(lines[k], indent, name, k + 1)
                           for k in range(following + 1, prompt_end))
                i = prompt_end + 1
                continue
            message = stripped[len(BEGIN_SOLUTION):].strip()
            if not message:
                function = _enclosing_function(lines, i, indent)
                message = f"implement {function}()" if function else "write this part"
            out.append(f"{indent}raise NotImplementedError({json.dumps(message)})")
            i = end + 1
        elif stripped.startswith(BEGIN_HIDDEN):
            i = _block_end(lines, i, END_HIDDEN, name) + 1
        elif stripped.startswith(BEGIN_PROMPT):
            raise ReleaseError(f"{name}:{i + 1}: a PROMPT block must follow right after a "
                               f"solution block's {END_SOLUTION!r} line")
        elif any(stripped.startswith(m) for m in MARKERS):
            raise ReleaseError(f"{name}:{i + 1}: {stripped!r} without its BEGIN marker")
        else:
            out.append(line)
            i += 1
    return "\n".join(out) + "\n"


def count_blocks(text: str) -> tuple[int, int]:
    """``(solution blocks, hidden test blocks)`` in an instructor file."""
    lines = [line.strip() for line in text.splitlines()]
    return (sum(line.startswith(BEGIN_SOLUTION) for line in lines),
            sum(line.startswith(BEGIN_HIDDEN) for line in lines))


def solution_text(path: str | os.PathLike[str]) -> str | None:
    """The reference solution of an instructor file (its solution blocks), or None.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "a.py"
    >>> _ = f.write_text("def f():\\n    ### BEGIN SOLUTION\\n    return 1\\n    ### END SOLUTION\\n")
    >>> print(solution_text(f))
    a.py:3-3
        return 1
    """
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    parts: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i].strip().startswith(BEGIN_SOLUTION):
            end = _block_end(lines, i, END_SOLUTION, path.name)
            parts.append(f"{path.name}:{i + 2}-{end}\n" + "\n".join(lines[i + 1:end]))
            i = end
        i += 1
    return "\n\n".join(parts) if parts else None
