"""The command line of a grading child: this environment's libraries, none of its start-up code.

A plain ``python -I`` still runs every ``.pth`` file and ``sitecustomize`` of site-packages
at start-up, so one submission that managed to write there would run code in every later
grading process: its judge, and the next learners' probes. Children therefore start with
``-S`` (no ``site``: no ``.pth``, no ``sitecustomize``, and ``import site`` stays inert), and
get the grader's own import path, computed here, instead.

>>> cmd = child_command("lstm_shapes.grading.probe_child", "plan.json")
>>> cmd[1:4], cmd[-1]
(['-I', '-S', '-B'], 'plan.json')
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


@cache
def import_path() -> tuple[str, ...]:
    """This process's ``sys.path`` from the standard library on (site-packages and what its
    ``.pth`` files added), plus this package's folder; never the script's folder or
    entries put in front of the standard library (``PYTHONPATH``, pytest's rootdir)."""
    base = Path(sys.base_prefix).resolve()
    entries = [Path(p).resolve() for p in sys.path if p]
    first = next((i for i, p in enumerate(entries) if p.is_relative_to(base)), 0)
    package = Path(__file__).resolve().parents[2]  # an editable install's source tree
    found = [*entries[first:], package]
    return tuple(dict.fromkeys(str(p) for p in found if p.is_dir()))


def readable_paths() -> list[str]:
    """What a confined child must read: its ``sys.path`` (in a child: :func:`import_path`),
    but of this project only the package (an editable install's tree holds the series)."""
    package = Path(__file__).resolve().parents[1]
    found = [str(Path(p).resolve()) for p in sys.path if p and Path(p).is_dir()]
    return [*dict.fromkeys(p for p in found if p != str(package.parent)), str(package)]


def child_command(module: str, *args: str) -> list[str]:
    """``python -I -S -B`` running ``module`` as ``__main__`` with :func:`import_path`."""
    boot = (f"import sys, runpy; sys.path[:] = {list(import_path())!r}; "
            f"runpy.run_module({module!r}, run_name='__main__', alter_sys=True)")
    return [sys.executable, "-I", "-S", "-B", "-c", boot, *args]
